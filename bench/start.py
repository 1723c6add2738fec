"""What a start of ``twistd -n chatd`` costs in CPU until it listens, run by hand:
``python bench/start.py [--runs N] [--tree PATH ...] [-- chatd options]``.

The test suite starts some 600 real daemons a run and a host starts one at
a time, so the seconds of CPU (user and system, read from ``/proc`` at the
moment chatd logs "chatd listening on") are what counts; wall time on a
shared machine says more about the neighbours. Beside it: the wall time from
starting the process to that line, and the CPU of the process's whole life
once SIGTERM has stopped it (what process accounting charges a test's daemon
that is stopped at once). Each ``--tree`` is a
checkout of chatd put first on ``PYTHONPATH``; the runs alternate between
the trees, so two checkouts are compared side by side under the same noise.
After the chatd options (``--port 0 --interface 127.0.0.1`` by default)
come in place of the defaults. Bytecode is kept in a folder of the run's
(``PYTHONPYCACHEPREFIX``) and one start per tree before the counted ones
writes it, so no start compiles from source, as none does in the suite
(tests/conftest.py). It prints, for each tree, the median and the
lowest CPU seconds per start. Not a test: timing has no place in the suite.
"""

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

TWISTD = os.path.join(os.path.dirname(sys.executable), "twistd")
LISTENING = b"chatd listening on"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds ``pid`` has used so far (its own, not its children's)."""
    with open(f"/proc/{pid}/stat", "rb") as stat:
        fields = stat.read().rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def children_cpu_seconds() -> float:
    """User plus system CPU seconds of every child process this one has waited for, in all: one daemon's whole life
    is the difference across its start and stop (what ``/usr/bin/time`` would show)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


MEASURES = (("wall", "wall until listening"), ("cpu", "CPU until listening"), ("whole", "CPU in all"))
"""Each ``Start`` field, and how the report names it."""


class Start(NamedTuple):
    """What one start cost: wall seconds until chatd listened, CPU seconds then, and CPU seconds in all."""

    wall: float
    cpu: float
    whole: float


def one_start(tree: str, options: list[str], bytecode: str) -> Start:
    """Start chatd from ``tree``, stop it with SIGTERM once it listens, and return what the start cost."""
    environment = dict(os.environ, PYTHONPATH=tree, PYTHONPYCACHEPREFIX=bytecode)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as folder:
        before, began = children_cpu_seconds(), time.monotonic()
        daemon = subprocess.Popen(
            [TWISTD, "-n", "--pidfile=", "chatd", *options],
            cwd=folder,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert daemon.stdout is not None
        wall = cpu = None
        try:
            for line in daemon.stdout:
                if LISTENING in line:
                    wall, cpu = time.monotonic() - began, cpu_seconds(daemon.pid)
                    break
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.communicate(timeout=30)
        if wall is None or cpu is None:
            raise SystemExit(f"chatd from {tree} exited without listening")
        return Start(wall, cpu, children_cpu_seconds() - before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="starts per tree")
    parser.add_argument("--tree", action="append", help="a chatd checkout (default: the current directory)")
    parser.add_argument("options", nargs="*", help="chatd's options, after --")
    arguments = parser.parse_args()
    trees = [os.path.abspath(tree) for tree in arguments.tree or ["."]]
    options = arguments.options or ["--port", "0", "--interface", "127.0.0.1"]
    starts: dict[str, list[Start]] = {tree: [] for tree in trees}
    with tempfile.TemporaryDirectory() as bytecode:
        caches = {tree: os.path.join(bytecode, str(number)) for number, tree in enumerate(trees)}
        for tree in trees:
            one_start(tree, options, caches[tree])
        for _ in range(arguments.runs):
            for tree in trees:
                starts[tree].append(one_start(tree, options, caches[tree]))
    first = starts[trees[0]]
    for tree, runs in starts.items():
        print(
            f"{tree} ({len(runs)} runs), median / lowest"
            + ("" if tree == trees[0] else ", median ratio to the first")
        )
        for measure, label in MEASURES:
            values = [getattr(run, measure) for run in runs]
            line = f"  {label}: {statistics.median(values):.3f} / {min(values):.3f} s"
            if tree != trees[0]:
                # Each start against the first tree's start just before it: the machine's load drifts less in between.
                ratios = [
                    getattr(run, measure) / getattr(before, measure)
                    for run, before in zip(runs, first, strict=True)
                ]
                line += f", {statistics.median(ratios):.3f}"
            print(line)


if __name__ == "__main__":
    main()
