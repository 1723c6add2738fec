"""The reconnect storm (issue 18, points 2 and 5): everyone back at once into the default room.

``storm`` starts a fresh server and brings N clients in, W connecting at
once, every one landing in ``#lobby`` and staying there: chatd's line
clients send a nickname and nothing else (``wire.LobbyLineDialect``), IRC
clients NICK/USER then JOIN #lobby. It measures how long the storm takes,
how what each arrival costs grows with the number already in (arrivals a
second and server CPU per arrival in each tenth of the storm), how much
the server sent (the join notices and member lists, as the clients read
them), and, once the server has gone quiet with everyone idle in the
lobby, its memory per connection (RSS growth over the clients in).
"""

import threading
import time
from bisect import bisect_left
from dataclasses import asdict, dataclass, field
from typing import Any

from servers import Server, kind_of
from worker import ClientSpec
from workloads import SOURCES, Environment, Setup, running

LOBBY = "#lobby"
"""chatd's default room, where a line client lands on choosing a nickname; the IRC clients join it."""
LOBBY_DIALECTS = {"line": "line-lobby"}
"""What a server's clients speak in the storm, where it differs from its own dialect (chatd's: no /join)."""
STORM_WINDOW = 50
"""Clients connecting or registering at once: the issue's storm."""
CHATD_MAX_CONNECTIONS = 10_000
"""chatd's default ``--max-connections`` (chatd/frontend/admission.py): a storm of more passes the option."""
SAMPLE_SECONDS = 0.05
"""How often the server's CPU time is read during the storm, to share it between the tenths."""
QUIET_SECONDS = 120.0
"""Most seconds to wait, after the last arrival, for the server to finish sending and go idle."""
TENTHS = 10


def specs(count: int) -> list[ClientSpec]:
    """``count`` clients for the lobby, from 127.0.0.2 ... 127.0.0.251 in turn; none probes."""
    return [
        ClientSpec(nick=f"u{n}", room=0, source=f"127.0.0.{2 + n % SOURCES}", probe=False, room_name=LOBBY)
        for n in range(count)
    ]


class CpuSampler(threading.Thread):
    """The server's CPU seconds, read every ``SAMPLE_SECONDS`` on the monotonic clock the generators stamp with."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.samples: list[tuple[int, float]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.samples.append((time.monotonic_ns(), self.server.cpu_seconds()))
            self.done.wait(SAMPLE_SECONDS)
        self.samples.append((time.monotonic_ns(), self.server.cpu_seconds()))

    def stop(self) -> None:
        self.done.set()
        self.join(5)

    def at(self, ns: int) -> float:
        """CPU seconds used by ``ns``, interpolated between the samples around it."""
        times = [t for t, _ in self.samples]
        index = bisect_left(times, ns)
        if index == 0:
            return self.samples[0][1]
        if index >= len(times):
            return self.samples[-1][1]
        (t0, c0), (t1, c1) = self.samples[index - 1], self.samples[index]
        return c0 + (c1 - c0) * (ns - t0) / max(1, t1 - t0)


@dataclass
class StormResult:
    server: str
    clients: int
    window: int
    ready: int = 0
    registered: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    troubles: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    """From the first connect to the last client in the lobby (or the deadline)."""
    registered_per_second: float = 0.0
    ready_per_second: float = 0.0
    server_cpu: float = 0.0
    """Share of one CPU the server used from the first connect to the last client in."""
    server_cpu_seconds: float = 0.0
    generator_cpu: float = 0.0
    """Share of the generator's CPUs its processes used meanwhile: near 100%, the generator's reading
    of what the server sent, not the server, may set the pace."""
    tenths: list[dict[str, float]] = field(default_factory=list)
    """Per tenth of the clients in (by the time each got in): clients, seconds, arrivals a second,
    server CPU ms per arrival."""
    bytes_sent: int = 0
    lines_sent: int = 0
    """What the clients read from the server, from the first connect until it went quiet."""
    listen_drops: int = 0
    """SYNs dropped at a full listen queue during the storm (``listen_drops``)."""
    quiet_seconds: float = 0.0
    """From the last client in to the server idle and the clients' reading done."""
    still_open: int = 0
    """Clients still connected when the server is weighed (the others were cut off after getting in)."""
    closed: dict[str, int] = field(default_factory=dict)
    rss_before_kib: int = 0
    rss_after_kib: int = 0
    server_exit: int | None = None
    server_log: str = ""
    start_seconds: float = 0.0

    @property
    def kib_per_connection(self) -> float:
        """Server RSS growth over the clients in, once idle: memory per idle connection."""
        held = self.still_open if self.closed else self.ready
        if not held or not self.rss_after_kib:
            return 0.0
        return (self.rss_after_kib - self.rss_before_kib) / held

    @property
    def first_over_last(self) -> float:
        """Arrivals a second in the first tenth over the last tenth's: 1 is flat, 10 is ten times dearer."""
        if len(self.tenths) < 2 or not self.tenths[-1]["per_second"]:
            return 0.0
        return self.tenths[0]["per_second"] / self.tenths[-1]["per_second"]

    @property
    def cost_growth(self) -> float:
        """Server CPU per arrival in the last tenth over the first tenth's."""
        if len(self.tenths) < 2 or not self.tenths[0]["cpu_ms_per_arrival"]:
            return 0.0
        return self.tenths[-1]["cpu_ms_per_arrival"] / self.tenths[0]["cpu_ms_per_arrival"]


def listen_drops() -> int:
    """SYNs the kernel has dropped at a full listen queue, machine-wide (``TcpExt: ListenDrops``).

    A server with a short accept backlog loses some of a 50-wide storm's
    SYNs; each such client waits for its SYN's retransmission (1 s, then
    3 s...), which shows as seconds with the server idle.
    """
    with open("/proc/net/netstat") as netstat:
        rows = [line.split() for line in netstat if line.startswith("TcpExt:")]
    if len(rows) < 2:
        return 0
    names, values = rows[0], rows[1]
    return int(values[names.index("ListenDrops")]) if "ListenDrops" in names else 0


def tenths(ready_ns: list[int], first_ns: int, cpu: CpuSampler) -> list[dict[str, float]]:
    """The storm cut into tenths of its arrivals: each one's pace and server CPU per arrival.

    A tenth runs from the arrival that ended the tenth before (the first
    connect, for the first) to its own last arrival.
    """
    out = []
    count = len(ready_ns)
    if count < TENTHS:
        return out
    began = first_ns
    for k in range(TENTHS):
        last = ready_ns[(k + 1) * count // TENTHS - 1]
        arrivals = (k + 1) * count // TENTHS - k * count // TENTHS
        seconds = max(1e-9, (last - began) / 1e9)
        used = cpu.at(last) - cpu.at(began)
        out.append(
            {
                "clients": arrivals,
                "seconds": seconds,
                "per_second": arrivals / seconds,
                "cpu_ms_per_arrival": used * 1000 / arrivals,
            }
        )
        began = last
    return out


def wait_until_quiet(env: Environment, seconds: float) -> float:
    """Wait until the server is idle and the clients have read all it sent; the seconds it took.

    Idle: under 0.05 CPU seconds in half a second, and no line read by any
    client in that half second. Gives up after ``seconds``.
    """
    began = time.monotonic()
    deadline = began + seconds
    lines = env.fleet.tally()["lines"]
    while time.monotonic() < deadline:
        before = env.server.cpu_seconds()
        time.sleep(0.5)
        now = env.fleet.tally()["lines"]
        if env.server.cpu_seconds() - before < 0.05 and now == lines:
            break
        lines = now
    return time.monotonic() - began


def storm(name: str, setup: Setup, clients: int, seconds: float, extra: list[str]) -> StormResult:
    """``clients`` into the lobby of a fresh server ``name``, ``setup.window`` at a time; then weigh it idle."""
    kind = kind_of(name)
    result = StormResult(name, clients, setup.window)
    with running(name, setup, extra, LOBBY_DIALECTS.get(kind.dialect)) as env:
        result.start_seconds = env.start_seconds
        time.sleep(setup.settle_seconds)
        result.rss_before_kib = env.server.memory_kib()[0]
        read_before = env.fleet.tally()
        drops = listen_drops()
        generator_before = env.fleet.cpu_seconds()
        cpu = CpuSampler(env.server)
        cpu.start()
        try:
            report = env.fleet.connect(specs(clients), setup.window, seconds)
        finally:
            cpu.stop()
        generator_used = env.fleet.cpu_seconds() - generator_before
        result.listen_drops = listen_drops() - drops
        first, last = report["first_connect_ns"], report["last_ready_ns"]
        result.ready, result.registered = report["ready"], report["registered"]
        result.failed, result.troubles = report["failed"], report["troubles"]
        if result.ready:
            result.seconds = (last - first) / 1e9
            result.ready_per_second = result.ready / result.seconds
            result.server_cpu_seconds = cpu.at(last) - cpu.at(first)
            result.server_cpu = result.server_cpu_seconds / result.seconds
            spent = (cpu.samples[-1][0] - cpu.samples[0][0]) / 1e9
            result.generator_cpu = generator_used / max(1e-9, spent) / max(1, len(setup.generator_cpus))
            result.tenths = tenths(report["ready_ns"], first, cpu)
        if result.registered:
            result.registered_per_second = result.registered / ((report["last_registered_ns"] - first) / 1e9)
        result.quiet_seconds = wait_until_quiet(env, QUIET_SECONDS)
        read = env.fleet.tally()
        result.bytes_sent = read["bytes"] - read_before["bytes"]
        result.lines_sent = read["lines"] - read_before["lines"]
        result.still_open, result.closed = read["open"], read["closed"]
        time.sleep(setup.settle_seconds)
        result.rss_after_kib = env.server.memory_kib()[0]
        result.server_exit = env.server.process.poll()
        if result.server_exit is not None:
            result.server_log = env.server.log_tail(5)
    print(describe(result), flush=True)
    return result


def describe(result: StormResult) -> str:
    pace = " → ".join(f"{t['per_second']:,.0f}" for t in result.tenths)
    return (
        f"  {result.server}: {result.ready}/{result.clients} in the lobby in {result.seconds:.1f} s "
        f"({result.ready_per_second:,.0f}/s, server CPU {result.server_cpu:.0%}, generator CPU {result.generator_cpu:.0%}); arrivals/s by tenth {pace}; "
        f"CPU per arrival x{result.cost_growth:.1f} first to last tenth; "
        f"{result.lines_sent:,} lines ({result.bytes_sent / 2**20:,.0f} MiB) sent; "
        f"{result.kib_per_connection:.2f} KiB per idle connection; {result.listen_drops} SYNs dropped"
        f"{'; failed: ' + str(result.failed) if result.failed else ''}"
        f"{'; cut off after getting in: ' + str(result.closed) if result.closed else ''}"
        f"{'; server exited ' + str(result.server_exit) if result.server_exit is not None else ''}"
    )


def as_dict(result: StormResult) -> dict[str, Any]:
    """A storm as JSON-ready data, with its computed figures."""
    data = asdict(result)
    for name in ("kib_per_connection", "first_over_last", "cost_growth"):
        data[name] = getattr(result, name)
    return data
