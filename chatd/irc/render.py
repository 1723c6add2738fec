"""Chat events -> IRC lines, rendered once per kind of client and written to each of that kind.

What an event looks like on IRC depends on a few capabilities a client
asked for (its ``Shape``: server-time, message-tags, account-tag,
extended-join), never on who receives it, so a room line is rendered once
per shape in use and the same bytes go to every member with that shape
(chatd.irc.factory). Anything aimed at one client (numerics carry its
nickname) is a reply, built by the protocol, not here.

Sources: every user is ``nick!nick@HOST``. chatd keeps who connects from
where for operators alone (WHOIS shows them the address), so the host
shown to everyone is the same, and no client learns an address from a
line. A chatd message may hold several lines (a paste) and be longer than
IRC's 512 bytes: each line is one PRIVMSG, split at a character boundary
where the source and target leave too little room.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from enum import IntFlag
from typing import cast

from chatd.domain.durations import format_duration
from chatd.domain.envelopes import READ_ENCRYPTED
from chatd.domain.events import (
    CHAT,
    AccountDropped,
    AccountNotDropped,
    AccountNotKept,
    AccountRegistered,
    Acted,
    Actor,
    AddressChanged,
    AwayChanged,
    BanAdded,
    BanLifted,
    Banned,
    CrowdTallied,
    Deleted,
    Encrypted,
    Event,
    FileOffered,
    Identified,
    Invited,
    Joined,
    Kicked,
    Killed,
    MessageNotKept,
    Muted,
    NickChanged,
    NicknameClaimed,
    OperatorGranted,
    Parted,
    PasswordChanged,
    PasswordSet,
    Quit,
    Registered,
    RoomEvent,
    RoomModesChanged,
    RoomOperatorAdded,
    RoomOperatorRemoved,
    RoomRegistered,
    RoomRegistrationNotKept,
    RoomUnregistered,
    Said,
    ShuttingDown,
    TopicChanged,
    TopicLocked,
    Unmuted,
    Walled,
    Whispered,
)
from chatd.domain.ids import id_moment
from chatd.domain.masks import SHOWN_HOST
from chatd.irc.framing import MESSAGE_LIMIT
from chatd.irc.message import NO_TAGS, Message, render, tag
from chatd.irc.modes import mode_string
from chatd.text import message_not_kept_words, registration_undone_words, tally_words

HOST = SHOWN_HOST
"""The host every user is shown with: addresses are for operators' eyes (WHOIS); a ban mask of it covers by nickname."""

_TEXT_AT = {
    "AWAY": 1,
    "PRIVMSG": 2,
    "NOTICE": 2,
    "PART": 2,
    "QUIT": 1,
    "TOPIC": 2,
    "KICK": 3,
    "WALLOPS": 1,
    "JOIN": 3,
    "REDACT": 3,
}
"""Where a command carries text, as its parameter count when the last one is text (a PART's reason, an
extended JOIN's name): that text is written after a colon always, as servers write text."""

_ONE_LINERS = frozenset({Said, Whispered})
"""Events most often rendered, with a way of their own when they fit one line (``EventLines._one_line``)."""

ACTION = "\x01ACTION "
"""How CTCP wraps ``/me``: ``\\x01ACTION waves\\x01``."""

ACTION_RESERVE = 10
"""Bytes of a PRIVMSG's room for text that each piece of an action leaves for the CTCP wrapping."""


class Shape(IntFlag):
    """What a client asked for that changes how events look to it (its capabilities)."""

    PLAIN = 0
    TIME = 1
    """server-time: a ``time`` tag on every event."""
    TAGS = 2
    """message-tags: a ``msgid`` tag (the event's id) on every event."""
    ACCOUNT = 4
    """account-tag: an ``account`` tag when the actor is identified."""
    EXTENDED_JOIN = 8
    """extended-join: JOIN carries the account (or ``*``) and a real name."""


def source(nick: str) -> str:
    """The IRC source of the user ``nick``."""
    return f"{nick}!{nick}@{HOST}"


def line(message: Message) -> bytes:
    """``message`` as the bytes a client reads, CR LF included.

    All but its tags fit IRC's 512 bytes: the chat bounds a reason, a topic
    or an away text in characters, and 200 of four bytes each are 800, so a
    last parameter that would take the line past them is cut where a
    character ends, as ircds cut what they relay. (Lines said are split
    into several PRIVMSGs instead: ``split_text``.)
    """
    data = render(message).encode("utf-8")
    if len(data) > MESSAGE_LIMIT - 2 and message.params:
        data = _fitted(message)
    return data + b"\r\n"


def _fitted(message: Message) -> bytes:
    """``message`` rendered with its last parameter cut so that all but its tags fit in ``MESSAGE_LIMIT``."""
    over = len(render(replace(message, tags={})).encode("utf-8")) - (MESSAGE_LIMIT - 2)
    if over <= 0:
        return render(message).encode("utf-8")  # its tags made it long, and they have room of their own
    last = message.params[-1].encode("utf-8")
    cut = max(len(last) - over, 0)
    while cut and last[cut] & 0xC0 == 0x80:  # not inside a character
        cut -= 1
    kept = replace(message, params=(*message.params[:-1], last[:cut].decode("utf-8")))
    return render(kept).encode("utf-8")


def timestamp(at: float) -> str:
    """``at`` (seconds since the epoch) as server-time writes it: ``2026-12-04T15:04:05.123Z``.

    Rounded to the millisecond, as an event's id is (chatd.domain.ids): a
    client that pages history by ``timestamp=`` gives the times it was
    shown, and a line's must name the millisecond its id holds, or AFTER
    it would give the line again.
    """
    seconds, milliseconds = divmod(round(at * 1000), 1000)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{milliseconds:03d}Z"


class EventLines:
    """Renders events for one server: ``server`` is the source of what the chat itself says."""

    __slots__ = ("_renderers", "server")

    def __init__(self, server: str) -> None:
        self.server = server
        self._renderers: dict[type, Callable[[Event, Shape], Iterator[Message]]] = {
            Said: self._said,
            Acted: self._acted,
            Whispered: self._whispered,
            Joined: self._joined,
            Parted: self._parted,
            Quit: self._quit,
            NickChanged: self._nick,
            TopicChanged: self._topic,
            TopicLocked: self._topic_locked,
            Kicked: self._kicked,
            Banned: self._banned,
            Killed: self._killed,
            BanAdded: self._notice,
            BanLifted: self._notice,
            Muted: self._notice,
            Unmuted: self._notice,
            NicknameClaimed: self._notice,
            MessageNotKept: self._own_notice,
            ShuttingDown: self._notice,
            Walled: self._walled,
            RoomRegistered: self._room_notice,
            RoomUnregistered: self._room_notice,
            CrowdTallied: self._room_notice,
            RoomRegistrationNotKept: self._registration_undone,
            RoomOperatorAdded: self._room_operator,
            RoomModesChanged: self._modes,
            Invited: self._invited,
            RoomOperatorRemoved: self._room_operator,
            AwayChanged: self._away,
            AddressChanged: _nothing,
            OperatorGranted: _nothing,
            Registered: _nothing,
            AccountRegistered: self._account,
            Identified: self._account,
            PasswordChanged: _nothing,
            PasswordSet: self._notice,
            AccountDropped: self._account,
            AccountNotKept: self._account,
            AccountNotDropped: self._account,
            FileOffered: self._file_offered,
            Encrypted: self._encrypted,
            Deleted: self._redact,
        }

    def covers(self, kind: type) -> bool:
        """Whether events of ``kind`` have a rendering (the tests hold every event class to this)."""
        return kind in self._renderers

    def render(self, event: Event, shape: Shape, batch: str | None = None) -> bytes:
        """``event`` as clients of ``shape`` read it, in the batch ``batch`` if any; empty if IRC shows it to nobody."""
        if batch is None and type(event) in _ONE_LINERS:
            written = self._one_line(cast(Said | Whispered, event), shape)
            if written is not None:
                return written
        messages = self._renderers[type(event)](event, shape)
        if batch is not None:
            messages = (replace(message, tags={**message.tags, "batch": batch}) for message in messages)
        return b"".join(map(line, messages))

    def _one_line(self, event: Said | Whispered, shape: Shape) -> bytes | None:
        """A line said (or whispered) that fits one PRIVMSG, written straight to bytes; None if it does not fit.

        Every line said is rendered once per shape in use: through ``Message``
        and ``render``'s checks it cost twice what the line front end's
        rendering does (6.6 against 3.1 us). What those checks refuse cannot
        be here: the chat's text rules keep CR, LF and NUL out of the text,
        its name rules spaces out of nicknames and room names. The same
        bytes as ``_privmsgs`` gives (tests/test_irc_render.py holds the two
        together).
        """
        text = event.text
        if "\n" in text:
            return None
        target = event.room if isinstance(event, Said) else event.to
        data = f":{self._from(event.actor)} PRIVMSG {target} :{text}\r\n".encode()
        if len(data) > MESSAGE_LIMIT:
            return None
        tags = _tags(event, shape, 0)
        if tags:
            data = b"@" + b";".join(tag(key, value) for key, value in tags.items()) + b" " + data
        return data

    def _from(self, actor: Actor) -> str:
        return self.server if actor is CHAT or not actor.nick else source(actor.nick)

    def _message(self, event: Event, shape: Shape, command: str, *params: str, part: int = 0) -> Message:
        """A message for ``event`` from its actor, tagged as ``shape`` asks (``part``: its n-th line).

        The last parameter of a command that carries text (``_TEXT_AT``) is written as trailing text.
        """
        return Message(
            tags=_tags(event, shape, part),
            source=self._from(event.actor),
            command=command,
            params=params,
            trailing=len(params) == _TEXT_AT.get(command),
        )

    def _said(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, Said)
        yield from self._privmsgs(event, shape, event.room, event.text)

    def _acted(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, Acted)
        for part, text in enumerate(
            split_text(self._room_for(event.actor, event.room), event.text, ACTION_RESERVE)
        ):
            yield self._message(event, shape, "PRIVMSG", event.room, f"{ACTION}{text}\x01", part=part)

    def _whispered(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, Whispered)
        yield from self._privmsgs(event, shape, event.to, event.text)

    def _privmsgs(self, event: Said | Whispered, shape: Shape, target: str, text: str) -> Iterator[Message]:
        for part, piece in enumerate(split_text(self._room_for(event.actor, target), text)):
            yield self._message(event, shape, "PRIVMSG", target, piece, part=part)

    def _encrypted(self, event: Event, shape: Shape) -> Iterator[Message]:
        """An IRC client cannot open one (issue 17): a NOTICE says it came and what reads it, never the ciphertext."""
        assert isinstance(event, Encrypted)
        text = f"{event.actor.nick} sent you an encrypted message: {READ_ENCRYPTED}"
        yield self._message(event, shape, "NOTICE", event.to, text)

    def encrypted_sent(self, event: Encrypted, shape: Shape) -> bytes:
        """The sender's own copy, on an IRC connection of theirs: the NOTICE of ``_encrypted``, from them to the
        recipient as an echoed message is, in words for the one who sent it rather than the one it came to."""
        text = f"you sent {event.to} an encrypted message: {READ_ENCRYPTED}"
        return line(self._message(event, shape, "NOTICE", event.to, text))

    def _room_for(self, actor: Actor, target: str) -> int:
        """Bytes a PRIVMSG line from ``actor`` to ``target`` leaves for its text."""
        return _text_room(self._from(actor), target)

    def _joined(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, Joined)
        if shape & Shape.EXTENDED_JOIN:
            account = event.actor.account or "*"
            yield self._message(event, shape, "JOIN", event.room, account, event.actor.nick)
        else:
            yield self._message(event, shape, "JOIN", event.room)

    def in_room_already(self, nick: str, account: str | None, room: str, shape: Shape, at: float) -> bytes:
        """The JOIN that opens ``room`` to a new connection of ``nick`` (of ``account``), who is in it already: no join happened, so no
        event is behind it and it has no ``msgid``; ``at`` (now) is its server-time, and ``account-tag`` and
        ``extended-join`` mark it as any JOIN of theirs.

        A msgid would name nothing history keeps: a client that resumed from it would be answered
        ``MESSAGE_ERROR``, and one that names the account's real join would read as a join happening now.
        """
        tags: dict[str, str] = {}
        if shape & Shape.ACCOUNT and account:
            tags["account"] = account
        if shape & Shape.TIME:
            tags["time"] = timestamp(at)
        extended = bool(shape & Shape.EXTENDED_JOIN)
        params = (room, account or "*", nick) if extended else (room,)
        message = Message(tags=tags, source=source(nick), command="JOIN", params=params, trailing=extended)
        return line(message)

    def standing_on_join(self, event: Joined, shape: Shape) -> bytes:
        """The server's MODE giving a joiner ``@`` (``Joined.room_operator``), for the room's other members: their
        clients mark it as after any MODE; the joiner reads its own in NAMES."""
        return line(self._server_mode(event, shape, 1, "+o", event.actor.nick))

    def away_on_join(self, event: Joined, shape: Shape, text: str) -> bytes:
        """The AWAY a joiner who is away is shown by, for away-notify members: their clients learn it as they
        learn the joiner."""
        return line(self._message(event, shape, "AWAY", text, part=2))

    def _server_mode(
        self, event: Joined | RoomRegistrationNotKept, shape: Shape, part: int, sign: str, nick: str
    ) -> Message:
        """The MODE from the server giving (``+o``) or taking ``nick``'s standing in ``event``'s room: what nobody
        set by hand, as ``event``'s ``part``-th line."""
        return Message(
            tags=_tags(event, shape, part),
            source=self.server,
            command="MODE",
            params=(event.room, sign, nick),
        )

    def _parted(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, Parted)
        reason = (event.reason,) if event.reason else ()
        yield self._message(event, shape, "PART", event.room, *reason)

    def _quit(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, Quit)
        yield self._message(event, shape, "QUIT", f"Quit: {event.reason}" if event.reason else "Quit")

    def _nick(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, NickChanged)
        yield self._message(event, shape, "NICK", event.new)

    def _topic(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, TopicChanged)
        yield self._message(event, shape, "TOPIC", event.room, event.topic)

    def _topic_locked(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, TopicLocked)
        yield self._message(event, shape, "MODE", event.room, "+t" if event.locked else "-t")

    def _kicked(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, Kicked)
        yield self._message(event, shape, "KICK", event.room, event.nick, event.reason or event.actor.nick)

    def _banned(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, Banned)
        # The banned user leaves every room: to IRC that is their QUIT.
        yield Message(
            tags=_tags(event, shape, 0),
            source=source(event.nick),
            command="QUIT",
            params=("Banned",),
            trailing=True,
        )

    def _killed(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, Killed)
        yield Message(
            tags=_tags(event, shape, 0),
            source=source(event.nick),
            command="QUIT",
            params=(killed_reason(event),),
            trailing=True,
        )

    def killed_apart(self, event: Killed, shape: Shape) -> bytes:
        """What an operator who shared no room with the one they killed reads: a NOTICE from the server to them, as
        ircds tell their operators; the QUIT is for the roommates, and the operator was none."""
        message = Message(
            tags=_tags(event, shape, 0),
            source=self.server,
            command="NOTICE",
            params=(event.actor.nick, notice(event)),
        )
        return line(message)

    def _walled(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, Walled)
        yield self._message(event, shape, "WALLOPS", event.text)

    def _notice(self, event: Event, shape: Shape) -> Iterator[Message]:
        yield Message(
            tags=_tags(event, shape, 0), source=self.server, command="NOTICE", params=("*", notice(event))
        )

    def _own_notice(self, event: Event, shape: Shape) -> Iterator[Message]:
        """A NOTICE from the server to the actor, of an event told them alone (a message they sent, not kept)."""
        yield Message(
            tags=_tags(event, shape, 0),
            source=self.server,
            command="NOTICE",
            params=(event.actor.nick, notice(event)),
        )

    def _file_offered(self, event: Event, shape: Shape) -> Iterator[Message]:
        """IRC users are never sent file bytes: a NOTICE says what is offered and where to fetch it (issue 16)."""
        assert isinstance(event, FileOffered)
        yield self._offer_notice(event, shape, None)

    def file_offered(self, event: FileOffered, shape: Shape, link: str) -> bytes:
        """The NOTICE of an offer for one recipient, with ``link``, a single-use URL made for them alone."""
        return line(self._offer_notice(event, shape, link))

    def _offer_notice(self, event: FileOffered, shape: Shape, link: str | None) -> Message:
        fetch = f"fetch it at {link} (a link for you alone, good once) or with" if link else "fetch it with"
        text = (
            f'{event.actor.nick} offers {event.to} "{event.name}" ({event.size} bytes, {event.mime}, '
            f"sha256 {event.sha256}): {fetch} the bundled client (python -m chatd.client) or the web page"
        )
        return Message(
            tags=_tags(event, shape, 0), source=self.server, command="NOTICE", params=(event.to, text)
        )

    def server_notice(self, shape: Shape, at: float, to: str, text: str) -> bytes:
        """A NOTICE from the server to ``to`` (a channel, or a nickname) saying ``text``, with no event behind it (the
        end of a file's offer, chatd.irc.filenotices): so no msgid; ``at`` is its server-time."""
        tags = {"time": timestamp(at)} if shape & Shape.TIME else NO_TAGS
        return line(
            Message(tags=tags, source=self.server, command="NOTICE", params=(to, text), trailing=True)
        )

    def _redact(self, event: Event, shape: Shape) -> Iterator[Message]:
        """A deletion as draft/message-redaction has it: ``REDACT #room ID [:reason]`` from the deleter, for clients
        that took the capability, and one more for each later piece of a long line (``ID.1``...: ``privmsgs``), as
        a client takes away the message each names; the others read ``deleted_notice``."""
        assert isinstance(event, Deleted)
        reason = (event.reason,) if event.reason else ()
        for part in range(event.parts):
            yield self._message(
                event, shape, "REDACT", event.room, part_id(event.line, part), *reason, part=part
            )

    def deleted_notice(self, event: Deleted, shape: Shape) -> bytes:
        """A deletion in words, a NOTICE from the server to the room, for clients without draft/message-redaction:
        they cannot take the line away, so they are told which it was, by when it was sent and its id."""
        return b"".join(map(line, self._room_notice(event, shape)))

    def _room_notice(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(
            event,
            Deleted
            | RoomRegistered
            | RoomUnregistered
            | CrowdTallied
            | RoomRegistrationNotKept
            | RoomOperatorAdded
            | RoomOperatorRemoved,
        )
        yield Message(
            tags=_tags(event, shape, 0),
            source=self.server,
            command="NOTICE",
            params=(event.room, notice(event)),
        )

    def _registration_undone(self, event: Event, shape: Shape) -> Iterator[Message]:
        """The NOTICE, then the server's MODE for each member whose standing the undo gives or takes, so a
        client's list of who holds ``@`` follows, as after the MODE it showed for the change undone."""
        assert isinstance(event, RoomRegistrationNotKept)
        yield from self._room_notice(event, shape)
        changes = [("+o", nick) for nick in event.given] + [("-o", nick) for nick in event.taken]
        for part, (sign, nick) in enumerate(changes, 1):
            yield self._server_mode(event, shape, part, sign, nick)

    def _account(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(
            event, AccountRegistered | Identified | AccountDropped | AccountNotKept | AccountNotDropped
        )
        account = "*" if isinstance(event, AccountDropped | AccountNotKept) else event.account
        yield self._message(event, shape, "ACCOUNT", account)

    def _away(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, AwayChanged)
        text = (event.text,) if event.text else ()
        yield self._message(event, shape, "AWAY", *text)

    def _modes(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, RoomModesChanged)
        yield self._message(event, shape, "MODE", event.room, *mode_string(event.changes))

    def _invited(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, Invited)
        yield self._message(event, shape, "INVITE", event.nick, event.room)

    def _room_operator(self, event: Event, shape: Shape) -> Iterator[Message]:
        """A MODE when the standing of a member changes with it; for an account not in the room, a NOTICE to
        the channel: a MODE naming someone who is not there would be a stray line in its clients."""
        assert isinstance(event, RoomOperatorAdded | RoomOperatorRemoved)
        if not event.member:
            yield from self._room_notice(event, shape)
            return
        sign = "+o" if isinstance(event, RoomOperatorAdded) else "-o"
        yield self._message(event, shape, "MODE", event.room, sign, event.nick)


def _nothing(event: Event, shape: Shape) -> Iterator[Message]:
    """Events IRC shows nobody as a line (the asker gets a numeric reply instead)."""
    return iter(())


def _tags(event: Event, shape: Shape, part: int) -> Mapping[str, str]:
    """The tags ``shape`` asks for on ``event``'s ``part``-th line."""
    if not shape & (Shape.TIME | Shape.TAGS | Shape.ACCOUNT):
        return NO_TAGS
    tags: dict[str, str] = {}
    if shape & Shape.ACCOUNT and event.actor.account:
        tags["account"] = event.actor.account
    if shape & Shape.TAGS:
        tags["msgid"] = part_id(event.id, part)
    if shape & Shape.TIME:
        tags["time"] = timestamp(event.at)
    return tags


def part_id(id: str, part: int) -> str:
    """The msgid of the ``part``-th message of the event ``id``: ``ID``, then ``ID.1``, ``ID.2``..."""
    return f"{id}.{part}" if part else id


def privmsgs(line: RoomEvent) -> int:
    """How many PRIVMSGs a line said or acted goes to IRC clients as (msgids ``part_id``); 1 for anything else.

    The same for every client, whatever its shape: tags have room of their
    own, outside the 512 bytes the pieces keep to. What the daemon counts a
    deleted line by (``Deleted.parts``), as it renders it in ``_said`` and
    ``_acted``: lines are said by users, so their source is a user's.
    """
    if isinstance(line, Said):
        reserve = 0
    elif isinstance(line, Acted):
        reserve = ACTION_RESERVE
    else:
        return 1
    return sum(1 for _ in split_text(_text_room(source(line.actor.nick), line.room), line.text, reserve))


def _text_room(source: str, target: str) -> int:
    """Bytes a PRIVMSG line from ``source`` to ``target`` leaves for its text."""
    return MESSAGE_LIMIT - len(f":{source} PRIVMSG {target} :\r\n".encode())


def killed_reason(event: Killed) -> str:
    """What a KILL's QUIT and ERROR say: who killed, and why."""
    return f"Killed ({event.actor.nick} ({event.reason}))" if event.reason else f"Killed ({event.actor.nick})"


def notice(event: Event) -> str:
    """What a NOTICE says of an event IRC has no command for."""
    match event:
        case BanAdded(target=target, until=until):
            return f"{event.actor.nick} banned {target}" + (
                "" if until is None else f" until {timestamp(until)}"
            )
        case BanLifted(target=target):
            by = "ran out" if event.actor is CHAT else f"lifted by {event.actor.nick}"
            return f"The ban on {target} {by}"
        case Muted(nick=nick, until=until):
            return f"{event.actor.nick} muted {nick}" + (
                "" if until is None else f" until {timestamp(until)}"
            )
        case Unmuted(nick=nick):
            return f"{nick} may speak again"
        case Killed(nick=nick, reason=reason):
            return f"{nick} was killed by {event.actor.nick}" + (f" ({reason})" if reason else "")
        case NicknameClaimed(actor=actor, address=address, tries=tries):
            return f"Someone at {address} tried to take your nickname as {actor.nick} ({tries} tries)"
        case PasswordSet(account=account):
            return f"The IRC operator {event.actor.nick} set a new password for your account {account}; log in with it"
        case MessageNotKept(to=to, reason=reason):
            return message_not_kept_words(to, reason)
        case ShuttingDown(reason=reason):
            return "Server shutting down" + (f": {reason}" if reason else "")
        case RoomRegistered(room=room, account=account):
            return f"{room} is registered to {account}"
        case RoomUnregistered(room=room):
            return f"{room} is no longer registered"
        case RoomOperatorAdded(nick=nick, account=account):
            return f"{event.actor.nick} made {nick} a room operator (account {account})"
        case RoomOperatorRemoved(nick=nick, account=account):
            return f"{event.actor.nick} took room operator from {nick} (account {account})"
        case RoomRegistrationNotKept(room=room, owner=owner, operators=operators):
            return f"{room}: {registration_undone_words(event.actor.nick, owner, operators)}"
        case Deleted(line=line, reason=reason):
            return deleted_words(event.actor.nick, line, event.at, reason)
        case CrowdTallied(joined=joined, left=left, renamed=renamed, members=members):
            return f"Since the last count: {tally_words(joined, left, renamed, members)} (a big room: NAMES lists everyone)"
    raise AssertionError(f"no notice for {type(event).__name__}")


def deleted_words(nick: str, line: str, at: float, reason: str) -> str:
    """What a client that cannot take a line away is told of its deletion by ``nick`` at ``at`` (seconds): how long
    ago the line was sent, as the spec's fallback suggests (an IRC client shows lines in its own time zone), and its
    id, which clients with message-tags hold; never its text."""
    ago = format_duration(at - id_moment(line))
    return f"{nick} deleted a line sent {ago} ago (id {line})" + (f": {reason}" if reason else "")


def split_text(room: int, text: str, reserve: int = 0) -> Iterator[str]:
    """The lines of ``text``, each cut at character boundaries into pieces of at most ``room - reserve`` bytes."""
    limit = room - reserve
    for piece in text.split("\n"):
        encoded = piece.encode("utf-8")
        while len(encoded) > limit:
            cut = limit
            while encoded[cut] & 0xC0 == 0x80:  # not inside a character
                cut -= 1
            yield encoded[:cut].decode("utf-8")
            encoded = encoded[cut:]
        yield encoded.decode("utf-8")
