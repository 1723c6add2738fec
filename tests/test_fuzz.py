"""Arbitrary bytes, commands and disconnections from several clients at once.

Hypothesis drives a few ``LineProtocol``s on a fake clock with any bytes,
valid commands, pastes, telnet negotiation and overlong lines, advances the
clock, stalls readers and drops connections, and after every step checks
what must always hold: nothing escapes or is logged as a failure, every line
a client gets is safe, memory per connection stays bounded and the chat's
state stays consistent. These tests read private attributes on purpose
(``chat._state``'s users and rooms, ``admission._per_host``, and a
protocol's ``_buffer``, ``_paste``, ``_flood`` and TimeoutMixin's timer):
the invariants are about that state.

The first property also runs two explicit examples that broke it when
written: an empty telnet subnegotiation (IAC SB IAC SE), which raised
IndexError out of dataReceived, and telnet negotiation from a client that
reads nothing, whose replies bypassed the send queue.
"""

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from twisted.internet.address import IPv4Address
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.internet.task import Clock
from twisted.internet.testing import EventLoggingObserver, StringTransport
from twisted.logger import LogLevel, globalLogPublisher
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from chatd.bus.memory import MemoryBus
from chatd.domain.chat import Chat
from chatd.domain.durations import LONGEST
from chatd.domain.events import Event, Said
from chatd.domain.limits import Limits
from chatd.domain.names import look
from chatd.domain.ports import Session
from chatd.domain.state import ChatState
from chatd.frontend.admission import Admission
from chatd.frontend.logs import BoundedLog
from chatd.frontend.oper import OperatorLogin
from chatd.frontend.reading import Pause
from chatd.frontend.wiring import Wiring
from chatd.line.factory import LineFactory
from chatd.line.limits import LineLimits
from chatd.line.protocol import LineProtocol
from chatd.storage.memory import MemoryHistory
from chatd.storage.memory_accounts import MemoryAccounts
from chatd.storage.memory_rooms import MemoryRooms
from chatd.text import fold
from tests.helpers import buffered, check_at_once, state_facts

# Small limits, so a short run reaches each of them: long lines, full
# pastes, flood waits and cut-offs, full send queues, register timeouts,
# the room limit and the connection limit.
LIMITS = LineLimits(
    max_line=64,
    flood_rate=2.0,
    flood_burst=5,
    flood_bytes=256,
    flood_disconnect=5.0,
    paste_lines=4,
    sendq=600,
    register_timeout=20.0,
    keepalive=0,
)
MAX_CONNECTIONS = 5
MAX_PER_IP = 2
CHAT_LIMITS = Limits(rooms_per_user=2)
# Connections come from these in turn: the third from 10.0.0.1 is over
# max_per_ip, and a sixth at once is over max_connections.
HOSTS = ("10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4")
TICK = 0.25
"""The clock moves in steps of at most this many seconds."""

RANDOM_READ = 600
"""The longest chunk of random bytes."""

NICKS = (b"alice", b"bob", b"carol", b"dave")
"""Who the first clients are, when the example names them; the commands below use these names."""

LINES = (
    # nicknames, two of which fold alike
    b"alice\n",
    b"bob\r\n",
    b"ALICE\n",
    b"/nick carol\n",
    b"/nick x\n",
    b"/nick Bob\n",
    # rooms
    b"/join #a\n",
    b"/join #b\n",
    b"/join lobby\n",
    b"/part\n",
    b"/part #a bye\n",
    b"/who\n",
    b"/rooms\n",
    b"/users\n",
    # talk
    b"hello\n",
    b"/msg bob hi\n",
    b"/msg alice hey\n",
    b"/me waves\n",
    b"/topic news\n",
    b"/topic\n",
    b"//slash\n",
    b"one\ntwo\nthree\nfour\nfive\nsix\n",  # a paste longer than paste_lines
    # other commands
    b"/time\n",
    b"/time\n" * 60,  # a flood: over budget for longer than flood_disconnect
    b"/help\n",  # many lines back: fills a stalled client's send queue
    b"/help msg\n",
    b"/help bogus\n",
    b"/format json\n",
    b"/format text\n",
    b"/bogus\n",
    b"/quit\n",
    b"/quit gone\n",
    b"exit\n",
    # people, room owners and operators ("boss" is the operator of tests.helpers)
    b"/away lunch\n",
    b"/away\n",
    b"/whois bob\n",
    b"/ignore bob\n",
    b"/unignore bob\n",
    b"/kick bob\n",
    b"/kick alice #a see you\n",
    b"/lock\n",
    b"/unlock\n",
    b"/mode #a +ik-m key\n",
    b"/mode #a +o bob +v carol\n",
    b"/mode #a +b alice +l 1\n",
    b"/mode #a -b alice +sm\n",
    b"/mode #a\n",
    b"/invite bob\n",
    b"/join #a key\n",
    b"/oper boss guess\n",
    b"/oper boss correct horse\n",
    b"/mute alice 1m\n",
    b"/unmute alice\n",
    b"/ban bob 1m\n",
    b"/ban 10.0.0.2\n",
    b"/unban 10.0.0.2\n",
    b"/ban\n",
    b"/wall hear ye\n",
    b"/shutdown\n",
    # lines that break the rules, whole or cut across reads
    b"x" * 100 + b"\n",
    b"z" * 65 + b"\n",  # one byte over max_line: the room LineReceiver keeps for a CR
    b"w" * 64 + b"\r\n",  # exactly max_line
    b"y" * 200,
    b"\x1b[2J\n",
    b"\xc0\xaf\n",
    b"caf\xc3",
    b"\xa9\n",
    b"\r",
    b"\n",
    b"\t \n",
    b"\x00",
)

# Telnet: negotiation, commands, subnegotiation and its halves, lone IACs.
TELNET = (
    b"\xff\xfb\x01",  # IAC WILL ECHO
    b"\xff\xfb\x00",  # IAC WILL BINARY
    b"\xff\xfd\x01",  # IAC DO ECHO
    b"\xff\xfd\x01" * 250,  # a negotiation storm: each DO draws a WONT
    b"\xff\xfe\x00",  # IAC DONT BINARY
    b"\xff\xfc\x00",  # IAC WONT BINARY
    b"\xff\xf4",  # IAC IP
    b"\xff\xff",  # escaped 0xff
    b"\xff\xfa\x18\x01\xff\xf0",  # a subnegotiation
    b"\xff\xfa",  # IAC SB, subnegotiation begins
    b"\xff\xf0",  # IAC SE, subnegotiation ends
    b"\xff",
    b"\xff\x01",  # IAC and no command
)
FRAGMENTS = LINES + TELNET

chunks = st.one_of(
    st.binary(max_size=64),
    st.lists(st.sampled_from(FRAGMENTS), max_size=6).map(b"".join),
    # Negotiation among a few lines: telnet's parser keeps its state across reads.
    st.lists(st.sampled_from((*TELNET, b"hello\n", b"alice\n")), max_size=6).map(b"".join),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=8)), max_size=6).map(b"".join),
)
valid_lines = st.lists(
    st.sampled_from([fragment for fragment in FRAGMENTS if fragment.endswith(b"\n") and fragment.isascii()]),
    min_size=1,
    max_size=4,
).map(b"".join)


@dataclass(frozen=True)
class Send:
    """Connection ``to`` (modulo how many there were) reads ``data``."""

    to: int
    data: bytes


@dataclass(frozen=True)
class Advance:
    """The clock moves on ``seconds``."""

    seconds: float


@dataclass(frozen=True)
class Drop:
    """Connection ``to``'s client goes away."""

    to: int


@dataclass(frozen=True)
class Connect:
    """A new client connects."""


@dataclass(frozen=True)
class Stall:
    """Connection ``to``'s client stops reading (its transport's buffer is full)."""

    to: int


@dataclass(frozen=True)
class Drain:
    """Connection ``to``'s client has read everything again."""

    to: int


Step = Send | Advance | Drop | Connect | Stall | Drain

connection = st.integers(min_value=0, max_value=7)
# How many clients there are at first, and how many of them already have a nickname.
casts = st.integers(min_value=2, max_value=4).flatmap(
    lambda clients: st.tuples(st.just(clients), st.integers(min_value=0, max_value=clients))
)
advances = st.builds(Advance, st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.5, 5.5, 21.0]))
others = st.one_of(
    advances,
    st.builds(Drop, connection),
    st.just(Connect()),
    st.builds(Stall, connection),
    st.builds(Drain, connection),
)


def steps(data: st.SearchStrategy[bytes]) -> st.SearchStrategy[list[Step]]:
    """Mostly reads, with the clock, stalls, drops and new clients between them."""
    send = st.builds(Send, connection, data)
    step: st.SearchStrategy[Step] = st.sampled_from([send, send, send, others]).flatmap(lambda chosen: chosen)
    return st.lists(step, min_size=10, max_size=60)


class TcpLikeTransport(StringTransport):
    """A StringTransport as forgiving as Twisted's TCP transport.

    A real transport lets a closing connection pause its producer again;
    StringTransport raises unless lenient, which would be no bug of chatd's.
    """

    def __init__(self) -> None:
        super().__init__(lenient=True)


# Telnet negotiation the server sends: IAC WILL/WONT/DO/DONT option.
_NEGOTIATION = re.compile(rb"\xff[\xfb-\xfe].", re.DOTALL)
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


@dataclass(eq=False)
class Client:
    protocol: LineProtocol
    wire: StringTransport
    alive: bool = True
    read: int = 0
    """How much of the wire's output has been checked."""
    stalled_at: int | None = None
    """How much had been written when the client stopped reading; None while it reads."""
    last_read: int = 0
    """The size of the last read delivered: all that a waiting client may hold beyond one line."""


class World:
    """One chat, its line front end and its clients; ``check`` asserts every invariant."""

    def __init__(self, test: SynchronousTestCase, clients: int, named: int) -> None:
        self.test = test
        self.clock = Clock()
        bus = MemoryBus()
        self.chat = Chat(
            self.clock,
            MemoryHistory(),
            bus,
            limits=CHAT_LIMITS,
            accounts=MemoryAccounts(),
            rooms=MemoryRooms(),
        )
        # A second state built only from what the bus carries: it must always equal the chat's.
        self.replayed = ChatState()
        bus.subscribe(self.replayed.apply)
        bounded = BoundedLog(self.clock)
        wiring = Wiring.alone(
            self.chat,
            self.clock,
            "fuzz",
            admission=Admission(MAX_CONNECTIONS, MAX_PER_IP, bounded=bounded, now=self.clock.seconds),
            login=OperatorLogin(check_at_once, self.clock, bounded=bounded),
        )
        self.factory = LineFactory(wiring, LIMITS)
        self.clients: list[Client] = []
        self.connections = 0
        # Every event the chat hands to the front end is checked on its way.
        deliver = self.factory.deliver

        def checked(event: Event, sessions: Sequence[Session]) -> None:
            self.check_event(event, sessions)
            deliver(event, sessions)

        self.factory.deliver = checked  # type: ignore[method-assign]
        for n in range(clients):
            client = self.connect()
            if client is not None and n < named:
                client.protocol.dataReceived(NICKS[n] + b"\n")

    def connect(self) -> Client | None:
        host = HOSTS[self.connections % len(HOSTS)]
        self.connections += 1
        protocol = self.factory.buildProtocol(IPv4Address("TCP", host, 4000))
        wire = TcpLikeTransport()
        protocol.makeConnection(wire)
        if isinstance(protocol, LineProtocol):
            client = Client(protocol, wire)
            self.clients.append(client)
            return client
        # Refused: one safe line, then the connection closes.
        self.check_output(wire.value())
        self.test.assertTrue(wire.disconnecting)
        return None

    def client(self, index: int) -> Client:
        return self.clients[index % len(self.clients)]

    def run(self, step: Step) -> None:
        if isinstance(step, Send):
            client = self.client(step.to)
            # A paused transport reads nothing, as TCP does; the bytes wait in the kernel.
            if client.alive and client.wire.producerState != "paused":
                client.last_read = len(step.data)
                client.protocol.dataReceived(step.data)
        elif isinstance(step, Advance):
            # A reactor fires each timer about when it is due, and closes
            # connections between timers; one jump would fire them all at the end.
            left = step.seconds
            while left > 0:
                tick = min(TICK, left)
                self.clock.advance(tick)
                left -= tick
                self.reap()
        elif isinstance(step, Drop):
            client = self.client(step.to)
            if client.alive:
                self.lose(client, Failure(ConnectionLost("fuzz")))
        elif isinstance(step, Connect):
            self.connect()
        elif isinstance(step, Stall):
            client = self.client(step.to)
            if client.alive:
                buffered(client.protocol).pauseProducing()
                if client.stalled_at is None:
                    client.stalled_at = len(client.wire.value())
        else:
            client = self.client(step.to)
            if client.alive:
                buffered(client.protocol).resumeProducing()
                client.stalled_at = None
        # The reactor pass that ran the step ends: gathered output is sent.
        self.clock.advance(0)
        self.reap()

    def reap(self) -> None:
        """Close, as the reactor would, every connection the server closed or aborted."""
        for client in self.clients:
            if client.alive and client.wire.disconnecting:
                self.lose(client, Failure(ConnectionDone()))

    def lose(self, client: Client, reason: Failure) -> None:
        client.alive = False
        client.protocol.connectionLost(reason)
        left = [
            user.nick for user in self.chat._state.users.by_key.values() if client.protocol in user.sessions
        ]
        self.test.assertEqual(left, [], "a lost connection left its user in the chat")

    def lose_everyone(self) -> None:
        for client in self.clients:
            if client.alive:
                self.lose(client, Failure(ConnectionDone()))
        self.clock.advance(0)

    def check(self) -> None:
        for client in self.clients:
            data = client.wire.value()
            self.check_output(data[client.read :])
            client.read = len(data)
        self.check_memory()
        self.check_chat()

    def check_output(self, data: bytes) -> None:
        """Whole CRLF lines of UTF-8, with no control, C1 or bidi character, each of the protocol's grammar."""
        data = _NEGOTIATION.sub(b"", data)
        if not data:
            return
        self.test.assertNotIn(b"\xff", data, "stray telnet byte")
        self.test.assertTrue(data.endswith(b"\r\n"), f"not whole lines: {data[-40:]!r}")
        for line in data[:-2].split(b"\r\n"):
            text = line.decode("utf-8")  # raises on invalid UTF-8
            unsafe = [c for c in text if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in _BIDI]
            self.test.assertEqual(unsafe, [], f"unsafe characters in {line!r}")
            if line.startswith(b"{"):
                self.test.assertNotEqual(json.loads(text).get("code"), "internal", "the server failed")
            else:
                # docs/PROTOCOL.md: every text line is an event, a notice or an error.
                self.test.assertTrue(line.startswith((b"[", b"*** ", b"ERR ")), f"no such line: {line!r}")
                self.test.assertFalse(line.startswith(b"ERR internal"), "the server failed")

    def check_event(self, event: Event, sessions: Sequence[Session]) -> None:
        """Events go to live connections only and once each, carry only checked text, and pastes keep their bound."""
        alive = {client.protocol for client in self.clients if client.alive}
        self.test.assertTrue(set(sessions) <= alive, f"{event} went to a lost connection")
        self.test.assertEqual(len(set(sessions)), len(sessions), f"{event} went to a connection twice")
        for name, value in asdict(event).items():
            if isinstance(value, str):
                lines = value.split("\n") if isinstance(event, Said) and name == "text" else [value]
                for line in lines:
                    unsafe = [c for c in line if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in _BIDI]
                    self.test.assertEqual(unsafe, [], f"unchecked text in {event}")
        if isinstance(event, Said):
            self.test.assertLessEqual(len(event.text.split("\n")), LIMITS.paste_lines)

    def check_memory(self) -> None:
        for client in self.clients:
            if not client.alive:
                continue
            protocol = client.protocol
            # A line, its CR, and at most the one read taken before the client
            # was made to wait (SECURITY.md: "at most one 64 KiB read").
            self.test.assertLessEqual(len(protocol._buffer), LIMITS.max_line + 1 + client.last_read)
            self.test.assertLessEqual(len(protocol._paste or ()), LIMITS.paste_lines)
            # A client told to wait is woken when its wait is over; one not
            # yet named is closed when its time is up: nobody hangs forever.
            self.test.assertEqual(protocol.paused, client.wire.producerState == "paused")
            if protocol.paused:
                # A command that waits (a wrong /oper's pause) is released by a timer too.
                released = protocol._flood.waiting or (
                    Pause.COMMAND in protocol._reading.reasons and bool(self.clock.getDelayedCalls())
                )
                self.test.assertTrue(released, "paused with no release scheduled")
            if protocol.user is None:
                timeout = getattr(protocol, "_TimeoutMixin__timeoutCall", None)
                self.test.assertTrue(timeout is not None and timeout.active(), "no register timeout")
            if client.stalled_at is not None:
                # Past the transport's buffer, at most sendq bytes wait for a client that does not read.
                written = len(client.wire.value()) - client.stalled_at
                self.test.assertLessEqual(
                    written, LIMITS.sendq, "output piled up for a client that does not read"
                )

    def check_chat(self) -> None:
        self.test.assertEqual(
            state_facts(self.replayed), state_facts(self.chat._state), "a change escaped the events"
        )
        users, rooms = self.chat._state.users.by_key, self.chat._state.rooms.by_key
        alive = {client.protocol for client in self.clients if client.alive}
        self.test.assertEqual(self.factory.connections.live, alive)
        for key, room in rooms.items():
            self.test.assertEqual(key, fold(room.name))
            self.test.assertTrue(room.members, f"{room.name} is empty")
            for member_key, member in room.members.items():
                self.test.assertEqual(member_key, fold(member.nick))
                self.test.assertIs(users.get(member_key), member, f"{member.nick} in {room.name} is offline")
                self.test.assertIs(member.rooms.get(key), room)
        for key, user in users.items():
            self.test.assertEqual(key, fold(user.nick))
            self.test.assertTrue(user.online)
            self.test.assertEqual(len(user.sessions), 1)
            self.test.assertIn(user.sessions[0], alive, f"{user.nick}'s connection is gone")
            for room_key, room in user.rooms.items():
                self.test.assertIs(rooms.get(room_key), room)
                self.test.assertIn(key, room.members)
        self.test.assertEqual(len({fold(user.nick) for user in users.values()}), len(users))
        # No two users, and no two rooms, look alike: each look is its holder's (issue 12).
        looks = self.chat._state.users.by_look
        self.test.assertEqual(looks, {look(user.nick): user for user in users.values()})
        self.test.assertEqual([user.look for user in looks.values()], list(looks))
        self.test.assertEqual(
            self.chat._state.rooms.by_look, {look(room.name): room for room in rooms.values()}
        )
        for protocol in alive:
            if protocol.user is not None:
                self.test.assertIs(users.get(fold(protocol.user.nick)), protocol.user)
                if protocol.current is not None:
                    self.test.assertIn(fold(protocol.current), protocol.user.rooms)
        sessions = [session for user in users.values() for session in user.sessions]
        self.test.assertEqual(len(sessions), len(set(sessions)), "one connection holds two users")


@contextmanager
def no_failures_logged(test: SynchronousTestCase) -> Iterator[None]:
    """Fail if anything is logged at error level or above, or as a legacy log.err."""
    events = EventLoggingObserver()
    globalLogPublisher.addObserver(events)
    try:
        yield
    finally:
        globalLogPublisher.removeObserver(events)
    bad = [event for event in events if event["log_level"] in (LogLevel.error, LogLevel.critical)]
    test.assertEqual(bad, [])
    test.assertEqual(test.flushLoggedErrors(), [])


FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class ArbitraryInputTests(SynchronousTestCase):
    """Whatever clients send, and whenever they go, every invariant holds after every step."""

    def play(self, cast: tuple[int, int], script: list[Step]) -> None:
        with no_failures_logged(self):
            world = World(self, *cast)
            world.check()
            for step in script:
                world.run(step)
                world.check()
            world.lose_everyone()
            world.check()
        self.assertEqual((world.chat._state.users.by_key, world.chat._state.rooms.by_key), ({}, {}))
        # Bans outlive their users; each with a duration runs out, as an event, within the longest one.
        world.clock.advance(LONGEST)
        kept = world.chat._state.bans._bans.values()
        self.assertEqual([ban for ban in kept if ban.until is not None], [])
        self.assertEqual(world.clock.getDelayedCalls(), [])

    @FUZZ
    @given(casts, steps(st.binary(max_size=RANDOM_READ)))
    def test_random_bytes_keep_every_invariant(self, cast: tuple[int, int], script: list[Step]) -> None:
        """Random bytes from several clients never break the server, its output or its state."""
        self.play(cast, script)

    @FUZZ
    @given(casts, steps(chunks))
    # Cases random search finds only now and then, run every time:
    # an empty subnegotiation (IAC SB IAC SE), and a negotiation storm
    # from a client that reads nothing back.
    @example(cast=(2, 2), script=[Send(0, b"\xff\xfa\xff\xf0"), Send(0, b"hello\n")])
    @example(cast=(2, 2), script=[Stall(0), Send(0, b"\xff\xfd\x01" * 250)])
    def test_commands_telnet_and_garbage_keep_every_invariant(
        self, cast: tuple[int, int], script: list[Step]
    ) -> None:
        """Commands, pastes, telnet and broken lines, cut anywhere, never break the server or its state."""
        self.play(cast, script)


class SessionEndTests(SynchronousTestCase):
    """However a connection ends, its user leaves the chat and leaves nothing behind."""

    @FUZZ
    @given(casts, steps(valid_lines))
    def test_lost_connection_never_leaves_its_user_behind(
        self, cast: tuple[int, int], script: list[Step]
    ) -> None:
        """After any commands, a lost connection's user is gone; once all are gone, so is every trace."""
        with no_failures_logged(self):
            world = World(self, *cast)
            for step in script:
                world.run(step)
                world.check_chat()
            world.lose_everyone()
        self.assertEqual((world.chat._state.users.by_key, world.chat._state.rooms.by_key), ({}, {}))
        self.assertEqual(world.factory.connections.live, set())
        self.assertEqual((world.factory.admission._per_host, world.factory.admission.open), ({}, 0))
        # Bans outlive their users; each with a duration runs out, as an event, within the longest one.
        world.clock.advance(LONGEST)
        kept = world.chat._state.bans._bans.values()
        self.assertEqual([ban for ban in kept if ban.until is not None], [])
        self.assertEqual(world.clock.getDelayedCalls(), [])
