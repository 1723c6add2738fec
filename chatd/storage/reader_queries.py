"""The queries the SQLite store's reads run on its reader thread, each a function of the reader's connection.

``SQLiteHistory.read`` runs one on the reader thread once every event
appended before it is written; none runs on the reactor's. Each finds
what it needs by an index (``lines_by_room``, the conversations' and the
search's), so a read costs the lines it gives back, not the lines kept.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from itertools import islice, takewhile
from operator import itemgetter
from typing import Any, cast

from chatd.domain.encoding import decode_event
from chatd.domain.events import Deleted, Private, RoomEvent, Whispered
from chatd.domain.search import SCAN_LINES, Checked, Found, Period, found_in
from chatd.storage.damaged_rows import decoded, not_json, with_text
from chatd.storage.id_places import first_from
from chatd.storage.schema import LINE_KINDS, SECOND
from chatd.storage.search_lookup import ENDLESS, Scope, in_conversation, in_room, look_up, positions_of

LINES = LINE_KINDS
"""The SQL test for the events reads give back: the messages (``MESSAGES``), as ``MemoryHistory`` keeps;
the condition of the ``lines_by_room`` index, which reads of a room's lines use."""

_FIRST_LINE_FROM = (
    f"SELECT seq, id FROM events WHERE room = ? AND seq >= ? AND seq < ? AND {LINES} ORDER BY seq LIMIT 1"
)
"""The number and id of a room's first line from one number and below another: a step of ``place``."""


def select_events(
    connection: sqlite3.Connection, query: str, arguments: tuple[object, ...]
) -> list[RoomEvent]:
    """The room events ``query`` selects by position and body, decoded (on the reader thread)."""
    return [cast(RoomEvent, decoded(*row)) for row in connection.execute(query, arguments)]


_DELETIONS_OF_LINES_BEFORE = (
    "SELECT body FROM deletions WHERE room = ? AND id >= ? "
    "AND json_extract(body, '$.line') < ? ORDER BY id LIMIT ?"
)
"""A range of the ``deletions`` table's key (schema step 19) from the point on, less the deletions of lines said
after it: those are left out before the limit is counted, so it counts only what a resume tells. The rows it passes
over are the deletions of lines said and deleted since the point, few; a column of the line's id (a schema step)
would save reading their bodies."""


def deletions_since(connection: sqlite3.Connection, room: str, point: str, limit: int) -> list[Deleted]:
    """The first ``limit`` deletions of ``room`` made at or after the id ``point`` of lines with an id below it,
    oldest first (on the reader thread)."""
    rows = connection.execute(_DELETIONS_OF_LINES_BEFORE, (room, point, point, limit))
    return [cast(Deleted, decode_event(body)) for (body,) in rows]


def first_value(connection: sqlite3.Connection, query: str, arguments: tuple[object, ...]) -> Any:
    """The first column of the first row ``query`` selects, or None if it selects none (on the reader thread)."""
    row = connection.execute(query, arguments).fetchone()
    return None if row is None else row[0]


def place(connection: sqlite3.Connection, room: str, event_id: str, last: int | None) -> int:
    """The ``seq`` of ``room``'s first line with an id at or above ``event_id``, ``last`` + 1 if none (reader thread);
    ``last`` read from the room's row if None.

    A room's lines are in the order of their ids, so the answer is bisected
    over their numbers (``first_from``), each step one look-up in ``lines_by_room``.
    """
    if last is None:
        last = first_value(connection, "SELECT last_seq FROM rooms WHERE room = ?", (room,)) or 0
    return first_from(
        lambda low, high: connection.execute(_FIRST_LINE_FROM, (room, low, high)).fetchone(), event_id, last
    )


def indexed(
    connection: sqlite3.Connection, room: str, words: tuple[str, ...], limit: int, period: Period
) -> Found:
    """The newest ``limit`` lines of ``room`` within ``period`` holding every one of ``words``, found by the index,
    and the characters checked in all the index's walks (reader thread)."""
    return _indexed(connection, in_room(room), room, words, limit, period)


def private_indexed(
    connection: sqlite3.Connection,
    pair: str,
    words: tuple[str, ...],
    limit: int,
    since: float,
    period: Period,
) -> Found:
    """The newest ``limit`` private messages of ``pair`` sent at ``since`` or later and within ``period`` holding
    every one of ``words``, however old, found by the index, and the characters checked (reader thread). Only
    ``Whispered`` ones, as ``private_scan``'s: the index holds no ``Encrypted`` one."""
    return _indexed(connection, in_conversation(pair, since), pair, words, limit, period)


def _indexed(
    connection: sqlite3.Connection,
    scope: Scope,
    where: str,
    words: tuple[str, ...],
    limit: int,
    period: Period,
) -> Found:
    """The newest ``limit`` lines of ``scope`` within ``period`` holding every one of ``words`` (``look_up``),
    decoded; a row that is no JSON fails the read naming ``where`` (``not_json``)."""
    checked = Checked()
    try:
        found = look_up(connection, scope, words, limit, checked, positions_of(connection, period))
    except sqlite3.OperationalError as error:
        raise not_json(error, where) from None
    return Found([cast(RoomEvent | Whispered, decoded(*row)) for row in found], checked.characters)


def scan(
    connection: sqlite3.Connection, room: str, words: tuple[str, ...], limit: int, period: Period
) -> Found:
    """The newest ``limit`` of the last lines of ``room`` within ``period`` (``scanned``) holding every one of
    ``words``, and the characters checked (reader thread). The period's ends are placed among the room's numbers
    (``place``), so its lines are one range of ``lines_by_room``: newer ones are not stepped over one by one."""
    first = 0 if period.start is None else place(connection, room, period.start, None)
    past = ENDLESS if period.end is None else place(connection, room, period.end, None)
    query = (
        f"SELECT position, json_extract(body, '$.text'), body FROM events WHERE room = ? AND {LINES} "
        "AND seq >= ? AND seq < ? ORDER BY seq DESC LIMIT ?"
    )
    try:
        # Closed once the page is found, not whenever the cursor is collected: an unfinished statement
        # holds its read open, and with it the WAL file the writer could otherwise start over.
        with closing(connection.execute(query, (room, first, past, SCAN_LINES))) as lines:
            found, checked = found_in(with_text(lines), itemgetter(1), words, limit)
            events = [cast(RoomEvent, decoded(position, body)) for position, _, body in found]
        return Found(events, checked)
    except sqlite3.OperationalError as error:
        raise not_json(error, room) from None


_NEXT_PAIR = (
    "SELECT pair FROM events INDEXED BY events_by_pair WHERE pair > ?1 AND pair < ?2 ORDER BY pair LIMIT 1"
)
"""The first conversation key after ``?1`` and below ``?2``: one look-up in the index, however many messages."""

_NEXT_PAIR_ENDING = (
    f"SELECT pair FROM events INDEXED BY pairs_by_second WHERE {SECOND} = ?1 AND pair > ?2 "
    "ORDER BY pair LIMIT 1"
)
"""The first conversation key after ``?2`` whose second account is ``?1``: one look-up in the index (step 14)."""

_LATEST_OF_PAIR = (
    "SELECT at FROM events INDEXED BY events_by_pair WHERE pair = ? ORDER BY position DESC LIMIT 1"
)

_PAST = " \U0010ffff"
"""Put after an account, a key above every conversation key that starts with it: the greatest character."""


def conversations(
    connection: sqlite3.Connection, account: str, after: float, before: float
) -> list[tuple[str, float]]:
    """``SQLiteHistory.conversations`` on the reader thread: for each of the account's conversation keys
    (``_pairs_of``), the time of its latest message, read from the index's last entry and its one row."""
    found = []
    for pair in _pairs_of(connection, account):
        (at,) = connection.execute(_LATEST_OF_PAIR, (pair,)).fetchone()
        if after < at < before:
            first, second = pair.split(" ")
            found.append((second if first == account else first, at))
    return found


def _pairs_of(connection: sqlite3.Connection, account: str) -> Iterator[str]:
    """The conversation keys holding ``account``, one look-up for each, never by reading every private message: a
    key is the two accounts sorted (chatd.domain.offline.conversation), so those with the account second (its own
    among them) are one range of ``pairs_by_second``, and those with it first and another second one range of
    ``events_by_pair``, after its own."""
    pair = ""
    while (row := connection.execute(_NEXT_PAIR_ENDING, (account, pair)).fetchone()) is not None:
        pair = row[0]
        yield pair
    pair = f"{account} {account}"
    while (row := connection.execute(_NEXT_PAIR, (pair, account + _PAST)).fetchone()) is not None:
        pair = row[0]
        yield pair


def private_scan(
    connection: sqlite3.Connection,
    pair: str,
    words: tuple[str, ...],
    limit: int,
    since: float,
    period: Period,
) -> Found:
    """The newest ``limit`` of the last private messages of ``pair`` sent at ``since`` or later and within ``period``
    (``scanned``) holding every one of ``words``, and the characters checked (reader thread). Only ``Whispered``
    ones: an ``Encrypted`` one's text is ciphertext the server cannot read."""
    after, before = positions_of(connection, period)
    query = (
        "SELECT position, body ->> '$.text', body FROM events INDEXED BY events_by_pair WHERE pair = ? "
        "AND position > ? AND position < ? AND at >= ? AND kind = 'whispered' ORDER BY position DESC LIMIT ?"
    )
    try:
        # Closed once the page is found, as ``scan``'s.
        with closing(connection.execute(query, (pair, after, before, since, SCAN_LINES))) as rows:
            found, checked = found_in(with_text(rows), itemgetter(1), words, limit)
            events = [cast(Whispered, decoded(position, body)) for position, _, body in found]
        return Found(events, checked)
    except sqlite3.OperationalError as error:
        raise not_json(error, pair) from None


def conversation(
    connection: sqlite3.Connection, pair: str, limit: int, since: float, period: Period
) -> list[Private]:
    """The last ``limit`` private messages of ``pair`` sent at ``since`` or later and within ``period``, oldest
    first (on the reader thread). Positions follow time, so the read stops at the first older one, and a period
    bounds it between the positions of its ends (``positions_of``), as a search's."""
    query = (
        "SELECT position, body, at FROM events INDEXED BY events_by_pair WHERE pair = ? "
        "AND position > ? AND position < ? ORDER BY position DESC"
    )
    after, before = positions_of(connection, period)
    rows = takewhile(lambda row: row[2] >= since, connection.execute(query, (pair, after, before)))
    return [cast(Private, decoded(position, body)) for position, body, _ in islice(rows, limit)][::-1]
