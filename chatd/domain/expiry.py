"""Deadlines on the chat's clock: mutes and bans run out as events, at their time.

A mute or ban that runs out is a change of state like any other, so it is
an event (``Unmuted`` or ``BanLifted`` by ``CHAT``) published when the
injected clock reaches it, not a side effect of whoever looks next. Each
deadline is one call on the clock (the reactor keeps them in order); the
action checks when it runs whether it still applies (lifted or replaced
since), so nothing needs cancelling but everything at stop.
"""

from collections.abc import Callable

from chatd.domain.ports import Clock, Timer


class Deadlines:
    """Calls each action at (or just after) its time on ``clock``."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._pending: set[Timer] = set()

    def at(self, when: float, action: Callable[[], None]) -> None:
        """Call ``action`` once the clock reaches ``when``."""

        def due() -> None:
            self._pending.discard(timer)
            action()

        timer = self._clock.callLater(max(0.0, when - self._clock.seconds()), due)
        self._pending.add(timer)

    def stop(self) -> None:
        """Cancel every pending deadline: the daemon is stopping."""
        for timer in self._pending:
            if timer.active():
                timer.cancel()
        self._pending.clear()
