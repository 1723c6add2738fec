"""--retain-days: the rounds of forgetting on the daemon's clock, and their wiring."""

from twisted.internet.defer import Deferred, fail, succeed
from twisted.internet.interfaces import IDelayedCall
from twisted.internet.task import Clock
from twisted.internet.testing import EventLoggingObserver, MemoryReactorClock
from twisted.logger import globalLogPublisher
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from chatd.config import Config
from chatd.frontend.transfers import Transfers
from chatd.service import build
from chatd.storage.retention import DAY, EVERY, Retention


class RoundTests(SynchronousTestCase):
    """Rounds run at start and every hour, each for what is older than the retention at its time."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.clock.advance(10 * DAY)
        self.asked: list[float] = []
        self.answers: list[Deferred[int]] = []
        self.retention = Retention(self.prune, 2.5, self.clock)
        # Typed for a trial TestCase; a SynchronousTestCase has the addCleanup it uses.
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def prune(self, before: float) -> "Deferred[int]":
        self.asked.append(before)
        return self.answers.pop(0) if self.answers else succeed(0)

    def test_a_round_at_start_then_every_hour_until_stopped(self) -> None:
        """The first round is at start; the next an hour on, each for its own cut-off; none after the stop."""
        self.retention.startService()
        self.assertEqual(self.asked, [7.5 * DAY])
        self.clock.advance(EVERY - 1)
        self.assertEqual(len(self.asked), 1)
        self.clock.advance(1)
        self.assertEqual(self.asked, [7.5 * DAY, 7.5 * DAY + EVERY])
        self.retention.stopService()
        self.clock.advance(10 * EVERY)
        self.assertEqual(len(self.asked), 2)

    def test_a_round_that_fails_is_logged_and_the_next_runs(self) -> None:
        """A failed round is logged; an hour later the next one tries again, and says how much went."""
        self.answers = [fail(Failure(OSError("disk full"))), succeed(42)]
        self.retention.startService()
        self.addCleanup(self.retention.stopService)
        self.assertEqual(len(self.flushLoggedErrors(OSError)), 1)
        self.clock.advance(EVERY)
        self.assertEqual(len(self.asked), 2)
        texts = [event.get("log_format", "") for event in self.logged]
        self.assertIn("Forgot {count} events older than {days} days (--retain-days)", texts)
        [done] = [event for event in self.logged if event.get("count") == 42]
        self.assertEqual(done["days"], 2.5)


class WiringTests(SynchronousTestCase):
    """--retain-days makes the daemon forget; without it, nothing is ever pruned."""

    def daemon(self, retain_days: float | None) -> MemoryReactorClock:
        reactor = MemoryReactorClock()
        reactor.advance(3 * DAY)
        daemon = build(Config(server_name="test", retain_days=retain_days), reactor)
        daemon.startService()
        self.addCleanup(daemon.stopService)
        return reactor

    def forgetting(self, reactor: MemoryReactorClock) -> list[IDelayedCall]:
        """The daemon's timers but the file engine's hourly look (``Transfers.expire``), which every daemon has."""
        return [
            call
            for call in reactor.getDelayedCalls()
            if not isinstance(getattr(getattr(call.func, "f", None), "__self__", None), Transfers)  # type: ignore[attr-defined]
        ]

    def test_retain_days_prunes_the_history(self) -> None:
        """With --retain-days 1 a round runs at start, and the next is due an hour on."""
        reactor = self.daemon(1)
        self.assertEqual([call.getTime() for call in self.forgetting(reactor)], [3 * DAY + EVERY])

    def test_without_it_nothing_is_scheduled(self) -> None:
        """Without --retain-days the daemon schedules no forgetting."""
        reactor = self.daemon(None)
        self.assertEqual(self.forgetting(reactor), [])
