"""Users and rooms as the chat keeps them, and the steps every chat operation is built from.

``ChatState`` is the base of ``Chat``: it holds the users (by folded
nickname) and the rooms (by folded name), answers questions about them, and
offers the few steps both halves of the chat build on: look-ups, leaving a
room, taking a user offline, and ``_publish``, the one way events leave.
The halves are talk (chat.py) and moderation (moderation.py); they are the
only writers of this state. Front ends hold a ``User`` but never change it.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from chatd.domain.errors import NoSuchNicknameError, NoSuchRoomError, NotInRoomError
from chatd.domain.events import Event
from chatd.domain.limits import Limits
from chatd.domain.names import fold
from chatd.domain.ports import Audience, Session
from chatd.domain.replies import Members, RoomList, RoomSummary, ServerTime, Topic, UserList


@dataclass(eq=False, slots=True)
class User:
    """Someone online. Front ends hold their own ``User`` but never change it."""

    nick: str
    session: Session
    address: str = ""
    """Where the user connects from, as bans compare it; empty for the host's console."""
    rooms: dict[str, "Room"] = field(default_factory=dict)
    """The rooms this user is in, by folded name, in the order joined."""
    online: bool = True
    operator: bool = False
    """Granted by a front end once the user proved they are one (a password, the console)."""
    away: str = ""
    """Told to whoever sends them a private message; empty when not away."""
    muted_until: float | None = None
    """When the user's mute ends (``math.inf``: when lifted); None when not muted."""


@dataclass(eq=False, slots=True)
class Room:
    """A room exists while it has members; it keeps its members in join order."""

    name: str
    members: dict[str, User] = field(default_factory=dict)
    """Members by folded nickname."""
    topic: str = ""
    owner: User | None = None
    """Whoever created the room, while they are online; it is not handed on."""
    topic_locked: bool = False
    """Only the owner and operators may set the topic while it is locked."""


class ChatState:
    """Users with unique nicknames, in rooms created on first join; the questions anyone may ask."""

    def __init__(self, now: Callable[[], float], limits: Limits) -> None:
        self._now = now
        self.limits = limits
        self._users: dict[str, User] = {}
        self._rooms: dict[str, Room] = {}
        self._audiences: Counter[Audience] = Counter()
        """The front ends of the users online, each with how many users it has."""

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

    def online(self, nick: str) -> str:
        """The nickname of whoever is online as ``nick`` (in any case), as they show it."""
        return self._user(nick).nick

    def time(self) -> ServerTime:
        """The server's clock."""
        return ServerTime(self._now())

    def _user(self, nick: str) -> User:
        user = self._users.get(fold(nick))
        if user is None:
            raise NoSuchNicknameError(nick)
        return user

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

    def _remove(self, user: User) -> None:
        """Take ``user`` out of every room and offline."""
        for room in list(user.rooms.values()):
            self._leave(user, room)
        del self._users[fold(user.nick)]
        audience = user.session.audience
        self._audiences[audience] -= 1
        if not self._audiences[audience]:
            del self._audiences[audience]
        user.online = False

    @staticmethod
    def _neighbours(user: User) -> set[User]:
        """Everyone who shares at least one room with ``user``, not ``user``."""
        return {m for room in user.rooms.values() for m in room.members.values()} - {user}

    def _publish(self, event: Event, users: Iterable[User]) -> None:
        """Hand ``event`` to each front end once, with all its recipients.

        This runs for every line said, over every member of the room, so the
        usual case of one front end online costs one comprehension and no
        per-recipient look at which front end a session belongs to.
        """
        if len(self._audiences) == 1:
            [audience] = self._audiences
            audience.deliver(event, [user.session for user in users])
            return
        self._publish_grouped(event, users)

    @staticmethod
    def _publish_grouped(event: Event, users: Iterable[User]) -> None:
        """Hand ``event`` to each front end once, looking up each recipient's: for users just taken offline too."""
        sessions = [user.session for user in users]
        audiences = {session.audience: None for session in sessions}
        for audience in audiences:
            audience.deliver(event, [session for session in sessions if session.audience is audience])
