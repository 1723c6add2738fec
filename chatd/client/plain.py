"""The client for scripts and pipes: lines in on stdin, rendered lines out on stdout.

Used when stdin or stdout is not a terminal. No escape codes and no bell
reach stdout, only the client's rendering of each server line (a local
``HH:MM``, the marker, the text). The client's own notices (connected,
lost, a transfer's progress every 10%) go to stderr. stdin is read only
once the server's first line shows it is chatd; at its end the client waits for the files
it is sending or fetching, sends ``/quit`` and exits once the server has
said goodbye and closed, so everything before it has been received.
"""

from collections.abc import Sequence
from typing import TextIO

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IHalfCloseableProtocol
from twisted.internet.protocol import connectionDone
from twisted.protocols.basic import LineReceiver
from twisted.python.failure import Failure
from typing_extensions import override
from zope.interface import implementer

from chatd.client.connection import Link
from chatd.client.presence import Answer
from chatd.client.progress import Bar, Steps
from chatd.client.serverconnection import MAX_SERVER_LINE
from chatd.client.shown import Shown


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
        self._steps = Steps()
        self._unended: list[bytes] = []
        """Reads with no newline after LineReceiver's buffer, held apart until one comes (``dataReceived``)."""
        self._unended_size = 0

    @override
    def connectionMade(self) -> None:
        # Lines read before the server is connected would have nowhere to go.
        self.pauseProducing()

    @override
    def dataReceived(self, data: bytes) -> None:
        # LineReceiver adds every read to its buffer and looks through all of it for a newline: a long line, read
        # from a pipe 8 KiB at a time, cost time quadratic in its length (17 MiB took ~35 s to be refused). A read
        # with no newline, while lines are being taken, is only held, and the line refused once it is over the limit.
        if data and self.delimiter not in data and not self.paused:
            self._unended.append(data)
            self._unended_size += len(data)
            if len(self._buffer) + self._unended_size > self.MAX_LENGTH:
                self.lineLengthExceeded(self.clearLineBuffer())
            return
        self._take_unended()
        super().dataReceived(data)

    @override
    def clearLineBuffer(self) -> bytes:
        self._take_unended()
        buffered: bytes = super().clearLineBuffer()
        return buffered

    def _take_unended(self) -> None:
        """Give LineReceiver's buffer the reads held apart, in one piece."""
        if self._unended:
            self._buffer += b"".join(self._unended)
            self._unended, self._unended_size = [], 0

    @override
    def lineReceived(self, line: bytes) -> None:
        text = line.removesuffix(b"\r").decode("utf-8", "replace")
        if text.strip() and not self.link.send(text):
            self._errors.write("chatd.client: not connected; line not sent\n")
        if self.link.presence.asked is not None:
            # The next line must not be taken for a nickname if this one is refused.
            self.pauseProducing()

    @override
    def lineLengthExceeded(self, line: bytes) -> None:
        self._errors.write(f"chatd.client: an input line is over {self.MAX_LENGTH} bytes; stopping\n")
        self._stop()

    def _stop(self) -> None:
        """Read no more, and leave with status 1."""
        self._failed = True
        self.pauseProducing()
        self.link.leave()

    def readConnectionLost(self) -> None:  # noqa: N802 - IHalfCloseableProtocol's name
        """stdin ended: quit once every file moving is through, and exit once the server has had everything.

        ``echo "/send bob f" | python -m chatd.client`` means to send the
        file: quitting at the end of stdin would cut its upload short. A
        last line with no newline after it (``printf``, an editor that adds
        none) is a line all the same, sent first.
        """
        if not self.paused:
            # Not paused, every whole line is read already: what is left is the unended last one.
            rest = self.clearLineBuffer()
            if rest:
                self.lineReceived(rest)
        e2e = self.link.e2e
        if e2e is not None and e2e.busy():
            # A /msg waits for the recipient's keys before its sealed line goes.
            e2e.when_idle(self.readConnectionLost)
            return
        transfers = self.link.files
        if transfers is None or not transfers.bars.moving():
            self.link.leave()
            return
        self._errors.write(
            f"chatd.client: waiting for {transfers.bars.moving()} file transfer(s) before quitting\n"
        )
        transfers.bars.when_still(self.link.leave)

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

    def progress(self, bars: Sequence[Bar]) -> None:
        """Transfers' progress, without a bar to redraw: a line on stderr each time one passes another 10%."""
        for text in self._steps.lines(bars):
            self.link.say(text)

    def server_connected(self) -> None:
        """Start reading stdin, or (with --nick) once the nickname is accepted: never before the server's first
        line shows it is chatd, so no line of a script's (an ``/identify``) reaches a wrong port."""
        if self.link.presence.asked is None:
            self.resumeProducing()

    def answered(self, answer: Answer) -> None:
        """Go on reading once the nickname is accepted; a refused one ends the script with status 1.

        A person would type another nickname; a script's next line is no
        nickname, so it is never sent as one.
        """
        if answer.code is None:
            self.resumeProducing()
            return
        if answer.code == "nick-in-use":
            self._errors.write(
                f"chatd.client: the nickname {answer.nick} is taken; choose another with --nick\n"
            )
        else:
            self._errors.write(
                f"chatd.client: the server refused the nickname {answer.nick}: {answer.text}\n"
            )
        self._stop()

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
