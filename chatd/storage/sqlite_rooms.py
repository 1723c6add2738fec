"""Registered rooms kept in the SQLite store's file, written by its writer thread in its transactions.

Every registered room is read at start (``SQLiteHistory.open``) and kept in
memory as ``MemoryRooms`` keeps it, so the chat restores them before anyone
connects; a change goes into the transaction of the reactor pass it was
made in, with that pass's events (the room event that announces it among
them), and its Deferred fires once that commits. Memory takes a change
only then, so it holds what the file does: a change whose transaction
failed, which the chat undoes (chatd.domain.registry), never reaches it.
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
        """Register ``room`` to ``owner``, with no operators (none left from a registration that failed)."""
        self._operators_dropped(room)
        written = self._store.change(
            "INSERT INTO registered_rooms (room, name, owner, registered_at) VALUES (?, ?, ?, ?)",
            room,
            name,
            owner,
            at,
        )
        return written.addCallback(lambda _: super(SQLiteRooms, self).register(room, name, owner, at))

    def unregister(self, room: str) -> "Deferred[None]":
        """Forget ``room`` and its operators."""
        self._operators_dropped(room)
        written = self._store.change("DELETE FROM registered_rooms WHERE room = ?", room)
        return written.addCallback(lambda _: super(SQLiteRooms, self).unregister(room))

    def add_operator(self, room: str, account: str) -> "Deferred[None]":
        """Make ``account`` an operator of ``room``."""
        written = self._store.change(
            "INSERT OR IGNORE INTO room_operators (room, account) VALUES (?, ?)", room, account
        )
        return written.addCallback(lambda _: super(SQLiteRooms, self).add_operator(room, account))

    def remove_operator(self, room: str, account: str) -> "Deferred[None]":
        """Take ``account`` off the operators of ``room``."""
        written = self._store.change(
            "DELETE FROM room_operators WHERE room = ? AND account = ?", room, account
        )
        return written.addCallback(lambda _: super(SQLiteRooms, self).remove_operator(room, account))

    def _operators_dropped(self, room: str) -> None:
        """Drop ``room``'s operators in the pass's transaction: the change that follows answers for both."""
        dropped = self._store.change("DELETE FROM room_operators WHERE room = ?", room)
        dropped.addErrback(
            lambda _: None
        )  # the same transaction's failure: the next change's Deferred has it
