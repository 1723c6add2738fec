"""``/search`` in a line session: a room's lines, or private messages, holding some words.

``/search`` shows the newest lines of a room holding some words, each with
its id, so ``/history ROOM around ID`` shows it in its context; a full page
ends naming the ``/search ROOM before ID words`` that shows older ones.

Every front end's search is charged and taken in turns alike
(chatd.frontend.searches); this module shows its hits and the line that
ends them.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from chatd.domain.events import RoomEvent, Whispered
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
from chatd.line import history_commands as hist
from chatd.line.history_lines import visible
from chatd.line.render import Notice

if TYPE_CHECKING:
    from chatd.line.session import LineSession, Waiting


def search(session: "LineSession", command: hist.Search) -> "Waiting":
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
        shown = visible(session, events)
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
