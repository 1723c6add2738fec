"""Durations as typed (10m, 2h, 1d) and as shown."""

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.durations import LONGEST, format_duration, parse_duration
from chatd.domain.errors import BadDurationError
from chatd.line.wording import word


class ParseDurationTests(SynchronousTestCase):
    def test_each_unit_counts_its_seconds(self) -> None:
        """s, m, h and d are seconds, minutes, hours and days, in either case."""
        self.assertEqual(
            [parse_duration(text) for text in ("90s", "10m", "2h", "1d", "2H")],
            [90.0, 600.0, 7200.0, 86400.0, 7200.0],
        )

    def test_anything_else_is_refused_with_the_rule(self) -> None:
        """No unit, an unknown unit, a fraction, zero, a sign or a second part are each bad-duration."""
        for text in ("10", "10x", "1.5h", "0m", "-5m", "1h30m", "h", "", "\u0661\u0660m"):
            error = self.assertRaises(BadDurationError, parse_duration, text)
            self.assertEqual(error.code, "bad-duration")
        self.assertEqual(
            word(error),
            "'\u0661\u0660m' is not a duration: write a number and s, m, h or d, like 10m, 2h or 1d (at most 365d)",
        )

    def test_a_year_is_the_longest(self) -> None:
        """365d is accepted; 366d, or a huge number, is refused rather than overflowing."""
        self.assertEqual(parse_duration("365d"), LONGEST)
        self.assertRaises(BadDurationError, parse_duration, "366d")
        self.assertRaises(BadDurationError, parse_duration, "999999999d")
        self.assertRaises(BadDurationError, parse_duration, "9" * 400 + "d")


class FormatDurationTests(SynchronousTestCase):
    def test_two_largest_units_are_shown(self) -> None:
        """A duration shows its two largest non-zero units, rounded up to the second."""
        self.assertEqual(
            [format_duration(seconds) for seconds in (45, 600, 599.2, 7200, 90061, 86400 + 59)],
            ["45s", "10m", "10m", "2h", "1d 1h", "1d 59s"],
        )

    def test_a_typed_duration_shows_the_same_length(self) -> None:
        """What /mute 90m takes is shown back as 1h 30m."""
        self.assertEqual(format_duration(parse_duration("90m")), "1h 30m")

    def test_less_than_a_second_shows_as_one(self) -> None:
        """Whatever is left of a mute or ban shows as at least 1s, never as nothing."""
        self.assertEqual(format_duration(0.01), "1s")
