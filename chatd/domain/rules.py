"""The checks talk and moderation share: who is admitted, who may speak, who may set a topic, who may read history.

Each reads the state at the injected time ``now`` and raises a ChatError;
none changes anything (a mute or ban past its time is simply not in force
until its own event drops it).
"""

import math

from chatd.domain.errors import (
    BannedError,
    LineCountError,
    MutedError,
    NicknameBannedError,
    NotMemberError,
    NotOperatorError,
    NotOwnerError,
    RejoinTooSoonError,
    TopicLockedError,
)
from chatd.domain.rooms import Room
from chatd.domain.state import ChatState
from chatd.domain.users import User
from chatd.text import fold


def check_admitted(state: ChatState, nick: str, address: str, now: float) -> None:
    """Raise if ``address`` or ``nick`` is banned (an address ban first: it ends the connection)."""
    check_address(state, address, now)
    check_nickname_allowed(state, nick, now)


def check_address(state: ChatState, address: str, now: float) -> None:
    """Raise BannedError if ``address`` (as ``address_key`` gives it) is banned."""
    ban = state.bans.find(True, address, now)
    if ban is not None:
        raise BannedError(left(ban.until, now))


def check_nickname_allowed(state: ChatState, nick: str, now: float) -> None:
    """Raise if ``nick`` is banned."""
    ban = state.bans.find(False, fold(nick), now)
    if ban is not None:
        raise NicknameBannedError(nick, left(ban.until, now))


def check_voice(state: ChatState, user: User, now: float) -> None:
    """Raise if ``user``'s nickname is muted."""
    # Most of the time nobody is muted: this runs for every line said, so no fold then.
    mute = state.mutes.get(fold(user.nick)) if state.mutes else None
    if mute is not None and mute.until > now:
        raise MutedError(left(mute.until, now))


def check_rejoin(user: User, room: str, now: float) -> None:
    """Raise if ``user`` was kicked from room ``room`` and may not join it yet."""
    until = user.kicked_from.get(fold(room), now)
    if until > now:
        raise RejoinTooSoonError(room, until - now)


def check_topic_settable(user: User, room: Room) -> None:
    """Raise if the topic of ``room`` is locked and ``user`` neither owns it nor is an operator (or a room operator)."""
    if not room.topic_locked or user.operator or room.owner is user:
        return
    if room.registration is None or not room.registration.moderates(user.account):
        raise TopicLockedError(room.name)


def check_reader(user: User, name: str, count: int, most: int) -> Room:
    """The room ``name`` whose history ``user`` may read ``count`` lines of, up to ``most`` at once.

    Only members read a room's history: what was said there is theirs, and
    joining is how anyone becomes one (so leaving and the kick's wait keep
    someone out of it too). Raises NotMemberError or LineCountError.
    """
    room = check_member(user, name)
    if not 1 <= count <= most:
        raise LineCountError(count, most)
    return room


def check_member(user: User, name: str) -> Room:
    """The room ``name`` if ``user`` is in it, whose history they may read or search; else NotMemberError."""
    room = user.rooms.get(fold(name))
    if room is None:
        raise NotMemberError(name)
    return room


def require_operator(user: User) -> None:
    """Raise unless ``user`` is an operator."""
    if not user.operator:
        raise NotOperatorError()


def require_authority(user: User, room: Room) -> None:
    """Raise unless ``user`` owns ``room`` or is an operator; nobody owns a server's room.

    A registered room's owner and room operators are accounts: whoever is
    identified to one of them has authority there, and its maker no more.
    """
    if user.operator:
        return
    if room.registration is not None:
        if not room.registration.moderates(user.account):
            raise NotOwnerError(room.name)
        return
    if room.owner is None:
        raise NotOperatorError()
    if room.owner is not user:
        raise NotOwnerError(room.name)


def left(until: float | None, now: float) -> float | None:
    """Seconds until ``until``; None for what lasts until lifted."""
    return None if until is None or until == math.inf else until - now
