"""The History port's contract, held by both stores: in memory, and in a SQLite file in a temporary directory.

The contract covers messages (what ``MemoryHistory`` keeps); what only the
SQLite store keeps is in tests/test_sqlite.py.
"""

import os
import shutil
import tempfile
from collections.abc import Awaitable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar, cast

from twisted.internet.defer import Deferred
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.events import Actor, RoomEvent
from chatd.domain.ports import History
from chatd.storage.memory import MemoryHistory
from chatd.storage.sqlite import SQLiteHistory
from tests.events import acted, joined, kicked, parted, said, topic_changed
from tests.helpers import ThreadedReactor

T = TypeVar("T")

# The contract is a mixin, so no runner takes it for a test case of its own.
if TYPE_CHECKING:
    _TestCase = SynchronousTestCase
else:
    _TestCase = object


class HistoryContract(_TestCase):
    """What every ``History`` does; a subclass makes the store and waits for its answers."""

    history: History

    def result(self, answer: Awaitable[T]) -> T:
        """What ``answer`` (a read: a Deferred from either store) gives once the store has answered."""
        raise NotImplementedError

    def end_pass(self) -> None:
        """End the reactor pass: a store on disk writes what was appended."""

    def setUp(self) -> None:
        self.lines = [
            replace(
                said(n, "#Lobby", "alice", f"line {n}", n), id=f"{n:016x}", actor=Actor("alice", "10.0.0.1")
            )
            for n in range(1, 11)
        ]
        for event in self.lines:
            self.history.append(event)

    def texts(self, events: Awaitable[Sequence[RoomEvent]]) -> list[str]:
        """The texts of the messages a read found."""
        return [getattr(event, "text", "") for event in self.result(events)]

    def test_messages_come_back_whole(self) -> None:
        """A message read back is the event appended: id, time, room as shown, seq, actor and text."""
        self.history.append(acted(11, "#Lobby", "bob", "waves", 11))
        self.assertEqual(
            list(self.result(self.history.room_events("#lobby", 0, 20))),
            [*self.lines, acted(11, "#Lobby", "bob", "waves", 11)],
        )

    def test_rooms_are_read_by_folded_name(self) -> None:
        """A room said as #Lobby is read as #lobby; another room's lines are not in it."""
        self.history.append(said(11, "#Other", "bob", "elsewhere", 1))
        self.assertEqual(self.texts(self.history.room_events("#other", 0, 5)), ["elsewhere"])
        self.assertEqual(self.texts(self.history.room_events("#Lobby", 9, 5)), [])
        self.assertEqual(len(self.result(self.history.room_events("#lobby", 0, 20))), 10)

    def test_reads_give_back_what_was_said_not_arrivals_or_topics(self) -> None:
        """Joins, parts, topics and kicks number the room but are not lines a read gives back, in either store."""
        for event in (
            joined(11, "#Lobby", "bob", 11),
            topic_changed(12, "#Lobby", "bob", "news", 12),
            kicked(13, "#Lobby", "alice", "bob", "bye", 13),
            parted(14, "#Lobby", "alice", "", 14),
        ):
            self.history.append(event)
        self.history.append(said(15, "#Lobby", "carol", "after", 15))
        self.assertEqual(self.texts(self.history.room_events("#lobby", 10, 20)), ["after"])
        self.assertEqual(self.texts(self.history.recent("#lobby", None, 2)), ["line 10", "after"])
        self.assertEqual(self.texts(self.history.around("#lobby", f"{10:016x}", 2)), ["line 10", "after"])
        self.assertEqual(self.history.last_seq("#lobby"), 15)

    def test_last_seq_is_known_at_once(self) -> None:
        """The last sequence number of a room is answered from memory, before anything is written; 0 if none."""
        self.history.append(said(11, "#Lobby", "bob", "more", 11))
        self.assertEqual(self.history.last_seq("#lobby"), 11)
        self.assertEqual(self.history.last_seq("#nowhere"), 0)

    def test_room_events_are_what_came_after_a_sequence_number(self) -> None:
        """After a number, up to the limit, oldest first."""
        self.assertEqual(self.texts(self.history.room_events("#lobby", 7, 2)), ["line 8", "line 9"])
        self.assertEqual(self.texts(self.history.room_events("#lobby", 8, 5)), ["line 9", "line 10"])
        self.assertEqual(self.texts(self.history.room_events("#nowhere", 0, 5)), [])

    def test_recent_is_the_last_lines_before_a_sequence_number_oldest_first(self) -> None:
        """With no bound the latest; with one, the page before it."""
        self.assertEqual(self.texts(self.history.recent("#lobby", None, 3)), ["line 8", "line 9", "line 10"])
        self.assertEqual(self.texts(self.history.recent("#lobby", 8, 3)), ["line 5", "line 6", "line 7"])
        self.assertEqual(self.texts(self.history.recent("#lobby", 2, 3)), ["line 1"])
        self.assertEqual(self.texts(self.history.recent("#nowhere", None, 3)), [])

    def test_around_centres_on_one_event(self) -> None:
        """The lines around an id; at an end of the room, the window moves in; an unknown id finds none."""
        self.assertEqual(
            self.texts(self.history.around("#lobby", f"{5:016x}", 3)), ["line 4", "line 5", "line 6"]
        )
        self.assertEqual(
            self.texts(self.history.around("#lobby", f"{1:016x}", 3)), ["line 1", "line 2", "line 3"]
        )
        self.assertEqual(
            self.texts(self.history.around("#lobby", f"{10:016x}", 4)),
            ["line 7", "line 8", "line 9", "line 10"],
        )
        self.assertEqual(self.texts(self.history.around("#lobby", "ffffffffffffffff", 3)), [])
        self.assertEqual(self.texts(self.history.around("#other", f"{5:016x}", 3)), [])

    def test_when_written_calls_once_everything_appended_is_kept(self) -> None:
        """Asked after appending, it calls by the end of the pass that writes; asked again with nothing new, at once."""
        called: list[str] = []
        self.history.when_written(lambda: called.append("first"))
        self.end_pass()
        self.assertEqual(called, ["first"])
        self.history.when_written(lambda: called.append("again"))
        self.assertEqual(called, ["first", "again"])

    def test_prune_forgets_lines_from_before_a_time(self) -> None:
        """Lines from before the time go, the rest stay, and the room's numbering goes on."""
        self.assertEqual(self.result(self.history.prune(4)), 3)
        self.assertEqual(self.texts(self.history.recent("#lobby", None, 3)), ["line 8", "line 9", "line 10"])
        self.assertEqual(len(self.result(self.history.room_events("#lobby", 0, 20))), 7)
        self.assertEqual(self.texts(self.history.around("#lobby", f"{2:016x}", 3)), [])
        self.assertEqual(self.history.last_seq("#lobby"), 10)
        self.assertEqual(self.result(self.history.prune(4)), 0)


class MemoryHistoryTests(HistoryContract, SynchronousTestCase):
    """The contract, in memory: every answer is there at once."""

    def setUp(self) -> None:
        self.history = MemoryHistory()
        super().setUp()

    def result(self, answer: Awaitable[T]) -> T:
        return self.successResultOf(deferred(answer))


class SQLiteHistoryTests(HistoryContract, SynchronousTestCase):
    """The contract, in a SQLite file, with its real threads and a reactor the test runs."""

    def setUp(self) -> None:
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        self.reactor = ThreadedReactor()
        self.store = open_store(self, os.path.join(directory, "chatd.sqlite"), self.reactor)
        self.history = self.store
        super().setUp()

    def result(self, answer: Awaitable[T]) -> T:
        read = deferred(answer)
        self.end_pass()
        return self.successResultOf(self.reactor.run_until(read))

    def end_pass(self) -> None:
        """End the pass, and let the writer's commit reach the reactor thread."""
        self.reactor.advance(0)
        while self.store.writing:
            self.reactor.run_from_thread()


def deferred(answer: Awaitable[T]) -> "Deferred[T]":
    """``answer``, which both stores give as a Deferred."""
    assert isinstance(answer, Deferred)
    return cast("Deferred[T]", answer)


def open_store(case: SynchronousTestCase, path: str, reactor: ThreadedReactor) -> SQLiteHistory:
    """A started ``SQLiteHistory`` in ``path`` on ``reactor``, stopped (all written) at cleanup unless the test did."""
    store = SQLiteHistory.open(path, reactor)
    store.startService()

    def stop() -> None:
        if not store.running:
            return
        reactor.run_until(store.stopService())

    case.addCleanup(stop)
    return store
