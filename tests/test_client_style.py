"""How client lines look: local time, nickname colours, mentions."""

import os
import time
from datetime import timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.client.style import NICK_PALETTE, clock, mentions, nick_colour

AT = 61.0
"""One minute and one second past the epoch: 00:01 in UTC."""


class LocalTimeTests(SynchronousTestCase):
    """Timestamps are the server's ``at`` in the user's time zone."""

    def test_injected_zone(self) -> None:
        """A zone five and a half hours east shows 00:01 UTC as 05:31."""
        india = timezone(timedelta(hours=5, minutes=30))
        self.assertEqual(clock(AT, india), "05:31")

    def test_machine_local_time_follows_tz(self) -> None:
        """With no zone injected, the machine's local time (TZ) is used, as time.localtime has it."""
        saved = os.environ.get("TZ")

        def restore() -> None:
            if saved is None:
                os.environ.pop("TZ", None)
            else:
                os.environ["TZ"] = saved
            time.tzset()

        self.addCleanup(restore)
        # A POSIX rule, not a zone name, so no time zone database is needed.
        os.environ["TZ"] = "XST+03:00"
        time.tzset()
        self.assertEqual(clock(AT, None), time.strftime("%H:%M", time.localtime(AT)))
        self.assertEqual(clock(AT, None), "21:01")


class NicknameTests(SynchronousTestCase):
    """Colours and mentions compare nicknames as the server does."""

    def test_nick_colours_stable_and_folded(self) -> None:
        """A nickname's colour depends only on its folded form, so it is the same in every run."""
        self.assertEqual(nick_colour("Alice"), nick_colour("ALICE"))
        self.assertEqual(nick_colour("Alice"), nick_colour("\uff21lice"))
        self.assertIn(nick_colour("bob"), NICK_PALETTE)
        # crc32 of "alice" is fixed, whatever PYTHONHASHSEED says.
        self.assertEqual(nick_colour("alice"), NICK_PALETTE[0x278EBC47 % len(NICK_PALETTE)])
        self.assertGreater(len({nick_colour(f"user{n}") for n in range(40)}), 5)

    def test_mentions_whole_names_only(self) -> None:
        """A mention is the nickname with no name character either side, compared folded."""
        self.assertTrue(mentions("hey alice!", "alice"))
        self.assertTrue(mentions("@Alice, hi", "alice"))
        self.assertTrue(mentions("\uff21LICE", "alice"))
        self.assertFalse(mentions("alice_2 hi", "alice"))
        self.assertFalse(mentions("palice", "alice"))
        self.assertFalse(mentions("anything", None))
        self.assertFalse(mentions("anything", ""))

    @given(st.text(max_size=30), st.text(min_size=1, max_size=10))
    def test_mentions_never_fails(self, text: str, nick: str) -> None:
        """Any text and any nickname give an answer, never an exception."""
        self.assertIsInstance(mentions(text, nick), bool)
