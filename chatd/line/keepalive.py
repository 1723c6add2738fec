"""TCP keepalive, so dead peers are found while live idle ones are left alone.

People leave a chat open for hours without typing, and nc has no way to
answer an application-level ping, so chatd never drops a connection for
being quiet. The kernel's keepalive probes find the ones whose other end
has vanished (a laptop closed, a network gone) and close them.
"""

import socket

from twisted.internet.interfaces import ISystemHandle, ITCPTransport

PROBES = 5
"""Unanswered probes before the kernel gives up on a connection."""


def keep_alive(transport: ITCPTransport, idle: int) -> None:
    """Probe after ``idle`` seconds of silence, every ``idle / PROBES`` seconds after.

    A dead peer is dropped about ``2 * idle`` seconds after it went silent.
    The intervals are Linux's TCP_KEEPIDLE and friends; elsewhere the
    system's own (usually two hours) apply.
    """
    transport.setTcpKeepAlive(True)
    handle = ISystemHandle(transport).getHandle()
    if not isinstance(handle, socket.socket) or not hasattr(socket, "TCP_KEEPIDLE"):
        return
    handle.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle)
    handle.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, max(1, idle // PROBES))
    handle.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, PROBES)
