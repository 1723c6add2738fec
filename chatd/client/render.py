"""Server lines -> the lines a person sees: pure functions, one per kind of line.

This module picks the renderer for each ``type`` and draws what the server
may also send as a text line (a notice, an error; ``render_text``), the
client's own status lines, and kinds it does not know. The renderers for
the rest live by what they draw: events in eventlines.py, replies to the
user's own asks in replylines.py, both on fields.py.

The client asks for JSON lines (docs/PROTOCOL.md, "JSON lines") and draws
every line itself: a local ``HH:MM``, a one-character marker saying what
kind of line it is (so the kinds differ without colour too), and the body.
A line from a room's history (``"history": true``) is drawn as it would be
live but dimmed whole, with the marker ``|``, its own time (and date, if
not today) and no bell: it is not news. A line ``/search`` found
(``"search": true`` too) is drawn so, with its id first, which the user
types in ``/history #room around ID`` to see it in context. After the
lines a reconnection resumed, a rule says how many were missed (or that none were), and how
many of them were not shown.
Every string that came over the network goes through ``scrub`` before any
escape sequence of the client's own is added, so nothing another user or
the server sends can move the cursor, retitle the window or ring the bell:
only ``Shown.bell``, decided here, does that.
"""

import json
from dataclasses import replace

from chatd.client.eventlines import EVENTS
from chatd.client.fields import Fields, Renderer, one_line, scrubbed_lines
from chatd.client.replylines import REPLIES
from chatd.client.shown import Message, Shown
from chatd.client.style import Look, View, compose
from chatd.text import counted, scrub

_UNKNOWN_SHOWN = 40
"""Characters of an unknown kind's name shown, so a newer server's lines are noticed, not dropped."""


def parse(text: str) -> Message | None:
    """The JSON object ``text`` holds, or None if it holds no object (a text line)."""
    try:
        decoded = json.loads(text)
    except (ValueError, RecursionError):
        # RecursionError: arrays nested a thousand deep, which a server could send to drop the connection.
        return None
    return decoded if isinstance(decoded, dict) else None


def render(message: Message, view: View, now: float) -> Shown:
    """The lines for one server JSON object; ``now`` stamps replies that carry no ``at``."""
    kind = message.get("type")
    draw = _RENDERERS.get(kind) if isinstance(kind, str) else None
    if draw is None:
        return _unknown(message, view, now)
    if message.get("history") is True:
        # Drawn without colour, then dimmed whole by the history look.
        past = draw(Fields(message, now, view), replace(view, colour=False))
        return Shown(past.lines)
    return draw(Fields(message, now), view)


def render_text(text: str, view: View, now: float) -> Shown:
    """A text line: the greeting, sent before ``/format json`` takes effect, or a refusal on connect.

    Read by the grammar of docs/PROTOCOL.md: ``*** `` starts a notice and
    ``ERR code`` an error; anything else is shown as a notice.
    """
    if text.startswith("ERR "):
        code, _, rest = text[4:].partition(" ")
        return Shown((compose(view, now, Look.ERROR, _error_body(scrub(code), scrub(rest))),))
    return Shown((compose(view, now, Look.NOTICE, scrub(text.removeprefix("*** "))),))


def status(text: str, view: View, now: float) -> Shown:
    """One line of the client's own (connected, lost, retrying), stamped ``now``."""
    return Shown((compose(view, now, Look.STATUS, scrub(text)),))


def _notice(fields: Fields, view: View) -> Shown:
    kind = fields.text("kind")
    # The client switches to JSON and says where it left off itself: the
    # server's acknowledgements are no news to the user.
    if kind in ("format", "resume"):
        return Shown(())
    if kind == "history_end" and fields.has("missed"):
        return one_line(
            fields,
            view,
            Look.NOTICE,
            _missed(
                fields.text("room"),
                fields.number("count"),
                fields.number("missed"),
                fields.number("ignored"),
                fields.number("deleted"),
                fields.number("untold"),
            ),
        )
    return Shown(tuple(fields.line(view, Look.NOTICE, text) for text in fields.lines("text")))


def _missed(room: str, shown: int, missed: int, ignored: int, deleted: int, untold: int) -> str:
    """The rule drawn between what a resume showed and the live lines after it: lines from someone ignored are
    counted as such, not as earlier lines /history would show; the deletions told before the lines, as such, so
    that "nothing missed" never follows one, and those past the resume's bound as not told."""
    if not missed:
        said = f"no messages missed in {room}" if deleted or untold else f"nothing missed in {room}"
    else:
        said = f"missed {counted(missed, 'message')} in {room}"
        if ignored:
            said += f", {ignored if ignored < missed else 'all'} from people you ignore"
    if deleted or untold:
        said += f", {counted(deleted + untold, 'line')} deleted" + (f", {untold} not told" if untold else "")
    earlier = missed - shown - ignored
    if earlier > 0:
        said += f"; {counted(earlier, 'earlier message')} not shown (/history {room})"
    return f"---- {said} ----"


def _error_body(code: str, text: str) -> str:
    return f"{text} ({code})" if code else text


def _error(fields: Fields, view: View) -> Shown:
    return one_line(fields, view, Look.ERROR, _error_body(fields.text("code"), fields.text("text")))


def _unknown(message: Message, view: View, now: float) -> Shown:
    # A kind from a newer server: its text if it has one (each of its lines,
    # as a notice's), else a short line naming the kind; never raw JSON, which reads as noise.
    text = message.get("text")
    if isinstance(text, str) and text:
        return Shown(tuple(compose(view, now, Look.NOTICE, line) for line in scrubbed_lines(text)))
    kind = message.get("type")
    named = scrub(kind)[:_UNKNOWN_SHOWN] if isinstance(kind, str) else "no type"
    return Shown((compose(view, now, Look.NOTICE, f"(a kind of line this client cannot show: {named})"),))


_RENDERERS: dict[str, Renderer] = {
    **EVENTS,
    **REPLIES,
    "notice": _notice,
    "error": _error,
}
