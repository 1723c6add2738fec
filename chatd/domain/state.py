"""The chat's state and the one way it changes: applying an event.

``ChatState`` holds the users, rooms, bans, mutes and kicks' waits. ``apply`` changes them by
one event, and nothing else changes them: so the state is what the events
say, and a store or a bus that keeps or carries the events keeps or carries
the state. Events that change nothing here (what was said, private
messages, walls) apply as nothing. Sessions are not state: which
connections a user has is the daemon's own business (chatd.domain.users).
"""

import math
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from chatd.domain.bans import Bans, BanTarget, nickname_key, target_key
from chatd.domain.events import (
    AccountDropped,
    AccountNotDropped,
    AccountNotKept,
    AccountRegistered,
    Acted,
    AddressChanged,
    AwayChanged,
    BanAdded,
    BanLifted,
    Banned,
    Event,
    Identified,
    Invited,
    Joined,
    Kicked,
    Killed,
    Muted,
    NickChanged,
    OperatorGranted,
    Parted,
    Quit,
    Registered,
    RoomEvent,
    RoomModesChanged,
    RoomOperatorAdded,
    RoomOperatorRemoved,
    RoomRegistered,
    RoomRegistrationNotKept,
    RoomUnregistered,
    Said,
    Setting,
    TopicChanged,
    TopicLocked,
    Unmuted,
)
from chatd.domain.kicks import KickWaits
from chatd.domain.replies import Ban, Departed
from chatd.domain.room_settings import STANDING
from chatd.domain.rooms import Registration, Room, Rooms, topic_set
from chatd.domain.users import INVITES_KEPT, User, Users
from chatd.text import fold

DEPARTED_KEPT = 500
"""Nicknames kept after they stopped being used, for WHOWAS: a few hours of a busy chat, a few KiB."""


@dataclass(frozen=True, slots=True)
class Mute:
    """A mute on a nickname: ``nick`` as the mute named it, and when it ends (``math.inf``: when lifted)."""

    nick: str
    until: float


class ChatState:
    """Users with unique nicknames, rooms made on first join, bans, and mutes.

    ``server_rooms`` names the rooms nobody owns (chatd.domain.rooms).
    """

    def __init__(self, server_rooms: Iterable[str] = ()) -> None:
        self.users = Users()
        self.rooms = Rooms(server_rooms)
        self.bans = Bans()
        self.departed: deque[Departed] = deque(maxlen=DEPARTED_KEPT)
        """The nicknames that stopped being used, newest first: IRC's WHOWAS reads them."""
        self.kicks = KickWaits()
        """The waits kicks left, by person: a reload or another front end is the same person coming back."""
        self.mutes: dict[str, Mute] = {}
        """Mutes by nickname (``nickname_key``), online or not: a mute follows the nickname, not the connection
        (issue 13), so whoever comes back under it, or a restart, finds it still running."""

    def apply(self, event: Event) -> None:
        """Change the state by ``event``, which the chat has checked can be applied."""
        change = _APPLY.get(type(event))
        if change is not None:
            change(self, event)

    def user(self, nick: str) -> User:
        """The user online as exactly ``nick`` (an event's snapshot names them so)."""
        return self.users.by_key[fold(nick)]

    def room(self, event: RoomEvent) -> Room:
        """The room of ``event``, its sequence moved on to the event's."""
        room = self.rooms.by_key[fold(event.room)]
        room.seq = event.seq
        return room

    def take_offline(self, user: User) -> None:
        """Take ``user`` out of every room, then offline."""
        for room in list(user.rooms.values()):
            self.rooms.leave(user, room)
        self.users.remove(user)


def _registered(state: ChatState, event: Registered) -> None:
    state.users.add(User(event.actor.nick, event.actor.address, event.actor.account, named_at=event.at))


def _identified(state: ChatState, event: AccountRegistered | Identified | AccountNotDropped) -> None:
    state.users.identify(state.user(event.actor.nick), event.account)


def _account_dropped(state: ChatState, event: AccountDropped | AccountNotKept) -> None:
    # By the account, not the actor's nickname: an operator may give up an account nobody is online as.
    user = state.users.by_account.get(event.account)
    if user is not None:
        state.users.identify(user, None)


def _joined(state: ChatState, event: Joined) -> None:
    state.rooms.enter(state.user(event.actor.nick), event.room, event.seq, event.room_operator)


def _parted(state: ChatState, event: Parted) -> None:
    state.rooms.leave(state.user(event.actor.nick), state.room(event))


def _kicked(state: ChatState, event: Kicked) -> None:
    user = state.user(event.nick)
    state.rooms.leave(user, state.room(event))
    # Kicks past their time are dropped here, so a user keeps only those of the last minute or so.
    user.kicked_from = {key: until for key, until in user.kicked_from.items() if until > event.at}
    user.kicked_from[fold(event.room)] = event.until
    state.kicks.hold(fold(event.room), event.person, event.until, event.at)


def _topic_changed(state: ChatState, event: TopicChanged) -> None:
    room = state.room(event)
    room.topic, room.topic_by, room.topic_at = topic_set(event)


def _topic_locked(state: ChatState, event: TopicLocked) -> None:
    state.room(event).topic_locked = event.locked


def _quit(state: ChatState, event: Quit) -> None:
    state.take_offline(state.user(event.actor.nick))
    state.departed.appendleft(Departed(event.actor.nick, event.at))


def _taken_off(state: ChatState, event: Banned | Killed) -> None:
    state.take_offline(state.user(event.nick))
    state.departed.appendleft(Departed(event.nick, event.at))


def _nick_changed(state: ChatState, event: NickChanged) -> None:
    state.departed.appendleft(Departed(event.actor.nick, event.at))
    user = state.user(event.actor.nick)
    if fold(event.new) != fold(user.nick):
        user.named_at = event.at
    state.users.rename(user, event.new)
    for room in user.rooms.values():
        if room.masks:
            room.recheck_ban(user)


def _away_changed(state: ChatState, event: AwayChanged) -> None:
    state.user(event.actor.nick).away = event.text


def _address_changed(state: ChatState, event: AddressChanged) -> None:
    user = state.user(event.actor.nick)
    user.moved(event.address)
    # A room's ban mask may name the old address, or the new one.
    for room in user.rooms.values():
        if room.masks:
            room.recheck_ban(user)


def _operator_granted(state: ChatState, event: OperatorGranted) -> None:
    state.users.make_operator(state.user(event.actor.nick))


def _muted(state: ChatState, event: Muted) -> None:
    state.mutes[nickname_key(event.nick)] = Mute(event.nick, math.inf if event.until is None else event.until)


def _unmuted(state: ChatState, event: Unmuted) -> None:
    state.mutes.pop(nickname_key(event.nick), None)


def _ban_added(state: ChatState, event: BanAdded) -> None:
    target = BanTarget(event.address, target_key(event.address, event.target), event.target)
    state.bans.add(target, Ban(event.target, event.until, event.actor.nick))


def _ban_lifted(state: ChatState, event: BanLifted) -> None:
    state.bans.remove(event.address, target_key(event.address, event.target))


def _in_room(state: ChatState, event: RoomEvent) -> None:
    state.room(event)


def _moved_on(state: ChatState, event: RoomEvent) -> None:
    """Move the room's sequence on to ``event``'s, if anyone is in it: a registered room may be empty."""
    room = state.rooms.by_key.get(fold(event.room))
    if room is not None:
        room.seq = event.seq


def _room_registered(state: ChatState, event: RoomRegistered) -> None:
    _moved_on(state, event)
    state.rooms.register(fold(event.room), Registration(event.room, event.account))


def _room_unregistered(state: ChatState, event: RoomUnregistered) -> None:
    _moved_on(state, event)
    state.rooms.register(fold(event.room), None)
    state.rooms.disown(fold(event.room))


def _room_operator_added(state: ChatState, event: RoomOperatorAdded) -> None:
    _moved_on(state, event)
    state.rooms.registered[fold(event.room)].operators.add(event.account)
    if event.member:
        state.room(event).operators.add(state.user(event.nick))


def _room_operator_removed(state: ChatState, event: RoomOperatorRemoved) -> None:
    _moved_on(state, event)
    state.rooms.registered[fold(event.room)].operators.discard(event.account)
    if event.member:
        state.room(event).operators.discard(state.user(event.nick))


def _room_registration_not_kept(state: ChatState, event: RoomRegistrationNotKept) -> None:
    """The registration as kept again; the members it names get or lose the standing, as /op and /deop give it.

    The room's maker, if it has one, owns it again: registering only put
    its registration before the maker (chatd.domain.rules)."""
    key = fold(event.room)
    registration = (
        None if event.owner is None else Registration(event.room, event.owner, set(event.operators))
    )
    state.rooms.register(key, registration)
    room = state.rooms.by_key.get(key)
    if room is not None:
        room.operators.update(state.user(nick) for nick in event.given)
        room.operators.difference_update(state.user(nick) for nick in event.taken)


def _room_modes_changed(state: ChatState, event: RoomModesChanged) -> None:
    key = fold(event.room)
    settings = state.rooms.settings(key).changed(event.changes, event.actor.nick, event.at, event.restored)
    if key not in state.rooms.by_key:
        # Only the chat's own putting back of a registered or server's room's settings the store could not keep
        # (chatd.domain.registry) changes a room nobody is in: what it keeps for when it is made again.
        state.rooms.keep_settings(key, settings)
        return
    room = state.room(event)
    state.rooms.settle(room, settings)
    for change in event.changes:
        if change.setting in STANDING:
            holders = room.operators if change.setting is Setting.OPERATOR else room.voiced
            user = state.user(change.argument)
            if change.on:
                holders.add(user)
            else:
                holders.discard(user)


def _invited(state: ChatState, event: Invited) -> None:
    state.room(event)
    invited = state.user(event.nick).invited
    invited.pop(fold(event.room), None)
    invited[fold(event.room)] = event.at
    if len(invited) > INVITES_KEPT:
        del invited[next(iter(invited))]


_APPLY: dict[type, Callable[[ChatState, Any], None]] = {
    Registered: _registered,
    Joined: _joined,
    Parted: _parted,
    Kicked: _kicked,
    TopicChanged: _topic_changed,
    TopicLocked: _topic_locked,
    Quit: _quit,
    Banned: _taken_off,
    Killed: _taken_off,
    NickChanged: _nick_changed,
    AwayChanged: _away_changed,
    AddressChanged: _address_changed,
    OperatorGranted: _operator_granted,
    Muted: _muted,
    Unmuted: _unmuted,
    BanAdded: _ban_added,
    BanLifted: _ban_lifted,
    Said: _in_room,
    Acted: _in_room,
    AccountRegistered: _identified,
    Identified: _identified,
    AccountDropped: _account_dropped,
    AccountNotKept: _account_dropped,
    AccountNotDropped: _identified,
    RoomRegistered: _room_registered,
    RoomUnregistered: _room_unregistered,
    RoomOperatorAdded: _room_operator_added,
    RoomOperatorRemoved: _room_operator_removed,
    RoomRegistrationNotKept: _room_registration_not_kept,
    RoomModesChanged: _room_modes_changed,
    Invited: _invited,
}
"""How each kind of event changes the state; what is said in a room only moves its sequence on."""
