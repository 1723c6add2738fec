"""Writes that keep failing (a full disk under ``--db``): told to the host once as they begin and once as they end."""

import os
import resource
import signal
import sqlite3
import tempfile
from contextlib import closing

from twisted.internet.task import Clock
from twisted.internet.testing import EventLoggingObserver
from twisted.logger import ILogObserver, LogEvent, Logger, LogLevel, formatEvent, globalLogPublisher
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase
from zope.interface import implementer

from chatd.failures import no_room, not_kept, reason
from chatd.storage import pass_log
from chatd.storage.claim import Claim
from chatd.storage.database_file import DatabaseFileError, prepare
from chatd.storage.outage import SETTLED, Outage
from chatd.storage.pass_log import log_path
from chatd.storage.schema import STEPS
from chatd.storage.search_file import index_path, unmade
from chatd.storage.sqlite import SQLiteHistory
from chatd.storage.sqlite_open import read_at_start
from tests.events import said
from tests.test_history import caught_up, open_store, read_seq
from tests.test_sqlite import LoggedStoreTestCase


def full_disk_error() -> OSError:
    """What the kernel says to a write on a full disk: a write to ``/dev/full``."""
    try:
        with open("/dev/full", "wb") as full:
            full.write(b"x")
    except OSError as error:
        return error
    raise AssertionError("/dev/full took a write")


def full_database_error() -> sqlite3.Error:
    """What SQLite says when its file can grow no more: a table written past ``max_page_count``."""
    directory = tempfile.mkdtemp()
    try:
        with closing(sqlite3.connect(os.path.join(directory, "full.sqlite"))) as connection:
            connection.execute("CREATE TABLE t (x BLOB)")
            connection.execute("PRAGMA max_page_count = 3")
            try:
                connection.execute("INSERT INTO t VALUES (zeroblob(100000))")
            except sqlite3.Error as error:
                return error
    finally:
        for name in os.listdir(directory):
            os.remove(os.path.join(directory, name))
        os.rmdir(directory)
    raise AssertionError("SQLite took the write")


def failure_of(error: BaseException) -> Failure:
    try:
        raise error
    except BaseException:
        return Failure()


@implementer(ILogObserver)
class Lines:
    """What a ``Logger`` of its own writes: each event's level and text, and whether it carries a traceback."""

    def __init__(self) -> None:
        self.events: list[LogEvent] = []

    def __call__(self, event: LogEvent) -> None:
        self.events.append(event)

    def read(self) -> list[tuple[LogLevel, str, bool]]:
        read = [(event["log_level"], formatEvent(event), "log_failure" in event) for event in self.events]
        self.events.clear()
        return read


class NoRoomTests(SynchronousTestCase):
    def test_a_full_disk_and_a_full_database_are_no_room(self) -> None:
        """ENOSPC from the kernel and SQLITE_FULL from SQLite say the disk has no room; a constraint does not."""
        self.assertTrue(no_room(full_disk_error()))
        self.assertTrue(no_room(full_database_error()))
        self.assertFalse(no_room(sqlite3.IntegrityError("UNIQUE constraint failed: t.x")))
        self.assertFalse(no_room(OSError(5, "Input/output error")))

    def test_a_user_reads_a_full_disk_as_such_and_anything_else_as_the_server_s_trouble(self) -> None:
        """What a user is told of something of theirs not kept: a full disk, either way, says so; a constraint or
        another error is the server's trouble, in words that name nothing of its files."""
        self.assertEqual(not_kept(full_disk_error()), "the server's disk is full")
        self.assertEqual(not_kept(full_database_error()), "the server's disk is full")
        self.assertEqual(not_kept(sqlite3.IntegrityError("refused")), "the server could not store it")

    def test_the_reason_is_the_system_s_or_sqlite_s_words(self) -> None:
        """The reason a line gives is what the system or SQLite says, without Python's decoration."""
        self.assertEqual(reason(full_disk_error()), "No space left on device")
        self.assertEqual(reason(full_database_error()), "database or disk is full")


class OutageTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.lines = Lines()
        self.clock = Clock()
        self.outage = Outage(
            Logger(namespace="test", observer=self.lines),
            self.clock,
            "Could not write ({why})",
            "Written again after {failures} ({lost} lost)",
        )

    def test_a_full_disk_is_one_line_then_its_end(self) -> None:
        """However many writes a full disk refuses, the host reads one line as it begins, with no traceback, and
        one once writes have succeeded for SETTLED seconds after it, with how many failed and what they held."""
        for _ in range(3):
            self.outage.failed(failure_of(full_disk_error()), amount=2)
        self.assertEqual(
            self.lines.read(), [(LogLevel.error, "Could not write (No space left on device)", False)]
        )
        self.outage.succeeded()
        self.clock.advance(SETTLED / 2)
        self.outage.succeeded()
        self.clock.advance(SETTLED / 2 - 1)
        self.assertEqual(self.lines.read(), [])
        self.clock.advance(1)
        self.assertEqual(
            self.lines.read(), [(LogLevel.info, "Written again after 3 failures (6 events lost)", False)]
        )
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_writes_that_take_turns_failing_are_one_outage(self) -> None:
        """A nearly full disk that fails every other write is one line as it begins, and no line of its end while
        writes fail: a failure within SETTLED seconds of a success starts the wait again, and is counted."""
        for _ in range(5):
            self.outage.failed(failure_of(full_disk_error()), amount=1)
            self.clock.advance(1)
            self.outage.succeeded()
            self.clock.advance(SETTLED - 1)
        self.assertEqual(
            self.lines.read(), [(LogLevel.error, "Could not write (No space left on device)", False)]
        )
        self.clock.advance(1)
        self.assertEqual(
            self.lines.read(), [(LogLevel.info, "Written again after 5 failures (5 events lost)", False)]
        )

    def test_a_close_says_the_end_of_an_outage_whose_writes_went_through(self) -> None:
        """Closed (the store stops) before SETTLED seconds are up, an outage whose last write succeeded is said to
        be over at once; one whose last write failed is not, and nothing is left on the clock."""
        self.outage.failed(failure_of(full_disk_error()))
        self.outage.succeeded()
        self.outage.close()
        self.assertEqual(
            self.lines.read()[1:], [(LogLevel.info, "Written again after 1 failure (0 events lost)", False)]
        )
        self.outage.failed(failure_of(full_disk_error()))
        self.outage.close()
        self.assertEqual(
            self.lines.read(), [(LogLevel.error, "Could not write (No space left on device)", False)]
        )
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_another_failure_keeps_its_traceback_once(self) -> None:
        """A failure that is no full disk (damage, a bug) is logged once with its traceback, for the host to read."""
        for _ in range(2):
            self.outage.failed(failure_of(OSError(5, "Input/output error")))
        self.assertEqual(
            self.lines.read(), [(LogLevel.critical, "Could not write (Input/output error)", True)]
        )

    def test_a_new_trouble_after_the_end_is_told_again(self) -> None:
        """Once the end was told, the next failure begins a new trouble, told as the first was."""
        self.outage.failed(failure_of(full_disk_error()))
        self.outage.succeeded()
        self.clock.advance(SETTLED)
        self.lines.read()
        self.outage.failed(failure_of(full_disk_error()))
        self.assertEqual(
            self.lines.read(), [(LogLevel.error, "Could not write (No space left on device)", False)]
        )


class StoreTroubleTests(LoggedStoreTestCase):
    """The store's writes failing pass after pass, as on a full disk: the pass log's, the commits', the index's."""

    def setUp(self) -> None:
        super().setUp()
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        self.observed = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def alarms(self) -> list[str]:
        """The lines of warning level or above logged so far, as read."""
        return [formatEvent(event) for event in self.observed if event["log_level"] >= LogLevel.warn]

    def notes(self) -> list[str]:
        """The info lines the store logged so far, as read."""
        return [
            formatEvent(event)
            for event in self.observed
            if event["log_level"] == LogLevel.info and event["log_namespace"].startswith("chatd.storage")
        ]

    def passes(self, store: SQLiteHistory, texts: list[str]) -> None:
        """Each text said in a pass of its own, logged and committed."""
        for number, text in enumerate(texts, read_seq(self.reactor, store, "#lobby") + 1):
            store.append(said(number, "#lobby", "alice", text, number))
            self.end_pass(store)

    def test_commits_refused_pass_after_pass_are_told_once_then_their_end(self) -> None:
        """Three passes whose commits the file refuses are one line for the host, and the first commit kept after
        them one more, saying how many events were not kept."""
        store = self.opened()
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'no room'); END"
            )
        self.passes(store, ["one", "two", "three"])
        self.flushLoggedErrors(sqlite3.IntegrityError)
        self.assertEqual(
            self.alarms(),
            [
                "Could not write to the --db file (no room): what the chat does is not kept until a write succeeds; "
                "further failures are counted, not logged"
            ],
        )
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute("DROP TRIGGER refuse")
        self.passes(store, ["four"])
        self.assertEqual(self.notes(), [])
        self.reactor.advance(SETTLED)
        self.assertEqual(
            self.notes(), ["The --db file is written again; of 3 failed writes, 3 events not kept"]
        )
        self.assertEqual(self.latest(store), ["four"])

    def test_a_store_stopping_says_the_end_of_an_outage_its_commits_got_over(self) -> None:
        """A store that stops before SETTLED seconds are up, its last commits kept, says the outage is over as it
        stops, rather than leaving the host's log at its beginning."""
        store = self.opened()
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'no room'); END"
            )
        self.passes(store, ["lost"])
        self.flushLoggedErrors(sqlite3.IntegrityError)
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute("DROP TRIGGER refuse")
        self.passes(store, ["kept"])
        self.reactor.run_until(store.stopService())
        self.assertEqual(
            self.notes(), ["The --db file is written again; of 1 failed write, 1 event not kept"]
        )

    def test_commits_refused_every_other_pass_are_one_outage(self) -> None:
        """A file that refuses every other pass's commit (a disk nearly full) is one line for the host as it
        begins, not a pair of lines each time a commit goes through; its end is one line more, once commits have
        gone through for SETTLED seconds, counting every failure since the first."""
        store = self.opened()
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON events WHEN new.body ->> '$.text' LIKE 'lost%' "
                "BEGIN SELECT RAISE(ABORT, 'no room'); END"
            )
        for number in range(3):
            self.passes(store, [f"lost {number}", f"kept {number}"])
            self.reactor.advance(SETTLED / 2)
        self.flushLoggedErrors(sqlite3.IntegrityError)
        self.assertEqual(len(self.alarms()), 1)
        self.assertEqual(self.notes(), [])
        self.reactor.advance(SETTLED / 2)
        self.assertEqual(
            self.notes(), ["The --db file is written again; of 3 failed writes, 3 events not kept"]
        )
        self.assertEqual(self.latest(store), ["kept 0", "kept 1", "kept 2"])

    def test_index_chunks_refused_are_told_once_then_their_end(self) -> None:
        """The search index's chunks refused again and again are one line, and the first one written one more."""
        store = self.opened()
        with closing(sqlite3.connect(index_path(self.path))) as other, other:
            other.execute(
                "CREATE TRIGGER refuse BEFORE UPDATE ON progress BEGIN SELECT RAISE(ABORT, 'no room'); END"
            )
        for text in ("one", "two", "three"):
            self.passes(store, [text])
            caught_up(self.reactor, store)
        self.flushLoggedErrors(sqlite3.IntegrityError)
        self.assertEqual(
            self.alarms(),
            [
                "Could not bring the search index up to date (no room): /search reads the lines it has not indexed "
                "until it can; further failures are counted, not logged"
            ],
        )
        with closing(sqlite3.connect(index_path(self.path))) as other, other:
            other.execute("DROP TRIGGER refuse")
        caught_up(self.reactor, store)
        self.reactor.advance(SETTLED)
        self.assertEqual(self.notes(), ["The search index is written again, after 3 failed chunks"])

    def test_a_pass_log_the_disk_cuts_short_is_told_once_then_its_end(self) -> None:
        """Passes whose records the disk cuts short (the file size limit, as a full disk does) are one line
        saying there is no room, without a traceback, and the first record written after them one more."""
        store = self.opened()
        store.commit_every = 3600  # nothing is committed meanwhile: only the pass log is written
        limits = resource.getrlimit(resource.RLIMIT_FSIZE)
        handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(log_path(self.path)) + 20, limits[1]))
        try:
            for number in range(1, 4):
                store.append(said(number, "#lobby", "alice", f"line {number}", number))
                self.reactor.advance(0)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, limits)
            signal.signal(signal.SIGXFSZ, handler)
        [alarm] = [event for event in self.observed if event["log_level"] >= LogLevel.warn]
        self.assertEqual(
            (alarm["log_level"], "log_failure" in alarm),
            (LogLevel.error, False),
        )
        self.assertRegex(
            formatEvent(alarm),
            r"^Could not write to the --db file's pass log \(No room on the disk: the pass log took \d+ of \d+ "
            r"bytes\): what is shown until it is written again would be lost by a crash; further failures are "
            r"counted, not logged$",
        )
        store.append(said(4, "#lobby", "alice", "line 4", 4))
        self.reactor.advance(0)
        self.reactor.advance(SETTLED)
        self.assertEqual(self.notes(), ["The --db file's pass log is written again, after 3 failed writes"])


class FullAtStartTests(LoggedStoreTestCase):
    """A full disk met by a start, as it commits the pass log a ``kill -9`` left: one sentence for the host saying so."""

    def test_a_full_disk_while_the_pass_log_is_applied_stops_the_start_saying_so(self) -> None:
        """The disk full as a start commits what the pass log holds (the file may grow no more: SQLite's
        max_page_count, its SQLITE_FULL) is one sentence naming --db and the full disk, not a damaged file to restore
        from a backup, which would lose those lines; the log is left as it was, and the start once there is room
        commits it."""
        store = self.opened()
        store.commit_every = 3600
        for number in range(1, 101):
            store.append(said(number, "#lobby", "alice", f"line {number} " + "x" * 500, number))
        self.reactor.advance(0)
        killed = self.killed()
        with open(log_path(killed), "rb") as log:
            logged = log.read()
        writer = sqlite3.connect(killed, isolation_level=None, check_same_thread=False)
        (pages,) = writer.execute("PRAGMA page_count").fetchone()
        writer.execute(f"PRAGMA max_page_count = {pages}")
        claim = Claim.take(killed)
        assert claim is not None
        try:
            error = self.assertRaises(
                DatabaseFileError, read_at_start, killed, self.reactor, writer, claim, SQLiteHistory.log
            )
        finally:
            writer.close()
            claim.release()
        self.assertEqual(
            str(error),
            f"--db {killed} cannot be written, its disk is full (database or disk is full); free space on it and "
            "start again.",
        )
        with open(log_path(killed), "rb") as log:
            self.assertEqual(log.read(), logged)
        reopened = open_store(self, killed, self.reactor)
        self.assertEqual(read_seq(self.reactor, reopened, "#lobby"), 100)

    def test_a_pass_log_the_full_disk_keeps_from_emptying_stops_the_start_saying_so(self) -> None:
        """The kernel's ENOSPC on the pass log as a start empties it is the full disk's sentence too, naming --db."""
        self.assertEqual(
            pass_log.unreadable(self.path, full_disk_error()),
            f"--db {self.path} cannot be written, its disk is full (No space left on device); free space on it and "
            "start again.",
        )

    def test_a_pass_log_or_search_index_the_full_disk_keeps_from_being_made_stops_the_start_saying_so(
        self,
    ) -> None:
        """ENOSPC as a start makes the pass log or the search index beside --db is the full disk's sentence too: a
        directory the daemon may write, which those said before, is not what the host needs."""
        full = (
            f"--db {self.path} cannot be written, its disk is full (No space left on device); free space on it and "
            "start again."
        )
        self.assertEqual(pass_log.unwritable(self.path, full_disk_error()), full)
        self.assertEqual(unmade(self.path, full_disk_error()), full)

    def test_a_full_disk_while_the_file_is_upgraded_stops_the_start_saying_so(self) -> None:
        """An older chatd's file the disk has no room to upgrade (SQLite's max_page_count) is the full disk's
        sentence, and stays as it was: the start once there is room upgrades it."""
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            prepare(connection, self.path, STEPS[:9])
            (pages,) = connection.execute("PRAGMA page_count").fetchone()
            connection.execute(f"PRAGMA max_page_count = {pages}")
            error = self.assertRaises(DatabaseFileError, prepare, connection, self.path)
            self.assertEqual(connection.execute("PRAGMA user_version").fetchone(), (9,))
        self.assertEqual(
            str(error),
            f"--db {self.path} cannot be written, its disk is full (database or disk is full); free space on it and "
            "start again.",
        )
        open_store(self, self.path, self.reactor)
