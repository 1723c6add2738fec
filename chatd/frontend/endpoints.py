"""Where a front end listens: its port and TLS port on ``--interface``, then its ``--listen`` endpoints.

Every front end is given the same three things (a plain port, a TLS port
with its certificate, endpoint descriptions) and listens on them the same
way, with a backlog that fits a reconnect storm (on a ``--listen`` endpoint,
unless it sets ``backlog=`` itself), and tunes each listening socket as it
opens (chatd.frontend.sockets); only what it serves there differs.
"""

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NoReturn

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import (
    SSL4ServerEndpoint,
    TCP4ServerEndpoint,
    TCP6ServerEndpoint,
    _parse,
    serverFromString,
)
from twisted.internet.error import CannotListenError
from twisted.internet.interfaces import (
    IListeningPort,
    IOpenSSLServerConnectionCreator,
    IProtocolFactory,
    IStreamServerEndpoint,
)
from twisted.logger import Logger
from twisted.python.failure import Failure
from zope.interface import implementer

from chatd.frontend.proxy_header import HeaderFirstReactor, ProxyHeaders
from chatd.frontend.sockets import Tuning

log = Logger()

WEB_PREFIX = "web:"
IRC_PREFIX = "irc:"
"""How a --listen value names an endpoint of the browser or the IRC front end instead of the line one."""

LISTEN_BACKLOG = 1024
"""Connections the kernel may hold waiting to be accepted (it caps this at net.core.somaxconn).

Twisted's default of 50 drops connection attempts when a thousand clients
come back at once after a restart; each then waits a second to retry.
"""


def listening(
    reactor: Any,
    interface: str,
    port: int | None,
    tls: tuple[int, IOpenSSLServerConnectionCreator] | None,
    listen: Sequence[str],
    tuning: Tuning,
    headers: ProxyHeaders | None = None,
    prefix: str = "",
) -> tuple[tuple[IStreamServerEndpoint, bool], ...]:
    """Each endpoint to listen on, and whether it is TLS: ``port``, ``tls`` (both on ``interface``), then ``listen``.

    ``reactor`` provides ``IReactorTCP`` and whatever the ``listen``
    descriptions need; a description counts as TLS if it is an ``ssl:`` one.
    One that cannot listen fails with a ``ListenError`` naming it as the
    host gave it, after ``prefix`` (``WEB_PREFIX``, ``IRC_PREFIX``).
    Each listener is tuned by ``tuning`` as soon as it listens, before it is
    announced (``Then``). With ``headers`` (``--proxy``), each TCP and TLS
    listener reads a trusted load balancer's PROXY header first
    (chatd.frontend.proxy_header).
    """
    if headers is not None:
        reactor = HeaderFirstReactor(reactor, headers)
    found: list[tuple[IStreamServerEndpoint, bool]] = []
    if port is not None:
        kind = TCP6ServerEndpoint if ":" in interface else TCP4ServerEndpoint
        found.append((kind(reactor, port, backlog=LISTEN_BACKLOG, interface=interface), False))
    if tls is not None:
        secure = SSL4ServerEndpoint(reactor, tls[0], tls[1], backlog=LISTEN_BACKLOG, interface=interface)
        found.append((secure, True))
    found.extend(
        (
            Given(serverFromString(reactor, with_backlog(description)), prefix + description),
            description.startswith("ssl:"),
        )
        for description in listen
    )
    return tuple((Then(endpoint, tuning.listening, tls=secure), secure) for endpoint, secure in found)


@implementer(IStreamServerEndpoint)
class Then:
    """An endpoint that, once it listens, hands its port to ``then``: a listener tuned (``Tuning.listening``), its
    address announced (``announced``). ``tls``: clients speak TLS to it (``speaks_tls``)."""

    def __init__(
        self,
        endpoint: IStreamServerEndpoint,
        then: Callable[[IListeningPort], IListeningPort],
        *,
        tls: bool = False,
    ) -> None:
        self._endpoint = endpoint
        self._then = then
        self.tls = tls

    def listen(self, factory: IProtocolFactory) -> "Deferred[IListeningPort]":
        """Listen as the endpoint does, then hand the port on."""
        return self._endpoint.listen(factory).addCallback(self._then)


class ListenError(Exception):
    """A ``--listen`` endpoint that cannot listen: ``given`` is the value as the host gave it, ``cause`` why
    (a ``CannotListenError``, or the ``OSError`` or ``OverflowError`` of an endpoint that cannot be used at all,
    the missing folder of a ``unix:`` one). chatd.start words it."""

    def __init__(self, given: str, cause: BaseException) -> None:
        super().__init__(given, cause)
        self.given = given
        self.cause = cause


@implementer(IStreamServerEndpoint)
class Given:
    """A ``--listen`` endpoint that fails as a ``ListenError`` naming it: several may fail alike (a port in
    use), and only the host's own words tell which to change."""

    def __init__(self, endpoint: IStreamServerEndpoint, given: str) -> None:
        self._endpoint = endpoint
        self._given = given

    def listen(self, factory: IProtocolFactory) -> "Deferred[IListeningPort]":
        """Listen as the endpoint does; a failure to is a ``ListenError``."""
        return self._endpoint.listen(factory).addErrback(self._refused)

    def _refused(self, failure: Failure) -> NoReturn:
        failure.trap(CannotListenError, OSError, OverflowError)
        assert failure.value is not None  # trap let one of those through: a failure made from an exception
        raise ListenError(self._given, failure.value)


def speaks_tls(endpoint: IStreamServerEndpoint) -> bool:
    """Whether clients speak TLS to ``endpoint``: one ``listening`` found TLS (``--tls-port``, an ``ssl:`` one).

    The daemon's "listening on" line says so (chatd.daemon.listeners): a TLS line
    port's read like the plain one's, where the web and IRC ports' own
    lines say ``https://`` and ``ircs://``.
    """
    return isinstance(endpoint, Then) and endpoint.tls


BACKLOG_AT = {"tcp": 3, "tcp6": 2, "ssl": 6, "unix": 3}
"""The endpoint kinds whose Twisted parsers take a backlog (each defaulting to 50), and its place among a
description's words were it given without its name (``tcp:PORT:INTERFACE:BACKLOG``)."""


def with_backlog(description: str) -> str:
    """The endpoint ``description`` with ``backlog=LISTEN_BACKLOG`` added, if its kind takes one and it gives none.

    So a ``--listen`` endpoint fits a reconnect storm as ``--port`` does,
    while a host's own ``backlog=`` stands. The description is read with
    Twisted's own parser (``_parse``: the colons and escapes as
    ``serverFromString`` reads them), so a ``backlog=`` inside an escaped
    value, a key file's path say, is not taken for one.
    """
    # _parse is private, but what it reads is what serverFromString's grammar (documented) says.
    words, parameters = _parse(description)
    place = BACKLOG_AT.get(words[0]) if words else None
    if place is None or len(words) > place or "backlog" in parameters:
        return description
    return f"{description}:backlog={LISTEN_BACKLOG}"


SSL_KEY_DEFAULT = "server.pem"
"""The key file an ``ssl:`` endpoint reads when it names none: Twisted's own default (``serverFromString``)."""


def private_key(description: str) -> str | None:
    """The private key file the endpoint ``description`` reads, if it is an ``ssl:`` one; else None.

    Found as Twisted's parser finds it: ``privateKey=``, else the word after
    the port, else ``SSL_KEY_DEFAULT`` in the working directory (which
    ``certKey`` does not change). So the start can warn of a key others may
    read given in ``--listen`` as it does of ``--tls-key`` (chatd.secret_files).
    """
    words, parameters = _parse(description)
    if not words or words[0] != "ssl":
        return None
    return str(parameters.get("privateKey", words[2] if len(words) > 2 else SSL_KEY_DEFAULT))


WILDCARDS = ("::", "0.0.0.0")
"""Addresses that mean every interface: an announced address names the server instead."""


def announced(
    found: Sequence[tuple[IStreamServerEndpoint, bool]],
    server_name: str,
    what: str,
    schemes: tuple[str, str],
    heard: Callable[[str], None] | None = None,
) -> tuple[IStreamServerEndpoint, ...]:
    """``found`` (as ``listening`` gives them), each logging ``chatd WHAT at URL`` once it listens.

    ``schemes`` are the URL's scheme without TLS and with it. So a host
    (and a test, reading the log) learns where clients connect, port 0
    included. ``heard``, if given, is told each URL too (the web port's
    file links are made under it).
    """
    return tuple(
        Then(endpoint, partial(_announce, schemes[secure], server_name, what, heard), tls=secure)
        for endpoint, secure in found
    )


def _announce(
    scheme: str, server_name: str, what: str, heard: Callable[[str], None] | None, port: IListeningPort
) -> IListeningPort:
    """Log the address a client connects to on ``port``: ``chatd WHAT at URL``; tell ``heard`` it."""
    address = port.getHost()
    if not isinstance(address, IPv4Address | IPv6Address):
        return port
    host = address.host
    if host in WILDCARDS:
        host = server_name
    elif isinstance(address, IPv6Address):
        host = f"[{host}]"
    url = f"{scheme}://{host}:{address.port}/"
    log.info("chatd {what} at {url}", what=what, url=url)
    if heard is not None:
        heard(url)
    return port
