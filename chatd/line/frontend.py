"""The line front end as the service wires it: its factory on --port, --tls-port and each --listen."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IStreamServerEndpoint

from chatd.config import Config
from chatd.domain.chat import Chat
from chatd.frontend.accounts import AccountLogin
from chatd.frontend.admission import Admission
from chatd.frontend.endpoints import listening
from chatd.frontend.oper import OperatorLogin
from chatd.frontend.proxy_header import ProxyHeaders, proxy_headers
from chatd.frontend.sinks import Keep
from chatd.frontend.sockets import Tuning
from chatd.frontend.transfers import Transfers
from chatd.line.factory import LineFactory
from chatd.line.takeover import SessionTokens
from chatd.turns import Turns


@dataclass(frozen=True, slots=True)
class LineFrontEnd:
    """A ``chatd.frontend.ports.FrontEnd``: one ``LineFactory`` served on every endpoint."""

    factory: LineFactory
    endpoints: Sequence[IStreamServerEndpoint]

    def shutdown(self) -> "Deferred[None]":
        """Say goodbye to every connection and fire once all are closed (``LineFactory.shutdown``)."""
        return self.factory.shutdown()


def line_front_end(
    config: Config,
    chat: Chat,
    reactor: Any,
    admission: Admission,
    login: OperatorLogin,
    keep: Keep | None = None,
    accounts: AccountLogin | None = None,
    files: Transfers | None = None,
    search_turns: Turns | None = None,
    tokens: SessionTokens | None = None,
) -> LineFrontEnd:
    """The line front end ``config`` describes, for ``chat``, on ``reactor``.

    ``reactor`` provides ``IReactorTime`` and ``IReactorTCP``, and whatever
    the ``--listen`` endpoints need. ``admission`` counts connections across
    every front end; ``login`` checks /oper passwords off the reactor thread,
    and ``accounts`` account passwords; output goes once ``keep`` (the SQLite store's) has made the pass's events safe;
    ``files`` carries its connections' files (none without it); ``search_turns`` takes each host's
    searches one at a time, across front ends.
    """
    factory = LineFactory(
        chat,
        reactor=reactor,
        server_name=config.server_name,
        motd=config.motd,
        default_room=config.default_room,
        limits=config.line.limits,
        login=login,
        admission=admission,
        keep=keep,
        accounts=accounts,
        files=files,
        search_turns=search_turns,
        tokens=tokens,
    )
    headers = proxy_headers(config.proxies, reactor, admission.bounded, BAD_PROXY_HEADER)
    return LineFrontEnd(factory, endpoints(config, reactor, factory.tuning, headers))


BAD_PROXY_HEADER = (
    b"ERR bad-proxy-header the load balancer in front of this chat did not say whose connection this is\r\n"
)
"""What a trusted load balancer's connection is told when its PROXY header is bad or missing (docs/PROTOCOL.md)."""


def endpoints(
    config: Config, reactor: Any, tuning: Tuning, headers: ProxyHeaders | None = None
) -> tuple[IStreamServerEndpoint, ...]:
    """The endpoints to listen on: ``--port``, ``--tls-port`` (both on ``--interface``), then each ``--listen``;
    ``tuning`` makes its settings on each listener, and ``headers`` (``--proxy``) reads a balancer's PROXY
    header on each."""
    line = config.line
    tls = None if line.tls is None else (line.tls.port, line.tls.certificate)
    found = listening(reactor, config.interface, line.port, tls, line.listen, tuning, headers)
    return tuple(endpoint for endpoint, _ in found)
