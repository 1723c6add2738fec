"""What operators do to people and to the server: bans, kills, mutes and their ends, notices to all, shutting down.

Acts of the server's operators (or of the chat, as a ban runs out), told
to whoever they touch; a room's own kicks and bans are in ``rooms`` and
``modes``.
"""

from dataclasses import dataclass

from chatd.domain.events.base import Base


@dataclass(frozen=True, slots=True, kw_only=True)
class BanAdded(Base):
    """Operator ``actor`` banned ``target`` (an ``address`` or a nickname) until ``until`` (None: until lifted).

    Whoever online it covers is then taken off the server, one ``Banned`` each.
    """

    target: str
    address: bool
    until: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Banned(Base):
    """Operator ``actor``'s ban took ``nick`` off the server; ``until`` is when the ban ends (None: when lifted)."""

    nick: str
    until: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Killed(Base):
    """Operator ``actor`` took ``nick`` off the server (IRC's KILL); ``reason`` may be empty.

    Unlike a ban it holds nothing against them: they may come back at once
    (the SQLite store keeps the event, as a quit, for the host's export).
    ``apart`` says the operator shared no room with them, decided by the
    command: once the event is applied nobody can look, and IRC, where
    only roommates read the QUIT, tells such an operator with a NOTICE.
    """

    nick: str
    reason: str
    apart: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class BanLifted(Base):
    """The ban on ``target`` is over: lifted by operator ``actor``, or run out (``actor`` is ``CHAT``)."""

    target: str
    address: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Muted(Base):
    """Operator ``actor`` muted ``nick`` until ``until`` (None: until unmuted)."""

    nick: str
    until: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Unmuted(Base):
    """``nick``'s mute is over: lifted by operator ``actor``, or run out (``actor`` is ``CHAT``)."""

    nick: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Walled(Base):
    """Operator ``actor`` said ``text`` to everyone online."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ShuttingDown(Base):
    """Operator ``actor`` is stopping the server; ``reason`` may be empty. The last event anyone gets."""

    reason: str
