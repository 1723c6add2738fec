"""Where a client asks to read a room's history from: the id of an event it saw, or a time.

Either names a point in the order of events (chatd.domain.ids.Point),
whatever the room keeps: ids sort as events happened, in every room, and a
time is its millisecond. The line protocol takes either word as it is
(``/resume #room ID``, ``/history before ID``); IRC's CHATHISTORY as
``msgid=`` and ``timestamp=`` (chatd.irc.history). A time is written one
way on both, server-time's: ``2026-12-04T15:04:05Z``, with up to six
digits of a second after a dot, always UTC; ``t`` and ``z`` may be in lower
case, as RFC 3339 allows.
"""

import re
from datetime import UTC, datetime

from chatd.domain.ids import Point, event_point, time_point

_TIME = re.compile(r"(\d{4}-\d\d-\d\d)[Tt](\d\d:\d\d:\d\d(?:\.\d{1,6})?)[Zz]")
"""A time as server-time writes one (``2026-12-04T15:04:05.123Z``); the seconds' fraction may be left out."""


def moment(text: str) -> float | None:
    """The seconds since the epoch the time ``text`` names; None if it names none (another form, no such date)."""
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    try:
        return datetime.fromisoformat(f"{match[1]}T{match[2]}").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def time_of(text: str) -> Point | None:
    """The point the time ``text`` names (its millisecond); None if it is no time."""
    at = moment(text)
    return None if at is None else point_at(at)


def point_at(at: float) -> Point:
    """The point the time ``at`` (seconds since the epoch) names: its millisecond."""
    return time_point(round(at * 1_000_000))


def point_of(word: str) -> Point | None:
    """The point ``word`` names: an event's id (chatd gave it, or could have), or a time; None if it is neither."""
    return event_point(word) or time_of(word)
