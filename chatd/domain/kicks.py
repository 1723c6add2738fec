"""The waits kicks leave: which person may not join which room again until when.

A kick keeps its target out of the room for ``Limits.kick_rejoin``
seconds. The wait was the kicked user's and ended with their connection,
so a student who reloaded the page, or came back on another front end,
was back in at once (the class trial's F7); here it is kept for the
person (chatd.domain.people ``waiting_key``: their account, else their
nickname's look from their host), whatever they come back on. The user
keeps its own too (``User.kicked_from``), which follows its renames.

Memory is bounded: each kick drops the waits that are over by its time,
so what is held is at most the kicks of the last ``kick_rejoin`` seconds
before the latest one, and the waits kept from before a restart still
running. Those may end after later kicks' do (the restarted daemon's
``--kick-rejoin`` shorter), so the waits are taken by their ends, not by
the order the kicks came. Changed only by applying ``Kicked`` events
(chatd.domain.state) and by the restore at start.
"""

import heapq
from collections.abc import Iterable


class KickWaits:
    """Until when each person waits to join each room again, by (folded room name, ``waiting_key``)."""

    __slots__ = ("_ends", "until")

    def __init__(self) -> None:
        self.until: dict[tuple[str, str], float] = {}
        """Each wait's end by room and person."""
        self._ends: list[tuple[float, tuple[str, str]]] = []
        """A heap of each wait held and its end, soonest first; one a later kick of the same person replaced
        stays until its own end, then goes without touching ``until``."""

    def __bool__(self) -> bool:
        return bool(self.until)

    def hold(self, room: str, person: str, until: float, now: float) -> None:
        """Keep ``person`` out of the room with folded name ``room`` until ``until``; drop the waits over by
        ``now``, soonest first, whatever order they were held in."""
        while self._ends and self._ends[0][0] <= now:
            end, key = heapq.heappop(self._ends)
            if self.until.get(key) == end:
                del self.until[key]
        self.until[(room, person)] = until
        heapq.heappush(self._ends, (until, (room, person)))

    def ends(self, room: str, people: Iterable[str], now: float) -> float:
        """When the longest of the waits of ``people`` (``waiting_keys``) for the room with folded name
        ``room`` ends; ``now`` if none runs."""
        return max((self.until.get((room, person), now) for person in people), default=now)
