"""What every renderer of a server object shares: its fields read typed and scrubbed, and a line drawn at its time.

The renderers are split by what they draw (eventlines.py, replylines.py,
and render.py, which picks one); this module is what all of them stand on,
so none of them imports another. ``Fields`` is the one place a value that
came over the network is read, so each is scrubbed (chatd.text.scrub)
before any escape sequence of the client's own is added.
"""

from collections.abc import Callable
from datetime import UTC

from chatd.client.shown import Message, Shown
from chatd.client.style import Look, View, compose, moment
from chatd.text import scrub


class Fields:
    """Typed, scrubbed access to a server object's fields; a wrong or missing field reads as empty.

    ``past`` is the view a line from history is shown in (its renderer
    gets one without colour), None for a live one.
    """

    def __init__(self, message: Message, now: float, past: View | None = None) -> None:
        self._message = message
        self._now = now
        self._past = past

    def line(self, view: View, look: Look, body: str) -> str:
        """A screen line for this object, at its time: ``look``'s live, or the history look, dated if not today."""
        if self._past is None:
            return compose(view, self.at(), look, body)
        if self.flag("search"):
            body = f"{self.text('id')} {body}"
        return compose(self._past, self.at(), Look.HISTORY, body, since=self._now)

    def received(self, view: View, look: Look, body: str) -> str:
        """A screen line for a reply whose ``at`` is not its own time (a topic's): stamped when received."""
        return compose(view, self._now, look, body)

    def received_at(self) -> float:
        """When the client received this object."""
        return self._now

    def text(self, key: str) -> str:
        value = self._message.get(key)
        return scrub(value) if isinstance(value, str) else ""

    def lines(self, key: str) -> list[str]:
        """A field that may hold several lines (a paste, a notice's), each scrubbed, at least one."""
        value = self._message.get(key)
        return scrubbed_lines(value) if isinstance(value, str) else [""]

    def texts(self, key: str) -> list[str]:
        value = self._message.get(key)
        return [scrub(item) for item in value if isinstance(item, str)] if isinstance(value, list) else []

    def objects(self, key: str) -> "list[Fields]":
        value = self._message.get(key)
        items = value if isinstance(value, list) else []
        return [Fields(item, self._now) for item in items if isinstance(item, dict)]

    def has(self, key: str) -> bool:
        """Whether the object carries ``key`` at all."""
        return key in self._message

    def flag(self, key: str) -> bool:
        return self._message.get(key) is True

    def moment(self, key: str) -> float | None:
        """A time field (seconds since the epoch) that a calendar holds, or None (``null``: no end)."""
        value = self._message.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool):
            return None
        try:
            moment(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return float(value)

    def number(self, key: str) -> int:
        value = self._message.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    def at(self) -> float:
        """The server's ``at``, or the time of receipt if it is missing or no usable time."""
        at = self.moment("at")
        return self._now if at is None else at


def scrubbed_lines(text: str) -> list[str]:
    """The lines of a text that may hold several, each scrubbed: split first, as scrubbing makes a ``\\n`` U+FFFD."""
    return [scrub(line) for line in text.split("\n")]


def one_line(fields: Fields, view: View, look: Look, body: str, bell: bool = False) -> Shown:
    """What most server objects put on screen: one line of ``look`` at the object's time."""
    return Shown((fields.line(view, look, body),), bell)


def until_words(until: float | None, view: View, since: float) -> str:
    """``until 18:40`` in the view's zone (with the date if not the day of ``since``), or ``until lifted``."""
    if until is None:
        return "until lifted"
    end = moment(until, view.zone)
    same_day = end.date() == moment(since, view.zone).date()
    return end.strftime("until %H:%M" if same_day else "until %Y-%m-%d %H:%M")


Renderer = Callable[[Fields, View], Shown]
"""Draws one kind of server object: its fields, in a view, as the lines shown."""
