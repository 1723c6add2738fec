"""What a member missed of a room since the last line they saw: the lines, and how many in all.

A client that drops and comes back (issue 13) names, per room, the id of
the last line it was shown. Ids are what clients see and keep; the store
reads by the room's sequence numbers, so the id is looked up first
(``History.seq_of``), then the lines between it and the rejoin are counted
and the latest of them read. Up to ``RESUME_MOST`` come back; beyond it,
the count says how many were left out, so nobody is told "nothing missed"
when lines were. The id may be any event's of the room the store keeps
(an IRC client tracks the last msgid it saw, a JOIN's as well as a
PRIVMSG's): what comes back is the lines after where it happened. An id
the room does not keep (another room's, forgotten, never one) gives None,
and the front end says so and shows the usual last lines instead. A page
of the lines before or after an id (``before``, ``after``), or between
two (``between``), is read the same way: a program that shows a room
pages back from its oldest line, whatever else its connection asked
meanwhile.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from chatd.domain.errors import NotKeptError
from chatd.domain.events import RoomEvent
from chatd.domain.ports import History

RESUME_MOST = 1000
"""Most lines a resume shows of one room: what the in-memory store keeps of it, at most a few hundred KiB."""


@dataclass(frozen=True, slots=True)
class Missed:
    """What was said in a room after a line and before a rejoin: the latest ``lines``, of ``count`` in all."""

    lines: Sequence[RoomEvent]
    """Oldest first; all ``count`` of them unless there were more than the read's bound."""
    count: int


async def missed(history: History, room: str, event_id: str, before: int, most: int) -> Missed | None:
    """The messages of room ``room`` (folded) after the event with id ``event_id`` and below ``before``.

    The latest ``most`` of them, and how many there are; None if no
    event with that id is kept in the room.
    """
    after = await history.seq_of(room, event_id)
    if after is None:
        return None
    count = await history.count(room, after, before)
    if not count:
        return Missed((), 0)
    lines = await history.recent(room, before, min(count, most))
    # A line forgotten meanwhile (retention) may have let an older one in.
    return Missed([line for line in lines if line.seq > after], count)


async def before(history: History, room: str, event_id: str, count: int) -> Sequence[RoomEvent] | None:
    """The last ``count`` messages of room ``room`` (folded) before the event with id ``event_id``, oldest first.

    None if no event with that id is kept in the room.
    """
    seq = await history.seq_of(room, event_id)
    if seq is None:
        return None
    return await history.recent(room, seq, count)


async def after(history: History, room: str, event_id: str, count: int) -> Sequence[RoomEvent] | None:
    """The first ``count`` messages of room ``room`` (folded) after the event with id ``event_id``, oldest first.

    None if no event with that id is kept in the room.
    """
    seq = await history.seq_of(room, event_id)
    if seq is None:
        return None
    return await history.room_events(room, seq, count)


async def beside(
    history: History, room: str, event_id: str, count: int
) -> tuple[Sequence[RoomEvent], Sequence[RoomEvent]] | None:
    """The last ``count`` messages of room ``room`` (folded) before the event with id ``event_id``, and the first
    ``count`` from it on (it first, if it is a message), each oldest first.

    None if no event with that id is kept in the room. A front end that
    counts lines its own way (IRC's PRIVMSGs) centres on it from these.
    """
    seq = await history.seq_of(room, event_id)
    if seq is None:
        return None
    return await history.recent(room, seq, count), await history.room_events(room, seq - 1, count)


@dataclass(frozen=True, slots=True)
class Between:
    """The messages of a room between two of its events, counted from the first (IRC's CHATHISTORY BETWEEN)."""

    lines: Sequence[RoomEvent]
    """Oldest first, whichever way they were counted."""
    forward: bool
    """The first event is the older: ``lines`` are the first after it; else the last before it, and a front end
    that has to leave some out leaves out those farthest from the first event, the oldest."""


async def between(
    history: History, room: str, shown: str, first_id: str, second_id: str, count: int
) -> Between:
    """Up to ``count`` messages of room ``room`` (folded; ``shown`` as it shows) between the events with ids
    ``first_id`` and ``second_id``, neither of them, counted from the first: forward in time if it is the
    older, back from it if it is the newer.

    Raises NotKeptError naming the first id the room keeps no event of.
    """
    first = await history.seq_of(room, first_id)
    if first is None:
        raise NotKeptError(shown, first_id)
    second = await history.seq_of(room, second_id)
    if second is None:
        raise NotKeptError(shown, second_id)
    if first <= second:
        later = await history.room_events(room, first, count)
        return Between([line for line in later if line.seq < second], forward=True)
    earlier = await history.recent(room, first, count)
    return Between([line for line in earlier if line.seq > second], forward=False)


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
