"""Shared test fixtures: a front end that records deliveries, and a line front end to connect to."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.chat import Chat
from chatd.domain.events import Event
from chatd.domain.limits import Limits
from chatd.domain.ports import Session
from chatd.line.factory import LineFactory
from chatd.line.limits import LineLimits
from chatd.line.protocol import LineProtocol


@dataclass(eq=False)
class RecordingAudience:
    """A front end that keeps each delivery: the event and who it went to."""

    deliveries: list[tuple[Event, list[Session]]] = field(default_factory=list)

    def deliver(self, event: Event, sessions: Sequence[Session]) -> None:
        self.deliveries.append((event, list(sessions)))


@dataclass(eq=False)
class RecordingSession:
    """One session of a ``RecordingAudience``; ``received`` lists its events."""

    audience: RecordingAudience

    @property
    def received(self) -> list[Event]:
        return [event for event, sessions in self.audience.deliveries if self in sessions]


class LineTestCase(SynchronousTestCase):
    """A line front end on a fake clock, and a way to connect users to it.

    Subclasses set ``limits`` and ``chat_limits`` to test other settings.
    """

    limits = LineLimits()
    chat_limits = Limits()
    motd = "Be kind.\n"

    def setUp(self) -> None:
        self.clock = Clock()
        self.chat = Chat(now=self.clock.seconds, limits=self.chat_limits)
        self.factory = LineFactory(
            self.chat, reactor=self.clock, server_name="testhost", motd=self.motd, limits=self.limits
        )
        self.wires: list[StringTransport] = []

    def connect(
        self, nick: bytes | None = None, host: str = "127.0.0.1"
    ) -> tuple[LineProtocol, StringTransport]:
        """A new connection from ``host``, named ``nick`` if given; every wire so far is cleared."""
        address = IPv6Address("TCP", host, 4000) if ":" in host else IPv4Address("TCP", host, 4000)
        protocol = self.factory.buildProtocol(address)
        assert isinstance(protocol, LineProtocol)
        wire = StringTransport()
        protocol.makeConnection(wire)
        if nick is not None:
            protocol.dataReceived(nick + b"\n")
        self.wires.append(wire)
        for each in self.wires:
            each.clear()
        return protocol, wire

    def lines(self, wire: StringTransport) -> list[bytes]:
        """What the server wrote since the last call, as lines without CRLF."""
        data: bytes = wire.value()
        wire.clear()
        self.assertTrue(data.endswith(b"\r\n") or not data, data)
        return data.split(b"\r\n")[:-1]
