"""Chat events -> IRC lines, rendered once per kind of client and written to each of that kind.

What an event looks like on IRC depends on a few capabilities a client
asked for (its ``Shape``: server-time, message-tags, account-tag,
extended-join), never on who receives it, so a room line is rendered once
per shape in use and the same bytes go to every member with that shape
(chatd.irc.factory). What each event is as messages is
chatd.irc.event_messages; here they become bytes, with a short way for the
most common, and the few lines written to one client outside the shared
rendering. Anything aimed at one client that carries its nickname
(numerics) is a reply, built by the protocol, not here.
"""

from dataclasses import replace
from typing import cast

from chatd.domain.envelopes import READ_ENCRYPTED
from chatd.domain.events import (
    Deleted,
    Encrypted,
    Event,
    FileOffered,
    Joined,
    Killed,
    Said,
    Whispered,
)
from chatd.irc.event_messages import EventMessages
from chatd.irc.framing import MESSAGE_LIMIT
from chatd.irc.lines import Shape, event_tags, line, source, timestamp
from chatd.irc.message import NO_TAGS, Message, tag
from chatd.irc.notices import notice

_ONE_LINERS = frozenset({Said, Whispered})
"""Events most often rendered, with a way of their own when they fit one line (``EventLines._one_line``)."""


class EventLines(EventMessages):
    """Renders events for one server as bytes: ``EventMessages``' messages, and the lines written to one client.

    ``server`` is the source of what the chat itself says.
    """

    __slots__ = ()

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
        tags = event_tags(event, shape, 0)
        if tags:
            data = b"@" + b";".join(tag(key, value) for key, value in tags.items()) + b" " + data
        return data

    def encrypted_sent(self, event: Encrypted, shape: Shape) -> bytes:
        """The sender's own copy, on an IRC connection of theirs: the NOTICE of ``_encrypted``, from them to the
        recipient as an echoed message is, in words for the one who sent it rather than the one it came to."""
        text = f"you sent {event.to} an encrypted message: {READ_ENCRYPTED}"
        return line(self._message(event, shape, "NOTICE", event.to, text))

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

    def killed_apart(self, event: Killed, shape: Shape) -> bytes:
        """What an operator who shared no room with the one they killed reads: a NOTICE from the server to them, as
        ircds tell their operators; the QUIT is for the roommates, and the operator was none."""
        message = Message(
            tags=event_tags(event, shape, 0),
            source=self.server,
            command="NOTICE",
            params=(event.actor.nick, notice(event)),
        )
        return line(message)

    def file_offered(self, event: FileOffered, shape: Shape, link: str) -> bytes:
        """The NOTICE of an offer for one recipient, with ``link``, a single-use URL made for them alone."""
        return line(self._offer_notice(event, shape, link))

    def own_offer(self, event: FileOffered, shape: Shape) -> bytes:
        """The NOTICE of an offer for its sender's own connections: what went out, and how to withdraw it."""
        return line(self._own_offer_notice(event, shape))

    def server_notice(self, shape: Shape, at: float, to: str, text: str) -> bytes:
        """A NOTICE from the server to ``to`` (a channel, or a nickname) saying ``text``, with no event behind it (the
        end of a file's offer, chatd.irc.filenotices): so no msgid; ``at`` is its server-time."""
        tags = {"time": timestamp(at)} if shape & Shape.TIME else NO_TAGS
        return line(
            Message(tags=tags, source=self.server, command="NOTICE", params=(to, text), trailing=True)
        )

    def deleted_notice(self, event: Deleted, shape: Shape) -> bytes:
        """A deletion in words, a NOTICE from the server to the room, for clients without draft/message-redaction:
        they cannot take the line away, so they are told which it was, by when it was sent and its id."""
        return b"".join(map(line, self._room_notice(event, shape)))
