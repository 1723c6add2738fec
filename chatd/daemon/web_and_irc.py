"""The browser and IRC front ends, built only when a port or ``--listen`` of theirs asks for them.

On its own because it is where their imports happen, late: a daemon serving
nc and the terminal client alone never loads twisted.web, wsproto, h11 or
the IRC modules (see ``web_and_irc``).
"""

from chatd.config import Config
from chatd.frontend.ports import FrontEnd
from chatd.frontend.transfer_parts import LinkStore
from chatd.frontend.wiring import Wiring
from chatd.line.takeover import SessionTokens


def web_and_irc(
    config: Config, wiring: Wiring, tokens: SessionTokens, kept_links: LinkStore | None
) -> list[FrontEnd]:
    """The browser and IRC front ends ``config`` asks for, in that order, handed ``wiring`` (whose transfers the web
    port makes file links over; ``tokens`` are the line port's too): none without a port or --listen of theirs;
    ``kept_links`` keeps the web port's file links across a restart, if anything does.

    Imported here, only when one is asked for: they and what only they use
    (twisted.web, wsproto and h11, the IRC modules) were a sixth of every
    start's work (``twistd chatd --help``: 3.43 to 2.85 billion instructions
    under valgrind, 0.76 to 0.63 s of CPU at best), which a daemon serving
    nc and the terminal client alone paid for nothing. IRC over the web
    port's sockets (chatd.irc.socket, and twisted.web, wsproto and h11
    under it) comes with a web port alone: an IRC port without one took
    0.44 s of CPU to listen with them, 0.40 s without.
    """
    if not (config.web.wanted or config.irc.wanted):
        return []
    from chatd.irc.frontend import irc_front_end

    front_ends: list[FrontEnd] = []
    takeovers = None
    if config.web.wanted:
        from chatd.frontend.websocket import Takeovers
        from chatd.line.render import text_line
        from chatd.line.web_frontend import web_front_end
        from chatd.web.files import FileLinks
        from chatd.web.site import PAGE_REQUESTS, page_site

        files = wiring.files
        # The daemon's front ends always carry files (chatd.daemon.files); the web port's links are made over them.
        assert files is not None
        # Other front ends a web port's socket may ask for by subprotocol (IRC's).
        takeovers = Takeovers()
        # Files offered may be fetched over HTTP with single-use links under the web port's URL, those made
        # before a restart among them.
        links = FileLinks(files, wiring.reactor, text_line, kept_links)
        files.links = links.make
        page = page_site(config.web.origins, wiring.reactor, links, idle=config.line.limits.http_timeout)
        front_ends.append(
            web_front_end(
                config,
                wiring,
                tokens,
                site=page,
                takeovers=takeovers,
                heard=links.heard,
                page_requests=PAGE_REQUESTS,
            )
        )
    # With a web port only, IRC is spoken over its sockets alone: the front end has no endpoint.
    irc = irc_front_end(config, wiring)
    if takeovers is not None:
        # IRC over the web port's sockets, and twisted.web with it, only with a web port.
        from chatd.irc.socket import SUBPROTOCOLS, socket_maker

        takeovers.add(SUBPROTOCOLS, socket_maker(irc.factory))
    front_ends.append(irc)
    return front_ends
