"""A session's output with places kept for lines still being read: order kept, nothing lost or repeated; lines at hand written at once."""

from twisted.internet.defer import Deferred, fail, succeed
from twisted.trial.unittest import SynchronousTestCase
from typing_extensions import override

from chatd.frontend.held import MOST_HELD, HeldOutput, fill_place, keep_place
from chatd.frontend.sinks import Sink


class Recording(Sink):
    """A sink that keeps what it is sent."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[bytes] = []
        self.changes = 0

    @override
    def write(self, data: bytes) -> None:
        if not self.closing:
            self.sent.append(data)

    @override
    def flush(self) -> None:
        """Nothing waits here."""

    @override
    def changed(self) -> None:
        self.changes += 1


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
        self.assertEqual(session.own.changes, 1, "kept fan-outs must learn the sink is swapped")
        session.sink.write(b"after")
        self.assertEqual(session.own.sent, [b"before "])
        place.fill(b"history ")
        self.assertEqual(session.own.sent, [b"before ", b"history ", b"after"])
        self.assertIs(session.sink, session.own)
        self.assertEqual(session.own.changes, 2, "and that it is back")

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


class FillPlaceTests(SynchronousTestCase):
    """``fill_place``: lines at hand are written at once; lines to come get a place; a failure leaves it empty."""

    def test_lines_at_hand_are_written_at_once_and_nothing_is_held(self) -> None:
        """A read already answered: written now, the session's own sink stays, and there is nothing to wait for."""
        session = Session()
        session.sink.write(b"join ")
        self.assertIsNone(fill_place(session, succeed(b"history ")))
        self.assertIs(session.sink, session.own)
        session.sink.write(b"live")
        self.assertEqual(session.own.sent, [b"join ", b"history ", b"live"])

    def test_lines_at_hand_go_behind_a_place_still_empty(self) -> None:
        """A second room's lines at hand while the first room's are read: they wait their turn."""
        session = Session()
        first: Deferred[bytes] = Deferred()
        waiting = fill_place(session, first)
        self.assertIsNone(fill_place(session, succeed(b"second")))
        self.assertEqual(session.own.sent, [])
        first.callback(b"first")
        self.assertEqual(session.own.sent, [b"first", b"second"])
        assert waiting is not None
        self.assertIsNone(self.successResultOf(waiting))

    def read_out(self) -> tuple[Session, "Deferred[bytes]", "Deferred[None]"]:
        """A session whose read is not answered yet, and ``live`` written after its place: the read, the wait."""
        session = Session()
        read: Deferred[bytes] = Deferred()
        waiting = fill_place(session, read)
        assert waiting is not None
        session.sink.write(b"live")
        return session, read, waiting

    def test_lines_to_come_get_a_place_and_what_follows_waits(self) -> None:
        """A read not answered yet: a place is kept, live bytes wait behind it, and the Deferred fires once filled."""
        session, read, waiting = self.read_out()
        self.assertNoResult(waiting)
        self.assertEqual(session.own.sent, [])
        read.callback(b"history ")
        self.assertEqual(session.own.sent, [b"history ", b"live"])
        self.assertIs(session.sink, session.own)
        self.assertIsNone(self.successResultOf(waiting))

    def test_a_read_that_failed_at_once_keeps_no_place_and_gives_its_failure(self) -> None:
        """Nothing is held for a read that failed already: live bytes go out, and the failure is the caller's."""
        session = Session()
        waiting = fill_place(session, fail(ValueError("unreadable")))
        assert waiting is not None
        self.failureResultOf(waiting, ValueError)
        self.assertIs(session.sink, session.own)
        session.sink.write(b"live")
        self.assertEqual(session.own.sent, [b"live"])

    def test_a_read_that_fails_later_lets_what_waited_go(self) -> None:
        """The place stays empty, what came after it goes out, and the failure is the caller's."""
        session, read, waiting = self.read_out()
        read.errback(ValueError("unreadable"))
        self.failureResultOf(waiting, ValueError)
        self.assertEqual(b"".join(session.own.sent), b"live")
        self.assertIs(session.sink, session.own)
