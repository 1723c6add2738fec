"""Deadlines on the chat's clock: mutes and bans run out as events, at their time.

A mute or ban that runs out is a change of state like any other, so it is
an event (``Unmuted`` or ``BanLifted`` by ``CHAT``) published when the
injected clock reaches it, not a side effect of whoever looks next. One
timer is armed at a time, for the earliest deadline.
"""

import heapq
import itertools
from collections.abc import Callable

from chatd.domain.ports import Clock, Timer


class Deadlines:
    """Calls each action at (or just after) its time on ``clock``."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._timer: Timer | None = None
        self._armed_for: float | None = None

    def at(self, when: float, action: Callable[[], None]) -> None:
        """Call ``action`` once the clock reaches ``when``; it checks itself whether it still applies."""
        heapq.heappush(self._heap, (when, next(self._order), action))
        self._arm()

    def stop(self) -> None:
        """Cancel the timer: the daemon is stopping."""
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self._timer = self._armed_for = None

    def _arm(self) -> None:
        if not self._heap or self._armed_for == self._heap[0][0]:
            return
        self.stop()
        self._armed_for = self._heap[0][0]
        self._timer = self._clock.callLater(max(0.0, self._armed_for - self._clock.seconds()), self._fire)

    def _fire(self) -> None:
        self._timer = self._armed_for = None
        now = self._clock.seconds()
        while self._heap and self._heap[0][0] <= now:
            _, _, action = heapq.heappop(self._heap)
            action()
        self._arm()
