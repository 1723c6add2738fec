"""Deleting many lines from the SQLite history: retention's ``prune`` and ``/forget``'s, a chunk at a time.

What goes is chosen by chatd.storage.retention; the deletes run on the
writer thread between two batches, each chunk its own transaction, so new
events wait at most one chunk, and what ``recent`` keeps in memory is read
from the file again after each. ``Pruning`` is a part of ``SQLiteHistory``,
which sets the state it names.
"""

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from twisted.internet.defer import Deferred, DeferredLock
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from chatd.storage import retention
from chatd.storage.pass_records import Statement
from chatd.storage.recent import RecentLines
from chatd.storage.schema import LINE_KINDS, PRIVATE_KINDS
from chatd.storage.search_index import SearchIndex

T = TypeVar("T")

_SENT = f"({LINE_KINDS} OR {PRIVATE_KINDS})"
"""What ``forget`` deletes of someone's: lines and actions in rooms, and private messages, sealed or not."""


class Pruning:
    """``SQLiteHistory``'s deletions of lines by age (``prune``) or by sender (``forget``)."""

    # Set by SQLiteHistory's constructor (or its other parts), which says what each is.
    running: int
    index: SearchIndex
    _reactor: Any
    _writer: sqlite3.Connection
    _writing: ThreadPool
    _forgetting: DeferredLock
    _recent: RecentLines
    read: Callable[..., "Deferred[Any]"]
    _all_written: Callable[[], "Deferred[None]"]
    _unwatched: Callable[[Statement], None]

    def prune(self, before: float) -> "Deferred[int]":
        """Delete what is kept from before ``before`` (seconds) that the chat needs no more; fires with how many.

        chatd.storage.retention says what stays. The work runs on the writer
        thread a chunk at a time, each chunk its own transaction, so new
        events wait at most one chunk; it ends early if the store stops.
        """
        return Deferred.fromCoroutine(self._prune(before))

    async def _prune(self, before: float) -> int:
        await self._all_written()
        doomed = await self._on_writer(retention.superseded, before, self._reactor.seconds())
        count = 0
        for start in range(0, len(doomed), retention.CHUNK):
            if not self.running:
                return count
            count += await self._on_writer(retention.delete, doomed[start : start + retention.CHUNK])
        after: int | None = 0
        while after is not None and self.running:
            after, deleted = await self._on_writer(retention.window, after, before)
            count += deleted
        if self.running:
            count += await self._on_writer(retention.old_deletions, before)
        self.index.catch_up()
        return count

    def forget(self, nick: str, since: float) -> "Deferred[int]":
        """Delete every message, action and private message ``nick`` (any case) sent at ``since`` (seconds) or
        later, and the deletions they made then (uncounted); fires with how many.

        One at a time, server-wide: another waits its turn. The lines are
        found on the reader thread (a read of every line kept, a Python fold
        each: 0.17 s at 300,000 events), then deleted on the writer thread a
        chunk at a time, as ``prune`` does, so commits wait for each chunk's
        deletes, never for the search. Found on the writer, a loop of
        ``/forget confirm`` from 20 connections held another user's
        ``/register`` for 30 seconds.
        """
        return self._forgetting.run(lambda: Deferred.fromCoroutine(self._forget(nick, since)))

    async def _forget(self, nick: str, since: float) -> int:
        await self._all_written()
        doomed = await self.read(retention.sent_by, nick, _SENT, since)
        count = 0
        for start in range(0, len(doomed), retention.CHUNK):
            count += await self._on_writer(retention.delete, doomed[start : start + retention.CHUNK])
        deletions = await self.read(retention.deletions_by, nick, since)
        if deletions:
            await self._on_writer(retention.forget_deletions, deletions)
        self.index.catch_up()
        return count

    def _on_writer(self, work: Callable[..., T], *arguments: object) -> "Deferred[T]":
        """``work(writer, *arguments)`` on the writer thread, between two batches.

        Such work deletes lines (``prune``, ``forget``): what ``recent`` keeps
        in memory is read from the file again after each piece.
        """
        done = deferToThreadPool(self._reactor, self._writing, work, self._writer, *arguments)
        return done.addBoth(self._cleared)

    def _cleared(self, result: T) -> T:
        self._recent.clear()
        return result

    def _unindexed(self, forgotten: int) -> None:
        """The index has dropped the deleted lines up to ``forgotten`` in ``unindexed``: their text may go."""
        if self.running:
            self._unwatched(("DELETE FROM unindexed WHERE id <= ?", (forgotten,)))
