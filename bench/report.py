"""Results (as saved in JSON by ``bench/load.py``) -> the markdown for docs/PERFORMANCE.md.

Plain functions of plain data, so ``load.py report RESULTS.json`` can
render a saved run again without running anything.
"""

from typing import Any

PEERS = ("ngircd", "miniircd", "twisted.words")
NAMES = {"chatd": "chatd", "ngircd": "ngIRCd", "miniircd": "miniircd", "twisted.words": "twisted.words"}


def ratio(ours: float, theirs: float) -> str:
    if not theirs:
        return "-"
    return f"{ours / theirs:.2f}x"


def rate(value: float) -> str:
    return f"{value:,.0f}"


def generator_limited(run: dict[str, Any]) -> bool:
    """The ladder ended on the generator (or failed with the server short of a full CPU and the generator busy)."""
    last = run["steps"][-1] if run["steps"] else None
    busy = (
        last is not None and not last["passed"] and last["server_cpu"] < 0.95 and last["generator_cpu"] >= 0.6
    )
    return bool(run["generator_bound"]) or busy


def capacity_cell(run: dict[str, Any]) -> str:
    """A server's fan-out capacity, marked ≥ when the generator, not the server, may have set the limit."""
    if not run["capacity"]:
        return "none passed"
    # A ladder that ran out of steps with the last one passing found no limit.
    unbounded = not run["stopped"] and run["steps"] and run["steps"][-1]["passed"] and len(run["steps"]) > 1
    unbounded = unbounded and run["steps"][-2]["passed"]
    return ("≥ " if generator_limited(run) or unbounded else "") + rate(run["capacity"])


def why_stopped(run: dict[str, Any]) -> str:
    """Why a ladder ended: as it recorded, or, when the step half-way after a failure passed, that failure."""
    if run["stopped"]:
        return str(run["stopped"])
    failed = [step for step in run["steps"] if not step["passed"]]
    if failed:
        first = failed[0]
        return f"failed at {rate(first['deliveries_per_second'])}/s: {first['why']}; the step half-way passed"
    return "end of the ladder: no step failed"


def fanout_tables(runs: list[dict[str, Any]]) -> list[str]:
    """Per configuration: a summary with ratios, then every step."""
    out: list[str] = []
    configs = sorted({(r["clients"], r["rooms"]) for r in runs}, reverse=True)
    for clients, rooms in configs:
        group = {r["server"]: r for r in runs if (r["clients"], r["rooms"]) == (clients, rooms)}
        chatd = group.get("chatd")
        out += [
            f"#### {clients} clients in {rooms} room{'s' if rooms > 1 else ''} ({clients // rooms} per room at the start)",
            "",
            "| server | capacity (deliveries/s, p99 < 100 ms, none lost) | chatd / this | why the ladder stopped |",
            "|---|---|---|---|",
        ]
        for name, run in group.items():
            share = ratio(chatd["capacity"], run["capacity"]) if chatd and name != "chatd" else ""
            out.append(f"| {NAMES[name]} | {capacity_cell(run)} | {share} | {why_stopped(run)} |")
        out += [
            "",
            "| server | clients x lines/s each | deliveries/s | p50 / p99 / max ms | lost | server CPU | generator CPU | |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name, run in group.items():
            for step in run["steps"]:
                out.append(
                    f"| {NAMES[name]} | {step['clients']} x {step['rate']:.2f} | {rate(step['deliveries_per_second'])} | "
                    f"{step['p50_ms']:.1f} / {step['p99_ms']:.1f} / {step['max_ms']:.0f} | {step['lost']} | "
                    f"{step['server_cpu']:.0%} | {step['generator_cpu']:.0%} | "
                    f"{'pass' if step['passed'] else 'FAIL: ' + step['why']} |"
                )
        out.append("")
    return out


def idle_table(runs: list[dict[str, Any]]) -> list[str]:
    by_name = {r["server"]: r for r in runs}
    chatd = by_name.get("chatd")
    out = [
        "| server | in their rooms | registered/s | registered and in a room/s | KiB per connection (RSS before → after) | server CPU | chatd / this: KiB, registered/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, run in by_name.items():
        share = ""
        if chatd and name != "chatd":
            share = (
                f"{ratio(chatd['kib_per_connection'], run['kib_per_connection'])}, "
                f"{ratio(chatd['registered_per_second'], run['registered_per_second'])}"
            )
        note = ""
        if run["server_exit"] is not None:
            note = f"; **server exited ({run['server_exit']})** after {run['registered']} registered"
        elif run["failed"]:
            note = f"; failed: {run['failed']}"
        out.append(
            f"| {NAMES[name]} | {run['ready']} of {run['clients']}{note} | {rate(run['registered_per_second'])} | "
            f"{rate(run['ready_per_second'])} | {run['kib_per_connection']:.1f} "
            f"({run['rss_before_kib'] / 1024:.1f} → {run['rss_after_kib'] / 1024:.1f} MiB) | "
            f"{run['server_cpu']:.0%} | {share} |"
        )
    return out


def paster_cell(paster: dict[str, Any]) -> str:
    troubles = ", ".join(f"`{k}` x{v}" for k, v in paster["troubles"].items()) or "nothing"
    cut = "cut off by the server" if paster["closed_by"] in ("eof", "reset") else "still connected"
    return f"{troubles}; {cut}"


def burst_table(runs: list[dict[str, Any]]) -> list[str]:
    out = [
        "| server | chatters' p50 / p99 / max ms | chatters' lines lost | paste lines each member got | last paste line after | the paster got |",
        "|---|---|---|---|---|---|",
    ]
    for run in runs:
        seen = f"{run['paste_seen_min']}" + (
            f"-{run['paste_seen_max']}" if run["paste_seen_max"] != run["paste_seen_min"] else ""
        )
        out.append(
            f"| {NAMES[run['server']]} | {run['p50_ms']:.1f} / {run['p99_ms']:.1f} / {run['max_ms']:.0f} | "
            f"{run['lost']} of {run['expected']} | {seen} of {run['paste_lines']} | "
            f"{run['paste_last_seconds']:.1f} s | {paster_cell(run['paster'])} |"
        )
    return out


def around(runs: list[dict[str, Any]], deliveries: float) -> list[tuple[str, dict[str, Any]]]:
    """Per chatd run, its steps just below and just above ``deliveries``/s."""
    found = []
    for run in runs:
        if run["server"] != "chatd":
            continue
        steps = sorted(run["steps"], key=lambda s: s["deliveries_per_second"])
        below = [s for s in steps if s["deliveries_per_second"] <= deliveries][-1:]
        above = [s for s in steps if s["deliveries_per_second"] > deliveries][:1]
        found += [(f"{run['clients']} in {run['rooms']}", s) for s in below + above]
    return found


def targets_table(results: dict[str, Any]) -> list[str]:
    """The issue's targets against what was measured."""
    out = ["| target | measured | met |", "|---|---|---|"]
    for clients, rooms in sorted(
        {(r["clients"], r["rooms"]) for r in results.get("fanout", [])}, reverse=True
    ):
        group = {r["server"]: r for r in results["fanout"] if (r["clients"], r["rooms"]) == (clients, rooms)}
        if "chatd" not in group:
            continue
        ours = group["chatd"]["capacity"]
        best_peer = max((group[p]["capacity"] for p in ("ngircd", "miniircd") if p in group), default=0.0)
        words = group.get("twisted.words", {}).get("capacity", 0.0)
        label = f"{clients} in {rooms}"
        out.append(
            f"| fan-out capacity ≥ best of ngIRCd, miniircd ({label}) | {ratio(ours, best_peer)} "
            f"({rate(ours)} vs {rate(best_peer)}) | {'yes' if best_peer and ours >= best_peer else 'no'} |"
        )
        out.append(
            f"| fan-out capacity ≥ 10x twisted.words ({label}) | {ratio(ours, words)} "
            f"({rate(ours)} vs {rate(words)}) | {'yes' if words and ours >= 10 * words else 'no'} |"
        )
    for label, step in around(results.get("fanout", []), 100_000):
        out.append(
            f"| p99 < 10 ms at 100k deliveries/s ({label}) | {step['p99_ms']:.1f} ms at "
            f"{rate(step['deliveries_per_second'])}/s (server CPU {step['server_cpu']:.0%}) | "
            f"{'yes' if step['p99_ms'] < 10 else 'no'} |"
        )
    idle = {r["server"]: r for r in results.get("idle", [])}
    if "chatd" in idle and "ngircd" in idle:
        ours, theirs = idle["chatd"], idle["ngircd"]
        out.append(
            f"| memory per idle connection ≤ ngIRCd's | {ratio(ours['kib_per_connection'], theirs['kib_per_connection'])} "
            f"({ours['kib_per_connection']:.1f} vs {theirs['kib_per_connection']:.1f} KiB) | "
            f"{'yes' if ours['kib_per_connection'] <= theirs['kib_per_connection'] else 'no'} |"
        )
        out.append(
            f"| connections accepted and registered per second ≥ ngIRCd's | "
            f"{ratio(ours['registered_per_second'], theirs['registered_per_second'])} "
            f"({rate(ours['registered_per_second'])} vs {rate(theirs['registered_per_second'])}) | "
            f"{'yes' if ours['registered_per_second'] >= theirs['registered_per_second'] else 'no'} |"
        )
    return out


def markdown(results: dict[str, Any]) -> str:
    """The whole results section: machine, versions, command, then each workload's tables."""
    machine, versions = results["machine"], results["versions"]
    out = [
        f"Machine: {machine['cpus']} CPUs (`nproc`: {machine['nproc']}), {machine['cpu_model']}, "
        f"Linux {machine['kernel']}, Python {machine['python']}; {machine['pinning']}.",
        "",
        "Versions: " + "; ".join(versions.values()) + ".",
        "",
        f"Command: `{results['command']}` ({results['minutes']:.1f} minutes).",
        "",
    ]
    if results.get("chatd_capacity_args"):
        out += [
            f"chatd's fan-out runs add `{' '.join(results['chatd_capacity_args'])}`; every other setting is its default.",
            "",
        ]
    out += ["### Against the targets", "", *targets_table(results), ""]
    if results.get("fanout"):
        out += ["### Fan-out", "", *fanout_tables(results["fanout"])]
    if results.get("idle"):
        clients = results["idle"][0]["clients"]
        out += [f"### {clients} idle connections", "", *idle_table(results["idle"]), ""]
    if results.get("burst"):
        run = results["burst"][0]
        out += [
            f"### A paste of {run['paste_lines']} lines into a room of {run['chatters']} chatting",
            "",
            *burst_table(results["burst"]),
            "",
        ]
    return "\n".join(out)
