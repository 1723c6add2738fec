"""Socket settings on real accepted sockets, plain and TLS, as the kernel sees them, on every kind of port."""

import os
import socket
from collections.abc import Callable
from typing import cast

from twisted.internet import reactor
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint
from twisted.internet.interfaces import IListeningPort, IReactorSocket, ISystemHandle
from twisted.internet.protocol import Factory, Protocol, connectionDone
from twisted.internet.ssl import CertificateOptions
from twisted.internet.task import deferLater
from twisted.internet.testing import EventLoggingObserver
from twisted.logger import globalLogPublisher
from twisted.protocols.tls import TLSMemoryBIOProtocol
from twisted.python.failure import Failure
from twisted.trial.unittest import TestCase
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request

from chatd.frontend.sockets import KEEPALIVE_MOST, SEND_BUFFER
from chatd.line.limits import LineLimits
from chatd.line.protocol import LineProtocol
from chatd.service import bound_daemon
from chatd.tls import load_tls
from tests.certificates import write_self_signed
from tests.e2e.loopback import line_factory, serve_one
from tests.helpers import new_folder, under_twistd


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

    async def connected(
        self, limits: LineLimits, listened: Callable[[IListeningPort], object] | None = None
    ) -> socket.socket:
        """The server side socket of one loopback connection to a factory with ``limits`` (``serve_one``)."""
        client = _Greeted()
        factory = await serve_one(self, limits, client, self.tls, listened)
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

    async def test_a_connection_starts_with_its_listeners_settings_and_no_others(self) -> None:
        """The listener carries the settings, and the connection gets them from it alone: one changed on the
        listener after it was tuned is what the connection has, not set again on the connection."""
        listeners: list[socket.socket] = []

        def changed(port: IListeningPort) -> None:
            listener = _listening_socket(port)
            listeners.append(listener)
            self.assertEqual(listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), 120)
            self.assertEqual(listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 1)
            listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 77)

        handle = await self.connected(LineLimits(keepalive=120), changed)
        self.assertEqual(len(listeners), 1)
        self.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), 77)
        self.assertEqual(handle.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE), 1)

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
        directory = new_folder(self)
        self.tls = load_tls(*write_self_signed(directory))


def _listening_socket(port: IListeningPort) -> socket.socket:
    """``port``'s listening socket (Twisted's ``tcp.Port`` keeps it as ``socket``)."""
    listener = getattr(port, "socket", None)
    assert isinstance(listener, socket.socket)
    return listener


class WaitingConnectionTests(TestCase):
    async def test_a_connection_waiting_when_its_listener_is_tuned_gets_the_settings_on_accept(self) -> None:
        """A connection the kernel took before its listener was tuned (a socket systemd listened on, or one
        arriving between ``listen`` and the settings) copied none of them, so it is tuned as it is accepted, and
        so is every later one of that listener, as all were before."""
        factory = line_factory(LineLimits(keepalive=120))
        port = await TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(factory)
        self.addCleanup(port.stopListening)
        address = port.getHost()
        assert isinstance(address, IPv4Address)
        waiting = socket.create_connection(("127.0.0.1", address.port), timeout=10)
        factory.tuning.listening(port)
        # Changed after the tuning: a connection with 77 would have been tuned by nothing but its listener.
        _listening_socket(port).setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 77)
        later = socket.create_connection(("127.0.0.1", address.port), timeout=10)
        ports = [client.getsockname()[1] for client in (waiting, later)]
        for client in (waiting, later):
            await _adopted(self, client)
        first, second = [await _accepted(self, port) for port in ports]
        self.assertEqual(first.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), 120)
        self.assertEqual(first.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE), 1)
        self.assertEqual(first.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 1)
        self.assertEqual(first.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF), 2 * SEND_BUFFER)
        self.assertEqual(second.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), 120)


async def _adopted(case: TestCase, client: socket.socket) -> None:
    """Hand the connected ``client`` socket to the reactor and wait for the server's greeting on it."""
    greeted = _Greeted()
    adopting = cast(IReactorSocket, reactor)
    # Twisted annotates a ServerFactory here; adopting uses only buildProtocol, which any factory has.
    factory = Factory.forProtocol(lambda: greeted)
    adopting.adoptStreamConnection(client.fileno(), socket.AF_INET, factory)  # type: ignore[arg-type]
    client.close()  # the reactor has its own copy
    case.addCleanup(_closed, greeted)
    await greeted.greeted


class PortKindTests(TestCase):
    """The settings on the IRC port, the web port and a --listen endpoint of a whole daemon, in this process."""

    def setUp(self) -> None:
        directory = new_folder(self)
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)
        arguments = ["--port", "0", "--interface", "127.0.0.1", "--listen", "tcp:0:interface=127.0.0.1"]
        arguments += ["--irc-port", "0", "--web-port", "0", "--keepalive", "120", "--db", ":memory:"]
        daemon = bound_daemon(under_twistd("-n", "chatd", *arguments, "--files", directory).config(), reactor)
        daemon.startService()
        self.addCleanup(daemon.stopService)
        self.listening = [
            event["port"] for event in logged if event.get("log_format") == "chatd listening on {host}:{port}"
        ]
        announced = {
            event["what"]: int(event["url"].rstrip("/").rsplit(":", 1)[1])
            for event in logged
            if event.get("log_format") == "chatd {what} at {url}"
        }
        self.irc, self.web = announced["IRC"], announced["web page"]

    async def connect(self, port: int, client: Protocol | None = None) -> socket.socket:
        """The server's side of a connection to ``port`` from ``client`` (one that says nothing by default)."""
        protocol = client or _Greeted()
        endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", port)
        await endpoint.connect(Factory.forProtocol(lambda: protocol))
        assert protocol.transport is not None
        self.addCleanup(_gone, protocol)
        address = protocol.transport.getHost()
        assert isinstance(address, IPv4Address)
        return await _accepted(self, address.port)

    async def test_irc_port(self) -> None:
        """An IRC connection has its listener's settings: no Nagle, probes after --keepalive, a fixed send buffer."""
        _assert_tuned(self, await self.connect(self.irc))

    async def test_listen_endpoint(self) -> None:
        """A --listen endpoint's connection has the --port's settings."""
        [listen] = [port for port in self.listening if port not in (self.irc, self.web)][1:]
        _assert_tuned(self, await self.connect(listen))

    async def test_web_port_http_keeps_a_growing_send_buffer(self) -> None:
        """An HTTP connection on the web port has no Nagle and probes, but a send buffer the kernel may grow, so a
        file link's download is not held to a fixed one."""
        handle = await self.connect(self.web)
        self.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 1)
        self.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), 120)
        self.assertNotEqual(handle.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF), 2 * SEND_BUFFER)

    async def test_web_socket_gets_the_fixed_send_buffer(self) -> None:
        """Once a web port connection is a WebSocket, its send buffer is fixed as a line connection's is."""
        client = _WebSocket(self.web)
        handle = await self.connect(self.web, client)
        await client.upgraded
        _assert_tuned(self, handle)


def _assert_tuned(case: TestCase, handle: socket.socket) -> None:
    """``handle`` has every setting, with --keepalive 120."""
    case.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 1)
    case.assertEqual(handle.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF), 2 * SEND_BUFFER)
    case.assertEqual(handle.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE), 1)
    case.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), 120)
    case.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL), 24)
    case.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT), 5)


class _WebSocket(_Greeted):
    """A client that asks for the web port's WebSocket as the page does; ``upgraded`` fires once answered."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.upgraded: Deferred[None] = Deferred()
        self._port = port
        self._ws = WSConnection(ConnectionType.CLIENT)

    def connectionMade(self) -> None:
        host = f"127.0.0.1:{self._port}"
        origin = [(b"Origin", f"http://{host}".encode())]
        assert self.transport is not None
        self.transport.write(self._ws.send(Request(host=host, target="/ws", extra_headers=origin)))

    def dataReceived(self, data: bytes) -> None:
        self._ws.receive_data(data)
        for event in self._ws.events():
            if isinstance(event, AcceptConnection):
                self.upgraded.callback(None)


async def _gone(client: Protocol) -> None:
    """Close ``client``'s connection and wait until it is gone on its side."""
    assert isinstance(client, _Greeted)
    await _closed(client)


async def _accepted(case: TestCase, client_port: int) -> socket.socket:
    """A copy of this process's socket whose peer is 127.0.0.1:``client_port``, once the reactor has accepted it;
    closed with ``case``."""
    deadline = reactor.seconds() + 10
    while reactor.seconds() < deadline:
        for name in os.listdir("/proc/self/fd"):
            try:
                copy = os.dup(int(name))
            except OSError:
                continue
            try:
                handle = socket.socket(fileno=copy)
            except OSError:
                os.close(copy)  # not a socket: its copy is not left open
                continue
            try:
                if handle.family == socket.AF_INET and handle.getpeername() == ("127.0.0.1", client_port):
                    case.addCleanup(handle.close)
                    return handle
            except OSError:
                pass
            handle.close()
        await deferLater(reactor, 0.01, lambda: None)
    raise AssertionError(f"no connection from port {client_port} was accepted")
