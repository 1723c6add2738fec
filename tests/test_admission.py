"""Admission: connections counted across front ends, in all and per address, and refused past the limits."""

from twisted.internet.address import IPv4Address, IPv6Address, UNIXAddress
from twisted.internet.error import ConnectionDone
from twisted.internet.task import Clock
from twisted.internet.testing import EventLoggingObserver, StringTransport
from twisted.logger import formatEvent, globalLogPublisher
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from chatd.frontend.admission import Admission, BalancedAddress, BalancerAddress, Refusal
from chatd.frontend.connections import GOODBYE_GRACE_SECONDS
from chatd.frontend.errors import ConnectingTooFastError, ServerFullError, TooManyConnectionsError
from chatd.frontend.logs import BURST, BoundedLog
from chatd.line.wording import word


def tcp(host: str) -> IPv4Address | IPv6Address:
    return IPv6Address("TCP", host, 4000) if ":" in host else IPv4Address("TCP", host, 4000)


class AdmissionTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.admission = Admission(
            max_connections=3, max_per_ip=2, bounded=BoundedLog(self.clock), now=self.clock.seconds
        )

    def test_peer_is_the_host_and_mapped_ipv4_is_ipv4(self) -> None:
        """A connection is counted by its host; ::ffff:10.0.0.1 is 10.0.0.1."""
        self.assertEqual(self.admission.admit(tcp("10.0.0.1")), "10.0.0.1")
        self.assertEqual(self.admission.admit(tcp("::ffff:10.0.0.1")), "10.0.0.1")
        self.assertEqual(self.admission.admit(tcp("2001:db8::1")), "2001:db8::1")

    def test_address_over_its_limit_is_refused_and_others_are_not(self) -> None:
        """A third connection from one address raises TooManyConnectionsError; another address gets in."""
        self.admission.admit(tcp("10.0.0.1"))
        self.admission.admit(tcp("10.0.0.1"))
        error = self.assertRaises(TooManyConnectionsError, self.admission.admit, tcp("10.0.0.1"))
        self.assertEqual(word(error), "at most 2 connections from one address; close one first")
        self.admission.admit(tcp("10.0.0.2"))

    def test_an_ipv6_host_is_counted_by_its_64_and_keeps_its_address(self) -> None:
        """Two addresses of one /64 share its two places, whichever it takes; another /64 is another host's. Each
        connection keeps its own address, which bans compare and operators see."""
        first = self.admission.admit(tcp("2001:db8:1:2::1"))
        self.assertEqual(self.admission.admit(tcp("2001:db8:1:2:ffff::9")), "2001:db8:1:2:ffff::9")
        self.assertRaises(TooManyConnectionsError, self.admission.admit, tcp("2001:db8:1:2::abcd"))
        self.admission.admit(tcp("2001:db8:1:3::1"))
        self.admission.release(first)
        self.admission.admit(tcp("2001:db8:1:2::abcd"))
        self.assertEqual(self.admission._per_host, {"2001:db8:1:2::/64": 2, "2001:db8:1:3::/64": 1})

    def test_total_over_its_limit_is_refused(self) -> None:
        """Past max_connections in all, any address is refused with ServerFullError."""
        for n in range(3):
            self.admission.admit(tcp(f"10.0.0.{n}"))
        self.assertRaises(ServerFullError, self.admission.admit, tcp("10.0.1.1"))
        self.assertEqual(self.admission.open, 3)

    def test_released_places_are_free_again_and_forgotten(self) -> None:
        """Releasing a connection frees its place; an address with none open leaves no trace."""
        peer = self.admission.admit(tcp("10.0.0.1"))
        self.admission.admit(tcp("10.0.0.1"))
        self.admission.release(peer)
        self.admission.admit(tcp("10.0.0.1"))
        self.admission.release(peer)
        self.admission.release(peer)
        self.assertEqual((self.admission.open, self.admission._per_host), (0, {}))

    def test_connections_and_refusals_are_logged_with_the_address(self) -> None:
        """An admitted connection and each kind of refusal are logged with the address."""
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        self.admission.admit(tcp("10.0.0.1"))
        self.admission.admit(tcp("10.0.0.1"))
        self.assertRaises(TooManyConnectionsError, self.admission.admit, tcp("10.0.0.1"))
        self.admission.admit(tcp("10.0.0.2"))
        self.assertRaises(ServerFullError, self.admission.admit, tcp("10.0.0.3"))
        self.assertEqual(
            [formatEvent(event) for event in logged],
            [
                "Connection from 10.0.0.1",
                "Connection from 10.0.0.1",
                "Refused 10.0.0.1: too many connections",
                "Connection from 10.0.0.2",
                "Refused 10.0.0.3: server full",
            ],
        )

    def test_a_thousand_refusals_in_a_second_write_a_bounded_log(self) -> None:
        """1000 refusals in one second write BURST lines, then one line counting the rest (issue 12)."""
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        self.admission.admit(tcp("10.0.0.1"))
        self.admission.admit(tcp("10.0.0.1"))
        for _ in range(1000):
            self.assertRaises(TooManyConnectionsError, self.admission.admit, tcp("10.0.0.1"))
            self.clock.advance(0.0005)
        self.clock.advance(1)
        refusals = [formatEvent(event) for event in logged][2:]
        self.assertEqual(
            refusals,
            ["Refused 10.0.0.1: too many connections"] * BURST
            + [f"Left {1000 - BURST} more lines out of the log like: Refused 10.0.0.1: too many connections"],
        )

    def test_address_without_host_counts_as_itself(self) -> None:
        """A connection with no IP address (a UNIX socket) is counted by its address's text."""
        self.assertEqual(self.admission.admit(UNIXAddress(b"/tmp/s")), str(UNIXAddress(b"/tmp/s")))


class RefusalTests(SynchronousTestCase):
    def test_writes_its_line_and_closes(self) -> None:
        """A Refusal writes the one line it was given and closes the connection."""
        wire = StringTransport()
        Refusal(b"ERR server-full the server is full; try again later\r\n", Clock()).makeConnection(wire)
        self.assertEqual(wire.value(), b"ERR server-full the server is full; try again later\r\n")
        self.assertTrue(wire.disconnecting)

    def test_line_not_written_in_time_is_dropped_with_the_connection(self) -> None:
        """A refused connection still open after the goodbye grace (its line unwritten) is aborted."""
        clock, wire = Clock(), StringTransport()
        refusal = Refusal(b"ERR server-full the server is full; try again later\r\n", clock)
        refusal.makeConnection(wire)
        clock.advance(GOODBYE_GRACE_SECONDS - 0.1)
        self.assertFalse(wire.disconnected)
        clock.advance(0.1)
        self.assertTrue(wire.disconnected)
        refusal.connectionLost(Failure(ConnectionDone()))
        self.assertEqual(clock.getDelayedCalls(), [])

    def test_connection_gone_in_time_leaves_no_timer(self) -> None:
        """A refused connection that closes within the grace is not aborted later."""
        clock, wire = Clock(), StringTransport()
        refusal = Refusal(b"ERR server-full the server is full; try again later\r\n", clock)
        refusal.makeConnection(wire)
        refusal.connectionLost(Failure(ConnectionDone()))
        self.assertEqual(clock.getDelayedCalls(), [])


class ProxiedAdmissionTests(SynchronousTestCase):
    """A trusted proxy's connections (--web-proxy) are counted in all, then under the user each socket is for."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.admission = Admission(
            max_connections=4, max_per_ip=1, bounded=BoundedLog(self.clock), now=self.clock.seconds
        )
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def test_a_proxy_is_held_to_the_total_not_to_max_per_ip_and_not_logged(self) -> None:
        """A proxy's connections, each no user's yet, take places in all but none of an address's."""
        for _ in range(4):
            self.assertEqual(self.admission.admit(tcp("127.0.0.1"), proxy=True), "127.0.0.1")
        self.assertRaises(ServerFullError, self.admission.admit, tcp("127.0.0.1"), proxy=True)
        self.admission.release("127.0.0.1", proxy=True)
        self.assertEqual((self.admission.open, self.admission._per_host), (3, {}))
        self.assertEqual([formatEvent(event) for event in self.logged], ["Refused 127.0.0.1: server full"])

    def test_a_forwarded_connection_counts_and_is_logged_as_its_user(self) -> None:
        """Forwarded, a connection is its user's: logged so, and held to their --max-per-ip, not the proxy's."""
        proxy = self.admission.admit(tcp("127.0.0.1"), proxy=True)
        self.assertEqual(self.admission.forward(proxy, "203.0.113.5"), "203.0.113.5")
        self.admission.admit(tcp("127.0.0.1"), proxy=True)
        error = self.assertRaises(TooManyConnectionsError, self.admission.forward, proxy, "203.0.113.5")
        self.assertEqual(error.limit, 1)
        self.assertRaises(TooManyConnectionsError, self.admission.admit, tcp("203.0.113.5"))
        self.admission.release("203.0.113.5")
        self.admission.release(proxy, proxy=True)
        self.assertEqual((self.admission.open, self.admission._per_host), (0, {}))
        self.assertEqual(
            [formatEvent(event) for event in self.logged],
            [
                "Connection from 203.0.113.5 through 127.0.0.1",
                "Refused 203.0.113.5 through 127.0.0.1: too many connections",
                "Refused 203.0.113.5: too many connections",
            ],
        )

    def test_a_balancers_user_counts_and_is_logged_as_the_user_through_the_balancer(self) -> None:
        """A user a --proxy balancer's header names is counted under their own address and logged with the
        balancer's, as a --web-proxy's is; over their --max-per-ip, refused so."""
        through = BalancedAddress(IPv4Address("TCP", "203.0.113.7", 4000), tcp("10.0.0.5"))
        self.assertEqual(self.admission.admit(through), "203.0.113.7")
        self.assertRaises(TooManyConnectionsError, self.admission.admit, through)
        self.admission.admit(tcp("10.0.0.5"))
        self.assertEqual(self.admission._per_host, {"203.0.113.7": 1, "10.0.0.5": 1})
        self.assertEqual(
            [formatEvent(event) for event in self.logged],
            [
                "Connection from 203.0.113.7 through 10.0.0.5",
                "Refused 203.0.113.7 through 10.0.0.5: too many connections",
                "Connection from 10.0.0.5",
            ],
        )

    def test_a_balancers_own_connection_counts_as_the_balancers_and_is_not_logged(self) -> None:
        """A --proxy balancer's own connection (its health check's header names no user) is counted under the
        balancer's address, and not logged: a check every 2 s would be a line every 2 s; a refusal still is."""
        own = BalancerAddress(tcp("10.0.0.5"))
        self.assertEqual(self.admission.admit(own), "10.0.0.5")
        self.assertRaises(TooManyConnectionsError, self.admission.admit, own)
        self.assertEqual(self.admission._per_host, {"10.0.0.5": 1})
        self.assertEqual(
            [formatEvent(event) for event in self.logged], ["Refused 10.0.0.5: too many connections"]
        )


class ConnectRateTests(SynchronousTestCase):
    """Each host may open ``connect_burst`` connections at once, then ``connect_rate`` a second."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.admission = Admission(
            max_per_ip=100,
            bounded=BoundedLog(self.clock),
            now=self.clock.seconds,
            connect_rate=0.5,
            connect_burst=3,
        )
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def open_and_close(self, host: str) -> None:
        """A connection from ``host`` admitted and gone again: it holds no place, yet it was opened."""
        self.admission.release(self.admission.admit(tcp(host)))

    def test_a_burst_gets_in_the_next_is_refused_until_the_refill(self) -> None:
        """Three in a row get in, the fourth is told when to try again; another host is not held back; two seconds
        on (a connection at 0.5 a second), one more gets in and the next is refused again."""
        for _ in range(3):
            self.open_and_close("10.0.0.1")
        error = self.assertRaises(ConnectingTooFastError, self.admission.admit, tcp("10.0.0.1"))
        self.assertEqual(word(error), "too many new connections from one address; try again in 2s")
        self.open_and_close("10.0.0.2")
        self.clock.advance(1.5)
        self.assertEqual(
            self.assertRaises(ConnectingTooFastError, self.admission.admit, tcp("10.0.0.1")).seconds_left, 1
        )
        self.clock.advance(0.5)
        self.open_and_close("10.0.0.1")
        self.assertRaises(ConnectingTooFastError, self.admission.admit, tcp("10.0.0.1"))
        self.assertEqual((self.admission.open, self.admission._per_host), (0, {}))

    def test_a_refusal_spends_nothing_so_a_flood_trickles_in_at_the_rate(self) -> None:
        """A host that keeps connecting is let in once every two seconds however often it is refused."""
        admitted = 0
        for _ in range(1000):
            try:
                self.open_and_close("10.0.0.1")
                admitted += 1
            except ConnectingTooFastError:
                pass
            self.clock.advance(0.01)
        # Ten seconds of trying: the burst at once, then one at (about) 2, 4, 6 and 8 s.
        self.assertEqual(admitted, 3 + 4)

    def test_an_ipv6_host_is_paced_by_its_64(self) -> None:
        """Addresses of one /64 share its budget, as they share its places."""
        for n in range(3):
            self.open_and_close(f"2001:db8:1:2::{n + 1}")
        self.assertRaises(ConnectingTooFastError, self.admission.admit, tcp("2001:db8:1:2:ffff::9"))
        self.open_and_close("2001:db8:1:3::1")

    def test_a_trusted_proxy_is_not_paced_but_its_users_are(self) -> None:
        """A --web-proxy's connections spend no address's budget; each user it forwards spends their own."""
        proxies = [self.admission.admit(tcp("127.0.0.1"), proxy=True) for _ in range(10)]
        for proxy in proxies[:3]:
            self.admission.release(self.admission.forward(proxy, "203.0.113.5"))
        self.assertRaises(ConnectingTooFastError, self.admission.forward, proxies[3], "203.0.113.5")
        self.admission.release(proxies[3], proxy=True)
        self.assertEqual(self.admission.open, 6)

    def test_a_budget_is_forgotten_once_full_again(self) -> None:
        """A host's budget, full again after six seconds, goes at the next connection after the sweep's round;
        hosts that connected lately keep theirs."""
        for n in range(100):
            self.open_and_close(f"10.0.1.{n}")
        self.assertEqual(len(self.admission._opening._buckets), 100)
        self.clock.advance(6)
        self.open_and_close("10.0.0.1")
        self.assertEqual(list(self.admission._opening._buckets), ["10.0.0.1"])

    def test_refusals_are_logged_bounded(self) -> None:
        """Each refusal is logged with its address, through the bounded log: BURST lines, then one counting the
        rest."""
        for _ in range(3):
            self.open_and_close("10.0.0.1")
        for _ in range(100):
            self.assertRaises(ConnectingTooFastError, self.admission.admit, tcp("10.0.0.1"))
        self.clock.advance(1)
        self.assertEqual(
            [formatEvent(event) for event in self.logged][3:],
            ["Refused 10.0.0.1: connecting too fast"] * BURST
            + [f"Left {100 - BURST} more lines out of the log like: Refused 10.0.0.1: connecting too fast"],
        )
