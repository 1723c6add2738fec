"""Safe text and name keys: the rules the server and the bundled client share.

Both sides of the wire need them: the server refuses and scrubs unsafe
characters and keys nicknames and rooms by ``fold``; the client scrubs what
it is sent before a terminal sees it and compares nicknames the way the
server does. They live here, outside the domain, so the client imports
nothing of the server but the protocol's own rules. Pure, no I/O.
"""

import functools
import re
import unicodedata
from collections.abc import Sequence

# Characters never shown to another user: C0 and C1 controls (every
# terminal escape sequence starts with one), surrogates, line and paragraph
# separators, and the bidirectional marks, embeddings, overrides and
# isolates (Unicode TR9) that can make a line display as something else.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
REPLACEMENT = "\ufffd"


# Every request folds a room name or nickname, and every event applied or
# kept folds its room's: the same few names, over and over. A bounded cache
# makes a repeat a dictionary look-up (a third of the cost of two NFKC
# passes), and memory stays fixed whatever names clients throw at it.
@functools.lru_cache(maxsize=4096)
def fold(name: str) -> str:
    """Return the key under which ``name`` is unique.

    NFKC first maps compatibility look-alikes (full-width letters,
    ligatures) to their plain forms; casefold then drops case; a second NFKC
    puts back into normal form what casefold may have decomposed, so that
    ``fold(fold(x)) == fold(x)``.
    """
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def scrub(text: str) -> str:
    """Replace every unsafe character with U+FFFD; the last line of defence.

    Renderers pass every string through this before it goes on the wire, so
    even a bug upstream cannot put an escape sequence on someone's screen.
    """
    return UNSAFE.sub(REPLACEMENT, text.replace("\t", " "))


FILE_NAME_MOST = 200
"""Longest file name kept, in bytes of UTF-8: with a client's ``.part.json`` after it, still under the usual 255."""

FILE_NAME_FALLBACK = "file"
"""The name of a file whose name had nothing safe left in it."""

_NOT_IN_FILE_NAMES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Unicode categories a file name loses: controls (DEL and C1 too), format characters (bidi marks, zero
widths), lone surrogates and the line and paragraph separators."""

_LONGEST_EXTENSION = 20
"""An extension longer than this, in bytes, is no extension worth keeping when a name is cut."""


def safe_file_name(name: str) -> str:
    """``name``, a file's name from another user, as one safe to show and to save: never empty, never a path.

    The server shows an offer's name made safe by it, and the bundled
    client saves a file under it (docs/PROTOCOL.md, "Names"): the last path
    part only (``/`` and ``\\`` both separate), without the characters above,
    leading dots (no hidden files, no ``..``) or spaces round it, cut at a
    character to ``FILE_NAME_MOST`` bytes keeping a short extension.
    """
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(char for char in last if unicodedata.category(char) not in _NOT_IN_FILE_NAMES)
    kept = kept.strip().lstrip(".").strip()
    if len(kept.encode()) > FILE_NAME_MOST:
        kept = _cut_name(kept, FILE_NAME_MOST, "")
    return kept or FILE_NAME_FALLBACK


ELLIPSIS = "\u2026"
"""What stands where a name shown cut lost its middle, so that its reader sees it is not the whole name."""


def elided_file_name(name: str, most: int) -> str:
    """``name`` in at most ``most`` bytes of UTF-8: whole if it fits, else cut at a character with ``ELLIPSIS``
    before its short extension (``a long report….pdf``), so a reader still sees what kind of file it is.

    For a line with no room for a whole name, as an IRC NOTICE of 512 bytes
    (chatd.irc.notices). With no room even for the ellipsis and the
    extension, the ellipsis alone, past ``most``: the name's place still
    shows that something was left out.
    """
    if len(name.encode()) <= most:
        return name
    return _cut_name(name, most, ELLIPSIS)


def _cut_name(name: str, most: int, mark: str) -> str:
    """``name`` cut at a character to ``most`` bytes with ``mark`` after what is kept of its stem, keeping a short
    extension; ``mark`` alone if not even that fits."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension.encode()) > _LONGEST_EXTENSION:
        stem, extension = name, ""
    tail = mark + ("." + extension if extension else "")
    room = most - len(tail.encode())
    if room < 0:
        return mark
    return stem.encode()[:room].decode("utf-8", "ignore").rstrip() + tail


WHOLE_DIGITS_MOST = 18
"""The most digits, leading zeros aside, of a whole number read from a peer (999,999,999,999,999,999 at most).

Every count, page, limit and sequence number a command takes is far below
it, SQLite keeps every such number (2**63 - 1 has 19 digits), and ``int``
reads it whatever ``sys.set_int_max_str_digits`` allows (640 digits at
least, 4,300 by default): past that ``int`` raises ValueError, and a
host's ``--max-line`` lets a line hold 20,000 digits.
"""


def whole_number(text: str) -> int | None:
    """``text`` as a whole number if it is ASCII digits alone, at most ``WHOLE_DIGITS_MOST`` of them past leading
    zeros; None for anything else, which each caller refuses as it refuses a word.

    ``int`` alone reads more and raises on less: it takes other scripts'
    digits (Arabic-Indic ones, say), signs, spaces and ``_``; ``str.isdigit``
    passes a superscript two, which ``int`` refuses with ValueError; and so
    it refuses a number past Python's limit on digits, where a command owes
    its sender its own refusal.
    """
    if not (text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= WHOLE_DIGITS_MOST else None


def number_up_to(text: str, most: int) -> int | None:
    """``text`` as a whole number up to ``most`` if it is ASCII digits alone, a larger one (of however many digits)
    read as ``most``; None for anything else.

    For a number that only bounds an answer (IRC's ``CHATHISTORY`` limit,
    ``WHOWAS`` count, ``LIST >N``): one too long for ``whole_number`` asks
    for more than there is, as a shorter large one does.
    """
    if not (text.isascii() and text.isdigit()):
        return None
    number = whole_number(text)
    return most if number is None else min(number, most)


def counted(count: int, noun: str, figures: str = "") -> str:
    """``count`` of ``noun``, as a sentence says it: ``1 character``, ``5 characters``.

    Every count a sentence gives goes through here, so that a limit set to
    one reads "at most 1 character", not "1 characters". ``figures`` formats
    the number (``","``: ``2,048 bytes``). The plural adds an ``s``: no noun
    counted so far has another.
    """
    return f"{count:{figures}} {noun if count == 1 else noun + 's'}"


def size_words(size: int) -> str:
    """``2.1 MB``: a file's size as people read it (powers of 1,000, one decimal past a kilobyte), as offers and
    ``/file list`` show it, the refusals that name a size of files, and the bundled client its transfers' sizes
    and rates, so that both say the same file's size alike."""
    if size < 1000:
        return f"{size} B"
    shown = size / 1000
    for unit in ("kB", "MB"):
        if shown < 1000:
            return f"{shown:.1f} {unit}"
        shown /= 1000
    return f"{shown:.1f} GB"


def tally_words(joined: int, left: int, renamed: int, members: int) -> str:
    """A big room's tally (issue 18) as every text front end and the client say it.

    ``12 joined, 3 left, 1 changed nickname; 5000 here now``: the counts
    that are not nought, then the crowd.
    """
    counts = ((joined, "joined"), (left, "left"), (renamed, "changed nickname"))
    said = ", ".join(f"{count} {what}" for count, what in counts if count)
    return f"{said or 'nobody came or went'}; {members} here now"


NICK_PUNCTUATION = "-_[]{}\\|^`"
"""What a nickname may hold besides letters, marks and digits: the punctuation IRC users expect (RFC 2812
"special"), in the order the refusals list it (chatd.frontend.text_rules)."""

WORD_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Nd"})
"""The Unicode categories of the letters, marks and digits names are made of."""


def in_nickname(char: str) -> bool:
    """Whether a nickname may hold ``char``: the server's rule (chatd.domain.names), and the client's for finding
    a nickname in a line."""
    return char in NICK_PUNCTUATION or unicodedata.category(char) in WORD_CATEGORIES


EXIT_WORDS = frozenset({"exit", "quit"})
"""Lines that leave the chat, alone on the line, any case: the server reads them as ``/quit``, and the client
leaves on them."""

HELP_WORD = "help"
"""Alone on a line (any case) where a nickname is asked for, a request for help and not a nickname: the server
answers it with a hint (docs/PROTOCOL.md, "What the client sends"), so the bundled client waits for no answer to it
as to a nickname. ``/nick help`` takes the nickname."""


SERVER = "the server"
"""How text front ends name the chat itself where a nickname would stand: the actor of a change nobody made
by hand (``chatd.domain.events.CHAT``), such as the standing identifying gives in a registered room."""


def left_room_reason(room: str) -> str:
    """The ``reason`` a late joiner of ``room``'s offer who left it is told the offer ends for: ``you left #maths``,
    words for people. Every client tells this end from a stop on another connection by the ``file_cancelled``'s
    ``left_room`` (``FileCancelled.left_room``), never by these words."""
    return f"you left {room}"


def message_not_kept_words(to: str, reason: str) -> str:
    """A private message for the offline ``to`` that the server lost after its sender was told it was kept, as text
    front ends tell its sender: ``Your message for alice was not kept after all (the server's disk is full); send
    it again later``."""
    return f"Your message for {to} was not kept after all ({reason}); send it again later"


def registration_undone_words(
    nick: str,
    owner: str | None,
    operators: Sequence[str],
    given: Sequence[str] = (),
    taken: Sequence[str] = (),
) -> str:
    """A room's registration put back after ``nick``'s change to it could not be saved, as text front ends say it.

    ``bob's change to its registration could not be saved: registered to
    alice, operators bob, carol`` (or ``...: not registered``), then whose
    room operator standing that gives back (``given``) or takes
    (``taken``): ``; room operator standing taken from dave``.
    """
    if owner is None:
        kept = "not registered"
    else:
        kept = f"registered to {owner}" + (f", operators {', '.join(operators)}" if operators else "")
    standing = " and".join(
        f" {verb} {', '.join(nicks)}"
        for verb, nicks in (("given back to", given), ("taken from", taken))
        if nicks
    )
    if standing:
        kept += f"; room operator standing{standing}"
    return f"{nick}'s change to its registration could not be saved: {kept}"


def tally_period(seconds: float) -> str:
    """How often a big room's tally comes, as its joiners are told: ``once a minute`` by default."""
    if seconds == 60:
        return "once a minute"
    return "every second" if seconds == 1 else f"every {seconds:g} seconds"
