"""Socket settings on real accepted sockets, plain and TLS, as the kernel sees them."""

import shutil
import socket
import tempfile

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import ISystemHandle
from twisted.internet.protocol import Protocol, connectionDone
from twisted.internet.ssl import CertificateOptions
from twisted.protocols.tls import TLSMemoryBIOProtocol
from twisted.python.failure import Failure
from twisted.trial.unittest import TestCase

from chatd.frontend.sockets import KEEPALIVE_MOST, SEND_BUFFER
from chatd.line.limits import LineLimits
from chatd.line.protocol import LineProtocol
from chatd.tls import load_tls
from tests.certificates import write_self_signed
from tests.e2e.loopback import serve_one


class _Greeted(Protocol):
    """A client that fires ``greeted`` once the server has said something, ``lost`` when gone."""

    def __init__(self) -> None:
        self.greeted: Deferred[None] = Deferred()
        self.lost: Deferred[None] = Deferred()

    def dataReceived(self, data: bytes) -> None:
        if not self.greeted.called:
            self.greeted.callback(None)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.lost.callback(None)


class KeepAliveTests(TestCase):
    tls: CertificateOptions | None = None

    async def connected(self, limits: LineLimits) -> socket.socket:
        """The server side socket of one loopback connection to a factory with ``limits``."""
        client = _Greeted()
        factory = await serve_one(self, limits, client, self.tls)
        self.addCleanup(_closed, client)
        await client.greeted
        [server] = factory.connections
        assert isinstance(server, LineProtocol)
        transport = server.transport
        if self.tls is not None:
            # TLS wraps the TCP transport, whose handle is the socket.
            assert isinstance(transport, TLSMemoryBIOProtocol)
            transport = transport.transport
        handle = ISystemHandle(transport).getHandle()
        assert isinstance(handle, socket.socket)
        return handle

    async def test_keepalive_probes_after_configured_silence(self) -> None:
        """The accepted socket probes after --keepalive seconds, five times, a fifth apart."""
        handle = await self.connected(LineLimits(keepalive=120))
        self.assertEqual(handle.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE), 1)
        self.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), 120)
        self.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL), 24)
        self.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT), 5)

    async def test_nagle_is_off(self) -> None:
        """Lines go out at once: TCP_NODELAY is set."""
        handle = await self.connected(LineLimits())
        self.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 1)

    async def test_send_buffer_is_fixed(self) -> None:
        """The kernel's send buffer is pinned (Linux books double), so it cannot grow to MiBs."""
        handle = await self.connected(LineLimits())
        self.assertEqual(handle.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF), 2 * SEND_BUFFER)

    async def test_the_longest_keepalive_options_take_is_the_kernels(self) -> None:
        """--keepalive's most (``KEEPALIVE_MOST``) is a silence the kernel takes; a second more it refuses, which
        failed every connection as it was accepted."""
        handle = await self.connected(LineLimits(keepalive=KEEPALIVE_MOST))
        self.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), KEEPALIVE_MOST)
        with self.assertRaises(OSError):
            handle.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, KEEPALIVE_MOST + 1)

    async def test_keepalive_zero_turns_probing_off(self) -> None:
        """With --keepalive 0 the socket sends no probes."""
        handle = await self.connected(LineLimits(keepalive=0))
        self.assertEqual(handle.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE), 0)


async def _closed(client: _Greeted) -> None:
    """Close ``client`` and wait until the connection is gone on its side."""
    assert client.transport is not None
    client.transport.loseConnection()
    await client.lost


class TLSKeepAliveTests(KeepAliveTests):
    """The same settings on the socket under a TLS connection: the TLS port is as strong as the plain one."""

    def setUp(self) -> None:
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        self.tls = load_tls(*write_self_signed(directory))
