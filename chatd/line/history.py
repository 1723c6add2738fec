"""What a line session shows of a room's past: its last lines on joining it, what it missed, and ``/history``'s pages.

Both ask the chat, which checks that the user is a member, and the chat's
history store reads: slowly, off the reactor thread, so each returns a
Deferred that fires once the lines are written, and the connection reads
nothing more until then (replies keep the order of commands).

A replay on join must come before what happens in the room after the
join, which the chat delivers at once. It reads the lines before the
join's own sequence number (a connection shown the rooms of an account it
joined, which made no join: up to the room's last event, that one too),
and keeps a place for them in the session's
output (chatd.frontend.held): whatever the session is sent meanwhile waits
behind that place, so the history, its marker and then the live lines go
out in that order, with no line twice and none missing. A join that
resumes (``/resume``) fills the same place with what was said after the
line the client last saw instead, and how much it was, told first which
of the lines it may show were deleted since (``deleted``, as live).

``/history`` pages backwards: the session remembers the oldest line it
was shown of a room (``LineSession.paging``), and a ``/history`` of the
same room right after goes on from there; any other command starts again
from the latest line, as does one ``PAGING_LAPSE`` after the page. A
replay sets the same cursor (if it read lines, shown or not), so
``/history`` right after joining goes on from the oldest line replayed.

``/search`` shows the newest lines of a room holding some words, each with
its id, so ``/history ROOM around ID`` shows it in its context; a full page
ends naming the ``/search ROOM before ID words`` that shows older ones.
"""

from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from twisted.internet.defer import Deferred

from chatd.domain.events import Acted, RoomEvent, Said, Whispered
from chatd.domain.ids import Point
from chatd.domain.ports import RoomView
from chatd.domain.resume import Missed
from chatd.domain.search import (
    SCAN_CHARACTERS,
    SCAN_LINES,
    SEARCH_HITS,
    SHORTEST_INDEXED,
    period_between,
    scans,
    search_words,
)
from chatd.frontend import searches
from chatd.frontend.flood import ENTRIES_PER_LINE, RESUMED_BYTES, RESUMED_PER_CHARGE, first_fitting
from chatd.frontend.held import as_deferred, fill_place
from chatd.line import commands as cmd
from chatd.line.errors import UsageError
from chatd.line.render import Notice
from chatd.text import counted, fold

if TYPE_CHECKING:
    from chatd.line.session import LineSession, Waiting


PAGING_LAPSE = 120.0
"""Seconds after a page (or a join's replay) within which ``/history`` goes on before it: reading back page by
page takes less, and a ``/history N`` long after a join, while the room talked on, means its latest lines.
A host's reader who joined, watched for minutes and asked ``/history 3`` was told nothing earlier is kept."""

Line = TypeVar("Line", RoomEvent, RoomEvent | Whispered)
"""What ``_visible`` filters: a room's lines, or a search's, which may be private messages."""


def replay(session: "LineSession", room: RoomView, before: int, per: int = ENTRIES_PER_LINE) -> "Waiting":
    """Show the last lines of ``room`` below sequence number ``before``, then the marker, before anything later.

    Called right after the join, with the join's own number: the join and
    all after it are live (or, shown a room an account is in already, one
    past the room's last event: all of it is past). Nothing is shown (no
    marker either) when ``--replay`` is 0: earlier lines may be kept. A
    room with no history shows a person nothing, and a program (JSON) the
    marker of none kept, so that it offers no older lines (the web page's
    "Load older messages"). The lines shown cost a line of flood budget every
    ``per``: a listing's (``ENTRIES_PER_LINE``), or a resume's.
    """
    chat = session.chat
    count = chat.limits.replay
    if not count:
        return None
    at_hand = chat.history_at_hand(session.me(), room.name, before, count)
    if at_hand is not None:
        session.sink.write(_replayed(at_hand, session, room.name, count, per))
        return None
    read = as_deferred(chat.history(session.me(), room.name, before, count))
    return fill_place(session, read.addCallback(_replayed, session, room.name, count, per))


def resume_after(session: "LineSession", room: RoomView, at: Point, before: int) -> "Waiting":
    """Show what ``room`` said after the point ``at`` and below ``before``, then how much it was.

    ``at`` is where the line the client saw last was (or any event, or a
    time: chatd.domain.ids), kept or not. As ``replay`` does, below the same
    number, and before anything later; up to ``RESUME_MOST`` lines and
    ``RESUMED_BYTES``, the latest, charged as a resume is
    (``RESUMED_PER_CHARGE``).
    """
    read = session.chat.missed(session.me(), room.name, at, before)

    async def resumed() -> bytes:
        return _missed(session, room.name, await read)

    return fill_place(session, Deferred.fromCoroutine(resumed()))


def _replayed(events: Sequence[RoomEvent], session: "LineSession", room: str, count: int, per: int) -> bytes:
    """The lines of history read and their marker, charged a line every ``per``; for none shown, no marker but in
    JSON.

    None is shown of a room with no history, or one whose lines read are all
    from someone the session ignores: a person is told nothing of either; a
    program (``replay``) the marker ``/history`` would give, so the web page
    offers older lines only where there may be some it would show.
    """
    shown = _visible(session, events)
    session.charge_listing(len(shown), per)
    more = len(events) == count
    if events:
        # Read, shown or not: /history goes on from before them rather than reading them again.
        _page_from(session, room, events[0].seq, cmd.HISTORY_LINES)
    if not shown:
        if not session.json:
            return b""
        return session.render(_end(room, 0, more) if events else _none_kept(room, going_back=False))
    if shown is not events:
        return _lines(session, shown) + session.render(_end(room, len(shown), more))
    return _replays.rendered(session, room, events, more)


class _Replays:
    """Each replay rendered once per way of rendering it, not once for every user who joins the room.

    After a restart thousands join the same rooms and are each shown the
    same lines, the same event objects (the store hands out those it keeps
    of each room): rendering them line by line, hashing every event to find
    it in ``render``'s cache, was a third of what the replay cost
    (docs/PERFORMANCE.md, "Registering after a restart"). Kept by the
    identity of the first and last event and their number: a room's lines
    are in the order of their sequence numbers and nothing is put between
    two, so the same first, last and count are the same lines. Lines read
    afresh from the file are new objects: they only push older replays out.
    """

    def __init__(self, most: int) -> None:
        self._most = most
        self._kept: dict[tuple[object, ...], tuple[Sequence[RoomEvent], bytes]] = {}
        """By the way of rendering, the room, the first and last event's identity and the count; the events are
        kept with their bytes, so no other object can take their identity while they are here."""

    def rendered(self, session: "LineSession", room: str, events: Sequence[RoomEvent], more: bool) -> bytes:
        """``events`` as ``session`` renders history, then their marker: kept, or rendered and kept."""
        key = (type(session), session.json, room, id(events[0]), id(events[-1]), len(events), more)
        kept = self._kept.get(key)
        if kept is not None:
            return kept[1]
        data = _lines(session, events) + session.render(_end(room, len(events), more))
        if len(self._kept) >= self._most:
            del self._kept[next(iter(self._kept))]
        self._kept[key] = ((events[0], events[-1]), data)
        return data


REPLAYS_KEPT = 512
"""Rendered replays ``_Replays`` keeps, the oldest made dropped first: two ways of rendering 200 rooms and more."""

_replays = _Replays(REPLAYS_KEPT)


def _page_from(session: "LineSession", room: str, seq: int, count: int) -> None:
    """Have the next ``/history`` of ``room`` go on with ``count`` lines before the one numbered ``seq``."""
    session.paging = (fold(room), seq, count, session.chat.time().at)


def _missed(session: "LineSession", room: str, missed: Missed) -> bytes:
    """The lines the client may show deleted since (``Missed.deleted``) as a live deletion is told, the latest
    lines missed, all within ``RESUMED_BYTES``, then how many of each were missed and shown.

    Deletions first: they take away lines from before the point, and the
    marker after the lines ends what the resume shows. The first that fit
    are told (a thousand with long reasons are past the bound on their
    own), and the lines have what is left.
    """
    deleted = [session.render(event) for event in missed.deleted]
    told = first_fitting(deleted, RESUMED_BYTES)
    size = sum(len(line) for line in deleted[:told])
    shown = list(_visible(session, missed.lines))
    ignored = len(missed.lines) - len(shown)
    rendered = [session.render_history(event) for event in shown]
    first = len(rendered)
    while first and size + len(rendered[first - 1]) <= RESUMED_BYTES:
        first -= 1
        size += len(rendered[first])
    shown, rendered = shown[first:], rendered[first:]
    if shown:
        _page_from(session, room, shown[0].seq, cmd.HISTORY_LINES)
    cost = len(shown) // RESUMED_PER_CHARGE
    if cost:
        session.charge_answer(cost)
    end = _missed_end(room, _Missed(len(shown), missed.count, ignored, told, len(deleted) - told))
    return b"".join(deleted[:told]) + b"".join(rendered) + session.render(end)


def history(session: "LineSession", command: cmd.History) -> "Waiting":
    """``/history``: a page of a room's past before the oldest line shown, or before or around one line; or private
    messages.

    A first word without ``#`` is a room the user is in, else a nickname (``private``), bar one
    ``_means_room``; one written ``@NICK`` (``room`` None) is always the nickname.
    """
    me = session.me()
    if command.nick is not None and _means_nick(session, command.nick, command.room):
        if command.around is not None or command.before is not None:
            raise UsageError(cmd.PRIVATE_HISTORY_USAGE)
        return private(session, command.nick, cmd.HISTORY_LINES if command.count is None else command.count)
    name = session.room_or_current(command.room)
    paging = session.paging
    lapsed = paging is None or session.chat.time().at - paging[3] >= PAGING_LAPSE
    going_on = paging if paging is not None and not lapsed and paging[0] == fold(name) else None
    count = command.count
    if count is None:
        count = going_on[2] if going_on is not None else cmd.HISTORY_LINES
    read: Awaitable[Sequence[RoomEvent]]
    if command.around is not None:
        read = session.chat.history_around(me, name, command.around, count)
    elif command.before is not None:
        read = session.chat.history_before(me, name, command.before, count)
    else:
        read = session.chat.history(me, name, going_on[1] if going_on is not None else None, count)
    # The chat found the user in the room: its name as the room shows it.
    room = me.rooms[fold(name)].name
    return Deferred.fromCoroutine(_paged(session, room, read, command, count, going_on is not None))


async def _paged(
    session: "LineSession",
    room: str,
    read: Awaitable[Sequence[RoomEvent]],
    command: cmd.History,
    count: int,
    going_on: bool,
) -> None:
    """Show the page ``read`` gives of ``room``, then its marker; ``going_on``: it goes on from the page before."""
    events = await read
    shown = _visible(session, events)
    if events:
        _page_from(session, room, events[0].seq, count)
        more = command.around is not None or len(events) == count
        end = _end(room, len(shown), more)
    else:
        end = _none_kept(room, going_back=going_on or command.before is not None)
    session.write(_lines(session, shown) + session.render(end))
    session.charge_listing(len(shown))


def _means_nick(session: "LineSession", word: str, room: str | None) -> bool:
    """Whether ``word``, the first of a ``/history`` or ``/search`` that may name a room or a nickname, names the
    nickname: always written ``@NICK`` (``room`` None), else unless the user is in ``room`` (``#WORD``) or
    ``_means_room``."""
    return room is None or (fold(room) not in session.me().rooms and not _means_room(session, word, room))


def _means_room(session: "LineSession", word: str, room: str) -> bool:
    """Whether ``/history WORD``, by a user not in ``room`` (``#WORD``), means that room after all.

    It does for a user not identified, who has no private messages to read,
    when no account has the nickname ``word`` and a room ``room`` exists
    that they may see: they get the room's answer (``/join`` it first), not
    one about identifying for a conversation that cannot be.
    """
    me = session.me()
    return (
        me.account is None
        and not session.chat.is_registered(word)
        and session.chat.room_summary(room, me) is not None
    )


def private(session: "LineSession", nick: str, count: int) -> "Waiting":
    """``/history NICK [N]``: the last private messages between the user's account and ``nick``'s, then a marker."""
    read = session.chat.conversation(session.me(), nick, count)

    async def shown() -> None:
        events = await read
        if events:
            text = f"End of private messages with {nick}."
        else:
            text = f"No private messages with {nick} are kept (only those between two identified users are)."
        end = Notice("private_end", text, {"nick": nick, "count": len(events)})
        session.write(b"".join(session.render_history(event) for event in events) + session.render(end))
        session.charge_listing(len(events))

    return Deferred.fromCoroutine(shown())


def _visible(session: "LineSession", events: Sequence[Line]) -> Sequence[Line]:
    """The lines ``session`` is shown of ``events``: as live, none said, acted or written privately by someone it
    ignores."""
    if not session.ignored:
        return events
    return [
        event
        for event in events
        if not (isinstance(event, Said | Acted | Whispered) and fold(event.actor.nick) in session.ignored)
    ]


def _lines(session: "LineSession", events: Sequence[RoomEvent]) -> bytes:
    return b"".join(session.render_history(event) for event in events)


class _Missed(NamedTuple):
    """What a resume's marker counts."""

    shown: int
    """Messages shown."""
    missed: int
    """Messages said after the point, shown or not."""
    ignored: int = 0
    """Messages missed from people the session ignores, not shown."""
    deleted: int = 0
    """Deletions told before the lines."""
    untold: int = 0
    """Deletions read for the resume and not told: past ``RESUMED_BYTES``."""


def _missed_end(room: str, counts: _Missed) -> Notice:
    """The marker after what a resume shows: how many lines were missed, and how many of them are shown; and how
    many lines deleted were told before them.

    Lines from someone the session ignores (``ignored``) are missed but not
    shown, as live: said so, rather than "the last 0 shown" with /history to
    page back to lines that are all hidden. Earlier lines are kept
    (``earlier``): the one with the id the resume named, at least. "Nothing
    missed" is said only when nothing was told either: a deletion just told
    is something missed.
    """
    shown, missed, ignored, deleted, untold = counts
    details: dict[str, object] = {"room": room, "count": shown, "missed": missed, "earlier": True}
    if ignored:
        details["ignored"] = ignored
    if deleted or untold:
        details["deleted"] = deleted
    if untold:
        details["untold"] = untold
    if not (missed or deleted or untold):
        return Notice("history_end", f"Nothing missed in {room}.", details)
    hidden = f"{ignored} from people you ignore" if ignored < missed else "all from people you ignore"
    said = [counted(missed, "message") if missed else "no messages"]
    if shown + ignored < missed:
        said.append(f"the last {shown} shown" if shown else "none shown")
    if ignored:
        said.append(hidden)
    if deleted or untold:
        told = f", the first {deleted} told" if untold else ""
        said.append(f"{counted(deleted + untold, 'line')} deleted{told}")
    earlier = f"; /history {room} shows earlier lines." if shown + ignored < missed else "."
    return Notice("history_end", f"End of what you missed in {room}: {', '.join(said)}{earlier}", details)


def _none_kept(room: str, going_back: bool) -> Notice:
    """The marker when none is kept: no line of the room, or (``going_back``) none before the lines shown."""
    before = "earlier " if going_back else ""
    return Notice(
        "history_end", f"No {before}lines of {room} are kept.", {"room": room, "count": 0, "earlier": False}
    )


def _end(room: str, count: int, more: bool) -> Notice:
    """The marker after lines of history; ``more``: a full page, so there may be earlier ones (``earlier`` in JSON, so
    that a program, the web page's "Load older messages", need not read the sentence)."""
    after = f"; /history {room} shows earlier lines." if more else ": nothing earlier is kept."
    return Notice(
        "history_end", f"End of history of {room}{after}", {"room": room, "count": count, "earlier": more}
    )


def search(session: "LineSession", command: cmd.Search) -> "Waiting":
    """``/search``: the newest lines of a room, or private messages with ``@NICK``, holding every word asked for
    (``before ID``: of those older than it), each with its id, charged and taken in turns as every front end's search
    is (chatd.frontend.searches).

    Unlike ``/history NICK``, a nickname is searched only written ``@NICK``:
    ``/search bob menu`` looks for both words in the room, as it always
    did, since people search a room for who was named in it.
    """
    nick, query = command.nick, command.query
    older = command.before is not None

    def answer(name: str, events: Sequence[RoomEvent | Whispered], scan: bool) -> None:
        shown = _visible(session, events)
        page = _Page(name if nick is None else f"@{nick}", query, len(shown), older)
        # A full page may have older hits: the oldest read, shown or not, is where the next page starts.
        earlier = events[-1].id if len(events) == SEARCH_HITS else None
        end = (_search_end if nick is None else _private_end)(name, page, earlier)
        session.write(b"".join(session.render_found(event) for event in shown) + session.render(end))
        if not scan:
            session.charge_listing(len(shown))

    period = period_between(None, command.before)
    if nick is not None:
        return searches.search(session, nick, query, answer, private=True, period=period)
    return searches.search(session, session.room_or_current(command.room), query, answer, period=period)


class _Page(NamedTuple):
    """What a search's end line says of the page it ends."""

    target: str
    """What ``/search`` names to search it again: the room, or ``@NICK`` as asked."""
    query: str
    shown: int
    """Hits shown."""
    older: bool
    """Only hits before a point were looked for (``before ID``)."""


def _search_end(room: str, page: _Page, earlier: str | None) -> Notice:
    """The marker after a search's lines: how many, what was read when a word is too short for the index, and with a
    full page the command that shows older hits, from ``earlier`` (the oldest read; in JSON too, for a program)."""
    read, scan = _scanned(page.query, "lines")
    words = _as_typed(page.query)
    older = "older " if page.older else ""
    if not page.shown:
        text = f"No {older}line of {room} holds {words}{read}."
    else:
        found = _how_many(page, earlier)
        lines = f"{older}lines of " if older else ""
        text = f"End of search of {lines}{room} for {words}{read}: {found}. /history {room} around ID shows one in context."
    details = {"room": room, "query": page.query, "count": page.shown, "scan": scan, "earlier": earlier}
    return Notice("search_end", text, details)


def _private_end(nick: str, page: _Page, earlier: str | None) -> Notice:
    """The marker after the private messages a search found: how many, what was read when a word is too short for
    the index, and the command that shows older ones, as ``_search_end`` says of a room."""
    read, scan = _scanned(page.query, "private messages")
    words = _as_typed(page.query)
    older = "older " if page.older else ""
    if not page.shown:
        text = f"No {older}private message with {nick} holds {words}{read}."
    else:
        text = f"End of search of {older}private messages with {nick} for {words}{read}: {_how_many(page, earlier)}."
    details = {"nick": nick, "query": page.query, "count": page.shown, "scan": scan, "earlier": earlier}
    return Notice("search_end", text, details)


def _scanned(query: str, what: str) -> tuple[str, bool]:
    """What an end line says of a search of ``query`` that scanned (a word too short for the index) the last
    ``what`` (lines, private messages), or nothing; and whether it scanned."""
    if not scans(search_words(query)):
        return "", False
    return (
        f" (a word under {SHORTEST_INDEXED} characters: only the last {SCAN_LINES:,} {what}, "
        f"{SCAN_CHARACTERS:,} characters, were read)",
        True,
    )


def _how_many(page: _Page, earlier: str | None) -> str:
    """How an end line counts what a search found: all of them, or the newest of more and how to see older ones."""
    if earlier is None:
        return f"{page.shown} found"
    return f"the newest {page.shown}; /search {page.target} before {earlier} {page.query} shows older ones"


def _as_typed(query: str) -> str:
    """The words of a search as its end line shows them: in double quotes, or as typed if they hold one.

    Quotes are text to a search, looked for like any character, so quoting
    ``"cafe au lait"`` again showed ``""cafe au lait""``, words nobody typed.
    """
    return query if '"' in query else f'"{query}"'
