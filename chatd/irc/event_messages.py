"""Chat events -> IRC messages: what each kind of event is on IRC, for a client of a given shape.

What an event looks like on IRC depends on a few capabilities a client
asked for (its ``Shape``), never on who receives it. Here is the table of
every event's rendering as ``Message``s; chatd.irc.render turns them into
the bytes written, once per shape in use.
"""

from collections.abc import Callable, Iterator

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
from chatd.irc.lines import Shape, event_tags, part_id, source, trailing_room
from chatd.irc.message import Message
from chatd.irc.modes import mode_string
from chatd.irc.notices import killed_reason, notice, offer_words, own_offer_words
from chatd.irc.pieces import ACTION, ACTION_RESERVE, split_text, text_room

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


class EventMessages:
    """Each event as the IRC messages it is, for one server: ``server`` is the source of what the chat itself says."""

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
            OperatorGranted: _nothing,  # 381 and MODE +o to the user's own sessions: IRCFactory.deliver
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

    def _from(self, actor: Actor) -> str:
        return self.server if actor is CHAT or not actor.nick else source(actor.nick)

    def _message(self, event: Event, shape: Shape, command: str, *params: str, part: int = 0) -> Message:
        """A message for ``event`` from its actor, tagged as ``shape`` asks (``part``: its n-th line).

        The last parameter of a command that carries text (``_TEXT_AT``) is written as trailing text.
        """
        return Message(
            tags=event_tags(event, shape, part),
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

    def _room_for(self, actor: Actor, target: str) -> int:
        """Bytes a PRIVMSG line from ``actor`` to ``target`` leaves for its text."""
        return text_room(self._from(actor), target)

    def _joined(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, Joined)
        if shape & Shape.EXTENDED_JOIN:
            account = event.actor.account or "*"
            yield self._message(event, shape, "JOIN", event.room, account, event.actor.nick)
        else:
            yield self._message(event, shape, "JOIN", event.room)

    def _server_mode(
        self, event: Joined | RoomRegistrationNotKept, shape: Shape, part: int, sign: str, nick: str
    ) -> Message:
        """The MODE from the server giving (``+o``) or taking ``nick``'s standing in ``event``'s room: what nobody
        set by hand, as ``event``'s ``part``-th line."""
        return Message(
            tags=event_tags(event, shape, part),
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
            tags=event_tags(event, shape, 0),
            source=source(event.nick),
            command="QUIT",
            params=("Banned",),
            trailing=True,
        )

    def _killed(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, Killed)
        yield Message(
            tags=event_tags(event, shape, 0),
            source=source(event.nick),
            command="QUIT",
            params=(killed_reason(event),),
            trailing=True,
        )

    def _walled(self, event: Event, shape: Shape) -> Iterator[Message]:
        assert isinstance(event, Walled)
        yield self._message(event, shape, "WALLOPS", event.text)

    def _notice(self, event: Event, shape: Shape) -> Iterator[Message]:
        yield Message(
            tags=event_tags(event, shape, 0),
            source=self.server,
            command="NOTICE",
            params=("*", notice(event)),
        )

    def _own_notice(self, event: Event, shape: Shape) -> Iterator[Message]:
        """A NOTICE from the server to the actor, of an event told them alone (a message they sent, not kept)."""
        yield Message(
            tags=event_tags(event, shape, 0),
            source=self.server,
            command="NOTICE",
            params=(event.actor.nick, notice(event)),
        )

    def _file_offered(self, event: Event, shape: Shape) -> Iterator[Message]:
        """IRC users are never sent file bytes: a NOTICE says what is offered and where to fetch it (issue 16)."""
        assert isinstance(event, FileOffered)
        yield self._offer_notice(event, shape, None)

    def _offer_notice(self, event: FileOffered, shape: Shape, link: str | None) -> Message:
        """The NOTICE of an offer to a recipient, naming ``link`` if any, within IRC's 512 bytes."""
        room = trailing_room(self._offer_message(event, shape, ""))
        return self._offer_message(
            event,
            shape,
            offer_words(
                event.actor.nick,
                event.to,
                event.file,
                event.name,
                event.size,
                event.mime,
                event.sha256,
                link,
                room=room,
            ),
        )

    def _own_offer_notice(self, event: FileOffered, shape: Shape) -> Message:
        """The NOTICE of an offer to its sender's own connections: what went out, and how to withdraw it."""
        room = trailing_room(self._offer_message(event, shape, ""))
        words = own_offer_words(
            event.to, event.file, event.name, event.size, event.mime, event.sha256, room=room
        )
        return self._offer_message(event, shape, words)

    def _offer_message(self, event: FileOffered, shape: Shape, text: str) -> Message:
        return Message(
            tags=event_tags(event, shape, 0), source=self.server, command="NOTICE", params=(event.to, text)
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
            tags=event_tags(event, shape, 0),
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
