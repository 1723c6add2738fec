"""Files between bundled clients through a real chatd under twistd, on loopback.

alice and bob are the client's ``Link`` with ``Transfers`` in this process,
on the real reactor, their file work on its thread pool, each with a
downloads folder of its own; carol, where she is needed, is a raw nc-like
socket in a thread of her own, chatting while the file goes through, and
her lines' round trips are printed (measured, never asserted: see
docs/PERFORMANCE.md and bench/ for what is measured properly). Every wait
polls for a condition until a deadline.
"""

import os
import signal
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC

from twisted.internet import reactor, threads
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase
from typing_extensions import override

from chatd.client.connection import Link
from chatd.client.files import Transfers
from chatd.client.presence import Presence
from chatd.client.reach import connect_to
from chatd.client.shown import Shown
from chatd.client.upload import CHUNK, Hashing
from chatd.client.worker import ThreadWorker
from tests.e2e.daemon import Daemon, LineClient
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_client_resume import enter
from tests.helpers import new_folder
from tests.test_client_connection import RecordingScreen

TRANSFER_SECONDS = 120.0
"""How long a whole transfer may take on a slow, shared machine before the test fails."""

POLL_SECONDS = 0.05

UNLIMITED = ("--flood-rate", "1000000", "--flood-burst", "1000000", "--flood-bytes", "100000000")
"""Flood limits no chatting probe reaches."""


class Screen(RecordingScreen):
    """A screen whose lines a test can search, the client's own included."""

    def showing(self, text: str) -> bool:
        return any(text in line for line in [*self.lines, *self.notes])

    def matching(self, text: str) -> list[str]:
        """The lines holding ``text``, without their time."""
        return [line[6:] for line in [*self.lines, *self.notes] if text in line]

    @override
    def show(self, shown: Shown) -> None:
        # A 20 MB transfer draws no line per chunk, but carol's chat does: keep only what tests look for.
        super().show(Shown(tuple(line for line in shown.lines if "<carol>" not in line), shown.bell))


async def until(condition: Callable[[], bool], seconds: float = TRANSFER_SECONDS, what: str = "") -> None:
    """Wait, letting the reactor run, until ``condition`` holds; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what or condition}")
        await deferLater(reactor, POLL_SECONDS, lambda: None)


class User:
    """A bundled client of this process: the link, its screen and its downloads folder."""

    def __init__(
        self,
        case: TestCase,
        port: int,
        nick: str,
        worker: ThreadWorker | None = None,
        transfers: type[Transfers] = Transfers,
    ) -> None:
        self.folder = new_folder(case)
        endpoint, server = connect_to(reactor, "127.0.0.1", port)
        self.link = Link(endpoint, reactor, Presence(nick), server, policy=lambda attempt: 0.2, zone=UTC)
        self.files = transfers(self.link, reactor, worker or ThreadWorker(reactor), self.folder)
        self.link.files = self.files
        self.screen = Screen()
        finished = self.link.start(self.screen)

        def leave() -> "Deferred[int]":
            self.link.leave()
            self.link.leave()
            return finished

        case.addCleanup(leave)

    def saved(self, name: str) -> bytes:
        with open(os.path.join(self.folder, name), "rb") as saved:
            return saved.read()

    def part_size(self, name: str) -> int:
        path = os.path.join(self.folder, name + ".part")
        return os.path.getsize(path) if os.path.exists(path) else 0


def random_file(case: TestCase, size: int, name: str = "random.bin") -> tuple[str, bytes]:
    folder = new_folder(case)
    data = os.urandom(size)
    path = os.path.join(folder, name)
    with open(path, "wb") as out:
        out.write(data)
    return path, data


class Chatter:
    """carol on nc in a thread: says a line, times its echo, again, until told to stop."""

    def __init__(self, client: LineClient) -> None:
        self.client = client
        self.stop = threading.Event()

    def run(self, count: int | None = None) -> list[float]:
        """Round trips in milliseconds, ``count`` of them or until ``stop``."""
        times = []
        number = 0
        while not self.stop.is_set() and (count is None or number < count):
            number += 1
            text = f"line {number}"
            began = time.perf_counter()
            self.client.say(text)
            while not self.client.read_line().endswith(f"<carol> {text}\r\n".encode()):
                pass
            times.append((time.perf_counter() - began) * 1000)
        return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{len(ordered)} lines, median {statistics.median(ordered):.2f} ms, p99 {p99:.2f} ms, max {ordered[-1]:.2f} ms"


class ExchangeTests(TestCase):
    async def test_20_mb_between_two_clients_byte_identical_while_a_third_chats(self) -> None:
        """alice sends bob 20 MB of random bytes; it arrives byte-identical; carol's lines go on meanwhile."""
        # carol is a probe that says her next line as soon as the last comes back: no flood limit for her.
        daemon = Daemon.start(self, [*LOOPBACK, *UNLIMITED])
        alice, bob = User(self, daemon.port, "alice"), User(self, daemon.port, "bob")
        await until(
            lambda: alice.screen.showing("alice joined #lobby") and bob.screen.showing("bob joined #lobby")
        )
        carol = Chatter(enter(daemon, "carol"))
        quiet = await threads.deferToThread(carol.run, 200)

        path, data = random_file(self, 20_000_000)
        alice.link.send(f"/send bob {path}")
        chatting = threads.deferToThread(carol.run)
        try:
            await until(
                lambda: bob.screen.showing('alice offers "random.bin" to you (20.0 MB'), what="the offer"
            )
            bob.link.send("/accept")
            await until(lambda: bob.screen.showing("SHA-256 checked."), what="the download")
        finally:
            carol.stop.set()
            busy = await chatting
        self.assertEqual(bob.saved("random.bin"), data)
        self.assertEqual(os.listdir(bob.folder), ["random.bin"])
        sys.stdout.write(f"\ncarol's round trips, nothing else going on: {summary(quiet)}\n")
        sys.stdout.write(f"carol's round trips, 20 MB going through: {summary(busy)}\n")


RESTARTED_SIZE = 1_500_000
"""Bytes of a file a restart cuts off: three seconds each way at ``restartable``'s --file-rate, so a cut one second
in leaves two to spare (3 MB took twelve seconds a test, where a cut's margin needs none of them)."""

CUT_AT = 500_000
"""Bytes moved when the daemon is killed: the server's spool or the client's part file holds this much or more."""


def restartable(store: str) -> list[str]:
    """twistd arguments (after ``--port``) for a daemon whose transfers outlive it, slow enough to cut one off."""
    return [
        "--interface",
        "127.0.0.1",
        "--db",
        os.path.join(store, "chatd.sqlite"),
        "--files",
        os.path.join(store, "files"),
        "--file-rate",
        "500000",
    ]


class RestartTests(TestCase):
    async def test_an_upload_interrupted_by_a_daemon_restart_goes_on_from_what_the_server_held(self) -> None:
        """The daemon is killed mid-upload and started again: alice offers again and goes on from its have."""
        store = new_folder(self)
        daemon = Daemon.start(self, ["chatd", "--port", "0", *restartable(store)])
        port = daemon.port
        alice, bob = User(self, port, "alice"), User(self, port, "bob")
        await until(
            lambda: alice.screen.showing("alice joined #lobby") and bob.screen.showing("bob joined #lobby")
        )
        path, data = random_file(self, RESTARTED_SIZE)
        alice.link.send(f"/send bob {path}")
        await until(
            lambda: any(t.held >= CUT_AT for t in alice.files.transfers()), what="a third of the upload"
        )
        daemon.signal(signal.SIGKILL)
        daemon = Daemon.start(self, ["chatd", "--port", str(port), *restartable(store)])
        await until(lambda: bob.screen.showing("alice offers"), what="the offer after the restart")
        [going_on] = alice.screen.matching("already: going on from there.")
        self.assertTrue(going_on.startswith("* The server holds "), going_on)
        # More than nothing: what the spool had written when the daemon died (at most the CUT_AT acknowledged).
        self.assertGreater(int(going_on.split("holds ")[1].split("%")[0]), 0)
        bob.link.send("/accept")
        await until(lambda: bob.screen.showing("SHA-256 checked."), what="the download")
        self.assertEqual(bob.saved("random.bin"), data)

    async def test_a_transfer_interrupted_by_a_daemon_restart_resumes_byte_identical(self) -> None:
        """The daemon is killed mid-download and started again: bob goes on from his part file, not from 0."""
        store = new_folder(self)
        rest = restartable(store)
        daemon = Daemon.start(self, ["chatd", "--port", "0", *rest])
        port = daemon.port
        alice, bob = User(self, port, "alice"), User(self, port, "bob")
        await until(
            lambda: alice.screen.showing("alice joined #lobby") and bob.screen.showing("bob joined #lobby")
        )
        path, data = random_file(self, RESTARTED_SIZE)
        alice.link.send(f"/send bob {path}")
        await until(lambda: bob.screen.showing("alice offers"), what="the offer")
        bob.link.send("/accept")
        await until(lambda: bob.part_size("random.bin") >= CUT_AT, what="a third of the download")
        daemon.signal(signal.SIGKILL)
        daemon = Daemon.start(self, ["chatd", "--port", str(port), *rest])
        await until(lambda: bob.screen.showing("SHA-256 checked."), what="the resumed download")
        self.assertEqual(bob.saved("random.bin"), data)
        # Not from the start: from the part file's last whole chunk, at least the CUT_AT bytes seen.
        [going_on] = bob.screen.matching('Going on with "random.bin" from ')
        held = int(going_on.split(" from ")[1].split("%")[0])
        self.assertGreaterEqual(held, CUT_AT // CHUNK * CHUNK * 100 // RESTARTED_SIZE)


class LyingWorker(ThreadWorker):
    """A thread worker after whose hashing of the file at ``path`` (and no other) its first ``changed`` bytes change:
    the checksum sent is then a lie."""

    def __init__(self, path: str, changed: int = 16) -> None:
        super().__init__(reactor)
        self._path = path
        self._changed = changed

    @override
    def __call__(self, work, /, *args, **kwargs):  # type: ignore[no-untyped-def]  # the Worker signature, passed on
        if getattr(work, "__func__", None) is not Hashing.step or args[:1] != (self._path,):
            return super().__call__(work, *args, **kwargs)

        def hash_then_change(path: str) -> bool:
            done = work(path)
            if done:
                with open(self._path, "r+b") as changed:
                    changed.write(b"\0" * self._changed)
            return bool(done)

        return super().__call__(hash_then_change, *args)


class RefusalTests(TestCase):
    async def test_a_lying_checksum_fails_with_one_clear_line(self) -> None:
        """The bytes sent are not those hashed: the server refuses the file, one line says so, bob hears nothing."""
        daemon = Daemon.start(self, LOOPBACK)
        path, _ = random_file(self, 100_000)
        alice = User(self, daemon.port, "alice", LyingWorker(path))
        bob = User(self, daemon.port, "bob")
        await until(
            lambda: alice.screen.showing("alice joined #lobby") and bob.screen.showing("bob joined #lobby")
        )
        alice.link.send(f"/send bob {path}")
        await until(lambda: alice.screen.showing("was not sent"), what="the refusal")
        [refused] = alice.screen.matching("was not sent")
        self.assertTrue(refused.startswith('! "random.bin" was not sent: The SHA-256 of '), refused)
        self.assertTrue(
            refused.endswith(" is not the one announced; it was refused. (file-corrupt)"), refused
        )
        self.assertFalse(bob.screen.showing("offers"))

    async def test_a_refusal_of_the_second_of_two_uploads_ends_that_one(self) -> None:
        """alice sends bob a big file and, while it goes up, a small one whose bytes change once hashed: the server
        refuses the small one as corrupt, one line says so of it, and the big one goes on and is offered. The
        refusal named no upload, and the client ended the oldest still sending, the big one, while the small one
        sat being checked for good."""
        # Slow enough that the big upload is still going when the small one is checked.
        daemon = Daemon.start(self, [*LOOPBACK, "--file-rate", "500000"])
        big, _ = random_file(self, RESTARTED_SIZE, "big.bin")
        small, _ = random_file(self, 50_000, "small.bin")
        alice = User(self, daemon.port, "alice", LyingWorker(small))
        bob = User(self, daemon.port, "bob")
        await until(
            lambda: alice.screen.showing("alice joined #lobby") and bob.screen.showing("bob joined #lobby")
        )
        alice.link.send(f"/send bob {big}")
        await until(lambda: any(t.held > 0 for t in alice.files.transfers()), what="the big upload going")
        alice.link.send(f"/send bob {small}")
        await until(lambda: alice.screen.showing("was not sent"), what="the refusal")
        [refused] = alice.screen.matching("was not sent")
        self.assertTrue(refused.startswith('! "small.bin" was not sent: The SHA-256 of '), refused)
        self.assertTrue(
            refused.endswith(" is not the one announced; it was refused. (file-corrupt)"), refused
        )
        self.assertFalse(alice.screen.showing('Sent "big.bin"'), "the big upload was still going")
        await until(lambda: alice.screen.showing('Sent "big.bin"'), what="the big upload offered")
        await until(lambda: bob.screen.showing('alice offers "big.bin"'), what="bob offered it")
        self.assertEqual(len(alice.screen.matching("was not sent")), 1)
        self.assertFalse(bob.screen.showing("small.bin"))

    async def test_an_oversize_file_fails_with_one_clear_line(self) -> None:
        """Over --file-max-size: one line, and nothing offered."""
        daemon = Daemon.start(self, [*LOOPBACK, "--file-max-size", "1000"])
        alice, bob = User(self, daemon.port, "alice"), User(self, daemon.port, "bob")
        await until(
            lambda: alice.screen.showing("alice joined #lobby") and bob.screen.showing("bob joined #lobby")
        )
        path, _ = random_file(self, 1001)
        alice.link.send(f"/send bob {path}")
        await until(lambda: alice.screen.showing("was not sent"), what="the refusal")
        [line] = alice.screen.matching("was not sent")
        self.assertTrue(line.startswith('! "random.bin" was not sent: '), line)
        self.assertTrue(line.endswith("(file-too-big)"), line)
        self.assertFalse(bob.screen.showing("offers"))


class WatchedWorker(ThreadWorker):
    """A thread worker that knows how many of its calls have not yet answered on the reactor thread."""

    def __init__(self) -> None:
        super().__init__(reactor)
        self.busy = 0

    @override
    def __call__(self, work, /, *args, **kwargs):  # type: ignore[no-untyped-def]  # the Worker signature, passed on
        self.busy += 1
        answer = super().__call__(work, *args, **kwargs)

        def answered(result: object) -> object:
            # Before the caller's own callbacks, which run in the same turn: once busy is 0, they have run.
            self.busy -= 1
            return result

        return answer.addBoth(answered)


class ResendTests(TestCase):
    async def test_a_file_sent_again_while_the_server_holds_it_is_offered_not_checked(self) -> None:
        """Sent to bob, then to #lobby before bob fetches it: the server has it whole, and it stays offered."""
        daemon = Daemon.start(self, LOOPBACK)
        worker = WatchedWorker()
        alice, bob = User(self, daemon.port, "alice", worker), User(self, daemon.port, "bob")
        await until(
            lambda: alice.screen.showing("alice joined #lobby") and bob.screen.showing("bob joined #lobby")
        )
        # A short last chunk: the server's tail is checked by reading the file on the worker.
        path, _ = random_file(self, 109_000, "notes.txt")
        alice.link.send(f"/send bob {path}")
        await until(lambda: alice.screen.showing("bob is offered it"), what="the first upload")
        alice.link.send(f"/send #lobby {path}")
        await until(lambda: alice.screen.showing("#lobby is offered it"), what="the second offer")
        self.assertEqual(
            alice.screen.matching("already: going on from there."),
            ['* The server holds 100% of "notes.txt" already: going on from there.'],
        )
        await until(lambda: worker.busy == 0, what="the tail's check")
        self.assertEqual(alice.files.bars.moving(), 0)
        alice.link.send("/files")
        await until(lambda: alice.screen.showing("[2] to #lobby"), what="the list")
        self.assertEqual(
            alice.screen.matching("[2] to #lobby"),
            ['~   [2] to #lobby: "notes.txt" (109.0 kB, 100%) offered'],
        )


def shows(user: User, text: str) -> Callable[[], bool]:
    """Whether ``user``'s screen shows ``text`` yet, asked each time it is called."""
    return lambda: user.screen.showing(text)


class AtOnceTests(TestCase):
    async def test_a_file_sent_to_two_people_at_once_is_offered_to_both(self) -> None:
        """alice sends one file to bob, and to carol while it is still going up: both uploads are offered, and bob
        and carol each fetch it byte for byte. Both once wrote into one part file, each put refused for the offset
        the other had moved it to, and both sat at "sending" until their idle hour ran out."""
        # Slow enough that the second /send is offered while the first upload is going.
        daemon = Daemon.start(self, [*LOOPBACK, "--file-rate", "500000"])
        alice, bob, carol = (User(self, daemon.port, nick) for nick in ("alice", "bob", "carol"))
        for user, nick in ((alice, "alice"), (bob, "bob"), (carol, "carol")):
            await until(shows(user, f"{nick} joined #lobby"))
        path, data = random_file(self, RESTARTED_SIZE)
        alice.link.send(f"/send bob {path}")
        await until(lambda: any(t.held > 0 for t in alice.files.transfers()), what="the upload to bob going")
        alice.link.send(f"/send carol {path}")
        for target in ("bob", "carol"):
            await until(shows(alice, f"{target} is offered it"), seconds=60, what=f"the offer to {target}")
        self.assertFalse(alice.screen.showing("was not sent"))
        for user in (bob, carol):
            await until(shows(user, "alice offers"), what="the offer")
            user.link.send("/accept")
            await until(shows(user, "SHA-256 checked."), what="the download")
            self.assertEqual(user.saved("random.bin"), data)
