"""Token buckets and flood gates on a fake clock (the waits they hand out are exact), and the flood driver."""

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.flood import FloodGate, TokenBucket
from chatd.frontend.flood import FloodControl
from chatd.frontend.reading import Pause, Reading
from tests.test_reading import RecordingReader


class TokenBucketTests(SynchronousTestCase):
    """Two tokens a second, ten at most; the values are exact in binary, so waits compare equal."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.bucket = TokenBucket(rate=2.0, burst=10.0, now=self.clock.seconds)

    def test_starts_full(self) -> None:
        """A new bucket holds its whole burst: that much is free at once, and no more."""
        self.assertEqual(self.bucket.take(10), 0.0)
        self.assertEqual(self.bucket.take(1), 0.5)

    def test_refills_at_its_rate(self) -> None:
        """An emptied bucket gains rate tokens a second."""
        self.bucket.take(10)
        self.clock.advance(1.5)
        self.assertEqual(self.bucket.take(3), 0.0)
        self.assertEqual(self.bucket.take(1), 0.5)

    def test_refill_is_capped_at_burst(self) -> None:
        """However long it rests, a bucket holds no more than its burst."""
        self.bucket.take(10)
        self.clock.advance(3600)
        self.assertEqual(self.bucket.take(10), 0.0)
        self.assertEqual(self.bucket.take(1), 0.5)

    def test_debt_is_the_exact_seconds_to_wait(self) -> None:
        """Overspending by three tokens at two a second means waiting 1.5 s."""
        self.assertEqual(self.bucket.take(13), 1.5)

    def test_debt_accumulates(self) -> None:
        """Spending while in debt adds to the wait."""
        self.assertEqual(self.bucket.take(12), 1.0)
        self.assertEqual(self.bucket.take(2), 2.0)

    def test_waiting_out_the_debt_clears_it(self) -> None:
        """After exactly the returned wait, the bucket is out of debt, and not a moment before."""
        wait = self.bucket.take(13)
        self.clock.advance(wait - 0.25)
        self.assertEqual(self.bucket.take(0), 0.25)
        self.clock.advance(0.25)
        self.assertEqual(self.bucket.take(0), 0.0)

    def test_waiting_refills_only_what_was_owed(self) -> None:
        """Time spent paying off a debt does not also count as saving up."""
        self.bucket.take(14)  # two seconds of debt
        self.clock.advance(2)
        self.assertEqual(self.bucket.take(1), 0.5)

    def test_free_take_costs_nothing(self) -> None:
        """Taking nothing from a full bucket is free and leaves it full."""
        self.assertEqual(self.bucket.take(0), 0.0)
        self.assertEqual(self.bucket.take(10), 0.0)

    def test_counts_from_when_it_was_made(self) -> None:
        """A bucket made late counts its refill from its own start, not from time zero."""
        self.clock.advance(1000)
        bucket = TokenBucket(rate=2.0, burst=10.0, now=self.clock.seconds)
        self.assertEqual(bucket.take(12), 1.0)

    def test_wait_tells_when_tokens_are_there_without_spending(self) -> None:
        """wait says how long until a cost could be taken, and asking takes nothing."""
        self.assertEqual(self.bucket.wait(10), 0.0)
        self.bucket.take(9)
        self.assertEqual(self.bucket.wait(2), 0.5)
        self.assertEqual(self.bucket.wait(2), 0.5)
        self.clock.advance(0.5)
        self.assertEqual(self.bucket.wait(2), 0.0)
        self.assertEqual(self.bucket.take(2), 0.0)

    def test_wait_counts_a_debt_too(self) -> None:
        """A bucket in debt makes the wait for one token the debt plus that token's time."""
        self.bucket.take(12)
        self.assertEqual(self.bucket.wait(1), 1.5)

    def test_invalid_rate_or_burst_is_refused(self) -> None:
        """A rate or burst of zero or less raises ValueError."""
        for rate, burst in ((0, 10), (-1, 10), (2, 0), (2, -5), (0, 0)):
            with self.assertRaises(ValueError, msg=f"rate={rate} burst={burst}"):
                TokenBucket(rate=rate, burst=burst, now=self.clock.seconds)


class FloodGateTests(SynchronousTestCase):
    """Two lines a second after ten; 100 bytes a second after 400."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.gate = FloodGate(
            lines_per_second=2.0,
            line_burst=10.0,
            bytes_per_second=100.0,
            byte_burst=400.0,
            now=self.clock.seconds,
        )

    def test_within_both_budgets_no_wait(self) -> None:
        """Lines and bytes within both bursts cost no wait."""
        self.assertEqual(self.gate.charge(10, 400), 0.0)

    def test_lines_alone_make_a_wait(self) -> None:
        """Too many small lines wait on the line budget."""
        self.assertEqual(self.gate.charge(12, 0), 1.0)

    def test_bytes_alone_make_a_wait(self) -> None:
        """One line of too many bytes waits on the byte budget."""
        self.assertEqual(self.gate.charge(1, 600), 2.0)

    def test_longer_line_wait_wins(self) -> None:
        """Over both budgets, the wait is the longer of the two: here the lines'."""
        self.assertEqual(self.gate.charge(14, 500), 2.0)

    def test_longer_byte_wait_wins(self) -> None:
        """Over both budgets, the wait is the longer of the two: here the bytes'."""
        self.assertEqual(self.gate.charge(12, 700), 3.0)

    def test_both_budgets_refill(self) -> None:
        """After waiting, both budgets have refilled by their own rates."""
        self.assertEqual(self.gate.charge(12, 700), 3.0)
        self.clock.advance(3)
        # Lines: -2 + 6 = 4 tokens; bytes: -300 + 300 = 0.
        self.assertEqual(self.gate.charge(4, 0), 0.0)
        self.assertEqual(self.gate.charge(0, 50), 0.5)

    def test_stretch_over_budget_starts_at_its_first_wait_and_ends_with_none(self) -> None:
        """over_since is when the client first had to wait, kept while it must, cleared when it need not."""
        self.assertIsNone(self.gate.over_since)
        self.clock.advance(5)
        self.gate.charge(12, 0)
        self.clock.advance(0.5)
        self.gate.charge(1, 0)
        self.assertEqual(self.gate.over_since, 5.0)
        self.clock.advance(10)
        self.assertEqual(self.gate.charge(1, 0), 0.0)
        self.assertIsNone(self.gate.over_since)

    def test_stretch_goes_on_while_let_in_as_the_debt_is_paid(self) -> None:
        """Charged the moment its debt is paid (its bytes on arrival, say), a client has no room to spare: still over."""
        self.gate.charge(12, 0)
        self.clock.advance(1)
        self.assertEqual(self.gate.charge(0, 10), 0.0)
        self.assertEqual(self.gate.over_since, 0.0)
        self.clock.advance(0.5)
        self.assertEqual(self.gate.charge(0, 10), 0.0)
        self.assertIsNone(self.gate.over_since)

    def test_invalid_budget_is_refused(self) -> None:
        """A gate with a non-positive line or byte rate or burst raises ValueError."""
        good = {"lines_per_second": 2.0, "line_burst": 10.0, "bytes_per_second": 100.0, "byte_burst": 400.0}
        for name in good:
            with self.assertRaises(ValueError, msg=name):
                FloodGate(**{**good, name: 0.0}, now=self.clock.seconds)


# Quarter seconds and whole tokens keep the arithmetic mostly exact; the
# bound below still allows for float rounding.
rates = st.sampled_from([0.5, 1.0, 2.0, 3.0, 4096.0])
bursts = st.sampled_from([1.0, 4.0, 10.0, 16384.0])
moves = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=10, allow_nan=False, allow_infinity=False),
        st.floats(min_value=0, max_value=50, allow_nan=False, allow_infinity=False),
    ),
    max_size=60,
)


class RateBoundTests(SynchronousTestCase):
    @settings(max_examples=200, deadline=None)
    @given(rates, bursts, moves)
    def test_client_that_waits_as_told_cannot_beat_the_rate(
        self, rate: float, burst: float, script: list[tuple[float, float]]
    ) -> None:
        """Held to the waits it is given, a client takes at most burst + rate * T + one take in any T seconds."""
        clock = Clock()
        bucket = TokenBucket(rate, burst, clock.seconds)
        wait = 0.0
        takes: list[tuple[float, float]] = []  # (when, cost)
        for pause, cost in script:
            # The client may wait longer than told, never less.
            clock.advance(max(pause, wait))
            wait = bucket.take(cost)
            takes.append((clock.seconds(), cost))
        for first in range(len(takes)):
            start = takes[first][0]
            for last in range(first, len(takes)):
                end, cost = takes[last]
                taken = sum(each for _, each in takes[first : last + 1])
                allowed = burst + rate * (end - start) + cost
                self.assertLessEqual(taken, allowed * (1 + 1e-9) + 1e-6, f"takes {first}..{last}: {takes}")


class RecordingConnection(RecordingReader):
    """A connection that notes what the flood driver asks of it."""

    def warn_flooding(self) -> None:
        self.calls.append("warn")

    def cut_off_flooding(self) -> None:
        self.calls.append("cut off")


class FloodControlTests(SynchronousTestCase):
    """Two lines a second after ten (bytes are plentiful); cut off after 30 s over budget."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.connection = RecordingConnection()
        self.reading = Reading(self.connection)
        gate = FloodGate(2.0, 10.0, 4096.0, 16384.0, self.clock.seconds)
        self.flood = FloodControl(gate, self.reading, self.connection, self.clock, 30.0)

    def test_within_budget_nothing_happens(self) -> None:
        """Ten lines at once are within budget: no warning, no pause, no timer."""
        for _ in range(10):
            self.assertTrue(self.flood.charge(1, 10))
        self.assertEqual((self.connection.calls, self.clock.getDelayedCalls()), ([], []))

    def test_over_budget_warns_once_and_pauses_until_refilled(self) -> None:
        """The first line over budget warns and pauses reading; reading starts again exactly when the debt is paid."""
        self.flood.charge(11, 10)
        self.assertEqual(self.connection.calls, ["warn", "stop"])
        self.assertTrue(self.flood.waiting)
        self.clock.advance(0.49)
        self.assertTrue(self.reading.paused)
        self.clock.advance(0.01)
        self.assertEqual((self.connection.calls, self.flood.waiting), (["warn", "stop", "start"], False))

    def test_staying_over_budget_warns_once_then_cuts_off(self) -> None:
        """Still over budget 30 s after the first wait, the connection is cut off and the charge refused."""
        self.flood.charge(11, 10)
        for _ in range(60):
            self.clock.advance(0.5)
            self.assertTrue(self.flood.charge(2, 10))
        self.clock.advance(0.5)
        self.assertFalse(self.flood.charge(2, 10))
        self.assertEqual(self.connection.calls.count("warn"), 1)
        self.assertEqual(self.connection.calls[-1], "cut off")

    def test_release_does_not_start_reading_while_a_command_waits(self) -> None:
        """The budget refilling lifts only the flood pause: a waiting command still holds reading."""
        self.reading.pause(Pause.COMMAND)
        self.flood.charge(11, 10)
        self.clock.advance(0.5)
        self.assertEqual((self.reading.reasons, self.connection.calls), (Pause.COMMAND, ["stop", "warn"]))
        self.reading.resume(Pause.COMMAND)
        self.assertEqual(self.connection.calls, ["stop", "warn", "start"])

    def test_stop_cancels_the_release(self) -> None:
        """A connection lost while waiting leaves no timer behind."""
        self.flood.charge(11, 10)
        self.flood.stop()
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_what_waits_for_a_refill_runs_at_once_within_budget(self) -> None:
        """Within budget, what waits for a refill (an HTTP request) goes at once."""
        ran: list[str] = []
        self.flood.after_refill(lambda: ran.append("answered"))
        self.assertEqual(ran, ["answered"])

    def test_what_waits_for_a_refill_runs_once_reading_starts_again(self) -> None:
        """Over budget, it runs when the budget has refilled, after reading starts again (so a charge it makes that
        goes over pauses reading anew), and one that goes over again leaves the next waiting for the next refill."""
        self.flood.charge(11, 10)

        def answer(name: str) -> None:
            self.connection.calls.append(name)
            self.flood.charge(1, 10)

        self.flood.after_refill(lambda: answer("first"))
        self.flood.after_refill(lambda: answer("second"))
        self.clock.advance(0.49)
        self.assertNotIn("first", self.connection.calls)
        self.clock.advance(0.01)
        self.assertEqual(self.connection.calls, ["warn", "stop", "start", "first", "stop"])
        self.clock.advance(0.5)
        self.assertEqual(self.connection.calls[-3:], ["start", "second", "stop"])

    def test_stop_forgets_what_waits_for_a_refill(self) -> None:
        """A connection lost while its requests wait leaves nothing to answer them."""
        self.flood.charge(11, 10)
        ran: list[str] = []
        self.flood.after_refill(lambda: ran.append("answered"))
        self.flood.stop()
        self.clock.advance(10)
        self.assertEqual(ran, [])

    def test_holding_fewer_lines_gives_up_what_is_past_them(self) -> None:
        """A budget brought down to fewer lines (a web connection's at its upgrade) holds no more than them."""
        gate = FloodGate(2.0, 24.0, 4096.0, 16384.0, self.clock.seconds)
        gate.hold_lines(10.0)
        self.assertEqual(gate.lines_held(), 10.0)
        self.assertEqual(gate.charge(11, 0), 0.5)
