"""``WebConnection``: a TCP connection of the web port, under its HTTP channel.

Twisted's web server reads a connection's bytes as HTTP, then, once the
WebSocket upgrade is done, as frames; neither tells chatd what arrived on
the wire. This wrapper (Twisted's ``ProtocolWrapper``, between the
transport and the channel) sees every byte first and has the connection's
``WebSession`` charge it to the flood budget before anything reads it,
so a page request, a ping or a frame costs what its bytes cost, whatever
becomes of them. It also knows the connection's place under the
connection limits, held from the first byte to the last.
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
