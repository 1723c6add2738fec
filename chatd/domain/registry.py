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
"""

from collections.abc import Awaitable, Callable

from chatd.domain import rules
from chatd.domain.errors import (
    NoAccountError,
    NoSuchRoomError,
    NotIdentifiedError,
    NotOwnerError,
    RoomNotRegisteredError,
    RoomRegisteredError,
    ServerRoomError,
)
from chatd.domain.events import RoomOperatorAdded, RoomOperatorRemoved, RoomRegistered, RoomUnregistered
from chatd.domain.ports import Accounts, RoomStore, UserView
from chatd.domain.publish import Publisher
from chatd.domain.rooms import Registration
from chatd.domain.state import ChatState
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
    ) -> None:
        self._state = state
        self._seam = seam
        self._store = store
        self._accounts = accounts
        self._now = now

    def restore(self) -> None:
        """Bring back the rooms the store keeps registered, before anyone connects."""
        for kept in self._store.registered():
            registration = Registration(kept.name, kept.owner, set(kept.operators))
            self._state.rooms.register(fold(kept.name), registration)

    def register_room(self, view: UserView, name: str) -> Awaitable[None]:
        """Register room ``name`` to the asker's account; they must be identified, in it, and moderate it today."""
        by = own(view)
        if by.account is None:
            raise NotIdentifiedError()
        room = self._state.rooms.membership(by, name)
        key = fold(room.name)
        if self._state.rooms.is_server(key):
            raise ServerRoomError(room.name)
        if room.registration is not None:
            raise RoomRegisteredError(room.name, room.registration.owner)
        rules.require_owner(by, room)
        written = self._store.register(key, room.name, by.account, self._now())
        id, at = self._seam.stamp()
        event = RoomRegistered(
            id=id, at=at, actor=by.actor, room=room.name, seq=room.seq + 1, account=by.account
        )
        self._seam.publish(event, _room_and(self._state, by, key))
        return written

    def unregister_room(self, view: UserView, name: str) -> Awaitable[None]:
        """Give registered room ``name`` up; its owner (or an operator) only, whether or not anyone is in it."""
        by = own(view)
        registration = self._owned(by, name)
        key = fold(registration.name)
        written = self._store.unregister(key)
        id, at = self._seam.stamp()
        shown = self._shown(key, registration)
        event = RoomUnregistered(id=id, at=at, actor=by.actor, room=shown, seq=self._seam.next_seq(shown))
        self._seam.publish(event, _room_and(self._state, by, key))
        return written

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

    def _name_operator(self, view: UserView, name: str, nick: str, add: bool) -> Awaitable[None] | None:
        """Add (``add``) or remove the account of ``nick`` as an operator of room ``name``: one event, one change kept."""
        by = own(view)
        registration = self._owned(by, name)
        account, shown_nick = self._account_of(nick)
        if (account in registration.operators) == add:
            return None
        key = fold(registration.name)
        change = self._store.add_operator if add else self._store.remove_operator
        written = change(key, account)
        id, at = self._seam.stamp()
        shown = self._shown(key, registration)
        kind = RoomOperatorAdded if add else RoomOperatorRemoved
        event = kind(
            id=id,
            at=at,
            actor=by.actor,
            room=shown,
            seq=self._seam.next_seq(shown),
            nick=shown_nick,
            account=account,
        )
        self._seam.publish(event, _room_and(self._state, by, key))
        return written

    def _owned(self, by: User, name: str) -> Registration:
        """The registration of room ``name``, if ``by`` owns it (or is an operator); raises otherwise."""
        key = fold(name)
        registration = self._state.rooms.registered.get(key)
        if registration is None:
            if key not in self._state.rooms.by_key:
                raise NoSuchRoomError(name)
            raise RoomNotRegisteredError(self._state.rooms.by_key[key].name)
        if not by.operator and by.account != registration.owner:
            raise NotOwnerError(registration.name)
        return registration

    def _shown(self, key: str, registration: Registration) -> str:
        """The room's name as its members see it now, or as registered while nobody is in it."""
        room = self._state.rooms.by_key.get(key)
        return registration.name if room is None else room.name

    def _account_of(self, nick: str) -> tuple[str, str]:
        """The account of ``nick`` and the nickname to show; raises NoAccountError if it has none."""
        user = self._state.users.by_key.get(fold(nick))
        if user is not None and user.account is not None:
            return user.account, user.nick
        account = self._accounts.owner(nick)
        if account is None:
            raise NoAccountError(nick)
        return account, self._accounts.nick(account)


def _room_and(state: ChatState, user: User, key: str) -> list[User]:
    """The members of room ``key`` (none if nobody is in it), and ``user`` once whether or not a member."""
    room = state.rooms.by_key.get(key)
    members = [] if room is None else list(room.members.values())
    return members if user in members else [*members, user]
