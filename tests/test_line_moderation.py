"""Operator and room-owner commands through the line protocol, on a fake clock."""

import json

from twisted.internet.testing import StringTransport

from chatd.line.protocol import LineProtocol
from tests.helpers import LineTestCase

NOT_OPERATOR = b"ERR not-operator only server operators may do that"


class KickTests(LineTestCase):
    def test_operator_kicks_from_current_room_with_reason(self) -> None:
        """/kick NICK reason puts NICK out of the operator's current room; the room sees why."""
        op, op_wire = self.operator(b"op")
        _, bob_wire = self.connect(b"bob")
        _, carol_wire = self.connect(b"carol")
        op.dataReceived(b"/kick bob spamming links\n")
        kicked = b"[00:00] #lobby -- bob was kicked by op (spamming links)"
        self.assertEqual(self.lines(op_wire), [kicked])
        self.assertEqual(self.lines(carol_wire), [kicked])
        self.assertEqual(self.lines(bob_wire), [kicked, b"*** You are in no room; /join #room to talk."])

    def test_kicked_user_talks_in_their_previous_room(self) -> None:
        """Kicked out of the current room, a user's lines go to the last room they are still in."""
        op, _ = self.operator(b"op")
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/join #dev\n")
        self.lines(bob_wire)
        op.dataReceived(b"/kick bob #dev\n")
        self.assertEqual(
            self.lines(bob_wire), [b"[00:00] #dev -- bob was kicked by op", b"*** Now talking in #lobby."]
        )
        bob.dataReceived(b"still here\n")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #lobby <bob> still here"])

    def test_owner_kicks_from_their_room_and_others_may_not(self) -> None:
        """The room's creator kicks from it; a plain member is told only owners and operators may."""
        owner, owner_wire = self.connect(b"owner")
        bob, bob_wire = self.connect(b"bob")
        owner.dataReceived(b"/join #dev\n")
        bob.dataReceived(b"/join #dev\n/kick owner\n")
        self.assertEqual(
            self.lines(bob_wire)[-1], b"ERR not-owner only the owner of #dev and operators may do that"
        )
        self.lines(owner_wire)
        owner.dataReceived(b"/kick bob\n")
        self.assertEqual(self.lines(owner_wire), [b"[00:00] #dev -- bob was kicked by owner"])

    def test_a_rooms_own_operator_is_told_mute_is_for_server_operators(self) -> None:
        """A room's maker, @ there, who tries /mute and /help mute reads that it is the server operators'."""
        owner, wire = self.connect(b"owner")
        self.connect(b"bob")
        owner.dataReceived(b"/join #class\n")
        self.assertIn(b"*** In #class (1): @owner", self.lines(wire))
        owner.dataReceived(b"/mute bob\n/help mute\n")
        self.assertEqual(
            self.lines(wire)[:2],
            [
                b"ERR not-operator only server operators may do that",
                b"*** /mute NICK [duration] - refuse someone's messages, e.g. for 10m (server operators)",
            ],
        )

    def test_a_look_alike_of_a_banned_nickname_is_refused_on_connecting(self) -> None:
        """After /ban zed, a newcomer who types zed with a Cyrillic e is refused and asked again."""
        op, op_wire = self.operator(b"op")
        op.dataReceived(b"/ban zed 1h\n")
        self.assertEqual(self.lines(op_wire), [b"*** zed is banned until 1970-01-01 01:00 UTC (by op)"])
        newcomer, wire = self.connect()
        newcomer.dataReceived("z\u0435d\n".encode())
        self.assertEqual(
            self.lines(wire)[-2:],
            ["ERR nick-banned the nickname z\u0435d is banned (1h left)".encode(), b"*** Choose a nickname:"],
        )

    def test_kicking_oneself_is_refused(self) -> None:
        """/kick of one's own nickname is refused with a pointer to /part, even by the room's owner."""
        owner, wire = self.connect(b"owner")
        owner.dataReceived(b"/join #dev\n")
        self.lines(wire)
        owner.dataReceived(b"/kick OWNER\n")
        self.assertEqual(self.lines(wire), [b"ERR kick-self you cannot kick yourself; /part leaves a room"])

    def test_bare_room_name_in_kick_names_a_room_if_one_exists(self) -> None:
        """/kick bob dev kicks from #dev, as /join dev joins it; a first word naming no room begins the reason."""
        op, op_wire = self.operator(b"op")
        bob, _ = self.connect(b"bob")
        bob.dataReceived(b"/join dev\n")
        op.dataReceived(b"/kick bob dev\n/kick bob flooding again\n")
        self.assertEqual(
            self.lines(op_wire),
            [
                b"[00:00] #dev -- bob was kicked by op",
                b"[00:00] #lobby -- bob was kicked by op (flooding again)",
            ],
        )

    def test_kick_refusals(self) -> None:
        """Kicking nobody, or someone not in the room, says which."""
        op, wire = self.operator(b"op")
        self.connect(b"bob")[0].dataReceived(b"/part\n")
        self.lines(wire)
        op.dataReceived(b"/kick ghost\n/kick bob\n/kick bob #nowhere\n/kick\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR no-such-nick nobody called ghost is online",
                b"ERR user-not-in-room bob is not in #lobby",
                b"ERR no-such-room there is no room #nowhere",
                b"ERR usage usage: /kick NICK [#room] [reason]",
            ],
        )

    def test_a_look_alike_online_is_named_not_acted_on(self) -> None:
        """Only zed with a Cyrillic e is online: each command naming zed says nobody called zed is, and names
        the look-alike, who is neither kicked, told, nor made an operator (the class trial's F4)."""
        op, wire = self.operator(b"op")
        _, alike_wire = self.connect("z\u0435d".encode())
        self.lines(wire)
        self.lines(alike_wire)
        op.dataReceived(b"/kick zed\n/msg zed hi\n/whois zed\n/mode #lobby +o zed\n/kill zed\n/kick ghost\n")
        refused = "ERR no-such-nick nobody called zed is online; z\u0435d is, a different nickname that looks like it"
        self.assertEqual(
            self.lines(wire),
            [*[refused.encode()] * 5, b"ERR no-such-nick nobody called ghost is online"],
        )
        self.assertEqual(self.lines(alike_wire), [])

    def test_a_look_alike_online_is_a_field_of_the_json_error(self) -> None:
        """In JSON, no-such-nick carries the nickname asked for and the look-alike online (null when none), so a
        client can offer the one that is there."""
        op, wire = self.operator(b"op")
        self.connect("z\u0435d".encode())
        op.dataReceived(b"/format json\n")
        self.lines(wire)
        op.dataReceived(b"/kick zed\n/kick ghost\n")
        alike, nobody = (json.loads(line) for line in self.lines(wire))
        self.assertEqual(
            alike,
            {
                "type": "error",
                "code": "no-such-nick",
                "text": "nobody called zed is online; z\u0435d is, a different nickname that looks like it",
                "nick": "zed",
                "alike": "z\u0435d",
            },
        )
        self.assertEqual((nobody["nick"], nobody["alike"]), ("ghost", None))

    def test_json_user_not_in_room_names_the_nick_and_room(self) -> None:
        """In JSON ``user-not-in-room`` carries the nickname and the room it answers, as ``not-in-room`` carries
        its room, so a program with several /kick or /mode out tells which one a refusal answers."""
        op, wire = self.operator(b"op")
        self.connect(b"bob")[0].dataReceived(b"/part\n")
        op.dataReceived(b"/format json\n")
        self.lines(wire)
        op.dataReceived(b"/kick BOB\n")
        self.assertEqual(
            [json.loads(line) for line in self.lines(wire)],
            [
                {
                    "type": "error",
                    "code": "user-not-in-room",
                    "nick": "bob",
                    "room": "#lobby",
                    "text": "bob is not in #lobby",
                }
            ],
        )

    def test_kick_is_json_for_programs(self) -> None:
        """A JSON session gets a kicked object with who, where, by whom and why."""
        op, _ = self.operator(b"op")
        bot, bot_wire = self.connect(b"bot")
        self.connect(b"bob")
        bot.dataReceived(b"/format json\n")
        self.lines(bot_wire)
        op.dataReceived(b"/kick bob bye\n")
        [kicked] = [json.loads(line) for line in self.lines(bot_wire)]
        self.assertRegex(kicked.pop("id"), "^[0-9a-f]{16}$")
        self.assertEqual(
            kicked,
            {
                "type": "kicked",
                "at": 0.0,
                "room": "#lobby",
                "seq": 4,
                "nick": "bob",
                "by": "op",
                "reason": "bye",
                "until": 60.0,
            },
        )

    def test_kicked_user_is_told_how_long_before_rejoining(self) -> None:
        """A kicked user's /join of that room is one ERR line saying how long to wait, until the minute is up."""
        op, _ = self.operator(b"op")
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/join #dev\n")
        op.dataReceived(b"/kick bob #dev\n")
        self.clock.advance(15)
        self.lines(bob_wire)
        bob.dataReceived(b"/join dev\n")
        self.assertEqual(
            self.lines(bob_wire), [b"ERR kicked you were kicked from #dev; you may join it again in 45s"]
        )
        self.clock.advance(45)
        bob.dataReceived(b"/join dev\n")
        self.assertEqual(self.lines(bob_wire)[0], b"[00:01] #dev -- bob joined")

    def test_first_in_the_default_room_cannot_kick_or_lock_there(self) -> None:
        """#lobby is the server's: whoever came first is refused /kick and /lock in it, as any member is."""
        first, first_wire = self.connect(b"first")
        _, bob_wire = self.connect(b"bob")
        first.dataReceived(b"/kick bob\n/lock\n")
        self.assertEqual(self.lines(first_wire), [NOT_OPERATOR, NOT_OPERATOR])
        self.assertEqual(self.lines(bob_wire), [])


class TopicLockTests(LineTestCase):
    def owner_and_bob(self) -> tuple[LineProtocol, StringTransport, LineProtocol, StringTransport]:
        """owner, who made #dev, and bob in it, both wires cleared."""
        owner, owner_wire = self.connect(b"owner")
        bob, bob_wire = self.connect(b"bob")
        owner.dataReceived(b"/join #dev\n")
        bob.dataReceived(b"/join #dev\n")
        self.lines(owner_wire)
        self.lines(bob_wire)
        return owner, owner_wire, bob, bob_wire

    def test_locked_topic_is_for_the_owner_and_operators(self) -> None:
        """/lock lets only the owner and operators set the topic; /unlock opens it again."""
        owner, _, bob, bob_wire = self.owner_and_bob()
        owner.dataReceived(b"/lock\n")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #dev -- owner locked the topic"])
        bob.dataReceived(b"/topic mine\n/unlock\n")
        self.assertEqual(
            self.lines(bob_wire),
            [
                b"ERR topic-locked the topic of #dev is locked; only its owner and operators may change it",
                b"ERR not-owner only the owner of #dev and operators may do that",
            ],
        )
        op, _ = self.operator(b"op")
        op.dataReceived(b"/join #dev\n/topic set by op\n/unlock\n")
        self.assertEqual(
            self.lines(bob_wire)[-2:],
            [b"[00:00] #dev -- op set the topic: set by op", b"[00:00] #dev -- op unlocked the topic"],
        )
        bob.dataReceived(b"/topic mine now\n")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #dev -- bob set the topic: mine now"])

    def test_a_locked_topic_in_the_servers_room_names_no_owner(self) -> None:
        """#lobby is the server's and nobody owns it: its lock's refusal says only operators may change the topic."""
        op, _ = self.operator(b"op")
        bob, bob_wire = self.connect(b"bob")
        op.dataReceived(b"/lock\n")
        self.lines(bob_wire)
        bob.dataReceived(b"/topic mine\n")
        self.assertEqual(
            self.lines(bob_wire),
            [b"ERR topic-locked the topic of #lobby is locked; only operators may change it"],
        )

    def test_a_lock_that_holds_already_changes_nothing(self) -> None:
        """/lock, /mode +t or /unlock on a topic already so: nothing to change, nobody told, nothing kept."""
        owner, owner_wire, _, bob_wire = self.owner_and_bob()
        owner.dataReceived(b"/lock\n")
        self.lines(owner_wire)
        self.lines(bob_wire)
        last = self.history.last_seq("#dev")
        owner.dataReceived(b"/lock\n/mode #dev +t\n")
        self.assertEqual(self.lines(owner_wire), [b"*** Nothing to change in #dev."] * 2)
        self.assertEqual(self.lines(bob_wire), [])
        self.assertEqual(self.history.last_seq("#dev"), last)
        owner.dataReceived(b"/unlock\n/unlock\n")
        self.assertEqual(self.lines(owner_wire)[-1], b"*** Nothing to change in #dev.")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #dev -- owner unlocked the topic"])


class BanTests(LineTestCase):
    def test_nickname_ban_closes_the_holder_and_keeps_the_name(self) -> None:
        """/ban NICK 1h: the holder is told and disconnected, roommates see it, and the name stays taken."""
        op, op_wire = self.operator(b"op")
        _, bob_wire = self.connect(b"bob", host="10.0.0.2")
        _, carol_wire = self.connect(b"carol")
        op.dataReceived(b"/ban bob 1h\n")
        banned = b"[00:00] -- bob was banned by op for 1h"
        self.assertEqual(self.lines(bob_wire), [banned])
        self.assertTrue(bob_wire.disconnecting)
        self.assertEqual(self.lines(carol_wire), [banned])
        self.assertEqual(
            self.lines(op_wire), [banned, b"*** bob is banned until 1970-01-01 01:00 UTC (by op)"]
        )
        again, again_wire = self.connect()
        again.dataReceived(b"Bob\n")
        self.assertEqual(
            self.lines(again_wire),
            [b"ERR nick-banned the nickname Bob is banned (1h left)", b"*** Choose a nickname:"],
        )
        self.assertFalse(again_wire.disconnecting)
        self.clock.advance(3600)
        later, later_wire = self.connect()
        later.dataReceived(b"Bob\n")
        self.assertEqual(self.lines(later_wire)[0], b"*** You are Bob.")

    def test_banned_nickname_cannot_be_taken_with_nick(self) -> None:
        """/nick onto a banned nickname is refused."""
        op, _ = self.operator(b"op")
        op.dataReceived(b"/ban mallory\n")
        carol, wire = self.connect(b"carol")
        carol.dataReceived(b"/nick MALLORY\n")
        self.assertEqual(self.lines(wire), [b"ERR nick-banned the nickname MALLORY is banned"])

    def test_address_ban_closes_its_connections_and_refuses_new_ones(self) -> None:
        """/ban ADDRESS 10m takes everyone from it off; a new connection from it is told why and closed."""
        op, op_wire = self.operator(b"op")
        _, bob_wire = self.connect(b"bob", host="10.0.0.2")
        _, dave_wire = self.connect(b"dave", host="::ffff:10.0.0.2")
        _, carol_wire = self.connect(b"carol", host="10.0.0.3")
        op.dataReceived(b"/ban 10.0.0.2 10m\n")
        self.assertTrue(bob_wire.disconnecting)
        self.assertTrue(dave_wire.disconnecting)
        self.assertFalse(carol_wire.disconnecting)
        self.assertEqual(
            self.lines(op_wire)[-1], b"*** 10.0.0.2 is banned until 1970-01-01 00:10 UTC (by op)"
        )
        self.clock.advance(60)
        eve, eve_wire = self.connect(host="10.0.0.2")
        eve.dataReceived(b"eve\n")
        self.assertEqual(
            self.lines(eve_wire), [b"ERR banned your address is banned from this server (9m left)"]
        )
        self.assertTrue(eve_wire.disconnecting)
        self.clock.advance(540)
        eve, eve_wire = self.connect(host="10.0.0.2")
        eve.dataReceived(b"eve\n")
        self.assertEqual(self.lines(eve_wire)[0], b"*** You are eve.")

    def test_banned_address_is_shown_nothing_before_a_nickname(self) -> None:
        """From a banned address, /rooms, /users, /who and /whois before a nickname get ERR banned and the
        connection closes; from others they are answered."""
        op, _ = self.operator(b"op")
        op.dataReceived(b"/ban 10.0.0.2\n")
        for line in (b"/rooms", b"/users", b"/who #lobby", b"/whois op"):
            eve, eve_wire = self.connect(host="10.0.0.2")
            eve.dataReceived(line + b"\n/time\n")
            self.assertEqual(self.lines(eve_wire), [b"ERR banned your address is banned from this server"])
            self.assertTrue(eve_wire.disconnecting)
        other, other_wire = self.connect(host="10.0.0.3")
        other.dataReceived(b"/users\n")
        self.assertEqual(self.lines(other_wire), [b"*** Online (1): op"])

    def test_ban_list_and_unban(self) -> None:
        """/ban alone lists the bans; /unban lifts one and says so."""
        op, wire = self.operator(b"op")
        op.dataReceived(b"/ban mallory 1d\n/ban 2001:db8::1\n")
        self.lines(wire)
        op.dataReceived(b"/ban\n/unban mallory\n/ban\n/unban mallory\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"*** Bans (2):",
                b"***   mallory until 1970-01-02 00:00 UTC (by op)",
                b"***   2001:db8::1 until lifted (by op)",
                b"*** mallory is no longer banned.",
                b"*** Bans (1):",
                b"***   2001:db8::1 until lifted (by op)",
                b"ERR not-banned mallory is not banned",
            ],
        )

    def test_ban_refusals(self) -> None:
        """A bad duration or address, an operator's nickname, or a non-operator asking: each is refused."""
        op, wire = self.operator(b"op")
        self.operator(b"other")
        op.dataReceived(b"/ban bob 10x\n/ban 10.0.0 1h\n/ban other\n/ban a b c\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR bad-duration '10x' is not a duration: write a number and s, m, h or d, like 10m, 2h or 1d (at most 365d)",
                b"ERR bad-address '10.0.0' is not an IPv4 or IPv6 address or network",
                b"ERR is-operator other is an operator",
                b"ERR usage usage: /ban [NICK|ADDRESS [duration]]",
            ],
        )
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/ban carol\n/ban\n/unban carol\n")
        self.assertEqual(self.lines(bob_wire), [NOT_OPERATOR] * 3)

    def test_a_ban_of_a_network_too_wide_is_refused_naming_the_widest(self) -> None:
        """/ban 0.0.0.0/0 or ::/0 would ban everyone but operators: refused in one line naming the widest a ban of
        that version takes, and nobody is banned; the widest itself is taken."""
        op, wire = self.operator(b"op")
        _, bob_wire = self.connect(b"bob")
        op.dataReceived(b"/ban 0.0.0.0/0\n/ban ::/0 1h\n/ban 10.0.0.0/7\n/ban 2001:db8::/31\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR ban-too-wide 0.0.0.0/0 is too wide a network to ban: the widest an IPv4 ban may be is a /8",
                b"ERR ban-too-wide ::/0 is too wide a network to ban: the widest an IPv6 ban may be is a /32",
                b"ERR ban-too-wide 10.0.0.0/7 is too wide a network to ban: the widest an IPv4 ban may be is a /8",
                b"ERR ban-too-wide 2001:db8::/31 is too wide a network to ban: the widest an IPv6 ban may be is a /32",
            ],
        )
        self.assertEqual(self.lines(bob_wire), [])
        op.dataReceived(b"/ban 10.0.0.0/8\n/ban 2001:db8::/32\n/ban\n")
        self.assertIn(b"***   10.0.0.0/8 until lifted (by op)", self.lines(wire))


class KillTests(LineTestCase):
    def test_kill_closes_the_user_and_tells_their_rooms_and_the_operator(self) -> None:
        """/kill NICK reason: bob, his roommates and the operator (in none of his rooms) see why; bob's connection
        closes; someone who shares no room with him sees nothing."""
        op, op_wire = self.operator(b"op")
        bob, bob_wire = self.connect(b"bob")
        _, carol_wire = self.connect(b"carol")
        eve, eve_wire = self.connect(b"eve")
        bob.dataReceived(b"/join #dev\n")
        op.dataReceived(b"/part\n")
        eve.dataReceived(b"/part\n")
        for wire in self.wires:
            self.lines(wire)
        op.dataReceived(b"/kill bob flooding #lobby\n")
        killed = b"[00:00] -- bob was killed by op (flooding #lobby)"
        self.assertEqual(self.lines(bob_wire), [killed])
        self.assertTrue(bob_wire.disconnecting)
        self.assertEqual(self.lines(carol_wire), [killed])
        self.assertEqual(self.lines(op_wire), [killed])
        self.assertEqual(self.lines(eve_wire), [])
        self.assertFalse(carol_wire.disconnecting)
        op.dataReceived(b"/users\n")
        self.assertEqual(self.lines(op_wire), [b"*** Online (3): carol eve op"])

    def test_the_one_killed_may_come_back_at_once(self) -> None:
        """Unlike a ban, a kill keeps nothing: the same nickname from the same address is welcome the same moment."""
        op, _ = self.operator(b"op")
        self.connect(b"bob", host="10.0.0.2")
        op.dataReceived(b"/kill bob\n")
        again, wire = self.connect(host="10.0.0.2")
        again.dataReceived(b"bob\n")
        self.assertEqual(self.lines(wire)[:2], [b"*** You are bob.", b"[00:00] #lobby -- bob joined"])

    def test_kill_is_json_for_programs(self) -> None:
        """A program reads a kill as a killed object naming who, by whom and why."""
        op, _ = self.operator(b"op")
        bot, bot_wire = self.connect(b"bot")
        bot.dataReceived(b"/format json\n")
        self.connect(b"bob")
        self.clock.advance(5)
        op.dataReceived(b"/kill bob\n")
        [line] = self.lines(bot_wire)
        killed = json.loads(line)
        self.assertEqual(
            {key: value for key, value in killed.items() if key != "id"},
            {"type": "killed", "at": 5.0, "nick": "bob", "by": "op", "reason": ""},
        )

    def test_every_connection_of_an_account_is_closed(self) -> None:
        """A user online from two connections (an account's) loses both."""
        op, _ = self.operator(b"op")
        alice, first = self.connect(b"alice")
        alice.dataReceived(b"/register correct horse battery\n")
        second_protocol, second = self.connect()
        second_protocol.dataReceived(b"/identify alice correct horse battery\n")
        for wire in self.wires:
            self.lines(wire)
        op.dataReceived(b"/kill alice\n")
        for wire in (first, second):
            self.assertEqual(self.lines(wire), [b"[00:00] -- alice was killed by op"])
            self.assertTrue(wire.disconnecting)

    def test_kill_refusals(self) -> None:
        """Oneself, another operator, nobody, no nickname at all, or a user who is not an operator: each refused."""
        op, wire = self.operator(b"op")
        self.operator(b"other")
        op.dataReceived(b"/kill OP\n/kill other\n/kill ghost\n/kill\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR kill-self you cannot kill yourself; /quit leaves the server",
                b"ERR is-operator other is an operator",
                b"ERR no-such-nick nobody called ghost is online",
                b"ERR usage usage: /kill NICK [reason]",
            ],
        )
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/kill op\n")
        self.assertEqual(self.lines(bob_wire), [NOT_OPERATOR])


class MuteTests(LineTestCase):
    def test_muted_user_is_refused_everywhere_and_heard_by_nobody(self) -> None:
        """A muted user's messages, actions and private messages are refused with the time left."""
        op, op_wire = self.operator(b"op")
        bob, bob_wire = self.connect(b"bob")
        _, carol_wire = self.connect(b"carol")
        op.dataReceived(b"/mute bob 10m\n")
        self.assertEqual(self.lines(bob_wire), [b"[00:00] -- bob was muted by op for 10m"])
        self.assertEqual(self.lines(op_wire), [b"[00:00] -- bob was muted by op for 10m"])
        bob.dataReceived(b"hello\n")
        bob.dataReceived(b"/me waves\n")
        bob.dataReceived(b"/msg carol psst\n")
        muted = b"ERR muted you are muted (10m left); nobody sees what you say"
        self.assertEqual(self.lines(bob_wire), [muted] * 3)
        self.end_pass()
        self.assertEqual(carol_wire.value(), b"")

    def test_a_mute_is_told_to_those_who_moderate_with_the_operator_and_no_other(self) -> None:
        """The teacher who made #class, where bob is, and another operator anywhere read bob's mute and unmute, so
        a co-teacher knows why his lines stopped; carol, in #class too, does not."""
        op, op_wire = self.operator(b"op")
        teacher, teacher_wire = self.connect(b"teacher")
        bob, bob_wire = self.connect(b"bob")
        carol, carol_wire = self.connect(b"carol")
        teacher.dataReceived(b"/join #class\n")
        bob.dataReceived(b"/join #class\n")
        carol.dataReceived(b"/join #class\n")
        _, other_wire = self.operator(b"other")
        op.dataReceived(b"/mute bob 10m\n/unmute bob\n")
        told = [b"[00:00] -- bob was muted by op for 10m", b"[00:00] -- bob was unmuted by op"]
        for wire in (op_wire, bob_wire, teacher_wire, other_wire):
            self.assertEqual(self.lines(wire), told)
        self.assertEqual(self.lines(carol_wire), [])

    def test_refused_paste_does_not_swallow_the_command_after_it(self) -> None:
        """A muted user's line and a command in one read get an answer each."""
        op, _ = self.operator(b"op")
        bob, bob_wire = self.connect(b"bob")
        op.dataReceived(b"/mute bob\n")
        self.lines(bob_wire)
        bob.dataReceived(b"hello\n/time\n")
        self.assertEqual(
            self.lines(bob_wire),
            [
                b"ERR muted you are muted; nobody sees what you say",
                b"*** Server time: 1970-01-01 00:00:00 UTC",
            ],
        )

    def test_a_mute_outlasts_the_connection_and_keeps_the_nickname(self) -> None:
        """bob, muted, cannot take another nickname; connecting again as bob two minutes on, he is muted for 8m."""
        op, _ = self.operator(b"op")
        bob, bob_wire = self.connect(b"bob")
        op.dataReceived(b"/mute bob 10m\n")
        bob.dataReceived(b"/nick robert\n")
        self.assertEqual(
            self.lines(bob_wire)[-1], b"ERR muted you are muted (10m left); nobody sees what you say"
        )
        bob.dataReceived(b"/quit\n")
        self.clock.advance(120)
        again, again_wire = self.connect(b"bob")
        again.dataReceived(b"hello\n")
        self.assertEqual(
            self.lines(again_wire), [b"ERR muted you are muted (8m left); nobody sees what you say"]
        )
        op.dataReceived(b"/unmute bob\n")
        again.dataReceived(b"hello\n")
        self.assertEqual(self.lines(again_wire)[-1], b"[00:02] #lobby <bob> hello")

    def test_mute_ends_by_the_clock_or_unmute(self) -> None:
        """A mute ends when its time is up; /unmute ends an open one and tells both."""
        op, op_wire = self.operator(b"op")
        bob, bob_wire = self.connect(b"bob")
        op.dataReceived(b"/mute bob 1m\n")
        self.clock.advance(60)
        self.lines(bob_wire)
        bob.dataReceived(b"back\n")
        self.assertEqual(self.lines(bob_wire), [b"[00:01] #lobby <bob> back"])
        op.dataReceived(b"/mute bob\n/unmute bob\n/unmute bob\n")
        self.assertEqual(
            self.lines(op_wire)[-3:],
            [
                b"[00:01] -- bob was muted by op",
                b"[00:01] -- bob was unmuted by op",
                b"ERR not-muted bob is not muted",
            ],
        )

    def test_a_nickname_nobody_holds_is_muted_ahead_of_its_return(self) -> None:
        """A troll who quit is muted as a ban would take them: the operator alone is told, and whoever comes
        back as mutey is muted for what is left."""
        op, op_wire = self.operator(b"op")
        _, carol_wire = self.connect(b"carol")
        op.dataReceived(b"/mute Mutey 1h\n")
        self.assertEqual(self.lines(op_wire), [b"[00:00] -- Mutey was muted by op for 1h"])
        self.assertEqual(self.lines(carol_wire), [])
        self.clock.advance(600)
        mutey, mutey_wire = self.connect(b"mutey")
        mutey.dataReceived(b"I'm back\n")
        self.assertEqual(
            self.lines(mutey_wire), [b"ERR muted you are muted (50m left); nobody sees what you say"]
        )
        self.assertNotIn(b"[00:10] #lobby <mutey> I'm back", self.lines(carol_wire))
        op.dataReceived(b"/unmute mutey\n")
        self.assertEqual(self.lines(mutey_wire), [b"[00:10] -- mutey was unmuted by op"])

    def test_mute_refusals(self) -> None:
        """Muting a nickname nobody could take, an operator, with a bad duration, or without being an operator is
        refused."""
        op, wire = self.operator(b"op")
        self.operator(b"other")
        op.dataReceived(b"/mute 9lives\n/mute other\n/mute other 0m\n/mute\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR bad-nick '9lives' is not a valid nickname: a nickname cannot start with a digit, '-' or a mark",
                b"ERR is-operator other is an operator",
                b"ERR bad-duration '0m' is not a duration: write a number and s, m, h or d, like 10m, 2h or 1d (at most 365d)",
                b"ERR usage usage: /mute NICK [duration]",
            ],
        )
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/mute op\n/unmute op\n")
        self.assertEqual(self.lines(bob_wire), [NOT_OPERATOR] * 2)


class WallAndShutdownTests(LineTestCase):
    def test_wall_reaches_everyone_online(self) -> None:
        """/wall text reaches every named user, whichever rooms they are in; not unnamed connections."""
        op, op_wire = self.operator(b"op")
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/part\n")
        _, unnamed_wire = self.connect()
        op.dataReceived(b"/wall back in 5 minutes\n")
        walled = b"[00:00] -- op to everyone: back in 5 minutes"
        self.assertEqual(self.lines(op_wire), [walled])
        self.assertEqual(self.lines(bob_wire), [walled])
        self.end_pass()
        self.assertEqual(unnamed_wire.value(), b"")

    def test_shutdown_tells_everyone_and_stops_the_daemon(self) -> None:
        """/shutdown reason announces to all, then calls the daemon's stop once."""
        op, op_wire = self.operator(b"op")
        _, bob_wire = self.connect(b"bob")
        op.dataReceived(b"/shutdown upgrading\n")
        notice = b"[00:00] -- op is shutting down the server (upgrading)"
        self.assertEqual((self.lines(op_wire), self.lines(bob_wire)), ([notice], [notice]))
        self.assertEqual(self.stopped, 1)

    def test_wall_and_shutdown_are_for_operators(self) -> None:
        """A user who is no operator can neither wall nor stop the server."""
        bob, wire = self.connect(b"bob")
        bob.dataReceived(b"/wall hi\n/shutdown\n")
        self.assertEqual(self.lines(wire), [NOT_OPERATOR] * 2)
        self.assertEqual(self.stopped, 0)
