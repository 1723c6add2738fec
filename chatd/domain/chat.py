"""``Chat``: the one object front ends talk to, a thin facade over the chat's parts.

The parts: the state (users, rooms, bans: chatd.domain.state), the seam
every event leaves through (chatd.domain.publish), what everyone may do
(chatd.domain.talk), what operators and owners may do
(chatd.domain.moderation), deleting one line (chatd.domain.deletion), a room's settings, standing and invites
(chatd.domain.modes), what accounts let a user do
(chatd.domain.identity), whom files are offered to (chatd.domain.files), and the deadlines mutes and bans run out by
(chatd.domain.expiry); what a user may read of what the store kept (chatd.domain.reads), and the questions
anyone may ask of the chat as it is (chatd.domain.questions). At start it takes back what a store kept
(``Chat.restore``). ``Chat`` builds them around one clock, one history,
one bus and one store of accounts (and one of device keys: chatd.domain.keys,
chatd.domain.envelopes), and exposes their requests, reads and
questions as its own methods.
It does no I/O.
"""

import math
from collections.abc import Awaitable, Callable, Iterable, Sequence

from chatd.domain.crowds import Crowds
from chatd.domain.deletion import Deletion, sent_whole
from chatd.domain.envelopes import EncryptedMail
from chatd.domain.errors import ChatError, ForgetThrottledError, KeysNotKeptError
from chatd.domain.events import Event, RoomEvent, TopicChanged, TopicLocked
from chatd.domain.expiry import Deadlines
from chatd.domain.files import Files
from chatd.domain.flood import Budgets
from chatd.domain.identity import Identity
from chatd.domain.keys import KeyDirectory
from chatd.domain.limits import DEFAULT_LIMITS, Limits
from chatd.domain.moderation import Moderation, keep_running
from chatd.domain.modes import Modes
from chatd.domain.names import check_room_name
from chatd.domain.nickname_protection import Protection
from chatd.domain.offline import Offline
from chatd.domain.ports import Bus, Clock, UserView
from chatd.domain.publish import Publisher
from chatd.domain.questions import Questions
from chatd.domain.reads import Reads
from chatd.domain.registry import Registry
from chatd.domain.replies import Away, Kept
from chatd.domain.state import ChatState
from chatd.domain.storage_ports import Accounts, History, KeyStore, Mailbox, RoomStore
from chatd.domain.talk import Talk
from chatd.domain.users import User, own

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
        reads = Reads(self._state, history, accounts, self._offline)
        self.history = reads.history
        self.history_at_hand = reads.history_at_hand
        self.history_around = reads.history_around
        self.history_before = reads.history_before
        self.history_after = reads.history_after
        self.history_beside = reads.history_beside
        self.history_between = reads.history_between
        self.search = reads.search
        self.searchable = reads.searchable
        self.search_private = reads.search_private
        self.private_searchable = reads.private_searchable
        self.missed = reads.missed
        self.conversation = reads.conversation
        self.targets = reads.targets
        self.take_offline = reads.take_offline
        questions = Questions(self._state, self._crowds, clock.seconds, limits)
        self.members = questions.members
        self.crowded = questions.crowded
        self.topic = questions.topic
        self.rooms = questions.rooms
        self.room_summary = questions.room_summary
        self.users = questions.users
        self.headcount = questions.headcount
        self.check_address = questions.check_address
        self.online = questions.online
        self.nickname = questions.nickname
        self.departed = questions.departed
        self.account_of = questions.account_of
        self.has_room = questions.has_room
        self.time = questions.time
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

    def ready_to_join(self, name: str) -> Awaitable[None] | None:
        """None if a join of room ``name`` can be made now; else what to await first (then ask again).

        A room that is not live is numbered on from its last ``seq``, which
        a store on disk holds in memory only for rooms used lately
        (chatd.storage.last_seqs): for another it reads the room's row, and
        the join waits for it, as a replay of the room's lines does. A name
        a join would refuse is refused here, as the join would.
        """
        return self._seam.seq_known(check_room_name(name, self.limits.room_name))


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
