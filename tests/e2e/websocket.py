"""A blocking WebSocket client on loopback for end-to-end tests: wsproto over a socket, as a browser speaks.

``WebSocketClient`` upgrades at ``/ws`` with the page's own ``Origin``,
sends text messages and reads JSON objects, each wait bounded by the
daemon's deadline. ``web_port`` reads the port from the daemon's own
"chatd web page at" log line.
"""

import json
import re
import socket
import ssl
import time
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Event, Ping, Request, TextMessage

from tests.e2e.daemon import DEADLINE_SECONDS, Daemon

PAGE = re.compile(
    rb"\[chatd\.frontend\.endpoints#info\] chatd web page at (?P<url>https?://(?P<host>[^/]+):(?P<port>\d+)/)$"
)
"""chatd's own log line naming the page's address."""


def web_port(daemon: Daemon) -> int:
    """The port of the first page address the daemon announced."""
    return int(daemon.wait_for_log(PAGE).group("port"))


class WebSocketClient:
    """One socket to a daemon's ``/ws``, upgraded on connect; closed at the test's cleanup."""

    def __init__(
        self,
        daemon: Daemon,
        port: int,
        host: str = "127.0.0.1",
        tls: ssl.SSLContext | None = None,
        subprotocols: list[str] | None = None,
        headers: list[tuple[bytes, bytes]] | None = None,
        source: str | None = None,
    ) -> None:
        """Connect and upgrade; ``headers`` go with the upgrade's request, sent from ``source`` (any of 127.0.0.0/8
        reaches a daemon on 127.0.0.1) if given."""
        self.daemon = daemon
        bound = None if source is None else (source, 0)
        plain = socket.create_connection((host, port), timeout=DEADLINE_SECONDS, source_address=bound)
        self.socket = plain if tls is None else tls.wrap_socket(plain, server_hostname=host)
        daemon.case.addCleanup(self.socket.close)
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.waiting: list[Event] = []
        origin = f"{'http' if tls is None else 'https'}://{host}:{port}"
        self.socket.sendall(
            self.ws.send(
                Request(
                    host=f"{host}:{port}",
                    target="/ws",
                    extra_headers=[(b"Origin", origin.encode()), *(headers or [])],
                    subprotocols=subprotocols or [],
                )
            )
        )
        accepted = self.next_event()
        if not isinstance(accepted, AcceptConnection):
            daemon.fail(f"the upgrade was not accepted: {accepted!r}")
        self.subprotocol = accepted.subprotocol
        """The subprotocol the server chose, None if none."""

    def send(self, text: str) -> None:
        """One text message."""
        self.socket.sendall(self.ws.send(TextMessage(text)))

    def next_event(self) -> Event:
        """The next event the server's bytes make (pings are answered and skipped); fails at the deadline."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not self.waiting:
            self.socket.settimeout(max(deadline - time.monotonic(), 0.001))
            try:
                data = self.socket.recv(65536)
            except TimeoutError:
                self.daemon.fail("no WebSocket message within the deadline")
            if not data:
                self.daemon.fail("the server closed the connection")
            self.ws.receive_data(data)
            for event in self.ws.events():
                if isinstance(event, Ping):
                    self.socket.sendall(self.ws.send(event.response()))
                else:
                    self.waiting.append(event)
        return self.waiting.pop(0)

    def next_object(self) -> dict[str, Any]:
        """The next JSON object the server sent; each is one whole text message."""
        event = self.next_event()
        if not isinstance(event, TextMessage) or not event.message_finished:
            self.daemon.fail(f"expected a whole text message, got {event!r}")
        found: dict[str, Any] = json.loads(event.data)
        return found

    def until(self, kind: str) -> list[dict[str, Any]]:
        """The objects up to and including the first whose type (or notice kind) is ``kind``."""
        seen = []
        while True:
            item = self.next_object()
            seen.append(item)
            if kind in (item["type"], item.get("kind")):
                return seen

    def closed(self) -> CloseConnection:
        """The close frame that ends what the server sends, skipping the objects before it."""
        while True:
            event = self.next_event()
            if isinstance(event, CloseConnection):
                return event
