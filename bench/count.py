"""Instructions chatd's own code runs to register one user, or (``--said``) for one line said, counted under valgrind,
run by hand: ``python bench/count.py [--users N] [--rooms R] [--replay N] [COMMIT ...]`` (default: HEAD and
``9cb50bc``), or ``python bench/count.py --said [--members N] [--lines N] [--per-pass N] [--rate N] [COMMIT ...]``
(default: HEAD).

This machine's speed moves by a third between rounds of one run, so a
change to the join path worth 5-15% cannot be told from the registrations
a second of ``bench/load.py restart``. What this counts does not move:
the instructions the CPU runs for one registration in process, with no
sockets (``tests.helpers.LineTestCase``'s line front end on a ``Clock``),
each user connecting, choosing a nickname, joining one of ``--rooms``
rooms and leaving ``#lobby``, as ``restart``'s clients do. It is counted
by valgrind's cachegrind (no cache simulated) with the hash seed fixed and
the garbage collector frozen and off, once with no users and once with
``--users``; the difference over the users is the answer. It leaves out
the kernel (what each connection is sent is dropped as it is written) and
the reactor's reading, the part the code does not decide.

``--said`` counts a line said in a room instead, with each store the
daemon can have (issue 13: the SQLite store's fan-out against ``--db
:memory:``'s). ``--members`` users (100: a room of ``bench/load.py hold``'s
1000x10) join one room and leave ``#lobby``; then they say ``--lines``
lines (10,000) one after another, in turn, ``--per-pass`` of them (20) read
in each reactor pass, the clock going on by ``--per-pass`` / ``--rate``
seconds a pass (20,000 lines a second, about where the store's fan-out
ladder ends at 1000x10), so the store gathers its commits (1,000 lines
each) and the search index its chunks as a daemon saying ``--rate`` lines
a second would. Each line goes through the line front end to every
member's transport, which drops it (the kernel's part). Once with the SQLite store the daemon opens
for ``--db``: a file in a temporary folder, its pass log written each
pass, its writer thread committing and its indexer thread indexing; once
with ``MemoryHistory``, what ``--db :memory:`` keeps. The threads' work is
counted too: the count waits for each commit and each chunk of the index
as the clock makes them due, and at the end for all of them, so it is the
same each time. It is counted by callgrind, one total a thread
(``--separate-threads``): the reactor's (the main thread) apart from the
others, which are the store's (its writer's, reader's and indexer's, in
the order ``SQLiteHistory.startService`` starts them) and run on another
core. Each store is counted with no lines and with ``--lines``; the
difference over the lines is the answer, and SQLite's less memory's is
the store's part of a line.

Each commit is measured on a copy of the repository at it (``git
archive``), its own chatd and its own tests' front end. valgrind is
installed from Debian if missing (as root).
"""

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from typing import Any

BEFORE_STORE = "9cb50bc"
"""The last commit before issue 13's first: the daemon whose registering issue 13 asks to be no slower than."""

I_REFS = re.compile(rb"I\s+refs:\s+([\d,]+)")
SUMMARY = re.compile(rb"^summary:\s+(\d+)", re.MULTILINE)

STORES = ("sqlite", "memory")
"""What ``--said`` counts a line with: the SQLite file ``--db`` opens, and ``--db :memory:``'s history."""

THREAD_WAIT = 3600.0
"""Seconds a said count waits for a thread's word: a chunk of the index takes a second, fifty under valgrind,
more on a busy machine."""

SAID = b"%019d the quick brown fox jumps over the lazy dog\n"
"""A line as ``bench/load.py``'s clients say it: a number (their send time), then its filler."""


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "commits",
        nargs="*",
        help=f"commits to count, in order (default: HEAD and {BEFORE_STORE}, with --said HEAD)",
    )
    parser.add_argument("--users", type=int, default=1500, help="users registered in a count")
    parser.add_argument("--rooms", type=int, default=15, help="rooms they join, one each")
    parser.add_argument(
        "--replay", type=int, help="chatd's --replay for the count (default: the commit's own)"
    )
    said = parser.add_argument_group("a line said (--said)")
    said.add_argument(
        "--said",
        action="store_true",
        help="count a line said in a room, with the SQLite store and with :memory:, not a registration",
    )
    said.add_argument(
        "--members", type=int, default=100, help="users in the room, each saying lines in turn (default: 100)"
    )
    said.add_argument("--lines", type=int, default=10000, help="lines said in a count (default: 10000)")
    said.add_argument("--per-pass", type=int, default=20, help="lines read in one reactor pass (default: 20)")
    said.add_argument(
        "--rate",
        type=float,
        default=20000.0,
        help="lines a second, as the clock goes on between passes (default: 20000)",
    )
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--store", choices=STORES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.commits:
        args.commits = ["HEAD"] if args.said else ["HEAD", BEFORE_STORE]
    return args


def sent() -> Any:
    """A connection whose output is sent and gone, as a daemon's is: the kernel's part, not counted.

    Kept, every wire had to be cleared now and then in the loop counted:
    work of no registration's or line's, and none in the run of none.
    """
    from twisted.internet.testing import StringTransport

    class Sent(StringTransport):
        def write(self, data: bytes) -> None:
            """Dropped."""

    return Sent()


def register(users: int, rooms: int, replay: int | None) -> None:
    """In the process valgrind counts: ``users`` registrations on the line front end of the chatd on the path."""
    from twisted.internet.address import IPv4Address

    from tests.helpers import LineTestCase

    class Front(LineTestCase):
        max_connections = max_per_ip = connect_burst = users + 1

        def runTest(self) -> None:  # noqa: N802 - unittest's name
            """Not a test: the front end is all that is wanted of the case."""

    if replay is not None:
        from chatd.domain.limits import Limits

        Front.chat_limits = Limits(replay=replay)
    front = Front()
    front.setUp()
    gc.collect()
    gc.freeze()
    gc.disable()
    for number in range(users):
        address = IPv4Address("TCP", f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}", 4000)
        protocol = front.factory.buildProtocol(address)
        protocol.makeConnection(sent())
        protocol.dataReceived(b"user%d\n" % number)
        front.clock.advance(0)
        protocol.dataReceived(b"/join #room%d\n/part #lobby\n" % (number % rooms))
        front.clock.advance(0)


class _Settled:
    """The said count's front end and store, and the one way its clock goes on: each thread's work awaited in turn.

    Commits and chunks of the index start when the clock makes them due,
    and each is waited for before the clock goes on, so every run hands
    the threads the same work at the same points: the count is exact.
    """

    def __init__(self, store: str, members: int, folder: str) -> None:
        from chatd.line.limits import LineLimits
        from chatd.storage import search_index
        from tests.helpers import LineTestCase, ThreadedReactor

        # valgrind runs one thread at a time: while the indexer's ran at its niceness (19), the whole count waited
        # behind everything else on a busy machine, for minutes. The same system calls either way.
        search_index.NICE = 0

        kept: list[Any] = []

        class Front(LineTestCase):
            max_connections = max_per_ip = connect_burst = members + 1
            # Each member says a line every ``members`` lines, far above a person's budget.
            limits = LineLimits(flood_rate=1e9, flood_burst=1 << 30, flood_bytes=1 << 40)

            def runTest(self) -> None:  # noqa: N802 - unittest's name
                """Not a test: the front end is all that is wanted of the case."""

            def make_history(self) -> Any:
                # A reactor that takes the threads' calls, for both stores alike.
                self.clock = ThreadedReactor()
                if store == "memory":
                    return super().make_history()
                from chatd.storage.sqlite import SQLiteHistory

                history = SQLiteHistory.open(os.path.join(folder, "chat.sqlite"), self.clock)
                history.startService()
                kept.append(history)
                return history

        self.front = Front()
        self.front.setUp()
        self.reactor: Any = self.front.clock
        self.store: Any = kept[0] if kept else None
        if self.store is not None:
            # As chatd.service wires the line front end to the SQLite store: output goes once the pass is logged,
            # and the store asks the outbox for its keep at a pass's end rather than the reactor.
            self.front.factory.outbox._keep = self.store.keep
            self.store.keep_with(self.front.factory.outbox.send_soon)

    def busy(self) -> bool:
        """Whether the store's writer or indexer has work in hand, whose word the reactor has not run."""
        return self.store is not None and (self.store._sent is not None or self.store.index.writing)

    def advance(self, seconds: float) -> None:
        """The clock on by ``seconds``, what falls due run, and each thread's work awaited as it is handed over."""
        self.reactor.advance(seconds)
        while self.busy():
            self.reactor.run_from_thread(THREAD_WAIT)

    def drain(self) -> None:
        """Everything appended committed and indexed, the index idle: the clock goes on as long as it takes."""
        if self.store is None:
            self.advance(0)
            return
        from chatd.storage.search_index import PAUSE

        self.advance(0)
        while self.store.writing:
            self.advance(self.store.commit_every)
        idle: list[object] = []
        self.store.index.caught_up().addCallback(idle.append)
        while not idle:
            self.advance(PAUSE)

    def stop(self) -> None:
        if self.store is not None:
            self.reactor.run_until(self.store.stopService())


def say(store: str, members: int, lines: int, per_pass: int, rate: float) -> None:
    """In the process valgrind counts: ``members`` users in a room, then ``lines`` lines said there, with ``store``."""
    from twisted.internet.address import IPv4Address
    from twisted.internet.testing import StringTransport

    folder = tempfile.mkdtemp(prefix="chatd-count-")
    try:
        settled = _Settled(store, members, folder)
        history = settled.front.history
        for room in ("#lobby", "#room"):
            # Each room's last lines read once, as the first join reads them; every join after is from memory.
            settled.reactor.run_until(history.recent(room, None, 20))
        protocols = []
        # The first member's output is kept, to see the last line reach the room; the others' is dropped.
        first = StringTransport()
        for number in range(members):
            address = IPv4Address("TCP", f"10.0.{number >> 8 & 255}.{number & 255}", 4000)
            protocol = settled.front.factory.buildProtocol(address)
            protocol.makeConnection(sent() if number else first)
            protocol.dataReceived(b"user%d\n/join #room\n/part #lobby\n" % number)
            settled.advance(0)
            protocols.append(protocol)
        settled.drain()
        first.clear()
        gc.collect()
        gc.freeze()
        gc.disable()
        for number in range(lines):
            protocols[number % members].dataReceived(SAID % number)
            if (number + 1) % per_pass == 0 or number + 1 == lines:
                settled.advance(per_pass / rate)
        settled.drain()
        if lines and b"%019d" % (lines - 1) not in first.value():
            raise RuntimeError("the last line said did not reach the room")
        settled.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def instructions(valgrind: str, source: str, inner: list[str]) -> int:
    """What valgrind counts for ``bench/count.py --inner`` with ``inner``'s options on the chatd at ``source``,
    start-up included."""
    command = [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    command += [sys.executable, __file__, "--inner", *inner]
    env = {**os.environ, "PYTHONPATH": source, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    found = I_REFS.search(done.stderr)
    if done.returncode or found is None:
        raise RuntimeError(f"the count at {source} failed:\n{done.stderr.decode(errors='replace')[-2000:]}")
    return int(found.group(1).replace(b",", b""))


def thread_instructions(valgrind: str, source: str, inner: list[str]) -> list[int]:
    """What valgrind's callgrind counts in each thread of ``bench/count.py --inner`` with ``inner``'s options on the
    chatd at ``source``, start-up included: the main thread's first, then the others' in the order they started."""
    folder = tempfile.mkdtemp(prefix="chatd-count-")
    try:
        out = os.path.join(folder, "out")
        command = [valgrind, "--tool=callgrind", "--separate-threads=yes", f"--callgrind-out-file={out}"]
        command += [sys.executable, __file__, "--inner", *inner]
        env = {**os.environ, "PYTHONPATH": source, "PYTHONHASHSEED": "0"}
        done = subprocess.run(command, env=env, capture_output=True, check=False)
        if done.returncode:
            raise RuntimeError(
                f"the count at {source} failed:\n{done.stderr.decode(errors='replace')[-2000:]}"
            )
        counted = []
        # One file a thread, "out-01" the main thread's: numbered as they started.
        for name in sorted(name for name in os.listdir(folder) if name.startswith("out-")):
            with open(os.path.join(folder, name), "rb") as file:
                found = SUMMARY.search(file.read())
            if found is None:
                raise RuntimeError(f"the count at {source} left {name} without its total")
            counted.append(int(found.group(1)))
        return counted
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def valgrind_binary() -> str:
    import servers

    found = shutil.which("valgrind")
    if found:
        return found
    if os.geteuid() != 0:
        raise servers.BenchError("valgrind is not installed; run as root or 'apt-get install valgrind' first")
    servers.apt_get_install("valgrind")
    return shutil.which("valgrind") or "/usr/bin/valgrind"


def registration_options(args: argparse.Namespace, users: int) -> list[str]:
    """The inner process's options for a registration count of ``users``."""
    options = ["--users", str(users), "--rooms", str(args.rooms)]
    return options if args.replay is None else [*options, "--replay", str(args.replay)]


def said_options(args: argparse.Namespace, store: str, lines: int) -> list[str]:
    """The inner process's options for a count of ``lines`` lines said with ``store``."""
    return [
        *("--said", "--store", store, "--members", str(args.members), "--lines", str(lines)),
        *("--per-pass", str(args.per_pass), "--rate", str(args.rate)),
    ]


def count_registrations(valgrind: str, source: str, args: argparse.Namespace) -> int:
    """Instructions per registration on the chatd at ``source``."""
    started = instructions(valgrind, source, registration_options(args, 0))
    loaded = instructions(valgrind, source, registration_options(args, args.users))
    return (loaded - started) // args.users


def count_said(valgrind: str, source: str, args: argparse.Namespace) -> dict[str, list[int]]:
    """Instructions per line said on the chatd at ``source``, with each store: the reactor's thread's, then each
    other thread's in the order they started."""
    per_line = {}
    for store in STORES:
        started = thread_instructions(valgrind, source, said_options(args, store, 0))
        loaded = thread_instructions(valgrind, source, said_options(args, store, args.lines))
        if len(started) != len(loaded):
            raise RuntimeError(
                f"the counts at {source} with {store} started {len(started)} and {len(loaded)} threads"
            )
        per_line[store] = [
            (after - before) // args.lines for before, after in zip(started, loaded, strict=True)
        ]
    return per_line


def main() -> int:
    args = parse_arguments()
    if args.inner:
        if args.said:
            try:
                say(args.store, args.members, args.lines, args.per_pass, args.rate)
            except BaseException:
                traceback.print_exc()
                # The store's threads would hold the process open, and the count with it.
                os._exit(1)
        else:
            register(args.users, args.rooms, args.replay)
        return 0
    import servers  # the bench's own, beside this file; not in the process counted

    valgrind = valgrind_binary()
    registrations: list[tuple[str, int]] = []
    said: list[tuple[str, dict[str, list[int]]]] = []
    for commit in args.commits:
        short = servers.short_commit(commit)
        if short is None:
            raise servers.BenchError(f"no commit {commit!r} in this repository")
        source = servers.export_commit(short)
        label = f"{commit} ({short})"
        try:
            if args.said:
                print(
                    f"count: {label}, {args.lines} lines in a room of {args.members}, {args.per_pass} a pass, "
                    f"{args.rate:g} a second",
                    file=sys.stderr,
                )
                said.append((label, count_said(valgrind, source, args)))
            else:
                print(f"count: {label}, {args.users} users in {args.rooms} rooms", file=sys.stderr)
                registrations.append((label, count_registrations(valgrind, source, args)))
        finally:
            shutil.rmtree(source, ignore_errors=True)
    if said:
        print_said(said)
    else:
        first = registrations[0][1]
        print("| commit | instructions per registration | / the first |")
        print("|---|---|---|")
        for label, each in registrations:
            print(f"| {label} | {each:,} | {each / first:.2f}x |")
    return 0


def print_said(said: list[tuple[str, dict[str, list[int]]]]) -> None:
    """The table of instructions per line said: each store's, on the reactor's thread and in all; their ratios."""
    first = sum(said[0][1]["sqlite"])
    print(
        "| commit | SQLite: the reactor's thread | the others' | in all | :memory: "
        "| SQLite / :memory: on the reactor's thread | in all | SQLite in all / the first |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, each in said:
        reactor, *others = each["sqlite"]
        whole, memory = sum(each["sqlite"]), sum(each["memory"])
        print(
            f"| {label} | {reactor:,} | {' + '.join(f'{other:,}' for other in others)} | {whole:,} | {memory:,} "
            f"| {reactor / memory:.3f}x | {whole / memory:.3f}x | {whole / first:.3f}x |"
        )


if __name__ == "__main__":
    sys.exit(main())
