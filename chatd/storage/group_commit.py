"""The SQLite store's writer: what the pass log holds, committed a batch at a time on a thread of its own.

The writer, one thread with its own connection, commits what the log
holds to SQLite: every ``COMMIT_EVERY`` seconds, or at once when someone
waits for it (a read, a ``change``, the daemon stopping), one transaction
at a time, each holding every record logged since the last (a group commit).

``GroupCommit`` is a part of ``SQLiteHistory``, which sets the state it
names (in its constructor) and logs each pass's records (``keep``): the
commit loop, kept apart from the appends and the reads it serves.
"""

import sqlite3
from collections.abc import Callable
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from chatd.storage.last_seqs import LastSeqs
from chatd.storage.outage import Outage
from chatd.storage.pass_apply import apply, described
from chatd.storage.pass_log import PassLog
from chatd.storage.pass_records import Change, Row
from chatd.storage.recent import RecentLines
from chatd.storage.search_index import SearchIndex

COMMIT_EVERY = 0.05
"""Seconds at most between the pass log's records and their commit, when nobody waits for it sooner.

Nobody is shown less for it: lines go out once logged. A commit has a
fixed cost (about 0.4 ms of CPU), so one per reactor pass took a share
of the core at 100,000 deliveries a second; a twentieth of a second
gathers every pass of it into one. What waits sooner (a read, which must
see every line said before it, or a ``change``, whose caller answers a
user once it is kept) has the writer commit at once."""


class Batch:
    """The logged records not yet committed, and who waits for them to be."""

    __slots__ = ("changes", "elsewhere", "failure", "last", "refused", "rows", "told", "urgent", "waiting")

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.changes: list[Change] = []
        self.waiting: list[Callable[[], None]] = []
        self.told: list[Deferred[None] | None] = []
        """Who waits for each of ``changes`` (None: nobody): told if it failed, as ``waiting`` is not."""
        self.refused: dict[int, Failure] = {}
        """Set by the writer: the changes the file refused, by their place in ``changes``; the rest are kept."""
        self.last = 0
        """The number of the last pass log record the batch holds."""
        self.urgent = False
        """Someone waits: commit it as soon as the writer is free, not ``COMMIT_EVERY`` after it began."""
        self.failure: Failure | None = None
        self.elsewhere = False
        """Set by the writer: another connection committed since the last batch
        (``python -m chatd.admin forget`` on the live file)."""


class GroupCommit:
    """``SQLiteHistory``'s commit loop: one batch written at a time, the next gathering meanwhile."""

    # Set by SQLiteHistory's constructor, which says what each is.
    log: Logger
    index: SearchIndex
    commits: int
    commit_every: float
    _reactor: Any
    _writer: sqlite3.Connection
    _writing: ThreadPool
    _log: PassLog
    _pending: "Batch | None"
    _due: IDelayedCall | None
    _sent: "Batch | None"
    _version: int
    _recent: RecentLines
    _last: LastSeqs
    _log_outage: Outage
    _commit_outage: Outage

    def _commit_soon(self, batch: Batch) -> None:
        """Hand ``batch`` (``_pending``) to the writer now if someone waits, else ``commit_every`` seconds on."""
        if batch.urgent:
            self._hand_over()
        elif self._due is None:
            self._due = self._reactor.callLater(self.commit_every, self._commit_due)

    def _commit_due(self) -> None:
        self._due = None
        if self._pending is not None:
            self._pending.urgent = True
            self._hand_over()

    def _hand_over(self) -> None:
        """Give ``_pending`` to the writer, unless it is writing the batch before (it is handed over after that).

        One batch is written at a time: what is logged meanwhile gathers
        into the next, so each commit's fixed cost (the pages it rewrites)
        is shared by more lines the busier the chat is.
        """
        batch = self._pending
        if batch is None or self._sent is not None:
            return
        if self._due is not None:
            if self._due.active():
                self._due.cancel()
            self._due = None
        self._pending, self._sent = None, batch
        self._log.set_aside()
        self._writing.callInThread(self._write, batch)

    def _write(self, batch: Batch) -> None:
        """Commit ``batch`` (writer thread), then tell the reactor thread."""
        try:
            self._commit(batch)
        except Exception:
            self._reactor.callFromThread(self._not_written, batch, Failure())
            return
        self._reactor.callFromThread(self._written, batch)

    def _commit(self, batch: Batch) -> None:
        """Write ``batch``'s rows, then make its changes, in one transaction (writer thread).

        A change the file refuses is left out, noted in ``batch.refused``.
        """
        self._writer.execute("BEGIN")
        try:
            refused = apply(self._writer, batch.rows, batch.changes, batch.last)
            batch.refused = {number: Failure(error) for number, error in refused.items()}
        except BaseException:
            if self._writer.in_transaction:  # SQLite may have rolled it back itself (a full disk)
                self._writer.execute("ROLLBACK")
            raise
        self._writer.execute("COMMIT")
        self.commits += 1
        version, self._version = self._version, data_version(self._writer)
        batch.elsewhere = version != self._version

    def _not_written(self, batch: Batch, failure: Failure) -> None:
        """A batch could not be written (a full disk, a damaged file): say so; the chat goes on."""
        batch.failure = failure
        # The lines appended are not kept after all: read each room's from the file again, and have no start
        # apply them from the pass log either.
        self._recent.clear()
        try:
            self._log.abandon(batch.last)
        except OSError:
            # A start after a crash may then apply the batch's records after all. The disk that refused the
            # commit mostly refuses this too: one more of the pass log's failures.
            self._log_outage.failed(Failure())
        self._commit_outage.failed(failure, amount=len(batch.rows))
        self._written(batch)

    def _written(self, batch: Batch) -> None:
        """The writer's word on ``batch``: the log may let its records go; call who waited; hand over what is due."""
        self._sent = None
        if batch.failure is None:
            self._commit_outage.succeeded()
            # The file's rows hold these rooms' seqs now. A failed batch's rooms stay held: the file lacks their seqs.
            self._last.committed(
                (row[3], row[4]) for row in batch.rows if row[3] is not None and row[4] is not None
            )
        self._log.committed(batch.last)
        if batch.elsewhere:
            # Another connection changed the file (deleted lines, maybe): read each room's lines from it again.
            self._recent.clear()
        for call in batch.waiting:
            call()
        self.index.catch_up()
        self._tell(batch)
        if self._pending is not None and self._pending.urgent:
            self._hand_over()

    def _tell(self, batch: Batch) -> None:
        """Log each change the file refused, then fire who waits for each change: kept, or why not."""
        for number, refusal in batch.refused.items():
            self.log.failure(
                "The --db file refused a change ({change}); it alone is not kept",
                failure=refusal,
                change=described(batch.changes[number]),
            )
        for number, done in enumerate(batch.told):
            if done is None:
                continue
            failure = batch.failure or batch.refused.get(number)
            if failure is None:
                done.callback(None)
            else:
                done.errback(failure)


def data_version(connection: sqlite3.Connection) -> int:
    """``PRAGMA data_version``: a number that changes when a connection other than ``connection`` commits."""
    return int(connection.execute("PRAGMA data_version").fetchone()[0])
