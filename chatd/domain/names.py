"""Rules for what users may call themselves and their rooms, and say.

Every name is compared by its *key* (``chatd.text.fold``), so ``Alice``,
``ALICE`` and ``Alice`` in full-width letters are one name, and a nickname
or room name may not *look* like another (``look``, Unicode's confusables
skeleton), so ``alice`` with a Cyrillic a (U+0430) cannot pass for ``alice``;
nor may anyone pass for an IRC service (``reserved``).
Names refuse invisible characters and towers of combining marks.

Text that reaches other people's terminals must carry none of
``chatd.text.UNSAFE``: no control characters, no terminal escape sequences
(they all begin with a C0 or C1 control) and no bidirectional overrides
that could reorder what is shown around them. Here such text is refused;
renderers scrub it. Text loses the characters that show as nothing (bar the
joiners and selectors that change how their neighbours look), and refuses
towers of combining marks. docs/PROTOCOL.md has the rule for each field.
"""

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from disarm import skeleton_key

from chatd.domain.errors import (
    InvalidNicknameError,
    InvalidRoomNameError,
    InvalidTextError,
    NicknameRule,
    RoomNameRule,
    TextRule,
)
from chatd.text import UNSAFE, WORD_CATEGORIES, fold, in_nickname

NICKNAME_MAX = 24
"""Longest nickname, in code points after normalisation."""

ROOM_NAME_MAX = 32
"""Longest room name, in code points including the leading ``#``."""

TOPIC_MAX = 300
"""Longest topic, in code points."""

REASON_MAX = 200
"""Longest part, kick, away or quit reason, in code points: a longer one is refused, bar a quit's, which is cut."""

ROOM_PREFIX = "#"


ROOM_PUNCTUATION = "-_."
"""What a room name may hold after its ``#`` besides letters, marks and digits, in the order refusals list it."""

# Letters, marks (scripts that need combining signs) and decimal digits.

NAME_MARKS_MAX = 3
"""Most non-spacing marks on one character of a name: a Tibetan stack (``སྒྲོ``) or a pointed Hebrew letter needs three."""

TEXT_MARKS_MAX = 4
"""Most non-spacing marks on one character of text: more is a tower over the lines around it (zalgo)."""

# Unicode's default-ignorable code points (DerivedCoreProperties.txt,
# Unicode 16), characters a renderer shows as nothing or as a blank (the
# Hangul fillers), and the interlinear annotation marks U+FFF9-U+FFFB, which
# can hide the text between them. Names refuse every one of them, as PRECIS
# (RFC 8264) does in identifiers.
_IGNORABLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
INVISIBLE = re.compile(f"[{_IGNORABLE}]")
"""A character that shows as nothing: names refuse it, and a front end quoting what was typed escapes it."""

# What text loses: the characters above, less those it refuses (the bidi
# controls, in UNSAFE) and those that change how their neighbours look: ZWNJ
# and ZWJ (joining in Arabic, Persian and Indic scripts; emoji sequences),
# the variation selectors (emoji or text style, CJK glyph variants) and the
# Mongolian selectors. Tag characters go too, bar a flag's: U+1F3F4 and up
# to seven tag letters or digits ended by CANCEL TAG (the flags of England,
# Scotland and Wales, UTS #51), kept by the group in the pattern.
_STRIPPED = re.compile(
    "(\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{1,7}\U000e007f)"
    "|[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u200b\u2060-\u2065\u206a-\u206f\u3164\ufeff"
    "\uffa0\ufff0-\ufffb\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e00ff\U000e01f0-\U000e0fff]"
)

# Marks drawn over or under the character before them, which is what a
# tower stacks; spacing marks (Mc) stand beside their letter and stack nothing.
_STACKING = frozenset({"Mn", "Me"})
# Joiners stand between a character and its marks without parting them.
_JOINERS = frozenset("\u200c\u200d")
# What shows nothing on its own: a message made only of these is not sent.
_UNSEEN = frozenset({"Mn", "Me", "Cf", "Zs", "Zl", "Zp", "Cc"})


@lru_cache(maxsize=4096)
def look(name: str) -> str:
    """The key under which no two names may look alike: ``name``'s confusables skeleton, case-folded.

    This is UTS #39's skeleton as Ergo keeps nicknames apart: taken of the
    name as shown, before case is folded, so a capital ``I`` still looks
    like ``l``; then folded, so ``alice`` with a Cyrillic a (U+0430),
    ``AIice`` and ``b0b`` look like ``alice``, ``alice`` and ``bob``. Like
    Ergo, ``m`` does not look like ``rn``. disarm's ``skeleton_key`` computes it from
    Unicode's confusables.txt, in Rust, in microseconds: it runs only when
    someone takes or gives up a name. Taking one asks it five times (a ban,
    an owner, a service, a holder, the user's own), so the latest are kept.
    """
    return skeleton_key(name, digit_policy="tr39")


SERVICE_NICKNAMES = ("NickServ", "ChanServ", "MemoServ", "OperServ", "HostServ", "BotServ", "Global")
"""The nicknames of IRC services that users of other networks know and trust: NickServ and ChanServ, which
ask for passwords, the other *Serv of Anope and Atheme, and Global, which speaks for the network. chatd runs
none; nobody may take one of them, nor a nickname that folds or looks like one (``reserved``), so nobody can
pass for a service and ask people for their passwords."""


_SERVICE_KEYS: Mapping[str, str] = MappingProxyType({fold(name): name for name in SERVICE_NICKNAMES})
"""Each service's nickname by its key."""

_SERVICE_LOOKS: Mapping[str, str] = MappingProxyType(
    {look(shown): name for name in SERVICE_NICKNAMES for shown in (name, name.lower(), name.upper())}
)
"""Each service's nickname by its look, in the three cases a skeleton tells apart: ``NICKSERV``'s capital I
looks like l, so its look is not ``NickServ``'s."""


def reserved(nick: str) -> str | None:
    """The service nickname ``nick`` folds or looks like (``SERVICE_NICKNAMES``); None if it is none's."""
    return _SERVICE_KEYS.get(fold(nick)) or _SERVICE_LOOKS.get(look(nick))


def _stacked(text: str, most: int) -> bool:
    """Whether some character of ``text`` carries more than ``most`` non-spacing marks."""
    run = 0
    for char in text:
        if char < "\u0300":  # no mark comes before the combining diacritics
            run = 0
        elif unicodedata.category(char) in _STACKING:
            run += 1
            if run > most:
                return True
        elif char not in _JOINERS:
            run = 0
    return False


def check_nickname(name: str, limit: int | None = NICKNAME_MAX) -> str:
    """Return ``name`` in normal form, or raise InvalidNicknameError naming the rule it breaks.

    ``limit`` None checks no length: for ``python -m chatd.admin``, which
    cannot know the ``--max-nick`` the daemon took nicknames under.
    """
    nick = unicodedata.normalize("NFKC", name)
    if not nick:
        raise InvalidNicknameError(name, NicknameRule.EMPTY)
    if limit is not None and len(nick) > limit:
        raise InvalidNicknameError(nick, NicknameRule.TOO_LONG, limit)
    if INVISIBLE.search(nick):
        raise InvalidNicknameError(nick, NicknameRule.INVISIBLE)
    first = nick[0]
    if first.isdecimal() or first == "-" or unicodedata.category(first).startswith("M"):
        raise InvalidNicknameError(nick, NicknameRule.BAD_START)
    for char in nick:
        if not in_nickname(char):
            raise InvalidNicknameError(nick, NicknameRule.BAD_CHARACTER)
    if _stacked(nick, NAME_MARKS_MAX):
        raise InvalidNicknameError(nick, NicknameRule.TOO_MANY_MARKS, NAME_MARKS_MAX)
    return nick


def check_room_name(name: str, limit: int | None = ROOM_NAME_MAX) -> str:
    """Return ``name`` in normal form, or raise InvalidRoomNameError naming the rule it breaks.

    ``limit`` None checks no length: for ``python -m chatd.admin``, which
    cannot know the ``--max-room-name`` the daemon kept rooms under.
    """
    room = unicodedata.normalize("NFKC", name)
    if not room.startswith(ROOM_PREFIX) or len(room) < 2:
        raise InvalidRoomNameError(room, RoomNameRule.NO_PREFIX)
    if limit is not None and len(room) > limit:
        raise InvalidRoomNameError(room, RoomNameRule.TOO_LONG, limit)
    if INVISIBLE.search(room):
        raise InvalidRoomNameError(room, RoomNameRule.INVISIBLE)
    for char in room[1:]:
        if unicodedata.category(char) not in WORD_CATEGORIES and char not in ROOM_PUNCTUATION:
            raise InvalidRoomNameError(room, RoomNameRule.BAD_CHARACTER)
    if _stacked(room, NAME_MARKS_MAX):
        raise InvalidRoomNameError(room, RoomNameRule.TOO_MANY_MARKS, NAME_MARKS_MAX)
    return room


def check_text(text: str, limit: int | None = None) -> str:
    """Return ``text`` as it will be shown, or raise InvalidTextError.

    A tab becomes a space (pasted code keeps its shape, terminals stay
    safe); any other unsafe character refuses the whole text rather than
    silently changing what the user said. Characters that show as nothing
    are dropped (``_STRIPPED``), which changes nothing anyone sees; a
    character under more than TEXT_MARKS_MAX non-spacing marks refuses the
    text. ``limit`` caps the length in code points, after the drop, where
    the text is stored (topics, reasons).
    """
    shown = text.replace("\t", " ")
    unsafe = UNSAFE.search(shown)
    if unsafe is not None:
        raise InvalidTextError(TextRule.UNSAFE_CHARACTER, character=unsafe.group())
    if not shown.isascii():  # the common case skips both passes: ASCII has neither
        shown = _STRIPPED.sub(r"\1", shown)
        if _stacked(shown, TEXT_MARKS_MAX):
            raise InvalidTextError(TextRule.TOO_MANY_MARKS, limit=TEXT_MARKS_MAX)
    if limit is not None and len(shown) > limit:
        raise InvalidTextError(TextRule.TOO_LONG, limit=limit)
    return shown


def cut_text(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` code points, where one character ends and the next begins.

    For text that cannot be refused (a quit reason: the user leaves either
    way), as IRC servers cut a long QUIT. The cut moves back rather than part
    a character from what belongs to it: its combining marks and variation
    selectors, a joiner (ZWJ/ZWNJ) and what it joins, an emoji's skin tone,
    the second half of a flag.
    """
    end = len(text) if len(text) <= limit else limit
    while 0 < end < len(text) and (
        _belongs_to_previous(text[end]) or text[end - 1] in _JOINERS or _inside_flag(text, end)
    ):
        end -= 1
    return text[:end]


def quit_reason(text: str, limit: int) -> str:
    """A quit reason as everyone reads it, roommates and the one quitting alike.

    Never refused, as the user leaves either way: one that breaks the text
    rules is dropped (""), one past ``limit`` code points cut (``cut_text``).
    """
    try:
        return cut_text(check_text(text), limit)
    except InvalidTextError:
        return ""


def _inside_flag(text: str, end: int) -> bool:
    """Whether ``end`` falls between the two regional indicators of a flag (🇫🇷 is U+1F1EB U+1F1F7).

    Regional indicators pair from the start of each run of them (Unicode's
    UAX #29, rules GB12 and GB13), so a cut before one parts a pair when an
    odd number of them come right before it.
    """
    if not _is_regional(text[end]):
        return False
    run = 0
    while run < end and _is_regional(text[end - 1 - run]):
        run += 1
    return run % 2 == 1


def _is_regional(char: str) -> bool:
    """Whether ``char`` is a regional indicator symbol, half of a flag."""
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def _belongs_to_previous(char: str) -> bool:
    """Whether ``char`` is part of the character before it: a mark, a joiner or an emoji modifier."""
    return (
        unicodedata.category(char).startswith("M") or char in _JOINERS or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def check_said(text: str) -> str:
    """Like ``check_text`` for something said (an action, a private message, /wall): it must show.

    A message of nothing but invisible characters, marks and spaces would
    reach everyone as a blank line; it is refused.
    """
    return _visible(check_text(text))


def check_message(text: str) -> str:
    """Like ``check_said`` for a room message, which may hold several lines (a paste).

    Lines are joined by ``\\n``; each is checked on its own, so the newline is
    the one control character a message may carry, and every renderer shows
    each line as a message of its own. Something in it must show.
    """
    return _visible("\n".join(check_text(line) for line in text.split("\n")))


def _visible(shown: str) -> str:
    """``shown``, unless nothing of it shows; then raise InvalidTextError."""
    if not any(unicodedata.category(char) not in _UNSEEN for char in shown):
        raise InvalidTextError(TextRule.NOTHING_VISIBLE)
    return shown
