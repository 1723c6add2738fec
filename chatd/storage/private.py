"""Files readable by the daemon's user only: the ``--db`` file and those beside it hold Argon2 hashes, addresses
and who said what to whom.

SQLite makes a missing database file with mode 0644 (less the umask), so
every account on the machine could read it. A database file chatd makes
is therefore made first, empty and with ``OWNER_ONLY``, and SQLite then
takes it as a new database (an empty file is one); its ``-wal`` and
``-shm`` files take the main file's mode (SQLite's own rule). A file that
is there already keeps the mode its host gave it.
"""

import os
from contextlib import suppress

OWNER_ONLY = 0o600
"""Read and write for the file's owner, nothing for anyone else."""


def make_private(path: str) -> None:
    """Make the file at ``path``, empty and ``OWNER_ONLY``, unless it exists. Raises ``OSError`` (no such folder)."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, OWNER_ONLY))
