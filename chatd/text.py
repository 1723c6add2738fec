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
