"""The daemon's CPU time and ``sendto`` calls a registration after a restart, daemons taking turns, run by hand (as
root, for perf): ``python bench/registration_cost.py [--clients N] [--rooms R] [--window W] [--rounds K] [COMMIT ...]``
(default: HEAD and ``9cb50bc``, the daemon before the store).

``bench/load.py restart`` times registrations a second, which this shared
machine moves by a third from one run to the next; ``bench/daemon_count.py``
counts user-space instructions, not the kernel's work, which a loopback
send mostly is. This counts what the daemon itself spends: its CPU time
(user and system, from /proc) and the ``sendto`` calls it makes (perf's
tracepoint), while ``--clients`` connect ``--window`` at a time, each choosing
a nickname, then joining one of ``--rooms`` rooms and leaving ``#lobby``
once registered, as ``restart``'s clients do. Every daemon but the one
before the store starts on a copy of one ``--db`` file ``bench/store.py``
fills (20 lines replayed on each join). The daemons take turns, round by
round, so a slow spell of the machine falls on each alike.
"""

import argparse
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from count import BEFORE_STORE
from daemon_count import chatd_command, fill, free_port, wait_for

TICKS = os.sysconf("SC_CLK_TCK")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "commits", nargs="*", default=["HEAD", BEFORE_STORE], help="commits to measure, in turn"
    )
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--window", type=int, default=50, help="clients registering at once")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--lines", type=int, default=200_000, help="lines in the --db file")
    return parser.parse_args()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process ``pid`` has used."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def register(port: int, clients: int, rooms: int, window: int) -> list[socket.socket]:
    """``clients`` registrations, ``window`` under way at once, each from an address of its own; the connections."""
    selector = selectors.DefaultSelector()
    waiting: dict[socket.socket, tuple[bytes, bytes]] = {}
    kept, started = [], 0

    def start(number: int) -> None:
        place = number + 1
        source = f"127.1.{place >> 8 & 255}.{place & 255}"
        connection = socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(source, 0))
        connection.setblocking(False)
        connection.sendall(b"user%d\n" % number)
        nick = b"*** You are user%d." % number
        waiting[connection] = (nick, b"")
        selector.register(connection, selectors.EVENT_READ, number)
        kept.append(connection)

    while started < min(window, clients):
        start(started)
        started += 1
    while waiting:
        ready = selector.select(60)
        if not ready:
            raise RuntimeError(f"{len(waiting)} clients heard nothing for a minute")
        for key, _ in ready:
            connection, number = key.fileobj, key.data
            assert isinstance(connection, socket.socket)
            data = connection.recv(65536)
            if not data:
                raise RuntimeError(f"user{number} was cut off")
            marker, seen = waiting[connection]
            seen = seen[-200:] + data  # a marker may straddle two reads; none is 200 bytes long
            if marker.startswith(b"***") and marker in seen:
                connection.sendall(b"/join #r%d\n/part #lobby\n" % (number % rooms))
                marker, seen = b"#lobby -- user%d left" % number, seen[seen.index(marker) :]
            if marker in seen and not marker.startswith(b"***"):
                del waiting[connection]
                selector.unregister(connection)
                if started < clients:
                    start(started)
                    started += 1
                continue
            waiting[connection] = (marker, seen)
    return kept


def measure(source: str, db: str | None, args: argparse.Namespace) -> tuple[float, float, float]:
    """Registrations a second, CPU microseconds and ``sendto`` calls a registration, of a daemon from ``source``."""
    port = free_port()
    work = tempfile.mkdtemp(prefix="chatd-cost-")
    command = chatd_command(port)
    if db is not None:
        for suffix in ("", "-search"):
            shutil.copyfile(db + suffix, os.path.join(work, "chatd.sqlite" + suffix))
        command += ["--db", os.path.join(work, "chatd.sqlite")]
    daemon = subprocess.Popen(command, cwd=work, env={**os.environ, "PYTHONPATH": source})
    connections: list[socket.socket] = []
    try:
        wait_for(port, daemon)
        perf = subprocess.Popen(
            ["perf", "stat", "-x,", "-e", "syscalls:sys_enter_sendto", "-p", str(daemon.pid)],
            stderr=subprocess.PIPE,
        )
        time.sleep(0.5)  # perf attached
        used, began = cpu_seconds(daemon.pid), time.monotonic()
        connections = register(port, args.clients, args.rooms, args.window)
        elapsed, used = time.monotonic() - began, cpu_seconds(daemon.pid) - used
        perf.send_signal(signal.SIGINT)
        _, report = perf.communicate(timeout=60)
        sends = int(report.decode().strip().splitlines()[-1].split(",")[0])
    finally:
        daemon.terminate()
        daemon.wait(timeout=60)
        for connection in connections:
            connection.close()
        shutil.rmtree(work, ignore_errors=True)
    return args.clients / elapsed, used * 1e6 / args.clients, sends / args.clients


def main() -> int:
    args = parse_arguments()
    import servers

    directory = tempfile.mkdtemp(prefix="chatd-cost-db-")
    try:
        full = fill(directory, args.lines, args.rooms)
        old = {
            commit for commit in args.commits if str(servers.short_commit(commit)).startswith(BEFORE_STORE)
        }
        results = servers.in_turns(
            args.commits,
            args.rounds,
            lambda commit, source: measure(source, None if commit in old else full, args),
            lambda result: f"{result[0]:,.0f}/s, {result[1]:,.0f} us, {result[2]:.1f} sendto",
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    first = args.commits[0]
    mean = {
        commit: [sum(column) / len(column) for column in zip(*rows, strict=True)]
        for commit, rows in results.items()
    }
    print(
        "| commit | registered/s | CPU us a registration | sendto a registration | registered/s / the first |"
    )
    print("|---|---|---|---|---|")
    for commit, (rate, cpu, sends) in mean.items():
        print(f"| {commit} | {rate:,.0f} | {cpu:,.0f} | {sends:.1f} | {rate / mean[first][0]:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
