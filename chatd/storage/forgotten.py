"""The mark ``python -m chatd.admin`` leaves beside the ``--db`` file once it has deleted lines, for a running daemon.

A running daemon keeps each room's last lines in memory (chatd.storage.recent)
and shows them to whoever joins, reading nothing. It read them from the file
again only once its own next commit found the file changed by another
connection: after ``python -m chatd.admin forget dave``, the next person to
join a room was still shown dave's lines there, and in a quiet chat the
next commit was that person's join. The tool now replaces ``PATH-forgotten``
once it has deleted; the daemon looks at the mark (a ``stat``, no read of
the file) before it answers from memory, and reads the rooms' lines from
the file again when the mark is another. A missing mark is one no tool has
left yet.
"""

import os

from chatd.storage.private import OWNER_ONLY

Stamp = tuple[int, int, int] | None
"""What tells one mark from another: its inode, its change time in nanoseconds, its size; None if there is none."""


def mark_path(path: str) -> str:
    """The mark beside the ``--db`` file ``path``: ``chatd.sqlite-forgotten`` beside ``chatd.sqlite``."""
    return path + "-forgotten"


def leave_mark(path: str) -> None:
    """Replace the mark beside the ``--db`` file ``path``: lines were deleted from it. Raises ``OSError``.

    A new file each time (written aside, then renamed over the mark), so its
    inode differs from every mark a daemon has seen, however quick the next.
    """
    mark = mark_path(path)
    aside = f"{mark}.{os.getpid()}"
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, OWNER_ONLY)
    try:
        os.write(fd, b"lines were deleted by python -m chatd.admin\n")
    finally:
        os.close(fd)
    os.replace(aside, mark)


def stamp(path: str) -> Stamp:
    """The stamp of the mark beside the ``--db`` file ``path`` as it is now; None if there is no mark."""
    try:
        status = os.stat(mark_path(path))
    except OSError:
        return None
    return status.st_ino, status.st_ctime_ns, status.st_size
