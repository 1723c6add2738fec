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
(chatd.storage.sqlite_open), once, before the daemon starts. Here are
the store's life (its threads, start and stop) and the rooms' last
``seq``; its parts by what each does are chatd.storage.pass_keeping (the
appends, each pass logged), chatd.storage.group_commit (the commits),
chatd.storage.store_reads (the reads) and chatd.storage.pruning (the
deletes of ``prune`` and ``forget``).
"""

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from twisted.application.service import Service
from twisted.internet.defer import Deferred, DeferredLock
from twisted.internet.interfaces import IDelayedCall
from twisted.internet.threads import deferToThreadPool
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool
from typing_extensions import override

from chatd.domain.events import (
    Event,
)
from chatd.storage import forgotten
from chatd.storage.group_commit import COMMIT_EVERY, Batch, GroupCommit, data_version
from chatd.storage.last_seqs import ROOMS, LastSeqs
from chatd.storage.outage import Outage
from chatd.storage.pass_keeping import PassKeeping
from chatd.storage.pass_log import PassLog
from chatd.storage.pass_records import Change
from chatd.storage.pruning import Pruning
from chatd.storage.reader_queries import first_value
from chatd.storage.recent import RecentLines
from chatd.storage.search_file import reopen_index
from chatd.storage.search_index import SearchIndex
from chatd.storage.sqlite_open import open_file, reader_of, set_up_writer
from chatd.storage.store_reads import StoreReads


class SQLiteHistory(Service, GroupCommit, PassKeeping, StoreReads, Pruning):
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
        links: Sequence[tuple[str, str, str, str, float]] = (),
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
        self.links = links
        """The HTTP links to files kept, read at start, for ``SQLiteLinks``: (digest, file, key, nick, until) a row,
        those that run out first first."""
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
