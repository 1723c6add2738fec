"""What accounts let a user do: register, identify, change the password, give it up.

A user registers the nickname they hold (``register_account``), proves an
account with its password (``identify``: the front end checks the
password, off the reactor thread, and the chat records the result),
changes its password, or gives it up. An operator may give any account a
new password (``set_password``: for its owner who forgot theirs) or give
it up (``drop``), its owner online or not. Whoever has not proved an account
cannot take its nickname, nor one that looks like it: that check, which
``Talk`` asks at every nickname taken, is chatd.domain.nickname_protection.

One account is one user online: proving it from a second connection adds
that connection to the user's sessions (``Users.attach``) rather than
making a second user. The chat keeps no password nor hash: the Accounts
port does, and the front end hashes and checks.

Each change of the account a user is identified to (registered, proved,
given up, or not kept) is told to them and everyone who shares a room
with them, so a front end can keep who is who (IRC's account-notify);
a second connection proving an account already online changes nothing
for the others, and only its user is told.
"""

import math
from collections.abc import Awaitable, Callable

from chatd.domain.crowds import Crowds
from chatd.domain.errors import (
    AccountNotKeptError,
    AccountsFullError,
    AlreadyIdentifiedError,
    IdentifyFailedError,
    NicknameRegisteredError,
    NotIdentifiedError,
    RegisterThrottledError,
    UnknownAccountError,
)
from chatd.domain.events import (
    CHAT,
    AccountDropped,
    AccountNotDropped,
    AccountNotKept,
    AccountRegistered,
    Actor,
    Identified,
    ModeChange,
    NickChanged,
    PasswordChanged,
    PasswordSet,
    RoomModesChanged,
    Setting,
)
from chatd.domain.flood import Budgets
from chatd.domain.names import look
from chatd.domain.networks import counted_as
from chatd.domain.ports import Session, UserView
from chatd.domain.publish import Publisher
from chatd.domain.rules import require_operator
from chatd.domain.state import ChatState
from chatd.domain.storage_ports import Accounts
from chatd.domain.talk import Talk
from chatd.domain.users import User, own
from chatd.text import fold

AccountEvent = AccountRegistered | Identified | AccountDropped | AccountNotKept | AccountNotDropped
"""A change of which account a user is identified to: told to them and their roommates (``Identity._publish``)."""

GUEST = "Guest"
"""The start of the nickname given to someone who held a registered nickname when its owner identified."""


class Identity:
    """The requests about accounts: register, identify, change the password, unregister.

    ``talk`` brings a user online identified, renames them to their
    account's nickname, or takes offline the user a connection leaves for
    the account's.
    """

    def __init__(
        self,
        state: ChatState,
        seam: Publisher,
        accounts: Accounts,
        now: Callable[[], float],
        talk: Talk,
        crowds: Crowds,
        accounts_per_hour: int,
        most_accounts: int,
    ) -> None:
        self._state = state
        self._seam = seam
        self._accounts = accounts
        self._now = now
        self._talk = talk
        self._crowds = crowds
        self._guests = 0
        self._most_accounts = most_accounts
        """``Limits.accounts``: how many accounts the server keeps in all."""
        self._registrations = Budgets(accounts_per_hour / 3600, accounts_per_hour, now)
        """Accounts registered by each host lately (an IPv6 address's /64, chatd.domain.networks):
        ``Limits.accounts_per_hour``."""

    def check_registrable(self, view: UserView) -> User:
        """The user, if they may register the nickname they hold: not identified yet, it is nobody's, their
        address has registered fewer accounts lately than ``Limits.accounts_per_hour`` allows, and the server
        keeps fewer than ``Limits.accounts`` (AccountsFullError).

        Front ends ask before hashing the password, so a refused registration costs no hash.
        """
        user = own(view)
        if user.account is not None:
            raise AlreadyIdentifiedError(self._accounts.nick(user.account))
        owner = self._accounts.owner(user.nick)
        if owner is not None:
            raise NicknameRegisteredError(user.nick, self._accounts.nick(owner))
        wait = self._registrations.wait(counted_as(user.address))
        if wait:
            raise RegisterThrottledError(math.ceil(wait))
        if self._accounts.count() >= self._most_accounts:
            raise AccountsFullError(self._most_accounts)
        return user

    def register_account(self, view: UserView, hashed: str) -> Awaitable[None]:
        """Register the user's nickname with the password hash ``hashed``, and identify them to it.

        Fires once the account is kept; in the meantime its nickname is
        protected already. If the store cannot keep it, the user is
        identified to nothing again and it fails with AccountNotKeptError.
        """
        user = self.check_registrable(view)
        account = fold(user.nick)
        self._registrations.take(counted_as(user.address))
        written = self._accounts.create(user.nick, hashed, self._now())
        id, at = self._seam.stamp()
        self._publish(AccountRegistered(id=id, at=at, actor=user.actor, account=account), user)
        return self._kept(written, account, lambda: self._not_registered(user, account))

    def is_registered(self, nick: str) -> bool:
        """Whether ``nick`` (in any case) is an account's nickname."""
        return self._accounts.owner(nick) == fold(nick)

    def password_hash(self, nick: str) -> Awaitable[str | None]:
        """The password hash of the account ``nick`` (any case), for the front end to check; None if none."""
        return self._accounts.password(fold(nick))

    def account(self, view: UserView) -> str:
        """The account the user is identified to; raises NotIdentifiedError."""
        account = own(view).account
        if account is None:
            raise NotIdentifiedError()
        return account

    def change_password(self, view: UserView, hashed: str) -> Awaitable[None]:
        """Give the user's account the password hash ``hashed`` (the front end checked the old password)."""
        user = own(view)
        account = self.account(user)
        return self._password_changed(self._accounts.change(account, hashed), user.actor, account)

    async def _password_changed(self, written: Awaitable[None], actor: Actor, account: str) -> None:
        """Once the new hash is kept, say so (the audit log reads it): a change not kept never happened."""
        await self._kept(written, account)
        id, at = self._seam.stamp()
        self._seam.publish(PasswordChanged(id=id, at=at, actor=actor, account=account))

    def registered_account(self, view: UserView, nick: str) -> str:
        """The account whose nickname is ``nick`` (any case), for operator ``view`` to act on in its owner's stead.

        Raises NotOperatorError for anyone else, and UnknownAccountError if
        no account has the nickname, naming the one that looks like it, if
        one does, which is never acted on in its stead. Front ends ask
        before hashing a new password, so a refusal costs no hash.
        """
        require_operator(own(view))
        owner = self._accounts.owner(nick)
        if owner != fold(nick):
            raise UnknownAccountError(nick, None if owner is None else self._accounts.nick(owner))
        return owner

    def set_password(self, view: UserView, nick: str, hashed: str) -> Awaitable[None]:
        """Operator ``view`` gives the account ``nick`` the password hash ``hashed`` (``registered_account`` checks).

        Its sessions identified now stay so. Once the hash is kept, its user,
        if online, is told who set it (``PasswordSet``, which the audit log
        reads too); a hash not kept changes nothing (AccountNotKeptError).
        """
        account = self.registered_account(view, nick)
        return self._password_set(self._accounts.change(account, hashed), own(view).actor, account)

    async def _password_set(self, written: Awaitable[None], actor: Actor, account: str) -> None:
        await self._kept(written, account)
        holder = self._state.users.by_account.get(account)
        id, at = self._seam.stamp()
        self._seam.publish(
            PasswordSet(id=id, at=at, actor=actor, account=account), () if holder is None else (holder,)
        )

    def drop(self, by: User, account: str) -> Awaitable[None]:
        """Unregister ``account``: by its user (the front end checked its password), who keeps the nickname,
        unprotected; or by operator ``by`` in their stead (``registered_account`` checked), online or not.

        Its user online, if any, is identified to none at once and told, as
        their roommates are; if the store cannot forget it, they are
        identified to it again (``AccountNotDropped``) and it fails with
        AccountNotKeptError. With nobody online as it, the change is told
        (to the bus: the audit log) once the store has kept it, naming the
        account's nickname as registered.
        """
        holder = self._state.users.by_account.get(account)
        operator = None if by is holder else by.actor
        if holder is None:
            offline = Actor(self._accounts.nick(account), account=account)
            return self._dropped_offline(self._accounts.delete(account), offline, account, operator)
        written = self._accounts.delete(account)
        id, at = self._seam.stamp()
        self._publish(
            AccountDropped(id=id, at=at, actor=holder.actor, account=account, operator=operator), holder
        )
        return self._kept(written, account, lambda: self._still_registered(holder, account))

    async def _dropped_offline(
        self, written: Awaitable[None], actor: Actor, account: str, operator: Actor | None
    ) -> None:
        """Once the store has forgotten ``account``, which nobody is online as, say so; a change not kept never
        happened."""
        await self._kept(written, account)
        id, at = self._seam.stamp()
        self._seam.publish(AccountDropped(id=id, at=at, actor=actor, account=account, operator=operator))

    async def _kept(
        self, written: Awaitable[None], account: str, undo: Callable[[], None] = lambda: None
    ) -> None:
        """Wait for the store to keep a change to ``account``; if it cannot, ``undo`` what the chat did, and refuse.

        The store logs why it failed and takes back what it holds in
        memory; the user is told that nothing changed (AccountNotKeptError).
        """
        try:
            await written
        except Exception:
            undo()
            raise AccountNotKeptError(account) from None

    def _not_registered(self, user: User, account: str) -> None:
        """The new account ``account`` was not kept: its user, if still identified to it, is to nothing."""
        if user.online and user.account == account:
            id, at = self._seam.stamp()
            self._publish(AccountNotKept(id=id, at=at, actor=user.actor, account=account), user)

    def _still_registered(self, user: User, account: str) -> None:
        """Unregistering ``account`` was not kept: its user, if still holding its nickname, is identified again.

        Told to every connection of theirs (each was told the account was given up) and their roommates, as the
        unregistering was: ``AccountNotDropped``, not ``Identified``, which a connection proving an account
        online is told and its others are not.
        """
        if user.online and user.account is None and self._accounts.owner(user.nick) == account:
            id, at = self._seam.stamp()
            self._publish(AccountNotDropped(id=id, at=at, actor=user.actor, account=account), user)

    def nick_once_identified(self, nick: str) -> str:
        """The nickname a connection that proved the account ``nick`` (any case) will have once ``identify`` runs:
        its user's, if the account is online (the connection joins them), else the account's as registered.

        What IRC's 900 names before registration ends; raises KeyError if ``nick`` is no account.
        """
        holder = self._state.users.by_account.get(fold(nick))
        return holder.nick if holder is not None else self._accounts.nick(fold(nick))

    def identify(
        self,
        session: Session,
        view: UserView | None,
        nick: str,
        address: str,
    ) -> UserView:
        """The user ``session`` belongs to once it proved the account ``nick`` (the front end checked the password).

        ``view`` is the session's user, None before it has a nickname. If
        the account's user is online, the session becomes one more of
        theirs (and its own user, if any, quits). Otherwise the session's
        user (or a new one, from ``address``) is identified and takes the
        account's nickname; someone else holding it is renamed to a guest's
        first.
        Raises IdentifyFailedError if the account was given up meanwhile.
        """
        account = fold(nick)
        if not self.is_registered(nick):
            raise IdentifyFailedError(nick)
        users = self._state.users
        holder = users.by_account.get(account)
        if view is not None and holder is not None and own(view) is holder:
            raise AlreadyIdentifiedError(self._accounts.nick(account))
        if holder is not None:
            if view is not None:
                self._talk.quit(view)
            users.attach(holder, session)
            # One more connection of an account online: nothing changed for anyone else, so only its user is told.
            id, at = self._seam.stamp()
            self._seam.publish(Identified(id=id, at=at, actor=holder.actor, account=account), (holder,))
            return holder
        registered = self._accounts.nick(account)
        if view is None:
            self._take_over(registered, None)
            user = own(self._talk.register(session, registered, address, account))
        else:
            user = own(view)
            if user.nick != registered:
                self._take_over(registered, user)
        self._identified(user, account)
        if user.nick != registered:
            self._talk.rename(user, registered)
        self._give_standing(user, account)
        return user

    def _give_standing(self, user: User, account: str) -> None:
        """In each room ``user`` is in whose registration names ``account``, the operator standing a join there
        would have given (``Rooms.standing_on_entry``), as a change the chat makes (``CHAT``): every front end
        marks it as after any mode change, and their authority there needs no rejoin to show."""
        for room in list(user.rooms.values()):
            registration = room.registration
            if registration is None or not registration.moderates(account) or user in room.operators:
                continue
            id, at = self._seam.stamp()
            change = ModeChange(Setting.OPERATOR, True, user.nick)
            event = RoomModesChanged(
                id=id, at=at, actor=CHAT, room=room.name, seq=room.seq + 1, changes=(change,)
            )
            self._seam.publish_in(event, room)

    def _identified(self, user: User, account: str) -> None:
        id, at = self._seam.stamp()
        self._publish(Identified(id=id, at=at, actor=user.actor, account=account), user)

    def _publish(self, event: AccountEvent, user: User) -> None:
        """Publish ``event``, a change of ``user``'s account, to them and everyone who shares a room with them.

        So a front end can show who is identified to what as it changes
        (IRC's account-notify); the line front end shows none of these.
        """
        self._seam.publish(event, (user,), self._crowds.neighbours(user))

    def _take_over(self, nick: str, user: User | None) -> None:
        """Rename whoever else holds ``nick`` (or a nickname that looks like it) to a guest's nickname."""
        users = self._state.users
        holder = users.by_key.get(fold(nick)) or users.by_look.get(look(nick))
        if holder is None or holder is user:
            return
        id, at = self._seam.stamp()
        event = NickChanged(id=id, at=at, actor=holder.actor, new=self._guest())
        self._seam.publish(event, (holder,), self._crowds.renaming(holder))

    def _guest(self) -> str:
        """A nickname nobody holds, registered by nobody: Guest1, Guest2, ..."""
        users = self._state.users
        while True:
            self._guests += 1
            nick = f"{GUEST}{self._guests}"
            key = fold(nick)
            if (
                key not in users.by_key
                and look(nick) not in users.by_look
                and self._accounts.owner(nick) is None
            ):
                return nick
