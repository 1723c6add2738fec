"""The SQLite store's reads: each on a thread of its own, after the writes before it, or from memory.

Reads run on a second thread with a connection of their own (WAL lets it
read while the writer writes), each after every event appended before it
is written, so a read sees what the chat has said, as ``MemoryHistory``'s do;
a room's last lines, once read, come from memory (chatd.storage.recent).

``StoreReads`` is a part of ``SQLiteHistory``, which sets the state it
names (in its constructor) and says when all appended so far is written
(``when_written``): the reads, kept apart from the appends and the commits.
"""

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from twisted.internet.defer import Deferred, succeed
from twisted.internet.threads import deferToThreadPool
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from chatd.domain.errors import HistoryUnreadableError
from chatd.domain.events import Deleted, Private, RoomEvent
from chatd.domain.search import EVER, Found, Period, scans, search_words
from chatd.storage import forgotten
from chatd.storage.damaged_rows import UnreadableRowError
from chatd.storage.last_seqs import LastSeqs
from chatd.storage.reader_queries import (
    LINES,
    conversation,
    conversations,
    deletions_since,
    first_value,
    indexed,
    place,
    private_indexed,
    private_scan,
    scan,
    select_events,
)
from chatd.storage.recent import RecentLines

T = TypeVar("T")


class StoreReads:
    """``SQLiteHistory``'s reads: pages of a room's lines, its last lines, private conversations, searches."""

    # Set by SQLiteHistory, which says what each is.
    log: Logger
    when_written: Callable[[Callable[[], None]], None]
    _last: LastSeqs
    _reactor: Any
    _reader: sqlite3.Connection
    _reading: ThreadPool
    _recent: RecentLines
    _first_reads: dict[str, list[Deferred[None]]]
    _path: str | None
    _stamp: forgotten.Stamp
    _told_unreadable: set[str]

    def room_events(self, room: str, after: int, limit: int) -> "Deferred[Sequence[RoomEvent]]":
        """Up to ``limit`` kept events of room ``room`` (folded name) with ``seq`` above ``after``, oldest first."""
        return self.read(
            select_events,
            f"SELECT position, body FROM events WHERE room = ? AND seq > ? AND {LINES} ORDER BY seq LIMIT ?",
            (room, after, limit),
        )

    def place(self, room: str, event_id: str) -> "Deferred[int]":
        """The ``seq`` of the first kept message of room ``room`` with an id at or above ``event_id``; one past the
        room's last ``seq`` if none (``reader_queries.place``: a bisection by the room's index), read from the file
        with it unless held in memory (chatd.storage.last_seqs)."""
        return self.read(place, room, event_id, self._last.get(room))

    def count(self, room: str, after: int, before: int) -> "Deferred[int]":
        """How many kept messages of room ``room`` have a ``seq`` above ``after`` and below ``before``."""
        return self.read(
            first_value,
            f"SELECT count(*) FROM events WHERE room = ? AND seq > ? AND seq < ? AND {LINES}",
            (room, after, before),
        )

    def recent(self, room: str, before: int | None, limit: int) -> "Deferred[Sequence[RoomEvent]]":
        """The last ``limit`` kept events of room ``room`` with ``seq`` below ``before`` (None: the latest), oldest first.

        From memory (chatd.storage.recent) once the room has been read since
        start, unless the lines asked for go back further. The first read of
        a room reads its last ``limit`` lines (``HISTORY_MOST`` at most: a
        replay's 20, not 100 that no join shows), and whoever asks for the
        room meanwhile waits for it rather than reading too: after a
        restart, the first 50 users into ``#lobby`` read it 50 times.
        """
        self._look_at_the_mark()
        known = self._recent.last(room, before, limit)
        if known is not None:
            return succeed(known)
        waiting = self._first_reads.get(room)
        if waiting is not None:
            read: Deferred[None] = Deferred()
            waiting.append(read)
            return read.addCallback(lambda _: self._known_or_read(room, before, limit))
        fill = self._recent.reading(room)
        if fill is None:
            return self._read_recent(room, before, limit)
        self._first_reads[room] = []
        return Deferred.fromCoroutine(self._first_read(room, fill, before, limit))

    async def _first_read(
        self, room: str, fill: Callable[[Sequence[RoomEvent], int], None], before: int | None, limit: int
    ) -> Sequence[RoomEvent]:
        """The room's last lines read into memory, then the answer from there; those who waited are answered too."""
        asked = min(limit, self._recent.most)
        try:
            fill(await self._read_recent(room, None, asked), asked)
        finally:
            for waiting in self._first_reads.pop(room):
                waiting.callback(None)
        return await self._known_or_read(room, before, limit)

    def at_hand(self, room: str, before: int | None, limit: int) -> Sequence[RoomEvent] | None:
        """As ``recent``, at once, once the room's lines are in memory (chatd.storage.recent); else None."""
        self._look_at_the_mark()
        return self._recent.last(room, before, limit)

    def _look_at_the_mark(self) -> None:
        """Read each room's lines from the file again if ``python -m chatd.admin`` deleted some since they were read.

        A ``stat`` of the mark beside the file (chatd.storage.forgotten),
        before each answer from memory: a join after the tool's ``forget``
        was shown the lines it had deleted, until the daemon's next commit.
        """
        if self._path is None:
            return
        now = forgotten.stamp(self._path)
        if now != self._stamp:
            self._stamp = now
            self._recent.clear()

    def _known_or_read(self, room: str, before: int | None, limit: int) -> "Deferred[Sequence[RoomEvent]]":
        """``recent`` from memory if the room's lines are there (none were deleted meanwhile), else from the file."""
        known = self._recent.last(room, before, limit)
        return succeed(known) if known is not None else self._read_recent(room, before, limit)

    def _read_recent(self, room: str, before: int | None, limit: int) -> "Deferred[Sequence[RoomEvent]]":
        """``recent`` read from the file."""
        bound = before if before is not None else 1 << 62
        newest = self.read(
            select_events,
            f"SELECT position, body FROM events WHERE room = ? AND seq < ? AND {LINES} ORDER BY seq DESC LIMIT ?",
            (room, bound, limit),
        )
        return newest.addCallback(lambda events: events[::-1])

    def deletions(self, room: str, point: str, limit: int) -> "Deferred[Sequence[Deleted]]":
        """The first ``limit`` deletions kept of room ``room`` (folded name) made at or after the id ``point`` of
        lines said before it, oldest first: a range of the ``deletions`` table's key (schema step 19)."""
        return self.read(deletions_since, room, point, limit)

    def conversation(
        self, pair: str, limit: int, since: float = 0.0, period: Period = EVER
    ) -> "Deferred[Sequence[Private]]":
        """The last ``limit`` private messages of conversation ``pair`` sent at ``since`` or later and within
        ``period``, oldest first."""
        return self.read(conversation, pair, limit, since, period)

    def conversations(
        self, account: str, after: float, before: float
    ) -> "Deferred[Sequence[tuple[str, float]]]":
        """The accounts ``account`` has kept private messages with, each with the time of the latest of them, for
        those whose latest is between ``after`` and ``before``.

        Found by a look-up in an index for each of ``account``'s conversations (``_pairs_of``), and the latest
        row of each: IRC clients ask as they connect, so it must not read every private message the file keeps,
        nor look at every account that wrote privately.
        """
        return self.read(conversations, account, after, before)

    def search(self, room: str, query: str, limit: int, period: Period = EVER) -> "Deferred[Found]":
        """Up to ``limit`` lines of room ``room`` within ``period`` matching ``query`` (chatd.domain.search), newest
        first.

        By the two FTS5 indexes (schema step 2), or, for a query with a word
        under three characters, by reading the room's last ``SCAN_LINES`` of the period.
        """
        words = search_words(query)
        return self.read(scan if scans(words) else indexed, room, words, limit, period)

    def search_private(
        self, pair: str, query: str, limit: int, since: float = 0.0, period: Period = EVER
    ) -> "Deferred[Found]":
        """Up to ``limit`` private messages of conversation ``pair`` sent at ``since`` or later and within ``period``
        matching ``query``, newest first: by the search index as a room's lines (``private_indexed``), or, for a
        query with a word under three characters, by reading the pair's last ``SCAN_LINES`` of the period
        (``private_scan``)."""
        words = search_words(query)
        return self.read(private_scan if scans(words) else private_indexed, pair, words, limit, since, period)

    def read(self, read: Callable[..., T], *arguments: object) -> "Deferred[T]":
        """``read(reader, *arguments)`` on the reader thread, once everything appended so far is written."""
        found: Deferred[T] = Deferred()

        def start() -> None:
            reading = deferToThreadPool(self._reactor, self._reading, read, self._reader, *arguments)
            reading.addErrback(self._unreadable).addCallbacks(found.callback, found.errback)

        self.when_written(start)
        return found

    def _unreadable(self, failure: Failure) -> None:
        """A read that reached a row it cannot decode (chatd.storage.damaged_rows) fails with the user's one line
        (``HistoryUnreadableError``); the host's log names the row, once a row. Any other failure goes on."""
        failure.trap(UnreadableRowError)
        where = cast(UnreadableRowError, failure.value).where
        if where not in self._told_unreadable:
            self._told_unreadable.add(where)
            self.log.error(
                "The --db file's table events holds {where}, which chatd cannot read as an event: each read that "
                "reaches it fails until the row is deleted or the file restored from a backup",
                where=where,
            )
        raise HistoryUnreadableError()
