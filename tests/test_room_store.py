"""The RoomStore port's contract, against the memory store and the SQLite store (a real file), and the
schema step that added registered rooms to an older database."""

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Awaitable
from contextlib import closing

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.ports import RoomStore
from chatd.domain.replies import RoomBan
from chatd.domain.rooms import RegisteredRoom, RoomSettings
from chatd.storage.memory import MemoryRooms
from chatd.storage.schema import STEPS, VERSION, prepare
from chatd.storage.sqlite_rooms import SQLiteRooms
from tests.events import said
from tests.helpers import ThreadedReactor
from tests.test_history import deferred, open_store


class RoomStoreContract:
    """What every ``RoomStore`` does; a subclass says how to make one and how to restart it."""

    def make(self) -> RoomStore:
        raise NotImplementedError()

    def restarted(self, rooms: RoomStore) -> RoomStore:
        """What a daemon started again finds (for a store that keeps nothing, the same object)."""
        raise NotImplementedError()

    def test_a_registered_room_is_kept_with_its_operators(self) -> None:
        """Registering, then naming two operators and dropping one, leaves the owner and the other."""
        rooms = self.make()
        rooms.register("#dev", "#Dev", "alice", 1.0)
        rooms.add_operator("#dev", "bob")
        rooms.add_operator("#dev", "carol")
        rooms.remove_operator("#dev", "bob")
        rooms.register("#ops", "#ops", "bob", 2.0)
        kept = sorted(self.restarted(rooms).registered(), key=lambda room: room.name)
        assert isinstance(self, SynchronousTestCase)
        self.assertEqual(
            kept, [RegisteredRoom("#Dev", "alice", frozenset({"carol"})), RegisteredRoom("#ops", "bob")]
        )

    def test_an_unregistered_room_is_forgotten_with_its_operators(self) -> None:
        """Unregistered, a room and its operators are gone; registered again it has none."""
        rooms = self.make()
        rooms.register("#dev", "#dev", "alice", 1.0)
        rooms.add_operator("#dev", "bob")
        rooms.unregister("#dev")
        assert isinstance(self, SynchronousTestCase)
        self.assertEqual(list(rooms.registered()), [])
        rooms.register("#dev", "#dev", "carol", 2.0)
        self.assertEqual(list(self.restarted(rooms).registered()), [RegisteredRoom("#dev", "carol")])

    def test_a_registered_rooms_settings_are_kept_whole_and_forgotten_with_it(self) -> None:
        """Settings given at registration, then replaced whole, are the room's after a restart; a room that is not
        registered keeps none, and one unregistered and registered again has only what it is given then."""
        rooms = self.make()
        rooms.register("#dev", "#Dev", "alice", 1.0, RoomSettings(moderated=True))
        ban = RoomBan("badkid!*@*", "alice", 2.5)
        settings = RoomSettings(True, "hunter2 \u00e9", 30, True, True, (ban,))
        rooms.keep_settings("#dev", settings)
        rooms.keep_settings("#ops", RoomSettings(invite_only=True))
        rooms.register("#ops", "#ops", "bob", 3.0)
        kept = sorted(self.restarted(rooms).registered(), key=lambda room: room.name)
        assert isinstance(self, SynchronousTestCase)
        self.assertEqual(
            kept, [RegisteredRoom("#Dev", "alice", settings=settings), RegisteredRoom("#ops", "bob")]
        )
        rooms = self.restarted(rooms)
        rooms.unregister("#dev")
        rooms.register("#dev", "#dev", "carol", 4.0)
        self.assertEqual(
            sorted(self.restarted(rooms).registered(), key=lambda room: room.name),
            [RegisteredRoom("#dev", "carol"), RegisteredRoom("#ops", "bob")],
        )


class MemoryRoomsTests(RoomStoreContract, SynchronousTestCase):
    """``MemoryRooms`` keeps what it is told while the daemon runs."""

    def make(self) -> RoomStore:
        return MemoryRooms()

    def restarted(self, rooms: RoomStore) -> RoomStore:
        return rooms


class SQLiteRoomsTests(RoomStoreContract, SynchronousTestCase):
    """``SQLiteRooms`` keeps it in the file, with the pass's events, and reads it back at start."""

    def setUp(self) -> None:
        self.directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.directory)
        self.path = os.path.join(self.directory, "chatd.sqlite")
        self.reactor = ThreadedReactor()

    def make(self) -> RoomStore:
        self.store = open_store(self, self.path, self.reactor)
        return SQLiteRooms(self.store)

    def restarted(self, rooms: RoomStore) -> RoomStore:
        self.reactor.run_until(self.store.stopService())
        self.store = open_store(self, self.path, self.reactor)
        return SQLiteRooms(self.store)

    def test_a_change_fires_once_committed_with_the_pass(self) -> None:
        """The Deferred of a change fires only once the pass's transaction, events and all, is written."""
        rooms = self.make()
        self.store.append(said(1, "#dev", "alice", "hi", 1))
        done: list[None] = []
        registered = rooms.register("#dev", "#dev", "alice", 1.0)
        registered.addCallback(done.append)  # type: ignore[attr-defined]
        self.assertEqual(done, [])
        self.reactor.advance(0)
        self.reactor.run_until(registered)  # type: ignore[arg-type]
        self.assertEqual(done, [None])
        self.assertEqual(self.store.commits, 1)

    def test_a_registration_the_file_refuses_never_reaches_memory_nor_a_later_one(self) -> None:
        """A refused registration fails and stays out of memory; an operator the file took for it meanwhile is not
        one of the room when it is registered again."""
        rooms = self.make()
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(
                "CREATE TRIGGER full BEFORE INSERT ON registered_rooms BEGIN SELECT RAISE(ABORT, 'full'); END"
            )
        self.answered(rooms.register("#dev", "#dev", "alice", 1.0), sqlite3.IntegrityError)
        self.flushLoggedErrors(sqlite3.IntegrityError)
        self.assertEqual(list(rooms.registered()), [])
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute("DROP TRIGGER full")
        self.answered(rooms.add_operator("#dev", "bob"))
        self.assertEqual(list(rooms.registered()), [])
        self.answered(rooms.register("#dev", "#dev", "carol", 2.0))
        self.assertEqual(list(rooms.registered()), [RegisteredRoom("#dev", "carol")])
        self.assertEqual(list(self.restarted(rooms).registered()), [RegisteredRoom("#dev", "carol")])

    def answered(self, change: Awaitable[None], failure: type[Exception] | None = None) -> None:
        """End the pass and wait for the file's answer to ``change``: kept, or failed with ``failure``."""
        waiting = deferred(change)
        self.reactor.advance(0)
        while not waiting.called:
            self.reactor.run_from_thread()
        if failure is None:
            self.successResultOf(waiting)
        else:
            self.failureResultOf(waiting, failure)

    def test_a_version_4_database_is_upgraded_with_its_accounts_kept(self) -> None:
        """A database from before registered rooms gets their tables, keeps its rows, and registers rooms."""
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            prepare(connection, self.path, STEPS[:4])
            connection.execute("INSERT INTO accounts VALUES ('alice', 'Alice', 'hash', 1.0)")
        rooms = self.make()
        self.assertEqual(list(rooms.registered()), [])
        self.assertEqual(self.store.registered, ["Alice"])
        rooms.register("#dev", "#dev", "alice", 2.0)
        rooms.add_operator("#dev", "bob")
        self.assertEqual(
            list(self.restarted(rooms).registered()), [RegisteredRoom("#dev", "alice", frozenset({"bob"}))]
        )
        with closing(sqlite3.connect(self.path)) as connection:
            self.assertEqual(connection.execute("PRAGMA user_version").fetchone(), (VERSION,))

    def test_a_version_11_database_is_upgraded_and_its_registered_rooms_get_settings(self) -> None:
        """A database from before rooms kept their settings keeps its registered rooms (a new room's settings
        each), and keeps the settings given from then on."""
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            prepare(connection, self.path, STEPS[:11])
            connection.execute("INSERT INTO registered_rooms VALUES ('#dev', '#Dev', 'alice', 1.0)")
            connection.execute("INSERT INTO room_operators VALUES ('#dev', 'bob')")
        rooms = self.make()
        self.assertEqual(list(rooms.registered()), [RegisteredRoom("#Dev", "alice", frozenset({"bob"}))])
        self.answered(rooms.keep_settings("#dev", RoomSettings(invite_only=True)))
        self.assertEqual(
            list(self.restarted(rooms).registered()),
            [RegisteredRoom("#Dev", "alice", frozenset({"bob"}), RoomSettings(invite_only=True))],
        )

    def test_settings_the_file_refuses_never_reach_memory(self) -> None:
        """A change of settings whose transaction fails leaves memory, and the file, with the settings before."""
        rooms = self.make()
        self.answered(rooms.register("#dev", "#dev", "alice", 1.0, RoomSettings(moderated=True)))
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(
                "CREATE TRIGGER full BEFORE INSERT ON room_settings BEGIN SELECT RAISE(ABORT, 'full'); END"
            )
        self.answered(rooms.keep_settings("#dev", RoomSettings(key="k")), sqlite3.IntegrityError)
        self.flushLoggedErrors(sqlite3.IntegrityError)
        kept = [RegisteredRoom("#dev", "alice", settings=RoomSettings(moderated=True))]
        self.assertEqual(list(rooms.registered()), kept)
        self.assertEqual(list(self.restarted(rooms).registered()), kept)
