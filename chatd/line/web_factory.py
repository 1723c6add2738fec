"""``WebFactory``: the line protocol served over WebSockets (the browser's), and its way into the chat.

It is a ``LineFactory`` (the chat, the limits, the outbox, password checks,
the connections to say goodbye to) whose connections are HTTP first: each
TCP connection is admitted under the limits every front end shares, given
its ``WebSession`` at once (so its bytes are charged from the first), and
read by the web port's site (chatd.web.site's ``page_site``, given to it) through a
``WebConnection``.
Delivery frames each event once, for every socket it goes to.
"""

from collections.abc import Sequence
from typing import cast

from twisted.internet.interfaces import IAddress
from twisted.internet.protocol import Protocol
from twisted.protocols.policies import WrappingFactory
from twisted.web.server import Site
from typing_extensions import override

from chatd.domain.events import Event
from chatd.domain.ports import Session
from chatd.frontend.admission import Refusal, peer_of
from chatd.frontend.errors import NOT_ADMITTED
from chatd.frontend.frames import text_frame
from chatd.frontend.pings import PingRound
from chatd.frontend.proxies import Proxies
from chatd.frontend.websocket import Takeovers, WebConnection
from chatd.frontend.wiring import Wiring
from chatd.line.delivery import deliver
from chatd.line.factory import DEFAULT_LIMITS, LineFactory
from chatd.line.limits import LineLimits
from chatd.line.protocol import LineProtocol
from chatd.line.render import json_line, text_line
from chatd.line.takeover import SessionTokens
from chatd.line.web_session import PING_SECONDS, WebSession


class WebFactory(LineFactory):
    """Builds a ``WebConnection`` per TCP connection and delivers chat events to the sockets among them."""

    FIXED_SEND_BUFFER = False
    """Its listeners leave send buffers to grow, for file links' HTTP downloads; a WebSocket's is fixed as it
    opens (``pin_send_buffer``)."""

    def __init__(
        self,
        wiring: Wiring,
        limits: LineLimits = DEFAULT_LIMITS,
        default_room: str = "#lobby",
        *,
        site: Site,
        takeovers: Takeovers | None = None,
        tokens: SessionTokens | None = None,
        proxies: Proxies | None = None,
        page_requests: int = 0,
    ) -> None:
        """As ``LineFactory``; ``site`` answers the HTTP of every connection (the page, and ``/ws``);
        ``takeovers`` are the other front ends a socket may ask for by subprotocol (none: every socket is this one's);
        ``proxies`` the reverse proxies whose sockets are their users' (``--web-proxy``; none: every socket is its
        peer's); ``page_requests`` the most requests a page load makes (chatd.web.site's ``PAGE_REQUESTS``), which
        a connection's flood budget holds while it is HTTP if that is more than ``--flood-burst``."""
        super().__init__(wiring, limits, default_room, tokens=tokens)
        self.site = site
        self.takeovers = takeovers or Takeovers()
        self.sockets = PingRound(self.reactor, PING_SECONDS)
        """The sessions that are WebSockets now, pinged in one round every ``PING_SECONDS``."""
        self._wrapping: WrappingFactory[WebConnection] = WrappingFactory(self.site)
        self.proxies = proxies or Proxies()
        self.page_requests = page_requests

    @override
    def buildProtocol(self, addr: IAddress | None) -> Protocol:
        proxy = self.proxies.trusts(peer_of(addr))
        try:
            peer = self.admission.admit(addr, proxy=proxy)
        except NOT_ADMITTED as refused:
            return Refusal(http_refusal(text_line(refused)), self.reactor)
        session = WebSession(self, peer, proxy=proxy)
        self.connections.add(session)
        return WebConnection(
            self._wrapping, self.site.buildProtocol(addr), session, self.limits.http_timeout, self.tuning
        )

    @override
    def release(self, protocol: LineProtocol) -> None:
        """As ``LineFactory.release``; a trusted proxy's connection whose socket never became a user's held a place
        in all only."""
        self.admission.release(protocol.peer, proxy=cast(WebSession, protocol).proxy)

    @override
    def deliver(self, event: Event, sessions: Sequence[Session]) -> None:
        """Frame ``event`` at most once per format and write the frame to each socket that wants it."""
        deliver(
            event,
            cast(Sequence[LineProtocol], sessions),
            self.ignorers,
            json=_json_frame,
            text=_text_frame,
            fanouts=self.fanouts,
        )


def _json_frame(event: Event) -> bytes:
    """``event``'s JSON object as one WebSocket text frame."""
    return text_frame(json_line(event))


def _text_frame(event: Event) -> bytes:
    """``event``'s text rendering as one WebSocket text frame (a socket that asked for ``/format text``)."""
    return text_frame(text_line(event))


def http_refusal(line: bytes) -> bytes:
    """A whole HTTP response that says ``line`` (the front end's ``ERR`` line) and closes: 503."""
    return (
        b"HTTP/1.1 503 Service Unavailable\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Length: %d\r\n"
        b"Connection: close\r\n\r\n" % len(line)
    ) + line
