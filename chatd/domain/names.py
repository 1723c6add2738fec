"""Rules for what users may call themselves and their rooms, and say.

Every name is compared by its *key* (``chatd.text.fold``), so ``Alice``,
``ALICE`` and ``Alice`` in full-width letters are one name. Text that
reaches other people's terminals must carry none of ``chatd.text.UNSAFE``:
no control characters, no terminal escape sequences (they all begin with a
C0 or C1 control) and no bidirectional overrides that could reorder what is
shown around them. Here such text is refused; renderers scrub it.
"""

import re
import unicodedata

from chatd.domain.errors import (
    InvalidNicknameError,
    InvalidRoomNameError,
    InvalidTextError,
    NicknameRule,
    RoomNameRule,
    TextRule,
)
from chatd.text import UNSAFE

NICKNAME_MAX = 24
"""Longest nickname, in code points after normalisation."""

ROOM_NAME_MAX = 32
"""Longest room name, in code points including the leading ``#``."""

TOPIC_MAX = 300
"""Longest topic, in code points."""

REASON_MAX = 200
"""Longest part or quit reason, in code points."""

ROOM_PREFIX = "#"

# Punctuation IRC users expect in nicknames (RFC 2812 "special").
_NICK_PUNCTUATION = frozenset("-_[]{}\\|^`")
_ROOM_PUNCTUATION = frozenset("-_.")
# Letters, marks (scripts that need combining signs) and decimal digits.
_WORD_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Nd"})

# Characters that show as nothing yet make a name differ: Unicode's default
# ignorables that pass the letter and mark test (variation selectors, the
# combining grapheme joiner, Mongolian selectors, Khmer inherent vowels) and
# the Hangul fillers, as PRECIS (RFC 8264) refuses in identifiers.
_INVISIBLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)


def check_nickname(name: str, limit: int = NICKNAME_MAX) -> str:
    """Return ``name`` in normal form, or raise InvalidNicknameError naming the rule it breaks."""
    nick = unicodedata.normalize("NFKC", name)
    if not nick:
        raise InvalidNicknameError(name, NicknameRule.EMPTY)
    if len(nick) > limit:
        raise InvalidNicknameError(nick, NicknameRule.TOO_LONG, limit)
    if _INVISIBLE.search(nick):
        raise InvalidNicknameError(nick, NicknameRule.INVISIBLE)
    first = nick[0]
    if first.isdecimal() or first == "-" or unicodedata.category(first).startswith("M"):
        raise InvalidNicknameError(nick, NicknameRule.BAD_START)
    for char in nick:
        if unicodedata.category(char) not in _WORD_CATEGORIES and char not in _NICK_PUNCTUATION:
            raise InvalidNicknameError(nick, NicknameRule.BAD_CHARACTER)
    return nick


def check_room_name(name: str, limit: int = ROOM_NAME_MAX) -> str:
    """Return ``name`` in normal form, or raise InvalidRoomNameError naming the rule it breaks."""
    room = unicodedata.normalize("NFKC", name)
    if not room.startswith(ROOM_PREFIX) or len(room) < 2:
        raise InvalidRoomNameError(room, RoomNameRule.NO_PREFIX)
    if len(room) > limit:
        raise InvalidRoomNameError(room, RoomNameRule.TOO_LONG, limit)
    if _INVISIBLE.search(room):
        raise InvalidRoomNameError(room, RoomNameRule.INVISIBLE)
    for char in room[1:]:
        if unicodedata.category(char) not in _WORD_CATEGORIES and char not in _ROOM_PUNCTUATION:
            raise InvalidRoomNameError(room, RoomNameRule.BAD_CHARACTER)
    return room


def check_text(text: str, limit: int | None = None) -> str:
    """Return ``text`` as it will be shown, or raise InvalidTextError.

    A tab becomes a space (pasted code keeps its shape, terminals stay
    safe); any other unsafe character refuses the whole text rather than
    silently changing what the user said. ``limit`` caps the length in code
    points where the text is stored (topics, reasons).
    """
    shown = text.replace("\t", " ")
    unsafe = UNSAFE.search(shown)
    if unsafe is not None:
        raise InvalidTextError(TextRule.UNSAFE_CHARACTER, character=unsafe.group())
    if limit is not None and len(shown) > limit:
        raise InvalidTextError(TextRule.TOO_LONG, limit=limit)
    return shown


def check_message(text: str) -> str:
    """Like ``check_text`` for a message, which may hold several lines (a paste).

    Lines are joined by ``\\n``; each is checked on its own, so the newline is
    the one control character a message may carry, and every renderer shows
    each line as a message of its own.
    """
    return "\n".join(check_text(line) for line in text.split("\n"))
