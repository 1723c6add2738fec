"""How the service wires the chat, listeners and shutdown, on a fake reactor."""

from twisted.application.service import IServiceCollection
from twisted.internet.error import CannotListenError, ConnectionDone
from twisted.internet.testing import EventLoggingObserver, MemoryReactorClock, StringTransport
from twisted.logger import globalLogPublisher
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from chatd.line.factory import LineFactory
from chatd.service import build
from chatd.tap import Options


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
        self.assertEqual((factory.limits.max_per_ip, factory.limits.sendq), (3, 1000))
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
        wire.clear()
        stopped = daemon.stopService()
        self.assertEqual(wire.value(), b"*** Server shutting down. Goodbye.\r\n")
        self.assertNoResult(stopped)
        protocol.connectionLost(Failure(ConnectionDone()))
        self.successResultOf(stopped)
