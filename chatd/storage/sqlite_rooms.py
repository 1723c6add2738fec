"""Registered rooms, and the server's rooms' settings, kept in the SQLite store's file, written by its writer thread
in its transactions.

Every registered room, and every row of settings with no registration (a
server's room's), is read at start (``SQLiteHistory.open``) and kept in
memory as ``MemoryRooms`` keeps it, so the chat restores them before anyone
connects; a change goes into the transaction of the reactor pass it was
made in, with that pass's events (the room event that announces it among
them), and its Deferred fires once that commits. Memory takes a change
only then, so it holds what the file does: a change the file did not keep
(its transaction failed, or the file refused it), which the chat undoes
(chatd.domain.registry), never reaches it.

A room's settings are one row of ``room_settings`` (schema step 12), the
whole of them as JSON (chatd.storage.room_settings), written whole at
registration and changed by each ``/mode``'s changes: a change is rare,
and a row read whole at start needs no join.
"""

from collections.abc import Sequence
from dataclasses import replace

from twisted.internet.defer import Deferred

from chatd.domain.events import ModeChange
from chatd.domain.room_settings import NO_SETTINGS, RoomSettings
from chatd.storage.memory_rooms import MemoryRooms
from chatd.storage.pass_records import Statement
from chatd.storage.room_settings import (
    SERVER_SETTINGS_CHANGED,
    SETTINGS_CHANGED,
    decode_settings,
    encode_changes,
    encode_settings,
)
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
        for room, body in store.room_settings:
            kept = self._rooms.get(room)
            if kept is not None:
                self._rooms[room] = replace(kept, settings=decode_settings(body))
            else:
                self._server_settings[room] = decode_settings(body)

    def register(
        self, room: str, name: str, owner: str, at: float, settings: RoomSettings = NO_SETTINGS
    ) -> "Deferred[None]":
        """Register ``room`` to ``owner``, with no operators (none left from a registration that failed), set as
        ``settings``: one change of the store's, kept whole or not at all."""
        written = self._store.changes(
            _operators_dropped(room),
            (
                "INSERT INTO registered_rooms (room, name, owner, registered_at) VALUES (?, ?, ?, ?)",
                (room, name, owner, at),
            ),
            (
                "INSERT OR REPLACE INTO room_settings (room, body) VALUES (?, ?)",
                (room, encode_settings(settings)),
            ),
        )
        return written.addCallback(
            lambda _: super(SQLiteRooms, self).register(room, name, owner, at, settings)
        )

    def unregister(self, room: str) -> "Deferred[None]":
        """Forget ``room``, its operators and its settings: one change of the store's."""
        written = self._store.changes(
            _operators_dropped(room),
            ("DELETE FROM room_settings WHERE room = ?", (room,)),
            ("DELETE FROM registered_rooms WHERE room = ?", (room,)),
        )
        return written.addCallback(lambda _: super(SQLiteRooms, self).unregister(room))

    def change_settings(
        self, room: str, changes: Sequence[ModeChange], by: str, at: float, *, server: bool = False
    ) -> "Deferred[None]":
        """Make ``changes`` by ``by`` at ``at`` to ``room``'s row of settings, as it is when the pass's transaction
        runs, if it is registered then (a registration that failed is not) or ``server``; memory follows once it
        commits."""
        statement = SERVER_SETTINGS_CHANGED if server else SETTINGS_CHANGED
        written = self._store.change(statement, room, encode_changes(changes), by, at)
        return written.addCallback(
            lambda _: super(SQLiteRooms, self).change_settings(room, changes, by, at, server=server)
        )

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


def _operators_dropped(room: str) -> Statement:
    """Drop ``room``'s operators: part of the change that registers or unregisters it."""
    return ("DELETE FROM room_operators WHERE room = ?", (room,))
