"""Lines -> chat on a line connection: plain lines gathered into a paste, commands run in their order.

The plain lines a named user sends in one read are one message (a paste,
costing a line of flood budget per ``LINES_PER_CHARGE``); a command runs
once the paste gathered before it is said, and one that waits stops the
reading until it is done, so replies keep the order of the lines. A transfer's own lines and
a returning client's first ``/resume`` notes cost no line.
"""

from twisted.python.failure import Failure
from typing_extensions import override

from chatd.domain.errors import ChatError
from chatd.domain.names import check_said
from chatd.frontend.reading import Pause
from chatd.line import files, table
from chatd.line.commands import Say
from chatd.line.history_commands import Resume
from chatd.line.receiving import LineReceiving
from chatd.line.session import Waiting, decode
from chatd.line.table import Request

BYTE_ORDER_MARK = "\ufeff"
"""U+FEFF at the start of a text stream: how UTF-8 files from Windows begin, never part of what they say."""

LINES_PER_CHARGE = 5
"""Lines of a paste that cost one line of flood budget."""


class LineTaking(LineReceiving):
    """The part of ``LineProtocol`` that takes each line it reads: into the paste, or as a command run."""

    __slots__ = ("_blanks", "_notes_free", "_paste")

    _paste: list[str] | None
    _blanks: int
    _notes_free: int

    @override
    def lineReceived(self, line: bytes) -> None:
        if line.endswith(b"\r"):
            line = line[:-1]
        waiting = self.guarded(lambda: self._take(line))
        if waiting is not None and not waiting.called:
            # Later lines wait in LineReceiver's buffer, then in TCP, until
            # this command is done: replies keep the order of the commands.
            self._reading.pause(Pause.COMMAND)
            waiting.addCallback(self._command_done)

    def _command_done(self, _: None) -> None:
        self._reading.resume(Pause.COMMAND)

    def _take(self, line: bytes) -> Waiting:
        """Gather a plain line into the paste, or send the paste and run the command.

        Every line costs a line of flood budget whatever becomes of it
        (blank, refused, a command, a nickname), except a named user's plain
        lines, blank ones included, which cost their share of a paste when
        it is sent. Whatever is refused is refused after the lines gathered
        before it are sent, so replies keep the order of the lines they
        answer. A command that waits returns its Deferred (see
        ``LineSession.perform``).
        """
        try:
            text = decode(line, self._line_most(line))
            if self.user is None:
                # A file Notepad saved starts with a byte order mark, the encoding's signature and no text:
                # piped in (nc < script.txt), it made the nickname line a bad nickname.
                text = text.removeprefix(BYTE_ORDER_MARK)
            if self.user is not None and not text.strip():
                # A blank line in a named user's paste (code has them) is
                # shown as nothing, but paid for as one of its lines.
                self._blanks += 1
                self._send_full_paste()
                return None
            request = table.parse(text) if text.strip() else None
            if request is not None and request.row is table.LINE and self.user is not None:
                assert isinstance(request.command, Say), "the plain line's row gives Say"
                # Each line on its own must show, as a line alone must: a line of fillers would
                # reach the room as an empty line of the paste, where no blank line ever shows.
                self._gather(check_said(request.command.text))
                return None
        except ChatError:
            self.guarded(self._send_paste)
            self._charge(1)
            raise
        # A refused paste (a muted sender) has its own ERR line; the command still runs.
        self.guarded(self._send_paste)
        # A transfer's own lines (/file put, /file ack) cost no line: the
        # transfer budget and the window pace them (issue 16). Nor do the
        # notes of a client coming back, up to as many as it may keep.
        free = request is not None and (isinstance(request.command, files.FREE) or self._free_note(request))
        if self.closing or (not free and not self._charge(1)) or request is None:
            return None
        return self._free_line(request) if free else self.perform(*request)

    def _free_note(self, request: Request) -> bool:
        """Whether ``request`` is a ``/resume`` before a nickname, of the first ``--max-rooms`` of them: then free.

        A client coming back sends one per room it was in (docs/PROTOCOL.md,
        Resuming), at once: 20 of them, and its nickname, on a burst of 10
        read as flooding. A note only notes, and a connection keeps as many
        as rooms one may be in; it notes before its nickname, once. Past
        those, each costs a line as any line does.
        """
        if not isinstance(request.command, Resume) or self.user is not None or self._notes_free <= 0:
            return False
        self._notes_free -= 1
        return True

    def _free_line(self, request: Request) -> Waiting:
        """Run a line that costs nothing when taken (``_take``), and a line of flood budget like any other when
        refused.

        Refused ones (a transfer's wrong offset or unknown id, a bad room
        name to resume) carry no bytes of a transfer and note nothing, so
        nothing else paces them: free, they came back as fast as a client
        could send them, a core's worth of ``ERR`` lines.
        """
        try:
            waiting = self.perform(*request)
        except ChatError:
            self._charge(1)
            raise
        if waiting is None:
            return None

        def refused(failure: Failure) -> Failure:
            if failure.check(ChatError):
                self._charge(1)
            return failure

        return waiting.addErrback(refused)

    def _gather(self, text: str) -> None:
        """Add ``text``, a line that shows something, to the paste."""
        if self._paste is None:
            self._paste = [text]
        else:
            self._paste.append(text)
        self._send_full_paste()

    def _send_full_paste(self) -> None:
        """Send the paste at once when it holds as many lines as one may."""
        if len(self._paste or ()) + self._blanks >= self.factory.limits.paste_lines:
            self._send_paste()

    def _send_paste(self) -> None:
        """Say the lines gathered from one read as one message.

        It costs one line of flood budget for every ``LINES_PER_CHARGE``
        lines it holds, blank ones included: a screenful passes at once, a
        flood in pastes does not. Its bytes were charged as they arrived.
        """
        if not (self._paste or self._blanks) or self.user is None:
            return
        lines, self._paste = self._paste or [], None
        count, self._blanks = len(lines) + self._blanks, 0
        if self._charge(-(-count // LINES_PER_CHARGE)) and lines:
            self.chat.say(self.user, self.room_or_current(None), "\n".join(lines))
