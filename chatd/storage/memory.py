"""History kept in memory: the store of a daemon that keeps nothing across restarts (``--db :memory:``).

Its accounts, mailbox and registered rooms are beside it
(chatd.storage.memory_accounts, memory_mailbox, memory_rooms), as the
SQLite store's are beside ``SQLiteHistory``.

It keeps the last ``per_room`` messages of each of the last ``rooms``
rooms said in (lines said and actions: what a user scrolls back to; the
room said in least recently forgotten first, as a client joining a new
room, saying a line and parting, again and again, would otherwise make it
grow until the daemon stops), as many private messages of each pair of
identified users, and the last sequence number of the ``LAST_SEQS`` rooms
used most recently and of every room whose lines it keeps, so a room made
again goes on numbering from where it stopped, its lines forgotten or not;
a room forgotten that far back numbers from 1 again, as after a restart
(docs/PROTOCOL.md). A room's other events (joins, parts, topics, kicks, modes) pass
through: arrivals and departures would make a busy lobby's memory grow
with every user who comes online (5,000 users reconnecting into 50 rooms:
10,000 joins, about 0.3 KiB a user), and the SQLite store of issue 13
keeps all of it on disk instead. A client that saw one of them last still
reads on from where it happened: its id is a point in the order of events
(chatd.domain.ids), placed among the room's lines by ``place``. Each
``/delete`` leaves its ``Deleted`` event (``deletions``), as many of each
room's as of its lines, for a client resuming after a point to be told.
"""

from bisect import bisect_left
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from itertools import islice, takewhile
from operator import attrgetter

from twisted.application.service import Service
from twisted.internet.defer import Deferred, succeed

from chatd.domain.events import (
    MESSAGES,
    ROOM_EVENTS,
    Acted,
    Deleted,
    Encrypted,
    Event,
    Private,
    RoomEvent,
    Said,
    Whispered,
)
from chatd.domain.offline import conversation_of
from chatd.domain.search import EVER, Found, Period, found_in, search_words, within
from chatd.text import fold

PER_ROOM = 1000
"""Messages kept for each room; older ones are forgotten first."""

ROOMS = 1000
"""Rooms whose messages are kept, those said in least recently forgotten first: a server run with its history in
memory is a small one, and a million lines is what it may hold of them."""


LAST_SEQS = 100_000
"""Rooms whose last sequence number is kept (besides those whose lines are), the room used least recently forgotten
first: 8 to 14 MB of them (76 to 135 bytes a room, docs/SECURITY.md). A client joining a new name, saying a line
and parting, again and again, made 50 rooms a second, every one held until the daemon stopped: 400 MB a day. A room
made again after this many others is numbered from 1, as after a restart; a room is rarely left that long and then
rejoined on a server this small."""


class MemoryHistory(Service):
    """A ``History`` in this process's memory; as a service it has nothing to start or stop."""

    def __init__(self, per_room: int = PER_ROOM, rooms: int = ROOMS, last_seqs: int = LAST_SEQS) -> None:
        self._per_room = per_room
        self._most_rooms = rooms
        self._rooms: OrderedDict[str, deque[RoomEvent]] = OrderedDict()
        """The messages of each room kept, the room said in least recently first."""
        self._most_last = last_seqs
        self._last: OrderedDict[str, int] = OrderedDict()
        """Each room's last ``seq``, the room used least recently first: ``last_seqs`` rooms, and any whose
        messages are kept, whose seqs must go on after theirs."""
        self._private: dict[str, deque[Private]] = {}
        """The last ``per_room`` private messages of each conversation between two accounts."""
        self._pairs: dict[str, list[str]] = {}
        """The conversations each account is in, by account: ``conversations`` looks up one account's, as the
        SQLite store's index of them does (schema step 14), not through every conversation kept."""
        self._deleted: OrderedDict[str, deque[Deleted]] = OrderedDict()
        """The last ``per_room`` deletions of each of the last ``rooms`` rooms deleted in, oldest first."""

    def append(self, event: Event) -> None:
        """Number ``event`` if it happened in a room; keep it if it is a message, or private between two
        accounts; forget the line a ``Deleted`` names."""
        if isinstance(event, Whispered | Encrypted):
            pair = conversation_of(event)
            if pair is not None:
                kept_privately = self._private.get(pair)
                if kept_privately is None:
                    kept_privately = self._private[pair] = deque(maxlen=self._per_room)
                    for account in set(pair.split(" ")):
                        self._pairs.setdefault(account, []).append(pair)
                kept_privately.append(event)
        elif isinstance(event, ROOM_EVENTS):
            key = fold(event.room)
            self._numbered(key, event.seq)
            if isinstance(event, MESSAGES):
                self._kept_for(key).append(event)
        elif isinstance(event, Deleted):
            self._delete(fold(event.room), event.line_seq)
            self._tombstone(fold(event.room), event)

    def _delete(self, room: str, seq: int) -> None:
        """Forget the line of ``room`` with ``seq``, if it is kept (``/delete``)."""
        kept = self._rooms.get(room)
        if kept is not None:
            self._rooms[room] = deque((line for line in kept if line.seq != seq), maxlen=self._per_room)

    def _tombstone(self, room: str, event: Deleted) -> None:
        """Keep ``event`` among ``room``'s deletions, ``room`` now the one deleted in most recently."""
        kept = self._deleted.get(room)
        if kept is None:
            if len(self._deleted) >= self._most_rooms:
                self._deleted.popitem(last=False)
            kept = self._deleted[room] = deque(maxlen=self._per_room)
        self._deleted.move_to_end(room)
        kept.append(event)

    def deletions(self, room: str, point: str, limit: int) -> "Deferred[Sequence[Deleted]]":
        """The first ``limit`` deletions kept of room ``room`` (folded name) made at or after the id ``point`` of
        lines said before it."""
        kept = self._deleted.get(room, ())
        return succeed(list(islice((event for event in kept if event.line < point <= event.id), limit)))

    def _numbered(self, room: str, seq: int) -> None:
        """Note ``seq`` as room ``room``'s last; forget the last seq of the room used least recently if there are
        ``last_seqs`` rooms, passing over those whose messages are kept."""
        self._last[room] = seq
        self._last.move_to_end(room)
        passed = 0
        # Each room passed over is the most recent then: of the ``rooms`` with messages kept, few come up at a time.
        while len(self._last) > self._most_last and passed < len(self._rooms):
            oldest, last = self._last.popitem(last=False)
            if oldest in self._rooms:
                self._last[oldest] = last
                passed += 1

    def _kept_for(self, room: str) -> "deque[RoomEvent]":
        """The messages kept of ``room``, now the room said in most recently; the least recently said in goes if
        there are ``rooms`` already."""
        kept = self._rooms.get(room)
        if kept is not None:
            self._rooms.move_to_end(room)
            return kept
        if len(self._rooms) >= self._most_rooms:
            self._rooms.popitem(last=False)
        kept = self._rooms[room] = deque(maxlen=self._per_room)
        return kept

    def prune(self, before: float) -> "Deferred[int]":
        """Forget the messages and deletions from before ``before`` (seconds since the epoch); how many went."""
        count = 0
        for kept in self._rooms.values():
            count += _drop_older(kept, before)
        for deleted in self._deleted.values():
            count += _drop_older(deleted, before)
        for private in self._private.values():
            count += _drop_older(private, before)
        return succeed(count)

    def forget(self, nick: str, since: float) -> "Deferred[int]":
        """Forget every message, action and private message ``nick`` (any case) sent at ``since`` or later; how
        many went. The deletions ``nick`` made then go too, uncounted."""
        key = fold(nick)

        def kept(event: Event) -> bool:
            return event.at < since or fold(event.actor.nick) != key

        count = 0
        for room, lines in self._rooms.items():
            others = deque(filter(kept, lines), maxlen=self._per_room)
            count += len(lines) - len(others)
            self._rooms[room] = others
        for pair, private in self._private.items():
            left = deque(filter(kept, private), maxlen=self._per_room)
            count += len(private) - len(left)
            self._private[pair] = left
        for room, deleted in self._deleted.items():
            self._deleted[room] = deque(filter(kept, deleted), maxlen=self._per_room)
        return succeed(count)

    def conversation(
        self, pair: str, limit: int, since: float = 0.0, period: Period = EVER
    ) -> "Deferred[Sequence[Private]]":
        """The last ``limit`` private messages of conversation ``pair`` sent at ``since`` or later and within
        ``period``, oldest first."""
        newest = within(reversed(self._private.get(pair, ())), period)
        return succeed(list(islice(takewhile(lambda event: event.at >= since, newest), limit))[::-1])

    def conversations(
        self, account: str, after: float, before: float
    ) -> "Deferred[Sequence[tuple[str, float]]]":
        """The accounts ``account`` has kept private messages with, each with the time of the latest of them, for
        those whose latest is between ``after`` and ``before``."""
        found: list[tuple[str, float]] = []
        for pair in self._pairs.get(account, ()):
            kept = self._private[pair]
            if kept and after < kept[-1].at < before:
                first, second = pair.split(" ")
                found.append((second if first == account else first, kept[-1].at))
        return succeed(found)

    def when_written(self, call: Callable[[], None]) -> None:
        """Memory keeps an event as it is appended: ``call`` now."""
        call()

    def last_seq(self, room: str) -> int:
        """The ``seq`` of the last event of room ``room`` (folded name); 0 if none."""
        return self._last.get(room, 0)

    def read_last_seq(self, room: str) -> None:
        """Memory answers ``last_seq`` at once, for every room: None."""
        return None

    def room_events(self, room: str, after: int, limit: int) -> "Deferred[Sequence[RoomEvent]]":
        """Up to ``limit`` kept messages of room ``room`` (folded name) with ``seq`` above ``after``, oldest first."""
        kept = self._rooms.get(room, ())
        return succeed(list(islice((event for event in kept if event.seq > after), limit)))

    def place(self, room: str, event_id: str) -> "Deferred[int]":
        """The ``seq`` of the first kept message of room ``room`` with an id at or above ``event_id``; one past the
        room's last ``seq`` if none: a bisection of its messages, which are in the order of their ids."""
        kept = self._rooms.get(room, ())
        found = bisect_left(kept, event_id, key=attrgetter("id"))
        return succeed(kept[found].seq if found < len(kept) else self.last_seq(room) + 1)

    def count(self, room: str, after: int, before: int) -> "Deferred[int]":
        """How many kept messages of room ``room`` have a ``seq`` above ``after`` and below ``before``."""
        return succeed(sum(1 for event in self._rooms.get(room, ()) if after < event.seq < before))

    def recent(self, room: str, before: int | None, limit: int) -> "Deferred[Sequence[RoomEvent]]":
        """The last ``limit`` kept messages of room ``room`` with ``seq`` below ``before`` (None: the latest), oldest first."""
        return succeed(self._latest(room, before, limit))

    def at_hand(self, room: str, before: int | None, limit: int) -> Sequence[RoomEvent] | None:
        """As ``recent``, at once, never None: memory holds all there is."""
        return self._latest(room, before, limit)

    def _latest(self, room: str, before: int | None, limit: int) -> list[RoomEvent]:
        kept = self._rooms.get(room, ())
        newest = (event for event in reversed(kept) if before is None or event.seq < before)
        return list(islice(newest, limit))[::-1]

    def search(self, room: str, query: str, limit: int, period: Period = EVER) -> "Deferred[Found]":
        """Up to ``limit`` kept messages of room ``room`` within ``period`` matching ``query`` (chatd.domain.search),
        newest first.

        It reads the messages it keeps of the period (at most ``per_room``,
        and what ``scanned`` allows of their text), whatever the length of
        the words, and counts the characters it checked as the SQLite store
        does.
        """
        newest = within(reversed(self._rooms.get(room, ())), period)
        kept = (e for e in newest if isinstance(e, Said | Acted))
        return succeed(Found(*found_in(kept, attrgetter("text"), search_words(query), limit)))

    def search_private(
        self, pair: str, query: str, limit: int, since: float = 0.0, period: Period = EVER
    ) -> "Deferred[Found]":
        """Up to ``limit`` private messages of conversation ``pair`` sent at ``since`` or later and within ``period``
        matching ``query``, newest first, read as a room's are; never an ``Encrypted`` one, whose text the server
        cannot read."""
        newest = takewhile(
            lambda event: event.at >= since, within(reversed(self._private.get(pair, ())), period)
        )
        kept = (event for event in newest if isinstance(event, Whispered))
        return succeed(Found(*found_in(kept, attrgetter("text"), search_words(query), limit)))


def _drop_older(kept: "deque[RoomEvent] | deque[Private] | deque[Deleted]", before: float) -> int:
    """Forget the events of ``kept`` from before ``before``; how many went."""
    count = 0
    while kept and kept[0].at < before:
        kept.popleft()
        count += 1
    return count
