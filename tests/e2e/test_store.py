"""The real daemon with its SQLite file: a kill -9 loses no line anyone saw, nor a ban; a bad file stops the start."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import replace
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.encoding import decode_event
from chatd.domain.events import Actor, BanAdded
from chatd.frontend.codec import client_fields
from chatd.storage.retention import DAY
from tests.e2e.daemon import DEADLINE_SECONDS, Daemon, LineClient, opers_file, refused_start
from tests.e2e.lobby import LOOPBACK, PROMPT, WELCOME
from tests.e2e.test_admin import fill
from tests.events import said, topic_changed
from tests.helpers import new_database, new_folder, quick_hash
from tests.test_sqlite import damage

PASSWORD = "correct horse"

STAMP = re.compile(rb"^\[(\d{4}-\d\d-\d\d )?\d\d:\d\d\] ")


UNCLEAN = re.compile(rb"(#\w+\] .*did not stop cleanly.*)$")
"""A log line about a daemon before that did not stop cleanly, from its level on."""

SET_BY_BOSS = rb"^\*\*\* Topic of #lobby \(set by boss, \d{4}-\d\d-\d\d \d\d:\d\d UTC\): be kind$"
"""#lobby's topic as boss set it, at whatever time the test ran."""


def answer(client: LineClient, line: str, prefix: bytes) -> list[bytes]:
    """Send ``line``; the lines after it up to the first that starts with ``prefix``, without time stamps or CRLF."""
    client.say(line)
    received: list[bytes] = []
    while not received or not received[-1].startswith(prefix):
        received.append(STAMP.sub(b"", client.read_line().rstrip(b"\r\n")))
    return received


def named(daemon: Daemon, nick: str, source: str = "127.0.0.1") -> LineClient:
    """A client from ``source`` that has sent ``nick`` as its nickname, in text."""
    client = daemon.connect(source=source)
    client.expect(WELCOME, PROMPT)
    client.say(nick)
    return client


class KillTests(SynchronousTestCase):
    """Users talk over real TCP, the daemon is killed with SIGKILL and started again on the same --db."""

    def setUp(self) -> None:
        self.db = new_database(self)
        self.opers = opers_file(self, quick_hash(PASSWORD))

    def start(self, *options: str) -> Daemon:
        return Daemon.start(self, [*LOOPBACK, "--db", self.db, "--opers", self.opers, *options])

    def enter(self, daemon: Daemon, nick: str, source: str = "127.0.0.1") -> LineClient:
        """``nick`` from ``source``, in #lobby, reading JSON lines from now on."""
        client = daemon.connect(source=source)
        client.expect(WELCOME, PROMPT)
        client.say(nick)
        client.say("/format json")
        while not client.read_line().startswith(b"{"):
            pass  # the text lines before the answer to /format, which is the first JSON line
        return client

    def operator(self, *options: str) -> tuple[Daemon, LineClient]:
        """A daemon started with ``options``, and boss in it, an operator, reading JSON lines."""
        daemon = self.start(*options)
        boss = self.enter(daemon, "boss")
        boss.say(f"/oper boss {PASSWORD}")
        return daemon, boss

    def lines(self, client: LineClient, count: int) -> list[dict[str, Any]]:
        """The next ``count`` lines said or acted that ``client`` is shown, skipping everything else."""
        seen: list[dict[str, Any]] = []
        while len(seen) < count:
            line = client.expect_json()
            if line["type"] in ("said", "acted"):
                seen.append(line)
        return seen

    def kept(self, room: str) -> list[dict[str, Any]]:
        """What --db holds for ``room``, as clients are shown it: ``python -m chatd.admin export``'s events.

        With the daemon killed, the tool first commits what its pass log
        holds, as a start would; beside a running daemon, it waits for the
        daemon to commit it.
        """
        done = subprocess.run(
            [sys.executable, "-m", "chatd.admin", "--db", self.db, "export", "--room", room],
            capture_output=True,
            timeout=DEADLINE_SECONDS,
            check=True,
        )
        return [client_fields(decode_event(line)) for line in done.stdout.decode().splitlines()]

    def test_a_line_anyone_saw_survives_kill_9(self) -> None:
        """Every line shown before SIGKILL, its echo included, is kept with its id, time, room, seq and sender."""
        daemon = self.start()
        alice = self.enter(daemon, "alice")
        bob = self.enter(daemon, "bob")
        echoes: list[dict[str, Any]] = []
        seen_by_bob: list[dict[str, Any]] = []
        for n in range(5):
            # One at a time: lines that arrive together are one message (a paste).
            for speaker, text in ((alice, f"from alice {n}"), (bob, f"/me answers {n}")):
                speaker.say(text)
                echoes += self.lines(alice, 1)
                seen_by_bob += self.lines(bob, 1)
        self.assertEqual(seen_by_bob, echoes)
        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        kept = [event for event in self.kept("#lobby") if event["type"] in ("said", "acted")]
        self.assertEqual(kept, echoes)

    def test_lines_shown_while_nothing_can_be_committed_survive_kill_9(self) -> None:
        """With the file's write lock held elsewhere, lines are still shown at once (they are in the pass log),
        and after SIGKILL they are committed from the log: the same ids, times, seqs and senders."""
        daemon = self.start()
        alice = self.enter(daemon, "alice")
        bob = self.enter(daemon, "bob")
        blocker = sqlite3.connect(self.db, isolation_level=None)
        self.addCleanup(blocker.close)
        blocker.execute("BEGIN IMMEDIATE")
        seen: list[dict[str, Any]] = []
        for n in range(3):
            alice.say(f"while locked {n}")
            seen += self.lines(bob, 1)
        self.assertEqual([line["text"] for line in seen], [f"while locked {n}" for n in range(3)])
        with closing(sqlite3.connect(self.db, timeout=0)) as reader:
            texts = reader.execute("SELECT body ->> '$.text' FROM events WHERE kind = 'said'").fetchall()
        self.assertEqual(texts, [])
        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        blocker.execute("ROLLBACK")
        kept = [event for event in self.kept("#lobby") if event["type"] == "said"]
        self.assertEqual(kept, seen)

    def test_a_start_after_kill_9_says_it_committed_what_the_log_held(self) -> None:
        """Three lines shown but not committed (the file's write lock held elsewhere) when the daemon was killed: the
        next start commits them and says so in one info line. A start used to say nothing of a kill -9."""
        daemon = self.start()
        self.assertEqual(self.unclean(daemon), [])
        alice = self.enter(daemon, "alice")
        bob = self.enter(daemon, "bob")
        self.kept("#lobby")  # the joins committed: what follows is all the log holds uncommitted
        blocker = sqlite3.connect(self.db, isolation_level=None)
        self.addCleanup(blocker.close)
        blocker.execute("BEGIN IMMEDIATE")
        for n in range(3):
            alice.say(f"while locked {n}")
            self.lines(bob, 1)
        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        blocker.execute("ROLLBACK")
        self.assertEqual(
            self.unclean(self.start()),
            [
                "#info] A daemon that did not stop cleanly left 3 records in the "
                "--db file's pass log, committed now"
            ],
        )

    def test_a_start_after_kill_9_of_a_daemon_that_had_committed_all_says_so(self) -> None:
        """Killed once its lines were committed, the daemon left its pass log all the same (a clean stop removes
        it): the next start says the last stop was not clean, and that nothing waited."""
        daemon = self.start()
        alice = self.enter(daemon, "alice")
        alice.say("committed before the kill")
        self.lines(alice, 1)
        self.kept("#lobby")
        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        self.assertEqual(
            self.unclean(self.start()),
            [
                "#info] A daemon that did not stop cleanly left the --db file's "
                "pass log; all it held was committed already"
            ],
        )

    def test_a_start_after_a_clean_stop_says_nothing_of_it(self) -> None:
        """SIGTERM, then a start on the same file: no line about a stop that was not clean."""
        daemon = self.start()
        alice = self.enter(daemon, "alice")
        alice.say("before a clean stop")
        self.lines(alice, 1)
        self.assertEqual(daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        self.assertEqual(self.unclean(self.start()), [])

    def unclean(self, daemon: Daemon) -> list[str]:
        """The lines ``daemon`` has logged by now about a daemon before it that did not stop cleanly, without their
        time stamps."""
        return [
            found.group(1).decode()
            for line in daemon.logged_so_far()
            if (found := UNCLEAN.search(line)) is not None
        ]

    def test_bans_and_numbering_survive_kill_9(self) -> None:
        """Bans set before SIGKILL still refuse their address and their network's after the restart; the room
        counts on from its last line."""
        daemon, boss = self.operator()
        boss.say("/ban 127.0.0.2 1h")
        boss.say("/ban 127.0.0.5/30")
        boss.say("last before the kill")
        [last] = self.lines(boss, 1)
        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)

        daemon = self.start()
        refused = named(daemon, "carol", "127.0.0.2")
        self.assertRegex(
            refused.read_to_end(),
            rb"^ERR banned your address is banned from this server \((1h|59m( [0-9]+s)?) left\)\r\n$",
        )
        self.assertEqual(
            named(daemon, "dave", "127.0.0.7").read_to_end(),
            b"ERR banned your address is banned from this server\r\n",
        )
        named(daemon, "erin", "127.0.0.8").say("/time")
        alice = self.enter(daemon, "alice")
        alice.say("first after the restart")
        [first] = self.lines(alice, 1)
        self.assertGreater(first["seq"], last["seq"] + 1)
        self.assertEqual(self.kept("#lobby")[-1]["seq"], first["seq"])

    def test_a_mute_survives_kill_9_with_the_time_it_had_left(self) -> None:
        """A muted user who comes back after SIGKILL and a restart is still muted, for what was left of it."""
        daemon, boss = self.operator()
        bob = named(daemon, "bob", "127.0.0.3")
        boss.say("/mute bob 10m")
        self.assertEqual(
            answer(bob, "/whois bob", b"-- bob was muted")[-1], b"-- bob was muted by boss for 10m"
        )
        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)

        daemon = self.start()
        bob = named(daemon, "BOB", "127.0.0.3")
        self.assertRegex(
            answer(bob, "back with a new connection", b"ERR")[-1],
            rb"^ERR muted you are muted \((10m|9m( [0-9]+s)?) left\); nobody sees what you say$",
        )
        self.assertRegex(answer(bob, "/nick robert", b"ERR")[-1], rb"^ERR muted you are muted ")

    def test_a_kicks_wait_survives_kill_9_with_the_time_it_had_left(self) -> None:
        """bob, kicked from #class for 10 minutes, comes back after SIGKILL and a restart, from his address under
        another case of his nickname, and still waits what was left of it; #lobby lets him in."""
        daemon, boss = self.operator("--kick-rejoin", "600")
        bob = named(daemon, "bob", "127.0.0.3")
        self.assertEqual(answer(bob, "/join #class", b"*** In #class")[-1], b"*** In #class (1): @bob")
        boss.say("/kick bob #class calm down")
        self.assertEqual(
            answer(bob, "/time", b"#class --")[-1], b"#class -- bob was kicked by boss (calm down)"
        )
        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)

        daemon = self.start("--kick-rejoin", "600")
        bob = named(daemon, "BOB", "127.0.0.3")
        self.assertRegex(
            answer(bob, "/join #class", b"ERR")[-1],
            rb"^ERR kicked you were kicked from #class; you may join it again in (10m|9m( [0-9]+s)?)$",
        )
        carol = named(daemon, "carol", "127.0.0.4")
        self.assertEqual(answer(carol, "/join #class", b"*** In #class")[-1], b"*** In #class (1): @carol")

    def test_the_default_rooms_topic_survives_kill_9(self) -> None:
        """The topic and lock of #lobby, set before SIGKILL, are #lobby's again when it is made after the restart."""
        daemon, boss = self.operator()
        boss.say("/topic be kind")
        boss.say("/lock")
        boss.say("last before the kill")
        self.lines(boss, 1)
        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)

        daemon = self.start()
        alice = named(daemon, "alice")
        self.assertRegex(answer(alice, "/topic", b"*** Topic")[-1], SET_BY_BOSS)
        self.assertEqual(
            answer(alice, "/topic mine now", b"ERR")[-1],
            b"ERR topic-locked the topic of #lobby is locked; only operators may change it",
        )


class RetentionTests(SynchronousTestCase):
    """A daemon started with --retain-days on a file holding old events forgets them, but what restores its state."""

    def test_old_lines_go_and_bans_and_topics_stay(self) -> None:
        """Lines three days old go at start with --retain-days 1; an old ban in force and #lobby's topic stay."""
        db = new_database(self)
        old = time.time() - 3 * DAY
        boss = Actor("boss", "127.0.0.1")
        fill(
            db,
            [
                replace(topic_changed(old, "#lobby", "boss", "be kind", 1), id="t1", actor=boss),
                BanAdded(id="b1", at=old + 1, actor=boss, target="127.0.0.2", address=True, until=None),
                *(replace(said(old + n, "#lobby", "boss", f"old {n}", n), id=f"s{n}") for n in range(2, 50)),
                replace(said(time.time(), "#lobby", "boss", "young", 50), id="s50"),
            ],
        )
        daemon = Daemon.start(self, [*LOOPBACK, "--db", db, "--retain-days", "1"])
        forgot = daemon.wait_for_log(
            re.compile(rb"Forgot (\d+) events older than 1.0 days \(--retain-days\)")
        )
        self.assertEqual(forgot.group(1), b"48")
        refused = named(daemon, "carol", "127.0.0.2")
        self.assertEqual(refused.read_to_end(), b"ERR banned your address is banned from this server\r\n")
        alice = named(daemon, "alice")
        self.assertEqual(
            answer(alice, "/topic", b"*** Topic")[-1],
            time.strftime(
                "*** Topic of #lobby (set by boss, %Y-%m-%d %H:%M UTC): be kind", time.gmtime(old)
            ).encode(),
        )
        self.assertEqual(
            answer(alice, "/history 10", b"*** End of history")[-2:],
            [b"#lobby <boss> young", b"*** End of history of #lobby: nothing earlier is kept."],
        )


class BadFileTests(SynchronousTestCase):
    """A --db file chatd cannot use stops twistd with status 1 and one sentence, no traceback: a damaged file as a
    process once, and a file another daemon holds; the other files chatd cannot use are refused through twistd
    in the test's process (tests/test_start_refusals.py), for a process costs some 0.6 s of CPU to say one
    sentence."""

    def setUp(self) -> None:
        self.db = new_database(self)

    def test_a_damaged_database_stops_the_start(self) -> None:
        """A chatd database with a page overwritten is named, with what to do."""
        damage(self, self.db)
        status, out, err = refused_start(self, [*LOOPBACK, "--db", self.db])
        self.assertEqual(
            (status, err, out),
            (
                1,
                f"chatd: --db {self.db} cannot be used (database disk image is malformed); "
                "restore it from a backup, or move it away to start with an empty one.\n",
                "",
            ),
        )

    def test_a_second_daemon_on_the_same_file_stops_with_one_sentence(self) -> None:
        """Two daemons on one file would append to one pass log: the second is refused, the first goes on."""
        first = Daemon.start(self, [*LOOPBACK, "--db", self.db])
        status, out, err = refused_start(self, [*LOOPBACK, "--db", self.db])
        self.assertEqual(
            (status, err, out),
            (
                1,
                f"chatd: --db {self.db} is in use by another chatd or by python -m chatd.admin; stop it, "
                "or give another file.\n",
                "",
            ),
        )
        client = first.connect()
        client.expect(WELCOME, PROMPT)

    def test_the_default_file_is_made_in_the_working_directory(self) -> None:
        """Without --db, chatd.sqlite is made in the directory the daemon runs in."""
        daemon = Daemon.start(self, list(LOOPBACK))
        cwd = os.readlink(f"/proc/{daemon.process.pid}/cwd")
        self.assertTrue(os.path.isfile(os.path.join(cwd, "chatd.sqlite")))


class UnreadableRowTests(SynchronousTestCase):
    """A line of the file's history whose body was written over by hand, read over TCP while the daemon runs."""

    def test_history_and_search_that_reach_it_answer_one_line_and_the_chat_goes_on(self) -> None:
        """/history and /search of #lobby each answer one ERR line, a join's replay too; the log names the row once,
        without a traceback; lines are said and read as ever."""
        db = new_database(self)
        fill(db, [said(n, "#lobby", "alice", f"line {n}", n) for n in (1, 2, 3)])
        with closing(sqlite3.connect(db)) as connection, connection:
            connection.execute('UPDATE events SET body = \'{"type": "said"}\' WHERE position = 2')
        daemon = Daemon.start(self, [*LOOPBACK, "--db", db])
        bob = named(daemon, "bob")
        unreadable = (
            "ERR history-unreadable the server could not read a line it keeps here (damaged in its file); its host "
            "is told which"
        )
        bob.expect("*** You are bob.")
        bob.expect_stamped("#lobby -- bob joined")
        bob.expect("*** In #lobby (1): bob", unreadable)
        bob.say("/history")
        bob.expect(unreadable)
        bob.say("/search li")  # a word under 3 characters: the room's last lines are read, a burst's worth
        bob.expect(
            "*** You are sending faster than the server allows; your lines now wait their turn.", unreadable
        )
        bob.say("still here")
        bob.expect_stamped("#lobby <bob> still here")
        logged = [line for line in daemon.logged_so_far() if b"cannot read as an event" in line]
        self.assertEqual(len(logged), 1)
        self.assertIn(b"holds the row at position 2,", logged[0])
        daemon.assert_not_logged(re.compile(rb"Traceback|CRITICAL"), 0)


class FileModeTests(SynchronousTestCase):
    """What the daemon makes for --db holds Argon2 hashes and addresses: only the daemon's user may read it."""

    def test_a_new_database_and_the_files_beside_it_are_readable_by_the_daemons_user_only(self) -> None:
        """Under the usual umask (022), the --db file, its WAL and shared memory, the pass log and the search
        index are 0600 while the daemon runs, a line said."""
        directory = new_folder(self)
        self.addCleanup(os.umask, os.umask(0o022))
        db = os.path.join(directory, "chatd.sqlite")
        daemon = Daemon.start(self, [*LOOPBACK, "--db", db, "--files", os.path.join(directory, "files")])
        alice = named(daemon, "alice")
        alice.say("kept")
        while not alice.read_line().endswith(b"<alice> kept\r\n"):
            pass  # her welcome and join, then her own line
        made = {
            name: oct(os.stat(os.path.join(directory, name)).st_mode & 0o777)
            for name in os.listdir(directory)
            if name != "files"
        }
        self.assertLessEqual(
            {
                "chatd.sqlite",
                "chatd.sqlite-wal",
                "chatd.sqlite-shm",
                "chatd.sqlite-passes",
                "chatd.sqlite-search",
            },
            set(made),
        )
        self.assertEqual(set(made.values()), {"0o600"}, made)
        daemon.signal(signal.SIGTERM)
