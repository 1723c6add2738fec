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
request; the session pauses it while its flood budget refills. Each
pause is kept apart, so the channel finishing a request does not let a
flooding connection read again early.
"""

from typing import cast

from twisted.internet.interfaces import IPushProducer
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
        self._held_by: set[str] = set()
        """Who wants the transport not read: the HTTP channel (a request in hand), the session (its flood budget)."""
        session.attach(self)

    def pauseProducing(self) -> None:
        """The HTTP channel stops reading while it answers a request."""
        self.hold("http")

    def resumeProducing(self) -> None:
        """The HTTP channel reads again; the transport does only if the session's budget lets it too."""
        self.release("http")

    def hold(self, reason: str) -> None:
        """Stop reading the transport for ``reason`` (``http`` or ``session``)."""
        if not self._held_by:
            cast(IPushProducer, self.transport).pauseProducing()
        self._held_by.add(reason)

    def release(self, reason: str) -> None:
        """Lift ``reason``; read the transport again once no reason holds."""
        if reason not in self._held_by:
            return
        self._held_by.discard(reason)
        if not self._held_by:
            cast(IPushProducer, self.transport).resumeProducing()

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
