"""One browser tab (or program) on the WebSocket: the line protocol's JSON form, one message a line.

A ``WebSession`` is a ``LineProtocol`` whose lines arrive as WebSocket text
messages and whose output leaves as WebSocket text frames, one rendered
object a frame: so the browser runs the very commands, flood budget,
pastes, send queue and deadlines nc users have, and every change to them
reaches it too. It starts in JSON (``/format text`` still works: a text
rendering a frame). ``twisted.web.websocket`` parses the client's frames
and answers its pings; what that lacks, chatd adds here and in
chatd.frontend.websocket, where the connection is known:

- every byte on the wire is charged to the flood budget before anything
  reads it (the ``WebConnection`` under the HTTP channel reports it), the
  HTTP request that opened the socket included;
- a message is at most ``max_message`` bytes: a longer whole one is
  refused with one error, and a connection that keeps sending past that
  without ending its message (which Twisted would buffer) is closed 1009;
- the socket is pinged every ``PING_SECONDS`` (one round for all sockets,
  ``WebFactory``'s); one that has not answered by the next round is
  closed as dead.

The session exists from the TCP connection's start (so its bytes are
charged while it is still HTTP) but joins the chat only once the upgrade
is done (``negotiationFinished``): from then on it is a ``LineProtocol``
whose transport is that ``WebConnection``.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from twisted.internet.interfaces import ITransport
from twisted.internet.protocol import connectionDone
from twisted.python.failure import Failure
from twisted.web.http import HTTPChannel
from twisted.web.websocket import WebSocketProtocol
from typing_extensions import override

from chatd.domain.events import Event, RoomEvent, Whispered
from chatd.frontend.errors import ConnectingTooFastError, TooManyConnectionsError
from chatd.frontend.frames import text_frame
from chatd.frontend.output import Output
from chatd.frontend.socket_session import SocketSession
from chatd.frontend.transport_output import output_for
from chatd.line.errors import BinaryMessageError, MessageTooBigError, PingTimeoutError
from chatd.line.protocol import LineProtocol
from chatd.line.render import Renderable, text_line

if TYPE_CHECKING:
    from chatd.line.web_factory import WebFactory

NO_CLIENT = b"ERR bad-forwarded the proxy in front of this chat did not say whose connection this is\r\n"
"""The upgrade's refusal when a trusted proxy's X-Forwarded-For names no user (docs/PROTOCOL.md)."""

PING_SECONDS = 30.0
"""Seconds between pings; a socket that has not answered one by the next is closed (so within a minute)."""


class WebSession(LineProtocol, SocketSession):
    """A ``LineProtocol`` spoken over a WebSocket (chatd.frontend.socket_session); see the module docstring."""

    __slots__ = (
        "_answered",
        "_channel",
        "_close_code",
        "_connection",
        "_request_deadline",
        "_sockets",
        "_unfinished",
        "_wire",
        "proxy",
    )

    def __init__(self, factory: "WebFactory", peer: str, *, proxy: bool = False) -> None:
        super().__init__(factory, peer)
        self.proxy = proxy
        """Whether the connection is a trusted proxy's (``--web-proxy``) that no upgrade has made a user's yet."""
        self.json = True
        self._sockets = factory.sockets
        """The factory's upgraded sessions, which this one joins once upgraded (and leaves at its end)."""
        self._answered = True
        """Whether the socket has answered the last ping (or none was sent yet)."""
        self._start_socket()

    @override
    def _opening_burst(self) -> int:
        """Lines a page load takes (``WebFactory.page_requests``), if more than ``--flood-burst``: each request is one,
        and a browser may make them all on this connection (``negotiationFinished`` brings the socket's down to
        ``--flood-burst``)."""
        return max(super()._opening_burst(), cast("WebFactory", self.factory).page_requests)

    @override
    def _request_lines(self) -> int:
        """One line a request, none on a trusted proxy's connection: it carries the requests of every user behind
        it, one after another, and holding it would hold them all (the proxy is where each user's are limited)."""
        return 0 if self.proxy else 1

    @property
    def _max_message(self) -> int:
        """Longest message taken: a paste's worth of the longest lines, each with its CRLF."""
        limits = self.factory.limits
        most = (limits.max_line + 2) * limits.paste_lines
        # While an upload is open a message may hold a /file put line (issue 16), and once
        # identified an /emsg line (issue 17): _longest says which.
        return max(most, self._longest() + 2)

    def _message_too_big(self) -> None:
        self._quit_reason = "message too big"
        self.close(MessageTooBigError(self._max_message))

    def upgrade_for(self, forwarded_for: Sequence[bytes]) -> bytes | None:
        """The upgrade is asked with ``forwarded_for`` (the request's ``X-Forwarded-For`` values): on a trusted
        proxy's connection, the socket is the user's they name, counted and known by their address from now on.

        Else the line the upgrade is refused with: the proxy named nobody
        (one line in the log says so: the proxy is set up wrong, and taking
        its address would make every user one again), or the user holds all
        the connections their address may, or has opened all it may of late.
        """
        if not self.proxy:
            return None
        factory = cast("WebFactory", self.factory)
        client = factory.proxies.client(forwarded_for)
        if client is None:
            factory.admission.bounded.warn(
                self.log,
                "Refused a WebSocket through {proxy}: its X-Forwarded-For names no client",
                proxy=self.peer,
            )
            return NO_CLIENT
        try:
            self.peer = factory.admission.forward(self.peer, client)
        except (TooManyConnectionsError, ConnectingTooFastError) as refused:
            return text_line(refused)
        self.proxy = False
        return None

    def upgrading(self, channel: HTTPChannel, offered: Sequence[str]) -> WebSocketProtocol:
        """The WebSocket upgrade was asked for on ``channel``: this session, or another front end's for its subprotocol.

        A client that offers a subprotocol another front end speaks (IRC's,
        ``text.ircv3.net``) is handed to that front end's session with the
        connection and its place under the limits; any other is this one's,
        in the line protocol's JSON.
        """
        other = cast("WebFactory", self.factory).takeovers.take(self.peer, offered)
        if other is None:
            self._channel = channel
            return self
        session, subprotocol = other
        connection = self._connection
        assert connection is not None, "WebConnection attaches itself before any request"
        self._flood.stop()
        self.factory.hand_over(self)
        connection.session = session
        session.attach(connection)
        connection.accept(subprotocol)
        return session.upgrading(channel, offered)

    def negotiationFinished(self) -> None:  # noqa: N802 - Twisted's name
        """The upgrade is answered: the connection leaves HTTP and the session starts, greeting in JSON, with a budget of
        ``--flood-burst`` lines at most (a page load's, which the HTTP requests had, is more)."""
        self._flood.hold_lines(self.factory.limits.flood_burst)
        self._leave_http()
        self._sockets.add(self)

    def textMessageReceived(self, message: str) -> None:  # noqa: N802 - Twisted's name
        """A message: its lines are taken as an nc user's lines arriving together (a paste of several)."""
        data = message.encode()
        self._message_done(len(data))
        if len(data) > self._max_message:
            if self._charge(1):
                self.send(MessageTooBigError(self._max_message))
            return
        self._receive(data if data.endswith(b"\n") else data + b"\n")

    def bytesMessageReceived(self, data: bytes | bytearray) -> None:  # noqa: N802 - Twisted's name
        """A binary message is no line: refused, and charged as a line."""
        self._message_done(len(data))
        if self._charge(1):
            self.send(BinaryMessageError())

    @override
    def pongReceived(self, payload: bytes) -> None:
        """The socket is alive; the pong's bytes are no part of a message."""
        self._answered = True
        super().pongReceived(payload)

    def ping(self) -> None:
        """Ping the socket, or close it if it has not answered the last ping (``WebFactory``'s round calls this)."""
        if self.closing:
            return
        if not self._answered:
            self._quit_reason = "ping timeout"
            self.close(PingTimeoutError(PING_SECONDS))
            return
        self._answered = False
        assert self._wire is not None, "pinged only once upgraded"
        self._wire.ping(b"")

    @override
    def tune(self, transport: ITransport) -> None:
        """Nothing: the connection was tuned as it was accepted, by its ``WebConnection``, before its upgrade."""

    @override
    def make_output(self, transport: ITransport) -> Output:
        """Output straight to the TCP (or TLS) transport under the wrapper, once what Twisted holds is sent.

        Twisted wrote the upgrade's answer itself, and may hold it still: the
        first frames go through its buffer, so they cannot overtake it.
        """
        return output_for(
            self._tcp(),
            self.factory.outbox,
            self.factory.limits.sendq,
            self._send_queue_exceeded,
            behind=True,
        )

    @override
    def render(self, item: Renderable) -> bytes:
        return text_frame(super().render(item))

    @override
    def render_history(self, event: Event) -> bytes:
        return text_frame(super().render_history(event))

    @override
    def render_found(self, event: RoomEvent | Whispered) -> bytes:
        return text_frame(super().render_found(event))

    @override
    def stop_reading(self) -> None:
        # The TCP connection under the wrapper is paused: before the upgrade the session has no transport.
        self.paused = True
        self._pause_tcp()

    @override
    def start_reading(self) -> None:
        self.paused = False
        if self.closing:
            return
        self._resume_tcp()
        self._receive(b"")

    @override
    def close(self, last: Renderable | None) -> None:
        # Still HTTP (at shutdown, or cut off for flooding): nothing can be said in a frame, and a
        # response being written is not waited for.
        if not self._abort_http():
            super().close(last)

    @override
    def _hang_up(self) -> None:
        """The last frames are with the transport: send the close frame, then close the connection."""
        self._close_socket()

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._stop_awaiting_request()
        self._sockets.discard(self)
        super().connectionLost(reason)
