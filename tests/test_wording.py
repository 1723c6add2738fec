"""The line front end words every error, from its fields, in one table."""

import dataclasses
import math
import re
from typing import get_type_hints

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.durations import LONGEST, UNIT_SECONDS
from chatd.domain.errors import (
    BadDurationError,
    BannedError,
    ChatError,
    FileDayLimitError,
    FileTooBigError,
    InvalidNicknameError,
    InvalidRoomNameError,
    InvalidTextError,
    MutedError,
    NicknameBannedError,
    NicknameRule,
    OperThrottledError,
    RoomNameRule,
    TextRule,
    TooManyRoomsError,
)
from chatd.domain.flood import Over
from chatd.domain.names import INVISIBLE
from chatd.line.errors import FloodError, RegisterTimeoutError, TooManyIgnoredError
from chatd.line.render import json_line, text_line
from chatd.line.wording import WORDINGS, word
from chatd.line.wordings import quoted
from tests.helpers import error_examples, error_types

# Exact sentences, one row a rule or a field worth seeing.
SENTENCES: list[tuple[ChatError, str]] = [
    (InvalidNicknameError("", NicknameRule.EMPTY), "'' is not a valid nickname: a nickname cannot be empty"),
    (
        InvalidNicknameError("a" * 25, NicknameRule.TOO_LONG, 24),
        f"{'a' * 25!r} is not a valid nickname: a nickname is at most 24 characters",
    ),
    (
        InvalidNicknameError("a\ufe0f", NicknameRule.INVISIBLE),
        "'a\\ufe0f' is not a valid nickname: a nickname cannot hold invisible characters",
    ),
    (
        # The Hangul filler, which Python's repr counts printable, and a soft hyphen, which it writes as \xad.
        InvalidNicknameError("\u3164b\u00ad", NicknameRule.INVISIBLE),
        "'\\u3164b\\xad' is not a valid nickname: a nickname cannot hold invisible characters",
    ),
    (
        InvalidNicknameError("1abc", NicknameRule.BAD_START),
        "'1abc' is not a valid nickname: a nickname cannot start with a digit, '-' or a mark",
    ),
    (
        InvalidNicknameError("bo ss", NicknameRule.BAD_CHARACTER),
        "'bo ss' is not a valid nickname: a nickname holds only letters, digits, '-', '_', '[', ']', '{', '}', '\\', '|', '^' and '`'",
    ),
    (
        InvalidRoomNameError("lobby", RoomNameRule.NO_PREFIX),
        "'lobby' is not a valid room name: a room name is # followed by its name",
    ),
    (
        InvalidRoomNameError("#a", RoomNameRule.TOO_LONG, 32),
        "'#a' is not a valid room name: a room name is at most 32 characters",
    ),
    (
        InvalidRoomNameError("#a\ufe0f", RoomNameRule.INVISIBLE),
        "'#a\\ufe0f' is not a valid room name: a room name cannot hold invisible characters",
    ),
    (
        InvalidRoomNameError("#a!", RoomNameRule.BAD_CHARACTER),
        "'#a!' is not a valid room name: a room name holds only letters, digits, '-', '_' and '.'",
    ),
    (
        InvalidTextError(TextRule.UNSAFE_CHARACTER, character="\u202e"),
        "not sent: control or bidi character U+202E refused",
    ),
    (InvalidTextError(TextRule.TOO_LONG, limit=300), "not sent: at most 300 characters allowed here"),
    (TooManyRoomsError(20), "you are in 20 rooms already, the most allowed; /part one first"),
    (BannedError(None), "your address is banned from this server"),
    (BannedError(90061), "your address is banned from this server (1d 1h left)"),
    (NicknameBannedError("bob", 0.2), "the nickname bob is banned (1s left)"),
    (MutedError(599.2), "you are muted (10m left); nobody sees what you say"),
    (MutedError(None), "you are muted; nobody sees what you say"),
    (
        BadDurationError("1y", LONGEST),
        "'1y' is not a duration: write a number and s, m, h or d, like 10m, 2h or 1d (at most 365d)",
    ),
    (OperThrottledError(60), "too many failed /oper attempts; try again in 60 s"),
    # --file-max-size 20M: the sizes as an offer shows them, not 20,971,520 bytes to count the digits of.
    (
        FileTooBigError(size=26_500_000, limit=20 * 1024**2),
        "a file is at most 21.0 MB here; this one is 26.5 MB",
    ),
    # Only just over, the two read the same so: the bytes tell them apart.
    (
        FileTooBigError(size=20 * 1024**2 + 1, limit=20 * 1024**2),
        "a file is at most 20,971,520 bytes here; this one is 20,971,521",
    ),
    (FileDayLimitError(1024**3), "that would pass your 1.1 GB of files a day; try tomorrow"),
    (FloodError(30.0, Over.LINES), "disconnected for flooding: over the line budget for more than 30 s"),
    (FloodError(30.0, Over.BYTES), "disconnected for flooding: over the byte budget for more than 30 s"),
    (
        FloodError(1.0, Over.BOTH),
        "disconnected for flooding: over the line and byte budgets for more than 1 s",
    ),
    (RegisterTimeoutError(0.5), "no nickname chosen within 0.5 s; closing"),
    (TooManyIgnoredError(100), "you ignore 100 nicknames already; /unignore one first"),
]

# "you are muted (1d 2h left); ...": the duration's parts.
LEFT = re.compile(r"you are muted \(([0-9]+)([dhms])(?: ([0-9]+)([dhms]))? left\); nobody sees what you say")


PLURAL_AFTER_ONE = re.compile(r"(?<![\d,.])1 (?:[a-z]+ )?[a-z]+s\b")
"""A count of one before a noun of one or two words in the plural: "1 characters", "1 combining marks"."""


def with_ones(error: ChatError) -> ChatError:
    """``error`` with every number it holds 1: a limit its option or mode may set so."""
    hints = get_type_hints(type(error))
    return dataclasses.replace(
        error,
        **{
            field.name: 1
            for field in dataclasses.fields(error)
            if hints[field.name] in (int, float, int | None, float | None)
            and getattr(error, field.name) is not None
        },
    )


class WordingTableTests(SynchronousTestCase):
    def test_every_error_has_a_wording_of_its_own(self) -> None:
        """Each ChatError subclass of the domain and of the line front end has its row in the table."""
        kinds = error_types()
        self.assertGreaterEqual(len(kinds), 35)
        for kind in kinds:
            self.assertIn(kind, WORDINGS, kind.__name__)

    def test_every_error_words_as_one_plain_sentence(self) -> None:
        """Whatever its fields, an error words as one line of prose: no code, no None, no enum repr."""
        for kind in error_types():
            for error in error_examples(kind):
                sentence = word(error)
                self.assertTrue(sentence, repr(error))
                self.assertNotIn("\n", sentence)
                self.assertFalse(sentence.startswith(error.code + " "), sentence)
                self.assertNotIn("None", sentence)
                self.assertNotIn("Rule.", sentence)

    def test_a_count_of_one_reads_in_the_singular(self) -> None:
        """With its numbers 1, every error says "1 character", "1 connection", "1 combining mark": never a plural."""
        for kind in error_types():
            for error in error_examples(kind):
                sentence = word(with_ones(error))
                self.assertIsNone(PLURAL_AFTER_ONE.search(sentence), sentence)

    def test_sentences(self) -> None:
        """Each rule, and the fields that change a sentence, word exactly as users have read them."""
        for error, sentence in SENTENCES:
            self.assertEqual(word(error), sentence, repr(error))

    def test_every_rule_has_its_own_sentence(self) -> None:
        """No two rules of a kind word the same, so a user can tell which they broke."""
        nicknames = {word(InvalidNicknameError("x", rule, 9)) for rule in NicknameRule}
        rooms = {word(InvalidRoomNameError("#x", rule, 9)) for rule in RoomNameRule}
        texts = {word(InvalidTextError(rule, "\x00", 9)) for rule in TextRule}
        self.assertEqual(
            (len(nicknames), len(rooms), len(texts)), (len(NicknameRule), len(RoomNameRule), len(TextRule))
        )

    def test_both_renderings_use_the_wording(self) -> None:
        """The text line is ERR, the code and the sentence; JSON carries the sentence as text."""
        error = NicknameBannedError("bob", 600)
        self.assertEqual(text_line(error), b"ERR nick-banned the nickname bob is banned (10m left)\r\n")
        self.assertIn(b'"text":"the nickname bob is banned (10m left)"', json_line(error))

    def test_an_error_type_without_a_row_takes_its_base_wording(self) -> None:
        """A subclass no row names is worded as its nearest base, and a bare ChatError as its code."""

        class LongMuteError(MutedError):
            pass

        self.assertEqual(word(LongMuteError(None)), "you are muted; nobody sees what you say")
        self.assertEqual(word(ChatError()), "error")

    @settings(max_examples=300)
    @given(st.floats(min_value=1e-9, max_value=LONGEST))
    def test_time_left_is_at_least_a_second_and_never_overstated(self, seconds: float) -> None:
        """The time left, rounded up to the second, is shown in its two largest units: at
        least 1s, never more than it is, and short of it by less than the smallest unit shown."""
        found = LEFT.fullmatch(word(MutedError(seconds)))
        assert found is not None, word(MutedError(seconds))
        first, unit, second, small_unit = found.groups()
        parts = [(int(first), UNIT_SECONDS[unit])]
        if small_unit is not None:
            parts.append((int(second), UNIT_SECONDS[small_unit]))
        shown = sum(count * size for count, size in parts)
        self.assertGreaterEqual(shown, 1)
        self.assertLessEqual(shown, math.ceil(seconds))
        self.assertLess(math.ceil(seconds), shown + parts[-1][1])

    @settings(max_examples=100)
    @given(st.text(max_size=20))
    def test_bad_duration_quotes_the_text_and_the_longest(self, text: str) -> None:
        """A bad duration quotes what was typed and says the longest allowed."""
        sentence = word(BadDurationError(text, LONGEST))
        self.assertTrue(sentence.startswith(f"{quoted(text)} is not a duration: "), sentence)
        self.assertTrue(sentence.endswith("(at most 365d)"), sentence)

    @settings(max_examples=200)
    @given(st.text(max_size=20))
    def test_no_invisible_character_of_the_input_shows_in_a_refusal(self, text: str) -> None:
        """A sentence quoting what was typed escapes every character names refuse as invisible: none is shown."""
        for error in (BadDurationError(text, LONGEST), InvalidNicknameError(text, NicknameRule.INVISIBLE)):
            self.assertIsNone(INVISIBLE.search(word(error)), word(error))
