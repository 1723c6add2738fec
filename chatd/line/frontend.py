"""The line front end as the service wires it: its factory on --port, --tls-port and each --listen."""

from typing import Any

from twisted.internet.interfaces import IStreamServerEndpoint

from chatd.config import Config
from chatd.frontend.endpoints import listening
from chatd.frontend.factory import Served
from chatd.frontend.proxy_header import ProxyHeaders, proxy_headers
from chatd.frontend.sockets import Tuning
from chatd.frontend.wiring import Wiring
from chatd.line.factory import LineFactory
from chatd.line.takeover import SessionTokens


def line_front_end(
    config: Config, wiring: Wiring, tokens: SessionTokens | None = None
) -> Served[LineFactory]:
    """The line front end ``config`` describes, handed ``wiring``: one ``LineFactory`` served on every endpoint.

    ``wiring.reactor`` provides ``IReactorTime`` and ``IReactorTCP``, and
    whatever the ``--listen`` endpoints need; ``tokens`` checks takeover
    tokens, across the line and web ports.
    """
    factory = LineFactory(wiring, config.line.limits, config.default_room, tokens=tokens)
    reactor = wiring.reactor
    headers = proxy_headers(config.proxies, reactor, wiring.admission.bounded, BAD_PROXY_HEADER)
    return Served(factory, endpoints(config, reactor, factory.tuning, headers))


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
