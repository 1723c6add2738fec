"""The key log and accounts' device keys (chatd.domain.keylog, issue 17): in memory, or in the SQLite file.

Both hold every account's keys and the log's head in memory, so ``/key``
and ``/emsg`` never wait for them: there are at most ``KEYS_MOST`` keys an
account. ``MemoryKeys`` (``--db :memory:``) holds the entries too, gone at
exit; ``SQLiteKeys`` writes each entry, and the change it makes to the keys,
in the reactor pass's transaction (the answer, held by the output until it
commits, is shown once a ``kill -9`` cannot lose it), and reads entries back
on the store's reader thread. Both pass tests/test_keys_store.py.
"""

import sqlite3
from collections.abc import Iterable, Sequence

from twisted.internet.defer import Deferred, succeed

from chatd.domain.keylog import ADD, KeyEntry
from chatd.storage.sqlite import SQLiteHistory


class _Ring:
    """Each account's keys, oldest first, and the log's head, as the entries so far give them."""

    def __init__(self, keys: Iterable[tuple[str, str]] = (), head: tuple[int, str] = (0, "")) -> None:
        self._keys: dict[str, list[str]] = {}
        for account, key in keys:
            self._keys.setdefault(account, []).append(key)
        self._head = head

    def head(self) -> tuple[int, str]:
        """The last entry's seq and hash; ``(0, "")`` for an empty log."""
        return self._head

    def keys(self, account: str) -> tuple[str, ...]:
        """The keys ``account`` has published and not dropped, in the order published."""
        return tuple(self._keys.get(account, ()))

    def _apply(self, entry: KeyEntry) -> None:
        if entry.seq != self._head[0] + 1 or entry.prev != self._head[1]:
            raise ValueError(f"key log entry {entry.seq} does not follow {self._head[0]}")
        held = self._keys.setdefault(entry.account, [])
        if entry.action == ADD:
            held.append(entry.key)
        else:
            held.remove(entry.key)
            if not held:
                del self._keys[entry.account]
        self._head = (entry.seq, entry.hash())


class MemoryKeys(_Ring):
    """A ``KeyStore`` in this process's memory."""

    def __init__(self) -> None:
        super().__init__()
        self._entries: list[KeyEntry] = []

    def append(self, entry: KeyEntry) -> None:
        """Add ``entry`` to the log, and its change to the keys."""
        self._apply(entry)
        self._entries.append(entry)

    def entries(self, first: int, limit: int) -> "Deferred[Sequence[KeyEntry]]":
        """Up to ``limit`` entries from seq ``first`` (1 or more) on."""
        return succeed(self._entries[first - 1 : first - 1 + limit])


class SQLiteKeys(_Ring):
    """A ``KeyStore`` in ``store``'s file; the keys and head it starts with are ``store.keys``, ``store.key_head``."""

    def __init__(self, store: SQLiteHistory) -> None:
        super().__init__(store.keys, store.key_head)
        self._store = store

    def append(self, entry: KeyEntry) -> None:
        """Add ``entry``: in memory at once, on disk by the end of the pass."""
        self._apply(entry)
        row = (entry.seq, entry.at, entry.account, entry.action, entry.key, entry.prev, entry.hash())
        writes = [self._store.change(_INSERT, *row)]
        if entry.action == ADD:
            writes.append(self._store.change(_ADD, entry.account, entry.key, entry.seq))
        else:
            writes.append(self._store.change(_DROP, entry.account, entry.key))
        for written in writes:
            # The store logs a transaction that fails; the answer, held behind it, is never shown.
            written.addErrback(lambda _: None)

    def entries(self, first: int, limit: int) -> "Deferred[Sequence[KeyEntry]]":
        """Up to ``limit`` entries from seq ``first`` on, read once every change before is written."""
        return self._store.read(_entries, first, limit)


_INSERT = "INSERT INTO key_log (seq, at, account, action, key, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?)"
_ADD = "INSERT INTO device_keys (account, key, seq) VALUES (?, ?, ?)"
_DROP = "DELETE FROM device_keys WHERE account = ? AND key = ?"


def _entries(connection: sqlite3.Connection, first: int, limit: int) -> list[KeyEntry]:
    """Up to ``limit`` entries from seq ``first`` on (on the reader thread)."""
    query = "SELECT seq, at, account, action, key, prev FROM key_log WHERE seq >= ? ORDER BY seq LIMIT ?"
    return [KeyEntry(*row) for row in connection.execute(query, (first, limit))]
