"""The client's pauses between attempts, over real TCP and TLS on loopback, with its clock injected.

A server that accepts and at once closes (as for a banned address), or
whose certificate fails the client's check, used to be retried about once
a second forever: each connection reset Twisted's count of failures. Here
the connections are real and only the pauses run on a ``Clock``, so the
test reads each pause the client announces and advances exactly that far.
"""

from datetime import UTC

from twisted.internet import reactor
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred, DeferredList, DeferredQueue, maybeDeferred
from twisted.internet.endpoints import SSL4ServerEndpoint, TCP4ServerEndpoint
from twisted.internet.interfaces import IStreamClientEndpoint, IStreamServerEndpoint
from twisted.internet.protocol import Protocol, ServerFactory, connectionDone
from twisted.internet.task import Clock, deferLater
from twisted.python.failure import Failure
from twisted.trial.unittest import TestCase
from typing_extensions import override

from chatd.client.connection import Link
from chatd.client.presence import Presence
from chatd.client.reach import Server, connect_to
from chatd.client.shown import Shown
from chatd.tls import load_tls
from tests.certificates import write_self_signed
from tests.e2e.daemon import DEADLINE_SECONDS
from tests.helpers import new_folder
from tests.test_client_connection import START, RecordingScreen


class Ending(Protocol):
    """A server connection that says when it is gone; it closes at once if told to."""

    def __init__(self, gone: "Deferred[None]", close: bool) -> None:
        self.gone = gone
        self.close = close

    @override
    def connectionMade(self) -> None:
        if self.close:
            assert self.transport is not None
            self.transport.loseConnection()

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.gone.callback(None)


class EndingFactory(ServerFactory):
    """Builds ``Ending`` connections and keeps their ends, so the test waits for every one."""

    def __init__(self, close: bool) -> None:
        self.close = close
        self.ends: list[Deferred[None]] = []

    @override
    def buildProtocol(self, addr: object) -> Ending:
        self.ends.append(Deferred())
        return Ending(self.ends[-1], self.close)


class PauseScreen(RecordingScreen):
    """A screen that queues each pause the link announces."""

    def __init__(self) -> None:
        super().__init__()
        self.pauses: DeferredQueue[str] = DeferredQueue()

    @override
    def note(self, shown: Shown) -> None:
        super().note(shown)
        for line in shown.lines:
            if line.endswith(" s."):
                self.pauses.put(line)


class GrowingPauseTests(TestCase):
    """Every failure in a row lengthens the pause, whether the connection opened or not."""

    async def listen(self, endpoint: IStreamServerEndpoint, factory: EndingFactory) -> int:
        """Listen on ``endpoint``; at cleanup, stop and wait for every connection to be gone."""
        port = await endpoint.listen(factory)

        async def closed() -> None:
            await maybeDeferred(port.stopListening)
            await DeferredList(factory.ends)

        self.addCleanup(closed)
        address = port.getHost()
        assert isinstance(address, IPv4Address)
        return address.port

    async def assert_pauses_grow(self, endpoint: IStreamClientEndpoint, server: Server, said: str) -> None:
        """Three attempts in a row are followed by pauses of 1, 2 and 3 s, each announced after ``said``."""
        clock = Clock()
        clock.advance(START)
        link = Link(endpoint, clock, Presence("alice"), server, policy=float, zone=UTC)
        screen = PauseScreen()
        link.start(screen)
        self.addCleanup(link.leave)
        for pause in (1, 2, 3):
            line = await screen.pauses.get().addTimeout(DEADLINE_SECONDS, reactor)
            self.assertEqual(line, f"09:00 ~ {said}{pause}.0 s.")
            # The pause is announced before ClientService schedules it: advance on the next turn.
            await deferLater(reactor, 0, clock.advance, pause)

    async def test_server_that_closes_at_once(self) -> None:
        """Accepted and closed at once, over and over: retried after 1, 2, then 3 s, each attempt one line."""
        factory = EndingFactory(close=True)
        port = await self.listen(TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1"), factory)
        said = (
            f"127.0.0.1 port {port} ended the connection before chatd spoke (connection closed). Retrying in "
        )
        await self.assert_pauses_grow(*connect_to(reactor, "127.0.0.1", port), said)

    async def test_certificate_for_another_name(self) -> None:
        """A TLS check that fails each time is said in words, and retried after 1, 2, then 3 s."""
        directory = new_folder(self)
        certificate, key = write_self_signed(directory, "other.name")
        factory = EndingFactory(close=False)
        tls = load_tls(certificate, key)
        port = await self.listen(SSL4ServerEndpoint(reactor, 0, tls, interface="127.0.0.1"), factory)
        endpoint, server = connect_to(reactor, "localhost", port, tls=True, cafile=certificate)
        said = f"The certificate of localhost port {port} is for other.name, 127.0.0.1, not localhost. Retrying in "
        await self.assert_pauses_grow(endpoint, server, said)
