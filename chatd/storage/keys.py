"""The key log and accounts' device keys (chatd.domain.keylog, issue 17): in memory, or in the SQLite file.

Both hold every account's keys and the log's head in memory, so ``/key``
and ``/emsg`` never wait for them: there are at most ``KEYS_MOST`` keys an
account. ``MemoryKeys`` (``--db :memory:``) holds the entries too, gone at
exit; ``SQLiteKeys`` writes each entry, and the change it makes to the keys,
in the reactor pass's transaction (the answer is shown once the pass log
holds it, so a ``kill -9`` cannot lose it; a failed write can, see
``SQLiteKeys``), and reads entries back on the store's reader thread. Both
pass tests/test_keys_store.py.
"""

import sqlite3
from collections.abc import Iterable, Sequence

from twisted.internet.defer import Deferred, succeed

from chatd.domain.keylog import ADD, KeyEntry
from chatd.storage.sqlite import SQLiteHistory
from chatd.storage.sqlite_open import key_ring


class _Ring:
    """Each account's keys, oldest first, and the log's head, as the entries so far give them."""

    _keys: dict[str, list[str]]
    _head: tuple[int, str]

    def __init__(self, keys: Iterable[tuple[str, str]] = (), head: tuple[int, str] = (0, "")) -> None:
        self._reset(keys, head)

    def _reset(self, keys: Iterable[tuple[str, str]], head: tuple[int, str]) -> None:
        """Hold ``keys`` (account and key pairs, oldest first) and ``head``, and nothing else."""
        self._keys = {}
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
    """A ``KeyStore`` in ``store``'s file; the keys and head it starts with are ``store.keys``, ``store.key_head``.

    A write that fails (a full disk, or the file refusing the entry) loses
    the entries in it, after they were answered; an entry and its change
    to the keys are one change of the store's, kept both or neither. The file's log never has a gap for it: an entry is
    written only if it follows the file's last, so those chained on a lost
    one are left out too (a gap would have every client report a broken
    chain for good). Memory then takes the keys and head back from the
    file, and the log goes on from there.
    """

    def __init__(self, store: SQLiteHistory) -> None:
        super().__init__(store.keys, store.key_head)
        self._store = store
        self._rereading = False
        """Whether the file's keys and head are being read back after a failed write."""

    def append(self, entry: KeyEntry) -> None:
        """Add ``entry``: in memory at once, on disk by the end of the pass."""
        self._apply(entry)
        digest = entry.hash()
        row = (entry.seq, entry.at, entry.account, entry.action, entry.key, entry.prev, digest)
        change = _ADD if entry.action == ADD else _DROP
        written = self._store.changes((_INSERT, row), (change, (entry.account, entry.key, entry.seq, digest)))
        # The store logs a change that fails; the answer was shown, the file's log is what stays.
        written.addErrback(self._write_failed)

    def entries(self, first: int, limit: int) -> "Deferred[Sequence[KeyEntry]]":
        """Up to ``limit`` entries from seq ``first`` on, read once every change before is written."""
        return self._store.read(_entries, first, limit)

    def _write_failed(self, _: object) -> None:
        """An entry was not written: once all appended is, take the keys and head back from the file.

        A write that fails while they are read back asks for no other read:
        its entries were appended before that read was asked for (it reads
        once they are written, or not), or after, on top of an entry lost,
        and then no write takes them.
        """
        if not self._rereading:
            self._rereading = True
            self._store.read(key_ring).addCallbacks(self._reread, self._not_reread)

    def _reread(self, ring: tuple[list[tuple[str, str]], tuple[int, str]]) -> None:
        self._rereading = False
        self._reset(*ring)

    def _not_reread(self, _: object) -> None:
        """The file could not be read either: memory stays ahead; the next failed write tries again."""
        self._rereading = False


_INSERT = (
    "INSERT INTO key_log (seq, at, account, action, key, prev, hash) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 "
    "WHERE ?6 = coalesce((SELECT hash FROM key_log ORDER BY seq DESC LIMIT 1), '')"
)
"""An entry, if it follows the file's last one (its ``prev`` is that one's hash): never after a gap."""

_WRITTEN = "EXISTS (SELECT 1 FROM key_log WHERE seq = ?3 AND hash = ?4)"
"""Whether the entry (seq, hash) a change of an account's keys comes from was written: ``_INSERT`` leaves
out those after a gap. ``_ADD`` and ``_DROP`` take the account, the key, the seq and the hash."""

_ADD = f"INSERT INTO device_keys (account, key, seq) SELECT ?1, ?2, ?3 WHERE {_WRITTEN}"
_DROP = f"DELETE FROM device_keys WHERE account = ?1 AND key = ?2 AND {_WRITTEN}"


def _entries(connection: sqlite3.Connection, first: int, limit: int) -> list[KeyEntry]:
    """Up to ``limit`` entries from seq ``first`` on (on the reader thread)."""
    query = "SELECT seq, at, account, action, key, prev FROM key_log WHERE seq >= ? ORDER BY seq LIMIT ?"
    return [KeyEntry(*row) for row in connection.execute(query, (first, limit))]
