"""Bans by nickname or by address, each until a time or until lifted, kept in memory.

Nothing is stored yet (there is no server database): bans last until they
run out, are lifted, or the daemon restarts. They expire by the chat's
injected clock, so a test moves time rather than waiting.
"""

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from chatd.domain.errors import BadAddressError
from chatd.domain.names import check_nickname, fold
from chatd.domain.replies import Ban


@dataclass(frozen=True, slots=True)
class BanTarget:
    """What a ban names: an ``address`` (canonical IP) or a folded nickname, and how to show it."""

    address: bool
    key: str
    """The canonical address, or the nickname's key (``fold``)."""
    shown: str


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
        key = _canonical(text)
        if key is None:
            raise BadAddressError(text)
        return BanTarget(True, key, key)
    nick = check_nickname(text, nickname_limit)
    return BanTarget(False, fold(nick), nick)


def _canonical(text: str) -> str | None:
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


class Bans:
    """The bans in force, by target; a ban past its time is dropped when next looked at."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._bans: dict[tuple[bool, str], Ban] = {}

    def add(self, target: BanTarget, ban: Ban) -> None:
        """Ban ``target``; a new ban on the same target replaces the old one."""
        self._bans.pop((target.address, target.key), None)
        self._bans[(target.address, target.key)] = ban

    def remove(self, target: BanTarget) -> Ban | None:
        """Lift the ban on ``target``; None if there was none in force."""
        ban = self.find(target.address, target.key)
        if ban is not None:
            del self._bans[(target.address, target.key)]
        return ban

    def find(self, address: bool, key: str) -> Ban | None:
        """The ban in force on the address or nickname ``key``, if any."""
        ban = self._bans.get((address, key))
        if ban is not None and ban.until is not None and ban.until <= self._now():
            del self._bans[(address, key)]
            return None
        return ban

    def in_force(self) -> tuple[Ban, ...]:
        """Every ban in force, oldest first."""
        return tuple(ban for address, key in list(self._bans) if (ban := self.find(address, key)) is not None)
