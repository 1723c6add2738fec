"""The line protocol over WebSockets as the service wires it: the browser's front end on --web-port, --web-tls-port and each --listen web:."""

from typing import Any

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IListeningPort, IProtocolFactory, IStreamServerEndpoint
from twisted.logger import Logger
from twisted.web.server import Site
from zope.interface import implementer

from chatd.config import Config
from chatd.domain.chat import Chat
from chatd.frontend.accounts import AccountLogin
from chatd.frontend.admission import Admission
from chatd.frontend.endpoints import listening
from chatd.frontend.oper import OperatorLogin
from chatd.frontend.output import Barrier
from chatd.line.frontend import LineFrontEnd
from chatd.line.web_factory import WebFactory

log = Logger()

WILDCARDS = ("::", "0.0.0.0")
"""Addresses that stand for every interface: the page's address is then the server's name."""


def web_front_end(
    config: Config,
    chat: Chat,
    reactor: Any,
    admission: Admission,
    login: OperatorLogin,
    barrier: Barrier | None = None,
    accounts: AccountLogin | None = None,
    *,
    site: Site,
) -> LineFrontEnd:
    """The browser front end ``config`` describes, for ``chat``, on ``reactor``; as ``line_front_end``.

    It is a ``LineFrontEnd`` whose factory is a ``WebFactory``: a line front end served over WebSockets,
    answering HTTP with ``site`` (chatd.web.site's ``page_site``: the page, and the WebSocket at ``/ws``).
    """
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
        site=site,
    )
    return LineFrontEnd(factory, endpoints(config, reactor))


def endpoints(config: Config, reactor: Any) -> tuple[IStreamServerEndpoint, ...]:
    """``--web-port``, ``--web-tls-port`` (both on ``--interface``), then each ``--listen web:``, each announcing its page."""
    web = config.web
    tls = None if web.tls is None else (web.tls.port, web.tls.certificate)
    return tuple(
        _PageAnnounced(endpoint, "https" if secure else "http", config.server_name)
        for endpoint, secure in listening(reactor, config.interface, web.port, tls, web.listen)
    )


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
