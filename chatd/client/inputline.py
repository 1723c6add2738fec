"""Where the line being typed goes on its one terminal row: pure arithmetic in columns.

A line wider than the terminal scrolls sideways instead of wrapping (a
wrapped input line would leave pieces of itself behind when lines are
printed above it). Widths are counted in terminal cells: wide East Asian
characters take two, combining marks none.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass


def cells(text: str) -> int:
    """Terminal columns ``text`` takes."""
    total = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in {"Me", "Cf"}:
            continue
        total += 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1
    return total


@dataclass(frozen=True, slots=True)
class Layout:
    """What to draw after the prompt, where the cursor goes, and the scroll to keep for next time."""

    shown: str
    column: int
    scroll: int


def layout(prompt: str, chars: Sequence[str], index: int, scroll: int, width: int) -> Layout:
    """Lay out ``chars`` (the cursor before ``chars[index]``) after ``prompt`` on a ``width``-column row.

    ``scroll``, the first character shown last time, moves only as far as
    needed to keep the cursor in view, so the text does not jump at every
    key; the last column stays free, so the terminal never wraps.
    """
    room = max(width - 1 - cells(prompt), 1)
    scroll = min(scroll, index)
    while cells("".join(chars[scroll:index])) > room:
        scroll += 1
    # Space left at the end (the terminal grew, text was deleted): show more of the start.
    while scroll > 0 and cells("".join(chars[scroll - 1 :])) <= room:
        scroll -= 1
    shown, used = [], 0
    for char in chars[scroll:]:
        used += cells(char)
        if used > room:
            break
        shown.append(char)
    return Layout("".join(shown), cells(prompt) + cells("".join(chars[scroll:index])), scroll)
