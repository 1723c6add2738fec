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

A record's statements come in changes, each one request's, kept whole or
not at all, both by the writer and by a start (chatd.storage.pass_apply);
a start says what the file refused of them (chatd.storage.pass_replay). A
commit that fails as a whole (a full disk, a damaged file, an event's row
refused) is logged and none of its lines or changes are kept, as before
the log: a record ``[number, null, last]`` says so, and the next start
applies none of the records up to ``last`` (an account the user was told
is not saved must not come back).
"""

import errno
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from chatd.domain.encoding import json_bytes
from chatd.failures import no_room
from chatd.storage.claim import Claim
from chatd.storage.database_file import disk_full
from chatd.storage.pass_records import Change, Record, Row, read_record
from chatd.storage.pass_replay import Refusal, committed_but_refused
from chatd.storage.private import OWNER_ONLY

SET_ASIDE = 1 << 20
"""Bytes the current file holds before it is set aside for a new one (once nothing else is set aside)."""


def log_path(path: str) -> str:
    """The pass log's current file beside the history in ``path``."""
    return f"{path}-passes"


def _old(path: str) -> str:
    """The file set aside beside the log's current file ``path``."""
    return f"{path}-old"


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
    a record refused whole with it (``committed_but_refused``); its asker
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
        refusals = committed_but_refused(connection, missing)
        committed = missing[-1][0]
    _remove(_old(path))
    if os.path.exists(path):
        os.truncate(path, 0)
    return Replayed(committed, refusals, len(missing), left)


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
