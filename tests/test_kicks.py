"""``KickWaits`` (chatd.domain.kicks): who waits to join which room again, and until when, in memory alone."""

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.kicks import KickWaits

DAY = 86400.0


class KickWaitsTests(SynchronousTestCase):
    def test_waits_over_are_dropped_behind_a_longer_one_held_first(self) -> None:
        """A day-long wait held first (kept from before a restart, under a longer --kick-rejoin) does not keep
        the 60 s waits of the kicks after it: one over goes at the next kick, though the day-long one runs.

        Waits were dropped from the oldest while over, as kicks' waits were
        all as long: the day-long one, first and ending last, held every
        later one in memory until its end, a day of kicks.
        """
        waits = KickWaits()
        waits.hold("#dev", "look:bob@", 900 + DAY, now=1000)
        waits.hold("#class", "look:zed@10.0.0.9", 1060, now=1000)
        waits.hold("#class", "look:amy@10.0.0.9", 1121, now=1061)
        self.assertEqual(
            waits.until, {("#dev", "look:bob@"): 900 + DAY, ("#class", "look:amy@10.0.0.9"): 1121}
        )

    def test_a_wait_replaced_by_a_later_kick_leaves_the_newer_one_at_its_end(self) -> None:
        """amy kicked again before her wait ends waits for the second kick's end: the first's going, once over,
        takes nothing of it."""
        waits = KickWaits()
        waits.hold("#class", "look:amy@", 1060, now=1000)
        waits.hold("#class", "look:amy@", 1110, now=1050)
        waits.hold("#class", "look:zed@", 1130, now=1070)
        self.assertEqual(waits.ends("#class", ["look:amy@"], now=1070), 1110)
        waits.hold("#class", "look:bob@", 1171, now=1111)
        self.assertEqual(waits.until, {("#class", "look:zed@"): 1130, ("#class", "look:bob@"): 1171})
