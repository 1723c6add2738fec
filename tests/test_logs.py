"""BoundedLog: each kind of line at a bounded rate, then one summary that counts what was left out."""

from twisted.internet.task import Clock
from twisted.internet.testing import EventLoggingObserver
from twisted.logger import Logger, LogLevel, formatEvent, globalLogPublisher
from twisted.trial.unittest import SynchronousTestCase

from chatd.frontend.logs import BURST, RATE, BoundedLog

REFUSED = "Refused {peer}: too many connections"


class BoundedLogTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.bounded = BoundedLog(self.clock)
        self.log = Logger(namespace="chatd.test")
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def lines(self) -> list[str]:
        return [formatEvent(event) for event in self.logged]

    def test_a_burst_is_written_whole(self) -> None:
        """Up to BURST lines of one kind at once are all written, with their fields, at their level."""
        for n in range(BURST):
            self.bounded.warn(self.log, REFUSED, peer=f"10.0.0.{n}")
        self.assertEqual(self.lines(), [f"Refused 10.0.0.{n}: too many connections" for n in range(BURST)])
        self.assertEqual({event["log_level"] for event in self.logged}, {LogLevel.warn})
        self.assertEqual({event["log_namespace"] for event in self.logged}, {"chatd.test"})

    def test_a_flood_is_held_back_then_counted_in_one_summary(self) -> None:
        """A thousand lines in a second write BURST lines, then a summary with the exact count left out."""
        for _ in range(1000):
            self.bounded.warn(self.log, REFUSED, peer="10.0.0.1")
            self.clock.advance(0.0005)
        self.assertEqual(len(self.lines()), BURST)
        self.clock.advance(1 / RATE)
        self.assertEqual(
            self.lines()[BURST:],
            [f"Left {1000 - BURST} more lines out of the log like: Refused 10.0.0.1: too many connections"],
        )
        self.assertEqual(self.logged[-1]["dropped"], 1000 - BURST)
        self.assertEqual(self.logged[-1]["log_level"], LogLevel.warn)
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_lines_held_back_are_summarised_before_later_lines(self) -> None:
        """Each summary takes the place of a line: the rate holds, and lines come back once there is room."""
        for _ in range(BURST + 3):
            self.bounded.info(self.log, REFUSED, peer="10.0.0.1")
        self.clock.advance(1 / RATE)
        self.bounded.info(self.log, REFUSED, peer="10.0.0.2")
        self.clock.advance(1 / RATE)
        self.clock.advance(1 / RATE)
        self.bounded.info(self.log, REFUSED, peer="10.0.0.3")
        self.assertEqual(
            self.lines()[BURST:],
            [
                "Left 3 more lines out of the log like: Refused 10.0.0.1: too many connections",
                "Left 1 more line out of the log like: Refused 10.0.0.2: too many connections",
                "Refused 10.0.0.3: too many connections",
            ],
        )

    def test_the_summary_shows_the_first_line_left_out_as_it_would_have_read(self) -> None:
        """Its fields filled in, never the format's {peer}; the first of those left out, not a later one."""
        for n in range(BURST + 3):
            self.bounded.warn(self.log, REFUSED, peer=f"10.0.0.{n}")
        self.clock.advance(1 / RATE)
        self.assertEqual(
            self.lines()[-1],
            f"Left 3 more lines out of the log like: Refused 10.0.0.{BURST}: too many connections",
        )

    def test_kinds_have_budgets_of_their_own(self) -> None:
        """A flood of one kind of line holds back no other kind."""
        for _ in range(BURST + 5):
            self.bounded.warn(self.log, REFUSED, peer="10.0.0.1")
        self.bounded.warn(self.log, "Disconnecting {peer} for flooding", peer="10.0.0.2")
        self.assertEqual(self.lines()[-1], "Disconnecting 10.0.0.2 for flooding")

    def test_stopping_writes_the_summaries_owed(self) -> None:
        """At the daemon's stop, what was left out is counted at once, and no timer is left behind."""
        self.bounded.startService()
        for _ in range(BURST + 2):
            self.bounded.warn(self.log, REFUSED, peer="10.0.0.1")
        self.bounded.stopService()
        self.assertEqual(
            self.lines()[-1], "Left 2 more lines out of the log like: Refused 10.0.0.1: too many connections"
        )
        self.assertEqual(self.clock.getDelayedCalls(), [])
