"""The IRC front end as the service wires it: its factory on --irc-port, --irc-tls-port and each --listen irc:."""

from chatd.config import Config
from chatd.frontend.endpoints import IRC_PREFIX, announced, listening
from chatd.frontend.factory import Served
from chatd.frontend.proxy_header import proxy_headers
from chatd.frontend.wiring import Wiring
from chatd.irc.factory import IRCFactory

BAD_PROXY_HEADER = (
    b"ERROR :Closing Link: the load balancer in front of this server did not say whose connection this is\r\n"
)
"""What a trusted load balancer's connection is told when its PROXY header is bad or missing (docs/IRC.md)."""


def irc_front_end(config: Config, wiring: Wiring) -> Served[IRCFactory]:
    """The IRC front end ``config.irc`` describes, handed ``wiring`` (as ``line_front_end``): one ``IRCFactory``
    served on every IRC endpoint."""
    factory = IRCFactory(wiring, config.irc.limits)
    reactor = wiring.reactor
    irc = config.irc
    tls = None if irc.tls is None else (irc.tls.port, irc.tls.certificate)
    headers = proxy_headers(config.proxies, reactor, wiring.admission.bounded, BAD_PROXY_HEADER)
    found = listening(
        reactor, config.interface, irc.port, tls, irc.listen, factory.tuning, headers, IRC_PREFIX
    )
    return Served(factory, announced(found, config.server_name, "IRC", ("irc", "ircs")))
