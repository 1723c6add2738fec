"""Channels over IRC: JOIN, PART, TOPIC, NAMES, LIST, KICK and MODE on chatd's rooms (chatd.irc.channels)."""

from twisted.internet.testing import StringTransport

from chatd.irc.isupport import isupport_tokens
from chatd.irc.protocol import IRCProtocol
from tests.irc import IRCTestCase


class JoinTests(IRCTestCase):
    def test_join_shows_join_then_topic_then_names(self) -> None:
        """The joiner reads its JOIN, 332 when there is a topic, 353 with every member, then 366."""
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/topic Welcome all\n")
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #lobby")
        self.assertEqual(
            self.lines(wire),
            [
                b":alice!alice@chatd JOIN #lobby",
                b":testhost 332 alice #lobby :Welcome all",
                b":testhost 333 alice #lobby bob 0",
                b":testhost 353 alice = #lobby :bob alice",
                b":testhost 366 alice #lobby :End of /NAMES list",
            ],
        )
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #lobby -- alice joined"])

    def test_join_several_and_one_refused(self) -> None:
        """JOIN #a,bad,#b joins #a and #b and answers the bad name alone."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #a,bad,#b")
        lines = self.lines(wire)
        self.assertIn(b":alice!alice@chatd JOIN #a", lines)
        self.assertIn(b":alice!alice@chatd JOIN #b", lines)
        self.assertIn(
            b":testhost 403 alice bad :Bad channel name: a room name is # followed by its name", lines
        )

    def test_a_join_past_the_room_limit_names_the_channel_refused(self) -> None:
        """405 names the channel the JOIN could not enter, as clients show it ("Cannot join #r20"), not ``*``."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN " + ",".join(f"#r{number}" for number in range(20)))
        self.lines(wire)
        self.send(alice, "JOIN #r20,#r21")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 405 alice #r20 :You have joined too many channels (at most 20)",
                b":testhost 405 alice #r21 :You have joined too many channels (at most 20)",
            ],
        )

    def test_a_join_naming_only_commas_is_461(self) -> None:
        """JOIN ``,,,`` names no channel: 461, as JOIN with none, and nothing else happens."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN ,,,")
        self.assertEqual(self.lines(wire), [b":testhost 461 alice JOIN :Not enough parameters"])

    def test_extended_join_and_userhost_in_names(self) -> None:
        """extended-join adds the account (or *) and a name; userhost-in-names shows nick!user@host."""
        alice, wire = self.irc_user("alice", "extended-join", "userhost-in-names")
        self.send(alice, "JOIN #x")
        self.assertEqual(
            self.lines(wire)[:2],
            [b":alice!alice@chatd JOIN #x * :alice", b":testhost 353 alice = #x :@alice!alice@chatd"],
        )

    def test_a_join_with_standing_is_a_server_mode_for_the_others(self) -> None:
        """alice made #x and comes back to it while bob stays: bob reads her JOIN, then the server's MODE +o,
        so his client marks her @; alice reads hers in NAMES, and a join without standing brings no MODE."""
        alice, wire = self.irc_user("alice")
        bob, bob_wire = self.irc_user("bob")
        self.send(alice, "JOIN #x")
        self.send(bob, "JOIN #x")
        self.send(alice, "PART #x")
        self.lines(wire)
        self.lines(bob_wire)
        self.send(alice, "JOIN #x")
        self.assertEqual(self.lines(bob_wire), [b":alice!alice@chatd JOIN #x", b":testhost MODE #x +o alice"])
        self.assertEqual(
            self.lines(wire)[:2], [b":alice!alice@chatd JOIN #x", b":testhost 353 alice = #x :bob @alice"]
        )
        carol, _ = self.irc_user("carol")
        self.send(carol, "JOIN #x")
        self.assertEqual(self.lines(bob_wire), [b":carol!carol@chatd JOIN #x"])

    def test_join_zero_leaves_every_room(self) -> None:
        """JOIN 0 is a PART of each room."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #a,#b")
        self.lines(wire)
        self.send(alice, "JOIN 0")
        self.assertEqual(self.lines(wire), [b":alice!alice@chatd PART #a", b":alice!alice@chatd PART #b"])

    def test_part_with_reason_and_part_of_room_not_in(self) -> None:
        """PART #room :why is seen by the room; a room one is not in is 442."""
        alice, wire = self.irc_user("alice")
        _, bob_wire = self.connect(b"bob")
        self.send(alice, "JOIN #lobby")
        self.lines(wire)
        self.lines(bob_wire)
        self.send(alice, "PART #lobby :bye now", "PART #lobby")
        self.assertEqual(
            self.lines(wire),
            [
                b":alice!alice@chatd PART #lobby :bye now",
                b":testhost 442 alice #lobby :You're not on that channel",
            ],
        )
        self.assertEqual(self.lines(bob_wire), [b"[00:00] #lobby -- alice left (bye now)"])

    def test_empty_names_in_a_part_are_skipped_and_only_commas_are_461(self) -> None:
        """PART ``#a,`` leaves #a alone, with no 403 for the empty name after the comma; PART ``,,,`` names no
        channel: one 461, as PART with none."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #a")
        self.lines(wire)
        self.send(alice, "PART #a,", "PART ,,,")
        self.assertEqual(
            self.lines(wire),
            [b":alice!alice@chatd PART #a", b":testhost 461 alice PART :Not enough parameters"],
        )


class TopicTests(IRCTestCase):
    def test_topic_set_seen_by_all_and_asked(self) -> None:
        """TOPIC #room :text reaches the room; TOPIC #room answers 332, or 331 with none."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #x", "TOPIC #x")
        self.assertEqual(self.lines(wire)[-1], b":testhost 331 alice #x :No topic is set")
        self.clock.advance(90)
        self.send(alice, "TOPIC #x :new things", "TOPIC #x")
        self.assertEqual(
            self.lines(wire),
            [
                b":alice!alice@chatd TOPIC #x :new things",
                b":testhost 332 alice #x :new things",
                b":testhost 333 alice #x alice 90",
            ],
        )

    def test_locked_topic_is_482_for_others(self) -> None:
        """MODE #x +t by its maker locks the topic; anyone else setting it reads 482."""
        alice, wire = self.irc_user("alice")
        bob, bob_wire = self.irc_user("bob")
        self.send(alice, "JOIN #x", "MODE #x +t")
        self.send(bob, "JOIN #x")
        self.lines(bob_wire)
        self.assertEqual(self.lines(wire)[-2:], [b":alice!alice@chatd MODE #x +t", b":bob!bob@chatd JOIN #x"])
        self.send(bob, "TOPIC #x :mine now")
        self.assertEqual(self.lines(bob_wire), [b":testhost 482 bob #x :You're not channel operator"])


class ListingTests(IRCTestCase):
    def test_list_shows_rooms_with_counts_and_topics(self) -> None:
        """LIST: 321, a 322 per room, 323."""
        bob, _ = self.connect(b"bob")
        bob.dataReceived(b"/topic hello\n")
        alice, wire = self.irc_user("alice")
        self.send(alice, "LIST")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 321 alice Channel :Users  Name",
                b":testhost 322 alice #lobby 1 :hello",
                b":testhost 323 alice :End of /LIST",
            ],
        )

    def test_secret_room_is_listed_to_its_members_only(self) -> None:
        """LIST leaves a +s room out for those not in it, and shows it to its members."""
        alice, wire = self.irc_user("alice")
        bob, bob_wire = self.irc_user("bob")
        self.send(alice, "JOIN #hidden", "MODE #hidden +s")
        self.lines(wire)
        self.send(alice, "LIST")
        self.send(bob, "LIST")
        self.assertIn(b":testhost 322 alice #hidden 1 :", self.lines(wire))
        self.assertNotIn(b"#hidden", b"".join(self.lines(bob_wire)))

    def test_list_names_rooms_and_bounds_their_size(self) -> None:
        """LIST #a,#b lists those (a secret one only to its members), and >N, <N keep rooms by member count."""
        alice, wire = self.irc_user("alice")
        bob, bob_wire = self.irc_user("bob")
        self.send(alice, "JOIN #one,#two,#hidden", "MODE #hidden +s")
        self.send(bob, "JOIN #two")
        self.lines(wire)
        self.lines(bob_wire)

        def listed(*params: str) -> list[bytes]:
            self.send(bob, " ".join(("LIST", *params)))
            return [line.split(b" ")[3] for line in self.lines(bob_wire) if b" 322 " in line]

        self.assertEqual(listed("#TWO,#nowhere,#hidden"), [b"#two"])
        self.assertEqual(listed(">1"), [b"#two"])
        # The server's #lobby is listed with nobody in it: IRC clients are in no room until they join one.
        self.assertEqual(listed("<2"), [b"#lobby", b"#one"])
        self.assertEqual(listed("#one,#two", "<2"), [b"#one"])
        self.send(alice, "LIST #hidden")
        self.assertIn(b":testhost 322 alice #hidden 1 :", self.lines(wire))

    def test_a_bound_of_other_digits_is_no_bound_and_a_long_one_is_past_every_room(self) -> None:
        """>N with a superscript two (a digit to str.isdigit, none to int(), which raised) bounds nothing, as >x
        does; a bound of 30 digits is more than any room has."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #one")
        self.lines(wire)

        def listed(*params: str) -> list[bytes]:
            self.send(alice, " ".join(("LIST", *params)))
            return [line.split(b" ")[3] for line in self.lines(wire) if b" 322 " in line]

        self.assertEqual(listed(">\u00b2"), [b"#lobby", b"#one"])
        self.assertEqual(listed("<\u00b2"), [b"#lobby", b"#one"])
        self.assertEqual(listed(">" + "9" * 30), [])
        self.assertEqual(listed("<" + "9" * 30), [b"#lobby", b"#one"])

    def test_a_list_costs_the_rooms_it_reads_whatever_it_shows(self) -> None:
        """LIST >N that keeps none of 40 rooms costs what a LIST of them all does, a line per 10: three of them and
        a PING are past the burst, and the PING waits its turn.

        Charged by the rooms shown, a bound no room meets walked every room
        (3 ms at 1,900 rooms) for one line, and 40 connections looping it
        held everyone's lines back by up to a tenth of a second.
        """
        for maker in range(2):
            member, _ = self.connect(f"maker{maker}".encode())
            for number in range(20):
                self.clock.advance(1)
                member.dataReceived(f"/join #m{maker}r{number}\n".encode())
        alice, wire = self.irc_user("alice")
        self.clock.advance(60)
        self.send(alice, "LIST >100", "LIST >100", "LIST >100", "PING late")
        lines = self.lines(wire)
        self.assertEqual(len([line for line in lines if b" 323 " in line]), 3)
        self.assertNotIn(b":testhost PONG testhost late", lines)
        self.assertFalse([line for line in lines if b" 322 " in line])
        self.clock.advance(10)
        self.assertIn(b":testhost PONG testhost late", self.lines(wire))

    def test_names_of_a_secret_room_say_so(self) -> None:
        """353 for a +s room has the secret room's symbol, @, where others have =."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #hidden", "MODE #hidden +s")
        self.lines(wire)
        self.send(alice, "NAMES #hidden")
        self.assertEqual(self.lines(wire)[0], b":testhost 353 alice @ #hidden :@alice")

    def test_names_of_a_big_room_fit_irc_lines(self) -> None:
        """300 members' names come in 353 lines of at most 512 bytes, every name once."""
        nicks = [f"user{number:03d}" for number in range(300)]
        for nick in nicks:
            self.connect(nick.encode(), host=f"10.0.{len(self.wires) // 40}.1")
        alice, wire = self.irc_user("alice")
        self.send(alice, "NAMES #lobby")
        lines = self.lines(wire)
        self.assertTrue(all(len(line) + 2 <= 512 for line in lines))
        names = [name for line in lines[:-1] for name in line.split(b" :", 1)[1].split()]
        self.assertEqual(names, [nick.encode() for nick in nicks])
        self.assertEqual(lines[-1], b":testhost 366 alice #lobby :End of /NAMES list")


class EmptyRegisteredRoomTests(IRCTestCase):
    def test_an_empty_registered_room_is_a_channel_nobody_is_on(self) -> None:
        """#dev, registered and left by everyone, is there: MODE shows its kept lock, WHO and NAMES nobody, PART is
        442; a channel that never was is still 403."""
        alice, _ = self.connect(b"alice")
        alice.dataReceived(b"/register hunter22\n/join #dev\n/register #dev\n/lock\n/part #dev\n")
        bob, wire = self.irc_user("bob")
        self.send(bob, "MODE #dev", "WHO #dev", "NAMES #dev", "PART #dev", "MODE #nope")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 324 bob #dev +nt",
                b":testhost 315 bob #dev :End of WHO list",
                b":testhost 366 bob #dev :End of /NAMES list",
                b":testhost 442 bob #dev :You're not on that channel",
                b":testhost 403 bob #nope :No such channel",
            ],
        )


class KickTests(IRCTestCase):
    def test_room_maker_kicks_and_everyone_sees_kick(self) -> None:
        """KICK by the room's maker reaches the room as KICK; the kicked nc user is told."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #x")
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/join #x\n")
        self.lines(wire)
        self.lines(bob_wire)
        self.send(alice, "KICK #x bob :behave")
        self.assertEqual(self.lines(wire), [b":alice!alice@chatd KICK #x bob :behave"])
        self.assertIn(b"kicked", b" ".join(self.lines(bob_wire)))

    def test_kick_by_a_member_who_does_not_run_the_room_is_482(self) -> None:
        """Only whoever runs the room may kick."""
        alice, _wire = self.irc_user("alice")
        bob, bob_wire = self.irc_user("bob")
        self.send(alice, "JOIN #x")
        self.send(bob, "JOIN #x")
        self.lines(bob_wire)
        self.send(bob, "KICK #x alice")
        self.assertEqual(self.lines(bob_wire), [b":testhost 482 bob #x :You're not channel operator"])

    def test_kick_of_the_room_maker_by_an_operator_they_made_is_482(self) -> None:
        """alice made #x and gave bob +o: his KICK of alice is refused, saying she owns it; she stays."""
        alice, wire = self.irc_user("alice")
        bob, bob_wire = self.irc_user("bob")
        self.send(alice, "JOIN #x")
        self.send(bob, "JOIN #x")
        self.send(alice, "MODE #x +o bob")
        self.lines(wire)
        self.lines(bob_wire)
        self.send(bob, "KICK #x alice :bye")
        self.assertEqual(
            self.lines(bob_wire),
            [b":testhost 482 bob #x :alice owns the channel; only IRC operators may kick them"],
        )
        self.assertEqual(self.lines(wire), [])

    def test_a_kick_of_only_commas_is_one_461_and_an_empty_name_is_skipped(self) -> None:
        """KICK #x ``,,,`` names nobody: one 461, not a 401 for each empty name; KICK #x ``bob,`` kicks bob
        alone."""
        alice, wire = self.irc_user("alice")
        bob, bob_wire = self.irc_user("bob")
        self.send(alice, "JOIN #x")
        self.send(bob, "JOIN #x")
        self.lines(wire)
        self.lines(bob_wire)
        self.send(alice, "KICK #x ,,,")
        self.assertEqual(self.lines(wire), [b":testhost 461 alice KICK :Not enough parameters"])
        self.assertEqual(self.lines(bob_wire), [])
        self.send(alice, "KICK #x bob,")
        self.assertEqual(self.lines(wire), [b":alice!alice@chatd KICK #x bob :alice"])

    def test_a_kick_names_as_many_as_targmax_says_and_the_next_is_407(self) -> None:
        """ISUPPORT's TARGMAX says how many one KICK may name, and a KICK does that many: of five names, the first
        four are kicked, and the fifth is named in a 407 and stays."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "JOIN #x")
        others = [self.irc_user(nick) for nick in ("b1", "b2", "b3", "b4", "b5")]
        for protocol, _ in others:
            self.send(protocol, "JOIN #x")
        self.lines(wire)
        [targmax] = [
            token for token in isupport_tokens(self.chat.limits, "chatd") if token.startswith("TARGMAX=")
        ]
        self.assertIn("KICK:4", targmax.removeprefix("TARGMAX=").split(","))
        self.send(alice, "KICK #x b1,b2,b3,b4,b5 :out")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 407 alice b5 :Too many recipients: at most 4",
                *[f":alice!alice@chatd KICK #x b{number} :out".encode() for number in range(1, 5)],
            ],
        )
        self.assertNotIn(b":alice!alice@chatd KICK #x b5 :out", self.lines(others[4][1]))
        self.send(alice, "NAMES #x")
        self.assertEqual(self.lines(wire)[0], b":testhost 353 alice = #x :@alice b5")


class RegisteredRoomKickTests(IRCTestCase):
    def carol_opped(self) -> tuple[IRCProtocol, StringTransport, StringTransport, StringTransport]:
        """alice's registered #dev, bob a room operator of it by account, and carol on IRC in it given +o; carol,
        her wire, bob's and alice's, each read to its end."""
        alice, alice_wire = self.connect(b"alice")
        bob, bob_wire = self.connect(b"bob")
        alice.dataReceived(b"/register hunter22\n/join #dev\n/register #dev\n")
        bob.dataReceived(b"/register hunter23\n/join #dev\n")
        alice.dataReceived(b"/op bob\n")
        carol, wire = self.irc_user("carol")
        self.send(carol, "JOIN #dev")
        alice.dataReceived(b"/mode #dev +o carol\n")
        for each in (wire, bob_wire, alice_wire):
            self.lines(each)
        return carol, wire, bob_wire, alice_wire

    def test_kick_of_a_room_operator_by_account_by_a_mere_channel_operator_is_482(self) -> None:
        """bob is a room operator of alice's registered #dev by account; carol, given +o, cannot KICK him."""
        carol, wire, bob_wire, _ = self.carol_opped()
        self.send(carol, "KICK #dev bob :bye")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 482 carol #dev :bob is a channel operator by account; only its owner, its operators "
                b"by account and IRC operators may kick them"
            ],
        )
        self.assertEqual(self.lines(bob_wire), [])

    def test_mode_minus_o_of_a_room_operator_by_account_by_a_mere_channel_operator_is_482(self) -> None:
        """carol, given +o, cannot MODE -o bob, a room operator by account, nor alice, the owner: 482 as KICK is,
        and nobody sees a MODE."""
        carol, wire, bob_wire, alice_wire = self.carol_opped()
        self.send(carol, "MODE #dev -o bob")
        self.send(carol, "MODE #dev -o alice")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 482 carol #dev :bob is a channel operator by account; only its owner, its operators "
                b"by account and IRC operators may deop them",
                b":testhost 482 carol #dev :alice owns the channel; only IRC operators may deop them",
            ],
        )
        self.assertEqual(self.lines(bob_wire), [])
        self.assertEqual(self.lines(alice_wire), [])


class MuteTests(IRCTestCase):
    def test_a_channel_operator_reads_a_notice_of_a_members_mute(self) -> None:
        """carol made #class on IRC; an operator mutes bob, who is in it: she reads the server's NOTICE saying
        so, as an operator on IRC does."""
        carol, wire = self.irc_user("carol")
        self.send(carol, "JOIN #class")
        op, _ = self.operator(b"op")
        bob, _ = self.connect(b"bob")
        bob.dataReceived(b"/join #class\n")
        self.lines(wire)
        op.dataReceived(b"/mute bob\n")
        self.assertEqual(self.lines(wire), [b":testhost NOTICE * :op muted bob"])


class LookAlikeTests(IRCTestCase):
    def test_401_names_a_look_alike_online_and_nothing_reaches_them(self) -> None:
        """Only zed with a Cyrillic e is online: KICK, PRIVMSG and WHOIS zed are 401 naming the look-alike."""
        alice, wire = self.irc_user("alice")
        _, alike_wire = self.connect("z\u0435d".encode())
        self.send(alice, "JOIN #dev")
        self.lines(wire)
        self.lines(alike_wire)
        self.send(alice, "KICK #dev zed", "PRIVMSG zed :hi", "WHOIS zed")
        alike = "z\u0435d is online, a different nick that looks like it"
        self.assertEqual(
            self.lines(wire),
            [
                f":testhost 401 alice zed :No such nick; {alike}".encode(),
                f":testhost 401 alice zed :No such nick; {alike}".encode(),
                f":testhost 401 alice zed :No such nick/channel; {alike}".encode(),
                b":testhost 318 alice zed :End of /WHOIS list",
            ],
        )
        self.assertEqual(self.lines(alike_wire), [])


class UserModeTests(IRCTestCase):
    def test_user_modes_are_kept_and_shown(self) -> None:
        """MODE nick +iwx is echoed as MODE +iw (x is 501) and read back as 221; another's modes are 502, nobody's
        401."""
        alice, wire = self.irc_user("alice")
        self.connect(b"bob")
        self.send(alice, "MODE alice +iwx", "MODE alice", "MODE bob +i", "MODE nobody +i")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 501 alice :Unknown MODE flag",
                b":alice!alice@chatd MODE alice +iw",
                b":testhost 221 alice +iw",
                b":testhost 502 alice :Cant change mode for other users",
                b":testhost 401 alice nobody :No such nick",
            ],
        )

    def test_a_user_mode_change_is_echoed_as_its_net_change(self) -> None:
        """MODE nick +iw-i sets w alone, and is echoed as that: +w, not +iw-i or +i-i; a change that changes nothing
        (+i-i) is echoed not at all."""
        alice, wire = self.irc_user("alice")
        self.send(alice, "MODE alice +iw-i", "MODE alice +i-i", "MODE alice", "MODE alice -w+i")
        self.assertEqual(
            self.lines(wire),
            [
                b":alice!alice@chatd MODE alice +w",
                b":testhost 221 alice +w",
                b":alice!alice@chatd MODE alice +i-w",
            ],
        )
