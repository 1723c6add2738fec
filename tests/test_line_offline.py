"""Private messages to a registered nickname whose owner is offline: kept, bounded, and shown when they identify."""

from chatd.domain.offline import MAILBOX_MOST
from tests.test_line_accounts import IDENTIFIED, PASSWORD, AccountTestCase

KEPT = b"*** alice is offline: your message is kept until they identify (1 waiting)"


class OfflineMessageTests(AccountTestCase):
    """Alice registered, then left; bob messages her."""

    def setUp(self) -> None:
        super().setUp()
        self.leave(self.alice)
        self.bob, self.bob_wire = self.connect(b"bob", host="10.0.0.3")

    def test_the_sender_is_echoed_and_told_it_is_kept(self) -> None:
        """The receipt as for anyone, then one line saying it waits for alice."""
        self.clock.advance(60)
        self.bob.dataReceived(b"/msg Alice are you there?\n")
        self.assertEqual(self.lines(self.bob_wire), [b"[00:01] <bob -> alice> are you there?", KEPT])

    def test_the_sender_is_told_in_json(self) -> None:
        """A program reads a ``kept`` object with the nickname and how many wait."""
        self.bob.dataReceived(b"/format json\n")
        self.lines(self.bob_wire)
        self.bob.dataReceived(b"/msg alice hi\n")
        self.assertEqual(self.lines(self.bob_wire)[-1], b'{"type":"kept","nick":"alice","waiting":1}')

    def test_a_nickname_neither_online_nor_registered_is_still_refused(self) -> None:
        """Nothing is kept for a nickname nobody owns."""
        self.bob.dataReceived(b"/msg carol hi\n")
        self.assertEqual(self.lines(self.bob_wire), [b"ERR no-such-nick nobody called carol is online"])

    def test_alice_identifying_gets_them_with_their_times_then_no_more(self) -> None:
        """On identifying, the kept messages come dated, then a count; the next time, nothing."""
        self.clock.advance(60)
        self.bob.dataReceived(b"/msg alice one\n")
        self.clock.advance(60)
        self.bob.dataReceived(b"/msg alice two\n")
        self.clock.advance(3600)
        alice, wire = self.connect(None, host="10.0.0.1")
        alice.dataReceived(b"alice " + PASSWORD + b"\n")
        self.assertEqual(
            self.lines(wire)[:5],
            [
                IDENTIFIED,
                b"[1970-01-01 00:01] <bob -> alice> one",
                b"[1970-01-01 00:02] <bob -> alice> two",
                b"*** End of the 2 messages sent to you while you were offline.",
                b"*** You are alice.",
            ],
        )
        self.leave(alice)
        again, wire = self.connect(None, host="10.0.0.1")
        again.dataReceived(b"alice " + PASSWORD + b"\n")
        self.assertEqual(self.lines(wire)[:2], [IDENTIFIED, b"*** You are alice."])

    def test_past_the_bound_a_message_is_refused(self) -> None:
        """At most MAILBOX_MOST wait for one account; the next gets one error line."""
        for _ in range(MAILBOX_MOST):
            self.bob.dataReceived(b"/msg alice hi\n")
            self.clock.advance(1)
        self.lines(self.bob_wire)
        self.bob.dataReceived(b"/msg alice one more\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [b"ERR mailbox-full alice is offline with 100 messages waiting already; try later"],
        )
