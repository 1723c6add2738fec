"""A line front end listening on 127.0.0.1 in the test's own reactor (plain or TLS), and one client connected to it.

``Reader`` is a client for any loopback test: it keeps what it receives and can stop reading.
"""

from collections.abc import Callable

from twisted.internet import reactor
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import (
    SSL4ClientEndpoint,
    SSL4ServerEndpoint,
    TCP4ClientEndpoint,
    TCP4ServerEndpoint,
)
from twisted.internet.interfaces import (
    IListeningPort,
    IPushProducer,
    IStreamClientEndpoint,
    IStreamServerEndpoint,
)
from twisted.internet.protocol import Factory, Protocol, connectionDone
from twisted.internet.ssl import CertificateOptions
from twisted.python.failure import Failure
from twisted.trial.unittest import TestCase

from chatd.bus.memory import MemoryBus
from chatd.domain.chat import Chat
from chatd.frontend.endpoints import Then
from chatd.frontend.wiring import Wiring
from chatd.line.factory import LineFactory
from chatd.line.limits import LineLimits
from chatd.storage.memory import MemoryHistory
from chatd.storage.memory_accounts import MemoryAccounts
from chatd.storage.memory_rooms import MemoryRooms


async def serve_one(
    test: TestCase,
    limits: LineLimits,
    client: Protocol,
    tls: CertificateOptions | None = None,
    listened: Callable[[IListeningPort], object] | None = None,
) -> LineFactory:
    """Listen on a free loopback port with ``limits`` and connect ``client``; the port closes with the test.

    The listener is tuned as the daemon's are (chatd.frontend.endpoints.Then with Tuning.listening), then handed to ``listened``, if
    given, before the client connects. With ``tls`` (the server's certificate) the port and the client speak
    TLS; the client checks no certificate. The server side is in the
    factory's ``connections`` once the client has heard from it (the greeting).
    """
    factory = line_factory(limits)
    server: IStreamServerEndpoint = (
        TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1")
        if tls is None
        else SSL4ServerEndpoint(reactor, 0, tls, interface="127.0.0.1")
    )
    port: IListeningPort = await Then(server, factory.tuning.listening).listen(factory)
    test.addCleanup(port.stopListening)
    if listened is not None:
        listened(port)
    address = port.getHost()
    assert isinstance(address, IPv4Address)
    endpoint: IStreamClientEndpoint = (
        TCP4ClientEndpoint(reactor, "127.0.0.1", address.port)
        if tls is None
        else SSL4ClientEndpoint(reactor, "127.0.0.1", address.port, CertificateOptions())
    )
    await endpoint.connect(Factory.forProtocol(lambda: client))
    return factory


def line_factory(limits: LineLimits) -> LineFactory:
    """A line front end's factory with ``limits`` in the test's reactor, its chat and stores in memory."""
    chat = Chat(reactor, MemoryHistory(), MemoryBus(), accounts=MemoryAccounts(), rooms=MemoryRooms())
    return LineFactory(Wiring.alone(chat, reactor, "t"), limits)


class Reader(Protocol):
    """A client that keeps what it receives and can stop reading; ``lost`` fires when gone."""

    def __init__(self) -> None:
        self.received = bytearray()
        self.lost: Deferred[None] = Deferred()
        self._waiting: tuple[bytes, Deferred[None]] | None = None

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        if self._waiting is not None and self._waiting[0] in self.received:
            waiting, self._waiting = self._waiting[1], None
            waiting.callback(None)

    def seen(self, marker: bytes) -> "Deferred[None]":
        """Fires once ``marker`` has arrived."""
        waiting: Deferred[None] = Deferred()
        if marker in self.received:
            waiting.callback(None)
        else:
            self._waiting = (marker, waiting)
        return waiting

    def reading(self, on: bool) -> None:
        """Read from the socket again, or stop: what the kernel then holds for it stays there."""
        transport = self.transport
        assert IPushProducer.providedBy(transport)
        if on:
            transport.resumeProducing()
        else:
            transport.pauseProducing()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.lost.callback(None)
