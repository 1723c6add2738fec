"""Bytes <-> chat for one IRC client: framing, flood budget, deadlines and replies.

An ``IRCProtocol`` owns what belongs to one connection: its line splitter
(chatd.irc.framing: lines split on bytes, each decoded alone), its flood
budget (chatd.frontend.flood: every byte and every message charged as it
arrives; over budget its next messages wait, fakelag-style, and in the
end it is cut off), the reasons it is not reading, its output
(chatd.frontend.output, batched per reactor pass and bounded by the send
queue) and its deadlines. What it has in the chat (its user once
registered) and what each command does come from chatd.irc.session and
the command table (chatd.irc.commands). Commands that wait (a password
check) stop the reading until they are done, so replies keep the order of
the commands that asked for them.
"""

from typing import TYPE_CHECKING, cast

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import (
    IDelayedCall,
    IHandshakeListener,
    IPushProducer,
    ITransport,
)
from twisted.internet.protocol import Protocol, connectionDone
from twisted.logger import Logger
from twisted.python.failure import Failure
from typing_extensions import override
from zope.interface import implementer

from chatd.domain.flood import FloodGate
from chatd.frontend.deadlines import Deadlines
from chatd.frontend.flood import FloodControl
from chatd.frontend.reading import Pause, Reading
from chatd.irc import numerics as n
from chatd.irc.framing import LineSplitter, NotUtf8, Overlong, Received
from chatd.irc.message import Message, ParseError, parse
from chatd.irc.session import IRCSession

if TYPE_CHECKING:
    from chatd.irc.factory import IRCFactory


@implementer(IHandshakeListener)
class IRCProtocol(Protocol, Deadlines, IRCSession):
    """One IRC client's connection.

    Its one timer (TimeoutMixin's, kept by chatd.frontend.deadlines) holds its deadline: on TLS first the
    handshake's, then registration's, and once it is closing the grace its
    last words have to be written in. A registered connection's silence is
    watched by the factory's ping round instead (``ping``).
    """

    # Twisted's Protocol and TimeoutMixin have no slots: what their methods
    # set on the instance is in slots here too, set in ``__init__`` to their
    # class defaults, so a connection makes no __dict__ (issue 18; see
    # chatd.line.protocol.LineProtocol). ``factory`` is one of them:
    # Protocol's class attribute comes before IRCSession in the MRO and
    # hides IRCSession's slot of that name (kept there for mypy's sake).
    __slots__ = (
        "_TimeoutMixin__timeoutCall",
        "_flood",
        "_handshaking",
        "_heard",
        "_held",
        "_pinged",
        "_reading",
        "_splitter",
        "connected",
        "factory",
        "timeOut",
        "transport",
    )
    factory: "IRCFactory"

    log = Logger()
    SENDQ_EXCEEDED = "SendQ exceeded"

    def __init__(self, factory: "IRCFactory", peer: str) -> None:
        # Twisted's own attributes, at its classes' defaults (see __slots__).
        self.connected = 0
        self.transport: ITransport | None = None
        self.timeOut: int | None = None
        self._TimeoutMixin__timeoutCall: IDelayedCall | None = None
        IRCSession.__init__(self, factory, peer)
        self._splitter = LineSplitter()
        self._held: list[Received] = []
        """What was read and not yet run: the reading paused (a waiting command, the flood budget)."""
        self._handshaking = False
        self._heard = True
        """Whether anything arrived since the last ping round."""
        self._pinged = False
        """Whether the last ping round sent a PING that nothing has answered yet."""
        self._reading = Reading(self)
        limits = factory.limits
        gate = FloodGate(
            limits.flood_rate,
            limits.flood_burst,
            limits.flood_bytes,
            4 * limits.flood_bytes,
            factory.reactor.seconds,
        )
        self._flood = FloodControl(gate, self._reading, self, factory.reactor, limits.flood_disconnect)

    @override
    def connectionMade(self) -> None:
        self.opened(cast(ITransport, self.transport))

    @override
    def registration_timed_out(self) -> None:
        self._quit_reason = "Registration timed out"
        self.close("Registration timed out")

    @override
    def registered(self) -> None:
        """Registered: no deadline any more, but the ping round watches the connection from now on."""
        self.setTimeout(None)
        self.factory.pings.add(self)

    def ping(self) -> None:
        """The ping round: PING a client silent since the last round; close one that left the last PING unanswered."""
        if self.closing:
            return
        if self._heard:
            self._heard = self._pinged = False
            return
        if self._pinged:
            self._quit_reason = "Ping timeout"
            self.close("Ping timeout")
            return
        self._pinged = True
        self.write_message(Message(command="PING", params=(self.factory.server_name,)))

    @override
    def dataReceived(self, data: bytes) -> None:
        # Every byte costs budget as it arrives, whatever becomes of it.
        self._heard = True
        if not self._charge(0, len(data)):
            return
        self._take(self._splitter.feed(data))

    def _take(self, received: list[Received]) -> None:
        """Run what the bytes gave, in order, until a command waits or the reading pauses."""
        while received and not self.closing:
            if self._reading.paused:
                self._held = received + self._held
                return
            item = received.pop(0)
            if not self._charge(1):
                return
            waiting = self._handle(item)
            if waiting is not None and not waiting.called:
                self._held = received + self._held
                self._reading.pause(Pause.COMMAND)
                waiting.addCallback(self._command_done)
                return

    def _command_done(self, _: None) -> None:
        self._reading.resume(Pause.COMMAND)

    def _handle(self, item: Received) -> "Deferred[None] | None":
        """One line: too long, not UTF-8, not IRC, or a message to run."""
        if isinstance(item, Overlong):
            self.reply(n.ERR_INPUTTOOLONG, "Input line was too long")
            return None
        if isinstance(item, NotUtf8):
            self.fail("*", "INVALID_UTF8", "Message was not UTF-8 and was dropped")
            return None
        if not item.strip(" "):
            return None  # Modern IRC: an empty line is ignored (it was paid for)
        try:
            message = parse(item)
        except ParseError:
            self.fail("*", "INVALID_MESSAGE", "That line is not an IRC message")
            return None
        return self.run(message)

    def _charge(self, lines: int, size: int = 0) -> bool:
        """Spend flood budget; False once the connection is closing or cut off."""
        return not self.closing and self._flood.charge(lines, size)

    @override
    def charge_answer(self, lines: int) -> None:
        self._charge(lines)

    @override
    def charge_burst(self) -> bool:
        return self._charge(max(self.factory.limits.flood_burst - 1, 0))

    def warn_flooding(self) -> None:
        """Fakelag says nothing: the client's messages simply wait their turn."""

    def cut_off_flooding(self) -> None:
        """Over the flood budget for too long: say why and close."""
        self.factory.admission.bounded.warn(self.log, "Disconnecting {peer} for flooding", peer=self.peer)
        self._quit_reason = "Excess Flood"
        self.close("Excess Flood")

    def stop_reading(self) -> None:
        """Take no more bytes until ``start_reading``; what was read and not run waits."""
        self.reader().pauseProducing()

    def start_reading(self) -> None:
        """Run what waited, then read again, unless that paused the reading once more."""
        if self.closing:
            return
        held, self._held = self._held, []
        self._take(held)
        if not self._reading.paused and not self.closing:
            self.reader().resumeProducing()

    def reader(self) -> IPushProducer:
        """What is paused to stop reading: the transport."""
        return cast(IPushProducer, self.transport)

    @override
    def close(self, reason: str | None) -> None:
        """Say ``ERROR :reason`` (if any) as the last line and close once it is written; once only.

        As all output, it goes out once the events before it are kept, and
        what is not written within ``GOODBYE_GRACE_SECONDS`` is dropped with
        the connection.
        """
        if self.closing:
            return
        if reason is not None:
            self.write_message(
                Message(command="ERROR", params=(f"Closing Link: {self.peer} ({reason})",), trailing=True)
            )
        self.close_when_written()

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.sink.drop()
        self.setTimeout(None)
        self._flood.stop()
        self.factory.pings.discard(self)
        if self.user is not None:
            self.chat.quit(self.user, self._quit_reason, self)
        self.factory.forget(self)
