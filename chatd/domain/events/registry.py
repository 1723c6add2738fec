"""A registered room's owner and operators: registering, giving up, adding and removing operators, and undoing a
change the store could not keep.

The events of chatd.domain.registry, which keeps who owns a room across
restarts: apart from ``rooms``, as they change who holds authority in a
room rather than who is in it.
"""

from dataclasses import dataclass

from chatd.domain.events.base import Base, InRoom


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomRegistered(InRoom):
    """``actor`` registered ``room`` to their account ``account``: they own it across restarts, and it
    outlives its members."""

    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomUnregistered(InRoom):
    """``actor``, its owner, gave ``room`` up: it is an ordinary room again, owned by nobody."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomOperatorAdded(InRoom):
    """``actor`` (the room's owner) made the account ``account``, online as ``nick``, an operator of ``room``.

    ``member``: ``nick`` is in the room, identified to ``account``, so holds
    the operator standing there from now on (IRC's ``MODE +o``).
    """

    nick: str
    account: str
    member: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomOperatorRemoved(InRoom):
    """``actor`` (the room's owner) took the account ``account`` (``nick``) off the operators of ``room``.

    ``member``: as for ``RoomOperatorAdded``; the standing there goes.
    """

    nick: str
    account: str
    member: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomRegistrationNotKept(Base):
    """The store could not keep ``actor``'s change to the registration of ``room`` (a full disk, say): undone.

    ``owner`` (None: not registered) and ``operators`` are the room's
    registration as the store keeps it, with the changes it has yet to
    answer for, and as the chat holds it from now on
    (chatd.domain.registry); ``given`` and ``taken`` say whose standing in
    the live room that changes. No history keeps it: it puts memory back as
    the file is, so it carries no ``seq``.
    """

    room: str
    owner: str | None
    operators: tuple[str, ...]
    given: tuple[str, ...] = ()
    """Members of ``room`` who get the room operator standing back with it, by nickname."""
    taken: tuple[str, ...] = ()
    """Members of ``room`` whose room operator standing goes with it, by nickname: front ends that mark
    standing (IRC's ``@``) take the mark off, as after ``/deop``."""
