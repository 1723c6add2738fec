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
"""

import argparse
import os
import shutil
import sqlite3
import tempfile
import time

from twisted.internet import reactor

from chatd.domain.events import Actor, Said
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


def main(seconds: float, per_pass: int, extra: str) -> None:
    directory = tempfile.mkdtemp()
    try:
        path = os.path.join(directory, "chatd.sqlite")
        store = SQLiteHistory.open(path, reactor)
        with sqlite3.connect(path) as connection:
            connection.executescript(EXTRAS[extra])
        connection.close()
        store.startService()
        actor = Actor("alice", "10.0.0.1")
        text = "a line of about the length people type in a chat, give or take"
        seqs = [0] * 10
        appended = 0
        unwritten = 0
        """Passes appended whose lines are not yet committed."""
        ending: list[bool] = []
        started = time.perf_counter()

        def one_pass() -> None:
            nonlocal appended, unwritten
            if time.perf_counter() - started >= seconds:
                if not ending:
                    ending.append(True)
                    store.when_written(finish)
                return
            for n in range(per_pass):
                room = n % 10
                seqs[room] += 1
                store.append(
                    Said(
                        id=f"{appended:016x}",
                        at=time.time(),
                        actor=actor,
                        room=f"#room{room}",
                        seq=seqs[room],
                        text=text,
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--per-pass", type=int, default=500, help="lines appended each reactor pass")
    parser.add_argument("--extra", choices=sorted(EXTRAS), default="none", help="more work for every row")
    args = parser.parse_args()
    main(args.seconds, args.per_pass, args.extra)
