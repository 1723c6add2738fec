"""Refusals about rooms: being in one, its topic, registering it and naming its room operators."""

from dataclasses import dataclass

from chatd.domain.errors.base import ChatError


@dataclass(eq=False)
class NoSuchRoomError(ChatError):
    """No room has that name (rooms exist while someone is in them)."""

    code = "no-such-room"
    room: str


@dataclass(eq=False)
class NotInRoomError(ChatError):
    """The user is not a member of the room the request names."""

    code = "not-in-room"
    room: str


@dataclass(eq=False)
class TooManyRoomsError(ChatError):
    """The user is already in ``limit`` rooms, as many as the host allows."""

    code = "too-many-rooms"
    limit: int


@dataclass(eq=False)
class TopicLockedError(ChatError):
    """The room's topic is locked: only its owner and operators may change it.

    ``owned`` is False for a room nobody owns (the server's, or one
    unregistered): there only operators may, and the wording must not send
    the user looking for an owner.
    """

    code = "topic-locked"
    room: str
    owned: bool = True


@dataclass(eq=False)
class TooManyRegisteredRoomsError(ChatError):
    """The account owns ``most`` registered rooms already (``Limits.registered_rooms``)."""

    code = "too-many-registered-rooms"
    most: int


@dataclass(eq=False)
class RoomNotKeptError(ChatError):
    """The store could not keep a change to the registration of ``room`` (a full disk, say): it is undone.

    ``settings``: the change was of the room's settings (its modes or ban masks), a registered or server's room's.
    """

    code = "room-not-saved"
    room: str
    settings: bool = False


@dataclass(eq=False)
class ServerRoomError(ChatError):
    """The room ``room`` is one of the server's (the default room, a --room one): nobody may register it, so it has
    no owner to name room operators (``/op``, ``/deop``) nor to give it up (``/unregister``); operators moderate it."""

    code = "server-room"
    room: str


@dataclass(eq=False)
class RoomUnownedError(ChatError):
    """Nobody owns the room ``room`` (its maker left the chat, or it was unregistered), so only an operator
    may register it: a member's operator standing there is not ownership."""

    code = "room-unowned"
    room: str


@dataclass(eq=False)
class RoomRegisteredError(ChatError):
    """The room ``room`` is registered already, to the account ``owner``."""

    code = "room-registered"
    room: str
    owner: str


@dataclass(eq=False)
class RoomNotRegisteredError(ChatError):
    """The room ``room`` is not registered, so it has no room operators to name.

    ``owned``: someone owns it (its maker, while in the chat), who may register it; after
    ``/unregister`` nobody does, and only operators may.
    """

    code = "room-not-registered"
    room: str
    owned: bool = True


@dataclass(eq=False)
class NoAccountError(ChatError):
    """``nick`` is neither identified online nor a registered nickname: only an account can be a room operator.
    ``alike`` is the registered nickname that looks like it, if one does, named so the owner sees whom they may
    have meant, never made an operator in its stead."""

    code = "no-account"
    nick: str
    alike: str | None = None
