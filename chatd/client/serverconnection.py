"""One TCP (or TLS) connection of the client to the server, as lines: bytes in and out, nothing decided here.

Kept apart from the link (``chatd.client.connection``), which outlives
each connection and decides everything: this is the part Twisted builds
anew for every attempt, and what it tells the link is three things, a
connection up (over TLS: its certificate checked), a line, a connection
gone (``LinkSide``).
"""

from typing import Protocol

from twisted.internet.interfaces import IAddress, IHandshakeListener, ISSLTransport
from twisted.internet.protocol import Factory, connectionDone
from twisted.protocols.basic import LineReceiver
from twisted.python.failure import Failure
from typing_extensions import override
from zope.interface import implementer

MAX_SERVER_LINE = 16 * 1024 * 1024
"""Longest server line accepted (a room list on a busy server is long); past it the connection drops."""


class LinkSide(Protocol):
    """What a connection tells the link it belongs to."""

    def handshaking(self, connection: "ServerConnection") -> None:
        """``connection`` is up over TCP and its TLS handshake under way: ``made`` follows if it finishes."""

    def made(self, connection: "ServerConnection") -> None:
        """``connection`` is up and may carry lines: over TLS, the server's certificate and name are checked."""

    def received(self, text: str) -> None:
        """A line from the server, its line end taken off."""

    def lost(self, reason: Failure) -> None:
        """The connection is gone, for ``reason``: whether or not it was ever made."""


@implementer(IHandshakeListener)
class ServerConnection(LineReceiver):
    """Bytes <-> lines for one connection; everything else is the link's business."""

    delimiter = b"\n"
    MAX_LENGTH = MAX_SERVER_LINE

    def __init__(self, link: LinkSide) -> None:
        self._link = link

    @override
    def connectionMade(self) -> None:
        # Over TLS the link is told only once the server's certificate has
        # been checked: until then nothing typed may be sent, and a failed
        # check must end the connection as a failure, not as a goodbye.
        if ISSLTransport.providedBy(self.transport):
            self._link.handshaking(self)
        else:
            self._link.made(self)

    def handshakeCompleted(self) -> None:  # noqa: N802 - IHandshakeListener's name
        """The TLS handshake succeeded, certificate and name checked."""
        self._link.made(self)

    @override
    def lineReceived(self, line: bytes) -> None:
        # The server sends CRLF and only UTF-8; a broken byte is shown as U+FFFD, not fatal.
        self._link.received(line.removesuffix(b"\r").decode("utf-8", "replace"))

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._link.lost(reason)


class ConnectionFactory(Factory):
    """Builds the ``ServerConnection`` of each (re)connection of one link."""

    # Twisted's "Starting factory" lines would land among the chat lines.
    noisy = False

    def __init__(self, link: LinkSide) -> None:
        self._link = link

    @override
    def buildProtocol(self, addr: IAddress | None) -> ServerConnection:
        return ServerConnection(self._link)
