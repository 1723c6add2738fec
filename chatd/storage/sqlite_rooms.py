"""Registered rooms kept in the SQLite store's file, written by its writer thread in its transactions.

Every registered room is read at start (``SQLiteHistory.open``) and kept in
memory as ``MemoryRooms`` keeps it, so the chat restores them before anyone
connects; a change goes into the transaction of the reactor pass it was
made in, with that pass's events (the room event that announces it among
them), so its Deferred fires, and the members see it, only once a
``kill -9`` cannot lose it.
"""

from twisted.internet.defer import Deferred

from chatd.storage.memory import MemoryRooms
from chatd.storage.sqlite import SQLiteHistory
from chatd.text import fold


class SQLiteRooms(MemoryRooms):
    """``RoomStore`` in ``store``'s file, and in memory; the rooms registered at start are ``store.rooms``."""

    def __init__(self, store: SQLiteHistory) -> None:
        super().__init__()
        self._store = store
        for name, owner, operator in store.rooms:
            room = fold(name)
            if room not in self._rooms:
                super().register(room, name, owner, 0.0)
            if operator is not None:
                super().add_operator(room, operator)

    def register(self, room: str, name: str, owner: str, at: float) -> "Deferred[None]":
        """Register ``room`` to ``owner``, on disk by the end of the pass."""
        super().register(room, name, owner, at)
        return self._store.change(
            "INSERT INTO registered_rooms (room, name, owner, registered_at) VALUES (?, ?, ?, ?)",
            room,
            name,
            owner,
            at,
        )

    def unregister(self, room: str) -> "Deferred[None]":
        """Forget ``room`` and its operators, on disk by the end of the pass."""
        super().unregister(room)
        self._store.change("DELETE FROM room_operators WHERE room = ?", room)
        return self._store.change("DELETE FROM registered_rooms WHERE room = ?", room)

    def add_operator(self, room: str, account: str) -> "Deferred[None]":
        """Make ``account`` an operator of ``room``, on disk by the end of the pass."""
        super().add_operator(room, account)
        return self._store.change(
            "INSERT OR IGNORE INTO room_operators (room, account) VALUES (?, ?)", room, account
        )

    def remove_operator(self, room: str, account: str) -> "Deferred[None]":
        """Take ``account`` off the operators of ``room``, on disk by the end of the pass."""
        super().remove_operator(room, account)
        return self._store.change("DELETE FROM room_operators WHERE room = ? AND account = ?", room, account)
