"""The checks talk and moderation share: who is admitted, who may join or speak in a room, who may set a
topic, who may read history, who has authority in a room.

Each reads the state at the injected time ``now`` and raises a ChatError;
none changes anything (a mute or ban past its time is simply not in force
until its own event drops it).
"""

import math

from chatd.domain.bans import nickname_key
from chatd.domain.errors import (
    BannedError,
    BannedFromRoomError,
    InviteOnlyError,
    LineCountError,
    ModeratedError,
    MutedError,
    NicknameBannedError,
    NotMemberError,
    NotOperatorError,
    NotOwnerError,
    RegisteredOnlyError,
    RegisteredSpeechError,
    RejoinTooSoonError,
    RoomFullError,
    RoomKeyError,
    TargetIsOperatorError,
    TargetIsOwnerError,
    TargetIsRoomOperatorError,
    TopicLockedError,
)
from chatd.domain.people import waiting_keys
from chatd.domain.rooms import Room
from chatd.domain.state import ChatState
from chatd.domain.users import User
from chatd.text import fold


def check_admitted(state: ChatState, nick: str, address: str, now: float) -> None:
    """Raise if ``address`` or ``nick`` is banned (an address ban first: it ends the connection)."""
    check_address(state, address, now)
    check_nickname_allowed(state, nick, now)


def check_address(state: ChatState, address: str, now: float) -> None:
    """Raise BannedError if ``address`` (as ``address_key`` gives it), or a network holding it, is banned."""
    ban = state.bans.covering(address, now)
    if ban is not None:
        raise BannedError(left(ban.until, now))


def check_nickname_allowed(state: ChatState, nick: str, now: float) -> None:
    """Raise if ``nick``, or a nickname it looks like, is banned."""
    ban = state.bans.find(False, nickname_key(nick), now)
    if ban is not None:
        raise NicknameBannedError(nick, left(ban.until, now))


def check_voice(state: ChatState, user: User, now: float) -> None:
    """Raise if ``user``'s nickname is muted."""
    # This runs for every line said: the key of a mute on the nickname (nickname_key) is its look, which the
    # user keeps; most of the time nobody is muted, and it is not even looked up.
    mute = state.mutes.get(user.look) if state.mutes else None
    if mute is not None and mute.until > now:
        raise MutedError(left(mute.until, now))


def check_rejoin(state: ChatState, user: User, room: str, now: float) -> None:
    """Raise if ``user`` was kicked from room ``room`` and may not join it yet: as this user (under any of
    its nicknames), or as the person they are (chatd.domain.kicks), on any connection."""
    key = fold(room)
    until = user.kicked_from.get(key, now)
    if state.kicks:
        until = max(until, state.kicks.ends(key, waiting_keys(user.actor), now))
    if until > now:
        raise RejoinTooSoonError(room, until - now)


def check_topic_settable(user: User, room: Room) -> None:
    """Raise if the topic of ``room`` is locked and ``user`` has no authority there (``has_authority``)."""
    if room.topic_locked and not has_authority(user, room):
        raise TopicLockedError(room.name, owned=room.registration is not None or room.owner is not None)


def check_entry(user: User, room: Room, key: str) -> None:
    """Raise if ``user`` may not join ``room`` (which exists), giving ``key``.

    In turn: a ban mask covers them, it is invite-only and they hold no
    invite to it, it lets only registered users in and they are identified
    to no account, ``key`` is not its key, it is full. Whoever has authority
    in the room passes them all, so nobody is locked out of a room they
    moderate.
    """
    if has_authority(user, room):
        return
    settings = room.settings
    if room.masks and room.ban_covers(user):
        raise BannedFromRoomError(room.name)
    if settings.invite_only and fold(room.name) not in user.invited:
        raise InviteOnlyError(room.name)
    if settings.registered_only and user.account is None:
        raise RegisteredOnlyError(room.name)
    if settings.key and key != settings.key:
        raise RoomKeyError(room.name)
    if settings.limit and len(room.members) >= settings.limit:
        raise RoomFullError(room.name, settings.limit)


def check_speech(user: User, room: Room) -> None:
    """Raise if ``user``, a member, may not speak in ``room``: a ban mask covers them, it is moderated
    and they have neither voice nor authority there, or it lets only registered users speak and they are
    identified to no account and have neither voice nor authority there.

    This runs for every line said: while a room has no masks and neither
    setting is on it is four attribute reads.
    """
    if room.banned and user in room.banned and not has_authority(user, room):
        raise BannedFromRoomError(room.name)
    settings = room.settings
    if settings.moderated and user not in room.voiced and not has_authority(user, room):
        raise ModeratedError(room.name)
    if (
        settings.registered_speech
        and user.account is None
        and user not in room.voiced
        and not has_authority(user, room)
    ):
        raise RegisteredSpeechError(room.name)


def check_offering(state: ChatState, user: User, room: Room, now: float) -> None:
    """Raise if ``user`` may not offer ``room`` a file now, in it or not: a room's offer outlives its sender's stay
    there and reaches whoever joins for days (chatd.frontend.late_joiners), so each late joiner is offered it only
    while its sender may still say it there, as a new offer would be refused.

    The refusals of ``check_voice`` and ``check_speech``, with a ban mask matched here for one not in the room
    (``Room.banned`` holds members alone); one not in it holds no voice there.
    """
    check_voice(state, user, now)
    if (
        room.masks
        and room.members.get(fold(user.nick)) is not user
        and room.ban_covers(user)
        and not has_authority(user, room)
    ):
        raise BannedFromRoomError(room.name)
    check_speech(user, room)


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


def has_authority(user: User, room: Room) -> bool:
    """Whether ``user`` may moderate ``room``: an operator, one of its operators, its owner, or (registered)
    identified to its owner's or a room operator's account. Every test is a look-up."""
    if user.operator or user in room.operators:
        return True
    if room.registration is not None:
        return room.registration.moderates(user.account)
    return room.owner is user


def require_authority(user: User, room: Room) -> None:
    """Raise unless ``user`` has authority in ``room`` (``has_authority``).

    NotOperatorError in a server's room (nobody owns it, so only operators
    and its room operators moderate it), NotOwnerError elsewhere.
    """
    if user in room.operators:
        return
    require_owner(user, room)


def owns(user: User, room: Room) -> bool:
    """Whether ``user`` owns ``room``: identified to its registered owner's account, or, unregistered, made it."""
    if room.registration is not None:
        return user.account is not None and user.account == room.registration.owner
    return room.owner is user


def appointed(user: User, room: Room) -> bool:
    """Whether ``user`` is identified to an account ``room``'s registration names: its owner or a room operator
    by account. Such a say outranks operator standing (``+o``), which they may have given."""
    return room.registration is not None and room.registration.moderates(user.account)


def check_outranks(by: User, target: User, room: Room, *, deop: bool = False) -> None:
    """Raise unless ``by``, who has authority in ``room``, outranks ``target`` there or is their peer, so may
    kick them from it or (``deop``) take their operator standing.

    Highest first: operators, the room's owner, a registered room's
    operators by account, then members with operator standing (``+o``)
    alone. TargetIsOperatorError for an operator (by anyone else),
    TargetIsOwnerError for the owner and TargetIsRoomOperatorError for a
    room operator by account (by someone below them). Kick and ``-o`` ask
    alike, so a ``+o`` cannot take what the owner gave by account.
    """
    if by.operator:
        return
    if target.operator:
        raise TargetIsOperatorError(target.nick)
    if owns(target, room):
        # A room operator the owner made (+o, /op) cannot put them out of their own room, nor deop them.
        raise TargetIsOwnerError(target.nick, room.name, deop)
    if appointed(target, room) and not appointed(by, room):
        # Nor may a +o act on a room operator the registration names, whose say there outlasts theirs.
        raise TargetIsRoomOperatorError(target.nick, room.name, deop)


def require_owner(user: User, room: Room) -> None:
    """Raise unless ``user`` owns ``room`` or is an operator; nobody owns a server's room.

    A registered room's owner and room operators are accounts: whoever is
    identified to one of them has authority there, and its maker no more.
    Operator standing in the live room is not enough: registering a room
    (chatd.domain.registry) takes this.
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
