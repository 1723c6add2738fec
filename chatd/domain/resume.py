"""What a member missed of a room since the last line they saw: the lines, and how many in all; and pages of
its past before, after, around or between two points.

Every read starts from a point in the order of events
(chatd.domain.ids.Point): ids sort as events happened, in every room, so
the id of any event (a line, a join, a QUIT shown in the room, another
room's line, one no longer kept) names where it happened, and a time its
millisecond. A point is placed among the room's lines by bisection
(``History.place``), and what is before, after, around (``beside``,
``around``) or between two points (``between``) read by the room's
sequence numbers from there.

A client that drops and comes back (issue 13) names, per room, the id of
the last line it was shown (the line protocol's ``/resume``, IRC's
``CHATHISTORY LATEST``): the lines after it and before the rejoin are
counted and the latest of them read. Up to ``RESUME_MOST`` come back;
beyond it, the count says how many were left out, so nobody is told
"nothing missed" when lines were. Nor is a line it was shown before it
dropped kept on its screen once deleted meanwhile: it is told of each
line of the room up to its point deleted after it (``Missed.deleted``, the
tombstones ``History.deletions`` keeps), as it would have been live. A page of the lines before a point
(``before``) is read the same way: a program that shows a room pages back
from its oldest line, whatever else its connection asked meanwhile.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from chatd.domain.events import Deleted, RoomEvent
from chatd.domain.ids import Point
from chatd.domain.storage_ports import History

RESUME_MOST = 1000
"""Most lines a resume shows of one room: what the in-memory store keeps of it, at most a few hundred KiB."""


@dataclass(frozen=True, slots=True)
class Missed:
    """What was said in a room after a line and before a rejoin: the latest ``lines``, of ``count`` in all; and the
    lines up to it ``deleted`` since."""

    lines: Sequence[RoomEvent]
    """Oldest first; all ``count`` of them unless there were more than the read's bound."""
    count: int
    deleted: Sequence[Deleted] = ()
    """The deletions, oldest first, made after the point of lines at or before it: lines the client may show."""


class _Span(NamedTuple):
    """Where a point falls among a room's lines: those before it have a ``seq`` below ``below``, those after it one
    above ``above``; those between are at it (an id's own line, a time's millisecond's), and at none ``above`` is
    ``below`` - 1."""

    below: int
    above: int


async def _placed(history: History, room: str, point: Point) -> _Span:
    """Where the point ``point`` falls in room ``room`` (folded): a point falls somewhere in every room."""
    return _Span(await history.place(room, point.start), await history.place(room, point.end) - 1)


async def missed(
    history: History, room: str, at: Point, before: int, most: int, deletions: int = RESUME_MOST
) -> Missed:
    """The messages of room ``room`` (folded) after the point ``at`` and below ``before``: the latest ``most`` of
    them, and how many there are; and the first ``deletions`` deletions made after the point of lines up to it
    (``RESUME_MOST``, however few lines are asked: a deletion left out leaves a deleted line on the client's screen).

    A line said after the point and deleted before the rejoin is neither
    among the lines nor told as deleted: the client never had it.
    """
    span = await _placed(history, room, at)
    # Ids sort as events happened: a line with an id below the point's end was said up to it, one deleted since
    # with a deletion's id from it on.
    deleted = await history.deletions(room, at.end, deletions)
    count = await history.count(room, span.above, before)
    if not count:
        return Missed((), 0, deleted)
    lines = await history.recent(room, before, min(count, most))
    # A line forgotten meanwhile (retention) may have let an older one in.
    return Missed([line for line in lines if line.seq > span.above], count, deleted)


async def before(history: History, room: str, at: Point, count: int) -> Sequence[RoomEvent]:
    """The last ``count`` messages of room ``room`` (folded) before the point ``at``, oldest first."""
    span = await _placed(history, room, at)
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

    A front end that counts lines its own way (IRC's PRIVMSGs) centres on it from these; ``around`` centres by
    messages.
    """
    span = await _placed(history, room, at)
    return await history.recent(room, span.below, count), await history.room_events(
        room, span.below - 1, count
    )


async def around(history: History, room: str, at: Point, count: int) -> Sequence[RoomEvent]:
    """Up to ``count`` messages of room ``room`` (folded) centred on the point ``at``, oldest first.

    As many come before it as after: a message at the point (the one an id
    names, the first of a time's millisecond) opens the later half; at
    either end of the room's lines the window moves in.
    """
    span = await _placed(history, room, at)
    earlier = await history.recent(room, span.below, count)
    events = [*earlier, *await history.room_events(room, span.below - 1, count)]
    half = (count - 1) // 2 if span.below <= span.above else count // 2
    start = max(0, min(len(earlier) - half, len(events) - count))
    return events[start : start + count]


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
