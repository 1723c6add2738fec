"""What the real daemon logs about the people it serves, over real TCP: bounded against churn, never what they say."""

import re

from twisted.trial.unittest import SynchronousTestCase

from chatd.frontend.logs import BURST
from tests.e2e.test_daemon import start_chatd

REFUSED = re.compile(rb"\] Refused 127\.0\.0\.1: too many connections$")
LEFT_OUT = re.compile(
    rb"\] Left (?P<dropped>\d+) more lines out of the log like: Refused \{peer\}: too many connections$"
)

REFUSALS = 300
"""Connections refused in a row, as fast as loopback takes them: far more than a second's budget."""


class RefusalLogTests(SynchronousTestCase):
    def test_refusals_are_logged_at_a_bounded_rate_and_counted(self) -> None:
        """300 refused connections write a handful of lines, and summaries that count every one left out."""
        daemon = start_chatd(self, "--max-per-ip", "1")
        holder = daemon.connect()
        holder.read_line()  # the welcome: the one place is taken
        for _ in range(REFUSALS):
            refused = daemon.connect()
            self.assertIn(b"too-many-connections", refused.read_to_end())
            refused.close()
        written = dropped = 0
        while written + dropped < REFUSALS:
            found = daemon.wait_for_log(re.compile(REFUSED.pattern + b"|" + LEFT_OUT.pattern))
            if found.group("dropped") is None:
                written += 1
            else:
                dropped += int(found.group("dropped"))
        self.assertEqual(written + dropped, REFUSALS)
        # The burst, and at most one line a second (summaries included) while they came.
        self.assertLess(written, BURST + 10)
        self.assertGreater(dropped, 0)
