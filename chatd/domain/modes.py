"""A room's settings and its members' standing: changed by its authority, one event a request; and invites.

The settings (invite-only, a key, a member limit, moderated, secret,
registered users only to join or to speak, ban masks) and standing (operators, voice) are what IRC calls channel modes,
in words every front end shares (``Setting``); an IRC front end maps its
letters onto them, the line front end its ``/mode``. ``change_room``
checks a whole request first and changes all of it or nothing; what would
change nothing is dropped, and what is left is one ``RoomModesChanged``.
An invite (``Invited``) lets its target join past invite-only once. As
elsewhere, these check and publish; the state applies (chatd.domain.state).
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from chatd.domain import rules
from chatd.domain.errors import (
    InvalidRoomKeyError,
    InvalidRoomLimitError,
    NotInRoomError,
    TooManyRoomBansError,
    UserInRoomError,
    UserNotInRoomError,
)
from chatd.domain.events import Invited, ModeChange, RoomModesChanged, Setting
from chatd.domain.masks import parse_mask
from chatd.domain.ports import UserView
from chatd.domain.publish import Publisher
from chatd.domain.replies import RoomBanList, RoomModes, Standing
from chatd.domain.room_settings import FLAGS
from chatd.domain.rooms import Room
from chatd.domain.state import ChatState
from chatd.domain.users import User, own
from chatd.text import UNSAFE, fold, whole_number

KEY_MAX = 23
"""The longest room key, in code points: IRC's common limit, so a key set on one front end works on all."""

LIMIT_MOST = 100_000
"""The largest member limit a room may be given."""

ROOM_BANS_MOST = 100
"""The most ban masks one room keeps: each is matched at every join, so the list stays short."""

Slot = tuple[Setting, str]
"""What one change sets: its setting, and for standing or a mask whose (a nickname's or a mask's key)."""

KeepSettings = Callable[[User, Room, tuple[ModeChange, ...], float], Awaitable[None] | None]
"""``Registry.keep_settings``: keeps what changes by a user at a time make of a registered or server's room's settings."""


@dataclass(frozen=True, slots=True)
class RoomChange:
    """What ``Modes.change_room`` changed (empty: nothing), and, for a registered or server's room whose settings it changed,
    what fires once the store keeps them (failing with RoomNotKeptError once they are undone); else None."""

    changes: tuple[ModeChange, ...]
    kept: Awaitable[None] | None = None


def check_key(text: str) -> str:
    """``text`` as a room's key; raises InvalidRoomKeyError.

    1 to ``KEY_MAX`` characters, with no space, comma or control character:
    a key is one word on every front end's command line (IRC's JOIN takes
    keys separated by commas). Compared exactly, as typed.
    """
    if (
        not 1 <= len(text) <= KEY_MAX
        or UNSAFE.search(text)
        or any(char.isspace() or char == "," for char in text)
    ):
        raise InvalidRoomKeyError(text, KEY_MAX)
    return text


def check_limit(text: str) -> int:
    """``text`` as a member limit, a whole number from 1 to ``LIMIT_MOST``; raises InvalidRoomLimitError."""
    limit = whole_number(text)
    if limit is None or not 1 <= limit <= LIMIT_MOST:
        raise InvalidRoomLimitError(text, LIMIT_MOST)
    return limit


@dataclass(slots=True)
class _Draft:
    """A request's changes as checked so far: each against the room as the earlier ones leave it."""

    room: Room
    changes: list[ModeChange] = field(default_factory=list)
    now: dict[Slot, object] = field(default_factory=dict)
    """What each slot a change of this request set holds after it, ahead of the room itself."""

    def add(self, change: ModeChange, slot: Slot, value: object) -> None:
        """Keep ``change``, which sets ``slot`` to ``value``, unless that is what it holds already."""
        if self.now.get(slot, _current(self.room, slot)) == value:
            return
        if slot[0] is Setting.BAN and value and self._masks() >= ROOM_BANS_MOST:
            raise TooManyRoomBansError(self.room.name, ROOM_BANS_MOST)
        self.now[slot] = value
        self.changes.append(change)

    def _masks(self) -> int:
        """How many ban masks the room will have after the changes kept so far."""
        count = len(self.room.masks)
        for (setting, key), value in self.now.items():
            if setting is Setting.BAN:
                count += bool(value) - (key in self.room.masks)
        return count


def _current(room: Room, slot: Slot) -> object:
    """What ``slot`` of ``room`` holds now."""
    setting, key = slot
    match setting:
        case Setting.KEY:
            return room.settings.key
        case Setting.LIMIT:
            return room.settings.limit
        case Setting.OPERATOR:
            return room.members[key] in room.operators
        case Setting.VOICE:
            return room.members[key] in room.voiced
        case Setting.BAN:
            return key in room.masks
        case _:
            # A flag (FLAGS): the RoomSettings field its value names.
            return getattr(room.settings, setting.value)


class Modes:
    """Requests on a room's settings and standing, and invites; each checks who asks first."""

    def __init__(
        self, state: ChatState, seam: Publisher, now: Callable[[], float], keep: KeepSettings
    ) -> None:
        self._state = state
        self._seam = seam
        self._now = now
        self._keep = keep

    def change_room(self, view: UserView, name: str, changes: Sequence[ModeChange]) -> RoomChange:
        """Make ``changes`` to room ``name``, in order, all or none; the asker must have authority there.

        Each change is checked against the room as the ones before it leave
        it (raising InvalidRoomKeyError, InvalidRoomLimitError,
        InvalidMaskError, NoSuchNicknameError, UserNotInRoomError,
        TooManyRoomBansError, or for a ``-o`` of someone who outranks the
        asker TargetIsOperatorError, TargetIsOwnerError or
        TargetIsRoomOperatorError, and nothing changes); one that changes nothing
        is dropped, and what is left is published as one ``RoomModesChanged``
        to the room's members and the asker. Returns what changed: empty
        if nothing did, and then nothing is published; a registered or server's
        room's settings changed are kept (``RoomChange.kept``).

        A key or a limit turned off, and a flag either way, carry no
        argument; a nickname becomes the member's as they show it, a mask
        its full form (chatd.domain.masks.parse_mask), or as the room keeps
        it when lifted.
        """
        by = own(view)
        room = self._state.rooms.find(name)
        rules.require_authority(by, room)
        draft = _Draft(room)
        for change in changes:
            draft.add(*self._checked(by, room, change))
        if not draft.changes:
            return RoomChange(())
        id, at = self._seam.stamp()
        made = tuple(draft.changes)
        kept = self._keep(by, room, made, at)
        event = RoomModesChanged(id=id, at=at, actor=by.actor, room=room.name, seq=room.seq + 1, changes=made)
        self._seam.publish(event, _room_and(by, room))
        return RoomChange(made, kept)

    def _checked(self, by: User, room: Room, change: ModeChange) -> tuple[ModeChange, Slot, object]:
        """``change`` by ``by`` in its normal form, the slot it sets and to what; raises if it cannot be made.

        Taking someone else's operator standing (``-o``) asks what a kick
        does (``rules.check_outranks``): a ``+o`` cannot deop the room's
        owner nor a registered room's operator by account.
        """
        setting, on = change.setting, change.on
        if setting in FLAGS:
            return ModeChange(setting, on), (setting, ""), on
        if setting is Setting.KEY:
            key = check_key(change.argument) if on else ""
            return ModeChange(setting, on, key), (setting, ""), key
        if setting is Setting.LIMIT:
            limit = check_limit(change.argument) if on else 0
            return ModeChange(setting, on, str(limit) if on else ""), (setting, ""), limit
        if setting is Setting.BAN:
            mask = parse_mask(change.argument)
            kept = room.masks.get(mask.key)
            shown = kept.text if kept is not None and not on else mask.text
            return ModeChange(setting, on, shown), (setting, mask.key), on
        target = self._state.users.find(change.argument)
        key = fold(target.nick)
        if key not in room.members:
            raise UserNotInRoomError(target.nick, room.name)
        if setting is Setting.OPERATOR and not on and target is not by:
            rules.check_outranks(by, target, room, deop=True)
        return ModeChange(setting, on, target.nick), (setting, key), on

    def invite(self, view: UserView, name: str, nick: str) -> None:
        """Invite ``nick`` to room ``name``, which the asker is in: they may then join it past invite-only, once.

        In an invite-only room only those with authority invite. The one
        invited must be online and not in the room (UserInRoomError); a
        muted asker invites nobody. The ``Invited`` event goes to the one
        invited, the asker and the room's operators.
        """
        by = own(view)
        rules.check_voice(self._state, by, self._now())
        room = self._state.rooms.membership(by, name)
        if room.settings.invite_only:
            rules.require_authority(by, room)
        target = self._state.users.find(nick)
        if fold(target.nick) in room.members:
            raise UserInRoomError(target.nick, room.name)
        id, at = self._seam.stamp()
        event = Invited(id=id, at=at, actor=by.actor, room=room.name, seq=room.seq + 1, nick=target.nick)
        self._seam.publish(event, {by, target, *room.operators})

    def room_modes(self, name: str, asker: UserView | None = None) -> RoomModes:
        """The settings of room ``name``: its key only to ``asker`` in it or with authority there.

        A room that outlives its members shows, while it has none, what a join would make it again with.
        """
        room = self._state.rooms.seen(name)
        shows_key = asker is not None and (
            fold(asker.nick) in room.members or rules.has_authority(own(asker), room)
        )
        settings = room.settings
        return RoomModes(
            room.name,
            settings.invite_only,
            bool(settings.key),
            settings.key if shows_key else "",
            settings.limit,
            settings.moderated,
            settings.secret,
            room.topic_locked,
            settings.registered_only,
            settings.registered_speech,
        )

    def standing(self, name: str, nick: str) -> Standing:
        """Whether ``nick``, a member of room ``name``, is one of its operators and has voice there.

        Two set look-ups: a front end may ask after each join (a room's maker, or
        a registered room's owner or operator, is an operator from joining).
        Raises NoSuchRoomError, NoSuchNicknameError or UserNotInRoomError.
        """
        room = self._state.rooms.find(name)
        user = self._state.users.find(nick)
        if room.members.get(fold(user.nick)) is not user:
            raise UserNotInRoomError(user.nick, room.name)
        return Standing(room.name, user.nick, user in room.operators, user in room.voiced)

    def room_bans(self, view: UserView, name: str) -> RoomBanList:
        """The ban masks of room ``name``, oldest first; for its members and those with authority there
        (NotInRoomError)."""
        by = own(view)
        room = self._state.rooms.seen(name)
        if fold(by.nick) not in room.members and not rules.has_authority(by, room):
            raise NotInRoomError(room.name)
        return RoomBanList(room.name, room.settings.bans)


def _room_and(user: User, room: Room) -> list[User]:
    """The members of ``room``, and ``user`` once whether or not a member."""
    members = list(room.members.values())
    return members if fold(user.nick) in room.members else [*members, user]
