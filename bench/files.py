"""What carrying files costs chatd and its chat, run by hand, never in CI (issue 16 point 9).

    .venv/bin/python bench/files.py                      # 2 rounds, 100 chatters, files of 20 MB
    .venv/bin/python bench/files.py --chatters 20 --step-seconds 4 --rounds 1   # a smoke run

One ``twistd -n chatd`` (its default limits and SQLite store, a spool in a
temporary directory) is pinned to the first CPU, as ``bench/load.py`` pins it; the
generator processes are on the others. ``--chatters`` clients in 10 rooms
of their own (``bench/load.py``'s generator) each say a line a second, and
every tenth member of a room times the lines it gets. Each round measures,
one after the other:

- ``chat alone``: the chatters for ``--step-seconds``;
- ``chat + transfer``: the same, while a sender and a receiver of their
  own (one more process, speaking the line protocol's JSON as the terminal
  client does) move files of ``--size-mb`` random bytes through the daemon
  one after another, as fast as the daemon lets them: the sender offers a
  file to the receiver (``/file offer``), uploads it in 16 KiB chunks with
  8 unacknowledged, the receiver accepts once it is offered, checks each
  chunk's hash and acknowledges it, and the next file starts when the
  last one has arrived whole and checked;
- ``transfer alone``: the files with nobody chatting.

It prints each step's chat p50/p99 (ms) and the daemon's CPU, and the
transfer's megabytes a second in each direction (upload: from the first
chunk to ``file_uploaded``; download: from ``/file accept`` to
``file_sent``). The daemon runs with ``--file-rate`` high enough not to
limit anything (``--file-rate`` bytes a second; give
``--daemon-file-rate`` to measure at another, the default 10 MiB/s say).
"""

import argparse
import base64
import hashlib
import json
import multiprocessing
import os
import socket
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from typing import Any

import workloads
from workloads import Setup

CHUNK = 16384
WINDOW = 8
ROOMS = 10


class JSONLine:
    """One line-protocol connection in JSON mode: lines out, objects in."""

    def __init__(self, port: int, nick: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buffer = b""
        self.send(f"/format json\r\n{nick}\r\n/part #lobby")
        while True:
            message = self.read()
            if message.get("type") == "notice" and message.get("kind") == "nick":
                return

    def send(self, line: str) -> None:
        self.sock.sendall(line.encode() + b"\r\n")

    def read(self) -> dict[str, Any]:
        """The next JSON object (text lines before JSON mode are skipped); raises at EOF."""
        while True:
            line, newline, rest = self.buffer.partition(b"\n")
            if newline:
                self.buffer = rest
                if line.startswith(b"{"):
                    message: dict[str, Any] = json.loads(line)
                    if message.get("type") == "error":
                        raise RuntimeError(f"chatd said: {message}")
                    return message
                continue
            data = self.sock.recv(1 << 20)
            if not data:
                raise EOFError("chatd closed the connection")
            self.buffer += data


def upload(sender: JSONLine, to: str, data: bytes) -> float:
    """Offer ``data`` to ``to`` and upload it; seconds from the first chunk to ``file_uploaded``."""
    digest = hashlib.sha256(data).hexdigest()
    sender.send(f"/file offer {to} {len(data)} {digest} application/octet-stream bench.bin")
    while (reply := sender.read()).get("type") != "file_upload":
        pass
    file_id, have = reply["file"], reply["have"]
    began = time.monotonic()
    acknowledged = sent = have
    while acknowledged < len(data):
        while sent < len(data) and sent - acknowledged < WINDOW * CHUNK:
            chunk = data[sent : sent + CHUNK]
            sender.send(f"/file put {file_id} {sent} {base64.b64encode(chunk).decode()}")
            sent += len(chunk)
        message = sender.read()
        if message.get("type") == "file_progress" and message["file"] == file_id:
            acknowledged = message["have"]
    while (message := sender.read()).get("type") != "file_uploaded":
        pass
    return time.monotonic() - began


def download(receiver: JSONLine, size: int) -> tuple[float, bool]:
    """Accept the next offer and take it whole: seconds from accepting to ``file_sent``, and whether it checked out."""
    while (offer := receiver.read()).get("type") != "file_offered":
        pass
    file_id = offer["file"]
    began = time.monotonic()
    receiver.send(f"/file accept {file_id}")
    whole = hashlib.sha256()
    held = 0
    while True:
        message = receiver.read()
        kind = message.get("type")
        if kind == "file_chunk" and message["file"] == file_id:
            chunk = base64.b64decode(message["data"])
            if hashlib.sha256(chunk).hexdigest() != message["sha256"] or message["offset"] != held:
                return time.monotonic() - began, False
            whole.update(chunk)
            held += len(chunk)
            receiver.send(f"/file ack {file_id} {held}")
        elif kind == "file_sent" and message["file"] == file_id:
            return time.monotonic() - began, held == size and whole.hexdigest() == offer["sha256"]


def mover(pipe: Connection, port: int, size: int, cpus: set[int]) -> None:
    """In a child: move files from ``fs`` to ``fr`` until told to stop; report each file's two times."""
    os.sched_setaffinity(0, cpus)
    sender, receiver = JSONLine(port, "fs"), JSONLine(port, "fr")
    while pipe.recv() == "go":
        files: list[tuple[float, float, bool]] = []
        stop_at = pipe.recv()
        while time.monotonic() < stop_at:
            data = os.urandom(size)
            up = upload(sender, "fr", data)
            down, good = download(receiver, size)
            files.append((up, down, good))
        pipe.send(files)


def transfer_rates(files: list[tuple[float, float, bool]], size: int) -> dict[str, Any]:
    """Megabytes a second each way over ``files``, and how many arrived whole."""
    up = sum(f[0] for f in files)
    down = sum(f[1] for f in files)
    megabytes = size * len(files) / 1e6
    return {
        "files": len(files),
        "whole": sum(f[2] for f in files),
        "upload_mb_s": megabytes / up if up else 0.0,
        "download_mb_s": megabytes / down if down else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chatters", type=int, default=100)
    parser.add_argument("--size-mb", type=float, default=20.0)
    parser.add_argument("--step-seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--daemon-file-rate", type=int, default=1 << 30, help="chatd's --file-rate")
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        print("bench/files.py wants two CPUs: chatd on one, the clients on the others", file=sys.stderr)
        return 1
    os.sched_setaffinity(0, set(cpus[1:]))
    setup = Setup(server_cpu=cpus[0], generator_cpus=cpus[1:], workers=1, step_seconds=args.step_seconds)
    size = int(args.size_mb * 1e6)
    spool = tempfile.mkdtemp(prefix="chatd-bench-files-")
    # chatd's own limits otherwise: a chatter's line a second is well within them.
    extra = ["--files", spool, "--file-rate", str(args.daemon_file_rate)]
    rate = 1.0
    with workloads.running("chatd", setup, extra) as env:
        specs = workloads.specs(0, args.chatters, ROOMS, setup.probe_every)
        env.fleet.connect(specs, setup.window, 60)
        context = multiprocessing.get_context("spawn")
        mine, theirs = context.Pipe()
        process = context.Process(
            target=mover, args=(theirs, env.server.port, size, set(cpus[1:])), daemon=True
        )
        process.start()
        target = args.chatters * rate * args.chatters / ROOMS
        try:
            for round_ in range(1, args.rounds + 1):
                alone = workloads.measure(env, setup, f"a{round_}", target, args.chatters, rate)
                print(workloads.describe_step(f"round {round_} chat alone", alone), flush=True)
                mine.send("go")
                mine.send(time.monotonic() + args.step_seconds + 0.3)
                busy = workloads.measure(env, setup, f"b{round_}", target, args.chatters, rate)
                moved = transfer_rates(mine.recv(), size)
                print(workloads.describe_step(f"round {round_} chat + transfer", busy), flush=True)
                print(f"  round {round_} transfer beside the chat: {moved}", flush=True)
                workloads.wait_for_quiet(env)
                cpu_before = env.server.cpu_seconds()
                began = time.monotonic()
                mine.send("go")
                mine.send(time.monotonic() + args.step_seconds)
                alone_moved = transfer_rates(mine.recv(), size)
                cpu = (env.server.cpu_seconds() - cpu_before) / (time.monotonic() - began)
                print(f"  round {round_} transfer alone: {alone_moved}, server CPU {cpu:.0%}", flush=True)
        finally:
            mine.send("stop")
            process.join(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
