"""The daemon's listeners: one per endpoint of each front end, bound before the daemon starts and announced in the
log as they listen.

On its own because binding is done apart from starting (``bind``, as chatd.tap
makes the daemon, before twistd forks), so that a port that cannot be had is
told to the host in one sentence.
"""

from twisted.application.internet import StreamServerEndpointService
from twisted.application.service import IService
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IListeningPort, IProtocolFactory, IStreamServerEndpoint
from twisted.logger import Logger
from typing_extensions import override
from zope.interface import implementer

from chatd.daemon.layers import every_service
from chatd.frontend.endpoints import speaks_tls

# Where the daemon listens is logged under the namespace it always had: hosts filter on it, and tests/e2e/daemon.py
# reads the bound port from "[chatd.service#info] chatd listening on ...".
log = Logger(namespace="chatd.service")


def bind(daemon: IService) -> None:
    """Open every listener of ``daemon`` (made by ``build`` or ``compose``) now, before it starts.

    Raises ``CannotListenError`` for the first of its own ports (--port,
    --tls-port, ...) that cannot be bound, and a ``ListenError``
    (chatd.frontend.endpoints) for the first --listen endpoint that cannot
    listen. Nothing is accepted before the reactor runs, by which time the
    daemon has started; starting it later does not listen again.
    """
    for service in every_service(daemon):
        if isinstance(service, _Listener):
            service.privilegedStartService()


def announced_listener(endpoint: IStreamServerEndpoint, factory: IProtocolFactory) -> IService:
    """A service listening on ``endpoint`` with ``factory`` once started, announcing where it listens."""
    listener = _Listener(_Announced(endpoint), factory)
    # As twisted.application.strports.service does: a port that cannot
    # be bound fails startup instead of leaving a deaf daemon running.
    listener._raiseSynchronously = True
    return listener


class _Listener(StreamServerEndpointService):
    """Listens on its endpoint once, whether ``bind`` or the daemon's start gets there first."""

    @override
    def privilegedStartService(self) -> None:
        if self._waitingForPort is None:
            super().privilegedStartService()


@implementer(IStreamServerEndpoint)
class _Announced:
    """An endpoint that logs the address it ends up listening on (port 0 included)."""

    def __init__(self, endpoint: IStreamServerEndpoint) -> None:
        self._endpoint = endpoint
        self._tls = " (TLS)" if speaks_tls(endpoint) else ""
        """What the line adds for a port whose clients speak TLS: it read like the plain port's."""

    def listen(self, factory: IProtocolFactory) -> "Deferred[IListeningPort]":
        listening = self._endpoint.listen(factory)
        listening.addCallback(self._announce)
        return listening

    def _announce(self, port: IListeningPort) -> IListeningPort:
        address = port.getHost()
        if isinstance(address, IPv6Address):
            log.info(
                "chatd listening on [{host}]:{port}" + self._tls,
                host=address.host,
                port=address.port,
            )
        elif isinstance(address, IPv4Address):
            log.info("chatd listening on {host}:{port}" + self._tls, host=address.host, port=address.port)
        else:
            log.info("chatd listening on {address}" + self._tls, address=address)
        return port
