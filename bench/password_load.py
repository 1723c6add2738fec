"""Two users' echo times while wrong /oper passwords are checked, daemons taking turns, run by hand:
``python bench/password_load.py [--attackers N] [--rounds K] [COMMIT ...]`` (default: HEAD).

An Argon2id check takes a tenth of a second or more of a core, on purpose;
chatd runs it in a pool of ``chatd.daemon.shared.PASSWORD_THREADS`` threads at
the lowest priority, beside the reactor (docs/SECURITY.md). How much the
checks still take from everyone else is a speed, so it is measured here,
not in the suite (tests/e2e/test_oper_load.py shows only that a check is
off the reactor thread). Each round starts a daemon from each commit in
turn with one operator at argon2-cffi's default cost; ``--attackers``
users, each from a loopback address of its own, send a wrong ``/oper``
at once while alice and bob say a line every ``--interval`` seconds
between them, on a schedule rather than each after the last echo (a
stall delays every line due in it, and each counts). It prints each
round's p50, p99 and longest echo time and how long the checks took to
be answered, then each commit's mean.
"""

import argparse
import math
import os
import re
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from daemon_count import chatd_command, free_port, wait_for

PASSWORD = "correct horse battery staple"

PING = re.compile(rb"\[\d\d:\d\d\] #lobby <(?P<nick>alice|bob)> ping (?P<number>\d+)")
"""A talker's line as each of them hears it."""

FAILED = b"ERR oper-failed wrong operator name or password\r\n"

DEADLINE_SECONDS = 120.0
"""How long the attack's answers, or the talkers' last lines, may take before the round is given up."""

FAST_TALKERS = ["--flood-rate", "100000", "--flood-burst", "100000", "--flood-bytes", "10000000"]
"""The talkers say 200 lines a second between them: far past the default flood budget, which would slow them."""


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("commits", nargs="*", default=["HEAD"], help="commits to measure, in turn")
    parser.add_argument("--attackers", type=int, default=20, help="wrong /oper sent at once")
    parser.add_argument("--interval", type=float, default=0.005, help="seconds between the talkers' lines")
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args()


class Line:
    """A blocking loopback connection read line by line."""

    def __init__(self, port: int, source: str = "127.0.0.1") -> None:
        self.socket = socket.create_connection(
            ("127.0.0.1", port), timeout=DEADLINE_SECONDS, source_address=(source, 0)
        )
        self.buffer = b""

    def say(self, text: str) -> None:
        self.socket.sendall(text.encode() + b"\n")

    def until(self, start: bytes) -> bytes:
        """Read lines until one starts with ``start``; return it."""
        while True:
            while b"\r\n" not in self.buffer:
                chunk = self.socket.recv(65536)
                if not chunk:
                    raise RuntimeError(f"closed while waiting for {start!r}")
                self.buffer += chunk
            line, _, self.buffer = self.buffer.partition(b"\r\n")
            if line.startswith(start) or line[8:].startswith(start):
                return line


def named(port: int, nick: str, source: str = "127.0.0.1") -> Line:
    """A connection that chose ``nick`` and was shown who is in #lobby."""
    line = Line(port, source)
    line.say(nick)
    line.until(b"*** In #lobby")
    return line


class Talk:
    """alice and bob taking turns to say a line every ``interval`` seconds, whatever the server does."""

    def __init__(self, talkers: dict[str, Line], interval: float) -> None:
        self.talkers = talkers
        self.interval = interval
        self.by_fileno = {line.socket.fileno(): nick for nick, line in talkers.items()}
        self.partial = dict.fromkeys(talkers, b"")
        self.due: dict[int, float] = {}
        """When each line not yet echoed to its speaker was due to be sent, by number."""
        self.heard = 0
        self.samples: list[float] = []
        self.sent = 0
        self.next_due = time.monotonic()

    def step(self, others: list[int]) -> list[int]:
        """Send what is due, read what the talkers got; return which of ``others`` have data to read."""
        now = time.monotonic()
        while now >= self.next_due:
            self.due[self.sent] = self.next_due
            self.talkers["alice" if self.sent % 2 == 0 else "bob"].say(f"ping {self.sent}")
            self.sent += 1
            self.next_due += self.interval
        ready, _, _ = select.select([*self.by_fileno, *others], [], [], max(0.0, self.next_due - now))
        for fileno in ready:
            if fileno in self.by_fileno:
                self.receive(self.by_fileno[fileno])
        return [fileno for fileno in ready if fileno not in self.by_fileno]

    def receive(self, nick: str) -> None:
        """Read what ``nick`` was sent; note the times of its own lines' echoes."""
        chunk = self.talkers[nick].socket.recv(65536)
        if not chunk:
            raise RuntimeError(f"{nick} was disconnected")
        arrived = time.monotonic()
        *lines, self.partial[nick] = (self.partial[nick] + chunk).split(b"\r\n")
        for line in lines:
            found = PING.fullmatch(line)
            if found is None:
                continue
            self.heard += 1
            if found.group("nick").decode() == nick:
                self.samples.append(arrived - self.due.pop(int(found.group("number"))))

    def finish(self) -> list[float]:
        """Stop sending, wait until both have heard every line, and return the echo times."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while self.heard < 2 * self.sent:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"{self.heard} of {2 * self.sent} lines heard")
            ready, _, _ = select.select(list(self.by_fileno), [], [], remaining)
            for fileno in ready:
                self.receive(self.by_fileno[fileno])
        return self.samples


def percentile(samples: list[float], fraction: float) -> float:
    """The smallest sample at least ``fraction`` of the samples do not exceed."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def attack(port: int, args: argparse.Namespace) -> tuple[float, float, float, float]:
    """p50, p99 and longest echo (ms) and the seconds every attacker took to be answered, against one daemon."""
    attackers = [named(port, f"attacker{n}", f"127.0.0.{n + 2}") for n in range(args.attackers)]
    for attacker in attackers:
        attacker.say("/part")
        attacker.until(b"*** You are in no room")
    talkers = {"alice": named(port, "alice"), "bob": named(port, "bob")}
    talkers["alice"].until(b"#lobby -- bob joined")
    try:
        for attacker in attackers:
            attacker.say("/oper boss not the password")
        talk = Talk(talkers, args.interval)
        started = time.monotonic()
        unanswered = {attacker.socket.fileno(): attacker for attacker in attackers}
        while unanswered:
            if time.monotonic() - started > DEADLINE_SECONDS:
                raise RuntimeError(f"{len(unanswered)} attackers unanswered")
            for fileno in talk.step(list(unanswered)):
                if unanswered[fileno].until(b"ERR") + b"\r\n" != FAILED:
                    raise RuntimeError("an attacker was not told ERR oper-failed")
                del unanswered[fileno]
        answered = time.monotonic() - started
        samples = talk.finish()
    finally:
        for line in [*attackers, *talkers.values()]:
            line.socket.close()
    ms = [sample * 1000 for sample in samples]
    return statistics.median(ms), percentile(ms, 0.99), max(ms), answered


def measure(source: str, opers: str, args: argparse.Namespace) -> tuple[float, float, float, float]:
    """``attack`` on a daemon from ``source``, started with ``--db :memory:`` and the operators file ``opers``."""
    port = free_port()
    command = [*chatd_command(port), "--db", ":memory:", "--opers", opers]
    daemon = subprocess.Popen(
        [*command, *FAST_TALKERS], cwd=os.path.dirname(opers), env={**os.environ, "PYTHONPATH": source}
    )
    try:
        wait_for(port, daemon)
        return attack(port, args)
    finally:
        daemon.terminate()
        daemon.wait(timeout=60)


def main() -> int:
    args = parse_arguments()
    import servers

    from chatd.frontend.accounts import hash_password

    directory = tempfile.mkdtemp(prefix="chatd-password-load-")
    opers = os.path.join(directory, "opers.txt")
    with open(opers, "w", encoding="utf-8") as lines:
        lines.write(f"boss {hash_password(PASSWORD)}\n")
    try:
        results = servers.in_turns(
            args.commits,
            args.rounds,
            lambda commit, source: measure(source, opers, args),
            lambda result: (
                f"p50/p99/max {result[0]:.1f}/{result[1]:.1f}/{result[2]:.0f} ms, "
                f"answered in {result[3]:.1f} s"
            ),
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print("| commit | p50 ms | p99 ms | longest ms | all answered in s |")
    print("|---|---|---|---|---|")
    for commit, rows in results.items():
        p50, p99, longest, answered = (statistics.mean(column) for column in zip(*rows, strict=True))
        print(f"| {commit} | {p50:.1f} | {p99:.1f} | {longest:.0f} | {answered:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
