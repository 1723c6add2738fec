"""/oper on the line front end: passwords checked, failures throttled and logged, never the password."""

from twisted.internet.testing import EventLoggingObserver
from twisted.logger import formatEvent, globalLogPublisher

from chatd.frontend.oper import FAILURES_PER_ADDRESS, RETRY_SECONDS
from tests.helpers import LineTestCase

FAILED = b"ERR oper-failed wrong operator name or password"
NOW_OPERATOR = b"*** You are now an operator."


class OperTests(LineTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def logs(self) -> list[str]:
        return [formatEvent(event) for event in self.logged]

    def test_right_password_makes_an_operator(self) -> None:
        """/oper with an operator's name and password grants operator rights, and says so."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(self.lines(wire), [NOW_OPERATOR])
        self.assertTrue(alice.me().operator)
        alice.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(self.lines(wire), [b"*** You are an operator already."])

    def test_wrong_password_or_name_is_refused(self) -> None:
        """A wrong password, or a name that is no operator's, gets the same refusal."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/oper boss wrong\n/oper nobody correct horse\n")
        self.assertEqual(self.lines(wire), [FAILED, FAILED])
        self.assertFalse(alice.me().operator)

    def test_oper_needs_a_nickname(self) -> None:
        """/oper before choosing a nickname is refused; no password is checked."""
        protocol, wire = self.connect()
        protocol.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(
            self.lines(wire), [b"ERR need-nick choose a nickname first", b"*** Choose a nickname:"]
        )

    def test_three_failures_then_refused_for_a_minute(self) -> None:
        """After three failures a connection's attempts are refused unchecked, even right ones, until a minute passes."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/oper boss a\n/oper boss b\n/oper boss c\n/oper boss correct horse\n")
        self.assertEqual(
            self.lines(wire),
            [FAILED, FAILED, FAILED, b"ERR oper-throttled too many failed /oper attempts; try again in 60 s"],
        )
        self.clock.advance(RETRY_SECONDS - 1)
        alice.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(
            self.lines(wire), [b"ERR oper-throttled too many failed /oper attempts; try again in 1 s"]
        )
        self.clock.advance(1)
        alice.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(self.lines(wire), [NOW_OPERATOR])

    def test_new_connections_from_one_address_share_a_budget(self) -> None:
        """Reconnecting does not buy more guesses: an address has ten failures, then waits; others do not."""
        failures = 0
        while failures < FAILURES_PER_ADDRESS:
            protocol, wire = self.connect(b"guess%d" % failures, host="10.0.0.1")
            for _ in range(min(3, FAILURES_PER_ADDRESS - failures)):
                protocol.dataReceived(b"/oper boss wrong\n")
                failures += 1
        protocol, wire = self.connect(b"fresh", host="10.0.0.1")
        protocol.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(
            self.lines(wire), [b"ERR oper-throttled too many failed /oper attempts; try again in 60 s"]
        )
        other, other_wire = self.connect(b"other", host="10.0.0.2")
        other.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(self.lines(other_wire), [NOW_OPERATOR])

    def test_address_budgets_are_forgotten_once_refilled(self) -> None:
        """An address whose failures have all dripped back holds no memory."""
        protocol, _ = self.connect(b"alice", host="10.0.0.1")
        protocol.dataReceived(b"/oper boss wrong\n")
        self.clock.advance(RETRY_SECONDS)
        other, _ = self.connect(b"bob", host="10.0.0.2")
        other.dataReceived(b"/oper boss wrong\n")
        self.assertEqual(list(self.factory.login._by_address), ["10.0.0.2"])

    def test_attempts_are_logged_with_name_and_address_never_the_password(self) -> None:
        """Failures, refusals and successes are logged with the name tried and the peer; no password appears."""
        alice, _ = self.connect(b"alice", host="10.0.0.1")
        alice.dataReceived(
            b"/oper boss hunter2\n/oper boss hunter3\n/oper boss hunter4\n/oper boss hunter5\n"
        )
        self.clock.advance(RETRY_SECONDS)
        alice.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(
            self.logs(),
            ["Failed /oper as 'boss' from 10.0.0.1"] * 3
            + [
                "Refused /oper as 'boss' from 10.0.0.1: too many failures",
                "alice from 10.0.0.1 is now operator 'boss'",
            ],
        )
        for event in self.logged:
            self.assertNotIn("hunter", repr(event))
            self.assertNotIn("horse", repr(event))

    def test_name_with_control_characters_is_logged_quoted(self) -> None:
        """A name cannot forge a log line: it is logged as a quoted string."""
        alice, _ = self.connect(b"alice", host="10.0.0.1")
        alice.dataReceived(b"/oper \x1b[2Jboss x\n")
        self.assertEqual(self.logs(), ["Failed /oper as '\\x1b[2Jboss' from 10.0.0.1"])
