"""What every line the server writes to an IRC client is made of: its source, its tags, and its 512 bytes.

Sources: every user is ``nick!nick@HOST``. chatd keeps who connects from
where for operators alone (WHOIS shows them the address), so the host
shown to everyone is the same, and no client learns an address from a
line. Tags are what a client asked for (its ``Shape``), never who it is,
which is what lets an event be rendered once per shape (chatd.irc.render).
Every front-end module that writes a line, an event's or a reply's, builds
it from these.
"""

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from enum import IntFlag

from chatd.domain.events import Event
from chatd.domain.masks import SHOWN_HOST
from chatd.irc.framing import MESSAGE_LIMIT
from chatd.irc.message import NO_TAGS, Message, render

HOST = SHOWN_HOST
"""The host every user is shown with: addresses are for operators' eyes (WHOIS); a ban mask of it covers by nickname."""


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


def trailing_room(message: Message) -> int:
    """The bytes ``message``'s last parameter, empty in it, may take for all but its tags to fit IRC's 512 bytes:
    for words that make themselves fit (a file's offer, chatd.irc.notices), rather than be cut at the end."""
    return MESSAGE_LIMIT - 2 - len(render(replace(message, tags={})).encode("utf-8"))


def _fitted(message: Message) -> bytes:
    """``message`` rendered with its last parameter cut so that all but its tags fit in ``MESSAGE_LIMIT``.

    Only a client's own word echoed back (``432 nick NNNN...``) makes a
    parameter before the last so long that no cut of the last can make
    room: the longest such is then ``*``, as one that cannot stand there
    is (``middle``), and the text after it is whole again.
    """
    over = len(render(replace(message, tags={})).encode("utf-8")) - (MESSAGE_LIMIT - 2)
    if over <= 0:
        return render(message).encode("utf-8")  # its tags made it long, and they have room of their own
    last = message.params[-1].encode("utf-8")
    before = message.params[:-1]
    longest = max(range(len(before)), key=lambda number: len(before[number]), default=None)
    if over > len(last) and longest is not None and len(before[longest]) > 1:
        starred = (*before[:longest], "*", *message.params[longest + 1 :])
        return _fitted(replace(message, params=starred))
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


def event_tags(event: Event, shape: Shape, part: int) -> Mapping[str, str]:
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
