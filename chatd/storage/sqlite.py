"""History kept in a SQLite file (``--db``): every room event, and what bans and mutes need to come back.

Nothing here runs SQL on the reactor thread once the daemon runs. ``append``
only queues. When a reactor pass ends, or sooner if the front ends are
about to send (``keep``), the pass's events become rows, numbered, and
its rows and statements are appended to the pass log (chatd.storage.pass_log)
with one ``write``: from then on a ``kill -9`` loses none of them, so the
pass's output goes at once (docs/SECURITY.md); the writer commits it
(chatd.storage.group_commit). Reads run on a second thread
(chatd.storage.store_reads). ``/search``'s index is a third thread's, in a file of its own, filled from
committed lines (chatd.storage.search_index); that thread also checkpoints
the history's WAL, so no commit the chat waits for does.

Two one-thread ``ThreadPool``s rather than ``twisted.enterprise.adbapi``:
with one connection there is nothing to pool, and a transaction per batch
is one ``BEGIN``/``executemany``/``COMMIT`` written out here rather than
``runInteraction``'s wrapper and reconnection logic (bench/store.py measures
the writer). ``synchronous=NORMAL`` in WAL mode loses nothing committed
when the process dies (``kill -9``); a power cut may lose the last commits
(docs/SECURITY.md).

The file is opened and what the chat needs at start read by ``open``
(chatd.storage.sqlite_open), once, before the daemon starts.
"""

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from twisted.application.service import Service
from twisted.internet.defer import Deferred, DeferredLock
from twisted.internet.interfaces import IDelayedCall
from twisted.internet.threads import deferToThreadPool
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool
from typing_extensions import override

from chatd.domain.encoding import encode_event, type_name
from chatd.domain.events import (
    MESSAGES,
    ROOM_EVENTS,
    BanAdded,
    BanLifted,
    Banned,
    Deleted,
    Encrypted,
    Event,
    Joined,
    Muted,
    Quit,
    RoomRegistered,
    RoomRegistrationNotKept,
    RoomUnregistered,
    Unmuted,
    Whispered,
)
from chatd.domain.offline import conversation_of
from chatd.storage import forgotten, retention
from chatd.storage.group_commit import COMMIT_EVERY, Batch, GroupCommit, data_version
from chatd.storage.last_seqs import ROOMS, LastSeqs
from chatd.storage.outage import Outage
from chatd.storage.pass_log import PassLog
from chatd.storage.pass_records import Change, Row, Statement
from chatd.storage.reader_queries import first_value
from chatd.storage.recent import RecentLines
from chatd.storage.schema import LINE_KINDS, PRIVATE_KINDS
from chatd.storage.search_file import reopen_index
from chatd.storage.search_index import SearchIndex
from chatd.storage.sqlite_open import open_file, reader_of, set_up_writer
from chatd.storage.store_reads import StoreReads
from chatd.text import fold

T = TypeVar("T")

KEPT: tuple[type[Event], ...] = (*ROOM_EVENTS, Quit, BanAdded, Banned, BanLifted, Muted, Unmuted)
"""What is written: what happened in rooms, who left, and moderation of the whole server.

Private messages are written too when both sides had identified
(``conversation_of``): only their two accounts read them back. Arrivals,
nickname changes and walls are not history.
"""

_PAIRED = f"UPDATE events SET pair = ? WHERE position = ? AND {PRIVATE_KINDS}"
"""Files a private message just written under its conversation, in the same transaction: a statement of
its own, so the events' row (``_row``, ``pass_log.INSERT``) is the same for every schema since the first.
It finds the row by its position (``keep`` numbers this pass's events in the order gathered), not by its
id, which no index keeps (schema step 15)."""

_MADE = "UPDATE rooms SET made = ? WHERE room = ?"
"""Notes the position of a join that made its room anew (``Joined.made``; schema step 17), in the transaction that
writes it: after the pass's rows, so the room's row is there. A statement of its own, as ``_PAIRED``."""

_DELETED = f"DELETE FROM events WHERE room = ? AND seq = ? AND {LINE_KINDS}"
"""Deletes the line a ``Deleted`` names (``/delete``), by the ``lines_by_room`` index, in the transaction of the pass
that deleted it: logged with it, so no ``kill -9`` after the event is shown brings the line back. The schema's
trigger keeps its text for the search index to drop, as for ``forget``'s (chatd.storage.search_index)."""

_TOMBSTONE = "INSERT OR IGNORE INTO deletions (room, id, at, nick, body) VALUES (?, ?, ?, ?, ?)"
"""Keeps the ``Deleted`` event itself (schema step 19), in the same transaction as ``_DELETED``, for a client that
resumes to be told (``deletions``). Ignored if kept already: a pass log applied again at start after a crash."""

_KINDS: dict[type[Event], str] = {kind: type_name(kind) for kind in (*KEPT, Whispered, Encrypted)}
"""Each kept event class's name in the ``kind`` column, worked out once rather than for every row."""

_SENT = f"({LINE_KINDS} OR {PRIVATE_KINDS})"
"""What ``forget`` deletes of someone's: lines and actions in rooms, and private messages, sealed or not."""


class SQLiteHistory(Service, GroupCommit, StoreReads):
    """A ``History`` in a SQLite file; as a service, its threads run between start and stop.

    Make one with ``open``. ``commits`` counts the transactions written, so
    a test can see which records went in one. ``server_rooms``: the server's
    rooms' folded names, whose last ``seq`` is held in memory, as registered
    rooms' are; ``rooms_held``: how many others keep theirs there, those used
    most recently (chatd.storage.last_seqs).
    """

    log = Logger()

    def __init__(
        self,
        reactor: Any,
        writer: sqlite3.Connection,
        reader: sqlite3.Connection,
        index: sqlite3.Connection,
        log: PassLog,
        position: int,
        held_last: dict[str, int],
        restored: Sequence[Event],
        registered: Sequence[tuple[str, float]] = (),
        waiting: dict[str, tuple[int, int]] | None = None,
        rooms: Sequence[tuple[str, str, str | None]] = (),
        transfers: Sequence[str] = (),
        keys: Sequence[tuple[str, str]] = (),
        key_head: tuple[int, str] = (0, ""),
        room_settings: Sequence[tuple[str, str]] = (),
        path: str | None = None,
        server_rooms: Sequence[str] = (),
        rooms_held: int = ROOMS,
    ) -> None:
        self._reactor = reactor
        self._writer = writer
        self._reader = reader
        self._position = position
        """The position of the last event logged."""
        self.index = SearchIndex(reactor, index, self._unindexed)
        """``/search``'s index (chatd.storage.search_index), kept up after every commit."""
        self._last = LastSeqs(held_last, server_rooms, rooms_held)
        """The last ``seq`` of the rooms the chat may ask for at once (chatd.storage.last_seqs)."""
        self._seq_reads: dict[str, list[Deferred[None]]] = {}
        """Rooms whose last ``seq`` is being read from the file, and who waits for it (``read_last_seq``)."""
        self.restored = restored
        """The events kept that restore the chat's state (``RESTORED``), oldest first, for ``Chat.restore``."""
        self.registered = registered
        """The registered nicknames and when each was registered, read at start, for ``SQLiteAccounts``."""
        self.waiting = waiting or {}
        """How many private messages wait for each offline account and their bytes, read at start, for ``SQLiteMailbox``."""
        self.rooms = rooms
        """The registered rooms, read at start, for ``SQLiteRooms``: name, owner, and one operator (or None) a row."""
        self.transfers = transfers
        """The files' transfers still open, read at start, for ``SQLiteTransfers``: each one's record, encoded."""
        self.keys = keys
        """Every account's device keys, oldest first, read at start, for ``SQLiteKeys``: (account, key) a row."""
        self.key_head = key_head
        """The key log's last seq and hash, read at start, for ``SQLiteKeys``."""
        self.room_settings = room_settings
        """Each registered room's settings, read at start, for ``SQLiteRooms``: (room, settings encoded) a row."""
        self._writing = ThreadPool(1, 1, "chatd-store-writer")
        self._reading = ThreadPool(1, 1, "chatd-store-reader")
        self._forgetting = DeferredLock()
        """Held by the ``forget`` under way: one at a time, whoever asks."""
        self._log = log
        """The pass log (chatd.storage.pass_log); ``open`` gives one."""
        self._events: list[Event] = []
        self._changes: list[Change] = []
        self._told: list[Deferred[None] | None] = []
        """This pass's events, changes and who waits for each change (None: nobody): logged when the pass ends
        (``keep``)."""
        self._urgent = False
        """Someone waits for this pass's changes: commit them as soon as they are logged."""
        self._asked = False
        """Whether ``keep`` is asked for at the end of this pass: something was gathered since it last ran."""
        self._end: IDelayedCall | None = None
        """The store's own call of ``keep`` at the end of this pass, when no ``keep_with`` asks for it."""
        self._ask: Callable[[], None] | None = None
        """What brings ``keep`` at the end of a pass instead (``keep_with``): a front end's outbox."""
        self._pending: Batch | None = None
        """What is logged and not yet handed to the writer."""
        self._due: IDelayedCall | None = None
        """The call that hands ``_pending`` over ``commit_every`` seconds after it began."""
        self._sent: Batch | None = None
        """The batch the writer is writing (one at a time); None when it waits for work."""
        self.commits = 0
        self.commit_every = COMMIT_EVERY
        """Seconds at most between a record logged and its commit (``COMMIT_EVERY``)."""
        self._recent = RecentLines()
        """Each room's last lines, so a replay reads nothing (chatd.storage.recent)."""
        self._path = path
        """The file's path, whose mark (chatd.storage.forgotten) says ``python -m chatd.admin`` deleted lines."""
        self._stamp = None if path is None else forgotten.stamp(path)
        """The mark's stamp when the rooms' last lines were last read from the file, or none was there."""
        self._told_unreadable: set[str] = set()
        """The rows reads found unreadable (``damaged_rows``) that the log has named: once each."""
        self._first_reads: dict[str, list[Deferred[None]]] = {}
        """Rooms whose first read is under way, and who waits for it to answer from memory (``recent``)."""
        self._version = data_version(writer)
        """The writer's ``PRAGMA data_version`` as of its last batch: it changes when another connection commits."""
        self._log_outage = Outage(
            self.log,
            reactor,
            "Could not write to the --db file's pass log ({why}): what is shown until it is written again would be "
            "lost by a crash; further failures are counted, not logged",
            "The --db file's pass log is written again, after {failures}",
            failures="failed write",
        )
        """The pass log's appends failing (a full disk): told once as they begin and once as they end."""
        self._commit_outage = Outage(
            self.log,
            reactor,
            "Could not write to the --db file ({why}): what the chat does is not kept until a write succeeds; "
            "further failures are counted, not logged",
            "The --db file is written again; of {failures}, {lost} not kept",
            failures="failed write",
        )
        """The commits failing (a full disk, a damaged file): told once as they begin and once as they end."""

    @classmethod
    def open(
        cls, path: str, reactor: Any, server_rooms: Sequence[str] = (), rooms_held: int = ROOMS
    ) -> "SQLiteHistory":
        """The store in the file ``path`` (made if missing), checked, upgraded and read; on ``reactor``;
        ``server_rooms`` and ``rooms_held`` as the constructor has them.

        ``reactor`` provides ``IReactorTime`` and ``IReactorFromThreads``.
        Raises ``DatabaseFileError`` (chatd.storage.sqlite_open).
        """
        return cls(reactor, *open_file(path, reactor, cls.log, server_rooms), path, server_rooms, rooms_held)

    @override
    def startService(self) -> None:
        """Open the connections again, in the process that runs them, and start their threads.

        ``open`` ran before twistd forked into the background, and SQLite's
        locks are POSIX record locks, which a forked child does not hold: a
        daemon on the connections it inherited held none, so ``python -m
        chatd.admin`` beside it thought itself the file's only user and
        removed the WAL file the daemon was writing, whose commits it then
        never saw, and the daemon's checkpoint wrote them over its changes,
        damaging the file. Each is closed before any is opened again: SQLite
        keeps one record of a file's locks for all of a process's
        connections, and a new one beside an old would take none either.
        """
        super().startService()
        assert self._path is not None, "open gives the path"
        self.index.let_go()
        self._reader.close()
        self._writer.close()
        self._writer = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        set_up_writer(self._writer)
        self._version = data_version(self._writer)
        index = reopen_index(self._path)
        self._reader = reader_of(self._path)
        self._writing.start()
        self._reading.start()
        self.index.start(index)

    def let_go(self) -> None:
        """Close the files of a store never started, leaving them as they are: a start that cannot go ahead.

        Nothing was written since ``open``, and no thread runs, so each
        connection is closed here, and the file let go for another start.
        """
        self.index.let_go()
        self._reader.close()
        self._writer.close()
        self._log.let_go()

    @override
    def stopService(self) -> "Deferred[None]":
        """Commit what waits, then close the connections and the pass log, and end the threads."""
        super().stopService()
        return Deferred.fromCoroutine(self._stop())

    async def _stop(self) -> None:
        """Once all is written and the index's chunk with it, close each connection on its own thread, end the threads.

        Everything logged is committed then, so the pass log goes too.
        """
        await self._all_written()
        await self.index.stop()
        # All is written: an outage whose writes went through since its last failure is over, said before the end.
        self._log_outage.close()
        self._commit_outage.close()
        self._writing.callInThread(self._writer.close)
        self._reading.callInThread(self._reader.close)
        self._writing.stop()
        self._reading.stop()
        self._log.close()

    def append(self, event: Event) -> None:
        """Queue ``event`` for this pass's record if it is kept; note its room's ``seq`` now, and where a join made its
        room anew (``_MADE``), and whether a room is registered, whose ``seq`` is held always (``LastSeqs``); delete
        the line a ``Deleted`` names (``_delete``)."""
        if isinstance(event, RoomRegistrationNotKept):
            self._last.registered(fold(event.room), event.owner is not None)
            return
        if isinstance(event, Whispered | Encrypted):
            pair = conversation_of(event)
            if pair is not None:
                self._gather(event)
                self._unwatched((_PAIRED, (pair, self._position + len(self._events))))
            return
        if isinstance(event, Deleted):
            self._delete(event)
            return
        if not isinstance(event, KEPT):
            return
        if isinstance(event, ROOM_EVENTS):
            room = fold(event.room)
            self._last.appended(room, event.seq)
            if isinstance(event, RoomRegistered | RoomUnregistered):
                self._last.registered(room, isinstance(event, RoomRegistered))
            if isinstance(event, MESSAGES):
                self._recent.add(room, event)
        self._gather(event)
        if isinstance(event, Joined) and event.made:
            self._unwatched((_MADE, (self._position + len(self._events), fold(event.room))))

    def _delete(self, event: Deleted) -> None:
        """Delete the line ``event`` names in this pass's transaction (``_DELETED``), keeping ``event`` as its
        tombstone (``_TOMBSTONE``), and read its room's last lines from the file again once that is written
        (``RecentLines.drop``)."""
        room = fold(event.room)
        self._recent.drop(room)
        self._unwatched((_DELETED, (room, event.line_seq)))
        self._unwatched((_TOMBSTONE, (room, event.id, event.at, event.actor.nick, encode_event(event))))

    def _gather(self, event: Event) -> None:
        """Add ``event`` to this pass's record."""
        self._events.append(event)
        self._kept_when_the_pass_ends()

    def _kept_when_the_pass_ends(self) -> None:
        """Have ``keep`` log what this pass gathers when it ends, unless the front ends call it sooner."""
        if not self._asked:
            self._asked = True
            if self._ask is None:
                self._end = self._reactor.callLater(0, self.keep)
            else:
                self._ask()

    def keep_with(self, ask: Callable[[], None]) -> None:
        """Have ``ask`` bring ``keep`` at the end of each pass that gathers anything, instead of a call of the store's.

        ``ask()`` must see that ``keep`` runs once this reactor pass's events
        are dispatched, whether or not anything is sent: a front end's
        ``Outbox.send_soon`` does, as its send keeps first. With the store's
        own call, nearly every pass made two (the outbox's and the store's,
        which the outbox's ``keep`` then cancelled). Without ``keep_with``
        (a store used alone) the store calls ``keep`` itself.
        """
        self._ask = ask

    def change(self, statement: str, *arguments: object) -> "Deferred[None]":
        """Run ``statement`` in this pass's transaction; fires once committed, fails if it could not be.

        Its caller waits to answer someone, so the writer commits it as
        soon as it is logged rather than ``commit_every`` later.
        """
        return self.changes((statement, arguments))

    def changes(self, *statements: Statement) -> "Deferred[None]":
        """Run ``statements``, one request's, in this pass's transaction, kept all or none; as ``change``.

        A change the file refuses (a constraint) fails alone, with
        ``sqlite3.IntegrityError``, and the rest of the transaction is
        committed (chatd.storage.pass_log.apply); one that fails as a whole
        (a full disk) fails every change in it.
        """
        self._changes.append(statements)
        done: Deferred[None] = Deferred()
        self._told.append(done)
        self._urgent = True
        self._kept_when_the_pass_ends()
        return done

    def _unwatched(self, statement: Statement) -> None:
        """Run ``statement`` in this pass's transaction, a change nobody waits for."""
        self._changes.append((statement,))
        self._told.append(None)
        self._kept_when_the_pass_ends()

    def keep(self) -> None:
        """Log what was appended since the last record (the front ends call this before sending anything).

        The events become rows, numbered, and go with the statements into
        one record of the pass log: safe from a ``kill -9`` from now on,
        so whatever shows them may go out. The writer commits the record
        within ``commit_every`` seconds, or at once if someone waits.
        """
        self._asked = False
        if self._end is not None:
            if self._end.active():
                self._end.cancel()
            self._end = None
        if not (self._events or self._changes):
            return
        events, self._events = self._events, []
        changes, self._changes = self._changes, []
        told, self._told = self._told, []
        first = self._position + 1
        rows = [_row(position, event) for position, event in enumerate(events, first)]
        self._position += len(rows)
        batch = self._pending
        if batch is None:
            batch = self._pending = Batch()
        try:
            batch.last = self._log.write(rows, changes)
        except OSError:
            self._log_outage.failed(Failure())
        else:
            self._log_outage.succeeded()
        batch.rows += rows
        batch.changes += changes
        batch.told += told
        if self._urgent:
            self._urgent, batch.urgent = False, True
        self._commit_soon(batch)

    def when_written(self, call: Callable[[], None]) -> None:
        """Call ``call`` once every event appended so far is committed: at once if all is, else between passes.

        Called at once, it runs in the middle of whatever asked, so it may
        send bytes or start a read, never publish an event.
        """
        self.keep()
        batch = self._pending or self._sent
        if batch is None:
            call()
            return
        batch.waiting.append(call)
        if batch is self._pending:
            batch.urgent = True
            self._commit_soon(batch)

    def _all_written(self) -> "Deferred[None]":
        """Fires once every event appended so far is committed."""
        written: Deferred[None] = Deferred()
        self.when_written(lambda: written.callback(None))
        return written

    @property
    def writing(self) -> bool:
        """Whether anything appended or changed is not yet committed."""
        return bool(self._events or self._changes) or self._pending is not None or self._sent is not None

    def last_seq(self, room: str) -> int:
        """The ``seq`` of the last event of room ``room`` (folded name), kept or queued; 0 if none.

        Held in memory only for some rooms (chatd.storage.last_seqs): for any
        other, ``read_last_seq`` first. Raises ``LookupError`` if not held.
        """
        seq = self._last.get(room)
        if seq is None:
            raise LookupError(f"the last seq of {room} is not held; read_last_seq first")
        return seq

    def read_last_seq(self, room: str) -> "Deferred[None] | None":
        """None if ``last_seq`` answers for room ``room`` (folded name) now; else a Deferred that fires once it does.

        The room's row is read on the reader thread at once, not after what
        waits to be written as other reads are: a room with an event not yet
        committed is held, so a room not held has none, and the file's row
        is its last. Waiting for the writes made every join of a new room a
        commit of its own. All who ask meanwhile wait for that one read. The
        chat waits before it makes such a room: a join of a name not used
        for a while.
        """
        if self._last.get(room) is not None:
            return None
        done: Deferred[None] = Deferred()
        waiting = self._seq_reads.get(room)
        if waiting is not None:
            waiting.append(done)
            return done
        waiting = self._seq_reads[room] = [done]
        reading = deferToThreadPool(
            self._reactor,
            self._reading,
            first_value,
            self._reader,
            "SELECT last_seq FROM rooms WHERE room = ?",
            (room,),
        )

        def answered(seq: int | None) -> None:
            self._last.read(room, seq or 0)

        def tell(result: Failure | None) -> None:
            for each in self._seq_reads.pop(room):
                if isinstance(result, Failure):
                    each.errback(result)
                else:
                    each.callback(None)

        reading.addCallback(answered).addBoth(tell)
        return done

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


def _row(position: int, event: Event) -> Row:
    """``event`` as the row of ``events`` at ``position``: what it is looked up by, then the whole of it."""
    room, seq = (fold(event.room), event.seq) if isinstance(event, ROOM_EVENTS) else (None, None)
    return (
        position,
        event.id,
        _KINDS[type(event)],
        room,
        seq,
        event.at,
        event.actor.nick,
        encode_event(event),
    )
