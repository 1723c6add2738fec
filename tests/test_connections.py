"""A front end's live connections, and how they end when the daemon stops."""

from twisted.internet.protocol import Protocol
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase
from typing_extensions import override

from chatd.frontend.connections import GOODBYE_GRACE_SECONDS, Connections


class _Aborting(StringTransport):
    """A transport that records being aborted."""

    aborted = False

    @override
    def abortConnection(self) -> None:
        self.aborted = True


class ConnectionsTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.connections: Connections[Protocol] = Connections(self.clock)
        self.said: list[Protocol] = []

    def connect(self) -> tuple[Protocol, _Aborting]:
        protocol, wire = Protocol(), _Aborting()
        protocol.makeConnection(wire)
        self.connections.add(protocol)
        return protocol, wire

    def test_shutdown_with_none_open_is_done_at_once(self) -> None:
        """With no connection there is nobody to wait for."""
        self.successResultOf(self.connections.shutdown(self.said.append))

    def test_shutdown_says_goodbye_and_fires_when_the_last_is_gone(self) -> None:
        """Each connection hears goodbye; shutdown fires once every one has gone, not before."""
        first, _ = self.connect()
        second, _ = self.connect()
        done = self.connections.shutdown(self.said.append)
        self.assertEqual(set(self.said), {first, second})
        self.connections.discard(first)
        self.assertNoResult(done)
        self.connections.discard(second)
        self.successResultOf(done)
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_connection_that_hangs_on_is_aborted_after_the_grace(self) -> None:
        """A client that never lets its goodbye through is cut off once the grace is over."""
        _, wire = self.connect()
        self.connections.shutdown(self.said.append)
        self.clock.advance(GOODBYE_GRACE_SECONDS - 0.1)
        self.assertFalse(wire.aborted)
        self.clock.advance(0.1)
        self.assertTrue(wire.aborted)
