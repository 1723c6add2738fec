"""Opening the ``--db`` file at start: the sentences a host reads when it cannot be used, and what the chat needs.

The file is opened, checked and upgraded (chatd.storage.database_file), and what
the chat needs at start (each registered and server's room's last sequence number, the ban and mute
events, the kicks whose wait runs, each room's last topic and lock since it was last made, the registered rooms and their settings) read, by ``SQLiteHistory.open``,
once, before the daemon starts: ``chatd.tap`` calls it before twistd forks,
so a bad file stops the start with one sentence, and the chat has its bans
before the first connection.
"""

import json
import os
import sqlite3
from collections.abc import Sequence
from contextlib import ExitStack, closing
from typing import Any, NamedTuple

from twisted.logger import Logger

from chatd.domain.events import BanAdded, BanLifted, Event, Kicked, Muted, TopicChanged, TopicLocked, Unmuted
from chatd.storage.claim import Claim
from chatd.storage.damaged_rows import UnreadableRowError, at_start, decoded
from chatd.storage.database_file import DatabaseFileError, damaged, prepare
from chatd.storage.pass_log import PassLog, log_path, replay
from chatd.storage.pass_log import damaged as damaged_log
from chatd.storage.pass_log import unreadable as unreadable_log
from chatd.storage.pass_log import unwritable as unwritable_log
from chatd.storage.private import make_private
from chatd.storage.room_settings import add_functions
from chatd.storage.schema import HIGHEST_POSITION, KICK_ENDS, MODERATION, TOPICS
from chatd.storage.search_file import index_path, open_index
from chatd.text import counted

RESTORED: tuple[type[Event], ...] = (BanAdded, BanLifted, Muted, Unmuted, TopicChanged, TopicLocked, Kicked)
"""The events read back at start to restore the chat's state: every ban and mute event (schema's
``events_to_restore`` index), each room's last topic and last lock (``events_topics``) unless the room was made
anew after it (chatd.storage.sqlite's ``_MADE``), and the kicks whose wait still runs (``kick_waits``)."""

_RESTORE = (
    f"SELECT position, body FROM events WHERE position IN (SELECT position FROM events WHERE {MODERATION} "
    f"UNION ALL SELECT last FROM (SELECT room, max(position) AS last FROM events WHERE {TOPICS} GROUP BY room, kind) "
    "LEFT JOIN rooms USING (room) WHERE last > coalesce(made, 0) "
    f"UNION ALL SELECT position FROM events WHERE kind = 'kicked' AND {KICK_ENDS} > ?) ORDER BY position"
)
"""``RESTORED``'s events, oldest first; the parameter is the time now, which the kicks' waits end after."""

_REGISTERED_ROOMS = (
    "SELECT name, owner, account FROM registered_rooms LEFT JOIN room_operators USING (room) ORDER BY room"
)
"""Each registered room with each of its operators, a row each (one row, operator NULL, for a room with none)."""

_HELD_LAST = (
    "SELECT room, last_seq FROM rooms WHERE room IN (SELECT room FROM registered_rooms) "
    "OR room IN (SELECT value FROM json_each(?))"
)
"""The last sequence number of each registered room and of the server's rooms (a JSON list of their folded names):
those the store always holds (chatd.storage.last_seqs), not every room's, of which a loop of joins of new names made
millions."""

_KEY_HEAD = "SELECT seq, hash FROM key_log ORDER BY seq DESC LIMIT 1"
"""The key log's last entry: its seq and hash (the head); no row for an empty log."""


class Opened(NamedTuple):
    """What ``open_file`` hands ``SQLiteHistory``: the file's connections and pass log, and what the chat needs at
    start, in the order of its constructor's arguments."""

    writer: sqlite3.Connection
    reader: sqlite3.Connection
    index_file: sqlite3.Connection
    log: PassLog
    position: int
    held_last: dict[str, int]
    restored: list[Event]
    registered: list[tuple[str, float]]
    waiting: dict[str, tuple[int, int]]
    rooms: list[tuple[str, str, str | None]]
    transfers: list[str]
    keys: list[tuple[str, str]]
    key_head: tuple[int, str]
    room_settings: list[tuple[str, str]]
    links: list[tuple[str, str, str, str, float]]


def open_file(path: str, reactor: Any, log: Logger, server_rooms: Sequence[str] = ()) -> Opened:
    """The file ``path`` (made if missing) claimed, checked, upgraded and read, for ``SQLiteHistory.open``;
    ``server_rooms``: the server's rooms' folded names.

    ``reactor`` provides ``IReactorTime``; ``log`` is the store's, which
    tells the host of a pass log a daemon that did not stop cleanly left.
    Raises ``DatabaseFileError``.
    """
    try:
        make_private(path)
        writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except OSError as error:
        raise DatabaseFileError(unopened(path, error.strerror or str(error))) from None
    except sqlite3.Error as error:
        raise DatabaseFileError(unopened(path, str(error))) from None
    try:
        claim = Claim.take(path)
    except OSError as error:
        writer.close()
        raise DatabaseFileError(unopened(path, error.strerror or str(error))) from None
    if claim is None:
        writer.close()
        raise DatabaseFileError(_in_use(path))
    try:
        return read_at_start(path, reactor, writer, claim, log, server_rooms)
    except BaseException:
        writer.close()
        claim.release()
        raise


def read_at_start(
    path: str,
    reactor: Any,
    writer: sqlite3.Connection,
    claim: Claim,
    log: Logger,
    server_rooms: Sequence[str] = (),
) -> Opened:
    """``open_file``'s work once the file is claimed: checked, upgraded, its pass log applied, what the chat needs read.

    The index's and reader's connections, opened last, are closed again if the start fails after them.
    """
    with ExitStack() as opened:
        try:
            prepare(writer, path)
            _check(writer)
            writer.execute("PRAGMA journal_mode = WAL")
            set_up_writer(writer)
            # What was shown but not yet committed when the daemon last stopped, before anything is read.
            last_record = _replay(writer, path, log)
            held_last = {room: 0 for room in server_rooms} | dict(
                writer.execute(_HELD_LAST, (json.dumps(server_rooms),))
            )
            restored = [decoded(*row) for row in writer.execute(_RESTORE, (reactor.seconds(),))]
            registered = writer.execute("SELECT nick, registered_at FROM accounts").fetchall()
            waiting = {
                account: (count, size)
                for account, count, size in writer.execute(
                    "SELECT account, count(*), sum(length(CAST(body AS BLOB))) FROM mailbox GROUP BY account"
                )
            }
            rooms = writer.execute(_REGISTERED_ROOMS).fetchall()
            room_settings = writer.execute("SELECT room, body FROM room_settings").fetchall()
            transfers = [body for (body,) in writer.execute("SELECT body FROM transfers")]
            links = writer.execute(
                "SELECT digest, file, key, nick, until FROM file_links ORDER BY until"
            ).fetchall()
            keys, key_head = key_ring(writer)
            position = writer.execute(HIGHEST_POSITION).fetchone()[0]
            index = opened.enter_context(closing(open_index(path)))
            reader = opened.enter_context(closing(reader_of(path)))
        except sqlite3.Error as error:
            raise DatabaseFileError(damaged(path, error)) from None
        except UnreadableRowError as error:
            raise DatabaseFileError(at_start(path, error)) from None
        except ValueError as error:
            raise DatabaseFileError(damaged_log(path, error)) from None
        try:
            pass_log = PassLog(log_path(path), last_record, claim)
        except OSError as error:
            raise DatabaseFileError(unwritable_log(path, error)) from None
        opened.pop_all()
    return Opened(
        writer,
        reader,
        index,
        pass_log,
        position,
        held_last,
        restored,
        registered,
        waiting,
        rooms,
        transfers,
        keys,
        key_head,
        room_settings,
        links,
    )


def _replay(writer: sqlite3.Connection, path: str, log: Logger) -> int:
    """Commit what the pass log beside ``path`` holds that the file lacks (``pass_log.replay``); return its last
    record's number.

    Each change the file refuses is left out, and logged: its asker went
    with the process that logged it, so only the host can hear of it now.
    A log that held records is one info line too: a clean stop removes
    it, so the daemon before did not stop cleanly (docs/SECURITY.md).
    Raises ``DatabaseFileError``, ``sqlite3.Error``, ``ValueError`` (a damaged record).
    """
    try:
        replayed = replay(writer, log_path(path))
    except OSError as error:
        raise DatabaseFileError(unreadable_log(path, error)) from None
    # Nothing is lost either way: the host learns that the last stop was a kill -9, a crash or a power cut.
    if replayed.committed:
        log.info(
            "A daemon that did not stop cleanly left {records} in the --db file's pass log, committed now",
            records=counted(replayed.committed, "record"),
            count=replayed.committed,
        )
    elif replayed.left:
        log.info(
            "A daemon that did not stop cleanly left the --db file's pass log; all it held was committed already"
        )
    for refusal in replayed.refused:
        log.warn(
            "The --db file refused a change its pass log held from before this start ({change}: {why}); it "
            "alone is not kept",
            change=refusal.change,
            why=refusal.why,
        )
    return replayed.last


def refuse_if_held(path: str) -> None:
    """Raise ``DatabaseFileError`` if the file at ``path`` exists and another chatd or the admin tool holds it.

    For a start refused its files folder (chatd.storage.spool): a second
    daemon on the same ``--db`` meets the folder beside it first, and the
    ``--db`` is what its host needs to hear about.
    """
    try:
        claim = Claim.take(path)
    except OSError:
        return
    if claim is None:
        raise DatabaseFileError(_in_use(path))
    claim.release()


def _in_use(path: str) -> str:
    """The sentence for a ``--db`` file another chatd or the admin tool holds."""
    return (
        f"--db {path} is in use by another chatd or by python -m chatd.admin; stop it, or give another file."
    )


def refuse_if_folder(path: str) -> None:
    """Raise ``DatabaseFileError`` if ``path`` names a folder: one that exists, or any path ending in a ``/``.

    Checked before the files folder beside it is made, which with ``--db
    DIR/`` went into DIR; and a folder as the file was refused in SQLite's
    words ("unable to open database file"), which say nothing of what to change.
    """
    if os.path.isdir(path) or path.endswith(os.sep):
        raise DatabaseFileError(f"--db {path} names a folder; give a file's path, made if missing.")


def unopened(path: str, why: str) -> str:
    """The sentence for a ``--db`` file that cannot be opened, for the reason ``why``: an ``OSError``'s strerror, or
    SQLite's words."""
    return f"--db {path} cannot be opened ({why}); give a file in a directory the daemon may write."


def _check(connection: sqlite3.Connection) -> None:
    """Raise ``sqlite3.DatabaseError`` unless SQLite finds every page of the file sound.

    ``quick_check`` reads the whole file (a few seconds for millions of
    lines), once at start: a damaged page found then stops the start,
    rather than failing writes once the daemon has gone into the background.
    """
    found = [problem for (problem,) in connection.execute("PRAGMA quick_check")]
    if found != ["ok"]:
        raise sqlite3.DatabaseError(found[0].splitlines()[-1])


def set_up_writer(writer: sqlite3.Connection) -> None:
    """Set the writer's connection to the file as the writer needs it: as ``open_file`` checks the file, and again in
    the daemon's process (``SQLiteHistory.startService``)."""
    add_functions(writer)
    writer.execute("PRAGMA synchronous = NORMAL")
    # The indexer thread checkpoints (search_index.keep_up), so no commit the chat waits for does.
    writer.execute("PRAGMA wal_autocheckpoint = 0")


def reader_of(path: str) -> sqlite3.Connection:
    """A reader's connection to the history in ``path``, with its search index attached as ``search``."""
    reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        reader.execute("ATTACH DATABASE ? AS search", (index_path(path),))
    except sqlite3.Error:
        reader.close()
        raise
    return reader


def key_ring(connection: sqlite3.Connection) -> tuple[list[tuple[str, str]], tuple[int, str]]:
    """Every account's device keys, each account's oldest first, and the key log's head, as the file holds them.

    Read at start, and again by chatd.storage.keys after a failed write (on the reader thread).
    """
    keys = connection.execute("SELECT account, key FROM device_keys ORDER BY seq").fetchall()
    return keys, connection.execute(_KEY_HEAD).fetchone() or (0, "")
