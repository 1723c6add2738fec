"""``Chat``: the one object front ends talk to, a thin facade over the chat's parts.

The parts: the state (users, rooms, bans: chatd.domain.state), the seam
every event leaves through (chatd.domain.publish), what everyone may do
(chatd.domain.talk), what operators and owners may do
(chatd.domain.moderation), and the deadlines mutes and bans run out by
(chatd.domain.expiry). ``Chat`` builds them around one clock, one history
and one bus, and exposes their requests and the questions anyone may ask.
It does no I/O.
"""

from collections.abc import Callable

from chatd.domain.expiry import Deadlines
from chatd.domain.limits import DEFAULT_LIMITS, Limits
from chatd.domain.moderation import Moderation, keep_running
from chatd.domain.ports import Bus, Clock, History
from chatd.domain.publish import Publisher
from chatd.domain.replies import Members, RoomList, RoomSummary, ServerTime, Topic, UserList
from chatd.domain.state import ChatState
from chatd.domain.talk import Talk
from chatd.text import fold


class Chat:
    """Users with unique nicknames, in rooms made on first join, under moderation.

    ``clock`` gives the time and runs out mutes and bans; every event goes
    to ``history`` and ``bus``; ``stop`` ends the daemon after /shutdown.
    """

    def __init__(
        self,
        clock: Clock,
        history: History,
        bus: Bus,
        limits: Limits = DEFAULT_LIMITS,
        stop: Callable[[], None] = keep_running,
    ) -> None:
        self.limits = limits
        self._now = clock.seconds
        self._state = ChatState()
        self._deadlines = Deadlines(clock)
        seam = Publisher(self._state, clock.seconds, history, bus)
        talk = Talk(self._state, seam, limits, clock.seconds)
        moderation = Moderation(self._state, seam, limits, clock.seconds, self._deadlines, stop)
        self.register = talk.register
        self.rename = talk.rename
        self.join = talk.join
        self.part = talk.part
        self.say = talk.say
        self.act = talk.act
        self.whisper = talk.whisper
        self.set_topic = talk.set_topic
        self.set_away = talk.set_away
        self.whois = talk.whois
        self.quit = talk.quit
        self.grant_operator = moderation.grant_operator
        self.kick = moderation.kick
        self.ban = moderation.ban
        self.unban = moderation.unban
        self.bans = moderation.bans
        self.mute = moderation.mute
        self.unmute = moderation.unmute
        self.wall = moderation.wall
        self.shutdown = moderation.shutdown
        self.lock_topic = moderation.lock_topic

    def stop(self) -> None:
        """Cancel the timers the chat holds on its clock: the daemon is stopping."""
        self._deadlines.stop()

    def members(self, name: str) -> Members:
        """Who is in room ``name``."""
        room = self._state.rooms.find(name)
        return Members(room.name, tuple(member.nick for member in room.members.values()))

    def topic(self, name: str) -> Topic:
        """The topic of room ``name``."""
        room = self._state.rooms.find(name)
        return Topic(room.name, room.topic)

    def rooms(self) -> RoomList:
        """Every room with its member count and topic, sorted by key."""
        return RoomList(
            tuple(
                RoomSummary(room.name, len(room.members), room.topic)
                for _, room in sorted(self._state.rooms.by_key.items())
            )
        )

    def users(self) -> UserList:
        """Everyone online, sorted by key."""
        return UserList(tuple(user.nick for _, user in sorted(self._state.users.by_key.items())))

    def online(self, nick: str) -> str:
        """The nickname of whoever is online as ``nick`` (in any case), as they show it."""
        return self._state.users.find(nick).nick

    def has_room(self, name: str) -> bool:
        """Whether a room called ``name`` (in any case) exists."""
        return fold(name) in self._state.rooms.by_key

    def time(self) -> ServerTime:
        """The server's clock."""
        return ServerTime(self._now())
