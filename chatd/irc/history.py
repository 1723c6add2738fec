"""History over IRC: a room's last lines on joining it, and ``draft/chathistory``.

Autoreplay: right after its join burst, a client that took server-time
reads the room's last ``--replay`` lines, each tagged with when it was said
(in a ``chathistory`` batch if it took ``batch``), before anything said
after its join: as on the line front end, the history is read up to the
join's sequence number and the session's output keeps its place meanwhile
(chatd.frontend.held). A client without server-time is shown no replay:
lines without their times would read as said now.

CHATHISTORY (draft/chathistory) asks for more: LATEST (``*`` or after a
reference), BEFORE, AFTER and AROUND a reference, and BETWEEN two, in a
room the client is in; and LATEST ``*`` or BEFORE a reference of a
private conversation between two accounts; and TARGETS, the rooms and conversations of the client's
whose latest line falls between two times (``targets``). BETWEEN counts
from its first reference, forward or back in time
(chatd.domain.resume.between), as the spec has it. The limit counts
PRIVMSG lines, as the spec's counts messages, and a batch holds whole
messages (``_taken``). A reference (``MSGREFTYPES=timestamp,msgid``) is a
point in the order of events (chatd.domain.ids.Point): ids sort as events
happened, in every room, so a ``msgid=`` names where its event happened
whatever it was (a QUIT, NICK or AWAY the client saw in the room, another
room's JOIN, a line forgotten), and a ``timestamp=`` its millisecond, all
of whose lines it leaves out as the spec has BEFORE, AFTER and BETWEEN
exclude the reference. ``ID.N``, which tags an event's later lines (a
paste's), reads as ``ID``. A msgid of no form chatd gives names no point
and is answered ``FAIL CHATHISTORY MESSAGE_ERROR``, the spec's code for
history that cannot be given, as Ergo answers a msgid it does not know;
an empty batch would read as "nothing more", and a client paging back
would stop there without a word of why. A well-formed id chatd never gave
reads as the point it names: nothing keeps every id given (a QUIT's is
kept nowhere), so it is no different from a forgotten line's. The answer
is a ``chathistory`` batch, and the connection reads nothing more until it
is written. Every FAIL names the subcommand, as the spec lays them out.
What the batches hold is what people said (PRIVMSGs and actions), not
joins and parts, so ``draft/event-playback`` is not offered.
"""

from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from twisted.internet.defer import Deferred

from chatd.domain.errors import ChatError
from chatd.domain.events import Event, RoomEvent
from chatd.domain.ids import Point, event_point
from chatd.domain.reads import HISTORY_MOST
from chatd.frontend.flood import ENTRIES_PER_LINE
from chatd.frontend.held import as_deferred, fill_place
from chatd.frontend.points import moment, point_at
from chatd.irc import numerics as n
from chatd.irc.batches import new_batch
from chatd.irc.lines import Shape, line, timestamp
from chatd.irc.message import NO_TAGS, Message
from chatd.irc.missed_deletions import told_deletions
from chatd.irc.wording import refusal
from chatd.text import fold, number_up_to

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession, Waiting

CHATHISTORY_MOST = HISTORY_MOST // 2
"""Most lines one CHATHISTORY gives (ISUPPORT ``CHATHISTORY``): half of what ``/history`` reads at most."""

SUBCOMMANDS = ("LATEST", "BEFORE", "AFTER", "AROUND", "BETWEEN", "TARGETS")
"""What CHATHISTORY answers: TARGETS lists conversations (``targets``), the others read one."""

_NOT_KEPT = "{} keeps no line with that msgid"
"""Why a msgid reference reads nothing: it is of no form chatd gives, so no event's, and no point in time."""

_NO_TIME = "A timestamp is written timestamp=YYYY-MM-DDThh:mm:ss.sssZ"
"""Why a ``timestamp=`` reference is refused: it names no time."""

_KINDS = "A reference is msgid=, timestamp= or, for LATEST, *"
"""Why a reference of another kind is refused (``INVALID_MSGREFTYPE``)."""

_TIMES_ONLY = "TARGETS takes timestamp= references only"
"""Why a bound of TARGETS that is no ``timestamp=`` is refused (``INVALID_PARAMS``, as the spec has it); one that is
no time is told ``_NO_TIME``, as every subcommand tells it."""

E = TypeVar("E", bound=Event)
"""What a read gives: a room's events, or a conversation's private messages."""


def replay(session: "IRCSession", room: str, before: int, per: int = ENTRIES_PER_LINE) -> None:
    """Show ``room``'s last lines below ``before`` (as ``join_burst`` gives it) in the place kept now, before anything
    later, charged a line of flood budget every ``per`` lines.

    ``per`` is as the line front end charges a replay: a listing's
    (``ENTRIES_PER_LINE``) for the connection whose JOIN it was, a resume's
    (``RESUMED_PER_CHARGE``) for one that asked for no join (another of the
    account's, or one logging in to the account online elsewhere).
    A read that fails is logged and the client told (``FAIL JOIN INTERNAL``), as a command's would be:
    the replay belongs to the JOIN, though the chat's delivery of it, not the command, asks for it.
    """
    most = session.chat.limits.replay
    if not most or "server-time" not in session.caps:
        return
    at_hand = session.chat.history_at_hand(session.me(), room, before, most)
    if at_hand is not None:
        session.sink.write(_batch(at_hand, session, room, per))
        return
    read = as_deferred(session.chat.history(session.me(), room, before, most))
    waiting = fill_place(session, read.addCallback(_batch, session, room, per))
    if waiting is not None:
        waiting.addErrback(session.failed, "JOIN")


def _batch(events: Sequence[Event], session: "IRCSession", target: str, per: int = ENTRIES_PER_LINE) -> bytes:
    """The events read, as one ``chathistory`` batch (when the client takes batches), charged a line every ``per``."""
    session.charge_answer(len(events) // per)
    return batch(session, target, events)


def batch(session: "IRCSession", target: str, events: Sequence[Event]) -> bytes:
    """``events`` as ``session`` reads them, in a ``chathistory`` batch if it takes batches."""
    render, shape = session.factory.events.render, Shape(session.shape)
    return framed(
        session,
        ("chathistory", target),
        lambda reference: b"".join(render(event, shape, reference) for event in events),
    )


def framed(session: "IRCSession", kind: tuple[str, ...], lines: Callable[[str | None], bytes]) -> bytes:
    """What ``lines`` writes for a batch reference, framed by ``BATCH +reference kind...`` and ``BATCH -reference``
    if ``session`` takes batches; unframed, written for no reference (None), if it does not."""
    if "batch" not in session.caps:
        return lines(None)
    framing = new_batch(session.factory.server_name, *kind)
    return framing.start + lines(framing.reference) + framing.end


class _Asked(NamedTuple):
    """A CHATHISTORY understood, before it is run."""

    sub: str
    target: str
    references: tuple[str, ...]
    """As given: ``*``, or a ``msgid=`` or ``timestamp=`` (two for BETWEEN)."""
    points: tuple[Point, ...]
    """Where each reference falls in the order of events; none for ``*``."""
    unknown: str | None
    """The first reference that is a ``msgid=`` of no form chatd gives, if any: no point at all."""
    most: int
    """The lines to give at most: the limit asked, up to ``CHATHISTORY_MOST``."""


def chathistory(session: "IRCSession", message: Message) -> "Waiting":
    """CHATHISTORY LATEST|BEFORE|AFTER|AROUND target reference limit, or BETWEEN target reference reference limit."""
    if message.params[0].upper() == "TARGETS":
        return targets(session, message)
    asked = _asked(session, message)
    if asked is None:
        return None
    sub, target = asked.sub, asked.target
    try:
        if not target.startswith("#"):
            return _private(session, asked)
        if fold(target) not in session.me().rooms:
            session.fail("CHATHISTORY", "INVALID_TARGET", sub, target, "Join the room to read its history")
            return None
        if asked.unknown is not None:
            fail = _NOT_KEPT.format(target)
            session.fail("CHATHISTORY", "MESSAGE_ERROR", sub, target, asked.unknown, fail)
            return None
        return _send(session, asked, _room_lines(session, asked))
    except ChatError as error:
        session.fail(
            "CHATHISTORY", "INVALID_TARGET", sub, target, refusal(error, "CHATHISTORY", target)[1][-1]
        )
        return None


def _asked(session: "IRCSession", message: Message) -> _Asked | None:
    """What ``message`` asks, or None once the client is told why it is refused: a subcommand chatd does not
    answer, too few parameters for BETWEEN, a limit that is no number above 0, a reference of no kind taken, a
    ``timestamp=`` that is no time."""
    sub = message.params[0].upper()
    if sub not in SUBCOMMANDS:
        session.fail(
            "CHATHISTORY",
            "INVALID_PARAMS",
            sub,
            "chatd answers LATEST, BEFORE, AFTER, AROUND, BETWEEN and TARGETS",
        )
        return None
    end = 5 if sub == "BETWEEN" else 4
    if len(message.params) < end:
        session.reply(n.ERR_NEEDMOREPARAMS, "CHATHISTORY", "Not enough parameters")
        return None
    target, *references, limit = message.params[1:end]
    most = _most(session, sub, limit)
    if most is None:
        return None
    points: list[Point] = []
    unknown: str | None = None
    for reference in references:
        if sub == "LATEST" and reference == "*":
            continue
        if reference.startswith("timestamp="):
            at = _moment(reference)
            if at is None:
                session.fail("CHATHISTORY", "INVALID_PARAMS", sub, reference, _NO_TIME)
                return None
            points.append(point_at(at))
        elif reference.startswith("msgid="):
            point = event_point(_event_of(reference))
            if point is None:
                unknown = unknown or reference
            else:
                points.append(point)
        else:
            session.fail("CHATHISTORY", "INVALID_MSGREFTYPE", sub, reference, _KINDS)
            return None
    return _Asked(sub, target, tuple(references), tuple(points), unknown, most)


def _most(session: "IRCSession", sub: str, limit: str) -> int | None:
    """How many to give at most for the limit ``limit`` of a ``sub``: it, up to ``CHATHISTORY_MOST``; None once the
    client is told it is no number above 0."""
    most = number_up_to(limit, CHATHISTORY_MOST)
    if not most:
        session.fail("CHATHISTORY", "INVALID_PARAMS", sub, limit, "The limit must be a number above 0")
        return None
    return most


def _moment(reference: str) -> float | None:
    """The seconds since the epoch a ``timestamp=`` reference names; None if it names none (a msgid, a bad time)."""
    return moment(reference.removeprefix("timestamp=")) if reference.startswith("timestamp=") else None


def _event_of(reference: str) -> str:
    """The event id a ``msgid=`` reference names: ``ID.N``, an event's later line, names ``ID``."""
    event_id = reference.removeprefix("msgid=")
    head, dot, part = event_id.partition(".")
    return head if dot and part.isdigit() else event_id


async def _room_lines(session: "IRCSession", asked: _Asked) -> Sequence[RoomEvent]:
    """What ``asked`` reads of its room, the lines that fit."""
    chat, me, room, most = session.chat, session.me(), asked.target, asked.most
    if not asked.points:
        return _newest(session, await chat.history(me, room, None, most), most)
    point = asked.points[0]
    if asked.sub == "BETWEEN":
        found = await chat.history_between(me, room, point, asked.points[1], most)
        return (_oldest if found.forward else _newest)(session, found.lines, most)
    if asked.sub == "LATEST":
        missed = await chat.missed(me, room, point, me.rooms[fold(room)].seq + 1, most)
        lines = _newest(session, missed.lines, most)
        # Before the batch, as if live: the lines up to the point that were deleted since (issue 13).
        if missed.deleted:
            session.write(told_deletions(session, room, missed.deleted, lines))
        return lines
    if asked.sub == "BEFORE":
        return _newest(session, await chat.history_before(me, room, point, most), most)
    if asked.sub == "AFTER":
        return _oldest(session, await chat.history_after(me, room, point, most), most)
    before, after = await chat.history_beside(me, room, point, most)
    return _around(session, point.start, before, after, most)


def _private(session: "IRCSession", asked: _Asked) -> "Waiting":
    """LATEST ``*`` or BEFORE a reference of a private conversation: the newest private messages (before it) that
    fit, as ``/history @NICK before ID`` pages them; the other subcommands are refused, and so is a msgid of no form
    chatd gives, as in a room."""
    sub, target = asked.sub, asked.target
    paging = sub == "BEFORE" or (sub == "LATEST" and not asked.points and asked.unknown is None)
    if not paging:
        why = "A private conversation is read from its latest lines, or back before a reference"
        session.fail("CHATHISTORY", "INVALID_PARAMS", sub, asked.references[0], why)
        return None
    if asked.unknown is not None:
        session.fail("CHATHISTORY", "MESSAGE_ERROR", sub, target, asked.unknown, _NOT_KEPT.format(target))
        return None
    before = asked.points[0] if asked.points else None
    read = session.chat.conversation(session.me(), target, asked.most, before)
    return _send(session, asked, _latest_private(session, read, asked.most))


async def _latest_private(
    session: "IRCSession", read: Awaitable[Sequence[Event]], most: int
) -> Sequence[Event]:
    """The newest of the private messages ``read`` gives that fit in ``most`` lines."""
    return _newest(session, await read, most)


def _size(session: "IRCSession", event: Event) -> int:
    """The lines ``event`` is to ``session``: one PRIVMSG for each line of a paste and each piece of a long one."""
    return session.factory.events.render(event, Shape(session.shape)).count(b"\r\n")


def _taken(session: "IRCSession", events: Iterable[E], most: int) -> list[E]:
    """``events`` in the order given, while they fit in ``most`` lines together; the first whatever its size.

    The limit counts PRIVMSGs, as the spec's limit counts messages, and a
    message is never cut: a paste that would pass it is left for the next
    request, unless it comes first, so that no request reads nothing while
    there is more (a client paging back would stop there).
    """
    taken: list[E] = []
    for event in events:
        most -= _size(session, event)
        if taken and most < 0:
            break
        taken.append(event)
    return taken


def _newest(session: "IRCSession", events: Sequence[E], most: int) -> Sequence[E]:
    """The newest of ``events`` (oldest first) that fit in ``most`` lines: LATEST, BEFORE."""
    return _taken(session, reversed(events), most)[::-1]


def _oldest(session: "IRCSession", events: Sequence[E], most: int) -> Sequence[E]:
    """The oldest of ``events`` (oldest first) that fit in ``most`` lines: AFTER."""
    return _taken(session, events, most)


def _around(
    session: "IRCSession", event_id: str, before: Sequence[E], after: Sequence[E], most: int
) -> Sequence[E]:
    """What of ``before`` and ``after`` fits in ``most`` lines, taken outward from the event with id ``event_id``
    (``after``'s first, if it is a message): it, the next message after it, the last one before it, and so on,
    as ``chatd.domain.resume.around`` centres. A side whose next message does not fit ends there; the other goes on."""
    taken_after = list(after[:1]) if after and after[0].id == event_id else []
    taken_before: list[E] = []
    later, earlier = deque(after[len(taken_after) :]), deque(reversed(before))
    most -= sum(_size(session, event) for event in taken_after)
    while later or earlier:
        for side, taken in ((later, taken_after), (earlier, taken_before)):
            if not side:
                continue
            size = _size(session, side[0])
            if size > most and (taken_after or taken_before):
                side.clear()
            else:
                taken.append(side.popleft())
                most -= size
    return taken_before[::-1] + taken_after


def _send(session: "IRCSession", asked: _Asked, read: Awaitable[Sequence[Event]]) -> "Deferred[None]":
    """Write what ``read`` gives as a batch once it comes; the connection waits for it."""

    async def sent() -> None:
        session.write(_batch(await read, session, asked.target))

    return Deferred.fromCoroutine(sent())


def targets(session: "IRCSession", message: Message) -> "Waiting":
    """CHATHISTORY TARGETS timestamp=T1 timestamp=T2 limit: the rooms and private conversations of this user whose
    latest line falls between the two times, each with that line's time, in a ``draft/chathistory-targets``
    batch (with batch), oldest first.

    As BETWEEN, the limit counts from the first bound: the newest targets when it is the later. The rooms
    are those the user is in, the conversations their account's (chatd.domain.chat's ``targets``): never
    another user's partners. The bounds must be timestamps, as the spec has it; a msgid is INVALID_PARAMS.
    """
    bounds: list[float] = []
    for given in message.params[1:3]:
        at = _moment(given)
        if at is None:
            why = _NO_TIME if given.startswith("timestamp=") else _TIMES_ONLY
            session.fail("CHATHISTORY", "INVALID_PARAMS", "TARGETS", given, why)
            return None
        bounds.append(at)
    most = _most(session, "TARGETS", message.params[3])
    if most is None:
        return None
    first, second = bounds

    async def listed() -> None:
        found = await session.chat.targets(session.me(), min(first, second), max(first, second))
        shown = found[-most:] if first > second else found[:most]
        session.charge_answer(len(shown) // ENTRIES_PER_LINE)
        session.write(_targets_batch(session, shown))

    return Deferred.fromCoroutine(listed())


def _targets_batch(session: "IRCSession", shown: Sequence[tuple[str, float]]) -> bytes:
    """``CHATHISTORY TARGETS name time`` from the server for each of ``shown``, in a ``draft/chathistory-targets``
    batch if the client takes batches."""
    server = session.factory.server_name

    def lines(reference: str | None) -> bytes:
        tags = NO_TAGS if reference is None else {"batch": reference}
        return b"".join(
            line(
                Message(
                    tags=tags, source=server, command="CHATHISTORY", params=("TARGETS", name, timestamp(at))
                )
            )
            for name, at in shown
        )

    return framed(session, ("draft/chathistory-targets",), lines)
