"""What anyone may ask of the chat as it is now: a room's members and topic, the rooms, who is online, counts.

Each answer reads the state (chatd.domain.state) and changes nothing;
``Chat`` exposes them beside the commands. A question about a room or a
nickname nobody has raises the ``ChatError`` a command on it would.
"""

from collections.abc import Callable
from itertools import islice

from chatd.domain import rules
from chatd.domain.bans import address_key
from chatd.domain.crowds import Crowds
from chatd.domain.limits import Limits
from chatd.domain.listing import merged_slice, page_bounds
from chatd.domain.ports import UserView
from chatd.domain.replies import (
    Departed,
    Headcount,
    Members,
    RoomList,
    RoomSummary,
    ServerTime,
    Topic,
    UserList,
)
from chatd.domain.state import ChatState
from chatd.domain.users import own
from chatd.text import fold


class Questions:
    """Answers about the state held by ``state`` right now, timed by ``now`` where an answer needs the time.

    ``crowds`` tells a big room; ``limits`` bounds what a nickname asked
    about may be.
    """

    def __init__(self, state: ChatState, crowds: Crowds, now: Callable[[], float], limits: Limits) -> None:
        self._state = state
        self._crowds = crowds
        self._now = now
        self._limits = limits

    def members(self, name: str, page: int = 1) -> Members:
        """Who is in room ``name``, in join order: page ``page`` (raises NoSuchPageError past the last).

        With the page's room operators and voiced members, a set look-up each.
        """
        room = self._state.rooms.seen(name)
        start, stop, pages = page_bounds(page, len(room.members))
        shown = list(islice(room.members.values(), start, stop))
        nicks = tuple(member.nick for member in shown)
        # Shown to every joiner, a page of a room of thousands: most rooms have one operator and nobody voiced.
        operators = (
            tuple(member.nick for member in shown if member in room.operators) if room.operators else ()
        )
        voiced = tuple(member.nick for member in shown if member in room.voiced) if room.voiced else ()
        return Members(room.name, nicks, len(room.members), page, pages, operators, voiced)

    def crowded(self, name: str) -> bool:
        """Whether room ``name`` is big: its comings and goings are tallied (chatd.domain.crowds), its list capped on join."""
        return self._crowds.big(self._state.rooms.seen(name))

    def topic(self, name: str) -> Topic:
        """The topic of room ``name``, with who set it and when."""
        room = self._state.rooms.seen(name)
        return Topic(room.name, room.topic, room.topic_by, room.topic_at)

    def rooms(self, page: int = 1, asker: UserView | None = None) -> RoomList:
        """The rooms with their member counts and topics, sorted by key: page ``page``.

        Secret rooms are left out, bar those ``asker`` is in; the server's
        rooms and registered ones are listed with nobody in them too.
        """
        rooms = self._state.rooms
        secret = (
            [] if asker is None else [key for key, room in own(asker).rooms.items() if room.settings.secret]
        )
        total = len(rooms.order) + len(secret)
        start, stop, pages = page_bounds(page, total)
        keys = merged_slice(rooms.order, secret, start, stop) if secret else rooms.order.slice(start, stop)
        # A room that outlives its members is listed while it has none (``Rooms.seen``).
        summaries = tuple(
            RoomSummary(room.name, len(room.members), room.topic) for room in map(rooms.seen, keys)
        )
        return RoomList(summaries, total, page, pages)

    def room_summary(self, name: str, asker: UserView | None = None) -> RoomSummary | None:
        """Room ``name`` as ``rooms`` lists it; None if there is none, or it is secret and ``asker`` is not in it.

        A room that outlives its members is there with none (``Rooms.seen``).
        """
        rooms = self._state.rooms
        if not rooms.exists(name):
            return None
        room = rooms.seen(name)
        if room.settings.secret and (asker is None or fold(name) not in own(asker).rooms):
            return None
        return RoomSummary(room.name, len(room.members), room.topic)

    def users(self, page: int = 1) -> UserList:
        """Everyone online, sorted by key: page ``page``."""
        users = self._state.users
        start, stop, pages = page_bounds(page, len(users.order))
        nicks = tuple(users.by_key[key].nick for key in users.order.slice(start, stop))
        return UserList(nicks, len(users.order), page, pages)

    def headcount(self) -> Headcount:
        """How many users, operators, connections and rooms there are now, and the most users there were."""
        users, rooms = self._state.users, self._state.rooms
        sessions = sum(users.audiences.values())
        return Headcount(len(users.by_key), users.operators, sessions, len(rooms.by_key), users.most)

    def check_address(self, address: str) -> None:
        """Raise BannedError if ``address`` is banned: a banned address is shown nothing of the chat."""
        rules.check_address(self._state, address_key(address), self._now())

    def online(self, nick: str) -> str:
        """The nickname of whoever is online as ``nick`` (in any case), as they show it."""
        return self._state.users.find(nick).nick

    def nickname(self, nick: str) -> str:
        """``nick`` as whoever is online as it shows it, or in normal form if nobody is: what a command on a
        nickname held or not (``/ignore``) names. Raises InvalidNicknameError for one nobody could take."""
        return self._state.users.named(nick, self._limits.nickname)[1]

    def departed(self, nick: str, most: int) -> tuple[Departed, ...]:
        """When ``nick`` (in any case) last stopped being used, newest first, at most ``most`` times; empty if not lately.

        The chat remembers the last ``DEPARTED_KEPT`` nicknames given up, in memory only.
        """
        key = fold(nick)
        found = (gone for gone in self._state.departed if fold(gone.nick) == key)
        return tuple(islice(found, most))

    def account_of(self, nick: str) -> str | None:
        """The account whoever is online as ``nick`` is identified to (None if none); raises NoSuchNicknameError."""
        return self._state.users.find(nick).account

    def has_room(self, name: str) -> bool:
        """Whether a room called ``name`` (in any case) exists: with members, or a server's or registered one without."""
        return self._state.rooms.exists(name)

    def time(self) -> ServerTime:
        """The server's clock."""
        return ServerTime(self._now())
