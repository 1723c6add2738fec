"""Bundled clients talking to the server's own line front end in one process, with no sockets.

Each client is a real ``Link``; each server connection a real
``LineProtocol`` of the test case's front end. Their two
``StringTransport``s are pumped into each other, and time is the one
``Clock`` both use, so the wire contract is checked both ways.
"""

from collections.abc import Callable, Sequence
from datetime import UTC

from twisted.internet.address import IPv4Address
from twisted.internet.error import ConnectionDone
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from chatd.client.connection import Link
from chatd.client.presence import Presence
from chatd.client.reach import Server
from chatd.line.protocol import LineProtocol
from tests.helpers import LineTestCase
from tests.test_client_connection import FakeEndpoint, Peer, RecordingScreen

ROUNDS = 5000
"""Most pump rounds a wait may take before the test fails."""


class LinkedClient:
    """One user on the bundled client: the link, its screen, its current connection to the case's front end."""

    def __init__(self, case: LineTestCase, presence: Presence) -> None:
        self.case = case
        self.endpoint = FakeEndpoint()
        self.presence = presence
        self.link = Link(
            self.endpoint, case.clock, presence, Server("t", 5000), policy=lambda attempt: 1.0, zone=UTC
        )
        self.screen = RecordingScreen()
        self.sent: list[str] = []
        """Every line the client sent the server, in order."""
        self.equip()
        self.link.start(self.screen)
        self.connect()

    def equip(self) -> None:
        """Give the link what it carries besides lines before it starts (files, say): nothing here."""

    def connect(self) -> None:
        """Take the pending connection attempt and join it to a new server connection."""
        self.peer: Peer = self.endpoint.accept()
        server = self.case.factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 4000))
        assert isinstance(server, LineProtocol)
        self.server = server
        self.wire = StringTransport()
        server.makeConnection(self.wire)

    def drop(self) -> None:
        """The connection breaks on both sides at once."""
        self.server.connectionLost(Failure(ConnectionDone()))
        self.peer.close()

    def type(self, text: str) -> None:
        """Type ``text`` and press Enter."""
        self.case.assertTrue(self.link.send(text), "the client had a connection to send on")

    def pump(self) -> bool:
        """Move what each side wrote to the other; whether anything moved."""
        up: bytes = self.peer.wire.value()
        self.peer.wire.clear()
        if up:
            self.sent += up.decode().splitlines()
            self.server.dataReceived(up)
        self.case.clock.advance(0)
        down: bytes = self.wire.value()
        self.wire.clear()
        if down:
            self.peer.protocol.dataReceived(down)
        return bool(up or down)

    def showing(self, text: str) -> bool:
        """Whether a line holding ``text`` has been drawn, the client's own included."""
        return any(text in line for line in [*self.screen.lines, *self.screen.notes])


def until(clock: Clock, clients: list[LinkedClient], done: Callable[[], bool]) -> bool:
    """Pump ``clients`` until ``done``; time moves on 10 ms whenever nothing moved (the server's pacing). False if
    ``done`` never came true within ``ROUNDS``."""
    for _ in range(ROUNDS):
        if done():
            return True
        moved = [client.pump() for client in clients]
        if not any(moved):
            clock.advance(0.01)
    return False


class Pumping(SynchronousTestCase):
    """A test case whose linked ``clients`` and server it pumps on ``clock`` until what it waits for."""

    clients: Sequence[LinkedClient]
    clock: Clock
    settle_waiting = 0.0
    """Seconds ``settle`` lets pass once all is quiet, for what waits on time (a password check), before it stops."""

    def until(self, done: Callable[[], bool]) -> None:
        if not until(self.clock, list(self.clients), done):
            self.fail("the condition never came true")

    def settle(self) -> None:
        """Pump until nothing moves any more (``settle_waiting`` seconds on included)."""
        for _ in range(ROUNDS):
            if not any([client.pump() for client in self.clients]):
                if not self.settle_waiting:
                    return
                self.clock.advance(self.settle_waiting)
                if not any([client.pump() for client in self.clients]):
                    return
        self.fail("the clients and the server never fell quiet")
