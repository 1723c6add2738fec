"""One load-generator process: a ``selectors`` loop over many client sockets.

The parent (``bench/load.py``) starts one per CPU the server is not on and
drives it over a ``multiprocessing`` pipe, which sits in the same selector
as the sockets, so a command never stalls the clients. Commands, each
answered by one reply:

- ``connect`` brings new clients in (a window of them at a time) and
  reports when each was registered and in its room;
- ``step`` has the senders talk at a paced rate between two instants,
  replies ``sent`` (counts per room), waits for ``expect`` (how many chat
  lines this process's clients should receive), reads until they are all
  in or a deadline passes, and replies with what arrived: counts,
  latencies in microseconds, CPU used, disconnections and error lines;
- ``tally`` replies the bytes and lines the clients have read outside
  steps (the reconnect storm's join notices and member lists);
- ``close`` closes every socket and ends the process.

The hot path counts a tag in each read with ``bytes.count`` and parses
timestamps only on probe clients (``findall`` on the whole read), and
looks for the markers of lines needing an answer only in a read holding
more lines than chat lines (``Dialect.newline_ended``); a read
that may hold lines shown again from a room's history (``Dialect.history_hint``)
loses them first, since they were counted when they were live. Probes
are read the moment data arrives; the other clients only count, so they
sit in a second selector polled every ``LAZY_NS``, and each of their
reads takes several lines at once: one ``recv`` per line would make the
generator, not the server, the limit. The parent measures the
processes' CPU so the report can show which side ran out.
"""

import errno
import os
import resource
import selectors
import socket
import time
from array import array
from collections import Counter, deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from wire import DIALECTS, FILLER, Dialect, tag_bytes, tag_pattern

READ_BYTES = 262144
CONNECTING, REGISTERING, JOINING, READY, CLOSED = range(5)
PACE_SECONDS = 0.001
"""How often senders are topped up to their schedule while a step runs."""
IDLE_SECONDS = 0.05
LAZY_NS = 50_000_000
"""How often clients that only count lines are read: rarely enough that a read holds several."""
LAZY_BATCH = 64
"""Lazy reads between two looks at the probes, so a probe's receive time stays exact."""


@dataclass(frozen=True)
class ClientSpec:
    """One client to bring in: its nickname, room, source address and roles."""

    nick: str
    room: int
    source: str
    probe: bool
    """Parse every chat line's timestamp (others only count them)."""
    sends: bool = True
    room_prefix: str = "#r"
    """The room is this and its number: two fleets on one server keep to rooms of their own."""
    room_name: str = ""
    """The room's whole name (``#lobby``, the reconnect storm's), if not ``room_prefix`` and ``room``."""


@dataclass(eq=False)
class Client:
    spec: ClientSpec
    sock: socket.socket
    room_name: str
    say: bytes
    state: int = CONNECTING
    tail: bytes = b""
    out: bytearray = field(default_factory=bytearray)
    events: int = 0
    """What the main selector watches for on this socket."""
    lazy: bool = False
    """Registered with the lazy selector (read in batches)."""
    connect_ns: int = 0
    registered_ns: int = 0
    ready_ns: int = 0
    closed_by: str = ""
    troubles: Counter[str] = field(default_factory=Counter)
    paste_seen: int = 0


@dataclass
class Step:
    """A step being run: who talks, how fast, which tags count."""

    chat: bytes
    chat_re: Any
    paste: bytes
    senders: list[Client]
    per_second: float
    start_ns: int
    end_ns: int
    paste_at_ns: int
    paster: Client | None
    paste_lines: int
    pasted: bool = False
    sent: int = 0
    sent_by_room: Counter[int] = field(default_factory=Counter)
    received: int = 0
    latencies: "array[int]" = field(default_factory=lambda: array("q"))
    sent_ms: "array[int]" = field(default_factory=lambda: array("q"))
    """When each probe in ``latencies`` was sent, ms into the step: where in the step the slow ones were."""
    last_paste_ns: int = 0
    cpu_at_start: float = 0.0
    cpu_in_window: float = 0.0
    sending: bool = True
    expected: int | None = None
    drain_deadline_ns: int = 0


@dataclass
class Joining:
    """A ``connect`` command under way."""

    waiting: deque[ClientSpec]
    window: int
    deadline_ns: int
    in_flight: int = 0
    """Clients connecting or registering: the window limits these, not joins."""
    unsettled: int = 0
    """Clients neither in their room nor closed."""
    clients: list[Client] = field(default_factory=list)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Generator:
    """The clients of one process and the loop that serves them."""

    def __init__(self, pipe: Connection, dialect: Dialect, address: tuple[str, int]) -> None:
        self.pipe = pipe
        self.dialect = dialect
        self.messages_end = dialect.messages_end
        self.frame = dialect.frame
        """The dialect's two hooks of the hot path, looked up once."""
        self.address = address
        self.selector = selectors.DefaultSelector()
        self.selector.register(pipe.fileno(), selectors.EVENT_READ, None)
        self.lazy = selectors.DefaultSelector()
        """Non-probe clients in their rooms: polled every LAZY_NS, so each read takes several lines."""
        self.backlog: deque[Client] = deque()
        self.next_lazy_ns = 0
        self.clients: list[Client] = []
        self.joining: Joining | None = None
        self.step: Step | None = None
        self.running = True
        self.bytes_in = 0
        self.lines_in = 0
        """What the clients have read while no step runs (``tally``): the server's registration
        replies, join notices and member lists. Not counted during steps, so fan-out pays nothing."""

    # --- the loop -------------------------------------------------------

    def run(self) -> None:
        while self.running:
            if self.backlog:
                timeout = 0.0
            elif self.step is not None and self.step.sending:
                timeout = PACE_SECONDS
            else:
                timeout = IDLE_SECONDS
            for key, mask in self.selector.select(timeout):
                client = key.data
                if client is None:
                    self.command(self.pipe.recv())
                    if not self.running:
                        return
                    continue
                if mask & selectors.EVENT_WRITE:
                    self.writable(client)
                if mask & selectors.EVENT_READ and client.state != CLOSED:
                    self.readable(client)
            now = time.monotonic_ns()
            if not self.backlog and now >= self.next_lazy_ns:
                self.backlog.extend(key.data for key, _ in self.lazy.select(0))
                self.next_lazy_ns = now + LAZY_NS
            for _ in range(min(LAZY_BATCH, len(self.backlog))):
                client = self.backlog.popleft()
                if client.state != CLOSED:
                    self.readable(client)
            if self.joining is not None:
                self.join_more(now)
            if self.step is not None:
                self.advance(now)

    def watch(self, client: Client) -> None:
        """Register for what ``client`` waits for now.

        Writing while connecting or behind, reading always; a non-probe
        client that is in its room reads through the lazy selector instead.
        """
        if client.state == CLOSED:
            return
        lazy = client.state == READY and not client.spec.probe
        wanted = selectors.EVENT_READ
        if client.state == CONNECTING:
            wanted = selectors.EVENT_WRITE
        elif lazy:
            wanted = 0
        if client.out:
            wanted |= selectors.EVENT_WRITE
        if wanted != client.events:
            if client.events and wanted:
                self.selector.modify(client.sock, wanted, client)
            elif wanted:
                self.selector.register(client.sock, wanted, client)
            else:
                self.selector.unregister(client.sock)
            client.events = wanted
        if lazy and not client.lazy:
            self.lazy.register(client.sock, selectors.EVENT_READ, client)
            client.lazy = True

    def lost(self, client: Client, how: str) -> None:
        if client.state == CLOSED:
            return
        if self.joining is not None and client.state < READY:
            self.joining.unsettled -= 1
            if client.state < JOINING:
                self.joining.in_flight -= 1
        client.state = CLOSED
        client.closed_by = how
        if client.events:
            self.selector.unregister(client.sock)
            client.events = 0
        if client.lazy:
            self.lazy.unregister(client.sock)
            client.lazy = False
        client.sock.close()

    def send(self, client: Client, data: bytes) -> None:
        """Write now if the socket takes it; keep the rest, in order, for later."""
        if client.state == CLOSED:
            return
        if not client.out:
            try:
                sent = client.sock.send(data)
            except BlockingIOError:
                sent = 0
            except OSError:
                self.lost(client, "reset")
                return
            if sent == len(data):
                return
            data = data[sent:]
        client.out += data
        self.watch(client)

    def writable(self, client: Client) -> None:
        if client.state == CONNECTING:
            self.connected(client)
            return
        try:
            sent = client.sock.send(client.out)
        except BlockingIOError:
            return
        except OSError:
            self.lost(client, "reset")
            return
        del client.out[:sent]
        self.watch(client)

    def readable(self, client: Client) -> None:
        try:
            data = client.sock.recv(READ_BYTES)
        except BlockingIOError:
            return
        except OSError:
            self.lost(client, "reset")
            return
        now = time.monotonic_ns()
        if not data:
            self.lost(client, "eof")
            return
        step = self.step
        if step is None:
            self.bytes_in += len(data)
            self.lines_in += data.count(b"\n")
        if client.tail:
            data = client.tail + data
        end = self.messages_end(data)
        client.tail = data[end:]
        if client.state != READY:
            self.setting_up(client, data[:end], now)
            return
        if step is not None:
            if self.dialect.history_hint and data.find(self.dialect.history_hint, 0, end) >= 0:
                data = self.dialect.live(data[:end])
                end = len(data)
            found = data.count(step.chat, 0, end)
            # The paster's own chat lines are not the ones a burst is about.
            if found and client is not step.paster:
                step.received += found
                if client.spec.probe:
                    latencies, sent_ms = step.latencies, step.sent_ms
                    for text in step.chat_re.findall(data, 0, end):
                        sent_ns = int(text)
                        latencies.append((now - sent_ns) // 1000)
                        sent_ms.append((sent_ns - step.start_ns) // 1_000_000)
            if step.paste_lines and step.paste in data:
                client.paste_seen += data.count(step.paste, 0, end)
                step.last_paste_ns = now
            if self.dialect.newline_ended and data.count(b"\n", 0, end) == found:
                # Chat lines and nothing else: no PING to answer, no error to note.
                return
        for marker in self.dialect.slow_markers:
            if marker in data:
                self.look_closer(client, data[:end])
                break

    def look_closer(self, client: Client, data: bytes) -> None:
        """Answer PINGs and note errors, message by message (rare, so it may be slow)."""
        for line in self.dialect.messages(data):
            answer = self.dialect.reply(line)
            if answer:
                self.send(client, answer)
            trouble = self.dialect.trouble(line)
            if trouble is not None:
                client.troubles[trouble] += 1

    # --- bringing clients in --------------------------------------------

    def join_more(self, now: int) -> None:
        joining = self.joining
        assert joining is not None
        while joining.waiting and joining.in_flight < joining.window:
            self.open(joining.waiting.popleft(), now)
        if (not joining.waiting and joining.unsettled <= 0) or now > joining.deadline_ns:
            self.joining = None
            self.pipe.send(("connected", self.join_report(joining)))

    def open(self, spec: ClientSpec, now: int) -> None:
        assert self.joining is not None
        room_name = spec.room_name or f"{spec.room_prefix}{spec.room}"
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        client = Client(spec, sock, room_name, self.dialect.say_prefix(room_name), connect_ns=now)
        self.joining.clients.append(client)
        self.clients.append(client)
        self.joining.in_flight += 1
        self.joining.unsettled += 1
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.bind((spec.source, 0))
            code = sock.connect_ex(self.address)
        except OSError as error:
            self.lost(client, f"connect: {error.strerror}")
            return
        if code not in (0, errno.EINPROGRESS):
            self.lost(client, f"connect: {os.strerror(code)}")
            return
        self.watch(client)

    def connected(self, client: Client) -> None:
        code = client.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            self.lost(client, f"connect: {os.strerror(code)}")
            return
        client.state = REGISTERING
        self.watch(client)
        self.send(client, self.dialect.register(client.spec.nick, client.room_name))

    def setting_up(self, client: Client, data: bytes, now: int) -> None:
        """Follow the handshake (if any), registration and the join, message by message."""
        nick, dialect = client.spec.nick, self.dialect
        for line in dialect.messages(data):
            answer = dialect.reply(line)
            if client.state == REGISTERING:
                answer += dialect.handshake(line, nick)
            if answer:
                self.send(client, answer)
            trouble = dialect.trouble(line)
            if trouble is not None:
                client.troubles[trouble] += 1
            if client.state == REGISTERING and dialect.registered(line, nick):
                client.state = JOINING
                client.registered_ns = now
                if self.joining is not None:
                    self.joining.in_flight -= 1
                self.send(client, dialect.after_registered(client.room_name))
            elif client.state == JOINING and dialect.joined(line, nick, client.room_name):
                client.state = READY
                client.ready_ns = now
                self.watch(client)
                if self.joining is not None:
                    self.joining.unsettled -= 1

    def join_report(self, joining: Joining) -> dict[str, Any]:
        clients = joining.clients
        ready = [c for c in clients if c.state == READY]
        failed: Counter[str] = Counter(
            c.closed_by or ("stuck registering" if c.state < JOINING else "stuck joining")
            for c in clients
            if c.state != READY
        )
        # Clients that never got in are of no further use; keep the rest.
        for client in clients:
            if client.state != READY:
                self.lost(client, client.closed_by or "gave up")
        self.clients = [c for c in self.clients if c.state == READY]
        return {
            "asked": len(clients),
            "ready": len(ready),
            "failed": dict(failed),
            "first_connect_ns": min((c.connect_ns for c in clients), default=0),
            "last_registered_ns": max((c.registered_ns for c in clients), default=0),
            "last_ready_ns": max((c.ready_ns for c in ready), default=0),
            "ready_ns": array("q", sorted(c.ready_ns for c in ready)).tobytes(),
            "registered": sum(1 for c in clients if c.registered_ns),
            "troubles": dict(sum((c.troubles for c in clients), Counter())),
            "rooms": dict(Counter(c.spec.room for c in self.clients)),
        }

    # --- steps ----------------------------------------------------------

    def begin(self, params: dict[str, Any]) -> None:
        paster = next((c for c in self.clients if c.spec.nick == params.get("paste_nick")), None)
        senders = [c for c in self.clients if c.spec.sends and c is not paster]
        for client in self.clients:
            client.troubles.clear()
            client.paste_seen = 0
        self.step = Step(
            chat=tag_bytes(params["tag"] + "c"),
            chat_re=tag_pattern(params["tag"] + "c"),
            paste=tag_bytes(params["tag"] + "p"),
            senders=senders,
            per_second=params["rate"] * len(senders),
            start_ns=params["start_ns"],
            end_ns=params["end_ns"],
            paste_at_ns=params.get("paste_at_ns", 0),
            paster=paster,
            paste_lines=params.get("paste_lines", 0),
            cpu_at_start=cpu_seconds(),
        )

    def advance(self, now: int) -> None:
        """Send what is due, end the sending window, end the drain."""
        step = self.step
        assert step is not None
        if step.sending:
            if now < step.start_ns:
                step.cpu_at_start = cpu_seconds()
                return
            if step.paster is not None and not step.pasted and now >= step.paste_at_ns:
                self.paste(step, step.paster)
                step.pasted = True
            until = min(now, step.end_ns)
            due = int((until - step.start_ns) * step.per_second / 1e9)
            if step.senders:
                while step.sent < due:
                    client = step.senders[step.sent % len(step.senders)]
                    step.sent += 1
                    step.sent_by_room[client.spec.room] += 1
                    stamp = step.chat + str(time.monotonic_ns()).encode()
                    self.send(client, self.frame(client.say + stamp + FILLER + self.dialect.eol))
            if now >= step.end_ns:
                step.sending = False
                step.cpu_in_window = cpu_seconds() - step.cpu_at_start
                self.pipe.send(("sent", dict(step.sent_by_room)))
            return
        if step.expected is not None and (step.received >= step.expected or now > step.drain_deadline_ns):
            self.step = None
            self.pipe.send(("stepped", self.step_report(step, now)))

    def paste(self, step: Step, client: Client) -> None:
        """One write of ``paste_lines`` lines (a paste), each tagged so receivers can count it."""
        stamp = step.paste + str(time.monotonic_ns()).encode()
        lines = [
            self.frame(client.say + stamp + f" line {n + 1:04d} of a long paste".encode() + self.dialect.eol)
            for n in range(step.paste_lines)
        ]
        self.send(client, b"".join(lines))

    def step_report(self, step: Step, now: int) -> dict[str, Any]:
        return {
            "sent": step.sent,
            "received": step.received,
            "latencies_us": step.latencies.tobytes(),
            "sent_ms": step.sent_ms.tobytes(),
            "cpu_in_window": step.cpu_in_window,
            "finished_ns": now,
            "open": sum(1 for c in self.clients if c.state == READY),
            "closed": dict(Counter(c.closed_by for c in self.clients if c.state == CLOSED)),
            "troubles": dict(sum((c.troubles for c in self.clients if c is not step.paster), Counter())),
            "paste_seen": [c.paste_seen for c in self.clients if c is not step.paster],
            "last_paste_ns": step.last_paste_ns,
            "paster": None if step.paster is None else paster_report(step.paster),
        }

    # --- commands -------------------------------------------------------

    def command(self, message: tuple[str, Any]) -> None:
        kind, body = message
        if kind == "connect":
            specs, window, seconds = body
            self.joining = Joining(deque(specs), window, time.monotonic_ns() + int(seconds * 1e9))
        elif kind == "step":
            self.begin(body)
        elif kind == "expect":
            assert self.step is not None
            self.step.expected, self.step.drain_deadline_ns = body
        elif kind == "tally":
            closed = Counter(c.closed_by for c in self.clients if c.state == CLOSED)
            still = sum(1 for c in self.clients if c.state == READY)
            tally = {"bytes": self.bytes_in, "lines": self.lines_in, "open": still, "closed": dict(closed)}
            self.pipe.send(("tallied", tally))
        elif kind == "close":
            for client in self.clients:
                self.lost(client, "us")
            self.pipe.send(("closed", None))
            self.running = False
        else:
            raise ValueError(f"unknown command {kind!r}")


def paster_report(client: Client) -> dict[str, Any]:
    """What happened to the paster: the lines it was sent, whether it was cut off, what it could not send."""
    return {"troubles": dict(client.troubles), "closed_by": client.closed_by, "unsent_bytes": len(client.out)}


def main(pipe: Connection, dialect: str, address: tuple[str, int], cpus: set[int], files: int) -> None:
    """The process's entry point: pin, raise the descriptor limit, serve the parent."""
    if cpus:
        os.sched_setaffinity(0, cpus)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < files:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(files, hard), hard))
    Generator(pipe, DIALECTS[dialect], address).run()
