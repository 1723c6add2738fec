"""Event ids: short strings that sort in the order events happened, unique in one daemon.

An id is the event's millisecond on the injected clock (rounded; 12 hex digits) and a
counter within that millisecond (4 hex digits). Ids never go backwards: if
the clock does, or more than 65,536 events share a millisecond, the id
borrows the next millisecond. Several daemons sharing rooms (the bus, later)
will add a daemon prefix; the per-room ``seq`` is what history pages by.

So an id names a point in one order of events across every room, whether
or not anything still keeps the event it names, and so does a time (its
millisecond): a ``Point``. IRC's CHATHISTORY reads a room's lines before,
after or around one (chatd.domain.resume).
"""

import re
from typing import NamedTuple

_COUNTER = 0x10000

_ID = re.compile("[0-9a-fA-F]{16}")
"""The form of every id ``EventIds`` makes: 12 hex digits of milliseconds, 4 of counter (lower case; a typed one may
be in upper case, as a user copying one by hand or a program writing hex may give it). A file transfer's id, 8
random bytes (chatd.frontend.transfers), has the same form, and is read the same way."""

_LAST = (1 << 64) - 1
"""The greatest id; a point past it is at it (its millisecond is in the year 10889)."""


class Point(NamedTuple):
    """A point in the order of events, as two ids: events with an id below ``start`` happened before it, those with
    one from ``end`` on after it, and those between are at it (the event an id names; a time's millisecond)."""

    start: str
    end: str


def event_id(text: str) -> str | None:
    """``text`` as the id it names, its hex digits folded to lower case as ids are made; None if it is not of the
    form ids have. A file transfer's id too (``/file``, IRC's ``FILES DECLINE``)."""
    return text.lower() if _ID.fullmatch(text) else None


def event_point(text: str) -> Point | None:
    """Where the event with id ``text`` (in either case: ``event_id``) happened, whatever it was and whether or not
    it is kept; None if ``text`` is not of the form ids have."""
    folded = event_id(text)
    if folded is None:
        return None
    return Point(folded, _id(int(folded, 16) + 1))


def id_moment(event_id: str) -> float:
    """When the event with id ``event_id`` (one ``EventIds`` made) happened: seconds since the epoch, to its
    millisecond. What a front end tells of a line it names by id alone (a deletion's)."""
    return int(event_id, 16) // _COUNTER / 1000


def time_point(microseconds: int) -> Point:
    """The point a time (microseconds since the epoch) names: events of an earlier millisecond are before it, of a
    later one after it, and those of its own millisecond, if it is a whole one, at it."""
    first = -(-microseconds // 1000)
    return Point(_id(max(first, 0) * _COUNTER), _id(max(microseconds // 1000 + 1, 0) * _COUNTER))


def _id(number: int) -> str:
    """``number`` as an id (up to the greatest)."""
    return f"{min(number, _LAST):016x}"


class EventIds:
    """Makes one id per call, for an event at a time on the chat's clock."""

    __slots__ = ("_count", "_ms")

    def __init__(self) -> None:
        self._ms = -1
        self._count = 0

    def __call__(self, at: float) -> str:
        """A new id for an event at ``at`` (seconds), greater than every id made before it."""
        ms = round(at * 1000)
        if ms > self._ms:
            self._ms, self._count = ms, 0
        else:
            self._count += 1
            if self._count == _COUNTER:
                self._ms, self._count = self._ms + 1, 0
        return f"{self._ms:012x}{self._count:04x}"
