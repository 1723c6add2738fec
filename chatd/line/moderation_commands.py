"""The commands of operators and room owners, as typed data, and their parsers; pure.

Who may run each is the chat's business (chatd.domain.moderation): these
only read the arguments. Their rows are in chatd.line.rows.moderation, in
the table (chatd.line.table) with everyone's, so ``/help`` and
docs/PROTOCOL.md list them too.
"""

from dataclasses import dataclass, field

from chatd.domain.ids import event_id
from chatd.line.errors import UsageError
from chatd.line.passwords import Typed, read_password
from chatd.line.syntax import (
    Command,
    RoomThenText,
    names_room,
    room_argument,
    room_then_text,
    word_and_duration,
)


@dataclass(frozen=True, slots=True)
class Oper:
    """``/oper NAME PASSWORD``: become an operator. The password may hold spaces (chatd.line.passwords)."""

    name: str
    password: Typed = field(repr=False)


@dataclass(frozen=True, slots=True)
class Kick:
    """``/kick NICK [#room] [reason]``; no room means the current one (see ``RoomThenText``)."""

    nick: str
    where: RoomThenText


@dataclass(frozen=True, slots=True)
class Delete:
    """``/delete [#room] ID [reason]``: delete the line with id ``line``; no room means the current one."""

    room: str | None
    line: str
    reason: str


DELETE_USAGE = "/delete [#room] ID [reason]"


def parse_delete(args: str) -> Command:
    """``/delete #dev 01a20cc867700000 pasted a password``: a first word with ``#`` is the room, then the line's id
    (as ``/search`` and JSON lines show it; a time names no one line), then the reason, if any."""
    words = args.split(None, 1)
    room = None
    if words and names_room(words[0]):
        room, words = room_argument(words[0]), words[1].split(None, 1) if len(words) > 1 else []
    line = event_id(words[0]) if words else None
    if line is None:
        raise UsageError(DELETE_USAGE)
    return Delete(room, line, words[1].strip() if len(words) > 1 else "")


@dataclass(frozen=True, slots=True)
class Ban:
    """``/ban NICK|ADDRESS [duration]``; no duration means until lifted."""

    target: str
    seconds: float | None


@dataclass(frozen=True, slots=True)
class Kill:
    """``/kill NICK [reason]``: off the server now, free to come back."""

    nick: str
    reason: str


@dataclass(frozen=True, slots=True)
class ListBans:
    """``/ban`` alone."""


@dataclass(frozen=True, slots=True)
class Unban:
    """``/unban NICK|ADDRESS``."""

    target: str


@dataclass(frozen=True, slots=True)
class Mute:
    """``/mute NICK [duration]``; no duration means until unmuted."""

    nick: str
    seconds: float | None


@dataclass(frozen=True, slots=True)
class Unmute:
    """``/unmute NICK``."""

    nick: str


@dataclass(frozen=True, slots=True)
class Wall:
    """``/wall text``: to everyone online."""

    text: str


@dataclass(frozen=True, slots=True)
class Shutdown:
    """``/shutdown [reason]``."""

    reason: str


@dataclass(frozen=True, slots=True)
class Lock:
    """``/lock`` (``locked``) or ``/unlock`` the current room's topic."""

    locked: bool


def parse_oper(args: str) -> Command:
    name, _, rest = args.partition(" ")
    password = read_password(rest.lstrip(" "))
    if not name or not password.text:
        raise UsageError("/oper NAME PASSWORD")
    return Oper(name, password)


def parse_kick(args: str) -> Command:
    nick, _, rest = args.partition(" ")
    if not nick:
        raise UsageError("/kick NICK [#room] [reason]")
    return Kick(nick, room_then_text(rest.strip()))


def parse_kill(args: str) -> Command:
    nick, _, reason = args.partition(" ")
    if not nick:
        raise UsageError("/kill NICK [reason]")
    return Kill(nick, reason.strip())


_parse_ban_target = word_and_duration(Ban, "/ban [NICK|ADDRESS [duration]]")


def parse_ban(args: str) -> Command:
    return _parse_ban_target(args) if args else ListBans()
