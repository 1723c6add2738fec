"""The parent's side of the generator processes: start them, split clients, run steps.

A ``Fleet`` owns one ``worker.Generator`` process per generator CPU, all
speaking one dialect to one server. It hands each new client to a process
in turn, so every process holds members of every room, and it turns the
per-room counts of what was sent into how many chat lines each process
should receive, so each can wait for exactly its own.
"""

import contextlib
import multiprocessing
import os
import time
from collections import Counter
from multiprocessing.connection import Connection, wait
from typing import Any

import worker
from servers import BenchError
from worker import ClientSpec

REPLY_GRACE_SECONDS = 30.0
"""How long past its own deadline a generator may take to answer before it counts as hung."""


class Fleet:
    """Generator processes pinned to ``cpus``, clients of ``address`` speaking ``dialect``."""

    def __init__(
        self, dialect: str, echoes: bool, address: tuple[str, int], cpus: list[int], workers: int
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self.echoes = echoes
        self.pipes: list[Connection] = []
        self.processes: list[multiprocessing.process.BaseProcess] = []
        self.rooms: list[Counter[int]] = []
        """Clients in each room, per process."""
        self.assigned = 0
        for _ in range(workers):
            mine, theirs = context.Pipe()
            process = context.Process(
                target=worker.main, args=(theirs, dialect, address, set(cpus), 65536), daemon=True
            )
            process.start()
            theirs.close()
            self.pipes.append(mine)
            self.processes.append(process)
            self.rooms.append(Counter())

    def cpu_seconds(self) -> float:
        """CPU used so far by the generator processes (from /proc; they are our children)."""
        total = 0.0
        for process in self.processes:
            try:
                with open(f"/proc/{process.pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def replies(self, kind: str, seconds: float) -> list[Any]:
        """One ``kind`` reply from every process, in order; raises if one dies or hangs."""
        answers: dict[int, Any] = {}
        deadline = time.monotonic() + seconds + REPLY_GRACE_SECONDS
        while len(answers) < len(self.pipes):
            waiting = [pipe for n, pipe in enumerate(self.pipes) if n not in answers]
            ready = wait(waiting, timeout=max(0.0, deadline - time.monotonic()))
            if not ready:
                raise BenchError(f"a generator process did not answer {kind!r} in time")
            for pipe in ready:
                assert isinstance(pipe, Connection)
                try:
                    got, body = pipe.recv()
                except EOFError:
                    raise BenchError("a generator process died (its traceback is above)") from None
                if got != kind:
                    raise BenchError(f"a generator process answered {got!r}, not {kind!r}")
                answers[self.pipes.index(pipe)] = body
        return [answers[n] for n in range(len(self.pipes))]

    def connect(self, specs: list[ClientSpec], window: int, seconds: float) -> dict[str, Any]:
        """Bring ``specs`` in, ``window`` at a time in all; the processes' reports merged."""
        shares: list[list[ClientSpec]] = [[] for _ in self.pipes]
        for spec in specs:
            shares[self.assigned % len(shares)].append(spec)
            self.assigned += 1
        per_process = max(1, window // len(self.pipes))
        for pipe, share in zip(self.pipes, shares, strict=True):
            pipe.send(("connect", (share, per_process, seconds)))
        reports = self.replies("connected", seconds)
        for counts, report in zip(self.rooms, reports, strict=True):
            counts.clear()
            counts.update({int(room): n for room, n in report["rooms"].items()})
        started = [r["first_connect_ns"] for r in reports if r["asked"]]
        return {
            "asked": sum(r["asked"] for r in reports),
            "ready": sum(r["ready"] for r in reports),
            "registered": sum(r["registered"] for r in reports),
            "failed": dict(sum((Counter(r["failed"]) for r in reports), Counter())),
            "troubles": dict(sum((Counter(r["troubles"]) for r in reports), Counter())),
            "first_connect_ns": min(started, default=0),
            "last_registered_ns": max(r["last_registered_ns"] for r in reports),
            "last_ready_ns": max(r["last_ready_ns"] for r in reports),
            "ready_ns": sorted(t for r in reports for t in memoryview(r["ready_ns"]).cast("q")),
        }

    def tally(self) -> dict[str, Any]:
        """Bytes and lines every client has read so far outside steps, clients still in their room
        (``open``) and how the others were closed (``closed``), summed over the processes."""
        for pipe in self.pipes:
            pipe.send(("tally", None))
        reports = self.replies("tallied", 0)
        found: dict[str, Any] = {key: sum(r[key] for r in reports) for key in ("bytes", "lines", "open")}
        found["closed"] = dict(sum((Counter(r["closed"]) for r in reports), Counter()))
        return found

    def step(self, params: dict[str, Any], drain: float) -> list[dict[str, Any]]:
        """Run one step (``worker.Generator.begin`` says what ``params`` holds); each process's report."""
        for pipe in self.pipes:
            pipe.send(("step", params))
        window = (params["end_ns"] - time.monotonic_ns()) / 1e9
        sent = [
            Counter({int(room): n for room, n in counts.items()}) for counts in self.replies("sent", window)
        ]
        everywhere = sum(sent, Counter())
        deadline = time.monotonic_ns() + int(drain * 1e9)
        for pipe, rooms, own in zip(self.pipes, self.rooms, sent, strict=True):
            expected = sum(everywhere[room] * members for room, members in rooms.items())
            if not self.echoes:
                expected -= sum(own.values())
            pipe.send(("expect", (expected, deadline)))
        reports = self.replies("stepped", drain)
        for report, rooms, own in zip(reports, self.rooms, sent, strict=True):
            expected = sum(everywhere[room] * members for room, members in rooms.items())
            report["expected"] = expected - (0 if self.echoes else sum(own.values()))
        return reports

    def close(self) -> None:
        """Close every client and end the processes (killing any that hang)."""
        for pipe in self.pipes:
            # A process that already died has closed its end.
            with contextlib.suppress(OSError):
                pipe.send(("close", None))
        deadline = time.monotonic() + 10
        for process in self.processes:
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
