"""IRC over a WebSocket of the web port: what gamja and Kiwi IRC speak (the IRCv3 WebSocket specification).

A client that offers ``text.ircv3.net`` or ``binary.ircv3.net`` when it
opens a socket on the web port is handed here (chatd.frontend.websocket's
``Takeovers``): an ``IRCSocket`` is an ``IRCProtocol`` whose lines arrive
one a message, without their CR LF, and leave one a frame (text frames
for ``text.ircv3.net``, binary for ``binary.ircv3.net``). Everything else
is the IRC listener's: commands, budget, limits, pings (IRC's PING, which
web clients answer), and its place under the connection limits, which the
web port's session hands over with the connection. The socket's side
(bytes charged from the first, the HTTP channel let go, the close frame)
is the shared ``SocketSession``.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from twisted.internet.interfaces import IPushProducer, ITransport
from twisted.web.http import HTTPChannel
from twisted.web.websocket import WebSocketProtocol
from typing_extensions import override

from chatd.frontend.frames import binary_frame, text_frame
from chatd.frontend.sinks import Sink
from chatd.frontend.socket_session import FramedOutput, SocketSession
from chatd.frontend.transport_output import output_for
from chatd.frontend.websocket import Takeover
from chatd.irc.framing import LINE_LIMIT
from chatd.irc.protocol import IRCProtocol

if TYPE_CHECKING:
    from chatd.irc.factory import IRCFactory

SUBPROTOCOLS = ("text.ircv3.net", "binary.ircv3.net")
"""The IRCv3 WebSocket subprotocols, the text one first (the specification's preference)."""


def socket_maker(factory: "IRCFactory") -> Takeover:
    """What the web port's ``Takeovers`` hands an IRC socket to: a session of ``factory``'s for a socket from a
    peer in a subprotocol, its place under the limits handed over.

    The web port admitted the connection; this front end releases it when it ends. Made here rather than by the
    factory, so that an IRC front end without a web port imports no twisted.web (chatd.daemon.web_and_irc asks for it only
    with one).
    """

    def made(peer: str, subprotocol: str) -> IRCSocket:
        session = IRCSocket(factory, peer, subprotocol)
        factory.connections.add(session)
        return session

    return made


class IRCSocket(IRCProtocol, SocketSession):
    """An ``IRCProtocol`` spoken over a WebSocket; see the module docstring."""

    def __init__(self, factory: "IRCFactory", peer: str, subprotocol: str) -> None:
        super().__init__(factory, peer)
        self._start_socket()
        self._binary = subprotocol == "binary.ircv3.net"

    @property
    @override
    def _max_message(self) -> int:
        return LINE_LIMIT

    @override
    def _message_too_big(self) -> None:
        self._quit_reason = "Input line was too long"
        self.close("Input line was too long")

    def upgrading(self, channel: HTTPChannel, offered: Sequence[str]) -> WebSocketProtocol:
        """The upgrade on ``channel`` is this session's."""
        self._channel = channel
        return self

    def negotiationFinished(self) -> None:  # noqa: N802 - Twisted's name
        """The upgrade is answered: the connection leaves HTTP and registration's deadline starts."""
        self._leave_http()

    @override
    def tune(self, transport: ITransport) -> None:
        """Nothing: the connection was tuned as it was accepted, by its ``WebConnection``, before its upgrade."""

    @override
    def make_output(self, transport: ITransport) -> Sink:
        """A frame a line, straight to the TCP (or TLS) transport once what Twisted holds (the 101) is sent."""
        limits = self.factory.limits
        output = output_for(
            self._tcp(), self.factory.outbox, limits.sendq, self._send_queue_exceeded, behind=True
        )
        return FramedOutput(output, binary_frame if self._binary else text_frame)

    def textMessageReceived(self, message: str) -> None:  # noqa: N802 - Twisted's name
        """One IRC line, without its CR LF (one that has them is read the same)."""
        self._line(message.encode())

    def bytesMessageReceived(self, data: bytes | bytearray) -> None:  # noqa: N802 - Twisted's name
        """One IRC line as bytes (``binary.ircv3.net``): decoded as a line from TCP is, so bad UTF-8 is refused alone."""
        self._line(bytes(data))

    def _line(self, data: bytes) -> None:
        self._message_done(len(data))
        self._heard = True
        self._take(self._splitter.feed(data if data.endswith(b"\n") else data + b"\n"))

    @override
    def reader(self) -> IPushProducer:
        """The socket's reading under the wrapper: before the upgrade the session has no transport."""
        return self._reads()

    @override
    def close(self, reason: str | None) -> None:
        if not self._abort_http():
            super().close(reason)

    @override
    def _hang_up(self) -> None:
        self._close_socket()
