"""The ``--db`` file at start: whether it is chatd's and at which schema, bringing it up to date, and the sentence
a host reads when it cannot be used.

``prepare`` is called once at start: a new, empty file gets every step of
the schema (chatd.storage.schema); an older database gets the steps it
lacks, in one transaction, so an upgrade that fails leaves the file as it
was; a database from a newer chatd, a file of some other program, and a
damaged file are refused with ``DatabaseFileError``, whose text is one
sentence for the host. ``check`` is the same look for tools that must find
the file as the daemon left it (chatd.admin).
"""

import sqlite3
from collections.abc import Sequence

from chatd.failures import no_room, reason
from chatd.storage.schema import APPLICATION_ID, STEPS


class DatabaseFileError(Exception):
    """The ``--db`` file cannot be used; the text is one sentence saying why and what to do."""


def prepare(connection: sqlite3.Connection, path: str, steps: Sequence[str] = STEPS) -> None:
    """Make the database behind ``connection`` (opened on ``path``) hold the schema of ``steps``.

    ``connection`` is in autocommit mode (``isolation_level=None``).
    Raises ``DatabaseFileError``.
    """
    try:
        application, version, tables = _identify(connection)
        if (application, version, tables) == (0, 0, 0):
            _upgrade(connection, 0, steps)
            return
        _refuse_foreign(application, version, path, steps, "give a new file's name, or the one chatd made")
        if version < len(steps):
            _upgrade(connection, version, steps)
    except sqlite3.DatabaseError as error:
        if str(error).startswith(_MISSING):
            raise DatabaseFileError(
                f"--db {path} needs SQLite with FTS5 and its trigram tokenizer (3.34 or later), and this "
                f"Python's SQLite {sqlite3.sqlite_version} has not ({error}); run chatd on a Python "
                "whose SQLite has them, or give --db :memory:."
            ) from None
        raise DatabaseFileError(damaged(path, error)) from None


_MISSING = ("no such module", "no such tokenizer")
"""How SQLite says it was built without a part a step uses (FTS5, a tokenizer): not the file's fault."""


def check(connection: sqlite3.Connection, path: str, steps: Sequence[str] = STEPS) -> None:
    """Raise ``DatabaseFileError`` unless the database behind ``connection`` holds exactly the schema of ``steps``.

    For tools that work on a database the daemon made (chatd.admin): they
    make and upgrade nothing, so an empty file and an older schema are
    refused too.
    """
    try:
        application, version, _ = _identify(connection)
        # The tool makes no file: a new file's name would be refused again, as one that does not exist.
        _refuse_foreign(application, version, path, steps, "give the file the daemon's --db names")
    except sqlite3.DatabaseError as error:
        raise DatabaseFileError(damaged(path, error)) from None
    if version < len(steps):
        raise DatabaseFileError(
            f"--db {path} was written by an older chatd (schema {version}, this one knows {len(steps)}); "
            "start this chatd on it once to upgrade it."
        )


def _refuse_foreign(application: int, version: int, path: str, steps: Sequence[str], instead: str) -> None:
    """Raise ``DatabaseFileError`` if the file is not chatd's (saying ``instead``, what to give), or a newer
    chatd's."""
    if application != APPLICATION_ID:
        raise DatabaseFileError(f"--db {path} is not a chatd database; {instead}.")
    if version > len(steps):
        raise DatabaseFileError(
            f"--db {path} was written by a newer chatd (schema {version}, this one knows {len(steps)}); "
            "run that chatd, or restore a backup made by this one."
        )


def damaged(path: str, error: sqlite3.Error) -> str:
    """The sentence for a ``--db`` file SQLite cannot read or write (``error`` says why); a full disk's is
    ``disk_full``'s, for nothing is wrong with the file."""
    if no_room(error):
        return disk_full(path, error)
    return (
        f"--db {path} cannot be used ({error}); restore it from a backup, "
        "or move it away to start with an empty one."
    )


def disk_full(path: str, error: BaseException) -> str:
    """The sentence for a ``--db`` file, or its pass log beside it, that the disk has no room to write (``no_room``:
    SQLite's SQLITE_FULL, the kernel's ENOSPC), as a start applying the pass log meets it.

    Freeing space is all it takes, as the running daemon's outage lines say
    of the same trouble (chatd.storage.outage): a backup of the file would
    lose what the pass log holds, which the next start commits.
    """
    return f"--db {path} cannot be written, its disk is full ({reason(error)}); free space on it and start again."


def _identify(connection: sqlite3.Connection) -> tuple[int, int, int]:
    """The file's application id, schema version and number of tables."""
    application = connection.execute("PRAGMA application_id").fetchone()[0]
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    return application, version, tables


def _upgrade(connection: sqlite3.Connection, version: int, steps: Sequence[str]) -> None:
    """Run ``steps`` after the first ``version`` in one transaction, and record the new version."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        for step in steps[version:]:
            for statement in _statements(step):
                connection.execute(statement)
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {len(steps)}")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _statements(step: str) -> list[str]:
    """The statements of ``step``, one by one: ``executescript`` would commit the transaction first."""
    statements, current = [], ""
    for line in step.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current)
            current = ""
    return statements
