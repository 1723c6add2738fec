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

The settings are made once, on each listening socket (``Tuning.listening``):
Linux copies all six (TCP_NODELAY, SO_SNDBUF, SO_KEEPALIVE, TCP_KEEPIDLE,
TCP_KEEPINTVL, TCP_KEEPCNT) into each connection it accepts, so a connection
costs no system call of its own; making them on every connection was 2-4%
of a registration's Python in a reconnect storm (issue 18). A connection is
tuned on its own (``Tuning.accepted``) only where its listener
may not have passed them on: on a listener whose kernel had accepted
connections before it was tuned (a socket systemd listened on, or one
arriving in the microseconds between ``listen`` and the settings), and on
any system but Linux, where the inheritance was not checked. A TLS connection's transport
is a protocol wrapped around the TCP one (``TLSMemoryBIOProtocol``), so
those settings go to the TCP transport under it.

The web port's listener has no fixed send buffer: a file link's HTTP
download there (chatd.web.files) keeps the buffer Linux grows for it, and
a connection gets the fixed one when it becomes a WebSocket
(``pin_send_buffer``). A web port's connection is tuned (where it must be)
once, by its ``WebConnection`` as it is accepted: the session it becomes at
its upgrade, the page's or IRC's, does not tune it again (``tune``).
"""

import socket
import struct
import sys
from typing import cast

from twisted.internet.interfaces import IListeningPort, ITransport
from twisted.protocols.policies import ProtocolWrapper

PROBES = 5
"""Unanswered probes before the kernel gives up on a connection."""

KEEPALIVE_MOST = 32767
"""The longest silence before probes Linux takes (its MAX_TCP_KEEPIDLE), about 9 hours: past it, setting
TCP_KEEPIDLE fails (EINVAL), and with it every connection as it is accepted."""

SEND_BUFFER = 65536
"""Bytes asked for as the kernel's send buffer (Linux books twice this)."""

_ACCEPT_QUEUE = struct.Struct("=I")
"""Linux's ``struct tcp_info`` field ``tcpi_unacked``, 24 bytes in, which for a listening socket is how many
connections wait in its accept queue (``tcp_get_info``)."""

_ACCEPT_QUEUE_AT = 24

_INTERNET = (socket.AF_INET, socket.AF_INET6)


class Tuning:
    """One front end's socket settings: made on each of its listeners, and on a connection only where needed.

    ``keepalive`` is the seconds of silence before probes (0: none, see ``_apply``); without ``send_buffer`` the
    listeners' send buffers are left to grow (the web port's, whose
    WebSockets get theirs fixed as they open, ``pin_send_buffer``).
    """

    __slots__ = ("_every", "keepalive", "send_buffer")

    def __init__(self, keepalive: int, *, send_buffer: bool = True) -> None:
        self.keepalive = keepalive
        self.send_buffer = send_buffer
        self._every: set[object] = set()
        """Listening ports whose connections are each tuned: their kernel had taken connections before they were
        tuned, or its accept queue could not be read."""

    def listening(self, port: IListeningPort) -> IListeningPort:
        """Make the settings on ``port``'s socket, which each connection it accepts then starts with; ``port``.

        A listener that is not TCP (``unix:``) is left alone. If connections
        already wait in its accept queue, which copied none of the settings
        (a socket systemd listened on, or one arriving between ``listen`` and
        now), or that queue cannot be read (any system but Linux, or a
        listener whose socket Twisted does not show), every connection it
        accepts is tuned on its own, as all were before: rare, and simpler than
        telling which were early.
        """
        # tcp.Port's ``socket`` and tcp.Server's ``server`` are public attributes, though no interface names them.
        handle = getattr(port, "socket", None)
        if not isinstance(handle, socket.socket):
            self._every.add(port)
            return port
        if handle.family not in _INTERNET:
            return port
        _apply(handle, self.keepalive, self.send_buffer)
        if _accept_queue(handle) != 0:
            self._every.add(port)
        return port

    def accepted(self, transport: ITransport) -> None:
        """Tune the connection on ``transport`` if its listener could not have: see ``listening``.

        Costs one look at an empty set on Linux, where listeners pass their settings on.
        """
        if not self._every:
            return
        tcp = _under_wrappers(transport)
        if getattr(tcp, "server", None) in self._every:
            _tune_socket(tcp, self.keepalive, self.send_buffer)


def pin_send_buffer(transport: ITransport) -> None:
    """Fix the send buffer of the TCP socket under ``transport`` (one system call), as a ``Tuning`` does."""
    handle = _handle(_under_wrappers(transport))
    if handle is not None:
        handle.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)


def _under_wrappers(transport: ITransport) -> ITransport:
    """The transport under ``transport``'s wrappers (TLS, the web port's ``WebConnection``)."""
    while isinstance(transport, ProtocolWrapper):
        transport = cast(ITransport, transport.transport)
    return transport


def _handle(transport: ITransport) -> socket.socket | None:
    """``transport``'s own socket if it is a TCP one (Twisted's ``tcp.Server``); else None."""
    get = getattr(transport, "getHandle", None)
    handle = None if get is None else get()
    if isinstance(handle, socket.socket) and handle.family in _INTERNET:
        return handle
    return None


def _tune_socket(transport: ITransport, keepalive: int, send_buffer: bool) -> None:
    handle = _handle(transport)
    if handle is not None:
        _apply(handle, keepalive, send_buffer)


def _apply(handle: socket.socket, keepalive: int, send_buffer: bool) -> None:
    """No Nagle; fix the send buffer (with ``send_buffer``); probe after ``keepalive`` seconds of silence (0: never).

    On ``handle``, a listener's socket or a connection's. Probes follow
    every ``keepalive / PROBES`` seconds, so a dead peer is dropped about
    ``2 * keepalive`` seconds after it went silent. The intervals are
    Linux's TCP_KEEPIDLE and friends; elsewhere the system's own (usually
    two hours) apply.
    """
    handle.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if send_buffer:
        handle.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
    if not keepalive:
        return
    handle.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    if hasattr(socket, "TCP_KEEPIDLE"):
        handle.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, keepalive)
        handle.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, max(1, keepalive // PROBES))
        handle.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, PROBES)


def _accept_queue(handle: socket.socket) -> int | None:
    """How many connections wait in listening ``handle``'s accept queue; None where that cannot be read.

    Read after the settings are made: a connection the kernel accepts
    while they are being made may have copied only some, and is counted.
    """
    if sys.platform != "linux":
        return None
    info = handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _ACCEPT_QUEUE_AT + _ACCEPT_QUEUE.size)
    waiting: int = _ACCEPT_QUEUE.unpack_from(info, _ACCEPT_QUEUE_AT)[0]
    return waiting
