"""Event ids: short strings that sort in the order events happened, unique in one daemon.

An id is the event's millisecond on the injected clock (rounded; 12 hex digits) and a
counter within that millisecond (4 hex digits). Ids never go backwards: if
the clock does, or more than 65,536 events share a millisecond, the id
borrows the next millisecond. Several daemons sharing rooms (the bus, later)
will add a daemon prefix; the per-room ``seq`` is what history pages by.
"""

_COUNTER = 0x10000


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
