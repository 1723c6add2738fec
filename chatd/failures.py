"""What a failed write or read says, in words a host reads: the disk's trouble, for the spool and the store alike.

``chatd.storage.outage`` tells the ``--db`` file's failures with these, and
the file transfers (chatd.frontend.uploads, downloads) those of ``--files``:
one test of a full disk, one way of saying why. A user whose upload or
waiting message was not kept reads why in a few words of their own
(``not_kept``).
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


def not_kept(error: BaseException) -> str:
    """Why something a user sent was not kept after all, in the few words they read: ``the server's disk is full``
    (``no_room``), else ``the server could not store it`` (damage, a constraint: nothing they could act on)."""
    return "the server's disk is full" if no_room(error) else "the server could not store it"
