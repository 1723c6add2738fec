"""The interactive client: conch's line editor with chat lines printed above the line being typed.

``ChatTerminal`` is a ``HistoricRecvLine`` (line editing, history on Up and
Down) on an insults ``ServerProtocol`` over stdio. The input line is always
the bottom line of the output: each incoming line erases it, prints itself
and draws it again, so what is being typed is never broken or garbled. A
line wider than the terminal scrolls sideways (inputline.py) rather than
wrap. conch's RecvLine moves the cursor one *byte* at a time and drops
every key outside ``string.printable``; here the buffer holds one UTF-8
character per entry and each change redraws the line, so accents, CJK and
emoji edit as they should.
"""

import codecs
from collections.abc import Callable, Sequence

from twisted.conch.recvline import HistoricRecvLine
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure
from typing_extensions import override

from chatd.client.connection import Link
from chatd.client.inputline import layout
from chatd.client.presence import Answer
from chatd.client.progress import Bar, bar_text
from chatd.client.shown import Shown
from chatd.text import EXIT_WORDS, scrub

CONFIRM = "Leave chatd? (y/n) "
YES = frozenset({"y", "yes"})


def is_leaving(text: str) -> bool:
    """True if ``text`` would end the session: exit, quit or /quit [reason]."""
    words = text.split(maxsplit=1)
    return text.strip().lower() in EXIT_WORDS or (bool(words) and words[0].lower() == "/quit")


class ChatTerminal(HistoricRecvLine):
    """The chat on a terminal: a ``Screen`` for the link, and the line editor the user types in.

    ``ended`` fires with the exit status once the link is done and the
    terminal has been written out and closed.
    """

    def __init__(
        self, link: Link, colour: bool, measure: Callable[[], tuple[int, int]] | None = None
    ) -> None:
        self.link = link
        self._colour = colour
        self._measure = measure
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._scroll = 0
        """Index of the first character of the buffer shown, when the line is wider than the terminal."""
        self._confirming: str | None = None
        """The quit line to send if the user answers yes to "Leave chatd?"."""
        self._status: int | None = None
        self._gone = False
        self._bars: Sequence[Bar] = ()
        """The progress bars drawn above the input line, one row each (files.py hands them over)."""
        self._bar_rows = 0
        """How many rows above the input line the bars take now."""
        self.ended: Deferred[int] = Deferred()

    @override
    def connectionMade(self) -> None:
        super().connectionMade()
        self.keyHandlers.update(
            {
                b"\x01": self.handle_HOME,  # Ctrl-A, as in readline
                b"\x02": self.handle_LEFT,  # Ctrl-B
                b"\x03": self._interrupt,  # Ctrl-C: raw mode turns it into a key, not SIGINT
                b"\x04": self._end_of_input,  # Ctrl-D
                b"\x05": self.handle_END,  # Ctrl-E
                b"\x06": self.handle_RIGHT,  # Ctrl-F
                b"\x08": self.handle_BACKSPACE,  # Ctrl-H, what some terminals send for Backspace
                b"\x0b": self._kill_to_end,  # Ctrl-K
                b"\x0c": self._redraw_screen,  # Ctrl-L
                b"\x0e": self.handle_DOWN,  # Ctrl-N
                b"\x10": self.handle_UP,  # Ctrl-P
                b"\x15": self._kill_to_start,  # Ctrl-U
                b"\x17": self._kill_word,  # Ctrl-W
            }
        )
        self.resized()

    @override
    def initializeScreen(self) -> None:
        # RecvLine resets the terminal (clearing the screen and what the user
        # was reading) and turns on insert mode; this editor redraws the line
        # itself, so it changes no terminal state at all.
        self.mode = "insert"
        self._draw()

    def resized(self) -> None:
        """The terminal may have changed size (at start, on SIGWINCH): measure it and redraw."""
        if self._measure is not None:
            self.terminalSize(*self._measure())

    @override
    def terminalSize(self, width: int, height: int) -> None:
        self.width, self.height = max(width, 2), height
        self._draw()

    # The link's Screen.

    def show(self, shown: Shown) -> None:
        """Print ``shown`` above the progress bars and the input line, ringing the bell if it says so."""
        self._clear_bottom()
        for line in shown.lines:
            # ServerProtocol.write turns LF into CRLF, as raw mode needs.
            self.terminal.write(line.encode("utf-8") + b"\n")
        if shown.bell:
            self.terminal.write(b"\a")
        self._draw_bars()
        self._draw()

    def progress(self, bars: Sequence[Bar]) -> None:
        """Draw ``bars`` above the input line, one row each, in place of the last ones (none: take them away)."""
        self._clear_bottom()
        self._bars = bars
        self._draw_bars()
        self._draw()

    def _clear_bottom(self) -> None:
        """Erase the bars and the input line, leaving the cursor where the first bar was."""
        self.terminal.write(b"\r")
        if self._bar_rows:
            self.terminal.cursorUp(self._bar_rows)
        self.terminal.eraseToDisplayEnd()
        self._bar_rows = 0

    def _draw_bars(self) -> None:
        # Each bar ends in a newline, so the screen scrolls as for chat lines and the input line stays last.
        for bar in self._bars:
            text = bar_text(bar, self.width)
            painted = f"\x1b[2m{text}\x1b[0m" if self._colour else text
            self.terminal.write(painted.encode("utf-8") + b"\n")
        self._bar_rows = len(self._bars)

    def note(self, shown: Shown) -> None:
        """The client's own lines go where the chat goes."""
        self.show(shown)

    def server_connected(self) -> None:
        """The prompt changes from offline to the nickname prompt."""
        self._draw()

    def answered(self, answer: Answer) -> None:
        """A person reads the refusal and the prompt the server sends, and types another nickname."""

    def close(self, status: int) -> None:
        """The link is done: clear the input line, let the output drain, close; then ``ended`` fires."""
        self._status = status
        if self._gone:
            self._end()
            return
        self._bars = ()
        self._clear_bottom()
        # The stdio transport, not the ServerProtocol: its loseConnection
        # would reset the terminal and wipe the conversation off the screen.
        self.terminal.transport.loseConnection()

    @override
    def connectionLost(self, reason: Failure | None = None) -> None:
        self._gone = True
        if self._status is None:
            # The terminal went away (hang-up) before the user left: leave now.
            self.link.leave()
        else:
            self._end()

    def _end(self) -> None:
        if not self.ended.called and self._status is not None:
            self.ended.callback(self._status)

    # Typing.

    @override
    def keystrokeReceived(self, keyID: bytes, modifier: object) -> None:
        handler = self.keyHandlers.get(keyID)
        if handler is not None:
            handler()
        elif modifier is None and len(keyID) == 1:
            # Keys arrive a byte at a time; a character is complete when the decoder says so.
            text = self._decoder.decode(keyID)
            typed = [char for char in text if scrub(char) == char]
            for index, char in enumerate(typed):
                self.characterReceived(char.encode("utf-8"), index < len(typed) - 1)

    @override
    def characterReceived(self, ch: bytes, moreCharactersComing: bool) -> None:
        if self.mode == "insert" or self.lineBufferIndex == len(self.lineBuffer):
            self.lineBuffer.insert(self.lineBufferIndex, ch)
        else:
            self.lineBuffer[self.lineBufferIndex] = ch
        self.lineBufferIndex += 1
        if not moreCharactersComing:
            self._draw()

    @override
    def _deliverBuffer(self, buf: bytes) -> None:
        # History recall: conch feeds the line back a byte at a time, which
        # would split every multi-byte character into pieces.
        self.lineBuffer = [char.encode("utf-8") for char in buf.decode("utf-8")]
        self.lineBufferIndex = len(self.lineBuffer)
        self._draw()

    @override
    def handle_LEFT(self) -> None:
        self._move(self.lineBufferIndex - 1)

    @override
    def handle_RIGHT(self) -> None:
        self._move(self.lineBufferIndex + 1)

    @override
    def handle_HOME(self) -> None:
        self._move(0)

    @override
    def handle_END(self) -> None:
        self._move(len(self.lineBuffer))

    @override
    def handle_BACKSPACE(self) -> None:
        if self.lineBufferIndex > 0:
            self.lineBufferIndex -= 1
            del self.lineBuffer[self.lineBufferIndex]
            self._draw()

    @override
    def handle_DELETE(self) -> None:
        if self.lineBufferIndex < len(self.lineBuffer):
            del self.lineBuffer[self.lineBufferIndex]
            self._draw()

    @override
    def handle_INSERT(self) -> None:
        self.mode = "typeover" if self.mode == "insert" else "insert"

    @override
    def handle_TAB(self) -> None:
        """Spaces to the next tab stop, as RecvLine does, so pasted indentation survives."""
        for _ in range(self.TABSTOP - self.lineBufferIndex % self.TABSTOP):
            self.characterReceived(b" ", True)
        self._draw()

    @override
    def handle_RETURN(self) -> None:
        line = b"".join(self.lineBuffer)
        # As HistoricRecvLine does, but answers to "Leave chatd?" are not history.
        if line and self._confirming is None:
            self.historyLines.append(line)
        self.historyPosition = len(self.historyLines)
        self.lineBuffer, self.lineBufferIndex, self._scroll = [], 0, 0
        # No newline: the typed line comes back from the server, stamped.
        self.lineReceived(line)
        self._draw()

    def _move(self, index: int) -> None:
        self.lineBufferIndex = min(max(index, 0), len(self.lineBuffer))
        self._draw()

    def _kill_to_start(self) -> None:
        del self.lineBuffer[: self.lineBufferIndex]
        self._move(0)

    def _kill_to_end(self) -> None:
        del self.lineBuffer[self.lineBufferIndex :]
        self._draw()

    def _kill_word(self) -> None:
        start = self.lineBufferIndex
        while start > 0 and self.lineBuffer[start - 1].isspace():
            start -= 1
        while start > 0 and not self.lineBuffer[start - 1].isspace():
            start -= 1
        del self.lineBuffer[start : self.lineBufferIndex]
        self._move(start)

    def _redraw_screen(self) -> None:
        self.terminal.eraseDisplay()
        self.terminal.cursorHome()
        self._bar_rows = 0
        self._draw_bars()
        self._draw()

    def _interrupt(self) -> None:
        self.link.leave()

    def _end_of_input(self) -> None:
        # As in a shell: Ctrl-D on an empty line leaves, inside a line it deletes.
        if self.lineBuffer:
            self.handle_DELETE()
        else:
            self.link.leave()

    @override
    def lineReceived(self, line: bytes) -> None:
        text = line.decode("utf-8")
        if self._confirming is not None:
            quit_line, self._confirming = self._confirming, None
            if text.strip().lower() in YES:
                self.link.leave(quit_line)
            return
        if not text.strip():
            return
        if is_leaving(text):
            self._confirming = text.strip() if text.strip().startswith("/") else "/quit"
        elif not self.link.send(text):
            self.link.say("Not connected, so that line was not sent; Up brings it back.")

    # Drawing the input line.

    def _prompt(self) -> str:
        if self._confirming is not None:
            return CONFIRM
        if not self.link.reaches_chatd:
            return "(offline)> "
        presence = self.link.presence
        if presence.nick is None:
            return "nickname> "
        return f"{presence.current or '(no room)'}> "

    def _draw(self) -> None:
        """Draw the prompt and as much of the line as fits, with the cursor in view."""
        prompt = self._prompt()
        chars = [char.decode("utf-8") for char in self.lineBuffer]
        fit = layout(prompt, chars, self.lineBufferIndex, self._scroll, self.width)
        self._scroll = fit.scroll
        painted = f"\x1b[1m{prompt}\x1b[0m" if self._colour else prompt
        self.terminal.write(b"\r" + (painted + fit.shown).encode("utf-8"))
        self.terminal.eraseToLineEnd()
        self.terminal.write(b"\r")
        if fit.column:
            self.terminal.cursorForward(fit.column)
