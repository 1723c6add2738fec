"""An IRC operator's acts on someone's account, as Ergo's operators have them: ``/msg NickServ PASSWD NICK PASSWORD``
and ``SAUNREGISTER NICK`` (chatd.irc.services), the line protocol's ``/account``; 481 for anyone else."""

from chatd.frontend.oper import PAUSE_SECONDS
from chatd.line.protocol import LineProtocol
from tests.helpers import quick_hash
from tests.irc import IRCTestCase

NOT_OPERATOR = b":testhost 481 {nick} :Permission Denied- You're not an IRC operator"


class ManagedAccountTests(IRCTestCase):
    """alice registered her nickname; boss, on IRC, is an operator."""

    def setUp(self) -> None:
        super().setUp()
        self.accounts.create("alice", quick_hash("sesame12"), 0.0)
        self.boss, self.boss_wire = self.irc_user("boss")
        self.send(self.boss, "OPER boss :correct horse")
        self.lines(self.boss_wire)

    def identify(self, password: str) -> bytes:
        """The first line a line connection reads when it identifies as alice with ``password``, a wrong one's pause
        over; it then leaves."""
        someone, wire = self.connect(None, host="10.0.0.5")
        assert isinstance(someone, LineProtocol)
        someone.dataReceived(f"alice {password}\n".encode())
        self.clock.advance(PAUSE_SECONDS)
        answered = self.lines(wire)[0]
        someone.dataReceived(b"/quit\n")
        return answered

    def test_passwd_gives_the_account_a_new_password_with_its_spaces(self) -> None:
        """``PASSWD ALICE first week`` is a NOTICE from the server once kept; the password, spaces and all, proves
        the account from then on, and the old one no longer does."""
        self.send(self.boss, "PRIVMSG NickServ :PASSWD ALICE first week")
        self.assertEqual(
            self.lines(self.boss_wire),
            [b":testhost NOTICE boss :The account alice has a new password: its owner logs in with it"],
        )
        self.assertEqual(self.identify("first week"), b"*** You are identified as alice.")
        self.assertEqual(
            self.identify("sesame12"), b"ERR identify-failed wrong password, or alice is not registered"
        )

    def test_the_owner_on_irc_reads_who_set_it_and_stays_logged_in(self) -> None:
        """alice, logged in on IRC, reads a NOTICE from the server (to *, as for every such news) naming boss, never
        the password, and is logged in still."""
        alice, alice_wire = self.irc_user("alice_")
        self.send(alice, "PRIVMSG NickServ :IDENTIFY alice sesame12")
        self.lines(alice_wire)
        self.send(self.boss, "PRIVMSG NickServ :passwd alice first-week")
        self.assertEqual(
            self.lines(alice_wire),
            [
                b":testhost NOTICE * :The IRC operator boss set a new password for your account alice; log in "
                b"with it"
            ],
        )
        self.assertEqual(self.chat.account_of("alice"), "alice")

    def test_saunregister_gives_the_account_up_and_its_owner_reads_who_did(self) -> None:
        """alice, logged in, reads 901 naming boss; the nickname is no account's now."""
        alice, alice_wire = self.irc_user("alice_")
        self.send(alice, "PRIVMSG NickServ :IDENTIFY alice sesame12")
        self.lines(alice_wire)
        self.send(self.boss, "PRIVMSG NickServ :SAUNREGISTER alice")
        self.assertEqual(
            self.lines(self.boss_wire),
            [
                b":testhost NOTICE boss :The account alice is given up: the nickname alice is no longer registered"
            ],
        )
        self.assertEqual(
            self.lines(alice_wire),
            [
                b":testhost 901 alice alice!alice@chatd :You are now logged out: the IRC operator boss gave up your "
                b"account"
            ],
        )
        self.assertFalse(self.chat.is_registered("alice"))

    def test_anyone_else_reads_481_as_for_kill_and_nothing_changes(self) -> None:
        """bob's PASSWD, SAUNREGISTER (well formed or not) and KILL are each 481; alice's password stays hers."""
        bob, wire = self.irc_user("bob")
        self.send(
            bob,
            "PRIVMSG NickServ :PASSWD alice first-week",
            "PRIVMSG NickServ :SAUNREGISTER alice",
            "PRIVMSG NickServ :PASSWD alice",
            "KILL alice :bye",
        )
        self.assertEqual(self.lines(wire), [NOT_OPERATOR.replace(b"{nick}", b"bob")] * 4)
        self.assertEqual(self.identify("sesame12"), b"*** You are identified as alice.")

    def test_refusals_are_one_notice_and_change_nothing(self) -> None:
        """A nickname no account has (a look-alike named, never acted on), a short password and a wrong number of
        words: one NOTICE each."""
        self.send(
            self.boss,
            "PRIVMSG NickServ :PASSWD bob first-week",
            "PRIVMSG NickServ :SAUNREGISTER AIice",
            "PRIVMSG NickServ :PASSWD alice short",
            "PRIVMSG NickServ :PASSWD alice",
            "PRIVMSG NickServ :SAUNREGISTER alice now",
        )
        self.assertEqual(
            self.lines(self.boss_wire),
            [
                b":testhost NOTICE boss :bob is not a registered nickname",
                b":testhost NOTICE boss :AIice is not a registered nickname; alice is, a different nickname that "
                b"looks like it",
                b":testhost NOTICE boss :A password needs at least 8 characters; nothing changed",
                b":testhost NOTICE boss :Send /msg NickServ PASSWD NICK PASSWORD",
                b":testhost NOTICE boss :Send /msg NickServ SAUNREGISTER NICK",
            ],
        )
        self.assertEqual(self.identify("sesame12"), b"*** You are identified as alice.")
