"""How a start commits the pass log's records the file lacks, leaving out what the file refuses and saying what.

A start applies a record's changes as the writer would have
(chatd.storage.pass_apply), leaving out the same, and says what it left
out (``Refusal``): a change refused alone, or a record refused whole (a
row of it, or a trigger that rolls the transaction back), whose commit
would have failed whole in the writer too. A start never stops for what a
running daemon would have left out. Apart from ``replay``
(chatd.storage.pass_log), which finds the records and empties the log: here
is the one transaction they are committed in.
"""

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from chatd.storage.pass_apply import apply, described
from chatd.storage.pass_records import Change, Row
from chatd.text import counted


@dataclass(frozen=True, slots=True)
class Refusal:
    """A change of the pass log that a start left out, as the file refused it (``replay``)."""

    change: str
    """What the change did (``described``): its statements' verbs and tables, never their arguments."""
    why: str
    """SQLite's words for the refusal ("UNIQUE constraint failed: accounts.account"), which name no value."""


class _RolledBackError(Exception):
    """A trigger's ``RAISE(ROLLBACK)`` ended ``replay``'s transaction: what it had applied is gone with it."""


def committed_but_refused(
    connection: sqlite3.Connection, records: Sequence[tuple[int, list[Row], list[Change]]]
) -> list[Refusal]:
    """Apply ``records`` in one transaction and commit it; return what the file refused, oldest first.

    A record the file refuses whole (a row of it, or a trigger that rolls
    the transaction back) is left out whole, as the writer's commit holding
    it would have failed: it is applied under a savepoint of its own, and
    when the trigger took the whole transaction with it, the records are
    applied again without it. Only the caller can say so (``replay``), and a
    start goes on: a daemon running would have gone on too. Raises
    ``sqlite3.Error`` and ``ValueError`` as ``replay`` does.
    """
    left_out: dict[int, Refusal] = {}
    while True:
        connection.execute("BEGIN IMMEDIATE")
        try:
            refusals = _applied_but_left_out(connection, records, left_out)
        except _RolledBackError:
            continue
        except BaseException:
            if connection.in_transaction:  # SQLite may have rolled it back itself (a full disk)
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        return [refusal for _, refusal in sorted([*refusals, *left_out.items()], key=lambda found: found[0])]


def _applied_but_left_out(
    connection: sqlite3.Connection,
    records: Sequence[tuple[int, list[Row], list[Change]]],
    left_out: dict[int, Refusal],
) -> list[tuple[int, Refusal]]:
    """Apply each of ``records`` but those ``left_out``, each under a savepoint, in the caller's transaction; add a
    record the file refuses whole to ``left_out``; return each change refused alone, with its record's number.

    Raises ``_RolledBackError`` when a trigger ended the transaction (the caller applies them all again).
    """
    refusals: list[tuple[int, Refusal]] = []
    for number, rows, changes in records:
        if number in left_out:
            continue
        connection.execute("SAVEPOINT record")
        try:
            refused = _applied(connection, rows, changes, number)
        except sqlite3.IntegrityError as error:
            left_out[number] = Refusal(_described_record(number, rows, changes), str(error))
            if not connection.in_transaction:
                raise _RolledBackError() from None
            connection.execute("ROLLBACK TO record")
        else:
            refusals += (
                (number, Refusal(described(changes[at]), str(error))) for at, error in refused.items()
            )
        connection.execute("RELEASE record")
    return refusals


def _described_record(number: int, rows: Sequence[Row], changes: Sequence[Change]) -> str:
    """Record ``number`` left out whole, for a host's log: its events counted, its changes ``described``."""
    return f"all of record {number}: " + ", ".join(
        [*([counted(len(rows), "event")] if rows else []), *map(described, changes)]
    )


def _applied(
    connection: sqlite3.Connection, rows: Sequence[Row], changes: Sequence[Change], number: int
) -> dict[int, sqlite3.IntegrityError]:
    """``apply`` record ``number``; a statement SQLite cannot run raises ValueError, as any other damage does.

    Every statement chatd logs is one SQLite runs, on a file ``prepare``
    has checked, so one of other words, another table or other arguments
    (SQLite's "syntax error", "no such table", a count of arguments its
    ``?`` do not take) is the log's damage, not the file's. SQLite's other
    errors (a full disk, a damaged file) stay ``sqlite3.Error``.
    """
    try:
        return apply(connection, rows, changes, number)
    except sqlite3.ProgrammingError:
        # Its words ("Incorrect number of bindings supplied. The current statement uses 2, ...") are two sentences.
        raise ValueError(f"record {number} holds a statement SQLite cannot run with its arguments") from None
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode != sqlite3.SQLITE_ERROR:
            raise
        raise ValueError(f"record {number} holds a statement SQLite cannot run: {error}") from None
