"""The rooms: each by folded name, with its members in join order and its sequence.

A room exists while it has members; its sequence numbers (``seq``) go on
from where its history left off when it is made again, so a room's events
are numbered 1, 2, 3, ... over its whole life. No two rooms look alike
(``chatd.domain.names.look``), so ``#dev`` with a Cyrillic e (U+0435) cannot
draw people away from ``#dev``.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chatd.domain.errors import NoSuchRoomError, NotInRoomError, RoomLookAlikeError
from chatd.domain.names import look
from chatd.text import fold

if TYPE_CHECKING:
    from chatd.domain.users import User


@dataclass(eq=False, slots=True)
class Room:
    """A room and its members by folded nickname; front ends see it as a ``RoomView``."""

    name: str
    seq: int
    """The sequence number of the room's last event."""
    members: dict[str, "User"] = field(default_factory=dict)
    topic: str = ""
    owner: "User | None" = None
    """Whoever made the room, while they are online; it is not handed on."""
    topic_locked: bool = False
    """Only the owner and operators may set the topic while it is locked."""


class Rooms:
    """Every room by folded name."""

    def __init__(self) -> None:
        self.by_key: dict[str, Room] = {}
        self.by_look: dict[str, Room] = {}
        """Every room by the look of its name: ``check_free`` keeps each look one room's."""

    def find(self, name: str) -> Room:
        """The room called ``name`` (in any case); raises NoSuchRoomError."""
        room = self.by_key.get(fold(name))
        if room is None:
            raise NoSuchRoomError(name)
        return room

    def check_free(self, name: str) -> None:
        """Raise RoomLookAlikeError if making a room ``name`` would make one that looks like another."""
        alike = self.by_look.get(look(name))
        if alike is not None:
            raise RoomLookAlikeError(name, alike.name)

    def membership(self, user: "User", name: str) -> Room:
        """The room ``name`` that ``user`` is in; raises NoSuchRoomError or NotInRoomError."""
        room = user.rooms.get(fold(name))
        if room is None:
            self.find(name)
            raise NotInRoomError(name)
        return room

    def enter(self, user: "User", name: str, seq: int) -> Room:
        """Put ``user`` in room ``name``, making it (owned by ``user``) if it does not exist."""
        key = fold(name)
        room = self.by_key.get(key)
        if room is None:
            room = self.by_key[key] = self.by_look[look(name)] = Room(name, seq, owner=user)
        room.seq = seq
        room.members[fold(user.nick)] = user
        user.rooms[key] = room
        return room

    def leave(self, user: "User", room: Room) -> None:
        """Take ``user`` out of ``room``; an emptied room is gone."""
        key = fold(room.name)
        del room.members[fold(user.nick)]
        del user.rooms[key]
        if not room.members:
            del self.by_key[key]
            del self.by_look[look(room.name)]
