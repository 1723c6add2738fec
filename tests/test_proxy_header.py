"""The PROXY header's reader: headers split across reads, the wait for one, and what is left to the protocol."""

import ipaddress
import struct

from twisted.internet.address import IPv4Address
from twisted.internet.interfaces import IAddress, IHalfCloseableProtocol
from twisted.internet.protocol import Protocol, ServerFactory
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase
from typing_extensions import override
from zope.interface import implementer

from chatd.frontend.admission import BalancedAddress, BalancerAddress
from chatd.frontend.logs import BoundedLog
from chatd.frontend.proxies import Proxies
from chatd.frontend.proxy_header import HEADER_SECONDS, HeaderFirstFactory, ProxyHeaders

REFUSAL = b"ERR bad-proxy-header\r\n"
BALANCER = IPv4Address("TCP", "10.0.0.5", 40000)

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def v1(user: str) -> bytes:
    """The header HAProxy's ``send-proxy`` writes for a connection from ``user`` to 127.0.0.1:5000."""
    family = "TCP6" if ":" in user else "TCP4"
    ours = "::1" if ":" in user else "127.0.0.1"
    return f"PROXY {family} {user} {ours} 40000 5000\r\n".encode()


def v2(user: str) -> bytes:
    """The binary header HAProxy's ``send-proxy-v2`` writes for a connection from ``user`` (PROXY over TCP)."""
    source = ipaddress.ip_address(user)
    if source.version == 4:
        addresses = source.packed + ipaddress.ip_address("127.0.0.1").packed + struct.pack("!HH", 40000, 5000)
        family = 0x11
    else:
        addresses = source.packed + ipaddress.ip_address("::1").packed + struct.pack("!HH", 40000, 5000)
        family = 0x21
    return V2_SIGNATURE + bytes([0x21, family]) + struct.pack("!H", len(addresses)) + addresses


class Recorder(Protocol):
    """A front end's protocol that keeps what it is given."""

    def __init__(self, peer: IAddress | None) -> None:
        self.peer = peer
        self.received = b""

    @override
    def dataReceived(self, data: bytes) -> None:
        self.received += data


@implementer(IHalfCloseableProtocol)
class HalfClosingRecorder(Recorder):
    """A front end's protocol that takes a half-close, as the line port's does: it keeps whether it was given one."""

    read_ended = False

    def readConnectionLost(self) -> None:  # noqa: N802 - IHalfCloseableProtocol's name
        self.read_ended = True

    def writeConnectionLost(self) -> None:  # noqa: N802 - IHalfCloseableProtocol's name
        """Not asked for here."""


class RecordingFactory(ServerFactory):
    """Builds a ``Recorder`` (or ``kind``) per connection and keeps each."""

    def __init__(self, kind: type[Recorder] = Recorder) -> None:
        self.built: list[Recorder] = []
        self.kind = kind

    @override
    def buildProtocol(self, addr: IAddress | None) -> Protocol:
        self.built.append(self.kind(addr))
        return self.built[-1]


class HeaderReaderTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.front_end = RecordingFactory()
        headers = ProxyHeaders(Proxies(["10.0.0.0/8"]), self.clock, BoundedLog(self.clock), REFUSAL)
        self.factory = HeaderFirstFactory(self.front_end, headers)

    def connect(self, peer: IPv4Address = BALANCER) -> tuple[Protocol, StringTransport]:
        protocol = self.factory.buildProtocol(peer)
        assert protocol is not None
        wire = StringTransport(peerAddress=peer)
        protocol.makeConnection(wire)
        return protocol, wire

    def test_a_header_split_byte_by_byte_is_read_whole(self) -> None:
        """A header that comes a byte a read, v1 or v2, names the user (through the balancer, for the log), and
        what follows is the protocol's."""
        for header in (v1("203.0.113.7"), v2("203.0.113.7")):
            protocol, _ = self.connect()
            for byte in header + b"alice\n":
                protocol.dataReceived(bytes([byte]))
            recorder = self.front_end.built[-1]
            self.assertEqual(
                (recorder.peer, recorder.received),
                (BalancedAddress(IPv4Address("TCP", "203.0.113.7", 40000), BALANCER), b"alice\n"),
            )

    def test_nothing_is_built_before_the_header(self) -> None:
        """Until its header is read a balancer's connection is nobody's: no protocol takes its address."""
        protocol, _ = self.connect()
        protocol.dataReceived(v1("203.0.113.7")[:-1])
        self.assertEqual(self.front_end.built, [])

    def test_no_header_in_time_is_refused(self) -> None:
        """A balancer's connection that sends no header is told so and closed after HEADER_SECONDS, not before."""
        _, wire = self.connect()
        self.clock.advance(HEADER_SECONDS - 1)
        self.assertFalse(wire.disconnecting)
        self.clock.advance(1)
        self.assertEqual((wire.value(), wire.disconnecting), (REFUSAL, True))

    def test_an_endless_v2_header_is_refused(self) -> None:
        """A v2 header that says it is 64 KiB long is refused once past what any balancer writes."""
        protocol, wire = self.connect()
        protocol.dataReceived(v2("203.0.113.7")[:14] + b"\xff\xff")
        protocol.dataReceived(b"\x00" * 4096)
        self.assertEqual((wire.value(), wire.disconnecting, self.front_end.built), (REFUSAL, True, []))

    def test_a_local_header_leaves_the_balancers_address(self) -> None:
        """v2's LOCAL (a balancer's health check) names nobody: the connection is the balancer's own."""
        protocol, _ = self.connect()
        protocol.dataReceived(v2("203.0.113.7")[:12] + b"\x20\x00\x00\x00")
        self.assertEqual(self.front_end.built[-1].peer, BalancerAddress(BALANCER))

    def test_a_v1_header_naming_the_connection_itself_is_the_balancers_own(self) -> None:
        """HAProxy's send-proxy health check names its own connection, the balancer's address and port: the
        connection is the balancer's own, not a user's at the balancer's address."""
        protocol, _ = self.connect()
        protocol.dataReceived(b"PROXY TCP4 10.0.0.5 127.0.0.1 40000 5000\r\n")
        self.assertEqual(self.front_end.built[-1].peer, BalancerAddress(BALANCER))

    def test_a_user_at_the_balancers_address_on_another_port_is_a_user(self) -> None:
        """A header naming the balancer's address with another port is a user there (a client on the balancer's
        own host), not the balancer's own connection."""
        protocol, _ = self.connect()
        protocol.dataReceived(b"PROXY TCP4 10.0.0.5 127.0.0.1 40001 5000\r\n")
        self.assertEqual(
            self.front_end.built[-1].peer,
            BalancedAddress(IPv4Address("TCP", "10.0.0.5", 40001), BALANCER),
        )

    def test_an_untrusted_peer_gets_the_protocol_itself(self) -> None:
        """A peer --proxy does not name is given the front end's own protocol, its header taken as data."""
        stranger = IPv4Address("TCP", "192.0.2.1", 40000)
        protocol, _ = self.connect(stranger)
        self.assertIs(protocol, self.front_end.built[-1])
        self.assertEqual(self.front_end.built[-1].peer, stranger)

    def test_a_half_close_reaches_a_protocol_that_takes_one(self) -> None:
        """The user's half-close (``nc -N``) is passed on once the header built a protocol that takes it, as the
        line port's does; before that the reader takes none, and the TCP transport closes the connection."""
        self.front_end.kind = HalfClosingRecorder
        protocol, _ = self.connect()
        self.assertIsNone(IHalfCloseableProtocol(protocol, None))
        protocol.dataReceived(v1("203.0.113.7"))
        IHalfCloseableProtocol(protocol).readConnectionLost()
        recorder = self.front_end.built[-1]
        assert isinstance(recorder, HalfClosingRecorder)
        self.assertTrue(recorder.read_ended)

    def test_a_protocol_that_takes_no_half_close_is_closed_by_one_as_without_a_balancer(self) -> None:
        """IRC's protocol takes no half-close: the reader in front of it takes none either, so the TCP transport
        closes the connection on one, as it does without --proxy."""
        protocol, _ = self.connect()
        protocol.dataReceived(v1("203.0.113.7"))
        self.assertIsNone(IHalfCloseableProtocol(protocol, None))
