"""What every event carries: its id, its time and who acted, and for a room's event the room and its number.

Every other module of the package builds its events on these two bases, so
they stand apart from any one area's events; ``Actor`` and ``CHAT`` are here
as every event holds one.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted, as they were when they did.

    ``address`` is where they connect from (empty for the host's console and
    for the chat itself); front ends show it to operators only. ``account``
    is the account they are identified to (its folded nickname), None if none.
    """

    nick: str
    address: str = ""
    account: str | None = None


CHAT = Actor("")
"""The chat itself, the actor of what nobody did by hand: a mute or a ban running out."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Base:
    """What every event holds: its ``id``, its time ``at`` and its ``actor`` (chatd.domain.events says what each is)."""

    id: str
    at: float
    actor: Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class InRoom(Base):
    """What an event in a room holds besides: the ``room`` and that room's sequence number ``seq``."""

    room: str
    seq: int
