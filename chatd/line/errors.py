"""Refusals that belong to the line front end rather than to the chat.

They are ``ChatError``s so they render like the domain's own: one
``ERR code message`` line, after which the session goes on. Like the
domain's, they are data; chatd/line/wording.py words them.
"""

from dataclasses import dataclass

from chatd.domain.errors import ChatError
from chatd.domain.flood import Over


@dataclass(eq=False)
class UnknownCommandError(ChatError):
    """The line starts with ``/`` but ``name`` (without the ``/``) is no command; ``likely`` is the one the user
    probably meant (a typo's, or IRC's name for it), if any."""

    code = "unknown-command"
    name: str
    likely: str | None = None


@dataclass(eq=False)
class WrongPasswordError(ChatError):
    """``/password`` or ``/unregister`` was given a password that is not the identified account's."""

    code = "wrong-password"


@dataclass(eq=False)
class UsageError(ChatError):
    """A known command with missing or extra arguments; ``usage`` is its usage line."""

    code = "usage"
    usage: str


@dataclass(eq=False)
class BadPointError(ChatError):
    """``/resume`` or ``/history before|around`` given ``text``, which is neither an event's id nor a time."""

    code = "bad-id"
    text: str


@dataclass(eq=False)
class LineTooLongError(ChatError):
    """The line is longer than ``limit`` bytes; it was dropped whole.

    ``size`` is how many it had, so that a writer whose letters take two or
    three bytes each learns how much to cut; None if it had not ended yet.
    """

    code = "line-too-long"
    limit: int
    size: int | None


@dataclass(eq=False)
class BadEncodingError(ChatError):
    """The line is not valid UTF-8; it was dropped whole."""

    code = "bad-utf8"


@dataclass(eq=False)
class NeedNicknameError(ChatError):
    """The command needs a nickname and the session has none yet."""

    code = "need-nick"


@dataclass(eq=False)
class NoCurrentRoomError(ChatError):
    """A line for the current room while the user is in none."""

    code = "no-room"


@dataclass(eq=False)
class InternalError(ChatError):
    """A bug on our side; it is logged and the session goes on."""

    code = "internal"


@dataclass(eq=False)
class TelnetCommandError(ChatError):
    """The client sent telnet's IAC byte followed by no known command."""

    code = "bad-telnet"


@dataclass(eq=False)
class FloodError(ChatError):
    """The client stayed over its flood budget (``over``: of lines, of bytes, or both) more than ``seconds``; it is
    disconnected."""

    code = "flood"
    seconds: float
    over: Over


@dataclass(eq=False)
class RegisterTimeoutError(ChatError):
    """No nickname was chosen within ``seconds``; the connection is closed."""

    code = "register-timeout"
    seconds: float


@dataclass(eq=False)
class TelnetOverflowError(ChatError):
    """A telnet subnegotiation ran past conch's bound of ``limit`` bytes; the connection is closed."""

    code = "telnet-overflow"
    limit: int


@dataclass(eq=False)
class TooManyIgnoredError(ChatError):
    """The session already ignores ``limit`` nicknames, as many as allowed."""

    code = "too-many-ignored"
    limit: int


@dataclass(eq=False)
class NotIgnoredError(ChatError):
    """An /unignore of ``nick``, whom the session does not ignore."""

    code = "not-ignored"
    nick: str


@dataclass(eq=False)
class AlreadyJoinedError(ChatError):
    """A ``/resume`` of ``room``, which the user is in: what it said meanwhile was shown live."""

    code = "joined"
    room: str


@dataclass(eq=False)
class IgnoreSelfError(ChatError):
    """An /ignore of the session's own nickname: one's own lines cannot be hidden."""

    code = "ignore-self"


@dataclass(eq=False)
class MessageTooBigError(ChatError):
    """A WebSocket message longer than ``limit`` bytes (the browser front end, chatd/web); it was dropped whole.

    One that keeps coming past the limit, unfinished, ends the connection.
    """

    code = "message-too-big"
    limit: int


@dataclass(eq=False)
class BinaryMessageError(ChatError):
    """A binary WebSocket message: the browser front end reads text messages only; it was dropped."""

    code = "binary-message"


@dataclass(eq=False)
class PingTimeoutError(ChatError):
    """A WebSocket that did not answer a ping within ``seconds``: the connection is closed as dead."""

    code = "ping-timeout"
    seconds: float


@dataclass(eq=False)
class TakeoverFailedError(ChatError):
    """``/takeover`` named ``nick`` with a token that is no session's of whoever holds it now (wrong, used, or gone
    with its session): nothing changed. ``held``: somebody is online as ``nick``; if not, no token was compared
    (chatd.line.takeover says why that refusal is told at once, in its own words)."""

    code = "takeover-failed"
    nick: str
    held: bool = True


@dataclass(eq=False)
class TakeoverThrottledError(ChatError):
    """Too many wrong takeover tokens from this connection; retry in ``seconds_left``."""

    code = "takeover-throttled"
    seconds_left: int


@dataclass(eq=False)
class TakenOverError(ChatError):
    """Another connection proved this one's takeover token and is ``nick`` now, in its rooms: this one is closed."""

    code = "taken-over"
    nick: str


@dataclass(eq=False)
class ModeLetterError(ChatError):
    """``/mode`` was given ``letter``, which names no room setting it knows."""

    code = "bad-mode"
    letter: str


@dataclass(eq=False)
class NoFilesError(ChatError):
    """``/file`` on a session that carries no files (the host's console)."""

    code = "no-files"


@dataclass(eq=False)
class MessageToRoomError(ChatError):
    """``/msg #room text``: no nickname starts with ``#``, so ``room`` names a room, not a person to message.

    ``current``: it is the user's current room, where the line alone says it.
    """

    code = "msg-to-room"
    room: str
    current: bool
