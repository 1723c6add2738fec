"""Server-to-client WebSocket text frames, built once per event for every recipient.

A frame a server sends is not masked (RFC 6455 section 5.1), so the same
bytes go to every socket: delivery frames an event once and writes those
bytes to each recipient's output, as the line front end writes one
rendered line. wsproto (under ``twisted.web.websocket``) frames only one
message for one connection at a time, from text it encodes again; here the
payload is the UTF-8 the renderer already made.
"""

import struct
from collections.abc import Callable

CRLF = b"\r\n"

_FIN_TEXT = 0x81
"""FIN set (the message is whole in this frame), opcode 1: text."""

_FIN_BINARY = 0x82
"""FIN set, opcode 2: binary (IRC's ``binary.ircv3.net`` carries lines that way)."""

_SHORT = 125
"""Longest payload whose length fits in the frame's second byte."""

_MEDIUM = 0xFFFF
"""Longest payload whose length fits in the 16 bits that follow the marker 126."""


def framed(data: bytes, frame: Callable[[bytes], bytes]) -> bytes:
    """Each CRLF-ended line of ``data`` (whole rendered lines, one or several) as a frame of its own, by ``frame``."""
    return b"".join(frame(line) for line in data.split(CRLF)[:-1])


def text_frame(line: bytes) -> bytes:
    """One whole text frame carrying ``line`` (UTF-8), without the CRLF a rendered line ends in."""
    return _frame(_FIN_TEXT, line.removesuffix(CRLF))


def binary_frame(line: bytes) -> bytes:
    """One whole binary frame carrying ``line``, without its CRLF."""
    return _frame(_FIN_BINARY, line.removesuffix(CRLF))


def _frame(first: int, payload: bytes) -> bytes:
    size = len(payload)
    if size <= _SHORT:
        header = bytes((first, size))
    elif size <= _MEDIUM:
        header = struct.pack("!BBH", first, 126, size)
    else:
        header = struct.pack("!BBQ", first, 127, size)
    return header + payload
