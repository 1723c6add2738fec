"""The query a resume's read of a room's deletions runs on the SQLite store's reader thread (schema step 19).

Apart from chatd.storage.reader_queries because it reads the ``deletions`` table, not the events and their indexes.
"""

import sqlite3
from typing import cast

from chatd.domain.encoding import decode_event
from chatd.domain.events import Deleted

_SINCE_OF_LINES_BEFORE = (
    "SELECT body FROM deletions WHERE room = ? AND id >= ? "
    "AND json_extract(body, '$.line') < ? ORDER BY id LIMIT ?"
)
"""A range of the table's key from the point on, less the deletions of lines said after it: those are left out before
the limit is counted, so it counts only what a resume tells. The rows it passes over are the deletions of lines said
and deleted since the point, few; a column of the line's id (a schema step) would save reading their bodies."""


def deletions_since(connection: sqlite3.Connection, room: str, point: str, limit: int) -> list[Deleted]:
    """The first ``limit`` deletions of ``room`` made at or after the id ``point`` of lines with an id below it,
    oldest first (on the reader thread)."""
    rows = connection.execute(_SINCE_OF_LINES_BEFORE, (room, point, point, limit))
    return [cast(Deleted, decode_event(body)) for (body,) in rows]
