"""Instructions chatd's own code runs to register one user, counted under valgrind, run by hand:
``python bench/count.py [--users N] [--rooms R] [--replay N] [COMMIT ...]`` (default: HEAD and ``9cb50bc``).

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

BEFORE_STORE = "9cb50bc"
"""The last commit before issue 13's first: the daemon whose registering issue 13 asks to be no slower than."""

I_REFS = re.compile(rb"I\s+refs:\s+([\d,]+)")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "commits", nargs="*", default=["HEAD", BEFORE_STORE], help="commits to count, in order"
    )
    parser.add_argument("--users", type=int, default=1500, help="users registered in a count")
    parser.add_argument("--rooms", type=int, default=15, help="rooms they join, one each")
    parser.add_argument(
        "--replay", type=int, help="chatd's --replay for the count (default: the commit's own)"
    )
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def register(users: int, rooms: int, replay: int | None) -> None:
    """In the process valgrind counts: ``users`` registrations on the line front end of the chatd on the path."""
    from twisted.internet.address import IPv4Address
    from twisted.internet.testing import StringTransport

    from tests.helpers import LineTestCase

    class Front(LineTestCase):
        max_connections = max_per_ip = users + 1

        def runTest(self) -> None:  # noqa: N802 - unittest's name
            """Not a test: the front end is all that is wanted of the case."""

    class Sent(StringTransport):
        """A connection whose output is sent and gone, as a daemon's is: the kernel's part, not counted.

        Kept, it had to be cleared every 500 users, every wire so far, in the
        loop counted: work of no registration's, and none in the run of none.
        """

        def write(self, data: bytes) -> None:
            """Dropped."""

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
        protocol.makeConnection(Sent())
        protocol.dataReceived(b"user%d\n" % number)
        front.clock.advance(0)
        protocol.dataReceived(b"/join #room%d\n/part #lobby\n" % (number % rooms))
        front.clock.advance(0)


def instructions(valgrind: str, source: str, users: int, rooms: int, replay: int | None) -> int:
    """What valgrind counts for ``users`` registrations on the chatd at ``source``, start-up included."""
    command = [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    command += [sys.executable, __file__, "--inner", "--users", str(users), "--rooms", str(rooms)]
    if replay is not None:
        command += ["--replay", str(replay)]
    env = {**os.environ, "PYTHONPATH": source, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    found = I_REFS.search(done.stderr)
    if done.returncode or found is None:
        raise RuntimeError(f"the count at {source} failed:\n{done.stderr.decode(errors='replace')[-2000:]}")
    return int(found.group(1).replace(b",", b""))


def valgrind_binary() -> str:
    import servers

    found = shutil.which("valgrind")
    if found:
        return found
    if os.geteuid() != 0:
        raise servers.BenchError("valgrind is not installed; run as root or 'apt-get install valgrind' first")
    servers.apt_get_install("valgrind")
    return shutil.which("valgrind") or "/usr/bin/valgrind"


def main() -> int:
    args = parse_arguments()
    if args.inner:
        register(args.users, args.rooms, args.replay)
        return 0
    import servers  # the bench's own, beside this file; not in the process counted

    valgrind = valgrind_binary()
    counted: list[tuple[str, int]] = []
    for commit in args.commits:
        short = servers.short_commit(commit)
        if short is None:
            raise servers.BenchError(f"no commit {commit!r} in this repository")
        source = servers.export_commit(short)
        try:
            print(f"count: {commit} ({short}), {args.users} users in {args.rooms} rooms", file=sys.stderr)
            started = instructions(valgrind, source, 0, args.rooms, args.replay)
            loaded = instructions(valgrind, source, args.users, args.rooms, args.replay)
        finally:
            shutil.rmtree(source, ignore_errors=True)
        counted.append((f"{commit} ({short})", (loaded - started) // args.users))
    first = counted[0][1]
    print("| commit | instructions per registration | / the first |")
    print("|---|---|---|")
    for label, each in counted:
        print(f"| {label} | {each:,} | {each / first:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
