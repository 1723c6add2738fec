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
