"""Coming online over IRC: CAP, NICK, USER, PASS, SASL, the welcome burst, PING and QUIT (chatd.irc.registration)."""

import base64

from chatd.frontend.oper import PAUSE_SECONDS
from chatd.irc.caps import CAPS
from tests.irc import IRCTestCase


def plain(name: str, password: str) -> str:
    """SASL PLAIN's payload for ``name`` and ``password``."""
    return base64.b64encode(f"\0{name}\0{password}".encode()).decode()


class RegistrationTests(IRCTestCase):
    def test_client_that_never_sends_cap_registers_with_nick_and_user(self) -> None:
        """NICK and USER alone register: 001 to 005, LUSERS and the MOTD, in that order."""
        client, wire = self.irc_connect()
        self.send(client, "NICK alice", "USER a 0 * :Alice Liddell")
        lines = self.lines(wire)
        self.assertEqual(
            [line.split(b" ")[1] for line in lines],
            [
                b"001",
                b"002",
                b"003",
                b"004",
                b"005",
                b"005",
                b"251",
                b"252",
                b"254",
                b"255",
                b"265",
                b"266",
                b"375",
                b"372",
                b"376",
            ],
        )
        self.assertEqual(
            lines[0], b":testhost 001 alice :Welcome to the chatd IRC network, alice!alice@chatd"
        )
        self.assertIn(b" UTF8ONLY ", lines[5] + b" ")
        self.assertEqual(lines[13], b":testhost 372 alice :- Be kind.")
        self.assertEqual(self.chat.online("ALICE"), "alice")

    def test_registration_waits_for_cap_end_once_cap_began(self) -> None:
        """After CAP LS, NICK and USER do not register until CAP END."""
        client, wire = self.irc_connect()
        self.send(client, "CAP LS 302", "NICK alice", "USER a 0 * :Alice")
        lines = self.lines(wire)
        self.assertEqual(len(lines), 1)
        self.assertTrue(
            lines[0].startswith(
                b":testhost CAP * LS :account-notify account-tag away-notify batch cap-notify "
            )
        )
        self.assertIn(b"sasl=PLAIN", lines[0])
        self.send(client, "CAP END")
        self.assertTrue(self.lines(wire)[0].startswith(b":testhost 001 alice "))

    def test_cap_ls_without_302_shows_no_values(self) -> None:
        """A client that did not ask for 302 reads the names alone."""
        client, wire = self.irc_connect()
        self.send(client, "CAP LS")
        self.assertEqual(self.lines(wire), [f":testhost CAP * LS :{' '.join(sorted(CAPS))}".encode()])

    def test_cap_ls_of_other_digits_is_no_version_and_of_many_digits_a_later_one(self) -> None:
        """CAP LS with a superscript two (a digit to str.isdigit, none to int(), which raised) is CAP LS alone;
        with a version of 30 digits, one past 302, the values too."""
        client, wire = self.irc_connect()
        self.send(client, "CAP LS \u00b2")
        self.assertEqual(self.lines(wire), [f":testhost CAP * LS :{' '.join(sorted(CAPS))}".encode()])
        self.send(client, f"CAP LS {'9' * 30}")
        self.assertIn(b"sasl=PLAIN", self.lines(wire)[0])

    def test_cap_req_acks_known_and_naks_any_unknown_whole(self) -> None:
        """CAP REQ takes all or nothing: one unknown capability refuses the lot."""
        client, wire = self.irc_connect()
        self.send(client, "CAP REQ :server-time echo-message", "CAP REQ :server-time bogus", "CAP LIST")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost CAP * ACK :server-time echo-message",
                b":testhost CAP * NAK :server-time bogus",
                b":testhost CAP * LIST :echo-message server-time",
            ],
        )

    def test_nickname_in_use_is_433_and_another_may_follow(self) -> None:
        """A taken nickname leaves the client unregistered; the next NICK registers it."""
        self.connect(b"alice")
        client, wire = self.irc_connect()
        self.send(client, "NICK alice", "USER a 0 * :A")
        self.assertEqual(self.lines(wire), [b":testhost 433 * alice :Nickname is already in use"])
        self.send(client, "NICK alice2")
        self.assertTrue(self.lines(wire)[0].startswith(b":testhost 001 alice2 "))

    def test_erroneous_nickname_is_432(self) -> None:
        """A nickname chatd's rules refuse is 432, naming the rule."""
        client, wire = self.irc_connect()
        self.send(client, "NICK 9lives")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 432 * 9lives :Erroneous nickname: a nickname cannot start with a digit, '-' or a mark"
            ],
        )

    def test_no_nickname_is_431_and_missing_parameters_461(self) -> None:
        """NICK with nothing is 431; USER with too few parameters 461."""
        client, wire = self.irc_connect()
        self.send(client, "NICK", "USER a 0")
        self.assertEqual(
            self.lines(wire),
            [b":testhost 431 * :No nickname given", b":testhost 461 * USER :Not enough parameters"],
        )

    def test_user_with_an_empty_real_name_is_461_and_may_be_sent_again(self) -> None:
        """USER whose real name is empty is 461, as Ergo answers it, and registers nobody; a USER sent after it
        registers."""
        client, wire = self.irc_connect()
        self.send(client, "NICK alice", "USER a b c :")
        self.assertEqual(self.lines(wire), [b":testhost 461 alice USER :Not enough parameters"])
        self.send(client, "USER a 0 * :Alice")
        self.assertEqual(
            self.lines(wire)[0], b":testhost 001 alice :Welcome to the chatd IRC network, alice!alice@chatd"
        )

    def test_commands_before_registration_are_451(self) -> None:
        """JOIN before registering is 451; so is a command chatd does not know."""
        client, wire = self.irc_connect()
        self.send(client, "JOIN #lobby", "FROB")
        self.assertEqual(
            self.lines(wire),
            [b":testhost 451 * :You have not registered", b":testhost 451 * :You have not registered"],
        )

    def test_unknown_command_after_registration_is_421(self) -> None:
        """An unknown command is 421, and the connection goes on."""
        client, wire = self.irc_user("alice")
        self.send(client, "FROB x", "PING :tok")
        self.assertEqual(
            self.lines(wire),
            [b":testhost 421 alice FROB :Unknown command", b":testhost PONG testhost tok"],
        )

    def quitting(self, reason: str) -> tuple[list[bytes], list[bytes], bool]:
        """alice on IRC, in #lobby with bob on the line port, quits with ``reason``: the lines she reads, those bob
        reads, and whether her connection is closing."""
        client, wire = self.irc_user("alice")
        _, line_wire = self.connect(b"bob")
        self.send(client, "JOIN #lobby")
        self.lines(wire)
        self.lines(line_wire)
        self.send(client, "QUIT :" + reason)
        return self.lines(wire), self.lines(line_wire), wire.disconnecting

    def test_quit_says_error_before_closing_and_others_see_quit(self) -> None:
        """QUIT: the client reads ERROR, then the connection closes; its rooms read QUIT."""
        self.assertEqual(
            self.quitting("gone fishing"),
            (
                [b"ERROR :Closing Link: 127.0.0.1 (Quit: gone fishing)"],
                [b"[00:00] -- alice quit (gone fishing)"],
                True,
            ),
        )

    def test_the_quitter_reads_the_reason_as_the_roommates_do(self) -> None:
        """A 300-character reason reaches the roommates, and the quitter's ERROR, as its first 200."""
        kept = ("why " * 50).encode()
        self.assertEqual(
            self.quitting("why " * 75)[:2],
            (
                [b"ERROR :Closing Link: 127.0.0.1 (Quit: " + kept + b")"],
                [b"[00:00] -- alice quit (" + kept + b")"],
            ),
        )

    def test_a_reason_the_text_rules_refuse_reaches_nobody(self) -> None:
        """A right-to-left override refuses the reason: the roommates read a quit without one, and so does the
        quitter's ERROR."""
        self.assertEqual(
            self.quitting("bye \u202e")[:2],
            ([b"ERROR :Closing Link: 127.0.0.1 (Quit)"], [b"[00:00] -- alice quit"]),
        )

    def test_unregistered_connection_is_closed_at_the_deadline(self) -> None:
        """A connection that never registers gets ERROR after the registration timeout, not before."""
        _, wire = self.irc_connect()
        self.clock.advance(self.irc_limits.register_timeout - 1)
        self.assertFalse(wire.disconnecting)
        self.clock.advance(1)
        self.assertEqual(self.lines(wire), [b"ERROR :Closing Link: 127.0.0.1 (Registration timed out)"])

    def test_silent_client_is_pinged_then_closed(self) -> None:
        """A registered client silent for a round is sent PING; silent for the next too, it is closed."""
        client, wire = self.irc_user("alice")
        round_ = self.irc_limits.ping_interval
        self.clock.advance(round_)
        self.assertEqual(self.lines(wire), [])
        self.clock.advance(round_)
        self.assertEqual(self.lines(wire), [b"PING testhost"])
        self.send(client, "PONG testhost")
        self.clock.advance(round_)
        self.clock.advance(round_)
        self.assertEqual(self.lines(wire), [b"PING testhost"])
        self.clock.advance(round_)
        self.assertEqual(self.lines(wire), [b"ERROR :Closing Link: 127.0.0.1 (Ping timeout)"])
        self.assertTrue(wire.disconnecting)


class AccountTests(IRCTestCase):
    def setUp(self) -> None:
        super().setUp()
        owner, _ = self.connect(b"alice")
        owner.dataReceived(b"/register sesame12\n")
        owner.dataReceived(b"/quit\n")
        self.end_pass()

    def test_registered_nickname_needs_its_password(self) -> None:
        """Without a password an account's nickname is refused with 433 saying how to log in."""
        client, wire = self.irc_connect()
        self.send(client, "NICK alice", "USER a 0 * :A")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 433 * alice :Nickname is registered as alice; log in with SASL or PASS, or /msg NickServ IDENTIFY alice PASSWORD",
            ],
        )

    def test_pass_before_nick_logs_in(self) -> None:
        """PASS with the account's password registers the client as the account's user: 900, then 001."""
        client, wire = self.irc_connect()
        self.send(client, "PASS sesame12", "NICK alice", "USER a 0 * :A")
        lines = self.lines(wire)
        self.assertEqual(
            lines[0], b":testhost 900 alice alice!alice@chatd alice :You are now logged in as alice"
        )
        self.assertTrue(lines[1].startswith(b":testhost 001 alice "))

    def test_wrong_pass_is_464(self) -> None:
        """A wrong PASS is 464 and the client stays unregistered."""
        client, wire = self.irc_connect()
        self.send(client, "PASS nope", "NICK alice", "USER a 0 * :A")
        self.clock.advance(PAUSE_SECONDS)
        self.assertEqual(self.lines(wire), [b":testhost 464 * :Password incorrect"])

    def test_sasl_plain_logs_in_before_registration(self) -> None:
        """CAP REQ sasl, AUTHENTICATE PLAIN, the payload: 900 and 903, then registration as the account."""
        client, wire = self.irc_connect()
        self.send(
            client, "CAP LS 302", "CAP REQ :sasl", "NICK someone", "USER a 0 * :A", "AUTHENTICATE PLAIN"
        )
        self.assertEqual(self.lines(wire)[-1], b"AUTHENTICATE +")
        self.send(client, f"AUTHENTICATE {plain('alice', 'sesame12')}")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 900 someone alice!alice@chatd alice :You are now logged in as alice",
                b":testhost 903 someone :SASL authentication successful",
            ],
        )
        self.send(client, "CAP END")
        lines = self.lines(wire)
        self.assertTrue(lines[0].startswith(b":testhost 001 alice "), lines)

    def test_sasl_900_names_the_mask_the_user_will_have(self) -> None:
        """Before USER and with another nickname, 900's mask is the account's nickname as registered, as
        registration will make it (nick!nick@chatd, as every user is shown), and its account the folded one."""
        owner, _ = self.connect(b"Zoe")
        owner.dataReceived(b"/register sesame12\n")
        owner.dataReceived(b"/quit\n")
        self.end_pass()
        client, wire = self.irc_connect()
        self.send(client, "CAP LS 302", "CAP REQ :sasl", "NICK someone", "AUTHENTICATE PLAIN")
        self.lines(wire)
        self.send(client, f"AUTHENTICATE {plain('ZOE', 'sesame12')}")
        self.assertEqual(
            self.lines(wire)[0], b":testhost 900 someone Zoe!Zoe@chatd zoe :You are now logged in as zoe"
        )
        self.send(client, "USER a 0 * :A", "CAP END")
        self.assertTrue(
            self.lines(wire)[0].startswith(
                b":testhost 001 Zoe :Welcome to the chatd IRC network, Zoe!Zoe@chatd"
            )
        )

    def test_sasl_wrong_password_is_904(self) -> None:
        """A wrong password is 904 and nothing is logged in."""
        client, wire = self.irc_connect()
        self.send(client, "CAP REQ :sasl", "AUTHENTICATE PLAIN", f"AUTHENTICATE {plain('alice', 'wrong')}")
        self.clock.advance(PAUSE_SECONDS)
        self.assertEqual(self.lines(wire)[-1], b":testhost 904 * :SASL authentication failed")

    def test_sasl_acting_as_another_account_is_904(self) -> None:
        """An authzid other than the authcid is 904 and logs in to neither; the authcid's in other case is taken."""
        owner, _ = self.connect(b"bob")
        owner.dataReceived(b"/register bobpass12\n")
        self.end_pass()
        client, wire = self.irc_connect()
        payload = base64.b64encode(b"bob\0alice\0sesame12").decode()
        self.send(client, "CAP REQ :sasl", "NICK someone", "AUTHENTICATE PLAIN", f"AUTHENTICATE {payload}")
        self.assertEqual(self.lines(wire)[-1], b":testhost 904 someone :SASL authentication failed")
        self.send(client, "USER a 0 * :A", "CAP END")
        self.assertTrue(self.lines(wire)[0].startswith(b":testhost 001 someone "))
        client, wire = self.irc_connect()
        payload = base64.b64encode(b"ALICE\0alice\0sesame12").decode()
        self.send(client, "CAP REQ :sasl", "AUTHENTICATE PLAIN", f"AUTHENTICATE {payload}")
        self.assertEqual(self.lines(wire)[-1], b":testhost 903 * :SASL authentication successful")

    def test_sasl_other_mechanism_lists_plain(self) -> None:
        """A mechanism chatd lacks is 908 (PLAIN is the one) and 904."""
        client, wire = self.irc_connect()
        self.send(client, "AUTHENTICATE EXTERNAL")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 908 * PLAIN :are available SASL mechanisms",
                b":testhost 904 * :SASL authentication failed",
            ],
        )

    def test_messages_kept_while_offline_come_after_login(self) -> None:
        """A private message sent to the account while nobody was online as it arrives on login, with its time."""
        bob, _ = self.connect(b"bob")
        self.clock.advance(90)
        bob.dataReceived(b"/msg alice see you at noon\n")
        client, wire = self.irc_connect()
        self.send(client, "CAP REQ server-time", "PASS sesame12", "NICK alice", "USER a 0 * :A", "CAP END")
        lines = self.lines(wire)
        self.assertEqual(
            lines[-2:],
            [
                b":testhost NOTICE alice :1 private message was kept for you while you were offline:",
                b"@time=1970-01-01T00:01:30.000Z :bob!bob@chatd PRIVMSG alice :see you at noon",
            ],
        )

    def test_account_notify_tells_roommates_of_a_login(self) -> None:
        """With account-notify a roommate reads ACCOUNT when an nc user in the room identifies (then their NICK)."""
        watcher, wire = self.irc_user("watcher", "account-notify")
        self.send(watcher, "JOIN #lobby")
        self.lines(wire)
        nc, _ = self.connect(b"someone")
        self.lines(wire)
        nc.dataReceived(b"/identify alice sesame12\n")
        self.assertEqual(
            self.lines(wire), [b":someone!someone@chatd ACCOUNT alice", b":someone!someone@chatd NICK alice"]
        )

    def test_logging_in_to_an_account_online_elsewhere_replays_each_room_to_its_last_line(self) -> None:
        """Joined to alice online on nc, a server-time client reads each room's JOIN burst, then its lines in a
        chathistory batch as a JOIN gives them, the last line said included."""
        alice, _ = self.connect(b"alice sesame12")
        alice.dataReceived(b"/join #h\nline one\nline two\n")
        client, wire = self.irc_connect()
        self.send(
            client, "CAP LS 302", "CAP REQ :server-time batch", "PASS sesame12", "NICK alice", "USER a 0 * :A"
        )
        self.send(client, "CAP END")
        lines = self.lines(wire)
        start = lines.index(b"@time=1970-01-01T00:00:00.000Z :alice!alice@chatd JOIN #h")
        self.assertEqual(
            lines[start + 1 : start + 3],
            [b":testhost 353 alice = #h :@alice", b":testhost 366 alice #h :End of /NAMES list"],
        )
        self.assertRegex(lines[start + 3], rb"^:testhost BATCH \+\w+ chathistory #h$")
        reference = lines[start + 3].split()[2][1:]
        self.assertEqual(
            lines[start + 4 :],
            [
                b"@time=1970-01-01T00:00:00.000Z;batch=%s :alice!alice@chatd PRIVMSG #h :line one"
                % reference,
                b"@time=1970-01-01T00:00:00.000Z;batch=%s :alice!alice@chatd PRIVMSG #h :line two"
                % reference,
                b":testhost BATCH -%s" % reference,
            ],
        )

    def test_away_from_any_connection_of_the_account_is_told_to_every_other(self) -> None:
        """An away set on nc is 306 to the IRC connections of the account; one set over IRC is one 305 to it,
        one to the other IRC connection, and the notice to the nc session."""
        alice, nc = self.connect(b"alice sesame12")
        clients = []
        for _ in range(2):
            client, wire = self.irc_connect()
            self.send(client, "PASS sesame12", "NICK alice", "USER a 0 * :A")
            clients.append((client, wire))
        self.lines(nc)
        for _, wire in clients:
            self.lines(wire)
        alice.dataReceived(b"/away lunch\n")
        self.assertEqual(self.lines(nc), [b"*** You are marked as away."])
        for _, wire in clients:
            self.assertEqual(self.lines(wire), [b":testhost 306 alice :You have been marked as being away"])
        self.send(clients[0][0], "AWAY")
        back = [b":testhost 305 alice :You are no longer marked as being away"]
        for _, wire in clients:
            self.assertEqual(self.lines(wire), back)
        self.assertEqual(self.lines(nc), [b"*** You are back."])

    def test_logging_in_to_an_account_away_elsewhere_reads_306_after_the_welcome(self) -> None:
        """alice is away on nc: her new IRC connection reads 306 after the MOTD, before the JOIN of her room, so
        the client shows her away and its AWAY (back) is sent; one that is not away reads no 305 or 306."""
        alice, _ = self.connect(b"alice sesame12")
        alice.dataReceived(b"/away lunch\n")
        client, wire = self.irc_connect()
        self.send(client, "PASS sesame12", "NICK alice", "USER a 0 * :A")
        lines = self.lines(wire)
        away = lines.index(b":testhost 306 alice :You have been marked as being away")
        self.assertRegex(lines[away - 1], rb"^:testhost (376|422) alice ")
        self.assertEqual(lines[away + 1], b":alice!alice@chatd JOIN #lobby")
        self.send(client, "AWAY")
        self.assertEqual(self.lines(wire), [b":testhost 305 alice :You are no longer marked as being away"])
        other, other_wire = self.irc_connect()
        self.send(other, "PASS sesame12", "NICK alice", "USER a 0 * :A")
        self.assertFalse([line for line in self.lines(other_wire) if line.split()[1] in (b"305", b"306")])

    def test_an_account_given_up_or_made_on_nc_is_901_or_900_to_its_irc_connections(self) -> None:
        """/unregister on nc logs the account's IRC connection out (901); /register again, in (900)."""
        alice, _ = self.connect(b"alice sesame12")
        client, wire = self.irc_connect()
        self.send(client, "PASS sesame12", "NICK alice", "USER a 0 * :A")
        self.lines(wire)
        alice.dataReceived(b"/unregister sesame12\n")
        self.assertEqual(self.lines(wire), [b":testhost 901 alice alice!alice@chatd :You are now logged out"])
        alice.dataReceived(b"/register sesame12\n")
        self.assertEqual(
            self.lines(wire), [b":testhost 900 alice alice!alice@chatd alice :You are now logged in as alice"]
        )

    def test_the_joins_of_an_account_online_elsewhere_carry_the_time_they_are_sent_and_no_msgid(self) -> None:
        """With message-tags, server-time and account-tag, each JOIN of an account's rooms shown a new connection
        has the time it is sent and the account, and no msgid: no join happened, and history keeps none."""
        self.connect(b"alice sesame12")
        self.clock.advance(61.25)
        client, wire = self.irc_connect()
        caps = "message-tags server-time account-tag"
        self.send(client, "CAP LS 302", f"CAP REQ :{caps}", "PASS sesame12", "NICK alice", "USER a 0 * :A")
        self.send(client, "CAP END")
        joins = [line for line in self.lines(wire) if b" JOIN " in line]
        self.assertEqual(
            joins, [b"@account=alice;time=1970-01-01T00:01:01.250Z :alice!alice@chatd JOIN #lobby"]
        )

    def test_the_joins_of_an_account_online_elsewhere_are_extended_for_extended_join(self) -> None:
        """With extended-join, the JOIN of each of the account's rooms carries the account and name, as a JOIN does."""
        self.connect(b"alice sesame12")
        client, wire = self.irc_connect()
        self.send(
            client, "CAP LS 302", "CAP REQ :extended-join", "PASS sesame12", "NICK alice", "USER a 0 * :A"
        )
        self.send(client, "CAP END")
        joins = [line for line in self.lines(wire) if b" JOIN " in line]
        self.assertEqual(joins, [b":alice!alice@chatd JOIN #lobby alice :alice"])
