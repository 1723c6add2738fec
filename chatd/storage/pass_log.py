"""The pass log: each reactor pass's writes, appended to a file before anyone is shown that pass's lines.

``--db``'s promise is that a line somebody saw survives a ``kill -9``
(docs/SECURITY.md). Holding every line until SQLite has committed it kept
that promise at the price of a wait in every line's way: a pass's output
went out only once the writer thread had committed, a pass or more later,
which at 100,000 deliveries a second took the p99 from 6-9 ms to 11-16
(docs/PERFORMANCE.md). Now the reactor thread appends the pass's rows and
statements to this log with one ``write`` (the kernel has them once it
returns, and keeps them when the process dies) and sends the pass's output
at once; the writer thread commits the same work to SQLite later, in larger
transactions, and only then may the log start over.

A record is one line of JSON: ``[number, rows, changes]``, numbered
from one upwards. Each commit stores the number of the last record it
holds (the ``pass_log`` table), so at start ``replay`` applies exactly the
records written after the last commit, in order, in one transaction, and
the log starts over. A record cut short by the process dying mid-``write``
is the log's last line, and nothing in it was shown: it is left out.

The log is two files, so that it can start over while the chat goes on
writing: when a batch is handed to the writer and the current file has
grown past ``SET_ASIDE``, it is renamed ``-passes-old`` and a new one
begun; the old one goes once that batch, which holds all of it, is
committed.

A record's statements come in changes, each one request's (an account, a
waiting message, a key entry with its key), kept whole or not at all: a
change the file refuses (a constraint: an account the file holds already)
is undone alone and its caller told, while the rest of its batch is
committed (``apply``); a start applies a record's changes the same way,
leaving out what the writer would have, and says what it left out
(``replay``'s ``Refusal``s): a change refused alone, or a record refused
whole (a row of it, or a trigger that rolls the transaction back), whose
commit would have failed whole in the writer too. A start never stops for
what a running daemon would have left out. A commit that fails as a whole (a
full disk, a damaged file, an event's row refused) is logged and none of
its lines or changes are kept, as before the log: a record ``[number,
null, last]`` says so, and the next start applies none of the records up
to ``last`` (an account the user was told is not saved must not come
back).
"""

import errno
import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from chatd.domain.encoding import json_bytes
from chatd.failures import no_room
from chatd.storage.claim import Claim
from chatd.storage.pass_records import Change, Record, Row, read_record
from chatd.storage.private import OWNER_ONLY
from chatd.storage.schema import disk_full
from chatd.text import counted

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
SET_ASIDE = 1 << 20
"""Bytes the current file holds before it is set aside for a new one (once nothing else is set aside)."""

COMMITTED = "UPDATE pass_log SET last = ?"
"""Records the last pass log record a transaction holds, in that transaction."""

_HEAD = re.compile(r"\s*((?:INSERT(?: OR \w+)? INTO|UPDATE(?: OR \w+)?|DELETE FROM) \w+)", re.IGNORECASE)
"""A statement's verb and table ("INSERT INTO accounts"): what ``described`` names it by."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """A change of the pass log that a start left out, as the file refused it (``replay``)."""

    change: str
    """What the change did (``described``): its statements' verbs and tables, never their arguments."""
    why: str
    """SQLite's words for the refusal ("UNIQUE constraint failed: accounts.account"), which name no value."""


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


def log_path(path: str) -> str:
    """The pass log's current file beside the history in ``path``."""
    return f"{path}-passes"


def _old(path: str) -> str:
    """The file set aside beside the log's current file ``path``."""
    return f"{path}-old"


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


class PassLog:
    """The pass log file, open for appending (reactor thread)."""

    def __init__(self, path: str, last: int, claim: Claim) -> None:
        self.path = path
        self.last = last
        """The number of the last record written."""
        self._claim = claim
        """The database file's, held while this log may hold records no commit has: let go on ``close``."""
        self._size = 0
        """Bytes in the current file."""
        self._old_last: int | None = None
        """The number of the last record in the file set aside; None while none is."""
        self._fd = _append_to(path)

    def write(self, rows: Sequence[Row], changes: Sequence[Change]) -> int:
        """Append one record; return its number. Raises ``OSError`` (a full disk)."""
        return self._append(rows, changes)

    def abandon(self, last: int) -> None:
        """The records up to ``last`` could not be committed, and are not kept: a start must not apply them.

        Raises ``OSError``.
        """
        self._append(None, last)

    def _append(self, rows: Sequence[Row] | None, changes: Sequence[Change] | int) -> int:
        number = self.last + 1
        record = json_bytes([number, rows, changes]) + b"\n"
        written = os.write(self._fd, record)
        if written != len(record):
            # Regular files take the whole of a write but on a full disk. What got in goes again, or the next
            # record would follow a torn line in the middle of the log, which a start refuses as damage.
            os.ftruncate(self._fd, self._size)
            raise OSError(
                errno.ENOSPC, f"No room on the disk: the pass log took {written} of {len(record)} bytes"
            )
        self.last = number
        self._size += written
        return number

    def set_aside(self) -> None:
        """Everything written so far is handed to the writer: if the current file is big, begin another.

        Raises nothing: a file that cannot be begun leaves the log in the
        current one, which then grows until it can.
        """
        if self._old_last is not None or self._size < SET_ASIDE:
            return
        try:
            os.rename(self.path, _old(self.path))
            fd = _append_to(self.path)
        except OSError:
            return
        os.close(self._fd)
        self._fd, self._size, self._old_last = fd, 0, self.last

    def committed(self, last: int) -> None:
        """Records up to ``last`` are committed (or failed for good): the file set aside may go if they hold it."""
        if self._old_last is not None and last >= self._old_last:
            _remove(_old(self.path))
            self._old_last = None

    def close(self) -> None:
        """Close the file and remove the log's files: everything in them is committed (a clean stop). Let the database go."""
        self.let_go()
        _remove(self.path)
        _remove(_old(self.path))

    def let_go(self) -> None:
        """Close the file, leaving it where it is, and let the database go: a start that cannot go ahead wrote
        nothing to it, and removes only what it made (chatd.storage.new_files)."""
        os.close(self._fd)
        self._claim.release()


@dataclass(frozen=True, slots=True)
class Replayed:
    """What ``replay`` found in the log and did with it."""

    last: int
    """The last record's number (the database's, if none was missing)."""
    refused: list[Refusal]
    """Each change the file refused, oldest first."""
    committed: int
    """How many records it committed: those a daemon that did not stop cleanly logged and had not committed."""
    left: bool
    """Whether the log held any record: a clean stop removes it (``PassLog.close``), so a daemon that did not
    stop cleanly left it, its records committed or not."""


def replay(connection: sqlite3.Connection, path: str) -> Replayed:
    """Commit the records of the log at ``path`` that the database lacks, then empty the log; say what it held.

    A refused change is left out, as the writer would have (``apply``), and
    a record refused whole with it (``_committed_but_refused``); its asker
    is gone with the process that logged it, so only the caller can say what
    was not kept: the daemon's log, or the admin tool's errors.
    ``connection`` is in autocommit mode, its owner holding the file's claim
    (chatd.storage.claim): the writer's before the daemon starts, or
    ``python -m chatd.admin``'s while no daemon runs.
    Raises ``sqlite3.Error``, ``ValueError`` (a damaged record: one of
    another shape than ``PassLog`` writes, or a statement SQLite cannot run).
    """
    committed = last_committed(connection)
    left = any(os.path.isfile(file) and os.path.getsize(file) > 0 for file in (path, _old(path)))
    missing = unapplied(path, committed)
    refusals: list[Refusal] = []
    if missing:
        refusals = _committed_but_refused(connection, missing)
        committed = missing[-1][0]
    _remove(_old(path))
    if os.path.exists(path):
        os.truncate(path, 0)
    return Replayed(committed, refusals, len(missing), left)


class _RolledBackError(Exception):
    """A trigger's ``RAISE(ROLLBACK)`` ended ``replay``'s transaction: what it had applied is gone with it."""


def _committed_but_refused(
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


def damaged(path: str, error: ValueError) -> str:
    """The sentence for a pass log beside the history in ``path`` that holds a line no record is (``error``)."""
    return (
        f"--db {path}'s pass log {log_path(path)} is damaged ({error}); move it away to start without the lines "
        "it holds."
    )


def unreadable(path: str, error: OSError) -> str:
    """The sentence for a pass log beside the history in ``path`` that cannot be read or emptied (``error``); a full
    disk's is ``disk_full``'s."""
    if no_room(error):
        return disk_full(path, error)
    return (
        f"--db {path}'s pass log {log_path(path)} cannot be read or emptied ({error.strerror}); run this as the "
        "user who owns it, or move it away to start without the lines it holds."
    )


def unwritable(path: str, error: OSError) -> str:
    """The sentence for a pass log beside the history in ``path`` that a start cannot make (``error``); a full disk's
    is ``disk_full``'s, not another directory's."""
    if no_room(error):
        return disk_full(path, error)
    return (
        f"--db {path}'s pass log {log_path(path)} cannot be written ({error.strerror}); give a file in "
        "a directory the daemon may write."
    )


def last_committed(connection: sqlite3.Connection) -> int:
    """The number of the last record the database behind ``connection`` holds."""
    (last,) = connection.execute("SELECT last FROM pass_log").fetchone()
    return int(last)


def unapplied(path: str, committed: int) -> list[tuple[int, list[Row], list[Change]]]:
    """The records of the log at ``path`` after ``committed`` whose lines are to be kept, oldest first.

    Those a later record says could not be committed are left out. The
    current file is read before the one set aside, so that one a running
    daemon sets aside meanwhile is read whole, as one or the other or both.
    Raises ``ValueError`` (a damaged record).
    """
    records = {record[0]: record for file in (path, _old(path)) for record in _records(file)}
    missing: list[tuple[int, list[Row], list[Change]]] = []
    for number in sorted(records):
        if number <= committed:
            continue
        match records[number]:
            case (_, None, int(last)):
                missing = [record for record in missing if record[0] > last]
            case (_, list(rows), list(changes)):
                missing.append((number, rows, changes))
    return missing


def _append_to(path: str) -> int:
    """A descriptor appending to the file at ``path``, made (readable by its owner only) if missing."""
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, OWNER_ONLY)


def _remove(path: str) -> None:
    """Delete the file at ``path`` if it is there."""
    Path(path).unlink(missing_ok=True)


def _records(path: str) -> Iterator[Record]:
    """The whole records of the log at ``path``, oldest first; none if there is no log. Raises ``ValueError``."""
    try:
        with open(path, "rb") as log:
            for line in log:
                if not line.endswith(b"\n"):
                    return  # cut short when the process died: never shown
                yield read_record(line)
    except FileNotFoundError:
        return
