"""The rooms: each by folded name, with its members in join order and its sequence.

A room exists while it has members, bar what a room that outlives its
members keeps while it has none: the server's rooms and registered ones
keep their topic (with who set it and when) and its lock, here while the daemon runs and, from
the store's kept events (``Rooms.recall``), across a restart. Its sequence
numbers (``seq``) go on from where its history left off when it is made
again, so a room's events
are numbered 1, 2, 3, ... over its whole life. Whoever makes a room owns
it, bar the server's rooms (the default room everyone enters): those
belong to the server, and only operators moderate them (issue 12). A
registered room (``Registration``, issue 13) is owned by an account, not
by whoever made it: its owner and the room operators it names moderate it
whenever they are identified, across restarts.

A live room also has settings and standing (issue 15): invite-only, a key,
a member limit, moderated, secret, registered users only (to join, or to
speak), ban masks (chatd.domain.masks; the settings are
chatd.domain.room_settings), and its operators and voiced members, by
user. They live in memory while the room has members, and are gone with it, bar the settings (``RoomSettings``:
all but the standing) of a room that outlives its members, a registered
room's, which its owner wants to stay as set, and a server's room's, which
its host does (a class's ``+m`` is there the next morning): kept while it
is empty and, by the ``RoomStore``, across a restart.
A ``/mode`` changes them one way wherever they are: ``RoomSettings.changed``
makes the new value, which replaces the live room's (``Rooms.settle``), an
empty room's kept one, or a store's row.
Its maker is one of its operators from the join that makes it, as is
whoever joins with authority there by ownership or by a registration's
account; standing goes when its holder leaves the room. No two
rooms look alike (``chatd.domain.names.look``), so ``#dev`` with a Cyrillic
e (U+0435) cannot draw people away from ``#dev``.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chatd.domain.errors import NoSuchRoomError, NotInRoomError, RoomLookAlikeError
from chatd.domain.events import TopicChanged, TopicLocked
from chatd.domain.listing import SortedKeys
from chatd.domain.masks import Mask, parse_mask
from chatd.domain.names import look
from chatd.domain.room_settings import NO_SETTINGS, RoomSettings
from chatd.text import fold

if TYPE_CHECKING:
    from chatd.domain.ports import Session
    from chatd.domain.users import User


@dataclass(eq=False, slots=True)
class Room:
    """A room and its members by folded nickname; front ends see it as a ``RoomView``."""

    name: str
    seq: int
    """The sequence number of the room's last event."""
    members: dict[str, "User"] = field(default_factory=dict)
    topic: str = ""
    topic_by: str = ""
    """The nickname that set ``topic``, as it was then; empty when there is no topic."""
    topic_at: float = 0.0
    """When ``topic`` was set (seconds since the epoch); 0.0 when there is no topic."""
    owner: "User | None" = None
    """Whoever made the room (it is not handed on); None for a server's room, which nobody owns, and once
    the room was unregistered. While the room is registered its registration decides instead."""
    topic_locked: bool = False
    """Only the owner and operators may set the topic while it is locked."""
    registration: "Registration | None" = None
    """Who owns the room and who are its operators, by account, if it is registered."""
    settings: RoomSettings = NO_SETTINGS
    """What the room is set to: never edited, replaced whole (``Rooms.settle``) by what ``RoomSettings.changed``
    makes of it, the function a store applies a ``/mode`` by too."""
    masks: dict[str, Mask] = field(default_factory=dict)
    """The ban masks of ``settings`` parsed, by their key (``Mask.key``): kept with them by ``Rooms.settle``."""
    operators: "set[User]" = field(default_factory=set)
    """Members with operator standing here, who have authority in the room as its owner has."""
    voiced: "set[User]" = field(default_factory=set)
    """Members with voice, who speak while the room is moderated."""
    banned: "set[User]" = field(default_factory=set)
    """The members a ban mask covers (so a line said looks up one set, not every mask); kept by the state."""
    sessions: "list[Session] | None" = None
    """The members' sessions in join order, made by the first line said (``Publisher.publish_in``) and kept
    until someone joins or leaves or a member's sessions change: listing them was 8% of the daemon's time at
    a million deliveries a second (issue 15). Read only while no user online holds several sessions."""

    def ban_covers(self, user: "User") -> bool:
        """Whether one of the room's ban masks covers ``user``, by nickname and address."""
        key = fold(user.nick)
        return any(mask.matches(key, user.look, user.address) for mask in self.masks.values())

    def recheck_ban(self, user: "User") -> None:
        """Note whether the masks cover ``user``, a member, after their nickname or the masks changed."""
        if self.masks and self.ban_covers(user):
            self.banned.add(user)
        else:
            self.banned.discard(user)

    def masks_changed(self) -> None:
        """Parse the masks of ``settings`` into ``masks`` after they changed, and note whom they cover now.

        Who a mask covers is worked out here, once, not at every line said:
        a new mask is matched against each member (one match each), and a
        lifted one sends only those it may have covered back to the rest. A
        mask kept is not parsed again.
        """
        had = self.masks
        parsed = {mask.text: mask for mask in had.values()}
        self.masks = {}
        for ban in self.settings.bans:
            mask = parsed.get(ban.mask) or parse_mask(ban.mask)
            self.masks[mask.key] = mask
        if any(key not in self.masks for key in had):
            for member in list(self.banned):
                self.recheck_ban(member)
        for key, mask in self.masks.items():
            if key not in had:
                self.banned.update(m for k, m in self.members.items() if mask.matches(k, m.look, m.address))


def topic_set(event: TopicChanged) -> tuple[str, str, float]:
    """The topic ``event`` sets, who set it and when; a cleared topic was set by nobody, at 0.0."""
    if not event.topic:
        return "", "", 0.0
    return event.topic, event.actor.nick, event.at


@dataclass(slots=True)
class Registration:
    """A registered room's name as registered, its owner and room operators (accounts: folded nicknames)."""

    name: str
    owner: str
    operators: set[str] = field(default_factory=set)

    def moderates(self, account: str | None) -> bool:
        """Whether ``account`` is the room's owner or one of its operators."""
        return account is not None and (account == self.owner or account in self.operators)


@dataclass(frozen=True, slots=True)
class RegisteredRoom:
    """A registered room as a store keeps it: its name as registered, owner, operators and settings."""

    name: str
    owner: str
    operators: frozenset[str] = frozenset()
    settings: RoomSettings = NO_SETTINGS


@dataclass(slots=True)
class Kept:
    """What a room that outlives its members keeps while it has none, for when it is made again.

    The topic with who set it and when (as ``Room`` holds them), its lock,
    and its settings.
    """

    topic: str = ""
    topic_locked: bool = False
    topic_by: str = ""
    topic_at: float = 0.0
    settings: RoomSettings = NO_SETTINGS


class Rooms:
    """Every room by folded name, and their keys in order for listings.

    ``server`` names the server's rooms: made by a join like any other,
    but owned by nobody.
    """

    def __init__(self, server: Iterable[str] = ()) -> None:
        self.by_key: dict[str, Room] = {}
        self.order = SortedKeys()
        """The keys of the rooms listed to everyone, sorted: every room that exists (``exists``: with members, or
        one that outlives them, the server's and registered ones, so a host's ``--room #maths`` is found before
        anyone is in it), bar the secret ones (``relist``)."""
        self._server = {fold(name): name for name in server}
        """The server's rooms' names by folded name."""
        self._outliving: dict[str, str] = {look(name): name for name in server}
        """The names of the rooms that outlive their members (the server's and registered ones) by their look:
        no new room may look like one of them while it is empty either."""
        self.by_look: dict[str, Room] = {}
        """Every room by the look of its name: ``new_name`` keeps each look one room's."""
        self.kept: dict[str, Kept] = {}
        """What each room that outlives its members keeps, by folded name, while it has none."""
        self.registered: dict[str, Registration] = {}
        """Each registered room's owner and operators by folded name, whether or not anyone is in it."""
        for key in self._server:
            self.relist(key)

    def relist(self, key: str) -> None:
        """Have ``order`` list the room with folded name ``key`` if it exists and is not secret, and not otherwise:
        called wherever either may change (a room made or emptied, set secret or not, registered or not)."""
        listed = self.exists(key) and not self.settings(key).secret
        if listed and key not in self.order:
            self.order.add(key)
        elif not listed and key in self.order:
            self.order.remove(key)

    def outlives(self, key: str) -> bool:
        """Whether the room with folded name ``key`` keeps its topic while nobody is in it: a server's or registered room."""
        return key in self._server or key in self.registered

    def is_server(self, key: str) -> bool:
        """Whether the room with folded name ``key`` is one of the server's, which nobody may register."""
        return key in self._server

    def server_name(self, key: str) -> str | None:
        """The name of the server's room with folded name ``key``, as the host wrote it; None if it is not one."""
        return self._server.get(key)

    def register(self, key: str, registration: Registration | None) -> None:
        """Register the room with folded name ``key`` to ``registration`` (None: unregister it).

        A live room's maker stays its ``owner``, behind the registration,
        which every rule asks first (chatd.domain.rules): a registration the
        store could not keep is undone and the maker owns the room again.
        ``/unregister`` ends the maker's ownership (``disown``).
        """
        if registration is None:
            gone = self.registered.pop(key, None)
            self.kept.pop(key, None)
            if gone is not None:
                self._outliving.pop(look(gone.name), None)
        else:
            self.registered[key] = registration
            self._outliving[look(registration.name)] = registration.name
        room = self.by_key.get(key)
        if room is not None:
            room.registration = registration
        self.relist(key)

    def disown(self, key: str) -> None:
        """The live room with folded name ``key``, if any, is nobody's: it was unregistered, and stays so."""
        room = self.by_key.get(key)
        if room is not None:
            room.owner = None

    def recall(self, event: TopicChanged | TopicLocked) -> None:
        """Keep the topic or lock ``event`` set (a store kept it) for its room, if that room outlives its members.

        Called at start, before anyone joins, with a store's kept events
        oldest first; the last of each kind wins.
        """
        key = fold(event.room)
        if not self.outlives(key):
            return
        kept = self.kept.setdefault(key, Kept())
        if isinstance(event, TopicChanged):
            kept.topic, kept.topic_by, kept.topic_at = topic_set(event)
        else:
            kept.topic_locked = event.locked

    def exists(self, name: str) -> bool:
        """Whether a room called ``name`` (in any case) exists: it has members, or outlives them."""
        key = fold(name)
        return key in self.by_key or self.outlives(key)

    def find(self, name: str) -> Room:
        """The room called ``name`` (in any case), with its members, to change; raises NoSuchRoomError.

        A room that outlives its members and has none now exists but holds
        nothing to change: NotInRoomError, as nobody is in it.
        """
        key = fold(name)
        room = self.by_key.get(key)
        if room is None:
            raise NotInRoomError(name) if self.outlives(key) else NoSuchRoomError(name)
        return room

    def seen(self, name: str) -> Room:
        """The room called ``name`` (in any case), to answer questions about; raises NoSuchRoomError.

        A room that outlives its members and has none now is answered as a
        join would make it again: its kept topic and lock, nobody in it,
        nothing else set. That room is made for the answer and never kept.
        """
        key = fold(name)
        room = self.by_key.get(key)
        if room is not None:
            return room
        if not self.outlives(key):
            raise NoSuchRoomError(name)
        registration = self.registered.get(key)
        shown = self._server[key] if registration is None else registration.name
        # Its sequence number is the store's to know; nothing is published in a room made for an answer.
        return self._made(key, shown, 0, self.kept.get(key, Kept()), owner=None)

    def _made(self, key: str, name: str, seq: int, kept: Kept, owner: "User | None") -> Room:
        """Room ``name`` (folded: ``key``) as made with nobody in it yet, with what it ``kept``."""
        room = Room(
            name,
            seq,
            owner=owner,
            topic=kept.topic,
            topic_by=kept.topic_by,
            topic_at=kept.topic_at,
            topic_locked=kept.topic_locked,
            settings=kept.settings,
        )
        if kept.settings.bans:
            room.masks_changed()
        room.registration = self.registered.get(key)
        return room

    def new_name(self, name: str) -> str:
        """The name a room made by a join of ``name`` is shown by; RoomLookAlikeError if it would look like another.

        Another room is one with members, or a server's or registered room
        while it has none. Such a room, made again by a join of its name in
        any case, keeps its own (``#dev`` as registered, whoever types ``#DEV``).
        """
        shape = look(name)
        alike = self.by_look.get(shape)
        if alike is not None:
            raise RoomLookAlikeError(name, alike.name)
        outliving = self._outliving.get(shape)
        if outliving is None:
            return name
        if fold(outliving) != fold(name):
            raise RoomLookAlikeError(name, outliving)
        return outliving

    def membership(self, user: "User", name: str) -> Room:
        """The room ``name`` that ``user`` is in; raises NoSuchRoomError or NotInRoomError."""
        room = user.rooms.get(fold(name))
        if room is None:
            raise NotInRoomError(name) if self.exists(name) else NoSuchRoomError(name)
        return room

    def standing_on_entry(self, user: "User", key: str) -> bool:
        """Whether ``user``, joining the room with folded name ``key``, gets its operator standing by the join:
        a registered room's by its registration's accounts; else as its maker (one making it now, bar a server's
        room, or the live room's)."""
        registration = self.registered.get(key)
        if registration is not None:
            return registration.moderates(user.account)
        room = self.by_key.get(key)
        return key not in self._server if room is None else room.owner is user

    def enter(self, user: "User", name: str, seq: int, standing: bool) -> Room:
        """Put ``user`` in room ``name``, making it (owned by ``user``, bar a server's room) if it does not exist;
        with the room's operator standing if ``standing`` (``standing_on_entry``, when the join was asked)."""
        key = fold(name)
        room = self.by_key.get(key)
        if room is None:
            owner = None if self.outlives(key) else user
            room = self._made(key, name, seq, self.kept.pop(key, Kept()), owner)
            self.by_key[key] = self.by_look[look(name)] = room
            self.relist(key)
        room.seq = seq
        room.members[fold(user.nick)] = user
        room.sessions = None
        user.rooms[key] = room
        user.invited.pop(key, None)
        if standing:
            room.operators.add(user)
        if room.masks:
            room.recheck_ban(user)
        return room

    def settle(self, room: Room, settings: RoomSettings) -> None:
        """Set ``room`` as ``settings`` say: listed or not as it is secret, its masks and whom they cover following."""
        old, room.settings = room.settings, settings
        if settings.secret != old.secret:
            self.relist(fold(room.name))
        if settings.bans != old.bans:
            room.masks_changed()

    def leave(self, user: "User", room: Room) -> None:
        """Take ``user`` out of ``room``; an emptied room is gone, bar what it keeps if it outlives its members."""
        key = fold(room.name)
        del room.members[fold(user.nick)]
        room.sessions = None
        del user.rooms[key]
        room.operators.discard(user)
        room.voiced.discard(user)
        room.banned.discard(user)
        if not room.members:
            del self.by_key[key]
            del self.by_look[look(room.name)]
            if self.outlives(key):
                self.kept[key] = Kept(
                    room.topic, room.topic_locked, room.topic_by, room.topic_at, room.settings
                )
            self.relist(key)

    def settings(self, key: str) -> RoomSettings:
        """The settings of the room with folded name ``key``: the live room's, else what it keeps while empty."""
        room = self.by_key.get(key)
        if room is not None:
            return room.settings
        kept = self.kept.get(key)
        return NO_SETTINGS if kept is None else kept.settings

    def keep_settings(self, key: str, settings: RoomSettings) -> None:
        """Give the room with folded name ``key``, one that outlives its members with nobody in it, ``settings`` for
        when it is made again."""
        self.kept.setdefault(key, Kept()).settings = settings
        self.relist(key)
