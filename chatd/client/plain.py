"""The client for scripts and pipes: lines in on stdin, rendered lines out on stdout.

Used when stdin or stdout is not a terminal. No escape codes and no bell
reach stdout, only the client's rendering of each server line (a local
``HH:MM``, the marker, the text). The client's own notices (connected,
lost) go to stderr. stdin is read only once the server is connected; at
its end the client sends ``/quit`` and exits once the server has said
goodbye and closed, so everything before it has been received.
"""

from typing import TextIO, cast

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IHalfCloseableProtocol, IPushProducer
from twisted.internet.protocol import connectionDone
from twisted.protocols.basic import LineReceiver
from twisted.python.failure import Failure
from typing_extensions import override
from zope.interface import implementer

from chatd.client.connection import MAX_SERVER_LINE, Link
from chatd.client.render import Shown


@implementer(IHalfCloseableProtocol)
class PlainIO(LineReceiver):
    """stdin lines to the link, the link's lines to stdout; ``ended`` fires with the exit status."""

    delimiter = b"\n"
    MAX_LENGTH = MAX_SERVER_LINE

    def __init__(self, link: Link, errors: TextIO) -> None:
        self.link = link
        self._errors = errors
        self._status: int | None = None
        self._failed = False
        self._writable = True
        """False once stdout is closed: then nothing drains and nothing waits for it."""
        self.ended: Deferred[int] = Deferred()

    @override
    def connectionMade(self) -> None:
        # Lines read before the server is connected would have nowhere to go.
        self._producer().pauseProducing()

    def _producer(self) -> IPushProducer:
        # StandardIO pauses and resumes reading stdin, though it declares only IProducer.
        return cast(IPushProducer, self.transport)

    @override
    def lineReceived(self, line: bytes) -> None:
        text = line.removesuffix(b"\r").decode("utf-8", "replace")
        if text.strip() and not self.link.send(text):
            self._errors.write("chatd.client: not connected; line not sent\n")

    @override
    def lineLengthExceeded(self, line: bytes) -> None:
        self._errors.write(f"chatd.client: an input line is over {self.MAX_LENGTH} bytes; stopping\n")
        self._failed = True
        self._producer().pauseProducing()
        self.link.leave()

    def readConnectionLost(self) -> None:  # noqa: N802 - IHalfCloseableProtocol's name
        """stdin ended: quit, and exit once the server has had everything."""
        self.link.leave()

    def writeConnectionLost(self) -> None:  # noqa: N802 - IHalfCloseableProtocol's name
        """Nobody reads stdout any more (``| head``): leave as at the end of stdin."""
        self._writable = False
        self.link.leave()

    # The link's Screen.

    def show(self, shown: Shown) -> None:
        """Write each line to stdout; the bell is for terminals."""
        if self.transport is not None and self._writable:
            self.transport.write(b"".join(line.encode("utf-8") + b"\n" for line in shown.lines))

    def note(self, shown: Shown) -> None:
        """The client's own lines go to stderr, out of the way of a script reading stdout."""
        for line in shown.lines:
            self._errors.write(line + "\n")
        self._errors.flush()

    def server_connected(self) -> None:
        """Start (or go on) reading stdin."""
        self._producer().resumeProducing()

    def close(self, status: int) -> None:
        """The link is done: let stdout drain, then close; ``ended`` fires after."""
        self._status = 1 if self._failed else status
        if self.transport is not None and self._writable:
            self.transport.loseConnection()
        else:
            self._end()

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.transport = None
        if self._status is None:
            self.link.leave()
        else:
            self._end()

    def _end(self) -> None:
        if not self.ended.called and self._status is not None:
            self.ended.callback(self._status)
