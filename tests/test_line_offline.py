"""Private messages to a registered nickname whose owner is offline: kept, bounded, and shown when they identify."""

import json

from twisted.internet.testing import StringTransport

from chatd.domain.offline import MAILBOX_MOST
from chatd.line.protocol import LineProtocol
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

    def test_every_connection_identifying_while_the_account_is_online_gets_them(self) -> None:
        """A second connection proving alice while her first is online is shown what was kept, as the first was,
        though bob had not identified (so /history alice keeps nothing of it); once her last connection has
        left, they are gone."""
        self.clock.advance(60)
        self.bob.dataReceived(b"/msg alice one\n")
        kept = [
            b"[1970-01-01 00:01] <bob -> alice> one",
            b"*** End of the message sent to you while you were offline.",
        ]
        first, first_wire = self.connect(None, host="10.0.0.1")
        first.dataReceived(b"alice " + PASSWORD + b"\n")
        self.assertEqual(self.lines(first_wire)[1:3], kept)
        self.clock.advance(600)
        second, second_wire = self.connect(None, host="10.0.0.2")
        second.dataReceived(b"/format json\n")
        self.lines(second_wire)
        second.dataReceived(b"/identify alice " + PASSWORD + b"\n")
        shown = [json.loads(line) for line in self.lines(second_wire)[1:3]]
        self.assertEqual(
            [(each["type"], each.get("text"), each.get("history")) for each in shown],
            [
                ("whispered", "one", True),
                ("notice", "End of the message sent to you while you were offline.", None),
            ],
        )
        third, third_wire = self.connect(None, host="10.0.0.3")
        third.dataReceived(b"alice " + PASSWORD + b"\n")
        self.assertEqual(self.lines(third_wire)[1:3], kept)
        for connection in (first, second, third):
            self.leave(connection)
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


class IdentifiedTestCase(AccountTestCase):
    """alice and bob identified, having sent each other a private message; carol identified too; dave not."""

    def setUp(self) -> None:
        super().setUp()
        self.bob, self.bob_wire = self.connect(b"bob", host="10.0.0.3")
        self.bob.dataReceived(b"/register " + PASSWORD + b"\n")
        self.carol, self.carol_wire = self.connect(b"carol", host="10.0.0.4")
        self.carol.dataReceived(b"/register " + PASSWORD + b"\n")
        self.dave, self.dave_wire = self.connect(b"dave", host="10.0.0.5")
        self.clock.advance(60)
        self.alice.dataReceived(b"/msg bob hello bob\n")
        self.bob.dataReceived(b"/msg alice hi alice\n")
        self.dave.dataReceived(b"/msg bob from dave\n")
        for wire in self.wires:
            self.lines(wire)

    def registered_again(self) -> tuple[LineProtocol, StringTransport]:
        """A minute on, alice gives her account up and leaves; a minute later mallory (from another address)
        registers alice: her connection, and its wire, cleared."""
        self.clock.advance(60)
        self.alice.dataReceived(b"/unregister " + PASSWORD + b"\n")
        self.leave(self.alice)
        mallory, wire = self.connect(b"alice", host="10.0.0.9")
        self.clock.advance(60)
        mallory.dataReceived(b"/register " + PASSWORD + b"\n")
        self.lines(wire)
        return mallory, wire


class PrivateHistoryTests(IdentifiedTestCase):
    """/history NICK: private messages for their two parties alone."""

    def test_each_party_reads_the_conversation_dated(self) -> None:
        """Both sides see both messages, oldest first, dated as history, then a marker; dave's is not kept."""
        expected = [
            b"[1970-01-01 00:01] <alice -> bob> hello bob",
            b"[1970-01-01 00:01] <bob -> alice> hi alice",
            b"*** End of private messages with %s.",
        ]
        self.alice.dataReceived(b"/history bob\n")
        self.assertEqual(self.lines(self.alice_wire), [*expected[:2], expected[2] % b"bob"])
        self.bob.dataReceived(b"/history Alice 5\n")
        self.assertEqual(self.lines(self.bob_wire), [*expected[:2], expected[2] % b"Alice"])

    def test_a_third_identified_user_reads_only_their_own(self) -> None:
        """carol asking for bob gets her own conversation with him: none."""
        self.carol.dataReceived(b"/history bob\n")
        self.assertEqual(
            self.lines(self.carol_wire),
            [b"*** No private messages with bob are kept (only those between two identified users are)."],
        )

    def test_whoever_registers_a_nickname_given_up_reads_nothing_of_its_old_owners(self) -> None:
        """alice gives her account up and leaves; mallory, registering alice, reads none of her messages with bob
        (they were alice's), while bob still reads his own; what mallory and bob say from then on both read.

        An account is its nickname: the conversation's key was the same, so
        the next to register alice read everything alice and bob had said.
        """
        mallory, wire = self.registered_again()
        mallory.dataReceived(b"/history bob\n")
        self.assertEqual(
            self.lines(wire),
            [b"*** No private messages with bob are kept (only those between two identified users are)."],
        )
        mallory.dataReceived(b"/msg bob it is me\n")
        mallory.dataReceived(b"/history bob\n")
        self.assertEqual(
            self.lines(wire)[-2:],
            [b"[1970-01-01 00:03] <alice -> bob> it is me", b"*** End of private messages with bob."],
        )
        self.lines(self.bob_wire)
        self.bob.dataReceived(b"/history alice\n")
        self.assertEqual(len(self.lines(self.bob_wire)), 4)

    def test_an_unidentified_user_is_refused_in_one_line(self) -> None:
        """dave has no account: one error line."""
        self.dave.dataReceived(b"/history bob\n")
        [line] = self.lines(self.dave_wire)
        self.assertTrue(line.startswith(b"ERR not-identified "), line)

    def test_a_room_the_user_is_in_still_wins_over_a_nickname(self) -> None:
        """/history dev is #dev for alice, who is in it."""
        self.alice.dataReceived(b"/history dev\n")
        self.assertIn(b"#dev", self.lines(self.alice_wire)[-1])

    def test_a_nickname_written_with_an_at_sign_is_always_the_private_messages(self) -> None:
        """/history @dev is alice's private messages with dev though she is in #dev; /history @bob 5 reads bob's,
        and the JSON marker names him without the @; they page by number only, as /history bob does."""
        self.alice.dataReceived(b"/history @dev\n")
        self.assertEqual(
            self.lines(self.alice_wire),
            [b"*** No private messages with dev are kept (only those between two identified users are)."],
        )
        self.alice.dataReceived(b"/format json\n/history @bob 5\n")
        *whispered, end = [json.loads(line) for line in self.lines(self.alice_wire)[1:]]
        self.assertEqual(
            [(line["type"], line["text"]) for line in whispered],
            [("whispered", "hello bob"), ("whispered", "hi alice")],
        )
        self.assertEqual((end["kind"], end["nick"], end["count"]), ("private_end", "bob", 2))
        self.alice.dataReceived(b"/history @bob around 0194a2b3c4d50000\n")
        [refusal] = self.lines(self.alice_wire)
        self.assertEqual(json.loads(refusal)["text"], "usage: /history NICK [N|before ID [N]]")

    def page(self, command: bytes) -> tuple[list[dict[str, object]], dict[str, object]]:
        """The private messages alice is shown for ``command`` (in JSON), and the marker after them."""
        self.alice.dataReceived(b"/format json\n" + command + b"\n/format text\n")
        *shown, end = [json.loads(line) for line in self.lines(self.alice_wire)[1:-1]]
        return shown, end

    def test_private_messages_page_back_before_an_id(self) -> None:
        """/history @bob before ID N shows the N private messages before the one with that id, oldest first, as
        a room's lines page back; the marker's ``earlier`` says whether older ones may be kept, and before the
        oldest kept none are: "No earlier private messages"."""
        for n in range(1, 5):
            self.clock.advance(1)
            self.alice.dataReceived(b"/msg bob %d\n" % n)
        self.lines(self.alice_wire)
        shown, end = self.page(b"/history @bob 3")
        self.assertEqual([line["text"] for line in shown], ["2", "3", "4"])
        self.assertEqual((end["kind"], end["count"], end["earlier"]), ("private_end", 3, True))
        shown, end = self.page(b"/history @bob before %s 3" % str(shown[0]["id"]).encode())
        self.assertEqual([line["text"] for line in shown], ["hello bob", "hi alice", "1"])
        self.assertEqual((end["count"], end["earlier"]), (3, True))
        shown, end = self.page(b"/history bob before %s" % str(shown[0]["id"]).encode())
        self.assertEqual((shown, end["count"], end["earlier"]), ([], 0, False))
        self.assertEqual(end["text"], "No earlier private messages with bob are kept.")
        self.clock.advance(10)  # past the flood budget the pages spent
        shown, end = self.page(b"/history @bob 20")
        self.assertEqual((end["count"], end["earlier"]), (6, False))

    def test_private_messages_page_back_before_a_time_in_text(self) -> None:
        """A time serves as an id does: the messages sent before it, dated, then the marker."""
        self.clock.advance(60)
        self.bob.dataReceived(b"/msg alice later\n")
        self.lines(self.alice_wire)
        self.alice.dataReceived(b"/history @bob before 1970-01-01T00:01:30Z 5\n")
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b"[1970-01-01 00:01] <alice -> bob> hello bob",
                b"[1970-01-01 00:01] <bob -> alice> hi alice",
                b"*** End of private messages with bob.",
            ],
        )

    def test_a_page_back_is_checked_as_the_last_messages_are(self) -> None:
        """Before an id, someone not identified is refused, another account reads only its own conversation, a
        count past 100 and a word that is no id are refused, and someone ignored is left out."""
        self.dave.dataReceived(b"/history @bob before 0194a2b3c4d50000\n")
        [line] = self.lines(self.dave_wire)
        self.assertTrue(line.startswith(b"ERR not-identified "), line)
        self.carol.dataReceived(b"/history @alice before 7fffffffffff0000\n")
        self.assertEqual(
            self.lines(self.carol_wire), [b"*** No earlier private messages with alice are kept."]
        )
        self.alice.dataReceived(b"/history @bob before 7fffffffffff0000 101\n/history @bob before soon\n")
        refusals = self.lines(self.alice_wire)
        self.assertEqual(
            [line.split()[:2] for line in refusals], [[b"ERR", b"bad-count"], [b"ERR", b"bad-id"]]
        )
        self.alice.dataReceived(b"/ignore bob\n")
        self.lines(self.alice_wire)
        shown, end = self.page(b"/history @bob before 7fffffffffff0000")
        self.assertEqual(([line["text"] for line in shown], end["count"]), (["hello bob"], 1))


class ForgetTests(IdentifiedTestCase):
    """/forget deletes what alice sent, rooms and private, after a confirmation."""

    def test_forget_asks_first_then_deletes_and_counts(self) -> None:
        """/forget alone deletes nothing; /forget confirm deletes her room line and private message."""
        self.alice.dataReceived(b"in the lobby\n")
        self.lines(self.alice_wire)
        self.alice.dataReceived(b"/forget\n")
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b"*** /forget confirm deletes every message, action and private message you sent as alice "
                b"since you registered it, from the server, for good."
            ],
        )
        self.alice.dataReceived(b"/forget confirm\n")
        self.assertEqual(self.lines(self.alice_wire), [b"*** Forgot 2 messages you sent as alice."])
        self.bob.dataReceived(b"/history alice\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [b"[1970-01-01 00:01] <bob -> alice> hi alice", b"*** End of private messages with alice."],
        )

    def test_whoever_registers_a_nickname_given_up_forgets_only_their_own(self) -> None:
        """alice gives her account up and leaves; mallory, registering alice, has /forget confirm delete only what
        she sent since (and count only that): alice's line in #dev and private message stay for bob to read.

        Lines are kept by nickname, which the next owner shares: /forget
        confirm deleted, and counted, everything the last alice had sent.
        """
        self.alice.dataReceived(b"in #dev\n")
        mallory, wire = self.registered_again()
        mallory.dataReceived(b"/msg bob it is me\nmine now\n")
        self.lines(wire)
        mallory.dataReceived(b"/forget\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"*** /forget confirm deletes every message, action and private message you sent as alice "
                b"since you registered it, from the server, for good."
            ],
        )
        mallory.dataReceived(b"/forget confirm\n")
        self.assertEqual(self.lines(wire), [b"*** Forgot 2 messages you sent as alice."])
        self.lines(self.bob_wire)
        self.bob.dataReceived(b"/history alice\n/join #dev\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [
                b"[1970-01-01 00:01] <alice -> bob> hello bob",
                b"[1970-01-01 00:01] <bob -> alice> hi alice",
                b"*** End of private messages with alice.",
                b"[00:03] #dev -- bob joined",
                b"*** In #dev (1): @bob",
                b"[1970-01-01 00:01] #dev <alice> in #dev",
                b"*** End of history of #dev: nothing earlier is kept.",
            ],
        )

    def test_an_account_forgets_once_an_hour(self) -> None:
        """A second /forget confirm within the hour is refused in one line, saying when; after it, it goes.

        It was a read of every line kept, for one line of flood budget: a
        loop of it from 20 connections stalled the store for everyone.
        """
        self.alice.dataReceived(b"/forget confirm\n")
        self.assertEqual(self.lines(self.alice_wire), [b"*** Forgot 1 message you sent as alice."])
        self.clock.advance(3599)
        self.alice.dataReceived(b"in the lobby\n/forget confirm\n")
        self.assertEqual(
            self.lines(self.alice_wire)[-1],
            b"ERR forget-throttled your account's lines were forgotten less than an hour ago; "
            b"/forget confirm again in 1s",
        )
        self.clock.advance(1)
        self.alice.dataReceived(b"/forget confirm\n")
        self.assertEqual(self.lines(self.alice_wire), [b"*** Forgot 1 message you sent as alice."])

    def test_forget_needs_an_account(self) -> None:
        """dave, not identified, gets one error line and nothing is deleted."""
        self.dave.dataReceived(b"/forget confirm\n")
        [line] = self.lines(self.dave_wire)
        self.assertTrue(line.startswith(b"ERR not-identified "), line)
