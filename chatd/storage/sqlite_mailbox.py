"""Private messages kept for offline accounts in the SQLite store's file (schema step 5).

As ``SQLiteAccounts`` does: how many wait for each account is in memory
(read by ``SQLiteHistory.open`` at start), so keeping one never waits; the
messages go into the pass's record with its events, so the sender's
receipt, which the front end's output holds until that record is in the
pass log (chatd.storage.pass_log), is shown only once a ``kill -9`` cannot
lose the message. A message the file then refuses is lost after its
receipt: counted off again, and its sender told (``keep``).

A row of the mailbox that holds no message this daemon reads (damaged in
the file, or written by hand) is left where it is, named in the log by its
position once a run, and the messages beside it are delivered: a take read
and deleted every row first and decoded after, so one such row made the
whole mailbox fail with ``ERR internal`` once its delete was on its way,
and every message in it was gone.
"""

import sqlite3
from collections.abc import Callable, Sequence

from twisted.internet.defer import Deferred
from twisted.logger import Logger
from twisted.python.failure import Failure

from chatd.domain.encoding import UndecodableEventError, decode_event, encode_event
from chatd.domain.events import Private
from chatd.failures import not_kept
from chatd.storage.sqlite import SQLiteHistory
from chatd.turns import Turns


class SQLiteMailbox:
    """A ``Mailbox`` in ``store``'s file; the counts it starts with are ``store.waiting``."""

    log = Logger()

    def __init__(self, store: SQLiteHistory) -> None:
        self._store = store
        self._waiting = {account: count for account, (count, _) in store.waiting.items()}
        self._held = {account: size for account, (_, size) in store.waiting.items()}
        self._taking = Turns()
        """Each account's takes, one at a time: reading and deleting, then the next."""
        self._told_unreadable: set[int] = set()
        """The positions of the rows no take could read that the log has named: once each."""

    def waiting(self, account: str) -> int:
        """How many messages wait for ``account``."""
        return self._waiting.get(account, 0)

    def held(self, account: str) -> int:
        """The bytes of the messages waiting for ``account``."""
        return self._held.get(account, 0)

    def keep(self, account: str, event: Private, lost: Callable[[str], None]) -> None:
        """Keep ``event`` for ``account``: counted at once, on disk by the end of the pass.

        A write the file refuses, or that fails whole, keeps no message: it
        is counted off again, so the count (``MAILBOX_MOST``, the sender's
        "N waiting") and the bytes are what the file holds, and ``lost`` is
        called with why, in the sender's words (chatd.failures.not_kept).
        """
        body = encode_event(event)
        size = len(body.encode())
        self._count(account, 1, size)
        written = self._store.change("INSERT INTO mailbox (account, body) VALUES (?, ?)", account, body)
        # The store logs a change that fails. The sender was shown the receipt once the pass was logged; the
        # message is lost all the same, no longer counted, and they are told.
        written.addErrback(self._not_kept, account, size, lost)

    def _not_kept(self, failure: Failure, account: str, size: int, lost: Callable[[str], None]) -> None:
        """A message of ``size`` bytes for ``account`` was not written (``failure``): count it off, and say why."""
        self._count(account, -1, -size)
        error = failure.value
        assert error is not None, "a Failure holds its exception"
        lost(not_kept(error))

    def take(self, account: str) -> "Deferred[Sequence[Private]]":
        """What waits for ``account``, oldest first; deleted in the pass the answer comes in.

        One take of an account at a time: the next reads once this one's
        delete is written (``SQLiteHistory.read`` waits for what was
        appended), so two connections identifying at once never both read,
        and count off, the same rows.
        """
        return self._taking.run(account, lambda: Deferred.fromCoroutine(self._take(account)))

    async def _take(self, account: str) -> Sequence[Private]:
        rows = await self._store.read(_kept, account)
        taken = [(position, body, event) for position, body, event in rows if event is not None]
        for position, _, event in rows:
            if event is None and position not in self._told_unreadable:
                self._told_unreadable.add(position)
                self.log.error(
                    "The --db file's table mailbox holds the row at position {position}, which chatd cannot read as "
                    "a message for {account}: it is left there, and counted as waiting, until it is deleted or the "
                    "file restored from a backup",
                    position=position,
                    account=account,
                )
        if not taken:
            return ()
        count, size = len(taken), sum(len(body.encode()) for _, body, _ in taken)
        self._count(account, -count, -size)
        positions = [position for position, _, _ in taken]
        deleted = self._store.change(
            f"DELETE FROM mailbox WHERE account = ? AND position IN ({', '.join('?' * len(positions))})",
            account,
            *positions,
        )
        # Logged by the store; the messages wait still, so they count again, and come again next time.
        deleted.addErrback(lambda _: self._count(account, count, size))
        return [event for _, _, event in taken]

    def _count(self, account: str, count: int, size: int) -> None:
        """Add ``count`` messages of ``size`` bytes (fewer, if negative) to what waits for ``account``."""
        self._waiting[account] = self.waiting(account) + count
        self._held[account] = self.held(account) + size
        if not self._waiting[account]:
            del self._waiting[account]
            self._held.pop(account, None)


def _kept(connection: sqlite3.Connection, account: str) -> list[tuple[int, str, Private | None]]:
    """Each message kept for ``account``: its position, its body, and the message it holds, None if the row holds
    none this daemon reads (damaged in the file, or written by hand) (on the reader thread)."""
    query = "SELECT position, body FROM mailbox WHERE account = ? ORDER BY position"
    return [(position, body, _message(body)) for position, body in connection.execute(query, (account,))]


def _message(body: str) -> Private | None:
    """The private message ``body`` holds, or None if it holds none."""
    try:
        event = decode_event(body)
    except UndecodableEventError:
        return None
    return event if isinstance(event, Private) else None
