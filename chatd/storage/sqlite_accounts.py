"""Accounts kept in the SQLite store's file, written by its writer thread in its transactions.

Every registered nickname is in memory (``RegisteredNames``, read by
``SQLiteHistory.open`` at start), so the chat checks a nickname without
waiting; the hashes stay on disk and are read on the store's reader
thread. A change goes into the transaction of the reactor pass it was made
in, with that pass's events: its Deferred fires once that commits, so the
user is told "registered" only once a ``kill -9`` cannot lose it, and the
front ends' output, which waits for the same commit, shows nothing of it
sooner.
"""

import sqlite3
from collections.abc import Callable

from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from chatd.domain.accounts import RegisteredNames
from chatd.storage.sqlite import SQLiteHistory


class SQLiteAccounts:
    """``Accounts`` in ``store``'s file; the nicknames it registered at start are ``store.registered``."""

    def __init__(self, store: SQLiteHistory) -> None:
        self._store = store
        self._names = RegisteredNames()
        for nick, at in store.registered:
            self._names.add(nick, at)

    def owner(self, nick: str) -> str | None:
        """The account whose nickname has ``nick``'s key or look; None if none."""
        return self._names.owner(nick)

    def nick(self, account: str) -> str:
        """The nickname of ``account`` as registered."""
        return self._names.nick(account)

    def count(self) -> int:
        """How many accounts there are."""
        return len(self._names)

    def since(self, account: str) -> float:
        """When ``account`` was registered."""
        return self._names.since(account)

    def password(self, account: str) -> "Deferred[str | None]":
        """The password hash of ``account`` (None if none), read once every change before it is written."""
        return self._store.read(_hash, account)

    def create(self, nick: str, hashed: str, at: float) -> "Deferred[None]":
        """Register ``nick``: in memory at once, on disk by the end of the pass (else out of memory again)."""
        account = self._names.add(nick, at)
        written = self._store.change(
            "INSERT INTO accounts (account, nick, hash, registered_at) VALUES (?, ?, ?, ?)",
            account,
            nick,
            hashed,
            at,
        )
        return written.addErrback(self._undo, lambda: self._names.remove(account))

    def change(self, account: str, hashed: str) -> "Deferred[None]":
        """Give ``account`` the hash ``hashed``."""
        return self._store.change("UPDATE accounts SET hash = ? WHERE account = ?", hashed, account)

    def delete(self, account: str) -> "Deferred[None]":
        """Forget ``account``: at once in memory, on disk by the end of the pass (else back in memory)."""
        nick, at = self._names.nick(account), self._names.since(account)
        self._names.remove(account)
        written = self._store.change("DELETE FROM accounts WHERE account = ?", account)
        return written.addErrback(self._undo, lambda: self._names.add(nick, at))

    @staticmethod
    def _undo(failure: Failure, undo: Callable[[], object]) -> Failure:
        """The change was not kept: ``undo`` what memory holds of it, so memory says what the file does."""
        undo()
        return failure


def _hash(connection: sqlite3.Connection, account: str) -> str | None:
    """The hash of ``account`` (on the reader thread)."""
    found = connection.execute("SELECT hash FROM accounts WHERE account = ?", (account,)).fetchone()
    return None if found is None else str(found[0])
