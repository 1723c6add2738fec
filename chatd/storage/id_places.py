"""Where an id falls among rows kept in the order of ids, found by bisection (reader thread).

Ids sort as events happened (chatd.domain.ids), and the file keeps events
in that order: by position (the writer appends them as they are made) and,
within a room, by ``seq``. So the first row at or above an id is bisected
over the numbers, each step one look-up in an index (about 20 at a million
rows), where walking back from the end reads every row after the id: all
of them, paging back to the first. Numbers with no row (other rooms'
events, rows forgotten) are stepped over by reading the first row at or
past a number.
"""

import sqlite3
from collections.abc import Callable

FirstFrom = Callable[[int, int], tuple[int, str] | None]
"""The number and id of the first row numbered from one number and below another; None if there is none."""

_FIRST_EVENT_FROM = (
    "SELECT position, id FROM events WHERE position >= ? AND position < ? ORDER BY position LIMIT 1"
)
"""The position and id of the first event from one position and below another: a step of ``position_of``."""


def first_from(first: FirstFrom, event_id: str, last: int) -> int:
    """The number of the first row (``first`` reads them) whose id is ``event_id`` or above; ``last`` + 1 if none,
    ``last`` being the greatest number a row may have."""
    found, low, high = last + 1, 1, last + 1
    # Every row below ``low`` has a lesser id; none from ``high`` up to ``found`` is kept.
    while low < high:
        middle = (low + high) // 2
        row = first(middle, high)
        if row is None:
            high = middle
        elif row[1] < event_id:
            low = row[0] + 1
        else:
            found, high = row[0], middle
    return found


def position_of(connection: sqlite3.Connection, event_id: str) -> int:
    """The position of the first event kept whose id is ``event_id`` or above, in any room or conversation; one
    past the last event's if none is. Bisected over the events' key: the file keeps no index of ids (schema step
    15)."""
    (last,) = connection.execute("SELECT coalesce(max(position), 0) FROM events").fetchone()
    return first_from(
        lambda low, high: connection.execute(_FIRST_EVENT_FROM, (low, high)).fetchone(), event_id, last
    )
