"""Bytes <-> chat: one ``LineProtocol`` per nc, telnet or client connection.

The protocol owns what belongs to a connection: its telnet parser (made
only if the client speaks telnet), line buffer, flood budget (driven by
chatd.frontend.flood), the reasons it is not reading, if any
(chatd.frontend.reading), paste being gathered, output
(chatd.frontend.output) and ``/oper`` budget; what it has in the chat
(user, current room, format, ignores) and the commands it runs come from
``LineSession``. It holds its limits on both directions: lines are capped,
fast clients are slowed and then cut off, and a client that stops reading
is cut off before its waiting output outgrows the send queue.
"""

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, cast

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import (
    IConsumer,
    IDelayedCall,
    IHandshakeListener,
    IPushProducer,
    ITCPTransport,
    ITransport,
)
from twisted.internet.protocol import connectionDone
from twisted.logger import Logger
from twisted.protocols.basic import LineReceiver
from twisted.protocols.policies import TimeoutMixin
from twisted.protocols.tls import TLSMemoryBIOProtocol
from twisted.python.failure import Failure
from typing_extensions import override
from zope.interface import implementer

from chatd.domain.envelopes import EMSG_LINE_MOST
from chatd.domain.errors import ChatError
from chatd.domain.files import PUT_LINE_MOST
from chatd.domain.flood import FloodGate
from chatd.domain.names import check_text
from chatd.domain.ports import UserView
from chatd.frontend.connections import GOODBYE_GRACE_SECONDS
from chatd.frontend.flood import FloodControl
from chatd.frontend.oper import Attempts
from chatd.frontend.output import Output
from chatd.frontend.reading import Pause, Reading
from chatd.frontend.transport_output import output_for
from chatd.line import files, table
from chatd.line.commands import Resume, Say
from chatd.line.errors import (
    FloodError,
    LineTooLongError,
    RegisterTimeoutError,
    TelnetCommandError,
    TelnetOverflowError,
)
from chatd.line.keys import line_most
from chatd.line.render import Notice, Renderable
from chatd.line.session import LineSession, Waiting, decode
from chatd.line.table import Request
from chatd.line.takeover import new_token
from chatd.line.telnet import IAC, TelnetFilter

if TYPE_CHECKING:
    from chatd.line.factory import LineFactory

LINES_PER_CHARGE = 5
"""Lines of a paste that cost one line of flood budget."""

SHUTDOWN = Notice("shutdown", "Server shutting down. Goodbye.")
SLOWED = Notice("flood", "You are sending faster than the server allows; your lines now wait their turn.")


@implementer(IHandshakeListener)
class LineProtocol(LineReceiver, TimeoutMixin, LineSession):
    """One person (or program) on nc, telnet or the bundled client.

    Its one timer (TimeoutMixin's) holds its deadline: on TLS first the
    handshake's, then the nickname's, and once it is closing the grace its
    goodbye has to be written before the connection is aborted.
    """

    # Slots keep a connection's state out of a __dict__: about 1.3 KiB less
    # per connection (CPython stops sharing a dict's keys once an instance
    # adds attributes after many instances exist, and then the dict is 1.5
    # KiB). Twisted's bases have no slots, so what their methods set on the
    # instance (connected, transport, paused, timeOut, _buffer,
    # _busyReceiving, _TimeoutMixin__timeoutCall) is in slots here too, set
    # in ``__init__`` to their class defaults: else the first byte read made
    # a dict of 270 bytes a connection (issue 18). An attribute a later
    # Twisted adds lands in a __dict__ again, which works and costs memory.
    __slots__ = (
        "MAX_LENGTH",
        "_TimeoutMixin__timeoutCall",
        "_account_budget",
        "_blanks",
        "_buffer",
        "_busyReceiving",
        "_discarding",
        "_flood",
        "_handshaking",
        "_notes_free",
        "_oper_budget",
        "_overflow",
        "_paste",
        "_quit_reason",
        "_reading",
        "_takeover_budget",
        "_telnet",
        "_transfer_release",
        "connected",
        "factory",
        "paused",
        "timeOut",
        "token",
        "transport",
    )
    delimiter = b"\n"
    log = Logger()

    def __init__(self, factory: "LineFactory", peer: str) -> None:
        LineSession.__init__(
            self, factory.chat, factory, peer, factory.default_room, factory.ignorers, factory.search_turns
        )
        # Twisted's own attributes, at its classes' defaults (see __slots__).
        self.connected = 0
        self.transport: ITransport | None = None
        self._buffer = b""
        self._busyReceiving = False
        self.paused = False
        self.timeOut: int | None = None
        self._TimeoutMixin__timeoutCall: IDelayedCall | None = None
        self.factory: LineFactory = factory
        limits = factory.limits
        # One more byte than the limit, for the CR of a CRLF ending.
        self.MAX_LENGTH = limits.max_line + 1
        self._telnet: TelnetFilter | None = None
        self._quit_reason = "connection closed"
        self._overflow = b""
        self._discarding = False
        self._paste: list[str] | None = None
        """The plain lines of this read not yet said; None when none (most of the time: issue 18)."""
        self._blanks = 0
        """Blank lines among the paste's: paid for as its lines, shown as nothing."""
        self._handshaking = False
        """Whether this is a TLS connection whose handshake is not done: nothing can be said to it yet."""
        self._reading = Reading(self)
        """Why this connection is not reading, if it is not: its flood budget, a waiting command."""
        gate = FloodGate(
            limits.flood_rate,
            self._opening_burst(),
            limits.flood_bytes,
            4 * limits.flood_bytes,
            factory.reactor.seconds,
        )
        self._flood = FloodControl(gate, self._reading, self, factory.reactor, limits.flood_disconnect)
        self._oper_budget: Attempts | None = None
        """This connection's failed /oper attempts; made at its first attempt."""
        self._account_budget: Attempts | None = None
        """This connection's wrong account passwords; made at its first attempt."""
        self._takeover_budget: Attempts | None = None
        """This connection's wrong takeover tokens; made at its first attempt."""
        self.token: str | None = None
        """The secret that lets a new connection take this session's place (chatd.line.takeover): a new one with
        each "You are NICK." (``nick_notice``); None until then."""
        self._notes_free = factory.chat.limits.rooms_per_user
        """``/resume`` lines before a nickname still free (``_free_note``)."""
        self.files = factory.files
        self._transfer_release: IDelayedCall | None = None

    def _opening_burst(self) -> int:
        """Lines the flood budget holds when the connection opens: ``--flood-burst``."""
        return self.factory.limits.flood_burst

    @override
    def named(self) -> None:
        """A named connection has no deadline: people may stay quiet for hours."""
        self.setTimeout(None)

    @override
    def greeting_line(self) -> bytes:
        return self.factory.greeting_line(self.json, self.render)

    @override
    def prove_operator(self, name: str, password: str) -> "Deferred[None]":
        if self._oper_budget is None:
            self._oper_budget = self.factory.login.attempts()
        return self.factory.login.attempt(self.chat, self.me(), self.peer, self._oper_budget, name, password)

    @override
    def prove_account(self, nick: str, password: str) -> "Deferred[None]":
        if self._account_budget is None:
            self._account_budget = self.factory.accounts.attempts()
        return self.factory.accounts.prove(
            self.chat, self.user, self.peer, self._account_budget, nick, password
        )

    @override
    def nick_notice(self) -> Notice:
        notice = super().nick_notice()
        self.token = new_token()
        return replace(notice, fields={**notice.fields, "token": self.token})

    @override
    def take_over(self, nick: str, token: str) -> "Deferred[tuple[UserView, LineSession]]":
        tokens = self.factory.tokens
        if self._takeover_budget is None:
            self._takeover_budget = tokens.attempts()
        return tokens.take_over(self.chat, self, self._takeover_budget, nick, token)

    @override
    def hash_password(self, password: str) -> "Deferred[str]":
        return self.factory.accounts.hash(self.peer, password)

    @override
    def callLater(self, period: float, func: Callable[..., object], *args: object) -> IDelayedCall:
        """TimeoutMixin's timer, on the factory's (injectable) reactor."""
        return self.factory.reactor.callLater(period, func, *args)

    @override
    def connectionMade(self) -> None:
        transport = cast(ITransport, self.transport)
        limits = self.factory.limits
        # Gathered and sent once per reactor pass; it says whether the session is open.
        self.sink = self.make_output(transport)
        self.tune(transport)
        if self.files is not None:
            self.files.attach(self)
        # A TLS connection gets its greeting once its handshake is done,
        # which it has a short time for; the nickname's time starts then.
        self._handshaking = isinstance(transport, TLSMemoryBIOProtocol)
        self.setTimeout(limits.handshake_timeout if self._handshaking else limits.register_timeout)
        self.greet()

    def tune(self, transport: ITransport) -> None:
        """Its listener's settings on the connection, copied at accept; made here only where they could not be."""
        self.factory.tuning.accepted(transport)

    def make_output(self, transport: ITransport) -> Output:
        """Where this connection's output goes: the fastest ``Output`` its transport allows."""
        return output_for(
            transport, self.factory.outbox, self.factory.limits.sendq, self._send_queue_exceeded
        )

    def handshakeCompleted(self) -> None:  # noqa: N802 - IHandshakeListener's name
        """The TLS handshake is done: the connection now has its time to choose a nickname."""
        self._handshaking = False
        if not self.closing:
            self.setTimeout(self.factory.limits.register_timeout)

    @override
    def timeoutConnection(self) -> None:
        if self.closing or self._handshaking:
            # A goodbye not written in time, or a TLS connection that never
            # finished its handshake (nothing can be said to it): drop it.
            self.sink.drop()
            cast(ITCPTransport, self.transport).abortConnection()
            return
        self.close(RegisterTimeoutError(self.factory.limits.register_timeout))

    @override
    def dataReceived(self, data: bytes) -> None:
        # Every byte costs budget as it arrives, before anything reads it:
        # telnet commands, blank lines and the discarded rest of an overlong
        # line cost the same as text (issue 12). Lines are charged on top,
        # each as it is taken, without their bytes.
        if not self._charge(0, len(data)):
            return
        if self._telnet is None:
            if IAC not in data:
                # Until a client sends IAC there is no telnet to strip: nc's
                # bytes skip conch's byte-at-a-time parser.
                self._receive(data)
                return
            self._telnet = TelnetFilter(self._receive, self._telnet_reply, self._telnet_overflow)
            self._telnet.makeConnection(cast(ITransport, self.transport))
        # conch's parser hands over a read's text only at its end, and loses
        # it all if it meets a bad command; fed up to each IAC in turn, it
        # loses nothing but the bad command.
        first, *rest = data.split(IAC)
        self._telnet_parse(self._telnet, first)
        for piece in rest:
            self._telnet_parse(self._telnet, IAC + piece)

    def _telnet_parse(self, telnet: TelnetFilter, piece: bytes) -> None:
        """Parse ``piece``, holding at most one IAC, first; skip a bad command and go on."""
        escaped = telnet.state.endswith("escaped")
        try:
            telnet.dataReceived(piece)
        except (ValueError, IndexError):
            # conch raises on an IAC followed by a byte that is no telnet
            # command (ValueError) or on an empty subnegotiation, IAC SB IAC
            # SE (IndexError): the byte it choked on is the first of the
            # piece if the IAC ended the last one, else the second.
            telnet.state = "data"
            self.send(TelnetCommandError())
            self._telnet_parse(telnet, piece[1 if escaped else 2 :])

    def _telnet_reply(self, data: bytes) -> None:
        """Send a negotiation reply like any output.

        A reply is no longer than the command that asked for it, whose bytes
        were charged as they arrived, so replies grow only as fast as the
        flood budget lets commands in; past the send queue the client is cut off.
        """
        self.write(data)

    def _telnet_overflow(self) -> None:
        self.close(TelnetOverflowError(TelnetFilter.MAX_SUBNEGOTIATION))

    def _uploading(self) -> bool:
        """Whether this connection has an upload open: its bytes go to the transfer budget, its put lines may be long."""
        return self.files is not None and self.files.uploading(self)

    def _longest(self) -> int:
        """The longest line this connection may send now: a ``/file put`` while uploading, an ``/emsg`` once
        identified (issue 17; only an account may send one), else ``max_line``; ``_take`` holds other lines
        to ``max_line`` still."""
        if self._uploading():
            return PUT_LINE_MOST
        if self.user is not None and self.user.account is not None:
            return max(self.factory.limits.max_line, EMSG_LINE_MOST)
        return self.factory.limits.max_line

    def _receive(self, data: bytes) -> None:
        """Feed bytes to LineReceiver, recovering from overlong lines, then send any paste."""
        self.MAX_LENGTH = self._longest() + 1
        while not self.closing:
            if self._discarding:
                _, newline, data = data.partition(b"\n")
                if not newline:
                    break
                self._discarding = False
            LineReceiver.dataReceived(self, data)
            data, self._overflow = self._overflow, b""
            if not data:
                break
        self.guarded(self._send_paste)

    @override
    def lineLengthExceeded(self, line: bytes) -> None:
        # LineReceiver hands over the long line plus all that followed it;
        # refuse the line, keep what follows its newline, and if it has not
        # ended yet, drop bytes until it does (memory stays bounded). Like
        # any refused line it costs a line; its bytes were charged on arrival.
        self.guarded(self._send_paste)
        if not self._charge(1):
            return
        ended, newline, rest = line.partition(b"\n")
        size = len(ended.removesuffix(b"\r")) if newline else None
        self.send(LineTooLongError(self.factory.limits.max_line, size))
        if newline:
            self._overflow = rest
        else:
            self._discarding = True

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
            putting = line.startswith(b"/file put ") and self._uploading()
            text = decode(line, PUT_LINE_MOST if putting else line_most(line, self.factory.limits.max_line))
            if self.user is not None and not text.strip():
                # A blank line in a named user's paste (code has them) is
                # shown as nothing, but paid for as one of its lines.
                self._blanks += 1
                self._send_full_paste()
                return None
            request = table.parse(text) if text.strip() else None
            if request is not None and request.row is table.LINE and self.user is not None:
                assert isinstance(request.command, Say), "the plain line's row gives Say"
                self._gather(check_text(request.command.text))
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
        """Add ``text`` to the paste (it may show nothing, and is then refused with it)."""
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

    def _charge(self, lines: int, size: int = 0) -> bool:
        """Spend flood budget; over it, stop reading for a while, and in the end cut off.

        While an upload or a download is open, bytes go to the transfer
        budget instead (``_charge_transfer``). False once the connection is closing or cut
        off: what was charged is not done.
        """
        if self.closing:
            return False
        if size and self.files is not None and self.files.transferring(self):
            self._charge_transfer(size)
            size = 0
            if not lines:
                return True
        return self._flood.charge(lines, size)

    def _charge_transfer(self, size: int) -> None:
        """Charge a transfer's bytes (an upload's chunks, a download's acknowledgements) to the transfer budget.

        Over it, reading stops until it refills: that is an upload's rate
        limit, with no warning and no cut-off.
        """
        assert self.files is not None, "only a connection with files transfers"
        wait = self.files.charge(self, size)
        if wait and self._transfer_release is None:
            self._reading.pause(Pause.TRANSFER)
            self._transfer_release = self.factory.reactor.callLater(wait, self._transfer_refilled)

    def _transfer_refilled(self) -> None:
        self._transfer_release = None
        self._reading.resume(Pause.TRANSFER)

    @override
    def charge_answer(self, lines: int) -> None:
        self._charge(lines, 0)

    @override
    def budget_full_in(self) -> float:
        return self._flood.full_in()

    @override
    def budget_held(self) -> float:
        return self._flood.lines_held()

    @override
    def charge_burst(self) -> bool:
        return self._charge(max(self.factory.limits.flood_burst - 1, 0), 0)

    def warn_flooding(self) -> None:
        """Say once per stretch over the flood budget that lines now wait their turn."""
        self.send(SLOWED)

    def cut_off_flooding(self) -> None:
        """Over the flood budget for too long: say why and close."""
        self.factory.admission.bounded.warn(self.log, "Disconnecting {peer} for flooding", peer=self.peer)
        self._quit_reason = "flooding"
        self.close(FloodError(self.factory.limits.flood_disconnect))

    def stop_reading(self) -> None:
        """Take no more lines until ``start_reading``; ``Reading`` decides when."""
        # LineReceiver takes no more lines from its buffer while paused, and
        # the transport stops reading, so TCP pushes back on the client.
        self.paused = True
        cast(IPushProducer, self.transport).pauseProducing()

    def start_reading(self) -> None:
        """Take lines again: the ones buffered meanwhile first, then the transport's."""
        self.paused = False
        if self.closing:
            return
        cast(IPushProducer, self.transport).resumeProducing()
        self._receive(b"")

    def _send_queue_exceeded(self) -> None:
        """The client stopped reading and its output outgrew the send queue (which dropped it): abort."""
        self.factory.admission.bounded.warn(
            self.log, "Disconnecting {peer}: send queue exceeded", peer=self.peer
        )
        self._quit_reason = "send queue exceeded"
        cast(ITCPTransport, self.transport).abortConnection()

    @override
    def close(self, last: Renderable | None) -> None:
        """Say ``last`` (if any) as the final line and close once it is written; once only.

        The last words, as all output, go out once the events behind them
        are kept (``Output.close``): a ``kill -9`` loses no line a closing
        session was shown. What is not written within ``GOODBYE_GRACE_SECONDS`` is dropped with
        the connection: a client that does not read (or a TLS peer that
        does not answer the close) cannot hold it open.
        """
        if self.closing:
            return
        if last is not None:
            self.send(last)
        self.sink.close(self._hang_up)
        if self.transport is not None:
            self.setTimeout(GOODBYE_GRACE_SECONDS)

    def _hang_up(self) -> None:
        """The last words are with the transport: close the connection once they are written."""
        if self.transport is not None:
            # A producer would keep a closing TCP transport open.
            cast(IConsumer, self.transport).unregisterProducer()
            self.transport.loseConnection()

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.sink.drop()
        self.setTimeout(None)
        self._flood.stop()
        if self._transfer_release is not None:
            self._transfer_release.cancel()
            self._transfer_release = None
        if self.files is not None:
            self.files.detach(self)
        if self.user is not None:
            self.chat.quit(self.user, self._quit_reason, self)
        self.factory.forget(self)
