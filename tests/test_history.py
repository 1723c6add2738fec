"""The History port's reads, on the store that keeps history in memory."""

from collections.abc import Sequence
from dataclasses import replace

from twisted.internet.defer import Deferred
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.events import RoomEvent
from chatd.storage.memory import MemoryHistory
from tests.events import said


class MemoryHistoryTests(SynchronousTestCase):
    """A room's messages read back by sequence number: after one, before one, around one."""

    def setUp(self) -> None:
        self.history = MemoryHistory()
        self.lines = [
            replace(said(n, "#lobby", "alice", f"line {n}", n), id=f"{n:016x}") for n in range(1, 11)
        ]
        for event in self.lines:
            self.history.append(event)

    def texts(self, events: "Deferred[Sequence[RoomEvent]]") -> list[str]:
        """The texts of the messages a read found."""
        return [getattr(event, "text", "") for event in self.successResultOf(events)]

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

    def test_when_written_calls_at_once(self) -> None:
        """Memory keeps an event as it is appended: nothing to wait for."""
        called: list[bool] = []
        self.history.when_written(lambda: called.append(True))
        self.assertEqual(called, [True])
