"""A session's output with places kept for lines still being read: order kept, nothing lost or repeated."""

from twisted.trial.unittest import SynchronousTestCase
from typing_extensions import override

from chatd.frontend.held import MOST_HELD, HeldOutput, keep_place
from chatd.frontend.output import Sink


class Recording(Sink):
    """A sink that keeps what it is sent."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[bytes] = []

    @override
    def write(self, data: bytes) -> None:
        if not self.closing:
            self.sent.append(data)

    @override
    def flush(self) -> None:
        """Nothing waits here."""


class Session:
    """All ``keep_place`` needs of a session: a sink it may swap."""

    def __init__(self) -> None:
        self.own = Recording()
        self.sink: Sink = self.own


class HeldOutputTests(SynchronousTestCase):
    def test_what_comes_after_a_place_waits_for_it(self) -> None:
        """Bytes written after a place go out once it is filled, after it; then the session's own sink is back."""
        session = Session()
        session.sink.write(b"before ")
        place = keep_place(session)
        self.assertIsInstance(session.sink, HeldOutput)
        session.sink.write(b"after")
        self.assertEqual(session.own.sent, [b"before "])
        place.fill(b"history ")
        self.assertEqual(session.own.sent, [b"before ", b"history ", b"after"])
        self.assertIs(session.sink, session.own)

    def test_who_waits_for_idle_is_called_once_the_place_is_filled_not_before(self) -> None:
        """A file download waiting to send its next chunk: not while a join's history is awaited, then at once."""
        session = Session()
        place = keep_place(session)
        called: list[str] = []
        session.sink.when_idle(lambda: called.append("idle"))
        self.assertEqual(called, [])
        place.fill(b"history")
        self.assertEqual(called, ["idle"])

    def test_places_fill_in_any_order_and_go_out_in_theirs(self) -> None:
        """A second place filled first waits for the first; filling one twice changes nothing."""
        session = Session()
        first = keep_place(session)
        session.sink.write(b"1")
        second = keep_place(session)
        session.sink.write(b"2")
        second.fill(b"B")
        second.fill(b"again")
        self.assertEqual(session.own.sent, [])
        first.fill(b"A")
        self.assertEqual(session.own.sent, [b"A", b"1", b"B", b"2"])

    def test_closing_sends_what_waits_and_leaves_empty_places_empty(self) -> None:
        """A session closing while a place is empty: what was held goes out, then the sink closes."""
        session = Session()
        place = keep_place(session)
        session.sink.write(b"goodbye")
        self.assertFalse(session.sink.closing)
        session.sink.close()
        self.assertEqual(session.own.sent, [b"goodbye"])
        self.assertTrue(session.own.closing)
        self.assertTrue(session.sink.closing)
        place.fill(b"too late")
        self.assertEqual(session.own.sent, [b"goodbye"])

    def test_dropping_sends_nothing_more(self) -> None:
        """A connection gone while a place is empty: what was held is dropped with it."""
        session = Session()
        keep_place(session)
        session.sink.write(b"lost")
        session.sink.drop()
        self.assertEqual(session.own.sent, [])
        self.assertTrue(session.sink.closed)

    def test_holding_stops_past_its_bound(self) -> None:
        """Past MOST_HELD bytes what was held goes out at once, and the history that comes later is not shown."""
        session = Session()
        place = keep_place(session)
        chunk = b"x" * (MOST_HELD // 2)
        session.sink.write(chunk)
        session.sink.write(chunk)
        self.assertEqual(session.own.sent, [])
        session.sink.write(b"one more")
        self.assertEqual(session.own.sent, [chunk, chunk, b"one more"])
        self.assertIs(session.sink, session.own)
        place.fill(b"history")
        session.sink.write(b"live")
        self.assertEqual(session.own.sent[-1:], [b"live"])
        self.assertNotIn(b"history", session.own.sent)
