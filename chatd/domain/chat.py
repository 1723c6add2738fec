"""The chat itself: nicknames, rooms and talk, on top of moderation and the shared state.

``Chat`` is the only writer of users and rooms (``ChatState`` holds them,
``Moderation`` is its operator half) and the one place that decides who
receives each event. It does no I/O: time comes from the injected ``now``
and events leave through each session's ``Audience``. A request either
raises a ``ChatError`` and changes nothing, or changes state and publishes
at most one event per user it affects.
"""

from collections.abc import Callable

from chatd.domain.bans import address_key
from chatd.domain.errors import InvalidTextError, NicknameInUseError, TooManyRoomsError
from chatd.domain.events import Acted, Joined, NickChanged, Parted, Quit, Said, TopicChanged, Whispered
from chatd.domain.limits import DEFAULT_LIMITS, Limits
from chatd.domain.moderation import Moderation, keep_running
from chatd.domain.names import check_message, check_nickname, check_room_name, check_text, fold
from chatd.domain.ports import Session
from chatd.domain.replies import Away, Whois
from chatd.domain.state import Room, User

__all__ = ["Chat", "Room", "User"]


class Chat(Moderation):
    """Users with unique nicknames, in rooms created on first join."""

    def __init__(
        self,
        now: Callable[[], float],
        limits: Limits = DEFAULT_LIMITS,
        stop: Callable[[], None] = keep_running,
    ) -> None:
        super().__init__(now, limits, stop)

    def register(self, session: Session, nick: str, address: str = "") -> User:
        """Put a new user online under ``nick``, connecting from ``address``.

        Raises if the nickname is invalid, taken or banned, or the address
        is banned (``BannedError``: the front end then closes the connection).
        """
        nick = check_nickname(nick, self.limits.nickname)
        address = address_key(address)
        self._check_admitted(nick, address)
        key = fold(nick)
        if key in self._users:
            raise NicknameInUseError(self._users[key].nick)
        user = User(nick, session, address=address)
        self._users[key] = user
        self._audiences[session.audience] += 1
        return user

    def rename(self, user: User, nick: str) -> None:
        """Give ``user`` a new nickname; tells the user and everyone who shares a room."""
        nick = check_nickname(nick, self.limits.nickname)
        old_key, key = fold(user.nick), fold(nick)
        if key != old_key and key in self._users:
            raise NicknameInUseError(self._users[key].nick)
        if nick == user.nick:
            return
        if key != old_key:
            self._check_nickname_allowed(nick)
        event = NickChanged(self._now(), user.nick, nick)
        del self._users[old_key]
        self._users[key] = user
        for room in user.rooms.values():
            # Rebuilt rather than moved to the end: members stay in join order.
            room.members = {key if k == old_key else k: member for k, member in room.members.items()}
        user.nick = nick
        self._publish(event, [user, *self._neighbours(user)])

    def join(self, user: User, name: str) -> Room:
        """Put ``user`` in room ``name``, creating it (and so owning it); joining twice changes nothing."""
        name = check_room_name(name, self.limits.room_name)
        key = fold(name)
        room = self._rooms.get(key)
        if room is not None and fold(user.nick) in room.members:
            return room
        if len(user.rooms) >= self.limits.rooms_per_user:
            raise TooManyRoomsError(self.limits.rooms_per_user)
        if room is None:
            room = self._rooms[key] = Room(name, owner=user)
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
        self._check_voice(user)
        room = self._membership(user, name)
        event = Said(self._now(), room.name, user.nick, check_message(text))
        self._publish(event, room.members.values())

    def act(self, user: User, name: str, text: str) -> None:
        """Show ``user`` performing ``text`` to every member of room ``name``."""
        self._check_voice(user)
        room = self._membership(user, name)
        event = Acted(self._now(), room.name, user.nick, check_text(text))
        self._publish(event, room.members.values())

    def whisper(self, user: User, nick: str, text: str) -> Away | None:
        """Send ``text`` from ``user`` to the user called ``nick`` alone (and echo it back).

        Returns the target's away text, for the sender, if they are away.
        """
        self._check_voice(user)
        target = self._user(nick)
        event = Whispered(self._now(), user.nick, target.nick, check_text(text))
        self._publish(event, [user, target])
        return Away(target.nick, target.away) if target.away else None

    def set_topic(self, user: User, name: str, topic: str) -> None:
        """Set (or, with empty ``topic``, clear) the topic of a room ``user`` is in.

        While the topic is locked only the room's owner and operators may.
        """
        self._check_voice(user)
        room = self._membership(user, name)
        self._check_topic_settable(user, room)
        room.topic = check_text(topic, self.limits.topic).strip()
        event = TopicChanged(self._now(), room.name, user.nick, room.topic)
        self._publish(event, room.members.values())

    def set_away(self, user: User, text: str) -> None:
        """Mark ``user`` away with ``text`` (blank: back again); told to whoever sends them a private message."""
        user.away = check_text(text, self.limits.reason).strip()

    def whois(self, asker: User | None, nick: str) -> Whois:
        """Who ``nick`` is; their address only if ``asker`` is an operator."""
        user = self._user(nick)
        address = user.address if asker is not None and asker.operator else ""
        return Whois(
            user.nick, tuple(room.name for room in user.rooms.values()), user.away, user.operator, address
        )

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
        self._remove(user)
