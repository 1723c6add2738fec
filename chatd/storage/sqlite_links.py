"""HTTP links to offered files still good, kept in the SQLite store's file (schema step 20), for a restarted daemon.

An IRC user's one way to a file is the link in the offer's NOTICE: the
offer outlived a restart (chatd.storage.sqlite_transfers) but its link did
not, and nobody offered it as it was made is sent the NOTICE again, so the
file was out of their reach. As ``SQLiteTransfers`` does: the rows are read
at start (``SQLiteHistory.open``), and a change is one statement in the
reactor pass's transaction, written by the store's writer thread.
"""

from collections.abc import Sequence

from chatd.domain.files import KeptLink
from chatd.storage.sqlite import SQLiteHistory


class SQLiteLinks:
    """The links kept in ``store``'s file; those there at start are ``links()``."""

    def __init__(self, store: SQLiteHistory) -> None:
        self._store = store
        self._kept = [KeptLink(*row) for row in store.links]

    def links(self) -> Sequence[KeptLink]:
        """The links kept when the daemon last stopped, those that run out first first."""
        return self._kept

    def keep_link(self, link: KeptLink) -> None:
        """Keep ``link`` as it is now, on disk by the end of the pass."""
        written = self._store.change(
            "INSERT OR REPLACE INTO file_links (digest, file, key, nick, until) VALUES (?, ?, ?, ?, ?)",
            link.digest,
            link.file,
            link.key,
            link.nick,
            link.until,
        )
        written.addErrback(lambda _: None)  # the store logs a failed change; the link goes on in memory

    def forget_link(self, digest: str) -> None:
        """The link is spent or run out: its row goes by the end of the pass."""
        self._store.change("DELETE FROM file_links WHERE digest = ?", digest).addErrback(lambda _: None)
