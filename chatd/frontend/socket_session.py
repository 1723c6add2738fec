"""The WebSocket side of a session on the web port, whatever the session speaks over it.

A session on the web port exists from its TCP connection's start, while
the connection is still HTTP, so that every byte is charged from the first;
it starts speaking once Twisted's upgrade is done. What that takes is the
same whichever language the socket then carries (the line protocol's JSON
for the page, IRC for a web IRC client), so it is here once, mixed into
each front end's protocol (``chatd.line.web_session.WebSession``,
``chatd.irc.socket.IRCSocket``):

- every byte on the wire is charged before anything reads it (the
  ``WebConnection`` under the HTTP channel reports it), and a connection
  that sends more than a message may hold without ending it is closed
  (Twisted keeps an unfinished message in memory);
- while it is HTTP, each request must arrive whole within
  the connection's ``request_seconds`` (``--http-timeout``) of its start or
  the last answer: the HTTP channel's idle timeout starts again at every
  byte, so a client dripping a header every few seconds (slowloris) would
  hold it for ever;
- once upgraded, the HTTP channel lets go of the transport: its idle
  timeout, its producer, and (through the wrapper) the channel itself;
- while it is HTTP, each request costs a line of flood budget
  (``request_arrived``), and one over it is answered only once the budget
  has refilled, so a client's pipelined requests wait their turn as an nc
  user's lines do;
- reading is paused and resumed on the TCP transport under the wrapper,
  the HTTP channel's own pauses being one more reason of the session's;
- the last frames are followed by a close frame.

The protocol it is mixed into provides ``_charge``, ``_reading``,
``makeConnection``, ``callLater`` and ``transport``, and says how long a message may be
(``_max_message``) and what a connection past it is told
(``_message_too_big``); how long a request may take is the connection's (the web port's).
"""

from collections.abc import Callable
from typing import cast

from twisted.internet.interfaces import IConsumer, IDelayedCall, IPushProducer, ITCPTransport, ITransport
from twisted.internet.protocol import Protocol
from twisted.web.http import HTTPChannel
from twisted.web.websocket import WebSocketTransport
from typing_extensions import override
from wsproto.utilities import LocalProtocolError

from chatd.frontend.flood import FloodControl
from chatd.frontend.frames import framed
from chatd.frontend.output import Output
from chatd.frontend.reading import Pause, Reading
from chatd.frontend.sinks import InFront, Sink
from chatd.frontend.sockets import pin_send_buffer
from chatd.frontend.websocket import WebConnection

FRAME_HEADER_MOST = 14
"""Bytes a client's frame header may take: 2, 8 of length, 4 of mask (RFC 6455 section 5.2)."""

CONTROL_FRAME_HEADER = 6
"""Bytes of a client's control frame (a ping, a pong) besides its payload of at most 125: 2, and 4 of mask."""


def frame_header(size: int) -> int:
    """Bytes of the header of a client's frame carrying ``size`` bytes: 2, the longer length if any, 4 of mask."""
    return 6 + (0 if size < 126 else 2 if size < 65536 else 8)


NORMAL_CLOSURE = 1000
MESSAGE_TOO_BIG = 1009
"""Close codes of RFC 6455 section 7.4.1."""


class SocketSession:
    """The connection, upgrade and close of a session spoken over a WebSocket; see the module docstring."""

    _connection: WebConnection | None
    """The TCP connection's wrapper, set by it once made: charges bytes, pauses reading."""
    _wire: WebSocketTransport | None
    """Twisted's WebSocket transport once the upgrade starts; None while the connection is HTTP."""
    _unfinished: int
    """Bytes received since the last whole message: what Twisted may be buffering of the next."""
    _read_left: int
    """Bytes of the read being parsed not yet taken by a message that ended in it: what can follow one."""
    sink: Sink
    """The session's output, which writes to the socket itself (chatd.frontend.transport_output)."""
    _close_code: int
    _channel: HTTPChannel | None
    """The HTTP channel the upgrade was asked on: it keeps an idle timeout and a producer of its own."""
    _reading: Reading
    _request_deadline: IDelayedCall | None
    """When the request the HTTP connection owes must have arrived; None while one is answered, or once upgraded."""
    _flood: FloodControl
    transport: ITransport | None

    def _start_socket(self) -> None:
        """Set the socket's side up, from the protocol's ``__init__``."""
        self._connection = None
        self._wire = None
        self._unfinished = 0
        self._read_left = 0
        self._close_code = NORMAL_CLOSURE
        self._channel = None
        self._request_deadline = None

    def callLater(self, period: float, func: Callable[..., object], *args: object) -> IDelayedCall:  # noqa: N802
        raise NotImplementedError

    def _charge(self, lines: int, size: int = 0) -> bool:
        raise NotImplementedError

    @property
    def closing(self) -> bool:
        """Whether the connection is closing: the protocol's own."""
        raise NotImplementedError

    @property
    def _max_message(self) -> int:
        raise NotImplementedError

    def _message_too_big(self) -> None:
        """Say that the message is too big and close (with ``MESSAGE_TOO_BIG``)."""
        raise NotImplementedError

    def makeConnection(self, transport: ITransport) -> None:  # noqa: N802 - Twisted's name
        raise NotImplementedError

    @property
    def upgraded(self) -> bool:
        """Whether the connection is a WebSocket now (Twisted then hands it its end, ``connectionLost``)."""
        return self._wire is not None

    def attach(self, connection: WebConnection) -> None:
        """The TCP connection this session's bytes arrive on; its reading is what floods pause. Its first request
        is owed from now."""
        self._connection = connection
        if self._wire is None:
            self._await_request()

    def _await_request(self) -> None:
        """The HTTP connection owes a request: it is closed if it has not sent it whole (headers and body) in its
        ``request_seconds``, from its start or the last answer. A browser takes milliseconds; as long as the idle
        timeout (both are ``--http-timeout``), so a quiet keep-alive connection ends either way."""
        assert self._connection is not None, "WebConnection attaches itself before a request is owed"
        self._stop_awaiting_request()
        self._request_deadline = self.callLater(self._connection.request_seconds, self._request_too_slow)

    def _stop_awaiting_request(self) -> None:
        # Set only while pending: the call clears it when it fires.
        if self._request_deadline is not None:
            self._request_deadline.cancel()
            self._request_deadline = None

    def _request_too_slow(self) -> None:
        self._request_deadline = None
        self._abort_http()

    def received(self, size: int) -> bool:
        """Charge ``size`` bytes that just arrived, HTTP or WebSocket; False if they must not be read.

        That is when the connection is cut off or closing. Charged as they
        arrive, a read at a time, however many frames of it wait to be
        parsed: a stretch over budget goes on while they are parsed at its
        pace (charged a frame at a time, each frame's bytes left room to
        spare, which ended the stretch, and a paced flood was never cut off).
        """
        return self._charge(0, size)

    def parsing(self, size: int) -> bool:
        """``size`` bytes of frames go to the parser next: they count towards the message they belong to, until
        ``parsed``; False once the connection is closing (a frame's charge cut it off): nothing more is parsed."""
        if self.closing:
            return False
        self._unfinished += size
        self._read_left = size
        return True

    def parsed(self) -> None:
        """The bytes handed over last (``parsing``) are parsed: close a connection whose unfinished message is too long.

        Checked after parsing, not before: one read may hold several whole
        messages (a client's window of file chunks, or what waited in TCP
        while reading was paused), which ``_message_done`` takes off the
        count, and only what is left belongs to a message not yet ended.
        So Twisted holds at most one read and one message more than a
        message may be.
        """
        if self._wire is not None and self._unfinished > self._max_message + FRAME_HEADER_MOST:
            self._close_code = MESSAGE_TOO_BIG
            self._message_too_big()

    def negotiationStarted(self, transport: WebSocketTransport) -> None:  # noqa: N802 - Twisted's name
        """Twisted's WebSocket transport for this connection: frames are parsed from here on."""
        self._wire = transport

    def _leave_http(self) -> None:
        """The upgrade is answered: the session takes the connection over from the HTTP channel and starts."""
        connection = self._connection
        assert connection is not None, "WebConnection attaches itself before any request"
        assert self._channel is not None, "the upgrade's request named its channel"
        assert self._wire is not None, "negotiation started before it finished"
        # The HTTP channel still has its idle timeout and is still the
        # transport's producer; a quiet socket must stay, and output is ours.
        self._stop_awaiting_request()
        self._channel.setTimeout(None)
        self._channel = None
        connection.unregisterProducer()
        # Twisted routes the channel's bytes and its end to the WebSocket from now on; the wrapper
        # hands them to the WebSocket itself, so the channel, the request that asked for the
        # upgrade and its headers, which nothing reads again, are let go (0.7 KiB of RSS a socket less).
        connection.wrappedProtocol = cast(Protocol, self._wire)
        # The web port's listener leaves the send buffer to grow (for file links); a socket's is fixed.
        pin_send_buffer(cast(ITransport, connection))
        self.makeConnection(cast(ITransport, connection))
        # The channel no longer reads, so it will not lift a pause of its own.
        self.request_in_hand(False)

    def wire_closing(self) -> None:
        """Twisted is closing the socket, its close frame written: nothing may follow that frame.

        The session's output sends to the socket itself, past Twisted's
        buffer, so without this a file chunk or line sent after a client's
        close frame was answered would follow the answer onto the wire. And
        the output is the transport's producer, which Twisted would ask for
        more rather than close the connection once its buffer is written.
        """
        self.sink.drop()
        if self.transport is not None:
            cast(IConsumer, self.transport).unregisterProducer()

    def _message_done(self, size: int) -> None:
        """A whole message of ``size`` bytes arrived: its bytes and its frame's header are off the count.

        What follows a message that ended in this read is in what is left of
        the read, so the count goes no higher than that: the bytes it cannot
        see taken off (the headers of a message's other fragments) go at
        each message, rather than adding up until a busy socket is cut off
        as too big. A message begun in an earlier read is taken off this
        read whole, so the count may fall short by at most one message.
        """
        taken = size + frame_header(size)
        self._read_left = max(0, self._read_left - taken)
        self._unfinished = min(max(0, self._unfinished - taken), self._read_left)

    def _control_done(self, size: int) -> None:
        """A control frame with ``size`` bytes of payload arrived: exactly its bytes are off the count.

        Not bounded by what is left of the read, as a message is: a control
        frame may come between two fragments of a message, whose first
        fragments still wait in Twisted and still count.
        """
        taken = size + CONTROL_FRAME_HEADER
        self._read_left = max(0, self._read_left - taken)
        self._unfinished = max(0, self._unfinished - taken)

    def ping_answered(self, size: int) -> None:
        """Twisted answered a client's ping of ``size`` bytes of payload (it tells the session no more): a line of
        budget, as an IRC PING costs; answered for its bytes alone, a socket kept up 680 pings a second."""
        self._control_done(size)
        self._charge(1)

    def pongReceived(self, payload: bytes) -> None:  # noqa: N802 - Twisted's name
        """The socket is alive; the pong's bytes are no part of a message. A line of budget, as a ping: one a ping
        round is nothing, and a flood of them is a flood."""
        self._control_done(len(payload))
        self._charge(1)

    def _request_lines(self) -> int:
        """Lines of flood budget an HTTP request costs this connection: one."""
        return 1

    def request_arrived(self, answer: Callable[[], object]) -> None:
        """An HTTP request arrived whole: ``answer`` it, paying its lines of budget (``_request_lines``), in its turn.

        Its turn is now, unless reading is paused for the budget; then it is
        once the budget has refilled. Twisted's channel takes a client's
        pipelined requests from its own buffer, the next as the last is
        answered, however its transport is paused, so each waits here as an
        nc user's next line waits in TCP: the one that spends past the budget
        is answered, those after it one a refill. One over budget past
        ``--flood-disconnect`` is cut off, unanswered. HTTP has no way to be
        told it floods: the cut-off's line in the log, bounded, is all that is said.
        """
        self._flood.after_refill(lambda: self._answer_request(answer))

    def _answer_request(self, answer: Callable[[], object]) -> None:
        lines = self._request_lines()
        if lines and not self._charge(lines):
            return
        answer()

    def request_in_hand(self, answering: bool) -> None:
        """The HTTP channel is answering a request (True) or done with it: it pauses reading meanwhile, and the
        next request is owed once it is done."""
        if answering:
            self._stop_awaiting_request()
            self._reading.pause(Pause.REQUEST)
        else:
            if self._wire is None:
                self._await_request()
            self._reading.resume(Pause.REQUEST)

    def _tcp(self) -> ITCPTransport:
        """The transport under the HTTP channel (TCP, or the TLS over it)."""
        assert self._connection is not None, "WebConnection attaches itself before any byte arrives"
        return cast(ITCPTransport, self._connection.transport)

    def _pause_tcp(self) -> None:
        """Stop reading the TCP connection under the wrapper: before the upgrade the session has no transport."""
        self._reads().pauseProducing()

    def _resume_tcp(self) -> None:
        self._reads().resumeProducing()

    def _reads(self) -> IPushProducer:
        """The socket's reading, paused and resumed by the session: the TCP (or TLS) transport under the wrapper,
        and what of its last read the wrapper holds unparsed (``WebConnection.pause_reading``)."""
        assert self._connection is not None, "WebConnection attaches itself before any byte arrives"
        return self._connection.reads

    def _abort_http(self) -> bool:
        """Close a connection that is still HTTP at once (nothing can be said in a frame); False once upgraded."""
        if self._wire is not None:
            return False
        if self._connection is not None and self._connection.transport is not None:
            self._tcp().abortConnection()
        return True

    def _close_socket(self) -> None:
        """The last frames are with the transport: send the close frame, then close the connection."""
        if self.transport is None or self._wire is None:
            return
        # Both ways close through the wrapper, which has the session stop its output (``wire_closing``).
        try:
            self._wire.loseConnection(self._close_code)
        except LocalProtocolError:
            # The client closed first; Twisted answered it and closes the connection.
            self.transport.loseConnection()


class FramedOutput(InFront):
    """A session's output as one WebSocket frame a line, for a socket whose language is lines (IRC's).

    What is written is whole rendered lines, several at once at times (a
    paste's PRIVMSGs, a burst of numerics); each becomes a frame of its
    own, as the IRCv3 WebSocket specification asks: a message a frame.
    """

    __slots__ = ("_frame",)

    def __init__(self, inner: Sink, frame: Callable[[bytes], bytes]) -> None:
        super().__init__(inner)
        self._frame = frame

    @override
    def write(self, data: bytes) -> None:
        self._inner.write(framed(data, self._frame))

    @override
    def write_later(self, data: bytes) -> None:
        self._inner.write_later(framed(data, self._frame))

    @override
    def fanned(self) -> "tuple[Output, Callable[[bytes], bytes] | None] | None":
        """The output under it, each line framed there: a kept fan-out frames a line once for all such clients."""
        under = self._inner.fanned()
        if under is None or under[1] is not None:
            return None
        return under[0], self._frame
