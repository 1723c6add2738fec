"""Draw docs/perf-fanout.png from a results file: latency against load, one line per server.

Run with the bench's own venv, which has matplotlib (``bench/load.py``
does this itself after a run)::

    ~/.cache/chatd-bench/venv/bin/python bench/plot.py bench/out/results.json docs/perf-fanout.png

One panel per fan-out configuration; x is the delivery rate reached, y the
p99 latency (log scales), a solid marker for a step that passed and a
hollow one for a step that failed; the dashed line is the 100 ms limit.
"""

import json
import sys
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

STYLE = {
    "chatd": ("tab:blue", "o"),
    "ngircd": ("tab:orange", "s"),
    "miniircd": ("tab:green", "^"),
    "twisted.words": ("tab:red", "D"),
}
NAMES = {"chatd": "chatd", "ngircd": "ngIRCd", "miniircd": "miniircd", "twisted.words": "twisted.words"}
MORE_COLOURS = ("tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan")
"""For the other rows (``chatd@COMMIT``, a server named twice), in turn, so no two look alike."""


def panel(axes: Any, runs: list[dict[str, Any]], title: str) -> None:
    for number, run in enumerate(runs):
        colour, marker = STYLE.get(run["server"], (MORE_COLOURS[number % len(MORE_COLOURS)], "o"))
        steps = sorted(run["steps"], key=lambda s: s["deliveries_per_second"])
        xs = [max(1.0, s["deliveries_per_second"]) for s in steps]
        ys = [max(0.1, s["p99_ms"]) for s in steps]
        axes.plot(xs, ys, color=colour, label=NAMES.get(run["server"], run["server"]), linewidth=1.5)
        for x, y, step in zip(xs, ys, steps, strict=True):
            axes.plot(
                x,
                y,
                marker=marker,
                color=colour,
                markerfacecolor=colour if step["passed"] else "white",
                markersize=6,
            )
    axes.axhline(100, color="grey", linestyle="--", linewidth=1)
    axes.text(
        axes.get_xlim()[0] if axes.lines else 1,
        110,
        " 100 ms: a step fails above this",
        color="grey",
        fontsize=8,
    )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("deliveries per second (lines received by all clients)")
    axes.set_ylabel("p99 latency, ms (send to receipt)")
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="upper left")


def main() -> int:
    source, target = sys.argv[1], sys.argv[2]
    with open(source) as file:
        results = json.load(file)
    runs = results["fanout"]
    configs = sorted({(r["clients"], r["rooms"]) for r in runs}, reverse=True)
    figure, panels = plt.subplots(1, len(configs), figsize=(6.5 * len(configs), 5), squeeze=False)
    for axes, (clients, rooms) in zip(panels[0], configs, strict=True):
        group = [r for r in runs if (r["clients"], r["rooms"]) == (clients, rooms)]
        panel(
            axes,
            group,
            f"fan-out: {clients} clients in {rooms} room{'s' if rooms > 1 else ''} (hollow: failed)",
        )
    figure.suptitle(f"chatd and peers, one server CPU ({results['machine']['cpu_model']})", fontsize=11)
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())
