"""``Chat``: the one object front ends talk to, a thin facade over the chat's parts.

The parts: the state (users, rooms, bans: chatd.domain.state), the seam
every event leaves through (chatd.domain.publish), what everyone may do
(chatd.domain.talk), what operators and owners may do
(chatd.domain.moderation), deleting one line (chatd.domain.deletion), a room's settings, standing and invites
(chatd.domain.modes), what accounts let a user do
(chatd.domain.identity), whom files are offered to (chatd.domain.files), and the deadlines mutes and bans run out by
(chatd.domain.expiry). At start it takes back what a store kept
(``Chat.restore``). ``Chat`` builds them around one clock, one history,
one bus and one store of accounts (and one of device keys: chatd.domain.keys,
chatd.domain.envelopes), and exposes their requests and the
questions anyone may ask.
It does no I/O.
"""

import math
from collections.abc import Awaitable, Callable, Iterable, Sequence
from itertools import islice

from chatd.domain import resume, rules
from chatd.domain.bans import address_key
from chatd.domain.crowds import Crowds
from chatd.domain.deletion import Deletion, sent_whole
from chatd.domain.envelopes import EncryptedMail
from chatd.domain.errors import ChatError, ForgetThrottledError, KeysNotKeptError, NotIdentifiedError
from chatd.domain.events import Event, Private, RoomEvent, TopicChanged, TopicLocked
from chatd.domain.expiry import Deadlines
from chatd.domain.files import Files
from chatd.domain.flood import Budgets
from chatd.domain.identity import Identity, Protection
from chatd.domain.ids import Point
from chatd.domain.keys import KeyDirectory
from chatd.domain.limits import DEFAULT_LIMITS, Limits
from chatd.domain.listing import merged_slice, page_bounds
from chatd.domain.moderation import Moderation, keep_running
from chatd.domain.modes import Modes
from chatd.domain.names import check_room_name
from chatd.domain.offline import Offline
from chatd.domain.ports import Accounts, Bus, Clock, History, KeyStore, Mailbox, RoomStore, UserView
from chatd.domain.publish import Publisher
from chatd.domain.registry import Registry
from chatd.domain.replies import (
    Away,
    Departed,
    Headcount,
    Kept,
    Members,
    RoomList,
    RoomSummary,
    ServerTime,
    Topic,
    UserList,
)
from chatd.domain.resume import RESUME_MOST, Between, Missed
from chatd.domain.search import EVER, SEARCH_HITS, Found, Period, search_words
from chatd.domain.state import ChatState
from chatd.domain.talk import Talk
from chatd.domain.users import User, own
from chatd.text import fold

HISTORY_MOST = 100
"""Most lines of a room's history one read gives: an answer of a few screens, never the whole room."""


FORGET_EVERY = 3600.0
"""Seconds between two ``/forget confirm`` of one account: it reads every line kept for those its nickname sent
(a full read of the file), and is a once-in-a-lifetime act; a loop of it stalled the store for everyone."""


class Chat:
    """Users with unique nicknames, in rooms made on first join, under moderation.

    ``clock`` gives the time and runs out mutes and bans; every event goes
    to ``history`` and ``bus``; ``accounts`` keeps who owns which nickname, ``rooms`` which rooms are
    registered (chatd.domain.registry); ``mailbox`` the private messages sent to an account while
    offline (None: they are refused as to anyone offline); ``stop`` ends the daemon after /shutdown;
    ``server_rooms`` (the default room) belong to the server, not to whoever
    makes them; ``parts`` counts the messages a line went out as where a
    front end cuts long lines (``Deleted.parts``; by default, one).
    """

    def __init__(
        self,
        clock: Clock,
        history: History,
        bus: Bus,
        limits: Limits = DEFAULT_LIMITS,
        stop: Callable[[], None] = keep_running,
        server_rooms: Iterable[str] = (),
        *,
        accounts: Accounts,
        mailbox: Mailbox | None = None,
        rooms: RoomStore,
        keys: KeyStore | None = None,
        parts: Callable[[RoomEvent], int] = sent_whole,
    ) -> None:
        self.limits = limits
        self._now = clock.seconds
        self._history = history
        self._accounts = accounts
        self._forgets = Budgets(1.0, FORGET_EVERY, clock.seconds)
        """Each account's ``FORGET_EVERY`` between two ``/forget confirm``, in seconds: one spends all of it, and it
        comes back a second a second. (Counted in forgets, refilling at 1/3600 a second, 1 s left read as 2 s:
        3599/3600 is inexact in floating point, while whole seconds on a clock of whole seconds are exact.)"""
        self._state = ChatState(server_rooms)
        self._deadlines = Deadlines(clock)
        seam = self._seam = Publisher(self._state, clock.seconds, history, bus)
        protect = Protection(self._state, seam, accounts, clock.seconds)
        self._crowds = Crowds(self._state, seam, clock, limits.big_room, limits.tally_seconds)
        talk = Talk(self._state, seam, limits, clock.seconds, protect, self._crowds)
        identity = Identity(
            self._state,
            seam,
            accounts,
            clock.seconds,
            talk,
            self._crowds,
            limits.accounts_per_hour,
            limits.accounts,
        )
        moderation = Moderation(self._state, seam, limits, clock.seconds, self._deadlines, stop, self._crowds)
        registry = Registry(self._state, seam, rooms, accounts, clock.seconds, limits.registered_rooms)
        modes = Modes(self._state, seam, clock.seconds, registry.keep_settings)
        self.register = talk.register
        self.hand_over = talk.hand_over
        self.rename = talk.rename
        self.join = talk.join
        self.part = talk.part
        self.say = talk.say
        self.act = talk.act
        self._offline = (
            None
            if mailbox is None
            else Offline(self._state, seam, accounts, mailbox, history, clock.seconds, talk)
        )
        self.whisper: Callable[[UserView, str, str], Away | Kept | None] = (
            talk.whisper if self._offline is None else self._offline.whisper
        )
        self.delete = Deletion(self._state, seam, history, limits.reason, parts).delete
        self.set_topic = talk.set_topic
        self.set_away = talk.set_away
        self.whois = talk.whois
        self.quit = talk.quit
        self.grant_operator = moderation.grant_operator
        self.kick = moderation.kick
        self.ban = moderation.ban
        self.kill = moderation.kill
        self.unban = moderation.unban
        self.bans = moderation.bans
        self.mute = moderation.mute
        self.unmute = moderation.unmute
        self.wall = moderation.wall
        self.shutdown = moderation.shutdown
        self.lock_topic = moderation.lock_topic
        self.change_room = modes.change_room
        self.invite = modes.invite
        self.room_modes = modes.room_modes
        self.room_bans = modes.room_bans
        self.standing = modes.standing
        self._moderation = moderation
        self._registry = registry
        self.register_room = registry.register_room
        self.unregister_room = registry.unregister_room
        self.add_room_operator = registry.add_operator
        self.remove_room_operator = registry.remove_operator
        self.check_registrable = identity.check_registrable
        self._register_account = identity.register_account
        self.account = identity.account
        self.password_hash = identity.password_hash
        self.is_registered = identity.is_registered
        self.identify = identity.identify
        self.nick_once_identified = identity.nick_once_identified
        self.change_password = identity.change_password
        self.registered_account = identity.registered_account
        self.set_password = identity.set_password
        self._identity = identity
        files = Files(self._state, seam, accounts, clock.seconds)
        self.file_target = files.target
        self.offer_file = files.offer
        self.offer_file_joiner = files.offer_joiner
        self.file_sessions = files.sessions
        self.file_person_present = files.present
        self.file_person_called = files.person_called
        self.file_sender = files.sender
        self.check_file_withdrawer = files.check_withdrawer
        self._keys = None if keys is None else KeyDirectory(keys, accounts, clock.seconds)
        self._mail = (
            None
            if self._keys is None
            else EncryptedMail(self._state, seam, self._keys, mailbox, clock.seconds)
        )

    def drop_account(self, view: UserView) -> Awaitable[None]:
        """The user gives their account up (``/unregister PASSWORD``: the front end checked its password), as
        ``_drop`` does it. Raises NotIdentifiedError."""
        return self._drop(own(view), self.account(view))

    def drop_account_of(self, view: UserView, nick: str) -> Awaitable[None]:
        """Operator ``view`` gives up the account ``nick`` (any case) in its owner's stead, online or not, as
        ``_drop`` does it: the same path as the owner's ``/unregister``. Raises as ``registered_account`` does."""
        return self._drop(own(view), self._identity.registered_account(view, nick))

    def _drop(self, by: User, account: str) -> Awaitable[None]:
        """Unregister ``account`` (``Identity.drop``), by ``by``, the rooms it registered given up and its standing
        as a room operator taken (``Registry.drop_account``), and, once the store has kept all that, its device keys
        withdrawn in the key log (``KeyDirectory.drop_all_once``) and the private messages kept for it forgotten
        (``Offline.empty_once``): a change it refuses keeps them.

        A later owner of the nickname starts with no keys (nobody boxes
        messages for the old owner's devices by mistake), no rooms and none
        of the old owner's mail. Fails as the first change not kept fails,
        once every change is answered.
        """
        rooms = self._registry.drop_account(by, account)
        dropped: Awaitable[None] = _all_kept(self._identity.drop(by, account), rooms)
        if self._keys is not None:
            dropped = self._keys.drop_all_once(account, dropped)
        if self._offline is not None:
            dropped = self._offline.empty_once(account, dropped)
        return dropped

    def register_account(self, view: UserView, hashed: str) -> Awaitable[None]:
        """Register the user's nickname (``Identity.register_account``), its account starting with no keys.

        Keys the store holds for an account of that name are a former
        owner's whose withdrawal, logged once their unregistering was kept,
        a ``kill -9`` in between lost: withdrawn here, with the new account.
        """
        registering = self._register_account(view, hashed)
        if self._keys is not None:
            self._keys.drop_all(self.account(view))
        return registering

    def key_directory(self) -> KeyDirectory:
        """The accounts' device keys and their log (``/key``); raises KeysNotKeptError for a chat given no key store."""
        if self._keys is None:
            raise KeysNotKeptError()
        return self._keys

    def send_encrypted(self, view: UserView, nick: str, envelope: str) -> Kept | None:
        """``/emsg``: send ``envelope`` to the account ``nick`` (chatd.domain.envelopes); ``Kept`` if it waits for them."""
        if self._mail is None:
            raise KeysNotKeptError()
        return self._mail.send(view, nick, envelope)

    def restore(self, events: Sequence[Event]) -> None:
        """Bring back what a store kept (``events``, oldest first), before anyone connects.

        Bans and mutes come back in force, running out at their own ends,
        and kicks' waits that still run (``Moderation.restore``); each room that outlives its members gets
        back its last topic and lock for when it is made again, the
        registered ones (``rooms``' own) among them.
        """
        self._moderation.restore(events)
        self._registry.restore()
        for event in events:
            if isinstance(event, (TopicChanged, TopicLocked)):
                self._state.rooms.recall(event)

    def stop(self) -> None:
        """Cancel the timers the chat holds on its clock: the daemon is stopping."""
        self._deadlines.stop()
        self._crowds.stop()

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

    def history(
        self, view: UserView, name: str, before: int | None, count: int
    ) -> Awaitable[Sequence[RoomEvent]]:
        """The last ``count`` lines of room ``name`` before sequence number ``before`` (None: the latest), oldest first.

        Only members read a room's history (``rules.check_reader``: raises
        NotMemberError, or LineCountError past ``HISTORY_MOST``). The chat
        checks; the store reads, slowly, so the answer is an ``Awaitable``
        the front end waits on.
        """
        room = rules.check_reader(own(view), name, count, HISTORY_MOST)
        return self._history.recent(fold(room.name), before, count)

    def history_at_hand(
        self, view: UserView, name: str, before: int | None, count: int
    ) -> Sequence[RoomEvent] | None:
        """``history``'s answer if the store holds it in memory (``History.at_hand``), checked as ``history`` is;
        None if only a read can tell."""
        room = rules.check_reader(own(view), name, count, HISTORY_MOST)
        return self._history.at_hand(fold(room.name), before, count)

    def history_around(
        self, view: UserView, name: str, at: Point, count: int
    ) -> Awaitable[Sequence[RoomEvent]]:
        """Up to ``count`` lines of room ``name`` centred on the point ``at`` in the order of events
        (chatd.domain.ids): a line's id, or any other event's, or a time.

        Checked as ``history`` is.
        """
        room = rules.check_reader(own(view), name, count, HISTORY_MOST)
        return resume.around(self._history, fold(room.name), at, count)

    def history_before(
        self, view: UserView, name: str, at: Point, count: int
    ) -> Awaitable[Sequence[RoomEvent]]:
        """The last ``count`` lines of room ``name`` before the point ``at`` in the order of events
        (chatd.domain.ids), oldest first.

        Checked as ``history`` is.
        """
        room = rules.check_reader(own(view), name, count, HISTORY_MOST)
        return resume.before(self._history, fold(room.name), at, count)

    def history_after(
        self, view: UserView, name: str, at: Point, count: int
    ) -> Awaitable[Sequence[RoomEvent]]:
        """The first ``count`` lines of room ``name`` after the point ``at``, oldest first.

        Checked as ``history`` is.
        """
        room = rules.check_reader(own(view), name, count, HISTORY_MOST)
        return resume.after(self._history, fold(room.name), at, count)

    def history_beside(
        self, view: UserView, name: str, at: Point, count: int
    ) -> Awaitable[tuple[Sequence[RoomEvent], Sequence[RoomEvent]]]:
        """The last ``count`` lines of room ``name`` before the point ``at``, and the first ``count`` from it on (the
        line it names first, if it names one), each oldest first.

        Checked as ``history`` is.
        """
        room = rules.check_reader(own(view), name, count, HISTORY_MOST)
        return resume.beside(self._history, fold(room.name), at, count)

    def history_between(
        self, view: UserView, name: str, first: Point, second: Point, count: int
    ) -> Awaitable[Between]:
        """Up to ``count`` lines of room ``name`` between the points ``first`` and ``second``, counted from the
        first, forward or back (``resume.between``).

        Checked as ``history`` is.
        """
        room = rules.check_reader(own(view), name, count, HISTORY_MOST)
        return resume.between(self._history, fold(room.name), first, second, count)

    def search(self, view: UserView, name: str, query: str, period: Period = EVER) -> Awaitable[Found]:
        """The newest ``SEARCH_HITS`` lines of room ``name`` within ``period`` holding every word of ``query``
        (chatd.domain.search).

        Only members search a room (``rules.check_member``: raises
        NotMemberError), and a query holds 1 to ``MOST_WORDS`` words
        (SearchWordsError); the store looks, slowly, as ``history`` reads.
        """
        return self._history.search(fold(self.searchable(view, name, query)), query, SEARCH_HITS, period)

    def searchable(self, view: UserView, name: str, query: str) -> str:
        """The name of room ``name`` as the room shows it, if ``view`` may search it for ``query``; raises as
        ``search`` does, reading nothing: what a front end checks before it charges for a search or queues it."""
        room = rules.check_member(own(view), name)
        search_words(query)
        return room.name

    def search_private(
        self, view: UserView, nick: str, query: str, period: Period = EVER
    ) -> Awaitable[Found]:
        """The newest ``SEARCH_HITS`` private messages between the identified user and the account ``nick`` within
        ``period`` holding every word of ``query``: ``search``'s answer for a conversation (``Offline.search``),
        checked as ``private_searchable`` checks."""
        return self._private_search().search(view, nick, query, SEARCH_HITS, period)

    def private_searchable(self, view: UserView, query: str) -> None:
        """Raise as ``search_private`` does (NotIdentifiedError, SearchWordsError), reading nothing: what a front
        end checks before it charges for a search of private messages or queues it."""
        self._private_search().searcher(view, query)

    def _private_search(self) -> Offline:
        """What keeps private messages; without a mailbox there are none: NotIdentifiedError as for anyone unproven."""
        if self._offline is None:
            raise NotIdentifiedError()
        return self._offline

    def missed(
        self, view: UserView, name: str, at: Point, before: int, most: int = RESUME_MOST
    ) -> Awaitable[Missed]:
        """What was said in room ``name`` after the point ``at`` in the order of events (chatd.domain.ids) and below
        ``before``: the latest ``most``, and how many; and the deletions since of lines up to ``at``
        (``chatd.domain.resume.missed``: up to ``RESUME_MOST`` however few lines are asked).

        Checked as ``history`` is: a member reads it, the rejoin just made.
        """
        room = rules.check_reader(own(view), name, most, most)
        return resume.missed(self._history, fold(room.name), at, before, most)

    def conversation(self, view: UserView, nick: str, count: int) -> Awaitable[Sequence[Private]]:
        """The last ``count`` private messages between the identified user and the account ``nick`` (``Offline``).

        Without a mailbox there are no accounts' private messages to read: NotIdentifiedError as for anyone unproven.
        """
        if self._offline is None:
            raise NotIdentifiedError(nick)
        return self._offline.conversation(view, nick, count, HISTORY_MOST)

    async def targets(self, view: UserView, after: float, before: float) -> list[tuple[str, float]]:
        """Where the user has history whose latest line was said after ``after`` and before ``before`` (seconds),
        with that line's time, oldest first: each room they are in, by its name, and, identified, each account
        they exchanged kept private messages with, by its nickname (IRC's CHATHISTORY TARGETS).

        Only the user's own: the rooms they may read, and their account's conversations, never another's.
        An account given up since is left out: it has no nickname to name it by; so is a conversation of the
        account's nickname before it was registered, a former owner's.
        """
        user = own(view)
        found: list[tuple[str, float]] = []
        for room in list(user.rooms.values()):
            last = await self._history.recent(fold(room.name), None, 1)
            if last and after < last[-1].at < before:
                found.append((room.name, last[-1].at))
        if user.account is not None and self._offline is not None:
            # What was said before the account was registered was a former owner's of its nickname.
            since = self._accounts.since(user.account)
            for other, at in await self._history.conversations(user.account, after, before):
                if at >= since and self._accounts.owner(other) == other:
                    found.append((self._accounts.nick(other), at))
        return sorted(found, key=lambda target: target[1])

    def account_nick(self, account: str) -> str:
        """The nickname of ``account`` as it was registered."""
        return self._accounts.nick(account)

    def forget(self, view: UserView) -> Awaitable[int]:
        """Delete every message the identified user's account sent (under its nickname, since it was registered);
        answers how many.

        Raises NotIdentifiedError: only an account proves whose lines they were; ForgetThrottledError within
        ``FORGET_EVERY`` of the account's last.
        """
        account = self.account(view)
        wait = self._forgets.wait(account, FORGET_EVERY)
        if wait:
            raise ForgetThrottledError(math.ceil(wait))
        self._forgets.take(account, FORGET_EVERY)
        # Only since the account was registered: lines of its nickname from before were a former owner's.
        return self._history.forget(self._accounts.nick(account), self._accounts.since(account))

    async def take_offline(self, view: UserView) -> Sequence[Private]:
        """The private messages kept for the identified user while offline, oldest first; gone from the mailbox.

        None without a mailbox. Raises NotIdentifiedError (chatd.domain.offline).
        """
        if self._offline is None:
            return ()
        return await self._offline.take(view)

    def check_address(self, address: str) -> None:
        """Raise BannedError if ``address`` is banned: a banned address is shown nothing of the chat."""
        rules.check_address(self._state, address_key(address), self._now())

    def online(self, nick: str) -> str:
        """The nickname of whoever is online as ``nick`` (in any case), as they show it."""
        return self._state.users.find(nick).nick

    def nickname(self, nick: str) -> str:
        """``nick`` as whoever is online as it shows it, or in normal form if nobody is: what a command on a
        nickname held or not (``/ignore``) names. Raises InvalidNicknameError for one nobody could take."""
        return self._state.users.named(nick, self.limits.nickname)[1]

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

    def ready_to_join(self, name: str) -> Awaitable[None] | None:
        """None if a join of room ``name`` can be made now; else what to await first (then ask again).

        A room that is not live is numbered on from its last ``seq``, which
        a store on disk holds in memory only for rooms used lately
        (chatd.storage.last_seqs): for another it reads the room's row, and
        the join waits for it, as a replay of the room's lines does. A name
        a join would refuse is refused here, as the join would.
        """
        return self._seam.seq_known(check_room_name(name, self.limits.room_name))

    def has_room(self, name: str) -> bool:
        """Whether a room called ``name`` (in any case) exists: with members, or a server's or registered one without."""
        return self._state.rooms.exists(name)

    def time(self) -> ServerTime:
        """The server's clock."""
        return ServerTime(self._now())


async def _all_kept(first: Awaitable[None], rest: Sequence[Awaitable[None]]) -> None:
    """Wait for ``first``, then each of ``rest``, whatever fails: each undoes itself if not kept, and must be
    awaited for it. Raises the first ChatError met (``first``'s before the others')."""
    refused: ChatError | None = None
    for change in (first, *rest):
        try:
            await change
        except ChatError as error:
            refused = refused or error
    if refused is not None:
        raise refused
