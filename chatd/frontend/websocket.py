"""What a front end needs to be spoken over a WebSocket, on Twisted's web server.

Twisted's ``twisted.web.websocket`` parses frames and answers pings; what
it lacks chatd adds here, where the connection is known, for any front end
served over a WebSocket (the line protocol now, for the browser; IRC over
WebSocket later): ``WebConnection`` under the HTTP channel and ``ChatSocket``
(the upgrade, for allowed origins only); chatd.frontend.pings pings them.

``WebConnection``: a TCP connection of the web port, under its HTTP channel.

Twisted's web server reads a connection's bytes as HTTP, then, once the
WebSocket upgrade is done, as frames; neither tells chatd what arrived on
the wire. This wrapper (Twisted's ``ProtocolWrapper``, between the
transport and the channel) sees every byte first and has the connection's
``session`` charge it to the flood budget before anything reads it,
so a page request, a ping or a frame costs what its bytes cost, whatever
becomes of them. It also knows the connection's place under the
connection limits, held from the first byte to the last.

Twisted's HTTP channel pauses and resumes its transport around each
request; the session pauses it while its flood budget refills. The
channel's pauses are one more reason of the session's ``Reading``
(chatd.frontend.reading), so the channel finishing a request does not let
a flooding connection read again early.
"""

import base64
import binascii
import typing
from collections.abc import Callable, Iterable, Sequence
from typing import cast
from urllib.parse import urlsplit

from twisted.internet.interfaces import IPushProducer, ITransport
from twisted.internet.protocol import Protocol, connectionDone
from twisted.protocols.policies import ProtocolWrapper, WrappingFactory
from twisted.python.failure import Failure
from twisted.web.http import HTTPChannel
from twisted.web.server import Request
from twisted.web.websocket import WebSocketProtocol, WebSocketResource
from typing_extensions import override
from wsproto.connection import ConnectionType
from wsproto.handshake import H11Handshake

from chatd.frontend.frame_reads import FrameReads
from chatd.frontend.sockets import Tuning

PONG = b"\x8a"
"""A pong frame's first byte (FIN, opcode 0xA): its second is its payload's length, at most 125 and unmasked."""

CLOSE = b"\x88"
"""A close frame's first byte (FIN, opcode 0x8): its second is its payload's length, at most 125 and unmasked."""

CLOSE_REASONS = {
    1000: "closing",
    1002: "protocol error",
    1007: "invalid UTF-8",
    1009: "message too big",
}
"""The reason each close frame chatd sends carries, by its code (RFC 6455 section 7.4.1); other codes carry none."""

_KEY_BYTES = 16
"""The nonce a client's ``Sec-WebSocket-Key`` carries in base64 (RFC 6455, 4.1)."""


class Upgradable(typing.Protocol):
    """The session of a connection that starts as HTTP and may become a WebSocket."""

    @property
    def upgraded(self) -> bool:
        """Whether the connection is a WebSocket now (Twisted then hands it its end, ``connectionLost``)."""
        ...

    def attach(self, connection: "WebConnection") -> None:
        """The TCP connection this session's bytes arrive on."""

    def received(self, size: int) -> bool:
        """Charge ``size`` bytes that just arrived; False if they must not be read."""
        ...

    def parsing(self, size: int) -> bool:
        """``size`` bytes of the socket's frames are handed to the parser next; False once closing (nothing more is
        to be parsed)."""
        ...

    def parsed(self) -> None:
        """The bytes just handed to the parser have been parsed: whatever messages they ended have arrived."""

    def ping_answered(self, size: int) -> None:
        """Twisted has answered a client's ping with ``size`` bytes of payload, which belong to no message."""

    def wire_closing(self) -> None:
        """The WebSocket's close frame is written and the connection is being closed: send nothing more."""

    def request_arrived(self, answer: Callable[[], object]) -> None:
        """An HTTP request arrived whole: ``answer`` it once the flood budget has room for it."""

    def request_in_hand(self, answering: bool) -> None:
        """The HTTP channel is answering a request (True) or done with it: reading waits meanwhile."""

    def upgrading(self, channel: HTTPChannel, offered: Sequence[str]) -> WebSocketProtocol:
        """The WebSocket upgrade was asked for on ``channel``, offering ``offered`` subprotocols: who speaks over it."""
        ...

    def connectionLost(self, reason: Failure) -> None:
        """The connection is gone, before or after the upgrade."""


class FirstSession(Upgradable, typing.Protocol):
    """The session a connection of the web port starts with, the web port's own: the one its upgrade is asked of."""

    def upgrade_for(self, forwarded_for: Sequence[bytes]) -> bytes | None:
        """The upgrade is asked with these ``X-Forwarded-For`` values: None if it goes on (on a trusted proxy's
        connection, as the user they name), else the line it is refused with."""
        ...


class WebConnection(ProtocolWrapper):
    """The ``channel`` of one TCP connection, with the ``session`` that pays for its bytes."""

    def __init__(
        self,
        factory: "WrappingFactory[WebConnection]",
        channel: Protocol,
        session: "Upgradable",
        request_seconds: float,
        tuning: Tuning,
    ) -> None:
        super().__init__(factory, channel)
        self._tuning = tuning
        self.session = session
        self.request_seconds = request_seconds
        """Seconds each HTTP request may take to arrive whole (``--http-timeout``): the web port's, read by
        whichever session speaks over the connection, the page's or one it is handed to (IRC's)."""
        self._subprotocol: bytes | None = None
        self.reads = FrameReads(self._parse, session, lambda: cast(IPushProducer, self.transport))
        """Once upgraded, the socket's reads as the session takes them: a frame at a time, paused and resumed."""
        session.attach(self)

    def accept(self, subprotocol: str) -> None:
        """Answer the upgrade in progress with ``subprotocol`` chosen.

        Twisted answers every upgrade without naming a subprotocol, and a
        browser that offered some fails a socket whose answer names none: so
        the answer Twisted is about to write through this wrapper gets its
        ``Sec-WebSocket-Protocol`` line here, before the blank line that ends it.
        """
        self._subprotocol = subprotocol.encode("ascii")

    @override
    def write(self, data: bytes) -> None:
        """Twisted's own writes: the upgrade's answer, then its frames (the sessions' output goes to the socket).

        A pong among them answers a client's ping, which Twisted tells the
        session nothing of; the session hears of it here, so that pings on a
        quiet socket do not add up to a message too big. A close frame gets
        the reason of its code here (``closing_reason``).
        """
        if self._subprotocol is not None and data.startswith(b"HTTP/1.1 101"):
            head, end, rest = data.partition(b"\r\n\r\n")
            data = head + b"\r\nSec-WebSocket-Protocol: " + self._subprotocol + end + rest
            self._subprotocol = None
        elif data[:1] == PONG and self.session.upgraded:
            self.session.ping_answered(data[1] & 0x7F)
        elif data[:1] == CLOSE and self.session.upgraded:
            data = closing_reason(data)
        super().write(data)

    def pauseProducing(self) -> None:
        """The HTTP channel stops reading while it answers a request: one more reason for the session's reading."""
        self.session.request_in_hand(True)

    def resumeProducing(self) -> None:
        """The HTTP channel reads again; the transport does only once the session has no other reason to wait."""
        self.session.request_in_hand(False)

    @override
    def loseConnection(self) -> None:
        # Once upgraded, Twisted closes the socket by writing its close frame through this wrapper
        # and then calling this, without telling the session, whose output skips Twisted's buffer.
        if self.session.upgraded:
            self.session.wire_closing()
        super().loseConnection()

    @override
    def makeConnection(self, transport: ITransport) -> None:
        # The web port's listener's settings, copied at accept; made here only where they could not be.
        self._tuning.accepted(transport)
        super().makeConnection(transport)

    @override
    def dataReceived(self, data: bytes) -> None:
        if not self.session.received(len(data)):
            return
        if not self.session.upgraded:
            super().dataReceived(data)
            return
        self.reads.add(data)

    def _parse(self, piece: bytes) -> None:
        """Hand Twisted's WebSocket a piece of a frame (``reads``)."""
        super().dataReceived(piece)

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.reads.clear()
        # Once upgraded, Twisted hands the session its end through the channel.
        super().connectionLost(reason)
        if not self.session.upgraded:
            self.session.connectionLost(reason)


def closing_reason(frame: bytes) -> bytes:
    """The close ``frame`` Twisted wrote (whole, in one write), its reason replaced by chatd's for its code.

    wsproto closes a socket that breaks the protocol with its exception's
    text as the reason (1007 with "'utf-8' codec can't decode byte 0xff in
    position 3...", Python's words for the client), and answers a client's
    close with the client's own reason echoed back. chatd's sessions close
    with a code alone. So every close frame is given its reason here, one of
    ours, short and the same whoever started the close: the code says what
    happened, and the last line before it (an ``ERR`` or ``ERROR``) says why.
    """
    if len(frame) < 4:  # no code: a close that says nothing stays so
        return frame
    code = int.from_bytes(frame[2:4], "big")
    reason = CLOSE_REASONS.get(code, "").encode()
    return CLOSE + bytes((2 + len(reason),)) + frame[2:4] + reason


class ChatSocket(WebSocketResource):
    """``/ws``: the upgrade to the session of the request's connection, for pages of allowed origins only.

    A browser always sends ``Origin`` with a WebSocket request; it is
    allowed when its host (and port) is the host the request was sent to
    (the page's own origin, through a reverse proxy that keeps ``Host``
    too), or when it is one of ``origins`` exactly. A request without
    ``Origin`` comes from a program, not from a page, and is let in: the
    check protects browsers' users, not the server. On a trusted reverse
    proxy's connection the socket is the user's its ``X-Forwarded-For``
    names, or refused (chatd.frontend.proxies, ``FirstSession.upgrade_for``).
    """

    def __init__(self, origins: Iterable[str]) -> None:
        super().__init__(_Upgrades())
        self._origins = frozenset(origin.rstrip("/").lower() for origin in origins)

    @override
    def render_GET(self, request: Request) -> bytes | int:
        origin = request.getHeader(b"origin")
        if origin is not None and not self._allowed(origin.decode("latin-1").lower(), request):
            request.setResponseCode(403)
            request.setHeader(b"content-type", b"text/plain; charset=utf-8")
            return b"ERR bad-origin pages from that origin may not open this chat\r\n"
        if not _upgrade_asked(request):
            request.setResponseCode(400)
            request.setHeader(b"content-type", b"text/plain; charset=utf-8")
            return b"ERR bad-upgrade this address takes a WebSocket upgrade and nothing else\r\n"
        # Before its upgrade, a connection's session is the web port's own (another front end's only after).
        session = cast(FirstSession, cast(WebConnection, request.channel.transport).session)
        refused = session.upgrade_for(request.requestHeaders.getRawHeaders(b"x-forwarded-for", []))
        if refused is not None:
            request.setResponseCode(503)
            request.setHeader(b"content-type", b"text/plain; charset=utf-8")
            return refused
        return super().render_GET(request)

    @override
    def render_HEAD(self, request: Request) -> bytes:
        """No upgrade is asked with HEAD: 405, quietly (Twisted's answer logged an error and a warning)."""
        request.setResponseCode(405)
        request.setHeader(b"allow", b"GET")
        return b""

    def _allowed(self, origin: str, request: Request) -> bool:
        """Whether a page from ``origin`` may open the socket of ``request``; an origin no URL has (``http://[::1``)
        may not."""
        if origin in self._origins:
            return True
        host = request.getHeader(b"host")
        try:
            netloc = urlsplit(origin).netloc
        except ValueError:
            return False
        return host is not None and netloc == host.decode("latin-1").lower()


def _upgrade_asked(request: Request) -> bool:
    """Whether ``request`` asks for the upgrade as wsproto, which answers it, reads one.

    Twisted's resource asks wsproto too, but logs each refusal at error
    level (a request without ``Sec-WebSocket-Key``: a line in the log a
    request, from anyone) and lets a header that is not ASCII
    (``Sec-WebSocket-Protocol: \\xff``) raise, a 500 and a critical
    traceback; asked first here, either is a quiet 400.
    """
    headers = [
        (name, value) for name, values in request.requestHeaders.getAllRawHeaders() for value in values
    ]
    try:
        H11Handshake(ConnectionType.SERVER).initiate_upgrade_connection(headers, request.path)
    except Exception:  # wsproto's own errors, h11's under them, a UnicodeDecodeError: each a refusal
        return False
    return _key_well_formed(request.getHeader(b"sec-websocket-key") or b"")


def _key_well_formed(key: bytes) -> bool:
    """Whether ``key`` is base64 of 16 bytes, as RFC 6455 (4.2.1) has every client's ``Sec-WebSocket-Key`` be.

    wsproto hashes whatever it is given (``\xff\xfe``, ``short``) and
    answers 101; the RFC has a server refuse such a handshake with 400.
    """
    try:
        return len(base64.b64decode(key, validate=True)) == _KEY_BYTES
    except (binascii.Error, ValueError):
        return False


class _Upgrades:
    """The ``WebSocketServerFactory`` of ``ChatSocket``: the session made with the request's connection."""

    def buildProtocol(self, request: Request) -> WebSocketProtocol:
        """The session of the TCP connection the request came on (under its ``WebConnection``), told the subprotocols offered."""
        offered = [
            name.strip()
            for value in request.requestHeaders.getRawHeaders(b"sec-websocket-protocol", [])
            for name in value.decode("latin-1").split(",")
            if name.strip()
        ]
        return cast(WebConnection, request.channel.transport).session.upgrading(request.channel, offered)


class Takeover(typing.Protocol):
    """Another front end's way in: a session of its own for a socket of the web port, in ``subprotocol``."""

    def __call__(self, peer: str, subprotocol: str) -> Upgradable:
        """A new session for the connection from ``peer``, counted under the limits already (it is handed over)."""
        ...


class Takeovers:
    """The front ends that speak over the web port's sockets in subprotocols of their own, by subprotocol.

    The web port's own sessions speak the line protocol's JSON; a client
    that offers one of these subprotocols (IRC's ``text.ircv3.net``, say)
    is handed to the front end that registered it. The service fills this
    in as it builds the front ends.
    """

    def __init__(self) -> None:
        self._by_name: dict[str, Takeover] = {}

    def add(self, subprotocols: Iterable[str], take: Takeover) -> None:
        """Hand clients that offer any of ``subprotocols`` to ``take``."""
        for name in subprotocols:
            self._by_name[name] = take

    def take(self, peer: str, offered: Sequence[str]) -> tuple[Upgradable, str] | None:
        """The session for a client from ``peer`` offering ``offered`` (in its order of preference) and the
        subprotocol chosen; None if no front end speaks any of them."""
        for name in offered:
            take = self._by_name.get(name)
            if take is not None:
                return take(peer, name), name
        return None
