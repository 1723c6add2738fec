"""``WebConnection``: a TCP connection of the web port, under its HTTP channel.

Twisted's web server reads a connection's bytes as HTTP, then, once the
WebSocket upgrade is done, as frames; neither tells chatd what arrived on
the wire. This wrapper (Twisted's ``ProtocolWrapper``, between the
transport and the channel) sees every byte first and has the connection's
``WebSession`` charge it to the flood budget before anything reads it,
so a page request, a ping or a frame costs what its bytes cost, whatever
becomes of them. It also knows the connection's place under the
connection limits, held from the first byte to the last.

Twisted's HTTP channel pauses and resumes its transport around each
request; the session pauses it while its flood budget refills. The
channel's pauses are one more reason of the session's ``Reading``
(chatd.frontend.reading), so the channel finishing a request does not let
a flooding connection read again early.
"""

from twisted.internet.protocol import Protocol, connectionDone
from twisted.protocols.policies import ProtocolWrapper, WrappingFactory
from twisted.python.failure import Failure
from typing_extensions import override

from chatd.web.session import WebSession


class WebConnection(ProtocolWrapper):
    """The ``channel`` of one TCP connection, with the ``session`` that pays for its bytes."""

    def __init__(
        self, factory: "WrappingFactory[WebConnection]", channel: Protocol, session: WebSession
    ) -> None:
        super().__init__(factory, channel)
        self.session = session
        session.attach(self)

    def pauseProducing(self) -> None:
        """The HTTP channel stops reading while it answers a request: one more reason for the session's reading."""
        self.session.request_in_hand(True)

    def resumeProducing(self) -> None:
        """The HTTP channel reads again; the transport does only once the session has no other reason to wait."""
        self.session.request_in_hand(False)

    @override
    def dataReceived(self, data: bytes) -> None:
        if self.session.received(len(data)):
            super().dataReceived(data)

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        # Once upgraded, Twisted hands the session its end through the channel.
        super().connectionLost(reason)
        if not self.session.upgraded:
            self.session.connectionLost(reason)
