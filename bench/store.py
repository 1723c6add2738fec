"""How many messages a second the SQLite store writes, run by hand: ``python bench/store.py [--seconds S] [--per-pass N] [--extra KIND]``.

It appends ``--per-pass`` lines said in 10 rooms each reactor pass, as a
busy daemon's passes would carry them, for ``--seconds`` (default 10), on
the real reactor with the store's real threads and a file in a temporary
directory. As in a busy daemon, the chat goes on while the writer writes:
the next pass is appended while one is being committed, but never more
than one pass waits (so the rate is what the writer sustains, not a queue
that grows). It reports lines committed a second, commits, and how long
the start-up ``quick_check`` takes on the file it made. Not a test: timing
has no place in the suite (issue 13 point 7 targets 50,000 a second).

``--extra`` adds work to every row written, through a trigger on the
events table, to see what more indexing would cost: ``row`` inserts each
line's JSON into a plain table of its own, ``fts5`` its text into a
full-text index (``unicode61 remove_diacritics 2``, as issue 13's
``/search`` asks; its trigram index beside it would cost more again).

``--keep PATH --lines N --bans B`` leaves the file behind at ``PATH``
instead, holding ``N`` lines and ``B`` address bans, as a daemon's earlier
run would have left it: ``bench/load.py restart`` starts chatd on it.
Lines go to ``#lobby`` and ``#r0`` ... (the rooms the load's clients join).
"""

import argparse
import os
import random
import shutil
import sqlite3
import tempfile
import time

from twisted.internet import reactor

from chatd.domain.events import Actor, BanAdded, Said
from chatd.storage.sqlite import SQLiteHistory

WAITING = 1
"""Passes appended and not yet being written, at most: the chat runs ahead of the writer by one."""

EXTRAS = {
    "none": "",
    "row": """
        CREATE TABLE extra (body TEXT NOT NULL);
        CREATE TRIGGER extra_row AFTER INSERT ON events BEGIN
            INSERT INTO extra (body) VALUES (new.body);
        END;
    """,
    "fts5": """
        CREATE VIRTUAL TABLE extra USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');
        CREATE TRIGGER extra_row AFTER INSERT ON events BEGIN
            INSERT INTO extra (rowid, body) VALUES (new.position, new.body ->> '$.text');
        END;
    """,
}
"""What ``--extra`` adds to the file before the run: more work for every row inserted."""


def main(
    seconds: float, per_pass: int, extra: str, rooms: int, keep: str | None, lines: int, bans: int
) -> None:
    directory = tempfile.mkdtemp()
    try:
        path = keep or os.path.join(directory, "chatd.sqlite")
        store = SQLiteHistory.open(path, reactor)
        operator = Actor("boss", "10.0.0.9")
        for n in range(bans):
            address = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
            store.append(
                BanAdded(
                    id=f"b{n:015x}", at=time.time(), actor=operator, target=address, address=True, until=None
                )
            )
        with sqlite3.connect(path) as connection:
            connection.executescript(EXTRAS[extra])
        connection.close()
        store.startService()
        actor = Actor("alice", "10.0.0.1")
        texts = _texts()
        names = ["#lobby", *(f"#r{n}" for n in range(rooms - 1))]
        seqs = [0] * rooms
        appended = 0
        unwritten = 0
        """Passes appended whose lines are not yet committed."""
        ending: list[bool] = []
        started = time.perf_counter()

        def one_pass() -> None:
            nonlocal appended, unwritten
            if time.perf_counter() - started >= seconds or (lines and appended >= lines):
                if not ending:
                    ending.append(True)
                    store.when_written(finish)
                return
            for n in range(min(per_pass, lines - appended) if lines else per_pass):
                room = n % rooms
                seqs[room] += 1
                store.append(
                    Said(
                        id=f"{appended:016x}",
                        at=time.time(),
                        actor=actor,
                        room=names[room],
                        seq=seqs[room],
                        text=texts[appended % len(texts)],
                    )
                )
                appended += 1
            unwritten += 1
            store.when_written(written)
            if unwritten <= WAITING:
                reactor.callLater(0, one_pass)

        def written() -> None:
            nonlocal unwritten
            unwritten -= 1
            if unwritten == WAITING:
                reactor.callLater(0, one_pass)

        def finish() -> None:
            elapsed = time.perf_counter() - started
            print(f"{appended} lines in {elapsed:.1f} s: {appended / elapsed:,.0f} lines/s committed")
            print(f"{store.commits} commits, {appended / max(store.commits, 1):.0f} lines each")
            store.index.catch_up()
            store.index.caught_up().addCallback(lambda _: indexed(elapsed))

        def indexed(committed: float) -> None:
            elapsed = time.perf_counter() - started
            print(
                f"search index caught up {elapsed - committed:.2f} s after the last commit: "
                f"{appended / elapsed:,.0f} lines/s indexed"
            )
            store.stopService().addCallback(lambda _: reactor.stop())

        reactor.callWhenRunning(one_pass)
        reactor.run()
        checked = time.perf_counter()
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA quick_check").fetchall()
        connection.close()
        print(
            f"quick_check of {os.path.getsize(path) / 2**20:.0f} MiB: {time.perf_counter() - checked:.2f} s"
        )
    finally:
        shutil.rmtree(directory)


def _texts() -> list[str]:
    """1,000 lines of 8 to 14 words each from 5,000 made-up ones, always the same: an index meets new words
    as it would in a chat, not one line's words again and again."""
    rng = random.Random(13)
    letters = "etaoinshrdlucmfwypvbgkqjxz"
    vocabulary = ["".join(rng.choices(letters, k=rng.randint(2, 9))) for _ in range(5000)]
    return [" ".join(rng.choices(vocabulary, k=rng.randint(8, 14))) for _ in range(1000)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--per-pass", type=int, default=500, help="lines appended each reactor pass")
    parser.add_argument("--extra", choices=sorted(EXTRAS), default="none", help="more work for every row")
    parser.add_argument("--rooms", type=int, default=10, help="#lobby and #r0 ... (rooms - 2)")
    parser.add_argument(
        "--keep", help="leave the file here (it must not exist), rather than in a temporary directory"
    )
    parser.add_argument("--lines", type=int, default=0, help="stop after this many lines (0: at --seconds)")
    parser.add_argument("--bans", type=int, default=0, help="address bans written before the lines")
    args = parser.parse_args()
    if args.keep and os.path.exists(args.keep):
        parser.error(f"--keep {args.keep} exists already")
    main(args.seconds, args.per_pass, args.extra, args.rooms, args.keep, args.lines, args.bans)
