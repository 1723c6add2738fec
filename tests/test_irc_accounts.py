"""Making an account over IRC: REGISTER (draft/account-registration), VERIFY (chatd.irc.accounts), and what NickServ and ChanServ do here
(chatd.irc.services)."""

from twisted.internet.testing import EventLoggingObserver
from twisted.logger import formatEvent, globalLogPublisher

from chatd.domain.limits import Limits
from chatd.frontend.accounts import AccountLogin
from chatd.frontend.oper import FAILURES_PER_CONNECTION, PAUSE_SECONDS
from tests.helpers import quick_hash
from tests.irc import IRCTestCase
from tests.test_irc_registration import plain

LOGGED_IN = b":testhost 900 alice alice!alice@chatd alice :You are now logged in as alice"
SUCCESS = b":testhost REGISTER SUCCESS alice :Account alice registered; you are logged in to it"
HOW = (
    b":testhost NOTICE alice :There is no NickServ here. To make your nickname an account, send /msg NickServ"
    b" REGISTER PASSWORD; to log in to it, /msg NickServ IDENTIFY PASSWORD, or SASL PLAIN or the server password"
    b" (PASS) when you connect."
)


class RegisterTests(IRCTestCase):
    def test_register_logs_in_then_says_success_and_sasl_logs_in_next_time(self) -> None:
        """REGISTER * * PASSWORD: 900 as SASL gives it, then REGISTER SUCCESS; after a QUIT, SASL PLAIN with that
        password logs in to the account."""
        client, wire = self.irc_user("alice")
        self.send(client, "REGISTER * * sesame12")
        self.assertEqual(self.lines(wire), [LOGGED_IN, SUCCESS])
        self.assertEqual(self.chat.account_of("alice"), "alice")
        self.send(client, "QUIT")
        again, wire = self.irc_connect()
        self.send(again, "CAP LS 302", "CAP REQ :sasl", "NICK alice", "USER a 0 * :A", "AUTHENTICATE PLAIN")
        self.send(again, f"AUTHENTICATE {plain('alice', 'sesame12')}", "CAP END")
        lines = self.lines(wire)
        self.assertIn(b":testhost 903 alice :SASL authentication successful", lines)
        self.assertIn(b":testhost 001 alice :Welcome to the chatd IRC network, alice!alice@chatd", lines)

    def test_the_earlier_drafts_two_parameters_and_the_nickname_in_any_case_register_too(self) -> None:
        """``REGISTER * PASSWORD`` (what a user types after /quote) and ``REGISTER ALICE * PASSWORD`` register."""
        client, wire = self.irc_user("alice")
        self.send(client, "REGISTER * sesame12")
        self.assertEqual(self.lines(wire), [LOGGED_IN, SUCCESS])
        bob, wire = self.irc_user("bob")
        self.send(bob, "REGISTER BOB * sesame12")
        self.assertEqual(
            self.lines(wire)[-1],
            b":testhost REGISTER SUCCESS bob :Account bob registered; you are logged in to it",
        )

    def test_roommates_with_account_notify_read_the_account(self) -> None:
        """A roommate that took account-notify reads ACCOUNT, as for a login."""
        watcher, watching = self.irc_user("watcher", "account-notify")
        client, _ = self.irc_user("alice")
        self.send(watcher, "JOIN #lobby")
        self.send(client, "JOIN #lobby")
        self.lines(watching)
        self.send(client, "REGISTER * * sesame12")
        self.assertEqual(self.lines(watching), [b":alice!alice@chatd ACCOUNT alice"])

    def test_register_before_the_welcome_is_complete_connection_required(self) -> None:
        """chatd offers no before-connect: REGISTER before 001 is refused as the spec says, and nothing is made."""
        client, wire = self.irc_connect()
        self.send(client, "NICK alice", "REGISTER * * sesame12")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost FAIL REGISTER COMPLETE_CONNECTION_REQUIRED :Register after connecting (once you read 001)"
            ],
        )
        self.assertFalse(self.chat.is_registered("alice"))

    def test_a_short_password_is_weak_and_nothing_is_registered(self) -> None:
        """A password under 8 characters is WEAK_PASSWORD, saying the least, and the nickname stays free."""
        client, wire = self.irc_user("alice")
        self.send(client, "REGISTER * * short")
        self.assertEqual(
            self.lines(wire),
            [b":testhost FAIL REGISTER WEAK_PASSWORD alice :A password needs at least 8 characters"],
        )
        self.assertFalse(self.chat.is_registered("alice"))

    def test_an_email_address_is_refused_saying_to_send_a_star(self) -> None:
        """chatd keeps no email: an address is INVALID_EMAIL, and nothing is registered."""
        client, wire = self.irc_user("alice")
        self.send(client, "REGISTER * alice@example.org sesame12")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost FAIL REGISTER INVALID_EMAIL alice :This server keeps no email addresses:"
                b" send * in its place (REGISTER * * PASSWORD)"
            ],
        )
        self.assertFalse(self.chat.is_registered("alice"))

    def test_another_account_name_must_be_the_nickname(self) -> None:
        """Another nickname is ACCOUNT_NAME_MUST_BE_NICK; a name that is no nickname BAD_ACCOUNT_NAME, not echoed."""
        client, wire = self.irc_user("alice")
        self.send(client, "REGISTER bob * sesame12", "REGISTER 9lives * sesame12")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost FAIL REGISTER ACCOUNT_NAME_MUST_BE_NICK bob :An account is named by its nickname:"
                b" send * for alice, or change nickname first (NICK bob)",
                b":testhost FAIL REGISTER BAD_ACCOUNT_NAME * :An account is named by its nickname:"
                b" send * for alice, or change nickname first",
            ],
        )
        self.assertFalse(self.chat.is_registered("bob"))

    def test_too_many_parameters_are_refused_whole(self) -> None:
        """A password with spaces sent without a colon is not cut to its first word: INVALID_PARAMS."""
        client, wire = self.irc_user("alice")
        self.send(client, "REGISTER * * open sesame")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost FAIL REGISTER INVALID_PARAMS * :Send REGISTER * * PASSWORD;"
                b" a password with spaces goes last, after a colon"
            ],
        )
        self.send(client, "REGISTER * * :open sesame")
        self.assertEqual(self.lines(wire), [LOGGED_IN, SUCCESS])

    def test_registering_while_logged_in_is_already_authenticated(self) -> None:
        """A second REGISTER is ALREADY_AUTHENTICATED."""
        client, wire = self.irc_user("alice")
        self.send(client, "REGISTER * * sesame12")
        self.lines(wire)
        self.send(client, "REGISTER * * sesame12")
        self.assertEqual(
            self.lines(wire),
            [b":testhost FAIL REGISTER ALREADY_AUTHENTICATED alice :You are logged in as alice already"],
        )

    def test_a_nickname_the_store_has_as_an_account_is_account_exists(self) -> None:
        """A nickname the accounts store holds already (made there meanwhile) is ACCOUNT_EXISTS."""
        client, wire = self.irc_user("alice")
        self.accounts.create("alice", quick_hash("other-password"), 0)
        self.send(client, "REGISTER * * sesame12")
        self.assertEqual(
            self.lines(wire), [b":testhost FAIL REGISTER ACCOUNT_EXISTS alice :alice is an account already"]
        )

    def test_the_password_is_checked_as_the_line_protocols(self) -> None:
        """The account made on IRC is the line protocol's: nc's NICK PASSWORD identifies to it."""
        client, _ = self.irc_user("alice")
        self.send(client, "REGISTER * * sesame12", "QUIT")
        self.connect(b"alice sesame12")
        self.assertEqual(self.chat.account_of("alice"), "alice")

    def test_verify_says_there_is_nothing_to_verify(self) -> None:
        """No registration waits for a code: VERIFY is INVALID_CODE, or ALREADY_AUTHENTICATED once logged in."""
        client, wire = self.irc_user("alice")
        self.send(client, "VERIFY alice 1234", "REGISTER * * sesame12")
        self.lines(wire)
        self.send(client, "VERIFY alice 1234")
        lines = self.lines(wire)
        self.assertEqual(
            lines,
            [b":testhost FAIL VERIFY ALREADY_AUTHENTICATED alice :You are logged in as alice already"],
        )

    def test_verify_before_registering_an_account(self) -> None:
        """VERIFY with no account made is INVALID_CODE saying REGISTER needs none; before the welcome, say so."""
        early, wire = self.irc_connect()
        self.send(early, "VERIFY alice 1234")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost FAIL VERIFY COMPLETE_CONNECTION_REQUIRED :Nothing to verify: REGISTER after connecting"
            ],
        )
        client, wire = self.irc_user("alice")
        self.send(client, "VERIFY alice 1234")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost FAIL VERIFY INVALID_CODE alice :No registration here waits for a code:"
                b" REGISTER * PASSWORD makes the account and logs you in at once"
            ],
        )

    def test_cap_ls_offers_account_registration_without_keys(self) -> None:
        """CAP LS 302 names draft/account-registration with no value: no before-connect, no email-required."""
        client, wire = self.irc_connect()
        self.send(client, "CAP LS 302")
        offered = b" ".join(self.lines(wire)).split(b" ")
        self.assertIn(b"draft/account-registration", offered)

    def test_help_register_explains_it(self) -> None:
        """HELP REGISTER (any case) answers with its use, as HELP does for every command."""
        client, wire = self.irc_user("alice")
        self.send(client, "HELP register")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 704 alice REGISTER :REGISTER: REGISTER * * password",
                b":testhost 705 alice REGISTER :REGISTER - make your nickname an account with this password,"
                b" and log in to it (REGISTER * password works too)",
                b":testhost 706 alice REGISTER :End of /HELP",
            ],
        )


class RegisterThrottleTests(IRCTestCase):
    chat_limits = Limits(accounts_per_hour=1)

    def test_accounts_from_one_address_are_throttled_as_on_the_line_protocol(self) -> None:
        """Past --accounts-per-hour from one address REGISTER is TEMPORARILY_UNAVAILABLE, saying when to retry."""
        nc, _ = self.connect(b"carol")
        nc.dataReceived(b"/register sesame12\n")
        client, wire = self.irc_user("alice")
        self.send(client, "REGISTER * * sesame12")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost FAIL REGISTER TEMPORARILY_UNAVAILABLE alice :Accounts were made from your address"
                b" as often as this server allows; try again in 1h"
            ],
        )
        self.assertFalse(self.chat.is_registered("alice"))
        other, wire = self.irc_user("dave", host="192.0.2.7")
        self.send(other, "REGISTER * * sesame12")
        self.assertEqual(
            self.lines(wire)[-1],
            b":testhost REGISTER SUCCESS dave :Account dave registered; you are logged in to it",
        )


class AccountsFullTests(IRCTestCase):
    chat_limits = Limits(accounts=1)

    def test_past_max_accounts_every_way_to_register_is_refused_in_one_line(self) -> None:
        """With --max-accounts accounts kept, nc's /register, IRC's REGISTER and /msg NickServ REGISTER are each
        refused in one line saying so, from any address, and nothing is registered."""
        carol, _ = self.connect(b"carol")
        carol.dataReceived(b"/register sesame12\n")
        dave, dave_wire = self.connect(b"dave", host="10.0.0.9")
        dave.dataReceived(b"/register sesame12\n")
        self.assertEqual(
            self.lines(dave_wire),
            [
                b"ERR accounts-full this server keeps the most accounts it allows (1); none can be registered"
                b" until one is given up"
            ],
        )
        client, wire = self.irc_user("alice")
        self.send(client, "REGISTER * * sesame12", "PRIVMSG NickServ :REGISTER sesame12")
        full = (
            b":testhost FAIL REGISTER TEMPORARILY_UNAVAILABLE alice :This server keeps the most accounts it"
            b" allows (1); none can be registered until one is given up"
        )
        self.assertEqual(self.lines(wire), [full, full])
        self.assertIsNone(self.chat.account_of("alice"))
        self.assertIsNone(self.chat.account_of("dave"))


class NickServTests(IRCTestCase):
    """``/msg NickServ``: IDENTIFY logs in as SASL does, REGISTER is IRCv3's REGISTER, anything else is told how."""

    def account(self, nick: str = "alice", password: str = "sesame12") -> None:
        """An account ``nick`` with ``password``, made before (nobody online as it)."""
        self.accounts.create(nick, quick_hash(password), 0.0)

    def test_other_commands_to_nickserv_in_any_case_are_answered_how_accounts_are_made_and_notices_not(
        self,
    ) -> None:
        """HELP, GHOST or nothing but spaces to NickServ is one NOTICE saying how, not 401; a NOTICE to nickserv
        runs no command, even IDENTIFY, and is answered with nothing (RFC 2812: a NOTICE is never answered)."""
        self.account()
        client, wire = self.irc_user("alice_")
        self.send(client, "PRIVMSG NickServ :HELP", "PRIVMSG NICKSERV :GHOST alice", "PRIVMSG NickServ :  ")
        self.send(client, "NOTICE nickserv :IDENTIFY alice sesame12", "NOTICE ChanServ :REGISTER #lobby")
        how = HOW.replace(b"NOTICE alice ", b"NOTICE alice_ ")
        self.assertEqual(self.lines(wire), [how, how, how])
        self.assertIsNone(self.chat.account_of("alice_"))

    def test_register_makes_the_nickname_an_account_as_register_does(self) -> None:
        """``/msg NickServ REGISTER sesame12``: 900, then REGISTER SUCCESS's sentence in a NOTICE from the server (a
        client that asks NickServ knows no REGISTER reply), and the account is kept."""
        client, wire = self.irc_user("alice")
        self.send(client, "PRIVMSG NickServ :REGISTER sesame12")
        self.assertEqual(
            self.lines(wire),
            [LOGGED_IN, b":testhost NOTICE alice :Account alice registered; you are logged in to it"],
        )
        self.assertEqual(self.chat.account_of("alice"), "alice")

    def test_register_is_refused_as_register_is(self) -> None:
        """A short password, an email address (chatd keeps none) and too many words change nothing."""
        client, wire = self.irc_user("alice")
        self.send(
            client,
            "PRIVMSG NickServ :REGISTER short",
            "PRIVMSG NickServ :REGISTER sesame12 alice@example.org",
            "PRIVMSG NickServ :REGISTER correct horse battery",
        )
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost FAIL REGISTER WEAK_PASSWORD alice :A password needs at least 8 characters",
                b":testhost FAIL REGISTER INVALID_EMAIL alice :This server keeps no email addresses: send * in its"
                b" place (REGISTER * * PASSWORD)",
                b":testhost NOTICE alice :Send /msg NickServ REGISTER PASSWORD; a password with spaces needs"
                b" /quote REGISTER",
            ],
        )
        self.assertFalse(self.chat.is_registered("alice"))

    def test_identify_account_password_logs_in_and_takes_the_accounts_nickname(self) -> None:
        """From alice_, ``IDENTIFY alice sesame12``: the nickname becomes alice, then 900, as SASL after the
        welcome."""
        self.account()
        client, wire = self.irc_user("alice_")
        self.send(client, "PRIVMSG NickServ :IDENTIFY alice sesame12")
        self.assertEqual(
            self.lines(wire),
            [b":alice_!alice_@chatd NICK alice", LOGGED_IN],
        )
        self.assertEqual(self.chat.account_of("alice"), "alice")

    def test_identify_password_alone_logs_in_to_the_nickname_refused_at_connect(self) -> None:
        """A client that connected as alice, read 433 and fell back to alice_ logs in to alice with the password
        alone, as irssi's and WeeChat's connect commands send it."""
        self.account()
        client, wire = self.irc_connect()
        self.send(client, "NICK alice", "USER a 0 * :A", "NICK alice_")
        self.assertIn(
            b":testhost 433 * alice :Nickname is registered as alice; log in with SASL or PASS, or /msg NickServ IDENTIFY alice PASSWORD",
            self.lines(wire),
        )
        self.send(client, "PRIVMSG NickServ :IDENTIFY sesame12")
        self.assertEqual(self.lines(wire), [b":alice_!alice_@chatd NICK alice", LOGGED_IN])

    def test_a_wrong_password_is_a_notice_after_the_pause_and_logs_nothing_of_it(self) -> None:
        """A wrong password (or no such account: the same words) is told after SASL's pause; the password is
        written to no log."""
        self.account()
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        client, wire = self.irc_user("alice_")
        self.send(
            client,
            "PRIVMSG NickServ :IDENTIFY alice wrong-one",
            "PRIVMSG NickServ :IDENTIFY nobody wrong-two",
        )
        self.assertEqual(self.lines(wire), [])
        self.clock.advance(PAUSE_SECONDS)
        self.clock.advance(PAUSE_SECONDS * 2)
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost NOTICE alice_ :Wrong password, or alice is not an account here; you are not logged in",
                b":testhost NOTICE alice_ :Wrong password, or nobody is not an account here; you are not logged in",
            ],
        )
        self.assertIsNone(self.chat.account_of("alice_"))
        shown = repr([event for event in logged])
        self.assertNotIn("wrong-one", shown)
        self.assertNotIn("wrong-two", shown)

    def test_a_wrong_password_is_logged_with_the_nickname_that_tried(self) -> None:
        """NickServ IDENTIFY's failure names the nickname that tried; SASL's before the welcome says there was none."""
        self.account()
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        client, _ = self.irc_user("alice_")
        self.send(client, "PRIVMSG NickServ :IDENTIFY alice wrong-one")
        early, _ = self.irc_connect()
        self.send(early, "CAP LS 302", "CAP REQ :sasl", "NICK bob", "AUTHENTICATE PLAIN")
        self.send(early, f"AUTHENTICATE {plain('alice', 'wrong-two')}")
        self.clock.advance(PAUSE_SECONDS)
        self.assertEqual(
            [formatEvent(event) for event in logged if event["log_namespace"] == AccountLogin.log.namespace],
            [
                "alice_ from 127.0.0.1 failed /identify as 'alice'",
                "A connection from 127.0.0.1 with no nickname yet failed /identify as 'alice'",
            ],
        )

    def test_identify_is_throttled_as_sasl_is(self) -> None:
        """After the connection's wrong passwords, IDENTIFY is refused unchecked, with the wait."""
        self.account()
        client, wire = self.irc_user("alice_")
        for _ in range(FAILURES_PER_CONNECTION):
            self.send(client, "PRIVMSG NickServ :IDENTIFY alice wrong")
            self.clock.advance(PAUSE_SECONDS * 2**FAILURES_PER_CONNECTION)
        self.lines(wire)
        self.send(client, "PRIVMSG NickServ :IDENTIFY alice sesame12")
        [line] = self.lines(wire)
        self.assertRegex(
            line, rb"^:testhost NOTICE alice_ :Too many wrong passwords; try again in \d+ seconds?$"
        )
        self.assertIsNone(self.chat.account_of("alice_"))

    def test_identify_once_logged_in_or_with_too_many_words_changes_nothing(self) -> None:
        """Logged in already, IDENTIFY says so; a password of several words is told to use SASL or PASS."""
        client, wire = self.irc_user("alice")
        self.send(client, "REGISTER * * sesame12")
        self.lines(wire)
        self.send(
            client, "PRIVMSG NickServ :IDENTIFY sesame12", "PRIVMSG NickServ :IDENTIFY alice my pass word"
        )
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost NOTICE alice :You are logged in as alice already",
                b":testhost NOTICE alice :Send /msg NickServ IDENTIFY PASSWORD, or IDENTIFY ACCOUNT PASSWORD; a"
                b" password with spaces needs SASL or PASS",
            ],
        )

    def test_the_text_reaches_nobody_registered_as_nickserv(self) -> None:
        """An account NickServ made before the name was reserved, online on nc, reads nothing of it, nor is it kept
        for it offline: it likely holds a password."""
        self.account("NickServ", "hunter22")
        owner, owner_wire = self.connect(None)
        owner.dataReceived(b"NickServ hunter22\n")
        self.assertIn(b"*** You are NickServ.", self.lines(owner_wire))
        client, wire = self.irc_user("alice")
        self.send(client, "PRIVMSG NickServ :HELP REGISTER")
        self.assertEqual(self.lines(wire), [HOW])
        self.assertEqual(self.lines(owner_wire), [])
        owner.dataReceived(b"/quit\n")
        self.send(client, "PRIVMSG NickServ :HELP IDENTIFY")
        # Kept for an account offline, it would have been said so ("NickServ is offline; your message is kept").
        self.assertEqual(self.lines(wire), [HOW])


class ChanServTests(IRCTestCase):
    """``/msg ChanServ REGISTER #room`` is the line protocol's /register #room; anything else is told how."""

    def test_other_commands_are_answered_how_rooms_are_registered(self) -> None:
        """HELP to ChanServ, in any case, is one NOTICE saying how, not 401; so is a message to another service."""
        client, wire = self.irc_user("alice")
        self.send(client, "PRIVMSG chanserv :HELP", "PRIVMSG MemoServ :SEND bob hi")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost NOTICE alice :There is no ChanServ here. To register a room you made, so that it keeps"
                b" its topic, modes and operators while empty and across restarts, log in to your account, join the"
                b" room and send /msg ChanServ REGISTER #room.",
                b":testhost NOTICE alice :There is no MemoServ here: this server runs no services. HELP lists its"
                b" commands.",
            ],
        )

    def test_register_registers_a_room_its_owner_made(self) -> None:
        """Logged in and owning #dev, ``/msg ChanServ REGISTER #dev``: its members read that it is registered."""
        client, wire = self.irc_user("alice")
        self.send(client, "REGISTER * * sesame12", "JOIN #dev")
        self.lines(wire)
        self.send(client, "PRIVMSG ChanServ :REGISTER #dev")
        self.assertEqual(self.lines(wire), [b":testhost NOTICE #dev :#dev is registered to alice"])
        self.assertEqual([(room.name, room.owner) for room in self.rooms.registered()], [("#dev", "alice")])

    def test_register_is_refused_in_a_notice(self) -> None:
        """Not logged in, not in the room, not its maker, the server's room: each one NOTICE; nothing registered."""
        client, wire = self.irc_user("alice")
        maker, _ = self.irc_user("bob")
        self.send(maker, "JOIN #bobs")
        self.send(client, "PRIVMSG ChanServ :REGISTER #dev")
        self.send(client, "REGISTER * * sesame12", "JOIN #bobs,#lobby")
        self.lines(wire)
        self.send(
            client,
            "PRIVMSG ChanServ :REGISTER #dev",
            "PRIVMSG ChanServ :REGISTER #bobs",
            "PRIVMSG ChanServ :REGISTER #lobby",
        )
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost NOTICE alice :Join #dev first: only a member may register it",
                b":testhost NOTICE alice :Only whoever made #bobs (its owner) may register it",
                b":testhost NOTICE alice :#lobby belongs to the server; nobody may register it",
            ],
        )
        self.assertEqual(self.rooms.registered(), [])


class ServiceNicknameTests(IRCTestCase):
    """The services' nicknames (chatd.domain.names.SERVICE_NICKNAMES) are nobody's: 432, as other servers say it."""

    def test_nick_to_a_service_at_registration_is_432_and_another_nickname_registers(self) -> None:
        """NICK NickServ (or one like it) is 432 and the client stays unregistered until it sends another."""
        client, wire = self.irc_connect()
        self.send(client, "NICK NickServ", "USER x 0 * :x", "NICK N\u0456ckServ")  # a Cyrillic i
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 432 * NickServ :Nickname is reserved for IRC services",
                ":testhost 432 * N\u0456ckServ :Nickname looks like NickServ, which is reserved for IRC services".encode(),
            ],
        )
        self.send(client, "NICK alice")
        self.assertIn(b":testhost 001 alice ", b"\n".join(self.lines(wire)))

    def test_nick_to_a_service_once_registered_is_432_and_the_nickname_stays(self) -> None:
        """NICK chanserv from a registered client is 432; it keeps its nickname."""
        client, wire = self.irc_user("alice")
        self.send(client, "NICK chanserv", "NICK MemoServ")
        self.assertEqual(
            self.lines(wire),
            [
                b":testhost 432 alice chanserv :Nickname is reserved for IRC services",
                b":testhost 432 alice MemoServ :Nickname is reserved for IRC services",
            ],
        )
        self.assertEqual(self.chat.whois(None, "alice").nick, "alice")
