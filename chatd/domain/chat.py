"""The chat itself: users, rooms, membership and topics, and who hears what.

``Chat`` is the only writer of this state and the one place that decides who
receives each event. It does no I/O: time comes from the injected ``now``
and events leave through each session's ``Audience``. A request either
raises a ``ChatError`` and changes nothing, or changes state and publishes
exactly one event.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from chatd.domain.errors import (
    InvalidTextError,
    NicknameInUseError,
    NoSuchNicknameError,
    NoSuchRoomError,
    NotInRoomError,
    TooManyRoomsError,
)
from chatd.domain.events import (
    Acted,
    Event,
    Joined,
    NickChanged,
    Parted,
    Quit,
    Said,
    TopicChanged,
    Whispered,
)
from chatd.domain.limits import DEFAULT_LIMITS, Limits
from chatd.domain.names import (
    check_message,
    check_nickname,
    check_room_name,
    check_text,
    fold,
)
from chatd.domain.ports import Audience, Session
from chatd.domain.replies import (
    Members,
    RoomList,
    RoomSummary,
    ServerTime,
    Topic,
    UserList,
)


@dataclass(eq=False, slots=True)
class User:
    """Someone online. Front ends hold their own ``User`` but never change it."""

    nick: str
    session: Session
    rooms: dict[str, "Room"] = field(default_factory=dict)
    """The rooms this user is in, by folded name, in the order joined."""
    online: bool = True


@dataclass(eq=False, slots=True)
class Room:
    """A room exists while it has members; it keeps its members in join order."""

    name: str
    members: dict[str, User] = field(default_factory=dict)
    """Members by folded nickname."""
    topic: str = ""


class Chat:
    """Users with unique nicknames, in rooms created on first join."""

    def __init__(self, now: Callable[[], float], limits: Limits = DEFAULT_LIMITS) -> None:
        self._now = now
        self.limits = limits
        self._users: dict[str, User] = {}
        self._rooms: dict[str, Room] = {}

    def register(self, session: Session, nick: str) -> User:
        """Put a new user online under ``nick``; raises if invalid or taken."""
        nick = check_nickname(nick, self.limits.nickname)
        key = fold(nick)
        if key in self._users:
            raise NicknameInUseError(self._users[key].nick)
        user = User(nick, session)
        self._users[key] = user
        return user

    def rename(self, user: User, nick: str) -> None:
        """Give ``user`` a new nickname; tells the user and everyone who shares a room."""
        nick = check_nickname(nick, self.limits.nickname)
        old_key, key = fold(user.nick), fold(nick)
        if key != old_key and key in self._users:
            raise NicknameInUseError(self._users[key].nick)
        if nick == user.nick:
            return
        event = NickChanged(self._now(), user.nick, nick)
        del self._users[old_key]
        self._users[key] = user
        for room in user.rooms.values():
            # Rebuilt rather than moved to the end: members stay in join order.
            room.members = {key if k == old_key else k: member for k, member in room.members.items()}
        user.nick = nick
        self._publish(event, [user, *self._neighbours(user)])

    def join(self, user: User, name: str) -> Room:
        """Put ``user`` in room ``name``, creating it; joining twice changes nothing."""
        name = check_room_name(name, self.limits.room_name)
        key = fold(name)
        room = self._rooms.get(key)
        if room is not None and fold(user.nick) in room.members:
            return room
        if len(user.rooms) >= self.limits.rooms_per_user:
            raise TooManyRoomsError(self.limits.rooms_per_user)
        if room is None:
            room = self._rooms[key] = Room(name)
        room.members[fold(user.nick)] = user
        user.rooms[key] = room
        self._publish(Joined(self._now(), room.name, user.nick), room.members.values())
        return room

    def part(self, user: User, name: str, reason: str = "") -> None:
        """Take ``user`` out of room ``name``; an emptied room is gone."""
        reason = check_text(reason, self.limits.reason)
        room = self._membership(user, name)
        self._publish(Parted(self._now(), room.name, user.nick, reason), room.members.values())
        self._leave(user, room)

    def say(self, user: User, name: str, text: str) -> None:
        """Send ``text`` from ``user`` to every member of room ``name``, sender included.

        ``text`` may hold several lines joined by ``\\n`` (a paste): one message.
        """
        room = self._membership(user, name)
        event = Said(self._now(), room.name, user.nick, check_message(text))
        self._publish(event, room.members.values())

    def act(self, user: User, name: str, text: str) -> None:
        """Show ``user`` performing ``text`` to every member of room ``name``."""
        room = self._membership(user, name)
        event = Acted(self._now(), room.name, user.nick, check_text(text))
        self._publish(event, room.members.values())

    def whisper(self, user: User, nick: str, text: str) -> None:
        """Send ``text`` from ``user`` to the user called ``nick`` alone (and echo it back)."""
        target = self._users.get(fold(nick))
        if target is None:
            raise NoSuchNicknameError(nick)
        event = Whispered(self._now(), user.nick, target.nick, check_text(text))
        self._publish(event, [user, target])

    def set_topic(self, user: User, name: str, topic: str) -> None:
        """Set (or, with empty ``topic``, clear) the topic of a room ``user`` is in."""
        room = self._membership(user, name)
        room.topic = check_text(topic, self.limits.topic).strip()
        event = TopicChanged(self._now(), room.name, user.nick, room.topic)
        self._publish(event, room.members.values())

    def quit(self, user: User, reason: str = "") -> None:
        """Take ``user`` offline and out of every room; safe to call twice.

        A reason that breaks the text rules is dropped rather than refused:
        the user is leaving either way.
        """
        if not user.online:
            return
        try:
            reason = check_text(reason, self.limits.reason)
        except InvalidTextError:
            reason = ""
        self._publish(Quit(self._now(), user.nick, reason), self._neighbours(user))
        for room in list(user.rooms.values()):
            self._leave(user, room)
        del self._users[fold(user.nick)]
        user.online = False

    def members(self, name: str) -> Members:
        """Who is in room ``name``."""
        room = self._room(name)
        return Members(room.name, tuple(member.nick for member in room.members.values()))

    def topic(self, name: str) -> Topic:
        """The topic of room ``name``."""
        room = self._room(name)
        return Topic(room.name, room.topic)

    def rooms(self) -> RoomList:
        """Every room with its member count and topic, sorted by key."""
        return RoomList(
            tuple(
                RoomSummary(room.name, len(room.members), room.topic)
                for _, room in sorted(self._rooms.items())
            )
        )

    def users(self) -> UserList:
        """Everyone online, sorted by key."""
        return UserList(tuple(user.nick for _, user in sorted(self._users.items())))

    def time(self) -> ServerTime:
        """The server's clock."""
        return ServerTime(self._now())

    def _room(self, name: str) -> Room:
        room = self._rooms.get(fold(name))
        if room is None:
            raise NoSuchRoomError(name)
        return room

    def _membership(self, user: User, name: str) -> Room:
        room = user.rooms.get(fold(name))
        if room is None:
            self._room(name)
            raise NotInRoomError(name)
        return room

    def _leave(self, user: User, room: Room) -> None:
        key = fold(room.name)
        del room.members[fold(user.nick)]
        del user.rooms[key]
        if not room.members:
            del self._rooms[key]

    @staticmethod
    def _neighbours(user: User) -> set[User]:
        """Everyone who shares at least one room with ``user``, not ``user``."""
        return {m for room in user.rooms.values() for m in room.members.values()} - {user}

    @staticmethod
    def _publish(event: Event, users: Iterable[User]) -> None:
        """Hand ``event`` to each front end once, with all its recipients."""
        by_audience: dict[Audience, list[Session]] = {}
        for user in users:
            by_audience.setdefault(user.session.audience, []).append(user.session)
        for audience, sessions in by_audience.items():
            audience.deliver(event, sessions)
