"""``IRCFactory``: the IRC front end of one server, and its way into the chat.

It admits connections through the ``Admission`` every front end shares
(a refused one reads one ``ERROR`` line), checks /oper and account
passwords through the logins the front ends share, pings its registered
clients in one round, and is the ``Audience`` through which the chat
reaches IRC clients: it renders each event once per ``Shape`` in use
(chatd.irc.render) and writes the same bytes to every recipient of that
shape.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import cast

from twisted.internet.interfaces import IAddress
from twisted.internet.protocol import Protocol
from twisted.logger import Logger
from typing_extensions import override

from chatd.domain.durations import format_duration
from chatd.domain.errors import ChatError
from chatd.domain.events import (
    AccountDropped,
    AccountNotDropped,
    AccountNotKept,
    AccountRegistered,
    Acted,
    Actor,
    AwayChanged,
    Banned,
    Deleted,
    Encrypted,
    Event,
    FileOffered,
    Identified,
    Invited,
    Joined,
    Killed,
    OperatorGranted,
    Said,
    Whispered,
)
from chatd.domain.ports import Session
from chatd.frontend.admission import Refusal
from chatd.frontend.errors import NOT_ADMITTED, ConnectingTooFastError, TooManyConnectionsError
from chatd.frontend.factory import FrontEndFactory
from chatd.frontend.fanout import Fanouts
from chatd.frontend.flood import ENTRIES_PER_LINE, RESUMED_PER_CHARGE
from chatd.frontend.own import acted, news_of
from chatd.frontend.pings import PingRound
from chatd.frontend.sockets import Tuning
from chatd.frontend.wiring import Wiring
from chatd.irc.channels import join_burst
from chatd.irc.filenotices import FileNotices
from chatd.irc.limits import IRCLimits
from chatd.irc.lines import Shape
from chatd.irc.notices import killed_reason
from chatd.irc.operators import opered
from chatd.irc.protocol import IRCProtocol
from chatd.irc.registration import logged_in, logged_out
from chatd.irc.render import EventLines
from chatd.irc.session import IRCSession
from chatd.irc.talk import away_reply
from chatd.text import fold

DEFAULT_LIMITS = IRCLimits()

_ACCOUNT_EVENTS = (AccountRegistered, Identified, AccountDropped, AccountNotKept, AccountNotDropped)
"""What account-notify tells roommates as ACCOUNT (the user is answered 900 instead)."""

REDACTION = "draft/message-redaction"
"""The capability of a client that takes a deleted line away when sent ``REDACT`` (and may send it)."""

_SPOKEN = (Said, Acted, Whispered)
"""What a client that did not ask for echo-message is not sent back."""


def _to_self(event: Event) -> bool:
    """Whether ``event`` is a private message its sender sent to themself: they read it as its recipient."""
    return isinstance(event, Whispered) and fold(event.to) == fold(event.actor.nick)


class IRCFactory(FrontEndFactory[IRCProtocol]):
    """Builds an ``IRCProtocol`` per connection and delivers chat events to them."""

    log = Logger()

    def __init__(self, wiring: Wiring, limits: IRCLimits = DEFAULT_LIMITS) -> None:
        """``wiring`` as every front end is handed it; its transfer engine serves here for the single-use links
        offers name when the web port is on."""
        super().__init__(wiring, Tuning(limits.keepalive))
        reactor = self.reactor
        self.limits = limits
        self.started = reactor.seconds()
        """When the front end was made: 003's "created"."""
        self.fanouts: Fanouts[IRCSession, int] = Fanouts(self.outbox, _shape)
        """Each room's recipients kept for the lines said there, grouped by shape."""
        self.pings = PingRound(reactor, limits.ping_interval)
        """Registered connections, each PINGed once silent for a round and closed if silent for two."""
        self.events = EventLines(self.server_name)
        self._speaking: IRCSession | None = None
        """The session whose PRIVMSG is being said (without echo-message it is not sent its own line), whose
        AWAY is being set (it answers it itself; the user's other sessions are told on delivery), or whose JOIN
        is being made (it pays for the replay as asked for; the user's other sessions, as a resume)."""
        if self.files is not None:
            self.files.tell_elsewhere(FileNotices(self, self.events, reactor))

    @override
    def buildProtocol(self, addr: IAddress | None) -> Protocol:
        try:
            peer = self.admission.admit(addr)
        except NOT_ADMITTED as refused:
            return Refusal(f"ERROR :Closing Link: {_why_not_admitted(refused)}\r\n".encode(), self.reactor)
        protocol = IRCProtocol(self, peer)
        self.connections.add(protocol)
        return protocol

    @contextmanager
    def speaking(self, session: IRCSession) -> Iterator[None]:
        """While ``session``'s own message is said, its AWAY set or its JOIN made: delivery knows whom not to echo
        it to, and who asked for the join's replay."""
        self._speaking = session
        try:
            yield
        finally:
            self._speaking = None

    def deliver(self, event: Event, sessions: Sequence[Session]) -> None:
        """Render ``event`` once per shape and write it to each session; joiners then get their burst."""
        if isinstance(event, FileOffered):
            self._offered(event, cast(Sequence[IRCSession], sessions))
            return
        if isinstance(event, Deleted):
            self._deleted(event, cast(Sequence[IRCSession], sessions))
            return
        if isinstance(event, _SPOKEN):
            fanout = self.fanouts.find(cast(list[IRCSession], sessions))
            if fanout is not None:
                for shape, group in fanout.groups:
                    fanout.write(self.events.render(event, Shape(shape)), group)
                speaker = self._speaking
                if speaker is not None and not speaker.echo and not _to_self(event):
                    fanout.take_back(speaker)
                return
        rendered: dict[int, bytes] = {}
        skip = self._speaking if isinstance(event, _SPOKEN) and not _to_self(event) else None
        if isinstance(event, Invited):
            sessions = _told_of_invite(event, sessions)
        elif isinstance(event, Killed) and event.apart:
            sessions = self._tell_killer(event, sessions)
        elif isinstance(event, Encrypted) and fold(event.to) != fold(event.actor.nick):
            sessions = self._tell_sender(event, sessions)
        elif isinstance(event, AwayChanged):
            self._away_to_own(event, sessions)
            sessions = _with_cap(sessions, "away-notify", event.actor)
        elif isinstance(event, _ACCOUNT_EVENTS):
            _account_to_own(event, sessions)
            sessions = _with_cap(sessions, "account-notify", event.actor)
        elif isinstance(event, OperatorGranted):
            # Each of the user's sessions reads 381 and its MODE +o: the one whose OPER it was, as its answer.
            for session in cast(Sequence[IRCSession], sessions):
                if acted(session.user, event.actor):
                    opered(session)
            return
        # This loop runs for every member of a room for every line said: a
        # shape is a plain int, and one like the last recipient's (all
        # plain, most often) costs a comparison, no look-up (bench/load.py
        # profile --irc: a dict look-up with the IntFlag as key was 19% of
        # the samples at 400,000 deliveries/s).
        last, data = -1, b""
        # Someone else's coming or going may wait for company (``Sink.write_later``); their own is an answer.
        movers = news_of(event)
        for session in cast(Sequence[IRCSession], sessions):
            if session is skip and not session.echo:
                continue
            shape = session.shape
            if shape != last:
                last = shape
                found = rendered.get(shape)
                data = rendered[shape] = self.events.render(event, Shape(shape)) if found is None else found
            user = session.user
            if movers is not None and (user is None or user.nick not in movers):
                session.sink.write_later(data)
            elif session is self._speaking:
                # Its own JOIN, made after its labelled command waited: in that command's batch, if one is open.
                session.write(data)
            else:
                session.sink.write(data)
        if isinstance(event, Joined):
            for session in cast(Sequence[IRCSession], sessions):
                if acted(session.user, event.actor):
                    # Only the connection whose JOIN it was asked for the replay; the account's others pay as a
                    # resume, as on the line front end.
                    per = ENTRIES_PER_LINE if session is self._speaking else RESUMED_PER_CHARGE
                    join_burst(session, event.room, event.seq, per)
                elif event.room_operator:
                    session.sink.write(self.events.standing_on_join(event, Shape(session.shape)))
            self._away_on_join(event, _with_cap(sessions, "away-notify", event.actor))
        elif isinstance(event, Banned | Killed):
            # Whoever it took off the server is closed, told why; the others read its QUIT.
            why = "Banned" if isinstance(event, Banned) else killed_reason(event)
            for session in cast(Sequence[IRCSession], sessions):
                if session.user is not None and not session.user.online:
                    session.user = None
                    session.close(why)

    def _tell_killer(self, event: Killed, sessions: Sequence[Session]) -> list[Session]:
        """Write the killer's sessions their NOTICE (they shared no room with the one killed, so read no QUIT);
        return the others, who read the QUIT."""
        others: list[Session] = []
        for session in cast(Sequence[IRCSession], sessions):
            if acted(session.user, event.actor):
                session.sink.write(self.events.killed_apart(event, Shape(session.shape)))
            else:
                others.append(session)
        return others

    def _tell_sender(self, event: Encrypted, sessions: Sequence[Session]) -> list[Session]:
        """Write the sender's own sessions that they sent an encrypted message (``EventLines.encrypted_sent``); return
        the others, the recipient's, who read that it came to them."""
        others: list[Session] = []
        for session in cast(Sequence[IRCSession], sessions):
            if acted(session.user, event.actor):
                session.sink.write(self.events.encrypted_sent(event, Shape(session.shape)))
            else:
                others.append(session)
        return others

    def _deleted(self, event: Deleted, sessions: Sequence[IRCSession]) -> None:
        """A deletion: ``REDACT`` to the clients that took draft/message-redaction, which take the line away; a NOTICE
        in words to the others, which cannot (chatd.irc.render). Rare enough to render per session."""
        for session in sessions:
            session.sink.write(self.deleted_to(session, event))

    def deleted_to(self, session: IRCSession, event: Deleted) -> bytes:
        """``event`` as ``session`` is told it: ``REDACT`` if it took draft/message-redaction, else a NOTICE; live,
        or resuming (CHATHISTORY LATEST, chatd.irc.history)."""
        shape = Shape(session.shape)
        if REDACTION in session.caps:
            return self.events.render(event, shape)
        return self.events.deleted_notice(event, shape)

    def _away_to_own(self, event: AwayChanged, sessions: Sequence[Session]) -> None:
        """305 or 306 to each of the user's own sessions but the one whose AWAY it was (it answers it itself), as
        if each had sent it: a client keeps its user's away state by them, and it changed."""
        for session in cast(Sequence[IRCSession], sessions):
            if session is not self._speaking and acted(session.user, event.actor):
                away_reply(session, bool(event.text))

    def _away_on_join(self, event: Joined, watching: list[Session]) -> None:
        """Tell the ``watching`` members (away-notify) that the joiner is away, if they are."""
        if not watching:
            return
        away = self.chat.whois(None, event.actor.nick).away
        if away:
            for session in cast(list[IRCSession], watching):
                session.sink.write(self.events.away_on_join(event, Shape(session.shape), away))

    def _offered(self, event: FileOffered, sessions: Sequence[IRCSession]) -> None:
        """An offer's NOTICE: the sender's own connections read what went out and how to withdraw it (told how to
        decline it, they were refused trying); with the web port on, each recipient's names a link made for them,
        IRC having no other way to fetch it; without, the recipients' is rendered once a shape."""
        linking = self.files if self.files is not None and self.files.links is not None else None
        rendered: dict[int, bytes] = {}
        for session in sessions:
            user, shape = session.user, session.shape
            if acted(user, event.actor):
                session.sink.write(self.events.own_offer(event, Shape(shape)))
                continue
            link = None if linking is None or user is None else linking.link_for(event.file, user)
            if link is not None:
                session.sink.write(self.events.file_offered(event, Shape(shape), link))
                continue
            found = rendered.get(shape)
            data = rendered[shape] = self.events.render(event, Shape(shape)) if found is None else found
            session.sink.write(data)

    def forget(self, protocol: IRCProtocol) -> None:
        """``protocol``'s connection is gone; the last one gone ends a shutdown."""
        self.admission.release(protocol.peer)
        self.connections.discard(protocol)

    @override
    def say_goodbye(self, protocol: IRCProtocol) -> None:
        protocol.close("Server shutting down")


def _shape(session: IRCSession) -> int:
    """How ``session`` is sent a line: its fan-out group."""
    return session.shape


def _told_of_invite(event: Invited, sessions: Sequence[Session]) -> list[Session]:
    """Who reads an INVITE: the one invited, and the room's operators that took invite-notify (not the
    inviter, answered 341)."""
    invited, inviter = fold(event.nick), fold(event.actor.nick)
    told: list[Session] = []
    for session in cast(Sequence[IRCSession], sessions):
        nick = fold(session.user.nick) if session.user is not None else ""
        if nick == invited or (nick != inviter and "invite-notify" in session.caps):
            told.append(session)
    return told


def _account_to_own(event: Event, sessions: Sequence[Session]) -> None:
    """900 or 901 to each of the user's own sessions when their nickname is registered, or given up (or its
    registration not kept), on another front end: IRC has no command for either, so none of them asked. A
    giving up the store could not keep (``AccountNotDropped``) is 900 again: the 901 they read is taken back.

    An ``Identified`` is none of these: the session that identified is
    answered 900 itself, and its user's other sessions were identified
    already.
    """
    if isinstance(event, Identified):
        return
    # Given up by an operator: the 901 says who, for the user asked nothing.
    operator = event.operator if isinstance(event, AccountDropped) else None
    for session in cast(Sequence[IRCSession], sessions):
        if acted(session.user, event.actor):
            if isinstance(event, AccountRegistered | AccountNotDropped):
                logged_in(session)
            else:
                logged_out(session, None if operator is None else operator.nick)


def _with_cap(sessions: Sequence[Session], cap: str, actor: Actor) -> list[Session]:
    """The sessions that took ``cap``, bar the actor's own (answered with a numeric instead)."""
    return [
        session
        for session in cast(Sequence[IRCSession], sessions)
        if cap in session.caps and not acted(session.user, actor)
    ]


def _why_not_admitted(refused: ChatError) -> str:
    """What an IRC client refused a connection (``NOT_ADMITTED``) reads after ``Closing Link:``, as servers word it."""
    if isinstance(refused, TooManyConnectionsError):
        return f"too many connections from your address (at most {refused.limit})"
    if isinstance(refused, ConnectingTooFastError):
        return f"too many new connections from your address (try again in {format_duration(refused.seconds_left)})"
    return "server full"
