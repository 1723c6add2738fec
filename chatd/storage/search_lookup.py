"""A search's look-up in the index file and the history (reader thread).

A search reads both files (the reader's connection attaches the index):
the index for the lines up to its progress (a room's, or a conversation's
private messages: ``Scope``), and the newest lines after that, which the
indexer has not read yet, by reading them (at most ``TAIL`` events): a line is found as soon as it is committed, however far
the index lags. While an index is being filled from the beginning, older
lines than that are not found yet.

A search bounded to a period (chatd.domain.search.Period) looks between
the positions of its ends (``positions_of``): each read, of the lines not
indexed yet and of each index, is bounded there, so lines after the
period use up none of the rows and characters a search may check.
"""

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter

from chatd.domain.search import SCAN_LINES, Checked, Period, folded, matches, scanned
from chatd.storage.damaged_rows import with_text
from chatd.storage.id_places import position_of
from chatd.storage.schema import LINE_KINDS

TAIL = SCAN_LINES
"""Events after the index's progress a search reads at most: all of them unless it is being filled anew."""

MIXED = 500
"""Rows of each index a search of several words reads at most for lines holding some as words, some as text.

Each row is a look-up in the history and a check in Python: 2,000 of them
took two words 15 ms of the reader's time over a million lines, against 6
ms for 500 (bench/search.py's two-word queries, docs/PERFORMANCE.md)."""


ENDLESS = (1 << 63) - 1
"""Above every position: the greatest integer SQLite holds."""

Positions = tuple[int, int]
"""The positions a search looks between, neither included."""


def positions_of(connection: sqlite3.Connection, period: Period) -> Positions:
    """The positions the events of ``period`` are between (``position_of``; for an unbounded end, none is
    looked up)."""
    after = 0 if period.start is None else position_of(connection, period.start) - 1
    before = ENDLESS if period.end is None else position_of(connection, period.end)
    return after, before


@dataclass(frozen=True, slots=True)
class Scope:
    """Which of the lines the index holds a look-up keeps: a room's (``in_room``), or a conversation's private
    messages (``in_conversation``). The index holds both by position, so every walk of it keeps its own by these."""

    tail: str
    """The query for the lines of the scope the index has not read yet, newest first, given the index's progress,
    ``TAIL`` and ``arguments``."""
    kept: str
    """The SQL test, of the events ``e`` the index found, for those of the scope, given ``arguments``."""
    arguments: tuple[object, ...]


def in_room(room: str) -> Scope:
    """The lines of ``room`` (its folded name)."""
    return Scope(_TAIL, f"e.room = ? AND {LINE_KINDS}", (room,))


def in_conversation(pair: str, since: float) -> Scope:
    """The private messages said plainly (``whispered``) of the conversation ``pair``, sent at ``since`` or later: the
    key and the time keep every other pair's, and those from before the searcher's account was registered, out."""
    return Scope(_PRIVATE_TAIL, "e.pair = ? AND e.at >= ? AND e.kind = 'whispered'", (pair, since))


def look_up(
    connection: sqlite3.Connection,
    scope: Scope,
    words: tuple[str, ...],
    limit: int,
    checked: Checked,
    between: Positions,
) -> list[tuple[int, str]]:
    """The positions and bodies of the newest ``limit`` lines of ``scope`` ``between`` two positions holding every
    one of ``words`` (reader thread).

    The reader's ``connection`` attaches the index as ``search``. The lines
    the index has not read yet are read first (they are the newest). Then
    each index is asked, newest row first, for the lines holding every
    word its way (FTS5 intersects the words itself), until ``limit`` of
    them are in the scope. With several words a line may hold some only as
    words and the others only as text ("cafe" in "Café", "wen3" in
    "qwen3"): the newest ``MIXED`` rows of either index for the longest
    word are checked for the rest in Python. The characters of text
    checked, in the lines not indexed yet and in each walk (each up to
    ``SCAN_CHARACTERS``), are added to ``checked``.
    """
    after, before = between
    indexed = connection.execute("SELECT indexed FROM search.progress").fetchone()[0]
    with closing(
        connection.execute(scope.tail, (max(indexed, after), TAIL, before, *scope.arguments))
    ) as tail:
        found = dict(_holding(tail, words, limit, checked))
    walks = [
        ("line_words", " ".join(_phrase(folded(word)) for word in words), -1),
        ("line_trigrams", " ".join(_trigrams(word) for word in words), -1),
    ]
    if len(words) > 1:
        first = max(words, key=len)
        walks += [("line_words", _phrase(folded(first)), MIXED), ("line_trigrams", _trigrams(first), MIXED)]
    for index, query, most in walks:
        # Once ``limit`` lines are found, only newer ones can change the answer: each walk stops above them.
        floor = sorted(found, reverse=True)[limit - 1] if len(found) >= limit else after
        walk = (
            f"SELECT e.position, e.body ->> '$.text', e.body FROM (SELECT rowid FROM search.{index} "
            f"WHERE {index} MATCH ? AND rowid > ? AND rowid < ? ORDER BY rowid DESC LIMIT ?)"
            f" AS h CROSS JOIN events AS e ON e.position = h.rowid WHERE {scope.kept}"
        )
        # Closed once enough are found: an unfinished statement holds its read open, and with it the WAL.
        with closing(connection.execute(walk, (query, floor, before, most, *scope.arguments))) as rows:
            found.update(_holding(rows, words, limit, checked))
    return sorted(found.items(), reverse=True)[:limit]


def _holding(
    rows: Iterable[tuple[int, str, str]], words: tuple[str, ...], limit: int, checked: Checked
) -> Iterator[tuple[int, str]]:
    """The first ``limit`` of ``rows`` (position, text, body) whose text holds every one of ``words``, of those
    ``scanned`` lets it check: a word's trigrams may be in every line of a room that holds no line with the word.
    Raises ``UnreadableRowError`` for a row whose body holds no text (``with_text``)."""
    lines = scanned(with_text(rows), itemgetter(1), checked)
    return islice(((position, body) for position, text, body in lines if matches(words, text)), limit)


_TAIL = (
    "SELECT position, body ->> '$.text', body FROM events WHERE position > "
    f"max(?, (SELECT coalesce(max(position), 0) FROM events) - ?) AND position < ? AND +room = ? AND {LINE_KINDS} "
    "ORDER BY position DESC"
)
"""The lines of a room after the index's progress (or the period's start, if later) and before the period's end,
bounded to the last ``TAIL`` events, newest first. "+room":
the key's range bounds the reading, not the room's lines (both are indexed, and a room may hold millions)."""

_PRIVATE_TAIL = (
    "SELECT position, body ->> '$.text', body FROM events INDEXED BY events_by_pair WHERE position > "
    "max(?, (SELECT coalesce(max(position), 0) FROM events) - ?) AND position < ? AND pair = ? AND at >= ? "
    "AND kind = 'whispered' ORDER BY position DESC"
)
"""The private messages said plainly of a conversation after the index's progress (or the period's start, if later)
and before the period's end, bounded to the last ``TAIL`` events, newest first: one range of the conversation's
index (schema step 6), by key and position."""


def _phrase(word: str) -> str:
    """``word`` as an FTS5 string: quoted, so ``"``, ``*``, ``NEAR(``, ``OR`` or ``:`` in it are text, never syntax."""
    return '"' + word.replace('"', '""') + '"'


def _trigrams(word: str) -> str:
    """An FTS5 query for lines holding every trigram of ``word`` (three characters or more), each quoted.

    Without positions the index cannot look up a phrase: its pieces, in
    any order, are the nearest it can ask; ``matches`` does the rest. All
    of them, not a few that cover the word: in a URL fragment most are in
    every line naming the same site, and only the ones across a boundary
    ("g/q" in "example.org/qebvt") are rare, so every third one left
    10,000 lines to check where all of them leave 16 (a p99 of 16 ms over
    bench/search.py's URL fragments against 78-150 ms, for 1 ms more on
    two words).
    """
    pieces = dict.fromkeys(word[start : start + 3] for start in range(len(word) - 2))
    return " ".join(_phrase(piece) for piece in pieces)
