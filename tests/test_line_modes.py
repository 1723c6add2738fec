"""/mode, /invite and /join with a key through the line protocol, on a fake clock (issue 15)."""

import json

from twisted.internet.error import ConnectionDone
from twisted.python.failure import Failure

from chatd.line.limits import LineLimits
from tests.helpers import LineTestCase


class ModesTestCase(LineTestCase):
    """alice made #dev and is its operator; bob is in it too; carol is in #lobby only."""

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.connect(b"alice")
        self.bob, self.bob_wire = self.connect(b"bob", host="10.0.0.2")
        self.carol, self.carol_wire = self.connect(b"carol", host="10.0.0.3")
        self.alice.dataReceived(b"/join #dev\n")
        self.bob.dataReceived(b"/join #dev\n")
        for wire in (self.alice_wire, self.bob_wire, self.carol_wire):
            self.lines(wire)


class ModeTests(ModesTestCase):
    def test_changes_are_one_line_to_the_room(self) -> None:
        """IRC's letters, with their arguments in order, become one line in words that every member sees."""
        self.alice.dataReceived(b"/mode #dev +ik-m hunter2 +v bob\n")
        line = (
            b"[00:00] #dev -- alice made the room invite-only, set the room's key to hunter2, gave bob voice"
        )
        self.assertEqual(self.lines(self.alice_wire), [line])
        self.assertEqual(self.lines(self.bob_wire), [line])
        self.assertEqual(self.lines(self.carol_wire), [])

    def test_a_member_limit_of_one_reads_right(self) -> None:
        """+l 1 sets the room's member limit to 1: no "1 members"."""
        self.alice.dataReceived(b"/mode #dev +l 1\n")
        self.assertEqual(
            self.lines(self.bob_wire), [b"[00:00] #dev -- alice set the room's member limit to 1"]
        )

    def test_settings_are_shown_the_key_to_members_only(self) -> None:
        """/mode ROOM alone shows the settings; someone outside the room learns only that it takes a key."""
        self.alice.dataReceived(b"/mode dev\n/mode #dev +kl hunter2 10\n/lock\n")
        self.lines(self.alice_wire)
        self.bob.dataReceived(b"/mode #dev\n")
        self.carol.dataReceived(b"/mode #dev\n")
        self.assertEqual(
            self.lines(self.bob_wire)[-1], b"*** Settings of #dev: key hunter2, limit 10, topic locked"
        )
        self.assertEqual(self.lines(self.carol_wire), [b"*** Settings of #dev: key, limit 10, topic locked"])

    def test_who_marks_operators_and_voiced_members(self) -> None:
        """/who shows the room's operators after @ and its voiced members after +."""
        self.alice.dataReceived(b"/mode #dev +v bob\n")
        self.lines(self.alice_wire)
        self.alice.dataReceived(b"/who\n")
        self.assertEqual(self.lines(self.alice_wire), [b"*** In #dev (2): @alice +bob"])

    def test_ban_masks_are_listed_with_who_set_them(self) -> None:
        """/mode ROOM +b alone lists the masks, filled in as IRC fills them."""
        self.clock.advance(61)
        self.alice.dataReceived(b"/mode #dev +b mallory\n/mode #dev +b\n")
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b"[00:01] #dev -- alice banned mallory!*@*",
                b"*** Bans of #dev (1):",
                b"***   mallory!*@* set 1970-01-01 00:01 UTC (by alice)",
            ],
        )

    def test_a_ban_mask_keeps_out_a_look_alike_of_its_nickname(self) -> None:
        """After +b zed, zed with a Cyrillic e cannot join #dev; zee can."""
        self.alice.dataReceived(b"/mode #dev +b zed\n")
        twin, wire = self.connect("z\u0435d".encode())
        twin.dataReceived(b"/join #dev\n")
        self.assertEqual(self.lines(wire), [b"ERR banned-from-room you are banned from #dev"])
        other, other_wire = self.connect(b"zee")
        other.dataReceived(b"/join #dev\n")
        self.assertIn(b"*** In #dev (3): @alice bob zee", self.lines(other_wire))

    def test_a_mask_with_a_user_part_keeps_out_that_nickname_alone(self) -> None:
        """+b *!carol@* is carol, as IRC shows her (carol!carol@chatd): she cannot join #dev; dave can."""
        self.alice.dataReceived(b"/mode #dev +b *!carol@*\n")
        self.carol.dataReceived(b"/join #dev\n")
        self.assertEqual(self.lines(self.carol_wire), [b"ERR banned-from-room you are banned from #dev"])
        dave, dave_wire = self.connect(b"dave")
        dave.dataReceived(b"/join #dev\n")
        self.assertIn(b"*** In #dev (3): @alice bob dave", self.lines(dave_wire))

    def test_a_request_that_changes_nothing_says_so_to_the_asker_alone(self) -> None:
        """Asking for what holds already publishes nothing; the asker is told."""
        self.alice.dataReceived(b"/mode #DEV +o alice -i\n")
        self.assertEqual(self.lines(self.alice_wire), [b"*** Nothing to change in #dev."])
        self.assertEqual(self.lines(self.bob_wire), [])

    def test_t_is_the_topic_lock(self) -> None:
        """+t locks the topic as /lock does, after the other changes."""
        self.alice.dataReceived(b"/mode #dev +mt\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [b"[00:00] #dev -- alice made the room moderated", b"[00:00] #dev -- alice locked the topic"],
        )

    def test_refusals_are_one_line_each(self) -> None:
        """A member without standing, an unknown letter, a bad key, a missing argument: one ERR line each."""
        self.bob.dataReceived(b"/mode #dev +i\n/mode #dev +n\n/mode #dev +k\n")
        self.alice.dataReceived(b"/mode #dev +k a,b\n/mode #dev +o carol\n")
        self.carol.dataReceived(b"/mode #lobby +s\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [
                b"ERR not-owner only the owner of #dev and operators may do that",
                b"ERR bad-mode 'n' is no room setting; /mode takes +/- and i k l m s t o v b",
                b"ERR usage usage: /mode #room +k KEY; +k was given no key",
            ],
        )
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b"ERR bad-room-key 'a,b' cannot be a key: 1 to 23 characters, no spaces or commas",
                b"ERR user-not-in-room carol is not in #dev",
            ],
        )
        self.assertEqual(self.lines(self.carol_wire), [b"ERR not-operator only server operators may do that"])

    def test_a_moderated_room_refuses_lines_without_voice(self) -> None:
        """In a moderated room bob's line is refused until alice gives him voice."""
        self.alice.dataReceived(b"/mode #dev +m\n")
        self.lines(self.bob_wire)
        self.bob.dataReceived(b"hello\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [b"ERR moderated #dev is moderated: only its operators and voiced members speak"],
        )

    def test_registered_only_is_said_in_words_and_refuses_the_unidentified(self) -> None:
        """+RM reads as words to the room and in /mode; carol, identified to no account, is told how to join."""
        self.alice.dataReceived(b"/mode #dev +RM\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [b"[00:00] #dev -- alice let only registered users in, let only registered members speak"],
        )
        self.carol.dataReceived(b"/mode #dev\n/join #dev\n")
        self.assertEqual(
            self.lines(self.carol_wire),
            [
                b"*** Settings of #dev: registered only, registered speech",
                b"ERR registered-only #dev lets in only users identified to an account: /register or /identify first",
            ],
        )
        self.bob.dataReceived(b"hello\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [
                b"ERR registered-speech #dev lets only members identified to an account speak: /register or "
                b"/identify first"
            ],
        )

    def test_a_secret_room_is_left_out_of_rooms_for_others(self) -> None:
        """carol's /rooms lists only #lobby once #dev is secret; bob's lists both."""
        self.alice.dataReceived(b"/mode #dev +s\n")
        self.carol.dataReceived(b"/rooms\n")
        self.bob.dataReceived(b"/rooms\n")
        self.assertEqual(self.lines(self.carol_wire), [b"*** Rooms (1):", b"***   #lobby (3)"])
        self.assertEqual(
            self.lines(self.bob_wire)[-3:], [b"*** Rooms (2):", b"***   #dev (2)", b"***   #lobby (3)"]
        )

    def test_json_carries_each_change_as_an_object(self) -> None:
        """A program reads each change's setting, whether it is on, and its argument."""
        self.bob.dataReceived(b"/format json\n")
        self.lines(self.bob_wire)
        self.alice.dataReceived(b"/mode #dev +l 5 -k\n/mode #dev +k x\n/mode #dev -k\n")
        objects = [json.loads(line) for line in self.lines(self.bob_wire)]
        self.assertEqual(
            objects[0],
            {
                "type": "room_modes_changed",
                "id": objects[0]["id"],
                "at": 0.0,
                "room": "#dev",
                "seq": 3,
                "nick": "alice",
                "changes": [{"setting": "limit", "on": True, "argument": "5"}],
            },
        )
        self.assertEqual(objects[2]["changes"], [{"setting": "key", "on": False, "argument": ""}])


LONG_NUMBER = "9" * 5000
"""More digits than Python's int() reads (4300, sys.get_int_max_str_digits), which a long --max-line lets in."""


class LongNumberModeTests(ModesTestCase):
    """A host's --max-line of 20,000 bytes: a member limit may be thousands of digits long."""

    limits = LineLimits(max_line=20_000)

    def test_a_member_limit_of_5000_digits_is_refused_as_any_other(self) -> None:
        """+l with 5000 digits: the member limit refusal, not ERR internal, and nothing changes."""
        self.alice.dataReceived(f"/mode #dev +l {LONG_NUMBER}\n".encode())
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                f"ERR bad-room-limit '{LONG_NUMBER}' is not a member limit: write a whole number from 1 to "
                "100000".encode()
            ],
        )
        self.assertEqual(self.lines(self.bob_wire), [])

    def test_a_member_limit_behind_5000_zeros_is_its_number(self) -> None:
        """+l 0...05 sets a limit of 5, said as 5."""
        self.alice.dataReceived(f"/mode #dev +l {'0' * 5000}5\n".encode())
        self.assertEqual(
            self.lines(self.bob_wire), [b"[00:00] #dev -- alice set the room's member limit to 5"]
        )


class JoinAndInviteTests(ModesTestCase):
    def test_a_key_is_given_after_the_room(self) -> None:
        """/join #room KEY gets in; without it, one ERR line says how."""
        self.alice.dataReceived(b"/mode #dev +k hunter2\n")
        self.lines(self.alice_wire)
        self.carol.dataReceived(b"/join #dev\n/join #dev hunter2\n")
        lines = self.lines(self.carol_wire)
        self.assertEqual(
            lines[:2],
            [b"ERR room-key #dev takes a key to join; /join #dev KEY", b"[00:00] #dev -- carol joined"],
        )

    def test_a_key_for_a_room_not_made_yet_is_refused_not_dropped(self) -> None:
        """/join #salle classe (a name with a space) makes no #salle with the rest dropped: one usage line says a
        new room takes no key and a name holds no spaces, and nothing is joined; a room that is there is joined
        with a word after it whether it takes a key or not, as before."""
        self.carol.dataReceived(b"/join #salle classe\n/who #salle\n/join #dev anything\n")
        lines = self.lines(self.carol_wire)
        self.assertEqual(
            lines[:3],
            [
                b"ERR usage usage: /join #room [KEY]; #salle is not there yet, so it takes no key, and a room's name"
                b" holds no spaces: /join #salle, then /mode #salle +k classe if classe was to be its key",
                b"ERR no-such-room there is no room #salle",
                b"[00:00] #dev -- carol joined",
            ],
        )

    def test_an_invite_lets_in_past_invite_only(self) -> None:
        """carol is refused; bob, alice's operator, invites her: she, he and alice see it; she joins."""
        self.alice.dataReceived(b"/mode #dev +i +o bob\n")
        self.lines(self.alice_wire)
        self.lines(self.bob_wire)
        self.carol.dataReceived(b"/join #dev\n")
        self.assertEqual(
            self.lines(self.carol_wire),
            [b"ERR invite-only #dev is invite-only; ask one of its operators to /invite you"],
        )
        self.bob.dataReceived(b"/invite carol\n")
        invited = b"[00:00] #dev -- bob invited carol"
        for wire in (self.carol_wire, self.bob_wire, self.alice_wire):
            self.assertEqual(self.lines(wire), [invited])
        self.carol.dataReceived(b"/join #dev\n")
        self.assertEqual(self.lines(self.carol_wire)[0], b"[00:00] #dev -- carol joined")

    def test_invites_are_the_users_until_their_last_connection_ends(self) -> None:
        """An invite is the user's, not the connection's, as an operator's standing is: carol's other connection
        keeps it after the one that was invited ends, a new nickname keeps it, and it is gone once she has no
        connection left."""
        self.carol.dataReceived(b"/register sesame12\n")
        other, other_wire = self.connect(b"carol sesame12")
        self.alice.dataReceived(
            b"/mode #dev +i\n/join #ops\n/mode #ops +i\n/invite carol #dev\n/invite carol #ops\n"
        )
        self.assertEqual(
            self.lines(other_wire)[-2:],
            [b"[00:00] #dev -- alice invited carol", b"[00:00] #ops -- alice invited carol"],
        )
        self.carol.connectionLost(Failure(ConnectionDone()))
        other.dataReceived(b"/nick carla\n")
        self.lines(other_wire)
        other.dataReceived(b"/join #dev\n")
        self.assertEqual(self.lines(other_wire)[0], b"[00:00] #dev -- carla joined")
        other.connectionLost(Failure(ConnectionDone()))
        again, wire = self.connect(b"carla")
        again.dataReceived(b"/join #ops\n")
        self.assertEqual(
            self.lines(wire),
            [b"ERR invite-only #ops is invite-only; ask one of its operators to /invite you"],
        )

    def test_an_invite_from_someone_ignored_is_not_shown(self) -> None:
        """An invite is words from its sender: carol, ignoring bob, is not shown his."""
        self.carol.dataReceived(b"/ignore bob\n")
        self.lines(self.carol_wire)
        self.bob.dataReceived(b"/invite carol\n")
        self.assertEqual(self.lines(self.carol_wire), [])
        self.assertEqual(self.lines(self.bob_wire), [b"[00:00] #dev -- bob invited carol"])

    def test_invite_refusals(self) -> None:
        """Someone in the room already, or a room the asker is not in: one ERR line each."""
        self.alice.dataReceived(b"/invite bob\n/invite carol #nowhere\n")
        self.assertEqual(
            self.lines(self.alice_wire),
            [b"ERR user-in-room bob is in #dev already", b"ERR no-such-room there is no room #nowhere"],
        )
