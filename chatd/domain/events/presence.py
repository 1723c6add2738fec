"""Who is online as whom: coming online, leaving, a new nickname, away, a new address, operator standing.

A person's own state on the server, apart from any room they are in or
account they hold: what IRC shows as NICK, QUIT and AWAY.
"""

from dataclasses import dataclass

from chatd.domain.events.base import Base


@dataclass(frozen=True, slots=True, kw_only=True)
class Registered(Base):
    """``actor`` came online under their nickname, from their address."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Quit(Base):
    """``actor`` left the chat (and so every room); ``reason`` may be empty."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NickChanged(Base):
    """``actor`` (under their old nickname) is now called ``new``."""

    new: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AwayChanged(Base):
    """``actor`` is away saying ``text``, or back if it is empty."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressChanged(Base):
    """``actor`` (as they were) connects from ``address`` now: a new connection of theirs took over the one they
    had (``/takeover``). Nobody is shown it; bans, masks and whatever is kept by address follow them there."""

    address: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorGranted(Base):
    """``actor`` became an operator (a front end checked that they are one); each of their sessions is shown it."""
