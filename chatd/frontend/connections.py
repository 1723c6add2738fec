"""A front end's live connections, and how they end when the daemon stops.

Every front end must say goodbye to each of its connections on shutdown,
give the goodbyes a moment to be written, cut off the connections that
still hang on (a client that never reads), and tell the service when the
last one is gone. ``Connections`` does that for any protocol, so a front
end only says what its goodbye is.
"""

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar, cast

from twisted.internet.defer import Deferred, succeed
from twisted.internet.interfaces import IReactorTime, ITCPTransport
from twisted.internet.protocol import Protocol

GOODBYE_GRACE_SECONDS = 2.0
"""How long a connection's last words may take to be written before it is cut off, at shutdown and at any close.

A close that waits for its output to be written waits for the client: one
that never reads, or never finished its TLS handshake, would hold its
connection (and its place under ``--max-per-ip``) for ever.
"""

P = TypeVar("P", bound=Protocol)


class Connections(Generic[P]):
    """The connections of one front end that are open, in no order."""

    def __init__(self, reactor: IReactorTime) -> None:
        self._reactor = reactor
        self.live: set[P] = set()
        self._drained: Deferred[None] | None = None

    def __iter__(self) -> Iterator[P]:
        return iter(list(self.live))

    def __len__(self) -> int:
        return len(self.live)

    def add(self, connection: P) -> None:
        """``connection`` is open."""
        self.live.add(connection)

    def discard(self, connection: P) -> None:
        """``connection`` is gone; the last one gone ends a shutdown."""
        self.live.discard(connection)
        if not self.live and self._drained is not None:
            drained, self._drained = self._drained, None
            drained.callback(None)

    def shutdown(self, goodbye: Callable[[P], None]) -> "Deferred[None]":
        """Say ``goodbye`` to each connection (it should close it), and fire once all are gone.

        Goodbyes get ``GOODBYE_GRACE_SECONDS`` to flush; connections that
        still hang on are then aborted.
        """
        if not self.live:
            return succeed(None)
        drained = self._drained = Deferred()
        for connection in self:
            goodbye(connection)
        cutoff = self._reactor.callLater(GOODBYE_GRACE_SECONDS, self._abort)

        def cancel(result: None) -> None:
            if cutoff.active():
                cutoff.cancel()
            return result

        return drained.addBoth(cancel)

    def _abort(self) -> None:
        for connection in self:
            if connection.transport is not None:
                # Every listener chatd opens is a stream of the TCP kind.
                cast(ITCPTransport, connection.transport).abortConnection()
