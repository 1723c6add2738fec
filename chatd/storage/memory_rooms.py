"""Registered rooms, and the server's rooms' settings, kept in this process's memory (``--db :memory:``).

``SQLiteRooms`` keeps what it has read or written in one of these too, so
memory holds a room's registration the same way whichever store is behind
it, and the SQLite store adds only the writes through its writer.
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace

from twisted.internet.defer import Deferred, succeed

from chatd.domain.events import ModeChange
from chatd.domain.room_settings import NO_SETTINGS, RoomSettings
from chatd.domain.rooms import RegisteredRoom


class MemoryRooms:
    """``RoomStore`` in this process's memory: the chat's own state is all there is, and gone at exit."""

    def __init__(self) -> None:
        self._rooms: dict[str, RegisteredRoom] = {}
        self._server_settings: dict[str, RoomSettings] = {}
        """The settings of rooms kept with no registration (the server's), by room."""

    def registered(self) -> Sequence[RegisteredRoom]:
        """Every room registered since start."""
        return list(self._rooms.values())

    def server_settings(self) -> Mapping[str, RoomSettings]:
        """The settings of the rooms kept with no registration since start."""
        return dict(self._server_settings)

    def register(
        self, room: str, name: str, owner: str, at: float, settings: RoomSettings = NO_SETTINGS
    ) -> "Deferred[None]":
        """Register ``room`` to ``owner``, set as ``settings``: those replace any it kept unregistered, as the
        SQLite store's one row a room does."""
        self._rooms[room] = RegisteredRoom(name, owner, settings=settings)
        self._server_settings.pop(room, None)
        return succeed(None)

    def unregister(self, room: str) -> "Deferred[None]":
        """Forget ``room``'s registration."""
        self._rooms.pop(room, None)
        return succeed(None)

    def add_operator(self, room: str, account: str) -> "Deferred[None]":
        """Make ``account`` an operator of ``room``, if it is registered (a registration that failed is not)."""
        kept = self._rooms.get(room)
        if kept is not None:
            self._rooms[room] = replace(kept, operators=kept.operators | {account})
        return succeed(None)

    def remove_operator(self, room: str, account: str) -> "Deferred[None]":
        """Take ``account`` off the operators of ``room``, if it is registered."""
        kept = self._rooms.get(room)
        if kept is not None:
            self._rooms[room] = replace(kept, operators=kept.operators - {account})
        return succeed(None)

    def change_settings(
        self, room: str, changes: Sequence[ModeChange], by: str, at: float, *, server: bool = False
    ) -> "Deferred[None]":
        """Make ``changes`` by ``by`` at ``at`` to ``room``'s settings, if it is registered or ``server``."""
        kept = self._rooms.get(room)
        if server:
            settings = self._server_settings.get(room, NO_SETTINGS)
            self._server_settings[room] = settings.changed(changes, by, at)
        elif kept is not None:
            self._rooms[room] = replace(kept, settings=kept.settings.changed(changes, by, at))
        return succeed(None)
