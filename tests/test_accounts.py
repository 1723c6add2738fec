"""The Accounts port's contract, held by both stores: in memory, and in the SQLite file beside the history.

Also: what only the SQLite store does (an account survives reopening the
file, and is written in the pass's one transaction), and the upgrade of a
database made before accounts.
"""

import sqlite3
from collections.abc import Awaitable
from typing import TYPE_CHECKING, TypeVar

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.accounts import MIN_PASSWORD, check_password
from chatd.domain.errors import PasswordTooShortError
from chatd.domain.storage_ports import Accounts
from chatd.storage.database_file import prepare
from chatd.storage.memory_accounts import MemoryAccounts
from chatd.storage.schema import STEPS
from chatd.storage.sqlite_accounts import SQLiteAccounts
from tests.events import said
from tests.helpers import ThreadedReactor, new_database, refuse_on_accounts
from tests.test_history import deferred, open_store, read_seq

T = TypeVar("T")

if TYPE_CHECKING:
    _TestCase = SynchronousTestCase
else:
    _TestCase = object


class AccountsContract(_TestCase):
    """What every ``Accounts`` does; a subclass makes the store and waits for its answers."""

    accounts: Accounts

    def result(self, answer: Awaitable[T]) -> T:
        """What ``answer`` gives once the store has answered."""
        raise NotImplementedError

    def test_a_registered_nickname_is_owned_by_its_key_and_its_look(self) -> None:
        """Once created, the nickname, any case of it and any look-alike name its account, at once; it says
        when it was registered."""
        self.accounts.create("Alice", "hash-a", 100.0)
        for nick in ("Alice", "alice", "ALICE", "AIice", "\u0430lice"):
            self.assertEqual(self.accounts.owner(nick), "alice", nick)
        self.assertIsNone(self.accounts.owner("bob"))
        self.assertEqual(self.accounts.nick("alice"), "Alice")
        self.assertEqual(self.accounts.since("alice"), 100.0)

    def test_creating_fires_once_kept_and_the_hash_reads_back(self) -> None:
        """The hash is read back by account; an unknown account has none."""
        self.assertIsNone(self.result(self.accounts.create("alice", "hash-a", 100.0)))
        self.assertEqual(self.result(self.accounts.password("alice")), "hash-a")
        self.assertIsNone(self.result(self.accounts.password("bob")))

    def test_a_change_replaces_the_hash(self) -> None:
        """After a change the new hash is read back."""
        self.accounts.create("alice", "hash-a", 100.0)
        self.result(self.accounts.change("alice", "hash-b"))
        self.assertEqual(self.result(self.accounts.password("alice")), "hash-b")

    def test_a_deleted_account_frees_its_nickname(self) -> None:
        """Deleted, the nickname and its look-alikes are nobody's, and no hash is read back."""
        self.accounts.create("alice", "hash-a", 100.0)
        self.result(self.accounts.delete("alice"))
        self.assertIsNone(self.accounts.owner("alice"))
        self.assertIsNone(self.accounts.owner("AIice"))
        self.assertIsNone(self.result(self.accounts.password("alice")))


class MemoryAccountsTests(AccountsContract, SynchronousTestCase):
    """The contract in memory: every answer is there at once."""

    def setUp(self) -> None:
        self.accounts = MemoryAccounts()

    def result(self, answer: Awaitable[T]) -> T:
        return self.successResultOf(deferred(answer))


class SQLiteAccountsTests(AccountsContract, SynchronousTestCase):
    """The contract in a SQLite file, with the store's real threads; and what the file keeps."""

    def setUp(self) -> None:
        self.path = new_database(self)
        self.reactor = ThreadedReactor()
        self.store = open_store(self, self.path, self.reactor)
        self.accounts = SQLiteAccounts(self.store)

    def result(self, answer: Awaitable[T]) -> T:
        waiting = deferred(answer)
        self.reactor.advance(0)
        return self.successResultOf(self.reactor.run_until(waiting))

    def reopened(self) -> SQLiteAccounts:
        """The accounts of the same file, opened again after the store stopped (all written)."""
        self.reactor.run_until(self.store.stopService())
        return SQLiteAccounts(open_store(self, self.path, ThreadedReactor()))

    def test_accounts_survive_reopening_the_file(self) -> None:
        """Registered, changed and deleted accounts are as they were when the file is opened again."""
        self.accounts.create("Alice", "hash-a", 100.0)
        self.accounts.create("bob", "hash-b", 200.0)
        self.accounts.create("carol", "hash-c", 100.0)
        self.accounts.change("bob", "hash-b2")
        self.result(self.accounts.delete("carol"))
        again = self.reopened()
        self.assertEqual((again.owner("AIice"), again.nick("alice")), ("alice", "Alice"))
        self.assertEqual((again.owner("BOB"), again.since("bob")), ("bob", 200.0))
        self.assertIsNone(again.owner("carol"))

    def test_an_account_is_written_in_the_passs_one_transaction(self) -> None:
        """A pass's events and its account go to disk together; the change fires once they committed."""
        self.store.append(said(1, "#lobby", "alice", "hi", 1))
        created = deferred(self.accounts.create("alice", "hash-a", 100.0))
        self.assertNoResult(created)
        self.result(created)
        self.assertEqual(self.store.commits, 1)

    def test_a_change_that_cannot_be_written_fails(self) -> None:
        """A change the file refuses (here: a second account under a key already taken) fails its Deferred, and
        only its own: the account before it in the same transaction is kept."""
        created = deferred(self.accounts.create("alice", "hash-a", 100.0))
        again = deferred(self.store.change("INSERT INTO accounts VALUES ('alice', 'alice', 'x', 1.0)"))
        self.reactor.advance(0)
        self.reactor.run_until(again)
        self.failureResultOf(again, sqlite3.IntegrityError)
        self.assertIsNone(self.successResultOf(created))
        self.flushLoggedErrors(sqlite3.IntegrityError)
        self.assertEqual(self.accounts.owner("alice"), "alice")

    def refused(self, change: Awaitable[None]) -> None:
        waiting = deferred(change)
        self.reactor.advance(0)
        while not waiting.called:
            self.reactor.run_from_thread()
        self.failureResultOf(waiting, sqlite3.IntegrityError)
        self.flushLoggedErrors(sqlite3.IntegrityError)

    def test_an_account_the_file_refuses_leaves_memory_too(self) -> None:
        """Registered in memory at once, the nickname is anyone's again once the file refused it."""
        refuse_on_accounts(self.path, "INSERT")
        created = self.accounts.create("Alice", "hash-a", 100.0)
        self.assertEqual(self.accounts.owner("alice"), "alice")
        self.refused(created)
        self.assertIsNone(self.accounts.owner("alice"))

    def test_a_deletion_the_file_refuses_leaves_the_account_in_memory(self) -> None:
        """Gone from memory at once, the account is back, nickname as registered, once the file refused to delete it."""
        self.result(self.accounts.create("Alice", "hash-a", 100.0))
        refuse_on_accounts(self.path, "DELETE")
        deleted = self.accounts.delete("alice")
        self.assertIsNone(self.accounts.owner("alice"))
        self.refused(deleted)
        self.assertEqual((self.accounts.owner("AIice"), self.accounts.nick("alice")), ("alice", "Alice"))
        self.assertEqual(self.accounts.since("alice"), 100.0)


class UpgradeTests(SynchronousTestCase):
    """A database made before accounts gets their table, keeping what it had."""

    def test_a_database_of_the_previous_version_gets_accounts(self) -> None:
        path = new_database(self)
        connection = sqlite3.connect(path, isolation_level=None)
        prepare(connection, path, STEPS[:1])
        connection.execute("INSERT INTO rooms VALUES ('#lobby', 7)")
        connection.close()
        reactor = ThreadedReactor()
        store = open_store(self, path, reactor)
        self.assertEqual(read_seq(reactor, store, "#lobby"), 7)
        accounts = SQLiteAccounts(store)
        created = deferred(accounts.create("alice", "hash-a", 1.0))
        reactor.advance(0)
        self.successResultOf(reactor.run_until(created))
        reactor.run_until(store.stopService())
        self.assertEqual(open_store(self, path, reactor).registered, [("alice", 1.0)])


class PasswordRuleTests(SynchronousTestCase):
    """An account's password has a least length."""

    def test_a_short_password_is_refused(self) -> None:
        """Shorter than the least, refused with that least; at it, taken."""
        error = self.assertRaises(PasswordTooShortError, check_password, "x" * (MIN_PASSWORD - 1))
        self.assertEqual(error.least, MIN_PASSWORD)
        self.assertEqual(check_password("x" * MIN_PASSWORD), "x" * MIN_PASSWORD)
