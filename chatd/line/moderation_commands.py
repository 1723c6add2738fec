"""Text -> typed command for operators and room owners; pure, like chatd.line.commands.

Who may run each is the chat's business (chatd.domain.moderation): these
only read the arguments. ``ROWS`` joins the command table in
chatd.line.commands, so ``/help`` and docs/PROTOCOL.md list them too.
"""

from dataclasses import dataclass, field
from typing import ClassVar

from chatd.line.errors import UsageError
from chatd.line.syntax import (
    Command,
    Spec,
    no_arguments,
    one_word,
    required_text,
    word_and_duration,
)


@dataclass(frozen=True, slots=True)
class Oper:
    """``/oper NAME PASSWORD``: become an operator. The password may hold spaces."""

    needs_nick: ClassVar[bool] = True
    name: str
    # A command may end up in a traceback or a test failure: never show the password.
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Kick:
    """``/kick NICK [#room] [reason]``; no room means the current one."""

    needs_nick: ClassVar[bool] = True
    nick: str
    room: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Ban:
    """``/ban NICK|ADDRESS [duration]``; no duration means until lifted."""

    needs_nick: ClassVar[bool] = True
    target: str
    seconds: float | None


@dataclass(frozen=True, slots=True)
class ListBans:
    """``/ban`` alone."""

    needs_nick: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class Unban:
    """``/unban NICK|ADDRESS``."""

    needs_nick: ClassVar[bool] = True
    target: str


@dataclass(frozen=True, slots=True)
class Mute:
    """``/mute NICK [duration]``; no duration means until unmuted."""

    needs_nick: ClassVar[bool] = True
    nick: str
    seconds: float | None


@dataclass(frozen=True, slots=True)
class Unmute:
    """``/unmute NICK``."""

    needs_nick: ClassVar[bool] = True
    nick: str


@dataclass(frozen=True, slots=True)
class Wall:
    """``/wall text``: to everyone online."""

    needs_nick: ClassVar[bool] = True
    text: str


@dataclass(frozen=True, slots=True)
class Shutdown:
    """``/shutdown [reason]``."""

    needs_nick: ClassVar[bool] = True
    reason: str


@dataclass(frozen=True, slots=True)
class Lock:
    """``/lock`` (``locked``) or ``/unlock`` the current room's topic."""

    needs_nick: ClassVar[bool] = True
    locked: bool


def _parse_oper(args: str) -> Command:
    name, _, password = args.partition(" ")
    password = password.lstrip(" ")
    if not name or not password:
        raise UsageError("/oper NAME PASSWORD")
    return Oper(name, password)


def _parse_kick(args: str) -> Command:
    nick, _, rest = args.partition(" ")
    if not nick:
        raise UsageError("/kick NICK [#room] [reason]")
    first, _, reason = rest.strip().partition(" ")
    if first.startswith("#"):
        return Kick(nick, first, reason.strip())
    return Kick(nick, None, rest.strip())


_parse_ban_target = word_and_duration(Ban, "/ban [NICK|ADDRESS [duration]]")


def _parse_ban(args: str) -> Command:
    return _parse_ban_target(args) if args else ListBans()


ROWS = (
    Spec("oper", "NAME PASSWORD", "become an operator", _parse_oper),
    Spec("kick", "NICK [#room] [reason]", "put someone out of a room (owner, operators)", _parse_kick),
    Spec(
        "lock",
        "",
        "let only the owner and operators set this room's topic",
        no_arguments(lambda: Lock(True), "lock"),
    ),
    Spec("unlock", "", "let every member set this room's topic", no_arguments(lambda: Lock(False), "unlock")),
    Spec(
        "ban",
        "[NICK|ADDRESS [duration]]",
        "keep a nickname or address off the server, e.g. 2h; alone, list bans (operators)",
        _parse_ban,
    ),
    Spec("unban", "NICK|ADDRESS", "lift a ban (operators)", one_word(Unban, "/unban NICK|ADDRESS")),
    Spec(
        "mute",
        "NICK [duration]",
        "refuse someone's messages, e.g. for 10m (operators)",
        word_and_duration(Mute, "/mute NICK [duration]"),
    ),
    Spec("unmute", "NICK", "lift a mute (operators)", one_word(Unmute, "/unmute NICK")),
    Spec("wall", "text", "say something to everyone online (operators)", required_text(Wall, "/wall text")),
    Spec("shutdown", "[reason]", "tell everyone, then stop the server (operators)", Shutdown),
)
"""The table rows of these commands, in the order /help lists them."""
