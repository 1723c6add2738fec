"""Private messages in both stores (in memory, and in a SQLite file): the Mailbox port's contract, the History
port's conversations between two accounts, and the upgrades to schema steps 6 and 14."""

import json
import os
import sqlite3
from collections.abc import Awaitable
from contextlib import closing
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from twisted.internet.testing import EventLoggingObserver
from twisted.logger import globalLogPublisher
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.events import Actor, Whispered
from chatd.domain.offline import conversation, kept_size
from chatd.domain.storage_ports import History, Mailbox
from chatd.storage.database_file import prepare
from chatd.storage.memory import MemoryHistory
from chatd.storage.memory_mailbox import MemoryMailbox
from chatd.storage.pass_apply import INSERT
from chatd.storage.pass_keeping import _PAIRED, _row
from chatd.storage.pass_log import log_path
from chatd.storage.reader_queries import conversations
from chatd.storage.schema import STEPS, VERSION
from chatd.storage.sqlite_mailbox import SQLiteMailbox
from tests.events import said, whispered
from tests.test_history import deferred, open_store
from tests.test_sqlite import StoreTestCase

T = TypeVar("T")

if TYPE_CHECKING:
    _TestCase = SynchronousTestCase
else:
    _TestCase = object


def message(n: int, to: str = "alice") -> Whispered:
    return replace(whispered(n, "bob", to, f"message {n}"), id=f"{n:016x}")


class MailboxContract(_TestCase):
    """What every ``Mailbox`` does; a subclass makes it (and an empty ``lost``) and waits for its answers."""

    mailbox: Mailbox
    lost: list[str]
    """Why each message kept was lost after all, as the mailbox said (``keep``'s ``lost``), in order."""

    def result(self, answer: Awaitable[T]) -> T:
        raise NotImplementedError

    def keep(self, account: str, event: Whispered) -> None:
        self.mailbox.keep(account, event, self.lost.append)

    def test_messages_come_back_whole_in_order_then_are_gone(self) -> None:
        """Each account gets its own messages, oldest first, as kept; once taken, none wait."""
        for n in (1, 2):
            self.keep("alice", message(n))
        self.keep("carol", message(3, "carol"))
        self.assertEqual((self.mailbox.waiting("alice"), self.mailbox.waiting("carol")), (2, 1))
        self.assertEqual(list(self.result(self.mailbox.take("alice"))), [message(1), message(2)])
        self.assertEqual(self.mailbox.waiting("alice"), 0)
        self.assertEqual(list(self.result(self.mailbox.take("alice"))), [])
        self.assertEqual(list(self.result(self.mailbox.take("carol"))), [message(3, "carol")])
        self.assertEqual(self.lost, [])

    def test_nothing_waits_for_an_account_never_written_to(self) -> None:
        """A count of 0 and nothing to take."""
        self.assertEqual(self.mailbox.waiting("dave"), 0)
        self.assertEqual(self.mailbox.held("dave"), 0)
        self.assertEqual(list(self.result(self.mailbox.take("dave"))), [])

    def test_the_bytes_waiting_are_counted_and_go_when_taken(self) -> None:
        """``held`` is the sum of the messages' sizes as kept, per account; taking them leaves none."""
        for n in (1, 2):
            self.keep("alice", message(n))
        self.keep("carol", message(3, "carol"))
        self.assertEqual(self.mailbox.held("alice"), kept_size(message(1)) + kept_size(message(2)))
        self.result(self.mailbox.take("alice"))
        self.assertEqual(
            (self.mailbox.held("alice"), self.mailbox.held("carol")), (0, kept_size(message(3, "carol")))
        )


def private(n: int, sender: str | None, to: str | None) -> Whispered:
    """A private message from ``sender`` to ``to``, each identified to their own nickname unless None."""
    return Whispered(
        id=f"{n:016x}",
        at=n,
        actor=Actor(sender or "dave", "", sender),
        to=to or "dave",
        text=f"private {n}",
        to_account=to,
    )


class ConversationContract(_TestCase):
    """What every ``History`` keeps of private messages: those between two accounts, for those two."""

    history: History

    def result(self, answer: Awaitable[T]) -> T:
        raise NotImplementedError

    def test_a_conversation_holds_both_directions_oldest_first_and_nothing_else(self) -> None:
        """alice to bob and back are one conversation; one with an unidentified side is not kept."""
        for event in (private(1, "alice", "bob"), private(2, "bob", "alice"), private(3, None, "bob")):
            self.history.append(event)
        self.history.append(private(4, "carol", "bob"))
        both = self.result(self.history.conversation(conversation("bob", "alice"), 10))
        self.assertEqual([event.id for event in both], [f"{1:016x}", f"{2:016x}"])
        self.assertEqual(both[0], private(1, "alice", "bob"))
        last = self.result(self.history.conversation(conversation("alice", "bob"), 1))
        self.assertEqual([event.text for event in last if isinstance(event, Whispered)], ["private 2"])
        self.assertEqual(list(self.result(self.history.conversation(conversation("alice", "carol"), 10))), [])

    def test_a_conversation_read_since_a_time_leaves_out_what_was_sent_before(self) -> None:
        """Read from a time on (an account's registration), the last messages sent at that time or later."""
        for n in (1, 2, 3):
            self.history.append(private(n, "alice", "bob"))
        since = self.result(self.history.conversation(conversation("alice", "bob"), 10, since=2))
        self.assertEqual([event.at for event in since], [2, 3])
        self.assertEqual(
            list(self.result(self.history.conversation(conversation("alice", "bob"), 10, 4))), []
        )

    def test_an_accounts_conversations_are_its_own_with_their_latest_time_in_the_window(self) -> None:
        """alice's conversations are bob's and her own (her key first or last in the pair), each at its latest
        message; bob's with carol is not hers, and one whose latest is outside the window is left out."""
        for event in (
            private(1, "alice", "bob"),
            private(2, "bob", "alice"),
            private(3, "alice", "alice"),
            private(4, "bob", "carol"),
            private(5, "zed", "alice"),
        ):
            self.history.append(event)
        found = self.result(self.history.conversations("alice", 0, 4))
        self.assertEqual(sorted(found), [("alice", 3.0), ("bob", 2.0)])
        self.assertEqual(
            sorted(self.result(self.history.conversations("alice", 2, 9))), [("alice", 3.0), ("zed", 5.0)]
        )
        self.assertEqual(sorted(self.result(self.history.conversations("carol", 0, 9))), [("bob", 4.0)])

    def test_accounts_whose_names_start_alike_are_told_apart(self) -> None:
        """al's name starts alice's and alice's starts alicia's: alice's conversations are hers with each, and
        al's with alicia is not hers, whichever side of the key each account falls on."""
        for event in (
            private(1, "al", "alice"),
            private(2, "alice", "alicia"),
            private(3, "al", "alicia"),
            private(4, "alicia", "alicia"),
        ):
            self.history.append(event)
        found = self.result(self.history.conversations("alice", 0, 9))
        self.assertEqual(sorted(found), [("al", 1.0), ("alicia", 2.0)])
        self.assertEqual(
            sorted(self.result(self.history.conversations("alicia", 0, 9))),
            [("al", 3.0), ("alice", 2.0), ("alicia", 4.0)],
        )


class MemoryConversationTests(ConversationContract, SynchronousTestCase):
    def setUp(self) -> None:
        self.history = MemoryHistory()

    def result(self, answer: Awaitable[T]) -> T:
        return self.successResultOf(deferred(answer))


class SQLiteConversationTests(ConversationContract, StoreTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.store = open_store(self, self.path, self.reactor)
        self.history = self.store

    def result(self, answer: Awaitable[T]) -> T:
        read = deferred(answer)
        self.end_pass(self.store)
        return self.successResultOf(self.reactor.run_until(read))

    def test_a_message_is_filed_under_its_conversation_whatever_the_pass_keeps_around_it(self) -> None:
        """Private messages between room lines and other private messages, in one pass and the next, each go
        under their own conversation (the statement that files one finds its row by its place in the pass)."""
        for event in (
            said(1, "#lobby", "alice", "before", 1),
            private(2, "alice", "bob"),
            private(3, None, "bob"),
            said(4, "#lobby", "bob", "between", 2),
            private(5, "carol", "bob"),
        ):
            self.store.append(event)
        self.end_pass(self.store)
        self.store.append(said(6, "#lobby", "bob", "next pass", 3))
        self.store.append(private(7, "bob", "alice"))
        self.assertEqual(
            [event.at for event in self.result(self.store.conversation(conversation("alice", "bob"), 10))],
            [2, 7],
        )
        self.assertEqual(
            [event.at for event in self.result(self.store.conversation(conversation("bob", "carol"), 10))],
            [5],
        )

    def test_a_pass_log_from_before_step_15_files_its_messages_and_the_index_of_ids_goes(self) -> None:
        """A database at step 14, with a pass log that files a private message by its id as chatd did then (the
        daemon killed before the commit): opened, the message is in its conversation and ``events_by_id`` is gone.
        """
        event, path = private(1, "alice", "bob"), os.path.join(os.path.dirname(self.path), "step14.sqlite")
        with closing(sqlite3.connect(path, isolation_level=None)) as connection:
            prepare(connection, path, STEPS[:14])
        by_id = "UPDATE events SET pair = ? WHERE id = ? AND kind IN ('whispered', 'encrypted')"
        record = [1, [_row(1, event)], [[[by_id, [conversation("alice", "bob"), event.id]]]]]
        with open(log_path(path), "w", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
        self.history = self.store = open_store(self, path, self.reactor)
        self.assertEqual(
            list(self.result(self.store.conversation(conversation("alice", "bob"), 10))), [event]
        )
        with closing(sqlite3.connect(path)) as connection:
            indexes = connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
        self.assertNotIn(("events_by_id",), indexes)
        self.assertIn(("lines_by_room",), indexes)

    def test_a_conversation_survives_a_restart(self) -> None:
        """Written, stopped, opened again: still there for its two accounts."""
        self.store.append(private(1, "alice", "bob"))
        self.end_pass(self.store)
        self.history = self.store = self.reopened(self.store)
        kept = self.result(self.store.conversation(conversation("alice", "bob"), 10))
        self.assertEqual(list(kept), [private(1, "alice", "bob")])


class MemoryMailboxTests(MailboxContract, SynchronousTestCase):
    def setUp(self) -> None:
        self.mailbox = MemoryMailbox()
        self.lost = []

    def result(self, answer: Awaitable[T]) -> T:
        return self.successResultOf(deferred(answer))


class SQLiteMailboxTests(MailboxContract, StoreTestCase):
    """The contract in a SQLite file; what waits is there again after a restart, counts and all."""

    def setUp(self) -> None:
        super().setUp()
        self.store = open_store(self, self.path, self.reactor)
        self.mailbox = SQLiteMailbox(self.store)
        self.lost = []

    def result(self, answer: Awaitable[T]) -> T:
        read = deferred(answer)
        self.end_pass(self.store)
        found = self.successResultOf(self.reactor.run_until(read))
        self.end_pass(self.store)
        return found

    def test_what_waits_survives_a_restart(self) -> None:
        """Kept, stopped, opened again: counted at start, and taken whole."""
        self.keep("alice", message(1))
        self.end_pass(self.store)
        self.store = self.reopened(self.store)
        self.mailbox = SQLiteMailbox(self.store)
        self.assertEqual(self.mailbox.waiting("alice"), 1)
        self.assertEqual(self.mailbox.held("alice"), kept_size(message(1)))
        self.assertEqual(list(self.result(self.mailbox.take("alice"))), [message(1)])

    def test_two_takes_at_once_give_the_messages_once_and_the_count_stays_true(self) -> None:
        """Two connections of alice identifying in one pass both ask: the first take gets the messages, the
        second none (it reads once the first's delete is written), and the count is 0, not -2; a message kept
        after them is counted and taken."""
        for n in (1, 2):
            self.keep("alice", message(n))
        self.end_pass(self.store)
        first, second = deferred(self.mailbox.take("alice")), deferred(self.mailbox.take("alice"))
        self.end_pass(self.store)
        taken = self.successResultOf(self.reactor.run_until(first))
        self.end_pass(self.store)
        again = self.successResultOf(self.reactor.run_until(second))
        self.end_pass(self.store)
        self.assertEqual((list(taken), list(again)), ([message(1), message(2)], []))
        self.assertEqual((self.mailbox.waiting("alice"), self.mailbox.held("alice")), (0, 0))
        self.keep("alice", message(3))
        self.assertEqual(self.mailbox.waiting("alice"), 1)
        self.assertEqual(list(self.result(self.mailbox.take("alice"))), [message(3)])
        self.assertEqual(self.mailbox.waiting("alice"), 0)

    def test_a_row_that_holds_no_message_stays_and_the_rest_are_delivered(self) -> None:
        """Two rows of the mailbox damaged in the file, around a message: the take gives the message and deletes it
        alone; the two rows stay, counted as waiting, and each is named in the log by its position once, not at
        each take."""
        for n in (1, 2, 3):
            self.keep("alice", message(n))
        self.end_pass(self.store)
        with closing(sqlite3.connect(self.path)) as other, other:
            positions = [
                position for (position,) in other.execute("SELECT position FROM mailbox ORDER BY position")
            ]
            other.execute("UPDATE mailbox SET body = ? WHERE position = ?", ('{"type": "x"}', positions[0]))
            other.execute("UPDATE mailbox SET body = ? WHERE position = ?", (json.dumps([1]), positions[2]))
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        self.assertEqual(list(self.result(self.mailbox.take("alice"))), [message(2)])
        self.assertEqual(list(self.result(self.mailbox.take("alice"))), [])
        with closing(sqlite3.connect(self.path)) as other:
            left = [
                position for (position,) in other.execute("SELECT position FROM mailbox ORDER BY position")
            ]
        self.assertEqual(left, [positions[0], positions[2]])
        self.assertEqual(self.mailbox.waiting("alice"), 2)
        named = [
            event["position"] for event in logged if event.get("account") == "alice" and "position" in event
        ]
        self.assertEqual(named, [positions[0], positions[2]])

    def test_a_delete_the_file_refuses_counts_the_messages_again(self) -> None:
        """Taken, but the file could not delete them (a full disk): they wait still, so they are counted again
        and the next take gets them, once."""
        for n in (1, 2):
            self.keep("alice", message(n))
        self.end_pass(self.store)
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(
                "CREATE TRIGGER refuse BEFORE DELETE ON mailbox BEGIN SELECT RAISE(ABORT, 'full'); END"
            )
        self.assertEqual(list(self.result(self.mailbox.take("alice"))), [message(1), message(2)])
        self.flushLoggedErrors(sqlite3.IntegrityError)
        self.assertEqual(self.mailbox.waiting("alice"), 2)
        self.assertEqual(self.mailbox.held("alice"), kept_size(message(1)) + kept_size(message(2)))
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute("DROP TRIGGER refuse")
        self.assertEqual(list(self.result(self.mailbox.take("alice"))), [message(1), message(2)])
        self.assertEqual(self.mailbox.waiting("alice"), 0)

    def refuse(self, trigger: str) -> None:
        """Have the file run ``trigger`` (a ``RAISE`` of SQLite's) before each message kept, from another
        connection, as another program may write to a live --db file."""
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON mailbox BEGIN SELECT {trigger}; END")

    def test_a_message_the_file_refuses_is_not_counted(self) -> None:
        """Counted at once, a message the file then refuses to keep (a constraint) is not counted once the write
        is over: the count and bytes are those of the message the file holds, which a take gives."""
        self.keep("alice", message(1))
        self.end_pass(self.store)
        self.refuse("RAISE(ABORT, 'refused')")
        self.keep("alice", message(2))
        self.assertEqual(self.mailbox.waiting("alice"), 2)
        self.end_pass(self.store)
        self.assertEqual(len(self.flushLoggedErrors(sqlite3.IntegrityError)), 1)
        self.assertEqual(
            (self.mailbox.waiting("alice"), self.mailbox.held("alice")), (1, kept_size(message(1)))
        )
        self.assertEqual(list(self.result(self.mailbox.take("alice"))), [message(1)])
        self.assertEqual((self.mailbox.waiting("alice"), self.mailbox.held("alice")), (0, 0))
        self.assertEqual(self.lost, ["the server could not store it"])

    def test_a_message_whose_whole_write_fails_is_not_counted(self) -> None:
        """A write that fails whole (here a trigger's ``RAISE(ROLLBACK)``, as a full disk would) keeps none of
        the messages in it, counts none of them, and says each is lost."""
        self.refuse("RAISE(ROLLBACK, 'full')")
        self.keep("alice", message(1))
        self.keep("carol", message(2, "carol"))
        self.end_pass(self.store)
        self.assertEqual(len(self.flushLoggedErrors(sqlite3.IntegrityError)), 1)
        self.assertEqual([self.mailbox.waiting(account) for account in ("alice", "carol")], [0, 0])
        self.assertEqual([self.mailbox.held(account) for account in ("alice", "carol")], [0, 0])
        self.assertEqual(self.lost, ["the server could not store it"] * 2)

    def test_a_version_4_database_is_upgraded_to_keep_messages(self) -> None:
        """A database from before the mailbox gets its table at start, and keeps its accounts."""
        path = self.path + ".4"
        with closing(sqlite3.connect(path, isolation_level=None)) as connection:
            prepare(connection, path, STEPS[:4])
            connection.execute("INSERT INTO accounts VALUES ('alice', 'alice', 'hash', 1.0)")
        store = open_store(self, path, self.reactor)
        self.assertEqual(store.registered, [("alice", 1.0)])
        mailbox = SQLiteMailbox(store)
        mailbox.keep("alice", message(1), self.lost.append)
        self.store = store
        self.assertEqual(list(self.result(mailbox.take("alice"))), [message(1)])
        with closing(sqlite3.connect(path)) as connection:
            self.assertEqual(connection.execute("PRAGMA user_version").fetchone(), (VERSION,))


class ConversationsTests(StoreTestCase):
    """An account's conversations (IRC's CHATHISTORY TARGETS, asked as clients connect) are found by look-ups in
    the conversation index, not by reading every private message the file keeps."""

    PAIRS = (("bo", "bob"), ("bob", "bob"), ("bob", "bobby"), ("carol", "zed"), ("al", "zed"))
    """Conversations beside alice's with bob: his key second, alone, first; others' before and after his."""

    def conversations_of_bob(
        self, between_alice_and_bob: int, others: int = 0
    ) -> tuple[list[tuple[str, float]], int]:
        """bob's conversations in a new file holding ``between_alice_and_bob`` messages of alice's to bob, one
        of each of ``PAIRS``, and one from each of ``others`` accounts below bob's to zed, and the SQLite
        instructions reading them took."""
        path = os.path.join(self.directory, f"{between_alice_and_bob}-{others}.sqlite")
        store = open_store(self, path, self.reactor)
        written = [("alice", "bob")] * between_alice_and_bob + list(self.PAIRS)
        written += [(f"a{n:04}", "zed") for n in range(others)]
        for n, (sender, to) in enumerate(written, start=1):
            store.append(private(n, sender, to))
        self.reactor.run_until(store.stopService())
        steps = 0

        def counted() -> int:
            nonlocal steps
            steps += 1
            return 0

        with closing(sqlite3.connect(path)) as connection:
            connection.set_progress_handler(counted, 1)
            found = conversations(connection, "bob", 0, len(written) + 1)
        return sorted(found), steps

    def test_the_reading_grows_with_the_conversations_not_with_their_messages(self) -> None:
        """bob's four conversations, each at its latest message, whether alice wrote to him once or 3,000 times:
        the reading takes about as many SQLite instructions either way, not 3,000 times more."""
        once, steps_once = self.conversations_of_bob(1)
        often, steps_often = self.conversations_of_bob(3000)
        self.assertEqual(once, [("alice", 1.0), ("bo", 2.0), ("bob", 3.0), ("bobby", 4.0)])
        self.assertEqual(often, [("alice", 3000.0), ("bo", 3001.0), ("bob", 3002.0), ("bobby", 3003.0)])
        self.assertLess(steps_often, 2 * steps_once, (steps_once, steps_often))

    def test_the_reading_does_not_grow_with_the_accounts_that_wrote_to_others(self) -> None:
        """bob's four conversations, whether one account or 1,000 accounts below his wrote privately to someone
        else: the reading takes about as many SQLite instructions either way, not a look-up or two per account."""
        few, steps_few = self.conversations_of_bob(1, others=1)
        many, steps_many = self.conversations_of_bob(1, others=1000)
        self.assertEqual(few, [("alice", 1.0), ("bo", 2.0), ("bob", 3.0), ("bobby", 4.0)])
        self.assertEqual(many, few)
        self.assertLess(steps_many, 2 * steps_few, (steps_few, steps_many))

    def test_a_version_13_database_gets_the_index_of_second_accounts_and_finds_its_conversations(
        self,
    ) -> None:
        """A database from before step 14 gets the ``pairs_by_second`` index at start, and an account's
        conversations kept before it, its key first, second or both, are found by it."""
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            prepare(connection, self.path, STEPS[:13])
            for n, (sender, to) in enumerate((("alice", "bob"), ("bob", "bob"), ("bob", "carol")), start=1):
                event = private(n, sender, to)
                connection.execute(INSERT, _row(n, event))
                connection.execute(_PAIRED, (conversation(sender, to), n))
        store = open_store(self, self.path, self.reactor)
        found = self.successResultOf(self.reactor.run_until(deferred(store.conversations("bob", 0, 9))))
        self.assertEqual(sorted(found), [("alice", 1.0), ("bob", 2.0), ("carol", 3.0)])
        with closing(sqlite3.connect(self.path)) as connection:
            self.assertEqual(connection.execute("PRAGMA user_version").fetchone(), (VERSION,))
            self.assertEqual(
                connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'pairs_by_second'"
                ).fetchall(),
                [("pairs_by_second",)],
            )
