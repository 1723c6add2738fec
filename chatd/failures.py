"""What a failed write or read says, in words a host reads: the disk's trouble, for the spool and the store alike.

``chatd.storage.outage`` tells the ``--db`` file's failures with these, and
the file transfers (chatd.frontend.uploads, downloads) those of ``--files``:
one test of a full disk, one way of saying why.
"""

import errno
import sqlite3

NO_ROOM_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
"""An ``OSError``'s numbers that say the disk, or the daemon's user's quota on it, has no room."""


def no_room(error: BaseException) -> bool:
    """Whether ``error`` says the disk has no room: ``OSError`` ENOSPC or EDQUOT, or SQLite's SQLITE_FULL
    ("database or disk is full")."""
    if isinstance(error, OSError):
        return error.errno in NO_ROOM_ERRNOS
    if isinstance(error, sqlite3.Error):
        return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    return False


def reason(error: BaseException) -> str:
    """``error`` in the system's or SQLite's words: ``No space left on device``, ``database or disk is full``."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
