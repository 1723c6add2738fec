"""Accounts on the line front end: /register, /identify (and NICK PASSWORD at connect), /password, /unregister,
the protection of registered nicknames, several sessions of one account, and the takeover of a held nickname."""

import json

from twisted.internet.testing import EventLoggingObserver
from twisted.logger import formatEvent, globalLogPublisher
from twisted.python.failure import Failure

from chatd.domain.accounts import MIN_PASSWORD
from chatd.domain.nickname_protection import CLAIM_NOTICE_SECONDS
from chatd.frontend.accounts import AccountLogin
from chatd.frontend.held import awaited
from chatd.frontend.oper import FAILURES_PER_CONNECTION, PAUSE_SECONDS
from chatd.line.protocol import LineProtocol
from chatd.storage.memory import MemoryHistory
from tests.helpers import LineTestCase, quick_hash

PASSWORD = b"hunter22"

REGISTERED = b"*** The nickname alice is registered to you, and you are identified to it."
IDENTIFIED = b"*** You are identified as alice."
PROTECTED = b"ERR nick-registered alice is registered; /identify alice PASSWORD if it is yours, or choose another nickname"
WRONG = b"ERR identify-failed wrong password, or alice is not registered"
CHANGED = b"*** Your password is changed."
SLOWED = b"*** You are sending faster than the server allows; your lines now wait their turn."


class AccountTestCase(LineTestCase):
    """A line front end where alice (from 10.0.0.1) has registered her nickname and is online in #lobby and #dev."""

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.connect(b"alice", host="10.0.0.1")
        self.alice.dataReceived(b"/join #dev\n/register " + PASSWORD + b"\n")
        self.assertEqual(self.lines(self.alice_wire)[-1], REGISTERED)

    def leave(self, protocol: LineProtocol) -> None:
        """Close ``protocol``'s connection as the client would, and forget what it was sent."""
        protocol.dataReceived(b"/quit\n")
        protocol.connectionLost(Failure(Exception("closed")))
        for wire in self.wires:
            self.lines(wire)


class RegisterTests(LineTestCase):
    """/register makes the current nickname an account, once the password is good and the account kept."""

    def test_register_identifies_and_names_the_account(self) -> None:
        """The user is told, is identified to the account, and the account is their nickname's key."""
        alice, wire = self.connect(b"Alice")
        alice.dataReceived(b"/register " + PASSWORD + b"\n")
        self.assertEqual(
            self.lines(wire),
            [b"*** The nickname Alice is registered to you, and you are identified to it."],
        )
        assert alice.user is not None
        self.assertEqual(alice.user.account, "alice")
        self.assertEqual(self.accounts.owner("ALICE"), "alice")

    def test_roommates_see_nothing_of_an_account_in_text_or_json(self) -> None:
        """The chat tells alice's roommates of each change of her account (for IRC's account-notify); on the line
        protocol they see nothing of it, as before: only alice's own notices, and a rename where there is one."""
        _, bob_wire = self.connect(b"bob")
        bot, bot_wire = self.connect(b"bot")
        bot.dataReceived(b"/format json\n")
        alice, wire = self.connect(b"alice")
        alice.dataReceived(
            b"/register " + PASSWORD + b"\n/unregister " + PASSWORD + b"\n/register " + PASSWORD + b"\n"
        )
        self.assertEqual(
            self.lines(wire),
            [
                REGISTERED,
                b"*** The nickname alice is no longer registered; anyone may take it once you leave it.",
                REGISTERED,
            ],
        )
        self.assertEqual(self.lines(bob_wire), [])
        self.assertEqual(self.lines(bot_wire), [])
        alice.dataReceived(b"/quit\n")
        someone, wire = self.connect(b"someone")
        someone.dataReceived(b"/identify alice " + PASSWORD + b"\n")
        renamed = b"[00:00] -- someone is now known as alice"
        self.assertEqual(self.lines(wire), [renamed, IDENTIFIED])
        self.assertEqual(self.lines(bob_wire), [renamed])
        self.assertEqual([json.loads(line)["type"] for line in self.lines(bot_wire)], ["nick_changed"])

    def test_a_short_password_is_refused(self) -> None:
        """A password under the least length is refused in one line, and nothing is registered."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/register " + b"x" * (MIN_PASSWORD - 1) + b"\n")
        self.assertEqual(self.lines(wire), [b"ERR password-too-short a password needs at least 8 characters"])
        self.assertIsNone(self.accounts.owner("alice"))

    def test_registering_twice_is_refused(self) -> None:
        """An identified user cannot register again."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/register " + PASSWORD + b"\n/register " + PASSWORD + b"\n")
        self.assertEqual(self.lines(wire)[-1], b"ERR already-identified you are identified as alice already")

    def test_registering_or_identifying_twice_names_the_account_as_registered(self) -> None:
        """Alice is told she is identified as Alice, as she registered it, not as the folded key alice."""
        alice, wire = self.connect(b"Alice")
        alice.dataReceived(b"/register " + PASSWORD + b"\n")
        self.lines(wire)
        alice.dataReceived(b"/register " + PASSWORD + b"\n")
        self.assertEqual(self.lines(wire), [b"ERR already-identified you are identified as Alice already"])
        alice.dataReceived(b"/identify " + PASSWORD + b"\n")
        self.assertEqual(self.lines(wire), [b"ERR already-identified you are identified as Alice already"])

    def test_the_password_is_in_no_log_and_no_event(self) -> None:
        """Registering and identifying log and publish the nickname and address, never the password."""
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        alice, _ = self.connect(b"alice")
        alice.dataReceived(b"/register " + PASSWORD + b"\n")
        other, _ = self.connect(None, host="10.0.0.2")
        other.dataReceived(b"alice wrongpass\n")
        self.clock.advance(PAUSE_SECONDS)
        self.assertTrue(logged)
        for event in logged:
            self.assertNotIn("hunter22", repr(event))
            self.assertNotIn("wrongpass", repr(event))


class ServiceNicknameTests(LineTestCase):
    """NickServ, ChanServ and the other services' nicknames (chatd.domain.names.SERVICE_NICKNAMES) are nobody's."""

    def test_a_service_nickname_at_connect_is_one_line_then_the_prompt(self) -> None:
        """NickServ, in any case, is refused at connect and the connection stays unnamed; so is a look-alike."""
        someone, wire = self.connect(None)
        someone.dataReceived(b"NickServ\nnickserv\nNlckServ\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR nick-reserved NickServ is reserved for IRC services; choose another nickname",
                b"*** Choose a nickname:",
                b"ERR nick-reserved nickserv is reserved for IRC services; choose another nickname",
                b"*** Choose a nickname:",
                b"ERR nick-reserved NlckServ looks like NickServ, which is reserved for IRC services; "
                b"choose another nickname",
                b"*** Choose a nickname:",
            ],
        )
        self.assertIsNone(someone.user)

    def test_nick_to_a_service_nickname_is_refused_in_text_and_json(self) -> None:
        """/nick ChanServ is one ERR line (one JSON error for a program); the user keeps their nickname."""
        bob, wire = self.connect(b"bob")
        bob.dataReceived(b"/nick ChanServ\n/format json\n/nick Global\n")
        lines = self.lines(wire)
        self.assertEqual(
            lines[0], b"ERR nick-reserved ChanServ is reserved for IRC services; choose another nickname"
        )
        self.assertEqual(
            json.loads(lines[-1]),
            {
                "type": "error",
                "code": "nick-reserved",
                "text": "Global is reserved for IRC services; choose another nickname",
            },
        )
        assert bob.user is not None
        self.assertEqual(bob.user.nick, "bob")

    def test_an_account_registered_under_a_service_nickname_before_keeps_it(self) -> None:
        """An account NickServ made before the names were reserved is still its owner's, and still nobody else's."""
        self.accounts.create("NickServ", quick_hash(PASSWORD.decode()), 0.0)
        owner, owner_wire = self.connect(None)
        owner.dataReceived(b"NickServ " + PASSWORD + b"\n")
        self.assertIn(b"*** You are identified as NickServ.", self.lines(owner_wire))
        assert owner.user is not None
        self.assertEqual(owner.user.nick, "NickServ")
        owner.dataReceived(b"/nick nickserv\n")
        self.assertEqual(self.lines(owner_wire), [b"[00:00] -- NickServ is now known as nickserv"])
        bob, wire = self.connect(b"bob")
        bob.dataReceived(b"/nick NickServ\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR nick-registered NickServ is registered; /identify NickServ PASSWORD if it is yours, "
                b"or choose another nickname"
            ],
        )


class ProtectionTests(AccountTestCase):
    """A registered nickname, and any that looks like it, is refused to whoever has not identified."""

    def test_connecting_as_a_registered_nickname_in_any_case_leaves_the_connection_unnamed(self) -> None:
        """ALICE is alice's too: the connection has no nickname."""
        bob, _ = self.connect(b"ALICE", host="10.0.0.2")
        self.assertIsNone(bob.user)

    def test_refusal_at_connect_is_one_line_then_the_prompt(self) -> None:
        """What the newcomer reads."""
        bob, wire = self.connect(None, host="10.0.0.2")
        bob.dataReceived(b"alice\n")
        self.assertEqual(self.lines(wire), [PROTECTED, b"*** Choose a nickname:"])
        self.assertIsNone(bob.user)

    def test_nick_to_a_registered_or_look_alike_nickname_is_refused(self) -> None:
        """/nick to it, in any case or look, is refused; the user keeps their nickname."""
        bob, wire = self.connect(b"bob", host="10.0.0.2")
        bob.dataReceived(b"/nick Alice\n/nick AIice\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR nick-registered Alice is registered; /identify Alice PASSWORD if it is yours, "
                b"or choose another nickname",
                b"ERR nick-registered AIice looks like alice, which is registered; choose another nickname",
            ],
        )
        assert bob.user is not None
        self.assertEqual(bob.user.nick, "bob")

    def test_the_owner_online_is_told_who_tried_at_most_once_a_while(self) -> None:
        """The first try is told at once with the address; those within the next minute are counted into the next notice."""
        others = [self.connect(None, host="10.0.0.2")[0] for _ in range(3)]
        for other in others:
            other.dataReceived(b"alice\n")
        self.assertEqual(
            self.lines(self.alice_wire), [b"[00:00] -- someone at 10.0.0.2 tried to take your nickname alice"]
        )
        self.clock.advance(CLAIM_NOTICE_SECONDS)
        other, _ = self.connect(None, host="10.0.0.3")
        other.dataReceived(b"/nick AIice\n")
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b"[00:01] -- someone at 10.0.0.3 tried to take your nickname AIice (3 tries since the last notice)"
            ],
        )

    def test_an_unregistered_nickname_with_a_word_after_is_still_a_bad_nickname(self) -> None:
        """NICK PASSWORD identifies only to a registered nickname; any other two words are a nickname refused."""
        other, wire = self.connect(None, host="10.0.0.2")
        other.dataReceived(b"bob secret\n")
        self.assertEqual(self.lines(wire)[1], b"*** Choose a nickname:")


class IdentifyTests(AccountTestCase):
    """/identify and NICK PASSWORD prove an account; a wrong password is refused and throttled."""

    def test_nick_password_at_connect_identifies(self) -> None:
        """Alice gone, NICK PASSWORD as the first line names and identifies her, and she enters the default room."""
        self.leave(self.alice)
        alice, wire = self.connect(None, host="10.0.0.2")
        alice.dataReceived(b"alice " + PASSWORD + b"\n")
        self.assertEqual(
            self.lines(wire)[:3], [IDENTIFIED, b"*** You are alice.", b"[00:00] #lobby -- alice joined"]
        )
        assert alice.user is not None
        self.assertEqual((alice.user.nick, alice.user.account), ("alice", "alice"))

    def test_identify_before_a_nickname_in_json(self) -> None:
        """A program in JSON mode sends /identify NICK PASSWORD first, and reads the answers as JSON."""
        self.leave(self.alice)
        alice, wire = self.connect(None, host="10.0.0.2")
        alice.dataReceived(b"/format json\n/identify alice " + PASSWORD + b"\n")
        lines = self.lines(wire)
        self.assertIn(
            b'{"type":"notice","kind":"account","account":"alice","nick":"alice","change":"identified",'
            b'"text":"You are identified as alice."}',
            lines,
        )

    def test_a_wrong_password_is_refused_after_a_pause(self) -> None:
        """The answer waits a second, says nothing of whether the account exists, and names nobody."""
        other, wire = self.connect(None, host="10.0.0.2")
        other.dataReceived(b"alice wrongpass\n")
        self.assertEqual(self.lines(wire), [])
        self.clock.advance(PAUSE_SECONDS)
        self.assertEqual(self.lines(wire), [WRONG])
        self.assertIsNone(other.user)

    def test_wrong_passwords_are_throttled_per_connection(self) -> None:
        """After three wrong passwords a connection's attempts are refused unchecked, even the right one."""
        other, wire = self.connect(b"bob", host="10.0.0.2")
        for failure in range(FAILURES_PER_CONNECTION):
            other.dataReceived(b"/identify alice wrongpass\n")
            self.clock.advance(PAUSE_SECONDS * 2**failure)
        other.dataReceived(b"/identify alice " + PASSWORD + b"\n")
        self.assertEqual(
            self.lines(wire),
            [WRONG] * FAILURES_PER_CONNECTION
            # A failure comes back each minute; the pauses took 1 + 2 + 4 s of it.
            + [b"ERR identify-throttled too many wrong passwords; try again in 53 s"],
        )

    def test_wrong_passwords_are_logged_with_who_tried(self) -> None:
        """A failed or refused /identify names the nickname that tried, or says it had none yet, beside the address."""
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        self.leave(self.alice)
        bob, _ = self.connect(b"bob", host="10.0.0.2")
        unnamed, _ = self.connect(None, host="10.0.0.2")
        for failure in range(FAILURES_PER_CONNECTION + 1):
            bob.dataReceived(b"/identify alice wrongpass\n")
            unnamed.dataReceived(b"/identify alice wrongpass\n")
            self.clock.advance(PAUSE_SECONDS * 2**failure)
        bob_failed = "bob from 10.0.0.2 failed /identify as 'alice'"
        unnamed_failed = "A connection from 10.0.0.2 with no nickname yet failed /identify as 'alice'"
        self.assertEqual(
            [formatEvent(event) for event in logged if event["log_namespace"] == AccountLogin.log.namespace],
            [bob_failed, unnamed_failed] * FAILURES_PER_CONNECTION
            + [
                "Refused /identify as 'alice' to bob from 10.0.0.2: too many failures",
                "Refused /identify as 'alice' to a connection from 10.0.0.2 with no nickname yet: too many failures",
            ],
        )

    def test_identify_as_a_guest_takes_the_accounts_nickname(self) -> None:
        """Alice gone, someone named bob identifies to alice and becomes alice; their rooms see the change."""
        self.leave(self.alice)
        _, carol_wire = self.connect(b"carol", host="10.0.0.3")
        bob, wire = self.connect(b"bob", host="10.0.0.2")
        bob.dataReceived(b"/identify alice " + PASSWORD + b"\n")
        self.assertEqual(self.lines(wire), [b"[00:00] -- bob is now known as alice", IDENTIFIED])
        self.assertEqual(self.lines(carol_wire), [b"[00:00] -- bob is now known as alice"])

    def test_identify_to_the_current_nickname(self) -> None:
        """/identify PASSWORD alone proves the nickname held, if it is registered; twice is refused."""
        self.alice.dataReceived(b"/identify " + PASSWORD + b"\n")
        self.assertEqual(
            self.lines(self.alice_wire), [b"ERR already-identified you are identified as alice already"]
        )

    def test_a_banned_address_is_closed_after_the_right_password(self) -> None:
        """The account's password does not get past an address ban: told why, and closed."""
        self.leave(self.alice)
        boss, _ = self.operator(b"boss", host="10.0.0.5")
        boss.dataReceived(b"/ban 10.0.0.2\n")
        other, wire = self.connect(None, host="10.0.0.2")
        other.dataReceived(b"alice " + PASSWORD + b"\n")
        self.assertEqual(self.lines(wire), [b"ERR banned your address is banned from this server"])
        self.assertTrue(other.closing)

    def test_identify_needs_a_nickname_before_one_is_chosen(self) -> None:
        """/identify PASSWORD alone before a nickname says how it is used."""
        other, wire = self.connect(None, host="10.0.0.2")
        other.dataReceived(b"/identify " + PASSWORD + b"\n")
        self.assertEqual(self.lines(wire), [b"ERR usage usage: /identify NICK PASSWORD"])


class SessionsTests(AccountTestCase):
    """One account, several connections: each sees what the account sees, and what one sends the others see as their own."""

    def setUp(self) -> None:
        super().setUp()
        self.bob, self.bob_wire = self.connect(b"bob", host="10.0.0.9")
        self.bob.dataReceived(b"/join #dev\n")
        self.second, self.second_wire = self.connect(None, host="10.0.0.2")
        self.second.dataReceived(b"alice " + PASSWORD + b"\n")

    def test_a_second_connection_joins_the_user_and_is_shown_their_rooms(self) -> None:
        """It is told who it is and the rooms the user is in, as on joining; nobody sees anyone arrive."""
        self.assertEqual(
            self.lines(self.second_wire),
            [
                IDENTIFIED,
                b"*** You are alice.",
                b"*** You are in #lobby with your other connections.",
                b"*** In #lobby (2): alice bob",
                b"*** You are in #dev with your other connections.",
                b"*** In #dev (2): @alice bob",
                b"*** Now talking in #dev.",
            ],
        )
        self.assertEqual(self.lines(self.bob_wire), [])
        self.assertIs(self.second.user, self.alice.user)

    def test_a_connection_coming_back_talks_where_it_did_and_joins_the_rooms_it_noted(self) -> None:
        """A third connection comes back naming #ops, which the account is not in, and #lobby, where it talked last:
        it is shown the account's rooms, joins #ops, and talks in #lobby, not in #dev, the account's last room."""
        third, wire = self.connect(None, host="10.0.0.3")
        third.dataReceived(b"/resume #ops\n/resume #lobby\nalice " + PASSWORD + b"\n")
        lines = self.lines(wire)
        self.assertIn(b"[00:00] #ops -- alice joined", lines)
        self.assertEqual(lines[-1], b"*** Now talking in #lobby.")
        self.assertEqual(sorted(third.me().rooms), ["#dev", "#lobby", "#ops"])
        third.dataReceived(b"here again\n")
        self.assertEqual(self.lines(wire), [b"[00:00] #lobby <alice> here again"])

    def test_a_second_connection_in_json_is_told_each_room_it_is_in(self) -> None:
        """No join of its own comes, so each room is named in a notice of its own a program can follow."""
        third, wire = self.connect(None, host="10.0.0.3")
        third.dataReceived(b"/format json\nalice " + PASSWORD + b"\n")
        rooms = [line["room"] for line in map(json.loads, self.lines(wire)) if line.get("kind") == "in_room"]
        self.assertEqual(rooms, ["#lobby", "#dev"])

    def test_a_later_connection_is_shown_each_rooms_lines_up_to_the_last_said(self) -> None:
        """The room's latest event is a line said before this connection came, not its join: it is shown too."""
        self.alice.dataReceived(b"one\ntwo\n")
        self.bob.dataReceived(b"three\n")
        third, wire = self.connect(None, host="10.0.0.3")
        third.dataReceived(b"alice " + PASSWORD + b"\n")
        shown = self.lines(wire)
        start = shown.index(b"*** In #dev (2): @alice bob") + 1
        self.assertEqual(
            shown[start:],
            [
                b"[1970-01-01 00:00] #dev <alice> one",
                b"[1970-01-01 00:00] #dev <alice> two",
                b"[1970-01-01 00:00] #dev <bob> three",
                b"*** End of history of #dev: nothing earlier is kept.",
                b"*** Now talking in #dev.",
            ],
        )

    def test_a_later_connection_resuming_is_shown_everything_it_missed(self) -> None:
        """/resume before identifying: what was said after the line named, the last line included, and its count."""
        self.alice.dataReceived(b"one\n")
        assert isinstance(self.history, MemoryHistory)
        seen = self.successResultOf(self.history.recent("#dev", None, 1))[0].id
        self.alice.dataReceived(b"two\n")
        self.bob.dataReceived(b"three\n")
        third, wire = self.connect(None, host="10.0.0.3")
        third.dataReceived(b"/resume #dev " + seen.encode() + b"\nalice " + PASSWORD + b"\n")
        shown = self.lines(wire)
        start = shown.index(b"*** In #dev (2): @alice bob") + 1
        self.assertEqual(
            shown[start:],
            [
                b"[1970-01-01 00:00] #dev <alice> two",
                b"[1970-01-01 00:00] #dev <bob> three",
                b"*** End of what you missed in #dev: 2 messages.",
                b"*** Now talking in #dev.",
            ],
        )

    def test_a_second_connection_has_no_deadline_for_a_nickname(self) -> None:
        """Named by the account it joined, it may stay quiet as long as any named connection."""
        self.clock.advance(self.limits.register_timeout + 1)
        self.assertFalse(self.second.closing)

    def test_what_one_session_says_every_session_sees(self) -> None:
        """A line from either session reaches both, as their own, and the room."""
        self.lines(self.second_wire)
        self.second.dataReceived(b"from the second\n")
        self.alice.dataReceived(b"from the first\n")
        both = [b"[00:00] #dev <alice> from the second", b"[00:00] #dev <alice> from the first"]
        for wire in (self.alice_wire, self.second_wire, self.bob_wire):
            self.assertEqual(self.lines(wire), both)

    def test_a_part_moves_every_session_talking_in_the_room_to_the_last_joined_room(self) -> None:
        """The first session leaves #dev, where the second talks: the second is told, and now talks in #lobby."""
        self.lines(self.second_wire)
        self.alice.dataReceived(b"/part #dev\n")
        moved = [b"[00:00] #dev -- alice left", b"*** Now talking in #lobby."]
        self.assertEqual(self.lines(self.alice_wire), moved)
        self.assertEqual(self.lines(self.second_wire), moved)
        self.second.dataReceived(b"from the second\n")
        self.assertEqual(self.lines(self.second_wire), [b"[00:00] #lobby <alice> from the second"])

    def test_a_part_leaves_a_session_talking_in_another_room_where_it_was(self) -> None:
        """The second session talks in #lobby: the first leaving #dev is all it is told."""
        self.second.dataReceived(b"/join #lobby\n")
        self.lines(self.second_wire)
        self.alice.dataReceived(b"/part #dev\n")
        self.assertEqual(self.lines(self.second_wire), [b"[00:00] #dev -- alice left"])
        self.assertEqual(self.second.current, "#lobby")

    def test_a_join_shows_the_other_sessions_the_room_and_leaves_them_talking_where_they_were(self) -> None:
        """The first session joins bob's #tr: the second is shown it as on joining, members, topic and last lines,
        and its plain lines still go to #dev."""
        self.bob.dataReceived(b"/join #tr\n/topic #tr plans\nbob was here\n")
        self.lines(self.second_wire)
        self.alice.dataReceived(b"/join #tr\n")
        shown = [
            b"*** In #tr (2): @bob alice",
            b"*** Topic of #tr (set by bob, 1970-01-01 00:00 UTC): plans",
            b"[1970-01-01 00:00] #tr <bob> bob was here",
            b"*** End of history of #tr: nothing earlier is kept.",
        ]
        self.assertEqual(self.lines(self.alice_wire), [b"[00:00] #tr -- alice joined", *shown])
        # Not the join, which would read as its own: a client follows its joins to know where its lines go.
        self.assertEqual(
            self.lines(self.second_wire), [b"*** You are in #tr with your other connections.", *shown]
        )
        self.second.dataReceived(b"from the second\n")
        self.assertEqual(self.lines(self.second_wire), [b"[00:00] #dev <alice> from the second"])

    def test_a_join_gives_a_session_in_no_room_the_room_to_talk_in(self) -> None:
        """Out of every room, the second session is shown the room the first joins, and talks there."""
        self.alice.dataReceived(b"/part #lobby\n/part #dev\n")
        self.lines(self.second_wire)
        self.alice.dataReceived(b"/join #new\n")
        self.assertEqual(
            self.lines(self.second_wire),
            [
                b"*** You are in #new with your other connections.",
                b"*** In #new (1): @alice",
                b"*** Now talking in #new.",
            ],
        )
        self.second.dataReceived(b"hello\n")
        self.assertEqual(self.lines(self.second_wire), [b"[00:00] #new <alice> hello"])

    def test_a_session_in_json_is_shown_the_room_another_joined(self) -> None:
        """A program is sent the members and the marker of the replay after the join, as on joining."""
        third, wire = self.connect(None, host="10.0.0.3")
        third.dataReceived(b"/format json\nalice " + PASSWORD + b"\n")
        self.bob.dataReceived(b"/join #tr\nbob was here\n")
        self.lines(wire)
        self.alice.dataReceived(b"/join #tr\n")
        shown = [json.loads(line) for line in self.lines(wire)]
        self.assertEqual(
            [(line["type"], line.get("kind"), line.get("text")) for line in shown],
            [
                ("notice", "in_room", "You are in #tr with your other connections."),
                ("members", None, None),
                ("said", None, "bob was here"),
                ("notice", "history_end", "End of history of #tr: nothing earlier is kept."),
            ],
        )
        self.assertEqual((shown[1]["room"], shown[1]["nicks"]), ("#tr", ["bob", "alice"]))

    def test_away_from_one_session_is_told_to_every_session(self) -> None:
        """Each of the user's sessions is told it is away, and back, whichever session said so; bob, nothing."""
        self.lines(self.second_wire)
        self.alice.dataReceived(b"/away lunch\n")
        for wire in (self.alice_wire, self.second_wire):
            self.assertEqual(self.lines(wire), [b"*** You are marked as away."])
        self.second.dataReceived(b"/away\n")
        for wire in (self.alice_wire, self.second_wire):
            self.assertEqual(self.lines(wire), [b"*** You are back."])
        self.alice.dataReceived(b"/away\n")
        self.assertEqual(self.lines(self.alice_wire), [b"*** You were not marked as away."])
        self.assertEqual(self.lines(self.second_wire), [])
        self.assertEqual(self.lines(self.bob_wire), [])

    def test_unregistering_and_registering_again_is_told_to_every_session(self) -> None:
        """A program on another session of the user learns the account is gone (``account`` null), and back."""
        third, wire = self.connect(None, host="10.0.0.3")
        third.dataReceived(b"/format json\nalice " + PASSWORD + b"\n")
        self.lines(wire)
        self.lines(self.second_wire)
        self.alice.dataReceived(b"/unregister " + PASSWORD + b"\n")
        dropped = b"*** The nickname alice is no longer registered; anyone may take it once you leave it."
        self.assertEqual(self.lines(self.alice_wire), [dropped])
        self.assertEqual(self.lines(self.second_wire), [dropped])
        self.assertEqual(
            [json.loads(line) for line in self.lines(wire)],
            [
                {
                    "type": "notice",
                    "kind": "account",
                    "account": None,
                    "nick": "alice",
                    "change": "unregistered",
                    "text": dropped[4:].decode(),
                }
            ],
        )
        third.dataReceived(b"/register " + PASSWORD + b"\n")
        self.assertEqual([json.loads(line)["account"] for line in self.lines(wire)], ["alice"])
        for each in (self.alice_wire, self.second_wire):
            self.assertEqual(self.lines(each), [REGISTERED])
        self.assertEqual(self.lines(self.bob_wire), [])

    def test_private_messages_reach_every_session(self) -> None:
        """A private message to the account goes to each of its connections."""
        self.lines(self.second_wire)
        self.bob.dataReceived(b"/msg alice psst\n")
        for wire in (self.alice_wire, self.second_wire):
            self.assertEqual(self.lines(wire), [b"[00:00] <bob -> alice> psst"])

    def test_one_session_leaving_leaves_the_user_online(self) -> None:
        """/quit on one ends that connection only; the last one to go takes the user offline."""
        self.leave(self.second)
        self.assertEqual(self.lines(self.bob_wire), [])
        assert self.alice.user is not None
        self.assertTrue(self.alice.user.online)
        self.alice.dataReceived(b"still here\n")
        self.assertEqual(self.lines(self.bob_wire), [b"[00:00] #dev <alice> still here"])
        self.leave(self.alice)
        self.bob.dataReceived(b"/whois alice\n")
        self.assertEqual(self.lines(self.bob_wire), [b"ERR no-such-nick nobody called alice is online"])

    def test_the_first_session_leaving_leaves_the_later_one_everything(self) -> None:
        """The connection that came first going, the later one still gets the account's lines and messages."""
        self.lines(self.second_wire)
        self.alice.connectionLost(Failure(Exception("reset")))
        self.bob.dataReceived(b"hello\n/msg alice psst\n")
        self.assertEqual(
            self.lines(self.second_wire),
            [b"[00:00] #dev <bob> hello", b"[00:00] <bob -> alice> psst"],
        )
        self.assertEqual(self.lines(self.bob_wire)[0], b"[00:00] #dev <bob> hello")

    def test_a_named_user_identifying_leaves_for_the_accounts_user(self) -> None:
        """Someone named carol who identifies to alice, online elsewhere, quits as carol and joins alice."""
        carol, wire = self.connect(b"carol", host="10.0.0.3")
        carol.dataReceived(b"/identify alice " + PASSWORD + b"\n")
        self.assertEqual(self.lines(wire)[:2], [IDENTIFIED, b"*** You are alice."])
        self.assertEqual(self.lines(self.bob_wire), [b"[00:00] -- carol quit"])
        self.assertIs(carol.user, self.alice.user)


class TakeoverTests(LineTestCase):
    """Someone who holds a nickname when its account's owner identifies is renamed to a guest's nickname."""

    def test_the_holder_is_renamed_and_the_owner_takes_the_nickname(self) -> None:
        """alice is held by someone not identified to it (the account made by another daemon sharing the
        file, or a tool): the owner identifying renames the holder Guest1, and takes alice."""
        holder, holder_wire = self.connect(b"alice", host="10.0.0.2")
        self.accounts.create("alice", _hash(PASSWORD), 0.0)
        owner, wire = self.connect(None, host="10.0.0.1")
        owner.dataReceived(b"alice " + PASSWORD + b"\n")
        self.assertEqual(
            self.lines(holder_wire),
            [b"[00:00] -- alice is now known as Guest1", b"[00:00] #lobby -- alice joined"],
        )
        self.assertEqual(self.lines(wire)[:2], [IDENTIFIED, b"*** You are alice."])
        assert holder.user is not None and owner.user is not None
        self.assertEqual((holder.user.nick, owner.user.nick), ("Guest1", "alice"))


class PasswordTests(AccountTestCase):
    """/password changes the password, given the old one; /unregister gives the nickname up."""

    def setUp(self) -> None:
        super().setUp()
        # alice's flood budget whole again after registering: a /password costs a burst of it.
        self.clock.advance(60)

    def test_password_changes_the_password(self) -> None:
        """After /password OLD NEW, the new one identifies and the old one does not."""
        self.alice.dataReceived(b"/password " + PASSWORD + b" correct horse\n")
        self.assertEqual(self.lines(self.alice_wire), [b"*** Your password is changed."])
        self.leave(self.alice)
        other, wire = self.connect(None, host="10.0.0.2")
        other.dataReceived(b"alice " + PASSWORD + b"\n")
        self.clock.advance(PAUSE_SECONDS)
        other.dataReceived(b"/identify alice correct horse\n")
        self.assertEqual(self.lines(wire)[:2], [WRONG, IDENTIFIED])

    def test_a_password_change_costs_a_burst_of_flood_budget(self) -> None:
        """/password on a full budget is answered at once; a second right after is told it floods, and the line
        after it is read only once the budget has refilled by a burst (10 lines at 2 a second)."""
        self.clock.advance(60)
        self.alice.dataReceived(b"/password " + PASSWORD + b" correct horse\n")
        self.assertEqual(self.lines(self.alice_wire), [CHANGED])
        self.alice.dataReceived(
            b'/password "correct horse" ' + PASSWORD + b"\n/password " + PASSWORD + b" x12345678\n"
        )
        self.assertEqual(self.lines(self.alice_wire), [SLOWED, CHANGED])
        self.clock.advance(4.5)
        self.assertEqual(self.lines(self.alice_wire), [])
        self.clock.advance(0.5)
        self.assertEqual(self.lines(self.alice_wire), [CHANGED])

    def test_password_needs_the_old_one(self) -> None:
        """A wrong old password changes nothing, and is called what it is: the account is alice's, so not "or alice
        is not registered"; /unregister likewise."""
        self.alice.dataReceived(b"/password wrongpass correct horse\n")
        self.clock.advance(PAUSE_SECONDS)
        self.assertEqual(
            self.lines(self.alice_wire), [b"ERR wrong-password that is not your account's password"]
        )

    def test_an_old_password_with_spaces_is_given_in_quotes(self) -> None:
        """A password with spaces, as /register's example has it, is changed with OLD in double quotes."""
        self.alice.dataReceived(b"/password " + PASSWORD + b" correct horse battery\n")
        self.lines(self.alice_wire)
        self.clock.advance(60)  # a burst of flood budget back
        self.alice.dataReceived(b'/password "correct horse battery" staple fast\n')
        self.assertEqual(self.lines(self.alice_wire), [b"*** Your password is changed."])
        self.clock.advance(60)
        self.alice.dataReceived(b'/password "staple fast\n')  # no closing quote: OLD is '"staple'
        self.clock.advance(PAUSE_SECONDS)
        self.assertEqual(
            self.lines(self.alice_wire),
            [b"ERR wrong-password that is not your account's password"],
        )

    def test_password_and_unregister_need_an_account(self) -> None:
        """Someone not identified is told so."""
        bob, wire = self.connect(b"bob", host="10.0.0.2")
        bob.dataReceived(b"/password a bbbbbbbb\n/unregister aaaaaaaa\n")
        self.assertEqual(
            self.lines(wire),
            [b"ERR not-identified you are not identified; /register PASSWORD or /identify PASSWORD first"]
            * 2,
        )

    def test_unregister_frees_the_nickname_once_left(self) -> None:
        """Unregistered, alice keeps her nickname; once she leaves, anyone may take it."""
        self.alice.dataReceived(b"/unregister " + PASSWORD + b"\n")
        self.assertEqual(
            self.lines(self.alice_wire),
            [b"*** The nickname alice is no longer registered; anyone may take it once you leave it."],
        )
        assert self.alice.user is not None
        self.assertIsNone(self.alice.user.account)
        self.leave(self.alice)
        other, _ = self.connect(b"alice", host="10.0.0.2")
        assert other.user is not None
        self.assertEqual(other.user.nick, "alice")


def _hash(password: bytes) -> str:
    return quick_hash(password.decode())


class QuotedPasswordTests(AccountTestCase):
    """A password wrapped in double quotes is the words inside, in every command that takes one; an account whose
    hash kept the quotes (registered before they were read) still takes the password as its owner typed it."""

    def setUp(self) -> None:
        super().setUp()
        self.clock.advance(60)  # a burst of flood budget back for /password

    def test_a_password_registered_in_quotes_is_changed_with_it_in_quotes(self) -> None:
        """/register "my pass word", then /password "my pass word" NEW, changes it: the two read it alike."""
        bob, wire = self.connect(b"bob", host="10.0.0.2")
        bob.dataReceived(b'/register "my pass word"\n')
        self.lines(wire)
        self.clock.advance(60)
        bob.dataReceived(b'/password "my pass word" "new pass word"\n')
        self.assertEqual(self.lines(wire), [CHANGED])
        self.leave(bob)
        other, wire = self.connect(None, host="10.0.0.3")
        other.dataReceived(b"bob new pass word\n")
        self.assertIn(b"*** You are identified as bob.", self.lines(wire))

    def test_identify_unregister_and_oper_read_quotes_alike(self) -> None:
        """/identify, NICK PASSWORD, /unregister and /oper take a quoted password as the words inside."""
        self.alice.dataReceived(b"/password " + PASSWORD + b" correct horse\n")
        self.lines(self.alice_wire)
        for first in (b'alice "correct horse"\n', b'/identify alice "correct horse"\n'):
            other, wire = self.connect(None, host="10.0.0.2")
            other.dataReceived(first)
            self.assertIn(IDENTIFIED, self.lines(wire))
            self.leave(other)
        self.clock.advance(60)
        self.alice.dataReceived(b'/identify "correct horse"\n/oper boss "correct horse"\n')
        self.assertEqual(
            self.lines(self.alice_wire),
            [b"ERR already-identified you are identified as alice already", b"*** You are now an operator."],
        )
        self.alice.dataReceived(b'/unregister "correct horse"\n')
        self.assertEqual(
            self.lines(self.alice_wire),
            [b"*** The nickname alice is no longer registered; anyone may take it once you leave it."],
        )

    def test_an_account_whose_hash_kept_the_quotes_takes_them_still(self) -> None:
        """An account registered when /register kept the quotes identifies, and changes its password, as typed."""
        assert self.alice.user is not None
        awaited(self.chat.change_password(self.alice.user, quick_hash('"old pass"')))
        self.alice.dataReceived(b'/password "old pass" newpass12\n')
        self.assertEqual(self.lines(self.alice_wire), [CHANGED])
        self.clock.advance(60)
        awaited(self.chat.change_password(self.alice.user, quick_hash('"old pass"')))
        other, wire = self.connect(None, host="10.0.0.2")
        other.dataReceived(b'alice "old pass"\n')
        self.assertIn(IDENTIFIED, self.lines(wire))
