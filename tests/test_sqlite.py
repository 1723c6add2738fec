"""The SQLite store beyond the History contract: what it keeps, one transaction a pass, reopening, its schema."""

import io
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import threading
from collections.abc import Sequence
from contextlib import closing, redirect_stderr
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.internet.defer import Deferred
from twisted.internet.testing import EventLoggingObserver
from twisted.logger import LogLevel, formatEvent, globalLogPublisher
from twisted.trial.unittest import SynchronousTestCase

from chatd.admin.command import main
from chatd.domain.encoding import encode_event, type_name
from chatd.domain.errors import ChatError, HistoryUnreadableError
from chatd.domain.events import (
    MESSAGES,
    Actor,
    BanAdded,
    BanLifted,
    Deleted,
    Encrypted,
    Event,
    Killed,
    Muted,
    NickChanged,
    RoomEvent,
    Said,
    Unmuted,
    Whispered,
)
from chatd.domain.keylog import ADD, KeyEntry
from chatd.domain.search import search_words
from chatd.storage import pass_apply, pass_log
from chatd.storage.claim import Claim
from chatd.storage.database_file import DatabaseFileError, prepare
from chatd.storage.keys import SQLiteKeys
from chatd.storage.pass_apply import INSERT, INSERT_ROWS, ROWS_A_STATEMENT
from chatd.storage.pass_keeping import _row
from chatd.storage.pass_log import log_path
from chatd.storage.pass_records import Row
from chatd.storage.reader_queries import place
from chatd.storage.recent import ROOMS
from chatd.storage.room_settings import SETTINGS_CHANGED
from chatd.storage.schema import APPLICATION_ID, LINE_KINDS, STEPS, VERSION
from chatd.storage.search_file import index_path
from chatd.storage.search_index import CHECKPOINT_EVERY, NICE, PAUSE
from chatd.storage.search_lookup import _TAIL
from chatd.storage.sqlite import SQLiteHistory
from chatd.storage.sqlite_accounts import SQLiteAccounts
from chatd.storage.sqlite_mailbox import SQLiteMailbox
from chatd.storage.sqlite_open import _RESTORE
from chatd.text import fold
from tests.events import acted, joined, kicked, parted, quit, said, topic_changed, topic_locked, whispered
from tests.helpers import ThreadedReactor, committed, new_folder
from tests.test_history import caught_up, open_store, read_seq

BOSS = Actor("boss", "10.0.0.9")


def ban(n: int, target: str, until: float | None) -> BanAdded:
    return BanAdded(id=f"b{n}", at=n, actor=BOSS, target=target, address="." in target, until=until)


class StoreTestCase(SynchronousTestCase):
    """A directory for database files, and a reactor whose calls from threads the test runs."""

    def setUp(self) -> None:
        self.directory = new_folder(self)
        self.path = os.path.join(self.directory, "chatd.sqlite")
        self.reactor = ThreadedReactor()

    def end_pass(self, store: SQLiteHistory) -> None:
        """End the reactor pass and let its commit reach the reactor thread."""
        committed(self.reactor, store)

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
        self.assertEqual(read_seq(self.reactor, store, "#lobby"), 41)
        self.assertEqual(list(store.restored), moderation)
        kinds = sqlite3.connect(self.path).execute("SELECT kind FROM events WHERE room IS NULL").fetchall()
        self.assertNotIn(("whispered",), kinds)
        self.assertIn(("quit",), kinds)

    def test_new_nicknames_and_kills_are_kept_whole_with_no_room_and_no_read_gives_them_back(self) -> None:
        """A nickname change and a kill are in the file, as a quit is: whole (addresses too), under the nickname that
        acted, with no room; a room's reads still give back its lines alone, and a restart restores nothing from
        them."""
        store = open_store(self, self.path, self.reactor)
        alice = Actor("alice", "10.0.0.1")
        events: list[Event] = [
            replace(said(1, "#r", "alice", "hi", 1), id="e1", actor=alice),
            NickChanged(id="e2", at=2, actor=alice, new="alicia"),
            Killed(id="e3", at=3, actor=BOSS, nick="alicia", reason="spam", apart=True),
            replace(said(4, "#r", "bob", "bye", 2), id="e4"),
        ]
        for event in events:
            store.append(event)
        read = store.room_events("#r", 0, 10)
        self.end_pass(store)
        self.assertEqual(
            [event.id for event in self.successResultOf(self.reactor.run_until(read))], ["e1", "e4"]
        )
        with closing(sqlite3.connect(self.path)) as connection:
            kept = connection.execute(
                "SELECT kind, nick, body FROM events WHERE room IS NULL ORDER BY position"
            ).fetchall()
        self.assertEqual(
            kept,
            [("nick_changed", "alice", encode_event(events[1])), ("killed", "boss", encode_event(events[2]))],
        )
        store = self.reopened(store)
        self.assertEqual((list(store.restored), read_seq(self.reactor, store, "#r")), ([], 2))

    def test_a_restart_gives_back_the_kicks_whose_wait_still_runs(self) -> None:
        """Reopened at 1,000, the store hands back the kick whose wait ends at 1,010 with whom it holds, not the one
        that ended at 960; it finds them by the kicks' index, reading no other event."""
        store = open_store(self, self.path, self.reactor)
        self.reactor.advance(1000)
        ended = replace(kicked(900, "#dev", "bob", "boss", "", 1), id="k1")
        running = replace(kicked(950, "#Dev", "carol", "boss", "calm down", 2), id="k2")
        for event in (ended, running, said(960, "#dev", "boss", "hi", 3)):
            store.append(event)
        store = self.reopened(store)
        self.assertEqual(list(store.restored), [running])
        self.assertEqual(running.person, "look:carol@")
        with closing(sqlite3.connect(self.path)) as connection:
            plan = [row[-1] for row in connection.execute(f"EXPLAIN QUERY PLAN {_RESTORE}", (1000,))]
        self.assertIn("SEARCH events USING INDEX kick_waits (<expr>>?)", plan)
        self.assertNotIn("SCAN events", plan)

    def test_a_rooms_topic_and_lock_from_before_it_was_made_anew_are_not_given_back(self) -> None:
        """#dev's topic and lock, set before a join made it anew (its old self gone with them), are not given back;
        #ops's topic set after its making is, and #lobby, never made anew since its topic, keeps its own."""
        store = open_store(self, self.path, self.reactor)
        for event in (
            replace(topic_changed(1, "#dev", "alice", "old news", 1), id="t1"),
            replace(topic_locked(2, "#dev", "alice", True, 2), id="t2"),
            replace(topic_changed(3, "#ops", "bob", "old ops", 1), id="t3"),
            replace(topic_changed(4, "#lobby", "boss", "rules", 1), id="t4"),
        ):
            store.append(event)
        self.end_pass(store)
        store.append(joined(5, "#Dev", "alice", 4, room_operator=True, made=True))
        store.append(joined(5, "#ops", "bob", 2, room_operator=True, made=True))
        store.append(joined(5, "#lobby", "carol", 2))
        store.append(replace(topic_changed(6, "#ops", "bob", "new ops", 3), id="t5"))
        self.assertEqual([event.id for event in self.reopened(store).restored], ["t4", "t5"])


class PlaceTests(StoreTestCase):
    """Where an id falls among a room's lines is bisected in the file, not found by reading the lines in turn."""

    def test_a_place_takes_a_look_up_per_halving_of_the_room_whatever_the_id(self) -> None:
        """In a room of 4,000 events (a join every third), each id is placed by at most 13 look-ups of the
        room's index (4,000 halves to 1 in 12 steps), none of them a scan: what ``place`` answers is the seq of the
        first line at or after the id, as reading every line would find it."""
        store = open_store(self, self.path, self.reactor)
        for seq in range(1, 4001):
            made = said(seq, "#big", "bob", "hi", seq) if seq % 3 else joined(seq, "#big", "bob", seq)
            store.append(replace(made, id=f"{seq * 10:016x}"))
        self.reactor.run_until(store.stopService())
        statements: list[str] = []
        with closing(sqlite3.connect(self.path)) as connection:
            connection.set_trace_callback(statements.append)
            for point in (0, 5, 10, 15, 19_990, 20_000, 20_005, 39_990, 39_995, 40_000, 40_001, 99_999):
                statements.clear()
                first = next((seq for seq in range(1, 4001) if seq % 3 and seq * 10 >= point), 4001)
                self.assertEqual(place(connection, "#big", f"{point:016x}", 4000), first, point)
                self.assertLessEqual(len(statements), 13, point)
            plan = " ".join(row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + statements[-1]))
        self.assertRegex(plan, r"^SEARCH events USING INDEX lines_by_room \(room=\? AND seq>\? AND seq<\?\)$")


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
        self.assertEqual(read_seq(self.reactor, self.reopened(store), "#lobby"), 2510)

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

    def test_a_kick_whose_wait_outlasts_the_retention_stays_until_it_ends(self) -> None:
        """A kick (``--kick-rejoin`` longer than ``--retain-days``) older than the retention whose wait ends after
        it is kept and given back at start; one whose wait ended with it goes."""
        store = open_store(self, self.path, self.reactor)
        self.reactor.advance(1000)
        held = replace(kicked(10, "#dev", "bob", "boss", "", 1), id="k1", until=2000.0)
        over = replace(kicked(20, "#dev", "carol", "boss", "", 2), id="k2", until=400.0)
        store.append(held)
        store.append(over)
        self.assertEqual(self.prune(store, 500), 1)
        self.assertEqual([id for id, _ in self.kinds()], ["k1"])
        self.assertEqual(list(self.reopened(store).restored), [held])

    def test_a_mute_lifted_under_a_look_alike_goes_with_its_lift(self) -> None:
        """bob's mute lifted as b\u043eb (a Cyrillic o, who held it then) is one target: both old events go."""
        store = open_store(self, self.path, self.reactor)
        self.reactor.advance(1000)
        store.append(Muted(id="m1", at=5, actor=BOSS, nick="bob", until=None))
        store.append(Unmuted(id="m2", at=6, actor=BOSS, nick="b\u043eb"))
        store.append(ban(7, "zed", None))
        store.append(BanLifted(id="b8", at=8, actor=BOSS, target="z\u0435d", address=False))
        self.assertEqual(self.prune(store, 500), 4)
        self.assertEqual(self.reopened(store).restored, [])


class LoggedStoreTestCase(StoreTestCase):
    """A store past its start, and what its pass log and a ``kill -9`` leave."""

    def opened(self) -> SQLiteHistory:
        """The store, open, past its index's first round: the next word from a thread is the writer's."""
        store = open_store(self, self.path, self.reactor)
        self.reactor.run_until(store.index.caught_up())
        return store

    def logged(self) -> list[list[Any]]:
        """The records of the pass log, as written."""
        with open(log_path(self.path), encoding="utf-8") as log:
            return [json.loads(line) for line in log]

    def killed(self) -> str:
        """The history's files as they are now, copied as a ``kill -9`` now would leave them; the copy's path."""
        directory = new_folder(self)
        for name in os.listdir(self.directory):
            shutil.copy(os.path.join(self.directory, name), directory)
        return os.path.join(directory, "chatd.sqlite")

    def latest(self, store: SQLiteHistory) -> list[str]:
        read = store.recent("#lobby", None, 10)
        return [getattr(event, "text", "") for event in self.successResultOf(self.reactor.run_until(read))]


class BatchTests(LoggedStoreTestCase):
    """A reactor pass's events go to the pass log when it ends, and to the file in one commit soon after."""

    def test_a_pass_is_one_record_committed_within_commit_every(self) -> None:
        """200 events appended in one pass are one record when it ends, and one commit ``commit_every`` later."""
        store = self.opened()
        for n in range(1, 201):
            store.append(said(n, "#lobby", "alice", f"line {n}", n))
        self.reactor.advance(0)
        [record] = self.logged()
        self.assertEqual((record[0], len(record[1])), (1, 200))
        self.assertEqual((store.commits, store.writing), (0, True))
        self.end_pass(store)
        self.assertEqual(store.commits, 1)
        with closing(sqlite3.connect(self.path)) as connection:
            self.assertEqual(connection.execute("SELECT last FROM pass_log").fetchone(), (1,))

    def test_a_commit_of_250_lines_keeps_each_once_in_order(self) -> None:
        """A commit writes its rows a hundred to a statement and the rest one at a time: all 250, in order."""
        store = self.opened()
        for n in range(1, 251):
            store.append(said(n, "#lobby", "alice", f"line {n}", n))
        self.end_pass(store)
        self.assertEqual(store.commits, 1)
        with closing(sqlite3.connect(self.path)) as connection:
            kept = connection.execute("SELECT position, seq, body ->> '$.text' FROM events ORDER BY position")
            self.assertEqual(kept.fetchall(), [(n, n, f"line {n}") for n in range(1, 251)])
            self.assertEqual(connection.execute("SELECT last_seq FROM rooms").fetchall(), [(250,)])

    def test_a_record_of_150_lines_is_applied_whole_at_the_next_start(self) -> None:
        """Logged and not committed when the process died, a pass of 150 lines is in the file once opened again."""
        store = self.opened()
        store.commit_every = 3600
        for n in range(1, 151):
            store.append(said(n, "#lobby", "alice", f"line {n}", n))
        self.reactor.advance(0)
        killed = self.killed()
        reopened = open_store(self, killed, self.reactor)
        self.assertEqual(read_seq(self.reactor, reopened, "#lobby"), 150)
        with closing(sqlite3.connect(killed)) as connection:
            kept = connection.execute("SELECT position, seq FROM events ORDER BY position").fetchall()
        self.assertEqual(kept, [(n, n) for n in range(1, 151)])

    def test_passes_within_commit_every_share_one_commit(self) -> None:
        """Three passes a moment apart are three records and one transaction."""
        store = self.opened()
        for n in range(1, 4):
            store.append(said(n, "#lobby", "alice", f"line {n}", n))
            self.reactor.advance(0)
        self.assertEqual([record[0] for record in self.logged()], [1, 2, 3])
        self.end_pass(store)
        self.assertEqual((store.commits, store.last_seq("#lobby")), (1, 3))

    def test_kept_with_another_call_it_asks_that_once_a_pass_and_makes_no_call_of_its_own(self) -> None:
        """With ``keep_with`` (a front end's outbox, whose send keeps first), a pass's events and changes ask it once,
        and the store schedules nothing itself; once ``keep`` has run, the next pass asks again."""
        store = self.opened()
        asked: list[int] = []
        store.keep_with(lambda: asked.append(len(self.logged())))
        calls = list(self.reactor.getDelayedCalls())
        store.append(said(1, "#lobby", "alice", "one", 1))
        store.append(said(2, "#lobby", "alice", "two", 2))
        store.change("INSERT INTO rooms (room, last_seq) VALUES (?, ?)", "#new", 0)
        self.assertEqual((asked, list(self.reactor.getDelayedCalls())), ([0], calls))
        store.keep()
        self.assertEqual([len(record[1]) for record in self.logged()], [2])
        store.append(said(3, "#lobby", "alice", "three", 3))
        self.assertEqual(asked, [0, 1])

    def test_a_read_has_the_writer_commit_at_once(self) -> None:
        """Who waits for what is appended (a read) does not wait ``commit_every``: the writer commits at once."""
        store = self.opened()
        store.commit_every = 3600
        store.append(said(1, "#lobby", "alice", "hi", 1))
        called: list[int] = []
        store.when_written(lambda: called.append(store.commits))
        self.reactor.run_from_thread()
        self.assertEqual(called, [1])

    def test_a_change_is_committed_at_once(self) -> None:
        """A change's caller answers someone once it is kept, so its pass is committed as soon as it is logged."""
        store = self.opened()
        store.commit_every = 3600
        done = store.change("INSERT INTO rooms (room, last_seq) VALUES (?, ?)", "#new", 0)
        self.reactor.advance(0)
        self.reactor.run_until(done)
        self.assertEqual(store.commits, 1)

    def test_passes_logged_during_a_commit_go_in_the_next_one(self) -> None:
        """While one batch is committed, the passes logged meanwhile are gathered into one more commit."""
        store = self.opened()
        blocker = sqlite3.connect(self.path, isolation_level=None)
        self.addCleanup(blocker.close)
        blocker.execute("BEGIN IMMEDIATE")  # the first commit waits until it lets go
        called: list[int] = []
        store.append(said(1, "#lobby", "alice", "one", 1))
        store.when_written(lambda: called.append(store.commits))
        for n in range(2, 4):
            store.append(said(n, "#lobby", "alice", f"line {n}", n))
            store.when_written(lambda: called.append(store.commits))
            self.reactor.advance(0)
        blocker.execute("COMMIT")
        while store.writing:
            self.reactor.run_from_thread()
        self.assertEqual((store.commits, called), (2, [1, 2, 2]))

    def test_what_was_logged_but_not_committed_is_committed_at_the_next_start(self) -> None:
        """The files as a ``kill -9`` leaves them, the last passes logged but not committed: opened, they hold all.

        The record committed before is not written twice, and a record cut
        short (the process died in its ``write``, so nothing in it was
        shown) is left out.
        """
        store = self.opened()
        store.append(said(1, "#lobby", "alice", "committed", 1))
        self.end_pass(store)
        store.commit_every = 3600
        store.append(said(2, "#lobby", "alice", "logged", 2))
        store.append(BanAdded(id="b1", at=2, actor=BOSS, target="dave", address=False, until=None))
        self.reactor.advance(0)
        store.append(said(3, "#lobby", "alice", "logged too", 3))
        self.reactor.advance(0)
        killed = self.killed()
        with open(log_path(killed), "a", encoding="utf-8") as log:
            log.write('[4,[[9,"x","said","#lobby",4,4.0,"alice",')
        reopened = open_store(self, killed, self.reactor)
        self.assertEqual(read_seq(self.reactor, reopened, "#lobby"), 3)
        self.assertEqual([event.id for event in reopened.restored], ["b1"])
        self.assertEqual(self.latest(reopened), ["committed", "logged", "logged too"])
        self.assertEqual(os.path.getsize(log_path(killed)), 0)
        reopened.append(said(4, "#lobby", "bob", "after", 4))
        self.end_pass(reopened)
        with closing(sqlite3.connect(killed)) as connection:
            self.assertEqual(
                connection.execute("SELECT max(position), count(*) FROM events").fetchone(), (5, 5)
            )

    def test_a_write_that_failed_is_not_applied_at_the_next_start(self) -> None:
        """A batch the file refused as a whole (an event's row: as a full disk fails all) was told to its callers as
        not kept, its change too: the log says so, and a start after a ``kill -9`` leaves it out, while applying
        what was logged after it."""
        store = self.opened()
        store.commit_every = 3600
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON events WHEN new.body ->> '$.text' = 'refused' "
                "BEGIN SELECT RAISE(ABORT, 'full'); END"
            )
        store.append(said(1, "#lobby", "alice", "refused", 1))
        refused = store.change("INSERT INTO rooms (room, last_seq) VALUES ('#new', 5)")
        self.reactor.advance(0)
        self.reactor.run_until(refused)
        self.failureResultOf(refused, sqlite3.IntegrityError)
        self.flushLoggedErrors(sqlite3.IntegrityError)
        store.append(said(2, "#lobby", "alice", "logged after", 2))
        self.reactor.advance(0)
        reopened = open_store(self, self.killed(), self.reactor)
        self.assertEqual(
            (self.latest(reopened), read_seq(self.reactor, reopened, "#new")), (["logged after"], 0)
        )

    def test_a_refusal_that_ends_the_transaction_fails_the_whole_write(self) -> None:
        """A change refused by a trigger's ``RAISE(ROLLBACK)`` takes the transaction with it: the write fails as a
        full disk's does, and nothing after the change goes in on its own, uncommitted by anyone."""
        store = self.opened()
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON accounts BEGIN SELECT RAISE(ROLLBACK, 'no'); END"
            )
        store.append(said(1, "#lobby", "alice", "refused with it", 1))
        refused = store.change("INSERT INTO accounts VALUES ('bob', 'bob', 'x', 1.0)")
        after = store.change("INSERT INTO rooms (room, last_seq) VALUES ('#after', 5)")
        self.reactor.advance(0)
        self.reactor.run_until(after)
        self.failureResultOf(refused, sqlite3.IntegrityError)
        self.failureResultOf(after, sqlite3.IntegrityError)
        self.flushLoggedErrors(sqlite3.IntegrityError)
        with closing(sqlite3.connect(self.path)) as connection:
            self.assertEqual(connection.execute("SELECT room FROM rooms").fetchall(), [])
            self.assertEqual(connection.execute("SELECT last FROM pass_log").fetchone(), (0,))

    def test_a_record_an_older_chatd_logged_is_applied(self) -> None:
        """A pass log left by a chatd that logged each statement bare, not in changes, is applied at start."""
        self.reactor.run_until(open_store(self, self.path, self.reactor).stopService())
        with open(log_path(self.path), "w", encoding="utf-8") as log:
            log.write('[1,[],[["INSERT INTO rooms (room, last_seq) VALUES (?, ?)",["#old",3]]]]\n')
        self.assertEqual(read_seq(self.reactor, open_store(self, self.path, self.reactor), "#old"), 3)

    def test_a_record_the_disk_took_part_of_is_taken_back(self) -> None:
        """A write the file size limit cuts short (as a full disk does) fails, and leaves no torn line for the
        next record to follow: a start would refuse a log with one in its middle as damaged."""
        open(self.path, "w").close()
        claim = Claim.take(self.path)
        assert claim is not None
        log = pass_log.PassLog(log_path(self.path), 0, claim)
        self.addCleanup(log.close)
        row: Row = (1, "a", "said", "#lobby", 1, 1.0, "alice", "x" * 200)
        log.write([row], [])
        size = os.path.getsize(log_path(self.path))
        limits = resource.getrlimit(resource.RLIMIT_FSIZE)
        handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 50, limits[1]))
        try:
            self.assertRaises(OSError, log.write, [row], [])
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, limits)
            signal.signal(signal.SIGXFSZ, handler)
        self.assertEqual(os.path.getsize(log_path(self.path)), size)
        log.write([row], [])
        self.assertEqual([record[0] for record in self.logged()], [1, 2])

    def test_a_log_set_aside_is_read_first_and_goes_once_committed(self) -> None:
        """Past ``SET_ASIDE`` bytes the log goes on in a new file when a batch is handed over; a start reads the
        older file first, and the older file goes once that batch is committed."""
        self.patch(pass_log, "SET_ASIDE", 1)
        store = self.opened()
        blocker = sqlite3.connect(self.path, isolation_level=None)
        self.addCleanup(blocker.close)
        blocker.execute("BEGIN IMMEDIATE")
        store.append(said(1, "#lobby", "alice", "one", 1))
        store.when_written(lambda: None)  # handed over: the log is set aside
        store.append(said(2, "#lobby", "alice", "two", 2))
        self.reactor.advance(0)
        self.assertTrue(os.path.exists(log_path(self.path) + "-old"))
        killed = self.killed()
        blocker.execute("COMMIT")
        self.reactor.run_from_thread()
        self.assertFalse(os.path.exists(log_path(self.path) + "-old"))
        self.end_pass(store)
        self.assertEqual(self.latest(open_store(self, killed, self.reactor)), ["one", "two"])

    def test_a_damaged_log_stops_the_start_with_one_sentence(self) -> None:
        """A log line that is not a record (not one cut short at the end) is refused, naming --db and the log."""
        self.reactor.run_until(open_store(self, self.path, self.reactor).stopService())
        with open(log_path(self.path), "w", encoding="utf-8") as log:
            log.write("not a record\n")
        error = self.assertRaises(DatabaseFileError, SQLiteHistory.open, self.path, self.reactor)
        self.assertEqual(
            str(error),
            f"--db {self.path}'s pass log {log_path(self.path)} is damaged (Expecting value: line 1 column 1 "
            "(char 0)); move it away to start without the lines it holds.",
        )

    def test_a_record_of_another_shape_stops_the_start_with_one_sentence_and_commits_nothing(self) -> None:
        """Whatever a damaged or hand-edited log holds after a good record, the start is one sentence naming --db
        and the log, saying what is wrong and no value; the good record is not committed and the log is left as it
        was. Before, each raised OverflowError, TypeError, IndexError or RecursionError (a traceback), or blamed the
        --db file, or committed a row that no read could decode."""
        self.reactor.run_until(open_store(self, self.path, self.reactor).stopService())
        good = json.dumps([1, [], [["INSERT INTO rooms (room, last_seq) VALUES (?, ?)", ["#kept", 3]]]])
        event = encode_event(replace(said(1, "#lobby", "alice", "hi", 1), id="0000000003e80000"))
        row = [1, "0000000003e80000", "said", "#lobby", 1, 1.0, "alice", event]
        number = "a record's number is not a whole number from 1 to 9223372036854775807"
        shape = "a line is not a record, [number, rows, changes]"
        change = "record 2 holds a change that is not a list of statements"
        not_row = "record 2 holds a row that is not an event as chatd logs one"
        statement = "record 2 holds a statement that is not [SQL, [values SQLite keeps]]"
        for record, why in (
            ([2, [], [["UPDATE rooms SET last_seq = ?", [2**64]]]], statement),
            ([2**64, [], []], number),
            (["2", [], []], number),
            ([True, [], []], number),
            ([[2], [], []], number),
            (5, shape),
            ({"number": 2, "rows": [], "changes": []}, shape),
            ([2, [], [], []], shape),
            ([2, None, "1"], "record 2 gives up the records up to no number"),
            ([2, [], [5]], change),
            ([2, [], [[]]], change),
            ([2, [], {}], change),
            ([2, [], [[5, []]]], statement),
            ([2, [], [["UPDATE rooms SET last_seq = ?", 5]]], statement),
            ([2, [], [["UPDATE rooms SET last_seq = ?", [{}]]]], statement),
            ([2, {}, []], not_row),
            ([2, [row[:7]], []], not_row),
            ([2, [[*row[:5], "soon", *row[6:]]], []], not_row),
            ([2, [[*row[:5], float("nan"), *row[6:]]], []], not_row),
            ([2, [[2**64, *row[1:]]], []], not_row),
            ([2, [[*row[:7], "not an event"]], []], not_row),
            (
                [2, [], [["INSERT INTO rooms (room, last_seq) VALUES (?, ?)", ["#x"]]]],
                "record 2 holds a statement SQLite cannot run with its arguments",
            ),
            (
                [2, [], [["INSERT INTO nowhere VALUES (?)", [1]]]],
                "record 2 holds a statement SQLite cannot run: no such table: nowhere",
            ),
            ("[" * 100_000 + "]" * 100_000, "a line nested deeper than any record"),
        ):
            text = record if isinstance(record, str) else json.dumps(record)
            with open(log_path(self.path), "w", encoding="utf-8") as log:
                log.write(f"{good}\n{text}\n")
            error = self.assertRaises(DatabaseFileError, SQLiteHistory.open, self.path, self.reactor)
            self.assertEqual(
                str(error),
                f"--db {self.path}'s pass log {log_path(self.path)} is damaged ({why}); move it away to start "
                "without the lines it holds.",
                text[:80],
            )
            with open(log_path(self.path), encoding="utf-8") as log:
                self.assertEqual(log.read(), f"{good}\n{text}\n")
            with closing(sqlite3.connect(self.path)) as connection:
                self.assertEqual(connection.execute("SELECT last FROM pass_log").fetchone(), (0,))
                self.assertEqual(connection.execute("SELECT count(*) FROM rooms").fetchone(), (0,))

    def test_a_room_made_anew_in_a_pass_not_committed_is_so_at_the_next_start(self) -> None:
        """A join that made #dev anew, logged but not committed when the process died, is applied at the next start
        with the note of it: #dev's topic from before it is not given back."""
        store = self.opened()
        store.append(replace(topic_changed(1, "#dev", "alice", "old news", 1), id="t1"))
        self.end_pass(store)
        store.commit_every = 3600
        store.append(joined(2, "#dev", "alice", 2, room_operator=True, made=True))
        self.reactor.advance(0)
        self.assertEqual(open_store(self, self.killed(), self.reactor).restored, [])

    def test_a_pass_log_that_cannot_be_written_stops_the_start_and_leaves_no_file_open(self) -> None:
        """A pass log that cannot be made is one sentence naming --db, and the files opened before it are closed."""
        os.symlink(os.path.join(self.directory, "gone", "passes"), log_path(self.path))
        self.assertEqual(
            self.refused_start(),
            f"--db {self.path}'s pass log {log_path(self.path)} cannot be written (No such file or directory); "
            "give a file in a directory the daemon may write.",
        )

    def test_a_pass_log_that_cannot_be_read_stops_the_start_with_one_sentence(self) -> None:
        """A pass log the daemon cannot read (another user's, say) is one sentence naming --db, not a traceback."""
        os.mkdir(log_path(self.path))
        self.assertEqual(
            self.refused_start(),
            f"--db {self.path}'s pass log {log_path(self.path)} cannot be read or emptied (Is a directory); run "
            "this as the user who owns it, or move it away to start without the lines it holds.",
        )

    def test_a_search_index_in_the_way_stops_the_start_with_one_sentence(self) -> None:
        """A folder where the search index's file should be is one sentence naming --db and the index."""
        os.mkdir(index_path(self.path))
        self.assertEqual(
            self.refused_start(),
            f"--db {self.path}: its search index {index_path(self.path)} cannot be made ({index_path(self.path)}: "
            "Is a directory); give a --db in a directory the daemon may write.",
        )

    def test_a_search_index_file_that_cannot_be_removed_stops_the_start_with_one_sentence(self) -> None:
        """A damaged index is replaced; a file of it that cannot be removed is one sentence naming that file."""
        self.reactor.run_until(open_store(self, self.path, self.reactor).stopService())
        with open(index_path(self.path), "wb") as index:
            index.write(b"not an index")
        os.mkdir(index_path(self.path) + "-wal")
        self.assertEqual(
            self.refused_start(),
            f"--db {self.path}: its search index {index_path(self.path)} cannot be made "
            f"({index_path(self.path)}-wal: Is a directory); give a --db in a directory the daemon may write.",
        )

    def refused_start(self) -> str:
        """The sentence opening the store is refused with; no file of it is left open."""
        error = self.assertRaises(DatabaseFileError, SQLiteHistory.open, self.path, self.reactor)
        self.assertEqual(open_under(self.directory), [])
        return str(error)

    def test_stopping_writes_what_waits_and_removes_the_log(self) -> None:
        """Events appended just before the daemon stops are written before the store closes; the log goes."""
        store = self.opened()
        store.append(said(1, "#lobby", "alice", "last words", 7))
        store = self.reopened(store)
        self.assertEqual(read_seq(self.reactor, store, "#lobby"), 7)
        self.reactor.run_until(store.stopService())
        self.assertFalse(os.path.exists(log_path(self.path)))


class RefusedChangeTests(LoggedStoreTestCase):
    """A change the file refuses (a constraint) costs only its own request; the rest of its batch is kept."""

    def setUp(self) -> None:
        super().setUp()
        self.store = self.opened()
        self.store.commit_every = 3600
        with closing(sqlite3.connect(self.path)) as other, other:
            # Another program put bob's account in the file behind the daemon's back: its memory does not know.
            other.execute("INSERT INTO accounts VALUES ('bob', 'bob', 'x', 1.0)")
        self.accounts = SQLiteAccounts(self.store)
        self.carol = self.accounts.create("carol", "hash-c", 2.0)
        self.bob = self.accounts.create("bob", "hash-b", 2.0)
        SQLiteMailbox(self.store).keep(
            "dave", replace(whispered(2, "alice", "dave", "for later"), id="w1"), lambda _: None
        )
        self.keys = SQLiteKeys(self.store)
        self.keys.append(KeyEntry(1, 2, "erin", ADD, "E" * 43 + "=", ""))
        self.store.append(said(2, "#lobby", "alice", "said beside them", 1))
        blocker = sqlite3.connect(self.path, isolation_level=None)
        self.addCleanup(blocker.close)
        blocker.execute("BEGIN IMMEDIATE")  # the writer waits for it: nothing is committed until ``killed``
        self.reactor.advance(0)  # one pass: one record, one batch
        self.killed_now = self.killed()
        blocker.execute("COMMIT")

    def kept(self, path: str) -> list[object]:
        """What the file at ``path`` holds of each of the batch's requests."""
        with closing(sqlite3.connect(path)) as connection:
            return [
                connection.execute(query).fetchall()
                for query in (
                    "SELECT account, hash FROM accounts ORDER BY account",
                    "SELECT account FROM mailbox",
                    "SELECT account, key FROM device_keys",
                    "SELECT body ->> '$.text' FROM events WHERE kind = 'said'",
                )
            ]

    def test_only_the_refused_account_is_not_kept(self) -> None:
        """bob's account clashes with the one in the file and is refused; carol's account, dave's waiting message,
        erin's key and alice's line, committed with it, are kept, and carol is told so. The log names what the
        change did, not what it held."""
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        self.reactor.run_until(self.bob)
        self.failureResultOf(self.bob, sqlite3.IntegrityError)
        self.assertEqual(len(self.flushLoggedErrors(sqlite3.IntegrityError)), 1)
        self.assertEqual(
            [formatEvent(event) for event in logged if "log_failure" in event],
            ["The --db file refused a change (INSERT INTO accounts); it alone is not kept"],
        )
        self.assertIsNone(self.successResultOf(self.reactor.run_until(self.carol)))
        self.end_pass(self.store)
        self.assertEqual(self.kept(self.path), KEPT_BESIDE_BOB)
        self.assertEqual((self.accounts.owner("bob"), self.keys.head()[0]), (None, 1))
        self.assertEqual(self.latest(self.store), ["said beside them"])

    def test_a_start_after_a_kill_applies_the_batch_but_the_refused_account(self) -> None:
        """The same batch, logged and not committed when the process died: the start applies it as the writer
        would have, rather than refusing to start."""
        killed = self.killed_now
        self.assertEqual(self.kept(killed), [[("bob", "x")], [], [], []])
        open_store(self, killed, self.reactor)
        self.assertEqual(self.kept(killed), KEPT_BESIDE_BOB)
        self.reactor.run_until(self.bob)
        # Read, or its failure is reported by whichever test runs when the collector frees it.
        self.failureResultOf(self.bob, sqlite3.IntegrityError)
        self.flushLoggedErrors(sqlite3.IntegrityError)

    def test_a_start_after_a_kill_logs_the_change_it_left_out(self) -> None:
        """The start says, in one line of its log, that a change of accounts was refused and not kept, and why in
        SQLite's words; nothing of the change's arguments (bob's password hash) is in it."""
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        open_store(self, self.killed_now, self.reactor)
        self.assertEqual(
            [(event["log_level"], formatEvent(event)) for event in logged],
            [
                (
                    LogLevel.info,
                    "A daemon that did not stop cleanly left 1 record in the --db file's pass log, committed now",
                ),
                (
                    LogLevel.warn,
                    "The --db file refused a change its pass log held from before this start (INSERT INTO accounts: "
                    "UNIQUE constraint failed: accounts.account); it alone is not kept",
                ),
            ],
        )
        self.assertEqual(
            (logged[1]["change"], logged[1]["why"]),
            ("INSERT INTO accounts", "UNIQUE constraint failed: accounts.account"),
        )
        self.assertNotIn("hash-b", repr(dict(logged[1])))
        self.reactor.run_until(self.bob)
        self.failureResultOf(self.bob, sqlite3.IntegrityError)
        self.flushLoggedErrors(sqlite3.IntegrityError)

    def test_the_admin_tool_says_which_change_it_left_out(self) -> None:
        """``python -m chatd.admin`` commits the same log as a start would, and says the same on standard error (the
        daemon did not stop cleanly, and the change left out); its command runs on, and ends well."""
        errors, out = io.StringIO(), io.StringIO()
        with redirect_stderr(errors):
            status = main(["--db", self.killed_now, "export", "--room", "#lobby"], out)
        self.assertEqual(
            (status, errors.getvalue()),
            (
                0,
                f"python -m chatd.admin: a daemon that did not stop cleanly left 1 record in --db {self.killed_now}'s "
                "pass log, committed now.\n"
                f"python -m chatd.admin: --db {self.killed_now} refused a change its pass log held (INSERT INTO "
                "accounts: UNIQUE constraint failed: accounts.account); it alone is not kept.\n",
            ),
        )
        self.assertEqual(
            [json.loads(line)["text"] for line in out.getvalue().splitlines()], ["said beside them"]
        )
        self.assertEqual(self.kept(self.killed_now), KEPT_BESIDE_BOB)
        self.reactor.run_until(self.bob)
        self.failureResultOf(self.bob, sqlite3.IntegrityError)
        self.flushLoggedErrors(sqlite3.IntegrityError)


KEPT_BESIDE_BOB = [
    [("bob", "x"), ("carol", "hash-c")],
    [("dave",)],
    [("erin", "E" * 43 + "=")],
    [("said beside them",)],
]
"""What ``RefusedChangeTests``'s file holds once its batch is committed: all but bob's new account."""


class RefusedRecordTests(LoggedStoreTestCase):
    """A record of the pass log the file refuses whole at start (a row of it, or a trigger that rolls its
    transaction back) is left out whole, as the writer's commit of it would have failed; the start goes on."""

    def setUp(self) -> None:
        super().setUp()
        store = self.opened()
        store.commit_every = 3600
        store.append(said(1, "#lobby", "alice", "first pass", 1))
        self.reactor.advance(0)  # record 1: a line
        SQLiteMailbox(store).keep(
            "dave", replace(whispered(2, "alice", "dave", "for later"), id="w1"), lambda _: None
        )
        SQLiteKeys(store).append(KeyEntry(1, 2, "erin", ADD, "E" * 43 + "=", ""))
        store.append(said(2, "#lobby", "alice", "second pass", 2))
        blocker = sqlite3.connect(self.path, isolation_level=None)
        self.addCleanup(blocker.close)
        blocker.execute("BEGIN IMMEDIATE")  # the writer waits for it: nothing is committed until ``killed``
        self.reactor.advance(0)  # record 2: a line, a waiting message and a key entry (two statements)
        self.killed_now = self.killed()
        blocker.execute("COMMIT")
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        self.observed = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def refuse(self, trigger: str) -> None:
        """Have the killed daemon's file run ``trigger`` (a ``CREATE TRIGGER``) from now on."""
        with closing(sqlite3.connect(self.killed_now)) as connection, connection:
            connection.execute(trigger)

    def kept(self) -> list[object]:
        """What the killed daemon's file holds of the two records: lines said, waiting messages, keys."""
        with closing(sqlite3.connect(self.killed_now)) as connection:
            return [
                connection.execute(query).fetchall()
                for query in (
                    "SELECT body ->> '$.text' FROM events WHERE kind = 'said' ORDER BY position",
                    "SELECT account FROM mailbox",
                    "SELECT account FROM device_keys",
                )
            ]

    def refusals(self) -> list[str]:
        """The start's warnings, as read."""
        return [formatEvent(event) for event in self.observed if event["log_level"] == LogLevel.warn]

    def test_a_trigger_rolling_back_a_change_leaves_its_record_out_and_the_start_goes_on(self) -> None:
        """A waiting message whose insert rolls the whole transaction back, as the writer's commit of it would have
        failed: the start leaves out its record (its line and key entry too), keeps the record before, and says
        so in one line, not that the file wants restoring from a backup."""
        self.refuse(
            "CREATE TRIGGER refuse BEFORE INSERT ON mailbox BEGIN SELECT RAISE(ROLLBACK, 'no more'); END"
        )
        open_store(self, self.killed_now, self.reactor)
        self.assertEqual(self.kept(), [[("first pass",)], [], []])
        self.assertEqual(
            self.refusals(),
            [
                "The --db file refused a change its pass log held from before this start (all of record 2: 1 event, "
                "INSERT INTO mailbox, INSERT INTO key_log, INSERT INTO device_keys: no more); it alone is not kept"
            ],
        )

    def test_a_trigger_rolling_back_one_statement_of_a_change_leaves_its_record_out(self) -> None:
        """The same, for the second statement of a change of two (a key entry and its key), which a savepoint
        holds: its end was read as a statement SQLite cannot run, and blamed on the pass log."""
        self.refuse(
            "CREATE TRIGGER refuse BEFORE INSERT ON device_keys BEGIN SELECT RAISE(ROLLBACK, 'no more'); END"
        )
        open_store(self, self.killed_now, self.reactor)
        self.assertEqual(self.kept(), [[("first pass",)], [], []])
        self.assertEqual(len(self.refusals()), 1)

    def test_a_refused_row_leaves_its_record_out_and_the_start_goes_on(self) -> None:
        """A row of events the file refuses (a constraint) fails its whole commit in a running daemon: at start its
        record is left out whole, and the next record is kept."""
        self.refuse(
            "CREATE TRIGGER refuse BEFORE INSERT ON events WHEN new.body ->> '$.text' = 'first pass' "
            "BEGIN SELECT RAISE(ABORT, 'not this one'); END"
        )
        open_store(self, self.killed_now, self.reactor)
        self.assertEqual(self.kept(), [[("second pass",)], [("dave",)], [("erin",)]])
        self.assertEqual(
            self.refusals(),
            [
                "The --db file refused a change its pass log held from before this start (all of record 1: 1 event: "
                "not this one); it alone is not kept"
            ],
        )

    def test_the_admin_tool_leaves_out_the_same_record(self) -> None:
        """``python -m chatd.admin`` commits the log as a start would, and names the record it left out."""
        self.refuse(
            "CREATE TRIGGER refuse BEFORE INSERT ON mailbox BEGIN SELECT RAISE(ROLLBACK, 'no more'); END"
        )
        errors = io.StringIO()
        with redirect_stderr(errors):
            status = main(["--db", self.killed_now, "export", "--room", "#lobby"], io.StringIO())
        self.assertEqual(status, 0)
        self.assertIn(
            f"python -m chatd.admin: --db {self.killed_now} refused a change its pass log held (all of record 2: 1 "
            "event, INSERT INTO mailbox, INSERT INTO key_log, INSERT INTO device_keys: no more); it alone is not "
            "kept.\n",
            errors.getvalue(),
        )
        self.assertEqual(self.kept(), [[("first pass",)], [], []])


class DescribedTests(SynchronousTestCase):
    """A change is named in the host's log by what it does, never by what it holds."""

    def test_a_change_is_described_by_its_statements_verbs_and_tables(self) -> None:
        """A room's registration is its three statements' verbs and tables; a change of settings and of a
        password likewise, without the hash; a statement of another shape is named by its first word."""
        described = [
            pass_apply.described(change)
            for change in (
                (
                    ("DELETE FROM room_operators WHERE room = ?", ("#r",)),
                    ("INSERT INTO registered_rooms (room) VALUES (?)", ("#r",)),
                    ("insert or replace into room_settings (room, body) VALUES (?, ?)", ("#r", "{}")),
                ),
                ((SETTINGS_CHANGED, ("#r", "[]", "boss", 1.0)),),
                (("UPDATE accounts SET hash = ? WHERE account = ?", ("secret", "bob")),),
                (("REPLACE INTO transfers VALUES (?, ?)", ("f", "{}")),),
            )
        ]
        self.assertEqual(
            described,
            [
                "DELETE FROM room_operators, INSERT INTO registered_rooms, insert or replace into room_settings",
                "INSERT INTO room_settings",
                "UPDATE accounts",
                "REPLACE",
            ],
        )


def open_under(directory: str) -> list[str]:
    """The files under ``directory`` this process holds open (Linux's /proc), sorted."""
    held = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(directory + os.sep):
            held.append(target)
    return sorted(held)


class UnreadableRowTests(StoreTestCase):
    """A row of events whose body is no event (damaged in the file, or written by hand) is named, by its position, and
    never blamed on the pass log: at start in the one sentence that stops it; while running in one line of the log,
    while the read that reached it fails with the user's one line and the store goes on."""

    def setUp(self) -> None:
        super().setUp()
        store = open_store(self, self.path, self.reactor)
        store.append(ban(1, "10.0.0.1", None))
        for seq, text in enumerate(("hello there", "second line", "third line"), 1):
            store.append(said(seq, "#lobby", "alice", text, seq))
        store.append(said(4, "#dev", "bob", "elsewhere", 1))
        self.end_pass(store)
        caught_up(self.reactor, store)  # indexed as they were said, before the damage
        self.reactor.run_until(store.stopService())

    def damage(self, text: str, body: str) -> int:
        """Write ``body`` over the row of the line ``text``, as a hand or a bad disk would; its position."""
        with closing(sqlite3.connect(self.path)) as connection, connection:
            connection.execute("UPDATE events SET body = ? WHERE body ->> '$.text' = ?", (body, text))
            return int(
                connection.execute("SELECT position FROM events WHERE body = ?", (body,)).fetchone()[0]
            )

    def test_a_start_names_the_row_of_a_ban_it_cannot_read(self) -> None:
        """The ban read back at start is no event: one sentence naming the file, the table and the row's position,
        not the pass log ("move it away"), which holds nothing."""
        with closing(sqlite3.connect(self.path)) as connection, connection:
            connection.execute("UPDATE events SET body = 'not an event' WHERE kind = 'ban_added'")
        with self.assertRaises(DatabaseFileError) as refused:
            SQLiteHistory.open(self.path, self.reactor)
        self.assertEqual(
            str(refused.exception),
            f"--db {self.path}'s table events holds the row at position 1, which chatd cannot read as an event; "
            "delete that row, or restore the file from a backup.",
        )

    def opened(self) -> tuple[SQLiteHistory, EventLoggingObserver]:
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        return open_store(self, self.path, self.reactor), logged

    def refused(self, read: Deferred[Any]) -> None:
        """``read`` fails with the user's one line."""
        self.failureResultOf(self.reactor.run_until(read), HistoryUnreadableError)

    def test_reads_that_reach_a_row_of_json_but_no_event_fail_with_one_line_and_the_log_names_it_once(
        self,
    ) -> None:
        """A line whose body is JSON but no event fails history's reads and /search's, both ways, each with
        HistoryUnreadableError; the log names the row once, at error level, without a traceback or its body;
        another room's lines are read as ever."""
        position = self.damage("second line", '{"type": "said", "secret": "x"}')
        store, logged = self.opened()
        for read in (
            store.room_events("#lobby", 0, 10),
            store.recent("#lobby", None, 10),
            store.search("#lobby", "line", 10),
            store.search("#lobby", "li", 10),
        ):
            self.refused(read)
        alarms = [event for event in logged if event["log_level"] >= LogLevel.warn]
        self.assertEqual(
            [(event["log_level"], "log_failure" in event, formatEvent(event)) for event in alarms],
            [
                (
                    LogLevel.error,
                    False,
                    f"The --db file's table events holds the row at position {position}, which chatd cannot read "
                    "as an event: each read that reaches it fails until the row is deleted or the file restored "
                    "from a backup",
                )
            ],
        )
        dev = self.successResultOf(self.reactor.run_until(store.recent("#dev", None, 10)))
        self.assertEqual([event.text for event in dev if isinstance(event, Said)], ["elsewhere"])

    def test_a_search_that_reaches_a_body_of_no_json_fails_with_one_line(self) -> None:
        """A line whose body is not JSON at all, which SQLite cannot read its text from: /search fails with
        HistoryUnreadableError, both ways, and the log names the room it is a line of; history names its row."""
        position = self.damage("third line", "garbage")
        store, logged = self.opened()
        self.refused(store.search("#lobby", "line", 10))
        self.refused(store.search("#lobby", "li", 10))
        self.refused(store.recent("#lobby", None, 10))
        self.assertEqual(
            [formatEvent(event).split(",")[0] for event in logged if event["log_level"] >= LogLevel.warn],
            [
                "The --db file's table events holds a line of #lobby that is not JSON",
                f"The --db file's table events holds the row at position {position}",
            ],
        )

    def test_the_index_goes_past_a_line_of_no_json_and_indexes_the_lines_after_it(self) -> None:
        """A line not yet indexed whose body is not JSON, then a line said after it: the index takes the damaged one as
        a line of no words and goes on, so /search finds the later line by the index alone (a stalled index left it
        to the scan of what is not indexed, which reached the damaged row and failed every search of the room)."""
        with closing(sqlite3.connect(self.path)) as connection, connection:
            (position,) = connection.execute("SELECT max(position) + 1 FROM events").fetchone()
            connection.execute(INSERT, (position, "ffff", "said", "#lobby", 10, 10.0, "alice", "garbage"))
        store, logged = self.opened()
        store.append(said(11, "#lobby", "alice", "fresh words", 11))
        self.end_pass(store)
        caught_up(self.reactor, store)
        found = self.successResultOf(self.reactor.run_until(store.search("#lobby", "fresh", 10)))
        self.assertEqual([event.text for event in found.events if isinstance(event, Said)], ["fresh words"])
        with closing(sqlite3.connect(index_path(self.path))) as index:
            self.assertGreater(index.execute("SELECT indexed FROM progress").fetchone()[0], position)
        self.assertEqual([formatEvent(event) for event in logged if event["log_level"] >= LogLevel.warn], [])

    def test_lines_of_no_json_or_no_text_are_deleted_with_the_rest_when_their_time_is_up(self) -> None:
        """Two damaged lines, one not JSON and one JSON with no text: --retain-days deletes them with every other
        line past its time, and the index goes on (the delete's trigger failed on them, and every round with them)."""
        self.damage("third line", '{"type": "said"}')
        self.damage("second line", "garbage")
        store, logged = self.opened()
        deleted = self.successResultOf(self.reactor.run_until(store.prune(1000.0)))
        self.assertEqual(deleted, 4)
        caught_up(self.reactor, store)
        with closing(sqlite3.connect(self.path)) as connection:
            self.assertEqual(
                connection.execute(f"SELECT count(*) FROM events WHERE {LINE_KINDS}").fetchone(), (0,)
            )
        self.assertEqual([formatEvent(event) for event in logged if event["log_level"] >= LogLevel.warn], [])


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
                connection.execute(INSERT, _row(event.seq, event))
        store = open_store(self, self.path, self.reactor)
        self.assertEqual([event.id for event in store.restored], ["t2"])

    def test_writing_a_line_builds_no_temporary_table(self) -> None:
        """Inserting a row tests the restore index's condition in place (an IN list there built a table per row), and
        inserting a hundred reads them as they come (a co-routine), not from a table of them."""
        open_store(self, self.path, self.reactor)
        connection = sqlite3.connect(self.path)
        self.addCleanup(connection.close)
        row = _row(1, said(1, "#lobby", "alice", "hi", 1))
        for statement, arguments in ((INSERT, row), (INSERT_ROWS, row * ROWS_A_STATEMENT)):
            program = connection.execute(f"EXPLAIN {statement}", arguments)
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

    def test_a_version_12_database_gets_the_kicks_index_and_its_running_kicks_back(self) -> None:
        """A database from before the kicks' index is upgraded to it; a kick it holds whose wait still runs comes
        back at start, and one kept by a chatd that did not note whom it holds is left, holding nobody."""
        running = replace(kicked(990, "#dev", "carol", "boss", "", 1), id="k1")
        unheld = replace(running, id="k2", seq=2, nick="dave", person="")
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            prepare(connection, self.path, STEPS[:12])
            for event in (running, unheld):
                connection.execute(INSERT, _row(event.seq, event))
        self.reactor.advance(1000)
        store = open_store(self, self.path, self.reactor)
        self.assertEqual(list(store.restored), [running, unheld])
        with closing(sqlite3.connect(self.path)) as connection:
            self.assertEqual(connection.execute("PRAGMA user_version").fetchone(), (VERSION,))
            self.assertEqual(
                connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'kick_waits'"
                ).fetchall(),
                [("kick_waits",)],
            )

    def test_a_version_16_database_keeps_its_rooms_topics_and_notes_rooms_made_anew_from_then_on(
        self,
    ) -> None:
        """A database from before the note of where rooms were made anew is upgraded to hold it: each room's last
        topic comes back as before, for none has the note, until a join makes the room anew."""
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            prepare(connection, self.path, STEPS[:16])
            for position, event in enumerate(
                (
                    replace(topic_changed(1, "#dev", "alice", "old news", 1), id="t1"),
                    replace(topic_changed(2, "#ops", "bob", "ops", 1), id="t2"),
                ),
                1,
            ):
                connection.execute(INSERT, _row(position, event))
                connection.execute(pass_apply.LAST_SEQ, (event.room, event.seq))
        store = open_store(self, self.path, self.reactor)
        self.assertEqual([event.id for event in store.restored], ["t1", "t2"])
        store.append(joined(3, "#dev", "alice", 2, room_operator=True, made=True))
        self.assertEqual([event.id for event in self.reopened(store).restored], ["t2"])
        with closing(sqlite3.connect(self.path)) as connection:
            self.assertEqual(connection.execute("PRAGMA user_version").fetchone(), (VERSION,))
            self.assertEqual(
                connection.execute("SELECT room, made FROM rooms ORDER BY room").fetchall(),
                [("#dev", 3), ("#ops", None)],
            )

    def test_a_version_17_database_keeps_a_deleted_private_messages_text_for_the_index(self) -> None:
        """Upgraded from schema 17, a private message said plainly that is deleted leaves its text for the index to
        drop, as a line does; an encrypted one leaves none (the index never held its ciphertext)."""
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            prepare(connection, self.path, STEPS[:17])
        store = open_store(self, self.path, self.reactor)
        actor = Actor("alice", account="alice")
        store.append(Whispered(id="p1", at=1, actor=actor, to="bob", text="secret recipe", to_account="bob"))
        store.append(Encrypted(id="p2", at=2, actor=actor, to="bob", envelope="sealed", to_account="bob"))
        self.end_pass(store)
        self.reactor.run_until(store.stopService())
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            self.assertEqual(connection.execute("PRAGMA user_version").fetchone(), (VERSION,))
            connection.execute("DELETE FROM events")
            self.assertEqual(
                connection.execute("SELECT position, text FROM unindexed").fetchall(), [(1, "secret recipe")]
            )

    def test_a_version_18_database_keeps_deletions_from_then_on(self) -> None:
        """Upgraded from schema 18, its lines still read, a ``/delete`` deletes the line and keeps the deletion in
        the same transaction, and the deletion is read back after a restart."""
        line = replace(said(1, "#dev", "alice", "oops", 1), id=f"{1:016x}")
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            prepare(connection, self.path, STEPS[:18])
            connection.execute(INSERT, _row(1, line))
            connection.execute(pass_apply.LAST_SEQ, (line.room, line.seq))
        store = open_store(self, self.path, self.reactor)
        deletion = Deleted(
            id=f"{2:016x}", at=2, actor=Actor("alice"), room="#dev", line=line.id, line_seq=1, reason="typo"
        )
        store.append(deletion)
        self.end_pass(store)
        reopened = self.reopened(store)
        read = self.successResultOf(self.reactor.run_until(reopened.deletions("#dev", f"{2:016x}", 5)))
        self.assertEqual(list(read), [deletion])
        self.assertEqual(self.successResultOf(self.reactor.run_until(reopened.room_events("#dev", 0, 5))), [])
        with closing(sqlite3.connect(self.path)) as connection:
            self.assertEqual(connection.execute("PRAGMA user_version").fetchone(), (VERSION,))

    def test_a_newer_database_is_refused(self) -> None:
        """A file a newer chatd wrote is refused, naming --db and what to do."""
        self.reactor.run_until(open_store(self, self.path, self.reactor).stopService())
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
            f"--db {self.path} cannot be opened (No such file or directory); "
            "give a file in a directory the daemon may write.",
        )


def modes(directory: str) -> dict[str, str]:
    """Each file in ``directory`` by name, with its permission bits in octal."""
    return {
        name: oct(os.stat(os.path.join(directory, name)).st_mode & 0o777) for name in os.listdir(directory)
    }


class FileModeTests(StoreTestCase):
    """The files kept hold Argon2 hashes and addresses: whatever the umask, what chatd makes only its user reads."""

    def setUp(self) -> None:
        super().setUp()
        # The common umask, under which SQLite's own files come out readable by everyone (0644).
        self.addCleanup(os.umask, os.umask(0o022))

    def test_a_new_database_and_every_file_beside_it_are_readable_by_the_owner_only(self) -> None:
        """The --db file, its -wal and -shm, the pass log and the search index with its -wal and -shm are 0600."""
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#r", "alice", "hi", 1))
        self.end_pass(store)
        caught_up(self.reactor, store)
        stem = os.path.basename(self.path)
        made = modes(self.directory)
        kept = {stem, f"{stem}-wal", f"{stem}-shm", f"{stem}-passes", f"{stem}-search"}
        self.assertLessEqual(kept | {f"{stem}-search-wal", f"{stem}-search-shm"}, set(made))
        self.assertEqual(set(made.values()), {"0o600"}, made)

    def test_an_existing_database_keeps_its_mode(self) -> None:
        """A --db file the host made, and set to be read by a group, stays as they set it."""
        with closing(sqlite3.connect(self.path)):
            pass
        os.chmod(self.path, 0o640)
        open_store(self, self.path, self.reactor)
        self.assertEqual(modes(self.directory)[os.path.basename(self.path)], "0o640")


class SearchIndexTests(StoreTestCase):
    """The search index, in a file of its own, follows the lines kept: filled once they are committed, emptied
    as they are deleted, made again if it is lost; and a search finds what it has not read yet."""

    def search(self, store: SQLiteHistory, query: str) -> list[str]:
        read = store.search("#lobby", query, 20)
        self.end_pass(store)
        found = self.successResultOf(self.reactor.run_until(read))
        return [getattr(event, "text", "") for event in found.events]

    def caught_up(self, store: SQLiteHistory) -> None:
        caught_up(self.reactor, store)

    def indexed(self, index: str, query: str) -> int:
        """How many rows ``index`` holds for the FTS5 string ``query``, read from its file by another connection."""
        with closing(sqlite3.connect(index_path(self.path))) as connection:
            return int(
                connection.execute(
                    f"SELECT count(*) FROM {index} WHERE {index} MATCH ?", (query,)
                ).fetchone()[0]
            )

    def words(self, query: str) -> int:
        return self.indexed("line_words", query)

    def trigrams(self, query: str) -> int:
        return self.indexed("line_trigrams", query)

    def write_behind_its_back(self, *events: RoomEvent) -> None:
        """Commit ``events`` to the history by another connection: no commit of the store's tells the index."""
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            last = connection.execute("SELECT max(position) FROM events").fetchone()[0] or 0
            for position, event in enumerate(events, last + 1):
                connection.execute(INSERT, _row(position, event))

    def test_lines_of_a_version_1_database_are_indexed_once_started(self) -> None:
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
        self.caught_up(store)
        self.assertEqual(self.search(store, "cafe"), ["Un café, svp"])
        self.assertEqual(self.search(store, "wen3.6"), ["runs qwen3.6"])
        self.assertEqual((self.words('"cafe"'), self.trigrams('"caf"'), self.trigrams('"afe"')), (1, 1, 0))
        self.assertEqual((self.trigrams('"n3."'), self.words('"talk"'), self.trigrams('"tal"')), (1, 0, 0))

    def test_a_version_7_database_moves_its_index_to_a_file_of_its_own(self) -> None:
        """Upgraded from schema 7, where triggers filled the index in the history's file: the file keeps its
        lines and loses that index, the index file holds them, and the next line takes the next position."""
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            prepare(connection, self.path, STEPS[:7])
            for n, text in enumerate(("older release", "newer release"), 1):
                event = replace(said(n, "#lobby", "alice", text, n), id=f"e{n}")
                connection.execute(
                    "INSERT INTO events (id, kind, room, seq, at, nick, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    _row(n, event)[1:],
                )
            self.assertEqual(
                connection.execute("SELECT count(*) FROM line_words('release')").fetchone(), (2,)
            )
        store = open_store(self, self.path, self.reactor)
        store.append(said(3, "#lobby", "bob", "newest release", 3))
        self.end_pass(store)
        self.caught_up(store)
        self.assertEqual(self.search(store, "release"), ["newest release", "newer release", "older release"])
        self.assertEqual(self.words('"release"'), 3)
        with closing(sqlite3.connect(self.path)) as connection:
            self.assertEqual(connection.execute("SELECT max(position) FROM events").fetchone(), (3,))
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
        self.assertFalse({"line_words", "line_trigrams", "lines_indexed", "lines_unindexed"} & tables)

    def test_a_backup_put_back_under_an_index_ahead_of_it_is_indexed_again(self) -> None:
        """The host puts a backup back over the history, leaving the index that read further beside it: the index
        is made again at start, so a line said since, numbered where a lost one was, is found as a word."""
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "apple one", 1))
        self.end_pass(store)
        backup = f"{self.path}.backup"
        with closing(sqlite3.connect(self.path)) as live, closing(sqlite3.connect(backup)) as copy:
            live.backup(copy)
        store.append(said(2, "#lobby", "alice", "pear two", 2))
        store.append(said(3, "#lobby", "alice", "plum three", 3))
        self.end_pass(store)
        self.caught_up(store)
        self.reactor.run_until(store.stopService())
        for stale in (f"{self.path}-wal", f"{self.path}-shm"):
            if os.path.exists(stale):
                os.remove(stale)
        os.replace(backup, self.path)
        store = open_store(self, self.path, self.reactor)
        store.append(said(4, "#lobby", "bob", "cherry four", 4))
        self.end_pass(store)
        self.caught_up(store)
        self.assertEqual((self.words('"cherry"'), self.words('"pear"'), self.words('"apple"')), (1, 0, 1))
        self.assertEqual(self.search(store, "cherry"), ["cherry four"])

    def test_the_index_is_written_beside_the_commit_not_in_it(self) -> None:
        """A pass's lines are one commit of the history; the index then holds them, in its own file."""
        store = open_store(self, self.path, self.reactor)
        for n in range(1, 4):
            store.append(said(n, "#lobby", "alice", f"release {n}", n))
        self.end_pass(store)
        self.assertEqual(store.commits, 1)
        self.caught_up(store)
        self.assertEqual((self.words('"release"'), self.trigrams('"lea"')), (3, 3))

    def test_each_chunk_indexes_its_own_lines_once(self) -> None:
        """Lines read in chunk after chunk are in each index once: a chunk indexes its own lines and none of the
        chunks' before it, which it takes the text of out of their events once for both indexes."""
        store = open_store(self, self.path, self.reactor)
        for n in range(1, 4):
            store.append(said(n, "#lobby", "alice", f"release {n}", n))
            self.end_pass(store)
            self.caught_up(store)
        with closing(sqlite3.connect(index_path(self.path))) as connection:
            for index in ("line_words", "line_trigrams"):
                # FTS5's count of the rows written into the index, every write counted: the first varint of its
                # "averages" record (id 1 of %_data). A search cannot tell, as the newest of a row hides the others.
                (averages,) = connection.execute(f"SELECT block FROM {index}_data WHERE id = 1").fetchone()
                self.assertEqual(averages[0], 3)

    def test_the_indexer_checkpoints_the_history_and_the_writer_never_does(self) -> None:
        """A commit of more pages than SQLite's automatic checkpoint waits for leaves them all in the WAL, the
        file as it was; the indexer's chunk within CHECKPOINT_EVERY of its last checkpoint leaves them there
        too, and a chunk comes when one is due, with no more lines, and copies them into the file."""
        store = open_store(self, self.path, self.reactor)
        self.caught_up(store)
        checkpointed = self.reactor.seconds()
        size = os.path.getsize(self.path)
        for n in range(1, 5001):
            store.append(said(n, "#lobby", "alice", f"{n} " + "x" * 1000, n))
        self.end_pass(store)
        self.assertGreater(os.path.getsize(f"{self.path}-wal"), 1000 * 4096)
        # The last checkpoint came with the last chunk caught_up ran, a little before now.
        self.run_until(store, checkpointed + CHECKPOINT_EVERY - 2 * PAUSE)
        self.assertGreater(self.trigrams('"xxx"'), 0, "chunks ran")
        self.assertEqual(os.path.getsize(self.path), size)
        self.run_until(store, checkpointed + CHECKPOINT_EVERY + 2 * PAUSE)
        self.assertGreater(os.path.getsize(self.path), size + 5000 * 1000)

    def run_until(self, store: SQLiteHistory, when: float) -> None:
        """Let the reactor's time reach ``when`` a pause at a time, each chunk then due and its commits done."""
        while self.reactor.seconds() + PAUSE <= when:
            self.reactor.advance(PAUSE)
            if store.index.writing:
                self.reactor.run_from_thread()
            self.end_pass(store)

    def test_the_indexer_runs_nicer_than_the_chat(self) -> None:
        """The indexer's thread, alone of the daemon's, gives way to the others when the core is busy."""
        store = open_store(self, self.path, self.reactor)
        self.caught_up(store)
        niceness = {
            thread.name.rsplit("-", 1)[0]: os.getpriority(os.PRIO_PROCESS, thread.native_id or 0)
            for thread in threading.enumerate()
            if thread.name.startswith("PoolThread-chatd-")
        }
        ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        self.assertEqual(
            niceness,
            {
                "PoolThread-chatd-search-index": max(NICE, ours),
                "PoolThread-chatd-store-writer": ours,
                "PoolThread-chatd-store-reader": ours,
            },
        )

    def segments(self, index: str) -> int:
        """How many segments ``index`` has, from its file: a data row's id holds its segment's number
        above its low 37 bits (FTS5's file format); ids 1 and 10 are the averages and the structure."""
        with closing(sqlite3.connect(index_path(self.path))) as connection:
            query = f"SELECT count(DISTINCT id >> 37) FROM {index}_data WHERE id > 10"
            return int(connection.execute(query).fetchone()[0])

    def test_the_indexer_merges_the_segments_each_chunk_adds(self) -> None:
        """Each chunk the indexer reads is a segment of each index; having caught up, it merges them (FTS5
        alone would let 15 pile up), and what was found before is found after."""
        store = open_store(self, self.path, self.reactor)
        for n in range(1, 9):
            store.append(said(n, "#lobby", "alice", f"release {n}", n))
            self.end_pass(store)
            self.caught_up(store)
        self.assertLess(max(self.segments("line_words"), self.segments("line_trigrams")), 4)
        self.assertEqual(self.search(store, "release"), [f"release {n}" for n in range(8, 0, -1)])
        self.assertEqual(self.search(store, "leas"), [f"release {n}" for n in range(8, 0, -1)])

    def test_matches_behind_hundreds_of_others_come_newest_first(self) -> None:
        """The matching lines are the oldest of the room's 700, among another room's: found, newest first,
        before and after the index reads them, and by the scan of a two-letter query."""
        store = open_store(self, self.path, self.reactor)
        for n in range(1, 701):
            text = f"needle {n}" if n <= 100 and n % 4 == 0 else f"hay {n}"
            store.append(said(n, "#lobby", "alice", text, n))
            store.append(said(n, "#elsewhere", "bob", f"needle elsewhere {n}", n))
        self.end_pass(store)
        newest = [f"needle {n}" for n in range(100, 20, -4)]
        self.assertEqual(self.search(store, "needle"), newest)
        self.caught_up(store)
        self.assertEqual(self.search(store, "needle"), newest)
        self.assertEqual(self.search(store, "ne"), newest)

    def test_a_search_finds_lines_the_index_has_not_read(self) -> None:
        """Lines committed since the index last read the history are found by reading them, newest first."""
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "release one", 1))
        self.end_pass(store)
        self.caught_up(store)
        self.write_behind_its_back(
            said(2, "#lobby", "bob", "release two", 2), said(3, "#dev", "bob", "release 3", 3)
        )
        self.assertEqual(self.words('"release"'), 1)
        self.assertEqual(self.search(store, "release"), ["release two", "release one"])
        self.assertEqual(self.search(store, "leas"), ["release two", "release one"])

    def test_a_search_looks_at_the_trigrams_lines_hold_in_order(self) -> None:
        """The trigram index knows no order: a line holding a word's trigrams elsewhere is not an answer."""
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "abca cab", 1))
        store.append(said(2, "#lobby", "alice", "xabcab", 2))
        self.end_pass(store)
        self.caught_up(store)
        self.assertEqual(self.trigrams('"abc" "bca" "cab"'), 2)
        self.assertEqual(self.search(store, "abcab"), ["xabcab"])
        self.assertEqual(self.search(store, "bcab"), ["xabcab"])

    def test_a_deleted_line_leaves_both_indexes(self) -> None:
        """Deleting a line from events (as retention and /forget do, or a tool) takes it out of the index."""
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "forget this cafe", 1))
        store.append(said(2, "#lobby", "alice", "keep this cafe", 2))
        self.end_pass(store)
        self.caught_up(store)
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            connection.execute("DELETE FROM events WHERE seq = 1")
        self.assertEqual(self.search(store, "forget"), [])
        self.caught_up(store)
        self.assertEqual((self.words('"cafe"'), self.trigrams('"for"'), self.trigrams('"kee"')), (1, 0, 1))
        with closing(sqlite3.connect(self.path)) as connection:
            self.assertEqual(connection.execute("SELECT count(*) FROM unindexed").fetchone(), (0,))

    def private(self, store: SQLiteHistory, at: float, text: str, *, boxed: bool = False) -> None:
        """Append a private message from alice's account to bob's (``boxed``: end-to-end encrypted, ``text`` its
        ciphertext)."""
        actor, event_id = Actor("alice", account="alice"), f"p{int(at)}"
        if boxed:
            store.append(
                Encrypted(id=event_id, at=at, actor=actor, to="bob", envelope=text, to_account="bob")
            )
        else:
            store.append(Whispered(id=event_id, at=at, actor=actor, to="bob", text=text, to_account="bob"))

    def test_private_messages_said_plainly_are_indexed_and_leave_it_when_deleted(self) -> None:
        """A private message said plainly is in both indexes, an encrypted one's ciphertext in neither; deleted (as
        /forget, chatd.admin forget --private and --retain-days do), it leaves both once the index has caught up."""
        store = open_store(self, self.path, self.reactor)
        self.private(store, 1, "secret recipe")
        self.private(store, 2, "sealedcipher", boxed=True)
        self.private(store, 3, "another recipe")
        self.end_pass(store)
        self.caught_up(store)
        self.assertEqual(
            (self.words('"recipe"'), self.trigrams('"cre"'), self.trigrams('"sea" "led"')), (2, 1, 0)
        )
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            connection.execute("DELETE FROM events WHERE id = 'p1'")
        self.caught_up(store)
        self.assertEqual((self.words('"recipe"'), self.words('"secret"'), self.trigrams('"cre"')), (1, 0, 0))
        with closing(sqlite3.connect(self.path)) as connection:
            self.assertEqual(connection.execute("SELECT count(*) FROM unindexed").fetchone(), (0,))

    def test_an_index_from_before_private_messages_is_made_again(self) -> None:
        """An index file of version 3, which held no private message, is made again at start: the private messages
        kept are in it once it has caught up."""
        store = open_store(self, self.path, self.reactor)
        self.private(store, 1, "secret recipe")
        self.end_pass(store)
        self.caught_up(store)
        self.reactor.run_until(store.stopService())
        with closing(sqlite3.connect(index_path(self.path), isolation_level=None)) as connection:
            for index in ("line_words", "line_trigrams"):
                connection.execute(f"INSERT INTO {index} ({index}) VALUES ('delete-all')")
            connection.execute("PRAGMA user_version = 3")
        self.assertEqual(self.words('"recipe"'), 0)
        store = open_store(self, self.path, self.reactor)
        self.caught_up(store)
        self.assertEqual(self.words('"recipe"'), 1)

    def test_a_deleted_line_of_another_script_leaves_the_word_index(self) -> None:
        """A line whose words the index holds folded (Greek, its accents off) is taken out of it as it went in: the
        deleted line's words are gone, the kept line's found, by its words without their accents."""
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "Γειά forget", 1))
        store.append(said(2, "#lobby", "alice", "Γειά keep", 2))
        self.end_pass(store)
        self.caught_up(store)
        self.assertEqual(self.words('"γεια"'), 2)
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            connection.execute("DELETE FROM events WHERE seq = 1")
        self.caught_up(store)
        self.assertEqual((self.words('"γεια"'), self.words('"forget"'), self.words('"keep"')), (1, 0, 1))
        self.assertEqual(self.search(store, "ΓΕΙΑ"), ["Γειά keep"])

    def test_a_position_is_never_used_twice(self) -> None:
        """The last line deleted, the next one written (before a restart and after) takes a new position."""
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "first", 1))
        self.end_pass(store)
        self.successResultOf(self.reactor.run_until(store.forget("alice", 0.0)))
        store.append(said(2, "#lobby", "bob", "second", 2))
        self.end_pass(store)
        store = self.reopened(store)
        self.successResultOf(self.reactor.run_until(store.forget("bob", 0.0)))
        store = self.reopened(store)
        store.append(said(3, "#lobby", "carol", "third", 3))
        self.end_pass(store)
        with closing(sqlite3.connect(self.path)) as connection:
            self.assertEqual(connection.execute("SELECT position FROM events").fetchall(), [(3,)])
        self.caught_up(store)
        self.assertEqual((self.words('"third"'), self.words('"first" OR "second"')), (1, 0))

    def test_a_lost_or_damaged_index_is_made_again(self) -> None:
        """Without its index file, or with one that is not an index, the store starts and indexes its lines again."""
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "remember me", 1))
        self.end_pass(store)
        self.reactor.run_until(store.stopService())
        for damaged in (b"", b"not a database at all" * 500):
            if damaged:
                with open(index_path(self.path), "wb") as file:
                    file.write(damaged)
            else:
                os.remove(index_path(self.path))
            store = open_store(self, self.path, self.reactor)
            self.caught_up(store)
            self.assertEqual(self.words('"remember"'), 1)
            self.reactor.run_until(store.stopService())

    def test_the_unread_lines_are_found_by_position_not_by_room(self) -> None:
        """Reading the lines the index has not read walks the newest positions (below a search's period's end), not a
        busy room's whole history."""
        open_store(self, self.path, self.reactor)
        with closing(sqlite3.connect(self.path)) as connection:
            connection.execute("ATTACH DATABASE ? AS search", (index_path(self.path),))
            plan = connection.execute(f"EXPLAIN QUERY PLAN {_TAIL}", (0, 10, 99, "#lobby")).fetchall()
        self.assertIn(
            "SEARCH events USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)", [row[-1] for row in plan]
        )


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
        self.assertLessEqual(len(self.successResultOf(self.reactor.run_until(read)).events), 1)


class RecentLinesTests(StoreTestCase):
    """A room's last lines come from memory once read (chatd.storage.recent), and are always the file's."""

    def say(
        self, store: SQLiteHistory, first: int, last: int, room: str = "#Lobby", nick: str = "alice"
    ) -> None:
        """Lines ``first`` to ``last`` of ``room`` (its seq and time the line's number), each its own id."""
        for n in range(first, last + 1):
            store.append(replace(said(n, room, nick, f"line {n}", n), id=f"{room}{n}"))

    def latest(self, store: SQLiteHistory, before: int | None = None, limit: int = 20) -> list[str]:
        """The texts of the last ``limit`` lines of #lobby below ``before``, once the store has answered."""
        read = store.recent("#lobby", before, limit)
        self.end_pass(store)
        return [getattr(event, "text", "") for event in self.successResultOf(self.reactor.run_until(read))]

    def counted(self, store: SQLiteHistory) -> list[object]:
        """The reads ``store`` makes of its file from now on, one entry each."""
        reads: list[object] = []
        read = store.read

        def counting(*args: Any) -> Any:
            reads.append(args)
            return read(*args)

        store.read = counting  # type: ignore[method-assign, assignment]
        return reads

    def from_file(self, store: SQLiteHistory, before: int | None = None, limit: int = 20) -> list[str]:
        """What a restart on ``store``'s file gives for the same read: the file's own lines."""
        return self.latest(self.reopened(store), before, limit)

    def test_after_one_read_the_last_lines_are_answered_at_once_with_those_not_yet_written(self) -> None:
        """A replay after the first reads nothing: it answers in the same pass, lines appended meanwhile included."""
        store = open_store(self, self.path, self.reactor)
        self.say(store, 1, 30)
        self.assertEqual(self.latest(store, limit=3), ["line 28", "line 29", "line 30"])
        self.say(store, 31, 32)
        store.append(joined(33, "#lobby", "bob", 33))
        now = self.successResultOf(store.recent("#lobby", 33, 3))
        self.assertTrue(store.writing)
        self.assertEqual([getattr(event, "text", "") for event in now], ["line 30", "line 31", "line 32"])
        self.assertEqual(self.from_file(store, 33, 3), ["line 30", "line 31", "line 32"])

    def test_joiners_after_the_first_share_one_answer_until_a_line_comes(self) -> None:
        """Replays before each join (its seq rising) are one answer, kept; a line said, or another count, is a new one."""
        store = open_store(self, self.path, self.reactor)
        self.say(store, 1, 30)
        self.latest(store, limit=3)
        store.append(joined(31, "#lobby", "bob", 31))
        first = self.successResultOf(store.recent("#lobby", 31, 3))
        store.append(joined(32, "#lobby", "carol", 32))
        self.assertIs(self.successResultOf(store.recent("#lobby", 32, 3)), first)
        self.assertEqual(len(self.successResultOf(store.recent("#lobby", 32, 2))), 2)
        self.say(store, 33, 33)
        again = self.successResultOf(store.recent("#lobby", 34, 3))
        self.assertEqual([getattr(event, "text", "") for event in again], ["line 29", "line 30", "line 33"])
        self.assertEqual(
            [getattr(event, "text", "") for event in self.successResultOf(store.recent("#lobby", 33, 3))],
            ["line 28", "line 29", "line 30"],
        )

    def test_lines_appended_while_the_first_read_runs_come_once_each_in_order(self) -> None:
        """The lines said between asking for a room's first read and its answer join it, none twice, none missing."""
        store = open_store(self, self.path, self.reactor)
        self.say(store, 1, 10)
        first = store.recent("#lobby", None, 5)
        self.reactor.advance(0)
        self.say(store, 11, 12)
        self.reactor.advance(0)
        self.say(store, 13, 13)
        self.successResultOf(self.reactor.run_until(first))
        self.assertEqual(self.latest(store, limit=6), [f"line {n}" for n in range(8, 14)])
        self.assertEqual(self.from_file(store, limit=6), [f"line {n}" for n in range(8, 14)])

    def test_who_asks_while_the_first_read_runs_waits_for_it_and_reads_nothing(self) -> None:
        """Joiners arriving while a room's first read runs are answered from it, the lines said meanwhile included."""
        store = open_store(self, self.path, self.reactor)
        self.say(store, 1, 10)
        reads = self.counted(store)
        first = store.recent("#lobby", None, 8)
        self.reactor.advance(0)
        self.say(store, 11, 11)
        second = store.recent("#lobby", None, 3)
        third = store.recent("#lobby", 5, 2)
        self.assertNoResult(second)
        answers = [self.successResultOf(self.reactor.run_until(each)) for each in (first, second, third)]
        self.assertEqual(
            [[getattr(event, "text", "") for event in answer] for answer in answers],
            [[f"line {n}" for n in range(4, 12)], ["line 9", "line 10", "line 11"], ["line 3", "line 4"]],
        )
        self.assertEqual(len(reads), 1)

    def test_a_first_read_reads_what_it_asks_for_and_a_longer_page_reads_the_file(self) -> None:
        """After a restart a replay's first read decodes its 20 lines, not 100; a page of 50 then reads the file."""
        store = open_store(self, self.path, self.reactor)
        self.say(store, 1, 150)
        reads = self.counted(store)
        self.assertEqual(self.latest(store, limit=20), [f"line {n}" for n in range(131, 151)])
        self.assertEqual(self.latest(store, limit=20), [f"line {n}" for n in range(131, 151)])
        self.assertEqual(len(reads), 1)
        self.assertEqual(self.latest(store, limit=50), [f"line {n}" for n in range(101, 151)])
        self.assertEqual(len(reads), 2)
        self.say(store, 151, 151)
        self.assertEqual(self.latest(store, limit=21), [f"line {n}" for n in range(131, 152)])
        self.assertEqual(len(reads), 2)

    def test_a_page_further_back_than_memory_holds_is_read_from_the_file(self) -> None:
        """Memory keeps a room's last 100 lines; /history before them reads the file, and gets the same lines."""
        store = open_store(self, self.path, self.reactor)
        self.say(store, 1, 250)
        self.assertEqual(self.latest(store, limit=100), [f"line {n}" for n in range(151, 251)])
        self.say(store, 251, 260)
        expected = [f"line {n}" for n in range(141, 161)]
        self.assertEqual(self.latest(store, 161, 20), expected)
        self.assertEqual(self.latest(store, None, 100), [f"line {n}" for n in range(161, 261)])
        self.assertEqual(self.from_file(store, 161, 20), expected)

    def test_a_quiet_room_is_whole_in_memory(self) -> None:
        """A room with fewer lines than memory keeps answers from memory that there is nothing older."""
        store = open_store(self, self.path, self.reactor)
        self.say(store, 1, 3)
        self.assertEqual(self.latest(store, limit=5), ["line 1", "line 2", "line 3"])
        self.assertEqual(self.successResultOf(store.recent("#lobby", 2, 5))[0].seq, 1)
        self.assertEqual(self.from_file(store, 2, 5), ["line 1"])

    def test_forgotten_and_pruned_lines_leave_memory_too(self) -> None:
        """/forget and --retain-days delete lines from memory as from the file."""
        store = open_store(self, self.path, self.reactor)
        self.say(store, 1, 5)
        self.say(store, 6, 8, nick="bob")
        self.assertEqual(len(self.latest(store)), 8)
        self.reactor.run_until(store.forget("BOB", 0.0))
        self.assertEqual(self.latest(store), [f"line {n}" for n in range(1, 6)])
        self.reactor.advance(0)
        self.reactor.run_until(store.prune(4))
        self.assertEqual(self.latest(store), ["line 4", "line 5"])
        self.assertEqual(self.from_file(store), ["line 4", "line 5"])

    def test_lines_another_program_deletes_leave_memory_at_the_next_write(self) -> None:
        """python -m chatd.admin forget on the live file: the store reads the room again once it next writes."""
        store = open_store(self, self.path, self.reactor)
        self.say(store, 1, 4)
        self.say(store, 5, 6, nick="mallory")
        self.assertEqual(len(self.latest(store)), 6)
        with closing(sqlite3.connect(self.path)) as admin, admin:
            admin.execute("DELETE FROM events WHERE nick = 'mallory'")
        store.append(joined(7, "#lobby", "bob", 7))
        self.end_pass(store)
        self.assertEqual(self.latest(store), [f"line {n}" for n in range(1, 5)])

    def test_past_the_bound_the_room_read_least_recently_is_read_again_from_the_file(self) -> None:
        """Past ``ROOMS`` rooms read, the one read least recently leaves memory: its next replay reads the file, lines
        said while it was out included; the one read again meanwhile stays."""
        store = open_store(self, self.path, self.reactor)
        self.say(store, 1, 3)
        self.say(store, 1, 1, room="#kept")
        self.assertEqual(self.latest(store), ["line 1", "line 2", "line 3"])
        self.successResultOf(self.reactor.run_until(store.recent("#kept", None, 20)))
        for n in range(ROOMS - 2):
            self.reactor.run_until(store.recent(f"#r{n}", None, 20))
        self.successResultOf(self.reactor.run_until(store.recent("#kept", None, 20)))
        self.reactor.run_until(store.recent("#past", None, 20))
        self.say(store, 4, 4)
        reads = self.counted(store)
        self.successResultOf(self.reactor.run_until(store.recent("#kept", None, 20)))
        self.assertEqual(len(reads), 0)
        self.assertEqual(self.latest(store), ["line 1", "line 2", "line 3", "line 4"])
        self.assertEqual(len(reads), 1)
        self.assertEqual(self.latest(store), ["line 1", "line 2", "line 3", "line 4"])
        self.assertEqual(len(reads), 1)

    def test_a_write_that_fails_leaves_memory_as_the_file(self) -> None:
        """Lines whose transaction failed are not kept, so memory forgets them too."""
        store = open_store(self, self.path, self.reactor)
        self.say(store, 1, 3)
        self.assertEqual(len(self.latest(store)), 3)
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'full'); END"
            )
        self.say(store, 4, 4)
        self.end_pass(store)
        self.flushLoggedErrors(sqlite3.IntegrityError)
        self.assertEqual(self.latest(store), ["line 1", "line 2", "line 3"])


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
    """Make a chatd database at ``path`` holding some lines, then overwrite the first page of its events with noise."""
    reactor = ThreadedReactor()
    store = SQLiteHistory.open(path, reactor)
    store.startService()
    for n in range(1, 301):
        store.append(said(n, "#lobby", "alice", "x" * 100, n))
    reactor.advance(0)
    reactor.run_until(store.stopService())
    with closing(sqlite3.connect(path)) as connection:
        (root,) = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'events'").fetchone()
    data = bytearray(_read(path))
    data[(root - 1) * 4096 : root * 4096] = b"\xff" * 4096
    with open(path, "wb") as file:
        file.write(data)


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


class ForgetTests(StoreTestCase):
    """``forget`` finds the lines on the reader thread, one forget at a time, and deletes them on the writer."""

    def busy_writer(self, store: SQLiteHistory) -> threading.Event:
        """Keep ``store``'s writer thread busy, as a long commit would, until the event returned is set."""
        free = threading.Event()
        self.addCleanup(free.set)
        store._writing.callInThread(free.wait)
        return free

    def forgot(self, store: SQLiteHistory, nick: str) -> list[object]:
        """A list that will hold the result of ``store.forget(nick)``, asked now."""
        answer: list[object] = []
        store.forget(nick, 0.0).addBoth(answer.append)
        return answer

    def settled(self, answer: list[object]) -> list[object]:
        """Run calls from threads until ``answer`` (filled by a Deferred's callbacks) holds the result."""
        while not answer:
            self.reactor.run_from_thread()
        return answer

    def test_the_lines_to_forget_are_found_while_the_writer_is_busy(self) -> None:
        """The search of what a nickname sent goes on while the writer is busy, so commits never wait for it: a
        nickname that sent nothing is answered with the writer still busy, one that did once its deletes are.

        It ran on the writer thread (every line kept read, a Python fold
        each), so a loop of /forget confirm held others' commits (their
        /register) for 30 seconds at 300,000 events.
        """
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "forget this", 1))
        store.append(said(2, "#lobby", "bob", "keep this", 2))
        self.end_pass(store)
        free = self.busy_writer(store)
        self.assertEqual(self.settled(self.forgot(store, "carol")), [0])
        alice = self.forgot(store, "ALICE")
        self.reactor.run_until(store.read(lambda _: None))
        self.assertEqual(alice, [])
        free.set()
        self.assertEqual(self.settled(alice), [1])
        with closing(sqlite3.connect(self.path)) as connection:
            self.assertEqual(connection.execute("SELECT nick FROM events").fetchall(), [("bob",)])

    def test_one_forget_at_a_time(self) -> None:
        """A second forget starts once the first is done: its search waits behind the first's deletes."""
        store = open_store(self, self.path, self.reactor)
        store.append(said(1, "#lobby", "alice", "forget this", 1))
        self.end_pass(store)
        free = self.busy_writer(store)
        first, second = self.forgot(store, "alice"), self.forgot(store, "nobody")
        # The reader answers in order: what was asked of it before this has been answered when this is.
        self.reactor.run_until(store.read(lambda _: None))
        self.assertEqual((first, second), ([], []))
        free.set()
        self.assertEqual((self.settled(first), self.settled(second)), ([1], [0]))
