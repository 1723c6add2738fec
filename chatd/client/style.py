"""How a client line looks: local time, a marker per kind of line, colours, mentions.

Pure, like the renderers that use it (render.py, eventlines.py, replylines.py). Colour is SGR only (bold, dim, a
foreground); without colour, the marker alone tells the kinds apart, and
not one escape code is written. Nicknames are compared as the server
compares them, folded (chatd.text.fold).
"""

import enum
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from chatd.text import fold, in_nickname

NICK_PALETTE = (32, 33, 34, 35, 36, 92, 93, 94, 95, 96)
"""SGR foreground colours for nicknames; red is left for errors."""

DIM = "2"
BOLD = "1"
MAGENTA = "35"
"""SGR codes the renderers use beyond the looks below."""


class Look(enum.Enum):
    """The kinds of line a person tells apart; the value is the marker shown before the body."""

    OTHER = " "
    OWN = ">"
    PRIVATE = "@"
    EVENT = "-"
    NOTICE = "*"
    STATUS = "~"
    ERROR = "!"
    HISTORY = "|"


_LOOK_COLOURS = {
    Look.OTHER: ("", ""),
    Look.OWN: (BOLD, ""),
    Look.PRIVATE: (f"{BOLD};{MAGENTA}", ""),
    Look.EVENT: (DIM, DIM),
    Look.NOTICE: ("36", "36"),
    Look.STATUS: ("1;33", "33"),
    Look.ERROR: ("1;31", "31"),
    Look.HISTORY: (DIM, DIM),
}
"""SGR codes for each look: (marker, body). Bodies that hold coloured nicknames get none, since
the nickname's reset would end the body's colour halfway."""


@dataclass(frozen=True, slots=True)
class View:
    """Who the lines are rendered for and how.

    ``me`` is the user's nickname (None before one is chosen); ``zone`` the
    time zone of the timestamps, None for the machine's local time.
    """

    me: str | None = None
    colour: bool = False
    zone: tzinfo | None = None


def clock(at: float, zone: tzinfo | None, since: float | None = None) -> str:
    """``at`` (seconds since the epoch) as ``HH:MM`` in ``zone``, None meaning the machine's local time.

    With ``since``, the date comes first when ``at`` is on another day than
    ``since``: a line from history may be days old.
    """
    shown = moment(at, zone)
    other_day = since is not None and shown.date() != moment(since, zone).date()
    return shown.strftime("%Y-%m-%d %H:%M" if other_day else "%H:%M")


def nick_colour(nick: str) -> int:
    """The SGR colour of ``nick``: the same for every spelling that folds alike, in every run."""
    # crc32, not hash(): Python salts str hashes per process.
    return NICK_PALETTE[zlib.crc32(fold(nick).encode("utf-8")) % len(NICK_PALETTE)]


def mentions(text: str, nick: str | None) -> bool:
    """True if ``text`` holds ``nick`` as a whole name, compared as the server compares names."""
    if not nick:
        return False
    key, folded = fold(nick), fold(text)
    start = folded.find(key)
    while start != -1:
        if not _in_name(folded, start - 1) and not _in_name(folded, start + len(key)):
            return True
        start = folded.find(key, start + 1)
    return False


def is_me(nick: str, view: View) -> bool:
    """True if ``nick`` is the user's own nickname (compared folded)."""
    return view.me is not None and fold(nick) == fold(view.me)


def _in_name(text: str, index: int) -> bool:
    if not 0 <= index < len(text):
        return False
    char = text[index]
    return in_nickname(char)


def moment(at: float, zone: tzinfo | None) -> datetime:
    """``at`` as an aware datetime in ``zone``; None is the machine's local zone, DST included.

    Raises OverflowError, OSError or ValueError for a time no calendar holds.
    """
    return datetime.fromtimestamp(at, UTC).astimezone(zone)


def paint(view: View, text: str, sgr: str) -> str:
    """``text`` in the SGR attributes ``sgr``, reset after; unchanged without colour."""
    return f"\x1b[{sgr}m{text}\x1b[0m" if view.colour and sgr and text else text


def compose(view: View, at: float, look: Look, body: str, since: float | None = None) -> str:
    """A whole screen line: the local time (dated if not on the day of ``since``), the look's marker, and ``body`` (already scrubbed)."""
    marker_sgr, body_sgr = _LOOK_COLOURS[look]
    stamp = paint(view, clock(at, view.zone, since), DIM)
    return f"{stamp} {paint(view, look.value, marker_sgr)} {paint(view, body, body_sgr)}"


def nickname(view: View, nick: str) -> str:
    """``nick`` in its colour, bold if it is the user's own."""
    colour = str(nick_colour(nick))
    return paint(view, nick, f"{BOLD};{colour}" if is_me(nick, view) else colour)
