"""``python -m chatd.admin backup DEST``: a consistent copy of the file, the daemon running or not.

SQLite's online backup (``sqlite3.Connection.backup``) copies what one
moment held, which a running daemon's writes do not disturb; the copy is
made as private as the file, for it holds the same hashes and addresses.
"""

import os
import sqlite3
from contextlib import closing
from typing import TextIO

from chatd.admin import AdminError
from chatd.storage.private import make_private


def backup(connection: sqlite3.Connection, path: str, dest: str, out: TextIO) -> None:
    """Copy the database to ``dest`` (which must not exist, and is made readable by its owner only) in one step of
    SQLite's online backup."""
    if os.path.lexists(dest):
        raise AdminError(f"{dest} exists already; give the name of a new file for the backup.")
    try:
        # A copy of the same hashes and addresses: as private as the file it copies.
        make_private(dest)
        with closing(sqlite3.connect(dest)) as copy:
            connection.backup(copy)
    except (sqlite3.Error, OSError) as error:
        if os.path.exists(dest):
            os.remove(dest)
        why = error.strerror if isinstance(error, OSError) else error
        raise AdminError(f"cannot back up --db {path} to {dest} ({why}).") from None
    print(f"Backed up {path} to {dest}.", file=out)
