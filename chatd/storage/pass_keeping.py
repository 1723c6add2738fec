"""What each reactor pass's events and changes become: one record of the pass log, which the writer then commits.

``append`` only queues: an event the history keeps (``KEPT``) is
gathered, with the statements it brings (a private message filed under
its conversation, a join that made its room anew, a line deleted). When
the pass ends, or sooner if the front ends are about to send (``keep``),
what was gathered becomes rows, numbered, and goes with the pass's
statements into the pass log with one ``write``: from then on a ``kill
-9`` loses none of it (chatd.storage.pass_log), and the commit loop
(chatd.storage.group_commit) writes it to the file. ``PassKeeping`` is a
part of ``SQLiteHistory``, which sets the state it names.
"""

from collections.abc import Callable
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall
from twisted.python.failure import Failure

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
    Killed,
    Muted,
    NickChanged,
    Quit,
    RoomRegistered,
    RoomRegistrationNotKept,
    RoomUnregistered,
    Unmuted,
    Whispered,
)
from chatd.domain.offline import conversation_of
from chatd.storage.group_commit import Batch
from chatd.storage.last_seqs import LastSeqs
from chatd.storage.outage import Outage
from chatd.storage.pass_log import PassLog
from chatd.storage.pass_records import Change, Row, Statement
from chatd.storage.recent import RecentLines
from chatd.storage.schema import LINE_KINDS, PRIVATE_KINDS
from chatd.text import fold

KEPT: tuple[type[Event], ...] = (
    *ROOM_EVENTS,
    Quit,
    NickChanged,
    BanAdded,
    Banned,
    Killed,
    BanLifted,
    Muted,
    Unmuted,
)
"""What is written: what happened in rooms, who left or was renamed, and moderation of the whole server.

Private messages are written too when both sides had identified
(``conversation_of``): only their two accounts read them back. Arrivals
and walls are not history. A new nickname and a kill, like a quit, name
no room and no read gives them back (a replay is of lines): they are
kept for ``python -m chatd.admin export``, which follows a room's members
through them (a member renamed, then quit or killed, under the new name).
"""

_PAIRED = f"UPDATE events SET pair = ? WHERE position = ? AND {PRIVATE_KINDS}"
"""Files a private message just written under its conversation, in the same transaction: a statement of
its own, so the events' row (``_row``, ``pass_apply.INSERT``) is the same for every schema since the first.
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


class PassKeeping:
    """``SQLiteHistory``'s write path: a pass's events and changes gathered, then logged as one record."""

    # Set by SQLiteHistory's constructor, which says what each is.
    _reactor: Any
    _log: PassLog
    _log_outage: Outage
    _last: LastSeqs
    _recent: RecentLines
    _position: int
    _events: list[Event]
    _changes: list[Change]
    _told: list[Deferred[None] | None]
    _urgent: bool
    _asked: bool
    _end: IDelayedCall | None
    _ask: Callable[[], None] | None
    _pending: Batch | None
    _sent: Batch | None
    _commit_soon: Callable[[Batch], None]

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
        committed (chatd.storage.pass_apply.apply); one that fails as a whole
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
