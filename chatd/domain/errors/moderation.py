"""Refusals of moderation: who may act on whom (operators, owners), bans, mutes, kicks and kills, and
operator logins."""

from dataclasses import dataclass

from chatd.domain.errors.base import ChatError


@dataclass(eq=False)
class NotOperatorError(ChatError):
    """The request is for operators, and the user is not one."""

    code = "not-operator"


@dataclass(eq=False)
class NotOwnerError(ChatError):
    """The request is for the room's owner (or an operator), and the user is neither."""

    code = "not-owner"
    room: str


@dataclass(eq=False)
class TargetIsOperatorError(ChatError):
    """Operators cannot be muted, banned or killed off the server, or kicked by a room owner."""

    code = "is-operator"
    nick: str


@dataclass(eq=False)
class TargetIsOwnerError(ChatError):
    """A room's owner cannot be kicked from it but by an operator: not by the room operators they made; nor have
    their operator standing taken (``deop``: what was refused is a ``-o``, not a kick)."""

    code = "is-owner"
    nick: str
    room: str
    deop: bool = False


@dataclass(eq=False)
class TargetIsRoomOperatorError(ChatError):
    """A registered room's operator by account cannot be kicked from it, nor have their operator standing taken
    (``deop``: what was refused is a ``-o``), by a member whose say there is only standing (``+o``): only by its
    owner, its room operators by account and operators."""

    code = "is-room-operator"
    nick: str
    room: str
    deop: bool = False


@dataclass(eq=False)
class UserNotInRoomError(ChatError):
    """The user a request names is not a member of the room it names."""

    code = "user-not-in-room"
    nick: str
    room: str


@dataclass(eq=False)
class BannedError(ChatError):
    """The connection's address is banned; front ends close the connection after saying so.

    ``seconds_left`` until the ban ends; None while it lasts until lifted.
    """

    code = "banned"
    seconds_left: float | None


@dataclass(eq=False)
class NicknameBannedError(ChatError):
    """The nickname is banned: nobody may register it or change to it.

    ``seconds_left`` until the ban ends; None while it lasts until lifted.
    """

    code = "nick-banned"
    nick: str
    seconds_left: float | None


@dataclass(eq=False)
class MutedError(ChatError):
    """The user is muted: their messages, actions, private messages and topics are refused.

    ``seconds_left`` until the mute ends; None while it lasts until lifted.
    """

    code = "muted"
    seconds_left: float | None


@dataclass(eq=False)
class NotMutedError(ChatError):
    """An unmute of a user who is not muted (or whose mute has run out)."""

    code = "not-muted"
    nick: str


@dataclass(eq=False)
class BadDurationError(ChatError):
    """``text`` is not a whole number and a unit, or is not between 1 s and ``longest_seconds``."""

    code = "bad-duration"
    text: str
    longest_seconds: float


@dataclass(eq=False)
class BadAddressError(ChatError):
    """A ban target that looks like an address (a digit, '.' or ':') but is no IP address."""

    code = "bad-address"
    text: str


@dataclass(eq=False)
class BanTooWideError(ChatError):
    """A ban of ``network``, wider than the widest a ban of its IP ``version`` takes (a ``/widest``): surely a
    mistake, ``0.0.0.0/0`` banning everyone but operators (chatd.domain.bans.WIDEST_BAN)."""

    code = "ban-too-wide"
    network: str
    version: int
    widest: int


@dataclass(eq=False)
class NotBannedError(ChatError):
    """An unban of a nickname or address (``target``) that has no ban (or whose ban ran out)."""

    code = "not-banned"
    target: str


@dataclass(eq=False)
class OperFailedError(ChatError):
    """An operator login with a name and password that do not match."""

    code = "oper-failed"


@dataclass(eq=False)
class OperThrottledError(ChatError):
    """Too many failed operator logins from this connection or address; retry in ``seconds_left``."""

    code = "oper-throttled"
    seconds_left: int


@dataclass(eq=False)
class KickSelfError(ChatError):
    """A kick of the one asking: leaving a room is a part, not a kick."""

    code = "kick-self"


@dataclass(eq=False)
class KillSelfError(ChatError):
    """A kill of the one asking: leaving the server is a quit, not a kill."""

    code = "kill-self"


@dataclass(eq=False)
class RejoinTooSoonError(ChatError):
    """The user was kicked from ``room`` and may not join it again for ``seconds_left``."""

    code = "kicked"
    room: str
    seconds_left: float
