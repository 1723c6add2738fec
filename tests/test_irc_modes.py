"""Room modes over IRC: MODE letters on the chat's settings and standing, INVITE, keys (chatd.irc.modes)."""

from tests.irc import IRCTestCase


class ModeTests(IRCTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.alice, self.wire = self.irc_user("alice", "multi-prefix")
        self.bob, self.bob_wire = self.irc_user("bob")
        self.send(self.alice, "JOIN #x")
        self.send(self.bob, "JOIN #x")
        self.lines(self.wire)
        self.lines(self.bob_wire)

    def test_maker_is_operator_in_names(self) -> None:
        """The room's maker is @ in NAMES."""
        self.send(self.bob, "NAMES #x")
        self.assertEqual(self.lines(self.bob_wire)[0], b":testhost 353 bob = #x :@alice bob")

    def test_several_changes_are_one_mode_line_to_everyone(self) -> None:
        """MODE #x +kl-n secret 5: one MODE line with the changes made; 324 shows them (the key to members)."""
        self.send(self.alice, "MODE #x +kl secret 5")
        line = b":alice!alice@chatd MODE #x +kl secret 5"
        self.assertEqual(self.lines(self.wire), [line])
        self.assertEqual(self.lines(self.bob_wire), [line])
        self.send(self.bob, "MODE #x")
        self.assertEqual(self.lines(self.bob_wire), [b":testhost 324 bob #x +nkl secret 5"])

    def test_key_is_needed_to_join(self) -> None:
        """A keyed room refuses a join without it (475) and takes one with it."""
        self.send(self.alice, "MODE #x +k sesame")
        carol, wire = self.irc_user("carol")
        self.send(carol, "JOIN #x", "JOIN #x sesame")
        lines = self.lines(wire)
        self.assertEqual(lines[0], b":testhost 475 carol #x :Cannot join channel (+k)")
        self.assertEqual(lines[1], b":carol!carol@chatd JOIN #x")

    def test_invite_only_and_invite(self) -> None:
        """+i refuses a join (473) until an INVITE: 341 to the inviter, INVITE to the invited."""
        self.send(self.alice, "MODE #x +i")
        carol, wire = self.irc_user("carol")
        self.send(carol, "JOIN #x")
        self.assertEqual(self.lines(wire), [b":testhost 473 carol #x :Cannot join channel (+i)"])
        self.lines(self.wire)
        self.send(self.alice, "INVITE carol #x")
        self.assertEqual(self.lines(self.wire), [b":testhost 341 alice carol #x"])
        self.assertEqual(self.lines(wire), [b":alice!alice@chatd INVITE carol #x"])
        self.send(carol, "JOIN #x")
        self.assertEqual(self.lines(wire)[0], b":carol!carol@chatd JOIN #x")

    def test_limit_fills_the_room(self) -> None:
        """+l 2 with two members refuses a third (471)."""
        self.send(self.alice, "MODE #x +l 2")
        carol, wire = self.irc_user("carol")
        self.send(carol, "JOIN #x")
        self.assertEqual(self.lines(wire), [b":testhost 471 carol #x :Cannot join channel (+l)"])

    def test_moderated_needs_voice(self) -> None:
        """+m: bob's PRIVMSG is 404 until he is given +v; NAMES then shows him +."""
        self.send(self.alice, "MODE #x +m")
        self.lines(self.bob_wire)
        self.send(self.bob, "PRIVMSG #x :hello?")
        self.assertEqual(self.lines(self.bob_wire), [b":testhost 404 bob #x :Cannot send to channel (+m)"])
        self.send(self.alice, "MODE #x +v bob")
        self.send(self.bob, "PRIVMSG #x :thanks")
        self.assertEqual(
            self.lines(self.wire),
            [
                b":alice!alice@chatd MODE #x +m",
                b":alice!alice@chatd MODE #x +v bob",
                b":bob!bob@chatd PRIVMSG #x :thanks",
            ],
        )

    def test_registered_only_refuses_a_join_until_logged_in(self) -> None:
        """+R: carol's JOIN is 477 (Ergo's numeric for it) until she registers an account; 324 shows R."""
        self.send(self.alice, "MODE #x +R")
        self.assertEqual(self.lines(self.bob_wire), [b":alice!alice@chatd MODE #x +R"])
        carol, wire = self.irc_user("carol")
        self.send(carol, "JOIN #x", "MODE #x")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 477 carol #x :Cannot join channel (+R) - you must be identified to an account",
                b":testhost 324 carol #x +nR",
            ],
        )
        self.send(carol, "REGISTER * * sesame12")
        self.lines(wire)
        self.send(carol, "JOIN #x")
        self.assertEqual(self.lines(wire)[0], b":carol!carol@chatd JOIN #x")

    def test_registered_speech_needs_an_account_or_voice(self) -> None:
        """+M: bob's PRIVMSG is 404 until he is voiced, and again once not, until he registers an account."""
        self.send(self.alice, "MODE #x +M")
        self.lines(self.bob_wire)
        self.send(self.bob, "PRIVMSG #x :hello?")
        self.assertEqual(
            self.lines(self.bob_wire),
            [b":testhost 404 bob #x :Cannot send to channel (+M) - you must be identified to an account"],
        )
        self.send(self.alice, "MODE #x +v bob")
        self.send(self.bob, "PRIVMSG #x :voiced", "REGISTER * * sesame12")
        self.send(self.alice, "MODE #x -v bob")
        self.send(self.bob, "PRIVMSG #x :registered")
        said = [line for line in self.lines(self.wire) if b"PRIVMSG" in line]
        self.assertEqual(
            said, [b":bob!bob@chatd PRIVMSG #x :voiced", b":bob!bob@chatd PRIVMSG #x :registered"]
        )

    def test_operator_standing_and_multi_prefix(self) -> None:
        """+o and +v on bob: with multi-prefix NAMES shows @+bob, without only @bob."""
        self.send(self.alice, "MODE #x +ov bob bob", "NAMES #x")
        self.send(self.bob, "NAMES #x")
        self.assertEqual(self.lines(self.wire)[1], b":testhost 353 alice = #x :@alice @+bob")
        self.assertEqual(self.lines(self.bob_wire)[1], b":testhost 353 bob = #x :@alice @bob")

    def test_ban_mask_keeps_out_and_is_listed(self) -> None:
        """+b carol!*@* keeps carol out (474); MODE #x +b lists it (367, 368)."""
        self.send(self.alice, "MODE #x +b carol!*@*")
        self.lines(self.wire)
        carol, wire = self.irc_user("carol")
        self.send(carol, "JOIN #x")
        self.assertEqual(self.lines(wire), [b":testhost 474 carol #x :Cannot join channel (+b)"])
        self.send(self.alice, "MODE #x b")
        lines = self.lines(self.wire)
        self.assertRegex(lines[0], rb"^:testhost 367 alice #x carol!\*@\* alice \d+$")
        self.assertEqual(lines[1], b":testhost 368 alice #x :End of channel ban list")

    def test_non_operator_cannot_change_modes(self) -> None:
        """bob, not an operator of #x, reads 482 and nothing changes."""
        self.send(self.bob, "MODE #x +i")
        self.assertEqual(self.lines(self.bob_wire), [b":testhost 482 bob #x :You're not channel operator"])
        self.assertEqual(self.lines(self.wire), [])

    def test_unknown_letter_and_bad_limit(self) -> None:
        """An unknown letter is 472; a limit that is no number is 696 and nothing changes."""
        self.send(self.alice, "MODE #x +z", "MODE #x +l many")
        self.assertEqual(
            self.lines(self.wire),
            [
                b":testhost 472 alice z :is unknown mode char to me",
                b":testhost 696 alice #x l many :The limit must be a number from 1 to 100000",
            ],
        )

    def test_a_refused_change_makes_none_of_the_others(self) -> None:
        """An unknown letter, a bad limit or a missing nickname beside +t/-t: the refusal, and the lock unchanged,
        nobody told of anything; a bad key names the room (525)."""
        self.send(self.alice, "MODE #x +tz", "MODE #x +tl abc", "MODE #x +tk a,b")
        self.assertEqual(
            self.lines(self.wire),
            [
                b":testhost 472 alice z :is unknown mode char to me",
                b":testhost 696 alice #x l abc :The limit must be a number from 1 to 100000",
                b":testhost 525 alice #x :Key is not well-formed (at most 23 characters, no spaces or commas)",
            ],
        )
        self.send(self.alice, "MODE #x +t")
        self.lines(self.wire)
        self.send(self.alice, "MODE #x -t+o nobody")
        self.assertEqual(self.lines(self.wire), [b":testhost 401 alice nobody :No such nick"])
        self.clock.advance(10)  # alice's flood budget, spent on the refusals, comes back
        self.send(self.alice, "MODE #x")
        self.assertEqual(self.lines(self.wire), [b":testhost 324 alice #x +nt"])
        self.assertEqual(self.lines(self.bob_wire), [b":alice!alice@chatd MODE #x +t"])

    def test_more_changes_than_modes_allows_are_refused_whole_saying_why(self) -> None:
        """Five +v with five nicknames, past MODES=4: one FAIL saying so, not 461, and nobody is voiced; four pass."""
        self.send(self.alice, "MODE #x +vvvvv bob bob bob bob bob", "NAMES #x")
        self.assertEqual(
            self.lines(self.wire),
            [
                b":testhost FAIL MODE TOO_MANY_MODES :At most 4 mode changes with a parameter in one MODE "
                b"(MODES=4); nothing changed",
                b":testhost 353 alice = #x :@alice bob",
                b":testhost 366 alice #x :End of /NAMES list",
            ],
        )
        self.assertEqual(self.lines(self.bob_wire), [])
        self.send(self.alice, "MODE #x +vvvv bob bob bob bob")
        self.assertEqual(self.lines(self.bob_wire), [b":alice!alice@chatd MODE #x +v bob"])

    def test_a_letter_short_of_its_argument_is_one_461(self) -> None:
        """+vo with one nickname: one 461 for the MODE, and nothing changes."""
        self.send(self.alice, "MODE #x +vo bob")
        self.assertEqual(self.lines(self.wire), [b":testhost 461 alice MODE :Not enough parameters"])
        self.assertEqual(self.lines(self.bob_wire), [])

    def test_topic_lock_follows_the_other_changes_and_only_when_it_changes(self) -> None:
        """+mtk: the modes as one line, then +t; +t again changes nothing, so nobody is told."""
        self.send(self.alice, "MODE #x +mtk key1", "MODE #x +t")
        self.assertEqual(
            self.lines(self.bob_wire),
            [b":alice!alice@chatd MODE #x +mk key1", b":alice!alice@chatd MODE #x +t"],
        )
        self.send(self.bob, "MODE #x +t")
        self.assertEqual(self.lines(self.bob_wire), [b":testhost 482 bob #x :You're not channel operator"])

    def test_a_banned_member_speaking_cannot_send(self) -> None:
        """bob, still in #x once +b matches him, is told he cannot send (404), not that he cannot join."""
        self.send(self.alice, "MODE #x +b bob!*@*")
        self.lines(self.bob_wire)
        self.send(self.bob, "PRIVMSG #x :can I talk")
        self.assertEqual(self.lines(self.bob_wire), [b":testhost 404 bob #x :Cannot send to channel (+b)"])

    def test_the_masks_irc_clients_make_of_a_member_cover_them(self) -> None:
        """irssi's /ban bob sets *!*bob@chatd and WeeChat's *!bob@chatd, from how chatd shows bob: either keeps
        bob from speaking (404) and from joining again (474), and neither covers alice."""
        for mask in ("*!*bob@chatd", "*!bob@chatd"):
            self.send(self.alice, f"MODE #x +b {mask}")
            self.lines(self.bob_wire)
            self.send(self.bob, "PRIVMSG #x :can I talk")
            self.assertEqual(
                self.lines(self.bob_wire), [b":testhost 404 bob #x :Cannot send to channel (+b)"]
            )
            self.send(self.alice, "PRIVMSG #x :I can")
            self.assertEqual(self.lines(self.bob_wire), [b":alice!alice@chatd PRIVMSG #x :I can"])
            self.send(self.bob, "PART #x", "JOIN #x")
            self.assertEqual(
                self.lines(self.bob_wire),
                [b":bob!bob@chatd PART #x", b":testhost 474 bob #x :Cannot join channel (+b)"],
            )
            self.send(self.alice, f"MODE #x -b {mask}")
            self.send(self.bob, "JOIN #x")
            self.lines(self.wire)
            self.lines(self.bob_wire)

    def test_a_mask_with_a_user_part_covers_that_nickname_alone(self) -> None:
        """IRC shows everyone as nick!nick@chatd, so *!bob@* means bob: he cannot send (404), while carol, whom
        the mask does not name, talks and joins as before."""
        carol, carol_wire = self.irc_user("carol")
        self.send(carol, "JOIN #x")
        self.send(self.alice, "MODE #x +b *!bob@*")
        for wire in (self.wire, self.bob_wire, carol_wire):
            self.lines(wire)
        self.send(self.bob, "PRIVMSG #x :can I talk")
        self.assertEqual(self.lines(self.bob_wire), [b":testhost 404 bob #x :Cannot send to channel (+b)"])
        self.send(carol, "PRIVMSG #x :I can", "PART #x", "JOIN #x")
        self.assertEqual(self.lines(self.bob_wire)[0], b":carol!carol@chatd PRIVMSG #x :I can")
        self.assertEqual(
            self.lines(carol_wire)[:2], [b":carol!carol@chatd PART #x", b":carol!carol@chatd JOIN #x"]
        )

    def test_nc_user_sees_irc_mode_changes(self) -> None:
        """A MODE made on IRC reaches an nc member of the room in its own words."""
        line, line_wire = self.connect(b"dave")
        line.dataReceived(b"/join #x\n")
        self.lines(line_wire)
        self.send(self.alice, "MODE #x +m")
        self.assertEqual(self.lines(line_wire), [b"[00:00] #x -- alice made the room moderated"])
