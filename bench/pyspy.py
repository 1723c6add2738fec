"""Profile a running chatd with py-spy, and boil the samples down to where the time goes.

``record`` runs ``py-spy record --format raw`` (collapsed stacks, one line
per distinct stack with its sample count; flamegraph.pl and speedscope
read it) against a process for a fixed time. ``summary`` reads that file
and gives three markdown tables: functions by self time (the frame on top
of the stack), functions by inclusive time (anywhere on the stack), and
self time by source area (chatd, Twisted, the standard library).
"""

import re
import subprocess
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*)\)$")
AREAS = (
    ("chatd/", "chatd"),
    ("twisted/", "Twisted"),
    ("zope/", "zope.interface"),
    ("python3.", "Python standard library"),
)


def record(
    py_spy: Path, pid: int, seconds: float, out: Path, rate: int = 200, gil: bool = False
) -> subprocess.Popen[bytes]:
    """Start sampling ``pid`` for ``seconds`` into ``out``; the caller waits on the process.

    ``--nonblocking`` reads the stacks without pausing chatd, so the
    latencies measured meanwhile are chatd's own. ``gil``: only the thread
    holding the GIL is sampled (otherwise every thread is, the search
    indexer's too, and one waiting for the GIL where it waits), so the
    shares are of the Python work done and two runs' counts compare.
    """
    command = [
        str(py_spy), "record", "--pid", str(pid), "--duration", str(round(seconds)), "--rate", str(rate),
        "--format", "raw", "--nolineno", "--nonblocking", "--output", str(out), *(["--gil"] if gil else []),
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def short(frame: str) -> str:
    """``name (path/to/site-packages/twisted/x.py)`` -> ``twisted/x.py: name``."""
    found = FRAME.match(frame)
    if found is None:
        return frame
    path = found["file"]
    if "/chatd/" in path:
        # The work tree or a copy of a commit: either way, from the package on.
        path = "chatd/" + path.rsplit("/chatd/", 1)[1]
    for marker in ("site-packages/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{path}: {found['function']}"


def area(frame: str) -> str:
    for marker, name in AREAS:
        if marker in frame:
            return name
    return "other"


def load(path: Path) -> tuple[Counter[str], Counter[str], Counter[str], int]:
    """(self samples by function, inclusive samples by function, self samples by area, all samples)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    total = 0
    for row in path.read_text().splitlines():
        stack, _, count_text = row.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        # The first frame names the process or thread; the last is on top.
        frames = [f for f in frames if "(" in f] or frames
        total += count
        own[short(frames[-1])] += count
        areas[area(frames[-1])] += count
        for name in {short(f) for f in frames}:
            inclusive[name] += count
    return own, inclusive, areas, total


def summary(path: Path, top: int = 15) -> str:
    """Markdown tables of where the samples in ``path`` fell."""
    own, inclusive, areas, total = load(path)
    if not total:
        return "py-spy recorded no samples."
    out = [f"{total} samples.", "", "| self time | function |", "|---|---|"]
    out += [f"| {n / total:.1%} | `{name}` |" for name, n in own.most_common(top)]
    out += ["", "| inclusive time | function |", "|---|---|"]
    out += [f"| {n / total:.1%} | `{name}` |" for name, n in inclusive.most_common(top + 10)]
    out += ["", "| self time | area |", "|---|---|"]
    out += [f"| {n / total:.1%} | {name} |" for name, n in areas.most_common()]
    return "\n".join(out)
