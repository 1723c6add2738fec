"""The chat's moderation half: operators, room owners, bans, mutes, walls and shutdown.

``Moderation`` is the middle layer of ``Chat`` (chat.py builds on it): it
writes users and rooms only as part of the chat, through ``ChatState``'s
steps. Who is an operator is recorded here, not how they proved it: a front
end that checked a password (or, later, a registered nickname) or trusts
its session (the host's console) calls ``grant_operator``.

The rules: operators may do everything below anywhere; a room's owner (its
creator, while online) and operators may kick from that room and lock its
topic; operators themselves cannot be muted, banned off the server, or
kicked by an owner. Bans and mutes run out by the injected clock.
"""

import math
from collections.abc import Callable, Iterable

from chatd.domain.bans import Bans, ban_target
from chatd.domain.errors import (
    BannedError,
    MutedError,
    NicknameBannedError,
    NotBannedError,
    NotMutedError,
    NotOperatorError,
    NotOwnerError,
    TargetIsOperatorError,
    TopicLockedError,
    UserNotInRoomError,
)
from chatd.domain.events import Banned, Kicked, Muted, ShuttingDown, TopicLocked, Unmuted, Walled
from chatd.domain.limits import Limits
from chatd.domain.names import check_text, fold
from chatd.domain.replies import Ban, BanList
from chatd.domain.state import ChatState, Room, User


def keep_running() -> None:
    """The default for ``stop``: a chat not told how to stop its daemon only announces /shutdown."""


class Moderation(ChatState):
    """Operator and owner requests; each checks who asks first, and changes nothing if refused.

    ``stop`` ends the daemon after ``shutdown`` has told everyone (the
    service passes a callable that stops the reactor).
    """

    def __init__(self, now: Callable[[], float], limits: Limits, stop: Callable[[], None]) -> None:
        super().__init__(now, limits)
        self._stop = stop
        self._stopping = False
        self._bans = Bans(now)

    def grant_operator(self, user: User) -> None:
        """Make ``user`` an operator, whoever checked that they are one."""
        user.operator = True

    def kick(self, by: User, nick: str, name: str, reason: str = "") -> None:
        """Put ``nick`` out of room ``name``; ``by`` must own the room or be an operator."""
        reason = check_text(reason, self.limits.reason)
        room = self._room(name)
        self._require_authority(by, room)
        target = self._user(nick)
        if fold(target.nick) not in room.members:
            raise UserNotInRoomError(target.nick, room.name)
        if target.operator and not by.operator:
            raise TargetIsOperatorError(target.nick)
        told = self._room_and(by, room)
        self._leave(target, room)
        self._publish(Kicked(self._now(), room.name, target.nick, by.nick, reason), told)

    def ban(self, by: User, target: str, seconds: float | None) -> Ban:
        """Ban a nickname or an address for ``seconds`` (None: until lifted); operators only.

        Whoever online it covers, bar operators, is taken off the server at
        once: each of them and their roommates get a ``Banned`` event.
        """
        self._require_operator(by)
        found = ban_target(target, self.limits.nickname)
        if found.address:
            covered = [u for u in self._users.values() if u.address == found.key and not u.operator]
        else:
            holder = self._users.get(found.key)
            if holder is not None and holder.operator:
                raise TargetIsOperatorError(holder.nick)
            covered = [] if holder is None else [holder]
        ban = Ban(found.shown, None if seconds is None else self._now() + seconds, by.nick)
        self._bans.add(found, ban)
        for user in covered:
            told = [user, *self._neighbours(user)]
            self._remove(user)
            # The banned user is already offline, so no longer counted among its front end's.
            self._publish_grouped(Banned(self._now(), user.nick, by.nick, ban.until), told)
        return ban

    def unban(self, by: User, target: str) -> str:
        """Lift the ban on a nickname or address; operators only. Returns the target as shown."""
        self._require_operator(by)
        found = ban_target(target, self.limits.nickname)
        if self._bans.remove(found) is None:
            raise NotBannedError(found.shown)
        return found.shown

    def bans(self, by: User) -> BanList:
        """Every ban in force; operators only."""
        self._require_operator(by)
        return BanList(self._bans.in_force())

    def mute(self, by: User, nick: str, seconds: float | None) -> None:
        """Refuse what ``nick`` says for ``seconds`` (None: until unmuted); operators only.

        The muted user and the operator get a ``Muted`` event; nobody else.
        """
        self._require_operator(by)
        target = self._user(nick)
        if target.operator:
            raise TargetIsOperatorError(target.nick)
        until = None if seconds is None else self._now() + seconds
        target.muted_until = math.inf if until is None else until
        self._publish(Muted(self._now(), target.nick, by.nick, until), [target, by])

    def unmute(self, by: User, nick: str) -> None:
        """Lift ``nick``'s mute; operators only."""
        self._require_operator(by)
        target = self._user(nick)
        if self._mute_left(target) is None:
            raise NotMutedError(target.nick)
        target.muted_until = None
        self._publish(Unmuted(self._now(), target.nick, by.nick), [target, by])

    def wall(self, by: User, text: str) -> None:
        """Say ``text`` to everyone online; operators only."""
        self._require_operator(by)
        self._publish(Walled(self._now(), by.nick, check_text(text)), self._users.values())

    def shutdown(self, by: User, reason: str = "") -> None:
        """Tell everyone online the server is stopping, then stop it; operators only.

        A second shutdown while the first is under way does nothing: the
        daemon is already stopping.
        """
        self._require_operator(by)
        reason = check_text(reason, self.limits.reason)
        if self._stopping:
            return
        self._stopping = True
        self._publish(ShuttingDown(self._now(), by.nick, reason), self._users.values())
        self._stop()

    def lock_topic(self, by: User, name: str, locked: bool) -> None:
        """Lock (or unlock) the topic of room ``name``; its owner and operators only."""
        room = self._room(name)
        self._require_authority(by, room)
        room.topic_locked = locked
        self._publish(TopicLocked(self._now(), room.name, by.nick, locked), self._room_and(by, room))

    def _check_admitted(self, nick: str, address: str) -> None:
        """Raise if ``address`` or ``nick`` is banned (an address ban first: it ends the connection)."""
        ban = self._bans.find(True, address)
        if ban is not None:
            raise BannedError(self._left(ban.until))
        self._check_nickname_allowed(nick)

    def _check_nickname_allowed(self, nick: str) -> None:
        ban = self._bans.find(False, fold(nick))
        if ban is not None:
            raise NicknameBannedError(nick, self._left(ban.until))

    def _check_voice(self, user: User) -> None:
        """Raise if ``user`` is muted; a mute that has run out is dropped."""
        left = self._mute_left(user)
        if left is not None:
            raise MutedError(self._left(left))

    def _check_topic_settable(self, user: User, room: Room) -> None:
        if room.topic_locked and not user.operator and room.owner is not user:
            raise TopicLockedError(room.name)

    def _mute_left(self, user: User) -> float | None:
        """When ``user``'s mute ends (``math.inf``: when lifted), or None if not muted (any more)."""
        if user.muted_until is not None and user.muted_until <= self._now():
            user.muted_until = None
        return user.muted_until

    def _left(self, until: float | None) -> float | None:
        """Seconds until ``until``; None for what lasts until lifted."""
        return None if until is None or until == math.inf else until - self._now()

    @staticmethod
    def _require_operator(user: User) -> None:
        if not user.operator:
            raise NotOperatorError()

    @staticmethod
    def _require_authority(user: User, room: Room) -> None:
        if not user.operator and room.owner is not user:
            raise NotOwnerError(room.name)

    @staticmethod
    def _room_and(user: User, room: Room) -> Iterable[User]:
        """The members of ``room``, and ``user`` once whether or not a member."""
        members = list(room.members.values())
        return members if user in members else [*members, user]
