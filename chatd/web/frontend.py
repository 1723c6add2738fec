"""The browser front end as the service wires it: its factory on --web-port, --web-tls-port and each --listen web:."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import (
    SSL4ServerEndpoint,
    TCP4ServerEndpoint,
    TCP6ServerEndpoint,
    serverFromString,
)
from twisted.internet.interfaces import IListeningPort, IProtocolFactory, IStreamServerEndpoint
from twisted.logger import Logger
from zope.interface import implementer

from chatd.config import Config
from chatd.domain.chat import Chat
from chatd.frontend.accounts import AccountLogin
from chatd.frontend.admission import Admission
from chatd.frontend.oper import OperatorLogin
from chatd.frontend.output import Barrier
from chatd.line.frontend import LISTEN_BACKLOG
from chatd.web.factory import WebFactory

log = Logger()

WILDCARDS = ("::", "0.0.0.0")
"""Addresses that stand for every interface: the page's address is then the server's name."""


@dataclass(frozen=True, slots=True)
class WebFrontEnd:
    """A ``chatd.frontend.ports.FrontEnd``: one ``WebFactory`` served on every endpoint."""

    factory: WebFactory
    endpoints: Sequence[IStreamServerEndpoint]

    def shutdown(self) -> "Deferred[None]":
        """Say goodbye to every socket, drop every HTTP connection, and fire once all are closed."""
        return self.factory.shutdown()


def web_front_end(
    config: Config,
    chat: Chat,
    reactor: Any,
    admission: Admission,
    login: OperatorLogin,
    barrier: Barrier | None = None,
    accounts: AccountLogin | None = None,
) -> WebFrontEnd:
    """The browser front end ``config`` describes, for ``chat``, on ``reactor``; as ``line_front_end``."""
    factory = WebFactory(
        chat,
        reactor,
        config.server_name,
        config.motd,
        config.default_room,
        config.line.limits,
        login,
        admission=admission,
        barrier=barrier,
        accounts=accounts,
        origins=config.web.origins,
    )
    return WebFrontEnd(factory, endpoints(config, reactor))


def endpoints(config: Config, reactor: Any) -> tuple[IStreamServerEndpoint, ...]:
    """``--web-port``, ``--web-tls-port`` (both on ``--interface``), then each ``--listen web:``, each announcing its page."""
    found: list[IStreamServerEndpoint] = []
    web = config.web
    if web.port is not None:
        kind = TCP6ServerEndpoint if ":" in config.interface else TCP4ServerEndpoint
        plain = kind(reactor, web.port, backlog=LISTEN_BACKLOG, interface=config.interface)
        found.append(_PageAnnounced(plain, "http", config.server_name))
    if web.tls is not None:
        secure = SSL4ServerEndpoint(
            reactor, web.tls.port, web.tls.certificate, backlog=LISTEN_BACKLOG, interface=config.interface
        )
        found.append(_PageAnnounced(secure, "https", config.server_name))
    for description in web.listen:
        scheme = "https" if description.startswith("ssl:") else "http"
        found.append(_PageAnnounced(serverFromString(reactor, description), scheme, config.server_name))
    return tuple(found)


@implementer(IStreamServerEndpoint)
class _PageAnnounced:
    """An endpoint that logs the address a browser opens once it listens: ``chatd web page at URL``."""

    def __init__(self, endpoint: IStreamServerEndpoint, scheme: str, server_name: str) -> None:
        self._endpoint = endpoint
        self._scheme = scheme
        self._server_name = server_name

    def listen(self, factory: IProtocolFactory) -> "Deferred[IListeningPort]":
        """Listen as the endpoint does, then announce the page's address."""
        return self._endpoint.listen(factory).addCallback(self._announce)

    def _announce(self, port: IListeningPort) -> IListeningPort:
        address = port.getHost()
        if not isinstance(address, IPv4Address | IPv6Address):
            return port
        host = address.host
        if host in WILDCARDS:
            host = self._server_name
        elif isinstance(address, IPv6Address):
            host = f"[{host}]"
        log.info("chatd web page at {url}", url=f"{self._scheme}://{host}:{address.port}/")
        return port
