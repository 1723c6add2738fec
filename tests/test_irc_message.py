"""chatd.irc.message: IRC lines <-> ``Message``, by Modern IRC and IRCv3 message-tags.

The example lines are ours, written to exercise each rule of the two
documents; the properties cover what examples cannot: every valid message
survives render then parse, and no text makes ``parse`` raise anything but
``ParseError``.
"""

import contextlib
import operator

from hypothesis import example, given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.irc.message import MAX_PARAMS, Message, ParseError, RenderError, parse, render

# What IRCv3 calls a key: an optional client-only "+", an optional vendor
# (a host name) and "/", then letters, digits and hyphens.
TAG_KEYS = st.from_regex(r"\+?([a-z0-9-]+(\.[a-z0-9-]+)*/)?[A-Za-z0-9-]+", fullmatch=True)
# Any value but one holding NUL, which no escape can carry.
TAG_VALUES = st.text(st.characters(codec="utf-8", blacklist_characters="\0"))
WORD = st.characters(codec="utf-8", blacklist_characters=" \0\r\n")
SOURCES = st.none() | st.text(WORD, min_size=1)
COMMANDS = st.from_regex(r"[A-Z]+|[0-9]{3}", fullmatch=True)
MIDDLES = st.text(WORD, min_size=1).filter(lambda param: not param.startswith(":"))
LASTS = st.text(st.characters(codec="utf-8", blacklist_characters="\0\r\n"))
# Characters that mean something to the parser, so random text reaches every branch.
IRCISH = st.text(st.sampled_from("@:;= \\+/!aZ09\r\n\0\t") | st.characters())


@st.composite
def messages(draw: st.DrawFn) -> Message:
    """Any message ``render`` accepts: keys and params as the grammar has them, at most 15 params."""
    middles = draw(st.lists(MIDDLES, max_size=MAX_PARAMS - 1))
    last = draw(st.lists(LASTS, max_size=1))
    return Message(
        tags=draw(st.dictionaries(TAG_KEYS, TAG_VALUES, max_size=5)),
        source=draw(SOURCES),
        command=draw(COMMANDS),
        params=tuple(middles + last),
    )


class ParseTests(SynchronousTestCase):
    def test_tags_source_command_and_params(self) -> None:
        """Tags, source, command and params are each read from their part of the line."""
        self.assertEqual(
            parse("@id=7Q;flag;chatd.test/mood=calm :ann!a@chatd.test PRIVMSG #tea :Morning all"),
            Message(
                tags={"id": "7Q", "flag": "", "chatd.test/mood": "calm"},
                source="ann!a@chatd.test",
                command="PRIVMSG",
                params=("#tea", "Morning all"),
            ),
        )

    def test_bare_command(self) -> None:
        """A line may be a command alone, with no tags, source or params."""
        self.assertEqual(parse("QUIT"), Message(command="QUIT"))

    def test_command_is_upper_cased(self) -> None:
        """Commands are case-insensitive: a lower-case one is read as upper case."""
        self.assertEqual(parse("join #tea").command, "JOIN")

    def test_numeric_command(self) -> None:
        """A command may be three digits: a numeric reply."""
        self.assertEqual(
            parse(":chatd.test 001 ann :Welcome, ann"),
            Message(source="chatd.test", command="001", params=("ann", "Welcome, ann")),
        )

    def test_trailing_param_may_be_empty(self) -> None:
        """A lone colon is an empty last parameter."""
        self.assertEqual(parse("CAP * ACK :").params, ("*", "ACK", ""))

    def test_trailing_param_keeps_spaces_and_colons(self) -> None:
        """After " :" the rest of the line is one parameter, spaces and colons included."""
        self.assertEqual(
            parse("PRIVMSG #tea :see you at 10:30 : bye  ").params, ("#tea", "see you at 10:30 : bye  ")
        )

    def test_trailing_param_starting_with_colon(self) -> None:
        """Only the first colon marks the trailing parameter; a second one is its text."""
        self.assertEqual(parse("PRIVMSG #tea ::)").params, ("#tea", ":)"))

    def test_last_param_without_colon_is_the_same(self) -> None:
        """A last parameter sent without a colon means the same as one sent with it."""
        self.assertEqual(parse("PRIVMSG #tea hello"), parse("PRIVMSG #tea :hello"))

    def test_middle_param_may_hold_colons(self) -> None:
        """A colon inside a middle parameter does not start the trailing one."""
        self.assertEqual(parse("MODE #tea +k a:b").params, ("#tea", "+k", "a:b"))

    def test_several_spaces_separate_like_one(self) -> None:
        """Parts and parameters may be separated by several spaces; spaces at either end add nothing."""
        self.assertEqual(
            parse("  @a=1   :ann   PRIVMSG   #tea   hi  "),
            Message(tags={"a": "1"}, source="ann", command="PRIVMSG", params=("#tea", "hi")),
        )

    def test_only_space_separates(self) -> None:
        """A tab is part of a parameter, not a separator."""
        self.assertEqual(parse("PRIVMSG #tea\thi").params, ("#tea\thi",))

    def test_more_than_fifteen_params_are_all_kept(self) -> None:
        """Any number of parameters is read, and a 15th does not swallow the rest of the line."""
        words = tuple(str(n) for n in range(20))
        self.assertEqual(parse("CMD " + " ".join(words)).params, words)

    def test_fifteenth_param_is_one_word(self) -> None:
        """RFC 2812's 15th parameter that takes the rest without a colon is not applied."""
        self.assertEqual(parse("CMD " + "x " * 14 + "last words").params[14:], ("last", "words"))


class TagTests(SynchronousTestCase):
    def test_escapes_are_undone(self) -> None:
        r"""\: \s \\ \r and \n stand for a semicolon, a space, a backslash, CR and LF."""
        self.assertEqual(parse(r"@k=a\:b\sc\\d\re\nf TAGMSG #tea").tags, {"k": "a;b c\\d\re\nf"})

    def test_raw_punctuation_is_kept(self) -> None:
        """Plus, colon, equals and comma travel unescaped in a value."""
        self.assertEqual(parse("@+chatd.test/x=1+1:2=,3 TAGMSG #tea").tags, {"+chatd.test/x": "1+1:2=,3"})

    def test_lone_final_backslash_is_dropped(self) -> None:
        """A backslash with nothing after it stands for nothing."""
        self.assertEqual(parse("@k=end\\ TAGMSG #tea").tags, {"k": "end"})

    def test_escaped_backslash_before_the_end_is_kept(self) -> None:
        r"""\\ at the end of a value is one backslash, not a lone one."""
        self.assertEqual(parse(r"@k=end\\ TAGMSG #tea").tags, {"k": "end\\"})

    def test_unknown_escape_drops_the_backslash(self) -> None:
        r"""\q, not an escape, stands for q."""
        self.assertEqual(parse(r"@k=\q\t TAGMSG #tea").tags, {"k": "qt"})

    def test_missing_and_empty_values_are_both_empty(self) -> None:
        """A key with no "=", and one with nothing after it, both have the value ""."""
        self.assertEqual(parse("@a;b= TAGMSG #tea").tags, {"a": "", "b": ""})

    def test_last_duplicate_wins(self) -> None:
        """Of a key given twice, the last value is kept."""
        self.assertEqual(parse("@k=1;j;k=2 TAGMSG #tea").tags, {"k": "2", "j": ""})

    def test_client_only_prefix_is_part_of_the_key(self) -> None:
        """A client-only tag keeps its "+": it is another key than the one without."""
        self.assertEqual(
            parse("@+typing=active;typing=x TAGMSG #tea").tags, {"+typing": "active", "typing": "x"}
        )

    def test_empty_keys_are_skipped(self) -> None:
        """Empty tags between semicolons, and a value with no key, are skipped."""
        self.assertEqual(parse("@;a=1;;=2; TAGMSG #tea").tags, {"a": "1"})

    def test_empty_tags_part_means_no_tags(self) -> None:
        """An "@" with no tags after it gives a message with no tags."""
        self.assertEqual(parse("@ TAGMSG #tea"), Message(command="TAGMSG", params=("#tea",)))

    def test_tags_are_read_only(self) -> None:
        """A parsed message's tags cannot be changed."""
        tags = parse("@a=1 TAGMSG #tea").tags
        self.assertRaises(TypeError, operator.setitem, tags, "a", "2")

    def test_message_copies_the_tags_it_is_given(self) -> None:
        """Changing the mapping a message was built from does not change the message."""
        tags = {"a": "1"}
        message = Message(tags=tags, command="TAGMSG")
        tags["a"] = "2"
        self.assertEqual(message.tags, {"a": "1"})


class ParseErrorTests(SynchronousTestCase):
    def assert_refused(self, text: str, reason: str) -> None:
        with self.assertRaises(ParseError) as caught:
            parse(text)
        self.assertEqual(caught.exception.reason, reason)

    def test_empty_line(self) -> None:
        """An empty line, or one of spaces only, is refused as empty."""
        self.assert_refused("", "empty line")
        self.assert_refused("   ", "empty line")

    def test_forbidden_characters(self) -> None:
        """NUL, CR and LF are refused wherever they are, a lone CR inside the line included."""
        for text in ("PRIVMSG #tea :a\0b", "PRIVMSG #tea :a\rb", "PRIVMSG #tea :a\nb", "@k=\0 PING x"):
            self.assert_refused(text, "forbidden character")

    def test_tags_with_no_message(self) -> None:
        """Tags followed by nothing, or by spaces only, are refused."""
        self.assert_refused("@k=v", "tags with no message")
        self.assert_refused("@k=v   ", "tags with no message")

    def test_empty_source(self) -> None:
        """A colon with no source after it is refused."""
        self.assert_refused(": PRIVMSG #tea hi", "empty source")

    def test_source_with_no_command(self) -> None:
        """A source followed by nothing is refused for its missing command."""
        self.assert_refused(":ann", "no command")
        self.assert_refused("@k :ann  ", "no command")

    def test_bad_commands(self) -> None:
        """A command that is neither letters nor three digits is refused."""
        for text in ("12 x", "1234 x", "PRIV2MSG x", "ÉTÉ x", "#tea hi", "PRIVMSG:x"):
            self.assert_refused(text, "bad command")

    @settings(max_examples=500)
    @given(IRCISH)
    @example("@")
    @example(":")
    @example("@ :")
    @example("@k=\\")
    def test_only_parse_errors(self, text: str) -> None:
        """Whatever the text, parse returns a message or raises ParseError, nothing else."""
        with contextlib.suppress(ParseError):
            parse(text)


class RenderTests(SynchronousTestCase):
    def test_full_message(self) -> None:
        """Tags, source, command and params are written in that order, separated by one space."""
        message = Message(
            tags={"time": "2026-01-02T03:04:05.000Z", "+x": ""},
            source="ann!a@chatd.test",
            command="PRIVMSG",
            params=("#tea", "Morning all"),
        )
        self.assertEqual(
            render(message), "@time=2026-01-02T03:04:05.000Z;+x :ann!a@chatd.test PRIVMSG #tea :Morning all"
        )

    def test_tag_values_are_escaped(self) -> None:
        """Semicolon, space, backslash, CR and LF are written as their escapes."""
        message = Message(tags={"k": "a;b c\\d\re\nf"}, command="TAGMSG", params=("#tea",))
        self.assertEqual(render(message), r"@k=a\:b\sc\\d\re\nf TAGMSG #tea")

    def test_last_param_gets_a_colon_only_when_needed(self) -> None:
        """The last parameter has a colon when empty, starting with one or holding a space, only then."""
        cases = {
            "hi": "PRIVMSG #tea hi",
            "": "PRIVMSG #tea :",
            ":)": "PRIVMSG #tea ::)",
            "a b": "PRIVMSG #tea :a b",
        }
        for last, line in cases.items():
            self.assertEqual(render(Message(command="PRIVMSG", params=("#tea", last))), line)

    def test_no_params(self) -> None:
        """A message with no params is its command alone."""
        self.assertEqual(render(Message(command="QUIT")), "QUIT")

    def assert_refused(self, message: Message, reason: str) -> None:
        with self.assertRaises(RenderError) as caught:
            render(message)
        self.assertEqual(caught.exception.reason, reason)

    def test_middle_params_that_would_not_survive(self) -> None:
        """A middle parameter that is empty, starts with a colon or holds a space is refused."""
        for middle in ("", ":x", "a b"):
            self.assert_refused(Message(command="MODE", params=(middle, "x")), "bad middle parameter")

    def test_forbidden_characters(self) -> None:
        """NUL, CR or LF in a parameter or source, or NUL in a tag value, is refused."""
        self.assert_refused(Message(command="MODE", params=("a\rb", "x")), "bad middle parameter")
        self.assert_refused(Message(command="PRIVMSG", params=("#tea", "a\nb")), "bad last parameter")
        self.assert_refused(Message(source="a\0", command="PING"), "bad source")
        self.assert_refused(Message(tags={"k": "\0"}, command="PING"), "bad tag value")

    def test_bad_sources(self) -> None:
        """An empty source, or one holding a space, is refused."""
        self.assert_refused(Message(source="", command="PING"), "bad source")
        self.assert_refused(Message(source="a b", command="PING"), "bad source")

    def test_bad_tag_keys(self) -> None:
        """A tag key that is empty or holds "=", ";" or a space is refused."""
        for key in ("", "a=b", "a;b", "a b"):
            self.assert_refused(Message(tags={key: "v"}, command="PING"), "bad tag key")

    def test_bad_commands(self) -> None:
        """A command that is not upper-case letters or three digits is refused."""
        for command in ("privmsg", "", "12", "PRIV MSG"):
            self.assert_refused(Message(command=command), "bad command")

    def test_more_than_fifteen_params(self) -> None:
        """Sixteen parameters are refused: Modern IRC says not to send more than fifteen."""
        render(Message(command="CMD", params=("x",) * MAX_PARAMS))
        self.assert_refused(Message(command="CMD", params=("x",) * (MAX_PARAMS + 1)), "too many parameters")

    @settings(max_examples=500)
    @given(messages())
    def test_render_then_parse_gives_the_message_back(self, message: Message) -> None:
        """Any message render accepts comes back unchanged from parse."""
        self.assertEqual(parse(render(message)), message)
