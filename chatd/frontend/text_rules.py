"""Why a text or a name was refused, in words every front end says the same way.

``InvalidTextError`` carries the rule a text broke and its data; the line
protocol says it after ``not sent:``, IRC in its standard reply. A
nickname's or room name's rule (``InvalidNicknameError``,
``InvalidRoomNameError``) the line protocol says after ``is not a valid
nickname:``, IRC in its 432 or 403. One wording, so a user on either reads
the same reason; a program reads the rule's code from the error's fields.
"""

from typing import assert_never

from chatd.domain.errors import (
    InvalidNicknameError,
    InvalidRoomNameError,
    InvalidTextError,
    NicknameRule,
    RoomNameRule,
    TextRule,
)
from chatd.domain.names import ROOM_PUNCTUATION
from chatd.text import NICK_PUNCTUATION, counted


def _characters(punctuation: str) -> str:
    """``letters, digits, '-', '_' and '.'``: each character quoted, so none reads as the sentence's own
    punctuation (a bare ``-_.`` at the end of a sentence read as a full stop, or two)."""
    named = ["letters", "digits", *(f"'{char}'" for char in punctuation)]
    return f"{', '.join(named[:-1])} and {named[-1]}"


NICKNAME_CHARACTERS = _characters(NICK_PUNCTUATION)
"""What a nickname may hold, as a sentence lists it (after "holds only")."""

ROOM_NAME_CHARACTERS = _characters(ROOM_PUNCTUATION)
"""What a room name may hold after its ``#``, as a sentence lists it (after "holds only")."""


def text_rule_words(error: InvalidTextError) -> str:
    """``at most 200 characters allowed here``: the rule ``error`` names, with its limit or character."""
    match error.rule:
        case TextRule.UNSAFE_CHARACTER:
            return f"control or bidi character {_code_point(error.character)} refused"
        case TextRule.TOO_LONG:
            return f"{at_most(error.limit, 'character')} allowed here"
        case TextRule.TOO_MANY_MARKS:
            return f"{at_most(error.limit, 'combining mark')} on one character"
        case TextRule.NOTHING_VISIBLE:
            return "nothing in it would show"
        case _:
            assert_never(error.rule)


def nickname_rule_words(error: InvalidNicknameError) -> str:
    """``a nickname is at most 24 characters``: the rule ``error`` names, with its limit."""
    match error.rule:
        case NicknameRule.EMPTY:
            return "a nickname cannot be empty"
        case NicknameRule.TOO_LONG:
            return f"a nickname is {at_most(error.limit, 'character')}"
        case NicknameRule.INVISIBLE:
            return "a nickname cannot hold invisible characters"
        case NicknameRule.BAD_START:
            return "a nickname cannot start with a digit, '-' or a mark"
        case NicknameRule.BAD_CHARACTER:
            return f"a nickname holds only {NICKNAME_CHARACTERS}"
        case NicknameRule.TOO_MANY_MARKS:
            return f"a nickname has {at_most(error.limit, 'combining mark')} on one letter"
        case _:
            assert_never(error.rule)


def room_name_rule_words(error: InvalidRoomNameError) -> str:
    """``a room name is # followed by its name``: the rule ``error`` names, with its limit."""
    match error.rule:
        case RoomNameRule.NO_PREFIX:
            return "a room name is # followed by its name"
        case RoomNameRule.TOO_LONG:
            return f"a room name is {at_most(error.limit, 'character')}"
        case RoomNameRule.INVISIBLE:
            return "a room name cannot hold invisible characters"
        case RoomNameRule.BAD_CHARACTER:
            return f"a room name holds only {ROOM_NAME_CHARACTERS}"
        case RoomNameRule.TOO_MANY_MARKS:
            return f"a room name has {at_most(error.limit, 'combining mark')} on one letter"
        case _:
            assert_never(error.rule)


def at_most(limit: int | None, noun: str) -> str:
    """``at most 200 characters``, ``at most 1 character``: a rule's limit, for the rules of a text or a name that
    have one. Their errors always carry it; the field is optional for the rules that have none."""
    assert limit is not None, "a rule with a limit is raised with it"
    return f"at most {counted(limit, noun)}"


def _code_point(character: str | None) -> str:
    """``U+001B`` for ESC: the character itself would be refused on the way out, too."""
    return "?" if character is None else f"U+{ord(character):04X}"
