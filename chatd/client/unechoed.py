"""The user's room lines sent and not yet seen back from the server: what a dropped connection may have lost.

The server echoes every line said in a room to its sender, live, and a
resume after a reconnection shows what was said since the last line seen
(docs/PROTOCOL.md, "Resuming"), the user's own lines among them. So a line
typed into a connection that had stalled is known lost once the client is
back and neither its echo nor the resume showed it: sent again then, once,
it is no duplicate. One that did arrive is shown by the resume, and is not
sent again. Commands have no echo to prove them: those sent since the
server last said anything are counted, to tell the user they may be lost.

A line the server refused (a mute, a line too long) never comes back
either: only the lines sent in the last ``WINDOW`` seconds before the
connection was lost are ever sent again, and at most ``MOST`` are held,
so a line refused hours ago is not said on the next reconnection.
"""

from dataclasses import dataclass

from chatd.client.liveness import ANSWER_SECONDS, QUIET_SECONDS
from chatd.client.shown import Message
from chatd.text import fold

WINDOW = QUIET_SECONDS + ANSWER_SECONDS + 12.0
"""Seconds before a connection is lost within which a line not seen back may have gone into it unread: a stall is
noticed ``QUIET_SECONDS + ANSWER_SECONDS`` after the last line heard, and 12 s more cover a line sent just before
that one whose echo was still on its way. Older lines not seen back were refused, not lost."""

MOST = 50
"""Lines not seen back held at most, the oldest forgotten first: a stall's few, whatever a long session refused."""


@dataclass(frozen=True, slots=True)
class _Line:
    room: str
    """The folded name of the room the line went to: the current room when it was typed."""
    text: str
    """As the server echoes it (a ``/me`` line's action alone), its spaces as ``_key`` leaves them."""
    action: bool
    typed: str
    """As typed, to send again."""
    at: float
    """When it was sent (the client's clock), for ``WINDOW``."""


class Unechoed:
    """Room lines (plain and ``/me``) sent and not seen back, oldest first; commands sent since the server spoke."""

    def __init__(self) -> None:
        self._lines: list[_Line] = []
        self._dropped: list[_Line] = []
        """Those of ``_lines`` sent over a connection now gone: only these are ever sent again, not a line just sent
        whose echo is still on its way."""
        self.commands = 0
        """Commands sent since the last line heard from the server."""

    def sent(self, typed: str, room: str | None, at: float) -> None:
        """Note a line sent at ``at`` with ``room`` current: a room line until echoed, a command until the server
        speaks."""
        words = typed.split(maxsplit=1)
        if typed.startswith("/") and not typed.startswith("//"):
            if words[0].lower() == "/me" and len(words) == 2 and room is not None:
                self._hold(_Line(fold(room), _key(words[1]), True, typed, at))
            else:
                self.commands += 1
        elif room is not None and typed.strip():
            self._hold(
                _Line(fold(room), _key(typed[1:] if typed.startswith("//") else typed), False, typed, at)
            )

    def _hold(self, line: _Line) -> None:
        self._lines.append(line)
        del self._lines[:-MOST]

    def lost(self, at: float) -> None:
        """The connection was lost at ``at``: the lines not seen back sent before ``WINDOW`` were refused, not lost."""
        self._lines = [line for line in self._lines if line.at >= at - WINDOW]

    def back(self) -> bool:
        """The user is named on a new connection: the lines not seen back so far went over one now gone. Whether
        there are any."""
        self._dropped += self._lines
        self._lines = []
        return bool(self._dropped)

    def heard(self) -> None:
        """A line came from the server: the commands sent before it went over a connection that worked."""
        self.commands = 0

    def echoed(self, message: Message, me: str | None) -> None:
        """Forget the lines ``message`` shows arrived: the user's own line or paste, live or from a resume."""
        kind, room, text = message.get("type"), message.get("room"), message.get("text")
        if kind not in ("said", "acted") or not isinstance(room, str) or not isinstance(text, str):
            return
        nick = message.get("nick")
        if me is None or not isinstance(nick, str) or fold(nick) != fold(me):
            return
        # A paste (lines sent together) comes back as one message, its lines joined by \n.
        for part in text.split("\n"):
            for lines in (self._dropped, self._lines):
                same = [
                    line
                    for line in lines
                    if (line.room, line.text, line.action) == (fold(room), _key(part), kind == "acted")
                ]
                if same:
                    lines.remove(same[0])
                    break

    def take(self, current: str | None) -> tuple[list[str], int]:
        """The lines of the connection gone still unechoed, to send again as typed, with ``current`` the room they
        would go to; and how many went to another room, not to be sent (a plain line goes to the current room)."""
        lines, self._dropped = self._dropped, []
        again = [line.typed for line in lines if current is not None and line.room == fold(current)]
        return again, len(lines) - len(again)


def _key(text: str) -> str:
    """``text`` with its runs of spaces and tabs as one space and none at its ends: the server turns a TAB into a
    space and trims a line, so an echo is matched whatever it did to the spaces."""
    return " ".join(text.split())
