"""Who is in a room and what it says of itself: joins, parts, kicks, invitations, topics, and a big room's tallies.

A room's membership and its topic, as the chat's state holds them
(chatd.domain.rooms); its settings and its registration have modules of
their own (``modes``, ``registry``).
"""

from dataclasses import dataclass

from chatd.domain.events.base import Base, InRoom


@dataclass(frozen=True, slots=True, kw_only=True)
class Joined(InRoom):
    """``actor`` entered ``room``; the first to enter a room makes and owns it.

    ``room_operator``: the join gives ``actor`` the room's operator standing
    (its maker, or identified to its registration's owner or a room
    operator), so front ends that mark standing (IRC's ``@``) mark it.
    ``made``: the join made the room anew, nothing kept of one of that name
    before (a room that outlives its members is not made anew): a store
    then gives back no topic or lock kept from before it (chatd.storage.sqlite).
    """

    room_operator: bool = False
    made: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Parted(InRoom):
    """``actor`` left ``room``; ``reason`` may be empty. An emptied room is gone."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicChanged(InRoom):
    """``actor`` set the topic of ``room``; an empty topic clears it."""

    topic: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicLocked(InRoom):
    """``actor`` locked the topic of ``room`` (only its owner and operators may set it) or, if not ``locked``, unlocked it."""

    locked: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Kicked(InRoom):
    """``actor`` (the room's owner or an operator) put ``nick`` out of ``room``; ``reason`` may be empty.

    ``nick`` may not join ``room`` again before ``until``; nor may ``person``, the kicked person's
    ``chatd.domain.people.waiting_key`` (their account, else their nickname's look from their host), under
    any nickname or connection, after a restart too: a store gives back the kicks still running
    (chatd.domain.kicks). Empty in a kick kept by a chatd before it was added: its wait is not brought back.
    """

    nick: str
    reason: str
    until: float
    person: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Invited(InRoom):
    """``actor``, a member of ``room``, invited ``nick``, who may then join it past invite-only once."""

    nick: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CrowdTallied(Base):
    """Since its last tally, ``joined`` came into big room ``room``, ``left`` went and ``renamed`` took a new nickname.

    Sent by the chat (``CHAT``) to a big room's members instead of each
    join, part, quit and new nickname (chatd.domain.crowds); ``members`` is
    how many are in it now. No history keeps it, so it carries no ``seq``.
    """

    room: str
    joined: int
    left: int
    renamed: int
    members: int
