"""Talking over IRC, with nc users in the same rooms (chatd.irc.talk, chatd.irc.render)."""

from twisted.internet.testing import StringTransport

from chatd.domain.errors import MailboxFullError
from chatd.domain.offline import MAILBOX_MOST
from chatd.irc.message import parse
from chatd.irc.protocol import IRCProtocol
from chatd.irc.talk import strip_formatting
from chatd.irc.wording import refusal
from tests.irc import IRCTestCase
from tests.test_emsg_line import ALICE, BOB, READ, b64, envelope


class RoomTalkTests(IRCTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.irc_user("alice")
        self.send(self.alice, "JOIN #lobby")
        self.bob, self.bob_wire = self.connect(b"bob")
        self.lines(self.alice_wire)

    def test_irc_line_reaches_nc_user_and_not_the_sender(self) -> None:
        """A PRIVMSG to a room reaches the nc user; without echo-message the sender reads nothing back."""
        self.send(self.alice, "PRIVMSG #lobby :hello nc")
        self.assertEqual(self.lines(self.bob_wire), [b"[00:00] #lobby <alice> hello nc"])
        self.assertEqual(self.lines(self.alice_wire), [])

    def test_nc_line_reaches_irc_user_as_privmsg(self) -> None:
        """An nc user's line is a PRIVMSG from nick!nick@chatd."""
        self.bob.dataReceived(b"hello irc\n")
        self.assertEqual(self.lines(self.alice_wire), [b":bob!bob@chatd PRIVMSG #lobby :hello irc"])

    def test_echo_message_sends_the_line_back_with_its_tags(self) -> None:
        """With echo-message, server-time and message-tags the sender reads its line back, tagged."""
        carol, wire = self.irc_user("carol", "echo-message", "server-time", "message-tags")
        self.send(carol, "JOIN #lobby")
        self.lines(wire)
        self.clock.advance(61.5)
        self.send(carol, "PRIVMSG #lobby :tagged")
        [line] = self.lines(wire)
        self.assertRegex(
            line, rb"^@msgid=[^;]+;time=1970-01-01T00:01:01\.500Z :carol!carol@chatd PRIVMSG #lobby :tagged$"
        )

    def test_paste_becomes_one_privmsg_a_line(self) -> None:
        """An nc user's paste (several lines in one read) is one PRIVMSG per line."""
        self.bob.dataReceived(b"one\ntwo\n")
        self.assertEqual(
            self.lines(self.alice_wire),
            [b":bob!bob@chatd PRIVMSG #lobby :one", b":bob!bob@chatd PRIVMSG #lobby :two"],
        )

    def test_actions_go_both_ways(self) -> None:
        """CTCP ACTION is the chat's /me, and /me reaches IRC as CTCP ACTION."""
        self.send(self.alice, "PRIVMSG #lobby :\x01ACTION waves\x01")
        self.assertEqual(self.lines(self.bob_wire), [b"[00:00] #lobby * alice waves"])
        self.bob.dataReceived(b"/me bows\n")
        self.assertEqual(self.lines(self.alice_wire), [b":bob!bob@chatd PRIVMSG #lobby :\x01ACTION bows\x01"])

    def test_formatting_is_stripped_before_the_chat(self) -> None:
        """Bold and colour codes never reach an nc user's terminal."""
        self.send(self.alice, "PRIVMSG #lobby :\x02bold\x02 and \x0304,01red\x03 text")
        self.assertEqual(self.lines(self.bob_wire), [b"[00:00] #lobby <alice> bold and red text"])

    def test_other_ctcp_is_not_carried(self) -> None:
        """A CTCP other than ACTION is answered FAIL to a PRIVMSG and dropped quietly from a NOTICE."""
        self.send(self.alice, "PRIVMSG bob :\x01VERSION\x01", "NOTICE bob :\x01VERSION\x01")
        self.assertEqual(
            self.lines(self.alice_wire),
            [b":testhost FAIL PRIVMSG CTCP_NOT_CARRIED :Only CTCP ACTION reaches chatd's users"],
        )
        self.assertEqual(self.lines(self.bob_wire), [])

    def test_privmsg_to_a_room_not_joined_is_404_and_notice_is_never_answered(self) -> None:
        """404 for PRIVMSG to a room one is not in; the same NOTICE is answered with nothing."""
        self.send(self.alice, "PRIVMSG #elsewhere :hi", "NOTICE #elsewhere :hi", "NOTICE nobody :hi")
        self.assertEqual(
            self.lines(self.alice_wire),
            [b":testhost 403 alice #elsewhere :No such channel"],
        )

    def test_private_messages_go_both_ways_and_away_is_told(self) -> None:
        """PRIVMSG nick reaches an nc user; their /msg reaches IRC; an away target answers 301."""
        self.send(self.alice, "PRIVMSG bob :psst")
        self.assertEqual(self.lines(self.bob_wire), [b"[00:00] <alice -> bob> psst"])
        self.bob.dataReceived(b"/msg alice back\n/away lunch\n")
        self.assertEqual(self.lines(self.alice_wire), [b":bob!bob@chatd PRIVMSG alice :back"])
        self.send(self.alice, "PRIVMSG bob :still there?")
        self.assertEqual(self.lines(self.alice_wire), [b":testhost 301 alice bob :lunch"])

    def test_a_message_to_oneself_comes_back_once(self) -> None:
        """PRIVMSG to one's own nickname is read as its recipient, echo-message or not, and only once (a NOTICE as a
        PRIVMSG, as the chat carries it)."""
        self.send(self.alice, "PRIVMSG alice :note to self", "NOTICE ALICE :and another")
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b":alice!alice@chatd PRIVMSG alice :note to self",
                b":alice!alice@chatd PRIVMSG alice :and another",
            ],
        )
        carol, wire = self.irc_user("carol", "echo-message")
        self.send(carol, "PRIVMSG carol :mine")
        self.assertEqual(self.lines(wire), [b":carol!carol@chatd PRIVMSG carol :mine"])

    def test_client_tags_and_tagmsg_are_not_carried(self) -> None:
        """A PRIVMSG's client-only tags reach nobody (the text does); a TAGMSG is dropped without a word."""
        carol, wire = self.irc_user("carol", "message-tags")
        self.send(carol, "JOIN #lobby")
        self.lines(wire)
        self.lines(self.alice_wire)
        self.send(self.alice, "@+typing=active TAGMSG #lobby", "@+draft/reply=abc PRIVMSG #lobby :tagged")
        self.assertEqual(self.lines(self.alice_wire), [])
        [line] = self.lines(wire)
        self.assertRegex(line, rb"^@msgid=[^ ;]+ :alice!alice@chatd PRIVMSG #lobby :tagged$")

    def test_recipients_past_targmax_are_refused(self) -> None:
        """Five recipients: the first four are sent the line, the fifth is named in a 407."""
        _, carol_wire = self.irc_user("carol")
        self.send(self.alice, "PRIVMSG bob,#lobby,x,y,carol :five")
        self.assertEqual(self.lines(carol_wire), [])
        self.assertEqual(self.lines(self.bob_wire)[0], b"[00:00] <alice -> bob> five")
        self.assertEqual(
            self.lines(self.alice_wire)[0], b":testhost 407 alice carol :Too many recipients: at most 4"
        )

    def test_a_target_named_twice_is_sent_the_line_once(self) -> None:
        """Targets that fold alike (``#lobby,#LOBBY``, ``bob,BOB``) are one recipient: each is sent the line once,
        and repeats count for nothing towards the four a PRIVMSG may name."""
        _, carol_wire = self.irc_user("carol")
        self.send(self.alice, "PRIVMSG #lobby,#lobby,#LOBBY,#lobby,bob,BOB,carol :once")
        self.assertEqual(
            self.lines(self.bob_wire), [b"[00:00] #lobby <alice> once", b"[00:00] <alice -> bob> once"]
        )
        self.assertEqual(self.lines(carol_wire), [b":alice!alice@chatd PRIVMSG carol :once"])
        self.assertEqual(self.lines(self.alice_wire), [])

    def test_no_text_and_no_recipient(self) -> None:
        """PRIVMSG without text is 412, without a target 411."""
        self.send(self.alice, "PRIVMSG #lobby", "PRIVMSG")
        self.assertEqual(
            self.lines(self.alice_wire),
            [b":testhost 412 alice :No text to send", b":testhost 411 alice :No recipient given (PRIVMSG)"],
        )

    def test_targets_that_are_only_commas_are_no_recipient(self) -> None:
        """A PRIVMSG whose targets are all empty (``,,,``) names no one: 411, as with no target at all."""
        self.send(self.alice, "PRIVMSG ,,, :hi", "NOTICE ,,, :hi")
        self.assertEqual(self.lines(self.alice_wire), [b":testhost 411 alice :No recipient given (PRIVMSG)"])
        self.assertEqual(self.lines(self.bob_wire), [])
        self.send(self.alice, "PRIVMSG #lobby,,,,,bob :both")
        self.assertEqual(self.lines(self.alice_wire), [])
        self.assertEqual(
            self.lines(self.bob_wire), [b"[00:00] #lobby <alice> both", b"[00:00] <alice -> bob> both"]
        )

    def test_away_and_back(self) -> None:
        """AWAY :text is 306; AWAY alone 305."""
        self.send(self.alice, "AWAY :lunch", "AWAY")
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b":testhost 306 alice :You have been marked as being away",
                b":testhost 305 alice :You are no longer marked as being away",
            ],
        )

    def test_too_long_away_is_refused_in_words(self) -> None:
        """An away text past its limit is a FAIL that says the limit, and alice is not away."""
        self.send(self.alice, "AWAY :" + "z" * 250, "WHOIS alice")
        lines = self.lines(self.alice_wire)
        self.assertEqual(
            lines[0], b":testhost FAIL AWAY BAD_TEXT :Text refused: at most 200 characters allowed here"
        )
        self.assertFalse(any(b" 301 " in line for line in lines))

    def test_muted_speaker_is_told_where_the_line_did_not_go(self) -> None:
        """A muted user's PRIVMSG to a room is 404 naming it; to a nickname a FAIL, 404 being for channels."""
        oper, _ = self.operator(b"boss")
        oper.dataReceived(b"/mute alice\n")
        self.lines(self.alice_wire)
        self.send(self.alice, "PRIVMSG #lobby :hello", "PRIVMSG bob :psst")
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b":testhost 404 alice #lobby :Cannot send: you are muted",
                b":testhost FAIL PRIVMSG MUTED :You are muted",
            ],
        )

    def test_away_notify_tells_roommates_that_asked(self) -> None:
        """With away-notify a roommate reads AWAY when someone goes away and comes back; without it, nothing."""
        carol, wire = self.irc_user("carol", "away-notify")
        self.send(carol, "JOIN #lobby")
        self.lines(wire)
        self.lines(self.alice_wire)
        self.bob.dataReceived(b"/away lunch\n/away\n")
        self.assertEqual(self.lines(wire), [b":bob!bob@chatd AWAY :lunch", b":bob!bob@chatd AWAY"])
        self.assertEqual(self.lines(self.alice_wire), [])

    def test_away_notify_tells_of_an_away_joiner(self) -> None:
        """An away-notify member reads AWAY right after the JOIN of someone away; a plain one only the JOIN."""
        carol, wire = self.irc_user("carol", "away-notify")
        self.send(carol, "JOIN #lobby")
        self.lines(wire)
        dave, _ = self.irc_user("dave")
        self.send(dave, "AWAY :lunch", "JOIN #lobby")
        self.lines(self.alice_wire)
        self.assertEqual(self.lines(wire), [b":dave!dave@chatd JOIN #lobby", b":dave!dave@chatd AWAY :lunch"])
        self.send(dave, "PART #lobby", "AWAY", "JOIN #lobby")
        self.assertEqual(self.lines(wire)[-1], b":dave!dave@chatd JOIN #lobby")

    def test_long_line_is_split_to_fit_irc(self) -> None:
        """A 500-character nc line becomes PRIVMSGs of at most 512 bytes each, nothing lost."""
        text = "é" * 250
        self.bob.dataReceived(text.encode() + b"\n")
        lines = self.lines(self.alice_wire)
        self.assertGreater(len(lines), 1)
        self.assertTrue(all(len(line) + 2 <= 512 for line in lines))
        said = "".join(parse(line.decode()).params[1] for line in lines)
        self.assertEqual(said, text)


class FormattingTests(IRCTestCase):
    def test_strip_formatting_keeps_text(self) -> None:
        """Every mIRC code goes; the text between them stays."""
        self.assertEqual(
            strip_formatting("\x1ditalic\x1d \x1funder\x0f \x04ff0000,00ff00hex\x03"), "italic under hex"
        )


class EncryptedTests(IRCTestCase):
    """An encrypted private message reaches IRC clients as a NOTICE saying so: the recipient's, and the sender's own
    copy on an IRC connection of their account, each worded for whom it is read by (issue 17)."""

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_nc = self.connect(b"alice")
        self.alice.dataReceived(f"/register sesame12\n/key publish {b64(bytes(ALICE.public_key))}\n".encode())
        bob, _ = self.connect(b"bob", host="10.0.0.2")
        bob.dataReceived(f"/register sesame34\n/key publish {b64(bytes(BOB.public_key))}\n".encode())
        self.alice_irc, self.alice_wire = self.irc_logged_in("alice", "sesame12")
        self.bob_irc, self.bob_wire = self.irc_logged_in("bob", "sesame34", host="10.0.0.3")

    def irc_logged_in(
        self, nick: str, password: str, host: str = "127.0.0.1"
    ) -> tuple[IRCProtocol, StringTransport]:
        """An IRC connection logged in (PASS) to ``nick``'s account, online elsewhere; its wire cleared."""
        client, wire = self.irc_connect(host)
        self.send(client, f"PASS {password}", f"NICK {nick}", f"USER {nick} 0 * :{nick}")
        self.end_pass()
        self.lines(wire)
        return client, wire

    def test_the_sender_s_own_irc_connection_reads_that_it_sent_it_and_the_recipient_that_it_came(
        self,
    ) -> None:
        """alice seals a message to bob on another connection: her IRC client reads "you sent bob an encrypted
        message", not "alice sent you" as if she had received it; bob's reads that alice sent him one."""
        self.alice.dataReceived(f"/emsg bob {envelope(ALICE, BOB, ALICE)}\n".encode())
        self.end_pass()
        self.assertEqual(
            self.lines(self.alice_wire),
            [f":alice!alice@chatd NOTICE bob :you sent bob an encrypted message: {READ}".encode()],
        )
        self.assertEqual(
            self.lines(self.bob_wire),
            [f":alice!alice@chatd NOTICE bob :alice sent you an encrypted message: {READ}".encode()],
        )

    def test_one_sealed_to_oneself_is_read_as_received(self) -> None:
        """A note to self is the recipient's too: alice's IRC client reads that she sent herself one, as a PRIVMSG to
        oneself is read."""
        self.alice.dataReceived(f"/emsg alice {envelope(ALICE, ALICE)}\n".encode())
        self.end_pass()
        self.assertEqual(
            self.lines(self.alice_wire),
            [f":alice!alice@chatd NOTICE alice :alice sent you an encrypted message: {READ}".encode()],
        )


class OfflineTests(IRCTestCase):
    """carol's nickname is registered and she is offline; dave is on IRC."""

    def setUp(self) -> None:
        super().setUp()
        carol, _ = self.connect(b"carol")
        carol.dataReceived(b"/register sesame12\n/quit\n")
        self.dave, self.dave_wire = self.irc_user("dave")

    def test_a_message_to_an_offline_account_is_kept_and_the_sender_told(self) -> None:
        """A PRIVMSG, a NOTICE and a /me to carol are each kept; dave reads a NOTICE from the server for the PRIVMSG
        and the /me, and none for the NOTICE, which is never answered automatically (RFC 2812)."""
        self.send(self.dave, "PRIVMSG carol :one", "NOTICE carol :two", "PRIVMSG carol :\x01ACTION waves\x01")
        self.assertEqual(
            self.lines(self.dave_wire),
            [
                f":testhost NOTICE dave :carol is offline; your message is kept for them ({n} waiting)".encode()
                for n in (1, 3)
            ],
        )

    def test_a_full_mailbox_is_a_fail_in_words(self) -> None:
        """Past the 100 messages kept, a PRIVMSG is FAIL PRIVMSG MAILBOX_FULL naming carol, in a sentence; a
        NOTICE is refused with no answer."""
        for n in range(MAILBOX_MOST):
            self.clock.advance(5)  # within dave's flood budget
            self.send(self.dave, f"PRIVMSG carol :{n}")
        self.lines(self.dave_wire)
        self.send(self.dave, "PRIVMSG carol :one more", "NOTICE carol :and a notice")
        self.assertEqual(
            self.lines(self.dave_wire),
            [
                b":testhost FAIL PRIVMSG MAILBOX_FULL carol :carol is offline with 100 messages waiting already; "
                b"try later"
            ],
        )

    def test_a_mailbox_full_by_its_bytes_says_how_many_wait(self) -> None:
        """Filled by size first (large encrypted messages sent from the line protocol), the FAIL says how many
        messages wait and the most it holds."""
        self.assertEqual(
            refusal(MailboxFullError("carol", 64 * 1024, 3), "PRIVMSG", "carol"),
            (
                "FAIL",
                (
                    "PRIVMSG",
                    "MAILBOX_FULL",
                    "carol",
                    "carol is offline and their mailbox is full (3 messages, 64 KiB at most); try later",
                ),
            ),
        )

    def test_logging_in_shows_one_kept_message_in_the_singular(self) -> None:
        """carol logs in with NickServ IDENTIFY after the welcome: 900, then one NOTICE with the count, then the
        message as the PRIVMSG it was."""
        self.send(self.dave, "PRIVMSG carol :see you at noon")
        carol, wire = self.irc_user("guest")
        self.send(carol, "PRIVMSG NickServ :IDENTIFY carol sesame12")
        self.clock.advance(5)
        self.assertEqual(
            self.lines(wire)[-3:],
            [
                b":testhost 900 carol carol!carol@chatd carol :You are now logged in as carol",
                b":testhost NOTICE carol :1 private message was kept for you while you were offline:",
                b":dave!dave@chatd PRIVMSG carol :see you at noon",
            ],
        )
