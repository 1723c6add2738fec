"""How a batch of the pass log's records goes into SQLite: its events' rows, each room's last seq, and its changes,
each kept whole or not at all.

A record's statements come in changes, each one request's (an account, a
waiting message, a key entry with its key), kept whole or not at all: a
change the file refuses (a constraint: an account the file holds already)
is undone alone and its caller told, while the rest of its batch is
committed (``apply``). The writer (chatd.storage.group_commit) applies
each batch so, and a start each record it replays
(chatd.storage.pass_replay): apart from the log's file
(chatd.storage.pass_log), as this is SQL in a transaction and that is
bytes on a disk.
"""

import re
import sqlite3
from collections.abc import Sequence
from itertools import chain

from chatd.storage.pass_records import Change, Row

INSERT = "INSERT INTO events (position, id, kind, room, seq, at, nick, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
ROWS_A_STATEMENT = 100
"""Rows of ``events`` one ``INSERT`` writes (``INSERT_ROWS``); the rows of a batch past the last hundred go one a
statement.

Each statement opens a cursor on ``events`` and on each of its seven
indexes, binds, steps and is reset, however many rows it writes. Rows of
a batch of 1,000 written one a statement cost the writer 30,100
instructions each; a hundred a statement, 17,100 (20: 18,400; 50:
17,500), and its thread's CPU time fell by 30% (docs/PERFORMANCE.md).
800 parameters, under the 999 of SQLite before 3.32."""
INSERT_ROWS = INSERT + ", (?, ?, ?, ?, ?, ?, ?, ?)" * (ROWS_A_STATEMENT - 1)
LAST_SEQ = (
    "INSERT INTO rooms (room, last_seq) VALUES (?, ?) "
    "ON CONFLICT (room) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)"
)

COMMITTED = "UPDATE pass_log SET last = ?"
"""Records the last pass log record a transaction holds, in that transaction."""

_HEAD = re.compile(r"\s*((?:INSERT(?: OR \w+)? INTO|UPDATE(?: OR \w+)?|DELETE FROM) \w+)", re.IGNORECASE)
"""A statement's verb and table ("INSERT INTO accounts"): what ``described`` names it by."""


def described(change: Change) -> str:
    """``change`` for a host's log: each statement's verb and table ("INSERT INTO accounts"), comma-separated.

    Never its arguments: those hold password hashes and private messages
    (docs/SECURITY.md, "What the log says"). A statement of another shape
    is named by its first word.
    """
    heads = []
    for statement, _ in change:
        found = _HEAD.match(statement)
        heads.append(found.group(1) if found is not None else statement.split(maxsplit=1)[0])
    return ", ".join(heads)


def apply(
    connection: sqlite3.Connection, rows: Sequence[Row], changes: Sequence[Change], last: int
) -> dict[int, sqlite3.IntegrityError]:
    """Write ``rows`` and each room's last seq, make ``changes``, and note record ``last`` as committed; return the
    changes the file refused, by their place in ``changes``, with why.

    In the caller's transaction: the writer's for a batch, ``replay``'s at
    start. A refused change (``sqlite3.IntegrityError``: a constraint) is
    undone whole and the others go on, so one request's clash costs no one
    else theirs; any other error (a full disk, a damaged file), a refused
    row, or a trigger's ``RAISE(ROLLBACK)``, is raised: the writer rolls its
    whole batch back, a start the record (``replay``).
    """
    whole = len(rows) - len(rows) % ROWS_A_STATEMENT
    for start in range(0, whole, ROWS_A_STATEMENT):
        connection.execute(INSERT_ROWS, list(chain.from_iterable(rows[start : start + ROWS_A_STATEMENT])))
    connection.executemany(INSERT, rows[whole:])
    connection.executemany(LAST_SEQ, {row[3]: row[4] for row in rows if row[3] is not None}.items())
    refused = {}
    for number, change in enumerate(changes):
        try:
            _make(connection, change)
        except sqlite3.IntegrityError as error:
            if not connection.in_transaction:
                raise  # a trigger's RAISE(ROLLBACK) ended the transaction: nothing after it may go in on its own
            refused[number] = error
    connection.execute(COMMITTED, (last,))
    return refused


def _make(connection: sqlite3.Connection, change: Change) -> None:
    """Run ``change``'s statements; undo them all if one is refused, and raise its ``sqlite3.IntegrityError``.

    A statement alone needs no savepoint: SQLite undoes a refused statement
    itself and the transaction goes on (its default ``ON CONFLICT ABORT``;
    no statement of ours asks for another), so nearly every change, one
    statement, costs nothing more than before.
    """
    if len(change) == 1:
        [(statement, arguments)] = change
        connection.execute(statement, arguments)
        return
    connection.execute("SAVEPOINT change")
    try:
        for statement, arguments in change:
            connection.execute(statement, arguments)
    except sqlite3.IntegrityError:
        # Else a trigger's RAISE(ROLLBACK) ended the transaction, and the savepoint with it.
        if connection.in_transaction:
            connection.execute("ROLLBACK TO change")
            connection.execute("RELEASE change")
        raise
    connection.execute("RELEASE change")
