"""chatd.irc.framing: bytes in any chunks -> whole lines, each decoded on its own.

The limits are written here as the specs state them (512 bytes for a
message with its CR LF, 8191 for tags with their "@" and space), not read
from the module, so a change to either shows up as a failing test. The
properties compare the splitter with ``expected``, the rules applied to
whole input at once, however the input is cut into reads.
"""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.irc.framing import LineSplitter, NotUtf8, Overlong, Received

MAX_TEXT = 510
"""Bytes of a message without its tags or CR LF: 512 with them (RFC 1459, Modern IRC)."""
MAX_TAGS = 8191
"""Bytes of a tags part, from its "@" to the space after it, both included (IRCv3 message-tags)."""
MAX_PENDING = MAX_TAGS + MAX_TEXT + 1
"""The most an unfinished line may hold: the longest tags and text, and the CR of a CR LF."""


def expected(data: bytes) -> list[Received]:
    """What whole ``data``, ending in LF, gives by the rules: split on LF, one CR stripped, limits, UTF-8."""
    received: list[Received] = []
    for line in data.split(b"\n")[:-1]:
        line = line.removesuffix(b"\r")
        tags, text = b"", line
        if line.startswith(b"@"):
            tags, _, text = line.partition(b" ")
            tags += b" "  # the space it ends with, or would have to
        if len(tags) > MAX_TAGS or len(text) > MAX_TEXT:
            received.append(Overlong())
            continue
        try:
            received.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            received.append(NotUtf8(line))
    return received


def feed_all(chunks: list[bytes]) -> list[Received]:
    """What one splitter gives for ``chunks`` read in turn, checking its buffer after each read."""
    splitter = LineSplitter()
    received: list[Received] = []
    for chunk in chunks:
        received += splitter.feed(chunk)
        assert splitter.pending <= MAX_PENDING, splitter.pending
    return received


def cut(data: bytes, positions: list[int]) -> list[bytes]:
    """``data`` cut at ``positions``, as reads might deliver it."""
    edges = [0, *sorted(position % (len(data) + 1) for position in positions), len(data)]
    return [data[start:end] for start, end in itertools.pairwise(edges)]


# Pieces that, joined, make streams with every kind of line: text, endings,
# bytes of split UTF-8 characters, Latin-1, NUL, and lines just under and
# just over each limit, tagged or not.
PIECES = st.one_of(
    st.binary(max_size=12),
    st.text(max_size=12).map(str.encode),
    st.sampled_from([b"\n", b"\r\n", b"\r", b"@", b" ", b"\xc3", b"\xa9", b"\xe9", "é€😀".encode(), b"\0"]),
    st.integers(MAX_TEXT - 3, MAX_TEXT + 3).map(lambda n: b"x" * n),
    st.integers(MAX_TAGS - 4, MAX_TAGS + 2).map(lambda n: b"@" + b"t" * (n - 2) + b" "),
)
STREAMS = st.lists(PIECES, max_size=12).map(lambda pieces: b"".join(pieces) + b"\n")


class LineTests(SynchronousTestCase):
    def test_lf_and_crlf_both_end_a_line(self) -> None:
        """A line ends at LF, and a CR just before it is not part of the line."""
        self.assertEqual(
            LineSplitter().feed(b"NICK ann\r\nUSER a 0 * :Ann\n"), ["NICK ann", "USER a 0 * :Ann"]
        )

    def test_bare_cr_stays_in_the_line(self) -> None:
        """A CR not followed by LF does not end a line: it is part of it."""
        self.assertEqual(LineSplitter().feed(b"PING a\rb\r\n"), ["PING a\rb"])

    def test_only_one_cr_is_stripped(self) -> None:
        """Of two CRs before an LF, one stays in the line."""
        self.assertEqual(LineSplitter().feed(b"PING a\r\r\n"), ["PING a\r"])

    def test_empty_lines_are_given_empty(self) -> None:
        """Empty lines, with or without a CR, are given as empty text: the connection charges each as a line."""
        self.assertEqual(LineSplitter().feed(b"\n\r\n\nPING a\n\r\n"), ["", "", "", "PING a", ""])

    def test_unfinished_line_waits_for_its_lf(self) -> None:
        """A line is given only once its LF has arrived, joined from every read it came in."""
        splitter = LineSplitter()
        self.assertEqual(splitter.feed(b"PRIVMSG #tea :he"), [])
        self.assertEqual(splitter.pending, 16)
        self.assertEqual(splitter.feed(b"llo\r"), [])
        self.assertEqual(splitter.feed(b"\nPI"), ["PRIVMSG #tea :hello"])
        self.assertEqual(splitter.pending, 2)

    def test_character_split_across_reads(self) -> None:
        """A UTF-8 character whose bytes arrive in different reads decodes whole."""
        splitter = LineSplitter()
        line = "PRIVMSG #tea :thé 😀\n".encode()
        received = [splitter.feed(line[n : n + 1]) for n in range(len(line))]
        self.assertEqual(received[-1], ["PRIVMSG #tea :thé 😀"])
        self.assertEqual([given for read in received for given in read], ["PRIVMSG #tea :thé 😀"])

    def test_latin1_line_is_reported_alone(self) -> None:
        """A line that is not UTF-8 is reported with its bytes; the lines around it are read as usual."""
        self.assertEqual(
            LineSplitter().feed(b"PING a\nPRIVMSG #tea :caf\xe9\r\nPING \xc3\xa9\n"),
            ["PING a", NotUtf8(b"PRIVMSG #tea :caf\xe9"), "PING é"],
        )

    def test_truncated_character_at_line_end(self) -> None:
        """A line ending in half a character is not UTF-8; the next line is."""
        self.assertEqual(
            LineSplitter().feed(b"PING \xc3\n\xa9\nPING b\n"),
            [NotUtf8(b"PING \xc3"), NotUtf8(b"\xa9"), "PING b"],
        )


class LimitTests(SynchronousTestCase):
    def test_message_limit_counts_the_crlf(self) -> None:
        """510 bytes of text and CR LF make 512 and pass; 511 bytes are too long."""
        self.assertEqual(LineSplitter().feed(b"x" * MAX_TEXT + b"\r\n"), ["x" * MAX_TEXT])
        self.assertEqual(LineSplitter().feed(b"x" * (MAX_TEXT + 1) + b"\r\n"), [Overlong()])

    def test_bare_lf_line_has_the_same_limit(self) -> None:
        """A line ending in LF alone may hold 510 bytes of text too, not 511."""
        self.assertEqual(LineSplitter().feed(b"x" * MAX_TEXT + b"\n"), ["x" * MAX_TEXT])
        self.assertEqual(LineSplitter().feed(b"x" * (MAX_TEXT + 1) + b"\n"), [Overlong()])

    def test_limit_is_in_bytes_not_characters(self) -> None:
        """255 two-byte characters are 510 bytes and pass; one more byte is too long."""
        self.assertEqual(LineSplitter().feed("é".encode() * 255 + b"\n"), ["é" * 255])
        self.assertEqual(LineSplitter().feed("é".encode() * 255 + b"x\n"), [Overlong()])

    def test_tags_limit_counts_at_sign_and_space(self) -> None:
        """A tags part of 8191 bytes with its "@" and space passes beside 510 bytes of text; one more byte does not."""
        tags = b"@k=" + b"v" * (MAX_TAGS - 4) + b" "
        self.assertEqual(len(tags), MAX_TAGS)
        text = b"P" * MAX_TEXT
        self.assertEqual(LineSplitter().feed(tags + text + b"\r\n"), [(tags + text).decode()])
        self.assertEqual(LineSplitter().feed(b"@x" + tags[1:] + text + b"\r\n"), [Overlong()])
        self.assertEqual(LineSplitter().feed(tags + text + b"P\r\n"), [Overlong()])

    def test_text_after_tags_counted_from_the_first_space(self) -> None:
        """Spaces after the first one that ends the tags count as the message's."""
        line = b"@k " + b" " * 10 + b"P" * (MAX_TEXT - 10)
        self.assertEqual(LineSplitter().feed(line + b"\n"), [line.decode()])
        self.assertEqual(LineSplitter().feed(line + b"P\n"), [Overlong()])

    def test_untagged_line_gets_no_tag_allowance(self) -> None:
        """Only a line starting with "@" has room for tags: another is held to 510 bytes."""
        self.assertEqual(LineSplitter().feed(b"PRIVMSG #tea :@" + b"x" * MAX_TEXT + b"\n"), [Overlong()])

    def test_overlong_line_reported_before_its_end(self) -> None:
        """A line is reported as soon as it is too long, once, and its rest is dropped up to its LF."""
        splitter = LineSplitter()
        self.assertEqual(splitter.feed(b"PING a\n" + b"x" * (MAX_TEXT + 1)), ["PING a"])
        self.assertEqual(splitter.feed(b"x"), [Overlong()])
        self.assertEqual(splitter.pending, 0)
        self.assertEqual(splitter.feed(b"x" * 100_000), [])
        self.assertEqual(splitter.pending, 0)
        self.assertEqual(splitter.feed(b"x\r\nPING b\n"), ["PING b"])

    def test_tags_without_a_space_in_time_are_reported(self) -> None:
        """A tags part still without its space after 8191 bytes is reported then, not at its LF."""
        splitter = LineSplitter()
        self.assertEqual(splitter.feed(b"@" + b"t" * (MAX_TAGS - 1)), [])
        self.assertEqual(splitter.feed(b"t"), [Overlong()])
        self.assertEqual(splitter.feed(b" PING a\nPING b\n"), ["PING b"])

    @settings(max_examples=200)
    @given(
        st.booleans(),
        st.integers(min_value=1, max_value=MAX_TAGS + 20),
        st.integers(min_value=1, max_value=MAX_TEXT + 20),
        st.sampled_from([b"\n", b"\r\n"]),
    )
    def test_limits_as_the_specs_measure_them(
        self, tagged: bool, tags_size: int, text_size: int, end: bytes
    ) -> None:
        """A line passes exactly when its tags part and its text are each within their limit."""
        tags = b"@" + b"t" * max(tags_size - 2, 0) + b" " if tagged else b""
        line = tags + b"P" * text_size
        fits = len(tags) <= MAX_TAGS and text_size <= MAX_TEXT
        self.assertEqual(LineSplitter().feed(line + end), [line.decode()] if fits else [Overlong()])


class ChunkingTests(SynchronousTestCase):
    # Each example is fed once per byte of a stream up to 100 kB long: fewer examples, kept to seconds.
    @settings(max_examples=25, deadline=None)
    @given(STREAMS)
    def test_every_split_point_gives_the_same_lines(self, data: bytes) -> None:
        """The stream cut in two at any byte gives what the rules give for it whole."""
        whole = expected(data)
        for position in range(len(data) + 1):
            self.assertEqual(feed_all([data[:position], data[position:]]), whole)

    @settings(max_examples=300)
    @given(STREAMS, st.lists(st.integers(min_value=0), max_size=30))
    def test_any_chunking_gives_the_same_lines(self, data: bytes, positions: list[int]) -> None:
        """The stream cut into any reads, empty ones included, gives what the rules give for it whole."""
        self.assertEqual(feed_all(cut(data, positions)), expected(data))

    def test_a_stream_at_the_limits_split_everywhere(self) -> None:
        """A stream holding a tagged line at both limits, an overlong one and a split character, cut at every byte."""
        tagged = b"@k=" + b"v" * (MAX_TAGS - 4) + b" " + b"P" * MAX_TEXT
        data = b"PING \xc3\xa9\r\n" + tagged + b"\r\n" + b"x" * (MAX_TEXT + 1) + b"\nPING \xe9\nPING b\n"
        want: list[Received] = ["PING é", tagged.decode(), Overlong(), NotUtf8(b"PING \xe9"), "PING b"]
        self.assertEqual(expected(data), want)
        for position in range(len(data) + 1):
            self.assertEqual(feed_all([data[:position], data[position:]]), want)


class IsolationTests(SynchronousTestCase):
    @settings(max_examples=300)
    @given(
        st.lists(
            st.one_of(
                st.text(st.characters(codec="utf-8", blacklist_characters="\r\n"), min_size=1, max_size=80),
                st.binary(min_size=1, max_size=80).filter(
                    lambda line: b"\n" not in line and not line.endswith(b"\r")
                ),
            ),
            max_size=8,
        ),
        st.lists(st.integers(min_value=0), max_size=10),
    )
    def test_bad_utf8_never_touches_its_neighbours(
        self, lines: list[str | bytes], positions: list[int]
    ) -> None:
        """Each line is decoded alone: a valid one is given whole, an invalid one reported with its bytes."""
        encoded = [line.encode() if isinstance(line, str) else line for line in lines]
        want: list[Received] = []
        for line in encoded:
            try:
                want.append(line.decode("utf-8"))
            except UnicodeDecodeError:
                want.append(NotUtf8(line))
        data = b"".join(line + b"\r\n" for line in encoded)
        self.assertEqual(feed_all(cut(data, positions)), want)

    @settings(max_examples=200)
    @given(
        st.booleans(),
        st.integers(min_value=1, max_value=30_000),
        st.lists(st.integers(min_value=0), max_size=20),
    )
    def test_overlong_line_reported_once_and_never_held(
        self, tagged: bool, excess: int, positions: list[int]
    ) -> None:
        """However long a line and however it is read, it is reported once, the splitter never holds
        more than one line's limit, and the line after it is read as usual."""
        long_line = b"@" + b"t" * (MAX_TAGS - 2 + excess) if tagged else b"x" * (MAX_TEXT + excess)
        data = b"PING a\n" + long_line + b"\r\nPING b\n"
        self.assertEqual(feed_all(cut(data, positions)), ["PING a", Overlong(), "PING b"])
