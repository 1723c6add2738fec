"""Refusals that belong to the line front end rather than to the chat.

They are ``ChatError``s so they render like the domain's own: one
``ERR code message`` line, after which the session goes on.
"""

from chatd.domain.errors import ChatError


class UnknownCommandError(ChatError):
    """The line starts with ``/`` but names no command."""

    code = "unknown-command"

    def __init__(self, name: str) -> None:
        super().__init__(f"/{name} is not a command; type /help to see them")


class UsageError(ChatError):
    """A known command with missing or extra arguments."""

    code = "usage"

    def __init__(self, usage: str) -> None:
        super().__init__(f"usage: {usage}")


class LineTooLongError(ChatError):
    """The line is longer than the limit; it was dropped whole."""

    code = "line-too-long"

    def __init__(self, limit: int) -> None:
        super().__init__(f"lines are at most {limit} bytes; that one was not sent")


class BadEncodingError(ChatError):
    """The line is not valid UTF-8; it was dropped whole."""

    code = "bad-utf8"

    def __init__(self) -> None:
        super().__init__("that line was not valid UTF-8 and was not sent")


class NeedNicknameError(ChatError):
    """The command needs a nickname and the session has none yet."""

    code = "need-nick"

    def __init__(self) -> None:
        super().__init__("choose a nickname first")


class NoCurrentRoomError(ChatError):
    """A line for the current room while the user is in none."""

    code = "no-room"

    def __init__(self) -> None:
        super().__init__("you are in no room; /join #room first")


class InternalError(ChatError):
    """A bug on our side; it is logged and the session goes on."""

    code = "internal"

    def __init__(self) -> None:
        super().__init__("the server failed to do that; it has been logged")


class TelnetCommandError(ChatError):
    """The client sent telnet's IAC byte followed by no known command."""

    code = "bad-telnet"

    def __init__(self) -> None:
        super().__init__("unknown telnet command ignored")


class FloodError(ChatError):
    """The client stayed over its flood budget too long; it is disconnected."""

    code = "flood"

    def __init__(self, seconds: float) -> None:
        super().__init__(f"disconnected for flooding: over the line budget for more than {seconds:g} s")


class RegisterTimeoutError(ChatError):
    """No nickname was chosen in time; the connection is closed."""

    code = "register-timeout"

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no nickname chosen within {seconds:g} s; closing")


class TelnetOverflowError(ChatError):
    """A telnet subnegotiation ran past conch's bound; the connection is closed."""

    code = "telnet-overflow"

    def __init__(self, limit: int) -> None:
        super().__init__(f"telnet subnegotiation longer than {limit} bytes; closing")


class TooManyIgnoredError(ChatError):
    """The session already ignores as many nicknames as allowed."""

    code = "too-many-ignored"

    def __init__(self, limit: int) -> None:
        super().__init__(f"you ignore {limit} nicknames already; /unignore one first")
