"""Refusals of a name or a text: a rule of chatd.domain.names broken, a nickname taken or one that looks like
another's, a nickname nobody online holds."""

from dataclasses import dataclass
from enum import StrEnum

from chatd.domain.errors.base import ChatError


class NicknameRule(StrEnum):
    """Which rule of chatd.domain.names a nickname breaks; the values are stable."""

    EMPTY = "empty"
    TOO_LONG = "too-long"
    INVISIBLE = "invisible"
    BAD_START = "bad-start"
    BAD_CHARACTER = "bad-character"
    TOO_MANY_MARKS = "too-many-marks"


class RoomNameRule(StrEnum):
    """Which rule of chatd.domain.names a room name breaks; the values are stable."""

    NO_PREFIX = "no-prefix"
    TOO_LONG = "too-long"
    INVISIBLE = "invisible"
    BAD_CHARACTER = "bad-character"
    TOO_MANY_MARKS = "too-many-marks"


class TextRule(StrEnum):
    """Which rule of chatd.domain.names a text breaks; the values are stable."""

    UNSAFE_CHARACTER = "unsafe-character"
    TOO_LONG = "too-long"
    TOO_MANY_MARKS = "too-many-marks"
    NOTHING_VISIBLE = "nothing-visible"


@dataclass(eq=False)
class InvalidNicknameError(ChatError):
    """The nickname breaks a rule; ``limit`` is the longest allowed (TOO_LONG) or the most marks (TOO_MANY_MARKS)."""

    code = "bad-nick"
    nick: str
    rule: NicknameRule
    limit: int | None = None


@dataclass(eq=False)
class NicknameInUseError(ChatError):
    """Someone online already holds a nickname with the same key; ``nick`` is theirs."""

    code = "nick-in-use"
    nick: str


@dataclass(eq=False)
class InvalidRoomNameError(ChatError):
    """The room name breaks a rule; ``limit`` is the longest allowed (TOO_LONG) or the most marks (TOO_MANY_MARKS)."""

    code = "bad-room"
    room: str
    rule: RoomNameRule
    limit: int | None = None


@dataclass(eq=False)
class InvalidTextError(ChatError):
    """The text holds a character that may not reach a terminal (``character``), is
    longer than ``limit`` code points, has a character under more than ``limit``
    marks, or shows nothing."""

    code = "bad-text"
    rule: TextRule
    character: str | None = None
    limit: int | None = None


# Names that look like others (UTS #39 skeletons, chatd.domain.names.look).


@dataclass(eq=False)
class NicknameLookAlikeError(ChatError):
    """``nick`` looks like ``holder``, the nickname of someone else online (the same skeleton)."""

    code = "nick-look-alike"
    nick: str
    holder: str


@dataclass(eq=False)
class RoomLookAlikeError(ChatError):
    """``room`` would be a new room that looks like the room ``existing`` (the same skeleton)."""

    code = "room-look-alike"
    room: str
    existing: str


@dataclass(eq=False)
class NoSuchNicknameError(ChatError):
    """Nobody online has that nickname; ``alike`` is whoever online holds one that looks like it, if anyone
    does (``Users.missing``), named so the asker sees whom they may have meant, never acted on."""

    code = "no-such-nick"
    nick: str
    alike: str | None = None
