"""Which addresses count as one host's, for the limits kept per address.

An IPv4 host has one address (behind a NAT, a whole class shares it). An
IPv6 host is given a /64 network and may use any of its 2^64 addresses, so
a limit per exact IPv6 address (connections, password guesses, accounts
made) would hold nobody who takes a new one for each connection: it counts
per /64 instead, as Ergo's ``cidr-len-ipv6`` does by default. What users
and operators see stays the exact address; a ban names an address or a
whole network (chatd.domain.bans).
"""

import ipaddress

IPV6_HOST_PREFIX = 64
"""The bits of an IPv6 address that name one host's (or one site's) network."""


def counted_as(address: str) -> str:
    """The key ``address`` is counted under: ``2001:db8:1:2::/64`` for any address of that network, an IPv4
    address (mapped into IPv6 or not) itself; anything else (a UNIX socket, the console) unchanged."""
    if ":" not in address:
        return address
    try:
        ip = ipaddress.IPv6Address(address)
    except ValueError:
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, IPV6_HOST_PREFIX), strict=False))
