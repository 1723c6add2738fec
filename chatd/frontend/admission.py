"""Which connections may open: counted across every front end, in all and per address.

The service builds one ``Admission`` and hands it to every front end's
factory, so ``--max-connections`` and ``--max-per-ip`` bound the daemon, not
each listener: an address holding its 50 connections on the line port gets
none more on the TLS port, or on IRC's later. A refused connection is told
why in one line by a ``Refusal`` and closed.

Each host also has a budget of connections to open (``--connect-burst`` at
once, then ``--connect-rate`` a second): a client that connects, writes and
closes in a loop holds few places at once, yet four such threads opened
41,000 connections in 13 s and held others' lines back by 0.7 s. A
refusal spends none of it, so a flood is let in at the rate and no faster,
and a classroom's wifi coming back is let in whole.

Every connection, admitted or refused, is logged with its address through
the daemon's ``BoundedLog`` (chatd.frontend.logs): a client that connects
again and again, or is refused again and again, cannot fill the disk with
it (issue 12), and the log says how many lines it left out.
"""

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IAddress, IDelayedCall, IReactorTime, ITCPTransport
from twisted.internet.protocol import Protocol, connectionDone
from twisted.logger import Logger
from twisted.protocols.policies import TimeoutMixin
from twisted.python.failure import Failure
from typing_extensions import override
from zope.interface import implementer

from chatd.domain.flood import Budgets
from chatd.domain.networks import counted_as
from chatd.frontend.connections import GOODBYE_GRACE_SECONDS
from chatd.frontend.errors import ConnectingTooFastError, ServerFullError, TooManyConnectionsError
from chatd.frontend.logs import BoundedLog

MAX_CONNECTIONS = 10000
"""Connections open at once, in all, unless the host says otherwise."""

MAX_PER_IP = 50
"""Connections open at once from one address (a classroom behind one NAT fits)."""

CONNECT_BURST = 300
"""Connections one address may open at once: a class of 30 behind one NAT address, all reloading the page as the
wifi comes back (a browser opens up to 6 connections to load one page, and the page's socket is one more), each
with a terminal client too."""

CONNECT_RATE = 10.0
"""Connections a second one address may keep opening once its burst is spent: a flood's trickle (an attack trial
opened 3,000 a second), and a school's pages coming and going through one address fit."""


_DIRECT = (
    "Refused {peer}: too many connections",
    "Refused {peer}: connecting too fast",
    "Connection from {peer}",
)
"""What is logged of a connection from its user: refused for holding too many, for opening too fast, or admitted."""

_THROUGH = (
    "Refused {peer} through {proxy}: too many connections",
    "Refused {peer} through {proxy}: connecting too fast",
    "Connection from {peer} through {proxy}",
)
"""The same of a user's connection through a trusted proxy or balancer, which the log names too."""

_OWN = (*_DIRECT[:2], None)
"""The same of a balancer's own connection (``BalancerAddress``): its refusals, not each of its health checks."""


@implementer(IAddress)
@dataclass(frozen=True, slots=True)
class BalancedAddress:
    """A user's address as a trusted balancer's PROXY header named it (``--proxy``), with the balancer's: the
    front end's protocol is built with it, so that ``Admission.admit`` counts the user and logs both, as the web
    port's trusted proxy is logged (``forward``)."""

    user: IPv4Address | IPv6Address
    balancer: IAddress


@implementer(IAddress)
@dataclass(frozen=True, slots=True)
class BalancerAddress:
    """A trusted balancer's own connection, its PROXY header naming no user: its health check (``--proxy``).

    HAProxy checks each server every 2 s by default; logged, each check was
    a line ("Connection from 10.0.0.5"), 43,200 a day per listener, and
    spent the bounded log's budget for "Connection from" lines that users'
    connections share. It is counted under the balancer's address as any
    connection is, and not logged unless refused.
    """

    balancer: IAddress


class Admission:
    """The connections open across all front ends, by address; refuses those over the limits."""

    log = Logger()

    def __init__(
        self,
        max_connections: int = MAX_CONNECTIONS,
        max_per_ip: int = MAX_PER_IP,
        *,
        bounded: BoundedLog,
        now: Callable[[], float],
        connect_rate: float = CONNECT_RATE,
        connect_burst: int = CONNECT_BURST,
    ) -> None:
        self.max_connections = max_connections
        self.max_per_ip = max_per_ip
        self._opening = Budgets(connect_rate, connect_burst, now)
        """Each host's budget of connections to open, forgotten once full again."""
        self.bounded = bounded
        """The daemon's log of what strangers can repeat; front ends log cut-offs through it too."""
        self.open = 0
        """Connections admitted and not yet released."""
        self._per_host: Counter[str] = Counter()
        """Connections open by host (``chatd.domain.networks.counted_as``): an IPv6 address's /64 network."""

    def admit(self, address: IAddress | None, *, proxy: bool = False) -> str:
        """Count a new connection from ``address``; return its peer, its address as bans compare it and
        operators see it: an IPv4 address reached over IPv6 (``::ffff:a.b.c.d``) is the IPv4 address.

        It is counted against ``max_per_ip`` and its host's budget of
        connections to open with its host's others: an IPv6 address with
        every other of its /64 (chatd.domain.networks). A user's through a
        balancer (a ``BalancedAddress``) is the user's, logged with the
        balancer's address; a balancer's own (a ``BalancerAddress``), the
        balancer's, not logged. A trusted
        ``proxy``'s (``--web-proxy``) is counted in all only, and not logged:
        it is no user's until its request says whose it is (``forward``).
        Raises ServerFullError, TooManyConnectionsError or
        ConnectingTooFastError, counting nothing, if the connection would be
        over a limit. Each
        admitted connection is ``release``d once, when it ends, as it was admitted.
        """
        peer = peer_of(address)
        if self.open >= self.max_connections:
            self.bounded.warn(self.log, "Refused {peer}: server full", peer=peer)
            raise ServerFullError()
        if proxy:
            self.open += 1
            return peer
        if isinstance(address, BalancedAddress):
            self._count(peer, *_THROUGH, proxy=peer_of(address.balancer))
        elif isinstance(address, BalancerAddress):
            self._count(peer, *_OWN)
        else:
            self._count(peer, *_DIRECT)
        self.open += 1
        return peer

    def forward(self, proxy: str, client: str) -> str:
        """A connection admitted as ``proxy``'s is ``client``'s (as its proxy says): count it under ``client``'s
        address from now on, and return that. Raises TooManyConnectionsError or ConnectingTooFastError, changing
        nothing, if ``client`` holds all it may or has opened all it may of late; the connection is then still the
        proxy's."""
        self._count(client, *_THROUGH, proxy=proxy)
        return client

    def release(self, peer: str, *, proxy: bool = False) -> None:
        """A connection ``admit`` returned ``peer`` for has ended: its place is free. ``proxy``: it was admitted as a
        trusted proxy's and never ``forward``ed."""
        self.open -= 1
        if proxy:
            return
        host = counted_as(peer)
        self._per_host[host] -= 1
        if not self._per_host[host]:
            del self._per_host[host]

    def _count(self, peer: str, too_many: str, too_fast: str, admitted: str | None, **fields: str) -> None:
        """Count a connection under ``peer``'s host, spend one of its budget to open, and log ``admitted`` (if any); or log
        ``too_many`` and raise TooManyConnectionsError if the host holds ``max_per_ip`` already, or ``too_fast``
        and raise ConnectingTooFastError if its budget is spent."""
        host = counted_as(peer)
        if self._per_host[host] >= self.max_per_ip:
            self.bounded.warn(self.log, too_many, peer=peer, **fields)
            raise TooManyConnectionsError(self.max_per_ip)
        wait = self._opening.wait(host)
        if wait:
            self.bounded.warn(self.log, too_fast, peer=peer, **fields)
            raise ConnectingTooFastError(math.ceil(wait))
        self._opening.take(host)
        self._per_host[host] += 1
        if admitted is not None:
            self.bounded.info(self.log, admitted, peer=peer, **fields)


class Refusal(Protocol, TimeoutMixin):
    """Writes ``line`` (a front end's wording of why the connection is refused) and closes.

    A line that is not written within ``GOODBYE_GRACE_SECONDS`` (a client
    that never reads, or never finishes its TLS handshake, before which
    nothing can be written) is dropped with the connection: a refused
    connection must not stay open, even though it holds no place.
    """

    def __init__(self, line: bytes, reactor: IReactorTime) -> None:
        self._line = line
        self._reactor = reactor

    @override
    def callLater(self, period: float, func: Callable[..., object], *args: object) -> IDelayedCall:
        """TimeoutMixin's timer, on the front end's (injectable) reactor."""
        return self._reactor.callLater(period, func, *args)

    @override
    def connectionMade(self) -> None:
        assert self.transport is not None, "connectionMade has a transport"
        self.transport.write(self._line)
        self.transport.loseConnection()
        self.setTimeout(GOODBYE_GRACE_SECONDS)

    @override
    def timeoutConnection(self) -> None:
        # Every listener chatd opens is a stream of the TCP kind.
        cast(ITCPTransport, self.transport).abortConnection()

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.setTimeout(None)


def peer_of(address: IAddress | None) -> str:
    """The address of a connection from ``address``; an IPv4-mapped IPv6 address is its IPv4 address; a balancer's
    user's is the user's; a balancer's own connection's, the balancer's."""
    if isinstance(address, BalancedAddress):
        address = address.user
    elif isinstance(address, BalancerAddress):
        address = address.balancer
    if isinstance(address, IPv4Address | IPv6Address):
        return address.host.removeprefix("::ffff:")
    return str(address)
