"""Questions over IRC: WHO, WHOX, WHOIS, WHOWAS, ISON, USERHOST, LUSERS, TIME, HELP (chatd.irc.queries)."""

from chatd.irc.commands import COMMANDS
from tests.irc import IRCTestCase


class QueryTests(IRCTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.bob, _ = self.connect(b"bob")
        self.bob.dataReceived(b"/away lunch\n")
        self.alice, self.wire = self.irc_user("alice")
        self.send(self.alice, "JOIN #lobby")
        self.lines(self.wire)

    def test_who_room_and_whox(self) -> None:
        """WHO #room is a 352 per member then 315; WHOX gives the fields asked, with the token."""
        self.send(self.alice, "WHO #lobby", "WHO #lobby %tnfa,7")
        self.assertEqual(
            self.lines(self.wire),
            [
                b":testhost 352 alice #lobby bob chatd testhost bob G :0 bob",
                b":testhost 352 alice #lobby alice chatd testhost alice H :0 alice",
                b":testhost 315 alice #lobby :End of WHO list",
                b":testhost 354 alice 7 bob G :0",
                b":testhost 354 alice 7 alice H :0",
                b":testhost 315 alice #lobby :End of WHO list",
            ],
        )

    def test_a_whox_token_not_of_one_to_three_digits_is_given_as_0(self) -> None:
        """A WHOX token is up to three digits (IRCv3 WHOX); a longer one, or one not of digits, is given back as
        ``0``, as charybdis and UnrealIRCd give it, not echoed."""
        self.send(self.alice, "WHO bob %tn,12345", "WHO bob %tn,abc", "WHO bob %tn,999")
        self.assertEqual(
            [line for line in self.lines(self.wire) if b" 354 " in line],
            [b":testhost 354 alice 0 :bob", b":testhost 354 alice 0 :bob", b":testhost 354 alice 999 :bob"],
        )

    def test_whois_shows_rooms_away_and_end(self) -> None:
        """WHOIS: 311, 312, 319, 301, 318; an unknown nick 401 then 318."""
        self.send(self.alice, "WHOIS bob", "WHOIS nobody")
        self.assertEqual(
            self.lines(self.wire),
            [
                b":testhost 311 alice bob bob chatd * :bob",
                b":testhost 312 alice bob testhost :chatd",
                b":testhost 319 alice bob :#lobby",
                b":testhost 301 alice bob :lunch",
                b":testhost 318 alice bob :End of /WHOIS list",
                b":testhost 401 alice nobody :No such nick/channel",
                b":testhost 318 alice nobody :End of /WHOIS list",
            ],
        )

    def test_whois_marks_the_rooms_where_the_user_has_standing(self) -> None:
        """319 marks a room where bob is an operator @ (and voiced too, +, with multi-prefix)."""
        carol, carol_wire = self.irc_user("carol", "multi-prefix")
        self.bob.dataReceived(b"/join #made\n/mode #made +v bob\n")
        self.send(self.alice, "WHOIS bob")
        self.send(carol, "WHOIS bob")
        self.assertIn(b":testhost 319 alice bob :#lobby @#made", self.lines(self.wire))
        self.assertIn(b":testhost 319 carol bob :#lobby @+#made", self.lines(carol_wire))

    def test_whois_shows_an_operator_the_address(self) -> None:
        """An operator's WHOIS adds 378 with where the user connects from."""
        self.send(self.alice, "OPER boss :correct horse", "WHOIS bob")
        lines = self.lines(self.wire)
        self.assertEqual(
            lines[:2],
            [b":testhost 381 alice :You are now an IRC operator", b":alice!alice@chatd MODE alice +o"],
        )
        self.assertIn(b":testhost 378 alice bob :is connecting from *@127.0.0.1 127.0.0.1", lines)

    def test_an_oper_on_any_connection_is_381_and_mode_to_every_irc_connection_of_the_user(self) -> None:
        """carol's OPER over IRC is 381 and her MODE +o on both her IRC connections (as Ergo tells every session)
        and the notice on nc; the asker's, in its labelled batch, once."""
        nc, nc_wire = self.connect(b"carol")
        nc.dataReceived(b"/register sesame12\n")
        clients = []
        for _ in range(2):
            client, wire = self.irc_connect()
            self.send(
                client, "CAP REQ :labeled-response batch", "PASS sesame12", "NICK carol", "USER c 0 * :C"
            )
            self.send(client, "CAP END")
            clients.append((client, wire))
        self.lines(nc_wire)
        for _, wire in clients:
            self.lines(wire)
        told = [b":testhost 381 carol :You are now an IRC operator", b":carol!carol@chatd MODE carol +o"]
        self.send(clients[0][0], "@label=o OPER boss :correct horse")
        asker = self.lines(clients[0][1])
        self.assertEqual([line.split(b" ", 1)[1] for line in asker[1:-1]], told, asker)
        self.assertEqual(self.lines(clients[1][1]), told)
        self.assertEqual(self.lines(nc_wire), [b"*** You are now an operator."])
        self.send(clients[0][0], "OPER boss :correct horse")
        self.assertEqual(self.lines(clients[0][1]), told[:1], "an operator already: 381, no MODE")
        self.assertEqual(self.lines(clients[1][1]), [])

    def test_an_oper_on_nc_is_381_and_mode_to_the_users_irc_connection(self) -> None:
        """/oper on nc: carol's IRC connection of the same account is told 381 and MODE +o as it happens."""
        nc, _ = self.connect(b"carol")
        nc.dataReceived(b"/register sesame12\n")
        client, wire = self.irc_connect()
        self.send(client, "PASS sesame12", "NICK carol", "USER c 0 * :C")
        self.lines(wire)
        nc.dataReceived(b"/oper boss correct horse\n")
        self.assertEqual(
            self.lines(wire),
            [b":testhost 381 carol :You are now an IRC operator", b":carol!carol@chatd MODE carol +o"],
        )

    def test_wrong_oper_password_is_464(self) -> None:
        """A wrong OPER password is 464."""
        self.send(self.alice, "OPER boss wrong")
        self.clock.advance(5)
        self.assertEqual(self.lines(self.wire), [b":testhost 464 alice :Password incorrect"])

    def test_oper_throttled_for_one_second_more_says_second(self) -> None:
        """After three wrong OPER passwords, one more a second before the minute is up is told "1 second"."""
        self.send(self.alice, "OPER boss a", "OPER boss b", "OPER boss c")
        self.clock.pump([1, 2, 4])
        self.lines(self.wire)
        self.clock.advance(52)
        self.send(self.alice, "OPER boss :correct horse")
        self.assertEqual(
            self.lines(self.wire),
            [b":testhost FAIL OPER THROTTLED :Too many wrong passwords; try again in 1 second"],
        )

    def test_ison_userhost_and_whowas(self) -> None:
        """ISON lists those online as they show; USERHOST marks the away with -; WHOWAS keeps no record."""
        self.send(self.alice, "ISON BOB nobody alice", "USERHOST bob alice", "WHOWAS carol")
        self.assertEqual(
            self.lines(self.wire),
            [
                b":testhost 303 alice :bob alice",
                b":testhost 302 alice :bob=-bob@chatd alice=+alice@chatd",
                b":testhost 406 alice carol :There was no such nickname",
                b":testhost 369 alice carol :End of WHOWAS",
            ],
        )

    def test_whowas_tells_when_a_nickname_was_given_up(self) -> None:
        """A user who quit and one who renamed are in WHOWAS, newest first, with when."""
        carol, _ = self.irc_user("carol")
        self.clock.advance(60)
        self.send(carol, "NICK caroline")
        self.clock.advance(60)
        self.send(carol, "QUIT")
        self.send(self.alice, "WHOWAS CAROL", "WHOWAS caroline 1")
        self.assertEqual(
            self.lines(self.wire),
            [
                b":testhost 314 alice carol carol chatd * :carol",
                b":testhost 312 alice carol testhost :1970-01-01 00:01:00 UTC",
                b":testhost 369 alice CAROL :End of WHOWAS",
                b":testhost 314 alice caroline caroline chatd * :caroline",
                b":testhost 312 alice caroline testhost :1970-01-01 00:02:00 UTC",
                b":testhost 369 alice caroline :End of WHOWAS",
            ],
        )

    def test_whowas_counts_of_other_digits_or_many_digits_ask_for_every_record(self) -> None:
        """A count of a superscript two (a digit to str.isdigit, none to int(), which raised) or of 30 digits
        is answered as no count is."""
        carol, _ = self.irc_user("carol")
        self.send(carol, "QUIT")
        self.lines(self.wire)
        self.send(self.alice, "WHOWAS carol \u00b2", f"WHOWAS carol {'9' * 30}")
        record = [
            b":testhost 314 alice carol carol chatd * :carol",
            b":testhost 312 alice carol testhost :1970-01-01 00:00:00 UTC",
            b":testhost 369 alice carol :End of WHOWAS",
        ]
        self.assertEqual(self.lines(self.wire), record * 2)

    def test_lusers_and_time(self) -> None:
        """LUSERS counts everyone online, whichever front end; TIME is the server's clock."""
        self.clock.advance(3600)
        self.send(self.alice, "LUSERS", "TIME")
        self.assertEqual(
            self.lines(self.wire),
            [
                b":testhost 251 alice :There are 2 users and 0 invisible on 1 servers",
                b":testhost 252 alice 0 :operator(s) online",
                b":testhost 254 alice 1 :channels formed",
                b":testhost 255 alice :I have 2 clients and 0 servers",
                b":testhost 265 alice 2 2 :Current local users 2, max 2",
                b":testhost 266 alice 2 2 :Current global users 2, max 2",
                b":testhost 391 alice testhost :Thursday January 01 1970 -- 01:00:00 UTC",
            ],
        )

    def test_lusers_counts_users_operators_rooms_and_connections_apart(self) -> None:
        """LUSERS: a user on two connections is one user and two clients, an operator is counted, a secret room
        too, and the most users online at once stays after one leaves."""
        self.bob.dataReceived(b"/register hunter22\n/join #hidden\n/mode #hidden +s\n")
        again, _ = self.connect(b"guest")
        again.dataReceived(b"/identify bob hunter22\n")
        carol, _ = self.irc_user("carol")
        self.send(carol, "QUIT")
        self.send(self.alice, "OPER boss :correct horse")
        self.lines(self.wire)
        self.send(self.alice, "LUSERS")
        self.assertEqual(
            self.lines(self.wire),
            [
                b":testhost 251 alice :There are 2 users and 0 invisible on 1 servers",
                b":testhost 252 alice 1 :operator(s) online",
                b":testhost 254 alice 2 :channels formed",
                b":testhost 255 alice :I have 3 clients and 0 servers",
                b":testhost 265 alice 2 3 :Current local users 2, max 3",
                b":testhost 266 alice 2 3 :Current global users 2, max 3",
            ],
        )

    def test_kill_of_someone_in_no_room_of_the_operators_is_a_notice_to_them_not_a_quit(self) -> None:
        """The QUIT of a KILL goes to the victim's roommates: an operator sharing no room reads one NOTICE from the
        server instead, one sharing a room reads the QUIT alone, and nobody else reads either."""
        _, dave_wire = self.irc_user("dave")
        erin, erin_wire = self.irc_user("erin")
        self.send(erin, "JOIN #lobby")
        self.send(self.alice, "OPER boss :correct horse")
        self.lines(self.wire)
        self.lines(self.wires[0])
        self.send(self.alice, "KILL dave :spam")
        self.assertEqual(self.lines(self.wire), [b":testhost NOTICE alice :dave was killed by alice (spam)"])
        self.assertEqual(
            self.lines(dave_wire),
            [
                b":dave!dave@chatd QUIT :Killed (alice (spam))",
                b"ERROR :Closing Link: 127.0.0.1 (Killed (alice (spam)))",
            ],
        )
        self.assertEqual(self.lines(self.wires[0]), [])
        self.lines(erin_wire)
        self.send(self.alice, "KILL erin")
        self.assertEqual(self.lines(self.wire), [b":erin!erin@chatd QUIT :Killed (alice)"])
        self.assertEqual(self.lines(self.wires[0]), [b"[00:00] -- erin was killed by alice"])

    def test_help_lists_every_command_and_explains_one(self) -> None:
        """HELP lists the table; HELP JOIN its usage; HELP FROB is 524."""
        self.send(self.alice, "HELP")
        lines = self.lines(self.wire)
        self.assertEqual(len(lines), len(COMMANDS) + 2)
        self.send(self.alice, "HELP join", "HELP frob")
        self.assertEqual(
            self.lines(self.wire),
            [
                b":testhost 704 alice JOIN :JOIN: JOIN #room[,#room] [key[,key]] | 0",
                b":testhost 705 alice JOIN :JOIN - join rooms, with their keys (0 leaves them all)",
                b":testhost 706 alice JOIN :End of /HELP",
                b":testhost 524 alice FROB :No help available on this topic",
            ],
        )

    def test_wallops_reaches_everyone_from_an_operator_only(self) -> None:
        """WALLOPS from a non-operator is 481; from an operator every user reads it."""
        self.send(self.alice, "WALLOPS :hear ye")
        self.assertEqual(
            self.lines(self.wire), [b":testhost 481 alice :Permission Denied- You're not an IRC operator"]
        )
        self.send(self.alice, "OPER boss :correct horse", "WALLOPS :hear ye")
        self.assertEqual(self.lines(self.wire)[-1], b":alice!alice@chatd WALLOPS :hear ye")
        self.assertEqual(self.lines(self.wires[0])[-1], b"[00:00] -- alice to everyone: hear ye")

    def test_kill_takes_someone_off_and_the_room_reads_quit(self) -> None:
        """An operator's KILL: the room reads the victim's QUIT, the victim ERROR and the close; non-operators 481."""
        carol, carol_wire = self.irc_user("carol")
        self.send(carol, "JOIN #lobby")
        self.lines(carol_wire)
        self.lines(self.wire)
        self.send(carol, "KILL bob :spam")
        self.assertEqual(
            self.lines(carol_wire), [b":testhost 481 carol :Permission Denied- You're not an IRC operator"]
        )
        self.send(self.alice, "OPER boss :correct horse", "KILL carol :spam")
        self.assertEqual(self.lines(self.wire)[-1], b":carol!carol@chatd QUIT :Killed (alice (spam))")
        self.assertEqual(
            self.lines(carol_wire),
            [
                b":carol!carol@chatd QUIT :Killed (alice (spam))",
                b"ERROR :Closing Link: 127.0.0.1 (Killed (alice (spam)))",
            ],
        )
        self.assertTrue(carol_wire.disconnecting)
        self.send(self.alice, "KILL alice")
        self.assertEqual(
            self.lines(self.wire), [b":testhost FAIL KILL KILL_SELF :Use QUIT to leave the server"]
        )
