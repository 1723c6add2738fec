"""A bus inside one process: the bus of a daemon that shares its rooms with no other.

Several daemons sharing rooms will carry events through Redis (later,
behind the same port); this one hands each event, as it is, to whoever in
this process subscribed, in the order published.
"""

from collections.abc import Callable

from twisted.application.service import Service

from chatd.domain.events import Event


class MemoryBus(Service):
    """A ``Bus`` whose subscribers are in this process; as a service it has nothing to start or stop."""

    def __init__(self) -> None:
        self._subscribers: list[Callable[[Event], None]] = []

    def publish(self, event: Event) -> None:
        """Hand ``event`` to every subscriber."""
        for receive in self._subscribers:
            receive(event)

    def subscribe(self, receive: Callable[[Event], None]) -> Callable[[], None]:
        """Hand ``receive`` every event published from now on; returns how to stop."""
        self._subscribers.append(receive)
        return lambda: self._subscribers.remove(receive)
