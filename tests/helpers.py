"""Shared test fixtures: a chat with a recording front end, a line front end to connect to, a fake terminal,
folders and database files of a test's own."""

import dataclasses
import io
import itertools
import os
import queue
import shutil
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from types import CodeType, FrameType, FunctionType, ModuleType
from typing import Any, TypeVar, cast, get_type_hints

from argon2 import PasswordHasher
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred, ensureDeferred, succeed
from twisted.internet.interfaces import IProtocol, IProtocolFactory, IReactorFromThreads
from twisted.internet.task import Clock
from twisted.internet.testing import MemoryReactorClock, StringTransport

# What twistd parses its command line with on POSIX (twisted.scripts.twistd
# picks the class by platform and does not export it).
from twisted.scripts._twistd_unix import ServerOptions
from twisted.trial.unittest import SynchronousTestCase
from typing_extensions import override
from zope.interface import implementer

from chatd.bus.memory import MemoryBus
from chatd.domain import errors as domain_errors
from chatd.domain.chat import Chat
from chatd.domain.errors import ChatError
from chatd.domain.events import Event
from chatd.domain.limits import Limits
from chatd.domain.ports import Session, UserView
from chatd.domain.state import ChatState
from chatd.domain.storage_ports import History, KeyStore, Mailbox
from chatd.frontend import errors as frontend_errors
from chatd.frontend.accounts import AccountLogin, verify_password
from chatd.frontend.admission import CONNECT_BURST, MAX_CONNECTIONS, MAX_PER_IP, Admission
from chatd.frontend.logs import BoundedLog
from chatd.frontend.oper import OperatorLogin
from chatd.frontend.outbox import Outbox
from chatd.frontend.transfers import Transfers
from chatd.frontend.transport_output import BufferedOutput
from chatd.frontend.wiring import Wiring
from chatd.irc.pieces import privmsgs
from chatd.line import errors as line_errors
from chatd.line.factory import LineFactory
from chatd.line.limits import LineLimits
from chatd.line.protocol import LineProtocol
from chatd.storage.keys import MemoryKeys
from chatd.storage.memory import MemoryHistory
from chatd.storage.memory_accounts import MemoryAccounts
from chatd.storage.memory_mailbox import MemoryMailbox
from chatd.storage.memory_rooms import MemoryRooms
from chatd.storage.sqlite import SQLiteHistory
from chatd.tap import Options
from tests.events import seen

# Values to fill each type of error field with; an enum field takes each of its members.
_FIELD_EXAMPLES: dict[object, list[object]] = {
    str: ["alice"],
    int: [7],
    float: [90.0],
    bool: [True, False],
    int | None: [7],
    float | None: [599.2, None],
    str | None: ["\x1b"],
}


def new_folder(case: SynchronousTestCase) -> str:
    """A new empty folder of ``case``'s own, removed with all it holds at ``case``'s cleanup.

    It is made under the run's temporary folder (``TMPDIR``, which conftest
    points at a folder of the run's), not in the checkout: trial's
    ``mktemp`` makes its folders relative to the current directory, the
    checkout's root under pytest.
    """
    folder = tempfile.mkdtemp()
    case.addCleanup(shutil.rmtree, folder)
    return folder


def new_database(case: SynchronousTestCase) -> str:
    """The path of a SQLite file not made yet, ``chatd.sqlite`` in a ``new_folder`` of its own.

    A folder of its own, as a host gives a daemon's ``--db``: the ``-wal``
    and ``-shm`` files SQLite writes beside it go with it at cleanup.
    """
    return os.path.join(new_folder(case), "chatd.sqlite")


def too_long(size: int | None, limit: int = 512) -> str:
    """``ERR line-too-long`` for a line of ``size`` bytes over ``limit`` (None: refused before it ended)."""
    return (
        f"ERR line-too-long lines are at most {limit} bytes (an accented letter takes 2, a Chinese or Japanese"
        f" character 3); that one had {'more' if size is None else f'{size} bytes'} and was not sent"
    )


def error_types(*modules: ModuleType) -> list[type[ChatError]]:
    """Every ChatError subclass ``modules`` define (the domain's and the line front end's by default)."""
    return [
        kind
        for module in modules or (domain_errors, frontend_errors, line_errors)
        for kind in vars(module).values()
        if isinstance(kind, type) and issubclass(kind, ChatError) and kind is not ChatError
    ]


def error_examples(kind: type[ChatError]) -> list[ChatError]:
    """Instances of ``kind`` covering each value _FIELD_EXAMPLES gives its fields' types.

    A field of a type not listed there raises KeyError: add the type, so no error escapes the tests.
    """
    hints = get_type_hints(kind)
    choices = []
    for each in dataclasses.fields(kind):
        hint = hints[each.name]
        choices.append(
            list(hint) if isinstance(hint, type) and issubclass(hint, Enum) else _FIELD_EXAMPLES[hint]
        )
    return [kind(*values) for values in itertools.product(*choices)]


def state_facts(state: ChatState) -> object:
    """What a chat state holds, with no object identities: users, rooms (settings and standing too), bans,
    mutes, kicks' waits and the rooms listed (a state replayed from events compares equal)."""
    users = {
        key: (
            user.nick,
            user.address,
            user.operator,
            user.away,
            tuple(user.rooms),
            user.kicked_from,
            user.account,
            user.invited,
        )
        for key, user in state.users.by_key.items()
    }
    rooms = {
        key: (
            room.name,
            room.seq,
            (room.topic, room.topic_by, room.topic_at),
            room.topic_locked,
            tuple(room.members),
            None if room.owner is None else room.owner.nick,
            room.settings,
            sorted(user.nick for user in room.operators),
            sorted(user.nick for user in room.voiced),
            room.masks,
            sorted(user.nick for user in room.banned),
        )
        for key, room in state.rooms.by_key.items()
    }
    return (
        users,
        rooms,
        state.bans.in_force(0),
        state.mutes,
        state.kicks.until,
        state.rooms.kept,
        state.rooms.order.slice(0, len(state.rooms.order)),
    )


def quick_hash(password: str) -> str:
    """An Argon2 hash of ``password`` at the lowest cost, so tests stay quick (checking follows the hash's own cost)."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(password)


def under_twistd(*arguments: str) -> Options:
    """The chatd options as ``twistd ARGUMENTS`` parses them, twistd's own options as their parent."""
    server = ServerOptions()
    server.parseOptions(list(arguments))
    assert isinstance(server.subOptions, Options)
    return server.subOptions


def lines_run(function: Callable[..., object], action: Callable[[], object]) -> int:
    """How many lines of ``function``'s own code (its loops, comprehensions and lambdas among them, not what it calls)
    run while ``action`` does: a count of the walk it makes, where a clock would measure the machine."""
    codes: set[CodeType] = set()
    waiting = [cast(FunctionType, function).__code__]
    while waiting:
        code = waiting.pop()
        codes.add(code)
        waiting.extend(const for const in code.co_consts if isinstance(const, CodeType))
    count = 0

    # Any: a trace function returns the next one, a type typeshed keeps private (_typeshed.TraceFunction).
    def counting(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal count
        count += event == "line"
        return counting

    def calls(frame: FrameType, event: str, arg: object) -> Any:
        return counting if frame.f_code in codes else None

    before = sys.gettrace()
    sys.settrace(calls)
    try:
        action()
    finally:
        sys.settrace(before)
    return count


def connected(factory: IProtocolFactory, reactor: Clock) -> tuple[IProtocol, StringTransport]:
    """A connection to ``factory`` on a StringTransport, its greeting sent and cleared."""
    protocol = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 4000))
    assert protocol is not None, "the factory accepts connections"
    wire = StringTransport()
    protocol.makeConnection(wire)
    reactor.advance(0)
    wire.clear()
    return protocol, wire


def buffered(protocol: LineProtocol) -> BufferedOutput:
    """The output of a connection on a ``StringTransport``, to pause and resume as a full TCP buffer would."""
    assert isinstance(protocol.sink, BufferedOutput)
    return protocol.sink


T = TypeVar("T")


@implementer(IReactorFromThreads)
class ThreadedReactor(MemoryReactorClock):
    """A ``MemoryReactorClock`` that also takes calls from other threads, run when the test says.

    A thread pool's answers reach the reactor thread through ``callFromThread``;
    ``run_from_thread`` waits (up to a deadline, never a fixed time) for the next one.
    """

    DEADLINE = 60.0
    """Seconds a wait for a thread's call gives up after: a passing test waits only as long as the call takes, and the
    search index's thread runs at niceness 19, so two busy test workers on two cores starve it for several seconds
    a chunk (10 s was too short in the whole suite beside other work)."""

    def __init__(self) -> None:
        super().__init__()
        self._from_threads: queue.SimpleQueue[tuple[str, Callable[[], object]]] = queue.SimpleQueue()
        """Each call another thread made, with that thread's name."""

    def callFromThread(self, callable: Callable[..., object], *args: object, **kwargs: object) -> None:
        self._from_threads.put((threading.current_thread().name, partial(callable, *args, **kwargs)))

    def run_from_thread(self, timeout: float = DEADLINE) -> None:
        """Run the next call another thread made, waiting up to ``timeout`` seconds for it."""
        self.next_from_thread(timeout)()

    def next_from_thread(self, timeout: float = DEADLINE, thread: str = "") -> Callable[[], object]:
        """The next call another thread made, not run: waits up to ``timeout`` seconds for it to be made.

        With ``thread``, the next made by a thread whose name holds it (a
        pool's: ``chatd-store-writer``); calls of other threads before it are
        run as they come, in order. The search index's thread answers as it
        pleases, and a test waiting for the writer took its answer for the
        writer's on a loaded machine.
        """
        while True:
            name, call = self._from_threads.get(timeout=timeout)
            if thread in name:
                return call
            call()

    def run_until(self, deferred: "Deferred[T]") -> "Deferred[T]":
        """Run calls from other threads until ``deferred`` has its result (not merely fired, waiting on another
        Deferred its callbacks returned); returns it."""
        done: list[bool] = []

        def note(result: T) -> T:
            done.append(True)
            return result

        deferred.addBoth(note)
        while not done:
            self.run_from_thread()
        return deferred


def committed(reactor: ThreadedReactor, store: SQLiteHistory) -> None:
    """End the pass, and let ``store`` commit what it logged (``commit_every`` on) and its word reach the reactor."""
    reactor.advance(0)
    while store.writing:
        # What gathers waits ``commit_every`` for the writer; what the writer has, its word. A word
        # run here (the indexer's, say) may start another batch, whose timer the next turn runs.
        reactor.advance(store.commit_every)
        if store.writing:
            reactor.run_from_thread()


class Terminal(io.StringIO):
    """Standard input that says it is a terminal."""

    @override
    def isatty(self) -> bool:
        return True


@dataclass(eq=False)
class RecordingAudience:
    """A front end that keeps each delivery: the event and who it went to."""

    deliveries: list[tuple[Event, list[Session]]] = field(default_factory=list)

    def deliver(self, event: Event, sessions: Sequence[Session]) -> None:
        self.deliveries.append((event, list(sessions)))


@dataclass(eq=False)
class RecordingSession:
    """One session of a ``RecordingAudience``; ``received`` lists its events."""

    audience: RecordingAudience

    @property
    def received(self) -> list[Event]:
        return [seen(event) for event, sessions in self.audience.deliveries if self in sessions]


class ChatTestCase(SynchronousTestCase):
    """A chat on a fake clock (at 100 s) with one recording front end and in-memory history and bus;
    ``published`` lists what the bus carried, ``stopped`` counts /shutdown's stops; subclasses may set ``limits``."""

    limits = Limits()

    def setUp(self) -> None:
        self.clock = Clock()
        self.clock.advance(100)
        self.stopped = 0
        self.history = MemoryHistory()
        self.bus = MemoryBus()
        self.published: list[Event] = []
        """Every event the chat published, in order, as the bus carried it."""
        self.bus.subscribe(self.published.append)
        self.chat = Chat(
            self.clock,
            self.history,
            self.bus,
            self.limits,
            stop=self.stop,
            accounts=MemoryAccounts(),
            rooms=MemoryRooms(),
        )
        self.audience = RecordingAudience()

    def stop(self) -> None:
        self.stopped += 1

    def online(self, nick: str, *rooms: str, address: str = "") -> tuple[UserView, RecordingSession]:
        """A user ``nick`` from ``address``, in ``rooms`` (the first one they create, they own)."""
        session = RecordingSession(self.audience)
        user = self.chat.register(session, nick, address)
        for room in rooms:
            self.chat.join(user, room)
        return user, session

    def kept(self, change: Awaitable[None]) -> None:
        """Wait for an account change the chat made to be kept (at once, in memory)."""

        async def waiting() -> None:
            await change

        self.successResultOf(ensureDeferred(waiting()))


def refuse_on_accounts(path: str, statement: str) -> None:
    """Have the SQLite file at ``path`` refuse every ``statement`` on accounts from now on, as a full disk would.

    Through a trigger written by a connection of the test's own, as another
    program may write to a live --db file; ``DROP TRIGGER refuse`` ends it.
    """
    with closing(sqlite3.connect(path)) as other, other:
        other.execute(
            f"CREATE TRIGGER refuse BEFORE {statement} ON accounts BEGIN SELECT RAISE(ABORT, 'full'); END"
        )


OPERATORS = {"boss": "correct horse"}
"""The operator names and passwords ``LineTestCase``'s front end accepts."""


def verify(name: str, password: str) -> bool:
    """Whether ``password`` is operator ``name``'s in ``OPERATORS``; no hashing, so tests stay quick."""
    return OPERATORS.get(name) == password


def check_at_once(name: str, password: str) -> "Deferred[bool]":
    """``verify``, answered at once: the stand-in for the service's thread pool (tests/test_service.py and
    tests/e2e/test_oper_load.py use the real one)."""
    return succeed(verify(name, password))


def hash_at_once(password: str) -> "Deferred[str]":
    """``quick_hash``, answered at once: the stand-in for hashing on the service's thread pool."""
    return succeed(quick_hash(password))


def verify_at_once(hashed: str | None, password: str) -> "Deferred[bool]":
    """``verify_password``, answered at once (a hash's own cost: quick for ``quick_hash``'s)."""
    return succeed(verify_password(hashed, password))


class LineTestCase(SynchronousTestCase):
    """A line front end on a fake clock, and a way to connect users to it; #lobby, the default room, is the server's.

    Subclasses set ``limits``, ``chat_limits``, ``max_connections``,
    ``max_per_ip`` and ``connect_burst`` to test other settings (the clock
    stands still unless a test advances it, so a test that opens more than
    ``connect_burst`` connections raises it); ``admission`` counts connections.
    ``/oper boss correct horse`` makes an operator; ``stopped`` counts the
    times /shutdown stopped the daemon.
    """

    limits = LineLimits()
    chat_limits = Limits()
    max_connections = MAX_CONNECTIONS
    max_per_ip = MAX_PER_IP
    connect_burst = CONNECT_BURST
    motd = "Be kind.\n"

    def setUp(self) -> None:
        self.clock = self.make_clock()
        self.stopped = 0
        self.history = self.make_history()
        self.accounts = MemoryAccounts()
        self.rooms = MemoryRooms()
        self.bus = MemoryBus()
        # #lobby is the server's, as chatd.service makes the default room.
        self.chat = Chat(
            self.clock,
            self.history,
            self.bus,
            limits=self.chat_limits,
            stop=self.stop,
            server_rooms=("#lobby",),
            accounts=self.accounts,
            mailbox=self.make_mailbox(),
            rooms=self.rooms,
            keys=self.make_keys(),
            # As chatd.daemon.web_and_irc counts a deleted line's parts with IRC served: tests.irc puts IRC on this chat.
            parts=privmsgs,
        )
        self.bounded = BoundedLog(self.clock)
        """The log of what strangers can repeat, as the service builds one."""
        self.admission = Admission(
            self.max_connections,
            self.max_per_ip,
            bounded=self.bounded,
            now=self.clock.seconds,
            connect_burst=self.connect_burst,
        )
        self.factory = LineFactory(self.wiring(), self.limits)
        self.wires: list[StringTransport] = []

    def wiring(self, files: Transfers | None = None) -> Wiring:
        """What a front end on ``self.chat`` is handed, as the daemon's is, with the transfer engine ``files`` if
        given; each front end its own logins, checking passwords at once."""
        return Wiring.alone(
            self.chat,
            self.clock,
            "testhost",
            motd=self.motd,
            admission=self.admission,
            login=OperatorLogin(check_at_once, self.clock, bounded=self.bounded),
            accounts=AccountLogin(hash_at_once, verify_at_once, self.clock, bounded=self.bounded),
            files=files,
        )

    def make_clock(self) -> Clock:
        """The reactor's clock: a plain one, unless a subclass needs a reactor that threads answer on."""
        return Clock()

    def make_history(self) -> History:
        """The chat's history: in memory, unless a subclass keeps another."""
        return MemoryHistory()

    def make_keys(self) -> KeyStore:
        """Where accounts' device keys and their log are kept: in memory, unless a subclass keeps another."""
        return MemoryKeys()

    def make_mailbox(self) -> Mailbox:
        """Where private messages wait for offline accounts: in memory, unless a subclass keeps another."""
        return MemoryMailbox()

    def stop(self) -> None:
        self.stopped += 1

    def connect(
        self, nick: bytes | None = None, host: str = "127.0.0.1"
    ) -> tuple[LineProtocol, StringTransport]:
        """A new connection from ``host``, named ``nick`` if given; every wire so far is cleared."""
        address = IPv6Address("TCP", host, 4000) if ":" in host else IPv4Address("TCP", host, 4000)
        protocol = self.factory.buildProtocol(address)
        assert isinstance(protocol, LineProtocol)
        wire = StringTransport()
        protocol.makeConnection(wire)
        if nick is not None:
            protocol.dataReceived(nick + b"\n")
        self.wires.append(wire)
        self.end_pass()
        for each in self.wires:
            each.clear()
        return protocol, wire

    def operator(self, nick: bytes, host: str = "127.0.0.1") -> tuple[LineProtocol, StringTransport]:
        """A new connection named ``nick`` that has become an operator; every wire so far is cleared."""
        protocol, wire = self.connect(nick, host)
        protocol.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(self.lines(wire), [b"*** You are now an operator."])
        for each in self.wires:
            each.clear()
        return protocol, wire

    def end_pass(self) -> None:
        """End the reactor pass, as the real reactor does between reads: gathered output is sent, and what waits
        for company (others' comings and goings: chatd.frontend.outbox.PRESENCE_WAIT) with it, as if the wait were
        over: tests of who is told what read it at once; tests of the wait are in test_output."""
        self.clock.advance(0)
        for outbox in self.outboxes():
            outbox.send_waiting()

    def outboxes(self) -> list[Outbox]:
        """The outboxes of this case's front ends."""
        return [self.factory.outbox]

    def lines(self, wire: StringTransport) -> list[bytes]:
        """What the server wrote by the end of this reactor pass, since the last call, as lines without CRLF."""
        self.end_pass()
        data: bytes = wire.value()
        wire.clear()
        self.assertTrue(data.endswith(b"\r\n") or not data, data)
        return data.split(b"\r\n")[:-1]
