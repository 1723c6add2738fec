"""A browser front end beside the line one on a fake clock, and a WebSocket client to drive it through StringTransport.

The client is wsproto's (the library under ``twisted.web.websocket``), so
what these tests send is what a browser sends (masked frames, a real
upgrade request) and what they read is parsed as a browser would parse it.
"""

import json
from typing import Any

from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport
from wsproto import ConnectionType, WSConnection
from wsproto.events import Event as WSEvent
from wsproto.events import Message, Request, TextMessage

from chatd.frontend.outbox import Outbox
from chatd.frontend.websocket import WebConnection
from chatd.line.web_factory import WebFactory
from chatd.web.site import PAGE_REQUESTS, page_site
from tests.helpers import LineTestCase

HOST = "chat.test:8080"
"""The ``Host`` the tests' requests are sent to."""

PAGE_ORIGIN = "http://chat.test:8080"
"""The origin of the page that host serves."""


class WebClient:
    """One socket (or plain HTTP connection) to the test's web front end."""

    def __init__(self, case: "WebTestCase", connection: WebConnection, wire: StringTransport) -> None:
        self.case = case
        self.connection = connection
        self.wire = wire
        self.ws = WSConnection(ConnectionType.CLIENT)

    def upgrade(self, origin: str | None = PAGE_ORIGIN, host: str = HOST) -> list[WSEvent]:
        """Ask for the WebSocket at /ws from a page of ``origin`` (None: a program's request, without one)."""
        headers = [] if origin is None else [(b"Origin", origin.encode())]
        self.connection.dataReceived(self.ws.send(Request(host=host, target="/ws", extra_headers=headers)))
        return self.events(end_pass=False)

    def send(self, text: str) -> None:
        """One text message."""
        self.connection.dataReceived(self.ws.send(TextMessage(text)))

    def events(self, end_pass: bool = True) -> list[WSEvent]:
        """What the server sent by the end of this reactor pass (or so far), since the last call, as wsproto events."""
        if end_pass:
            self.case.end_pass()
        data = self.wire.value()
        self.wire.clear()
        self.ws.receive_data(data)
        return list(self.ws.events())

    def objects(self) -> list[dict[str, Any]]:
        """The JSON objects of the text messages sent since the last call; each must be whole."""
        found = []
        for event in self.events():
            if isinstance(event, Message):
                assert event.message_finished, "the server sends every message in one frame"
                assert isinstance(event, TextMessage), event
                found.append(json.loads(event.data))
        return found

    def kinds(self) -> list[str]:
        """Each object's type, or for a notice its kind, or for an error its code."""
        return [item.get("kind") or item.get("code") or item["type"] for item in self.objects()]


class WebTestCase(LineTestCase):
    """``LineTestCase`` with a browser front end on the same chat, admission and clock."""

    origins: tuple[str, ...] = ()

    def setUp(self) -> None:
        super().setUp()
        self.web = WebFactory(
            self.wiring(),
            self.limits,
            site=page_site(self.origins, self.clock, idle=self.limits.http_timeout),
            page_requests=PAGE_REQUESTS,
        )

    def outboxes(self) -> list[Outbox]:
        return [*super().outboxes(), self.web.outbox]

    def open(self, host: str = "127.0.0.1") -> WebClient:
        """A new TCP connection to the web port, not yet upgraded."""
        protocol = self.web.buildProtocol(IPv4Address("TCP", host, 40000))
        assert isinstance(protocol, WebConnection), protocol
        wire = StringTransport(peerAddress=IPv4Address("TCP", host, 40000))
        protocol.makeConnection(wire)
        return WebClient(self, protocol, wire)

    def browser(self, nick: str | None = None, host: str = "127.0.0.1") -> WebClient:
        """A new socket, upgraded, named ``nick`` if given, with what it was sent so far read."""
        client = self.open(host)
        client.upgrade()
        if nick is not None:
            client.send(nick)
        client.events()
        return client
