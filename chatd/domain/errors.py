"""The ways a chat request can be refused, each with a stable code.

Front ends show ``code`` to programs and ``message`` to people; neither
changes meaning between releases, so bots can match on the code. Raising
one of these means nothing changed.
"""


class ChatError(Exception):
    """A request the chat refuses; ``code`` is stable, ``message`` readable."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidNicknameError(ChatError):
    """The nickname breaks a length or character rule."""

    code = "bad-nick"

    def __init__(self, nick: str, why: str) -> None:
        super().__init__(f"{nick!r} is not a valid nickname: {why}")


class NicknameInUseError(ChatError):
    """Someone online already holds a nickname with the same key."""

    code = "nick-in-use"

    def __init__(self, nick: str) -> None:
        super().__init__(f"{nick} is already taken")


class InvalidRoomNameError(ChatError):
    """The room name breaks a length or character rule."""

    code = "bad-room"

    def __init__(self, room: str, why: str) -> None:
        super().__init__(f"{room!r} is not a valid room name: {why}")


class InvalidTextError(ChatError):
    """The text holds a character that may not reach a terminal, or is too long."""

    code = "bad-text"

    def __init__(self, why: str) -> None:
        super().__init__(f"not sent: {why}")


class NoSuchNicknameError(ChatError):
    """Nobody online has that nickname."""

    code = "no-such-nick"

    def __init__(self, nick: str) -> None:
        super().__init__(f"nobody called {nick} is online")


class NoSuchRoomError(ChatError):
    """No room has that name (rooms exist while someone is in them)."""

    code = "no-such-room"

    def __init__(self, room: str) -> None:
        super().__init__(f"there is no room {room}")


class NotInRoomError(ChatError):
    """The user is not a member of the room the request names."""

    code = "not-in-room"

    def __init__(self, room: str) -> None:
        super().__init__(f"you are not in {room}")


class TooManyRoomsError(ChatError):
    """The user is already in as many rooms as the host allows."""

    code = "too-many-rooms"

    def __init__(self, limit: int) -> None:
        super().__init__(f"you are in {limit} rooms already, the most allowed; /part one first")


def _left(left: str | None) -> str:
    """`` (10m left)``, or nothing for what lasts until lifted (or the server restarts)."""
    return f" ({left} left)" if left else ""


class NotOperatorError(ChatError):
    """The request is for operators, and the user is not one."""

    code = "not-operator"

    def __init__(self) -> None:
        super().__init__("only operators may do that")


class NotOwnerError(ChatError):
    """The request is for the room's owner (or an operator), and the user is neither."""

    code = "not-owner"

    def __init__(self, room: str) -> None:
        super().__init__(f"only the owner of {room} and operators may do that")


class TargetIsOperatorError(ChatError):
    """Operators cannot be muted, banned off the server or kicked by a room owner."""

    code = "is-operator"

    def __init__(self, nick: str) -> None:
        super().__init__(f"{nick} is an operator")


class UserNotInRoomError(ChatError):
    """The user a request names is not a member of the room it names."""

    code = "user-not-in-room"

    def __init__(self, nick: str, room: str) -> None:
        super().__init__(f"{nick} is not in {room}")


class BannedError(ChatError):
    """The connection's address is banned; front ends close the connection after saying so."""

    code = "banned"

    def __init__(self, left: str | None) -> None:
        super().__init__(f"your address is banned from this server{_left(left)}")


class NicknameBannedError(ChatError):
    """The nickname is banned: nobody may register it or change to it."""

    code = "nick-banned"

    def __init__(self, nick: str, left: str | None) -> None:
        super().__init__(f"the nickname {nick} is banned{_left(left)}")


class MutedError(ChatError):
    """The user is muted: their messages, actions, private messages and topics are refused."""

    code = "muted"

    def __init__(self, left: str | None) -> None:
        super().__init__(f"you are muted{_left(left)}; nobody sees what you say")


class NotMutedError(ChatError):
    """``/unmute`` of a user who is not muted (or whose mute has run out)."""

    code = "not-muted"

    def __init__(self, nick: str) -> None:
        super().__init__(f"{nick} is not muted")


class BadDurationError(ChatError):
    """A duration is not a whole number and a unit, or is out of range."""

    code = "bad-duration"

    def __init__(self, text: str, longest: str) -> None:
        super().__init__(
            f"{text!r} is not a duration: write a number and s, m, h or d, like 10m, 2h or 1d (at most {longest})"
        )


class BadAddressError(ChatError):
    """A ban target that looks like an address (a digit, '.' or ':') but is no IP address."""

    code = "bad-address"

    def __init__(self, text: str) -> None:
        super().__init__(f"{text!r} is not an IPv4 or IPv6 address")


class NotBannedError(ChatError):
    """``/unban`` of a nickname or address that has no ban (or whose ban ran out)."""

    code = "not-banned"

    def __init__(self, target: str) -> None:
        super().__init__(f"{target} is not banned")


class TopicLockedError(ChatError):
    """The room's topic is locked: only its owner and operators may change it."""

    code = "topic-locked"

    def __init__(self, room: str) -> None:
        super().__init__(f"the topic of {room} is locked; only its owner and operators may change it")


class OperFailedError(ChatError):
    """``/oper`` with an operator name and password that do not match."""

    code = "oper-failed"

    def __init__(self) -> None:
        super().__init__("wrong operator name or password")


class OperThrottledError(ChatError):
    """Too many failed ``/oper`` attempts from this connection or address; wait and retry."""

    code = "oper-throttled"

    def __init__(self, seconds: int) -> None:
        super().__init__(f"too many failed /oper attempts; try again in {seconds} s")
