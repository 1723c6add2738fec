"""Bytes from an IRC connection -> lines of text, each decoded on its own.

TCP hands over bytes in any chunks; Twisted's ``irc.IRC`` decodes each
chunk before splitting it, so a UTF-8 character split across two reads or
one Latin-1 byte drops the client (STYLE.md section 7). Here bytes are
split into lines first and each whole line is then decoded, strictly, on
its own: a bad line is reported and the next one is read as if it were
alone.

Lines end in LF, with one CR before it stripped: Modern IRC says servers
SHOULD take a bare LF as a line's end (nc sends that) and only MAY take a
bare CR. A bare CR does not end a line here, as in chatd's line protocol;
it stays in the line, where ``chatd.irc.message.parse`` refuses it.

Limits, as the issue asks and the specs measure them: the message (all
after the tags) is at most ``MESSAGE_LIMIT`` bytes counting a CR LF, so
510 bytes of text whichever ending the client uses; a line starting with
``@`` may have before it up to ``TAGS_LIMIT`` bytes of tags, counted from
the ``@`` up to and including the first space. A longer line is reported
once, as soon as it is known to be too long, and skipped whole: its bytes
are dropped up to its LF, so no more than ``LINE_LIMIT - 1`` bytes of an
unfinished line are ever held.
"""

from dataclasses import dataclass

MESSAGE_LIMIT = 512
"""Bytes of a message without its tags, CR LF included (RFC 1459, Modern IRC)."""

TAGS_LIMIT = 8191
"""Bytes of a tags part, its ``@`` and the space after it included (IRCv3 message-tags)."""

LINE_LIMIT = TAGS_LIMIT + MESSAGE_LIMIT
"""Bytes of the longest line, tags and CR LF included."""

_TEXT_LIMIT = MESSAGE_LIMIT - 2
"""Bytes of a message's text, without its tags and line ending."""


@dataclass(frozen=True, slots=True)
class Overlong:
    """A line past the limits, skipped; the caller answers ERR_INPUTTOOLONG (417)."""


@dataclass(frozen=True, slots=True)
class NotUtf8:
    """A line that is not UTF-8, as received; the caller answers ``FAIL * INVALID_UTF8``.

    ``line`` (no ending, within the limits) lets the caller read what it
    can, a ``label`` tag say, without guessing an encoding for the text.
    """

    line: bytes


Received = str | Overlong | NotUtf8
"""What a connection's bytes give: a line of text, or what was wrong with one."""


class LineSplitter:
    """One connection's reader: bytes in any chunks -> the lines they finish, in order.

    Empty lines are given too, as empty text: the connection ignores them
    without a word, as Modern IRC says, but charges each as a line of flood
    budget, as it does any line and as the line protocol charges a blank
    line (and an empty WebSocket message is an empty line). An unfinished
    line at the end of a connection is never given.
    """

    __slots__ = ("_buffer", "_discarding")

    def __init__(self) -> None:
        self._buffer = b""
        """The start of a line whose LF has not arrived: under ``LINE_LIMIT`` bytes."""
        self._discarding = False
        """Whether the line being read was reported too long and is dropped up to its LF."""

    @property
    def pending(self) -> int:
        """Bytes held of an unfinished line; never ``LINE_LIMIT`` or more."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Received]:
        """What ``data``, the next bytes read, finishes: lines, or the reasons some were dropped."""
        received: list[Received] = []
        start = 0
        end = data.find(b"\n")
        while end != -1:
            if self._discarding:
                self._discarding = False
            else:
                self._finish(data, start, end, received)
            start = end + 1
            end = data.find(b"\n", start)
        if not self._discarding and start < len(data):
            if len(self._buffer) + len(data) - start < LINE_LIMIT:
                self._buffer += data[start:]
                if not _too_long(self._buffer, finished=False):
                    return received
            self._buffer = b""
            self._discarding = True
            received.append(Overlong())
        return received

    def _finish(self, data: bytes, start: int, end: int, received: list[Received]) -> None:
        """Add what the line ending at ``data[end]`` (its LF) gives to ``received``."""
        # Measured before joining, so a huge line is never copied.
        if len(self._buffer) + end - start >= LINE_LIMIT:
            self._buffer = b""
            received.append(Overlong())
            return
        line = self._buffer + data[start:end]
        self._buffer = b""
        if line.endswith(b"\r"):
            line = line[:-1]
        if _too_long(line, finished=True):
            received.append(Overlong())
            return
        try:
            received.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            received.append(NotUtf8(line))


def _too_long(line: bytes, *, finished: bool) -> bool:
    """Whether ``line`` is past the limits: a whole line without its ending, or the start of one.

    The start of a line is allowed one more byte, for a CR its LF may
    follow, so that it is too long only if every line it can begin is.
    """
    spare = 0 if finished else 1
    text_start = 0
    if line.startswith(b"@"):
        # Only a space within TAGS_LIMIT bytes can end a tags part short enough.
        space = line.find(b" ", 0, TAGS_LIMIT)
        if space == -1:
            return len(line) >= TAGS_LIMIT + spare
        text_start = space + 1
    return len(line) - text_start > _TEXT_LIMIT + spare
