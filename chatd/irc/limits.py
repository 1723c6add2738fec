"""The IRC front end's limits on each connection.

They come from the same options as the line front end's (``--flood-rate``,
``--sendq`` and the rest; docs/SECURITY.md): one host sets one budget for
everyone, whichever client they use. The IRC-only one is the ping round's.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IRCLimits:
    """One host's settings; every connection of an IRC factory shares them."""

    flood_rate: float = 2.0
    """Messages a second a connection may keep up."""
    flood_burst: int = 10
    """Messages a connection may send at once before it is slowed (fakelag: its next ones wait)."""
    flood_bytes: int = 4096
    """Bytes a second a connection may keep up; it may send four times this at once."""
    flood_disconnect: float = 30.0
    """Seconds a connection may stay over its budget before it is cut off."""
    sendq: int = 262144
    """Bytes that may wait for a client that does not read, beyond Twisted's 64 KiB buffer."""
    register_timeout: float = 60.0
    """Seconds a connection has to register (NICK and USER, and CAP END once it began CAP)."""
    handshake_timeout: float = 10.0
    """Seconds a TLS connection has to finish its handshake."""
    keepalive: int = 300
    """Seconds of silence before TCP keepalive probes a connection (0: off)."""
    ping_interval: float = 120.0
    """Seconds between ping rounds: a registered client silent for a whole round is sent a PING, and one
    silent for the next round too is closed (chatd.irc.protocol's ``ping``)."""
