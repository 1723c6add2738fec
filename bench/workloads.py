"""The three workloads, run against one server at a time; plain results for the report.

- ``fanout``: C clients in R rooms talk at a paced rate, stepped up until
  the server fails (p99 over 100 ms, or a line lost); capacity is the
  highest delivery rate of a step that passed.
- ``idle``: 5000 clients register and join 50 rooms as fast as the server
  takes them; memory per connection and connections per second.
- ``burst``: one client pastes 1000 lines in one write into a room where
  50 others keep chatting; what happens to the paste, the paster and them.

Every run starts a fresh server, so one workload's garbage is not the next
one's memory, and ends it with SIGTERM whatever happens.
"""

import contextlib
import math
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from fleet import Fleet
from report import LINE, WEB, threads_share
from servers import BenchError, Server, chatd_web_port, kind_of
from soak import percentile
from wire import DIALECTS
from worker import ClientSpec

PASS_P99_MS = 100.0
"""A step passes with p99 latency under this and nothing lost."""
GENERATOR_BOUND = 0.9
"""Generator CPU (share of its cores) at which a step says more about the generator than the server."""
SERVER_BOUND = 0.95
GENERATOR_BUSY = 0.6
SOURCES = 250
"""Clients come from 127.0.0.2 ... 127.0.0.251, so no one address holds more than a few."""


@dataclass
class Setup:
    """What every run shares: CPUs, generator processes, step timing, chatd's extra options."""

    server_cpu: int | None
    generator_cpus: list[int]
    workers: int
    step_seconds: float = 8.0
    drain_seconds: float = 4.0
    settle_seconds: float = 1.5
    window: int = 50
    """Clients connecting at once (Twisted's listen backlog is 50)."""
    probe_every: int = 10
    chatd_capacity_args: list[str] = field(default_factory=list)
    chatd_sources: dict[str, str] = field(default_factory=dict)
    """Per chatd label (``chatd``, ``chatd@COMMIT``), a copy of chatd at a commit
    (``servers.export_commit``); a label not here runs the work tree."""
    chatd_options: dict[str, list[str]] = field(default_factory=dict)
    """Per chatd label, options of its own after the workload's (``--db :memory:``), so
    two configurations of one chatd run side by side as two labels."""


@dataclass
class Environment:
    """A running server and the generator fleet talking to it."""

    name: str
    server: Server
    fleet: Fleet
    start_seconds: float
    """From starting the server's process to its listening (chatd: opening and checking its --db too)."""
    nick_prefix: str = "u"
    room_prefix: str = "#r"
    """Its clients' nicknames and rooms: two environments on one server (``ports``) keep apart."""


@contextmanager
def running(
    name: str, setup: Setup, extra: list[str], dialect_name: str | None = None
) -> Iterator[Environment]:
    """Start server ``name`` (a label of ``--servers``) and a fleet for it; stop both, whatever happens.

    ``dialect_name``: what the fleet speaks, if not the server's own dialect (``line-lobby``).
    """
    kind = kind_of(name)
    began = time.monotonic()
    server = kind.start(
        setup.server_cpu, [*extra, *setup.chatd_options.get(name, [])], setup.chatd_sources.get(name)
    )
    start_seconds = time.monotonic() - began
    fleet: Fleet | None = None
    try:
        spoken = dialect_name or kind.dialect
        address = ("127.0.0.1", server.port)
        fleet = Fleet(spoken, DIALECTS[spoken].echoes, address, setup.generator_cpus, setup.workers)
        yield Environment(name, server, fleet, start_seconds)
    finally:
        if fleet is not None:
            fleet.close()
        server.stop()
        server.remove(None)


@contextmanager
def ports(
    setup: Setup, extra: list[str], names: tuple[str, str] = (LINE, WEB), line_dialect: str = "line"
) -> Iterator[tuple[Environment, Environment]]:
    """One chatd with its line port and its web port (``--web-port``): an environment for each, named ``names``.

    The two share the daemon; their clients keep to rooms of their own
    (``#r0``... and ``#w0``...), so a line said on one port reaches no
    client of the other. Both fleets are closed and the daemon stopped,
    whatever happens.
    """
    kind = kind_of(LINE)
    began = time.monotonic()
    server = kind.start(setup.server_cpu, [*extra, "--web-port", "0"], setup.chatd_sources.get(names[0]))
    fleets: list[Fleet] = []
    try:
        line_port, web_port = chatd_web_port(server)
        start_seconds = time.monotonic() - began
        envs = []
        for name, dialect, port, nick, room in (
            (names[0], line_dialect, line_port, "u", "#r"),
            (names[1], "web", web_port, "w", "#w"),
        ):
            address = ("127.0.0.1", port)
            fleet = Fleet(dialect, DIALECTS[dialect].echoes, address, setup.generator_cpus, setup.workers)
            fleets.append(fleet)
            envs.append(Environment(name, server, fleet, start_seconds, nick, room))
        yield envs[0], envs[1]
    finally:
        for fleet in fleets:
            fleet.close()
        server.stop()
        server.remove(None)


def specs(
    first: int, count: int, rooms: int, probe_every: int, prefix: str = "u", room_prefix: str = "#r"
) -> list[ClientSpec]:
    """Clients ``first`` .. ``first + count - 1``, dealt round the rooms; every ``probe_every``-th in a room probes."""
    return [
        ClientSpec(
            nick=f"{prefix}{n}",
            room=n % rooms,
            source=f"127.0.0.{2 + n % SOURCES}",
            probe=(n // rooms) % probe_every == 0,
            room_prefix=room_prefix,
        )
        for n in range(first, first + count)
    ]


def latency_ms(reports: list[dict[str, Any]], after_ms: int = 0) -> list[float]:
    """The latency of every probe sent ``after_ms`` or more into the step, ms, sorted."""
    values: list[float] = []
    for report in reports:
        latencies = memoryview(report["latencies_us"]).cast("q")
        if after_ms:
            sent = memoryview(report["sent_ms"]).cast("q")
            values.extend(v / 1000 for v, at in zip(latencies, sent, strict=True) if at >= after_ms)
        else:
            values.extend(v / 1000 for v in latencies)
    values.sort()
    return values


SETTLED_MS = 1000
"""How far into a step ``StepResult.p99_settled_ms`` starts: past the first second."""


@dataclass
class StepResult:
    """One step of the fan-out ladder."""

    target: float
    clients: int
    rate: float
    """Lines a second each client sends."""
    seconds: float
    sent: int
    expected: int
    received: int
    deliveries_per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    samples: int
    server_cpu: float
    """Share of one CPU the server used during the sending window."""
    p99_settled_ms: float
    """p99 of the probes sent after the step's first second (``SETTLED_MS``). A server just given the load
    (the first lines to each room and socket) answered slowest in its first tenth of a second in every
    round looked at; this tells that start from the rest. ``p99_ms``, over the whole step, is what the
    targets are judged by."""
    threads_cpu: float
    """The part of ``server_cpu`` in threads beside the server's main one (chatd's store: writer, reader, indexer)."""
    generator_cpu: float
    """Share of the generator's CPUs its processes used during the sending window."""
    closed: dict[str, int]
    troubles: dict[str, int]
    passed: bool = False
    why: str = ""

    @property
    def lost(self) -> int:
        return max(0, self.expected - self.received)


@dataclass
class FanoutResult:
    server: str
    clients: int
    rooms: int
    steps: list[StepResult] = field(default_factory=list)
    stopped: str = ""

    @property
    def capacity(self) -> float:
        """The highest delivery rate of a step that passed (0 if none did)."""
        return max((s.deliveries_per_second for s in self.steps if s.passed), default=0.0)

    @property
    def generator_bound(self) -> bool:
        """The ladder stopped because the generator, not the server, ran out of CPU."""
        return self.stopped.startswith("generator")


def ladder(start: float, factor: float, top: float) -> list[float]:
    """Target delivery rates: ``start``, ``start * factor``, ... up to ``top``."""
    targets = []
    target = start
    while target <= top:
        targets.append(round(target))
        target *= factor
    return targets


def shape(target: float, base_clients: int, rooms: int, max_rate: float) -> tuple[int, float]:
    """(clients, lines a second each) giving ``target`` deliveries a second.

    Each line reaches the ``clients / rooms`` members of its room. Clients
    send at most ``max_rate`` lines a second (ngIRCd slows a client much
    faster than 2 a second); past that, the room grows instead.
    """
    clients = base_clients
    if target * rooms / clients**2 > max_rate:
        clients = math.ceil(math.sqrt(target * rooms / max_rate) / rooms) * rooms
    return clients, target * rooms / clients**2


class Stepped(NamedTuple):
    """What one paced step gives: the generator processes' reports, and the CPU seconds each side used."""

    reports: list[dict[str, Any]]
    seconds: float
    """The sending window's length."""
    server_cpu: float
    generator_cpu: float
    threads_cpu: float
    """The server's, in threads beside its main one (``soak.Daemon.threads_cpu_seconds``)."""


def run_step(
    env: Environment, setup: Setup, tag: str, rate: float, seconds: float, extra: dict[str, Any]
) -> Stepped:
    """One paced step, ``rate`` lines a second from each sender for ``seconds``."""
    start = time.monotonic_ns() + 300_000_000
    end = start + int(seconds * 1e9)
    params = {"tag": tag, "rate": rate, "start_ns": start, "end_ns": end, **extra}
    while time.monotonic_ns() < start:
        time.sleep(0.01)
    server_before, generator_before = env.server.cpu_seconds(), env.fleet.cpu_seconds()
    threads_before = env.server.threads_cpu_seconds()
    reports = env.fleet.step(params, setup.drain_seconds)
    return Stepped(
        reports,
        seconds,
        env.server.cpu_seconds() - server_before,
        env.fleet.cpu_seconds() - generator_before,
        env.server.threads_cpu_seconds() - threads_before,
    )


def fanout(
    name: str, setup: Setup, clients: int, rooms: int, targets: list[float], max_rate: float
) -> FanoutResult:
    """Step the load up ``targets`` until the server fails twice, with a last step between pass and fail."""
    result = FanoutResult(name, clients, rooms)
    with running(name, setup, setup.chatd_capacity_args) as env:
        connected = 0
        last_pass: float | None = None
        queue = list(targets)
        refined = False
        number = 0
        while queue:
            target = queue.pop(0)
            wanted, _ = shape(target, clients, rooms, max_rate)
            result.stopped = grow(env, setup, connected, wanted, rooms)
            if result.stopped:
                break
            connected = max(connected, wanted)
            number += 1
            step = climb(env, setup, result, number, target, connected)
            result.stopped = beyond_the_server(env, step)
            if result.stopped:
                break
            if step.passed:
                last_pass = target
                continue
            if refined or last_pass is None or step.closed:
                result.stopped = f"failed at {target:,.0f}/s: {step.why}"
                break
            # One more step half-way (geometrically) between the last pass and this failure.
            refined = True
            queue = [math.sqrt(last_pass * target)]
            wait_for_quiet(env)
    return result


def grow(env: Environment, setup: Setup, connected: int, wanted: int, rooms: int) -> str:
    """Connect clients up to ``wanted`` (``connected`` are in already); why the ladder stops, "" if all got in."""
    if wanted <= connected:
        return ""
    report = env.fleet.connect(
        specs(connected, wanted - connected, rooms, setup.probe_every, env.nick_prefix, env.room_prefix),
        setup.window,
        60,
    )
    if report["ready"] < report["asked"]:
        return f"only {connected + report['ready']} of {wanted} clients got in: {report['failed']}"
    time.sleep(setup.settle_seconds)
    return ""


def climb(
    env: Environment, setup: Setup, result: FanoutResult, number: int, target: float, connected: int
) -> StepResult:
    """Step ``number`` of ``result``'s ladder: ``target`` deliveries a second from ``connected`` clients."""
    # Clients never leave: a step below an earlier one may find more than it needs.
    rate = target * result.rooms / connected**2
    step = measure(env, setup, f"s{number:02d}", target, connected, rate)
    result.steps.append(step)
    print(describe_step(result.server, step), flush=True)
    return step


def beyond_the_server(env: Environment, step: StepResult) -> str:
    """Why the ladder must stop whatever the step says of the server (it exited, or the generator is the limit); else ""."""
    if env.server.process.poll() is not None:
        return f"server exited ({env.server.process.returncode})"
    # A step that passed shows the generator kept up, however busy: the next step tells.
    if (step.generator_cpu >= GENERATOR_BOUND and not step.passed) or inconclusive(step):
        return f"generator CPU at {step.generator_cpu:.0%}: the generator, not the server, is the limit here"
    return ""


def side_by_side(
    names: list[str], setup: Setup, clients: int, rooms: int, targets: list[float], max_rate: float
) -> list[FanoutResult]:
    """The ladders of servers ``names`` climbed together: each step's load on each in turn, one after the other.

    For a ratio between two configurations on a shared machine whose speed
    moves by half within minutes (docs/PERFORMANCE.md): a ladder of one
    then a ladder of the other measured the machine as much as them. Here
    every load is measured on both within a few seconds, first one then
    the other, in the other order at the next load. A server that fails
    a second step is done (one failure alone may be the machine); its
    capacity is the highest step it passed. All run at once, each with a
    fleet of its own; the others sit idle while one is loaded.
    """
    with contextlib.ExitStack() as stack:
        envs = [stack.enter_context(running(name, setup, setup.chatd_capacity_args)) for name in names]
        return climb_together(envs, setup, clients, rooms, targets, max_rate)


def climb_together(
    envs: list[Environment],
    setup: Setup,
    clients: int,
    rooms: int,
    targets: list[float],
    max_rate: float,
    connected: list[int] | None = None,
    settle_between: bool = False,
) -> list[FanoutResult]:
    """``side_by_side``'s ladders, on running environments (``bench/load.py web``: two ports of one daemon).

    ``connected``: clients each environment already has (``specs`` from 0),
    none by default. ``settle_between``: before each step, wait for the
    server loaded last to go quiet (separate servers on one CPU,
    ``bench/load.py irc``), so its backlog takes nothing from the next one.
    """
    names = [env.name for env in envs]
    results = [FanoutResult(name, clients, rooms) for name in names]
    connected = list(connected) if connected is not None else [0] * len(names)
    failures = [0] * len(names)
    last: Environment | None = None
    for number, target in enumerate(targets, 1):
        turn = list(range(len(names)))
        for index in turn if number % 2 else turn[::-1]:
            result, env = results[index], envs[index]
            if result.stopped:
                continue
            if settle_between and last is not None and last is not env:
                wait_for_quiet(last)
            last = env
            wanted, _ = shape(target, clients, rooms, max_rate)
            result.stopped = grow(env, setup, connected[index], wanted, rooms)
            if result.stopped:
                continue
            connected[index] = max(connected[index], wanted)
            step = climb(env, setup, result, number, target, connected[index])
            result.stopped = beyond_the_server(env, step)
            if result.stopped or step.passed:
                continue
            failures[index] += 1
            if failures[index] == 2 or step.closed:
                result.stopped = f"failed a second time at {target:,.0f}/s: {step.why}"
            else:
                wait_for_quiet(env)
        if all(result.stopped for result in results):
            break
    for result in results:
        result.stopped = result.stopped or "end of the ladder: no second step failed"
    return results


def hold_each(
    envs: list[Environment], setup: Setup, target: float, connected: list[int], rooms: int
) -> list[dict[str, Any]]:
    """One step at ``target`` deliveries a second on each environment in turn, pass or fail.

    For a latency compared at one load (``bench/load.py irc``): a ladder
    stops a server at its second failure, which may come below ``target``.
    ``connected``: the clients each has, all of whom send (at the rate
    the load needs); before each step the server loaded before it has
    gone quiet. Each step as data: ``{"server": name, "step": StepResult
    as a dict}``.
    """
    held = []
    for index, (env, clients) in enumerate(zip(envs, connected, strict=True)):
        if index:
            wait_for_quiet(envs[index - 1])
        step = measure(env, setup, "h01", target, clients, target * rooms / clients**2)
        print(describe_step(env.name, step), flush=True)
        held.append({"server": env.name, "step": asdict(step) | {"lost": step.lost}})
    return held


def inconclusive(step: StepResult) -> bool:
    """A failure with the server short of a full CPU and the generator busy: either could be the limit.

    The generator's CPU time includes the kernel's loopback TCP work for
    its sockets, so past about 60% of its core it may be what fell behind.
    """
    return not step.passed and step.server_cpu < SERVER_BOUND and step.generator_cpu >= GENERATOR_BUSY


def wait_for_quiet(env: Environment, seconds: float = 15.0) -> None:
    """Give a server that fell behind time to catch up before the next step."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = env.server.cpu_seconds()
        time.sleep(0.5)
        if env.server.cpu_seconds() - before < 0.1:
            return


def measure(env: Environment, setup: Setup, tag: str, target: float, clients: int, rate: float) -> StepResult:
    reports, seconds, server_cpu, generator_cpu, threads_cpu = run_step(
        env, setup, tag, rate, setup.step_seconds, {}
    )
    latencies = latency_ms(reports)
    step = StepResult(
        target=target,
        clients=clients,
        rate=rate,
        seconds=seconds,
        sent=sum(r["sent"] for r in reports),
        expected=sum(r["expected"] for r in reports),
        received=sum(r["received"] for r in reports),
        deliveries_per_second=sum(r["received"] for r in reports) / seconds,
        p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99),
        max_ms=latencies[-1] if latencies else 0.0,
        samples=len(latencies),
        p99_settled_ms=percentile(latency_ms(reports, SETTLED_MS), 0.99),
        server_cpu=server_cpu / seconds,
        threads_cpu=threads_cpu / seconds,
        generator_cpu=generator_cpu / seconds / max(1, len(setup.generator_cpus)),
        closed=dict(sum((Counter(r["closed"]) for r in reports), Counter())),
        troubles=dict(sum((Counter(r["troubles"]) for r in reports), Counter())),
    )
    problems = []
    if step.p99_ms >= PASS_P99_MS:
        problems.append(f"p99 {step.p99_ms:.0f} ms")
    if step.lost:
        problems.append(f"{step.lost} lost")
    if step.closed:
        problems.append(f"clients cut off: {step.closed}")
    step.passed = not problems
    step.why = ", ".join(problems)
    return step


def describe_step(name: str, step: StepResult) -> str:
    return (
        f"  {name}: {step.clients} clients x {step.rate:.2f}/s -> {step.deliveries_per_second:,.0f} deliveries/s, "
        f"p50/p99/max {step.p50_ms:.1f}/{step.p99_ms:.1f}/{step.max_ms:.0f} ms "
        f"(p99 after the first second {step.p99_settled_ms:.1f}), lost {step.lost}, "
        f"server CPU {step.server_cpu:.0%}{threads_share(step.threads_cpu)}, generator CPU {step.generator_cpu:.0%}"
        f"{'' if step.passed else ' FAIL: ' + step.why}"
    )


@dataclass
class IdleResult:
    server: str
    clients: int
    rooms: int
    ready: int = 0
    registered: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    registered_per_second: float = 0.0
    ready_per_second: float = 0.0
    rss_before_kib: int = 0
    rss_after_kib: int = 0
    seconds: float = 0.0
    """From the first connect to the last client in its room (or the deadline)."""
    server_cpu: float = 0.0
    generator_cpu: float = 0.0
    """CPU shares (of one CPU, of the generator's CPUs) while clients came in."""
    server_exit: int | None = None
    server_log: str = ""
    """The end of the server's log, if it exited."""
    troubles: dict[str, int] = field(default_factory=dict)
    start_seconds: float = 0.0
    """From starting the server to its listening."""

    @property
    def kib_per_connection(self) -> float:
        if not self.ready or not self.rss_after_kib:
            return 0.0
        return (self.rss_after_kib - self.rss_before_kib) / self.ready


def idle(name: str, setup: Setup, clients: int, rooms: int) -> IdleResult:
    """Bring ``clients`` in, ``setup.window`` at a time; time it, then weigh the server."""
    with running(name, setup, []) as env:
        time.sleep(setup.settle_seconds)
        return weigh_idle(env, setup, clients, rooms)


def idle_ports(
    setup: Setup,
    clients: int,
    rooms: int,
    names: tuple[str, str],
    web_first: bool,
    line_dialect: str = "line",
) -> list[IdleResult]:
    """``clients`` idle on the line port of a fresh daemon, and as many on the web port of another.

    Each kind's memory per connection is its daemon's RSS growth while it
    came in (and settled) over how many got in. Each kind has a fresh
    daemon of its own (both ports open, one used): weighed in one daemon,
    the second kind found a heap the first had grown and freed, and the
    ratio went from 1.8x to 2.6x with the order alone. Which kind goes
    first still alternates between rounds (``web_first``).
    """
    weighed = []
    for web in (True, False) if web_first else (False, True):
        with ports(setup, [], names, line_dialect) as both:
            time.sleep(setup.settle_seconds)
            weighed.append(weigh_idle(both[1] if web else both[0], setup, clients, rooms))
    return weighed


def weigh_idle(env: Environment, setup: Setup, clients: int, rooms: int) -> IdleResult:
    """``idle``'s measure on a running ``env``: ``clients`` in, then the RSS they added."""
    result = IdleResult(env.name, clients, rooms)
    result.start_seconds = env.start_seconds
    result.rss_before_kib = env.server.memory_kib()[0]
    server_before, generator_before = env.server.cpu_seconds(), env.fleet.cpu_seconds()
    began = time.monotonic()
    report = env.fleet.connect(
        specs(0, clients, rooms, clients + 1, env.nick_prefix, env.room_prefix), setup.window, 120
    )
    result.seconds = time.monotonic() - began
    result.server_cpu = (env.server.cpu_seconds() - server_before) / result.seconds
    result.generator_cpu = (
        (env.fleet.cpu_seconds() - generator_before) / result.seconds / len(setup.generator_cpus)
    )
    result.ready, result.registered = report["ready"], report["registered"]
    result.failed, result.troubles = report["failed"], report["troubles"]
    started = report["first_connect_ns"]
    if report["registered"]:
        result.registered_per_second = report["registered"] / ((report["last_registered_ns"] - started) / 1e9)
    if report["ready"]:
        result.ready_per_second = report["ready"] / ((report["last_ready_ns"] - started) / 1e9)
    time.sleep(2 * setup.settle_seconds)
    result.rss_after_kib = env.server.memory_kib()[0]
    result.server_exit = env.server.process.poll()
    if result.server_exit is not None:
        result.server_log = env.server.log_tail(5)
    print(
        f"  {env.name}: {result.ready}/{clients} in, registered {result.registered_per_second:,.0f}/s, in rooms {result.ready_per_second:,.0f}/s, "
        f"{result.kib_per_connection:.1f} KiB each, server CPU {result.server_cpu:.0%}, "
        f"generator CPU {result.generator_cpu:.0%}{'; failed: ' + str(result.failed) if result.failed else ''}",
        flush=True,
    )
    return result


@dataclass
class BurstResult:
    server: str
    chatters: int
    paste_lines: int
    seconds: float
    sent: int = 0
    expected: int = 0
    received: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    paste_seen_min: int = 0
    paste_seen_max: int = 0
    paste_last_seconds: float = 0.0
    """From the paste's write to the last paste line any member got."""
    paster: dict[str, Any] = field(default_factory=dict)
    closed: dict[str, int] = field(default_factory=dict)
    troubles: dict[str, int] = field(default_factory=dict)

    @property
    def lost(self) -> int:
        return max(0, self.expected - self.received)


def burst(name: str, setup: Setup, chatters: int, lines: int, seconds: float, rate: float) -> BurstResult:
    """``chatters`` talk at ``rate`` each in one room for ``seconds``; 3 s in, a paster pastes ``lines`` at once."""
    result = BurstResult(name, chatters, lines, seconds)
    with running(name, setup, []) as env:
        room = specs(0, chatters, 1, 1)
        paster = ClientSpec(nick="paster", room=0, source="127.0.0.252", probe=True, sends=False)
        report = env.fleet.connect([*room, paster], setup.window, 60)
        if report["ready"] < chatters + 1:
            raise BenchError(
                f"{name}: only {report['ready']} of {chatters + 1} got into the room: {report['failed']}"
            )
        time.sleep(setup.settle_seconds)
        start = time.monotonic_ns() + 300_000_000
        paste_at = start + 3_000_000_000
        extra = {"paste_nick": "paster", "paste_lines": lines, "paste_at_ns": paste_at}
        reports = run_step(env, setup, "b01", rate, seconds, extra).reports
        latencies = latency_ms(reports)
        seen = [n for r in reports for n in r["paste_seen"]]
        last = max(r["last_paste_ns"] for r in reports)
        result.sent = sum(r["sent"] for r in reports)
        # Only the chatters count: the paster may be cut off, and then hears nothing.
        result.expected = result.sent * (chatters if DIALECTS[kind_of(name).dialect].echoes else chatters - 1)
        result.received = sum(r["received"] for r in reports)
        result.p50_ms = percentile(latencies, 0.5)
        result.p99_ms = percentile(latencies, 0.99)
        result.max_ms = latencies[-1] if latencies else 0.0
        result.paste_seen_min, result.paste_seen_max = min(seen), max(seen)
        result.paste_last_seconds = (last - paste_at) / 1e9 if last else 0.0
        result.paster = next(r["paster"] for r in reports if r["paster"] is not None)
        result.closed = dict(sum((Counter(r["closed"]) for r in reports), Counter()))
        result.troubles = dict(sum((Counter(r["troubles"]) for r in reports), Counter()))
    print(
        f"  {name}: chatters p50/p99/max {result.p50_ms:.1f}/{result.p99_ms:.1f}/{result.max_ms:.0f} ms, "
        f"lost {result.lost}; paste lines seen {result.paste_seen_min}-{result.paste_seen_max}, "
        f"last at +{result.paste_last_seconds:.1f} s; paster {result.paster}",
        flush=True,
    )
    return result


def as_dict(result: Any) -> dict[str, Any]:
    """A result as JSON-ready data, with its computed properties."""
    data = asdict(result)
    for name in ("capacity", "generator_bound", "kib_per_connection", "lost"):
        if hasattr(result, name):
            data[name] = getattr(result, name)
    if isinstance(result, FanoutResult):
        for step, values in zip(result.steps, data["steps"], strict=True):
            values["lost"] = step.lost
    return data
