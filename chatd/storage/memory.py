"""History kept in memory: the store of a daemon that keeps nothing across restarts.

It keeps the last ``per_room`` events of each room (enough to page and
resume within a session) and the last sequence number of every room it has
seen, so a room made again goes on numbering from where it stopped. Events
outside rooms (private messages, nickname changes, bans) pass through: the
SQLite store of issue 13 keeps those too.
"""

from collections import deque
from collections.abc import Sequence
from itertools import islice

from twisted.application.service import Service

from chatd.domain.events import ROOM_EVENTS, Event, RoomEvent
from chatd.domain.names import fold

PER_ROOM = 1000
"""Events kept for each room; older ones are forgotten first."""


class MemoryHistory(Service):
    """A ``History`` in this process's memory; as a service it has nothing to start or stop."""

    def __init__(self, per_room: int = PER_ROOM) -> None:
        self._per_room = per_room
        self._rooms: dict[str, deque[RoomEvent]] = {}
        self._last: dict[str, int] = {}

    def append(self, event: Event) -> None:
        """Keep ``event`` if it happened in a room."""
        if isinstance(event, ROOM_EVENTS):
            key = fold(event.room)
            kept = self._rooms.get(key)
            if kept is None:
                kept = self._rooms[key] = deque(maxlen=self._per_room)
            kept.append(event)
            self._last[key] = event.seq

    def last_seq(self, room: str) -> int:
        """The ``seq`` of the last event of room ``room`` (folded name); 0 if none."""
        return self._last.get(room, 0)

    def room_events(self, room: str, after: int, limit: int) -> Sequence[RoomEvent]:
        """Up to ``limit`` kept events of room ``room`` (folded name) with ``seq`` above ``after``, oldest first."""
        kept = self._rooms.get(room, ())
        return list(islice((event for event in kept if event.seq > after), limit))
