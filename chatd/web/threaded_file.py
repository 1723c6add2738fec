"""A ``static.File`` whose response body is read off the reactor thread (issue 16).

Twisted's ``static.File`` answers everything a download needs (``Range``
with 206 or 416, ``HEAD``, ``If-Modified-Since``, the content headers),
but its producers read each 64 KiB chunk with a blocking ``read`` on the
reactor thread: on a cold disk each one can stall every chat connection
for milliseconds. ``ThreadedFile`` keeps all of it but the reading:
``File.makeProducer`` still sets the code and headers and chooses the
bytes, and ``RangeProducer`` sends those bytes, each chunk read by the
``Read`` it is given (in the daemon, on the spool's thread), no faster than
the ``Pace`` it is given, if any, allows; a file that cannot be read back
whole ends its response, told to the ``Lost`` it is given, if any. One
range at most is honoured: several, or a ``Range`` ``File`` cannot read,
are answered with the whole file (chatd.web.ranges), as RFC 9110 lets a
server ignore ``Range``, so a response is one run of the file's bytes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, cast

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall, IPushProducer, IReactorTime
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.server import Request
from twisted.web.static import (
    File,
    MultipleRangeStaticProducer,
    NoRangeStaticProducer,
    SingleRangeStaticProducer,
    StaticProducer,
)
from typing_extensions import override
from zope.interface import implementer

from chatd.web.ranges import ignore_unless_one_range

Read = Callable[[IO[bytes], int, int], "Deferred[bytes]"]
"""``read(file, offset, length)``: up to ``length`` bytes of the open ``file`` from ``offset``, read off the reactor thread."""


@dataclass(frozen=True)
class Pace:
    """A budget of bytes a second that a response's bytes are spent from: ``spend(length)`` takes ``length`` bytes
    and answers the seconds until the budget is out of debt (0: it is not), for which the next read waits on
    ``clock``."""

    spend: Callable[[int], float]
    clock: IReactorTime


Lost = Callable[[Failure], None]
"""Told, with the ``OSError`` a read raised or the ``EOFError`` of a file that ended early, that a response's file
cannot be read back whole: the response's connection ends, and its owner says why (nothing is logged here)."""


class ThreadedFile(File):
    """One file served as ``static.File`` serves it, one range at most, its bytes read through ``read``; ``lost``, if
    given, told when the file cannot be read back whole (else that is logged as a failure)."""

    def __init__(self, path: str, read: Read, pace: Pace | None = None, lost: Lost | None = None) -> None:
        super().__init__(path)
        self._read = read
        self._pace = pace
        self._lost = lost

    @override
    def render_GET(self, request: Request) -> bytes | int:
        """``File``'s answer, but to several ranges, or a ``Range`` it cannot read, the whole file (a 200)."""
        # A response of one run of bytes is also all RangeProducer sends.
        ignore_unless_one_range(self, request)
        return cast(bytes | int, super().render_GET(request))

    @override
    def render_HEAD(self, request: Request) -> bytes | int:
        """``render_GET``'s answer, a subclass's included (``File`` sends no body to a HEAD).

        ``File.render_HEAD`` is ``File.render_GET`` itself, bound when the
        class was made: without this, a HEAD skipped every ``render_GET``
        below it, and the headers those set (a download's name, no-store).
        """
        return self.render_GET(request)

    @override
    def makeProducer(self, request: Request, fileForReading: IO[bytes]) -> "RangeProducer":
        """``File``'s answer (it sets the code and headers, and makes a producer of the bytes), sent by ``RangeProducer``."""
        offset, size = chosen_span(super().makeProducer(request, fileForReading), self.getFileSize())
        return RangeProducer(request, fileForReading, offset, size, self._read, self._pace, self._lost)


def chosen_span(chosen: StaticProducer, size: int) -> tuple[int, int]:
    """The offset and size of the bytes ``chosen`` (the producer ``File`` made, never started) would send, of a file
    of ``size`` bytes."""
    if isinstance(chosen, SingleRangeStaticProducer):
        return chosen.offset, chosen.size
    if isinstance(chosen, MultipleRangeStaticProducer):
        # Only a Range with no range in it (bytes=) comes here, render_GET having let one through at most: File
        # has set 416 and an empty body, but hands its producer ``([], b"")``, which that producer fails to unpack
        # (a 500 and a logged traceback).
        assert chosen.rangeInfo == ([], b""), "render_GET lets one range through at most"
        return 0, 0
    assert isinstance(chosen, NoRangeStaticProducer)
    return 0, size


@implementer(IPushProducer)
class RangeProducer:
    """Writes ``size`` bytes of ``file`` from ``offset`` to ``request``, a chunk at a time, each read by ``read``; closes
    ``file`` at the end.

    One read at a time, the next only once the last is written and while
    the transport takes more (it pauses a push producer when its buffer is
    full), so a client that stops reading holds at most Twisted's buffer and
    a chunk in memory. A push producer, unlike ``File``'s pull ones: the web
    server drives a pull producer by calling ``resumeProducing`` over and
    over, which would spin the reactor while a read is out.

    With a ``pace``, no read starts while it is in debt: the producer rests
    as if the transport had paused it, until the debt is paid or the
    transport has room, whichever is later; each chunk is spent from it as
    its read starts. So a client that opens several responses at once, or
    one after another, shares the budget among them, from each one's first
    chunk; and a response ends as soon as its last chunk is written, its
    debt left to the next, so a client that closes once it has every byte
    has had the whole file (a one-download link is spent).
    """

    log = Logger()

    def __init__(
        self,
        request: Request,
        file: IO[bytes],
        offset: int,
        size: int,
        read: Read,
        pace: Pace | None = None,
        lost: Lost | None = None,
    ) -> None:
        self._request = request
        self._file = file
        self._read = read
        self._pace = pace
        self._lost = lost
        self._resting: IDelayedCall | None = None
        """The end of the rest the budget's debt imposes, while it lasts."""
        self._offset = offset
        self._left = size
        """Where the bytes to send go on in the file, and how many of them are left."""
        self._paused = False
        self._reading = False
        self._over = False
        self._pumping = False

    def start(self) -> None:
        """Begin sending (``File.render_GET`` calls this once the headers are set)."""
        self._request.registerProducer(self, True)
        self._pump()

    def pauseProducing(self) -> None:
        """The transport's buffer is full: no read starts until it has room."""
        self._paused = True

    def resumeProducing(self) -> None:
        """The transport has sent what it held: the next chunk may be read."""
        self._paused = False
        self._pump()

    def stopProducing(self) -> None:
        """The response is over (sent, or its connection gone): the file closes now, or once the read under way ends."""
        self._over = True
        if self._resting is not None and self._resting.active():
            self._resting.cancel()
        self._resting = None
        if not self._reading:
            self._file.close()

    def _pump(self) -> None:
        """Start the next read, unless one is out, the transport is full or the response is over.

        A read that answers at once comes back here through ``_arrived``: the
        loop goes on with it instead of recursing a level a chunk.
        """
        if self._pumping:
            return
        self._pumping = True
        try:
            while not (self._paused or self._reading or self._over or self._resting is not None):
                if not self._left:
                    self._request.unregisterProducer()
                    self._request.finish()
                    self.stopProducing()
                    return
                length = min(self._left, StaticProducer.bufferSize)
                if self._pace is not None:
                    wait = self._pace.spend(0)
                    if wait > 0:
                        self._resting = self._pace.clock.callLater(wait, self._rested)
                        return
                    self._pace.spend(length)
                self._reading = True
                read = self._read(self._file, self._offset, length)
                read.addCallback(self._arrived).addErrback(self._failed)
        finally:
            self._pumping = False

    def _arrived(self, data: bytes) -> None:
        self._reading = False
        if self._over:
            self._file.close()
            return
        if not data:
            raise EOFError(f"{self._file.name} ends {self._left} bytes before its download does")
        self._offset += len(data)
        self._left -= len(data)
        self._request.write(data)
        self._pump()

    def _rested(self) -> None:
        """The budget's debt is paid: the next chunk may be read."""
        self._resting = None
        self._pump()

    def _failed(self, failure: Failure) -> None:
        """A read failed or found the file cut short: the response cannot be whole, so its connection ends, and
        ``lost`` says why if it was given; anything else that failed is a bug, logged as one."""
        self._reading = False
        if self._lost is not None and failure.check(OSError, EOFError):
            self._lost(failure)
        else:
            self.log.failure("Reading {name} for a download failed", failure, name=self._file.name)
        if not self._over:
            self._request.unregisterProducer()
            self._request.loseConnection()
        self.stopProducing()
