"""The RoomStore port's contract, against the memory store and the SQLite store (a real file), and the
schema step that added registered rooms to an older database."""

import io
import json
import sqlite3
from collections.abc import Awaitable
from contextlib import closing
from dataclasses import replace

from twisted.trial.unittest import SynchronousTestCase

from chatd.admin.command import main
from chatd.domain.encoding import changes_of
from chatd.domain.events import ModeChange, RoomBan, Setting
from chatd.domain.room_settings import RoomSettings
from chatd.domain.rooms import RegisteredRoom
from chatd.domain.storage_ports import RoomStore
from chatd.storage.database_file import prepare
from chatd.storage.memory_rooms import MemoryRooms
from chatd.storage.pass_log import last_committed, log_path
from chatd.storage.room_settings import SETTINGS_CHANGED, decode_settings, encode_changes, encode_settings
from chatd.storage.schema import STEPS, VERSION
from chatd.storage.sqlite_rooms import SQLiteRooms
from tests.events import said
from tests.helpers import ThreadedReactor, new_database
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

    def test_a_registered_rooms_settings_are_kept_as_changed_and_forgotten_with_it(self) -> None:
        """Settings given at registration, then changed, are the room's after a restart; a room that is not
        registered keeps none, and one unregistered and registered again has only what it is given then."""
        rooms = self.make()
        rooms.register("#dev", "#Dev", "alice", 1.0, RoomSettings(moderated=True, limit=5))
        ban = RoomBan("badkid!*@*", "alice", 2.5)
        settings = RoomSettings(True, "hunter2 \u00e9", 30, True, True, (ban,), registered_speech=True)
        changes = (
            ModeChange(Setting.INVITE_ONLY, True),
            ModeChange(Setting.REGISTERED_SPEECH, True),
            ModeChange(Setting.KEY, True, "hunter2 \u00e9"),
            ModeChange(Setting.LIMIT, True, "30"),
            ModeChange(Setting.SECRET, True),
            ModeChange(Setting.BAN, True, "badkid!*@*"),
        )
        rooms.change_settings("#dev", changes, "alice", 2.5)
        rooms.change_settings("#ops", (ModeChange(Setting.INVITE_ONLY, True),), "bob", 2.5)
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

    def test_a_server_rooms_settings_are_kept_with_no_registration(self) -> None:
        """A server's room's changes are kept, with no registration, and read back apart from the registered
        rooms; a room neither registered nor the server's keeps none. Registered, the room's settings are its
        registration's, and unregistered it keeps none."""
        rooms = self.make()
        rooms.change_settings("#maths", (ModeChange(Setting.MODERATED, True),), "alice", 1.0, server=True)
        rooms.change_settings(
            "#maths", (ModeChange(Setting.BAN, True, "badkid!*@*"),), "bob", 2.0, server=True
        )
        rooms.change_settings("#dev", (ModeChange(Setting.INVITE_ONLY, True),), "carol", 2.0)
        rooms = self.restarted(rooms)
        assert isinstance(self, SynchronousTestCase)
        self.assertEqual(list(rooms.registered()), [])
        settings = RoomSettings(moderated=True, bans=(RoomBan("badkid!*@*", "bob", 2.0),))
        self.assertEqual(dict(rooms.server_settings()), {"#maths": settings})
        rooms.register("#maths", "#maths", "alice", 3.0, RoomSettings(limit=5))
        rooms.unregister("#maths")
        rooms = self.restarted(rooms)
        self.assertEqual((list(rooms.registered()), dict(rooms.server_settings())), ([], {}))


class MemoryRoomsTests(RoomStoreContract, SynchronousTestCase):
    """``MemoryRooms`` keeps what it is told while the daemon runs."""

    def make(self) -> RoomStore:
        return MemoryRooms()

    def restarted(self, rooms: RoomStore) -> RoomStore:
        return rooms


class SQLiteRoomsTests(RoomStoreContract, SynchronousTestCase):
    """``SQLiteRooms`` keeps it in the file, with the pass's events, and reads it back at start."""

    def setUp(self) -> None:
        self.path = new_database(self)
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

    def test_a_registration_refused_takes_none_of_its_statements_with_it(self) -> None:
        """A registration the file refuses (the room is registered there already) is undone whole: the room's
        operators, which it drops first, and its settings, which it writes after, stay as the file had them."""
        rooms = self.make()
        self.answered(rooms.register("#dev", "#dev", "alice", 1.0, RoomSettings(moderated=True)))
        self.answered(rooms.add_operator("#dev", "bob"))
        self.answered(
            rooms.register("#dev", "#dev", "carol", 2.0, RoomSettings(limit=5)), sqlite3.IntegrityError
        )
        self.flushLoggedErrors(sqlite3.IntegrityError)
        [kept] = self.restarted(rooms).registered()
        self.assertEqual(
            (kept.owner, kept.operators, kept.settings),
            ("alice", frozenset({"bob"}), RoomSettings(moderated=True)),
        )

    def test_a_change_of_settings_left_in_the_pass_log_is_applied_by_a_start_or_the_admin_tool(self) -> None:
        """A ``/mode`` logged but not committed when the daemon died is applied to the room's row when the file is
        next opened, by a start or by ``python -m chatd.admin``: both know the function its statement calls."""
        rooms = self.make()
        self.answered(rooms.register("#dev", "#dev", "alice", 1.0))
        self.reactor.run_until(self.store.stopService())
        self.left_in_the_log(ModeChange(Setting.MODERATED, True))
        self.store = open_store(self, self.path, self.reactor)
        [kept] = SQLiteRooms(self.store).registered()
        self.assertEqual(kept.settings, RoomSettings(moderated=True))
        self.reactor.run_until(self.store.stopService())
        self.left_in_the_log(ModeChange(Setting.BAN, True, "badkid!*@*"))
        self.assertEqual(main(["--db", self.path, "export"], io.StringIO()), 0)
        with closing(sqlite3.connect(self.path)) as connection:
            [(body,)] = connection.execute("SELECT body FROM room_settings WHERE room = '#dev'")
        self.assertEqual(
            decode_settings(body), RoomSettings(moderated=True, bans=(RoomBan("badkid!*@*", "alice", 3.0),))
        )

    def test_a_settings_row_and_a_logged_change_in_the_text_written_so_far_are_read_unchanged(self) -> None:
        """A ``room_settings`` row and a ``/mode`` left in the pass log, each in the very text chatd has written
        them in since schema step 12, are read as written; and settings are still written in that text."""
        body = (
            '{"invite_only": false, "key": "cl\u00e9", "limit": 5, "moderated": true, "secret": false, '
            '"bans": [["zo\u00eb!*@*", "alice", 2.5]]}'
        )
        rooms = self.make()
        self.answered(rooms.register("#dev", "#dev", "alice", 1.0))
        self.reactor.run_until(self.store.stopService())
        with closing(sqlite3.connect(self.path)) as connection, connection:
            connection.execute("UPDATE room_settings SET body = ? WHERE room = '#dev'", (body,))
            number = last_committed(connection) + 1
        logged = '[["ban", true, "badkid!*@*"], ["limit", false, ""]]'
        with open(log_path(self.path), "a", encoding="utf-8") as log:
            log.write(json.dumps([number, [], [[SETTINGS_CHANGED, ["#dev", logged, "bob", 3.0]]]]) + "\n")
        self.store = open_store(self, self.path, self.reactor)
        [kept] = SQLiteRooms(self.store).registered()
        written = RoomSettings(
            key="cl\u00e9", limit=5, moderated=True, bans=(RoomBan("zo\u00eb!*@*", "alice", 2.5),)
        )
        self.assertEqual(
            kept.settings,
            replace(written, limit=0, bans=(*written.bans, RoomBan("badkid!*@*", "bob", 3.0))),
        )
        self.assertEqual(encode_settings(written), body)
        self.assertEqual(encode_changes(changes_of(json.loads(logged))), logged)

    def left_in_the_log(self, change: ModeChange) -> None:
        """alice's ``change`` of #dev at 3.0 in the pass log, after what the file holds, as a ``kill -9`` leaves it."""
        with closing(sqlite3.connect(self.path)) as connection:
            number = last_committed(connection) + 1
        statement = [SETTINGS_CHANGED, ["#dev", encode_changes([change]), "alice", 3.0]]
        with open(log_path(self.path), "a", encoding="utf-8") as log:
            log.write(json.dumps([number, [], [statement]]) + "\n")

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
        self.assertEqual(self.store.registered, [("Alice", 1.0)])
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
        self.answered(rooms.change_settings("#dev", (ModeChange(Setting.INVITE_ONLY, True),), "alice", 2.0))
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
        self.answered(
            rooms.change_settings("#dev", (ModeChange(Setting.KEY, True, "k"),), "alice", 2.0),
            sqlite3.IntegrityError,
        )
        self.flushLoggedErrors(sqlite3.IntegrityError)
        kept = [RegisteredRoom("#dev", "alice", settings=RoomSettings(moderated=True))]
        self.assertEqual(list(rooms.registered()), kept)
        self.assertEqual(list(self.restarted(rooms).registered()), kept)
