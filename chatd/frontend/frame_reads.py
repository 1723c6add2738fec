"""A WebSocket's reads handed to Twisted a frame at a time, while its session reads.

Twisted's WebSocket protocol parses whatever it is handed at once, and a
read is up to 64 KiB while a frame may be 6 bytes: one read was 11,000
frames (pings answered, messages taken in), some 0.4 s of the reactor,
however far past its flood budget the socket was, and a frame whose charge
closed the socket was followed by the others of its read (a ping among
them answered on a closing socket, a critical traceback). An nc user's
lines past the budget wait in TCP; a socket's frames now wait here, one
read's worth at most, since the transport under them is paused with them.

The header of a client's frame says how long the frame is (RFC 6455
section 5.2), so each is handed over whole, or as far as it has come: a
file's chunk, a frame of 22 KB, goes on in pieces as big as the reads that
bring it. A header not all here waits for the rest of it.
"""

import typing
from collections.abc import Callable

from twisted.internet.interfaces import IPushProducer
from zope.interface import implementer

FRAME_HEADER_LEAST = 2
"""Bytes a frame's header has at least: its first byte, and its second, which says how many more there are."""


class Parsing(typing.Protocol):
    """The session whose socket's frames are handed over: told before and after each piece."""

    def parsing(self, size: int) -> bool:
        """``size`` bytes go to the parser next; False once closing (nothing more is to be parsed)."""
        ...

    def parsed(self) -> None:
        """The bytes handed over last have been parsed: whatever messages they ended have arrived."""


@implementer(IPushProducer)
class FrameReads:
    """What a socket's reads brought that its session has not parsed yet, handed to ``parse`` a frame at a time.

    The session pauses and resumes it as the producer of its input: paused,
    the transport (``transport()``) stops and what is held waits; resumed,
    what is held goes first, then the transport reads again, if the session
    still reads.
    """

    def __init__(
        self, parse: Callable[[bytes], None], session: Parsing, transport: Callable[[], IPushProducer]
    ) -> None:
        self._parse = parse
        self._session = session
        self._transport = transport
        self._held = bytearray()
        self._at = 0
        """Where in ``_held`` what is not yet handed over starts."""
        self._frame_left = 0
        """Bytes of the frame being handed over that are not yet (0: what comes next starts a frame)."""
        self._paused = False
        self._feeding = False

    def add(self, data: bytes) -> None:
        """A read's bytes (charged already): handed over at once as far as the session reads."""
        if self._at:
            del self._held[: self._at]
            self._at = 0
        self._held += data
        self._feed()

    def clear(self) -> None:
        """The connection is gone: nothing held is parsed."""
        self._held.clear()
        self._at = 0

    def pauseProducing(self) -> None:
        """The session reads no more: the transport stops, and what is held waits."""
        self._paused = True
        self._transport().pauseProducing()

    def resumeProducing(self) -> None:
        """The session reads again: what is held first, then the transport, if it still reads."""
        self._paused = False
        self._feed()
        if not self._paused:
            self._transport().resumeProducing()

    def stopProducing(self) -> None:
        """Stop for good: the transport's own."""
        self._transport().stopProducing()

    def _feed(self) -> None:
        """Hand over what is held a frame at a time while the session reads; once it stops (over its budget, a
        command running) the rest waits for ``resumeProducing``, and once it closes the rest goes.

        Not again from inside itself (a frame's handling may resume the
        reading at once): the loop goes on where it was, so frames are parsed
        in the order they came.
        """
        if self._feeding:
            return
        self._feeding = True
        try:
            while not self._paused and self._at < len(self._held):
                size = self._next_size()
                if size is None:
                    return
                piece = bytes(self._held[self._at : self._at + size])
                self._at += size
                self._frame_left -= size
                if not self._session.parsing(size):
                    # Closing: nothing more is parsed, nor is the transport resumed.
                    self._paused = True
                    self.clear()
                    return
                self._parse(piece)
                self._session.parsed()
        finally:
            self._feeding = False

    def _next_size(self) -> int | None:
        """How many held bytes to hand over next: the rest of the frame begun, as far as it is here, or the next
        frame (its header, then its payload as far as it is here); None while that frame's header is not all here."""
        if not self._frame_left:
            end = frame_end(self._held, self._at)
            if end is None:
                return None
            self._frame_left = end - self._at
        return min(self._frame_left, len(self._held) - self._at)


def frame_end(data: bytearray, at: int) -> int | None:
    """Where the client's frame that starts at ``at`` of ``data`` ends (RFC 6455 section 5.2); None if its header
    is not all there."""
    if len(data) < at + FRAME_HEADER_LEAST:
        return None
    second = data[at + 1]
    length = second & 0x7F
    header = 2 + (4 if second & 0x80 else 0)
    if length >= 126:
        extra = 2 if length == 126 else 8
        if len(data) < at + 2 + extra:
            return None
        length = int.from_bytes(data[at + 2 : at + 2 + extra], "big")
        header += extra
    return at + header + length
