"""What a member missed of a room since the last line they saw: the lines, and how many in all.

A client that drops and comes back (issue 13) names, per room, the id of
the last line it was shown. Ids are what clients see and keep; the store
reads by the room's sequence numbers, so the id is looked up first
(``History.seq_of``), then the lines between it and the rejoin are counted
and the latest of them read. Up to ``RESUME_MOST`` come back; beyond it,
the count says how many were left out, so nobody is told "nothing missed"
when lines were. The id may be any event's of the room the store keeps
(a client tracks the last id it saw, a join's as well as a line's): what
comes back is the lines after where it happened. An id the room does not
keep (another room's, forgotten, never one) gives None, and the front end
says so and shows the usual last lines instead. A page of the lines
before an id (``before``) is read the same way: a program that shows a
room pages back from its oldest line, whatever else its connection asked
meanwhile.

IRC's CHATHISTORY reads from points in the order of events instead
(chatd.domain.ids.Point): a msgid of any event (a QUIT's, another room's,
one no longer kept) or a time. A point is placed among the room's lines
by bisection (``History.place``), and what is before, after, around
(``beside``) or between two points (``between``) read by those numbers.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, overload

from chatd.domain.events import RoomEvent
from chatd.domain.ids import Point
from chatd.domain.ports import History

RESUME_MOST = 1000
"""Most lines a resume shows of one room: what the in-memory store keeps of it, at most a few hundred KiB."""


@dataclass(frozen=True, slots=True)
class Missed:
    """What was said in a room after a line and before a rejoin: the latest ``lines``, of ``count`` in all."""

    lines: Sequence[RoomEvent]
    """Oldest first; all ``count`` of them unless there were more than the read's bound."""
    count: int


class _Span(NamedTuple):
    """Where a reference falls among a room's lines: those before it have a ``seq`` below ``below``, those after it
    one above ``above`` (the same number if the reference is a line, or any event the store numbers)."""

    below: int
    above: int


async def _placed(history: History, room: str, point: Point) -> _Span:
    """Where the point ``point`` falls in room ``room`` (folded): a point falls somewhere in every room."""
    return _Span(await history.place(room, point.start), await history.place(room, point.end) - 1)


async def _span(history: History, room: str, at: str | Point) -> _Span | None:
    """Where ``at`` falls in room ``room`` (folded): a point, or the id of an event the room keeps (None if it keeps
    none: the line protocol's ``/resume`` and ``/history before ID`` say so rather than guess)."""
    if isinstance(at, Point):
        return await _placed(history, room, at)
    seq = await history.seq_of(room, at)
    return None if seq is None else _Span(seq, seq)


@overload
async def missed(history: History, room: str, at: Point, before: int, most: int) -> Missed: ...
@overload
async def missed(history: History, room: str, at: str, before: int, most: int) -> Missed | None: ...
async def missed(history: History, room: str, at: str | Point, before: int, most: int) -> Missed | None:
    """The messages of room ``room`` (folded) after ``at`` (an event's id, or a point) and below ``before``.

    The latest ``most`` of them, and how many there are; None if ``at`` is
    an id of no event the room keeps.
    """
    span = await _span(history, room, at)
    if span is None:
        return None
    count = await history.count(room, span.above, before)
    if not count:
        return Missed((), 0)
    lines = await history.recent(room, before, min(count, most))
    # A line forgotten meanwhile (retention) may have let an older one in.
    return Missed([line for line in lines if line.seq > span.above], count)


@overload
async def before(history: History, room: str, at: Point, count: int) -> Sequence[RoomEvent]: ...
@overload
async def before(history: History, room: str, at: str, count: int) -> Sequence[RoomEvent] | None: ...
async def before(history: History, room: str, at: str | Point, count: int) -> Sequence[RoomEvent] | None:
    """The last ``count`` messages of room ``room`` (folded) before ``at`` (an event's id, or a point), oldest first.

    None if ``at`` is an id of no event the room keeps.
    """
    span = await _span(history, room, at)
    if span is None:
        return None
    return await history.recent(room, span.below, count)


async def after(history: History, room: str, at: Point, count: int) -> Sequence[RoomEvent]:
    """The first ``count`` messages of room ``room`` (folded) after the point ``at``, oldest first."""
    span = await _placed(history, room, at)
    return await history.room_events(room, span.above, count)


async def beside(
    history: History, room: str, at: Point, count: int
) -> tuple[Sequence[RoomEvent], Sequence[RoomEvent]]:
    """The last ``count`` messages of room ``room`` (folded) before the point ``at``, and the first ``count`` from it
    on (the message it names first, if it names one), each oldest first.

    A front end that counts lines its own way (IRC's PRIVMSGs) centres on it from these.
    """
    span = await _placed(history, room, at)
    return await history.recent(room, span.below, count), await history.room_events(
        room, span.below - 1, count
    )


@dataclass(frozen=True, slots=True)
class Between:
    """The messages of a room between two points, counted from the first (IRC's CHATHISTORY BETWEEN)."""

    lines: Sequence[RoomEvent]
    """Oldest first, whichever way they were counted."""
    forward: bool
    """The first point is the older: ``lines`` are the first after it; else the last before it, and a front end
    that has to leave some out leaves out those farthest from the first point, the oldest."""


async def between(history: History, room: str, first: Point, second: Point, count: int) -> Between:
    """Up to ``count`` messages of room ``room`` (folded) between the points ``first`` and ``second``, neither at
    them, counted from the first: forward in time if it is the older, back from it if it is the newer."""
    start = await _placed(history, room, first)
    end = await _placed(history, room, second)
    if start.below <= end.below:
        later = await history.room_events(room, start.above, count)
        return Between([line for line in later if line.seq < end.below], forward=True)
    earlier = await history.recent(room, start.below, count)
    return Between([line for line in earlier if line.seq > end.above], forward=False)


def centred(events: Sequence[RoomEvent], found: int, seq: int, limit: int) -> slice:
    """Where in ``events`` (a room's messages, in order) the ``limit`` of them centred on ``seq`` are.

    ``found`` is the index of the first at or past ``seq``. As many come
    before as after: the message at ``seq``, if it is one, opens the later
    half; at either end of ``events`` the window moves in. How both stores
    answer ``History.around``.
    """
    before = (limit - 1) // 2 if found < len(events) and events[found].seq == seq else limit // 2
    start = max(0, min(found - before, len(events) - limit))
    return slice(start, start + limit)
