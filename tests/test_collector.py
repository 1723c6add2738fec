"""The garbage collector while the daemon runs (chatd.frontend.collector)."""

import gc

from twisted.trial.unittest import SynchronousTestCase

from chatd.frontend.collector import Collector


class CollectorTests(SynchronousTestCase):
    def setUp(self) -> None:
        # Nothing frozen before: a count above 0 is then the collector's doing.
        gc.unfreeze()
        self.addCleanup(gc.unfreeze)

    def test_running_freezes_what_exists_and_nothing_made_later(self) -> None:
        """Once started, what exists is out of the collector's sight; what is made later is not."""
        collector = Collector()
        collector.startService()
        self.addCleanup(collector.stopService)
        frozen = gc.get_freeze_count()
        self.assertGreater(frozen, 0)
        later = [object() for _ in range(10)]
        self.assertEqual(gc.get_freeze_count(), frozen)
        self.assertTrue(any(each is later for each in gc.get_objects()))

    def test_starting_runs_no_full_collection(self) -> None:
        """Starting freezes without collecting first: a full collection walked every object a start made, for the few it freed."""
        full: list[dict[str, int]] = []

        def seen(phase: str, info: dict[str, int]) -> None:
            if phase == "start" and info["generation"] == 2:
                full.append(info)

        gc.callbacks.append(seen)
        self.addCleanup(gc.callbacks.remove, seen)
        collector = Collector()
        collector.startService()
        self.addCleanup(collector.stopService)
        self.assertEqual(full, [])

    def test_stopping_thaws_everything(self) -> None:
        """Once stopped, nothing is frozen: tests run daemons one after another in one process."""
        collector = Collector()
        collector.startService()
        collector.stopService()
        self.assertEqual(gc.get_freeze_count(), 0)
