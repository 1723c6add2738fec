"""Socket settings for accepted connections: no Nagle delay, keepalive, a fixed send buffer.

Chat lines are small and wanted now: Nagle's algorithm would hold a line
back while an earlier one is unacknowledged (tens of milliseconds at load),
so TCP_NODELAY is set; Twisted already gathers each connection's writes
into one send per reactor pass.

People leave a chat open for hours without typing, and nc has no way to
answer an application-level ping, so chatd never drops a connection for
being quiet. The kernel's keepalive probes find the ones whose other end
has vanished (a laptop closed, a network gone) and close them.

Linux grows a socket's send buffer, up to several MiB, for a peer that
does not read; until that fills, Twisted never hears the client is behind
and the send-queue limit cannot start. A fixed send buffer stops the
growth, so a client that stops reading is noticed within a few hundred KiB.

A TLS connection's transport is a protocol wrapped around the TCP one
(``TLSMemoryBIOProtocol``, whose own handle is the OpenSSL connection), so
the settings go to the TCP transport under it: TLS users get the same
limits as plain ones.
"""

import socket
from typing import cast

from twisted.internet.interfaces import ISystemHandle, ITCPTransport, ITransport
from twisted.protocols.policies import ProtocolWrapper

PROBES = 5
"""Unanswered probes before the kernel gives up on a connection."""

KEEPALIVE_MOST = 32767
"""The longest silence before probes Linux takes (its MAX_TCP_KEEPIDLE), about 9 hours: past it, setting
TCP_KEEPIDLE fails (EINVAL), and with it every connection as it is accepted."""

SEND_BUFFER = 65536
"""Bytes asked for as the kernel's send buffer (Linux books twice this)."""


def tune(transport: ITransport, keepalive: int) -> None:
    """No Nagle; fix the send buffer; probe after ``keepalive`` seconds of silence (0: never).

    Probes follow every ``keepalive / PROBES`` seconds, so a dead peer is
    dropped about ``2 * keepalive`` seconds after it went silent. The
    intervals are Linux's TCP_KEEPIDLE and friends; elsewhere the system's
    own (usually two hours) apply. A wrapped transport (TLS) is tuned
    through to the transport it wraps; one that is not TCP is left alone.
    """
    while isinstance(transport, ProtocolWrapper):
        transport = cast(ITransport, transport.transport)
    if not ITCPTransport.providedBy(transport):
        return
    transport.setTcpNoDelay(True)
    handle = ISystemHandle(transport).getHandle()
    if not isinstance(handle, socket.socket):
        return
    handle.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
    if not keepalive:
        return
    transport.setTcpKeepAlive(True)
    if hasattr(socket, "TCP_KEEPIDLE"):
        handle.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, keepalive)
        handle.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, max(1, keepalive // PROBES))
        handle.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, PROBES)
