"""The line front end as the service sees it: one factory, its endpoints, its shutdown."""

from twisted.internet.error import ConnectionDone
from twisted.internet.testing import MemoryReactorClock, StringTransport
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from chatd.bus.memory import MemoryBus
from chatd.domain.chat import Chat
from chatd.frontend.admission import Admission
from chatd.frontend.factory import Served
from chatd.frontend.logs import BoundedLog
from chatd.frontend.oper import OperatorLogin
from chatd.frontend.ports import FrontEnd
from chatd.frontend.wiring import Wiring
from chatd.line.factory import LineFactory
from chatd.line.frontend import line_front_end
from chatd.storage.memory import MemoryHistory
from chatd.storage.memory_accounts import MemoryAccounts
from chatd.storage.memory_rooms import MemoryRooms
from chatd.tap import Options
from tests.certificates import write_self_signed
from tests.helpers import check_at_once, connected, new_folder


class LineFrontEndTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.reactor = MemoryReactorClock()
        self.chat = Chat(
            self.reactor, MemoryHistory(), MemoryBus(), accounts=MemoryAccounts(), rooms=MemoryRooms()
        )

    def front_end(self, *arguments: str) -> Served[LineFactory]:
        """The line front end ``twistd chatd --name testhost ARGUMENTS`` describes."""
        options = Options()
        options.parseOptions(["--name", "testhost", *arguments])
        config = options.config()
        bounded = BoundedLog(self.reactor)
        admission = Admission(
            config.max_connections, config.max_per_ip, bounded=bounded, now=self.reactor.seconds
        )
        login = OperatorLogin(check_at_once, self.reactor, bounded=bounded)
        wiring = Wiring.alone(
            self.chat, self.reactor, config.server_name, motd=config.motd, admission=admission, login=login
        )
        return line_front_end(config, wiring)

    def listen(self, front_end: FrontEnd) -> None:
        """Listen on each endpoint as the service does, knowing only the protocol (so mypy checks it fits)."""
        for endpoint in front_end.endpoints:
            endpoint.listen(front_end.factory)

    def test_port_then_tls_port_then_each_listen_all_with_one_factory(self) -> None:
        """--port and --tls-port on --interface with a backlog of 1024, then each --listen, all serving one factory."""
        directory = new_folder(self)
        certificate, key = write_self_signed(directory)
        front_end = self.front_end(
            *("--port", "5000", "--interface", "127.0.0.1", "--listen", "tcp:7000"),
            *("--tls-port", "6697", "--tls-cert", certificate, "--tls-key", key),
        )
        self.listen(front_end)
        factory = front_end.factory
        self.assertEqual(
            [
                (port, served, backlog, interface)
                for port, served, backlog, interface in self.reactor.tcpServers
            ],
            [(5000, factory, 1024, "127.0.0.1"), (7000, factory, 1024, "")],
        )
        [(port, served, _, backlog, interface)] = self.reactor.sslServers
        self.assertEqual((port, served, backlog, interface), (6697, factory, 1024, "127.0.0.1"))

    def test_listen_alone_has_only_its_endpoints(self) -> None:
        """With only --listen, the front end listens nowhere else."""
        front_end = self.front_end("--listen", "tcp:7000", "--listen", "tcp:7001")
        self.listen(front_end)
        self.assertEqual([port for port, *_ in self.reactor.tcpServers], [7000, 7001])

    def test_factory_has_the_configured_greeting_and_limits(self) -> None:
        """Server name, MOTD, default room and limits reach the factory the endpoints serve."""
        front_end = self.front_end("--motd", "Be kind", "--default-room", "#Main", "--max-per-ip", "3")
        connection = front_end.factory.buildProtocol(None)
        wire = StringTransport()
        connection.makeConnection(wire)
        connection.dataReceived(b"alice\n")
        self.reactor.advance(0)
        self.assertIn(b"on testhost", wire.value())
        self.assertIn(b"Be kind", wire.value())
        self.assertIn(b"#Main", wire.value())
        self.assertEqual(front_end.factory.admission.max_per_ip, 3)

    def test_shutdown_fires_once_every_connection_has_closed(self) -> None:
        """shutdown says goodbye and fires when the last connection is gone; at once when there is none."""
        front_end = self.front_end()
        connection, wire = connected(front_end.factory, self.reactor)
        closed = front_end.shutdown()
        self.assertEqual(wire.value(), b"*** Server shutting down. Goodbye.\r\n")
        self.assertNoResult(closed)
        connection.connectionLost(Failure(ConnectionDone()))
        self.successResultOf(closed)
        self.successResultOf(front_end.shutdown())
