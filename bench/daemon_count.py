"""Instructions a real ``twistd chatd`` runs to register one user after a restart, counted under valgrind, run by
hand: ``python bench/daemon_count.py [--users N] [--rooms R] [--rounds K] [--memory] [COMMIT ...]`` (default:
HEAD and ``9cb50bc``, the daemon before the store).

``bench/count.py`` counts one registration's Python in process: the line
front end alone, no sockets, no store's threads, none of the services the
daemon subscribes to the bus (the audit log, the file transfers), and
rooms with nothing to replay. After a restart a daemon does all of that
too. This counts the whole daemon's user-space instructions (every thread:
the reactor, the SQLite store's writer, reader and indexer), started as
README says on a copy of a ``--db`` file ``bench/store.py`` fills with
lines in ``#lobby`` and every room, so each join replays 20 lines. Clients
register one after another over loopback (connect, nickname, join one of
``--rooms`` rooms, leave ``#lobby``), each waiting for its part to be
confirmed. ``--memory`` and ``--chatd-args`` (``--replay 0``, say) count
the daemon's variants; the daemon before the store takes neither. Each commit is counted with no users and with ``--users``; the
difference over the users is the answer, the mean of ``--rounds``.

Not exact as ``count.py`` is: under valgrind the daemon runs fifty times
slower, so how many registrations one reactor pass or one commit carries
depends on timing. Two rounds of one commit differ by about 5%; read
differences above that. The kernel's work (sends, accepts) is not counted.
"""

import argparse
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from count import BEFORE_STORE, I_REFS, valgrind_binary

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

STARTED_SECONDS = 300.0
"""How long a daemon under valgrind may take to listen, or to stop once told."""


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "commits", nargs="*", default=["HEAD", BEFORE_STORE], help="commits to count, in order"
    )
    parser.add_argument("--users", type=int, default=300, help="users registered in a count")
    parser.add_argument("--rooms", type=int, default=15, help="rooms they join, one each")
    parser.add_argument("--rounds", type=int, default=2, help="counts of each commit, averaged")
    parser.add_argument("--lines", type=int, default=20000, help="lines in the --db file before the restart")
    parser.add_argument(
        "--memory", action="store_true", help="run chatd with --db :memory: (nothing to replay)"
    )
    parser.add_argument(
        "--chatd-args", default="", help="more options for chatd (not the daemon before the store)"
    )
    return parser.parse_args()


def fill(directory: str, lines: int, rooms: int) -> str:
    """A --db file as a daemon's earlier run leaves it, with ``lines`` lines in #lobby and #r0 ... (bench/store.py)."""
    path = os.path.join(directory, "full.sqlite")
    command = [sys.executable, os.path.join(ROOT, "bench", "store.py"), "--keep", path, "--lines", str(lines)]
    command += ["--bans", "100", "--rooms", str(rooms + 1), "--seconds", "3600"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return path


def register(port: int, users: int, rooms: int) -> list[socket.socket]:
    """``users`` registrations one after another, each from an address of its own; the connections, still open."""
    connections = []
    for number in range(users):
        place = number + 1  # 127.1.0.0 is an address like any in 127/8, but the first is left out
        source = f"127.1.{place >> 8 & 255}.{place & 255}"
        connection = socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(source, 0))
        connection.sendall(b"user%d\n/join #r%d\n/part #lobby\n" % (number, number % rooms))
        left = b"#lobby -- user%d left" % number
        seen = b""
        while left not in seen:
            data = connection.recv(65536)
            if not data:
                raise RuntimeError(f"user{number} was cut off: {seen[-300:]!r}")
            seen = (seen + data)[-4096:]
        connections.append(connection)
    return connections


def instructions(valgrind: str, source: str, users: int, rooms: int, db: str | None, extra: list[str]) -> int:
    """What valgrind counts for a daemon from ``source`` that ``users`` register on, start and stop included.

    ``db``: a --db file, copied for the daemon; ``:memory:``; None for the daemon before the store.
    """
    port = free_port()
    command = [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    command += [sys.executable, os.path.join(ROOT, ".venv", "bin", "twistd"), "-n", "--pidfile=", "chatd"]
    command += ["--port", str(port), "--interface", "127.0.0.1"]
    work = tempfile.mkdtemp(prefix="chatd-count-daemon-")
    if db == ":memory:":
        command += ["--db", db]
    elif db is not None:
        copy = os.path.join(work, "chatd.sqlite")
        shutil.copyfile(db, copy)
        shutil.copyfile(f"{db}-search", f"{copy}-search")
        command += ["--db", copy]
    if db is not None:
        command += extra
    env = {**os.environ, "PYTHONPATH": source, "PYTHONHASHSEED": "0"}
    daemon = subprocess.Popen(command, env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(port, daemon)
        connections = register(port, users, rooms)
        daemon.send_signal(signal.SIGTERM)
        _, errors = daemon.communicate(timeout=STARTED_SECONDS)
        for connection in connections:
            connection.close()
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        shutil.rmtree(work, ignore_errors=True)
    found = I_REFS.search(errors)
    if found is None:
        raise RuntimeError(f"the count at {source} failed:\n{errors.decode(errors='replace')[-2000:]}")
    return int(found.group(1).replace(b",", b""))


def wait_for(port: int, daemon: subprocess.Popen[bytes]) -> None:
    """Return once the daemon listens on ``port``; raise if it stops or takes too long."""
    deadline = time.monotonic() + STARTED_SECONDS
    while daemon.poll() is None and time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.5)
            continue
        time.sleep(1)  # the probe's own connection, gone before the count's users come
        return
    raise RuntimeError(f"the daemon did not listen on {port}")


def chatd_command(port: int) -> list[str]:
    """The venv's ``twistd -n chatd`` on 127.0.0.1 ``port``, logging nothing: a daemon a bench times from outside."""
    twistd = os.path.join(ROOT, ".venv", "bin", "twistd")
    return [
        twistd,
        "-n",
        "--pidfile=",
        "--logfile=/dev/null",
        "chatd",
        "--port",
        str(port),
        "--interface",
        "127.0.0.1",
    ]


def free_port() -> int:
    import servers

    return servers.free_port()


def main() -> int:
    args = parse_arguments()
    import servers

    valgrind = valgrind_binary()
    directory = tempfile.mkdtemp(prefix="chatd-count-db-")
    counted: list[tuple[str, float]] = []
    try:
        full = fill(directory, args.lines, args.rooms)
        for commit in args.commits:
            short = servers.short_commit(commit)
            if short is None:
                raise servers.BenchError(f"no commit {commit!r} in this repository")
            source = servers.export_commit(short)
            each = []
            try:
                for number in range(1, args.rounds + 1):
                    print(f"count: {commit} ({short}), round {number}", file=sys.stderr, flush=True)
                    db = None if short.startswith(BEFORE_STORE) else ":memory:" if args.memory else full
                    extra = shlex.split(args.chatd_args)
                    runs = [
                        instructions(valgrind, source, users, args.rooms, db, extra)
                        for users in (0, args.users)
                    ]
                    each.append((runs[1] - runs[0]) / args.users)
            finally:
                shutil.rmtree(source, ignore_errors=True)
            rounds = ", ".join(f"{value:,.0f}" for value in each)
            counted.append((f"{commit} ({short}): {rounds}", sum(each) / len(each)))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    first = counted[0][1]
    print("| commit: each round | instructions per registration | / the first |")
    print("|---|---|---|")
    for label, mean in counted:
        print(f"| {label} | {mean:,.0f} | {mean / first:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
