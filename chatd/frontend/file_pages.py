"""Pages of ``/file list`` (issue 16): where a page of open transfers ends, and the cursor that goes on from there.

A listing is in one order, oldest first: by the microsecond each transfer
began, then by its file id, which no two share. So the place of its last
entry names where the next page begins whether or not that transfer is
still open when the next page is asked for (a look-up by id would fail once
it ended), and transfers begun in the same instant are neither lost nor
shown twice across a page's end.
"""

import math
import re
from typing import NamedTuple

from chatd.frontend.flood import ENTRIES_PER_LINE

FILES_PAGE = 100
"""Most transfers one ``/file list`` answer shows. A user in many rooms may legitimately be offered thousands, and
the page and the terminal client ask for the list as they connect: all of them in one answer (some 300 bytes each
in JSON) could pass the default 256 KiB ``--sendq`` and cut the user off at every connect. 100 is some 30 KB, 10
lines of flood budget with its command's (chatd.frontend.flood's ``file_listing_lines``: the default burst), and a
whole reload's worth for nearly everyone."""


def page_most(held: float) -> int:
    """The most transfers a page may show a connection whose flood budget holds ``held`` lines once its command is
    paid: as many as that pays for (``file_listing_lines``), at most ``FILES_PAGE``, never fewer than what its
    command's line alone pays for.

    The page asks for the list as it connects, its burst part spent on its
    nickname, keys and rooms: a full page then took it past the budget,
    told "The server is slowing this page down" before it had read
    anything; a smaller first page fits, and the pages after it, asked for
    once each ``wait`` is over, are whole.
    """
    return min(FILES_PAGE, (max(0, math.floor(held)) + 1) * ENTRIES_PER_LINE)


_CURSOR = re.compile("([0-9]{1,20})-([0-9a-f]{16})")
"""A cursor as ``cursor_text`` writes one: the microsecond the transfer began, a dash, its file id."""


class Place(NamedTuple):
    """Where a transfer stands in a listing's order: the microsecond it began (rounded), then its file id."""

    began: int
    file: str


def place_of(began: float, file: str) -> Place:
    """The place of the transfer ``file`` that began at ``began`` (seconds): what a listing sorts by."""
    return Place(round(began * 1_000_000), file)


def cursor_text(place: Place) -> str:
    """``place`` as a cursor a client gives back as it is (``/file list after CURSOR``)."""
    return f"{place.began}-{place.file}"


def read_cursor(text: str) -> Place | None:
    """The place the cursor ``text`` names; None if it is not one ``cursor_text`` could have written."""
    match = _CURSOR.fullmatch(text)
    return None if match is None else Place(int(match[1]), match[2])
