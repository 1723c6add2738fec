"""Big rooms (issue 18): comings and goings tallied once a minute, told one by one in small rooms."""

import json

from chatd.domain.events import CHAT, CrowdTallied, Joined, Kicked, NickChanged, Parted, Quit, Said
from chatd.domain.limits import Limits
from tests.helpers import ChatTestCase, LineTestCase, RecordingSession
from tests.irc import IRCTestCase

TALLY = Limits().tally_seconds
"""Seconds between tallies by default: a minute."""


def kinds(session: RecordingSession) -> list[str]:
    return [type(event).__name__ for event in session.received]


class BigRoomTests(ChatTestCase):
    """Rooms of three or more members are big here."""

    limits = Limits(big_room=3)

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_s = self.online("alice", "#big")
        self.bob, self.bob_s = self.online("bob", "#big")
        self.carol, self.carol_s = self.online("carol", "#big")
        self.audience.deliveries.clear()

    def test_small_rooms_are_told_every_join_as_before(self) -> None:
        """Below the threshold each arrival reaches every member, and no tally waits on the clock."""
        self.audience.deliveries.clear()
        _dave, dave_s = self.online("dave", "#small")
        self.chat.join(self.alice, "#small")
        self.assertEqual(
            [(type(e), e.actor.nick) for e in dave_s.received], [(Joined, "dave"), (Joined, "alice")]
        )
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_a_join_to_a_big_room_is_told_to_the_joiner_alone(self) -> None:
        """The fourth arrival in a room of three reaches nobody but the joiner."""
        _dave, dave_s = self.online("dave", "#big")
        self.assertEqual(kinds(dave_s), ["Joined"])
        for session in (self.alice_s, self.bob_s, self.carol_s):
            self.assertEqual(session.received, [])

    def test_part_quit_and_new_nickname_in_a_big_room_are_told_to_nobody_else(self) -> None:
        """The one leaving sees its own part; a quit and a rename reach nobody through the big room."""
        dave, dave_s = self.online("dave", "#big")
        self.chat.rename(dave, "dan")
        self.chat.part(dave, "#big")
        self.chat.join(dave, "#big")
        self.chat.quit(dave)
        self.assertEqual(kinds(dave_s), ["Joined", "NickChanged", "Parted", "Joined"])
        for session in (self.alice_s, self.bob_s, self.carol_s):
            self.assertEqual(session.received, [])

    def test_a_small_room_shared_still_tells_its_members(self) -> None:
        """bob shares #small with dave: he sees dave's new nickname and quit, through #small."""
        dave, _dave_s = self.online("dave", "#big", "#small")
        self.chat.join(self.bob, "#small")
        self.audience.deliveries.clear()
        self.chat.rename(dave, "dan")
        self.chat.quit(dave)
        self.assertEqual([type(e) for e in self.bob_s.received], [NickChanged, Quit])
        self.assertEqual(self.alice_s.received, [])

    def test_every_minute_members_get_one_tally_of_who_came_went_and_was_renamed(self) -> None:
        """Two joined, one left, one renamed: a minute later each member gets one ``CrowdTallied``."""
        dave, _ = self.online("dave", "#big")
        erin, _ = self.online("erin", "#big")
        self.chat.rename(erin, "eve")
        self.chat.part(dave, "#big")
        self.clock.advance(TALLY - 1)
        self.assertEqual(self.alice_s.received, [])
        self.clock.advance(1)
        [tally] = self.alice_s.received
        assert isinstance(tally, CrowdTallied)
        self.assertEqual(
            (tally.actor, tally.room, tally.joined, tally.left, tally.renamed, tally.members),
            (CHAT, "#big", 2, 1, 1, 4),
        )
        self.assertEqual(self.bob_s.received, [tally])
        self.assertNotIn(tally, self.successResultOf(self.history.recent("#big", None, 100)))

    def test_a_quiet_minute_sends_nothing_and_holds_no_timer(self) -> None:
        """No tally without a change, and no timer left waiting on the clock once told."""
        self.online("dave", "#big")
        self.clock.advance(TALLY)
        self.assertEqual(kinds(self.alice_s), ["CrowdTallied"])
        self.assertEqual(self.clock.getDelayedCalls(), [])
        self.clock.advance(10 * TALLY)
        self.assertEqual(kinds(self.alice_s), ["CrowdTallied"])

    def test_a_quit_counts_as_leaving_each_big_room(self) -> None:
        """dave in two big rooms quits: each tally counts one left."""
        for nick in ("alice", "bob", "carol"):
            self.chat.join(getattr(self, nick), "#other")
        dave, _ = self.online("dave", "#big", "#other")
        self.chat.quit(dave)
        self.clock.advance(TALLY)
        tallies = {e.room: (e.joined, e.left) for e in self.alice_s.received if isinstance(e, CrowdTallied)}
        self.assertEqual(tallies, {"#big": (1, 1), "#other": (1, 1)})

    def test_a_room_emptied_before_its_tally_gets_none(self) -> None:
        """Nobody is left to tell: nothing is sent, and nothing fails."""
        dave, _ = self.online("dave", "#big")
        for user in (self.alice, self.bob, self.carol, dave):
            self.chat.part(user, "#big")
        self.audience.deliveries.clear()
        self.clock.advance(TALLY)
        self.assertEqual(self.audience.deliveries, [])

    def test_a_kick_stays_told_to_everyone(self) -> None:
        """Moderation is seen: every member of the big room sees the kick."""
        self.online("dave", "#big")
        self.chat.grant_operator(self.alice)
        self.chat.kick(self.alice, "dave", "#big", "spam")
        self.assertEqual([type(e) for e in self.bob_s.received], [Kicked])

    def test_a_kick_a_kill_and_a_ban_count_as_leaving(self) -> None:
        """Three joined; one was kicked, one killed, one banned: the tally says three left, as the members say."""
        self.chat.grant_operator(self.alice)
        for nick in ("dave", "erin", "frank"):
            self.online(nick, "#big")
        self.chat.kick(self.alice, "dave", "#big")
        self.chat.kill(self.alice, "erin")
        self.chat.ban(self.alice, "frank", None)
        self.clock.advance(TALLY)
        [tally] = [e for e in self.bob_s.received if isinstance(e, CrowdTallied)]
        self.assertEqual((tally.joined, tally.left, tally.members), (3, 3, 3))

    def test_messages_still_reach_every_member(self) -> None:
        """Only comings and goings are tallied: a line said reaches all."""
        self.chat.say(self.bob, "#big", "hello")
        self.assertEqual([type(e) for e in self.carol_s.received], [Said])

    def test_crowded_says_which_rooms_are_big(self) -> None:
        """A room of three is big here, one of one is not."""
        self.online("dave", "#small")
        self.assertEqual((self.chat.crowded("#big"), self.chat.crowded("#small")), (True, False))

    def test_stop_cancels_the_pending_tally(self) -> None:
        """A join to a big room sets the tally's timer; stopping the chat cancels it."""
        self.online("dave", "#big")
        self.assertEqual(len(self.clock.getDelayedCalls()), 1)
        self.chat.stop()
        self.assertEqual(self.clock.getDelayedCalls(), [])


class NeverBigTests(ChatTestCase):
    """``big_room`` 0: every room is told every join, however big."""

    limits = Limits(big_room=0)

    def test_no_room_is_ever_big(self) -> None:
        """Thirty in one room: the first sees every join, and no tally is ever due."""
        _first, first_s = self.online("u0", "#room")
        for number in range(1, 30):
            self.online(f"u{number}", "#room")
        self.assertEqual(kinds(first_s), ["Joined"] * 30)
        self.assertFalse(self.chat.crowded("#room"))
        self.assertEqual(self.clock.getDelayedCalls(), [])


class DefaultThresholdTests(ChatTestCase):
    """The default threshold is 200: a room of a few is small."""

    def test_default_rooms_are_small(self) -> None:
        alice, alice_s = self.online("alice", "#r")
        _bob, bob_s = self.online("bob", "#r")
        self.chat.part(alice, "#r")
        self.assertEqual([type(e) for e in alice_s.received], [Joined, Joined, Parted])
        self.assertEqual([type(e) for e in bob_s.received], [Joined, Parted])


class LineBigRoomTests(LineTestCase):
    """The line protocol in a lobby that is big from three members."""

    chat_limits = Limits(big_room=3)

    def test_a_joiner_is_told_the_room_is_big_before_its_first_names_and_others_see_nothing(self) -> None:
        """The fourth in #lobby reads why only a page of names is shown; the others read nothing of it."""
        _alice, alice_wire = self.connect(b"alice")
        self.connect(b"bob")
        self.connect(b"carol")
        dave, dave_wire = self.connect()
        dave.dataReceived(b"dave\n")
        self.end_pass()
        shown = self.lines(dave_wire)
        notice = (
            b"*** #lobby is a big room (4 here): who comes and goes is summed up once a minute, "
            b"not told one by one; /who #lobby PAGE lists everyone."
        )
        self.assertIn(notice, shown)
        self.assertEqual(shown[shown.index(notice) + 1], b"*** In #lobby (4): alice bob carol dave")
        self.assertEqual(self.lines(alice_wire), [])

    def test_the_tally_reaches_every_member_as_a_line_and_as_json(self) -> None:
        """A minute on, text clients read the counts as a line of the room, JSON ones as ``crowd_tallied``."""
        _alice, alice_wire = self.connect(b"alice")
        bot, bot_wire = self.connect(b"bot")
        bot.dataReceived(b"/format json\n")
        self.connect(b"carol")
        dave, _ = self.connect(b"dave")
        dave.dataReceived(b"/nick dan\n/quit\n")
        self.end_pass()
        self.clock.advance(TALLY)
        self.assertEqual(
            self.lines(alice_wire), [b"[00:01] #lobby -- 1 joined, 1 left, 1 changed nickname; 3 here now"]
        )
        [line] = self.lines(bot_wire)[-1:]
        self.assertEqual(
            json.loads(line) | {"id": ""},
            {
                "type": "crowd_tallied",
                "id": "",
                "at": 60.0,
                "room": "#lobby",
                "joined": 1,
                "left": 1,
                "renamed": 1,
                "members": 3,
            },
        )


class IRCBigRoomTests(IRCTestCase):
    """IRC in a room that is big from three members: NAMES on join is the first page, the tally a NOTICE."""

    chat_limits = Limits(big_room=3)

    def setUp(self) -> None:
        super().setUp()
        # 60 line users in #lobby: more than a page of names (50).
        for number in range(60):
            self.connect(f"user{number:02}".encode(), host=f"10.0.0.{number + 1}")

    def test_join_shows_the_first_page_of_names_and_a_notice_then_names_lists_everyone(self) -> None:
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #lobby")
        lines = self.lines(wire)
        self.assertEqual(lines[0], b":alice!alice@chatd JOIN #lobby")
        names = b" ".join(line.split(b" :", 1)[1] for line in lines if b" 353 " in line).split()
        self.assertEqual(names, [f"user{number:02}".encode() for number in range(50)])
        self.assertIn(b":testhost 366 alice #lobby :End of /NAMES list", lines)
        self.assertEqual(
            lines[-1],
            b":testhost NOTICE #lobby :#lobby is a big room (61 here): NAMES on joining lists the first 50, "
            b"and who comes and goes is summed up once a minute, not told one by one; NAMES lists everyone.",
        )
        self.send(alice, "NAMES #lobby")
        asked = b" ".join(line.split(b" :", 1)[1] for line in self.lines(wire) if b" 353 " in line).split()
        self.assertEqual(len(asked), 61)

    def test_who_of_a_big_room_gives_its_first_page_as_names_on_join_does(self) -> None:
        """A client's WHO on joining (irssi's channel sync) gets 50 lines, not one per member."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #lobby")
        self.lines(wire)
        self.send(alice, "WHO #lobby")
        lines = self.lines(wire)
        self.assertEqual(len([line for line in lines if b" 352 " in line]), 50)
        self.assertEqual(lines[-1], b":testhost 315 alice #lobby :End of WHO list")

    def test_others_joins_are_not_told_and_the_tally_is_a_notice_to_the_channel(self) -> None:
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #lobby")
        self.lines(wire)
        self.connect(b"late", host="10.0.1.1")
        self.assertEqual(self.lines(wire), [])
        self.clock.advance(TALLY)
        self.assertEqual(
            self.lines(wire),
            [
                # The first three came while the room was small: 57 more, alice and late are counted.
                b":testhost NOTICE #lobby :Since the last count: 59 joined; 62 here now "
                b"(a big room: NAMES lists everyone)"
            ],
        )
