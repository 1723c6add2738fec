"""A line front end listening on 127.0.0.1 in the test's own reactor, and one client connected to it."""

from twisted.internet import reactor
from twisted.internet.address import IPv4Address
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint
from twisted.internet.interfaces import IListeningPort
from twisted.internet.protocol import Factory, Protocol
from twisted.trial.unittest import TestCase

from chatd.bus.memory import MemoryBus
from chatd.domain.chat import Chat
from chatd.frontend.admission import Admission
from chatd.frontend.logs import BoundedLog
from chatd.line.factory import LineFactory
from chatd.line.limits import LineLimits
from chatd.storage.memory import MemoryHistory


async def serve_one(test: TestCase, limits: LineLimits, client: Protocol) -> LineFactory:
    """Listen on a free loopback port with ``limits`` and connect ``client``; the port closes with the test.

    The server side is in the factory's ``connections`` once the client
    has heard from it (the greeting).
    """
    factory = LineFactory(
        Chat(reactor, MemoryHistory(), MemoryBus()),
        reactor=reactor,
        server_name="t",
        limits=limits,
        admission=Admission(bounded=BoundedLog(reactor)),
    )
    port: IListeningPort = await TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(factory)
    test.addCleanup(port.stopListening)
    address = port.getHost()
    assert isinstance(address, IPv4Address)
    endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", address.port)
    await endpoint.connect(Factory.forProtocol(lambda: client))
    return factory
