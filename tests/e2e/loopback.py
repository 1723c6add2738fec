"""A line front end listening on 127.0.0.1 in the test's own reactor (plain or TLS), and one client connected to it."""

from twisted.internet import reactor
from twisted.internet.address import IPv4Address
from twisted.internet.endpoints import (
    SSL4ClientEndpoint,
    SSL4ServerEndpoint,
    TCP4ClientEndpoint,
    TCP4ServerEndpoint,
)
from twisted.internet.interfaces import IListeningPort, IStreamClientEndpoint, IStreamServerEndpoint
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.ssl import CertificateOptions
from twisted.trial.unittest import TestCase

from chatd.bus.memory import MemoryBus
from chatd.domain.chat import Chat
from chatd.frontend.admission import Admission
from chatd.frontend.logs import BoundedLog
from chatd.line.factory import LineFactory
from chatd.line.limits import LineLimits
from chatd.storage.memory import MemoryAccounts, MemoryHistory, MemoryRooms


async def serve_one(
    test: TestCase, limits: LineLimits, client: Protocol, tls: CertificateOptions | None = None
) -> LineFactory:
    """Listen on a free loopback port with ``limits`` and connect ``client``; the port closes with the test.

    With ``tls`` (the server's certificate) the port and the client speak
    TLS; the client checks no certificate. The server side is in the
    factory's ``connections`` once the client has heard from it (the greeting).
    """
    factory = LineFactory(
        Chat(reactor, MemoryHistory(), MemoryBus(), accounts=MemoryAccounts(), rooms=MemoryRooms()),
        reactor=reactor,
        server_name="t",
        limits=limits,
        admission=Admission(bounded=BoundedLog(reactor)),
    )
    server: IStreamServerEndpoint = (
        TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1")
        if tls is None
        else SSL4ServerEndpoint(reactor, 0, tls, interface="127.0.0.1")
    )
    port: IListeningPort = await server.listen(factory)
    test.addCleanup(port.stopListening)
    address = port.getHost()
    assert isinstance(address, IPv4Address)
    endpoint: IStreamClientEndpoint = (
        TCP4ClientEndpoint(reactor, "127.0.0.1", address.port)
        if tls is None
        else SSL4ClientEndpoint(reactor, "127.0.0.1", address.port, CertificateOptions())
    )
    await endpoint.connect(Factory.forProtocol(lambda: client))
    return factory
