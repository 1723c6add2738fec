"""Bytes <-> chat: one ``LineProtocol`` per nc, telnet or client connection.

The protocol owns what belongs to a connection: its telnet parser (made
only if the client speaks telnet), line buffer, flood budget, paste being
gathered, output backlog, rendering format and current room. It holds its
limits on both directions: lines are capped, fast clients are slowed and
then cut off, and a client that stops reading is cut off before its
waiting output outgrows the send queue.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from twisted.internet.interfaces import IConsumer, IDelayedCall, IPushProducer, ITCPTransport, ITransport
from twisted.internet.protocol import connectionDone
from twisted.logger import Logger
from twisted.protocols.basic import LineReceiver
from twisted.protocols.policies import TimeoutMixin
from twisted.python.failure import Failure
from typing_extensions import override
from zope.interface import implementer

from chatd.domain.chat import User
from chatd.domain.errors import ChatError
from chatd.domain.flood import FloodGate
from chatd.domain.names import check_text, fold
from chatd.line import commands as cmd
from chatd.line.errors import (
    BadEncodingError,
    FloodError,
    InternalError,
    LineTooLongError,
    NeedNicknameError,
    NoCurrentRoomError,
    RegisterTimeoutError,
    TelnetCommandError,
    TelnetOverflowError,
    UnknownCommandError,
)
from chatd.line.render import Notice, Renderable, json_line, text_line
from chatd.line.sockets import tune
from chatd.line.telnet import IAC, TelnetFilter

if TYPE_CHECKING:
    from chatd.line.factory import LineFactory

LINES_PER_CHARGE = 5
"""Lines of a paste that cost one line of flood budget."""

PROMPT = Notice("prompt", "Choose a nickname:")
SHUTDOWN = Notice("shutdown", "Server shutting down. Goodbye.")
SLOWED = Notice("flood", "You are sending faster than the server allows; your lines now wait their turn.")
HELP_FOOTER = "Other lines go to the current room; start one with // to begin it with /."


@implementer(IPushProducer)
class LineProtocol(LineReceiver, TimeoutMixin):
    """One person (or program) on nc, telnet or the bundled client."""

    delimiter = b"\n"
    log = Logger()

    def __init__(self, factory: "LineFactory", peer: str) -> None:
        self.factory: LineFactory = factory
        self.peer = peer
        """The client's address, as the factory counts connections per address."""
        limits = factory.limits
        # One more byte than the limit, for the CR of a CRLF ending.
        self.MAX_LENGTH = limits.max_line + 1
        self.user: User | None = None
        self.json = False
        self.current: str | None = None
        """The room plain lines go to: the last joined, or None."""
        self._telnet: TelnetFilter | None = None
        self._closing = False
        self._quit_reason = "connection closed"
        self._overflow = b""
        self._discarding = False
        self._paste: list[str] = []
        self._flood = FloodGate(
            limits.flood_rate,
            limits.flood_burst,
            limits.flood_bytes,
            4 * limits.flood_bytes,
            factory.reactor.seconds,
        )
        self._held_since: float | None = None
        self._release: IDelayedCall | None = None
        self._backlog: int | None = None
        """Bytes written since the transport said its buffer is full; None while it is not."""

    @property
    def audience(self) -> "LineFactory":
        """The factory renders and delivers this session's events."""
        return self.factory

    @override
    def callLater(self, period: float, func: Callable[..., object], *args: object) -> IDelayedCall:
        """TimeoutMixin's timer, on the factory's (injectable) reactor."""
        return self.factory.reactor.callLater(period, func, *args)

    @override
    def connectionMade(self) -> None:
        transport = cast(ITransport, self.transport)
        # Told when the client stops reading, so output cannot pile up unseen.
        cast(IConsumer, transport).registerProducer(self, True)
        if ITCPTransport.providedBy(transport):
            tune(transport, self.factory.limits.keepalive)
        self.setTimeout(self.factory.limits.register_timeout)
        for notice in self.factory.greeting():
            self.send(notice)
        self.send(PROMPT)

    @override
    def timeoutConnection(self) -> None:
        self.close(RegisterTimeoutError(self.factory.limits.register_timeout))

    @override
    def dataReceived(self, data: bytes) -> None:
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
        """Send a negotiation reply like any output, and charge its bytes to the flood budget.

        Each IAC DO a client sends earns a reply: without this a client that
        never reads could make the server queue replies without bound.
        """
        self.write(data)
        self._charge(0, len(data))

    def _telnet_overflow(self) -> None:
        self.close(TelnetOverflowError(TelnetFilter.MAX_SUBNEGOTIATION))

    def _receive(self, data: bytes) -> None:
        """Feed bytes to LineReceiver, recovering from overlong lines, then send any paste."""
        while not self._closing:
            if self._discarding:
                _, newline, data = data.partition(b"\n")
                if not newline:
                    break
                self._discarding = False
            LineReceiver.dataReceived(self, data)
            data, self._overflow = self._overflow, b""
            if not data:
                break
        self._guarded(self._send_paste)

    @override
    def lineLengthExceeded(self, line: bytes) -> None:
        # LineReceiver hands over the long line plus all that followed it;
        # refuse the line, keep what follows its newline, and if it has not
        # ended yet, drop bytes until it does (memory stays bounded).
        self.send(LineTooLongError(self.factory.limits.max_line))
        _, newline, rest = line.partition(b"\n")
        if newline:
            self._overflow = rest
        else:
            self._discarding = True

    @override
    def lineReceived(self, line: bytes) -> None:
        if line.endswith(b"\r"):
            line = line[:-1]
        self._guarded(lambda: self._take(line))

    def _take(self, line: bytes) -> None:
        """Gather a plain line into the paste, or send the paste and run the command.

        Whatever is refused is refused after the lines gathered before it
        are sent, so replies keep the order of the lines they answer.
        """
        try:
            if len(line) > self.factory.limits.max_line:
                raise LineTooLongError(self.factory.limits.max_line)
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                raise BadEncodingError() from None
            if not text.strip():
                return
            command = cmd.parse(text)
            if isinstance(command, cmd.Say) and self.user is not None:
                self._paste.append(check_text(command.text))
                if len(self._paste) >= self.factory.limits.paste_lines:
                    self._send_paste()
                return
        except ChatError:
            self._send_paste()
            raise
        self._send_paste()
        if not self._charge(1, len(line)):
            return
        if self.user is None:
            if isinstance(command, cmd.Say):
                command = cmd.Nick(command.text.strip())
            elif command.needs_nick:
                raise NeedNicknameError()
        _HANDLERS[type(command)](self, command)

    def _send_paste(self) -> None:
        """Say the lines gathered from one read as one message.

        It costs one line of flood budget for every ``LINES_PER_CHARGE``
        lines it holds: a screenful passes at once, a flood in pastes does not.
        """
        if not self._paste or self.user is None:
            return
        lines, self._paste = self._paste, []
        cost = -(-len(lines) // LINES_PER_CHARGE)
        if self._charge(cost, sum(len(line.encode()) for line in lines)):
            self.factory.chat.say(self.user, self._room_or_current(None), "\n".join(lines))

    def _guarded(self, action: Callable[[], None]) -> None:
        """Run ``action``; a refusal becomes one ERR line, a bug is logged too."""
        try:
            action()
        except ChatError as error:
            self.send(error)
            if self.user is None and not self._closing:
                self.send(PROMPT)
        except Exception:
            self.log.failure("Handling a line from {peer} failed", peer=self.peer)
            self.send(InternalError())

    def _charge(self, lines: int, size: int) -> bool:
        """Spend flood budget; over it, stop reading for a while, and in the end cut off.

        False once the connection is cut off: what was charged is not done.
        """
        if self._closing:
            return False
        wait = self._flood.charge(lines, size)
        if not wait:
            self._held_since = None
            return True
        now = self.factory.reactor.seconds()
        if self._held_since is None:
            self._held_since = now
            self.send(SLOWED)
        elif now - self._held_since > self.factory.limits.flood_disconnect:
            self.log.warn("Disconnecting {peer} for flooding", peer=self.peer)
            self._quit_reason = "flooding"
            self.close(FloodError(self.factory.limits.flood_disconnect))
            return False
        if self._release is not None and self._release.active():
            self._release.cancel()
        # LineReceiver takes no more lines from its buffer while paused, and
        # the transport stops reading, so TCP pushes back on the client.
        self.paused = True
        cast(IPushProducer, self.transport).pauseProducing()
        self._release = self.factory.reactor.callLater(wait, self._resume_reading)
        return True

    def _resume_reading(self) -> None:
        self.paused = False
        if self._closing:
            return
        cast(IPushProducer, self.transport).resumeProducing()
        self._receive(b"")

    @override
    def pauseProducing(self) -> None:
        """The transport's buffer is full: the client is not keeping up with its output."""
        if self._backlog is None:
            self._backlog = 0

    @override
    def resumeProducing(self) -> None:
        """The client has caught up."""
        self._backlog = None

    @override
    def stopProducing(self) -> None:
        """The connection is going; connectionLost follows."""

    def send(self, item: Renderable) -> None:
        """Render ``item`` in this session's format and write it."""
        self.write(json_line(item) if self.json else text_line(item))

    def write(self, data: bytes) -> None:
        """Write rendered bytes, unless closing; past the send queue, cut the client off."""
        if self._closing or self.transport is None:
            return
        if self._backlog is not None:
            self._backlog += len(data)
            if self._backlog > self.factory.limits.sendq:
                # Called while an event is being delivered, so the user
                # leaves the chat in connectionLost, not in the middle of it.
                self.log.warn("Disconnecting {peer}: send queue exceeded", peer=self.peer)
                self._quit_reason = "send queue exceeded"
                self._closing = True
                cast(ITCPTransport, self.transport).abortConnection()
                return
        self.transport.write(data)

    def close(self, last: Renderable) -> None:
        """Say ``last`` as the final line and close once it is written; once only."""
        if self._closing:
            return
        self.send(last)
        self._closing = True
        if self.transport is not None:
            # A paused producer would keep a closing TCP transport open.
            cast(IConsumer, self.transport).unregisterProducer()
            self.transport.loseConnection()

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._closing = True
        self.setTimeout(None)
        if self._release is not None and self._release.active():
            self._release.cancel()
        if self.user is not None:
            self.factory.chat.quit(self.user, self._quit_reason)
        self.factory.forget(self)

    def _room_or_current(self, room: str | None) -> str:
        if room is not None:
            return room
        if self.current is None:
            raise NoCurrentRoomError()
        return self.current

    def _me(self) -> User:
        assert self.user is not None, "_take checks needs_nick"
        return self.user

    def _nick(self, command: cmd.Nick) -> None:
        if self.user is not None:
            self.factory.chat.rename(self.user, command.nick)
            return
        self.user = self.factory.chat.register(self, command.nick)
        self.setTimeout(None)
        self.send(Notice("nick", f"You are {self.user.nick}."))
        self._join(cmd.Join(self.factory.default_room))

    def _join(self, command: cmd.Join) -> None:
        me = self._me()
        already = fold(command.room) in me.rooms
        room = self.factory.chat.join(me, command.room)
        self.current = room.name
        if already:
            self.send(Notice("room", f"Now talking in {room.name}."))
        self.send(self.factory.chat.members(room.name))
        if room.topic:
            self.send(self.factory.chat.topic(room.name))

    def _part(self, command: cmd.Part) -> None:
        me = self._me()
        room = self._room_or_current(command.room)
        self.factory.chat.part(me, room, command.reason)
        if self.current is not None and fold(self.current) not in me.rooms:
            rooms = list(me.rooms.values())
            self.current = rooms[-1].name if rooms else None
            self.send(
                Notice("room", f"Now talking in {self.current}.")
                if self.current
                else Notice("room", "You are in no room; /join #room to talk.")
            )

    def _rooms(self, command: cmd.Rooms) -> None:
        self.send(self.factory.chat.rooms())

    def _who(self, command: cmd.Who) -> None:
        self.send(self.factory.chat.members(self._room_or_current(command.room)))

    def _users(self, command: cmd.Users) -> None:
        self.send(self.factory.chat.users())

    def _msg(self, command: cmd.Msg) -> None:
        self.factory.chat.whisper(self._me(), command.nick, command.text)

    def _me_action(self, command: cmd.Me) -> None:
        self.factory.chat.act(self._me(), self._room_or_current(None), command.text)

    def _topic(self, command: cmd.Topic) -> None:
        room = self._room_or_current(None)
        if command.text is None:
            self.send(self.factory.chat.topic(room))
        else:
            self.factory.chat.set_topic(self._me(), room, command.text)

    def _time(self, command: cmd.Time) -> None:
        self.send(self.factory.chat.time())

    def _quit(self, command: cmd.Quit) -> None:
        user, self.user = self.user, None
        self.close(Notice("bye", "Goodbye."))
        if user is not None:
            self.factory.chat.quit(user, command.reason)

    def _format(self, command: cmd.Format) -> None:
        self.json = command.json
        self.send(Notice("format", f"Lines are now {'json' if command.json else 'text'}."))

    def _help(self, command: cmd.Help) -> None:
        if command.command is None:
            specs = list(cmd.COMMANDS.values())
        elif command.command in cmd.COMMANDS:
            specs = [cmd.COMMANDS[command.command]]
        else:
            raise UnknownCommandError(command.command)
        for spec in specs:
            self.send(Notice("help", f"{spec.usage} - {spec.summary}"))
        if command.command is None:
            self.send(Notice("help", HELP_FOOTER))


_HANDLERS: dict[type, Callable[[LineProtocol, Any], None]] = {
    cmd.Nick: LineProtocol._nick,
    cmd.Join: LineProtocol._join,
    cmd.Part: LineProtocol._part,
    cmd.Rooms: LineProtocol._rooms,
    cmd.Who: LineProtocol._who,
    cmd.Users: LineProtocol._users,
    cmd.Msg: LineProtocol._msg,
    cmd.Me: LineProtocol._me_action,
    cmd.Topic: LineProtocol._topic,
    cmd.Time: LineProtocol._time,
    cmd.Quit: LineProtocol._quit,
    cmd.Format: LineProtocol._format,
    cmd.Help: LineProtocol._help,
}
