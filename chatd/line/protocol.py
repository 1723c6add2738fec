"""Bytes <-> chat: one ``LineProtocol`` per connection, one ``LineFactory`` per server.

The protocol owns what belongs to a connection (its telnet parser, line
buffer, rendering format, current room); the factory owns references to the
chat, the clock and the settings, and is the ``Audience`` through which the
chat reaches this front end: it renders each event once per format and
writes the same bytes to every recipient.
"""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from twisted.conch.telnet import OptionRefused, Telnet
from twisted.internet.defer import Deferred, succeed
from twisted.internet.interfaces import (
    IAddress,
    IDelayedCall,
    IReactorTime,
    ITCPTransport,
    ITransport,
)
from twisted.internet.protocol import ServerFactory, connectionDone
from twisted.logger import Logger
from twisted.protocols.basic import LineReceiver
from twisted.python.failure import Failure
from typing_extensions import override

from chatd import __version__
from chatd.domain.chat import Chat, User
from chatd.domain.errors import ChatError
from chatd.domain.events import Event
from chatd.domain.names import fold
from chatd.domain.ports import Session
from chatd.line import commands as cmd
from chatd.line.errors import (
    BadEncodingError,
    InternalError,
    LineTooLongError,
    NeedNicknameError,
    NoCurrentRoomError,
    TelnetCommandError,
    UnknownCommandError,
)
from chatd.line.render import Notice, Renderable, json_line, text_line

_T = TypeVar("_T")
_IAC = b"\xff"
_BINARY = b"\x00"

MAX_LINE_BYTES = 512
"""Longest line accepted, in bytes of UTF-8, not counting the line ending."""

SHUTDOWN_GRACE_SECONDS = 2.0
"""How long shutdown waits for goodbyes to flush before cutting connections."""


class _TelnetFilter(Telnet):
    """Removes telnet negotiation from the byte stream and makes input 8-bit clean.

    It exists only once a client has sent IAC, that is, has shown it speaks
    telnet. It then asks the client to send BINARY (RFC 856) and agrees to
    nothing else: a telnet client outside BINARY strips the eighth bit
    before matching its special characters, so UTF-8 such as U+2713
    (E2 9C 93) would leave it as E2, "IAC BRK", 93. The server's own output
    stays out of BINARY: clients show UTF-8 either way, and one in binary
    output mode echoes Enter as a bare line feed.
    """

    def __init__(self, receive: Callable[[bytes], None]) -> None:
        super().__init__()
        self._receive = receive

    @override
    def connectionMade(self) -> None:
        self.do(_BINARY).addErrback(_refusal_is_fine)

    @override
    def applicationDataReceived(self, data: bytes) -> None:
        self._receive(data)

    @override
    def enableRemote(self, option: bytes) -> bool:
        return option == _BINARY

    @override
    def disableRemote(self, option: bytes) -> None:
        """Leaving BINARY needs nothing undone: lines are written the same way."""


def _refusal_is_fine(failure: Failure) -> None:
    """A client that refuses BINARY stays in NVT mode; ASCII still works."""
    failure.trap(OptionRefused)


class LineProtocol(LineReceiver):
    """One person (or program) on nc, telnet or the bundled client."""

    delimiter = b"\n"
    # One more byte than the limit, for the CR of a CRLF ending.
    MAX_LENGTH = MAX_LINE_BYTES + 1
    log = Logger()

    def __init__(self, factory: "LineFactory") -> None:
        self.factory: LineFactory = factory
        self.user: User | None = None
        self.json = False
        self.current: str | None = None
        """The room plain lines go to: the last joined, or None."""
        self._telnet: _TelnetFilter | None = None
        self._closing = False
        self._overflow = b""
        self._discarding = False

    @property
    def audience(self) -> "LineFactory":
        """The factory renders and delivers this session's events."""
        return self.factory

    @override
    def connectionMade(self) -> None:
        self.factory.connections.add(self)
        for notice in self.factory.greeting():
            self.send(notice)
        self.send(PROMPT)

    @override
    def dataReceived(self, data: bytes) -> None:
        if self._telnet is None:
            if _IAC not in data:
                # IAC (0xFF) never occurs in UTF-8, so until a client sends
                # one there is no telnet to strip: nc's bytes skip conch's
                # byte-at-a-time parser, and the connection does not carry it.
                self._receive(data)
                return
            self._telnet = _TelnetFilter(self._receive)
            self._telnet.makeConnection(cast(ITransport, self.transport))
        try:
            self._telnet.dataReceived(data)
        except ValueError:
            # conch's parser raises on an IAC followed by a byte that is no
            # telnet command; start over in data state and say so.
            self._telnet.state = "data"
            self.send(TelnetCommandError())

    def _receive(self, data: bytes) -> None:
        """Feed application bytes to LineReceiver, recovering from overlong lines."""
        while data and not self._closing:
            if self._discarding:
                _, newline, data = data.partition(b"\n")
                if not newline:
                    return
                self._discarding = False
            LineReceiver.dataReceived(self, data)
            data, self._overflow = self._overflow, b""

    @override
    def lineLengthExceeded(self, line: bytes) -> None:
        # LineReceiver hands over the long line plus all that followed it;
        # refuse the line, keep what follows its newline, and if it has not
        # ended yet, drop bytes until it does (memory stays bounded).
        self.send(LineTooLongError(MAX_LINE_BYTES))
        _, newline, rest = line.partition(b"\n")
        if newline:
            self._overflow = rest
        else:
            self._discarding = True

    @override
    def lineReceived(self, line: bytes) -> None:
        if line.endswith(b"\r"):
            line = line[:-1]
        if len(line) > MAX_LINE_BYTES:
            self.send(LineTooLongError(MAX_LINE_BYTES))
            return
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            self.send(BadEncodingError())
            return
        if not text.strip():
            return
        try:
            self._execute(cmd.parse(text))
        except ChatError as error:
            self.send(error)
            if self.user is None and not self._closing:
                self.send(PROMPT)
        except Exception:
            self.log.failure("Command failed: {command}", command=text.split(" ", 1)[0])
            self.send(InternalError())

    def _execute(self, command: cmd.Command) -> None:
        if self.user is None:
            if isinstance(command, cmd.Say):
                command = cmd.Nick(command.text.strip())
            elif command.needs_nick:
                raise NeedNicknameError()
        _HANDLERS[type(command)](self, command)

    def send(self, item: Renderable) -> None:
        """Render ``item`` in this session's format and write it."""
        self.write(json_line(item) if self.json else text_line(item))

    def write(self, data: bytes) -> None:
        """Write rendered bytes, unless the connection is closing."""
        if not self._closing and self.transport is not None:
            self.transport.write(data)

    def close(self, notice: Notice) -> None:
        """Say ``notice`` as the last line and close once it is written."""
        self.send(notice)
        self._closing = True
        if self.transport is not None:
            self.transport.loseConnection()

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._closing = True
        if self.user is not None:
            self.factory.chat.quit(self.user, "connection closed")
        self.factory.forget(self)

    def _room_or_current(self, room: str | None) -> str:
        if room is not None:
            return room
        if self.current is None:
            raise NoCurrentRoomError()
        return self.current

    def _me(self) -> User:
        assert self.user is not None, "_execute checks needs_nick"
        return self.user

    def _say(self, command: cmd.Say) -> None:
        self.factory.chat.say(self._me(), self._room_or_current(None), command.text)

    def _nick(self, command: cmd.Nick) -> None:
        if self.user is not None:
            self.factory.chat.rename(self.user, command.nick)
            return
        self.user = self.factory.chat.register(self, command.nick)
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


PROMPT = Notice("prompt", "Choose a nickname:")
SHUTDOWN = Notice("shutdown", "Server shutting down. Goodbye.")
HELP_FOOTER = "Other lines go to the current room; start one with // to begin it with /."

_HANDLERS: dict[type, Callable[[LineProtocol, Any], None]] = {
    cmd.Say: LineProtocol._say,
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


class LineFactory(ServerFactory[LineProtocol]):
    """Builds a ``LineProtocol`` per connection and delivers chat events to them."""

    # Twisted's "Starting factory <...>" lines tell an operator nothing
    # that chatd.service's "listening on" lines do not.
    noisy = False

    def __init__(
        self,
        chat: Chat,
        reactor: IReactorTime,
        server_name: str,
        motd: str = "",
        default_room: str = "#lobby",
    ) -> None:
        self.chat = chat
        self.reactor = reactor
        self.server_name = server_name
        self.motd = motd
        self.default_room = default_room
        self.connections: set[LineProtocol] = set()
        """Live connections, so shutdown can say goodbye to each."""
        self._drained: Deferred[None] | None = None

    @override
    def buildProtocol(self, addr: IAddress | None) -> LineProtocol:
        return LineProtocol(self)

    def greeting(self) -> list[Notice]:
        """What a new connection is told before the nickname prompt."""
        welcome = f"Welcome to chatd {__version__} on {self.server_name}. Type /help for help."
        return [Notice("welcome", welcome)] + [
            Notice("motd", line) for line in self.motd.splitlines() if line.strip()
        ]

    def deliver(self, event: Event, sessions: Sequence[Session]) -> None:
        """Render ``event`` at most once per format and write it to each session."""
        text = data = b""
        for session in sessions:
            # Every session whose audience is this factory is one of its protocols.
            protocol = cast(LineProtocol, session)
            if protocol.json:
                data = data or json_line(event)
                protocol.write(data)
            else:
                text = text or text_line(event)
                protocol.write(text)

    def forget(self, protocol: LineProtocol) -> None:
        """``protocol``'s connection is gone; the last one gone ends a shutdown."""
        self.connections.discard(protocol)
        if not self.connections and self._drained is not None:
            drained, self._drained = self._drained, None
            drained.callback(None)

    def shutdown(self) -> "Deferred[None]":
        """Tell everyone the server is going, close every connection, and fire when done.

        Goodbyes get ``SHUTDOWN_GRACE_SECONDS`` to flush; connections that
        still hang on (a client that never reads) are then aborted.
        """
        if not self.connections:
            return succeed(None)
        drained = self._drained = Deferred()
        for protocol in list(self.connections):
            protocol.close(SHUTDOWN)
        cutoff = self.reactor.callLater(SHUTDOWN_GRACE_SECONDS, self._abort)
        drained.addBoth(_cancelling(cutoff))
        return drained

    def _abort(self) -> None:
        for protocol in list(self.connections):
            if protocol.transport is not None:
                # Every listener chatd opens is a stream of the TCP kind.
                cast(ITCPTransport, protocol.transport).abortConnection()


def _cancelling(call: IDelayedCall) -> Callable[[_T], _T]:
    """A callback that cancels ``call`` if still pending and passes its result on."""

    def cancel(result: _T) -> _T:
        if call.active():
            call.cancel()
        return result

    return cancel
