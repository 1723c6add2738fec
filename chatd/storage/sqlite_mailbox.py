"""Private messages kept for offline accounts in the SQLite store's file (schema step 5).

As ``SQLiteAccounts`` does: how many wait for each account is in memory
(read by ``SQLiteHistory.open`` at start), so keeping one never waits; the
messages go into the pass's transaction with its events, so the sender's
receipt, which the front end's output holds until that commits, is shown
only once a ``kill -9`` cannot lose the message.
"""

import sqlite3
from collections.abc import Sequence
from typing import cast

from twisted.internet.defer import Deferred

from chatd.domain.encoding import decode_event, encode_event
from chatd.domain.events import Private
from chatd.storage.sqlite import SQLiteHistory


class SQLiteMailbox:
    """A ``Mailbox`` in ``store``'s file; the counts it starts with are ``store.waiting``."""

    def __init__(self, store: SQLiteHistory) -> None:
        self._store = store
        self._waiting = {account: count for account, (count, _) in store.waiting.items()}
        self._held = {account: size for account, (_, size) in store.waiting.items()}

    def waiting(self, account: str) -> int:
        """How many messages wait for ``account``."""
        return self._waiting.get(account, 0)

    def held(self, account: str) -> int:
        """The bytes of the messages waiting for ``account``."""
        return self._held.get(account, 0)

    def keep(self, account: str, event: Private) -> None:
        """Keep ``event`` for ``account``: counted at once, on disk by the end of the pass."""
        body = encode_event(event)
        self._waiting[account] = self.waiting(account) + 1
        self._held[account] = self.held(account) + len(body.encode())
        written = self._store.change("INSERT INTO mailbox (account, body) VALUES (?, ?)", account, body)
        # The store logs a transaction that fails; the sender's receipt, held behind it, is never shown.
        written.addErrback(lambda _: None)

    def take(self, account: str) -> "Deferred[Sequence[Private]]":
        """What waits for ``account``, oldest first; deleted in the pass the answer comes in."""
        return Deferred.fromCoroutine(self._take(account))

    async def _take(self, account: str) -> Sequence[Private]:
        rows = await self._store.read(_kept, account)
        if not rows:
            return ()
        self._waiting[account] = self.waiting(account) - len(rows)
        self._held[account] = self.held(account) - sum(len(body.encode()) for _, body in rows)
        if not self._waiting[account]:
            del self._waiting[account]
            self._held.pop(account, None)
        last = rows[-1][0]
        deleted = self._store.change("DELETE FROM mailbox WHERE account = ? AND position <= ?", account, last)
        deleted.addErrback(lambda _: None)  # logged by the store; the messages come again next time
        return [cast(Private, decode_event(body)) for _, body in rows]


def _kept(connection: sqlite3.Connection, account: str) -> list[tuple[int, str]]:
    """Each message kept for ``account``: its position and its event (on the reader thread)."""
    query = "SELECT position, body FROM mailbox WHERE account = ? ORDER BY position"
    return list(connection.execute(query, (account,)))
