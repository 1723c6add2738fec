"""The memory a real ``twistd chatd`` keeps for rooms that have emptied, run by hand:
``python bench/room_memory.py [--rounds N] [--memory]``.

One client on loopback joins a new room (``#r0``, ``#r1``, ...), says one
line there and parts, ``--rounds`` times, with flood options raised so it
runs fast. The daemon's resident size (VmRSS) is read before the rounds
(after a warm-up of as many rounds in other rooms' names, so the allocator
and the interpreter's caches are grown) and after them; the difference over
the rounds is what each room left behind once empty. Run with ``--db FILE``
(a fresh file in a temporary folder) or ``--memory`` (``--db :memory:``);
``PYTHONPATH`` picks the chatd measured. Results: docs/SECURITY.md, "Every
limit".
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

LISTENING = re.compile(rb"chatd listening on 127\.0\.0\.1:(\d+)")

FLOOD = ["--flood-rate", "100000", "--flood-burst", "100000", "--flood-bytes", "100000000"]


def start(work: str, memory: bool) -> tuple["subprocess.Popen[bytes]", int]:
    """A daemon listening on loopback, and its port read from its own log line."""
    db = ":memory:" if memory else os.path.join(work, "chatd.sqlite")
    log = os.path.join(work, "twistd.log")
    command = [
        os.path.join(os.path.dirname(sys.executable), "twistd"),
        "-n",
        "--pidfile=",
        "--logfile",
        log,
        "chatd",
        "--port",
        "0",
        "--interface",
        "127.0.0.1",
        "--db",
        db,
        *FLOOD,
    ]
    daemon = subprocess.Popen(command, cwd=work, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    found = None
    while time.monotonic() < deadline:
        if os.path.exists(log):
            with open(log, "rb") as written:
                found = LISTENING.search(written.read())
        if found:
            return daemon, int(found.group(1))
        time.sleep(0.1)  # a start has nothing to wait on but its log file
    daemon.kill()
    raise SystemExit("chatd did not say it was listening within a minute")


def resident(pid: int) -> int:
    """The process's resident set, in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit("no VmRSS")


def rounds(client: socket.socket, prefix: str, count: int) -> None:
    """Join, say and part ``count`` new rooms, then wait until the daemon has done all of it."""
    batch = 500
    for first in range(0, count, batch):
        lines = []
        for n in range(first, min(first + batch, count)):
            room = f"#{prefix}{n}"
            lines.append(f"/join {room}\nhello {n}\n/part\n")
        client.sendall("".join(lines).encode())
        settled(client, f"#{prefix}end{first}")


def settled(client: socket.socket, room: str) -> None:
    """Join and part ``room`` and read until its part comes back: everything sent before it is done."""
    client.sendall(f"/join {room}\n/part {room}\n".encode())
    seen = b""
    marker = room.encode()
    while seen.count(marker) < 2:
        chunk = client.recv(1 << 20)
        if not chunk:
            raise SystemExit("the daemon closed the connection")
        seen = seen[-4096:] + chunk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20000, help="rooms joined, said in and left")
    parser.add_argument("--memory", action="store_true", help="run chatd with --db :memory:")
    arguments = parser.parse_args()
    work = tempfile.mkdtemp()
    daemon, port = start(work, arguments.memory)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=120) as client:
            client.sendall(b"measurer\n")
            rounds(client, "w", arguments.rounds)
            before = resident(daemon.pid)
            began = time.monotonic()
            rounds(client, "r", arguments.rounds)
            after = resident(daemon.pid)
        took = time.monotonic() - began
        print(
            f"{'--db :memory:' if arguments.memory else '--db FILE'}: VmRSS {before} KiB -> {after} KiB over "
            f"{arguments.rounds} rooms ({took:.0f} s): {(after - before) * 1024 / arguments.rounds:.0f} bytes a room"
        )
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(60)
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
