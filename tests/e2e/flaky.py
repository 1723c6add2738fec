"""A loopback proxy in the test's reactor, built on ``twisted.protocols.portforward``, that a test can break.

A phone on a train loses its connection in ways a ``kill`` of the daemon
does not show: ``strand`` drops the client's side at once while the
server's side stays open and unread (the phone moved to another network;
nothing reaches the server to say its old connection is gone), until
``release`` ends those as the server's TCP keepalive would, minutes later.
"""

from twisted.internet import reactor, tcp
from twisted.internet.endpoints import TCP4ServerEndpoint
from twisted.internet.task import deferLater
from twisted.protocols.portforward import Proxy, ProxyFactory, ProxyServer
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase
from typing_extensions import override


def _socket(proxy: Proxy) -> tcp.Connection:
    """The TCP connection under one side of a forwarded connection."""
    assert isinstance(proxy.transport, tcp.Connection), proxy.transport
    return proxy.transport


class _Forwarded(ProxyServer):
    """The client's side of one forwarded connection, known to the proxy while it is open."""

    @override
    def connectionMade(self) -> None:
        assert isinstance(self.factory, FlakyProxy)
        self.factory.forwarded.append(self)
        super().connectionMade()

    @override
    def connectionLost(self, reason: Failure) -> None:  # type: ignore[override] # portforward leaves it untyped
        assert isinstance(self.factory, FlakyProxy)
        if self in self.factory.forwarded:
            self.factory.forwarded.remove(self)
        super().connectionLost(reason)


class FlakyProxy(ProxyFactory):
    """Forwards each connection to 127.0.0.1 ``target`` (portforward's ``port``); ``entry`` is where clients connect."""

    protocol = _Forwarded

    def __init__(self, target: int) -> None:
        super().__init__("127.0.0.1", target)
        self.forwarded: list[_Forwarded] = []
        self.stranded: list[tcp.Connection] = []
        """Server sides whose client is gone, open and unread: held here, as the reactor no longer holds a paused
        socket and its collection would close it."""
        self.stalled: list[tcp.Connection] = []
        """Client sides of stalled connections, open and unread, until the client drops them or the test ends."""
        self.entry = 0

    @classmethod
    async def listen(cls, test: SynchronousTestCase, target: int) -> "FlakyProxy":
        """A proxy on a free loopback port in front of ``target``; everything it holds is closed with the test."""
        proxy = cls(target)
        listening = await TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(proxy)
        proxy.entry = listening.getHost().port
        test.addCleanup(proxy._abort_stranded)
        test.addCleanup(listening.stopListening)
        return proxy

    def strand(self) -> None:
        """Abort the client's side of every connection; leave its server side open, unread, unanswered."""
        for forwarded in list(self.forwarded):
            client_side = _socket(forwarded)
            client_side.unregisterProducer()
            self._hold_server_side(forwarded)
            client_side.abortConnection()

    def stall(self) -> None:
        """Stop every connection's bytes both ways, both sides left open and unread; ``release`` ends the server's."""
        for forwarded in list(self.forwarded):
            client_side = _socket(forwarded)
            client_side.unregisterProducer()
            client_side.pauseProducing()
            self.stalled.append(client_side)
            self.forwarded.remove(forwarded)
            self._hold_server_side(forwarded)

    def _hold_server_side(self, forwarded: _Forwarded) -> None:
        """Keep ``forwarded``'s server side open, unread, unanswered and cut from its client side, for ``release``."""
        server_side = forwarded.peer
        if server_side is not None:
            kept = _socket(server_side)
            kept.unregisterProducer()
            kept.pauseProducing()
            self.stranded.append(kept)
            server_side.peer = None
        forwarded.peer = None

    async def release(self) -> None:
        """End the stranded server sides, as the server's keepalive does once the client is known gone: done once
        their sockets are closed (an abort closes on a later turn of the reactor)."""
        stranded = self._abort_stranded()
        while any(side.connected for side in stranded):
            await deferLater(reactor, 0, lambda: None)

    def _abort_stranded(self) -> list[tcp.Connection]:
        stranded, self.stranded = self.stranded, []
        stalled, self.stalled = self.stalled, []
        for side in stalled:
            side.abortConnection()
        for side in stranded:
            side.abortConnection()
        return stranded
