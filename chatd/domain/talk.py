"""What everyone may do: come online, change nickname, join, part, talk, set topics, leave.

Each operation checks its request against the state, raising a
``ChatError`` that changes nothing, or builds one event and publishes it
through the seam (chatd.domain.publish), which applies it. Nothing here
writes the state itself.
"""

from collections.abc import Callable

from chatd.domain import rules
from chatd.domain.bans import address_key
from chatd.domain.crowds import Crowds
from chatd.domain.errors import TooManyRoomsError
from chatd.domain.events import (
    Acted,
    Actor,
    AddressChanged,
    AwayChanged,
    Joined,
    NickChanged,
    Parted,
    Quit,
    Registered,
    Said,
    TopicChanged,
    Whispered,
)
from chatd.domain.limits import Limits
from chatd.domain.names import (
    check_message,
    check_nickname,
    check_room_name,
    check_said,
    check_text,
    quit_reason,
)
from chatd.domain.ports import RoomView, Session, UserView
from chatd.domain.publish import Publisher
from chatd.domain.replies import Away, Whois
from chatd.domain.state import ChatState
from chatd.domain.users import both, own
from chatd.text import fold


class Talk:
    """The requests of every user."""

    def __init__(
        self,
        state: ChatState,
        seam: Publisher,
        limits: Limits,
        now: Callable[[], float],
        protect: Callable[[str, str | None, str], None],
        crowds: Crowds,
    ) -> None:
        self._state = state
        self._crowds = crowds
        """Who is told of comings and goings, by room size."""
        self._protect = protect
        """Raises unless a nickname is no account's but the one given (chatd.domain.nickname_protection.Protection)."""
        self._seam = seam
        self._limits = limits
        self._now = now

    def register(
        self, session: Session, nick: str, address: str = "", account: str | None = None
    ) -> UserView:
        """Put a new user online under ``nick``, connecting from ``address``, with ``session``.

        ``account`` is the account the user proved, if any (chatd.domain.identity).
        Raises if the nickname is invalid, registered to another account,
        taken or banned, or the address is banned (``BannedError``: the
        front end then closes the connection).
        """
        nick = check_nickname(nick, self._limits.nickname)
        address = address_key(address)
        rules.check_admitted(self._state, nick, address, self._now())
        self._protect(nick, account, address)
        self._state.users.check_free(nick)
        id, at = self._seam.stamp()
        self._seam.publish(Registered(id=id, at=at, actor=Actor(nick, address, account)))
        registered = self._state.users.by_key[fold(nick)]
        self._state.users.attach(registered, session)
        return registered

    def hand_over(
        self, nick: str, session: Session, address: str, holds: Callable[[Session], bool]
    ) -> tuple[UserView, Session] | None:
        """Move the user online as ``nick`` (any case) from the session of theirs that ``holds`` picks to ``session``,
        a new connection from ``address``; None if nobody online as ``nick`` has such a session.

        The user stays online, in their rooms, under their nickname: nobody
        else is told anything (no event), and the session left behind is the
        front end's to close, with no quit. ``holds`` is the front end's proof
        that ``session`` may (chatd.line.takeover). An address banned since
        raises BannedError, as it would on coming online.

        The user is at ``address`` from then on (``AddressChanged``, shown to
        nobody), whatever address their other sessions, if any, have: bans,
        room masks, ``/whois`` and what is kept by address follow the phone
        to its new network, not the connection it left behind.
        """
        user = self._state.users.by_key.get(fold(nick))
        if user is None:
            return None
        old = next((each for each in user.sessions if holds(each)), None)
        if old is None:
            return None
        address = address_key(address)
        rules.check_address(self._state, address, self._now())
        self._state.users.attach(user, session)
        self._state.users.detach(user, old)
        if address != user.address:
            id, at = self._seam.stamp()
            self._seam.publish(AddressChanged(id=id, at=at, actor=user.actor, address=address))
        return user, old

    def rename(self, view: UserView, nick: str) -> None:
        """Give the user a new nickname; tells them and everyone who shares a room.

        A muted user keeps their nickname (``MutedError``) but for its case:
        the mute is on the nickname, so a new one would shed it.
        """
        user = own(view)
        nick = check_nickname(nick, self._limits.nickname)
        self._protect(nick, user.account, user.address)
        self._state.users.check_free(nick, user)
        if nick == user.nick:
            return
        if fold(nick) != fold(user.nick):
            rules.check_voice(self._state, user, self._now())
            rules.check_nickname_allowed(self._state, nick, self._now())
        id, at = self._seam.stamp()
        event = NickChanged(id=id, at=at, actor=user.actor, new=nick)
        self._seam.publish(event, (user,), self._crowds.renaming(user))

    def join(self, view: UserView, name: str, key: str = "") -> RoomView:
        """Put the user in room ``name``, making it (and so owning it); joining twice changes nothing.

        Nobody owns a server's room, whoever makes it. A room's settings may
        refuse the user (``rules.check_entry``: a ban mask, invite-only,
        registered users only, ``key`` not its key, full); a user they let in but kicked from the
        room is refused it until the kick's time is up. The join uses up an
        invite to the room.
        """
        user = own(view)
        name = check_room_name(name, self._limits.room_name)
        folded = fold(name)
        room = self._state.rooms.by_key.get(folded)
        if room is None:
            shown = self._state.rooms.new_name(name)
        elif fold(user.nick) in room.members:
            return room
        else:
            shown = room.name
        if room is not None:
            rules.check_entry(user, room, key)
        elif self._state.rooms.outlives(folded):
            # Nobody is in it, but it keeps its settings (chatd.domain.rooms), a server's room as a registered one:
            # the first to join meets them too.
            rules.check_entry(user, self._state.rooms.seen(shown), key)
        # After the settings: the kick's wait says when they may join again, untrue of one a mask bans.
        rules.check_rejoin(self._state, user, shown, self._now())
        if len(user.rooms) >= self._limits.rooms_per_user:
            raise TooManyRoomsError(self._limits.rooms_per_user)
        id, at = self._seam.stamp()
        event = Joined(
            id=id,
            at=at,
            actor=user.actor,
            room=shown,
            seq=self._seam.next_seq(folded),
            room_operator=self._state.rooms.standing_on_entry(user, folded),
            made=room is None and not self._state.rooms.outlives(folded),
        )
        self._seam.publish(event, self._crowds.arriving(room), (user,))
        return self._state.rooms.by_key[folded]

    def part(self, view: UserView, name: str, reason: str = "") -> None:
        """Take the user out of room ``name``; an emptied room is gone."""
        user = own(view)
        reason = check_text(reason, self._limits.reason)
        room = self._state.rooms.membership(user, name)
        id, at = self._seam.stamp()
        event = Parted(id=id, at=at, actor=user.actor, room=room.name, seq=room.seq + 1, reason=reason)
        self._seam.publish(event, self._crowds.leaving(room, user))

    def say(self, view: UserView, name: str, text: str) -> None:
        """Send ``text`` to every member of room ``name``, sender included.

        ``text`` may hold several lines joined by ``\\n`` (a paste): one message.
        A ban mask of the room covering the sender, a moderated room
        without voice, or one for registered users only while the sender is
        not identified, refuses it (``rules.check_speech``).
        """
        user = own(view)
        rules.check_voice(self._state, user, self._now())
        room = self._state.rooms.membership(user, name)
        rules.check_speech(user, room)
        id, at = self._seam.stamp()
        event = Said(
            id=id, at=at, actor=user.actor, room=room.name, seq=room.seq + 1, text=check_message(text)
        )
        self._seam.publish_in(event, room)

    def act(self, view: UserView, name: str, text: str) -> None:
        """Show the user performing ``text`` to every member of room ``name``."""
        user = own(view)
        rules.check_voice(self._state, user, self._now())
        room = self._state.rooms.membership(user, name)
        rules.check_speech(user, room)
        id, at = self._seam.stamp()
        event = Acted(id=id, at=at, actor=user.actor, room=room.name, seq=room.seq + 1, text=check_said(text))
        self._seam.publish_in(event, room)

    def whisper(self, view: UserView, nick: str, text: str) -> Away | None:
        """Send ``text`` to the user called ``nick`` alone (and echo it back, once if that is the sender).

        Returns the target's away text, for the sender, if they are away.
        """
        user = own(view)
        rules.check_voice(self._state, user, self._now())
        target = self._state.users.find(nick)
        id, at = self._seam.stamp()
        event = Whispered(
            id=id, at=at, actor=user.actor, to=target.nick, text=check_said(text), to_account=target.account
        )
        self._seam.publish(event, both(user, target))
        return Away(target.nick, target.away) if target.away else None

    def set_topic(self, view: UserView, name: str, topic: str) -> None:
        """Set (or, with empty ``topic``, clear) the topic of a room the user is in.

        While the topic is locked only the room's owner and operators may.
        A server operator (the host at the console among them) may set the
        topic of a room with members that they are not in, as an IRC
        operator may: its members and the operator see it.
        """
        user = own(view)
        rules.check_voice(self._state, user, self._now())
        room = (
            self._state.rooms.find(name)
            if user.operator and fold(name) not in user.rooms
            else self._state.rooms.membership(user, name)
        )
        rules.check_topic_settable(user, room)
        topic = check_text(topic, self._limits.topic).strip()
        id, at = self._seam.stamp()
        event = TopicChanged(id=id, at=at, actor=user.actor, room=room.name, seq=room.seq + 1, topic=topic)
        if fold(room.name) in user.rooms:
            self._seam.publish_in(event, room)
        else:
            self._seam.publish(event, room.members.values(), (user,))

    def set_away(self, view: UserView, text: str) -> None:
        """Mark the user away with ``text`` (blank: back again); told to whoever sends them a private message.

        The user and everyone who shares a room with them get the
        ``AwayChanged`` (IRC's away-notify; the line front end shows it to
        nobody). The same text again (or blank while not away) changes
        nothing, so publishes nothing.
        """
        user = own(view)
        text = check_text(text, self._limits.reason).strip()
        if text == user.away:
            return
        id, at = self._seam.stamp()
        event = AwayChanged(id=id, at=at, actor=user.actor, text=text)
        self._seam.publish(event, (user,), self._crowds.neighbours(user))

    def whois(self, asker: UserView | None, nick: str) -> Whois:
        """Who ``nick`` is; their address only if ``asker`` is an operator.

        Their secret rooms are left out unless ``asker`` is in them too.
        """
        user = self._state.users.find(nick)
        address = user.address if asker is not None and asker.operator else ""
        asking = None if asker is None else fold(asker.nick)
        rooms = tuple(
            room.name for room in user.rooms.values() if not room.settings.secret or asking in room.members
        )
        return Whois(user.nick, rooms, user.away, user.operator, address)

    def quit(self, view: UserView, reason: str = "", session: Session | None = None) -> None:
        """Take the user offline and out of every room; safe to call twice.

        With ``session``, only that session leaves if the user has others
        (an account's several connections): nobody else notices. A reason
        is never refused, as the user is leaving either way: one that breaks
        the text rules is dropped, one too long cut to the limit.
        """
        user = own(view)
        if not user.online:
            return
        if session is not None and user.more:
            if session in user.sessions:
                self._state.users.detach(user, session)
            return
        reason = quit_reason(reason, self._limits.reason)
        id, at = self._seam.stamp()
        self._seam.publish(Quit(id=id, at=at, actor=user.actor, reason=reason), self._crowds.quitting(user))
