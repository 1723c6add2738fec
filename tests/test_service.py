"""How the service wires the chat, listeners and shutdown, on a fake reactor."""

import os
import shutil
import sys
import tempfile
import threading

from twisted.application.service import IServiceCollection
from twisted.internet.error import CannotListenError, ConnectionDone
from twisted.internet.interfaces import IProtocol
from twisted.internet.testing import EventLoggingObserver, MemoryReactorClock, StringTransport
from twisted.logger import globalLogPublisher
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from chatd.frontend.oper import BACKGROUND_NICE
from chatd.line.console import Console
from chatd.line.factory import LineFactory
from chatd.opers import Opers
from chatd.service import _Threads, build
from chatd.tap import Options
from tests.helpers import Terminal, ThreadedReactor, quick_hash, under_twistd


def options(*arguments: str) -> Options:
    parsed = Options()
    parsed.parseOptions(["--name", "testhost", *arguments])
    return parsed


class ListenerTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.reactor = MemoryReactorClock()
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def start(self, *arguments: str) -> IServiceCollection:
        daemon = build(options(*arguments), self.reactor)
        daemon.startService()
        self.addCleanup(daemon.stopService)
        return IServiceCollection(daemon)

    def announced(self) -> list[str]:
        return [
            event["log_format"].format(**event)
            for event in self.logged
            if "listening on" in event["log_format"]
        ]

    def test_default_is_port_5000_on_every_interface(self) -> None:
        """With no options chatd listens on port 5000 of '::' (IPv6 and IPv4)."""
        self.start()
        [(port, factory, _, interface)] = self.reactor.tcpServers
        self.assertEqual((port, interface), (5000, "::"))
        self.assertIsInstance(factory, LineFactory)
        self.assertEqual(self.announced(), ["chatd listening on [::]:5000"])

    def test_listen_backlog_fits_a_reconnect_storm(self) -> None:
        """--port listens with a backlog of 1024, not Twisted's 50."""
        self.start("--port", "6000")
        [(_, _, backlog, _)] = self.reactor.tcpServers
        self.assertEqual(backlog, 1024)

    def test_port_and_ipv4_interface(self) -> None:
        """--port and --interface choose where to listen; the address is logged."""
        self.start("--port", "6000", "--interface", "127.0.0.1")
        self.assertEqual([(p, i) for p, _, _, i in self.reactor.tcpServers], [(6000, "127.0.0.1")])
        self.assertEqual(self.announced(), ["chatd listening on 0.0.0.0:6000"])

    def test_listen_alone_replaces_default_port(self) -> None:
        """--listen without --port listens only on the endpoints given."""
        self.start("--listen", "tcp:7000:interface=127.0.0.1", "--listen", "tcp6:7001:interface=\\:\\:1")
        self.assertEqual(
            [(p, i) for p, _, _, i in self.reactor.tcpServers], [(7000, "127.0.0.1"), (7001, "::1")]
        )

    def test_listen_and_port_together(self) -> None:
        """--port with --listen listens on both, sharing one chat."""
        self.start("--port", "5001", "--listen", "tcp:7000")
        factories = {factory for _, factory, _, _ in self.reactor.tcpServers}
        self.assertEqual(len(self.reactor.tcpServers), 2)
        self.assertEqual(len(factories), 1)

    def test_limit_options_reach_the_front_end_and_the_chat(self) -> None:
        """Limits given on the command line are the ones enforced."""
        self.start("--max-per-ip", "3", "--sendq", "1000", "--max-rooms", "4", "--max-nick", "9")
        factory = self.reactor.tcpServers[0][1]
        assert isinstance(factory, LineFactory)
        self.assertEqual((factory.admission.max_per_ip, factory.limits.sendq), (3, 1000))
        self.assertEqual((factory.chat.limits.rooms_per_user, factory.chat.limits.nickname), (4, 9))

    def test_port_that_cannot_be_bound_fails_startup(self) -> None:
        """A listener that fails to bind stops the service from starting."""
        daemon = build(options("--port", "5000"), self.reactor)

        def refuse(*args: object, **kwargs: object) -> None:
            raise CannotListenError("::", 5000, OSError("in use"))

        self.patch(self.reactor, "listenTCP", refuse)
        self.assertRaises(CannotListenError, daemon.privilegedStartService)

    def test_stop_says_goodbye_and_waits_for_connections(self) -> None:
        """Stopping the service tells each user and waits until connections close."""
        daemon = build(options("--port", "5000"), self.reactor)
        daemon.startService()
        factory = self.reactor.tcpServers[0][1]
        assert isinstance(factory, LineFactory)
        protocol = factory.buildProtocol(None)
        wire = StringTransport()
        protocol.makeConnection(wire)
        self.reactor.advance(0)
        wire.clear()
        stopped = daemon.stopService()
        self.assertEqual(wire.value(), b"*** Server shutting down. Goodbye.\r\n")
        self.assertNoResult(stopped)
        protocol.connectionLost(Failure(ConnectionDone()))
        self.successResultOf(stopped)


class RecordingOpers:
    """Operators from a real --opers file, noting the thread each password is checked on."""

    def __init__(self, opers: Opers) -> None:
        self._opers = opers
        self.threads: list[threading.Thread] = []
        self.nice: list[int] = []

    def verify(self, name: str, password: str) -> bool:
        self.threads.append(threading.current_thread())
        self.nice.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return self._opers.verify(name, password)


class OperatorWiringTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.reactor = ThreadedReactor()
        self.directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.directory)

    def start(self, *arguments: str) -> tuple[LineFactory, list[IProtocol]]:
        """The daemon for ``arguments``, started; its line front end and what it connected to the terminal."""
        return self.start_with(options(*arguments))

    def start_with(self, parsed: Options) -> tuple[LineFactory, list[IProtocol]]:
        terminals: list[IProtocol] = []
        daemon = build(parsed, self.reactor, terminal=terminals.append)
        daemon.startService()
        self.addCleanup(daemon.stopService)
        factory = self.reactor.tcpServers[0][1]
        assert isinstance(factory, LineFactory)
        return factory, terminals

    def test_opers_file_operators_can_oper_checked_on_the_pool(self) -> None:
        """An operator from --opers becomes one with /oper; the hash is checked on a low-priority thread of the daemon's pool."""
        path = os.path.join(self.directory, "opers")
        with open(path, "w", encoding="utf-8") as opers:
            opers.write("boss " + quick_hash("pw") + "\n")
        parsed = options("--opers", path)
        recording = parsed["operators"] = RecordingOpers(parsed["operators"])
        factory, _ = self.start_with(parsed)
        protocol = factory.buildProtocol(None)
        wire = StringTransport()
        protocol.makeConnection(wire)
        protocol.dataReceived(b"alice\n")
        self.reactor.advance(0)
        wire.clear()
        protocol.dataReceived(b"/oper boss pw\n")
        self.reactor.advance(0)
        self.assertEqual(wire.value(), b"")
        self.reactor.run_from_thread()
        self.reactor.advance(0)
        self.assertEqual(wire.value(), b"*** You are now an operator.\r\n")
        [thread] = recording.threads
        self.assertIsNot(thread, threading.current_thread())
        self.assertIn("chatd-passwords", thread.name)
        if sys.platform.startswith("linux"):
            self.assertEqual(recording.nice, [BACKGROUND_NICE])

    def test_password_pool_runs_while_the_listeners_do(self) -> None:
        """The password pool is started before the listeners and stopped, its threads joined, after them."""
        daemon = build(options(), self.reactor)
        pool = next(iter(IServiceCollection(daemon)))
        self.assertIsInstance(pool, _Threads)
        assert isinstance(pool, _Threads)
        daemon.startService()
        self.assertTrue(pool._pool.started)
        daemon.stopService()
        self.assertTrue(pool._pool.joined)

    def test_console_is_connected_at_start_and_shutdown_stops_the_reactor(self) -> None:
        """With --console the host's console reaches the terminal when the daemon starts; its /shutdown stops the reactor."""
        self.patch(Options, "stdin", Terminal())
        terminals: list[IProtocol] = []
        daemon = build(
            under_twistd("-n", "chatd", "--name", "testhost", "--console"),
            self.reactor,
            terminal=terminals.append,
        )
        self.assertEqual(terminals, [])
        daemon.startService()
        self.addCleanup(daemon.stopService)
        [console] = terminals
        assert isinstance(console, Console)
        console.makeConnection(StringTransport())
        console.dataReceived(b"/shutdown bye\n")
        self.assertTrue(self.reactor.hasStopped)

    def test_no_console_unless_asked(self) -> None:
        """Without --console nothing is connected to the terminal."""
        _, terminals = self.start()
        self.assertEqual(terminals, [])
