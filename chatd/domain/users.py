"""Who is online: users by folded nickname, each with their sessions.

No two users online hold nicknames with the same key (``chatd.text.fold``:
case and width) or the same look (``chatd.domain.names.look``: Unicode's
confusables skeleton), so nobody can pass for someone else.

A ``User`` belongs to the chat: front ends see it as a read-only
``UserView`` and the chat changes it only by applying events
(chatd.domain.state). A user may hold several sessions (two browser tabs, a
phone and a terminal): each further one proved the account the user is
identified to (``account``); everyone else has exactly one.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chatd.domain.errors import NicknameInUseError, NicknameLookAlikeError, NoSuchNicknameError
from chatd.domain.events import Actor
from chatd.domain.listing import SortedKeys
from chatd.domain.names import check_nickname, look
from chatd.domain.ports import Audience, Session, UserView
from chatd.text import fold

if TYPE_CHECKING:
    from chatd.domain.events import Private
    from chatd.domain.rooms import Room

INVITES_KEPT = 20
"""The most invites one user holds; a new one past that drops the oldest, so invites cannot pile up."""


@dataclass(eq=False, slots=True)
class User:
    """Someone online, and the snapshot (``actor``) their events carry."""

    nick: str
    address: str = ""
    """Where the user connects from, as bans compare it; empty for the host's console."""
    actor: Actor = field(init=False)
    look: str = field(init=False)
    """The look of ``nick`` (chatd.domain.names.look, the key of a mute or a nickname ban on it), worked out
    once when the nickname is taken: rules and room masks read it at every line said."""
    session: Session = field(init=False)
    """The user's first session, set when the chat attaches it."""
    account: str | None = None
    """The account the user proved (its folded nickname) with its password; None if not identified."""
    more: tuple[Session, ...] = ()
    """Any later sessions, oldest first: empty (and so free) while a user has one, as most do."""
    rooms: dict[str, "Room"] = field(default_factory=dict)
    """The rooms this user is in, by folded name, in the order joined."""
    online: bool = True
    operator: bool = False
    """Granted once a front end checked that the user is one (a password, the console)."""
    away: str = ""
    """Told to whoever sends them a private message; empty when not away."""
    kicked_from: dict[str, float] = field(default_factory=dict)
    """Rooms (by folded name) the user was kicked from, each with when they may join it again."""
    kept: tuple["Private", ...] = ()
    """The private messages kept for the account while it was offline, handed over when it came online: each
    connection that proves the account while it stays online is shown them too (chatd.domain.offline). Like
    the sessions, the daemon's own business, not what events say; gone with the user."""
    named_at: float = 0.0
    """When the user took their nickname (seconds; a change of its case alone keeps it): what a guest said under it
    since is provably theirs, what it said before may have been someone else's (``/delete``)."""
    invited: dict[str, float] = field(default_factory=dict)
    """Rooms (by folded name) the user was invited to, each with when, oldest first: each lets them join
    that room past invite-only once, and goes with that join (at most ``INVITES_KEPT``)."""

    def __post_init__(self) -> None:
        self.actor = Actor(self.nick, self.address, self.account)
        self.look = look(self.nick)

    @property
    def sessions(self) -> tuple[Session, ...]:
        """Every connection the user's events go to, oldest first (none in the moment between coming online and its first)."""
        return (self.session, *self.more) if hasattr(self, "session") else ()

    def renamed(self, nick: str) -> None:
        """Take the nickname ``nick``, its look, and a snapshot that says so."""
        self.nick = nick
        self.look = look(nick)
        self.actor = Actor(nick, self.address, self.account)

    def moved(self, address: str) -> None:
        """Connect from ``address`` now (``address_key``'s form), and a snapshot that says so."""
        self.address = address
        self.actor = Actor(self.nick, address, self.account)

    def identified(self, account: str | None) -> None:
        """Be identified to ``account`` (None: to none), and a snapshot that says so."""
        self.account = account
        self.actor = Actor(self.nick, self.address, account)


class Users:
    """Everyone online by folded nickname, and how many sessions each front end has."""

    def __init__(self) -> None:
        self.by_key: dict[str, User] = {}
        self.order = SortedKeys()
        """The keys of ``by_key``, sorted, for listings."""
        self.by_look: dict[str, User] = {}
        """Everyone online by the look of their nickname: ``check_free`` keeps each look one user's."""
        self.by_account: dict[str, User] = {}
        """Everyone online identified to an account, by the account: one user per account."""
        self.audiences: Counter[Audience] = Counter()
        """The front ends of the sessions online, each with how many it has."""
        self.several = 0
        """How many users online hold more than one session; while none does, each has only ``session``."""
        self.operators = 0
        """How many users online are operators: IRC's LUSERS asks at every registration, so it is kept, not counted."""
        self.most = 0
        """The most users that were online at once since the daemon started (IRC's LUSERS says it)."""

    def find(self, nick: str) -> User:
        """Whoever is online as ``nick`` (in any case); raises NoSuchNicknameError."""
        user = self.by_key.get(fold(nick))
        if user is None:
            raise self.missing(nick)
        return user

    def missing(self, nick: str) -> NoSuchNicknameError:
        """The refusal of a request naming ``nick``, which nobody online holds: it names whoever holds a nickname
        that looks like it (``zed`` with a Cyrillic e, for ``zed``), so a teacher reading "zed" in the member
        list learns why ``/kick zed`` found nobody (the class trial's F4).

        Only named: a capital I looks like l, so acting on the look-alike could hit the wrong person.
        """
        alike = self.by_look.get(look(nick))
        return NoSuchNicknameError(nick, None if alike is None else alike.nick)

    def named(self, nick: str, limit: int) -> tuple[User | None, str]:
        """Whoever holds ``nick`` (None: nobody online does) and the nickname as shown: theirs, or ``nick``
        in normal form.

        For what is done to a nickname whether or not anyone holds it now
        (``/mute``, ``/ignore``, as ``/ban``); raises InvalidNicknameError
        for one nobody could take (``limit``: its most code points).
        """
        nick = check_nickname(nick, limit)
        user = self.by_key.get(fold(nick))
        return user, nick if user is None else user.nick

    def check_free(self, nick: str, user: User | None = None) -> None:
        """Raise unless ``nick`` is free for ``user`` (None: someone coming online).

        NicknameInUseError when someone else holds a nickname with its key,
        NicknameLookAlikeError when someone else's looks the same.
        """
        taken = self.by_key.get(fold(nick))
        if taken is not None and taken is not user:
            raise NicknameInUseError(taken.nick)
        alike = self.by_look.get(look(nick))
        if alike is not None and alike is not user:
            raise NicknameLookAlikeError(nick, alike.nick)

    def add(self, user: User) -> None:
        """Put ``user`` online under its nickname's key and look."""
        key = fold(user.nick)
        self.by_key[key] = user
        self.by_look[user.look] = user
        self.order.add(key)
        if user.account is not None:
            self.by_account[user.account] = user
        self.most = max(self.most, len(self.by_key))

    def make_operator(self, user: User) -> None:
        """Make ``user`` an operator, until they go offline."""
        self.operators += not user.operator
        user.operator = True

    def identify(self, user: User, account: str | None) -> None:
        """Make ``user`` the one online identified to ``account`` (None: to none)."""
        if user.account is not None:
            del self.by_account[user.account]
        user.identified(account)
        if account is not None:
            self.by_account[account] = user

    def attach(self, user: User, session: Session) -> None:
        """Deliver ``user``'s events to ``session`` too."""
        if not hasattr(user, "session"):
            user.session = session
        else:
            self.several += not user.more
            user.more += (session,)
        self.audiences[session.audience] += 1

    def detach(self, user: User, session: Session) -> None:
        """Deliver ``user``'s events to ``session`` no more; ``user`` keeps at least one other session."""
        assert user.more, "a user's last session leaves by quitting"
        sessions = [each for each in user.sessions if each is not session]
        user.session, user.more = sessions[0], tuple(sessions[1:])
        self.several -= not user.more
        self._forget_audience(session)
        # While the user held several, no room's list was read (``Publisher.publish_in``); now it is again.
        for room in user.rooms.values():
            room.sessions = None

    def rename(self, user: User, nick: str) -> None:
        """Move ``user`` to the key of ``nick``, in its rooms too (members stay in join order)."""
        old_key, key = fold(user.nick), fold(nick)
        del self.by_key[old_key]
        self.by_key[key] = user
        if key != old_key:
            self.order.remove(old_key)
            self.order.add(key)
        del self.by_look[user.look]
        for room in user.rooms.values():
            room.members = {key if k == old_key else k: member for k, member in room.members.items()}
        user.renamed(nick)
        self.by_look[user.look] = user

    def remove(self, user: User) -> None:
        """Take ``user`` (already out of every room) offline, with all its sessions."""
        key = fold(user.nick)
        del self.by_key[key]
        del self.by_look[user.look]
        self.order.remove(key)
        if user.account is not None:
            del self.by_account[user.account]
        self.several -= bool(user.more)
        self.operators -= user.operator
        for session in user.sessions:
            self._forget_audience(session)
        user.online = False

    def _forget_audience(self, session: Session) -> None:
        """Count one session fewer on ``session``'s front end."""
        audience = session.audience
        self.audiences[audience] -= 1
        if not self.audiences[audience]:
            del self.audiences[audience]

    @staticmethod
    def neighbours(user: User) -> set[User]:
        """Everyone who shares at least one room with ``user``, not ``user``."""
        return {m for room in user.rooms.values() for m in room.members.values()} - {user}


def both(first: User, second: User) -> tuple[User, ...]:
    """``first`` and ``second`` as an event's recipients: once if they are the same user.

    A private message to oneself, or an unmute by the user it lifts, names
    one user twice, and ``Publisher.publish`` delivers once per listing.
    """
    return (first,) if first is second else (first, second)


def own(view: UserView) -> User:
    """The chat's own ``User`` behind a front end's view of it.

    Every view a front end holds came from the chat, so anything else is a
    bug, not a request to refuse.
    """
    if not isinstance(view, User):
        raise TypeError(f"not a user of this chat: {view!r}")
    return view
