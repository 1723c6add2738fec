"""Bytes -> lines on a line connection: telnet stripped if the client speaks it, lines capped, reading paused.

A line is capped at ``--max-line`` (longer for a ``/file put`` while
uploading, or an ``/emsg`` once identified); an overlong one is refused
with one error and what follows its newline is kept (Twisted's
``LineReceiver`` would drop the connection). conch's telnet parser is made
only once a client sends IAC, and a bad telnet command costs only itself.
"""

from abc import abstractmethod
from typing import cast

from twisted.internet.interfaces import (
    IPushProducer,
    ITransport,
)
from twisted.protocols.basic import LineReceiver
from typing_extensions import override

from chatd.domain.envelopes import EMSG_LINE_MOST
from chatd.domain.files import PUT_LINE_MOST
from chatd.line.budget import LineBudget
from chatd.line.errors import (
    LineTooLongError,
    TelnetCommandError,
    TelnetOverflowError,
)
from chatd.line.keys import line_most
from chatd.line.telnet import IAC, TelnetFilter


class LineReceiving(LineBudget, LineReceiver):
    """The reading part of ``LineProtocol``: bytes in, lines out to ``lineReceived`` (chatd.line.taking)."""

    __slots__ = ("_discarding", "_overflow", "_read_ended", "_telnet")

    _telnet: TelnetFilter | None
    _overflow: bytes
    _discarding: bool
    _read_ended: bool
    """Whether the client has shut its side (``readConnectionLost``): no byte will come, and once the lines it
    sent are taken the connection closes."""

    @override
    def dataReceived(self, data: bytes) -> None:
        # Every byte costs budget as it arrives, before anything reads it:
        # telnet commands, blank lines and the discarded rest of an overlong
        # line cost the same as text (issue 12). Lines are charged on top,
        # each as it is taken, without their bytes.
        if not self._charge(0, len(data)):
            return
        if self._telnet is None:
            if IAC not in data:
                # Until a client sends IAC there is no telnet to strip: nc's
                # bytes skip conch's byte-at-a-time parser.
                self._receive(data)
                return
            self._telnet = TelnetFilter(self._receive, self._telnet_reply, self._telnet_overflow)
            self._telnet.makeConnection(cast(ITransport, self.transport))
        # conch's parser hands over a read's text only at its end, and loses
        # it all if it meets a bad command; fed up to each IAC in turn, it
        # loses nothing but the bad command.
        first, *rest = data.split(IAC)
        self._telnet_parse(self._telnet, first)
        for piece in rest:
            self._telnet_parse(self._telnet, IAC + piece)

    def _telnet_parse(self, telnet: TelnetFilter, piece: bytes) -> None:
        """Parse ``piece``, holding at most one IAC, first; skip a bad command and go on."""
        escaped = telnet.state.endswith("escaped")
        try:
            telnet.dataReceived(piece)
        except (ValueError, IndexError):
            # conch raises on an IAC followed by a byte that is no telnet
            # command (ValueError) or on an empty subnegotiation, IAC SB IAC
            # SE (IndexError): the byte it choked on is the first of the
            # piece if the IAC ended the last one, else the second.
            telnet.state = "data"
            self.send(TelnetCommandError())
            self._telnet_parse(telnet, piece[1 if escaped else 2 :])

    def _telnet_reply(self, data: bytes) -> None:
        """Send a negotiation reply like any output.

        A reply is no longer than the command that asked for it, whose bytes
        were charged as they arrived, so replies grow only as fast as the
        flood budget lets commands in; past the send queue the client is cut off.
        """
        self.write(data)

    def _telnet_overflow(self) -> None:
        self.close(TelnetOverflowError(TelnetFilter.MAX_SUBNEGOTIATION))

    def _uploading(self) -> bool:
        """Whether this connection has an upload open: its bytes go to the transfer budget, its put lines may be long."""
        return self.files is not None and self.files.uploading(self)

    def _longest(self) -> int:
        """The longest line this connection may send now: a ``/file put`` while uploading, an ``/emsg`` once
        identified (issue 17; only an account may send one), else ``max_line``; ``_take`` holds other lines
        to ``max_line`` still."""
        if self._uploading():
            return PUT_LINE_MOST
        if self.user is not None and self.user.account is not None:
            return max(self.factory.limits.max_line, EMSG_LINE_MOST)
        return self.factory.limits.max_line

    def _line_most(self, line: bytes) -> int:
        """The longest ``line`` may be, by what it is: a ``/file put`` while uploading, an ``/emsg``, else
        ``max_line``."""
        putting = line.startswith(b"/file put ") and self._uploading()
        return PUT_LINE_MOST if putting else line_most(line, self.factory.limits.max_line)

    def _receive(self, data: bytes) -> None:
        """Feed bytes to LineReceiver, recovering from overlong lines, then send any paste."""
        self.MAX_LENGTH = self._longest() + 1
        while not self.closing:
            if self._discarding:
                _, newline, data = data.partition(b"\n")
                if not newline:
                    break
                self._discarding = False
            LineReceiver.dataReceived(self, data)
            data, self._overflow = self._overflow, b""
            if not data:
                break
        self.guarded(self._send_paste)

    @override
    def lineLengthExceeded(self, line: bytes) -> None:
        # LineReceiver hands over the long line plus all that followed it;
        # refuse the line, keep what follows its newline, and if it has not
        # ended yet, drop bytes until it does (memory stays bounded). Like
        # any refused line it costs a line; its bytes were charged on arrival.
        self.guarded(self._send_paste)
        if not self._charge(1):
            return
        ended, newline, rest = line.partition(b"\n")
        size = len(ended.removesuffix(b"\r")) if newline else None
        # The limit this line broke: an /emsg is told 16,384, not the 512 of other lines (unless its
        # connection may send no /emsg, and so no line past max_line).
        self.send(LineTooLongError(min(self._longest(), self._line_most(ended)), size))
        if newline:
            self._overflow = rest
        else:
            self._discarding = True

    def readConnectionLost(self) -> None:  # noqa: N802 - IHalfCloseableProtocol's name
        """The client shut its sending side but still reads (``nc -N`` at the end of its input, a script's
        ``shutdown(SHUT_WR)``): an unended last line is taken as if its newline had come, charged as any line, and
        once every line is taken (a command that waits first answered) the connection closes as a dropped one does
        (``close_when_written``: the replies are written first). TCP only: TLS and the web port end at their
        peer's close as before."""
        self._read_ended = True
        if self._buffer or self._discarding:
            self._receive(b"\n")
        self._close_if_read()

    def writeConnectionLost(self) -> None:  # noqa: N802 - IHalfCloseableProtocol's name
        """Never called: the server shuts no side alone (``IHalfCloseableProtocol`` asks for it)."""

    def _close_if_read(self) -> None:
        """Close once the client has shut its side and nothing it sent is left to take."""
        if self._read_ended and not self.paused and not self._buffer and not self.closing:
            self.close(None)

    def stop_reading(self) -> None:
        """Take no more lines until ``start_reading``; ``Reading`` decides when."""
        # LineReceiver takes no more lines from its buffer while paused, and
        # the transport stops reading, so TCP pushes back on the client.
        self.paused = True
        cast(IPushProducer, self.transport).pauseProducing()

    def start_reading(self) -> None:
        """Take lines again: the ones buffered meanwhile first, then the transport's."""
        self.paused = False
        if self.closing:
            return
        if not self._read_ended:
            # A shut side read again would be "lost" again: its lines are all in the buffer.
            cast(IPushProducer, self.transport).resumeProducing()
        self._receive(b"")
        self._close_if_read()

    @abstractmethod
    def _send_paste(self) -> None:
        """Say the plain lines gathered from this read (chatd.line.taking): at the end of each read, and before a
        refused line."""
