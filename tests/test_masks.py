"""Room ban masks: nick!user@host patterns, filled in as IRC fills them, matched by nickname and address."""

import re
from typing import SupportsIndex

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.errors import InvalidMaskError
from chatd.domain.masks import MASK_MAX, Mask, glob, mask_key, parse_mask
from chatd.line.wording import word
from chatd.text import fold


def reference(pattern: str, text: str) -> bool:
    """``glob`` by a regular expression: fine for the short texts hypothesis draws, hopeless for a hostile one."""
    translated = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(translated, text, re.DOTALL) is not None


class ParseMaskTests(SynchronousTestCase):
    def test_missing_parts_are_filled_in_as_irc_does(self) -> None:
        """A nickname alone, user@host alone, or nick!user alone name the whole mask."""
        self.assertEqual(parse_mask("Bob").text, "Bob!*@*")
        self.assertEqual(parse_mask("*@10.0.0.*").text, "*!*@10.0.0.*")
        self.assertEqual(parse_mask("bob!x").text, "bob!x@*")
        self.assertEqual(parse_mask("bob!x@Host").text, "bob!x@Host")

    def test_patterns_are_folded_and_masks_alike_share_a_key(self) -> None:
        """A mask is put in normal form (NFKC), its nick and user parts folded as nicknames are and its host casefolded;
        BOB!*@* and bob!*@* are one mask."""
        self.assertEqual(
            parse_mask("\uff22\uff2f\uff22!*@2001:DB8::*"),
            Mask("BOB!*@2001:DB8::*", "bob", "*", "2001:db8::*", "bob", "*"),
        )
        self.assertEqual(parse_mask("BOB").key, parse_mask("bob!*@*").key)

    @given(st.text("bB\uff22!@*?.x", max_size=12))
    def test_a_masks_key_is_worked_out_alone_as_a_parse_gives_it(self, text: str) -> None:
        """``mask_key``, which a /mode works out for each of a room's masks, is the key of the parsed mask."""
        try:
            mask = parse_mask(text)
        except InvalidMaskError:
            return
        self.assertEqual(mask_key(text), mask.key)
        self.assertEqual(mask_key(mask.text), mask.key)

    def test_what_is_no_mask_is_refused_with_its_text(self) -> None:
        """An empty part, a space, a comma, a control character or too many characters: bad-mask."""
        for text in (
            "",
            "!@",
            "bob!@host",
            "!x@host",
            "bob!x@",
            "a b",
            "a,b",
            "bob\x1b",
            "*" * (MASK_MAX + 1),
        ):
            error = self.assertRaises(InvalidMaskError, parse_mask, text)
            self.assertEqual(error, InvalidMaskError(text, MASK_MAX))
        self.assertEqual(
            word(InvalidMaskError("a b", MASK_MAX)),
            "'a b' is not a ban mask: write nick!user@host with * and ? (at most 100 characters, no spaces or commas)",
        )


class CoversTests(SynchronousTestCase):
    def test_nick_any_case_and_host_decide_with_the_user_part_star(self) -> None:
        """With the user part *, the nickname (by its key) and the address decide."""
        mask = parse_mask("Bo?!*@10.0.0.*")
        self.assertTrue(mask.covers(fold("BOB"), "10.0.0.7"))
        self.assertFalse(mask.covers(fold("bobby"), "10.0.0.7"))
        self.assertFalse(mask.covers(fold("bob"), "10.0.1.7"))
        self.assertTrue(parse_mask("*!*@10.0.0.*").covers("anyone", "10.0.0.7"))

    def test_the_user_part_is_the_nickname_in_every_mask(self) -> None:
        """chatd has no ident and IRC shows everyone as nick!nick@chatd, so the user part matches the nickname,
        by its key or its look, whatever the host part: *!baduser@* covers baduser, not everyone."""
        self.assertTrue(parse_mask("*!baduser@*").covers("BadUser", "192.0.2.1"))
        self.assertFalse(parse_mask("*!baduser@*").covers("anyone", "192.0.2.1"))
        self.assertTrue(parse_mask("*!b?b@10.0.0.*").covers("Bob", "10.0.0.7"))
        self.assertFalse(parse_mask("*!b?b@10.0.0.*").covers("alice", "10.0.0.7"))
        self.assertFalse(parse_mask("Bo?!nobody@10.0.0.*").covers("bob", "10.0.0.7"))
        self.assertTrue(parse_mask("*!zed@*").covers("z\u0435d", "192.0.2.1"))
        self.assertFalse(parse_mask("*!zed@*").covers("zee", "192.0.2.1"))

    def test_a_mask_of_someone_as_irc_shows_them_covers_them_from_anywhere(self) -> None:
        """IRC shows everyone as nick!nick@chatd, so a mask an IRC client builds from that (irssi's *!*bob@chatd,
        WeeChat's *!bob@chatd) covers bob wherever he connects from, by his nickname in the user part."""
        for text in ("*!*bob@chatd", "*!bob@CHATD", "bob!*@chatd", "*!b?b@chat?"):
            self.assertTrue(parse_mask(text).covers("Bob", "192.0.2.1"), text)
            self.assertFalse(parse_mask(text).covers("alice", "192.0.2.1"), text)
        self.assertTrue(parse_mask("*!*@chatd").covers("alice", "192.0.2.1"))
        self.assertTrue(parse_mask("*!zed@chatd").covers("z\u0435d", "192.0.2.1"))

    def test_a_nick_pattern_covers_the_nicknames_that_look_like_it(self) -> None:
        """zed covers zed with a Cyrillic e and Zed; z?d covers that Cyrillic zed too; zee is not covered."""
        self.assertTrue(parse_mask("zed").covers("z\u0435d", "10.0.0.7"))
        self.assertTrue(parse_mask("zed").covers("Zed", "10.0.0.7"))
        self.assertTrue(parse_mask("z?d!*@10.0.0.*").covers("Z\u0435D", "10.0.0.7"))
        self.assertFalse(parse_mask("z?d!*@10.0.0.*").covers("z\u0435d", "10.0.1.7"))
        self.assertFalse(parse_mask("zed").covers("zee", "10.0.0.7"))

    def test_brackets_in_nicknames_match_themselves(self) -> None:
        """[ and ] are nickname characters, not a character class."""
        self.assertTrue(parse_mask("[bot]").covers(fold("[bot]"), ""))
        self.assertFalse(parse_mask("[bot]").covers("b", ""))


class GlobTests(SynchronousTestCase):
    def test_stars_and_question_marks(self) -> None:
        """* is any run (none included), ? one character, the rest itself; the whole text must match."""
        cases = [
            ("*", "", True),
            ("?", "", False),
            ("a*c", "abbbc", True),
            ("a*c", "abbbd", False),
            ("*a", "bab", False),
            ("a?c", "abc", True),
            ("**a**", "xxa", True),
            ("a*b*c", "aXbYbZc", True),
        ]
        for pattern, text, expected in cases:
            self.assertEqual(glob(pattern, text), expected, (pattern, text))

    @settings(max_examples=500)
    @given(st.text("ab*?", max_size=8), st.text("ab", max_size=10))
    def test_agrees_with_a_regular_expression(self, pattern: str, text: str) -> None:
        """On small alphabets, where every case comes up, glob answers as the obvious regular expression does."""
        self.assertEqual(glob(pattern, text), reference(pattern, text))

    def test_a_hostile_mask_costs_its_length_times_the_text(self) -> None:
        """*a*a*...*b against a's: a backtracking matcher reads the text a number of times that grows
        exponentially with the stars; this one at most once for each pair of places in mask and text."""
        pattern = "*a" * 49 + "b"
        text = CountedText("a" * 100, most=(len(pattern) + 1) * (100 + 1))
        self.assertFalse(glob(pattern, text))
        self.assertGreater(text.reads, 100)


class CountedText(str):
    """Text that counts the characters read from it, and fails a matcher that reads more than ``most``."""

    most: int
    reads: int

    def __new__(cls, value: str, most: int) -> "CountedText":
        text = super().__new__(cls, value)
        text.most = most
        text.reads = 0
        return text

    def __getitem__(self, index: SupportsIndex | slice) -> str:
        self.reads += 1
        if self.reads > self.most:
            raise AssertionError(f"read more than {self.most} characters: not linear in mask times text")
        return super().__getitem__(index)
