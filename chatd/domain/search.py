"""What ``/search`` finds: the words of a query, and when a line of history matches them; pure.

A query is words separated by spaces; a line matches when it holds every
one of them, each either as words (ignoring case and accents: "cafe"
finds "Café", "qwen3 6" finds "qwen3.6") or as a piece of text ignoring
case ("wen3.6" finds "qwen3.6", a fragment of a URL, "東京都" inside a
longer line). Every character is text: nothing a user types is search
syntax. The SQLite store answers this with its two FTS5 indexes
(chatd.storage.sqlite); ``matches`` is the same rule in Python, for the
memory store and for queries too short for the indexes.

A trigram index cannot look up fewer than three characters, so a query
with a word that short reads the last ``SCAN_LINES`` lines of the room
rather than the whole of it (``scans``). Whatever reads lines to check them
here reads at most ``SCAN_LINES`` of them and ``SCAN_CHARACTERS`` of their
text (``scanned``): a paste is thousands of characters, each one folded. A
store answers with how many it checked (``Found``), for the front end to
charge.

A search may be bounded to a ``Period`` of the order of events (IRC's
``before=``/``after=``, the line protocol's ``before ID``): the store looks only there, so a client pages
back through older hits by asking before the oldest it was shown.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import dropwhile, islice, takewhile
from typing import TypeVar

from chatd.domain.errors import SearchWordsError
from chatd.domain.events import Event, RoomEvent, Whispered
from chatd.domain.ids import Point
from chatd.domain.names import check_text

SEARCH_HITS = 20
"""Lines one search shows at most, the newest first: a screen, as /history's default."""

MOST_WORDS = 8
"""Words one query may hold: each is an index look-up for every line it checks."""

SHORTEST_INDEXED = 3
"""The fewest characters the trigram index can look up."""

SCAN_LINES = 10_000
"""Lines of a room a query with a shorter word reads, newest first: a bound on work no index helps with."""

SCAN_CHARACTERS = 2_000_000
"""Characters of text one read checks at most: ``SCAN_LINES`` lines of 200. A room of pastes (20 lines of 480
each) had a two-letter word check 99 MB, five seconds of a core, for one line of flood budget."""

T = TypeVar("T")
E = TypeVar("E", bound=Event)

_WORD = re.compile(r"[^\W_]+")
"""A run of letters and digits: a word as FTS5's unicode61 tokenizer cuts text (punctuation and spaces separate)."""


def search_words(query: str) -> tuple[str, ...]:
    """The words of ``query``, split at spaces; raises SearchWordsError if none or more than ``MOST_WORDS``.

    The query is text as a line said is (``check_text``): a control or bidi
    character refuses it (InvalidTextError; no line holds one, and FTS5
    reads a NUL as the end of its query), and what shows as nothing is
    dropped, as it was from the lines kept.
    """
    words = tuple(check_text(query).split())
    if not 1 <= len(words) <= MOST_WORDS:
        raise SearchWordsError(len(words), MOST_WORDS)
    return words


def scans(words: tuple[str, ...]) -> bool:
    """Whether a query of ``words`` is answered by reading the last ``SCAN_LINES`` lines, not by the indexes."""
    return any(len(word) < SHORTEST_INDEXED for word in words)


class Checked:
    """The characters of text one search has checked so far: ``scanned`` adds each row's it lets through.

    What a search cost the store: a few lines the index found are a few
    hundred characters, a word whose trigrams are in every line of a room
    of pastes millions (``SCAN_CHARACTERS`` for each of the index's walks).
    """

    __slots__ = ("characters",)

    def __init__(self) -> None:
        self.characters = 0


@dataclass(frozen=True, slots=True)
class Found:
    """A search's answer: the lines found, newest first, and the characters of text checked to find them (``Checked``),
    which the front end charges to the flood budget (chatd.frontend.searches).

    The lines are a room's (said or acted), or a conversation's private messages (``Whispered``: an ``Encrypted``
    one holds only ciphertext, never searched).
    """

    events: Sequence[RoomEvent | Whispered]
    checked: int


@dataclass(frozen=True, slots=True)
class Period:
    """Where in the order of events (chatd.domain.ids) a search looks: the events with an id from ``start`` on
    (None: from the first) and below ``end`` (None: to the last).

    The bound is the search's own, not a filter of its answer: the
    newest ``SEARCH_HITS`` lines of the period are found, and lines after
    it use up none of what a search may check (``scanned``).
    """

    start: str | None = None
    end: str | None = None


EVER = Period()
"""Every event kept: a search unbounded."""


def period_between(after: Point | None, before: Point | None) -> Period:
    """The events after the point ``after`` and before the point ``before`` (None: unbounded on that side), as
    CHATHISTORY's AFTER and BEFORE name them: neither point's own events (a time's millisecond) are in it."""
    return Period(None if after is None else after.end, None if before is None else before.start)


def within(newest: Iterable[E], period: Period) -> Iterable[E]:
    """The events of ``newest`` (newest first, in the order of their ids) in ``period``: those after it skipped,
    those before it never read; ``newest`` itself for ``EVER``, at no cost per event."""
    if period.end is not None:
        end = period.end
        newest = dropwhile(lambda event: event.id >= end, newest)
    if period.start is not None:
        start = period.start
        newest = takewhile(lambda event: event.id >= start, newest)
    return newest


def found_in(
    rows: Iterable[T], text: Callable[[T], str], words: tuple[str, ...], limit: int
) -> tuple[list[T], int]:
    """The first ``limit`` of ``rows`` (newest first) whose ``text`` holds every one of ``words``, of those
    ``scanned`` lets a search check, and the characters it checked: a scan, whatever the store."""
    checked = Checked()
    found = list(islice((row for row in scanned(rows, text, checked) if matches(words, text(row))), limit))
    return found, checked.characters


def scanned(rows: Iterable[T], text: Callable[[T], str], checked: Checked) -> Iterator[T]:
    """``rows`` (newest first) up to ``SCAN_LINES`` of them and ``SCAN_CHARACTERS`` of their ``text``: what one
    search may check with ``matches``, whatever the store and the index leave it. The characters of each row let
    through are added to ``checked``."""
    left = SCAN_CHARACTERS
    for number, row in enumerate(rows):
        size = len(text(row))
        left -= size
        if number == SCAN_LINES or left < 0:
            return
        checked.characters += size
        yield row


def matches(words: tuple[str, ...], text: str) -> bool:
    """Whether ``text`` holds every one of ``words``, as words (no case, no accents) or as text (no case)."""
    folded = text.casefold()
    tokens: list[str] | None = None
    for word in words:
        if word.casefold() in folded:
            continue
        if tokens is None:
            tokens = _tokens(text)
        wanted = _tokens(word)
        if not wanted or not _contains(tokens, wanted):
            return False
    return True


_ACCENT_BLOCKS = (
    (0x0300, 0x036F),  # Combining Diacritical Marks: the accents of Latin, Greek and Cyrillic letters
    (0x0483, 0x0489),  # Cyrillic's own (titlo)
    (0x0591, 0x05C7),  # Hebrew points: vowels and cantillation, left out in most writing
    (0x0610, 0x061A),  # Arabic marks over and under letters,
    (0x064B, 0x065F),  # and its short vowels (harakat),
    (0x0670, 0x0670),  # likewise left out in most writing
    (0x06D6, 0x06ED),
    (0x1AB0, 0x1AFF),  # Combining Diacritical Marks Extended,
    (0x1DC0, 0x1DFF),  # Supplement,
    (0x20D0, 0x20FF),  # for Symbols,
    (0xFE20, 0xFE2F),  # and Combining Half Marks
)

_ACCENTS = {
    point: None
    for first, last in _ACCENT_BLOCKS
    for point in range(first, last + 1)
    if unicodedata.category(chr(point)).startswith("M")
}
"""The combining marks ``folded`` takes off, for ``str.translate``: accents a writer may leave out.

Other marks are part of the letter: a kana's voicing (カ is not ガ), a Thai
tone (ขาว "white" is not ข้าว "rice"), an Indic virama."""


def folded(text: str) -> str:
    """``text`` without case or accents (``_ACCENTS``), in every script that has them: what its words are compared as.

    FTS5's unicode61 tokenizer takes accents off Latin letters alone and
    folds no ß, so the SQLite store gives its word index this of a line
    that is not ASCII, and of each word asked for: "γεια" finds "Γειά",
    "strasse" finds "Straße", "محمد" finds "مُحَمَّد", as here. What is left is
    composed again (NFC), so a ガ typed as カ and its voicing mark is ガ.
    """
    lower = text.casefold()
    if lower.isascii():
        # Nothing to decompose: most lines, at a tenth of the cost of the normalizing below.
        return lower
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKD", lower).translate(_ACCENTS))


def _tokens(text: str) -> list[str]:
    """The words of ``text`` without case or accents (``folded``), as the SQLite store's word index holds them."""
    return _WORD.findall(folded(text))


def _contains(tokens: list[str], wanted: list[str]) -> bool:
    """Whether ``wanted`` appears in ``tokens`` as a run, one after the other (an FTS5 phrase)."""
    # list.index finds each place the run may start in C: a Python loop over every token of a paste was most of
    # what a search that finds nothing cost.
    first, size = wanted[0], len(wanted)
    start = 0
    while True:
        try:
            start = tokens.index(first, start)
        except ValueError:
            return False
        if tokens[start : start + size] == wanted:
            return True
        start += 1
