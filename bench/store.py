"""How many messages a second the SQLite store writes, run by hand: ``python bench/store.py [SECONDS] [PER_PASS]``.

It appends ``PER_PASS`` lines said in 10 rooms each reactor pass, as a busy
daemon's passes would carry them, for ``SECONDS`` (default 10), on the real
reactor with the store's real threads and a file in a temporary directory,
each pass once the last is committed (the rate the writer keeps up, rather
than a queue that grows). It reports lines committed a second, commits, and how
long the start-up ``quick_check`` takes on the file it made. Not a test:
timing has no place in the suite (issue 13 point 7 targets 50,000 a second).
"""

import os
import shutil
import sqlite3
import sys
import tempfile
import time

from twisted.internet import reactor

from chatd.domain.events import Actor, Said
from chatd.storage.sqlite import SQLiteHistory


def main(seconds: float, per_pass: int) -> None:
    directory = tempfile.mkdtemp()
    try:
        path = os.path.join(directory, "chatd.sqlite")
        store = SQLiteHistory.open(path, reactor)
        store.startService()
        actor = Actor("alice", "10.0.0.1")
        text = "a line of about the length people type in a chat, give or take"
        seqs = [0] * 10
        appended = 0
        started = time.perf_counter()

        def one_pass() -> None:
            nonlocal appended
            if time.perf_counter() - started >= seconds:
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
            # The next pass once this one is committed: the rate the writer sustains, not a queue
            # that grows. (Appending the next pass while this one is written measured slower: the
            # two threads share the GIL.)
            store.when_written(lambda: reactor.callLater(0, one_pass))

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
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 10.0, int(sys.argv[2]) if len(sys.argv) > 2 else 500)
