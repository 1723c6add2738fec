"""``/search``'s two FTS5 indexes, in a file of their own beside the history, filled by a thread of their own.

Filled by trigger in the writer's transaction, cutting each line into words
and trigrams cost the writer five times what writing the line does, and
every line shown waits for its commit (bench/store.py). Here the indexer
thread reads lines once they are committed, a chunk at a time, and writes
them into ``PATH-search`` (``index_path``) in transactions of its own: the
writer never waits for it, and on two cores both run at once (SQLite lets go
of Python's lock while it works).

It holds the lines said and acted in rooms, and the private messages said
plainly (``whispered``; an ``encrypted`` one's text is ciphertext), each by
its position: a search keeps those of its room, or of its conversation.

The index is derived: all of it can be made again from the history. The
file says how far it has got (``progress``: the last position of the
history read, and the last deletion applied) in the same transaction as
what it indexed, so after a ``kill -9`` it goes on from there; a file that
is missing, of another version or damaged is replaced by an empty one at
start and filled from the beginning while the chat runs.

The file is opened, checked and made by chatd.storage.search_file; a
search reads it through chatd.storage.search_lookup.

Deleting lines (``--retain-days``, ``/forget``, ``chatd.admin forget``): a
contentless index drops a row only when given the text it indexed, so the
history's trigger (schema step 8, private messages since 18) keeps each deleted line's text in
``unindexed`` until the indexer has applied it, and the store then deletes
those rows (``SearchIndex``'s ``forgotten``). No position is used twice
(step 8's ``last_position``), so a position in the index names one line.

The trigram index keeps no positions (``detail=none``: about a third of
the work and a quarter less file), so it finds lines holding a word's
trigrams anywhere; ``chatd.domain.search.matches`` keeps those that hold
the word itself, and checks every line found, so both stores answer alike.
"""

import os
import sqlite3
import sys
import threading
from collections.abc import Callable
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall
from twisted.internet.threads import deferToThreadPool
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from chatd.storage.damaged_rows import malformed
from chatd.storage.outage import Outage
from chatd.storage.schema import SEARCHED_KINDS

_ASCII = "length(text) = length(CAST(text AS BLOB))"
"""Whether a line's ``text`` is ASCII (as many characters as bytes), in SQL."""

INDEXES = {
    "line_words": f"CASE WHEN {_ASCII} THEN text ELSE search_words(text) END",
    "line_trigrams": "text",
}
"""Each index with what it is given of a line's ``text``, added or deleted: the word index its ``folded`` form, as
unicode61 takes accents off Latin letters alone (``_search_words``), the trigram index the text as said.

An ASCII line, most of them, unicode61 folds alike, and it is told apart in SQL: calling Python for it took the
indexer 1 us a line more (0.2 us told apart), taking Python's lock from the reactor each time, against some 16 us
to index it."""

CHUNK = 20000
"""Events of the history read, or deletions applied, in one transaction of the indexer.

Only a backlog fills a chunk (a busy chat's quarter second is a few
thousand lines): catching up, 20,000 at a time indexed 59,000-63,000 lines
a second against 52,000 for 5,000 (bench/store.py, docs/PERFORMANCE.md),
each chunk a segment fewer for FTS5 to merge."""

NICE = 19
"""The indexer thread's niceness (Linux), the most there is: when the core is busy it gets a sliver of it.

FTS5 merges its segments now and then, a second or more of work in one
statement; at the same priority as the reactor it took half the core for
that long (48% in one second, the reactor down to 47%: bench/load.py
store, docs/PERFORMANCE.md), and every line shown then waited twice as
long. At niceness 10 it still took a tenth of a full core, whenever it
was behind, which at full fan-out with the store it always is (16,000
lines a second): 12.8% of the samples at 200,000 deliveries a second.
The core's idle time is the indexer's whole at any niceness, so below
full load it keeps up (``/search`` at 100,000 deliveries a second, the
core at 82-94%: p99 34-45 ms, against 36 at niceness 10); a full core
gives the chat all but a sliver, and a search reads what the index has
not reached (``TAIL``) until the load eases."""

MERGE_PAGES = 500
"""Pages of an index's segments one chunk merges at most (``_merged``): about 40 ms of the indexer's work.

With its segments merged so, ``/search`` over the million lines of
bench/search.py, while the relay carried 100,000 deliveries a second,
had a p99 of 36 ms against 46 with FTS5's own merging alone (600
searches each, docs/PERFORMANCE.md); merging only while no lines came
in did no better (35 ms) and left a busy chat's index to pile up."""

PAUSE = 0.25
"""Seconds the indexer waits after a commit before reading the history: lines gather into larger chunks."""

CHECKPOINT_EVERY = 2.0
"""Seconds at least between the indexer's checkpoints of the history's WAL (``keep_up``).

Each copies into the file every page committed since the last, and syncs
it; the pages every commit changes (an index's top, each room's last
seq) were copied again at each. After every chunk, four times a second
while lines come, 5,000 users registering after a restart did so at
0.90-0.95x the rate of ``--db :memory:``; with a checkpoint at most
every 2 s, 0.97-0.99x without the replay (``--replay 0``; 0.92x with it:
bench/load.py restart, docs/PERFORMANCE.md). The WAL then
holds at most about 2 s of commits: a chunk that was not due one has a
chunk come when it is, whether lines come or not."""


def index_chunk(connection: sqlite3.Connection) -> tuple[bool, int]:
    """Apply up to ``CHUNK`` deletions, else index the lines of the next ``CHUNK`` events, in one transaction.

    Deletions first, all of them before any more lines: the index's view
    of the history is one snapshot, and a deletion seen in it is of a line
    either indexed already (dropped now) or not (which the next lines read
    will not hold either). Having read all the lines there were, it merges
    segments (``_merged``). Returns whether more may wait, and the last
    deletion applied (on the indexer thread).
    """
    connection.execute("BEGIN")
    try:
        indexed, forgotten = connection.execute("SELECT indexed, forgotten FROM progress").fetchone()
        gone = connection.execute(
            "SELECT id, position, text FROM history.unindexed WHERE id > ? ORDER BY id LIMIT ?",
            (forgotten, CHUNK),
        ).fetchall()
        if gone:
            dropped = [(position, text) for _, position, text in gone if position <= indexed]
            connection.executemany("INSERT INTO temp.chunk (position, text) VALUES (?, ?)", dropped)
            for index, text in INDEXES.items():
                connection.execute(
                    f"INSERT INTO {index} ({index}, rowid, text) SELECT 'delete', position, {text} FROM temp.chunk"
                )
            connection.execute("DELETE FROM temp.chunk")
            forgotten = gone[-1][0]
            more = len(gone) == CHUNK
        else:
            window = connection.execute(
                "SELECT max(position), count(*) FROM "
                "(SELECT position FROM history.events WHERE position > ? ORDER BY position LIMIT ?)",
                (indexed, CHUNK),
            )
            last, count = window.fetchone()
            if last is not None:  # the history has events past the index's progress
                _take_text(connection, indexed, last)
                for index, text in INDEXES.items():
                    connection.execute(
                        f"INSERT INTO {index} (rowid, text) SELECT position, {text} FROM temp.chunk"
                    )
                connection.execute("DELETE FROM temp.chunk")
                indexed = last
            more = count == CHUNK or _merged(connection)
        connection.execute("UPDATE progress SET indexed = ?, forgotten = ?", (indexed, forgotten))
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return more, forgotten


_TAKE_TEXT = (
    "INSERT INTO temp.chunk (position, text) SELECT position, body ->> '$.text' FROM history.events "
    f"WHERE position > ? AND position <= ? AND {SEARCHED_KINDS}"
)
"""The text of the lines said and acted, and of the private messages said plainly (never an ``encrypted`` one's
ciphertext): both are found by position, and a search keeps a room's or a conversation's (search_lookup)."""


def _take_text(connection: sqlite3.Connection, after: int, last: int) -> None:
    """Put the text of the lines from after ``after`` to ``last`` into ``temp.chunk``, passing over a body that is not
    JSON at all.

    Such a body is the file's damage (chatd.storage.damaged_rows): it
    failed its chunk with "malformed JSON", and every chunk after it, so the
    index stood still for good behind one row and each search scanned all
    that was said since. Its chunk is taken again without it (a failed
    statement leaves nothing behind); the reads that reach it name it. Only
    that chunk pays for the test of each body.
    """
    try:
        connection.execute(_TAKE_TEXT, (after, last))
    except sqlite3.OperationalError as error:
        if not malformed(error):
            raise
        connection.execute(f"{_TAKE_TEXT} AND json_valid(body)", (after, last))


def _merged(connection: sqlite3.Connection) -> bool:
    """Merge up to ``MERGE_PAGES`` pages of each index's segments; whether any were (then more may wait).

    FTS5 merges a level's segments itself only once ``automerge`` (16) of
    them are alike, so a live index holds dozens, and every word a search
    asks for is looked up in each. ``merge`` with a positive budget merges
    any level holding ``usermerge`` (4, the default) or more: what an
    index with FTS5's default ``automerge`` would hold, written while the
    indexer has nothing else to do rather than on the way to every line.
    A change count of 2 or more says it wrote something (FTS5's own test).
    """
    wrote = False
    for index in INDEXES:
        before = connection.total_changes
        connection.execute(f"INSERT INTO {index} ({index}, rank) VALUES ('merge', ?)", (MERGE_PAGES,))
        wrote = wrote or connection.total_changes - before >= 2
    return wrote


def _yield_to_the_chat() -> None:
    """Lower the calling thread's priority to ``NICE`` (the indexer's, once, first thing); Linux only.

    There ``setpriority`` of a thread's own id changes that thread alone;
    elsewhere it would change the whole daemon's, so there it does nothing.
    """
    if sys.platform == "linux":
        thread = threading.get_native_id()
        # Never less nice than the daemon was started: raising a priority takes privilege.
        os.setpriority(os.PRIO_PROCESS, thread, max(NICE, os.getpriority(os.PRIO_PROCESS, thread)))


def keep_up(connection: sqlite3.Connection, checkpoint: bool) -> tuple[bool, int]:
    """A chunk of the index (``index_chunk``), then, if ``checkpoint``, one of the history's WAL, whatever became of it.

    The history's writer never checkpoints (``wal_autocheckpoint = 0``,
    ``SQLiteHistory.open``): a checkpoint in its commit, copying the WAL's
    pages into the file and syncing both, made that commit several times
    slower, and lines shown wait for commits. This thread follows the
    writer's commits anyway and nobody waits for it; a ``PASSIVE``
    checkpoint takes no lock the writer needs, so the writer goes on
    writing meanwhile, and once all is copied its next transaction starts
    the WAL over (indexer thread).
    """
    try:
        return index_chunk(connection)
    finally:
        if checkpoint:
            connection.execute("PRAGMA history.wal_checkpoint(PASSIVE)").fetchall()


class SearchIndex:
    """Keeps the index file up with the history, and the history's WAL short: ``catch_up`` after each commit or deletion.

    One chunk at a time, on a thread of its own, at most every ``PAUSE``
    seconds while the chat is not far ahead (a backlog is read chunk after
    chunk): each chunk is a transaction and a segment of each index, so
    fewer, larger ones cost the indexer less, and a search reads the lines
    it has not reached. ``forgotten(id)`` is called with the last deletion
    applied, when that moved, so the store can delete the rows of
    ``unindexed`` up to it.
    """

    log = Logger()

    def __init__(
        self, reactor: Any, connection: sqlite3.Connection, forgotten: Callable[[int], object]
    ) -> None:
        self._reactor = reactor
        self._connection = connection
        self._forgotten = forgotten
        self._last_forgotten = 0
        self._pool = ThreadPool(1, 1, "chatd-search-index")
        self._writing: Deferred[tuple[bool, int]] | None = None
        self._due: IDelayedCall | None = None
        """The next chunk, asked for and waiting out the pause."""
        self._checkpoint_due = 0.0
        """From when (the reactor's time) the next chunk checkpoints the WAL: the first one does."""
        self._owed = False
        """Whether the last chunk left its commits in the WAL, not yet due a checkpoint."""
        self._again = False
        """Whether a ``catch_up`` came while a chunk was being written."""
        self._stopping = False
        self._idle: list[Deferred[None]] = []
        self._outage = Outage(
            self.log,
            reactor,
            "Could not bring the search index up to date ({why}): /search reads the lines it has not indexed until "
            "it can; further failures are counted, not logged",
            "The search index is written again, after {failures}",
            failures="failed chunk",
        )
        """The chunks failing (a full disk): told once as they begin and once as they end."""

    def start(self, connection: sqlite3.Connection) -> None:
        """Start the thread on ``connection`` (``reopen_index``'s, in place of the one closed by ``let_go``), and catch
        up with what the history holds, at once."""
        self._connection = connection
        self._pool.start()
        self._pool.callInThread(_yield_to_the_chat)
        self._chunk()

    @property
    def writing(self) -> bool:
        """Whether a chunk is being written on the indexer's thread."""
        return self._writing is not None

    def catch_up(self) -> None:
        """Have the index read, within ``PAUSE`` seconds, what the history holds that it has not read."""
        if self._writing is not None:
            self._again = True
        elif not self._stopping:
            self._chunk_within(PAUSE)

    def _chunk_within(self, delay: float) -> None:
        """Have the next chunk start in ``delay`` seconds at most: one due sooner stays as it is."""
        if self._due is None:
            self._due = self._reactor.callLater(delay, self._chunk)
        elif self._due.getTime() > self._reactor.seconds() + delay:
            self._due.reset(delay)

    def _chunk(self) -> None:
        self._due, self._again = None, False
        now = self._reactor.seconds()
        checkpoint = now >= self._checkpoint_due
        if checkpoint:
            self._checkpoint_due = now + CHECKPOINT_EVERY
        self._owed = not checkpoint
        self._writing = deferToThreadPool(self._reactor, self._pool, keep_up, self._connection, checkpoint)
        self._writing.addCallbacks(self._written, self._failed)

    def _written(self, result: tuple[bool, int]) -> None:
        more, forgotten = result
        self._writing = None
        self._outage.succeeded()
        if forgotten != self._last_forgotten:
            self._last_forgotten = forgotten
            self._forgotten(forgotten)
        if more and not self._stopping:
            self._chunk()
        elif self._again:
            self.catch_up()
        elif self._owed and not self._stopping:
            # The last commits wait in the WAL until a checkpoint: one comes when due, lines or not.
            self._chunk_within(max(0.0, self._checkpoint_due - self._reactor.seconds()))
        self._settled()

    def _failed(self, failure: Failure) -> None:
        """A chunk could not be written: say so; the next commit tries again, searches read what is not indexed."""
        self._writing = None
        self._outage.failed(failure)
        self._settled()

    def _settled(self) -> None:
        """Tell whoever waits for the index to be idle, if it is: no chunk written, none due."""
        if self._writing is None and self._due is None:
            idle, self._idle = self._idle, []
            for waiting in idle:
                waiting.callback(None)

    def caught_up(self) -> "Deferred[None]":
        """Fires once the index is idle: no chunk written or due (after a ``catch_up``: all there was is read)."""
        waiting: Deferred[None] = Deferred()
        self._idle.append(waiting)
        self._settled()
        return waiting

    def stop(self) -> "Deferred[None]":
        """Finish the chunk being written (not the rest: the next start goes on), close the file, end the thread."""
        self._stopping = True
        if self._due is not None:
            self._due.cancel()
            self._due = None
        return self.caught_up().addCallback(lambda _: self._close())

    def _close(self) -> None:
        self._outage.close()
        self._pool.callInThread(self._connection.close)
        self._pool.stop()

    def let_go(self) -> None:
        """Close the file of an index never started (its thread never ran): a start that cannot go ahead, or one that
        goes on with a connection of its own (``start``)."""
        self._connection.close()
