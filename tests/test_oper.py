"""/oper on the line front end: passwords checked (later, off the reactor thread), failures throttled and logged, never the password."""

import threading

from twisted.internet.defer import Deferred
from twisted.internet.error import ConnectionDone
from twisted.internet.task import Clock
from twisted.internet.testing import EventLoggingObserver, StringTransport
from twisted.logger import formatEvent, globalLogPublisher
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool
from twisted.trial.unittest import SynchronousTestCase

from chatd.frontend.oper import (
    FAILURES_PER_ADDRESS,
    FAILURES_PER_NAME,
    PACE_SECONDS,
    PAUSE_SECONDS,
    RETRY_SECONDS,
    Attempts,
    OperatorLogin,
    in_thread_pool,
)
from chatd.line.protocol import LineProtocol
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

    def wrong(self, protocol: LineProtocol, wire: StringTransport, times: int = 1) -> None:
        """Send ``times`` wrong passwords for boss, each answered ERR oper-failed once its pause is over."""
        for _ in range(times):
            protocol.dataReceived(b"/oper boss wrong\n")
            self.clock.advance(RETRY_SECONDS)
            self.assertEqual(self.lines(wire), [FAILED])

    def test_right_password_makes_an_operator(self) -> None:
        """/oper with an operator's name and password grants operator rights, and says so at once."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(self.lines(wire), [NOW_OPERATOR])
        self.assertTrue(alice.me().operator)
        alice.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(self.lines(wire), [b"*** You are an operator already."])

    def test_standing_is_the_users_until_their_last_connection_ends(self) -> None:
        """An operator's standing is the user's, not the connection's: alice's other connection keeps it after the one
        that sent /oper ends, a new nickname keeps it, and it is gone once she has no connection left."""
        alice, _ = self.connect(b"alice")
        alice.dataReceived(b"/register sesame12\n")
        other, _ = self.connect(b"alice sesame12")
        alice.dataReceived(b"/oper boss correct horse\n")
        alice.connectionLost(Failure(ConnectionDone()))
        other.dataReceived(b"/nick alicia\n")
        self.assertTrue(other.me().operator)
        other.connectionLost(Failure(ConnectionDone()))
        again, wire = self.connect(b"alicia")
        again.dataReceived(b"/wall hello\n")
        self.assertEqual(self.lines(wire), [b"ERR not-operator only server operators may do that"])

    def test_wrong_password_or_name_is_refused_after_a_pause_that_doubles(self) -> None:
        """A wrong password, or a name that is no operator's, is refused alike: after 1 s, then after 2 s more."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/oper boss wrong\n/oper nobody correct horse\n")
        self.clock.advance(PAUSE_SECONDS - 0.001)
        self.assertEqual(self.lines(wire), [])
        self.clock.advance(0.001)
        self.assertEqual(self.lines(wire), [FAILED])
        self.clock.advance(2 * PAUSE_SECONDS - 0.001)
        self.assertEqual(self.lines(wire), [])
        self.clock.advance(0.001)
        self.assertEqual(self.lines(wire), [FAILED])
        self.assertFalse(alice.me().operator)

    def test_connection_reads_nothing_while_it_pauses(self) -> None:
        """A line sent after a wrong /oper waits for its answer: the failing connection is slowed, nobody else."""
        alice, alice_wire = self.connect(b"alice")
        bob, _ = self.connect(b"bob")
        alice.dataReceived(b"/oper boss wrong\nhello\n")
        bob.dataReceived(b"hi\n")
        self.assertEqual(self.lines(alice_wire), [b"[00:00] #lobby <bob> hi"])
        self.clock.advance(PAUSE_SECONDS)
        self.assertEqual(self.lines(alice_wire), [FAILED, b"[00:00] #lobby <alice> hello"])

    def test_oper_needs_a_nickname(self) -> None:
        """/oper before choosing a nickname is refused; no password is checked."""
        protocol, wire = self.connect()
        protocol.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(self.lines(wire), [b"ERR need-nick choose a nickname first"])

    def test_three_failures_then_refused_for_a_minute(self) -> None:
        """After three failures a connection's attempts are refused unchecked, even right ones, until a minute passes."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/oper boss a\n/oper boss b\n/oper boss c\n/oper boss correct horse\n")
        self.clock.pump([PAUSE_SECONDS, 2 * PAUSE_SECONDS, 4 * PAUSE_SECONDS])
        self.assertEqual(
            self.lines(wire),
            [FAILED, FAILED, FAILED, b"ERR oper-throttled too many failed /oper attempts; try again in 53 s"],
        )
        self.clock.advance(52)
        alice.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(
            self.lines(wire), [b"ERR oper-throttled too many failed /oper attempts; try again in 1 s"]
        )
        self.clock.advance(1)
        alice.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(self.lines(wire), [NOW_OPERATOR])

    def test_attackers_sharing_the_address_do_not_lock_the_operator_out(self) -> None:
        """Others from the operator's address spend its budget: the right password still gets in (nobody waits ahead)."""
        failures = 0
        while failures < FAILURES_PER_ADDRESS:
            protocol, wire = self.connect(b"guess%d" % failures, host="10.0.0.1")
            self.wrong(protocol, wire, min(3, FAILURES_PER_ADDRESS - failures))
            failures += 3
        operator, wire = self.connect(b"boss", host="10.0.0.1")
        operator.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(self.lines(wire), [NOW_OPERATOR])

    def test_guesses_at_a_name_from_everywhere_do_not_lock_its_operator_out(self) -> None:
        """Failures at one name from many addresses spend its budget: the right password still gets in."""
        for n in range(FAILURES_PER_NAME):
            protocol, wire = self.connect(b"guess%d" % n, host=f"10.0.1.{n}")
            self.wrong(protocol, wire)
        operator, wire = self.connect(b"boss", host="10.0.2.1")
        operator.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(self.lines(wire), [NOW_OPERATOR])

    def test_budgets_are_forgotten_once_refilled(self) -> None:
        """An address or a name whose failures have all dripped back holds no memory."""
        protocol, wire = self.connect(b"alice", host="10.0.0.1")
        self.wrong(protocol, wire)
        self.clock.advance(RETRY_SECONDS)
        other, _ = self.connect(b"bob", host="10.0.0.2")
        other.dataReceived(b"/oper other wrong\n")
        login = self.factory.login.throttle
        self.assertEqual((list(login._by_address), list(login._by_name)), (["10.0.0.2"], ["other"]))

    def test_attempts_are_logged_with_name_nickname_and_address_never_the_password(self) -> None:
        """Failures, refusals and successes are logged with the name tried, who tried it and the peer; no password."""
        alice, _ = self.connect(b"alice", host="10.0.0.1")
        alice.dataReceived(
            b"/oper boss hunter2\n/oper boss hunter3\n/oper boss hunter4\n/oper boss hunter5\n"
        )
        self.clock.pump([PAUSE_SECONDS, 2 * PAUSE_SECONDS, 4 * PAUSE_SECONDS, RETRY_SECONDS])
        alice.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(
            self.logs(),
            ["alice from 10.0.0.1 failed /oper as 'boss'"] * 3
            + [
                "Refused /oper as 'boss' to alice from 10.0.0.1: too many failures",
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
        self.assertEqual(self.logs(), ["alice from 10.0.0.1 failed /oper as '\\x1b[2Jboss'"])

    def test_two_people_behind_one_address_are_told_apart_in_the_log(self) -> None:
        """Behind one NAT the address is the same: the nickname in each failure's line says who tried."""
        alice, _ = self.connect(b"alice", host="10.0.0.1")
        troll, _ = self.connect(b"troll", host="10.0.0.1")
        troll.dataReceived(b"/oper boss wrong\n")
        alice.dataReceived(b"/oper boss correct horse\n")
        self.clock.advance(PAUSE_SECONDS)
        self.assertEqual(
            self.logs(),
            ["troll from 10.0.0.1 failed /oper as 'boss'", "alice from 10.0.0.1 is now operator 'boss'"],
        )
        nicks = [
            event.get("nick")
            for event in self.logged
            if event["log_namespace"] == OperatorLogin.log.namespace
        ]
        self.assertEqual(nicks, ["troll", "alice"])


class HeldCheckTests(LineTestCase):
    """Checks answered by hand, later, as the service's thread pool answers them."""

    def setUp(self) -> None:
        super().setUp()
        self.checks: list[Deferred[bool]] = []
        self.factory.login = OperatorLogin(self.held, self.clock, bounded=self.bounded)
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def held(self, name: str, password: str) -> "Deferred[bool]":
        check: Deferred[bool] = Deferred()
        self.checks.append(check)
        return check

    def answer_in_turn(self, right: bool) -> None:
        """Answer each check as it reaches the pool, until none is left: a host's next comes only once its last is
        answered (chatd.turns)."""
        while not self.checks[-1].called:
            self.checks[-1].callback(right)

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

    def test_an_ipv6_hosts_addresses_share_one_budget(self) -> None:
        """Guesses from a new address of one /64 each time still spend that /64's budget: a check past it waits."""
        for n in range(FAILURES_PER_ADDRESS + 4):
            protocol, _ = self.connect(b"guess%d" % n, host=f"2001:db8:1:2::{n + 1:x}")
            protocol.dataReceived(b"/oper guess%d wrong\n" % n)
        self.answer_in_turn(False)
        self.assertEqual(len(self.checks), FAILURES_PER_ADDRESS + 1)
        self.assertEqual(list(self.factory.login.throttle._by_address), ["2001:db8:1:2::/64"])

    def test_past_an_address_budget_checks_are_paced_not_refused(self) -> None:
        """Fourteen attempts at once from one address: ten are checked at once, then one a second, none refused."""
        wires = []
        for n in range(FAILURES_PER_ADDRESS + 4):
            protocol, wire = self.connect(b"guess%d" % n, host="10.0.0.1")
            protocol.dataReceived(b"/oper guess%d wrong\n" % n)
            wires.append(wire)
        self.answer_in_turn(False)
        self.assertEqual(len(self.checks), FAILURES_PER_ADDRESS + 1)
        for waited in range(1, 4):
            self.clock.advance(PACE_SECONDS)
            self.answer_in_turn(False)
            self.assertEqual(len(self.checks), FAILURES_PER_ADDRESS + 1 + waited)
        self.clock.advance(PAUSE_SECONDS)
        for wire in wires:
            self.assertEqual(self.lines(wire), [FAILED])

    def test_operator_waits_at_most_a_second_per_attempt_ahead(self) -> None:
        """Behind attackers from its address, the right password is checked one second per paced attempt ahead."""
        for n in range(FAILURES_PER_ADDRESS + 3):
            protocol, _ = self.connect(b"guess%d" % n, host="10.0.0.1")
            protocol.dataReceived(b"/oper boss wrong\n")
        operator, wire = self.connect(b"boss", host="10.0.0.1")
        operator.dataReceived(b"/oper boss correct horse\n")
        self.answer_in_turn(False)
        for _ in range(2):
            self.clock.advance(PACE_SECONDS)
            self.answer_in_turn(False)
        self.clock.advance(PACE_SECONDS - 0.001)
        self.assertEqual(len(self.checks), FAILURES_PER_ADDRESS + 3)
        self.clock.advance(0.001)
        self.checks[-1].callback(True)
        self.assertEqual(self.lines(wire), [NOW_OPERATOR])

    def test_a_name_is_one_budget_whatever_its_case(self) -> None:
        """Guesses at boss, BOSS and Boss from twelve addresses share one budget: past it, they are paced."""
        for n in range(FAILURES_PER_NAME + 2):
            protocol, _ = self.connect(b"guess%d" % n, host=f"10.0.1.{n}")
            protocol.dataReceived(b"/oper %s wrong\n" % [b"boss", b"BOSS", b"Boss"][n % 3])
        self.assertEqual(len(self.checks), FAILURES_PER_NAME + 1)
        self.clock.advance(PACE_SECONDS)
        self.assertEqual(len(self.checks), FAILURES_PER_NAME + 2)

    def test_right_password_gives_its_reservation_back(self) -> None:
        """A right password costs no failure: after nine failures and a success, an address's next attempt is checked at once."""
        for n in range(3):
            protocol, _ = self.connect(b"guess%d" % n, host="10.0.0.1")
            for _ in range(3):
                protocol.dataReceived(b"/oper guess wrong\n")
                self.checks[-1].callback(False)
                self.clock.advance(RETRY_SECONDS)
        alice, wire = self.connect(b"alice", host="10.0.0.1")
        alice.dataReceived(b"/oper boss correct horse\n")
        self.checks[-1].callback(True)
        self.assertEqual(self.lines(wire), [NOW_OPERATOR])
        bob, _ = self.connect(b"bob", host="10.0.0.1")
        bob.dataReceived(b"/oper other wrong\n")
        self.assertEqual(len(self.checks), 11)

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


class AttemptsTests(SynchronousTestCase):
    def test_pause_doubles_up_to_a_minute_however_many_failures(self) -> None:
        """The pause after a connection's failures goes 1, 2, 4 ... seconds, and stays at a minute past that."""
        attempts = Attempts(Clock().seconds)
        pauses = []
        for failures in (1, 2, 3, 6, 7, 5000):
            attempts.failures = failures
            pauses.append(attempts.pause())
        self.assertEqual(pauses, [1.0, 2.0, 4.0, 32.0, RETRY_SECONDS, RETRY_SECONDS])


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
