"""Bans by nickname, by address or by network (``2001:db8:1:2::/64``), each until a time or until lifted.

A network ban covers every address in it: an IPv6 host holds a whole /64
and may take a new address of it for each connection, so a ban on one of
its addresses alone is stepped around (chatd.domain.networks).

They are chat state, changed only by events (``BanAdded``, ``BanLifted``),
so they are kept in history like everything else. They run out by the
chat's injected clock (chatd.domain.expiry), so a test moves time rather
than waiting.
"""

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from chatd.domain.errors import BadAddressError, BanTooWideError
from chatd.domain.names import check_nickname, look
from chatd.domain.replies import Ban

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
"""A banned network, of either version."""

WIDEST_BAN = {4: 8, 6: 32}
"""The shortest prefix a new network ban may have, by IP version: an IPv4 /8 (16.7 million addresses, a large
provider's) and an IPv6 /32 (a provider's whole allocation). Wider is surely a typing mistake (``0.0.0.0/0`` banned
everyone but operators); docs/SECURITY.md says so. Bans already kept are not checked, so they can be lifted."""


@dataclass(frozen=True, slots=True)
class BanTarget:
    """What a ban names: an ``address`` (canonical IP) or a folded nickname, and how to show it."""

    address: bool
    key: str
    """The canonical address or network, or the nickname's key (``nickname_key``)."""
    shown: str


def nickname_key(nick: str) -> str:
    """The key a ban or a mute on the nickname ``nick`` is kept and looked up under: its look (chatd.domain.names).

    So one covers every nickname that looks like it, in any case or width:
    a ban of ``zed`` keeps out ``Zed`` and ``zed`` with a Cyrillic e (U+0435), as a
    registered nickname's look-alikes are kept from others. Folding alone
    let a banned or muted student back in under a name the class reads as theirs.
    """
    return look(nick)


def target_key(address: bool, shown: str) -> str:
    """The key a ban on ``shown`` (as ``BanTarget.shown`` or an event's ``target``) is kept under."""
    return shown if address else nickname_key(shown)


def address_key(address: str) -> str:
    """``address`` in the one form bans compare: ``::ffff:10.0.0.1`` is ``10.0.0.1``, IPv6 compressed.

    Anything that is not an IP address (a UNIX socket, the console's empty
    address) comes back unchanged, and no ban matches it.
    """
    return _canonical(address) or address


def ban_target(text: str, nickname_limit: int) -> BanTarget:
    """Read ``text`` as a ban names it: an address if it holds '.' or ':' or starts with a digit
    (no nickname can), else a nickname.

    Raises BadAddressError or InvalidNicknameError.
    """
    if "." in text or ":" in text or text[:1].isdigit():
        key = _canonical_network(text) if "/" in text else _canonical(text)
        if key is None:
            raise BadAddressError(text)
        return BanTarget(True, key, key)
    nick = check_nickname(text, nickname_limit)
    return BanTarget(False, target_key(False, nick), nick)


def check_width(target: BanTarget) -> BanTarget:
    """``target``, unless it is a network wider than ``WIDEST_BAN`` allows; then raise BanTooWideError."""
    if not target.address or "/" not in target.key:
        return target
    network = ipaddress.ip_network(target.key)
    widest = WIDEST_BAN[network.version]
    if network.prefixlen < widest:
        raise BanTooWideError(target.key, network.version, widest)
    return target


def _canonical(text: str) -> str | None:
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def _canonical_network(text: str) -> str | None:
    """``text``, a network (``10.0.0.0/24``, ``2001:db8::/64``; bits past its prefix ignored), in one form; a
    network of one address is that address. None if it is none."""
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    if network.prefixlen == network.max_prefixlen:
        return _canonical(str(network.network_address))
    return str(network)


def covered_by(target: BanTarget) -> Callable[[str], bool]:
    """Whether a ban on address ``target`` takes in a connection from an address (``address_key``'s form): it
    is that address, or in that network (read once, for all the addresses asked about)."""
    if "/" not in target.key:
        return target.key.__eq__
    network = ipaddress.ip_network(target.key)
    return lambda address: _in(_ip(address), network)


def _in(ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None, network: _Network) -> bool:
    """Whether ``ip`` (None: no IP address) is in ``network``; an address of the other version is not."""
    return ip is not None and ip in network


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``address`` as an IP address; None if it is none (a UNIX socket, the console)."""
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


class Bans:
    """The bans by target. A ban past its time is not in force; it is dropped by its
    ``BanLifted`` event when the chat's clock reaches it, never by a look-up."""

    def __init__(self) -> None:
        self._bans: dict[tuple[bool, str], Ban] = {}
        self._networks: dict[str, _Network] = {}
        """The banned networks by key: an address is looked up in each (a few), after its own ban."""

    def add(self, target: BanTarget, ban: Ban) -> None:
        """Ban ``target``; a new ban on the same target replaces the old one (and goes last)."""
        self._bans.pop((target.address, target.key), None)
        self._bans[(target.address, target.key)] = ban
        if target.address and "/" in target.key:
            self._networks[target.key] = ipaddress.ip_network(target.key)

    def remove(self, address: bool, key: str) -> None:
        """Drop the ban on the address, network or nickname ``key``, if there is one."""
        self._bans.pop((address, key), None)
        if address:
            self._networks.pop(key, None)

    def get(self, address: bool, key: str) -> Ban | None:
        """The ban on the address or nickname ``key``, in force or not (yet) dropped."""
        return self._bans.get((address, key))

    def find(self, address: bool, key: str, now: float) -> Ban | None:
        """The ban in force at ``now`` on the address, network or nickname ``key``, if any."""
        ban = self._bans.get((address, key))
        return ban if ban is not None and _in_force(ban, now) else None

    def covering(self, address: str, now: float) -> Ban | None:
        """The ban in force at ``now`` that takes in a connection from ``address``: on it, or on a network
        holding it."""
        ban = self.find(True, address, now)
        if ban is not None or not self._networks:
            return ban
        ip = _ip(address)
        for key, network in self._networks.items():
            if _in(ip, network):
                ban = self.find(True, key, now)
                if ban is not None:
                    return ban
        return None

    def in_force(self, now: float) -> tuple[Ban, ...]:
        """Every ban in force at ``now``, oldest first."""
        return tuple(ban for ban in self._bans.values() if _in_force(ban, now))


def _in_force(ban: Ban, now: float) -> bool:
    return ban.until is None or ban.until > now
