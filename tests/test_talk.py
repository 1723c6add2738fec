"""The commands about people, through the line protocol: /away, /whois, /ignore and /unignore."""

from twisted.python.failure import Failure

from chatd.line import talk
from tests.helpers import LineTestCase


class AwayTests(LineTestCase):
    def test_private_message_to_someone_away_gets_their_text_back(self) -> None:
        """Whoever messages an away user receives the message echo and then the away text."""
        alice, alice_wire = self.connect(b"alice")
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/away at lunch, back at 2\n")
        self.assertEqual(self.lines(bob_wire), [b"*** You are marked as away."])
        alice.dataReceived(b"/msg bob ping\n")
        self.assertEqual(
            self.lines(alice_wire),
            [b"[00:00] <alice -> bob> ping", b"*** bob is away: at lunch, back at 2"],
        )
        self.assertEqual(self.lines(bob_wire), [b"[00:00] <alice -> bob> ping"])

    def test_away_alone_means_back(self) -> None:
        """/away without text clears it, and messages get no reply."""
        alice, alice_wire = self.connect(b"alice")
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/away gone\n/away\n")
        self.assertEqual(self.lines(bob_wire), [b"*** You are marked as away.", b"*** You are back."])
        alice.dataReceived(b"/msg bob ping\n")
        self.assertEqual(self.lines(alice_wire), [b"[00:00] <alice -> bob> ping"])

    def test_roommates_see_nothing_of_away_in_text_or_json(self) -> None:
        """The chat tells bob's roommates he is away or back (for IRC's away-notify); on the line protocol they
        see nothing of it, as before, and bob sees only the answer to his /away."""
        alice, alice_wire = self.connect(b"alice")
        bot, bot_wire = self.connect(b"bot")
        bot.dataReceived(b"/format json\n")
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/away lunch\n/away\n")
        self.assertEqual(self.lines(bob_wire), [b"*** You are marked as away.", b"*** You are back."])
        self.assertEqual(self.lines(alice_wire), [])
        self.assertEqual(self.lines(bot_wire), [])
        alice.dataReceived(b"hi\n")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #lobby <alice> hi"])


class SelfTests(LineTestCase):
    """What a user asks of themselves gets one sensible line."""

    def test_private_message_to_oneself_arrives_once(self) -> None:
        """/msg to one's own nickname is delivered once, like any private message's receipt."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/msg ALICE note to self\n")
        self.assertEqual(self.lines(wire), [b"[00:00] <alice -> alice> note to self"])

    def test_nick_to_ones_own_nickname_says_so(self) -> None:
        """/nick to the nickname one holds says so; a change of case is a change."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/nick alice\n/nick Alice\n")
        self.assertEqual(
            self.lines(wire), [b"*** You are alice already.", b"[00:00] -- alice is now known as Alice"]
        )

    def test_away_when_not_away_says_so(self) -> None:
        """/away alone while not away says so rather than welcoming the user back."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/away\n")
        self.assertEqual(self.lines(wire), [b"*** You were not marked as away."])


class WhoisTests(LineTestCase):
    def test_whois_shows_rooms_away_and_operator(self) -> None:
        """/whois lists the rooms, whether an operator, and the away text; not the address."""
        alice, wire = self.connect(b"alice")
        op, _ = self.operator(b"op", host="10.0.0.5")
        op.dataReceived(b"/join #dev\n/away busy\n")
        alice.dataReceived(b"/whois OP\n")
        self.assertEqual(
            self.lines(wire),
            [b"*** op is in #lobby #dev", b"*** op is an operator", b"*** op is away: busy"],
        )

    def test_operators_also_see_the_address(self) -> None:
        """An operator's /whois says where the user connects from."""
        op, wire = self.operator(b"op")
        bob, _ = self.connect(b"bob", host="10.0.0.7")
        bob.dataReceived(b"/part\n")
        self.lines(wire)
        op.dataReceived(b"/whois bob\n")
        self.assertEqual(self.lines(wire), [b"*** bob is in no room", b"*** bob is connected from 10.0.0.7"])

    def test_whois_before_a_nickname_and_of_nobody(self) -> None:
        """/whois works before choosing a nickname; a nickname nobody holds is an error."""
        self.connect(b"bob")
        anonymous, wire = self.connect()
        anonymous.dataReceived(b"/whois bob\n/whois ghost\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"*** bob is in #lobby",
                b"ERR no-such-nick nobody called ghost is online",
            ],
        )


class IgnoreTests(LineTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.connect(b"alice")
        self.bob, self.bob_wire = self.connect(b"bob")
        self.carol, self.carol_wire = self.connect(b"carol")
        self.alice.dataReceived(b"/ignore BOB\n")
        self.assertEqual(
            self.lines(self.alice_wire), [b"*** You now ignore bob: you will not see their messages."]
        )

    def test_ignored_messages_actions_and_private_messages_are_hidden(self) -> None:
        """The ignoring session sees none of bob's lines; everyone else sees them all."""
        self.bob.dataReceived(b"hello\n/me waves\n/msg alice psst\n")
        self.carol.dataReceived(b"hi\n")
        self.assertEqual(self.lines(self.alice_wire), [b"[00:00] #lobby <carol> hi"])
        self.assertEqual(
            self.lines(self.carol_wire),
            [b"[00:00] #lobby <bob> hello", b"[00:00] #lobby * bob waves", b"[00:00] #lobby <carol> hi"],
        )
        self.assertEqual(
            self.lines(self.bob_wire)[:3],
            [b"[00:00] #lobby <bob> hello", b"[00:00] #lobby * bob waves", b"[00:00] <bob -> alice> psst"],
        )

    def test_ignored_user_still_seen_coming_and_going(self) -> None:
        """Ignoring hides what bob says, not that he leaves."""
        self.bob.dataReceived(b"/quit\n")
        self.assertEqual(self.lines(self.alice_wire), [b"[00:00] -- bob quit"])

    def test_ignore_follows_the_nickname_across_reconnects(self) -> None:
        """Whoever comes back as bob is still ignored."""
        self.bob.connectionLost(Failure(ConnectionError()))
        bob, _ = self.connect(b"bob")
        bob.dataReceived(b"again\n")
        self.assertEqual(self.lines(self.alice_wire), [])

    def test_ignore_alone_lists_and_unignore_ends_it(self) -> None:
        """/ignore lists the ignored nicknames; after /unignore bob's lines show again."""
        self.alice.dataReceived(b"/ignore carol\n/ignore\n/unignore bob\n")
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b"*** You now ignore carol: you will not see their messages.",
                b"*** Ignoring (2): bob carol",
                b"*** You no longer ignore bob.",
            ],
        )
        self.bob.dataReceived(b"visible\n")
        self.assertEqual(self.lines(self.alice_wire), [b"[00:00] #lobby <bob> visible"])

    def test_only_sessions_that_ignore_are_filtered(self) -> None:
        """The front end checks ignores only while some session ignores someone."""
        self.assertEqual(self.factory.ignorers, {self.alice})
        self.alice.dataReceived(b"/unignore bob\n")
        self.assertEqual(self.factory.ignorers, set())
        self.alice.dataReceived(b"/ignore bob\n")
        self.alice.connectionLost(Failure(ConnectionError()))
        self.assertEqual(self.factory.ignorers, set())

    def test_a_nickname_nobody_holds_is_ignored_when_it_comes(self) -> None:
        """/ignore takes a nickname nobody holds, as typed, and whoever then takes it is not heard."""
        self.alice.dataReceived(b"/ignore Troll\n")
        self.assertEqual(
            self.lines(self.alice_wire), [b"*** You now ignore Troll: you will not see their messages."]
        )
        troll, _ = self.connect(b"troll")
        self.lines(self.alice_wire)
        troll.dataReceived(b"spam\n/msg alice spam\n")
        self.carol.dataReceived(b"hi\n")
        self.assertEqual(self.lines(self.alice_wire), [b"[00:00] #lobby <carol> hi"])

    def test_ignore_refusals(self) -> None:
        """Ignoring a nickname nobody could take, or more nicknames than allowed, is refused."""
        self.patch(talk, "MAX_IGNORED", 2)
        self.connect(b"dave")
        self.alice.dataReceived(b"/ignore 9lives\n/ignore carol\n/ignore dave\n/ignore bob\n")
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b"ERR bad-nick '9lives' is not a valid nickname: a nickname cannot start with a digit, '-' or a mark",
                b"*** You now ignore carol: you will not see their messages.",
                b"ERR too-many-ignored you ignore 2 nicknames already; /unignore one first",
                b"*** You now ignore bob: you will not see their messages.",
            ],
        )

    def test_ignoring_oneself_or_unignoring_nobody_is_refused(self) -> None:
        """/ignore of one's own nickname (any case) and /unignore of someone not ignored each get one error line."""
        self.alice.dataReceived(b"/ignore ALICE\n/unignore carol\n/unignore ghost\n")
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b"ERR ignore-self you cannot ignore yourself",
                b"ERR not-ignored you do not ignore carol",
                b"ERR not-ignored you do not ignore ghost",
            ],
        )
        self.assertEqual(self.alice.ignored, {"bob": "bob"})
