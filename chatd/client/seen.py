"""The lines said and acted the client has shown lately, so a deletion (``deleted``) names the line it takes away.

A terminal cannot take back what it printed: the line scrolled up with
the others. So the client says which line went, by who said it and when,
as the user saw it (``bob's line of 09:14``), never its text again; the
server's ``deleted`` names the line by its id alone, which live lines do
not show. Bounded: the last ``SEEN_MOST`` lines, the oldest forgotten
first; a deletion of one older than that, or never shown, is told by its
id.
"""

from collections import OrderedDict

from chatd.client.shown import Message

SEEN_MOST = 1000
"""Lines remembered: far more than a screen's scrollback holds, a few tens of KiB."""


class SeenLines:
    """Who said each of the last ``most`` lines shown, and when, by id."""

    def __init__(self, most: int = SEEN_MOST) -> None:
        self._most = most
        self._lines: OrderedDict[str, tuple[object, object]] = OrderedDict()
        """Each line's ``nick`` and ``at`` as the server sent them, the oldest first."""

    def received(self, message: Message) -> Message:
        """``message``, noted if a line; a ``deleted`` one with ``line_nick`` and ``line_at`` added if its line was
        shown (the renderer reads them, scrubbed, as it reads any field)."""
        kind = message.get("type")
        line = message.get("id") if kind in ("said", "acted") else message.get("line")
        if not isinstance(line, str):
            return message
        if kind in ("said", "acted"):
            self._lines[line] = (message.get("nick"), message.get("at"))
            if len(self._lines) > self._most:
                self._lines.popitem(last=False)
            return message
        if kind == "deleted" and line in self._lines:
            nick, at = self._lines.pop(line)
            return {**message, "line_nick": nick, "line_at": at}
        return message
