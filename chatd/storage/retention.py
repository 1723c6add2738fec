"""Forgetting old events (``--retain-days``): what goes, what stays, and the schedule.

Everything kept longer ago than the retention goes, bar what the chat needs
back at start, which no age makes useless:

- a ban or mute still in force: the last event on its target (an address,
  or a nickname's look, ``nickname_key``) when that is a ban or mute without an end or with
  an end still to come. Older events on the same target changed nothing
  the last one does not say again, so they go; so do a lift, an unmute, and
  a ban or mute that ran out, once old, with everything before them.
- each room's last topic and last lock (one event of each a room): a room
  that outlives its members gets them back when it is made again
  (chatd.domain.rooms).
- a kick whose wait has not ended by the retention's start (a host may give
  ``--kick-rejoin`` longer than ``--retain-days``): it holds its person out
  of the room after a restart until it ends (chatd.domain.kicks).

Each room's numbering is in the ``rooms`` table, which nothing deletes, so
a room goes on counting after its old lines are gone.

The work is done on the store's writer thread a chunk at a time
(``CHUNK`` events, each chunk its own transaction), so the batches of new
events the chat writes meanwhile wait at most one chunk. Old events are
found by position (the order they were written, which is the order of
their times): a window of ``CHUNK`` positions at a time from the oldest,
until a window holds nothing that old; no index on time is needed, and the
writes of every line pay for none.
"""

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from twisted.application.service import Service
from twisted.internet.defer import Deferred
from twisted.internet.task import LoopingCall
from twisted.logger import Logger
from twisted.python.failure import Failure
from typing_extensions import override

from chatd.domain.bans import nickname_key, target_key
from chatd.domain.encoding import decode_event, encode_event, type_name
from chatd.domain.events import BanAdded, BanLifted, Event, Kicked, Muted, TopicChanged, TopicLocked, Unmuted
from chatd.storage.schema import KICK_ENDS, LINE_KINDS, MODERATION, PRIVATE_KINDS, TOPICS
from chatd.text import fold

CHUNK = 1000
"""Events looked at (and at most deleted) in one transaction of the writer."""

EVERY = 3600.0
"""Seconds between two rounds of forgetting (the first is at start)."""

DAY = 86400.0

_TOPIC_KINDS = frozenset(type_name(kind) for kind in (TopicChanged, TopicLocked))
"""The kinds ``TOPICS`` tests for."""

_MODERATION_KINDS = frozenset(type_name(kind) for kind in (BanAdded, BanLifted, Muted, Unmuted))
"""The kinds ``MODERATION`` tests for."""


def superseded(connection: sqlite3.Connection, before: float, now: float) -> list[int]:
    """The positions of the ban, mute and topic events older than ``before`` that nothing needs back at ``now``."""
    doomed = [position for rows in _targets(connection) for position in _unneeded(rows, before, now)]
    rooms: defaultdict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    for position, room, kind, at in connection.execute(
        f"SELECT position, room, kind, at FROM events WHERE {TOPICS} ORDER BY room, kind, position"
    ):
        rooms[room, kind].append((position, at))
    doomed += [position for rows in rooms.values() for position, at in rows[:-1] if at < before]
    return sorted(doomed)


def _targets(connection: sqlite3.Connection) -> Iterable[list[tuple[int, float, Event]]]:
    """Every ban and mute event, one list for each target (``_target``), oldest first: position, time, event."""
    targets: defaultdict[tuple[str, bool, str], list[tuple[int, float, Event]]] = defaultdict(list)
    for position, at, body in connection.execute(
        f"SELECT position, at, body FROM events WHERE {MODERATION} ORDER BY position"
    ):
        event = decode_event(body)
        targets[_target(event)].append((position, at, event))
    return targets.values()


def _target(event: Event) -> tuple[str, bool, str]:
    """What a ban or mute event is about: the kind of thing, whether an address, and its key."""
    if isinstance(event, (BanAdded, BanLifted)):
        return "ban", event.address, target_key(event.address, event.target)
    assert isinstance(event, (Muted, Unmuted)), "only ban and mute events are read"
    return "mute", False, nickname_key(event.nick)


def _unneeded(rows: Sequence[tuple[int, float, Event]], before: float, now: float) -> list[int]:
    """Of one target's events (oldest first), the positions of those older than ``before`` that can go.

    What is left must restore what all of them do: the last event decides.
    """
    old = [position for position, at, _ in rows if at < before]
    young = [event for _, at, event in rows if at >= before]
    if _in_force(rows[-1][2], now) or (young and _in_force(young[-1], now)):
        # Keep the last event: it holds the ban or mute, or (when the clock
        # went back) it lifts one that a younger event, kept, would bring back.
        return [position for position in old if position != rows[-1][0]]
    return old


def _in_force(event: Event, now: float) -> bool:
    """Whether ``event`` sets a ban or mute that holds at ``now``."""
    return isinstance(event, (BanAdded, Muted)) and (event.until is None or event.until > now)


def sent_by(connection: sqlite3.Connection, nick: str, kinds: str, since: float) -> list[int]:
    """The positions of the events of ``kinds`` (an SQL test of ``kind``) sent by ``nick`` in any case or width,
    at ``since`` (seconds) or later.

    Found outside any write (the daemon's on its reader thread), so a writer waits only for each chunk's
    ``delete`` (``/forget`` and ``python -m chatd.admin forget``).
    """
    connection.create_function("fold", 1, fold, deterministic=True)
    query = f"SELECT position FROM events WHERE {kinds} AND at >= ? AND fold(nick) = ?"
    return [position for (position,) in connection.execute(query, (since, fold(nick)))]


def deletions_by(connection: sqlite3.Connection, nick: str, since: float) -> list[tuple[str, str]]:
    """The deletions (schema step 19) ``nick`` (in any case or width) made at ``since`` (seconds) or later, each as
    its room and id; found outside any write, as ``sent_by`` finds lines (``/forget``, ``python -m chatd.admin
    forget``)."""
    connection.create_function("fold", 1, fold, deterministic=True)
    query = "SELECT room, id FROM deletions WHERE at >= ? AND fold(nick) = ?"
    return connection.execute(query, (since, fold(nick))).fetchall()


def forget_deletions(connection: sqlite3.Connection, keys: Sequence[tuple[str, str]]) -> int:
    """Delete the deletions of ``keys`` (room and id) in one transaction; how many went. Few (one a ``/delete``):
    no chunks."""
    with _written(connection):
        deleted = connection.executemany("DELETE FROM deletions WHERE room = ? AND id = ?", keys)
    return deleted.rowcount


def old_deletions(connection: sqlite3.Connection, before: float) -> int:
    """Delete the deletions (schema step 19) made before ``before`` (seconds), in one transaction; how many went:
    kept as long as lines are (``--retain-days``)."""
    with _written(connection):
        deleted = connection.execute("DELETE FROM deletions WHERE at < ?", (before,))
    return deleted.rowcount


def lines_and_private(connection: sqlite3.Connection, nick: str, since: float) -> tuple[list[int], list[int]]:
    """The positions of the room lines and of the private messages ``nick`` sent, as ``sent_by`` finds each, in
    one read of the events rather than one for each kind (``python -m chatd.admin forget --private``)."""
    connection.create_function("fold", 1, fold, deterministic=True)
    query = (
        f"SELECT position, {PRIVATE_KINDS} FROM events WHERE ({LINE_KINDS} OR {PRIVATE_KINDS}) "
        "AND at >= ? AND fold(nick) = ?"
    )
    lines: list[int] = []
    private: list[int] = []
    for position, is_private in connection.execute(query, (since, fold(nick))):
        (private if is_private else lines).append(position)
    return lines, private


def acted_by(connection: sqlite3.Connection, nick: str) -> list[tuple[int, str]]:
    """Every event ``nick`` (in any case or width) acted, whoever had the nickname: its position and kind, in one read
    of the events (``python -m chatd.admin forget``)."""
    connection.create_function("fold", 1, fold, deterministic=True)
    query = "SELECT position, kind FROM events WHERE fold(nick) = ? ORDER BY position"
    return connection.execute(query, (fold(nick),)).fetchall()


def unneeded(connection: sqlite3.Connection, events: Sequence[tuple[int, str]], now: float) -> list[int]:
    """Of some of one person's ``events`` (position and kind), the positions of those the chat needs no more at
    ``now``: what the retention would delete were they all old (``python -m chatd.admin forget``).

    A join, a part, a quit, and whatever else nothing reads back at start,
    can go. What stays: each room's last topic and last lock, a kick whose
    wait has not ended, and the last event on a ban or mute target while
    in force. Unlike the retention, which takes a target's old events
    together, this takes one person's alone: their lift of someone else's
    ban stays too while that ban would be in force without it.
    """
    kinds = {kind for _, kind in events}
    needed: set[int] = set()
    if kinds & _TOPIC_KINDS:
        query = f"SELECT max(position) FROM events WHERE {TOPICS} GROUP BY room, kind"
        needed.update(position for (position,) in connection.execute(query))
    if "kicked" in kinds:
        query = f"SELECT position FROM events WHERE kind = 'kicked' AND {KICK_ENDS} > ?"
        needed.update(position for (position,) in connection.execute(query, (now,)))
    theirs = {position for position, _ in events}
    if kinds & _MODERATION_KINDS:
        for rows in _targets(connection):
            last, _, event = rows[-1]
            if last in theirs:
                rest = [other for position, _, other in rows if position not in theirs]
                if _in_force(event, now) or (rest and _in_force(rest[-1], now)):
                    needed.add(last)
    return sorted(theirs - needed)


def kicks_of(connection: sqlite3.Connection, nick: str, now: float) -> tuple[list[tuple[int, str]], int]:
    """The kicks of ``nick`` (in any case or width), whoever gave them, that hold the address they came from: those
    whose wait is over at ``now``, each position with its body without it, and how many whose wait runs
    (``python -m chatd.admin forget``).

    A kick of someone not identified holds them out by their nickname's look
    from their address (``person``, chatd.domain.people ``waiting_key``).
    Once its wait is over nothing reads that back, so it can go, the kick
    and who gave it staying; while it runs, a start needs it to hold them
    out still.
    """
    connection.create_function("fold", 1, fold, deterministic=True)
    query = (
        "SELECT position, body FROM events WHERE kind = 'kicked' AND fold(json_extract(body, '$.nick')) = ?"
    )
    over: list[tuple[int, str]] = []
    running = 0
    for position, body in connection.execute(query, (fold(nick),)):
        kick = decode_event(body)
        assert isinstance(kick, Kicked), "only kicks are read"
        if not _holds_address(kick.person):
            continue
        if kick.until > now:
            running += 1
        else:
            over.append((position, encode_event(replace(kick, person=""))))
    return over, running


def _holds_address(person: str) -> bool:
    """Whether a kick's ``person`` is a nickname's look from an address (``look:LOOK@ADDRESS``), not an account's."""
    return person.startswith("look:") and person.rpartition("@")[2] != ""


@contextmanager
def _written(connection: sqlite3.Connection) -> Iterator[None]:
    """One write transaction on ``connection`` (in autocommit mode) around the block: committed, or rolled back if
    the block raises."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def rewrite(connection: sqlite3.Connection, bodies: Sequence[tuple[int, str]]) -> int:
    """Give each event at a position of ``bodies`` the body beside it, in one transaction; how many changed."""
    with _written(connection):
        changed = connection.executemany(
            "UPDATE events SET body = ? WHERE position = ?", [(body, p) for p, body in bodies]
        )
    return changed.rowcount


def delete(connection: sqlite3.Connection, positions: Sequence[int]) -> int:
    """Delete the events at ``positions`` in one transaction; how many went."""
    with _written(connection):
        deleted = connection.executemany("DELETE FROM events WHERE position = ?", [(p,) for p in positions])
    return deleted.rowcount


def window(connection: sqlite3.Connection, after: int, before: float) -> tuple[int | None, int]:
    """Delete the events older than ``before`` among the ``CHUNK`` after position ``after``, in one transaction.

    Ban, mute and topic events are left to ``superseded``, and kicks whose
    wait ends after ``before`` stay. Returns the last position looked at,
    None once a window holds nothing that old (the rest is younger), and
    how many went.
    """
    rows = connection.execute(
        "SELECT position, at FROM events WHERE position > ? ORDER BY position LIMIT ?", (after, CHUNK)
    ).fetchall()
    if not any(at < before for _, at in rows):
        return None, 0
    last = rows[-1][0]
    with _written(connection):
        deleted = connection.execute(
            f"DELETE FROM events WHERE position > ? AND position <= ? AND at < ? "
            f"AND NOT {MODERATION} AND NOT {TOPICS} AND NOT (kind = 'kicked' AND {KICK_ENDS} > ?)",
            (after, last, before, before),
        )
    return last, deleted.rowcount


class Retention(Service):
    """Has a history forget what is older than ``days`` days: once at start, then every ``EVERY`` seconds.

    ``prune(before)`` deletes what is older than ``before`` (seconds since
    the epoch) and fires with how many events went; the next round waits
    for it. A round that fails is logged, and the next one tries again.
    """

    log = Logger()

    def __init__(self, prune: Callable[[float], "Deferred[int]"], days: float, clock: Any) -> None:
        self._prune = prune
        self._days = days
        self._clock = clock
        self._loop = LoopingCall(self._round)
        self._loop.clock = clock

    @override
    def startService(self) -> None:
        super().startService()
        self._loop.start(EVERY, now=True)

    @override
    def stopService(self) -> None:
        super().stopService()
        if self._loop.running:
            self._loop.stop()

    def _round(self) -> "Deferred[None]":
        """Forget what is older than the retention now; log how much went, or why nothing did."""
        pruned = self._prune(self._clock.seconds() - self._days * DAY)
        return pruned.addCallback(self._done).addErrback(self._failed)

    def _done(self, count: int) -> None:
        """Log how many events went, if any did."""
        if count:
            self.log.info(
                "Forgot {count} events older than {days} days (--retain-days)", count=count, days=self._days
            )

    def _failed(self, failure: Failure) -> None:
        """Log why a round failed; the loop goes on to the next."""
        self.log.failure("Could not forget old events (--retain-days)", failure)
