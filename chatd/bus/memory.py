"""A bus inside one process: the bus of a daemon that shares its rooms with no other.

Several daemons sharing rooms will carry events through Redis (later,
behind the same port); this one hands each event, as it is, to whoever in
this process subscribed to its kind, in the order published.

Every event of the chat comes through here, a line said as often as a
moderator's act, and most subscribers want a few kinds (the audit log its
two dozen, the file transfers the renames). So each subscriber names its
kinds, and each kind of event is routed once to the subscribers that want
it: a line said calls nobody, where every subscriber was called to look at
it and pass (the audit log's ``match`` through two dozen cases for each).
"""

from collections.abc import Callable

from twisted.application.service import Service

from chatd.domain.events import Event

Receive = Callable[[Event], None]


class MemoryBus(Service):
    """A ``Bus`` whose subscribers are in this process; as a service it has nothing to start or stop."""

    def __init__(self) -> None:
        self._subscribers: list[tuple[Receive, tuple[type[Event], ...] | None]] = []
        self._routes: dict[type[Event], tuple[Receive, ...]] = {}
        """Who receives each kind published so far, in the order they subscribed; made again at each change."""

    def publish(self, event: Event) -> None:
        """Hand ``event`` to every subscriber to its kind."""
        receivers = self._routes.get(type(event))
        if receivers is None:
            receivers = self._routes[type(event)] = self._route(type(event))
        for receive in receivers:
            receive(event)

    def subscribe(self, receive: Receive, kinds: tuple[type[Event], ...] | None = None) -> Callable[[], None]:
        """Hand ``receive`` every event published from now on of one of ``kinds`` (None: of every kind); returns
        how to stop."""
        subscriber = (receive, kinds)
        self._subscribers.append(subscriber)
        self._routes = {}

        def stop() -> None:
            self._subscribers.remove(subscriber)
            self._routes = {}

        return stop

    def _route(self, kind: type[Event]) -> tuple[Receive, ...]:
        return tuple(receive for receive, kinds in self._subscribers if kinds is None or kind in kinds)
