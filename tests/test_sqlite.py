"""The SQLite store beyond the History contract: what it keeps, one transaction a pass, reopening, its schema."""

import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from contextlib import closing
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.encoding import encode_event, type_name
from chatd.domain.errors import ChatError
from chatd.domain.events import MESSAGES, Actor, BanAdded, BanLifted, Event, Muted, RoomEvent, Unmuted
from chatd.domain.search import search_words
from chatd.storage.schema import APPLICATION_ID, LINE_KINDS, STEPS, VERSION, DatabaseFileError, prepare
from chatd.storage.sqlite import _INSERT, SQLiteHistory, _row
from chatd.text import fold
from tests.events import acted, joined, kicked, parted, quit, said, topic_changed, topic_locked, whispered
from tests.helpers import ThreadedReactor
from tests.test_history import open_store

BOSS = Actor("boss", "10.0.0.9")


def ban(n: int, target: str, until: float | None) -> BanAdded:
    return BanAdded(id=f"b{n}", at=n, actor=BOSS, target=target, address="." in target, until=until)


class StoreTestCase(SynchronousTestCase):
    """A directory for database files, and a reactor whose calls from threads the test runs."""

    def setUp(self) -> None:
        self.directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.directory)
        self.path = os.path.join(self.directory, "chatd.sqlite")
        self.reactor = ThreadedReactor()

    def end_pass(self, store: SQLiteHistory) -> None:
        """End the reactor pass and let its commit reach the reactor thread."""
        self.reactor.advance(0)
        while store.writing:
            self.reactor.run_from_thread()

    def reopened(self, store: SQLiteHistory) -> SQLiteHistory:
        """``store`` stopped (all written), and the same file opened again, as a restart does."""
        self.reactor.run_until(store.stopService())
        return open_store(self, self.path, self.reactor)


class KeptTests(StoreTestCase):
    """Every room event is kept with its room and sequence; moderation comes back at start."""

    def test_every_room_event_is_kept(self) -> None:
        """Joins, parts, topics, locks, kicks and lines are all in the file, in order (reads give back the lines)."""
        store = open_store(self, self.path, self.reactor)
        events: list[RoomEvent] = [
            joined(1, "#r", "alice", 1),
            topic_changed(2, "#r", "alice", "hello", 2),
            topic_locked(3, "#r", "alice", True, 3),
            said(4, "#r", "alice", "hi", 4),
            kicked(5, "#r", "bob", "alice", "bye", 5),
            parted(6, "#r", "alice", "", 6),
        ]
        for n, event in enumerate(events):
            store.append(replace(event, id=f"e{n}"))
        read = store.room_events("#r", 0, 10)
        self.end_pass(store)
        self.assertEqual([event.seq for event in self.successResultOf(self.reactor.run_until(read))], [4])
        with closing(sqlite3.connect(self.path)) as connection:
            kept = connection.execute(
                "SELECT kind, seq FROM events WHERE room = '#r' ORDER BY position"
            ).fetchall()
        self.assertEqual(kept, [(type_name(type(e)), e.seq) for e in events])

    def test_a_restart_keeps_numbering_and_moderation_but_not_private_messages(self) -> None:
        """Reopened, the store knows each room's last number and hands back the ban and mute events, oldest first."""
        store = open_store(self, self.path, self.reactor)
        moderation: list[Event] = [
            ban(1, "10.0.0.1", None),
            Muted(id="m1", at=2, actor=BOSS, nick="carol", until=500.0),
            BanLifted(id="b2", at=3, actor=BOSS, target="10.0.0.1", address=True),
            Unmuted(id="m2", at=4, actor=BOSS, nick="carol"),
            ban(5, "dave", 900.0),
        ]
        store.append(said(1, "#Lobby", "alice", "hi", 41))
        store.append(whispered(1, "alice", "bob", "secret"))
        store.append(quit(1, "alice", "gone"))
        for event in moderation:
            store.append(event)
        self.end_pass(store)
        store = self.reopened(store)
        self.assertEqual(store.last_seq("#lobby"), 41)
        self.assertEqual(list(store.restored), moderation)
        kinds = sqlite3.connect(self.path).execute("SELECT kind FROM events WHERE room IS NULL").fetchall()
        self.assertNotIn(("whispered",), kinds)
        self.assertIn(("quit",), kinds)


class RetentionTests(StoreTestCase):
    """Pruning forgets old events but what the chat needs back at start (the clock is at 1,000; old is before 500)."""

    def prune(self, store: SQLiteHistory, before: float) -> int:
        self.reactor.advance(0)
        return self.successResultOf(self.reactor.run_until(store.prune(before)))

    def kinds(self) -> list[tuple[str, str]]:
        with closing(sqlite3.connect(self.path)) as connection:
            return connection.execute("SELECT id, kind FROM events ORDER BY position").fetchall()

    def test_old_lines_go_in_chunks_and_young_ones_stay(self) -> None:
        """2,500 old events (more than two chunks) go, wherever a window ends; the young ones and the numbering stay."""
        store = open_store(self, self.path, self.reactor)
        self.reactor.advance(1000)
        for n in range(1, 2501):
            store.append(said(n / 10, "#lobby", "alice", f"old {n}", n))
        store.append(quit(400, "alice", "gone"))
        for n in range(2501, 2511):
            store.append(said(500 + n / 100, "#lobby", "bob", f"young {n}", n))
        self.assertEqual(self.prune(store, 500), 2501)
        self.assertEqual(len(self.kinds()), 10)
        self.assertEqual(self.reopened(store).last_seq("#lobby"), 2510)

    def test_what_restores_the_chat_is_kept_whatever_its_age(self) -> None:
        """Bans and mutes in force, and each room's last topic and lock, survive pruning; what they outdid goes."""
        store = open_store(self, self.path, self.reactor)
        self.reactor.advance(1000)
        events: list[Event] = [
            ban(1, "10.0.0.1", None),  # lifted by b3: both go
            ban(2, "dave", 200.0),  # replaced by b4, which holds: goes
            BanLifted(id="b3", at=3, actor=BOSS, target="10.0.0.1", address=True),
            ban(4, "Dave", 2000.0),  # in force: stays
            Muted(id="m1", at=5, actor=BOSS, nick="carol", until=None),  # in force: stays
            Muted(id="m2", at=6, actor=BOSS, nick="erin", until=300.0),  # ran out: goes
            Muted(
                id="m3", at=7, actor=BOSS, nick="frank", until=None
            ),  # lifted by a young unmute, which says all: goes
            Unmuted(id="m4", at=600, actor=BOSS, nick="frank"),
            replace(topic_changed(8, "#Lobby", "boss", "old", 1), id="t1"),  # outdone: goes
            replace(topic_changed(9, "#lobby", "boss", "rules", 2), id="t2"),
            replace(topic_locked(10, "#lobby", "boss", True, 3), id="t3"),
            replace(topic_changed(11, "#dev", "alice", "dev talk", 1), id="t4"),
            replace(said(12, "#lobby", "boss", "hi", 4), id="s1"),
        ]
        for event in events:
            store.append(event)
        self.assertEqual(self.prune(store, 500), 7)
        kept = ["b4", "m1", "m4", "t2", "t3", "t4"]
        self.assertEqual([id for id, _ in self.kinds()], kept)
        self.assertEqual([event.id for event in self.reopened(store).restored], kept)


class BatchTests(StoreTestCase):
    """A reactor pass's events go to disk in one transaction, and output waits for it."""

    def test_a_pass_is_one_transaction(self) -> None:
        """200 events appended in one pass are one commit; the next pass's are the next."""
        store = open_store(self, self.path, self.reactor)
        for n in range(1, 201):
            store.append(said(n, "#lobby", "alice", f"line {n}", n))
        self.end_pass(store)
        self.assertEqual(store.commits, 1)
        store.append(said(201, "#lobby", "alice", "more", 201))
        self.end_pass(store)
        self.assertEqual(store.commits, 2)

    def test_passes_ending_during_a_commit_go_in_the_next_one(self) -> None:
        """While one pass's commit is written, the passes that end meanwhile are gathered into one more commit."""
        store = open_store(self, self.path, self.reactor)
        for n in range(1, 4):
            store.append(said(n, "#lobby", "alice", f"line {n}", n))
            self.reactor.advance(0)
        called: list[int] = []
        store.when_written(lambda: called.append(store.commits))
        while store.writing:
            self.reactor.run_from_thread()
        self.assertEqual((store.commits, called), (2, [2]))
        self.assertEqual(store.last_seq("#lobby"), 3)

    def test_when_written_waits_for_the_commit(self) -> None:
        """A call waiting for the pass's events is not made when the pass ends, only once the writer has committed."""
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "hi", 1))
        called: list[int] = []
        store.when_written(lambda: called.append(store.commits))
        self.reactor.advance(0)
        self.assertEqual(called, [])
        self.reactor.run_from_thread()
        self.assertEqual(called, [1])

    def test_a_commit_is_seen_by_the_next_append_not_after_the_pass(self) -> None:
        """Once the writer has committed, the next append calls who waited; what gathered meanwhile goes at the pass's end.

        The writer's word reaches the reactor only between passes: under
        load a whole pass later, which every line waited for (issue 13's
        fan-out with SQLite at 0.66x of --db :memory:).
        """
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "one", 1))
        called: list[int] = []
        store.when_written(lambda: called.append(store.commits))
        self.reactor.advance(0)
        store.append(said(2, "#lobby", "alice", "two", 2))
        word = self.reactor.next_from_thread()  # held: the reactor is busy with its pass
        store.append(said(3, "#lobby", "alice", "three", 3))
        self.assertEqual(called, [1])
        word()
        self.assertEqual((called, store.commits), ([1], 1))
        self.end_pass(store)
        self.assertEqual(store.commits, 2)
        read = store.recent("#lobby", None, 10)
        self.assertEqual(
            [event.seq for event in self.successResultOf(self.reactor.run_until(read))], [1, 2, 3]
        )

    def test_stopping_writes_what_waits(self) -> None:
        """Events appended just before the daemon stops are written before the store closes."""
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "last words", 7))
        store = self.reopened(store)
        self.assertEqual(store.last_seq("#lobby"), 7)


class SchemaTests(StoreTestCase):
    """The file says it is chatd's and which schema it holds; older ones are upgraded, others refused."""

    def refusal(self) -> str:
        """The sentence opening the file at ``path`` is refused with."""
        error = self.assertRaises(DatabaseFileError, SQLiteHistory.open, self.path, self.reactor)
        return str(error)

    def test_a_new_file_gets_the_current_schema(self) -> None:
        """An absent file is made, marked as chatd's, at the current version, in WAL mode."""
        open_store(self, self.path, self.reactor)
        connection = sqlite3.connect(self.path)
        self.addCleanup(connection.close)
        self.assertEqual(connection.execute("PRAGMA application_id").fetchone(), (APPLICATION_ID,))
        self.assertEqual(connection.execute("PRAGMA user_version").fetchone(), (VERSION,))
        self.assertEqual(connection.execute("PRAGMA journal_mode").fetchone(), ("wal",))

    def test_an_older_database_is_upgraded_keeping_its_rows(self) -> None:
        """A database one step behind runs the missing step only, and keeps what it held."""
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "kept", 3))
        store = self.reopened(store)
        connection = sqlite3.connect(self.path, isolation_level=None)
        self.addCleanup(connection.close)
        later = (*STEPS, "ALTER TABLE rooms ADD COLUMN topic TEXT NOT NULL DEFAULT '';")
        prepare(connection, self.path, later)
        self.assertEqual(connection.execute("PRAGMA user_version").fetchone(), (VERSION + 1,))
        self.assertEqual(
            connection.execute("SELECT room, last_seq, topic FROM rooms").fetchall(), [("#lobby", 3, "")]
        )

    def test_an_upgrade_that_fails_changes_nothing(self) -> None:
        """A step that fails is undone with every other step of the upgrade, and the file says so in one sentence."""
        open_store(self, self.path, self.reactor)
        connection = sqlite3.connect(self.path, isolation_level=None)
        self.addCleanup(connection.close)
        later = (*STEPS, "CREATE TABLE extra (x);", "CREATE TABLE extra (x);")
        error = self.assertRaises(DatabaseFileError, prepare, connection, self.path, later)
        self.assertIn(f"--db {self.path} cannot be used (table extra already exists)", str(error))
        self.assertEqual(connection.execute("PRAGMA user_version").fetchone(), (VERSION,))
        self.assertEqual(
            connection.execute("SELECT name FROM sqlite_master WHERE name = 'extra'").fetchall(), []
        )

    def test_a_sqlite_without_a_tokenizer_a_step_needs_is_named_not_the_file(self) -> None:
        """A step SQLite cannot run for want of a module or tokenizer says what this SQLite lacks; the file is kept."""
        connection = sqlite3.connect(self.path, isolation_level=None)
        self.addCleanup(connection.close)
        prepare(connection, self.path)
        for step in (
            "CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'nosuch');",
            "CREATE VIRTUAL TABLE t USING nosuch;",
        ):
            error = self.assertRaises(DatabaseFileError, prepare, connection, self.path, (*STEPS, step))
            self.assertRegex(
                str(error),
                rf"^--db {re.escape(self.path)} needs SQLite with FTS5 and its trigram tokenizer \(3\.34 or later\), "
                rf"and this Python's SQLite {re.escape(sqlite3.sqlite_version)} has not \(no such (tokenizer|module): "
                r"nosuch\); run chatd on a Python whose SQLite has them, or give --db :memory:\.$",
            )
        self.assertEqual(connection.execute("PRAGMA user_version").fetchone(), (VERSION,))

    def test_a_version_1_database_gets_its_topics_back(self) -> None:
        """A database from before the topics index is upgraded, and its rooms' last topics and locks are restored."""
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            prepare(connection, self.path, STEPS[:1])
            for event in (
                replace(topic_changed(1, "#lobby", "boss", "old", 1), id="t1"),
                replace(topic_changed(2, "#lobby", "boss", "rules", 2), id="t2"),
                replace(said(3, "#lobby", "boss", "hi", 3), id="s1"),
            ):
                connection.execute(_INSERT, _row(event))
        store = open_store(self, self.path, self.reactor)
        self.assertEqual([event.id for event in store.restored], ["t2"])

    def test_writing_a_line_builds_no_temporary_table(self) -> None:
        """Inserting a row tests the restore index's condition in place (an IN list there built a table per row)."""
        open_store(self, self.path, self.reactor)
        connection = sqlite3.connect(self.path)
        self.addCleanup(connection.close)
        program = connection.execute(f"EXPLAIN {_INSERT}", _row(said(1, "#lobby", "alice", "hi", 1)))
        self.assertNotIn("OpenEphemeral", [opcode for _, opcode, *_ in program])

    def test_a_replay_reads_lines_only_never_the_joins_between_them(self) -> None:
        """Reading a room's last lines walks an index of lines: a room's joins and parts are never scanned past."""
        open_store(self, self.path, self.reactor)
        connection = sqlite3.connect(self.path)
        self.addCleanup(connection.close)
        plan = connection.execute(
            f"EXPLAIN QUERY PLAN SELECT body FROM events WHERE room = ? AND seq < ? AND {LINE_KINDS} "
            "ORDER BY seq DESC LIMIT ?",
            ("#lobby", 100, 20),
        ).fetchall()
        self.assertEqual(
            [row[-1] for row in plan], ["SEARCH events USING INDEX lines_by_room (room=? AND seq<?)"]
        )
        self.assertEqual(
            LINE_KINDS, " OR ".join(f"kind = '{type_name(kind)}'" for kind in MESSAGES).join("()")
        )

    def test_a_version_1_database_keeps_its_bans_through_the_upgrade(self) -> None:
        """A database of schema 1 gets the restore index of schema 2, and its bans still come back at start."""
        connection = sqlite3.connect(self.path, isolation_level=None)
        prepare(connection, self.path, STEPS[:1])
        connection.execute(
            "INSERT INTO events (id, kind, at, nick, body) VALUES (?, 'ban_added', 1, 'boss', ?)",
            ("b1", encode_event(ban(1, "10.0.0.1", None))),
        )
        connection.close()
        store = open_store(self, self.path, self.reactor)
        self.assertEqual(list(store.restored), [ban(1, "10.0.0.1", None)])
        with closing(sqlite3.connect(self.path)) as connection:
            self.assertEqual(connection.execute("PRAGMA user_version").fetchone(), (VERSION,))

    def test_a_newer_database_is_refused(self) -> None:
        """A file a newer chatd wrote is refused, naming --db and what to do."""
        open_store(self, self.path, self.reactor)
        with sqlite3.connect(self.path) as connection:
            connection.execute(f"PRAGMA user_version = {VERSION + 1}")
        connection.close()
        self.assertEqual(
            self.refusal(),
            f"--db {self.path} was written by a newer chatd (schema {VERSION + 1}, this one knows {VERSION}); "
            "run that chatd, or restore a backup made by this one.",
        )

    def test_another_programs_database_is_refused_untouched(self) -> None:
        """A SQLite file of some other program is refused, and not changed."""
        with sqlite3.connect(self.path) as connection:
            connection.execute("CREATE TABLE notes (text)")
        connection.close()
        before = _read(self.path)
        self.assertEqual(
            self.refusal(),
            f"--db {self.path} is not a chatd database; give a new file's name, or the one chatd made.",
        )
        self.assertEqual(_read(self.path), before)

    def test_a_file_that_is_not_a_database_is_refused(self) -> None:
        """A text file is refused in one sentence."""
        with open(self.path, "w", encoding="utf-8") as text:
            text.write("not a database\n" * 100)
        self.assertEqual(
            self.refusal(),
            f"--db {self.path} cannot be used (file is not a database); restore it from a backup, "
            "or move it away to start with an empty one.",
        )

    def test_a_damaged_database_is_refused(self) -> None:
        """A chatd database whose pages were overwritten is refused in one sentence."""
        damage(self, self.path)
        self.assertEqual(
            self.refusal(),
            f"--db {self.path} cannot be used (database disk image is malformed); restore it from a backup, "
            "or move it away to start with an empty one.",
        )

    def test_a_file_that_cannot_be_made_is_refused(self) -> None:
        """A --db in a directory that does not exist is refused, naming the option."""
        self.path = os.path.join(self.directory, "missing", "chatd.sqlite")
        self.assertEqual(
            self.refusal(),
            f"--db {self.path} cannot be opened (unable to open database file); "
            "give a file in a directory the daemon may write.",
        )


class SearchIndexTests(StoreTestCase):
    """The two search indexes follow the lines kept: filled as they are written, emptied as they are deleted."""

    def search(self, store: SQLiteHistory, query: str) -> list[str]:
        read = store.search("#lobby", query, 20)
        self.end_pass(store)
        found: Sequence[RoomEvent] = self.successResultOf(self.reactor.run_until(read))
        return [getattr(event, "text", "") for event in found]

    def indexed(self, query: str) -> list[tuple[int]]:
        """The rows each index holds for the FTS5 string ``query``, read from the file by another connection."""
        with closing(sqlite3.connect(self.path)) as connection:
            return [
                connection.execute(f"SELECT count(*) FROM {index} WHERE {index} MATCH ?", (query,)).fetchone()
                for index in ("line_words", "line_trigrams")
            ]

    def test_lines_of_a_version_1_database_are_indexed_by_the_upgrade(self) -> None:
        """A database from before /search gets its lines said and acted into both indexes, not its topics."""
        version_1(
            self.path,
            [
                replace(said(1, "#Lobby", "alice", "Un café, svp", 1), id="e1"),
                replace(acted(2, "#Lobby", "bob", "runs qwen3.6", 2), id="e2"),
                replace(topic_changed(3, "#Lobby", "bob", "cafe talk", 3), id="e3"),
            ],
        )
        store = open_store(self, self.path, self.reactor)
        self.assertEqual(self.search(store, "cafe"), ["Un café, svp"])
        self.assertEqual(self.search(store, "wen3.6"), ["runs qwen3.6"])
        self.assertEqual(self.indexed('"cafe"'), [(1,), (0,)])
        self.assertEqual(self.indexed('"café"'), [(1,), (1,)])

    def test_a_line_is_indexed_in_the_transaction_that_writes_it(self) -> None:
        """Once a pass is committed, both indexes hold its lines; it is still one commit."""
        store = open_store(self, self.path, self.reactor)
        for n in range(1, 4):
            store.append(said(n, "#lobby", "alice", f"release {n}", n))
        self.end_pass(store)
        self.assertEqual(store.commits, 1)
        self.assertEqual(self.indexed('"release"'), [(3,), (3,)])

    def test_a_deleted_line_leaves_both_indexes(self) -> None:
        """Deleting a line from events (as retention will) takes it out of the indexes too."""
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "forget this cafe", 1))
        store.append(said(2, "#lobby", "alice", "keep this cafe", 2))
        self.end_pass(store)
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            connection.execute("DELETE FROM events WHERE seq = 1")
        self.assertEqual(self.indexed('"cafe"'), [(1,), (1,)])
        self.assertEqual(self.search(store, "forget"), [])


class SearchSyntaxTests(StoreTestCase):
    """Whatever a user types, SQLite's FTS5 reads it as text: a query the chat accepts never fails in the store."""

    def setUp(self) -> None:
        super().setUp()
        self.store = open_store(self, self.path, self.reactor)
        self.store.append(said(1, "#lobby", "alice", 'Un café "x" NEAR(a b) OR c* ^d col:e {f} -g +h', 1))

    @settings(max_examples=300, deadline=None)
    @given(
        st.text(
            alphabet=st.sampled_from("\"'*()^:{}-+,.%_\\ aéE東NEAROTD\x00\u200b"), min_size=1, max_size=16
        )
    )
    def test_any_query_is_answered(self, query: str) -> None:
        """Quotes, stars, brackets, carets, colons, keywords and NULs give lines or none, never an error from SQLite."""
        try:
            search_words(query)
        except ChatError:
            return  # refused by the chat before any store sees it
        read = self.store.search("#lobby", query, 20)
        self.end_pass(self.store)
        self.assertLessEqual(len(self.successResultOf(self.reactor.run_until(read))), 1)


def version_1(path: str, events: Sequence[RoomEvent]) -> None:
    """Make a database of schema 1, from before /search, at ``path``, holding ``events`` as that chatd wrote them."""
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        prepare(connection, path, STEPS[:1])
        for event in events:
            room = fold(event.room)
            connection.execute(
                "INSERT INTO events (id, kind, room, seq, at, nick, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    event.id,
                    type_name(type(event)),
                    room,
                    event.seq,
                    event.at,
                    event.actor.nick,
                    encode_event(event),
                ),
            )
            connection.execute(
                "INSERT INTO rooms (room, last_seq) VALUES (?, ?) "
                "ON CONFLICT (room) DO UPDATE SET last_seq = excluded.last_seq",
                (room, event.seq),
            )


def damage(case: SynchronousTestCase, path: str) -> None:
    """Make a chatd database at ``path`` holding some lines, then overwrite its second page with noise."""
    reactor = ThreadedReactor()
    store = SQLiteHistory.open(path, reactor)
    store.startService()
    for n in range(1, 301):
        store.append(said(n, "#lobby", "alice", "x" * 100, n))
    reactor.advance(0)
    reactor.run_until(store.stopService())
    data = bytearray(_read(path))
    data[4096:8192] = b"\xff" * 4096
    with open(path, "wb") as file:
        file.write(data)


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()
