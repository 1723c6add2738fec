"""Who has a ``--db`` file (the daemon running on it, or ``python -m chatd.admin`` while none is), and whose
``--files`` folder is whose.

The pass log (chatd.storage.pass_log) holds what the daemon showed and has
not yet committed; only the daemon's start applies it. A tool that works
on the file while no daemon runs, after a ``kill -9``, must apply it
first: an export would miss lines users saw, and a forget would be undone
by the next start, which applies them again. A tool that works beside a
running daemon must not, and waits for the daemon's writer instead. Two
daemons on one file would append to one log and number their rows alike.

So whoever has the file holds an exclusive ``flock(2)`` on it, for as long
as it does: the daemon from before it applies the log until it stops, the
tool for the whole of its command. SQLite's own locks are POSIX record
locks, which on Linux neither see nor disturb ``flock``'s; the lock goes
with the open file, so the daemon keeps it across twistd's fork, and the
kernel lets it go however the process ends. Twisted's
``twisted.python.lockfile.FilesystemLock`` was not used: it names its
owner by process id in a link beside the file, and the file is claimed
before twistd forks into the background, so the id it wrote would be of
a process gone, and the lock anyone's to take as stale.

The ``--files`` folder (chatd.storage.spool) is claimed the same way, on
the folder itself: its default is ``chatd-files`` beside the ``--db`` file,
so two daemons whose files sit in one folder would share it, and each
start removes the bytes no transfer of its own names. Locking the folder
rather than a file in it leaves nothing behind in it.
"""

import fcntl
import os


class Claim:
    """An exclusive hold on one database file or files folder, until ``release``."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    @classmethod
    def take(cls, path: str) -> "Claim | None":
        """Hold the file or folder at ``path`` now; None if another open file holds it. Raises ``OSError`` (no such
        file)."""
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        return cls(fd)

    def release(self) -> None:
        """Let the file go (once; later calls do nothing)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
