"""The registered-room commands as typed data, and their parsers; pure.

``/register`` and ``/unregister`` are shared with accounts: one word that
starts with ``#`` names a room (``/register #dev``); anything else is the
account's password, as chatd.line.account_commands reads it. So a password
that is one word starting with ``#`` cannot be given to these two commands.
"""

from collections.abc import Callable
from dataclasses import dataclass

from chatd.domain.names import ROOM_PREFIX
from chatd.line import account_commands as acct
from chatd.line.errors import UsageError
from chatd.line.passwords import read_password
from chatd.line.syntax import Command


@dataclass(frozen=True, slots=True)
class RegisterRoom:
    """``/register #room``: make the room the asker's across restarts."""

    room: str


@dataclass(frozen=True, slots=True)
class UnregisterRoom:
    """``/unregister #room``: give a registered room up."""

    room: str


@dataclass(frozen=True, slots=True)
class Op:
    """``/op [#room] NICK`` (``add``) or ``/deop [#room] NICK``; no room means the current one."""

    room: str | None
    nick: str
    add: bool


def _room(args: str) -> str | None:
    """``args`` if it is one word naming a room, else None."""
    return args if args.startswith(ROOM_PREFIX) and " " not in args else None


def parse_register(args: str) -> Command:
    if not args:
        raise UsageError("/register PASSWORD|#room")
    room = _room(args)
    return acct.Register(read_password(args).text) if room is None else RegisterRoom(room)


def parse_unregister(args: str) -> Command:
    if not args:
        raise UsageError("/unregister PASSWORD|#room")
    room = _room(args)
    return acct.Unregister(read_password(args)) if room is None else UnregisterRoom(room)


def _parse_op(add: bool, usage: str) -> Callable[[str], Command]:
    def parse(args: str) -> Command:
        words = args.split()
        if len(words) == 1 and not words[0].startswith(ROOM_PREFIX):  # a nickname never starts with #
            return Op(None, words[0], add)
        if len(words) == 2 and words[0].startswith(ROOM_PREFIX):
            return Op(words[0], words[1], add)
        raise UsageError(usage)

    return parse


parse_op = _parse_op(True, "/op [#room] NICK")
parse_deop = _parse_op(False, "/deop [#room] NICK")
