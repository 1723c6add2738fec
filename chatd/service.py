"""Wires the chat, its clock, its listeners and the host's console into one twistd service.

``build`` is shared by the twistd plugin (chatd.tap) and chatd.tac, so both
run the same daemon. Stopping the service (SIGTERM, SIGINT, or an
operator's ``/shutdown``, which stops the reactor) closes the listeners,
tells every connected user the server is going, and waits for those
goodbyes to be written before the process ends.
"""

from collections.abc import Callable, Mapping
from typing import Any

from twisted.application.internet import StreamServerEndpointService
from twisted.application.service import IService, MultiService, Service
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import (
    SSL4ServerEndpoint,
    TCP4ServerEndpoint,
    TCP6ServerEndpoint,
    serverFromString,
)
from twisted.internet.interfaces import (
    IListeningPort,
    IProtocol,
    IProtocolFactory,
    IStreamServerEndpoint,
)
from twisted.internet.stdio import StandardIO
from twisted.logger import Logger
from twisted.python.threadpool import ThreadPool
from typing_extensions import override
from zope.interface import implementer

from chatd.domain.chat import Chat
from chatd.domain.limits import Limits
from chatd.frontend.admission import Admission
from chatd.frontend.oper import OperatorLogin, in_thread_pool, password_pool
from chatd.line.console import Console
from chatd.line.factory import LineFactory
from chatd.line.limits import LineLimits

log = Logger()

LISTEN_BACKLOG = 1024
"""Connections the kernel may hold waiting to be accepted (it caps this at net.core.somaxconn).

Twisted's default of 50 drops connection attempts when a thousand clients
come back at once after a restart; each then waits a second to retry.
"""

PASSWORD_THREADS = 1
"""Password checks (Argon2id at argon2-cffi's default cost) that may run at once.

One, measured with tests/e2e/test_oper_load.py (20 wrong /oper at once while
two users talk) on the shared 2-core host chatd is developed on, where each
check takes about 0.25 s of one core and 64 MiB. With one thread the
talkers' p99 was 4.7-7.8 ms and the 20 answers took 3.6-6.0 s; with two,
p99 was 8.5-9.0 ms for answers in 3.2 s: the second thread takes the core
the reactor would have had, for little gain. (On the reactor thread, as
before issue 11: p99 5.4 s.) More threads would buy attackers faster
answers with everyone else's latency; the failure budgets, not the pool,
bound how much checking a stranger can ask for.
"""


def build(
    options: Mapping[str, Any], reactor: Any, terminal: Callable[[IProtocol], object] | None = None
) -> IService:
    """The whole daemon for parsed ``chatd.tap.Options``, on ``reactor``.

    ``reactor`` provides ``IReactorTime``, ``IReactorCore`` (``/shutdown``
    stops it) and ``IReactorTCP`` (and whatever the ``--listen`` endpoints
    need). With ``--console``, ``terminal`` connects the console protocol to
    the daemon's terminal; by default through ``StandardIO`` on ``reactor``.
    """
    limits = Limits(
        nickname=options["max-nick"],
        room_name=options["max-room-name"],
        topic=options["max-topic"],
        rooms_per_user=options["max-rooms"],
    )
    chat = Chat(now=reactor.seconds, limits=limits, stop=reactor.stop)
    # One for the whole daemon: every front end's connections count against the same limits.
    admission = Admission(options["max-connections"], options["max-per-ip"])
    # Password checks run here, never on the reactor thread (issue 11).
    passwords = password_pool(PASSWORD_THREADS)
    login = OperatorLogin(in_thread_pool(reactor, passwords, options["operators"].verify), reactor.seconds)
    factory = LineFactory(
        chat,
        reactor=reactor,
        server_name=options["name"],
        motd=options["motd"],
        default_room=options["default-room"],
        limits=LineLimits(
            max_line=options["max-line"],
            flood_rate=options["flood-rate"],
            flood_burst=options["flood-burst"],
            flood_bytes=options["flood-bytes"],
            flood_disconnect=options["flood-disconnect"],
            paste_lines=options["paste-lines"],
            sendq=options["sendq"],
            register_timeout=options["register-timeout"],
            keepalive=options["keepalive"],
        ),
        login=login,
        admission=admission,
    )
    daemon = MultiService()
    # Added first, so started before the listeners and stopped after them.
    _Threads(passwords).setServiceParent(daemon)
    # Added before the listeners, so stopped after them: they close before the goodbyes.
    _Goodbye(factory).setServiceParent(daemon)
    for endpoint in endpoints(options, reactor):
        listener = StreamServerEndpointService(_Announced(endpoint), factory)
        # As twisted.application.strports.service does: a port that cannot
        # be bound fails startup instead of leaving a deaf daemon running.
        listener._raiseSynchronously = True
        listener.setServiceParent(daemon)
    if options["console"]:
        console = Console(chat, options["console-nick"], options["default-room"], options["max-line"])
        _Terminal(
            console, terminal or (lambda protocol: StandardIO(protocol, reactor=reactor))
        ).setServiceParent(daemon)
    return daemon


def endpoints(options: Mapping[str, Any], reactor: Any) -> list[IStreamServerEndpoint]:
    """The endpoints to listen on: ``--port``, ``--tls-port`` (both on ``--interface``), then each ``--listen``."""
    found: list[IStreamServerEndpoint] = []
    if options["port"] is not None:
        interface = options["interface"]
        kind = TCP6ServerEndpoint if ":" in interface else TCP4ServerEndpoint
        found.append(kind(reactor, options["port"], backlog=LISTEN_BACKLOG, interface=interface))
    if options["tls"] is not None:
        found.append(
            SSL4ServerEndpoint(
                reactor,
                options["tls-port"],
                options["tls"],
                backlog=LISTEN_BACKLOG,
                interface=options["interface"],
            )
        )
    found.extend(serverFromString(reactor, description) for description in options["listen"])
    return found


@implementer(IStreamServerEndpoint)
class _Announced:
    """An endpoint that logs the address it ends up listening on (port 0 included)."""

    def __init__(self, endpoint: IStreamServerEndpoint) -> None:
        self._endpoint = endpoint

    def listen(self, factory: IProtocolFactory) -> "Deferred[IListeningPort]":
        listening = self._endpoint.listen(factory)
        listening.addCallback(self._announce)
        return listening

    @staticmethod
    def _announce(port: IListeningPort) -> IListeningPort:
        address = port.getHost()
        if isinstance(address, IPv6Address):
            log.info(
                "chatd listening on [{host}]:{port}",
                host=address.host,
                port=address.port,
            )
        elif isinstance(address, IPv4Address):
            log.info("chatd listening on {host}:{port}", host=address.host, port=address.port)
        else:
            log.info("chatd listening on {address}", address=address)
        return port


class _Goodbye(Service):
    """On stop, tells every connection the server is going and waits for them to close."""

    def __init__(self, factory: LineFactory) -> None:
        self._factory = factory

    @override
    def stopService(self) -> "Deferred[None]":
        super().stopService()
        return self._factory.shutdown()


class _Threads(Service):
    """Starts a thread pool with the daemon and stops it (waiting for its threads) with the daemon."""

    def __init__(self, pool: ThreadPool) -> None:
        self._pool = pool

    @override
    def startService(self) -> None:
        super().startService()
        self._pool.start()

    @override
    def stopService(self) -> None:
        super().stopService()
        self._pool.stop()


class _Terminal(Service):
    """Connects the host's console to the terminal when the daemon starts, not when it is built."""

    def __init__(self, console: Console, connect: Callable[[IProtocol], object]) -> None:
        self._console = console
        self._connect = connect

    @override
    def startService(self) -> None:
        super().startService()
        self._connect(self._console)
