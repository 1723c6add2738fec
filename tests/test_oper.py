"""/oper on the line front end: passwords checked (later, off the reactor thread), failures throttled and logged, never the password."""

import threading

from twisted.internet.defer import Deferred
from twisted.internet.error import ConnectionDone
from twisted.internet.testing import EventLoggingObserver
from twisted.logger import formatEvent, globalLogPublisher
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool
from twisted.trial.unittest import SynchronousTestCase

from chatd.frontend.oper import FAILURES_PER_ADDRESS, RETRY_SECONDS, OperatorLogin, in_thread_pool
from tests.helpers import LineTestCase, ThreadedReactor

FAILED = b"ERR oper-failed wrong operator name or password"
NOW_OPERATOR = b"*** You are now an operator."


class OperTests(LineTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def logs(self) -> list[str]:
        """What the /oper login logged (connecting is logged too, elsewhere)."""
        return [
            formatEvent(event)
            for event in self.logged
            if event["log_namespace"] == OperatorLogin.log.namespace
        ]

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


class HeldCheckTests(LineTestCase):
    """Checks answered by hand, later, as the service's thread pool answers them."""

    def setUp(self) -> None:
        super().setUp()
        self.checks: list[Deferred[bool]] = []
        self.factory.login = OperatorLogin(self.held, self.clock.seconds)
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def held(self, name: str, password: str) -> "Deferred[bool]":
        check: Deferred[bool] = Deferred()
        self.checks.append(check)
        return check

    def test_answer_and_later_lines_wait_for_the_check(self) -> None:
        """Nothing is answered, and no later line is taken, until the check says the password is right."""
        alice, alice_wire = self.connect(b"alice")
        _, bob_wire = self.connect(b"bob")
        alice.dataReceived(b"/oper boss correct horse\nhello\n")
        self.assertEqual((self.lines(alice_wire), self.lines(bob_wire)), ([], []))
        self.assertFalse(alice.me().operator)
        self.checks[0].callback(True)
        self.assertEqual(self.lines(alice_wire), [NOW_OPERATOR, b"[00:00] #lobby <alice> hello"])
        self.assertTrue(alice.me().operator)

    def test_attempts_in_flight_from_one_address_cannot_pass_its_budget(self) -> None:
        """Eleven attempts at once from one address: ten are checked, the eleventh is refused unchecked."""
        wires = []
        for n in range(FAILURES_PER_ADDRESS + 1):
            protocol, wire = self.connect(b"guess%d" % n, host="10.0.0.1")
            protocol.dataReceived(b"/oper boss wrong\n")
            wires.append(wire)
        self.assertEqual(len(self.checks), FAILURES_PER_ADDRESS)
        self.assertEqual(
            self.lines(wires[-1]), [b"ERR oper-throttled too many failed /oper attempts; try again in 60 s"]
        )
        for check in self.checks:
            check.callback(False)
        for wire in wires[:-1]:
            self.assertEqual(self.lines(wire), [FAILED])

    def test_right_password_gives_its_reservation_back(self) -> None:
        """A right password costs no failure: after nine failures and a success, an address's next attempt is still checked."""
        for n in range(3):
            protocol, _ = self.connect(b"guess%d" % n, host="10.0.0.1")
            for _ in range(3):
                protocol.dataReceived(b"/oper boss wrong\n")
                self.checks[-1].callback(False)
        alice, wire = self.connect(b"alice", host="10.0.0.1")
        alice.dataReceived(b"/oper boss correct horse\n")
        self.checks[-1].callback(True)
        self.assertEqual(self.lines(wire), [NOW_OPERATOR])
        bob, bob_wire = self.connect(b"bob", host="10.0.0.1")
        bob.dataReceived(b"/oper boss wrong\n")
        self.assertEqual(len(self.checks), 11)
        self.checks[-1].callback(False)
        self.assertEqual(self.lines(bob_wire), [FAILED])

    def test_user_gone_before_the_check_ends_is_not_made_operator(self) -> None:
        """A connection lost while its password is checked: the right answer makes nobody an operator, and says nothing."""
        alice, wire = self.connect(b"alice")
        user = alice.me()
        alice.dataReceived(b"/oper boss correct horse\n")
        alice.connectionLost(Failure(ConnectionDone()))
        self.checks[0].callback(True)
        self.assertFalse(user.operator)
        self.assertEqual(self.lines(wire), [])
        self.assertNotIn("is now operator", " ".join(formatEvent(event) for event in self.logged))

    def test_check_that_breaks_is_logged_and_answered_internal(self) -> None:
        """A check that raises is a bug: logged, answered ERR internal, and the attempt still counts as a failure."""
        alice, wire = self.connect(b"alice")
        for _ in range(3):
            alice.dataReceived(b"/oper boss x\n")
            self.checks[-1].errback(RuntimeError("argon2 broke"))
        self.assertEqual(
            self.lines(wire), [b"ERR internal the server failed to do that; it has been logged"] * 3
        )
        self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 3)
        alice.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(
            self.lines(wire), [b"ERR oper-throttled too many failed /oper attempts; try again in 60 s"]
        )


class InThreadPoolTests(SynchronousTestCase):
    def test_verify_runs_on_a_pool_thread_and_answers_on_the_reactor(self) -> None:
        """in_thread_pool runs the check on the pool's thread; its answer fires only through the reactor."""
        reactor = ThreadedReactor()
        pool = ThreadPool(0, 1, name="test-passwords")
        pool.start()
        self.addCleanup(pool.stop)
        threads: list[threading.Thread] = []

        def verify(name: str, password: str) -> bool:
            threads.append(threading.current_thread())
            return password == "right"

        answer = in_thread_pool(reactor, pool, verify)("boss", "right")
        self.assertNoResult(answer)
        reactor.run_from_thread()
        self.assertTrue(self.successResultOf(answer))
        self.assertIsNot(threads[0], threading.current_thread())
