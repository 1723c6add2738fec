"""Registered rooms: an identified owner keeps a room across restarts, and names its room operators.

``/register #room`` turns a room its asker may moderate today (its maker,
or an operator) into a registered one, owned by the asker's account; from
then on the room outlives its members (chatd.domain.rooms) and its owner
names room operators, by account, who may kick and lock or set the topic
there as the owner may. Only the owner (or a server operator) names or
drops operators and gives the room up. The server's rooms are nobody's to
register. Each change is one room event through the seam, so every member
sees it, and the ``RoomStore`` port keeps it; the store's ``Awaitable``
fires once it is kept.

A change is made in memory and shown at once; if the store then cannot
keep it (a full disk), it is undone (chatd.domain.registration_changes).

A registered room's settings (chatd.domain.room_settings.RoomSettings) are kept
with it: the room's as it is registered, and each change of them
(``keep_settings``, which chatd.domain.modes calls) the same way. The
store is given each ``/mode``'s changes, not the settings they lead to,
and applies them to what it keeps: so one refused, whatever becomes of
those around it, is in neither the store nor (once put back) memory,
and its asker alone is told; one kept stays, though an earlier one was
refused.

A server's room keeps its settings the same way, with no registration: a
host's ``/mode #maths +m`` is there after the class left and after a
restart. Here it is noted as a registration owned by no account
(chatd.domain.registration_changes), which nothing changes but its
settings; the store keeps them apart from the registered rooms'
(``RoomStore.server_settings``), and the chat takes back, at start, those
of the rooms that are the server's then.
"""

from collections.abc import Awaitable, Callable
from dataclasses import replace

from chatd.domain import rules
from chatd.domain.errors import (
    NoAccountError,
    NotIdentifiedError,
    NotOwnerError,
    RoomNotRegisteredError,
    RoomRegisteredError,
    RoomUnownedError,
    ServerRoomError,
    TooManyRegisteredRoomsError,
)
from chatd.domain.events import (
    ModeChange,
    RoomOperatorAdded,
    RoomOperatorRemoved,
    RoomRegistered,
    RoomUnregistered,
)
from chatd.domain.ports import UserView
from chatd.domain.publish import Publisher
from chatd.domain.registration_changes import RegistrationChanges
from chatd.domain.room_settings import STANDING
from chatd.domain.rooms import RegisteredRoom, Registration, Room
from chatd.domain.state import ChatState
from chatd.domain.storage_ports import Accounts, RoomStore
from chatd.domain.users import User, own
from chatd.text import fold


class Registry:
    """Requests on registered rooms; each checks who asks first, and changes nothing if refused."""

    def __init__(
        self,
        state: ChatState,
        seam: Publisher,
        store: RoomStore,
        accounts: Accounts,
        now: Callable[[], float],
        most: int,
    ) -> None:
        self._state = state
        self._seam = seam
        self._store = store
        self._accounts = accounts
        self._now = now
        self._most = most
        """Rooms one account may register, bar a server operator's (``Limits.registered_rooms``)."""
        self._changes = RegistrationChanges(state, seam)

    def restore(self) -> None:
        """Bring back the rooms the store keeps registered, before anyone connects."""
        for kept in self._store.registered():
            registration = Registration(kept.name, kept.owner, set(kept.operators))
            self._state.rooms.register(fold(kept.name), registration)
            self._state.rooms.keep_settings(fold(kept.name), kept.settings)
        for key, settings in self._store.server_settings().items():
            # A room the host no longer names with --room keeps its row, unused: named again, it has them back.
            if self._state.rooms.is_server(key):
                self._state.rooms.keep_settings(key, settings)

    def register_room(self, view: UserView, name: str) -> Awaitable[None]:
        """Register room ``name`` to the asker's account; they must be identified, in it, and own it today (or be
        an operator): a room nobody owns, unregistered or left by its maker, only an operator may register."""
        by = own(view)
        if by.account is None:
            raise NotIdentifiedError()
        room = self._state.rooms.membership(by, name)
        key = fold(room.name)
        if self._state.rooms.is_server(key):
            raise ServerRoomError(room.name)
        if room.registration is not None:
            raise RoomRegisteredError(room.name, room.registration.owner)
        if room.owner is None and not by.operator:
            # Not require_owner's not-operator, which reads as if the asker lacked a rank: the room lost its
            # owner (docs/PROTOCOL.md, /unregister), and a member's @ there is no claim to it.
            raise RoomUnownedError(room.name)
        rules.require_owner(by, room)
        owner = by.account
        if not by.operator and self._owned_by(owner) >= self._most:
            raise TooManyRegisteredRoomsError(self._most)
        settings = self._state.rooms.settings(key)
        written = self._store.register(key, room.name, owner, self._now(), settings)
        answered = self._changes.changed(
            by, key, room.name, lambda _: RegisteredRoom(room.name, owner, settings=settings), written
        )
        id, at = self._seam.stamp()
        event = RoomRegistered(id=id, at=at, actor=by.actor, room=room.name, seq=room.seq + 1, account=owner)
        self._seam.publish(event, _room_and(self._state, by, key))
        return answered

    def unregister_room(self, view: UserView, name: str) -> Awaitable[None]:
        """Give registered room ``name`` up; its owner (or an operator) only, whether or not anyone is in it."""
        by = own(view)
        registration = self._owned(by, name)
        key = fold(registration.name)
        shown = self._shown(key, registration)
        answered = self._changes.changed(by, key, shown, lambda _: None, self._store.unregister(key))
        id, at = self._seam.stamp()
        event = RoomUnregistered(id=id, at=at, actor=by.actor, room=shown, seq=self._seam.next_seq(shown))
        self._seam.publish(event, _room_and(self._state, by, key))
        return answered

    def add_operator(self, view: UserView, name: str, nick: str) -> Awaitable[None] | None:
        """Make the account of ``nick`` an operator of registered room ``name``; its owner (or an operator) only.

        ``nick``'s account is whoever is identified online as it, else the
        account that registered it (so someone offline may be named).
        None if the account is already one: nothing changes.
        """
        return self._name_operator(view, name, nick, True)

    def remove_operator(self, view: UserView, name: str, nick: str) -> Awaitable[None] | None:
        """Take the account of ``nick`` off the operators of registered room ``name``; as ``add_operator``.

        None if that account is not one: nothing changes.
        """
        return self._name_operator(view, name, nick, False)

    def drop_account(self, by: User, account: str) -> list[Awaitable[None]]:
        """The account ``account`` is given up (``/unregister PASSWORD`` by its user ``by``, or an operator's ``/account
        drop``): the rooms it owns are unregistered and it is taken off the operators of the others, each change an
        event and a store change as ``/unregister #room`` and ``/deop`` make them, by ``by``, while it is still
        registered.

        Rooms are kept by account name, and the nickname is anyone's once given up: left as they were, whoever
        registered it next owned the rooms and operated the others. Each result is to be awaited, as
        ``unregister_room``'s is.
        """
        online = self._state.users.by_account.get(account)
        nick = self._accounts.nick(account) if online is None else online.nick
        changes: list[Awaitable[None]] = []
        for key, registration in list(self._state.rooms.registered.items()):
            if registration.owner == account:
                changes.append(self.unregister_room(by, registration.name))
            elif account in registration.operators:
                # The standing bob holds in the room now stays until he leaves, as a room given up leaves its
                # members theirs: what goes is the account's claim to it at every join.
                changes.append(
                    self._operator_changed(by, key, registration, account, nick, False, standing=False)
                )
        return changes

    def _name_operator(self, view: UserView, name: str, nick: str, add: bool) -> Awaitable[None] | None:
        """Add (``add``) or remove the account of ``nick`` as an operator of room ``name``: one event, one change kept."""
        by = own(view)
        registration = self._owned(by, name)
        account, shown_nick = self._account_of(nick)
        if (account in registration.operators) == add:
            return None
        return self._operator_changed(by, fold(registration.name), registration, account, shown_nick, add)

    def _operator_changed(
        self,
        by: User,
        key: str,
        registration: Registration,
        account: str,
        shown_nick: str,
        add: bool,
        *,
        standing: bool = True,
    ) -> Awaitable[None]:
        """Add (``add``) or remove ``account`` (shown as ``shown_nick``) as an operator of room ``key``, asked by
        ``by``, whose right to was checked; ``standing``: its user in the room gets or loses the standing too."""
        shown = self._shown(key, registration)
        store_change = self._store.add_operator if add else self._store.remove_operator

        def change(kept: RegisteredRoom | None) -> RegisteredRoom | None:
            if kept is None:
                return None
            return replace(kept, operators=kept.operators | {account} if add else kept.operators - {account})

        answered = self._changes.changed(by, key, shown, change, store_change(key, account))
        room = self._state.rooms.by_key.get(key)
        member = None if room is None else room.members.get(fold(shown_nick))
        id, at = self._seam.stamp()
        kind = RoomOperatorAdded if add else RoomOperatorRemoved
        event = kind(
            id=id,
            at=at,
            actor=by.actor,
            room=shown,
            seq=self._seam.next_seq(shown),
            nick=shown_nick,
            account=account,
            member=standing and member is not None and member.account == account,
        )
        self._seam.publish(event, _room_and(self._state, by, key))
        return answered

    def keep_settings(
        self, by: User, room: Room, changes: tuple[ModeChange, ...], at: float
    ) -> Awaitable[None] | None:
        """Keep what ``changes`` by ``by`` at ``at`` make of registered or server's ``room``'s settings, before the
        chat makes them; None if the room is neither or its settings stay as they are (standing alone changed).

        The result is to be awaited, as ``register_room``'s is.
        """
        key = fold(room.name)
        registered = key in self._state.rooms.registered
        if not registered and not self._state.rooms.is_server(key):
            return None
        kept_changes = tuple(change for change in changes if change.setting not in STANDING)
        if not kept_changes:
            return None

        def change(kept: RegisteredRoom | None) -> RegisteredRoom | None:
            # The store applies these same changes to what it keeps (RoomStore.change_settings), however
            # the changes before them fare, so the registration as kept is computed the same way.
            return (
                None
                if kept is None
                else replace(kept, settings=kept.settings.changed(kept_changes, by.nick, at))
            )

        written = self._store.change_settings(key, kept_changes, by.nick, at, server=not registered)
        return self._changes.changed(by, key, room.name, change, written, settings=True)

    def _owned_by(self, account: str) -> int:
        """How many rooms ``account`` owns: a walk of every registration, as rare as ``/register #room`` is."""
        return sum(
            1 for registration in self._state.rooms.registered.values() if registration.owner == account
        )

    def _owned(self, by: User, name: str) -> Registration:
        """The registration of room ``name``, if ``by`` owns it (or is an operator); raises otherwise."""
        key = fold(name)
        registration = self._state.rooms.registered.get(key)
        if registration is None:
            # A server's room with nobody in it is a room all the same (``seen``): no-such-room only for none. It
            # has no owner nor room operators, and never will: server operators keep its order.
            room = self._state.rooms.seen(name)
            if self._state.rooms.is_server(key):
                raise ServerRoomError(room.name)
            raise RoomNotRegisteredError(room.name, owned=room.owner is not None)
        if not by.operator and by.account != registration.owner:
            raise NotOwnerError(registration.name)
        return registration

    def _shown(self, key: str, registration: Registration) -> str:
        """The room's name as its members see it now, or as registered while nobody is in it."""
        room = self._state.rooms.by_key.get(key)
        return registration.name if room is None else room.name

    def _account_of(self, nick: str) -> tuple[str, str]:
        """The account of ``nick`` and the nickname to show: its user's, online under whatever nickname (who the
        standing goes to, so what IRC's MODE names), else the account's own; raises NoAccountError if none.

        An account whose nickname only looks like ``nick`` is named in the
        refusal, not taken: a capital I looks like l, so ``/op alice`` could
        give a room to the impostor who registered ``AIice``.
        """
        key = fold(nick)
        user = self._state.users.by_key.get(key)
        if user is not None and user.account is not None:
            return user.account, user.nick
        account = self._accounts.owner(nick)
        if account != key:
            raise NoAccountError(nick, None if account is None else self._accounts.nick(account))
        online = self._state.users.by_account.get(account)
        return account, self._accounts.nick(account) if online is None else online.nick


def _room_and(state: ChatState, user: User, key: str) -> list[User]:
    """The members of room ``key`` (none if nobody is in it), and ``user`` once whether or not a member."""
    room = state.rooms.by_key.get(key)
    members = [] if room is None else list(room.members.values())
    return members if user in members else [*members, user]
