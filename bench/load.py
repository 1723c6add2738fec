"""Load generator and comparison bench: chatd against ngIRCd, miniircd and twisted.words.

Run by hand, never in CI; everything goes to 127.0.0.x and every run stops
by itself. ``python bench/load.py all`` runs every workload against every
server and writes the results (``bench/out/results.json``), the markdown
for docs/PERFORMANCE.md (``bench/out/report.md``, also printed) and the
plot (docs/perf-fanout.png). Subcommands run one workload::

    .venv/bin/python bench/load.py all                       # the report, about 22 minutes
    .venv/bin/python bench/load.py fanout --servers chatd,ngircd --shape 1000x10
    .venv/bin/python bench/load.py fanout --servers chatd@834abba,chatd@HEAD,ngircd   # before and after
    .venv/bin/python bench/load.py idle --clients 5000
    .venv/bin/python bench/load.py burst --servers chatd
    .venv/bin/python bench/load.py profile --deliveries 60000   # chatd under py-spy
    .venv/bin/python bench/load.py profile --idle --clients 5000 --rooms 50 --seconds 3
    .venv/bin/python bench/load.py profile --idle --clients 5000 --rooms 50 --seconds 6 --db FILE   # a restart (FILE: store.py --keep)
    .venv/bin/python bench/load.py profile --web --deliveries 100000   # chatd's web port under fan-out
    .venv/bin/python bench/load.py report bench/out/results.json
    .venv/bin/python bench/load.py store --rounds 2            # fan-out with the SQLite store / with --db :memory:, side by side
    .venv/bin/python bench/load.py restart --rounds 2          # 5000 registering after a restart on a full --db
    .venv/bin/python bench/load.py web --rounds 2              # one chatd's web port beside its line port (issue 14)
    .venv/bin/python bench/load.py irc --rounds 2              # chatd's IRC listener against the IRC servers and its line port (issue 15)
    .venv/bin/python bench/load.py fanout --servers chatd-irc,chatd,ngircd,miniircd,twisted.words
    .venv/bin/python bench/load.py profile --irc --deliveries 100000   # chatd's IRC port under fan-out
    .venv/bin/python bench/load.py profile --irc --gil --deliveries 400000   # only the thread holding the GIL
    .venv/bin/python bench/load.py profile --perf --deliveries 200000 --seconds 15 --rate 1000   # the kernel's part too
    .venv/bin/python bench/load.py storm --servers chatd@HEAD,ngircd,miniircd --rounds 2   # 10,000 into #lobby (issue 18)
    .venv/bin/python bench/load.py profile --storm --clients 10000 --seconds 30   # chatd under py-spy in the storm
    .venv/bin/python bench/load.py hold --servers chatd@HEAD,ngircd --rounds 2   # p99 at exactly 100k and 200k/s

``chatd-irc`` is chatd started with ``--irc-port 0`` (and the same
``--chatd-args``), its clients speaking to that port the IRC the three IRC
servers get; ``chatd-irc@COMMIT`` and ``--chatd-commit`` pin it as they
pin ``chatd``, at any commit since chatd had an IRC listener.

The server runs pinned to the first CPU, the generator processes (one per
other CPU) to the rest. The bench installs what it needs itself: ngIRCd
with apt-get (as root), and miniircd, matplotlib and py-spy into its own
venv under ~/.cache/chatd-bench (bench/servers.py). See docs/PERFORMANCE.md
for what each workload does and what was measured.
"""

import argparse
import contextlib
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import perf_record
import pyspy
import report
import servers
import storm
import workloads
from soak import ROOT, interrupted, raise_file_limit
from typing_extensions import override
from workloads import Setup

SERVERS = ("chatd", "chatd-irc", "ngircd", "miniircd", "twisted.words")
"""Every server ``--servers`` may name (chatd and chatd-irc also at a commit: ``chatd@COMMIT``)."""
DEFAULT_SERVERS = ("chatd", "ngircd", "miniircd", "twisted.words")
"""Issue 7's comparison: chatd's line port and the three IRC servers."""
IRC_SERVERS = ("chatd-irc", "chatd", "ngircd", "miniircd", "twisted.words")
"""``irc``'s servers (issue 15 point 7): chatd's IRC port, its line port, and the IRC servers."""
CHATD_KINDS = ("chatd", "chatd-irc")
"""The servers that are this repository's chatd, so may run at a commit."""
CHATD_CAPACITY_ARGS = "--flood-rate 10 --flood-burst 50 --flood-bytes 16384"
"""chatd's default flood limits (2 lines/s) would slow the senders, not measure fan-out."""
SQLITE, MEMORY = report.SQLITE, report.MEMORY
LINE, WEB = report.LINE, report.WEB
REPLAY_OFF = report.REPLAY_OFF
"""``restart``'s third configuration: the SQLite file, nothing shown again on joining (what the replay costs)."""
BEFORE_STORE = report.BEFORE_STORE
BEFORE_STORE_COMMIT = "9cb50bc"
"""The last commit before issue 13's first (``28e34a2``): ``restart``'s fourth configuration runs chatd at it."""


def common_options() -> argparse.ArgumentParser:
    """The options every measuring subcommand takes: a new parser each time.

    A subcommand's ``set_defaults`` changes the default of the parent's own
    argument objects, so parents shared between subcommands handed one
    subcommand's defaults to the others (``restart``'s window of 50 and
    ``web``'s ladder to ``fanout`` and ``all``).
    """
    common = argparse.ArgumentParser(add_help=False)
    add = common.add_argument
    add(
        "--servers",
        default=",".join(DEFAULT_SERVERS),
        help=f"comma-separated, of {', '.join(SERVERS)}, or chatd@COMMIT, chatd-irc@COMMIT (a git archive copy; repeatable)",
    )
    add("--out", type=Path, default=ROOT / "bench" / "out", help="where results, reports and profiles go")
    add("--workers", type=int, default=0, help="generator processes (0: one per CPU the server is not on)")
    add("--no-pin", action="store_true", help="pin neither the server nor the generator")
    add("--step-seconds", type=float, default=8.0, help="seconds each fan-out step sends for")
    add("--drain", type=float, default=4.0, help="most seconds to wait for a step's last lines")
    add(
        "--window",
        type=int,
        default=10,
        help="clients connecting at once (ngIRCd listens with a backlog of 10)",
    )
    add("--probe-every", type=int, default=10, help="every Nth member of a room times each line it gets")
    add(
        "--chatd-args",
        default=CHATD_CAPACITY_ARGS,
        help="extra chatd options for fan-out and profile runs (profile: none for --idle and --storm unless given)",
    )
    add("--chatd-commit", help="measure chatd at this commit (a git archive copy), not the work tree")
    return common


def ladder_options() -> argparse.ArgumentParser:
    """The fan-out ladder's options, a new parser each time (as ``common_options``)."""
    fan = argparse.ArgumentParser(add_help=False)
    add = fan.add_argument
    add("--shape", action="append", help="CLIENTSxROOMS, repeatable (default: 1000x10 and 200x1)")
    add("--start", type=float, default=5000.0, help="first step's deliveries a second")
    add("--factor", type=float, default=1.5, help="each step's load over the last one's")
    add(
        "--top",
        type=float,
        default=8e6,
        help="no step above this many deliveries a second (high enough that servers, or the generator, fail first)",
    )
    add(
        "--also",
        type=float,
        action="append",
        default=[100_000.0],
        help="extra steps in the ladder, repeatable (the latency target is at 100k deliveries/s)",
    )
    add(
        "--max-client-rate",
        type=float,
        default=2.0,
        help="lines a second one client may send; past it, more clients",
    )
    return fan


class _Defaults(argparse.ArgumentDefaultsHelpFormatter):
    """Each option's default in its help, but for options that have none: no "(default: None)"."""

    @override
    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Fan-out, idle-connection and paste-burst load on chatd and its peers (by hand, never in CI).",
        formatter_class=_Defaults,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    formatter = _Defaults
    commands.add_parser(
        "fanout",
        parents=[common_options(), ladder_options()],
        formatter_class=formatter,
        help="fan-out capacity ladder",
    )
    idle = commands.add_parser(
        "idle", parents=[common_options()], formatter_class=formatter, help="idle connections"
    )
    idle.add_argument("--clients", type=int, default=5000)
    idle.add_argument("--rooms", type=int, default=50)
    burst = commands.add_parser(
        "burst", parents=[common_options()], formatter_class=formatter, help="a paste into a busy room"
    )
    burst.add_argument("--chatters", type=int, default=50)
    burst.add_argument("--lines", type=int, default=1000, help="lines in the paste (one write)")
    burst.add_argument("--seconds", type=float, default=40.0, help="how long the chatters talk")
    burst.add_argument("--rate", type=float, default=1.0, help="lines a second each chatter says")
    everything = commands.add_parser(
        "all",
        parents=[common_options(), ladder_options()],
        formatter_class=formatter,
        help="every workload on every server, then the report",
    )
    everything.add_argument("--plot", type=Path, default=ROOT / "docs" / "perf-fanout.png")
    profile = commands.add_parser(
        "profile", parents=[common_options()], formatter_class=formatter, help="chatd under py-spy, or perf"
    )
    # None: the fan-out's --chatd-args under load, every setting at its default for --idle and --storm.
    profile.set_defaults(chatd_args=None)
    profile.add_argument("--clients", type=int, default=1000)
    profile.add_argument("--rooms", type=int, default=10)
    profile.add_argument("--deliveries", type=float, default=60000.0, help="load to hold while sampling")
    profile.add_argument("--seconds", type=float, default=20.0)
    profile.add_argument(
        "--idle",
        action="store_true",
        help="sample while --clients register and join --rooms rooms (every setting at its default), not under fan-out",
    )
    profile.add_argument(
        "--storm",
        action="store_true",
        help="sample while --clients land in the default room and stay, 50 at a time (the reconnect storm), not under fan-out",
    )
    profile.add_argument(
        "--gil",
        action="store_true",
        help="sample only the thread holding the GIL (py-spy --gil): where the CPU goes, not where threads wait",
    )
    profile.add_argument(
        "--perf",
        action="store_true",
        help="sample with Linux's perf (kernel stacks too: what a send costs), not py-spy; root, or apt-get linux-perf",
    )
    profile.add_argument("--rate", type=int, default=200, help="samples a second (py-spy's, or perf's)")
    profile.add_argument(
        "--db",
        type=Path,
        help="a copy of this --db file for chatd (e.g. one `store.py --keep` filled), to profile --idle as a restart;"
        " :memory: for a restart with nothing kept",
    )
    ports = profile.add_mutually_exclusive_group()
    ports.add_argument(
        "--web", action="store_true", help="load chatd's web port (--web-port), not its line port"
    )
    ports.add_argument(
        "--irc",
        action="store_true",
        help="load chatd's IRC port (--irc-port) with IRC clients, not its line port",
    )
    store = commands.add_parser(
        "store",
        parents=[common_options(), ladder_options()],
        formatter_class=formatter,
        help="fan-out capacity with the SQLite store and with --db :memory:, side by side, and their ratio",
    )
    # Finer steps than the peers' ladder: the target is a ratio of 0.9, and steps of x1.2 cannot show one.
    store.set_defaults(start=200_000.0, factor=1.1)
    store.add_argument("--rounds", type=int, default=2, help="pairs of ladders climbed side by side")
    restart = commands.add_parser(
        "restart",
        parents=[common_options()],
        formatter_class=formatter,
        help="clients registering after a restart on a --db holding history and bans, against --db :memory: "
        "and the daemon before the store",
    )
    # chatd against itself: 50 connecting at once (Twisted's listen backlog), so the rate is what the
    # daemon's CPU allows rather than ten clients' round trips.
    restart.set_defaults(window=50)
    restart.add_argument("--clients", type=int, default=5000)
    restart.add_argument("--rooms", type=int, default=50)
    restart.add_argument(
        "--lines", type=int, default=200_000, help="lines in the database before the restart"
    )
    restart.add_argument("--bans", type=int, default=100, help="address bans in the database")
    restart.add_argument("--rounds", type=int, default=2, help="runs of each configuration, interleaved")
    web = commands.add_parser(
        "web",
        parents=[common_options(), ladder_options()],
        formatter_class=formatter,
        help="one chatd's web port (WebSocket) beside its line port: fan-out, p99 at 100k/s, memory per idle connection",
    )
    # From below the latency target's 100,000/s, in steps fine enough for a ratio of 0.5.
    web.set_defaults(start=50_000.0, factor=1.2)
    web.add_argument(
        "--rounds", type=int, default=2, help="daemons measured, the order of the ports swapped each"
    )
    web.add_argument("--idle-clients", type=int, default=2000, help="idle connections of each kind")
    web.add_argument(
        "--idle-rooms", type=int, default=20, help="rooms the idle connections of each kind join"
    )
    web.add_argument(
        "--line-format",
        choices=("text", "json"),
        default="text",
        help="what the line port's clients read: text lines, as nc users do, or /format json (the web port's objects)",
    )
    irc = commands.add_parser(
        "irc",
        parents=[common_options(), ladder_options()],
        formatter_class=formatter,
        help="chatd's IRC port against ngIRCd, miniircd, twisted.words and its line port: fan-out and p99 at 100k/s",
    )
    # From below the latency target's load, in steps fine enough for a ratio of 2; the step at
    # 100,000/s is measured on its own before the ladders (``run_irc``), so the ladder needs none.
    irc.set_defaults(servers=",".join(IRC_SERVERS), start=50_000.0, factor=1.2, also=[])
    irc.add_argument(
        "--rounds", type=int, default=2, help="rounds, each with fresh servers, the order reversed"
    )
    irc.add_argument(
        "--latency-load", type=float, default=100_000.0, help="deliveries a second at which p99 is compared"
    )
    storm_parser = commands.add_parser(
        "storm",
        parents=[common_options()],
        formatter_class=formatter,
        help="a reconnect storm: --clients into the default room, --window at a time, then memory per idle connection (issue 18)",
    )
    # The storm: 50 in flight, every one staying in #lobby.
    storm_parser.set_defaults(servers="chatd,ngircd,miniircd", window=50, chatd_args="")
    storm_parser.add_argument(
        "--clients", type=int, default=10_000, help="clients in the storm, all staying in #lobby"
    )
    storm_parser.add_argument(
        "--seconds", type=float, default=240.0, help="most seconds the storm may take on one server"
    )
    storm_parser.add_argument(
        "--rounds", type=int, default=1, help="rounds, each with fresh servers, the order reversed"
    )
    hold = commands.add_parser(
        "hold",
        parents=[common_options()],
        formatter_class=formatter,
        help="p50/p99 held at exactly --loads deliveries a second, every server of --servers in turn (issue 18 point 4)",
    )
    hold.set_defaults(servers="chatd,ngircd")
    hold.add_argument("--shape", default="1000x10", help="CLIENTSxROOMS, every client sending")
    hold.add_argument(
        "--loads",
        default="100000,200000",
        help="comma-separated deliveries a second, each held --step-seconds on each server",
    )
    hold.add_argument(
        "--rounds", type=int, default=1, help="rounds, each with fresh servers, the order reversed"
    )
    again = commands.add_parser("report", formatter_class=formatter, help="render saved results again")
    again.add_argument("results", type=Path, nargs="+", help="JSON files written by other subcommands")
    again.add_argument("--plot", type=Path, default=ROOT / "docs" / "perf-fanout.png")
    args = parser.parse_args(argv)
    if args.command in ("store", "restart", "web"):
        configurations = {
            "store": (SQLITE, MEMORY),
            "restart": (SQLITE, MEMORY, REPLAY_OFF, BEFORE_STORE),
            "web": (LINE, WEB),
        }[args.command]
        args.servers = variants(args.rounds, configurations)
        short = servers.short_commit(args.chatd_commit) if args.chatd_commit else ""
        if args.chatd_commit and not short:
            parser.error(f"no commit {args.chatd_commit!r} in this repository")
        args.chatd_commits = {label: short for label in args.servers if short}
        args.chatd_commits |= {
            label: BEFORE_STORE_COMMIT for label in args.servers if label.startswith(BEFORE_STORE)
        }
    elif args.command != "report":
        names = [name.strip() for name in args.servers.split(",") if name.strip()]
        args.round_size = len(names)
        if args.command in ("irc", "storm", "hold"):
            # Each round has its own labels: ``ngircd`` in round 1, ``ngircd (2)`` in round 2.
            names *= max(1, args.rounds)
        try:
            args.servers, args.chatd_commits = server_labels(names, args.chatd_commit)
        except ValueError as error:
            parser.error(str(error))
    if args.command == "hold":
        try:
            args.loads = [float(load) for load in args.loads.split(",")]
            clients, rooms = (int(n) for n in args.shape.split("x"))
        except ValueError:
            parser.error("--loads is numbers with commas, --shape CLIENTSxROOMS (1000x10)")
        args.shapes = [(clients, rooms)]
    if args.command == "profile" and args.chatd_args is None:
        args.chatd_args = "" if args.idle or args.storm else CHATD_CAPACITY_ARGS
    if args.command == "profile" and args.perf and args.gil:
        parser.error("--gil is py-spy's; perf samples the whole process")
    if args.command == "profile" and args.irc and args.chatd_commit:
        short = servers.short_commit(args.chatd_commit)
        if short and not servers.has_irc_listener(short):
            parser.error(
                f"chatd at {short} has no IRC listener (it came with {servers.IRC_SINCE}): no --irc there"
            )
    if args.command in ("fanout", "all", "store", "web", "irc"):
        default = ["1000x10"] if args.command in ("store", "web", "irc") else ["1000x10", "200x1"]
        try:
            args.shapes = [tuple(int(n) for n in shape.split("x")) for shape in args.shape or default]
        except ValueError:
            parser.error("--shape is CLIENTSxROOMS, e.g. 1000x10")
    return args


def server_labels(names: list[str], chatd_commit: str | None) -> tuple[list[str], dict[str, str]]:
    """Each server's label, and the commit each chatd label runs at (absent: the work tree).

    ``chatd`` (and ``chatd-irc``) alone is the work tree or ``--chatd-commit``;
    ``chatd@COMMIT`` is labelled with the commit's short hash, so a saved
    result says what ran even after HEAD moves. A server named twice (the
    same commit, to see the noise) gets a numbered label, so each run keeps
    its own row. Raises ValueError for an unknown server or commit, or for
    chatd-irc at a commit before chatd had an IRC listener.
    """
    labels: list[str] = []
    bases: list[str] = []
    if chatd_commit:
        # Resolved now, so a HEAD that moves during the run changes nothing.
        short = servers.short_commit(chatd_commit)
        if short is None:
            raise ValueError(f"no commit {chatd_commit!r} in this repository")
        chatd_commit = short
    commits = dict.fromkeys(CHATD_KINDS, chatd_commit) if chatd_commit else {}
    for name in names:
        base, _, commit = name.partition("@")
        if base not in SERVERS or (commit and base not in CHATD_KINDS):
            raise ValueError(f"unknown server {name!r}")
        kind = base
        if commit:
            short = servers.short_commit(commit)
            if short is None:
                raise ValueError(f"no commit {commit!r} in this repository")
            base, commit = f"{base}@{short}", short
        elif base in CHATD_KINDS:
            commit = chatd_commit or ""
        if kind == "chatd-irc" and commit and not servers.has_irc_listener(commit):
            raise ValueError(
                f"chatd at {commit} has no IRC listener (no --irc-port; it came with {servers.IRC_SINCE}), "
                "so chatd-irc cannot run there: name chatd alone for that commit"
            )
        bases.append(base)
        label = base if bases.count(base) == 1 else f"{base} ({bases.count(base)})"
        labels.append(label)
        if commit:
            commits[label] = commit
    return labels, commits


def variants(rounds: int, configurations: tuple[str, ...] = (SQLITE, MEMORY)) -> list[str]:
    """``rounds`` labels of each configuration, interleaved: sqlite, memory, sqlite (2), memory (2), ..."""
    return [f"{label} ({n})" if n > 1 else label for n in range(1, rounds + 1) for label in configurations]


def variant_options(labels: list[str], database: str | None = None) -> dict[str, list[str]]:
    """Each label's ``--db``: ``database`` (else a new file in the server's directory) or ``:memory:``.

    ``REPLAY_OFF`` runs also get ``--replay 0``; ``BEFORE_STORE`` runs, a daemon with no ``--db``, nothing.
    """
    return {
        label: []
        if label.startswith(BEFORE_STORE)
        else ["--db", ":memory:" if label.startswith(MEMORY) else database or "chatd.sqlite"]
        + (["--replay", "0"] if label.startswith(REPLAY_OFF) else [])
        for label in labels
    }


def make_setup(args: argparse.Namespace) -> Setup:
    """Pin the server to the first CPU and this process (and the generators) to the others."""
    cpus = sorted(os.sched_getaffinity(0))
    # What `nproc` says, before this process is pinned to fewer CPUs.
    args.nproc = len(cpus)
    if args.no_pin or len(cpus) < 2:
        server_cpu, generator_cpus = None, cpus
    else:
        server_cpu, generator_cpus = cpus[0], cpus[1:]
        os.sched_setaffinity(0, set(generator_cpus))
    return Setup(
        server_cpu=server_cpu,
        generator_cpus=generator_cpus,
        workers=args.workers or len(generator_cpus),
        step_seconds=args.step_seconds,
        drain_seconds=args.drain,
        window=args.window,
        probe_every=args.probe_every,
        chatd_capacity_args=shlex.split(args.chatd_args),
        chatd_sources={label: servers.export_commit(commit) for label, commit in args.chatd_commits.items()},
    )


def machine(setup: Setup, nproc: int) -> dict[str, Any]:
    model = "unknown CPU"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    pinning = (
        "nothing pinned"
        if setup.server_cpu is None
        else f"server pinned to CPU {setup.server_cpu}, {setup.workers} generator process(es) to CPU "
        + ",".join(map(str, setup.generator_cpus))
    )
    return {
        "cpus": os.cpu_count(),
        "nproc": nproc,
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "pinning": pinning,
    }


def ladder_targets(args: argparse.Namespace) -> list[float]:
    """The ladder's rates, with the ``--also`` rates slotted in."""
    extra = [t for t in args.also if args.start <= t <= args.top]
    return sorted({float(t) for t in workloads.ladder(args.start, args.factor, args.top)} | set(extra))


def run_fanout(args: argparse.Namespace, setup: Setup) -> list[dict[str, Any]]:
    runs = []
    for clients, rooms in args.shapes:
        for name in args.servers:
            print(f"fan-out, {clients} clients in {rooms} rooms: {name}", file=sys.stderr, flush=True)
            result = workloads.fanout(name, setup, clients, rooms, ladder_targets(args), args.max_client_rate)
            runs.append(workloads.as_dict(result))
    return runs


def run_store(args: argparse.Namespace, setup: Setup) -> list[dict[str, Any]]:
    """The fan-out ladders of the two configurations side by side (``workloads.side_by_side``), ``--rounds`` times."""
    setup.chatd_options = variant_options(args.servers)
    runs = []
    for clients, rooms in args.shapes:
        for pair in zip(args.servers[::2], args.servers[1::2], strict=True):
            print(
                f"fan-out, {clients} clients in {rooms} rooms: {' and '.join(pair)}",
                file=sys.stderr,
                flush=True,
            )
            results = workloads.side_by_side(
                list(pair), setup, clients, rooms, ladder_targets(args), args.max_client_rate
            )
            runs += [workloads.as_dict(result) for result in results]
    return runs


def run_web(args: argparse.Namespace, setup: Setup) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One chatd's line port and web port side by side, ``--rounds`` times: (fan-out runs, idle runs).

    Each round starts one daemon with both ports and the capacity flags
    (``--chatd-args``) and climbs the two ladders together
    (``workloads.climb_together``, each load on one port then the other);
    then a fresh daemon, every setting at its default, takes
    ``--idle-clients`` idle connections on one port and as many on the
    other. Odd rounds measure the line port first, even ones the web port.
    """
    fanout: list[dict[str, Any]] = []
    idle: list[dict[str, Any]] = []
    line_dialect = "line-json" if args.line_format == "json" else "line"
    for number, (line, web) in enumerate(zip(args.servers[::2], args.servers[1::2], strict=True), 1):
        web_first = number % 2 == 0
        for clients, rooms in args.shapes:
            print(
                f"fan-out, {clients} clients in {rooms} rooms on each port: {line} and {web}"
                f"{', web first' if web_first else ''}",
                file=sys.stderr,
                flush=True,
            )
            with workloads.ports(setup, setup.chatd_capacity_args, (line, web), line_dialect) as envs:
                order = list(envs[::-1] if web_first else envs)
                results = workloads.climb_together(
                    order, setup, clients, rooms, ladder_targets(args), args.max_client_rate
                )
            fanout += [workloads.as_dict(result) for result in sorted(results, key=lambda r: r.server)]
        print(
            f"idle, {args.idle_clients} connections in {args.idle_rooms} rooms on each port: {line} and {web}",
            file=sys.stderr,
            flush=True,
        )
        weighed = workloads.idle_ports(
            setup, args.idle_clients, args.idle_rooms, (line, web), web_first, line_dialect
        )
        idle += [workloads.as_dict(result) for result in weighed]
    return fanout, idle


def run_irc(args: argparse.Namespace, setup: Setup) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every server of ``--servers`` at once, ``--rounds`` times: (fan-out runs, steps at ``--latency-load``).

    Each round starts a fresh server of each kind (chatd and chatd-irc with
    the same ``--chatd-args``), all pinned to the one server CPU, each with a
    fleet of its own, and brings 1000 clients into 10 rooms on each (the
    shape's). Then, one server after another, a step at ``--latency-load``
    (100,000 deliveries/s: 1000 clients, a line a second each), whatever the
    server did before; then the capacity ladders climbed together
    (``workloads.climb_together``: each load on each server in turn, the
    order reversed at every load), a server done at its second failed step.
    Before a server is loaded, the one loaded before it has gone quiet, so
    none works off its backlog (or chatd's indexer its lines) on the
    CPU another is measured on. Round 2 takes the servers in the reverse
    order. The others sit idle, their clients connected, while one is loaded.
    """
    fanout: list[dict[str, Any]] = []
    latency: list[dict[str, Any]] = []
    size = args.round_size
    rounds = [args.servers[n : n + size] for n in range(0, len(args.servers), size)]
    for number, names in enumerate(rounds, 1):
        order = names if number % 2 else names[::-1]
        for clients, rooms in args.shapes:
            print(
                f"round {number}, {clients} clients in {rooms} rooms on each: {', '.join(order)}",
                file=sys.stderr,
                flush=True,
            )
            with contextlib.ExitStack() as stack:
                envs = [
                    stack.enter_context(workloads.running(name, setup, setup.chatd_capacity_args))
                    for name in order
                ]
                connected = []
                for env in envs:
                    stopped = workloads.grow(env, setup, 0, clients, rooms)
                    if stopped:
                        raise servers.BenchError(f"{env.name}: {stopped}")
                    connected.append(clients)
                latency += workloads.hold_each(envs, setup, args.latency_load, connected, rooms)
                results = workloads.climb_together(
                    envs,
                    setup,
                    clients,
                    rooms,
                    ladder_targets(args),
                    args.max_client_rate,
                    connected=connected,
                    settle_between=True,
                )
            fanout += [workloads.as_dict(result) for result in results]
    return fanout, latency


def run_restart(args: argparse.Namespace, setup: Setup) -> list[dict[str, Any]]:
    """``--clients`` register on a restarted chatd: on a copy of one full --db file, on --db :memory:, or on the
    daemon before it had a store (``BEFORE_STORE_COMMIT``).

    The file is written once by ``bench/store.py`` (chatd's own store, as a
    daemon's earlier run leaves it: lines in ``#lobby`` and every room the
    clients join, and address bans) and copied for each run, so each starts
    from the same file; the SQLite runs replay its lines to every client
    that joins, as a restarted daemon does.
    """
    directory = tempfile.mkdtemp(prefix="chatd-bench-db-")
    try:
        full = os.path.join(directory, "full.sqlite")
        print(f"restart: writing {args.lines} lines and {args.bans} bans into {full}", file=sys.stderr)
        fill = [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "bench" / "store.py"), "--keep", full]
        fill += ["--lines", str(args.lines), "--bans", str(args.bans), "--rooms", str(args.rooms + 1)]
        subprocess.run([*fill, "--seconds", "3600"], check=True, stdout=subprocess.DEVNULL)
        runs = []
        for label in args.servers:
            copy = os.path.join(directory, "run.sqlite")
            copy_database(full, copy)
            setup.chatd_options = variant_options([label], copy)
            print(
                f"restart, {args.clients} clients in {args.rooms} rooms: {label}", file=sys.stderr, flush=True
            )
            runs.append(workloads.as_dict(workloads.idle(label, setup, args.clients, args.rooms)))
        return runs
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def copy_database(source: str, copy: str) -> None:
    """``source``, a --db file a daemon stopped cleanly (nothing in its WAL), and its search index, as ``copy``:
    a restart finds its index as it was left, not one to make again from the start."""
    for suffix in ("", "-wal", "-shm", "-search", "-search-wal", "-search-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(copy + suffix)
    shutil.copyfile(source, copy)
    with contextlib.suppress(FileNotFoundError):
        shutil.copyfile(f"{source}-search", f"{copy}-search")


def rounds_of(args: argparse.Namespace) -> list[list[str]]:
    """``--servers``' labels cut into rounds, every even round in the reverse order."""
    size = args.round_size
    rounds = [args.servers[n : n + size] for n in range(0, len(args.servers), size)]
    return [names if number % 2 else names[::-1] for number, names in enumerate(rounds, 1)]


def run_storm(args: argparse.Namespace, setup: Setup) -> list[dict[str, Any]]:
    """``--clients`` into the default room of each server in turn, fresh each time, ``--rounds`` times.

    One server runs at a time, alone on the server CPU. chatd gets
    ``--chatd-args`` and, past its default of 10,000 connections in all,
    ``--max-connections`` for the storm's clients.
    """
    extra = list(setup.chatd_capacity_args)
    if args.clients > storm.CHATD_MAX_CONNECTIONS:
        extra += ["--max-connections", str(args.clients)]
    runs = []
    for number, order in enumerate(rounds_of(args), 1):
        for name in order:
            print(
                f"storm, round {number}: {args.clients} clients into #lobby, {setup.window} at a time: {name}",
                file=sys.stderr,
                flush=True,
            )
            runs.append(storm.as_dict(storm.storm(name, setup, args.clients, args.seconds, extra)))
    return runs


def run_hold(args: argparse.Namespace, setup: Setup) -> list[dict[str, Any]]:
    """Each load of ``--loads`` held on every server in turn, all running at once, ``--rounds`` times.

    ``workloads.hold_each`` at each load, after every server has its
    ``--shape`` of clients (all sending, at the rate the load needs); the
    servers of a round are fresh, started together, and loaded one after
    another, each once the one before has gone quiet.
    """
    ((clients, rooms),) = args.shapes
    held: list[dict[str, Any]] = []
    for number, order in enumerate(rounds_of(args), 1):
        print(
            f"hold, round {number}, {clients} clients in {rooms} rooms on each: {', '.join(order)}",
            file=sys.stderr,
        )
        with contextlib.ExitStack() as stack:
            envs = [
                stack.enter_context(workloads.running(name, setup, setup.chatd_capacity_args))
                for name in order
            ]
            for env in envs:
                stopped = workloads.grow(env, setup, 0, clients, rooms)
                if stopped:
                    raise servers.BenchError(f"{env.name}: {stopped}")
            for load in args.loads:
                if held:
                    workloads.wait_for_quiet(envs[-1])
                steps = workloads.hold_each(envs, setup, load, [clients] * len(envs), rooms)
                held += [step | {"load": load, "rooms": rooms} for step in steps]
    return held


def run_idle(args: argparse.Namespace, setup: Setup, clients: int, rooms: int) -> list[dict[str, Any]]:
    runs = []
    for name in args.servers:
        print(f"idle, {clients} clients in {rooms} rooms: {name}", file=sys.stderr, flush=True)
        runs.append(workloads.as_dict(workloads.idle(name, setup, clients, rooms)))
    return runs


def run_burst(
    args: argparse.Namespace, setup: Setup, chatters: int, lines: int, seconds: float, rate: float
) -> list[dict[str, Any]]:
    runs = []
    for name in args.servers:
        print(f"burst, {lines} lines into {chatters} chatting: {name}", file=sys.stderr, flush=True)
        runs.append(workloads.as_dict(workloads.burst(name, setup, chatters, lines, seconds, rate)))
    return runs


def run_profile(args: argparse.Namespace, setup: Setup) -> dict[str, Any]:
    """chatd under py-spy (or perf): held at ``--deliveries`` a second, or (``--idle``) while clients register."""
    args.out.mkdir(parents=True, exist_ok=True)
    raw = args.out / ("chatd-perf.data" if args.perf else "chatd-profile.txt")
    found: dict[str, Any] = {"raw": str(raw.relative_to(ROOT) if raw.is_relative_to(ROOT) else raw)}
    extra = list(setup.chatd_capacity_args)
    if str(args.db) == ":memory:":
        extra = [*extra, "--db", ":memory:"]
    elif args.db:
        copy = str((args.out / "profile.sqlite").resolve())
        copy_database(str(args.db), copy)
        extra = [*extra, "--db", copy]
    with loaded(args.web, setup, extra, args.irc, args.storm) as env:
        if args.storm:
            time.sleep(setup.settle_seconds)
            sampler = sample(env, setup, args, raw)
            began = time.monotonic()
            report = env.fleet.connect(storm.specs(args.clients), storm.STORM_WINDOW, args.seconds + 60)
            found["registered"], found["seconds"] = report["ready"], time.monotonic() - began
            print(f"  chatd: {report['ready']} in the lobby in {found['seconds']:.1f} s", file=sys.stderr)
        elif args.idle:
            time.sleep(setup.settle_seconds)
            sampler = sample(env, setup, args, raw)
            began = time.monotonic()
            specs = workloads.specs(
                0, args.clients, args.rooms, args.clients + 1, env.nick_prefix, env.room_prefix
            )
            report = env.fleet.connect(specs, setup.window, 120)
            found["registered"], found["seconds"] = report["registered"], time.monotonic() - began
            print(f"  chatd: {report['registered']} registered in {found['seconds']:.1f} s", file=sys.stderr)
        else:
            clients, rate = workloads.shape(args.deliveries, args.clients, args.rooms, 2.0)
            specs = workloads.specs(
                0, clients, args.rooms, setup.probe_every, env.nick_prefix, env.room_prefix
            )
            env.fleet.connect(specs, setup.window, 60)
            time.sleep(setup.settle_seconds)
            sampler = sample(env, setup, args, raw)
            setup.step_seconds = args.seconds
            step = workloads.measure(env, setup, "p01", args.deliveries, clients, rate)
            found["step"] = asdict(step)
            print(workloads.describe_step("chatd", step), file=sys.stderr)
        _, errors = sampler.communicate(timeout=args.seconds + 30)
        if sampler.returncode:
            raise servers.BenchError(f"the profiler failed: {errors.decode(errors='replace')}")
    found["summary"] = perf_record.summary(servers.perf_binary(), raw) if args.perf else pyspy.summary(raw)
    return found


@contextlib.contextmanager
def loaded(
    web: bool, setup: Setup, extra: list[str], irc: bool = False, lobby: bool = False
) -> Iterator[workloads.Environment]:
    """A chatd to profile, and the environment whose port is loaded: its web port's (``web``), its
    IRC port's (``irc``, IRC clients), else its line port's (``lobby``: clients that stay in #lobby)."""
    if not web:
        kind = "chatd-irc" if irc else "chatd"
        dialect = storm.LOBBY_DIALECTS.get(servers.KINDS[kind].dialect) if lobby else None
        with workloads.running(kind, setup, extra, dialect) as env:
            yield env
        return
    with workloads.ports(setup, extra) as (_, env):
        yield env


def sample(
    env: workloads.Environment, setup: Setup, args: argparse.Namespace, raw: Path
) -> "subprocess.Popen[bytes]":
    """Start py-spy (or ``--perf``) on the server for ``--seconds``, on the generator's CPUs so it takes none of the
    server's."""
    pid = env.server.process.pid
    if args.perf:
        sampler = perf_record.record(servers.perf_binary(), pid, args.seconds, raw, args.rate)
    else:
        py_spy = servers.tools_venv() / "bin" / "py-spy"
        sampler = pyspy.record(py_spy, pid, args.seconds, raw, args.rate, args.gil)
    if setup.generator_cpus and setup.server_cpu is not None:
        os.sched_setaffinity(sampler.pid, set(setup.generator_cpus))
    return sampler


def versions(names: list[str], commits: dict[str, str]) -> dict[str, str]:
    return {name: servers.kind_of(name).version(commits.get(name)) for name in names}


def save(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1))
    print(f"results: {path}", file=sys.stderr)


def plot(results_path: Path, target: Path) -> None:
    python = servers.tools_venv() / "bin" / "python"
    subprocess.run([str(python), str(ROOT / "bench" / "plot.py"), str(results_path), str(target)], check=True)
    print(f"plot: {target}", file=sys.stderr)


def merged(paths: list[Path]) -> dict[str, Any]:
    """Several results files as one: the first one's machine, every workload's runs."""
    results: dict[str, Any] = {}
    for path in paths:
        loaded = json.loads(path.read_text())
        for key, value in loaded.items():
            if isinstance(value, list) and isinstance(results.get(key), list):
                results[key] += value
            elif isinstance(value, dict) and isinstance(results.get(key), dict):
                results[key].update(value)
            else:
                results.setdefault(key, value)
    return results


def run(args: argparse.Namespace) -> int:
    if args.command == "report":
        results = merged(args.results)
        print(report.markdown(results))
        if results.get("fanout"):
            combined = args.results[0] if len(args.results) == 1 else args.results[0].with_name("merged.json")
            if len(args.results) > 1:
                save(results, combined)
            plot(combined, args.plot)
        return 0
    raise_file_limit(65536)
    setup = make_setup(args)
    try:
        return measure(args, setup)
    finally:
        for source in setup.chatd_sources.values():
            shutil.rmtree(source, ignore_errors=True)


def measure(args: argparse.Namespace, setup: Setup) -> int:
    """Run the workloads the command names; save, print and plot what they measured."""
    began = time.monotonic()
    if args.command == "profile":
        profile = run_profile(args, setup)
        profile["chatd"] = servers.KINDS["chatd"].version(args.chatd_commit)
        profile["port"] = "web" if args.web else "irc" if args.irc else "line"
        print(profile["summary"])
        save({"profile": profile}, args.out / "profile.json")
        return 0
    results: dict[str, Any] = {
        "command": shlex.join(["python", *sys.argv]),
        "machine": machine(setup, args.nproc),
        "versions": versions(args.servers, args.chatd_commits),
    }
    if args.command in ("fanout", "all"):
        results["chatd_capacity_args"] = setup.chatd_capacity_args
        results["fanout"] = run_fanout(args, setup)
    if args.command == "store":
        results["chatd_capacity_args"] = setup.chatd_capacity_args
        results["fanout"] = run_store(args, setup)
    if args.command == "web":
        results["chatd_capacity_args"] = setup.chatd_capacity_args
        results["fanout"], results["idle"] = run_web(args, setup)
    if args.command == "irc":
        results["chatd_capacity_args"] = setup.chatd_capacity_args
        results["latency_load"] = args.latency_load
        results["fanout"], results["irc_latency"] = run_irc(args, setup)
    if args.command == "storm":
        results["chatd_args"] = setup.chatd_capacity_args
        results["storm"] = run_storm(args, setup)
    if args.command == "hold":
        results["chatd_capacity_args"] = setup.chatd_capacity_args
        results["hold"] = run_hold(args, setup)
    if args.command == "restart":
        results["restart"] = run_restart(args, setup)
        results["restart_database"] = {"lines": args.lines, "bans": args.bans}
    if args.command in ("idle", "all"):
        clients, rooms = (args.clients, args.rooms) if args.command == "idle" else (5000, 50)
        results["idle"] = run_idle(args, setup, clients, rooms)
    if args.command in ("burst", "all"):
        if args.command == "burst":
            results["burst"] = run_burst(args, setup, args.chatters, args.lines, args.seconds, args.rate)
        else:
            results["burst"] = run_burst(args, setup, 50, 1000, 40.0, 1.0)
    results["minutes"] = (time.monotonic() - began) / 60
    name = "results.json" if args.command == "all" else f"{args.command}.json"
    save(results, args.out / name)
    text = report.markdown(results)
    (args.out / name.replace(".json", ".md")).write_text(text + "\n")
    print(text)
    if args.command == "all":
        plot(args.out / name, args.plot)
    return 0


def main() -> int:
    args = parse_arguments()
    signal.signal(signal.SIGTERM, interrupted)
    try:
        return run(args)
    except servers.BenchError as error:
        print(f"load: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("load: interrupted; servers were stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
