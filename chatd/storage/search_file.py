"""The search index's file beside the history: found, checked, made anew when it cannot serve, and attached.

The index is derived (chatd.storage.search_index): a file that is missing,
of another version, another program's, damaged, or ahead of the history (a
backup put back without it) is replaced by an empty one at start, which the
indexer fills from the beginning while the chat runs. A start that cannot
make it is one sentence naming ``--db``. Each indexer's connection attaches
the history and defines what the indexer's statements use.
"""

import os
import sqlite3
from collections.abc import Callable
from contextlib import suppress

from twisted.logger import Logger

from chatd.domain.search import folded
from chatd.failures import no_room
from chatd.storage.database_file import DatabaseFileError, disk_full
from chatd.storage.private import make_private
from chatd.storage.schema import HIGHEST_POSITION

APPLICATION_ID = 0x63686978
"""``PRAGMA application_id`` of a chatd search index: "chix" in ASCII."""

VERSION = 4
"""``PRAGMA user_version`` of the index this chatd writes; a file of another is made again.

2: the word index holds a line that is not ASCII ``folded``, accents off in every script (1 held it as said).
3: ``folded`` keeps the marks that make another letter (a kana's voicing, a Thai tone), and composes again.
4: private messages said plainly (``whispered``) are indexed too: an index of 3 lacks those it read."""

_SCHEMA = """
CREATE VIRTUAL TABLE line_words USING fts5 (
    text, content = '', columnsize = 0, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE line_trigrams USING fts5 (
    text, content = '', columnsize = 0, detail = none, tokenize = 'trigram'
);
INSERT INTO line_words (line_words, rank) VALUES ('automerge', 16);
INSERT INTO line_trigrams (line_trigrams, rank) VALUES ('automerge', 16);
CREATE TABLE progress (indexed INTEGER NOT NULL, forgotten INTEGER NOT NULL);
INSERT INTO progress VALUES (0, 0);
"""
"""The index file's tables. Each chunk written adds a segment to each index; FTS5 merges them once 16 are
alike (``automerge``, 4 by default): about a third less work for the indexer, a look-up reads a few more."""


def index_path(path: str) -> str:
    """The index file beside the history in ``path``."""
    return f"{path}-search"


def open_index(path: str) -> sqlite3.Connection:
    """The indexer's connection to the index of the history in ``path``, which it attaches as ``history``.

    A missing index file is made; one from another chatd version, another
    program or damaged is replaced, and so is one ahead of the history
    (``_ahead``). Raises ``DatabaseFileError`` if it cannot be made.
    """
    where = index_path(path)
    connection = _attached(_opened(path, lambda index: _usable(index) or _made(index)), path)
    if not _ahead(connection):
        return connection
    connection.close()
    _log.warn(
        "--db {path}: its search index {where} has read further than the history holds (a backup put back "
        "without it?); it is made again from the history while the chat runs.",
        path=path,
        where=where,
    )
    return _attached(_opened(path, _made), path)


def _opened(path: str, opening: Callable[[str], sqlite3.Connection]) -> sqlite3.Connection:
    """The index beside the history in ``path`` as ``opening`` opens it (kept or made); raises ``DatabaseFileError``."""
    try:
        return opening(index_path(path))
    except (sqlite3.Error, OSError) as error:
        raise DatabaseFileError(unmade(path, error)) from None


def unmade(path: str, error: sqlite3.Error | OSError) -> str:
    """The sentence for the search index beside the history in ``path`` that a start cannot make (``error``); a full
    disk's is ``disk_full``'s, not another directory's."""
    if no_room(error):
        return disk_full(path, error)
    why = f"{error.filename}: {error.strerror}" if isinstance(error, OSError) else error
    return (
        f"--db {path}: its search index {index_path(path)} cannot be made ({why}); "
        "give a --db in a directory the daemon may write."
    )


def _ahead(connection: sqlite3.Connection) -> bool:
    """Whether the index (``connection``, the history attached) has read past what the history has ever held.

    A backup put back over the history, its index left beside it, is
    behind the index: the positions and deletions past the backup's are
    numbered again as the chat goes on, and the index, taking them for
    read, would never hold those lines, and would drop others' words for
    the deletions. Made again, it holds every line.
    """
    return bool(connection.execute(_AHEAD).fetchone()[0])


_AHEAD = (
    f"SELECT indexed > ({HIGHEST_POSITION}) OR forgotten > coalesce("
    "(SELECT seq FROM history.sqlite_sequence WHERE name = 'unindexed'), 0) FROM progress"
)
"""Whether the index's progress is past the history's highest position or its last deletion (``_ahead``)."""

_log = Logger()


def reopen_index(path: str) -> sqlite3.Connection:
    """A new indexer's connection to the index ``open_index`` checked or made beside ``path``, checking nothing again.

    For the store's connections opened again in the process that runs them
    (``SQLiteHistory.startService``). Raises ``sqlite3.Error``.
    """
    return _attached(_connect(index_path(path)), path)


def _attached(connection: sqlite3.Connection, path: str) -> sqlite3.Connection:
    """``connection`` to the index, with the history in ``path`` attached and what the indexer uses defined."""
    connection.execute("ATTACH DATABASE ? AS history", (path,))
    connection.execute(_CHUNK_TABLE)
    connection.create_function("search_words", 1, _search_words, deterministic=True)
    return connection


def _search_words(text: str | None) -> str | None:
    """What the word index is given of the ``text`` of a line that is not ASCII (``INDEXES``): ``folded``."""
    return None if text is None else folded(text)


def _made(where: str) -> sqlite3.Connection:
    """A new, empty index at ``where``, in place of whatever files are there."""
    for name in (where, f"{where}-wal", f"{where}-shm"):
        with suppress(FileNotFoundError):
            os.remove(name)
    # Each line's words are in it, readable by the daemon's user only as the history is.
    make_private(where)
    connection = _connect(where)
    try:
        connection.executescript(
            f"BEGIN; {_SCHEMA} PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {VERSION}; COMMIT;"
        )
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def _connect(where: str, connection: sqlite3.Connection | None = None) -> sqlite3.Connection:
    """``connection`` (else a new one) to the index file ``where``, in WAL mode as the history is."""
    connection = connection or sqlite3.connect(where, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


def _usable(where: str) -> sqlite3.Connection | None:
    """A connection to the index at ``where`` if it is one of this version and sound; else None."""
    if not os.path.isfile(where):
        return None
    connection = sqlite3.connect(where, isolation_level=None, check_same_thread=False)
    try:
        application = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        sound = connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        if (application, version, sound) == (APPLICATION_ID, VERSION, True):
            return _connect(where, connection)
    except sqlite3.Error:
        pass
    connection.close()
    return None


_CHUNK_TABLE = "CREATE TEMP TABLE chunk (position INTEGER PRIMARY KEY, text TEXT)"
"""The text of the lines a chunk indexes, taken out of their events once for both indexes, then emptied.

Each index read the events itself, and the text out of each one's JSON:
that was a tenth of the indexer's work for a line (bench/count.py --said,
docs/PERFORMANCE.md). The connection's own temporary table, in SQLite's
page cache unless a backlog's chunk outgrows it."""
