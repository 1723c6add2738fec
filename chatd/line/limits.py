"""The line front end's limits on each connection.

Defaults fit a person chatting and pasting: typing, or pasting a screenful
at once, is never slowed. docs/SECURITY.md lists each with its option.
Limits on connections overall are counted across front ends
(chatd.frontend.admission).
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LineLimits:
    """One host's settings; every connection of a factory shares them."""

    max_line: int = 512
    """Longest line accepted, in bytes of UTF-8, not counting its ending."""
    flood_rate: float = 2.0
    """Lines (messages and commands) a second a connection may keep up."""
    flood_burst: int = 10
    """Lines a connection may send at once before it is slowed."""
    flood_bytes: int = 4096
    """Bytes a second a connection may keep up; it may send four times this at once."""
    flood_disconnect: float = 30.0
    """Seconds a connection may stay over its budget before it is cut off."""
    paste_lines: int = 20
    """Most lines that arrive together and become one message (a paste)."""
    sendq: int = 262144
    """Bytes that may wait for a client that does not read, beyond Twisted's 64 KiB buffer."""
    register_timeout: float = 60.0
    """Seconds a connection has to choose a nickname (on TLS, from the end of its handshake)."""
    handshake_timeout: float = 10.0
    """Seconds a TLS connection has to finish its handshake."""
    http_timeout: float = 30.0
    """Seconds an HTTP connection to the web port (one not yet a WebSocket) may stay idle, or take to send a
    request whole from its start or its last answer, before it is closed. The web port's connections have these
    limits; one handed to IRC (chatd.irc.socket) keeps this from its ``WebConnection``, as IRC's own ports have
    no HTTP."""
    keepalive: int = 300
    """Seconds of silence before TCP keepalive probes a connection (0: off)."""
