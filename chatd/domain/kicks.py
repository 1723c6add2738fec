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
before the latest one. Changed only by applying ``Kicked`` events
(chatd.domain.state).
"""

from collections.abc import Iterable


class KickWaits:
    """Until when each person waits to join each room again, by (folded room name, ``waiting_key``)."""

    def __init__(self) -> None:
        self.until: dict[tuple[str, str], float] = {}
        """Each wait's end by room and person, in the order the kicks came: so by when they end, the wait
        being the same for every kick."""

    def __bool__(self) -> bool:
        return bool(self.until)

    def hold(self, room: str, person: str, until: float, now: float) -> None:
        """Keep ``person`` out of the room with folded name ``room`` until ``until``; drop the waits over by
        ``now`` (oldest first: those ahead of a wait still running wait for it to end)."""
        while self.until:
            first = next(iter(self.until))
            if self.until[first] > now:
                break
            del self.until[first]
        self.until.pop((room, person), None)
        self.until[(room, person)] = until

    def ends(self, room: str, people: Iterable[str], now: float) -> float:
        """When the longest of the waits of ``people`` (``waiting_keys``) for the room with folded name
        ``room`` ends; ``now`` if none runs."""
        return max((self.until.get((room, person), now) for person in people), default=now)
