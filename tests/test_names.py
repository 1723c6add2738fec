"""Rules for nicknames, room names and message text, by example and by property."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.errors import (
    InvalidNicknameError,
    InvalidRoomNameError,
    InvalidTextError,
    TextRule,
)
from chatd.domain.names import (
    NICKNAME_MAX,
    ROOM_NAME_MAX,
    SERVICE_NICKNAMES,
    check_nickname,
    check_room_name,
    check_text,
    cut_text,
    reserved,
)
from chatd.line.wording import word
from chatd.text import REPLACEMENT, WHOLE_DIGITS_MOST, fold, number_up_to, scrub, whole_number

# "Alice" in full-width letters (U+FF21...), escaped so no reader mistakes it.
FULL_WIDTH_ALICE = "\uff21\uff4c\uff49\uff43\uff45"

# The characters check_text drops that are neither format characters nor
# unassigned: the combining grapheme joiner, Khmer inherent vowels, Hangul fillers.
SHOWN_AS_NOTHING = frozenset("\u034f\u17b4\u17b5\u115f\u1160\u3164\uffa0")

# Every character check_text refuses, named for the failure messages.
REFUSED = {
    "NUL": "\x00",
    "BEL": "\x07",
    "LF": "\n",
    "CR": "\r",
    "ESC": "\x1b",
    "DEL": "\x7f",
    "NEL (C1)": "\x85",
    "CSI (C1)": "\x9b",
    "Arabic letter mark": "\u061c",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "left-to-right embedding": "\u202a",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "pop directional isolate": "\u2069",
}


class FoldTests(SynchronousTestCase):
    """``fold`` gives the key under which a nickname is unique."""

    @settings(max_examples=200)
    @given(st.text(max_size=40))
    def test_folding_is_idempotent(self, name: str) -> None:
        """Folding twice equals folding once, so stored keys and look-ups agree."""
        self.assertEqual(fold(fold(name)), fold(name))

    def test_case_and_width_variants_share_one_key(self) -> None:
        """Alice, ALICE, alice and full-width Alice fold to one key."""
        keys = {fold(name) for name in ("Alice", "ALICE", "alice", FULL_WIDTH_ALICE)}
        self.assertEqual(keys, {"alice"})

    def test_sharp_s_folds_like_double_s(self) -> None:
        """Straße and STRASSE are one name, as casefold has it."""
        self.assertEqual(fold("Straße"), fold("STRASSE"))

    def test_different_names_keep_different_keys(self) -> None:
        """Folding does not merge names that differ in more than case or width."""
        self.assertNotEqual(fold("alice"), fold("alicia"))

    @settings(max_examples=200)
    @given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    def test_ascii_case_never_changes_the_key(self, name: str) -> None:
        """An ASCII name in upper and in lower case has one key."""
        self.assertEqual(fold(name.upper()), fold(name.lower()))


class CheckNicknameTests(SynchronousTestCase):
    """``check_nickname`` returns a nickname in normal form or says why not."""

    def assert_refused(self, name: str, why: str) -> None:
        error = self.assertRaises(InvalidNicknameError, check_nickname, name)
        self.assertEqual(error.code, "bad-nick")
        self.assertIn(why, word(error))

    def test_plain_nickname_is_returned_unchanged(self) -> None:
        """A nickname of ASCII letters comes back as it was given."""
        self.assertEqual(check_nickname("alice"), "alice")

    def test_irc_punctuation_and_later_digits_are_allowed(self) -> None:
        """Digits after the first character and -_[]{}\\|^` are allowed."""
        name = "[b0b]_-{x}\\|^`"
        self.assertEqual(check_nickname(name), name)

    def test_letters_and_marks_of_any_script_are_allowed(self) -> None:
        """Greek, Han and Devanagari (with its combining vowel sign) are names."""
        for name in ("Ζωή", "名前", "अनु"):
            self.assertEqual(check_nickname(name), name)

    def test_full_width_nickname_is_returned_in_normal_form(self) -> None:
        """A full-width nickname comes back in plain letters (NFKC)."""
        self.assertEqual(check_nickname(FULL_WIDTH_ALICE), "Alice")

    def test_longest_nickname_is_accepted(self) -> None:
        """A nickname of exactly NICKNAME_MAX characters is accepted."""
        name = "a" * NICKNAME_MAX
        self.assertEqual(check_nickname(name), name)

    def test_empty_nickname_is_refused(self) -> None:
        """An empty nickname is refused as empty."""
        self.assert_refused("", "cannot be empty")

    def test_nickname_one_too_long_is_refused(self) -> None:
        """A nickname of NICKNAME_MAX + 1 characters is refused, naming the limit."""
        self.assert_refused("a" * (NICKNAME_MAX + 1), f"at most {NICKNAME_MAX}")

    def test_nickname_starting_with_digit_is_refused(self) -> None:
        """A nickname cannot start with a digit."""
        self.assert_refused("1alice", "cannot start with a digit")

    def test_nickname_starting_with_full_width_digit_is_refused(self) -> None:
        """A full-width digit counts as a digit at the start."""
        self.assert_refused("\uff11alice", "cannot start with a digit")

    def test_nickname_starting_with_dash_is_refused(self) -> None:
        """A nickname cannot start with '-'."""
        self.assert_refused("-alice", "cannot start with a digit, '-'")

    def test_nickname_starting_with_combining_mark_is_refused(self) -> None:
        """A nickname cannot start with a combining mark."""
        self.assert_refused("\u0301alice", "or a mark")

    def test_nickname_with_space_is_refused(self) -> None:
        """A space is not a nickname character."""
        self.assert_refused("al ice", "holds only letters, digits")

    def test_nickname_with_escape_is_refused(self) -> None:
        """ESC is not a nickname character."""
        self.assert_refused("al\x1bice", "holds only letters, digits")

    def test_nickname_with_zero_width_joiner_is_refused(self) -> None:
        """A zero-width joiner would make two look-alike names; it is refused as invisible."""
        self.assert_refused("al\u200dice", "cannot hold invisible characters")

    def test_nickname_with_bidi_override_is_refused(self) -> None:
        """A right-to-left override shows as nothing and is refused as invisible."""
        self.assert_refused("al\u202eice", "cannot hold invisible characters")

    def test_nickname_with_invisible_characters_is_refused(self) -> None:
        """Variation selectors, the grapheme joiner and Hangul fillers show as nothing."""
        for name in ("alice\ufe0f", "al\u034fice", "\u3164", "\uffa0bob", "bob\U000e0100"):
            self.assert_refused(name, "cannot hold invisible characters")

    def test_room_name_with_invisible_characters_is_refused(self) -> None:
        """A room cannot pass for another by an invisible character."""
        error = self.assertRaises(InvalidRoomNameError, check_room_name, "#dev\ufe0f")
        self.assertIn("cannot hold invisible characters", word(error))

    def test_refusal_quotes_the_nickname(self) -> None:
        """The message quotes the refused nickname as Python would show it."""
        error = self.assertRaises(InvalidNicknameError, check_nickname, "al ice")
        self.assertEqual(
            word(error),
            "'al ice' is not a valid nickname: a nickname holds only letters, digits, '-', '_', '[', ']', '{', '}', '\\', '|', '^' and '`'",
        )

    @settings(max_examples=200)
    @given(st.text(max_size=30))
    def test_accepted_nickname_is_short_normal_and_safe_to_show(self, name: str) -> None:
        """An accepted nickname is 1..NICKNAME_MAX long, stable, and shown as is."""
        try:
            nick = check_nickname(name)
        except InvalidNicknameError:
            return
        self.assertTrue(1 <= len(nick) <= NICKNAME_MAX)
        self.assertEqual(check_nickname(nick), nick)
        self.assertEqual(check_text(nick), nick)


class ReservedTests(SynchronousTestCase):
    """``reserved`` names the service a nickname would pass for."""

    def test_each_service_is_reserved_in_any_case(self) -> None:
        """NickServ, ChanServ, the other services and Global are reserved, whatever their case."""
        for name in SERVICE_NICKNAMES:
            for shown in (name, name.lower(), name.upper(), name.swapcase()):
                self.assertEqual(reserved(shown), name, shown)

    def test_a_nickname_that_looks_like_a_service_is_reserved(self) -> None:
        """A Cyrillic letter, a capital I for l (or l for a capital I) and a zero for o pass for nobody."""
        for alike, name in [
            ("NickS\u0435rv", "NickServ"),  # Cyrillic e
            ("NlckServ", "NickServ"),
            ("NLCKSERV", "NickServ"),
            ("\u0421hanServ", "ChanServ"),  # Cyrillic Es
            ("GIobal", "Global"),
            ("B0tServ", "BotServ"),
        ]:
            self.assertEqual(reserved(alike), name, alike)

    def test_other_nicknames_are_not_reserved(self) -> None:
        """A nickname that only begins or ends like a service is anyone's, as is every other."""
        for nick in ("NickServ_", "Nick", "Serv", "ChanServer", "alice", "GlobalAdmin", "Guest1"):
            self.assertIsNone(reserved(nick), nick)


class CheckRoomNameTests(SynchronousTestCase):
    """``check_room_name`` returns a room name in normal form or says why not."""

    def assert_refused(self, name: str, why: str) -> None:
        error = self.assertRaises(InvalidRoomNameError, check_room_name, name)
        self.assertEqual(error.code, "bad-room")
        self.assertIn(why, word(error))

    def test_plain_room_name_is_returned_unchanged(self) -> None:
        """A # followed by letters comes back as it was given."""
        self.assertEqual(check_room_name("#lobby"), "#lobby")

    def test_room_name_allows_digits_dash_underscore_and_dot(self) -> None:
        """Digits, '-', '_' and '.' may follow the #, even first."""
        self.assertEqual(check_room_name("#9-dev_team.v2"), "#9-dev_team.v2")

    def test_full_width_room_name_is_returned_in_normal_form(self) -> None:
        """Full-width letters come back plain (NFKC)."""
        self.assertEqual(check_room_name("#\uff24ev"), "#Dev")

    def test_room_name_without_hash_is_refused(self) -> None:
        """A room name must start with #."""
        self.assert_refused("lobby", "# followed by its name")

    def test_lone_hash_is_refused(self) -> None:
        """# alone names no room."""
        self.assert_refused("#", "# followed by its name")

    def test_empty_room_name_is_refused(self) -> None:
        """An empty room name is refused."""
        self.assert_refused("", "# followed by its name")

    def test_longest_room_name_is_accepted(self) -> None:
        """A room name of exactly ROOM_NAME_MAX characters, # included, is accepted."""
        name = "#" + "a" * (ROOM_NAME_MAX - 1)
        self.assertEqual(check_room_name(name), name)

    def test_room_name_one_too_long_is_refused(self) -> None:
        """A room name of ROOM_NAME_MAX + 1 characters is refused, naming the limit."""
        self.assert_refused("#" + "a" * ROOM_NAME_MAX, f"at most {ROOM_NAME_MAX}")

    def test_room_name_with_other_characters_is_refused(self) -> None:
        """Spaces, a second #, slashes and controls are refused."""
        for name in ("#a b", "##dev", "#a/b", "#a\x1b"):
            self.assert_refused(name, "holds only letters, digits, '-', '_' and '.'")

    @settings(max_examples=200)
    @given(st.text(max_size=40))
    def test_accepted_room_name_is_hash_named_short_and_safe(self, name: str) -> None:
        """An accepted room name starts with #, fits the limit and is shown as is."""
        try:
            room = check_room_name(name)
        except InvalidRoomNameError:
            return
        self.assertTrue(room.startswith("#"))
        self.assertTrue(2 <= len(room) <= ROOM_NAME_MAX)
        self.assertEqual(check_room_name(room), room)
        self.assertEqual(check_text(room), room)


class CheckTextTests(SynchronousTestCase):
    """``check_text`` returns text as it will be shown or refuses it whole."""

    def test_plain_text_is_returned_unchanged(self) -> None:
        """Ordinary text, accents and other scripts included, is kept as typed."""
        text = "hello, café 名前 — ok?"
        self.assertEqual(check_text(text), text)

    def test_empty_text_is_accepted(self) -> None:
        """Empty text is accepted (an empty reason or topic)."""
        self.assertEqual(check_text(""), "")

    def test_tab_becomes_a_space(self) -> None:
        """Each tab is shown as one space, so pasted code keeps its shape."""
        self.assertEqual(check_text("a\tb\t\tc"), "a b  c")

    def test_emoji_with_zero_width_joiner_is_kept(self) -> None:
        """A ZWJ emoji sequence (woman technologist) passes unchanged."""
        self.assertEqual(check_text("👩\u200d💻"), "👩\u200d💻")

    def test_control_and_bidi_characters_are_refused(self) -> None:
        """C0 and C1 controls, bidi marks and overrides, and line separators are refused."""
        for char in REFUSED.values():
            error = self.assertRaises(InvalidTextError, check_text, f"hi {char} there")
            self.assertEqual(error.code, "bad-text")
            self.assertEqual(
                word(error),
                f"not sent: control or bidi character U+{ord(char):04X} refused",
            )

    def test_text_at_the_limit_is_accepted(self) -> None:
        """Text exactly as long as the limit is accepted."""
        self.assertEqual(check_text("a" * 10, 10), "a" * 10)

    def test_text_over_the_limit_is_refused(self) -> None:
        """Text one character over the limit is refused, naming the limit."""
        error = self.assertRaises(InvalidTextError, check_text, "a" * 11, 10)
        self.assertEqual(error.code, "bad-text")
        self.assertEqual(word(error), "not sent: at most 10 characters allowed here")

    def test_text_without_a_limit_may_be_long(self) -> None:
        """Without a limit, length alone never refuses text."""
        self.assertEqual(check_text("a" * 100_000), "a" * 100_000)

    @settings(max_examples=200)
    @given(st.text())
    def test_checked_text_is_refused_or_only_loses_what_shows_nothing(self, text: str) -> None:
        """check_text refuses the text, or returns it with tabs as spaces, less characters that show nothing."""
        try:
            shown = check_text(text)
        except InvalidTextError:
            return
        typed, at, dropped = text.replace("\t", " "), 0, []
        for kept in shown:  # shown is typed with some characters left out
            while typed[at] != kept:
                dropped.append(typed[at])
                at += 1
            at += 1
        for char in [*dropped, *typed[at:]]:
            self.assertTrue(
                unicodedata.category(char) in ("Cf", "Cn") or char in SHOWN_AS_NOTHING, repr(char)
            )
        self.assertEqual(check_text(shown), shown)

    @settings(max_examples=200)
    @given(st.text(), st.integers(min_value=0, max_value=20))
    def test_limit_refuses_exactly_the_longer_texts(self, text: str, limit: int) -> None:
        """Text that passes passes a limit if and only if it is no longer than the limit."""
        try:
            shown = check_text(scrub(text))
        except InvalidTextError:
            return
        if len(shown) <= limit:
            self.assertEqual(check_text(shown, limit), shown)
        else:
            self.assertRaises(InvalidTextError, check_text, shown, limit)


REGIONAL_INDICATORS = "".join(map(chr, range(0x1F1E6, 0x1F200)))
"""The 26 regional indicator symbols: a flag is two of them (🇫🇷 is U+1F1EB U+1F1F7)."""


class CutTextTests(SynchronousTestCase):
    def test_text_within_the_limit_is_kept_whole(self) -> None:
        """Nothing is cut from a text no longer than the limit."""
        self.assertEqual(cut_text("bye all", 7), "bye all")

    def test_a_character_keeps_its_marks_joiners_and_skin_tone(self) -> None:
        """A cut that would part a letter from its accent, a joined emoji, or a thumb from its tone goes back
        before that character."""
        self.assertEqual(cut_text("cafe\u0301s", 4), "caf")
        self.assertEqual(cut_text("hi \U0001f468\u200d\U0001f469", 5), "hi ")
        self.assertEqual(cut_text("ok \U0001f44d\U0001f3fd", 4), "ok ")

    def test_a_flag_is_kept_whole(self) -> None:
        """A cut between the two regional indicators of a flag goes back before the flag: counted from the start of
        their run, so after France (🇫🇷) the cut may come between it and Germany (🇩🇪), never inside either."""
        self.assertEqual(cut_text("bye \U0001f1eb\U0001f1f7", 5), "bye ")
        self.assertEqual(cut_text("\U0001f1eb\U0001f1f7\U0001f1e9\U0001f1ea", 3), "\U0001f1eb\U0001f1f7")
        self.assertEqual(cut_text("\U0001f1eb\U0001f1f7\U0001f1e9\U0001f1ea", 2), "\U0001f1eb\U0001f1f7")

    @settings(max_examples=200)
    @given(
        st.text() | st.text(alphabet="a \u0301\U0001f1eb\U0001f1f7\U0001f1e9\U0001f1ea"),
        st.integers(min_value=0, max_value=20),
    )
    def test_a_cut_is_a_prefix_within_the_limit_that_the_rules_still_pass(
        self, text: str, limit: int
    ) -> None:
        """What is kept starts the text, fits the limit, passes the text rules as the whole did, and ends with no
        half of a flag: an even number of regional indicators, when one comes next."""
        try:
            shown = check_text(scrub(text))
        except InvalidTextError:
            return
        cut = cut_text(shown, limit)
        self.assertTrue(shown.startswith(cut))
        self.assertLessEqual(len(cut), limit)
        self.assertEqual(check_text(cut, limit), cut)
        if cut != shown and shown[len(cut)] in REGIONAL_INDICATORS:
            self.assertEqual((len(cut) - len(cut.rstrip(REGIONAL_INDICATORS))) % 2, 0)


class ScrubTests(SynchronousTestCase):
    """``scrub`` replaces whatever check_text would refuse; the last defence."""

    def test_escape_sequence_is_defused(self) -> None:
        """The ESC of a colour sequence becomes U+FFFD, the rest stays visible."""
        self.assertEqual(scrub("a\x1b[31mred"), f"a{REPLACEMENT}[31mred")

    def test_each_refused_character_becomes_one_replacement(self) -> None:
        """Every character check_text refuses becomes exactly one U+FFFD."""
        for name, char in REFUSED.items():
            self.assertEqual(scrub(f"x{char}y"), f"x{REPLACEMENT}y", name)

    def test_lone_surrogate_is_replaced(self) -> None:
        """A lone surrogate, which cannot be encoded as UTF-8, becomes U+FFFD."""
        self.assertEqual(scrub("a\ud800b"), f"a{REPLACEMENT}b")

    def test_tab_becomes_a_space(self) -> None:
        """A tab becomes a space, as check_text shows it."""
        self.assertEqual(scrub("a\tb"), "a b")

    def test_emoji_with_zero_width_joiner_is_kept(self) -> None:
        """A ZWJ emoji sequence is left alone."""
        self.assertEqual(scrub("👩\u200d💻"), "👩\u200d💻")

    @settings(max_examples=200)
    @given(st.text())
    def test_scrubbed_text_never_holds_an_unsafe_character(self, text: str) -> None:
        """Nothing check_text refuses as unsafe survives scrub, and scrub keeps the length."""
        safe = scrub(text)
        try:
            check_text(safe)
        except InvalidTextError as error:
            self.assertNotEqual(error.rule, TextRule.UNSAFE_CHARACTER)
        self.assertEqual(len(safe), len(text))

    @settings(max_examples=200)
    @given(st.text())
    def test_scrub_leaves_accepted_text_alone(self, text: str) -> None:
        """Text as check_text returns it is shown by scrub exactly as it is."""
        try:
            shown = check_text(text)
        except InvalidTextError:
            return
        self.assertEqual(scrub(shown), shown)


class WholeNumberTests(SynchronousTestCase):
    def test_ascii_digits_are_read_leading_zeros_aside(self) -> None:
        """Digits alone are the number they write, however many zeros lead them."""
        self.assertEqual([whole_number(text) for text in ("0", "7", "0042", "0" * 5000 + "5")], [0, 7, 42, 5])
        self.assertEqual(whole_number("9" * WHOLE_DIGITS_MOST), 10**WHOLE_DIGITS_MOST - 1)

    def test_a_number_past_the_digits_it_reads_is_none_not_a_value_error(self) -> None:
        """A number of more digits than it reads, 5000 of them (past int's 4300), is no number: int() raised."""
        self.assertIsNone(whole_number("1" + "0" * WHOLE_DIGITS_MOST))
        self.assertIsNone(whole_number("9" * 5000))

    def test_what_int_reads_otherwise_is_no_number(self) -> None:
        """A sign, a space, an underscore, another script's digits and a superscript two (which isdigit passes and
        int() refuses) are no number; nor is nothing."""
        for text in ("", "-1", "+1", " 1", "1 ", "1_000", "\u0661\u0662", "\u00b2", "1.0", "\uff11"):
            self.assertIsNone(whole_number(text), text)

    @given(st.text(max_size=40))
    def test_it_raises_for_no_text_and_reads_what_int_reads_alike(self, text: str) -> None:
        """Whatever the text, a number or None; a number is what int() reads of the same text."""
        number = whole_number(text)
        if number is not None:
            self.assertEqual(number, int(text))

    def test_a_number_up_to_a_most_reads_any_larger_one_as_the_most(self) -> None:
        """Up to 50: 7 is 7, 51 and 5000 digits are 50; a superscript two, a sign or nothing is no number."""
        self.assertEqual(
            [number_up_to(text, 50) for text in ("7", "0050", "51", "9" * 5000)], [7, 50, 50, 50]
        )
        for text in ("", "\u00b2", "-1", "ten"):
            self.assertIsNone(number_up_to(text, 50), text)
