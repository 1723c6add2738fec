"""What a line session shows of a room as it joins it: its last lines, or, resuming, what it missed.

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

Both ask the chat, which checks that the user is a member, and the chat's
history store reads, slowly: the session's place waits for the read, and
what it shows is charged as a listing or as a resume.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from twisted.internet.defer import Deferred

from chatd.domain.events import RoomEvent
from chatd.domain.ids import Point
from chatd.domain.ports import RoomView
from chatd.domain.resume import Missed
from chatd.frontend.flood import ENTRIES_PER_LINE, RESUMED_BYTES, RESUMED_PER_CHARGE, first_fitting
from chatd.frontend.held import as_deferred, fill_place
from chatd.line import history_commands as hist
from chatd.line.history_lines import history_bytes, history_end, none_kept, page_from, visible
from chatd.line.render import Notice
from chatd.text import counted

if TYPE_CHECKING:
    from chatd.line.session import LineSession, Waiting


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
    shown = visible(session, events)
    session.charge_listing(len(shown), per)
    more = len(events) == count
    if events:
        # Read, shown or not: /history goes on from before them rather than reading them again.
        page_from(session, room, events[0].seq, hist.HISTORY_LINES)
    if not shown:
        if not session.json:
            return b""
        return session.render(history_end(room, 0, more) if events else none_kept(room, going_back=False))
    if shown is not events:
        return history_bytes(session, shown) + session.render(history_end(room, len(shown), more))
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
        data = history_bytes(session, events) + session.render(history_end(room, len(events), more))
        if len(self._kept) >= self._most:
            del self._kept[next(iter(self._kept))]
        self._kept[key] = ((events[0], events[-1]), data)
        return data


REPLAYS_KEPT = 512
"""Rendered replays ``_Replays`` keeps, the oldest made dropped first: two ways of rendering 200 rooms and more."""

_replays = _Replays(REPLAYS_KEPT)


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
    shown = list(visible(session, missed.lines))
    ignored = len(missed.lines) - len(shown)
    rendered = [session.render_history(event) for event in shown]
    first = len(rendered)
    while first and size + len(rendered[first - 1]) <= RESUMED_BYTES:
        first -= 1
        size += len(rendered[first])
    shown, rendered = shown[first:], rendered[first:]
    if shown:
        page_from(session, room, shown[0].seq, hist.HISTORY_LINES)
    cost = len(shown) // RESUMED_PER_CHARGE
    if cost:
        session.charge_answer(cost)
    end = _missed_end(room, _Missed(len(shown), missed.count, ignored, told, len(deleted) - told))
    return b"".join(deleted[:told]) + b"".join(rendered) + session.render(end)


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
