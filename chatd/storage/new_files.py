"""What a start is about to make on disk, so that one which cannot go ahead removes it, and nothing else.

A start with a new ``--db FILE`` makes FILE and the files kept beside it,
each named FILE-something (SQLite's WAL, the pass log, the search index),
and the ``--files`` folder (never the folders above it: chatd.storage.spool).
If the start then stops with its one sentence (a busy port, say), they are
left over: a database nobody ran, which the next start takes for a real
one. ``NewFiles.before`` notes what is missing before anything is opened;
``remove`` removes what of it exists now. What was there before the start
is never touched; nor is anything beside a database file that was there
(a WAL it left may hold what it committed).
"""

import os
import shutil
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NewFiles:
    """The database files and the files folder a start would make, as they stood before it."""

    beside: str
    """The folder the database file is in."""
    stem: str
    """The database file's name, if the start makes it: it and every ``stem-*`` beside it are its files; "" if it
    was there already, or is in memory."""
    there: frozenset[str]
    """Those of its files that were there before the start."""
    folder: str | None
    """The files folder, if it was missing; None if it was there."""

    @classmethod
    def before(cls, db: str | None, files: str | None) -> "NewFiles":
        """What is missing of the database ``db`` (None: in memory) and the files folder ``files`` (None: a
        temporary one, which the daemon removes itself)."""
        beside, stem = os.path.split(db) if db is not None else ("", "")
        there = frozenset(_files_of(beside, stem)) if stem else frozenset()
        if stem in there:
            stem, there = "", frozenset()
        return cls(beside, stem, there, None if files is None else _missing(files))

    def remove(self) -> None:
        """Remove those files and folders that the start made: they exist now, and did not before it."""
        if self.stem:
            for name in _files_of(self.beside, self.stem) - self.there:
                os.remove(os.path.join(self.beside, name))
        if self.folder is not None and os.path.isdir(self.folder):
            shutil.rmtree(self.folder)


def _files_of(beside: str, stem: str) -> set[str]:
    """The names in the folder ``beside`` of the database file ``stem`` and of its files."""
    try:
        names = os.listdir(beside or os.curdir)
    except OSError:
        return set()
    return {name for name in names if name == stem or name.startswith(f"{stem}-")}


def _missing(folder: str) -> str | None:
    """``folder``, made absolute, if it does not exist; None if it does."""
    path = os.path.abspath(folder)
    return None if os.path.lexists(path) else path
