"""The key log and device keys (issue 17): both stores keep the same chain, and the SQLite one across a restart."""

import hashlib
import json
import sqlite3
from collections.abc import Awaitable, Sequence
from contextlib import closing

from twisted.internet.defer import Deferred
from twisted.trial.unittest import SynchronousTestCase

from chatd.bus.memory import MemoryBus
from chatd.domain.chat import Chat
from chatd.domain.errors import AccountNotKeptError
from chatd.domain.keylog import ADD, DROP, KeyEntry
from chatd.domain.storage_ports import KeyStore
from chatd.storage.keys import MemoryKeys, SQLiteKeys
from chatd.storage.memory_rooms import MemoryRooms
from chatd.storage.sqlite import SQLiteHistory
from chatd.storage.sqlite_accounts import SQLiteAccounts
from tests.helpers import RecordingAudience, RecordingSession, refuse_on_accounts
from tests.test_history import open_store
from tests.test_keys_line import public
from tests.test_sqlite import StoreTestCase

ALICE_PHONE = "A" * 43 + "="
ALICE_LAPTOP = "B" * 43 + "="
BOB_KEY = "C" * 43 + "="
PHONE, LAPTOP = public(1), public(2)
"""Real X25519 public keys, as the chat checks those published (the stores take any text)."""


def recomputed(entry: dict[str, object]) -> str:
    """The contract's hash of an entry, worked out here from its JSON alone: sorted keys, no spaces."""
    return hashlib.sha256(json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class KeyStoreContract:
    """What every ``KeyStore`` does; a subclass makes one with ``make`` and ends a pass with ``settle``."""

    def make(self) -> KeyStore:
        raise NotImplementedError

    def settle(self) -> None:
        """Let what was appended be written (nothing to do in memory)."""

    def read(self, store: KeyStore, first: int, limit: int) -> Sequence[KeyEntry]:
        raise NotImplementedError

    def append(self, store: KeyStore, account: str, action: str, key: str, at: int = 1000) -> None:
        seq, head = store.head()
        store.append(KeyEntry(seq + 1, at, account, action, key, head))

    def test_an_empty_log_has_no_head_and_no_keys(self) -> None:
        """Seq 0, head empty, and nobody has keys."""
        store = self.make()
        case: SynchronousTestCase = self  # type: ignore[assignment]  # mixed into a test case
        case.assertEqual(store.head(), (0, ""))
        case.assertEqual(store.keys("alice"), ())

    def test_keys_follow_the_adds_and_drops_in_order(self) -> None:
        """Published keys come oldest first; a dropped one is gone, the others stay in order."""
        store = self.make()
        case: SynchronousTestCase = self  # type: ignore[assignment]
        self.append(store, "alice", ADD, ALICE_PHONE)
        self.append(store, "bob", ADD, BOB_KEY)
        self.append(store, "alice", ADD, ALICE_LAPTOP)
        self.append(store, "alice", DROP, ALICE_PHONE)
        case.assertEqual(store.keys("alice"), (ALICE_LAPTOP,))
        case.assertEqual(store.keys("bob"), (BOB_KEY,))

    def test_the_chain_recomputed_from_the_entries_reaches_the_head(self) -> None:
        """Each entry's prev is the hash of the one before, by the contract's own recipe, and the last is the head."""
        store = self.make()
        case: SynchronousTestCase = self  # type: ignore[assignment]
        self.append(store, "alice", ADD, ALICE_PHONE, at=1000)
        self.append(store, "bob", ADD, BOB_KEY, at=1001)
        self.append(store, "alice", DROP, ALICE_PHONE, at=1002)
        self.settle()
        entries = self.read(store, 1, 10)
        previous = ""
        for seq, entry in enumerate(entries, 1):
            fields = {
                "seq": entry.seq,
                "at": entry.at,
                "account": entry.account,
                "action": entry.action,
                "key": entry.key,
                "prev": entry.prev,
            }
            case.assertEqual((entry.seq, entry.prev), (seq, previous))
            previous = recomputed(fields)
        case.assertEqual(store.head(), (3, previous))
        case.assertEqual([entry.action for entry in entries], ["add", "add", "drop"])

    def test_entries_are_read_from_a_seq_a_page_at_a_time(self) -> None:
        """From seq 2, two at most: entries 2 and 3."""
        store = self.make()
        case: SynchronousTestCase = self  # type: ignore[assignment]
        for key in (ALICE_PHONE, ALICE_LAPTOP, BOB_KEY, "D" * 43 + "="):
            self.append(store, "alice", ADD, key)
        self.settle()
        case.assertEqual([entry.seq for entry in self.read(store, 2, 2)], [2, 3])
        case.assertEqual([entry.seq for entry in self.read(store, 5, 2)], [])

    def test_an_entry_that_does_not_follow_the_head_is_refused(self) -> None:
        """A store never keeps a fork: a wrong seq or prev raises, and nothing changes."""
        store = self.make()
        case: SynchronousTestCase = self  # type: ignore[assignment]
        self.append(store, "alice", ADD, ALICE_PHONE)
        head = store.head()
        case.assertRaises(ValueError, store.append, KeyEntry(2, 1, "bob", ADD, BOB_KEY, "0" * 64))
        case.assertRaises(ValueError, store.append, KeyEntry(3, 1, "bob", ADD, BOB_KEY, head[1]))
        case.assertEqual((store.head(), store.keys("bob")), (head, ()))


class MemoryKeysTests(KeyStoreContract, SynchronousTestCase):
    def make(self) -> KeyStore:
        return MemoryKeys()

    def read(self, store: KeyStore, first: int, limit: int) -> Sequence[KeyEntry]:
        return self.successResultOf(Deferred.fromCoroutine(_entries(store, first, limit)))


async def _entries(store: KeyStore, first: int, limit: int) -> Sequence[KeyEntry]:
    return await store.entries(first, limit)


class SQLiteKeysTests(KeyStoreContract, StoreTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.store: SQLiteHistory | None = None

    def make(self) -> KeyStore:
        self.store = open_store(self, self.path, self.reactor)
        return SQLiteKeys(self.store)

    def settle(self) -> None:
        assert self.store is not None
        self.end_pass(self.store)

    def read(self, store: KeyStore, first: int, limit: int) -> Sequence[KeyEntry]:
        read = self.reactor.run_until(Deferred.fromCoroutine(_entries(store, first, limit)))
        return self.successResultOf(read)

    def test_keys_head_and_entries_are_there_after_a_restart(self) -> None:
        """Stopped and opened again, the store has the same keys, head and entries, and the chain goes on from it."""
        keys = self.make()
        self.append(keys, "alice", ADD, ALICE_PHONE)
        self.append(keys, "alice", ADD, ALICE_LAPTOP)
        self.append(keys, "alice", DROP, ALICE_PHONE)
        self.settle()
        head, before = keys.head(), self.read(keys, 1, 10)
        assert self.store is not None
        self.store = self.reopened(self.store)
        again = SQLiteKeys(self.store)
        self.assertEqual((again.head(), again.keys("alice")), (head, (ALICE_LAPTOP,)))
        self.assertEqual(self.read(again, 1, 10), before)
        self.append(again, "bob", ADD, BOB_KEY)
        self.assertEqual(again.head()[0], 4)

    def test_an_entry_whose_key_the_file_refuses_is_not_in_the_log_either(self) -> None:
        """An entry and its change to the keys are kept both or neither: a key the file holds already (put there
        behind the daemon's back) refuses the change, and the log does not keep the entry that made it."""
        keys = self.make()
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(
                "INSERT INTO device_keys (account, key, seq) VALUES ('alice', ?, 0)", (ALICE_PHONE,)
            )
        self.append(keys, "alice", ADD, ALICE_PHONE)
        self.settle()
        self.flushLoggedErrors(sqlite3.IntegrityError)
        self.assertEqual(self.read(keys, 1, 10), [])
        self.assertEqual(keys.head(), (0, ""))

    def test_entries_the_file_refused_leave_no_gap_and_the_log_goes_on_from_the_file(self) -> None:
        """An entry whose transaction failed (a full disk) is lost, and so is the one appended on it meanwhile:
        the file's log has no gap, memory takes the file's keys and head back, and the next entry follows them."""
        keys = self.make()
        store = self.store
        assert store is not None
        self.append(keys, "alice", ADD, ALICE_PHONE)
        self.settle()
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(
                "CREATE TRIGGER full BEFORE INSERT ON key_log BEGIN SELECT RAISE(ABORT, 'full'); END"
            )
        self.append(keys, "alice", ADD, ALICE_LAPTOP)
        self.reactor.advance(0)  # logged and handed to the writer, which the trigger makes fail
        self.append(keys, "bob", ADD, BOB_KEY)  # chained on the entry being lost
        self.reactor.advance(0)
        self.assertEqual(keys.head()[0], 3)
        # The writer is a thread of its own: the trigger goes only once its word on the lost entry, the failure, is in.
        while not self.flushLoggedErrors(sqlite3.IntegrityError):
            self.reactor.run_from_thread()
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute("DROP TRIGGER full")
        self.settle()
        self.read(keys, 1, 10)  # answered after the keys read back, asked for first, on the same thread
        self.assertEqual((keys.head()[0], keys.keys("alice"), keys.keys("bob")), (1, (ALICE_PHONE,), ()))
        self.append(keys, "bob", ADD, BOB_KEY)
        self.settle()
        entries = self.read(keys, 1, 10)
        self.assertEqual([(entry.seq, entry.account) for entry in entries], [(1, "alice"), (2, "bob")])
        self.assertEqual(entries[1].prev, entries[0].hash())
        self.assertEqual(keys.head(), (2, entries[1].hash()))
        store = self.reopened(store)
        again = SQLiteKeys(store)
        self.assertEqual(
            (again.head(), again.keys("alice"), again.keys("bob")), (keys.head(), (ALICE_PHONE,), (BOB_KEY,))
        )


class UnregisteringTests(StoreTestCase):
    """A chat on the SQLite file's accounts and keys: alice is registered, with two device keys published."""

    def setUp(self) -> None:
        super().setUp()
        self.store = open_store(self, self.path, self.reactor)
        self.chat = Chat(
            self.reactor,
            self.store,
            MemoryBus(),
            accounts=SQLiteAccounts(self.store),
            rooms=MemoryRooms(),
            keys=SQLiteKeys(self.store),
        )
        self.alice = self.chat.register(RecordingSession(RecordingAudience()), "alice", "10.0.0.1")
        self.done(self.chat.register_account(self.alice, "HASH"))
        self.keys = self.chat.key_directory()
        self.keys.publish(self.alice, PHONE)
        self.keys.publish(self.alice, LAPTOP)
        self.end_pass(self.store)
        self.before = self.keys.get("alice")

    def done(self, change: Awaitable[None]) -> Deferred[None]:
        """``change`` once the file has answered it, the pass it came in ended."""
        waiting = Deferred.fromCoroutine(_awaited(change))
        self.end_pass(self.store)
        return self.reactor.run_until(waiting)

    def log(self) -> list[tuple[str, str]]:
        """The key log, as actions and keys, read from the file."""
        read = self.reactor.run_until(Deferred.fromCoroutine(self.keys.log(1)))
        return [(entry.action, entry.key) for entry in self.successResultOf(read).entries]

    def test_an_unregistering_the_file_refuses_withdraws_no_key(self) -> None:
        """Refused, the unregistering is taken back, and alice's keys were never withdrawn: when she is told,
        /key get answers them at the same head, and the log never held a withdrawal to go back on."""
        refuse_on_accounts(self.path, "DELETE")
        self.failureResultOf(self.done(self.chat.drop_account(self.alice)), AccountNotKeptError)
        self.flushLoggedErrors(sqlite3.IntegrityError)
        self.assertEqual(self.alice.account, "alice")
        self.assertEqual(self.keys.get("alice"), self.before)
        self.end_pass(self.store)
        self.assertEqual(self.keys.get("alice"), self.before)
        self.assertEqual(self.log(), [(ADD, PHONE), (ADD, LAPTOP)])

    def test_an_unregistering_kept_withdraws_the_keys_after_it(self) -> None:
        """Kept, the account is gone and its keys withdrawn in the log, in the file too, once it was."""
        self.successResultOf(self.done(self.chat.drop_account(self.alice)))
        self.end_pass(self.store)
        self.assertEqual(self.keys.keys("alice"), ())
        self.assertEqual(self.log(), [(ADD, PHONE), (ADD, LAPTOP), (DROP, PHONE), (DROP, LAPTOP)])
        self.reactor.run_until(self.store.stopService())
        self.assertEqual(open_store(self, self.path, self.reactor).keys, [])


async def _awaited(change: Awaitable[None]) -> None:
    await change
