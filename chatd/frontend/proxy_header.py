"""The PROXY protocol (v1 and v2) on the line and IRC ports, from the load balancers ``--proxy`` trusts.

Behind HAProxy, nginx's ``stream`` module or a cloud load balancer every
connection comes from the balancer, so the address chatd judges by (bans,
``--max-per-ip``, the budgets, the log) would be the balancer's for every
user. Such a balancer can start each connection with a PROXY header naming
the user's address. Anyone can send one, so it is read only from a peer the
host named, and from those it must come: a connection whose header is bad
or missing is told so in one line and closed, never taken for the
balancer's own (that would make every user one again).

The header is read before anything else of the connection, TLS included
(the balancer passes TLS through untouched and writes its header before
it), and the front end's protocol is built only once it is read, with the
user's address: so every part of chatd that asks a connection's address
(``Admission`` as it is accepted, ``getPeer`` later) is told the user's,
and the log names the balancer too (``Connection from USER through
BALANCER``), as it names the web port's trusted proxy.

Twisted's own ``haproxy:`` endpoint (``HAProxyProtocolWrapper``) is not
used: it believes the header from any peer, builds the protocol (and so
takes its address) before the header arrives, closes a connection whose
first read is shorter than the header's signature, and closes on a bad
header without a word. Its parsers are used, as they are.
"""

from collections.abc import Callable, Sequence
from typing import Any, cast

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import (
    IAddress,
    IDelayedCall,
    IHalfCloseableProtocol,
    IListeningPort,
    IProtocolFactory,
    IReactorTime,
    ITCPTransport,
)
from twisted.internet.protocol import Protocol, connectionDone
from twisted.logger import Logger
from twisted.protocols.haproxy._exceptions import InvalidProxyHeader
from twisted.protocols.haproxy._info import ProxyInfo
from twisted.protocols.haproxy._v1parser import V1Parser
from twisted.protocols.haproxy._v2parser import V2Parser
from twisted.protocols.policies import ProtocolWrapper, TimeoutMixin, WrappingFactory
from twisted.protocols.tls import TLSMemoryBIOFactory
from twisted.python.failure import Failure
from typing_extensions import override
from zope.interface import alsoProvides

from chatd.frontend.admission import BalancedAddress, BalancerAddress, peer_of
from chatd.frontend.logs import BoundedLog
from chatd.frontend.proxies import Proxies, address_of

HEADER_SECONDS = 10
"""How long a trusted balancer's connection may take to send its header: balancers send it as they connect."""

LONGEST_HEADER = 16 + 2048
"""Bytes a v2 header may take, its 16 fixed ones and what follows: two IPv6 addresses take 36, and the TLVs
balancers add (AWS's endpoint id, TLS details) a few hundred; a v1 header is 107 at most (its parser says so)."""

_V1 = V1Parser.PROXYSTR + b" "
_SIGNATURES = (_V1, V2Parser.PREFIX)


class ProxyHeaders:
    """What the line and IRC ports need to read PROXY headers: the balancers ``--proxy`` trusts, the clock their
    header is awaited by, the daemon's bounded log, and the front end's one-line refusal of a bad header."""

    def __init__(self, proxies: Proxies, reactor: IReactorTime, bounded: BoundedLog, refusal: bytes) -> None:
        self.proxies = proxies
        self.reactor = reactor
        self.bounded = bounded
        self.refusal = refusal

    def factory(self, wrapped: IProtocolFactory) -> IProtocolFactory:
        """``wrapped``, served behind a PROXY header on a trusted balancer's connections (as itself on others')."""
        return HeaderFirstFactory(wrapped, self)


def proxy_headers(
    networks: Sequence[str], reactor: IReactorTime, bounded: BoundedLog, refusal: bytes
) -> ProxyHeaders | None:
    """The headers to read from the balancers in ``networks`` (``--proxy``), refused in the front end's
    ``refusal``; None if there are none, as on most hosts: no listener reads a header."""
    return ProxyHeaders(Proxies(networks), reactor, bounded, refusal) if networks else None


class HeaderFirstReactor:
    """``reactor``, whose TCP and TLS listeners read a trusted balancer's PROXY header first (``ProxyHeaders``).

    Handed to the endpoints of a front end (``--port``, ``--tls-port``, ``tcp:`` and ``ssl:`` ones), so that a
    TLS listener reads the header before TLS, as a balancer passing TLS through sends it: its TLS is the same
    Twisted's ``listenSSL`` makes, under the header's reader instead of over it.
    """

    def __init__(self, reactor: Any, headers: ProxyHeaders) -> None:
        self._reactor = reactor
        self._headers = headers

    def listenTCP(  # noqa: N802 (the endpoints call the reactor's method by its name)
        self, port: int, factory: IProtocolFactory, backlog: int = 50, interface: str = ""
    ) -> IListeningPort:
        """Listen as the reactor does, each connection's header read first."""
        listening: IListeningPort = self._reactor.listenTCP(
            port, self._headers.factory(factory), backlog, interface
        )
        return listening

    def listenSSL(  # noqa: N802 (the endpoints call the reactor's method by its name)
        self,
        port: int,
        factory: IProtocolFactory,
        contextFactory: Any,  # noqa: N803 (SSL4ServerEndpoint passes it by this name)
        backlog: int = 50,
        interface: str = "",
    ) -> IListeningPort:
        """Listen for TLS as the reactor does, each connection's header read first, before TLS."""
        return self.listenTCP(port, TLSMemoryBIOFactory(contextFactory, False, factory), backlog, interface)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reactor, name)


class HeaderFirstFactory(WrappingFactory["HeaderReader"]):
    """Builds, for a trusted balancer's connection, a ``HeaderReader``; for any other peer's, ``wrapped``'s own
    protocol, as without ``--proxy``."""

    noisy = False

    def __init__(self, wrapped: IProtocolFactory, headers: ProxyHeaders) -> None:
        super().__init__(wrapped)
        self.headers = headers

    @override
    def buildProtocol(self, addr: IAddress) -> Protocol | None:  # type: ignore[override]  # a stranger gets the wrapped factory's protocol
        if not self.headers.proxies.trusts(peer_of(addr)):
            built: Protocol | None = self.wrappedFactory.buildProtocol(addr)
            return built
        return HeaderReader(self, addr)


class HeaderReader(ProtocolWrapper, TimeoutMixin):
    """Reads a trusted balancer's PROXY header, then is the transport of the protocol built for the user it names.

    Until the header is read the connection is nobody's: it holds no place
    under the limits and has no protocol. A header naming no address (v2's
    LOCAL, a balancer's health check; v1's UNKNOWN), or naming the
    connection itself (HAProxy's v1 health check), leaves the connection
    the balancer's, as the protocol's specification says: a
    ``BalancerAddress``, not logged.
    """

    factory: HeaderFirstFactory
    log = Logger()

    def __init__(self, factory: HeaderFirstFactory, balancer: IAddress) -> None:
        super().__init__(factory, Protocol())  # replaced by the user's protocol once the header is read
        self._balancer = balancer
        self._buffer = b""
        self._parser: V1Parser | V2Parser | None = None
        self._fed = 0
        """Bytes fed to the parser: a header that takes more than ``LONGEST_HEADER`` is none."""
        self._source: IPv4Address | IPv6Address | None = None
        self._built = False
        self._refused = False

    @override
    def callLater(self, period: float, func: Callable[..., object], *args: object) -> IDelayedCall:
        """TimeoutMixin's timer, on the front end's (injectable) reactor."""
        return self.factory.headers.reactor.callLater(period, func, *args)

    @override
    def makeConnection(self, transport: Any) -> None:
        # ProtocolWrapper's would connect the protocol now; it waits for the header.
        super(ProtocolWrapper, self).makeConnection(transport)
        self.factory.registerProtocol(self)
        self.setTimeout(HEADER_SECONDS)

    @override
    def dataReceived(self, data: bytes) -> None:
        if self._built:
            self.wrappedProtocol.dataReceived(data)
            return
        if self._refused:
            return  # what follows a bad header is nobody's
        try:
            read = self._read(data)
        except (InvalidProxyHeader, ValueError):
            self._refuse("a bad PROXY header")
            return
        if read is not None:
            self._build(*read)

    def _read(self, data: bytes) -> tuple[ProxyInfo, bytes] | None:
        """The header and what followed it, once ``data`` completes it; None until then. Raises InvalidProxyHeader
        (or ValueError, for a v1 port that is no number) for bytes that are no header."""
        if self._parser is None:
            # Twisted's v2 parser needs the 16 fixed bytes in its first feed, and the version is told by the start.
            self._buffer += data
            start = self._buffer[: len(V2Parser.PREFIX)]
            if not any(
                signature.startswith(start) or start.startswith(signature) for signature in _SIGNATURES
            ):
                raise InvalidProxyHeader()
            if self._buffer.startswith(_V1):
                self._parser = V1Parser()
            elif len(self._buffer) >= 16:
                self._parser = V2Parser()
            else:
                return None
            data, self._buffer = self._buffer, b""
        self._fed += len(data)
        info, rest = self._parser.feed(data)
        if info is None:
            if self._fed > LONGEST_HEADER:
                raise InvalidProxyHeader()
            return None
        return info, rest or b""

    def _build(self, info: ProxyInfo, rest: bytes) -> None:
        """Build the protocol for the user ``info`` names, as the front end builds any (with a ``BalancedAddress``,
        so that its admission logs the balancer too), and give it ``rest``."""
        self.setTimeout(None)
        source = info.source
        if isinstance(source, IPv4Address | IPv6Address):
            # Twisted's v1 parser takes any word for an address.
            if address_of(source.host) is None:
                self._refuse("a bad PROXY header")
                return
            if not self._names_itself(source):
                self._source = source
        user = (
            BalancerAddress(self._balancer)
            if self._source is None
            else BalancedAddress(self._source, self._balancer)
        )
        built = self.factory.wrappedFactory.buildProtocol(user)
        if built is None:
            self._socket().loseConnection()
            return
        self.wrappedProtocol = built
        self._built = True
        if IHalfCloseableProtocol.providedBy(built):
            # The TCP transport asks its protocol, this reader, whether it takes a half-close (the line port's
            # does: ``printf 'alice\nhi' | nc -N``); one that does not (IRC's) is closed by it, as without --proxy.
            alsoProvides(self, IHalfCloseableProtocol)
        built.makeConnection(self)
        if rest:
            built.dataReceived(rest)

    def _names_itself(self, source: IPv4Address | IPv6Address) -> bool:
        """Whether the header names this very connection, the balancer's address and port: no user's, but the
        balancer's own, as HAProxy's ``send-proxy`` health checks say (v1 has no LOCAL)."""
        balancer = self._balancer
        return (
            isinstance(balancer, IPv4Address | IPv6Address)
            and peer_of(source) == peer_of(balancer)
            and source.port == balancer.port
        )

    def _refuse(self, why: str) -> None:
        """Tell the balancer in the front end's one line that the header is bad, log it, and close."""
        self.setTimeout(None)
        self._refused = True
        self.factory.headers.bounded.warn(
            self.log, "Refused {peer}: {why}", peer=peer_of(self._balancer), why=why
        )
        self._socket().write(self.factory.headers.refusal)
        self._socket().loseConnection()

    def _socket(self) -> ITCPTransport:
        """The balancer's connection; every listener this reads on is a TCP one."""
        return cast(ITCPTransport, self.transport)

    @override
    def timeoutConnection(self) -> None:
        self._refuse(f"no PROXY header in {HEADER_SECONDS} s")

    @override
    def getPeer(self) -> IAddress:
        """The user's address the header named; the balancer's, if it named none."""
        return self._source or self._socket().getPeer()

    def readConnectionLost(self) -> None:  # noqa: N802 - IHalfCloseableProtocol's name
        """The user shut their side: passed on to the protocol, called only when it takes it (``_build``)."""
        cast(IHalfCloseableProtocol, self.wrappedProtocol).readConnectionLost()

    def writeConnectionLost(self) -> None:  # noqa: N802 - IHalfCloseableProtocol's name
        """This side was shut: passed on to the protocol, called only when it takes it (``_build``)."""
        cast(IHalfCloseableProtocol, self.wrappedProtocol).writeConnectionLost()

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.setTimeout(None)
        self.factory.unregisterProtocol(self)
        if self._built:
            self.wrappedProtocol.connectionLost(reason)
