"""/search latency over a million stored lines, with the relay idle or loaded, run by hand, never in CI.

    .venv/bin/python bench/search.py                        # 1,000,000 lines, 300 searches, relay idle
    .venv/bin/python bench/search.py --load 100000          # the same while the relay carries 100,000 deliveries/s
    .venv/bin/python bench/search.py --lines 2000 --searches 20 --load 2000 --clients 100   # a smoke run

It fills a SQLite file in a temporary directory with ``--lines`` lines said
in ``--rooms`` rooms (``#s0``, ``#s1``, ...) through the store's own write
path (``SQLiteHistory.append``, a pass of ``PER_PASS`` lines committed
before the next, as bench/store.py does), and waits for the store's own
indexer to have indexed them all, so searches walk the indexes, not lines
the indexer has not reached. The text is words drawn from a vocabulary
with a long tail (a few words are in many lines, most in few), some
versions like ``qwen3.6``, URLs, accented words and Japanese.

Then it starts ``twistd -n chatd --db FILE`` pinned to the first CPU (as
bench/load.py runs it) and, with ``--load``, brings in ``bench/load.py``'s
generator processes: ``--clients`` clients in 10 rooms of their own
(``#r0``...) talking at the rate that gives ``--load`` deliveries a second
(their lines are stored and indexed too). One more client, a member of
every ``#s`` room, sends ``--searches`` searches ``--pace`` a second over
real TCP, each for one kind of query (a common word, a rare word, two
words, a piece of a word, a version fragment, a URL fragment, a word
without its accent, Japanese, a two-letter word that takes the bounded
scan), and times each from sending the command to reading its end line.
It prints p50, p99 and the slowest per kind and overall, and with load
the deliveries a second the relay carried meanwhile. Issue 13 point 7
targets p99 under 50 ms at 100,000 deliveries a second.
"""

import argparse
import json
import os
import random
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections import defaultdict
from itertools import accumulate
from typing import Any

import workloads
from servers import BenchError
from soak import percentile, raise_file_limit
from twisted.internet import reactor
from workloads import Setup

from chatd.domain.events import Actor, Said
from chatd.domain.ids import EventIds
from chatd.storage.sqlite import SQLiteHistory

PER_PASS = 2000
"""Lines appended each reactor pass while filling: one transaction each."""
CHATD_ARGS = ["--flood-rate", "1000", "--flood-burst", "200", "--flood-bytes", "16384"]
"""Loose enough for the load's senders and the searcher's pace; nobody here is flooding.

A search that scans (a word under three characters, one kind in nine)
costs a burst of budget (``--flood-burst`` less one line, chatd's
``charge_burst``): at the default pace that is some 220 lines a second,
and at 50 a second the searcher was cut off for flooding after its first
half minute, as any client searching so would be."""
LOAD_ROOMS = 10
MAX_RATE = 10.0
"""Lines a second one load client sends at most (bench/load.py's fan-out: 1000 clients in 10 rooms)."""
VOCABULARY = 20_000
VERSIONS = ("qwen3.6", "llama4.1", "gemma3.27", "mistral7.2", "phi4.14")
ACCENTED = ("café", "naïve", "déjà", "crème", "über", "résumé")
JAPANESE = ("東京都に行きます", "大阪で会いましょう", "京都の寺は静かです")


def words(rng: random.Random) -> list[str]:
    """``VOCABULARY`` made-up words of 4 to 9 letters, rarest last."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choices(letters, k=rng.randint(4, 9))) for _ in range(VOCABULARY)]


def line(rng: random.Random, vocabulary: list[str], tail: list[float]) -> str:
    """One chat line: 6 to 12 words with a long tail, sometimes a version, a URL, an accent or Japanese.

    ``tail`` is the cumulative weights of ``vocabulary`` (``choices`` would
    add the weights up again for every line).
    """
    parts = rng.choices(vocabulary, cum_weights=tail, k=rng.randint(6, 12))
    extra = rng.random()
    if extra < 0.05:
        parts.insert(rng.randrange(len(parts)), rng.choice(VERSIONS))
    elif extra < 0.08:
        parts.append(f"https://example.org/{rng.choice(vocabulary)}/{rng.randint(1, 999)}")
    elif extra < 0.10:
        parts.insert(rng.randrange(len(parts)), rng.choice(ACCENTED))
    elif extra < 0.11:
        parts.append(rng.choice(JAPANESE))
    return " ".join(parts)


def fill(path: str, lines: int, rooms: int, seed: int) -> float:
    """Write ``lines`` lines into a new store at ``path``; seconds it took."""
    rng = random.Random(seed)
    vocabulary = words(rng)
    tail = list(accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))
    store = SQLiteHistory.open(path, reactor)
    store.startService()
    actors = [Actor(f"user{n}", "10.0.0.1") for n in range(50)]
    ids = EventIds()
    seqs = [0] * rooms
    at = time.time() - lines
    written = 0
    started = time.perf_counter()

    def one_pass() -> None:
        nonlocal written
        if written >= lines:
            store.index.catch_up()
            indexed = store.index.caught_up().addCallback(lambda _: store.stopService())
            indexed.addCallback(lambda _: reactor.stop())
            return
        for _ in range(min(PER_PASS, lines - written)):
            room = written % rooms
            seqs[room] += 1
            moment = at + written
            text = line(rng, vocabulary, tail)
            event = Said(
                id=ids(moment),
                at=moment,
                actor=rng.choice(actors),
                room=f"#s{room}",
                seq=seqs[room],
                text=text,
            )
            store.append(event)
            written += 1
        if written % 100_000 < PER_PASS:
            print(f"  {written:,} lines written", file=sys.stderr, flush=True)
        store.when_written(lambda: reactor.callLater(0, one_pass))

    reactor.callWhenRunning(one_pass)
    reactor.run()
    return time.perf_counter() - started


def queries(count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` (kind, words) searches, the kinds taken in turn."""
    rng = random.Random(seed)
    vocabulary = words(random.Random(seed))  # the fill's: its generator's first use
    pieces = [word[1:5] for word in vocabulary[:3000] if len(word) > 5]
    kinds = {
        "common word": lambda: rng.choice(vocabulary[:50]),
        "rare word": lambda: rng.choice(vocabulary[5000:]),
        "two words": lambda: f"{rng.choice(vocabulary[:200])} {rng.choice(vocabulary[:2000])}",
        "piece of a word": lambda: rng.choice(pieces),
        "version fragment": lambda: rng.choice(VERSIONS)[1:],
        "URL fragment": lambda: f"example.org/{rng.choice(vocabulary[:100])}",
        "no accent": lambda: rng.choice(("cafe", "naive", "deja", "CREME", "uber", "resume")),
        "Japanese": lambda: rng.choice(("東京都", "大阪で", "京都の寺")),
        "two letters (scan)": lambda: rng.choice(vocabulary[:50])[:2],
    }
    names = list(kinds)
    return [(names[n % len(names)], kinds[names[n % len(names)]]()) for n in range(count)]


class Searcher:
    """A blocking line client in JSON mode, a member of every filled room."""

    def __init__(self, port: int, rooms: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        joins = "".join(f"/join #s{room}\n" for room in range(rooms))
        self.sock.sendall(f"/format json\nsearcher\n{joins}/time\n".encode())
        while b'"server_time"' not in self.read_line():
            pass

    def read_line(self) -> bytes:
        while b"\n" not in self.buffer:
            data = self.sock.recv(65536)
            if not data:
                raise BenchError("chatd closed the searcher's connection")
            self.buffer += data
        found, self.buffer = self.buffer.split(b"\n", 1)
        return found

    def search(self, room: str, query: str) -> tuple[float, dict[str, Any]]:
        """Milliseconds from sending ``/search room query`` to reading its end line, and that line."""
        started = time.perf_counter()
        self.sock.sendall(f"/search {room} {query}\n".encode())
        while True:
            answer = self.read_line()
            if b'"search_end"' in answer or answer.startswith(b'{"type":"error"'):
                return (time.perf_counter() - started) * 1000, json.loads(answer)


def search_all(port: int, rooms: int, asked: list[tuple[str, str]], pace: float) -> dict[str, list[float]]:
    """Each search in turn, ``pace`` a second, in rooms taken in turn; milliseconds by kind."""
    searcher = Searcher(port, rooms)
    taken: dict[str, list[float]] = defaultdict(list)
    start = time.perf_counter()
    for n, (kind, query) in enumerate(asked):
        delay = start + n / pace - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        ms, end = searcher.search(f"#s{n % rooms}", query)
        if end.get("type") == "error":
            raise BenchError(f"/search {query} was refused: {end.get('text')}")
        taken[kind].append(ms)
    searcher.sock.close()
    return taken


def row(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p50, p99 = percentile(ordered, 0.5), percentile(ordered, 0.99)
    return f"| {name} | {len(ordered)} | {p50:.1f} | {p99:.1f} | {ordered[-1]:.1f} |"


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="/search latency over a big SQLite history, with optional relay load (by hand, never in CI).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--lines", type=int, default=1_000_000, help="lines stored before searching")
    add("--rooms", type=int, default=10, help="rooms the stored lines are spread over")
    add("--searches", type=int, default=300, help="searches sent")
    add("--pace", type=float, default=10.0, help="searches a second")
    add("--load", type=float, default=0.0, help="deliveries a second the relay carries meanwhile (0: none)")
    add("--clients", type=int, default=1000, help="load clients (in 10 rooms); more if --load needs them")
    add("--seed", type=int, default=13)
    add("--keep", help="keep the filled database at this path (and reuse it if it exists)")
    return parser.parse_args()


def main() -> int:
    args = parse_arguments()
    directory = tempfile.mkdtemp(prefix="chatd-bench-search-")
    try:
        path = args.keep or os.path.join(directory, "chatd.sqlite")
        if not os.path.exists(path):
            seconds = fill(path, args.lines, args.rooms, args.seed)
            print(f"filled: {args.lines:,} lines in {seconds:.0f} s ({args.lines / seconds:,.0f} lines/s)")
        print(f"database: {os.path.getsize(path) / 2**20:,.0f} MiB")
        return measure(args, path)
    except BenchError as error:
        print(f"search: {error}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def measure(args: argparse.Namespace, path: str) -> int:
    """Start chatd on ``path``, load it if asked, search, print the table."""
    raise_file_limit(65536)
    cpus = sorted(os.sched_getaffinity(0))
    server_cpu, generator_cpus = (cpus[0], cpus[1:]) if len(cpus) > 1 else (None, cpus)
    setup = Setup(server_cpu=server_cpu, generator_cpus=generator_cpus, workers=len(generator_cpus))
    asked = queries(args.searches, args.seed)
    seconds = args.searches / args.pace + 5
    with workloads.running("chatd", setup, [*CHATD_ARGS, "--db", path]) as env:
        stepped: list[Any] = []
        step = None
        if args.load:
            clients, rate = workloads.shape(args.load, args.clients, LOAD_ROOMS, MAX_RATE)
            joined = env.fleet.connect(workloads.specs(0, clients, LOAD_ROOMS, 10), setup.window, 60)
            if joined["ready"] < clients:
                raise BenchError(f"only {joined['ready']} of {clients} load clients got in")
            print(f"load: {clients} clients in {LOAD_ROOMS} rooms, {rate:.2f} lines/s each")
            step = threading.Thread(
                target=lambda: stepped.append(workloads.run_step(env, setup, "search", rate, seconds, {}))
            )
            step.start()
            time.sleep(1.0)  # run_step starts sending 0.3 s after it is called
        taken = search_all(env.server.port, args.rooms, asked, args.pace)
        if step is not None:
            step.join()
    print(f"\n/search over {args.lines:,} lines in {args.rooms} rooms, {args.pace:g} a second (ms):\n")
    print("| query | searches | p50 | p99 | slowest |\n|---|---|---|---|---|")
    for kind, values in taken.items():
        print(row(kind, values))
    print(row("all", [ms for values in taken.values() for ms in values]))
    if stepped:
        reports, wall, server_cpu, _, _ = stepped[0]
        received = sum(report["received"] for report in reports)
        print(
            f"\nmeanwhile the relay carried {received / wall:,.0f} deliveries/s "
            f"(asked {args.load:,.0f}), chatd at {server_cpu / wall:.0%} of a CPU"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
