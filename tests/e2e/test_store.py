"""The real daemon with its SQLite file: a kill -9 loses no line anyone saw, nor a ban; a bad file stops the start."""

import os
import shutil
import signal
import tempfile
from collections.abc import Sequence
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.events import RoomEvent
from chatd.frontend.codec import client_fields
from chatd.storage.sqlite import SQLiteHistory
from tests.e2e.daemon import Daemon, LineClient, opers_file, refused_start
from tests.e2e.test_daemon import LOOPBACK, PROMPT, WELCOME
from tests.helpers import ThreadedReactor, quick_hash
from tests.test_sqlite import damage

PASSWORD = "correct horse"


class KillTests(SynchronousTestCase):
    """Users talk over real TCP, the daemon is killed with SIGKILL and started again on the same --db."""

    def setUp(self) -> None:
        self.directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.directory)
        self.db = os.path.join(self.directory, "chatd.sqlite")
        self.opers = opers_file(self, quick_hash(PASSWORD))

    def start(self) -> Daemon:
        return Daemon.start(self, [*LOOPBACK, "--db", self.db, "--opers", self.opers])

    def enter(self, daemon: Daemon, nick: str, source: str = "127.0.0.1") -> LineClient:
        """``nick`` from ``source``, in #lobby, reading JSON lines from now on."""
        client = daemon.connect(source=source)
        client.expect(WELCOME, PROMPT)
        client.say(nick)
        client.say("/format json")
        while not client.read_line().startswith(b"{"):
            pass  # the text lines before the answer to /format, which is the first JSON line
        return client

    def lines(self, client: LineClient, count: int) -> list[dict[str, Any]]:
        """The next ``count`` lines said or acted that ``client`` is shown, skipping everything else."""
        seen: list[dict[str, Any]] = []
        while len(seen) < count:
            line = client.expect_json()
            if line["type"] in ("said", "acted"):
                seen.append(line)
        return seen

    def kept(self, room: str) -> list[dict[str, Any]]:
        """What the store in --db holds for ``room``, as clients are shown it."""
        reactor = ThreadedReactor()
        store = SQLiteHistory.open(self.db, reactor)
        store.startService()
        read = store.room_events(room, 0, 10_000)
        events: Sequence[RoomEvent] = self.successResultOf(reactor.run_until(read))
        reactor.run_until(store.stopService())
        return [client_fields(event) for event in events]

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

    def test_bans_and_numbering_survive_kill_9(self) -> None:
        """A ban set before SIGKILL still refuses its address after the restart; the room counts on from its last line."""
        daemon = self.start()
        boss = self.enter(daemon, "boss")
        boss.say(f"/oper boss {PASSWORD}")
        boss.say("/ban 127.0.0.2 1h")
        boss.say("last before the kill")
        [last] = self.lines(boss, 1)
        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)

        daemon = self.start()
        refused = daemon.connect(source="127.0.0.2")
        refused.expect(WELCOME, PROMPT)
        refused.say("carol")
        self.assertRegex(
            refused.read_to_end(),
            rb"^ERR banned your address is banned from this server \((1h|59m( [0-9]+s)?) left\)\r\n$",
        )
        alice = self.enter(daemon, "alice")
        alice.say("first after the restart")
        [first] = self.lines(alice, 1)
        self.assertGreater(first["seq"], last["seq"] + 1)
        self.assertEqual(self.kept("#lobby")[-1]["seq"], first["seq"])


class BadFileTests(SynchronousTestCase):
    """A --db file chatd cannot use stops twistd with status 1 and one sentence, no traceback."""

    def setUp(self) -> None:
        self.directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.directory)
        self.db = os.path.join(self.directory, "chatd.sqlite")

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

    def test_a_file_of_another_program_stops_the_start(self) -> None:
        """A file that is not a chatd database is named, and left as it was."""
        with open(self.db, "w", encoding="utf-8") as text:
            text.write("my notes\n" * 200)
        status, out, err = refused_start(self, [*LOOPBACK, "--db", self.db])
        self.assertEqual(
            (status, err, out),
            (
                1,
                f"chatd: --db {self.db} cannot be used (file is not a database); "
                "restore it from a backup, or move it away to start with an empty one.\n",
                "",
            ),
        )
        with open(self.db, encoding="utf-8") as text:
            self.assertEqual(text.read(), "my notes\n" * 200)

    def test_the_default_file_is_made_in_the_working_directory(self) -> None:
        """Without --db, chatd.sqlite is made in the directory the daemon runs in."""
        daemon = Daemon.start(self, list(LOOPBACK))
        cwd = os.readlink(f"/proc/{daemon.process.pid}/cwd")
        self.assertTrue(os.path.isfile(os.path.join(cwd, "chatd.sqlite")))
