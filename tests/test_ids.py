"""Event ids: sortable, unique, whatever the clock does."""

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.ids import EventIds


class EventIdsTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.clock.advance(1_700_000_000.123)
        self.ids = EventIds()

    def test_id_is_the_millisecond_then_a_counter(self) -> None:
        """Sixteen hex digits: the clock's millisecond, then the count within it."""
        self.assertEqual(
            [self.ids(self.clock.seconds()), self.ids(self.clock.seconds())],
            ["018bcfe5687b0000", "018bcfe5687b0001"],
        )
        self.clock.advance(0.001)
        self.assertEqual(self.ids(self.clock.seconds()), "018bcfe5687c0000")

    def test_clock_going_back_never_makes_an_id_go_back(self) -> None:
        """If the clock steps back, ids go on from the last one."""
        first = self.ids(self.clock.seconds())
        self.clock.rightNow -= 10
        self.assertGreater(self.ids(self.clock.seconds()), first)

    def test_a_full_millisecond_borrows_the_next(self) -> None:
        """Past 65,536 ids in one millisecond, the next millisecond is used, still in order."""
        made = [self.ids(self.clock.seconds()) for _ in range(0x10001)]
        self.assertEqual(made, sorted(made))
        self.assertEqual(len(set(made)), len(made))
        self.assertEqual(made[-1], "018bcfe5687c0000")
