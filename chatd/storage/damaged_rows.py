"""A row of the ``--db`` file's events that is no event this daemon reads: damaged in the file, or written by hand.

The pass log lets no such row in (chatd.storage.pass_records), so one is
the file's own. It was told as the pass log's damage at start ("move it
away to start without the lines it holds", which would not have helped),
and a read that reached it (``/history``, ``/search``, a join's replay)
was a traceback in the log and ``ERR internal``. Now the row is named: by
its position, never by what it holds (what someone said, maybe), in the
one sentence that stops a start (``at_start``), and while the daemon runs
in one line of its log (``SQLiteHistory.read``), while the user whose read
reached it is told in one line (chatd.domain.errors.HistoryUnreadableError)
and the chat goes on.
"""

import sqlite3
from collections.abc import Iterable, Iterator
from typing import TypeVar

from chatd.domain.encoding import UndecodableEventError, decode_event
from chatd.domain.events import Event

T = TypeVar("T")


class UnreadableRowError(Exception):
    """A row of ``events`` holds no event this daemon reads; ``where`` says which, in words for a host."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def at(position: int) -> str:
    """The row at ``position`` of ``events``, in a host's words."""
    return f"the row at position {position}"


def decoded(position: int, body: str) -> Event:
    """The event the row of ``events`` at ``position`` holds in ``body``; raises ``UnreadableRowError``."""
    try:
        return decode_event(body)
    except UndecodableEventError:
        raise UnreadableRowError(at(position)) from None


def with_text(rows: Iterable[tuple[int, object, T]]) -> Iterator[tuple[int, str, T]]:
    """``rows`` of (position, a line's text as SQLite read it from the body, more), each checked to hold text;
    raises ``UnreadableRowError`` at the first that does not (a body of JSON without a line's text)."""
    for position, text, more in rows:
        if not isinstance(text, str):
            raise UnreadableRowError(at(position))
        yield position, text, more


def malformed(error: sqlite3.OperationalError) -> bool:
    """Whether ``error`` is SQLite's for a body its JSON functions cannot read ("malformed JSON"), the row unnamed."""
    return str(error) == "malformed JSON"


def not_json(error: sqlite3.OperationalError, room: str) -> Exception:
    """``error``, raised reading ``room``'s lines' text in SQL, as ``UnreadableRowError`` if it says a body is not
    JSON (``malformed``: which row, SQLite does not say); else ``error`` itself, to be raised."""
    if not malformed(error):
        return error
    return UnreadableRowError(f"a line of {room} that is not JSON")


def at_start(path: str, error: UnreadableRowError) -> str:
    """The sentence for a ``--db`` file at ``path`` holding the unreadable row of ``error``, found as it starts."""
    return (
        f"--db {path}'s table events holds {error.where}, which chatd cannot read as an event; delete that row, or "
        "restore the file from a backup."
    )
