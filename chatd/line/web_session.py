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

from typing import TYPE_CHECKING, cast

from twisted.internet.interfaces import IConsumer, IPushProducer, ITCPTransport, ITransport
from twisted.internet.protocol import Protocol, connectionDone
from twisted.python.failure import Failure
from twisted.web.http import HTTPChannel
from twisted.web.websocket import WebSocketTransport
from typing_extensions import override
from wsproto.utilities import LocalProtocolError

from chatd.domain.events import Event, RoomEvent
from chatd.frontend.frames import text_frame
from chatd.frontend.output import Output, output_for
from chatd.frontend.reading import Pause
from chatd.frontend.websocket import WebConnection
from chatd.line.errors import BinaryMessageError, MessageTooBigError, PingTimeoutError
from chatd.line.protocol import LineProtocol
from chatd.line.render import Renderable

if TYPE_CHECKING:
    from chatd.line.web_factory import WebFactory

PING_SECONDS = 30.0
"""Seconds between pings; a socket that has not answered one by the next is closed (so within a minute)."""

FRAME_HEADER_MOST = 14
"""Bytes a client's frame header may take: 2, 8 of length, 4 of mask (RFC 6455 section 5.2)."""

CONTROL_FRAME_HEADER = 6
"""Bytes of a client's control frame (a pong) besides its payload: 2, and 4 of mask."""

NORMAL_CLOSURE = 1000
MESSAGE_TOO_BIG = 1009
"""Close codes of RFC 6455 section 7.4.1."""


class WebSession(LineProtocol):
    """A ``LineProtocol`` spoken over a WebSocket; see the module docstring."""

    __slots__ = ("_answered", "_channel", "_close_code", "_connection", "_sockets", "_unfinished", "_wire")

    def __init__(self, factory: "WebFactory", peer: str) -> None:
        super().__init__(factory, peer)
        self.json = True
        self._sockets = factory.sockets
        """The factory's upgraded sessions, which this one joins once upgraded (and leaves at its end)."""
        self._connection: WebConnection | None = None
        """The TCP connection's wrapper, set by it once made: charges bytes, pauses reading."""
        self._wire: WebSocketTransport | None = None
        """Twisted's WebSocket transport once the upgrade starts; None while the connection is HTTP."""
        self._unfinished = 0
        """Bytes received since the last whole message: what Twisted may be buffering of the next."""
        self._answered = True
        """Whether the socket has answered the last ping (or none was sent yet)."""
        self._close_code = NORMAL_CLOSURE
        self._channel: HTTPChannel | None = None
        """The HTTP channel the upgrade was asked on: it keeps an idle timeout and a producer of its own."""

    @property
    def upgraded(self) -> bool:
        """Whether the connection is a WebSocket now (Twisted then hands it its end, ``connectionLost``)."""
        return self._wire is not None

    def attach(self, connection: WebConnection) -> None:
        """The TCP connection this session's bytes arrive on; its reading is what floods pause."""
        self._connection = connection

    def received(self, size: int) -> bool:
        """Charge ``size`` bytes that just arrived, HTTP or WebSocket; False if they must not be read.

        That is when the connection is cut off or closing, or has sent more
        than a message may hold without ending it (it is then closed with
        1009, after one error: Twisted keeps an unfinished message in memory).
        """
        if not self._charge(0, size):
            return False
        if self._wire is None:
            return True
        self._unfinished += size
        if self._unfinished <= self._max_message + FRAME_HEADER_MOST:
            return True
        self._close_code = MESSAGE_TOO_BIG
        self._quit_reason = "message too big"
        self.close(MessageTooBigError(self._max_message))
        return False

    @property
    def _max_message(self) -> int:
        """Longest message taken: a paste's worth of the longest lines, each with its CRLF."""
        limits = self.factory.limits
        return (limits.max_line + 2) * limits.paste_lines

    def upgrading(self, channel: HTTPChannel) -> "WebSession":
        """The WebSocket upgrade was asked for on ``channel``, this connection's HTTP channel; returns self."""
        self._channel = channel
        return self

    def negotiationStarted(self, transport: WebSocketTransport) -> None:  # noqa: N802 - Twisted's name
        """Twisted's WebSocket transport for this connection: frames are parsed from here on."""
        self._wire = transport

    def negotiationFinished(self) -> None:  # noqa: N802 - Twisted's name
        """The upgrade is answered: the connection leaves HTTP and the session starts, greeting in JSON."""
        connection = self._connection
        assert connection is not None, "WebConnection attaches itself before any request"
        assert self._channel is not None, "the upgrade's request named its channel"
        assert self._wire is not None, "negotiation started before it finished"
        # The HTTP channel still has its idle timeout and is still the
        # transport's producer; a quiet socket must stay, and output is ours.
        self._channel.setTimeout(None)
        self._channel = None
        connection.unregisterProducer()
        # Twisted routes the channel's bytes and its end to the WebSocket from now on; the wrapper
        # hands them to the WebSocket itself, so the channel, the request that asked for the
        # upgrade and its headers, which nothing reads again, are let go (0.7 KiB of RSS a socket less).
        connection.wrappedProtocol = cast(Protocol, self._wire)
        self.makeConnection(connection)
        # The channel no longer reads, so it will not lift a pause of its own.
        self.request_in_hand(False)
        self._sockets.add(self)

    def textMessageReceived(self, message: str) -> None:  # noqa: N802 - Twisted's name
        """A message: its lines are taken as an nc user's lines arriving together (a paste of several)."""
        self._unfinished = 0
        data = message.encode()
        if len(data) > self._max_message:
            if self._charge(1):
                self.send(MessageTooBigError(self._max_message))
            return
        self._receive(data if data.endswith(b"\n") else data + b"\n")

    def bytesMessageReceived(self, data: bytes | bytearray) -> None:  # noqa: N802 - Twisted's name
        """A binary message is no line: refused, and charged as a line."""
        self._unfinished = 0
        if self._charge(1):
            self.send(BinaryMessageError())

    def pongReceived(self, payload: bytes) -> None:  # noqa: N802 - Twisted's name
        """The socket is alive; the pong's bytes are no part of a message."""
        self._answered = True
        self._unfinished = max(0, self._unfinished - len(payload) - CONTROL_FRAME_HEADER)

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
    def render_found(self, event: RoomEvent) -> bytes:
        return text_frame(super().render_found(event))

    def request_in_hand(self, answering: bool) -> None:
        """The HTTP channel is answering a request (True) or done with it: it pauses reading meanwhile."""
        if answering:
            self._reading.pause(Pause.REQUEST)
        else:
            self._reading.resume(Pause.REQUEST)

    @override
    def stop_reading(self) -> None:
        # The TCP connection under the wrapper is paused: before the upgrade the session has no transport.
        self.paused = True
        cast(IPushProducer, self._tcp()).pauseProducing()

    @override
    def start_reading(self) -> None:
        self.paused = False
        if self.closing:
            return
        cast(IPushProducer, self._tcp()).resumeProducing()
        self._receive(b"")

    def _tcp(self) -> ITCPTransport:
        """The transport under the HTTP channel (TCP, or the TLS over it)."""
        assert self._connection is not None, "WebConnection attaches itself before any byte arrives"
        return cast(ITCPTransport, self._connection.transport)

    @override
    def close(self, last: Renderable | None) -> None:
        if self._wire is None:
            # Still HTTP (at shutdown, or cut off for flooding): nothing can be said in a frame, and a
            # response being written is not waited for.
            if self._connection is not None and self._connection.transport is not None:
                self._tcp().abortConnection()
            return
        super().close(last)

    @override
    def _hang_up(self) -> None:
        """The last frames are with the transport: send the close frame, then close the connection."""
        if self.transport is None or self._wire is None:
            return
        # Output was this producer; the connection closes after the close frame, whatever waits.
        cast(IConsumer, self.transport).unregisterProducer()
        try:
            self._wire.loseConnection(self._close_code)
        except LocalProtocolError:
            # The client closed first; Twisted answered it and closes the connection.
            self.transport.loseConnection()

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._sockets.discard(self)
        super().connectionLost(reason)
