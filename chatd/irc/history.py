"""History over IRC: a room's last lines on joining it, and ``draft/chathistory``.

Autoreplay: right after its join burst, a client that took server-time
reads the room's last ``--replay`` lines, each tagged with when it was said
(in a ``chathistory`` batch if it took ``batch``), before anything said
after its join: as on the line front end, the history is read up to the
join's sequence number and the session's output keeps its place meanwhile
(chatd.frontend.held). A client without server-time is shown no replay:
lines without their times would read as said now.

CHATHISTORY (draft/chathistory) asks for more: LATEST (``*`` or after a
``msgid=``), BEFORE, AFTER and AROUND a ``msgid=`` in a room the client is
in; and LATEST ``*`` of a private conversation between two accounts. Only
msgids are references (``MSGREFTYPES=msgid``): chatd reads history by a
line's id, not by time. The answer is a ``chathistory`` batch, and the
connection reads nothing more until it is written. A msgid stands for its
event: ``ID.N``, which tags an event's later lines (a paste's), reads as
``ID``, since a client resuming from the last line it saw gives that line's
msgid. That line may be any event of the room the store keeps, a JOIN, PART,
TOPIC, KICK or MODE as well as a PRIVMSG (chatd.domain.resume): the history
read is the messages before, after or around where it happened. A msgid the
room keeps no event of (another room's, forgotten, never one) is answered
``FAIL CHATHISTORY MESSAGE_ERROR``: the spec has no word for an unknown
msgid, and this is its code for history that cannot be given, as Ergo
answers when its history is in MySQL. Its ``INVALID_MSGREFTYPE`` is for a
kind of reference not taken (``timestamp=``); an empty batch would read as
"nothing more", and a client paging back would stop there without a word of
why. Every FAIL names the subcommand, as the spec lays them out. What the
batches hold is what people said (PRIVMSGs and actions), not joins and
parts, so ``draft/event-playback`` is not offered.
"""

from collections.abc import Awaitable, Sequence
from itertools import count
from typing import TYPE_CHECKING

from twisted.internet.defer import Deferred

from chatd.domain.chat import HISTORY_MOST
from chatd.domain.errors import ChatError
from chatd.domain.events import Event, RoomEvent
from chatd.frontend.flood import ENTRIES_PER_LINE
from chatd.frontend.held import as_deferred, fill_place
from chatd.irc.message import Message
from chatd.irc.render import Shape, line
from chatd.irc.wording import refusal
from chatd.text import fold

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession, Waiting

CHATHISTORY_MOST = HISTORY_MOST // 2
"""Most lines one CHATHISTORY gives (ISUPPORT ``CHATHISTORY``): half of what ``/history`` reads at most."""

_NOT_KEPT = "{} keeps no line with that msgid"
"""Why a msgid reference reads nothing: no event the room keeps."""

_batches = count(1)
"""Batch references: unique in the daemon, which is all a client needs."""


def replay(session: "IRCSession", room: str, before: int) -> None:
    """Show ``room``'s last lines below ``before`` (the join's seq) in the place kept now, before anything later.

    A read that fails is logged and the client told (``FAIL JOIN INTERNAL``), as a command's would be:
    the replay belongs to the JOIN, though the chat's delivery of it, not the command, asks for it.
    """
    most = session.chat.limits.replay
    if not most or "server-time" not in session.caps:
        return
    read = as_deferred(session.chat.history(session.me(), room, before, most))
    waiting = fill_place(session, read.addCallback(_batch, session, room))
    if waiting is not None:
        waiting.addErrback(session.failed, "JOIN")


def _batch(events: Sequence[Event], session: "IRCSession", target: str) -> bytes:
    """The events read, as one ``chathistory`` batch (when the client takes batches), charged by their number."""
    session.charge_answer(len(events) // ENTRIES_PER_LINE)
    return batch(session, target, events)


def batch(session: "IRCSession", target: str, events: Sequence[Event]) -> bytes:
    """``events`` as ``session`` reads them, in a ``chathistory`` batch if it takes batches."""
    render = session.factory.events.render
    if "batch" not in session.caps:
        return b"".join(render(event, Shape(session.shape)) for event in events)
    reference = f"h{next(_batches)}"
    server = session.factory.server_name
    start = Message(source=server, command="BATCH", params=(f"+{reference}", "chathistory", target))
    end = Message(source=server, command="BATCH", params=(f"-{reference}",))
    return (
        line(start) + b"".join(render(event, Shape(session.shape), reference) for event in events) + line(end)
    )


def chathistory(session: "IRCSession", message: Message) -> "Waiting":
    """CHATHISTORY LATEST|BEFORE|AFTER|AROUND target reference limit."""
    sub, target, reference, limit = message.params[:4]
    sub = sub.upper()
    if sub not in ("LATEST", "BEFORE", "AFTER", "AROUND"):
        session.fail("CHATHISTORY", "INVALID_PARAMS", sub, "chatd answers LATEST, BEFORE, AFTER and AROUND")
        return None
    if not limit.isdigit() or not int(limit):
        session.fail("CHATHISTORY", "INVALID_PARAMS", sub, limit, "The limit must be a number above 0")
        return None
    most = min(int(limit), CHATHISTORY_MOST)
    event_id = _event_of(reference)
    if event_id is None and not (sub == "LATEST" and reference == "*"):
        session.fail("CHATHISTORY", "INVALID_MSGREFTYPE", sub, reference, "Only msgid= references are kept")
        return None
    try:
        if not target.startswith("#"):
            if event_id is not None:
                session.fail(
                    "CHATHISTORY",
                    "INVALID_PARAMS",
                    sub,
                    reference,
                    "A private conversation is read from its latest lines",
                )
                return None
            return _send(
                session, sub, target, reference, session.chat.conversation(session.me(), target, most)
            )
        if fold(target) not in session.me().rooms:
            session.fail("CHATHISTORY", "INVALID_TARGET", sub, target, "Join the room to read its history")
            return None
        return _send(session, sub, target, reference, _room_lines(session, sub, target, event_id, most))
    except ChatError as error:
        session.fail(
            "CHATHISTORY", "INVALID_TARGET", sub, target, refusal(error, "CHATHISTORY", target)[1][-1]
        )
        return None


def _event_of(reference: str) -> str | None:
    """The event id a ``msgid=`` reference names (``ID.N``, an event's later line, names ``ID``); None for any
    other kind of reference."""
    if not reference.startswith("msgid="):
        return None
    event_id = reference.removeprefix("msgid=")
    head, dot, part = event_id.partition(".")
    return head if dot and part.isdigit() else event_id


async def _room_lines(
    session: "IRCSession", sub: str, room: str, event_id: str | None, most: int
) -> Sequence[RoomEvent] | None:
    """What CHATHISTORY ``sub`` asks of ``room`` around ``event_id`` (None: the latest); None if the room keeps
    no event with that id."""
    chat, me = session.chat, session.me()
    if event_id is None:
        return await chat.history(me, room, None, most)
    if sub == "LATEST":
        missed = await chat.missed(me, room, event_id, me.rooms[fold(room)].seq + 1, most)
        return None if missed is None else missed.lines
    if sub == "BEFORE":
        return await chat.history_before(me, room, event_id, most)
    if sub == "AFTER":
        return await chat.history_after(me, room, event_id, most)
    return await chat.history_around(me, room, event_id, most)


def _send(
    session: "IRCSession", sub: str, target: str, reference: str, read: Awaitable[Sequence[Event] | None]
) -> "Deferred[None]":
    """Write what ``read`` gives as a batch once it comes, or, if it gives None (``reference`` is no line kept),
    the spec's ``MESSAGE_ERROR`` naming the subcommand, target and reference; the connection waits for it."""

    async def sent() -> None:
        events = await read
        if events is None:
            session.fail("CHATHISTORY", "MESSAGE_ERROR", sub, target, reference, _NOT_KEPT.format(target))
            return
        session.write(_batch(events, session, target))

    return Deferred.fromCoroutine(sent())
