"""Results (as saved in JSON by ``bench/load.py``) -> the markdown for docs/PERFORMANCE.md.

Plain functions of plain data, so ``load.py report RESULTS.json`` can
render a saved run again without running anything. A run may hold several
chatd rows (``chatd@COMMIT``, before and after a change): each is set
against ngIRCd, the yardstick measured in the same run.
"""

import re
from typing import Any

from servers import kind_of

SQLITE, MEMORY = "chatd sqlite", "chatd memory"
"""The labels of chatd with its SQLite store and with ``--db :memory:`` (``load.py store`` and ``restart``)."""
REPLAY_OFF = f"{SQLITE} --replay 0"
"""``load.py restart``'s SQLite runs with nothing shown again on joining: what the replay costs."""
BEFORE_STORE = "chatd before the store"
"""``load.py restart``'s daemon as it was before issue 13 gave it a store: "today" in the issue's words,
when a restart kept nothing, so nobody joining was shown anything again."""
LINE, WEB = "chatd line", "chatd web"
"""The labels of one chatd's line port and its web port (``load.py web``)."""
WEB_LATENCY_LOAD = 100_000.0
"""Deliveries a second at which the web port's p99 is held to ``WEB_P99_MS`` (issue 14)."""
WEB_P99_MS = 10.0
WEB_CAPACITY_SHARE = 0.5
"""The web port's fan-out capacity, at least this share of the line port's."""
WEB_MEMORY_SHARE = 2.0
"""An idle web socket's memory, at most this many times an idle line connection's."""
PEERS = ("ngircd", "miniircd", "twisted.words")
NAMES = {
    "chatd": "chatd",
    "chatd-irc": "chatd IRC",
    "ngircd": "ngIRCd",
    "miniircd": "miniircd",
    "twisted.words": "twisted.words",
}
IRC_OVER_NGIRCD = 2.0
"""Issue 15 point 7: chatd's IRC port's fan-out capacity, at least this many times ngIRCd's."""
IRC_OVER_MINIIRCD = 1.0
"""... and at least miniircd's."""
LINE_BEFORE = (
    "issue 7's run (`886c7e2`, a quiet machine): 1,191,790/s, 1.85x ngIRCd's 645,142; "
    "p99 13.2 ms at 100,000/s. Issue 14's runs (a busy machine): 309,578-641,948/s; p99 38-45 ms at 100,000/s"
)
"""The line port's figures as docs/PERFORMANCE.md last reported them, which ``irc``'s line row is set against."""
ROUND = re.compile(r" \((\d+)\)$")
"""The suffix of a server's label in rounds after the first: ``ngircd (2)``."""


def threads_share(share: float) -> str:
    """`` (N% in other threads)`` for a server whose threads beside its main one used ``share`` of a CPU; else nothing."""
    return f" ({share:.0%} in other threads)" if share >= 0.005 else ""


def server_cpu(step: dict[str, Any]) -> str:
    """A step's server CPU share, with the part in threads beside its main one (chatd's store), where it was measured."""
    return f"{step['server_cpu']:.0%}{threads_share(step.get('threads_cpu', 0.0))}"


def name(server: str) -> str:
    """A row's label as printed: ``ngircd (2)`` is ``ngIRCd (2)``, ``chatd@834abba`` itself."""
    kind = kind_of(server).name
    return NAMES[kind] + server[len(kind) :]


def is_chatd(server: str) -> bool:
    """A chatd row (its line port or its IRC port), plain or at a commit: the rows the targets are about."""
    return kind_of(server).name in ("chatd", "chatd-irc")


def round_of(server: str) -> int:
    """Which round (1, 2, ...) a label belongs to: ``ngircd (2)`` is round 2, ``ngircd`` round 1."""
    found = ROUND.search(server)
    return int(found.group(1)) if found else 1


def yardstick(group: dict[str, dict[str, Any]], server: str) -> dict[str, Any] | None:
    """The ngIRCd run ``server`` is set against: the one of its own round if there is one, else ngIRCd's."""
    found = ROUND.search(server)
    same_round = group.get("ngircd" + found.group(0)) if found else None
    return same_round or group.get("ngircd")


def about(server: str, detail: str = "") -> str:
    """A target's note in brackets: which chatd row (plain ``chatd`` goes unnamed) and ``detail``."""
    parts = [part for part in (server if server != "chatd" else "", detail) if part]
    return f" ({', '.join(parts)})" if parts else ""


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
    """Per configuration: a summary with each row's ratio to ngIRCd, then every step."""
    out: list[str] = []
    configs = sorted({(r["clients"], r["rooms"]) for r in runs}, reverse=True)
    for clients, rooms in configs:
        group = {r["server"]: r for r in runs if (r["clients"], r["rooms"]) == (clients, rooms)}
        out += [
            f"#### {clients} clients in {rooms} room{'s' if rooms > 1 else ''} ({clients // rooms} per room at the start)",
            "",
            "| server | capacity (deliveries/s, p99 < 100 ms, none lost) | this / ngIRCd | why the ladder stopped |",
            "|---|---|---|---|",
        ]
        for server, run in group.items():
            ngircd = yardstick(group, server)
            share = ratio(run["capacity"], ngircd["capacity"]) if ngircd and ngircd is not run else ""
            out.append(f"| {name(server)} | {capacity_cell(run)} | {share} | {why_stopped(run)} |")
        out += [
            "",
            "| server | clients x lines/s each | deliveries/s | p50 / p99 / max ms | lost | server CPU | generator CPU | |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for server, run in group.items():
            for step in run["steps"]:
                out.append(
                    f"| {name(server)} | {step['clients']} x {step['rate']:.2f} | {rate(step['deliveries_per_second'])} | "
                    f"{step['p50_ms']:.1f} / {step['p99_ms']:.1f} / {step['max_ms']:.0f} | {step['lost']} | "
                    f"{server_cpu(step)} | {step['generator_cpu']:.0%} | "
                    f"{'pass' if step['passed'] else 'FAIL: ' + step['why']} |"
                )
        out.append("")
    return out


def pairs(
    runs: list[dict[str, Any]], ours: str = SQLITE, theirs: str = MEMORY
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(run of configuration ``ours``, run of ``theirs``, :memory: by default) of each round, matched by
    label: ``chatd sqlite (2)`` with ``chatd memory (2)``."""
    by_label = {run["server"]: run for run in runs}
    return [
        (run, by_label[theirs + run["server"][len(ours) :]])
        for run in runs
        if run["server"].startswith(ours) and theirs + run["server"][len(ours) :] in by_label
    ]


def store_ratio(runs: list[dict[str, Any]]) -> tuple[float, float, float]:
    """(mean SQLite capacity, mean :memory: capacity, their ratio) over the rounds."""
    matched = pairs(runs)
    ours = sum(a["capacity"] for a, _ in matched) / max(1, len(matched))
    theirs = sum(b["capacity"] for _, b in matched) / max(1, len(matched))
    return ours, theirs, ours / theirs if theirs else 0.0


def store_tables(runs: list[dict[str, Any]]) -> list[str]:
    """Capacity with the SQLite store against ``--db :memory:`` per round, then server CPU at each load both passed."""
    out = [
        "| round | with SQLite (deliveries/s) | with --db :memory: | SQLite / :memory: |",
        "|---|---|---|---|",
    ]
    for n, (ours, theirs) in enumerate(pairs(runs), 1):
        out.append(
            f"| {n} | {capacity_cell(ours)} | {capacity_cell(theirs)} | {ratio(ours['capacity'], theirs['capacity'])} |"
        )
    mean_ours, mean_theirs, share = store_ratio(runs)
    out += [f"| mean | {rate(mean_ours)} | {rate(mean_theirs)} | {share:.2f}x |", ""]
    loads = sorted(
        set.intersection(*({s["target"] for s in run["steps"] if s["passed"]} for run in runs))
        if runs
        else set()
    )
    out += [
        "Server CPU at the same load (steps every run passed):",
        "",
        "| deliveries/s | " + " | ".join(name(run["server"]) for run in runs) + " |",
        "|---|" + "---|" * len(runs),
    ]
    for target in loads:
        cells = [next(server_cpu(s) for s in run["steps"] if s["target"] == target) for run in runs]
        out.append(f"| {rate(target)} | " + " | ".join(cells) + " |")
    return out


def restart_ratio(
    runs: list[dict[str, Any]], key: str, ours: str = SQLITE, theirs: str = MEMORY
) -> tuple[float, float, float]:
    """(mean ``key`` of configuration ``ours``, mean ``key`` of ``theirs``, their ratio) over ``load.py restart``'s
    rounds."""
    matched = pairs(runs, ours, theirs)
    mine = sum(a[key] for a, _ in matched) / max(1, len(matched))
    theirs = sum(b[key] for _, b in matched) / max(1, len(matched))
    return mine, theirs, mine / theirs if theirs else 0.0


def restart_table(runs: list[dict[str, Any]]) -> list[str]:
    """Each restart run: start-up time, registrations and joins a second, memory, CPU."""
    out = [
        "| run | start to listening | in their rooms | registered/s | registered and in a room/s | KiB per connection | server CPU |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        out.append(
            f"| {name(run['server'])} | {run['start_seconds']:.2f} s | {run['ready']} of {run['clients']} | "
            f"{rate(run['registered_per_second'])} | {rate(run['ready_per_second'])} | "
            f"{run['kib_per_connection']:.1f} | {run['server_cpu']:.0%} |"
        )
    compared = (
        (SQLITE, "SQLite", MEMORY, ":memory:"),
        (REPLAY_OFF, "SQLite --replay 0", MEMORY, ":memory:"),
        (SQLITE, "SQLite", BEFORE_STORE, "before the store"),
    )
    for label, configuration, other, shown in compared:
        for key, what in (("registered_per_second", "registered/s"), ("ready_per_second", "in a room/s")):
            if pairs(runs, label, other):
                ours, theirs, share = restart_ratio(runs, key, label, other)
                out.append(
                    f"| mean, {configuration} / {shown} | | | {what}: {rate(ours)} / {rate(theirs)} = {share:.2f}x | | | |"
                )
    return out


def idle_table(runs: list[dict[str, Any]]) -> list[str]:
    by_name = {r["server"]: r for r in runs}
    ngircd = by_name.get("ngircd")
    out = [
        "| server | in their rooms | registered/s | registered and in a room/s | KiB per connection (RSS before → after) | server CPU | this / ngIRCd: KiB, registered/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for server, run in by_name.items():
        share = ""
        if ngircd and server != "ngircd":
            share = (
                f"{ratio(run['kib_per_connection'], ngircd['kib_per_connection'])}, "
                f"{ratio(run['registered_per_second'], ngircd['registered_per_second'])}"
            )
        note = ""
        if run["server_exit"] is not None:
            note = f"; **server exited ({run['server_exit']})** after {run['registered']} registered"
        elif run["failed"]:
            note = f"; failed: {run['failed']}"
        out.append(
            f"| {name(server)} | {run['ready']} of {run['clients']}{note} | {rate(run['registered_per_second'])} | "
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
            f"| {name(run['server'])} | {run['p50_ms']:.1f} / {run['p99_ms']:.1f} / {run['max_ms']:.0f} | "
            f"{run['lost']} of {run['expected']} | {seen} of {run['paste_lines']} | "
            f"{run['paste_last_seconds']:.1f} s | {paster_cell(run['paster'])} |"
        )
    return out


def around(runs: list[dict[str, Any]], deliveries: float) -> list[tuple[str, dict[str, Any]]]:
    """Per chatd run, its steps just below and just above ``deliveries``/s, with a note for the target."""
    found = []
    for run in runs:
        if not is_chatd(run["server"]):
            continue
        steps = sorted(run["steps"], key=lambda s: s["deliveries_per_second"])
        below = [s for s in steps if s["deliveries_per_second"] <= deliveries][-1:]
        above = [s for s in steps if s["deliveries_per_second"] > deliveries][:1]
        found += [(about(run["server"], f"{run['clients']} in {run['rooms']}"), s) for s in below + above]
    return found


def capacity_targets(group: dict[str, dict[str, Any]], server: str, shape: str) -> list[str]:
    """The fan-out targets for chatd row ``server`` among ``group``, one configuration's runs."""
    ours = group[server]["capacity"]
    best_peer = max((group[p]["capacity"] for p in ("ngircd", "miniircd") if p in group), default=0.0)
    words = group.get("twisted.words", {}).get("capacity", 0.0)
    return [
        f"| fan-out capacity ≥ best of ngIRCd, miniircd{about(server, shape)} | {ratio(ours, best_peer)} "
        f"({rate(ours)} vs {rate(best_peer)}) | {'yes' if best_peer and ours >= best_peer else 'no'} |",
        f"| fan-out capacity ≥ 10x twisted.words{about(server, shape)} | {ratio(ours, words)} "
        f"({rate(ours)} vs {rate(words)}) | {'yes' if words and ours >= 10 * words else 'no'} |",
    ]


def idle_targets(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """The idle-connection targets for chatd run ``ours`` against ngIRCd's, ``theirs``."""
    kib, their_kib = ours["kib_per_connection"], theirs["kib_per_connection"]
    speed, their_speed = ours["registered_per_second"], theirs["registered_per_second"]
    return [
        f"| memory per idle connection ≤ ngIRCd's{about(ours['server'])} | {ratio(kib, their_kib)} "
        f"({kib:.1f} vs {their_kib:.1f} KiB) | {'yes' if kib <= their_kib else 'no'} |",
        f"| connections accepted and registered per second ≥ ngIRCd's{about(ours['server'])} | "
        f"{ratio(speed, their_speed)} ({rate(speed)} vs {rate(their_speed)}) | "
        f"{'yes' if speed >= their_speed else 'no'} |",
    ]


def targets_table(results: dict[str, Any]) -> list[str]:
    """The issue's targets against what was measured, for each chatd row."""
    out = ["| target | measured | met |", "|---|---|---|"]
    for clients, rooms in sorted(
        {(r["clients"], r["rooms"]) for r in results.get("fanout", [])}, reverse=True
    ):
        group = {r["server"]: r for r in results["fanout"] if (r["clients"], r["rooms"]) == (clients, rooms)}
        if "irc_latency" not in results and not all(map(is_chatd, group)):
            for server in filter(is_chatd, group):
                out += capacity_targets(group, server, f"{clients} in {rooms}")
    # A run of chatd against itself (SQLite and :memory:, web and line) is about their ratio, not issue 7's
    # latency target (``web_targets`` holds the web port's).
    against_itself = pairs(results.get("fanout", [])) or pairs(results.get("fanout", []), WEB, LINE)
    latency_runs = [] if against_itself or "irc_latency" in results else results.get("fanout", [])
    for note, step in around(latency_runs, 100_000):
        out.append(
            f"| p99 < 10 ms at 100k deliveries/s{note} | {step['p99_ms']:.1f} ms at "
            f"{rate(step['deliveries_per_second'])}/s (server CPU {step['server_cpu']:.0%}) | "
            f"{'yes' if step['p99_ms'] < 10 else 'no'} |"
        )
    if pairs(results.get("fanout", [])):
        ours, theirs, share = store_ratio(results["fanout"])
        out.append(
            f"| fan-out capacity with SQLite ≥ 90% of --db :memory: (mean of {len(pairs(results['fanout']))} rounds) | "
            f"{share:.2f}x ({rate(ours)} vs {rate(theirs)}) | {'yes' if share >= 0.9 else 'no'} |"
        )
    if pairs(results.get("restart", [])):
        ours, theirs, share = restart_ratio(results["restart"], "registered_per_second")
        out.append(
            f"| registering after a restart on a full --db no slower than --db :memory: | "
            f"{share:.2f}x ({rate(ours)} vs {rate(theirs)} a second) | {'yes' if share >= 1 else 'no'} |"
        )
    out += web_targets(results)
    out += irc_targets(results)
    idle = {r["server"]: r for r in results.get("idle", [])}
    if "ngircd" in idle:
        for server in filter(is_chatd, idle):
            out += idle_targets(idle[server], idle["ngircd"])
    return out


def step_at(run: dict[str, Any], target: float) -> dict[str, Any] | None:
    """The step of ``run``'s ladder at ``target`` deliveries a second, if it climbed that far."""
    return next((step for step in run["steps"] if step["target"] == target), None)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def web_targets(results: dict[str, Any]) -> list[str]:
    """Issue 14's targets for the web port against the line port of the same daemon, round by round."""
    out: list[str] = []
    fanout = pairs(results.get("fanout", []), WEB, LINE)
    if fanout:
        shares = [ratio(web["capacity"], line["capacity"]) for web, line in fanout]
        web_mean = mean([web["capacity"] for web, _ in fanout])
        line_mean = mean([line["capacity"] for _, line in fanout])
        share = web_mean / line_mean if line_mean else 0.0
        out.append(
            f"| fan-out capacity of the web port ≥ {WEB_CAPACITY_SHARE}x the line port's "
            f"({fanout[0][0]['clients']} clients in {fanout[0][0]['rooms']} rooms) | rounds {', '.join(shares)}; "
            f"mean {share:.2f}x ({rate(web_mean)} vs {rate(line_mean)}) | "
            f"{'yes' if share >= WEB_CAPACITY_SHARE else 'no'} |"
        )
        for n, (web, line) in enumerate(fanout, 1):
            ours, theirs = step_at(web, WEB_LATENCY_LOAD), step_at(line, WEB_LATENCY_LOAD)
            if ours is None:
                continue
            beside = "" if theirs is None else f"; the line port {theirs['p99_ms']:.1f} ms"
            out.append(
                f"| p99 < {WEB_P99_MS:g} ms at {rate(WEB_LATENCY_LOAD)} deliveries/s over the web port (round {n}) | "
                f"{ours['p99_ms']:.1f} ms at {rate(ours['deliveries_per_second'])}/s, server CPU "
                f"{ours['server_cpu']:.0%}{beside} | {'yes' if ours['p99_ms'] < WEB_P99_MS and ours['passed'] else 'no'} |"
            )
    idle = pairs(results.get("idle", []), WEB, LINE)
    if idle:
        shares = [ratio(web["kib_per_connection"], line["kib_per_connection"]) for web, line in idle]
        web_kib = mean([web["kib_per_connection"] for web, _ in idle])
        line_kib = mean([line["kib_per_connection"] for _, line in idle])
        share = web_kib / line_kib if line_kib else 0.0
        out.append(
            f"| memory per idle web socket ≤ {WEB_MEMORY_SHARE:g}x an idle line connection's "
            f"({idle[0][0]['clients']} of each) | rounds {', '.join(shares)}; mean {share:.2f}x "
            f"({web_kib:.1f} vs {line_kib:.1f} KiB) | {'yes' if share and share <= WEB_MEMORY_SHARE else 'no'} |"
        )
    return out


def web_tables(results: dict[str, Any]) -> list[str]:
    """The line port against the web port, round by round: capacity, the step at 100,000/s, idle memory."""
    out = [
        "| round | line port (deliveries/s) | web port | web / line |",
        "|---|---|---|---|",
    ]
    for n, (web, line) in enumerate(pairs(results.get("fanout", []), WEB, LINE), 1):
        out.append(
            f"| {n} | {capacity_cell(line)} | {capacity_cell(web)} | {ratio(web['capacity'], line['capacity'])} |"
        )
    out += [
        "",
        f"At {rate(WEB_LATENCY_LOAD)} deliveries/s (the ladder's step there):",
        "",
        "| round | port | clients x lines/s each | deliveries/s | p50 / p99 / max ms | lost | server CPU | generator CPU |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, pair in enumerate(pairs(results.get("fanout", []), WEB, LINE), 1):
        for port, run in zip(("web", "line"), pair, strict=True):
            step = step_at(run, WEB_LATENCY_LOAD)
            if step is None:
                continue
            out.append(
                f"| {n} | {port} | {step['clients']} x {step['rate']:.2f} | {rate(step['deliveries_per_second'])} | "
                f"{step['p50_ms']:.1f} / {step['p99_ms']:.1f} / {step['max_ms']:.0f} | {step['lost']} | "
                f"{server_cpu(step)} | {step['generator_cpu']:.0%} |"
            )
    idle = pairs(results.get("idle", []), WEB, LINE)
    if idle:
        out += [
            "",
            "Memory per idle connection (the daemon's RSS growth while each kind came in, "
            "named and in its room; the kind measured first is listed first):",
            "",
            *idle_table(results["idle"]),
        ]
    return out


def base(server: str) -> str:
    """A label without its round: ``chatd@8467811 (2)`` is ``chatd@8467811``."""
    return ROUND.sub("", server)


def by_round(runs: list[dict[str, Any]], label: str) -> dict[int, dict[str, Any]]:
    """Per round, the run of server ``label`` (a label of round 1: ``ngircd``, ``chatd@8467811``)."""
    return {round_of(run["server"]): run for run in runs if base(run["server"]) == label}


def held(results: dict[str, Any], label: str) -> dict[int, dict[str, Any]]:
    """Per round, the step ``irc`` held server ``label`` at (``irc_latency``)."""
    return {
        round_of(entry["server"]): entry["step"]
        for entry in results.get("irc_latency", [])
        if base(entry["server"]) == label
    }


def irc_labels(runs: list[dict[str, Any]]) -> tuple[list[str], str | None, list[str]]:
    """``irc``'s servers in ``--servers`` order (round 1's labels), its chatd IRC row, its chatd line rows."""
    labels = list(dict.fromkeys(base(run["server"]) for run in runs))
    ircs = [label for label in labels if kind_of(label).name == "chatd-irc"]
    lines = [label for label in labels if kind_of(label).name == "chatd"]
    return labels, ircs[0] if ircs else None, lines


def capacity_rounds(ours: dict[int, dict[str, Any]], theirs: dict[int, dict[str, Any]]) -> tuple[str, float]:
    """Round by round, ``ours`` capacity against ``theirs`` and the ratio, then the means'; and that mean ratio."""
    rounds = [n for n in sorted(ours) if n in theirs]
    cells = [
        f"round {n}: {rate(ours[n]['capacity'])} vs {rate(theirs[n]['capacity'])} "
        f"({ratio(ours[n]['capacity'], theirs[n]['capacity'])})"
        for n in rounds
    ]
    mine = mean([ours[n]["capacity"] for n in rounds])
    their = mean([theirs[n]["capacity"] for n in rounds])
    share = mine / their if their else 0.0
    return "; ".join(cells) + f"; mean {rate(mine)} vs {rate(their)} (**{share:.2f}x**)", share


def irc_targets(results: dict[str, Any]) -> list[str]:
    """Issue 15 point 7: chatd's IRC port against ngIRCd, miniircd and twisted.words, and its line port."""
    if "irc_latency" not in results:
        return []
    runs = results.get("fanout", [])
    _, irc_label, lines = irc_labels(runs)
    if irc_label is None:
        return []
    irc = by_round(runs, irc_label)
    load = rate(results.get("latency_load", WEB_LATENCY_LOAD))
    out = []
    for peer, times in (("ngircd", IRC_OVER_NGIRCD), ("miniircd", IRC_OVER_MINIIRCD)):
        theirs = by_round(runs, peer)
        if not theirs:
            continue
        cells, share = capacity_rounds(irc, theirs)
        every = all(irc[n]["capacity"] >= times * theirs[n]["capacity"] for n in irc if n in theirs)
        met = "yes" if share >= times else "no"
        if share >= times and not every:
            met += ", not in every round"
        out.append(
            f"| {name(irc_label)} fan-out ≥ {times:g}x {NAMES[peer]}'s "
            f"({irc[1]['clients']} clients in {irc[1]['rooms']} rooms) | {cells} | {met} |"
        )
    ours = held(results, irc_label)
    for peer in PEERS:
        theirs = held(results, peer)
        rounds = [n for n in sorted(ours) if n in theirs]
        if not rounds:
            continue
        cells = [f"round {n}: {ours[n]['p99_ms']:.1f} vs {theirs[n]['p99_ms']:.1f} ms" for n in rounds]
        under = [ours[n]["p99_ms"] < theirs[n]["p99_ms"] for n in rounds]
        met = "yes" if all(under) else "no" if not any(under) else "in some rounds only"
        out.append(
            f"| {name(irc_label)} p99 at {load} deliveries/s under {NAMES[peer]}'s | {'; '.join(cells)} | {met} |"
        )
    ngircd = by_round(runs, "ngircd")
    for label in lines:
        line, line_held = by_round(runs, label), held(results, label)
        cells = ", ".join(rate(line[n]["capacity"]) for n in sorted(line))
        shares = ", ".join(
            ratio(line[n]["capacity"], ngircd[n]["capacity"]) for n in sorted(line) if n in ngircd
        )
        p99 = ", ".join(f"{line_held[n]['p99_ms']:.1f}" for n in sorted(line_held))
        out.append(
            f"| {name(label)}'s line port: figures unchanged | this run: {cells}/s ({shares} of ngIRCd's), "
            f"p99 {p99} ms at {load}/s | see the text |"
        )
    if lines:
        out.append(f"| the line port before | {LINE_BEFORE} | |")
    return out


def irc_tables(results: dict[str, Any]) -> list[str]:
    """``irc``'s capacities round by round, then the step each server was held at."""
    runs = results.get("fanout", [])
    labels, irc_label, _ = irc_labels(runs)
    rounds = sorted({round_of(run["server"]) for run in runs})
    irc_mean = mean([run["capacity"] for run in by_round(runs, irc_label or "").values()])
    out = [
        "| server | " + " | ".join(f"round {n}" for n in rounds) + " | mean | chatd IRC / this (means) |",
        "|---|" + "---|" * (len(rounds) + 2),
    ]
    for label in labels:
        found = by_round(runs, label)
        average = mean([run["capacity"] for run in found.values()])
        cells = [capacity_cell(found[n]) if n in found else "" for n in rounds]
        share = "" if label == irc_label else ratio(irc_mean, average)
        out.append(f"| {name(label)} | " + " | ".join(cells) + f" | {rate(average)} | {share} |")
    load = rate(results.get("latency_load", WEB_LATENCY_LOAD))
    out += [
        "",
        f"Held at {load} deliveries/s, before the ladders (one step each, in the round's order):",
        "",
        "| round | server | clients x lines/s each | deliveries/s | p50 / p99 / max ms | lost | server CPU | generator CPU | |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for entry in results.get("irc_latency", []):
        step = entry["step"]
        out.append(
            f"| {round_of(entry['server'])} | {name(base(entry['server']))} | {step['clients']} x {step['rate']:.2f} | "
            f"{rate(step['deliveries_per_second'])} | {step['p50_ms']:.1f} / {step['p99_ms']:.1f} / {step['max_ms']:.0f} | "
            f"{step['lost']} | {server_cpu(step)} | {step['generator_cpu']:.0%} | "
            f"{'pass' if step['passed'] else 'FAIL: ' + step['why']} |"
        )
    return out


STORM_SECONDS = 5.0
"""Issue 18 point 2: 10,000 clients into the default room in under this."""
FLAT_COST = 1.5
"""Server CPU per arrival in the storm's last tenth over its first: at most this counts as flat
(not growing with the number online); a cost that grows with it is many times this at 10,000."""
HOLD_P99_MS = {100_000.0: 5.0, 200_000.0: 10.0}
"""Issue 18 point 4: p99 under these at those deliveries a second (1000 clients in 10 rooms)."""


def weighed(run: dict[str, Any]) -> bool:
    """A storm whose server was weighed idle: it kept running and held some clients."""
    return bool(run["ready"]) and run["server_exit"] is None


def memory_ratio(run: dict[str, Any], theirs: dict[str, Any] | None) -> str:
    """``run``'s memory per idle connection over ``theirs``; starred where the peer held fewer than all."""
    if not theirs or theirs is run or not weighed(theirs):
        return "-"
    star = "" if theirs["ready"] == theirs["clients"] else "*"
    return ratio(run["kib_per_connection"], theirs["kib_per_connection"]) + star


def storm_table(runs: list[dict[str, Any]]) -> list[str]:
    """One row per server and round: the storm, and then memory per idle connection, set against the peers."""
    peers = {r["server"]: r for r in runs if not is_chatd(r["server"])}
    out = [
        "| server | in #lobby | storm (first connect → last in) | registered/s | in #lobby/s | server / generator CPU "
        "| arrivals/s, first → last tenth (ratio) | server CPU ms per arrival, first → last tenth (growth) "
        "| lines (MiB) the server sent | SYNs dropped | KiB per idle connection (RSS before → after) | KiB / ngIRCd's, miniircd's |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        server = run["server"]
        found = ROUND.search(server)
        suffix = found.group(0) if found else ""
        shares = []
        for peer in ("ngircd", "miniircd"):
            theirs = peers.get(peer + suffix) or peers.get(peer)
            shares.append(memory_ratio(run, theirs))
        note = ""
        if run["server_exit"] is not None:
            note = f"; **server exited ({run['server_exit']})** after {run['registered']} registered"
        elif run["failed"]:
            note = f"; failed: {run['failed']}"
        first, last = (run["tenths"][0], run["tenths"][-1]) if run["tenths"] else ({}, {})
        pace = (
            f"{rate(first['per_second'])} → {rate(last['per_second'])} ({run['first_over_last']:.1f}x)"
            if first
            else "-"
        )
        cost = (
            f"{first['cpu_ms_per_arrival']:.2f} → {last['cpu_ms_per_arrival']:.2f} ({run['cost_growth']:.1f}x)"
            if first
            else "-"
        )
        memory = (
            f"{run['kib_per_connection']:.2f} ({run['rss_before_kib'] / 1024:.1f} → {run['rss_after_kib'] / 1024:.1f} MiB)"
            if run["ready"] and run["server_exit"] is None
            else "-"
        )
        out.append(
            f"| {name(server)} | {run['ready']} of {run['clients']}{note} | {run['seconds']:.1f} s | "
            f"{rate(run['registered_per_second'])} | {rate(run['ready_per_second'])} | {run['server_cpu']:.0%} / {run.get('generator_cpu', 0):.0%} | "
            f"{pace} | {cost} | {rate(run['lines_sent'])} ({run['bytes_sent'] / 2**20:,.0f}) | {run.get('listen_drops', '-')} | {memory} | "
            f"{', '.join(shares) if is_chatd(server) else ''} |"
        )
    return out


def storm_tenths(runs: list[dict[str, Any]]) -> list[str]:
    """Arrivals a second in each tenth of each storm: how the pace falls as the room fills."""
    out = [
        "| server | " + " | ".join(f"{10 * k + 1}-{10 * k + 10}%" for k in range(10)) + " |",
        "|---|" + "---|" * 10,
    ]
    for run in runs:
        if run["tenths"]:
            out.append(
                f"| {name(run['server'])} | "
                + " | ".join(rate(t["per_second"]) for t in run["tenths"])
                + " |"
            )
    return out


def storm_targets(runs: list[dict[str, Any]]) -> list[str]:
    """Issue 18's storm and memory targets, for each chatd storm."""
    out = []
    peers = {r["server"]: r for r in runs if not is_chatd(r["server"])}
    for run in runs:
        server = run["server"]
        if not is_chatd(server):
            continue
        whole = run["ready"] == run["clients"]
        out.append(
            f"| {run['clients']:,} into #lobby in under {STORM_SECONDS:g} s{about(server)} | {run['seconds']:.1f} s "
            f"({rate(run['ready_per_second'])}/s, server CPU {run['server_cpu']:.0%}) | "
            f"{'yes' if whole and run['seconds'] < STORM_SECONDS else 'no'} |"
        )
        out.append(
            f"| cost per arrival flat (last tenth ≤ {FLAT_COST:g}x the first){about(server)} | "
            f"{run['cost_growth']:.1f}x CPU per arrival, {run['first_over_last']:.1f}x slower arrivals | "
            f"{'yes' if run['cost_growth'] <= FLAT_COST else 'no'} |"
        )
        theirs = yardstick(peers, server)
        if theirs and weighed(theirs):
            held = "" if theirs["ready"] == theirs["clients"] else f", ngIRCd holding {theirs['ready']:,}"
            out.append(
                f"| memory per idle connection in #lobby ≤ ngIRCd's{about(server)} | "
                f"{run['kib_per_connection']:.2f} vs {theirs['kib_per_connection']:.2f} KiB "
                f"({memory_ratio(run, theirs)}{held}) | "
                f"{'yes' if run['kib_per_connection'] <= theirs['kib_per_connection'] else 'no'} |"
            )
    return out


def settled(step: dict[str, Any]) -> str:
    """A step's p99 after its first second, in ms; blank for results saved before it was measured."""
    return f"{step['p99_settled_ms']:.1f}" if "p99_settled_ms" in step else ""


def hold_table(held: list[dict[str, Any]]) -> list[str]:
    """One row per server, load and round; chatd's p99 over ngIRCd's at the same load in the same round."""
    ngircd = {
        (round_of(e["server"]), e["load"]): e["step"] for e in held if kind_of(e["server"]).name == "ngircd"
    }
    out = [
        "| server | load held | delivered/s | p50 / p99 / max ms | p99 after the first second | lost | server CPU "
        "| generator CPU | p99 target | p99 / ngIRCd's |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for entry in held:
        step, load = entry["step"], entry["load"]
        theirs = ngircd.get((round_of(entry["server"]), load))
        share = ratio(step["p99_ms"], theirs["p99_ms"]) if theirs and is_chatd(entry["server"]) else ""
        limit = HOLD_P99_MS.get(load)
        target = ""
        if limit is not None and is_chatd(entry["server"]):
            target = f"< {limit:g} ms: {'yes' if step['p99_ms'] < limit and not step['lost'] else 'no'}"
        out.append(
            f"| {name(entry['server'])} | {rate(load)}/s ({step['clients']} clients x {step['rate']:.2f}/s) | "
            f"{rate(step['deliveries_per_second'])} | {step['p50_ms']:.1f} / {step['p99_ms']:.1f} / {step['max_ms']:.0f} | "
            f"{settled(step)} | {step['lost']} | {server_cpu(step)} | {step['generator_cpu']:.0%} | {target} | {share} |"
        )
    return out


def markdown(results: dict[str, Any]) -> str:
    """The whole results section: machine, versions, command, then each workload's tables."""
    machine, versions = results["machine"], results["versions"]
    out = [
        f"Machine: {machine['cpus']} CPUs (`nproc`: {machine['nproc']}), {machine['cpu_model']}, "
        f"Linux {machine['kernel']}, Python {machine['python']}; {machine['pinning']}.",
        "",
        # Dict keys: a commit measured twice is named once.
        "Versions: " + "; ".join(dict.fromkeys(versions.values())) + ".",
        "",
        f"Command: `{results['command']}` ({results['minutes']:.1f} minutes).",
        "",
    ]
    if results.get("chatd_capacity_args"):
        out += [
            f"chatd's fan-out runs add `{' '.join(results['chatd_capacity_args'])}`; every other setting is its default.",
            "",
        ]
    if results.get("storm") or results.get("hold"):
        return "\n".join(out + issue18_sections(results))
    out += ["### Against the targets", "", *targets_table(results), ""]
    if pairs(results.get("fanout", [])):
        out += [
            "### Fan-out with the SQLite store and with --db :memory:",
            "",
            *store_tables(results["fanout"]),
            "",
        ]
    if pairs(results.get("fanout", []), WEB, LINE):
        out += ["### The line port and the web port of one daemon", "", *web_tables(results), ""]
    if results.get("irc_latency"):
        out += ["### chatd's IRC port, its line port and the IRC servers", "", *irc_tables(results), ""]
    if results.get("fanout"):
        out += ["### Fan-out", "", *fanout_tables(results["fanout"])]
    if results.get("restart"):
        database = results["restart_database"]
        out += [
            f"### {results['restart'][0]['clients']} clients registering after a restart "
            f"(SQLite: a file holding {rate(database['lines'])} lines and {database['bans']} bans)",
            "",
            *restart_table(results["restart"]),
            "",
        ]
    if results.get("idle") and not pairs(results["idle"], WEB, LINE):
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


def issue18_sections(results: dict[str, Any]) -> list[str]:
    """``load.py storm`` and ``hold``'s tables (issue 18): the targets, then what was measured."""
    out = ["#### Against the targets", "", "| target | measured | met |", "|---|---|---|"]
    out += storm_targets(results.get("storm", []))
    for entry in results.get("hold", []):
        limit = HOLD_P99_MS.get(entry["load"])
        if limit is not None and is_chatd(entry["server"]):
            step = entry["step"]
            out.append(
                f"| p99 < {limit:g} ms at {rate(entry['load'])} deliveries/s{about(entry['server'])} | "
                f"{step['p99_ms']:.1f} ms at {rate(step['deliveries_per_second'])}/s, lost {step['lost']} | "
                f"{'yes' if step['p99_ms'] < limit and not step['lost'] else 'no'} |"
            )
    out.append("")
    if results.get("storm"):
        runs = results["storm"]
        out += [
            f"#### The storm: {runs[0]['clients']:,} clients into #lobby, {runs[0]['window']} at a time",
            "",
        ]
        out += [
            *storm_table(runs),
            "",
            "Arrivals a second in each tenth of the storm:",
            "",
            *storm_tenths(runs),
            "",
        ]
    if results.get("hold"):
        out += ["#### Held at fixed loads", "", *hold_table(results["hold"]), ""]
    return out
