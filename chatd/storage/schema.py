"""The SQLite store's schema, its version, and how an older database is brought up to date.

A chatd database says it is one (``PRAGMA application_id`` is
``APPLICATION_ID``) and which schema it holds (``PRAGMA user_version``: the
number of ``STEPS`` applied). ``prepare`` is called once at start: a new,
empty file gets every step; an older database gets the steps it lacks, in
one transaction, so an upgrade that fails leaves the file as it was; a
database from a newer chatd, a file of some other program, and a damaged
file are refused with ``DatabaseFileError``, whose text is one sentence
for the host (Synapse's ``synapse/storage/schema/`` keeps its versions the
same way, as numbered steps).

A change of schema is one more entry at the end of ``STEPS``, never an edit
of one already released: databases out there have run it.
"""

import sqlite3
from collections.abc import Sequence

APPLICATION_ID = 0x63686174
"""``PRAGMA application_id`` of a chatd database: "chat" in ASCII."""

RESTORED_KINDS = "(kind = 'ban_added' OR kind = 'ban_lifted' OR kind = 'muted' OR kind = 'unmuted')"
"""The condition of the ``events_to_restore`` index (step 2): a query uses that index only if it says the same.

Part of a released step, so never changed: another condition is another step.
"""

LINE_KINDS = "(kind = 'said' OR kind = 'acted')"
"""The condition of the ``lines_by_room`` index (step 2), the kinds of ``chatd.domain.events.MESSAGES``:
what history reads give back. Part of a released step, as ``RESTORED_KINDS``."""

STEPS: tuple[str, ...] = (
    # 1: events, and each room's last sequence number.
    """
    CREATE TABLE events (
        position INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        room TEXT,
        seq INTEGER,
        at REAL NOT NULL,
        nick TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX events_by_room ON events (room, seq) WHERE room IS NOT NULL;
    CREATE INDEX events_by_id ON events (id);
    CREATE INDEX events_to_restore ON events (position)
        WHERE kind IN ('ban_added', 'ban_lifted', 'muted', 'unmuted');
    CREATE TABLE rooms (
        room TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
    # 2: partial indexes whose conditions SQLite tests in place, and that hold only what is read.
    # An IN list in a partial index's condition is looked up in a temporary table built for every
    # row inserted (a third of the cost of writing a line, bench/store.py); ORs are not. History
    # reads want lines only, and an index of every room event made a replay walk back over all the
    # joins and parts since the last line (thousands, as a restarted daemon's users come back).
    f"""
    DROP INDEX events_to_restore;
    CREATE INDEX events_to_restore ON events (position) WHERE {RESTORED_KINDS};
    DROP INDEX events_by_room;
    CREATE INDEX lines_by_room ON events (room, seq) WHERE {LINE_KINDS};
    """,
)
"""Each version's change, in order: a database at version N has run the first N."""

VERSION = len(STEPS)
"""The schema this chatd writes."""


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
        elif application != APPLICATION_ID:
            raise DatabaseFileError(
                f"--db {path} is not a chatd database; give a new file's name, or the one chatd made."
            )
        elif version > len(steps):
            raise DatabaseFileError(
                f"--db {path} was written by a newer chatd (schema {version}, this one knows {len(steps)}); "
                "run that chatd, or restore a backup made by this one."
            )
        elif version < len(steps):
            _upgrade(connection, version, steps)
    except sqlite3.DatabaseError as error:
        raise DatabaseFileError(damaged(path, error)) from None


def damaged(path: str, error: sqlite3.Error) -> str:
    """The sentence for a ``--db`` file SQLite cannot read or write (``error`` says why)."""
    return (
        f"--db {path} cannot be used ({error}); restore it from a backup, "
        "or move it away to start with an empty one."
    )


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
