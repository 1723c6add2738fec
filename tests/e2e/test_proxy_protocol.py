"""The line and IRC ports behind a load balancer (--proxy): a real twistd on loopback, the test as the balancer.

The balancer connects from 127.0.0.2, a user of its own from 127.0.0.1 (any
of 127.0.0.0/8 reaches a daemon on 127.0.0.1): so one daemon tells a
trusted balancer from a peer that only claims to be one.
"""

import re
import socket
import ssl

from twisted.trial.unittest import SynchronousTestCase

from tests.certificates import write_self_signed
from tests.e2e.daemon import DEADLINE_SECONDS, Daemon, LineClient, SharedDaemon, opers_file
from tests.e2e.lobby import LOOPBACK, PROMPT, SHARED_LOBBY, WELCOME
from tests.e2e.test_web_proxy import operator
from tests.helpers import new_folder, quick_hash
from tests.test_proxy_header import v1, v2

PASSWORD = "behind the balancer"

BALANCER = "127.0.0.2"
"""Where the test's load balancer connects from."""

BAD_HEADER = (
    b"ERR bad-proxy-header the load balancer in front of this chat did not say whose connection this is\r\n"
)

IRC_AT = re.compile(rb"chatd IRC at irc://127\.0\.0\.1:(?P<port>\d+)/$")


class BalancerTestCase(SynchronousTestCase):
    """The test as the load balancer in front of a daemon."""

    def through(self, daemon: Daemon, header: bytes, source: str = BALANCER) -> LineClient:
        """A connection from ``source`` that starts with ``header``."""
        client = daemon.connect(source=source)
        client.send(header)
        return client

    def named(self, daemon: Daemon, nick: str, header: bytes, source: str = BALANCER) -> LineClient:
        """A user who picks ``nick`` on a connection from ``source`` that starts with ``header``."""
        client = self.through(daemon, header, source)
        client.expect(WELCOME, PROMPT)
        client.say(nick)
        return client


class ProxyProtocolTests(BalancerTestCase):
    """Users behind a balancer, on a daemon of each test's own: one that bans, counts connections or listens
    beyond the line and IRC ports."""

    def start(self, *extra: str, listeners: int = 1) -> Daemon:
        """A daemon on 127.0.0.1 with an operator, ``boss``, given ``extra`` options, once it has announced
        ``listeners`` line ports."""
        opers = opers_file(self, quick_hash(PASSWORD))
        return Daemon.start(
            self, [*LOOPBACK, "--db", ":memory:", "--opers", opers, *extra], listeners=listeners
        )

    def test_a_trusted_balancers_user_is_the_address_its_header_names(self) -> None:
        """Through a trusted balancer the user is the header's address: logged so, with the balancer's, and an
        address ban of it refuses that user alone, not the balancer's others."""
        daemon = self.start("--proxy", BALANCER)
        boss = operator(daemon, PASSWORD)
        self.named(daemon, "alice", v1("203.0.113.7")).expect("*** You are alice.")
        daemon.wait_for_log(re.compile(rb"Connection from 203\.0\.113\.7 through 127\.0\.0\.2$"))
        daemon.wait_for_log(re.compile(rb"alice came online from 203\.0\.113\.7$"))
        boss.say("/ban 203.0.113.7 1h")
        self.assertRegex(
            self.named(daemon, "again", v1("203.0.113.7")).read_to_end(),
            rb"^ERR banned your address is banned from this server \((1h|59m( [0-9]+s)?) left\)\r\n$",
        )
        self.named(daemon, "other", v1("203.0.113.8")).expect("*** You are other.")

    def test_max_per_ip_counts_each_user_behind_the_balancer(self) -> None:
        """--max-per-ip 1: a second connection of one user through the balancer is refused; another user's is
        not, though both come from the balancer's address."""
        daemon = self.start("--proxy", BALANCER, "--max-per-ip", "1")
        self.through(daemon, v1("203.0.113.7")).expect(WELCOME, PROMPT)
        self.assertEqual(
            self.through(daemon, v1("203.0.113.7")).read_to_end(),
            b"ERR too-many-connections at most 1 connection from one address; close one first\r\n",
        )
        self.through(daemon, v1("203.0.113.8")).expect(WELCOME, PROMPT)

    def test_the_header_comes_before_tls(self) -> None:
        """On the TLS port the balancer's header comes first, then the user's TLS, as a balancer passing TLS
        through sends them."""
        certificate, key = write_self_signed(new_folder(self))
        daemon = self.start(
            "--proxy", BALANCER, "--tls-port", "0", "--tls-cert", certificate, "--tls-key", key, listeners=2
        )
        port = daemon.addresses[1][1]  # --port's first, then --tls-port's
        plain = socket.create_connection(
            ("127.0.0.1", port), timeout=DEADLINE_SECONDS, source_address=(BALANCER, 0)
        )
        plain.sendall(v1("203.0.113.11"))
        secure = ssl.create_default_context(cafile=certificate).wrap_socket(
            plain, server_hostname="localhost"
        )
        self.addCleanup(secure.close)
        secure.sendall(b"tlsy\n")
        daemon.wait_for_log(re.compile(rb"tlsy came online from 203\.0\.113\.11$"))

    def test_a_balancer_on_ipv6_loopback_is_trusted_by_its_ipv6_address(self) -> None:
        """--proxy ::1 trusts a balancer connecting over IPv6: its header names the user there."""
        daemon = self.start("--proxy", "::1", "--listen", r"tcp6:0:interface=\:\:1", listeners=2)
        client = daemon.connect("::1", daemon.addresses[1][1])
        client.send(v1("203.0.113.12"))
        client.expect(WELCOME, PROMPT)
        client.say("sixer")
        daemon.wait_for_log(re.compile(rb"sixer came online from 203\.0\.113\.12$"))


class SharedProxyTests(BalancerTestCase):
    """Users behind a balancer, on a daemon the class's tests share (``SharedDaemon``), each with users of its own;
    bans and counts of connections stay with the class above."""

    shared = SharedDaemon([*SHARED_LOBBY, "--db", ":memory:", "--proxy", BALANCER, "--irc-port", "0"])

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def test_a_v2_header_names_the_user_too(self) -> None:
        """HAProxy's binary header (send-proxy-v2), with the nickname in the same packet, names the user."""
        daemon = self.shared.lend(self)
        client = self.through(daemon, v2("203.0.113.9") + b"bin\n")
        client.expect(WELCOME, PROMPT, "*** You are bin.")
        daemon.wait_for_log(re.compile(rb"bin came online from 203\.0\.113\.9$"))

    def test_a_last_line_without_newline_is_said_when_the_user_half_closes(self) -> None:
        """printf 'alice\\nhi' | nc -N through the balancer: once the user shuts their side (the balancer passing the
        half-close on), the unended last line is said and answered, then the server closes, as without --proxy."""
        daemon = self.shared.lend(self)
        client = self.through(daemon, v1("203.0.113.13") + b"halfy\nhi")
        client.socket.shutdown(socket.SHUT_WR)
        told = client.read_to_end()
        self.assertIn(b"*** You are halfy.\r\n", told)
        self.assertTrue(told.endswith(b"#lobby <halfy> hi\r\n"), told)

    def test_an_ipv6_user_is_their_ipv6_address(self) -> None:
        """A balancer passing an IPv6 user, in v1 or v2, makes them that IPv6 address."""
        daemon = self.shared.lend(self)
        self.named(daemon, "six", v1("2001:db8::7")).expect("*** You are six.")
        daemon.wait_for_log(re.compile(rb"six came online from 2001:db8::7$"))
        self.named(daemon, "sixtwo", v2("2001:db8::8")).expect("*** You are sixtwo.")
        daemon.wait_for_log(re.compile(rb"sixtwo came online from 2001:db8::8$"))

    def test_a_header_from_an_untrusted_peer_is_not_believed(self) -> None:
        """From a peer --proxy does not name, a PROXY header is a line like any other: the user is the peer."""
        daemon = self.shared.lend(self)
        client = self.through(daemon, v1("203.0.113.7"), source="127.0.0.1")
        client.expect(WELCOME, PROMPT)
        client.read_line()  # the header, taken for a nickname and refused
        client.say("spoofer")
        daemon.wait_for_log(re.compile(rb"spoofer came online from 127\.0\.0\.1$"))

    def test_a_bad_header_from_the_balancer_is_refused_in_one_line(self) -> None:
        """A trusted balancer's connection that starts with no header is told so in one line, closed, and
        logged."""
        daemon = self.shared.lend(self)
        self.assertEqual(self.through(daemon, b"alice\n").read_to_end(), BAD_HEADER)
        daemon.wait_for_log(re.compile(rb"Refused 127\.0\.0\.2: a bad PROXY header$"))
        self.assertEqual(
            self.through(daemon, b"PROXY TCP4 nobody 127.0.0.1 1 2\r\n").read_to_end(), BAD_HEADER
        )

    def test_irc_behind_the_balancer_is_its_user(self) -> None:
        """On the IRC port a trusted balancer's header names the user; a bad one is an ERROR line."""
        daemon = self.shared.lend(self)
        port = int(daemon.first_logged(IRC_AT).group("port"))
        client = LineClient(daemon, "127.0.0.1", port, source=BALANCER)
        client.send(v1("203.0.113.10") + b"NICK ircy\r\nUSER i 0 * :IRC user\r\n")
        daemon.wait_for_log(re.compile(rb"ircy came online from 203\.0\.113\.10$"))
        bad = LineClient(daemon, "127.0.0.1", port, source=BALANCER)
        bad.send(b"NICK nobody\r\n")
        self.assertEqual(
            bad.read_to_end(),
            b"ERROR :Closing Link: the load balancer in front of this server did not say whose connection this is\r\n",
        )
