"""The rooms ``RecentLines`` keeps (chatd.storage.recent): a bounded number, the one read least recently dropped."""

from twisted.trial.unittest import SynchronousTestCase

from chatd.storage.recent import RecentLines
from tests.events import said


class RoomBoundTests(SynchronousTestCase):
    """``RecentLines`` keeps at most ``rooms`` rooms, and a room dropped is one it does not know."""

    def test_the_room_read_least_recently_goes_first(self) -> None:
        """Past the bound, the room whose lines were last asked for longest ago is dropped, not the oldest made."""
        recent = RecentLines(rooms=2)
        for room in ("#a", "#b"):
            fill = recent.reading(room)
            assert fill is not None
            fill([said(1, room, "alice", "hi", 1)], 20)
        self.assertIsNotNone(recent.last("#a", None, 20))
        self.assertIsNotNone(recent.reading("#c"))
        self.assertIsNone(recent.last("#b", None, 20))
        self.assertEqual(recent.last("#a", None, 20), (said(1, "#a", "alice", "hi", 1),))
        self.assertIsNotNone(recent.reading("#b"))

    def test_a_read_under_way_for_a_room_dropped_meanwhile_is_not_kept(self) -> None:
        """The lines of a read that ends after its room was pushed out fill nothing kept: the room is read again."""
        recent = RecentLines(rooms=1)
        fill = recent.reading("#a")
        assert fill is not None
        recent.add("#a", said(2, "#a", "alice", "new", 2))
        self.assertIsNotNone(recent.reading("#b"))
        fill([said(1, "#a", "alice", "old", 1)], 20)
        self.assertIsNone(recent.last("#a", None, 20))
        self.assertIsNotNone(recent.reading("#a"))
