"""Profile a running chatd with Linux's perf: where its core goes, the kernel's part included.

py-spy charges a system call's time to the Python line that made it, so it
can say that sends take most of the core but not what in a send does.
``record`` runs ``perf record -e cpu-clock -g`` against the daemon's
process for a fixed time (kernel stacks need root, or
``kernel.perf_event_paranoid`` at 1 or below). ``summary`` reads the file
back through ``perf report`` and gives two markdown tables: the share of
each binary (the kernel, libpython, libc, SQLite), and the kernel's
functions by inclusive time, the system calls and what they go through.
"""

import re
import subprocess
from pathlib import Path

ROW = re.compile(r"^\s*(?P<share>[\d.]+)%\s+(?:(?P<own>[\d.]+)%\s+)?(?P<samples>\d+)\s+(?P<name>\S.*?)\s*$")
"""A row of ``perf report --stdio -n``: share, (with --children) self share, samples, then what it is."""

KERNEL = "[k] "


def record(perf: str, pid: int, seconds: float, out: Path, rate: int) -> "subprocess.Popen[bytes]":
    """Start sampling ``pid`` ``rate`` times a second for ``seconds`` into ``out``; the caller waits on it."""
    command = [
        perf, "record", "--quiet", "--event", "cpu-clock", "--freq", str(rate), "--call-graph", "fp",
        "--pid", str(pid), "--output", str(out), "--", "sleep", str(seconds),
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def report(perf: str, path: Path, *options: str) -> list[tuple[float, float | None, int, str]]:
    """``perf report``'s rows for ``path`` with ``options``: (share %, self share % or None, samples, name)."""
    done = subprocess.run(
        [
            perf,
            "report",
            "--input",
            str(path),
            "--stdio",
            "--show-nr-samples",
            "--call-graph",
            "none",
            *options,
        ],
        capture_output=True,
        check=True,
    )
    rows = []
    for line in done.stdout.decode(errors="replace").splitlines():
        found = ROW.match(line)
        if found is not None and not line.startswith("#"):
            own = found["own"]
            rows.append(
                (
                    float(found["share"]),
                    None if own is None else float(own),
                    int(found["samples"]),
                    found["name"],
                )
            )
    return rows


def summary(perf: str, path: Path, top: int = 30) -> str:
    """Markdown tables of where the samples in ``path`` fell: by binary, then the kernel's functions."""
    binaries = report(perf, path, "--no-children", "--sort", "dso")
    total = sum(samples for _, _, samples, _ in binaries)
    if not total:
        return "perf recorded no samples."
    out = [f"{total} samples.", "", "| share | binary |", "|---|---|"]
    out += [f"| {share:.1f}% | `{name}` |" for share, _, _, name in binaries if share >= 0.1]
    kernel = [row for row in report(perf, path, "--children", "--sort", "sym") if row[3].startswith(KERNEL)]
    out += ["", "| inclusive | self | kernel function |", "|---|---|---|"]
    out += [
        f"| {share:.1f}% | {own or 0:.1f}% | `{name[len(KERNEL) :]}` |"
        for share, own, _, name in kernel[:top]
    ]
    return "\n".join(out)
