"""The web port's HTTP requests over real TCP on loopback, each a line of the connection's flood budget, timed on a Clock.

The site listens in the test's reactor; its timers (the flood budget's
refills, the idle timeout) run on a ``Clock`` the test advances, so a
request held for the budget is answered exactly when the test says.
"""

import os
from collections.abc import Callable

from twisted.internet import reactor
from twisted.internet.address import IPv4Address
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint, connectProtocol
from twisted.internet.task import Clock, deferLater
from twisted.trial.unittest import TestCase

from chatd.bus.memory import MemoryBus
from chatd.domain.chat import Chat
from chatd.frontend.wiring import Wiring
from chatd.line.limits import LineLimits
from chatd.line.web_factory import WebFactory
from chatd.storage.memory import MemoryHistory
from chatd.storage.memory_accounts import MemoryAccounts
from chatd.storage.memory_rooms import MemoryRooms
from chatd.web.site import PAGE_REQUESTS, STATIC, page_site
from tests.e2e.loopback import Reader
from tests.test_web_site import shipped_files

DEADLINE_SECONDS = 10.0
"""How long a condition on the wire may take to hold before the test fails."""

LIMITS = LineLimits()
"""The daemon's defaults: --flood-burst 10, --flood-rate 2."""

UPGRADE = (
    b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
    b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
)
"""A page's WebSocket upgrade, as a browser asks it (no Origin: these tests' page is nobody's)."""


def head(path: str) -> bytes:
    """A keep-alive HEAD request for ``path``: answered at once, in the pass that takes it."""
    return f"HEAD {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def page_load() -> list[str]:
    """What a browser asks for to load the page: index.html, its icon and style, and every script (app.js's imports,
    vendor/ too)."""
    names = [name for name in shipped_files() if name.endswith(".js")]
    return ["/", "/icon.svg", "/style.css", *(f"/{name}" for name in sorted(names))]


class PipelinedRequestTests(TestCase):
    """A connection's requests cost a line each: past its budget they wait their turn, and others' do not."""

    async def serve(self) -> int:
        """The web port on 127.0.0.1, with the daemon's limits and the budget's timers on ``self.clock``; its port."""
        self.clock = Clock()
        chat = Chat(self.clock, MemoryHistory(), MemoryBus(), accounts=MemoryAccounts(), rooms=MemoryRooms())
        self.web = WebFactory(
            Wiring.alone(chat, self.clock, "t"),
            LIMITS,
            site=page_site((), self.clock, idle=LIMITS.http_timeout),
            page_requests=PAGE_REQUESTS,
        )
        port = await TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(self.web)
        self.addCleanup(port.stopListening)
        address = port.getHost()
        assert isinstance(address, IPv4Address)
        return address.port

    async def connect(self, port: int) -> Reader:
        """A new client connection to ``port``, closed with the test."""
        client = Reader()
        await connectProtocol(TCP4ClientEndpoint(reactor, "127.0.0.1", port), client)
        self.addCleanup(self.closed, client)
        return client

    async def closed(self, client: Reader) -> None:
        if client.transport is not None:
            client.transport.loseConnection()
        await client.lost

    async def until(self, holds: Callable[[], bool], what: str) -> None:
        """Wait for ``holds``, at most ``DEADLINE_SECONDS`` of real time."""
        waited = 0.0
        while not holds():
            if waited > DEADLINE_SECONDS:
                self.fail(f"{what} did not happen")
            await deferLater(reactor, 0.01, lambda: None)
            waited += 0.01

    async def others_answered(self, port: int) -> None:
        """Another connection's request is answered at once: everyone else goes on. Its answer follows whatever the
        site wrote before it on loopback, so it also marks that nothing more was written."""
        other = await self.connect(port)
        assert other.transport is not None
        other.transport.write(head("/"))
        await self.until(lambda: answers(other) == 1, "another connection's answer")

    async def test_requests_past_the_burst_are_answered_one_a_refill(self) -> None:
        """A connection pipelining more requests than its burst has them answered at once up to one past it (as an
        nc user's line that spends past the budget goes ahead), then one every half second, --flood-rate 2."""
        port = await self.serve()
        client = await self.connect(port)
        assert client.transport is not None
        sent = PAGE_REQUESTS + 4
        client.transport.write(head("/") * sent)
        await self.until(lambda: answers(client) == PAGE_REQUESTS + 1, "the burst's answers")
        await self.others_answered(port)
        self.assertEqual(answers(client), PAGE_REQUESTS + 1)
        self.clock.advance(0.4)
        await self.others_answered(port)
        self.assertEqual(answers(client), PAGE_REQUESTS + 1)
        self.clock.advance(0.1)
        await self.until(lambda: answers(client) == PAGE_REQUESTS + 2, "the next answer, a refill on")
        await self.others_answered(port)
        self.assertEqual(answers(client), PAGE_REQUESTS + 2)
        for _ in range(sent - PAGE_REQUESTS - 2):
            self.clock.advance(0.5)
        await self.until(lambda: answers(client) == sent, "every answer")

    async def test_a_page_load_on_one_connection_is_answered_at_once(self) -> None:
        """A browser loading the whole page, and opening its WebSocket, over one keep-alive connection has every
        request answered with no wait: its budget holds a page load, more than --flood-burst."""
        port = await self.serve()
        client = await self.connect(port)
        assert client.transport is not None
        paths = page_load()
        self.assertGreater(len(paths) + 1, LIMITS.flood_burst)
        client.transport.write(b"".join(get(path) for path in paths) + UPGRADE)
        size = sum(
            os.path.getsize(os.path.join(STATIC, "index.html" if path == "/" else path[1:])) for path in paths
        )
        await self.until(
            lambda: b"HTTP/1.1 101 " in client.received and len(client.received) > size,
            "the page's files and the upgrade",
        )
        self.assertEqual(answers(client), len(paths))


def get(path: str) -> bytes:
    """A keep-alive GET request for ``path``."""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def answers(client: Reader) -> int:
    """The 200 answers ``client`` has had so far."""
    return bytes(client.received).count(b"HTTP/1.1 200 OK\r\n")
