"""Soak and abuse test for chatd: a real daemon, hundreds of users and a few attackers.

What it measures. It starts its own ``twistd -n chatd`` on 127.0.0.1 (a
random port, a temporary directory), brings in ``--users`` normal users
spread over ``--rooms`` rooms (each: ``/format json``, a nickname,
``/join #roomN``, then ``/part`` of the default room), and for ``--seconds``
has each say a line about every 2 s (jittered). Each line carries a unique
id and its send time (``time.perf_counter_ns``), so every receiver knows its
latency. A message is delivered when every normal user in its room has it,
the sender's own echo included; membership is fixed while messages are
sent, so the expected count is exact. Meanwhile attackers work on the
server, most of them in ``#room0``:

- flooders send lines as fast as their socket takes them;
- pasters write 50 lines in one ``send()`` every few seconds;
- never-readers join ``#room0`` with a tiny SO_RCVBUF and never read;
- half-open connections send a partial nickname (or nothing) and hold;
- garbage senders write random bytes (0xFF included), escape sequences,
  invalid UTF-8, bidi and C0/C1 characters and overlong lines;
- blank-line flooders (``yes '' | nc``) and refused-line flooders (600-byte
  lines and invalid UTF-8) send as fast as their socket takes it, without
  ever choosing a nickname: input that earns nothing but refusals (issue 12);
- stalled handshakes open a TCP connection to chatd's TLS port (the soak
  gives chatd one, with a throwaway certificate made by ``openssl``) and
  never start the handshake.

It reports messages sent, deliveries expected and received, lost ones (must
be 0), latency p50/p99/max (overall, in the attacked room, elsewhere), the
server's resident memory after warm-up and at the end (growth target: under
5%), the CPU time of server and load generator against wall time, and for
each kind of attacker how many the server disconnected and the last line
each got. The summary is a markdown table for docs/PERFORMANCE.md, with the
exact command line and chatd arguments.

How to run (by hand, never in CI; loopback only; it stops by itself)::

    .venv/bin/python bench/soak.py                       # 60 s, 200 users, 10 rooms
    .venv/bin/python bench/soak.py --seconds 20 --users 100
    .venv/bin/python bench/soak.py --server-args '--flood-rate 1 --sendq 65536'
    .venv/bin/python bench/soak.py --blank 0 --refused 0 --stall 0   # without issue 12's attackers

``--max-per-ip``, ``--connect-burst`` and ``--max-connections`` are raised to fit the run,
since all load comes from 127.0.0.1; every other limit keeps its default
unless ``--server-args`` says otherwise. The script uses the standard library only (and the
``openssl`` command for the TLS port's certificate, when there are stalled handshakes): one process, one
``selectors`` loop over non-blocking sockets.

Server memory is VmRSS of the twistd process (/proc/PID/status); what the
kernel holds for never-readers is not in it, so their send queues on
chatd's side (/proc/net/tcp) are reported too. A message still missing
``--drain`` s after talking stopped counts as lost. Exit status: 0, 1 if
anything was lost or the run stopped early (``--max-server-rss``, chatd
died), 2 if it could not start, 130 if interrupted; chatd gets SIGTERM in
every case.
"""

import argparse
import heapq
import json
import os
import random
import re
import resource
import selectors
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository root; its .venv holds the twistd that runs chatd."""

HOST = "127.0.0.1"
LISTENING = re.compile(rb"chatd listening on 127\.0\.0\.1:(\d+)")
"""chatd's own log line naming a port it bound: the plain one, then the TLS one if any."""

START_SECONDS = 15.0
"""How long the daemon may take to announce its port."""
STOP_SECONDS = 10.0
"""How long the daemon may take to exit after SIGTERM before it is killed."""
CONNECT_SECONDS = 5.0
"""How long one loopback connect may block."""
BATCH = 50
"""Normal users connected at once while ramping up (Twisted's listen backlog is 50)."""
READ_BYTES = 262144
"""Bytes asked of one recv()."""
READS_PER_WAKE = 4
"""recv() calls per socket per readiness, so one busy socket cannot starve the others."""
OUT_CAP = 1 << 20
"""Bytes an attacker may have waiting locally; beyond it, it skips a round."""
TICK_SECONDS = 1.0
"""How often server memory is sampled and never-readers are probed."""
PROGRESS_SECONDS = 10.0
"""How often a progress line goes to stderr."""
PASTE_LINES = 50
REGISTER_GRACE = 5.0
"""Seconds a garbage sender waits to be registered before it starts anyway."""
TCP_CLOSE = 7
TCP_CLOSE_WAIT = 8
SAID_NICK = re.compile(rb'"nick":"([A-Za-z]+)\d*"')
"""The nickname's letters in a JSON ``said`` line: they name the sender's kind."""
ERROR_CODES = re.compile(rb'"type":"error","code":"([a-z0-9-]+)"|(?:^|\n)ERR ([a-z0-9-]+)')
NOTICE_KINDS = re.compile(rb'"type":"notice","kind":"([a-z0-9-]+)"')
ROUTINE_NOTICES = frozenset({"welcome", "motd", "prompt", "nick", "format", "room", "help"})
"""Notices every session gets; the others (a flood warning, say) are worth counting."""

KINDS = ("flood", "paste", "deaf", "half", "junk", "blank", "refused", "stall")
"""Attacker kinds, also their nickname prefixes."""
KIND_NAMES = {
    "flood": "flooder",
    "paste": "paster",
    "deaf": "never-reader",
    "half": "half-open",
    "junk": "garbage sender",
    "blank": "blank-line flooder",
    "refused": "refused-line flooder",
    "stall": "stalled handshake",
}
FLOODS = ("flood", "blank", "refused")
"""Kinds that send as fast as their socket takes it."""
CERTIFICATE_SECONDS = 30.0
"""How long ``openssl`` may take to make the TLS port's certificate."""


class SoakError(Exception):
    """The run cannot go on (the daemon did not start, users could not get in)."""


# --- the daemon -------------------------------------------------------------


def chatd_arguments(extra: str, connections: int) -> list[str]:
    """The ``chatd`` arguments: loopback, port 0, room for every connection, then ``extra``.

    All load comes from 127.0.0.1, so the per-address limits (open at once,
    opened at once) are raised to fit the run (and so is the overall one);
    every other limit keeps its
    default unless ``extra`` (which comes last, and wins) says otherwise.
    """
    needed = str(connections + 16)
    return [
        "--port", "0", "--interface", HOST, "--max-per-ip", needed, "--connect-burst", needed,
        "--max-connections", needed,
        *shlex.split(extra),
    ]  # fmt: skip


def make_certificate(directory: str) -> tuple[str, str]:
    """A throwaway self-signed certificate and key for chatd's TLS port, made by ``openssl``; their paths."""
    certificate, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    try:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-subj", "/CN=localhost", "-days", "1", "-keyout", key, "-out", certificate],
            check=True, capture_output=True, timeout=CERTIFICATE_SECONDS,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as error:
        raise SoakError(
            f"stalled handshakes need a TLS port, whose certificate openssl could not make ({error}); try --stall 0"
        ) from None
    return certificate, key


def _cpu_seconds(stat_path: str) -> float:
    """User plus system CPU time in a ``/proc`` ``stat`` file (a process's, or one thread's); 0 once it is gone."""
    try:
        with open(stat_path) as stat:
            after_name = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # Fields 14 and 15 of proc(5); after_name starts at field 3.
    return (int(after_name[11]) + int(after_name[12])) / os.sysconf("SC_CLK_TCK")


class Daemon:
    """One ``twistd -n chatd`` in a temporary directory, logging to a file there."""

    def __init__(self, command: list[str], cpu: int | None, listeners: int = 1) -> None:
        self.command = command
        self.directory = tempfile.mkdtemp(prefix="chatd-soak-")
        self.log_path = os.path.join(self.directory, "chatd.log")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.directory,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # One process, no threads yet, so preexec_fn is safe here.
                preexec_fn=None if cpu is None else lambda: os.sched_setaffinity(0, {cpu}),
            )
        self.listeners = listeners
        self.port = 0
        self.tls_port = 0
        """The TLS port, when chatd has one (the second it announces)."""
        self.exit_status: int | None = None

    def wait_for_port(self) -> int:
        """The (plain) port chatd announced, once it has announced all of them; raises if it exits or stays silent."""
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as log:
                ports = [int(port) for port in LISTENING.findall(log.read())]
            if len(ports) >= self.listeners:
                self.port, *rest = ports
                self.tls_port = rest[0] if rest else 0
                return self.port
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise SoakError(f"chatd did not announce its port within {START_SECONDS:g} s")

    def memory_kib(self) -> tuple[int, int]:
        """(VmRSS, VmHWM) of the twistd process in KiB, or (0, 0) once it is gone."""
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            return 0, 0
        return int(fields.get("VmRSS", "0 kB").split()[0]), int(fields.get("VmHWM", "0 kB").split()[0])

    def cpu_seconds(self) -> float:
        """User plus system CPU time the daemon has used so far."""
        return _cpu_seconds(f"/proc/{self.process.pid}/stat")

    def threads_cpu_seconds(self) -> float:
        """CPU time the daemon's threads other than its main one have used so far: chatd's store (its writer,
        reader and search indexer) beside the reactor. 0 for a daemon of one thread."""
        pid = self.process.pid
        try:
            tasks = [task for task in os.listdir(f"/proc/{pid}/task") if task != str(pid)]
        except OSError:
            return 0.0
        return sum(_cpu_seconds(f"/proc/{pid}/task/{task}/stat") for task in tasks)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers; idempotent."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_SECONDS)
        self.exit_status = self.process.returncode

    def log_problems(self) -> list[str]:
        """Log lines that show a bug or an unhandled error in the daemon."""
        with open(self.log_path, "rb") as log:
            lines = log.read().decode("utf-8", "replace").splitlines()
        marks = ("Traceback", "Unhandled", "#critical]", "#error]", "#failure]")
        return [line for line in lines if any(mark in line for mark in marks)]

    def log_warnings(self) -> Counter[str]:
        """The daemon's warnings, counted by text with addresses and numbers blanked."""
        with open(self.log_path, "rb") as log:
            lines = log.read().decode("utf-8", "replace").splitlines()
        return Counter(
            re.sub(r"\d+(\.\d+)*", "N", line.split("] ", 1)[-1]) for line in lines if "#warn]" in line
        )

    def log_tail(self, lines: int = 20) -> str:
        with open(self.log_path, "rb") as log:
            return "\n".join(log.read().decode("utf-8", "replace").splitlines()[-lines:])

    def remove(self, keep_log: str | None) -> None:
        if keep_log:
            shutil.copyfile(self.log_path, keep_log)
        shutil.rmtree(self.directory, ignore_errors=True)


# --- connections -------------------------------------------------------------


def connect(port: int, receive_buffer: int | None = None) -> socket.socket:
    """A non-blocking TCP socket connected to chatd (a blocking connect, bounded)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer is not None:
        # Before connect(), so the window the server sees is small from the start.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(CONNECT_SECONDS)
    try:
        sock.connect((HOST, port))
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class Connection:
    """A non-blocking socket in the loop: a local output queue and an input splitter.

    Subclasses say what to do with received bytes (``received``) and whether
    they read at all or always want to write.
    """

    reads = True
    always_writes = False
    keeps_socket = False
    """Keep the socket open when the server ends the connection (to read it later)."""

    def __init__(self, loop: "Loop", nick: str, sock: socket.socket) -> None:
        self.loop = loop
        self.nick = nick
        self.sock = sock
        self.pending = b""
        """Received bytes after the last complete line."""
        self.out = bytearray()
        self.interest = 0
        self.closed_by: str | None = None
        """None while open; 'server (EOF)', 'server (reset)' or 'us'."""
        self.closed_at = 0.0
        self.port: int = sock.getsockname()[1]
        self.update()

    def update(self) -> None:
        """Tell the selector what this socket waits for now."""
        if self.closed_by is not None:
            return
        wanted = (selectors.EVENT_READ if self.reads else 0) | (
            selectors.EVENT_WRITE if self.out or self.always_writes else 0
        )
        if wanted == self.interest:
            return
        if self.interest and wanted:
            self.loop.selector.modify(self.sock, wanted, self)
        elif wanted:
            self.loop.selector.register(self.sock, wanted, self)
        else:
            self.loop.selector.unregister(self.sock)
        self.interest = wanted

    def queue(self, data: bytes) -> None:
        """Send ``data`` now if the socket takes it, else keep the rest for later."""
        if self.closed_by is not None:
            return
        self.out += data
        self.flush()

    def flush(self) -> None:
        if self.out:
            sent = self.send(self.out)
            del self.out[:sent]
        self.update()

    def send(self, data: bytes | bytearray | memoryview) -> int:
        """send() once; 0 if the socket is full, and the connection closed if it failed."""
        try:
            return self.sock.send(data)
        except BlockingIOError:
            return 0
        except OSError as error:
            self.lost("server (reset)" if isinstance(error, ConnectionResetError | BrokenPipeError) else "us")
            return 0

    def on_writable(self) -> None:
        self.flush()

    def on_readable(self, now_ns: int) -> None:
        for _ in range(READS_PER_WAKE):
            try:
                chunk = self.sock.recv(READ_BYTES)
            except BlockingIOError:
                return
            except OSError:
                self.lost("server (reset)")
                return
            if not chunk:
                self.lost("server (EOF)")
                return
            data = self.pending + chunk
            end = data.rfind(b"\n") + 1
            self.pending = data[end:]
            if end:
                self.received(data[:end], now_ns)
            if len(chunk) < READ_BYTES:
                return

    def received(self, data: bytes, now_ns: int) -> None:
        """Complete lines arrived (``data`` ends in a newline) at ``now_ns``."""

    def lost(self, by: str) -> None:
        """The connection ended; ``by`` says who ended it."""
        if self.closed_by is None:
            self.closed_by = by
            self.closed_at = time.perf_counter()
        self.forget()
        if not self.keeps_socket:
            self.sock.close()

    def forget(self) -> None:
        """Take the socket out of the selector."""
        if self.interest:
            self.loop.selector.unregister(self.sock)
            self.interest = 0

    def close(self) -> None:
        """Close our end (idempotent); a connection still open counts as closed by us."""
        if self.closed_by is None:
            self.closed_by = "us"
            self.closed_at = time.perf_counter()
        self.forget()
        self.sock.close()


# --- normal users ------------------------------------------------------------


@dataclass(slots=True)
class Message:
    """One line said by a normal user, and who has yet to get it."""

    waiting: set[int]
    """Indexes of the normal users in the room when it was sent."""


@dataclass
class Tally:
    """What the normal users saw."""

    sent: int = 0
    expected: int = 0
    received: int = 0
    duplicates: int = 0
    misrouted: int = 0
    latencies_ms: dict[bool, list[float]] = field(default_factory=lambda: {True: [], False: []})
    """Delivery latencies, keyed by whether the room is the attacked one."""
    relayed: Counter[str] = field(default_factory=Counter)
    """Lines of attackers' messages seen by the witness, by attacker kind (a paste is several)."""
    errors: Counter[str] = field(default_factory=Counter)
    """ERR codes normal users got."""


class User(Connection):
    """A normal user: registers in JSON, joins one room, and talks every ~2 s."""

    def __init__(self, loop: "Loop", sock: socket.socket, index: int, room: int, witness: bool) -> None:
        super().__init__(loop, f"u{index}", sock)
        self.index = index
        self.room = room
        self.room_name = f"#room{room}"
        self.witness = witness
        """This one counts attackers' lines relayed into its room."""
        self.rooms: set[str] = set()
        self.parting: set[str] = set()
        self.members_seen = False
        self.queue(f"/format json\n{self.nick}\n/join {self.room_name}\n".encode())

    @property
    def ready(self) -> bool:
        """In its own room and no other."""
        return self.members_seen and self.rooms == {self.room_name.lower()}

    def say(self) -> None:
        """Say a line carrying a fresh id and the send time."""
        message_id = self.loop.new_message(self)
        self.queue(f"{self.loop.mark} {message_id} {time.perf_counter_ns()}\n".encode())

    def received(self, data: bytes, now_ns: int) -> None:
        loop = self.loop
        for line in data.split(b"\r\n"):
            if loop.mark_bytes in line:
                self.got_message(json.loads(line), now_ns)
            elif line.startswith(b'{"type":"said"'):
                if self.witness:
                    found = SAID_NICK.search(line)
                    # A paste is one message; JSON writes its line breaks as the two bytes \\n.
                    lines = line.count(b"\\n") + 1
                    loop.tally.relayed[found.group(1).decode() if found else "?"] += lines
            elif line.startswith(b"{"):
                self.got_other(json.loads(line))

    def got_message(self, said: dict[str, str], now_ns: int) -> None:
        if said.get("history"):
            return  # a line replayed on joining was counted when it was live
        if said.get("type") != "said" or said.get("room", "").lower() != self.room_name.lower():
            self.loop.tally.misrouted += 1
            return
        attacked = self.room == self.loop.attack_index
        # Lines that reach chatd in one read may come back as one message (a paste).
        for text in said["text"].split("\n"):
            _, message_id, sent_ns = text.split(" ")
            self.loop.delivered(int(message_id), self.index, (now_ns - int(sent_ns)) / 1e6, attacked)

    def got_other(self, event: dict[str, object]) -> None:
        kind = event.get("type")
        room = str(event.get("room", "")).lower()
        mine = event.get("nick") == self.nick
        if kind == "joined" and mine:
            self.rooms.add(room)
        elif kind == "parted" and mine:
            self.rooms.discard(room)
        elif kind == "members" and room == self.room_name.lower():
            self.members_seen = True
        elif kind == "error":
            self.loop.tally.errors[str(event.get("code"))] += 1
        if self.members_seen:
            for other in self.rooms - {self.room_name.lower()} - self.parting:
                self.parting.add(other)
                self.queue(f"/part {other}\n".encode())


# --- attackers ---------------------------------------------------------------


class Attacker(Connection):
    """An attacker: what it gets matters only as the last line and the errors."""

    kind = ""

    def __init__(self, loop: "Loop", sock: socket.socket, index: int) -> None:
        super().__init__(loop, f"{self.kind}{index}", sock)
        self.index = index
        self.last_line = b""
        self.errors: Counter[str] = Counter()
        """ERR codes, and notices out of the ordinary, received."""
        self.born = time.perf_counter()
        self.registered = False
        """chatd said "You are NICK" (only JSON attackers look)."""

    def received(self, data: bytes, now_ns: int) -> None:
        self.registered = self.registered or b'"kind":"nick"' in data
        lines = data.rstrip(b"\r\n").rsplit(b"\n", 1)
        self.last_line = lines[-1]
        for found in ERROR_CODES.finditer(data):
            self.errors[(found.group(1) or found.group(2)).decode()] += 1
        for found in NOTICE_KINDS.finditer(data):
            if found.group(1).decode() not in ROUTINE_NOTICES:
                self.errors[f"notice {found.group(1).decode()}"] += 1

    def setup(self, room: str) -> None:
        """Register in JSON and join ``room``."""
        self.queue(f"/format json\n{self.nick}\n/join {room}\n".encode())

    def act(self) -> None:
        """One round of this attack, called every ``interval`` seconds (if it has one)."""

    def stop(self) -> None:
        """Stop attacking, but stay connected (and reading) until closed."""
        self.always_writes = False
        self.update()


class Flooder(Attacker):
    """Sends lines to the room as fast as the socket takes them."""

    kind = "flood"
    always_writes = True

    def __init__(self, loop: "Loop", sock: socket.socket, index: int) -> None:
        super().__init__(loop, sock, index)
        line = self.pattern()
        self.block = memoryview(line * max(1, 65536 // len(line)))
        self.offset = 0
        self.lines_sent = 0

    def on_writable(self) -> None:
        if self.out or not self.always_writes:
            self.flush()
            return
        sent = self.send(self.block[self.offset :])
        self.lines_sent += self.block[self.offset : self.offset + sent].tobytes().count(b"\n")
        self.offset = (self.offset + sent) % len(self.block)

    def pattern(self) -> bytes:
        """What it sends, over and over."""
        return f"flood from {self.nick}: the quick brown fox jumps over the lazy dog\n".encode()


class BlankFlooder(Flooder):
    """``yes '' | nc``: blank lines as fast as the socket takes them, never a nickname."""

    kind = "blank"

    def setup(self, room: str) -> None:
        """Nothing: it never chooses a nickname."""

    def pattern(self) -> bytes:
        return b"\n"


class RefusedFlooder(Flooder):
    """600-byte lines and invalid UTF-8 as fast as the socket takes them, never a nickname: only refusals."""

    kind = "refused"

    def setup(self, room: str) -> None:
        """Nothing: it never chooses a nickname."""

    def pattern(self) -> bytes:
        return b"x" * 600 + b"\n" + b"bad \xc3( utf-8\n"


class StalledHandshake(Attacker):
    """Opens a TCP connection to the TLS port and never starts the handshake."""

    kind = "stall"

    def setup(self, room: str) -> None:
        """Nothing: not even a ClientHello."""


class Paster(Attacker):
    """Writes 50 lines in one send() every few seconds."""

    kind = "paste"

    def act(self) -> None:
        if len(self.out) < OUT_CAP:
            self.queue(
                b"".join(
                    f"paste {i + 1}/{PASTE_LINES} from {self.nick}\n".encode() for i in range(PASTE_LINES)
                )
            )


class NeverReader(Attacker):
    """Joins the busy room with a tiny receive buffer and never reads."""

    kind = "deaf"
    reads = False
    # drain() reads what the server sent before it ended the connection.
    keeps_socket = True

    def probe(self) -> None:
        """Notice from the kernel's TCP state that the server closed or reset us."""
        if self.closed_by is not None:
            return
        info = self.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
        state = struct.unpack_from("B", info)[0]
        if state == TCP_CLOSE:
            self.lost("server (reset)")
        elif state == TCP_CLOSE_WAIT:
            self.lost("server (EOF)")

    def drain(self, seconds: float) -> None:
        """Read what waits, for at most ``seconds``, to learn the last line and how it ended."""
        deadline = time.perf_counter() + seconds
        self.sock.setblocking(True)
        self.sock.settimeout(0.1)
        while time.perf_counter() < deadline:
            try:
                chunk = self.sock.recv(READ_BYTES)
            except TimeoutError:
                break
            except OSError:
                self.lost("server (reset)")
                break
            if not chunk:
                self.lost("server (EOF)")
                break
            data = self.pending + chunk
            end = data.rfind(b"\n") + 1
            self.pending = data[end:]
            if end:
                self.received(data[:end], 0)


class HalfOpen(Attacker):
    """Sends half a nickname (even indexes) or nothing (odd ones), and holds."""

    kind = "half"

    def setup(self, room: str) -> None:
        if self.index % 2 == 0:
            self.queue(self.nick.encode())


class GarbageSender(Attacker):
    """Writes random bytes, escape sequences, invalid UTF-8 and overlong lines."""

    kind = "junk"

    def act(self) -> None:
        # Garbage in the same read as the nickname could lose it (a bad IAC
        # drops the whole read), so wait to be registered, or REGISTER_GRACE s.
        if not self.registered and time.perf_counter() - self.born < REGISTER_GRACE:
            return
        if len(self.out) < OUT_CAP:
            self.queue(garbage(self.loop.random))


def garbage(rng: random.Random) -> bytes:
    """One chunk of hostile input, of a randomly chosen kind."""
    kind = rng.randrange(7)
    if kind == 0:  # random bytes, 0xFF (telnet IAC) included
        return rng.randbytes(rng.randint(16, 600)) + b"\n"
    if kind == 1:  # terminal escape sequences
        return b"hi \x1b[31mred\x1b[0m \x1b]0;owned\x07 \x1b[2J\x1b[H \x9b31m C1 CSI\n"
    if kind == 2:  # invalid UTF-8: lone continuation, overlong, surrogate, 5-byte, truncated
        bad = (b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xe2\x28\xa1", b"\xc3")
        return b"text " + rng.choice(bad) + b" more\n"
    if kind == 3:  # an overlong line
        return b"x" * rng.randint(513, 8192) + b"\n"
    if kind == 4:  # a line that goes on and on, ended much later
        return b"y" * 16384 + (b"\n" if rng.random() < 0.25 else b"")
    if kind == 5:  # bidi overrides, NUL, line separators, C1 NEL
        return "evil \u202egnp.exe\u202c \u2066x\u2069 \u2028 \x85 \x00 nul\n".encode()
    # telnet: IAC with a random following byte, options, an interrupt
    return b"\xff" + bytes([rng.randrange(256)]) + b"\xff\xfb\x01\xff\xfd\x03\xff\xf4 hello\r\n"


ATTACKERS: dict[str, type[Attacker]] = {
    "flood": Flooder,
    "paste": Paster,
    "deaf": NeverReader,
    "half": HalfOpen,
    "junk": GarbageSender,
    "blank": BlankFlooder,
    "refused": RefusedFlooder,
    "stall": StalledHandshake,
}


# --- the loop ----------------------------------------------------------------


def steady(seconds: float) -> Callable[[], float]:
    """An interval for ``Loop.every`` that never varies."""
    return lambda: seconds


@dataclass
class Memory:
    """Server memory samples, KiB."""

    idle: int = 0
    warm: int = 0
    end: int = 0
    peak: int = 0
    warm_at: float = 0.0
    deaf_queued: list[int] = field(default_factory=list)
    """Bytes in the kernel send buffer of chatd's side of each connected never-reader, at the end."""


def send_queues(server_port: int, client_ports: set[int]) -> list[int]:
    """Bytes waiting in the kernel send buffer of chatd's end of each connection from ``client_ports``.

    This is what the kernel holds for a client that does not read, before
    chatd's own buffer gets any of it (/proc/net/tcp's tx_queue).
    """
    queued = []
    with open("/proc/net/tcp") as table:
        for row in list(table)[1:]:
            fields = row.split()
            local, remote = (int(address.split(":")[1], 16) for address in fields[1:3])
            if local == server_port and remote in client_ports:
                queued.append(int(fields[4].split(":")[0], 16))
    return queued


class Loop:
    """One selectors loop over every connection, with timers; it owns the tallies."""

    def __init__(self, args: argparse.Namespace, daemon: Daemon) -> None:
        self.args = args
        self.daemon = daemon
        self.selector = selectors.DefaultSelector()
        self.random = random.Random(args.seed)
        self.mark = f"soak{self.random.randrange(16**6):06x}"
        """Starts every measured line; chosen per run so nothing else can pass for one."""
        self.mark_bytes = f'"text":"{self.mark} '.encode()
        self.users: list[User] = []
        self.rooms: list[list[User]] = [[] for _ in range(args.rooms)]
        self.attack_index = int(args.attack_room.removeprefix("#room"))
        self.attackers: list[Attacker] = []
        self.failed_connects: Counter[str] = Counter()
        self.messages: dict[int, Message] = {}
        self.tally = Tally()
        self.memory = Memory()
        self.timers: list[tuple[float, int, Callable[[], None]]] = []
        self.timer_count = 0
        self.talking = False
        self.aborted = ""

    # timers and the loop itself

    def at(self, when: float, action: Callable[[], None]) -> None:
        """Run ``action`` at ``when`` (perf_counter seconds)."""
        self.timer_count += 1
        heapq.heappush(self.timers, (when, self.timer_count, action))

    def every(self, start: float, interval: Callable[[], float], action: Callable[[], bool]) -> None:
        """Run ``action`` at ``start`` and then every ``interval()`` s while it returns True."""

        def repeat() -> None:
            if action():
                self.at(time.perf_counter() + interval(), repeat)

        self.at(start, repeat)

    def run_until(self, deadline: float, done: Callable[[], bool] = lambda: False) -> None:
        """Serve sockets and timers until ``deadline`` or until ``done()``."""
        while (now := time.perf_counter()) < deadline and not done():
            while self.timers and self.timers[0][0] <= now:
                heapq.heappop(self.timers)[2]()
            wait = min(deadline - now, 0.05)
            if self.timers:
                wait = max(0.0, min(wait, self.timers[0][0] - now))
            events = self.selector.select(wait)
            now_ns = time.perf_counter_ns()
            for key, mask in events:
                connection: Connection = key.data
                if mask & selectors.EVENT_READ:
                    connection.on_readable(now_ns)
                if mask & selectors.EVENT_WRITE and connection.closed_by is None:
                    connection.on_writable()

    # messages

    def new_message(self, sender: User) -> int:
        members = self.rooms[sender.room]
        waiting = {user.index for user in members if user.closed_by is None}
        message_id = len(self.messages)
        self.messages[message_id] = Message(waiting)
        self.tally.sent += 1
        self.tally.expected += len(waiting)
        return message_id

    def delivered(self, message_id: int, receiver: int, latency_ms: float, attacked: bool) -> None:
        message = self.messages.get(message_id)
        if message is None or receiver not in message.waiting:
            self.tally.duplicates += 1
            return
        message.waiting.discard(receiver)
        self.tally.received += 1
        self.tally.latencies_ms[attacked].append(latency_ms)

    def all_delivered(self) -> bool:
        return self.tally.received == self.tally.expected

    def lost_so_far(self) -> int:
        return sum(len(message.waiting) for message in self.messages.values())

    # phases

    def ramp_up(self) -> None:
        """Connect the normal users in batches, each batch in its room before the next."""
        deadline = time.perf_counter() + self.args.ramp_timeout
        for start in range(0, self.args.users, BATCH):
            for index in range(start, min(start + BATCH, self.args.users)):
                room = index % self.args.rooms
                try:
                    sock = connect(self.daemon.port)
                except OSError as error:
                    raise SoakError(f"user {index} could not connect: {error}") from None
                user = User(self, sock, index, room, witness=index == self.attack_index)
                self.users.append(user)
                self.rooms[room].append(user)
            self.run_until(deadline, lambda: all(user.ready or user.closed_by for user in self.users))
        ready = sum(user.ready for user in self.users)
        if ready < self.args.users:
            raise SoakError(
                f"only {ready} of {self.args.users} users got into their rooms within {self.args.ramp_timeout} s"
            )

    def connect_attackers(self, kinds: tuple[str, ...]) -> None:
        for kind in kinds:
            for index in range(getattr(self.args, kind)):
                port = self.daemon.tls_port if kind == "stall" else self.daemon.port
                try:
                    sock = connect(port, self.args.deaf_rcvbuf if kind == "deaf" else None)
                except OSError:
                    self.failed_connects[kind] += 1
                    continue
                attacker = ATTACKERS[kind](self, sock, index)
                attacker.setup(self.args.attack_room)
                self.attackers.append(attacker)

    def talk(self, seconds: float) -> float:
        """Users talk and attackers attack for ``seconds``; returns the wall time it took."""
        start = time.perf_counter()
        self.talking = True
        self.connect_attackers(("flood", "paste", "deaf", "junk", "blank", "refused", "stall"))
        interval = self.args.interval
        for user in self.users:
            self.every(
                start + self.random.uniform(0, interval),
                lambda: interval * self.random.uniform(0.5, 1.5),
                self.talker(user),
            )
        for attacker in self.attackers:
            pause = self.args.paste_interval if attacker.kind == "paste" else self.args.junk_interval
            if attacker.kind in ("paste", "junk"):
                self.every(start + self.random.uniform(0, pause), steady(pause), self.attack(attacker))
        self.every(start, steady(TICK_SECONDS), lambda: self.tick(start))
        self.every(start + PROGRESS_SECONDS, steady(PROGRESS_SECONDS), lambda: self.progress(start))
        end = start + seconds
        self.run_until(end, lambda: bool(self.aborted))
        self.talking = False
        return time.perf_counter() - start

    def talker(self, user: User) -> Callable[[], bool]:
        def say() -> bool:
            if self.talking and user.closed_by is None:
                user.say()
            return self.talking

        return say

    def attack(self, attacker: Attacker) -> Callable[[], bool]:
        def act() -> bool:
            if self.talking and attacker.closed_by is None:
                attacker.act()
            return self.talking

        return act

    def tick(self, start: float) -> bool:
        """Sample server memory and probe never-readers, once a second."""
        rss, peak = self.daemon.memory_kib()
        self.memory.peak = max(self.memory.peak, peak)
        if not self.memory.warm and time.perf_counter() - start >= self.args.warmup:
            self.memory.warm, self.memory.warm_at = rss, time.perf_counter() - start
        if rss > self.args.max_server_rss * 1024:
            self.aborted = f"server RSS {rss // 1024} MiB passed --max-server-rss at t+{time.perf_counter() - start:.0f} s"
        if self.daemon.process.poll() is not None:
            self.aborted = (
                f"chatd exited ({self.daemon.process.returncode}) at t+{time.perf_counter() - start:.0f} s"
            )
        for attacker in self.attackers:
            if isinstance(attacker, NeverReader):
                attacker.probe()
        return self.talking

    def progress(self, start: float) -> bool:
        rss, _ = self.daemon.memory_kib()
        print(
            f"  t+{time.perf_counter() - start:3.0f} s: {self.tally.sent} sent, "
            f"{self.tally.received}/{self.tally.expected} delivered, server RSS {rss / 1024:.1f} MiB",
            file=sys.stderr,
        )
        return self.talking

    def wind_down(self) -> float:
        """Stop the attack, wait for outstanding deliveries, close everything; returns drain seconds."""
        for attacker in self.attackers:
            attacker.stop()
        start = time.perf_counter()
        self.run_until(start + self.args.drain, self.all_delivered)
        drained = time.perf_counter() - start
        for attacker in self.attackers:
            if isinstance(attacker, NeverReader):
                attacker.drain(min(1.0, self.args.drain))
        # Reading attackers the server is about to close get a moment to see it.
        self.run_until(time.perf_counter() + 0.2)
        for connection in [*self.attackers, *self.users]:
            connection.close()
        return drained


# --- the report --------------------------------------------------------------


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (0 when empty)."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def latency_cell(values: list[float]) -> str:
    ordered = sorted(values)
    if not ordered:
        return "-"
    return f"{percentile(ordered, 0.5):.1f} / {percentile(ordered, 0.99):.1f} / {ordered[-1]:.1f}"


def describe(line: bytes) -> str:
    """A last line, reduced to what it is: an error code, a notice, a kind of event."""
    text = line.rstrip(b"\r").decode("utf-8", "replace").lstrip("\ufffd")
    if text.startswith("{"):
        try:
            item = json.loads(text)
        except ValueError:
            return "unparsable JSON"
        kind = item.get("type")
        if kind == "error":
            return f"ERR {item.get('code')}"
        if kind == "notice":
            return f"*** {str(item.get('text'))[:60]}"
        return f"{kind} event"
    if text.startswith("ERR "):
        return " ".join(text.split(" ")[:2])
    if re.match(r"^\[\d\d:\d\d\] ", text):
        return "event (text)"
    return text[:60] or "(nothing)"


def attacker_rows(loop: Loop) -> list[str]:
    rows = [
        "| attacker | count | disconnected by server | last line each got (count) | ERR and notices received |",
        "|---|---|---|---|---|",
    ]
    for kind in KINDS:
        group = [attacker for attacker in loop.attackers if attacker.kind == kind]
        failed = loop.failed_connects[kind]
        if not group and not failed:
            continue
        cut = Counter(a.closed_by for a in group if a.closed_by and a.closed_by.startswith("server"))
        lines = Counter(describe(a.last_line) for a in group)
        errors: Counter[str] = sum((a.errors for a in group), Counter())
        closed = f"{sum(cut.values())}" + (
            f" ({', '.join(f'{n} {how[8:-1]}' for how, n in cut.items())})" if cut else ""
        )
        ages = sorted(a.closed_at - a.born for a in group if a.closed_by and a.closed_by.startswith("server"))
        if ages:
            closed += f", {ages[0]:.0f}-{ages[-1]:.0f} s after connecting"
        if failed:
            closed += f"; {failed} could not connect"
        rows.append(
            f"| {KIND_NAMES[kind]} | {len(group)} | {closed} | "
            f"{'; '.join(f'`{text}` x{n}' for text, n in lines.most_common())} | "
            f"{', '.join(f'{code} x{n}' for code, n in errors.most_common()) or '-'} |"
        )
    return rows


@dataclass
class Timing:
    """Wall and CPU seconds over the talking phase."""

    wall: float = 0.0
    generator_cpu: float = 0.0
    server_cpu: float = 0.0
    drain: float = 0.0


def measure_rows(loop: Loop, timing: Timing) -> list[str]:
    """The main table: deliveries, latency, memory, CPU, what the attack achieved."""
    args, tally, memory = loop.args, loop.tally, loop.memory
    lost = loop.lost_so_far()
    growth = (memory.end - memory.warm) / memory.warm * 100 if memory.warm else 0.0
    cut_users = sum(1 for user in loop.users if user.closed_by and user.closed_by != "us")
    flood_sent = ", ".join(
        f"{KIND_NAMES[kind]}s {sum(a.lines_sent for a in loop.attackers if isinstance(a, Flooder) and a.kind == kind)}"
        for kind in FLOODS
    )
    relayed = ", ".join(f"{KIND_NAMES.get(k, k)} {n}" for k, n in tally.relayed.most_common()) or "none"
    everything = tally.latencies_ms[True] + tally.latencies_ms[False]
    queued = (
        ", ".join(f"{size / 1024:.0f}" for size in memory.deaf_queued) + " KiB"
        if memory.deaf_queued
        else "none"
    )
    rows = [
        "| measure | value |",
        "|---|---|",
        f"| talking | {timing.wall:.1f} s ({memory.warm_at:.0f} s warm-up), drain {timing.drain:.1f} s |",
        f"| normal users / rooms | {args.users} / {args.rooms}, a line every ~{args.interval:g} s each |",
        f"| messages sent | {tally.sent} |",
        f"| deliveries expected | {tally.expected} |",
        f"| deliveries received | {tally.received} |",
        f"| **lost** (not received {args.drain:g} s after talking stopped) | **{lost}** |",
        f"| duplicated / misrouted | {tally.duplicates} / {tally.misrouted} |",
        f"| latency p50 / p99 / max, all rooms | {latency_cell(everything)} ms |",
        f"| latency p50 / p99 / max, {args.attack_room} (attacked) | {latency_cell(tally.latencies_ms[True])} ms |",
        f"| latency p50 / p99 / max, other rooms | {latency_cell(tally.latencies_ms[False])} ms |",
        f"| normal users cut off by the server | {cut_users} |",
        f"| never-readers still connected: chatd's kernel send queue each, at the end | {queued} |",
        f"| ERR lines normal users got | {', '.join(f'{c} x{n}' for c, n in tally.errors.items()) or 'none'} |",
        f"| server RSS idle / after warm-up / end / peak | {memory.idle / 1024:.1f} / {memory.warm / 1024:.1f} / "
        f"{memory.end / 1024:.1f} / {memory.peak / 1024:.1f} MiB |",
        f"| **RSS growth warm-up to end** | **{growth:+.1f}%** (target < 5%) |",
        f"| server CPU | {timing.server_cpu:.1f} s of {timing.wall:.1f} s ({timing.server_cpu / timing.wall:.0%}) |",
        f"| load generator CPU | {timing.generator_cpu:.1f} s of {timing.wall:.1f} s "
        f"({timing.generator_cpu / timing.wall:.0%}) |",
        f"| lines written to TCP by | {flood_sent} |",
        f"| attackers' lines relayed to one {args.attack_room} member | {relayed} |",
    ]
    return rows


def summary(loop: Loop, timing: Timing, command: list[str], pinned: str) -> str:
    """The markdown for docs/PERFORMANCE.md: both tables, the command lines, the server's complaints."""
    rows = measure_rows(loop, timing)
    problems = loop.daemon.log_problems()
    warnings = loop.daemon.log_warnings()
    rows.append(f"| server log: errors / warnings | {len(problems)} / {warnings.total()} |")
    rows.append(f"| server exit status | {loop.daemon.exit_status} |")
    out = ["", "## chatd soak", ""]
    if loop.aborted:
        out += [f"**Stopped early: {loop.aborted}.**", ""]
    out += [*rows, "", *attacker_rows(loop), ""]
    out += [f"Command: `{shlex.join(sys.orig_argv)}`", "", f"chatd: `{shlex.join(command)}`", ""]
    out += [f"CPUs: {pinned}", ""]
    if warnings:
        out += ["Server warnings:", "", *(f"- {n} x `{text}`" for text, n in warnings.most_common(10)), ""]
    if problems:
        out += ["Server log problems (first 10):", "", "```", *problems[:10], "```", ""]
    return "\n".join(out)


# --- main --------------------------------------------------------------------


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Soak-and-abuse run against a private chatd on 127.0.0.1 (by hand, never in CI).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add(
        "--seconds",
        type=float,
        default=60.0,
        help="how long users talk and attackers attack (warm-up included)",
    )
    add(
        "--warmup",
        type=float,
        default=10.0,
        help="seconds after all users are in before the first memory sample",
    )
    add("--users", type=int, default=200, help="normal users")
    add("--rooms", type=int, default=10, help="rooms the users are spread over (#room0 ...)")
    add(
        "--interval",
        type=float,
        default=2.0,
        help="mean seconds between one user's lines (jittered 0.5x-1.5x)",
    )
    add("--flood", type=int, default=5, help="flooders (lines as fast as the socket takes them)")
    add("--paste", type=int, default=5, help="pasters (50 lines in one send)")
    add("--paste-interval", type=float, default=3.0, help="seconds between one paster's pastes")
    add("--deaf", type=int, default=5, help="never-readers (join, tiny SO_RCVBUF, never read)")
    add(
        "--deaf-rcvbuf",
        type=int,
        default=1024,
        help="SO_RCVBUF of never-readers, bytes (the kernel rounds it up)",
    )
    add("--half", type=int, default=5, help="half-open connections (half a nickname or nothing)")
    add("--junk", type=int, default=5, help="garbage senders")
    add("--junk-interval", type=float, default=0.2, help="seconds between one garbage sender's chunks")
    add("--blank", type=int, default=5, help="blank-line flooders (yes '' | nc, never a nickname)")
    add("--refused", type=int, default=5, help="refused-line flooders (600-byte lines, bad UTF-8)")
    add("--stall", type=int, default=5, help="stalled handshakes (TCP to the TLS port, never a ClientHello)")
    add("--attack-room", default="#room0", help="room the attackers join (one of the users' rooms)")
    add(
        "--drain", type=float, default=10.0, help="most seconds to wait for outstanding deliveries at the end"
    )
    add("--ramp-timeout", type=float, default=60.0, help="most seconds for all users to get into their rooms")
    add("--max-server-rss", type=int, default=2048, help="stop early if chatd's RSS passes this many MiB")
    add("--twistd", default=str(ROOT / ".venv" / "bin" / "twistd"), help="twistd to run chatd with")
    add(
        "--server-args",
        default="",
        help="more chatd arguments, e.g. '--flood-rate 1'; ones chatd lacks are left out",
    )
    add("--no-pin", action="store_true", help="do not pin chatd and the generator to different CPUs")
    add("--seed", type=int, default=1, help="random seed (jitter, garbage)")
    add("--keep-log", metavar="PATH", help="copy chatd's log here at the end")
    args = parser.parse_args(argv)
    if not 0 < args.warmup < args.seconds:
        args.warmup = args.seconds / 2
    if min(args.users, args.rooms) < 1 or args.users < args.rooms:
        parser.error("need at least one user per room")
    if args.attack_room not in {f"#room{n}" for n in range(args.rooms)}:
        parser.error(f"--attack-room must be one of #room0..#room{args.rooms - 1}")
    return args


def choose_cpus(no_pin: bool) -> tuple[int | None, int | None, str]:
    """(chatd's CPU, the generator's CPU, a note): different ones when 2+ are available."""
    cpus = sorted(os.sched_getaffinity(0))
    if no_pin or len(cpus) < 2:
        return None, None, f"{len(cpus)} available, not pinned"
    return (
        cpus[0],
        cpus[1],
        f"{len(cpus)} available; chatd pinned to CPU {cpus[0]}, generator to CPU {cpus[1]}",
    )


def raise_file_limit(needed: int) -> None:
    """Raise the soft descriptor limit so every connection fits (chatd inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(args: argparse.Namespace) -> int:
    connections = args.users + sum(getattr(args, kind) for kind in KINDS)
    raise_file_limit(2 * connections + 64)
    chatd = chatd_arguments(args.server_args, connections)
    tls_directory = tempfile.mkdtemp(prefix="chatd-soak-tls-") if args.stall else None
    try:
        if tls_directory is not None:
            certificate, key = make_certificate(tls_directory)
            chatd += ["--tls-port", "0", "--tls-cert", certificate, "--tls-key", key]
        return soak(args, chatd)
    finally:
        if tls_directory is not None:
            shutil.rmtree(tls_directory, ignore_errors=True)


def soak(args: argparse.Namespace, chatd: list[str]) -> int:
    """Run chatd with ``chatd`` arguments, bring in the users and attackers, and print the summary."""
    command = [args.twistd, "-n", "--pidfile=", "chatd", *chatd]
    server_cpu, generator_cpu, pinned = choose_cpus(args.no_pin)
    daemon = Daemon(command, server_cpu, listeners=2 if args.stall else 1)
    if generator_cpu is not None:
        os.sched_setaffinity(0, {generator_cpu})
    loop = Loop(args, daemon)
    timing = Timing()
    try:
        try:
            port = daemon.wait_for_port()
            print(f"chatd on {HOST}:{port}: {shlex.join(chatd)}", file=sys.stderr)
            loop.memory.idle = daemon.memory_kib()[0]
            # Half-open connections come first, so they are as old as the run at the end.
            loop.connect_attackers(("half",))
            loop.ramp_up()
            print(
                f"{args.users} users in {args.rooms} rooms; talking for {args.seconds:g} s", file=sys.stderr
            )
            cpu_before, server_before = cpu_seconds(), daemon.cpu_seconds()
            timing.wall = loop.talk(args.seconds)
            timing.generator_cpu = cpu_seconds() - cpu_before
            timing.server_cpu = daemon.cpu_seconds() - server_before
            loop.memory.end, peak = daemon.memory_kib()
            deaf = {a.port for a in loop.attackers if isinstance(a, NeverReader) and not a.closed_by}
            loop.memory.deaf_queued = send_queues(port, deaf)
            loop.memory.peak = max(loop.memory.peak, peak)
            timing.drain = loop.wind_down()
        except SoakError as error:
            raise SoakError(f"{error}\n--- end of chatd's log ---\n{daemon.log_tail()}") from None
        finally:
            for connection in [*loop.attackers, *loop.users]:
                connection.close()
            daemon.stop()
        print(summary(loop, timing, command, pinned))
    finally:
        daemon.remove(args.keep_log)
    return 1 if loop.lost_so_far() or loop.aborted else 0


def interrupted(signum: int, frame: object) -> None:
    """SIGTERM to the generator unwinds like Ctrl-C, so chatd is still stopped."""
    raise KeyboardInterrupt


def main() -> int:
    args = parse_arguments()
    signal.signal(signal.SIGTERM, interrupted)
    try:
        return run(args)
    except SoakError as error:
        print(f"soak: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("soak: interrupted; chatd was stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
