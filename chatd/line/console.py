"""The host's console: the daemon's own terminal as one more front end (``--console``).

Whoever holds the terminal ``twistd -n chatd --console`` runs in is the
host: the console registers under its nickname, is an operator without a
password, and starts in the default room, where plain lines are said.
Every command works as on nc. It reads the daemon's standard input through
``twisted.internet.stdio.StandardIO`` (chatd.service wires it) and writes
text lines to its standard output, among the log lines. ``/quit`` or the
end of input leaves the chat; the daemon goes on (``/shutdown`` stops it).
When the daemon stops, the host leaves with everyone's goodbyes
(``shutdown``), while the stores still keep the quit: the terminal itself
is only closed by the reactor after every service has stopped.
"""

import math
from collections.abc import Sequence
from functools import partial

from twisted.internet.protocol import connectionDone
from twisted.protocols.basic import LineReceiver
from twisted.python.failure import Failure
from typing_extensions import override

from chatd.domain.chat import Chat
from chatd.domain.events import Event
from chatd.domain.ports import Session
from chatd.frontend.sinks import DirectOutput, Keep
from chatd.line import table
from chatd.line.commands import Nick
from chatd.line.delivery import deliver
from chatd.line.protocol import SHUTDOWN
from chatd.line.render import Notice, Renderable
from chatd.line.session import LineSession, Waiting, decode


class Console(LineReceiver, LineSession):
    """The host at the daemon's terminal; its own ``Audience``, with itself its only session."""

    __slots__ = ("_keep", "_max_line", "_nick")
    delimiter = b"\n"

    def __init__(
        self, chat: Chat, nick: str, default_room: str, max_line: int, keep: Keep | None = None
    ) -> None:
        """``keep``: what makes the events behind a line safe from a crash before it is shown (``DirectOutput``)."""
        # No address: the host cannot be banned by address, and /whois shows none.
        LineSession.__init__(self, chat, self, "", default_room, set())
        self._nick = nick
        self._max_line = max_line
        self._keep = keep

    def deliver(self, event: Event, sessions: Sequence[Session]) -> None:
        """Write ``event`` to the terminal, unless the host ignores its sender."""
        deliver(event, [self], self.ignorers)

    @override
    def connectionMade(self) -> None:
        assert self.transport is not None, "connectionMade has a transport"
        self.sink = DirectOutput(self.transport, self._keep)
        self.guarded(lambda: self.perform(table.COMMANDS["nick"], Nick(self._nick)))

    @override
    def registered(self) -> Waiting:
        """The host is an operator: being at the daemon's terminal proves it."""
        entered = super().registered()
        # Acting: the grant's own notice (chatd.line.moderation.NOW_OPERATOR) would say it before this sentence.
        self.acts(partial(self.chat.grant_operator, self.me()))
        self.send(Notice("oper", "You are an operator: this is the daemon's own terminal."))
        return entered

    @override
    def lineReceived(self, line: bytes) -> None:
        waiting = self.guarded(lambda: self._take(line.removesuffix(b"\r")))
        if waiting is not None and not waiting.called:
            # What is typed or pasted meanwhile waits in LineReceiver's buffer and the terminal's until this
            # command is answered, as on a connection (chatd.line.protocol): answers keep the commands' order.
            self.pauseProducing()
            waiting.addCallback(self._command_done)

    def _command_done(self, _: None) -> None:
        if not self.closing:
            self.resumeProducing()

    def _take(self, line: bytes) -> Waiting:
        text = decode(line, self._max_line)
        return self.perform(*table.parse(text)) if text.strip() else None

    @override
    def charge_answer(self, lines: int) -> None:
        """The host's terminal has no flood budget: its answers cost nothing."""

    @override
    def charge_burst(self) -> bool:
        """The host's terminal has no flood budget: its searches cost nothing (it has no account to change)."""
        return not self.closing

    @override
    def budget_held(self) -> float:
        """The host's terminal has no flood budget: it may always have a full page."""
        return math.inf

    @override
    def budget_full_in(self) -> float:
        """The host's terminal has no flood budget: it never waits."""
        return 0.0

    @override
    def goodbye(self) -> Notice:
        """The host's terminal stays open after ``/quit`` and reads nothing more: say how the daemon stops."""
        return Notice("bye", "Goodbye. You left the chat and the daemon goes on; Ctrl-C stops it.")

    @override
    def close(self, last: Renderable | None) -> None:
        if self.closing:
            return
        if last is not None:
            self.send(last)
        self.sink.close()
        if self.transport is not None:
            self.transport.loseConnection()

    def shutdown(self) -> None:
        """The daemon is stopping: the host leaves the chat now and is told, as every connection is."""
        user, self.user = self.user, None
        if user is not None:
            self.chat.quit(user, "server shutting down")
        self.close(SHUTDOWN)

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.sink.drop()
        if self.user is not None:
            self.chat.quit(self.user, "console closed")
