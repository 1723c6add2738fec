"""What operators and room owners may do: grant, kick, ban, kill, mute, wall, lock topics, shut down.

Who is an operator is recorded here (``grant_operator``), not how they
proved it: a front end that checked a password (or, later, an account) or
trusts its session (the host's console) asks for the grant.

The rules: operators may do everything below anywhere; a room's owner (its
maker, while online) and operators may kick from that room and lock its
topic, and in the server's rooms, which nobody owns, only operators may;
operators themselves cannot be muted, banned or killed off the server, or
kicked by an owner, and a room's owner cannot be kicked from it but by an
operator, nor a registered room's operators by account by a member with
only operator standing (``+o``) there. Whoever is kicked may not join that room again until the time
their ``Kicked`` event names (``Limits.kick_rejoin`` seconds on), on any
connection (chatd.domain.kicks). Mutes and
bans with a duration run out by the injected clock, each as an event of its
own (chatd.domain.expiry). As in talk, each operation checks, then
publishes events; nothing here writes the state.
"""

from collections.abc import Callable, Iterable
from functools import partial

from chatd.domain import rules
from chatd.domain.bans import ban_target, check_width, covered_by, nickname_key, target_key
from chatd.domain.crowds import Crowds
from chatd.domain.errors import (
    KickSelfError,
    KillSelfError,
    NotBannedError,
    NotMutedError,
    TargetIsOperatorError,
    UserNotInRoomError,
)
from chatd.domain.events import (
    CHAT,
    BanAdded,
    BanLifted,
    Banned,
    Event,
    Kicked,
    Killed,
    Muted,
    OperatorGranted,
    ShuttingDown,
    TopicLocked,
    Unmuted,
    Walled,
)
from chatd.domain.expiry import Deadlines
from chatd.domain.limits import Limits
from chatd.domain.names import check_said, check_text
from chatd.domain.people import waiting_key
from chatd.domain.ports import UserView
from chatd.domain.publish import Publisher
from chatd.domain.replies import Ban, BanList
from chatd.domain.rooms import Room
from chatd.domain.state import ChatState
from chatd.domain.users import User, own
from chatd.text import fold


def keep_running() -> None:
    """The default for ``stop``: a chat not told how to stop its daemon only announces /shutdown."""


class Moderation:
    """Operator and owner requests; each checks who asks first, and changes nothing if refused.

    ``stop`` ends the daemon after ``shutdown`` has told everyone (the
    service passes a callable that stops the reactor); ``crowds`` counts
    whom a kick, kill or ban puts out of a big room in its tally.
    """

    def __init__(
        self,
        state: ChatState,
        seam: Publisher,
        limits: Limits,
        now: Callable[[], float],
        deadlines: Deadlines,
        stop: Callable[[], None],
        crowds: Crowds,
    ) -> None:
        self._state = state
        self._crowds = crowds
        self._seam = seam
        self._limits = limits
        self._now = now
        self._deadlines = deadlines
        self._stop = stop
        self._stopping = False

    def grant_operator(self, view: UserView) -> None:
        """Make the user an operator, whoever checked that they are one; granting twice changes nothing.

        Every session of theirs is shown it: the standing is the user's, and a page in another tab offers an
        operator what the server lets them do (delete others' lines, take down offers) from then on.
        """
        user = own(view)
        if user.operator:
            return
        id, at = self._seam.stamp()
        self._seam.publish(OperatorGranted(id=id, at=at, actor=user.actor), [user])

    def kick(self, view: UserView, nick: str, name: str, reason: str = "") -> None:
        """Put ``nick`` out of room ``name`` for a while; the asker must own the room or be an operator."""
        by = own(view)
        reason = check_text(reason, self._limits.reason)
        room = self._state.rooms.find(name)
        rules.require_authority(by, room)
        target = self._state.users.find(nick)
        if target is by:
            raise KickSelfError()
        if fold(target.nick) not in room.members:
            raise UserNotInRoomError(target.nick, room.name)
        rules.check_outranks(by, target, room)
        id, at = self._seam.stamp()
        event = Kicked(
            id=id,
            at=at,
            actor=by.actor,
            room=room.name,
            seq=room.seq + 1,
            nick=target.nick,
            reason=reason,
            until=at + self._limits.kick_rejoin,
            person=waiting_key(target.actor),
        )
        self._crowds.put_out(target, room)
        self._seam.publish(event, _room_and(by, room))

    def ban(self, view: UserView, target: str, seconds: float | None) -> Ban:
        """Ban a nickname or an address for ``seconds`` (None: until lifted); operators only.

        Whoever online it covers, bar operators, is taken off the server at
        once: each of them and their roommates get a ``Banned`` event.
        """
        by = own(view)
        rules.require_operator(by)
        found = check_width(ban_target(target, self._limits.nickname))
        users = self._state.users
        if found.address:
            covers = covered_by(found)
            covered = [u for u in users.by_key.values() if covers(u.address) and not u.operator]
        else:
            holder = users.by_look.get(found.key)
            if holder is not None and holder.operator:
                raise TargetIsOperatorError(holder.nick)
            covered = [] if holder is None else [holder]
        id, at = self._seam.stamp()
        until = None if seconds is None else at + seconds
        self._seam.publish(
            BanAdded(id=id, at=at, actor=by.actor, target=found.shown, address=found.address, until=until)
        )
        if until is not None:
            self._deadlines.at(until, lambda: self._ban_ran_out(found.address, found.key, until))
        for user in covered:
            id, at = self._seam.stamp()
            banned = Banned(id=id, at=at, actor=by.actor, nick=user.nick, until=until)
            self._crowds.put_out(user)
            self._seam.publish(banned, (user,), users.neighbours(user))
        return Ban(found.shown, until, by.nick)

    def kill(self, view: UserView, nick: str, reason: str = "") -> None:
        """Take ``nick`` off the server at once, with all their sessions (IRC's KILL); operators only.

        Not oneself (KillSelfError: leaving is a quit) nor another operator
        (TargetIsOperatorError). The one killed, everyone who shares a room
        with them and the operator get a ``Killed`` event; nothing is kept
        against them, so they may come back at once.
        """
        by = own(view)
        rules.require_operator(by)
        reason = check_text(reason, self._limits.reason)
        target = self._state.users.find(nick)
        if target is by:
            raise KillSelfError()
        if target.operator:
            raise TargetIsOperatorError(target.nick)
        id, at = self._seam.stamp()
        roommates = self._state.users.neighbours(target)
        apart = by not in roommates
        event = Killed(id=id, at=at, actor=by.actor, nick=target.nick, reason=reason, apart=apart)
        self._crowds.put_out(target)
        self._seam.publish(event, (target,), roommates | {by})

    def unban(self, view: UserView, target: str) -> str:
        """Lift the ban on a nickname or address; operators only. Returns the target as shown."""
        by = own(view)
        rules.require_operator(by)
        found = ban_target(target, self._limits.nickname)
        ban = self._state.bans.find(found.address, found.key, self._now())
        if ban is None:
            raise NotBannedError(found.shown)
        id, at = self._seam.stamp()
        self._seam.publish(
            BanLifted(id=id, at=at, actor=by.actor, target=ban.target, address=found.address), ()
        )
        return found.shown

    def bans(self, view: UserView) -> BanList:
        """Every ban in force; operators only."""
        rules.require_operator(own(view))
        return BanList(self._state.bans.in_force(self._now()))

    def mute(self, view: UserView, nick: str, seconds: float | None) -> None:
        """Refuse what ``nick`` says for ``seconds`` (None: until unmuted); operators only.

        The mute is on the nickname and its look-alikes, as a ban on one: it may be set
        while nobody holds it (a troll who quit, ahead of their return),
        holds while its holder is away and when they, or anyone, come back
        under it, and across a restart (the store keeps it). The muted user
        (if online), the operator and those who moderate with them
        (``_moderators``) get a ``Muted`` event; nobody else.
        Raises InvalidNicknameError for a nickname nobody could take.
        """
        by = own(view)
        rules.require_operator(by)
        target, shown = self._state.users.named(nick, self._limits.nickname)
        if target is None:
            # Someone whose nickname looks like it: the mute is theirs, and said under their nickname.
            target = self._state.users.by_look.get(nickname_key(shown))
            shown = shown if target is None else target.nick
        if target is not None and target.operator:
            raise TargetIsOperatorError(target.nick)
        id, at = self._seam.stamp()
        until = None if seconds is None else at + seconds
        self._seam.publish(
            Muted(id=id, at=at, actor=by.actor, nick=shown, until=until), self._moderators(by, target)
        )
        if until is not None:
            self._deadlines.at(until, partial(self._mute_ran_out, nickname_key(shown), until))

    def unmute(self, view: UserView, nick: str) -> None:
        """Lift the mute on ``nick``, whether or not anyone holds it now; operators only. Told as the mute was."""
        by = own(view)
        rules.require_operator(by)
        mute = self._state.mutes.get(nickname_key(nick))
        if mute is None or mute.until <= self._now():
            raise NotMutedError(nick)
        target = self._state.users.by_look.get(nickname_key(nick))
        shown = mute.nick if target is None else target.nick
        id, at = self._seam.stamp()
        self._seam.publish(Unmuted(id=id, at=at, actor=by.actor, nick=shown), self._moderators(by, target))

    def wall(self, view: UserView, text: str) -> None:
        """Say ``text`` to everyone online; operators only."""
        by = own(view)
        rules.require_operator(by)
        id, at = self._seam.stamp()
        event = Walled(id=id, at=at, actor=by.actor, text=check_said(text))
        self._seam.publish(event, self._state.users.by_key.values())

    def shutdown(self, view: UserView, reason: str = "") -> None:
        """Tell everyone online the server is stopping, then stop it; operators only.

        A second shutdown while the first is under way does nothing: the
        daemon is already stopping.
        """
        by = own(view)
        rules.require_operator(by)
        reason = check_text(reason, self._limits.reason)
        if self._stopping:
            return
        self._stopping = True
        id, at = self._seam.stamp()
        event = ShuttingDown(id=id, at=at, actor=by.actor, reason=reason)
        self._seam.publish(event, self._state.users.by_key.values())
        self._stop()

    def lock_topic(self, view: UserView, name: str, locked: bool) -> bool:
        """Lock (or unlock) the topic of room ``name``; its owner and operators only. Whether it changed: a lock
        that holds already is neither announced nor kept again."""
        by = own(view)
        room = self._state.rooms.find(name)
        rules.require_authority(by, room)
        if room.topic_locked == locked:
            return False
        id, at = self._seam.stamp()
        event = TopicLocked(id=id, at=at, actor=by.actor, room=room.name, seq=room.seq + 1, locked=locked)
        self._seam.publish(event, _room_and(by, room))
        return True

    def restore(self, events: Iterable[Event]) -> None:
        """Bring back the bans, mutes and kick waits a store kept (``events``, oldest first), before anyone connects.

        Each ban and mute event is applied as it happened; one with an end
        runs out at that time, which keeps counting while the daemon is
        down: one that ended meanwhile runs out (as a ``BanLifted`` or
        ``Unmuted`` by ``CHAT``) as soon as the clock runs. A kick whose
        wait still runs holds its person out of the room until it ends, as
        it did before (a kick kept without its person, by an older chatd,
        holds nobody). Other events change nothing here.
        """
        now = self._now()
        for event in events:
            if isinstance(event, Kicked):
                # The store gives back only the kicks whose wait still runs, and a wait over by now refuses nobody
                # (rules.check_rejoin); one kept without its person is held under "", which no one's waiting_keys
                # is. Either goes at the next kick once over.
                self._state.kicks.hold(fold(event.room), event.person, event.until, now)
            if isinstance(event, (BanAdded, BanLifted, Muted, Unmuted)):
                self._state.apply(event)
            if isinstance(event, BanAdded) and event.until is not None:
                key = target_key(event.address, event.target)
                self._deadlines.at(event.until, partial(self._ban_ran_out, event.address, key, event.until))
            elif isinstance(event, Muted) and event.until is not None:
                self._deadlines.at(
                    event.until, partial(self._mute_ran_out, nickname_key(event.nick), event.until)
                )

    def _moderators(self, by: User, target: User | None) -> set[User]:
        """Who is told of a mute or unmute of ``target`` (None: nobody online holds the nickname) by ``by``: they
        two, every operator online, and whoever has authority in a room ``target`` is in.

        A mute is server-wide, so no room's MODE (IRC's ``+q``) shows it:
        without this a co-teacher could not tell why a student's lines
        stopped reaching the room. The room's other members are not told:
        the muted keep their nickname and place, and a mute is for those
        who moderate to know. Mutes are rare; each walks the users online
        and the muted user's rooms.
        """
        told = {user for user in self._state.users.by_key.values() if user.operator}
        told.add(by)
        if target is not None:
            told.add(target)
            for room in target.rooms.values():
                told.update(member for member in room.members.values() if rules.has_authority(member, room))
        return told

    def _mute_ran_out(self, key: str, until: float) -> None:
        """The mute on the nickname ``key`` reached ``until``: unless lifted or replaced, it ends now."""
        mute = self._state.mutes.get(key)
        if mute is not None and mute.until == until:
            id, at = self._seam.stamp()
            self._seam.publish(Unmuted(id=id, at=at, actor=CHAT, nick=mute.nick))

    def _ban_ran_out(self, address: bool, key: str, until: float) -> None:
        """The ban on ``key`` reached ``until``: unless lifted or replaced, it ends now."""
        ban = self._state.bans.get(address, key)
        if ban is not None and ban.until == until:
            id, at = self._seam.stamp()
            self._seam.publish(BanLifted(id=id, at=at, actor=CHAT, target=ban.target, address=address))


def _room_and(user: User, room: Room) -> list[User]:
    """The members of ``room``, and ``user`` once whether or not a member."""
    members = list(room.members.values())
    return members if user in members else [*members, user]
