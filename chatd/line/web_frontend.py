"""The line protocol over WebSockets as the service wires it: the browser's front end on --web-port, --web-tls-port and each --listen web:."""

from collections.abc import Callable
from typing import Any

from twisted.internet.interfaces import IStreamServerEndpoint
from twisted.web.server import Site

from chatd.config import Config
from chatd.frontend.endpoints import WEB_PREFIX, announced, listening
from chatd.frontend.factory import Served
from chatd.frontend.proxies import Proxies
from chatd.frontend.sockets import Tuning
from chatd.frontend.websocket import Takeovers
from chatd.frontend.wiring import Wiring
from chatd.line.takeover import SessionTokens
from chatd.line.web_factory import WebFactory


def web_front_end(
    config: Config,
    wiring: Wiring,
    tokens: SessionTokens | None = None,
    *,
    site: Site,
    takeovers: Takeovers | None = None,
    heard: Callable[[str], None] | None = None,
    page_requests: int = 0,
) -> Served[WebFactory]:
    """The browser front end ``config`` describes, handed ``wiring``; as ``line_front_end``.

    Its factory is a ``WebFactory``: a line front end served over WebSockets,
    answering HTTP with ``site`` (chatd.web.site's ``page_site``: the page, and the WebSocket at ``/ws``), whose
    page load makes at most ``page_requests`` requests (chatd.web.site's ``PAGE_REQUESTS``).
    """
    factory = WebFactory(
        wiring,
        config.line.limits,
        config.default_room,
        site=site,
        takeovers=takeovers,
        tokens=tokens,
        proxies=Proxies(config.web.proxies),
        page_requests=page_requests,
    )
    return Served(factory, endpoints(config, wiring.reactor, factory.tuning, heard))


def endpoints(
    config: Config, reactor: Any, tuning: Tuning, heard: Callable[[str], None] | None = None
) -> tuple[IStreamServerEndpoint, ...]:
    """``--web-port``, ``--web-tls-port`` (both on ``--interface``), then each ``--listen web:``, each tuned by
    ``tuning`` and announcing its page (to ``heard`` too)."""
    web = config.web
    tls = None if web.tls is None else (web.tls.port, web.tls.certificate)
    found = listening(reactor, config.interface, web.port, tls, web.listen, tuning, prefix=WEB_PREFIX)
    return announced(found, config.server_name, "web page", ("http", "https"), heard)
