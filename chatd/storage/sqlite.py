"""History kept in a SQLite file (``--db``): every room event, and what bans and mutes need to come back.

Nothing here runs SQL on the reactor thread once the daemon runs. ``append``
only queues: the events of one reactor pass are written in one transaction
(``callLater(0)`` ends the pass) by the writer, one thread with its own
connection, one transaction at a time: passes that end while one is being
written go together in the next (a group commit). ``when_written`` calls
back once the transaction holding every event appended so far has
committed; the front ends' ``Outbox`` waits on it, so nobody is shown a
line a ``kill -9`` could lose (docs/SECURITY.md).
Reads run on a second thread with a connection of their own (WAL lets it
read while the writer writes), each after every event appended before it
is written, so a read sees what the chat has said, as ``MemoryHistory``'s do.

Two one-thread ``ThreadPool``s rather than ``twisted.enterprise.adbapi``:
with one connection there is nothing to pool, and a transaction per batch
is one ``BEGIN``/``executemany``/``COMMIT`` written out here rather than
``runInteraction``'s wrapper and reconnection logic (bench/store.py measures
the writer). ``synchronous=NORMAL`` in WAL mode loses nothing committed
when the process dies (``kill -9``); a power cut may lose the last commits
(docs/SECURITY.md).

The file is opened, checked and upgraded (chatd.storage.schema), and what
the chat needs at start (each room's last sequence number, the ban and mute
events) read, by ``SQLiteHistory.open``, once, before the daemon starts:
``chatd.tap`` calls it before twistd forks, so a bad file stops the start
with one sentence, and the chat has its bans before the first connection.
"""

import sqlite3
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, cast

from twisted.application.service import Service
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall
from twisted.internet.threads import deferToThreadPool
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool
from typing_extensions import override

from chatd.domain.events import (
    ROOM_EVENTS,
    BanAdded,
    BanLifted,
    Banned,
    Event,
    Muted,
    Quit,
    RoomEvent,
    Unmuted,
)
from chatd.frontend.codec import decode_event, encode_event, type_name
from chatd.storage.schema import LINE_KINDS, RESTORED_KINDS, DatabaseFileError, damaged, prepare
from chatd.text import fold

KEPT: tuple[type[Event], ...] = (*ROOM_EVENTS, Quit, BanAdded, Banned, BanLifted, Muted, Unmuted)
"""What is written: what happened in rooms, who left, and moderation of the whole server.

Private messages wait for accounts (issue 13 point 4), which say who may
read them; arrivals, nickname changes and walls are not history.
"""

RESTORED: tuple[type[Event], ...] = (BanAdded, BanLifted, Muted, Unmuted)
"""The events read back at start to restore the chat's state (schema's ``events_to_restore`` index)."""

_KINDS: dict[type[Event], str] = {kind: type_name(kind) for kind in KEPT}
"""Each kept event class's name in the ``kind`` column, worked out once rather than for every row."""

_LINES = LINE_KINDS
"""The SQL test for the events reads give back: the messages (``MESSAGES``), as ``MemoryHistory`` keeps;
the condition of the ``lines_by_room`` index, which reads of a room's lines use."""

DECODED_MOST = 4096
"""Events a store's reads keep decoded: a replay's worth (``--replay``, 20 by default) of 200 rooms."""

_INSERT = "INSERT INTO events (id, kind, room, seq, at, nick, body) VALUES (?, ?, ?, ?, ?, ?, ?)"
_LAST_SEQ = (
    "INSERT INTO rooms (room, last_seq) VALUES (?, ?) "
    "ON CONFLICT (room) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)"
)


class _Batch:
    """The events of one reactor pass, and who waits for them to be written."""

    __slots__ = ("events", "waiting")

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.waiting: list[Callable[[], None]] = []


class SQLiteHistory(Service):
    """A ``History`` in a SQLite file; as a service, its threads run between start and stop.

    Make one with ``open``. ``commits`` counts the transactions written, so
    a test can see that a pass's events went in one.
    """

    log = Logger()

    def __init__(
        self,
        reactor: Any,
        writer: sqlite3.Connection,
        reader: sqlite3.Connection,
        last: dict[str, int],
        restored: Sequence[Event],
    ) -> None:
        self._reactor = reactor
        self._writer = writer
        self._reader = reader
        self._last = last
        self.restored = restored
        """The ban and mute events kept, oldest first, for ``Chat.restore``."""
        self._writing = ThreadPool(1, 1, "chatd-store-writer")
        self._reading = ThreadPool(1, 1, "chatd-store-reader")
        self._open: _Batch | None = None
        """The batch this reactor pass is filling, written when the pass ends."""
        self._call: IDelayedCall | None = None
        self._sent: _Batch | None = None
        """The batch the writer is writing (one at a time); None when it waits for work."""
        self.commits = 0
        self._decoded = lru_cache(maxsize=DECODED_MOST)(decode_event)
        """``decode_event`` for reads, remembering the texts it decoded last (events are immutable, so
        shared). Replays read the same few lines again and again: the last ones of ``#lobby``, where
        everyone lands, and of each room, for each user who joins it (5,000 coming back after a
        restart read each of 50 rooms' 20 a hundred times); decoding was most of such a read's cost."""

    @classmethod
    def open(cls, path: str, reactor: Any) -> "SQLiteHistory":
        """The store in the file ``path`` (made if missing), checked, upgraded and read; on ``reactor``.

        ``reactor`` provides ``IReactorTime`` and ``IReactorFromThreads``.
        Raises ``DatabaseFileError``.
        """
        try:
            writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as error:
            raise DatabaseFileError(
                f"--db {path} cannot be opened ({error}); give a file in a directory the daemon may write."
            ) from None
        try:
            prepare(writer, path)
            _check(writer)
            writer.execute("PRAGMA journal_mode = WAL")
            writer.execute("PRAGMA synchronous = NORMAL")
            last = dict(writer.execute("SELECT room, last_seq FROM rooms"))
            restored = [
                decode_event(body)
                for (body,) in writer.execute(
                    f"SELECT body FROM events INDEXED BY events_to_restore WHERE {RESTORED_KINDS} ORDER BY position"
                )
            ]
            reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as error:
            writer.close()
            raise DatabaseFileError(damaged(path, error)) from None
        except DatabaseFileError:
            writer.close()
            raise
        return cls(reactor, writer, reader, last, restored)

    @override
    def startService(self) -> None:
        super().startService()
        self._writing.start()
        self._reading.start()

    @override
    def stopService(self) -> "Deferred[None]":
        """Write what waits, then close the connections and end the threads."""
        super().stopService()
        if self._call is not None and self._call.active():
            self._call.cancel()
            self._write_batch()
        stopped: Deferred[None] = Deferred()
        self.when_written(lambda: stopped.callback(None))
        return stopped.addCallback(lambda _: self._close())

    def _close(self) -> None:
        """Close each connection on its own thread, then end the threads (all written by now)."""
        self._writing.callInThread(self._writer.close)
        self._reading.callInThread(self._reader.close)
        self._writing.stop()
        self._reading.stop()

    def append(self, event: Event) -> None:
        """Queue ``event`` for this pass's transaction if it is kept; note its room's ``seq`` now."""
        if not isinstance(event, KEPT):
            return
        if isinstance(event, ROOM_EVENTS):
            self._last[fold(event.room)] = event.seq
        if self._open is None:
            self._open = _Batch()
            if self._sent is None:
                self._call = self._reactor.callLater(0, self._write_batch)
        self._open.events.append(event)

    def when_written(self, call: Callable[[], None]) -> None:
        """Call ``call`` once every event appended so far is committed; at once if none waits."""
        batch = self._open or self._sent
        if batch is None:
            call()
        else:
            batch.waiting.append(call)

    @property
    def writing(self) -> bool:
        """Whether any event appended is not yet committed."""
        return self._open is not None or self._sent is not None

    def last_seq(self, room: str) -> int:
        """The ``seq`` of the last event of room ``room`` (folded name), kept or queued; 0 if none."""
        return self._last.get(room, 0)

    def room_events(self, room: str, after: int, limit: int) -> "Deferred[Sequence[RoomEvent]]":
        """Up to ``limit`` kept events of room ``room`` (folded name) with ``seq`` above ``after``, oldest first."""
        return self._read(
            _select,
            f"SELECT body FROM events WHERE room = ? AND seq > ? AND {_LINES} ORDER BY seq LIMIT ?",
            (room, after, limit),
        )

    def recent(self, room: str, before: int | None, limit: int) -> "Deferred[Sequence[RoomEvent]]":
        """The last ``limit`` kept events of room ``room`` with ``seq`` below ``before`` (None: the latest), oldest first."""
        bound = before if before is not None else 1 << 62
        newest = self._read(
            _select,
            f"SELECT body FROM events WHERE room = ? AND seq < ? AND {_LINES} ORDER BY seq DESC LIMIT ?",
            (room, bound, limit),
        )
        return newest.addCallback(lambda events: events[::-1])

    def around(self, room: str, event_id: str, limit: int) -> "Deferred[Sequence[RoomEvent]]":
        """Up to ``limit`` kept events of room ``room`` centred on ``event_id``; none if it is not kept."""
        return self._read(_around, room, event_id, limit)

    def _read(
        self, read: Callable[..., list[RoomEvent]], *arguments: object
    ) -> "Deferred[Sequence[RoomEvent]]":
        """``read(reader, decode, *arguments)`` on the reader thread, once everything appended so far is written."""
        found: Deferred[Sequence[RoomEvent]] = Deferred()

        def start() -> None:
            reading = deferToThreadPool(
                self._reactor, self._reading, read, self._reader, self._decoded, *arguments
            )
            reading.addCallbacks(found.callback, found.errback)

        self.when_written(start)
        return found

    def _write_batch(self) -> None:
        """Hand the batch gathered to the writer thread; its waiters are called once it commits.

        One batch is written at a time: the passes that end while it is
        (a busy chat's, or any while the disk is slow) gather into the next,
        handed over as soon as it commits, so each commit's fixed cost (the
        pages it rewrites) is shared by more lines the busier the chat is.
        """
        batch, self._open, self._call = self._open, None, None
        if batch is None:
            return
        self._sent = batch
        written = deferToThreadPool(self._reactor, self._writing, self._commit, batch.events)
        written.addErrback(self._failed, batch)
        written.addCallback(lambda _: self._written(batch))

    def _commit(self, events: Sequence[Event]) -> None:
        """Write ``events`` in one transaction (on the writer thread)."""
        rows = [_row(event) for event in events]
        rooms = {row[2]: row[3] for row in rows if row[2] is not None}
        self._writer.execute("BEGIN")
        try:
            self._writer.executemany(_INSERT, rows)
            self._writer.executemany(_LAST_SEQ, rooms.items())
        except BaseException:
            self._writer.execute("ROLLBACK")
            raise
        self._writer.execute("COMMIT")
        self.commits += 1

    def _failed(self, failure: Failure, batch: _Batch) -> None:
        """A batch could not be written (a full disk, a damaged file): say so; the chat goes on."""
        self.log.failure(
            "Could not write {count} events to the --db file; they are not kept",
            failure=failure,
            count=len(batch.events),
        )

    def _written(self, batch: _Batch) -> None:
        """``batch`` is committed (or failed): hand over what gathered meanwhile, then call whoever waited."""
        self._sent = None
        if self._call is None:
            self._write_batch()
        for call in batch.waiting:
            call()


def _check(connection: sqlite3.Connection) -> None:
    """Raise ``sqlite3.DatabaseError`` unless SQLite finds every page of the file sound.

    ``quick_check`` reads the whole file (a few seconds for millions of
    lines), once at start: a damaged page found then stops the start,
    rather than failing writes once the daemon has gone into the background.
    """
    found = [problem for (problem,) in connection.execute("PRAGMA quick_check")]
    if found != ["ok"]:
        raise sqlite3.DatabaseError(found[0].splitlines()[-1])


def _row(event: Event) -> tuple[str, str, str | None, int | None, float, str, str]:
    """``event`` as a row of ``events``: what it is looked up by, then the whole of it."""
    room, seq = (fold(event.room), event.seq) if isinstance(event, ROOM_EVENTS) else (None, None)
    return (event.id, _KINDS[type(event)], room, seq, event.at, event.actor.nick, encode_event(event))


def _select(
    connection: sqlite3.Connection, decode: Callable[[str], Event], query: str, arguments: tuple[object, ...]
) -> list[RoomEvent]:
    """The room events ``query`` selects, each decoded by ``decode`` (on the reader thread)."""
    return [cast(RoomEvent, decode(body)) for (body,) in connection.execute(query, arguments)]


def _around(
    connection: sqlite3.Connection, decode: Callable[[str], Event], room: str, event_id: str, limit: int
) -> list[RoomEvent]:
    """Up to ``limit`` events of ``room`` centred on ``event_id``, as ``MemoryHistory.around`` (reader thread)."""
    found = connection.execute(
        f"SELECT seq FROM events WHERE id = ? AND room = ? AND {_LINES}", (event_id, room)
    ).fetchone()
    if found is None or limit < 1:
        return []
    before = _select(
        connection,
        decode,
        f"SELECT body FROM events WHERE room = ? AND seq < ? AND {_LINES} ORDER BY seq DESC LIMIT ?",
        (room, found[0], limit),
    )[::-1]
    after = _select(
        connection,
        decode,
        f"SELECT body FROM events WHERE room = ? AND seq >= ? AND {_LINES} ORDER BY seq LIMIT ?",
        (room, found[0], limit),
    )
    events = before + after
    start = max(0, min(len(before) - (limit - 1) // 2, len(events) - limit))
    return events[start : start + limit]
