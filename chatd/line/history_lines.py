"""What every showing of a room's past in a line session shares: the lines it sees, their bytes, the markers after them.

A join's replay and a resume (chatd.line.replay), ``/history``'s pages
(chatd.line.history, a conversation's too) and ``/search``
(chatd.line.search) each hide what an ignored person said, as live
(``visible``). The first two write lines
of history (``history_bytes``), end them with a marker a program reads as
well as a person (``history_end``, ``none_kept``), and leave the cursor
from which the next ``/history`` of the room goes on (``page_from``).
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from chatd.domain.events import Acted, Encrypted, Private, RoomEvent, Said, Whispered
from chatd.line.render import Notice
from chatd.text import fold

if TYPE_CHECKING:
    from chatd.line.session import LineSession


Line = TypeVar("Line", RoomEvent, RoomEvent | Whispered, Private)
"""What ``visible`` filters: a room's lines, a search's, which may be private messages, or a conversation's."""


def visible(session: "LineSession", events: Sequence[Line]) -> Sequence[Line]:
    """The lines ``session`` is shown of ``events``: as live, none said, acted or written privately by someone it
    ignores."""
    if not session.ignored:
        return events
    return [
        event
        for event in events
        if not (
            isinstance(event, Said | Acted | Whispered | Encrypted)
            and fold(event.actor.nick) in session.ignored
        )
    ]


def history_bytes(session: "LineSession", events: Sequence[RoomEvent]) -> bytes:
    """``events`` as ``session`` shows lines of history (``render_history``), one after another."""
    return b"".join(session.render_history(event) for event in events)


def page_from(session: "LineSession", room: str, seq: int, count: int) -> None:
    """Have the next ``/history`` of ``room`` go on with ``count`` lines before the one numbered ``seq``."""
    session.paging = (fold(room), seq, count, session.chat.time().at)


def none_kept(room: str, going_back: bool) -> Notice:
    """The marker when none is kept: no line of the room, or (``going_back``) none before the lines shown."""
    before = "earlier " if going_back else ""
    return Notice(
        "history_end", f"No {before}lines of {room} are kept.", {"room": room, "count": 0, "earlier": False}
    )


def history_end(room: str, count: int, more: bool) -> Notice:
    """The marker after lines of history; ``more``: a full page, so there may be earlier ones (``earlier`` in JSON, so
    that a program, the web page's "Load older messages", need not read the sentence)."""
    after = f"; /history {room} shows earlier lines." if more else ": nothing earlier is kept."
    return Notice(
        "history_end", f"End of history of {room}{after}", {"room": room, "count": count, "earlier": more}
    )
