"""A pass log's records as they are read back: each line checked to be of the shape chatd.storage.pass_log writes.

A record is one line of JSON, ``[number, rows, changes]`` (or ``[number,
null, last]`` for commits that failed). The daemon writes every one, but
the file is a file: damaged, or edited by hand, it may hold anything JSON
can, and a start, or ``python -m chatd.admin``, reads it before anything
else. ``read_record`` lets through only what ``PassLog`` writes, so that
what is then done with it (bound as SQL, sorted by number, decoded by a
read) raises nothing but the ValueError a damaged log is told by.
"""

import json
import math
from collections.abc import Sequence

from chatd.domain.encoding import UndecodableEventError, decode_event

Row = tuple[int, str, str, str | None, int | None, float, str, str]
"""A row of ``events``: position, id, kind, room, seq, at, nick, body (``chatd.storage.pass_keeping._row``)."""

Statement = tuple[str, Sequence[object]]
"""One SQL statement and its arguments, written in a pass's transaction after its events."""

Change = Sequence[Statement]
"""One request's statements, kept all or none (``chatd.storage.pass_apply.apply``)."""

INTEGER_MOST = (1 << 63) - 1
"""The largest integer SQLite keeps: a larger one in a record would raise OverflowError as it is bound."""

Record = tuple[int, list[Row], list[Change]] | tuple[int, None, int]
"""A record as read back: its number, its rows and changes; or, for commits that failed, None and the last
number they held."""


def read_record(line: bytes) -> Record:
    """The record ``line`` holds, of the shape ``PassLog`` writes; raises ValueError saying how it is not.

    What a start did with any other raised OverflowError (a number past 64
    bits, bound), TypeError (a change that is no list, a record's number
    that is text) and more, each a traceback, or committed a row no read
    could decode. Only ValueError becomes the start's one sentence
    (``chatd.storage.pass_log.damaged``), so every other shape is told as
    one, before anything is committed. It names what is wrong, never a
    value: the log holds what people said and password hashes
    (docs/SECURITY.md).
    """
    try:
        record = json.loads(line)
    except RecursionError:
        raise ValueError("a line nested deeper than any record") from None
    if not (isinstance(record, list) and len(record) == 3):
        raise ValueError("a line is not a record, [number, rows, changes]")
    number, rows, changes = record
    if not _whole(number) or number < 1:
        raise ValueError(f"a record's number is not a whole number from 1 to {INTEGER_MOST}")
    if rows is None:
        # A record saying the commits up to ``changes`` failed (``PassLog.abandon``).
        if not _whole(changes):
            raise ValueError(f"record {number} gives up the records up to no number")
        return number, None, changes
    if not (isinstance(rows, list) and all(_is_row(row) for row in rows)):
        raise ValueError(f"record {number} holds a row that is not an event as chatd logs one")
    if not (isinstance(changes, list) and all(isinstance(change, list) and change for change in changes)):
        raise ValueError(f"record {number} holds a change that is not a list of statements")
    # A chatd before changes logged each statement bare, a change of its own.
    statements = [[change] if isinstance(change[0], str) else change for change in changes]
    if not all(_is_statement(statement) for change in statements for statement in change):
        raise ValueError(f"record {number} holds a statement that is not [SQL, [values SQLite keeps]]")
    kept: list[Row] = [tuple(row) for row in rows]
    made: list[Change] = [[(sql, arguments) for sql, arguments in change] for change in statements]
    return number, kept, made


def _whole(value: object) -> bool:
    """Whether ``value`` is an integer SQLite keeps (not a bool, which JSON's true reads as)."""
    return type(value) is int and -INTEGER_MOST - 1 <= value <= INTEGER_MOST


def _is_row(row: object) -> bool:
    """Whether ``row`` is a row of ``events`` (``Row``) whose body is an event this daemon reads."""
    if not (isinstance(row, list) and len(row) == 8):
        return False
    position, event_id, kind, room, seq, at, nick, body = row
    return (
        _whole(position)
        and all(isinstance(text, str) for text in (event_id, kind, nick, body))
        and (room is None or isinstance(room, str))
        and (seq is None or _whole(seq))
        and (_whole(at) or (type(at) is float and math.isfinite(at)))
        and _is_event(body)
    )


def _is_event(body: str) -> bool:
    """Whether ``body`` is an event as ``encode_event`` writes one: a read of the row decodes it."""
    try:
        decode_event(body)
    except UndecodableEventError:
        return False
    return True


def _is_statement(statement: object) -> bool:
    """Whether ``statement`` is ``[SQL, [arguments]]``, each argument a value SQLite binds."""
    if not (isinstance(statement, list) and len(statement) == 2):
        return False
    sql, arguments = statement
    return (
        isinstance(sql, str)
        and isinstance(arguments, list)
        and all(
            value is None or isinstance(value, str | float | bool) or _whole(value) for value in arguments
        )
    )
