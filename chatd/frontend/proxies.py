"""The reverse proxies the web port trusts (``--web-proxy``), and whom a WebSocket one of them passes on is for.

Behind nginx or Caddy every connection to the web port comes from the
proxy, so the address chatd judges by (bans, ``--max-per-ip``, the
budgets, the log) would be the proxy's for every user. A proxy says whom
it forwards in ``X-Forwarded-For``, appending the address it took the
request from to whatever list the request came with; anyone can send the
header, so it is read only on a connection whose peer is a proxy the host
named, and only the part those proxies wrote: walking from the right, the
first address that is not itself a trusted proxy is the user's (Ergo's
``proxy-allowed-from`` and The Lounge's ``reverseProxy`` read it so too).
What lies left of it came from the user, and is not believed.

``Forwarded: for=`` (RFC 7239) is not read: nginx, Caddy and HAProxy all
write ``X-Forwarded-For`` (Caddy by default, nginx with one line, HAProxy
with ``option forwardfor``), and a proxy that writes one of the two passes
the other on as the user sent it, so reading both would believe the user.
"""

import ipaddress
from collections.abc import Iterable, Sequence

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def proxy_network(text: str) -> str | None:
    """``text`` as ``--web-proxy`` takes it, an address or a network (``10.0.0.0/8``), in one form; None if neither.

    An IPv4 address mapped into IPv6 is the IPv4 one, as connections' addresses are (chatd.frontend.admission).
    """
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None
    if isinstance(network, ipaddress.IPv6Network) and network.network_address.ipv4_mapped is not None:
        mapped = network.network_address.ipv4_mapped
        network = ipaddress.IPv4Network((mapped, max(network.prefixlen - 96, 0)), strict=False)
    return str(network.network_address) if network.prefixlen == network.max_prefixlen else str(network)


class Proxies:
    """The proxies trusted to say whom they forward: addresses and networks, as ``proxy_network`` gives them."""

    def __init__(self, networks: Iterable[str] = ()) -> None:
        self._networks: tuple[_Network, ...] = tuple(ipaddress.ip_network(text) for text in networks)

    def trusts(self, peer: str) -> bool:
        """Whether the connection from ``peer`` (as chatd.frontend.admission gives it) is a trusted proxy's."""
        if not self._networks:
            return False  # no --web-proxy, as most hosts: no address to read for each connection
        address = address_of(peer)
        return address is not None and self._trusted(address)

    def client(self, forwarded_for: Sequence[bytes]) -> str | None:
        """The user a trusted proxy's request is for, given its ``X-Forwarded-For`` values in order (several
        header lines are one list); None if the proxies wrote no address that is not theirs.

        Walking from the right past the trusted proxies, the first entry must
        be an address (without a port): a word there, or no entry past the
        proxies, is a proxy that names nobody, never the user's say.
        """
        entries = [entry for value in forwarded_for for entry in value.decode("latin-1").split(",")]
        for entry in reversed(entries):
            address = address_of(entry.strip())
            if address is None:
                return None
            if not self._trusted(address):
                return str(address)
        return None

    def _trusted(self, address: _Address) -> bool:
        # An address is never in a network of the other version: ipaddress says so, without an error.
        return any(address in network for network in self._networks)


def address_of(text: str) -> _Address | None:
    """``text`` as an IP address, an IPv4 address mapped into IPv6 as itself; None if it is none."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
