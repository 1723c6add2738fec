"""chatd's IRC listener on a real twistd over loopback, spoken to by real IRC clients beside nc users (issue 15).

The client is jaraco's ``irc`` library (``tests/e2e/ircclient.py``), so
the daemon's lines are read by a parser that is not ours; the nc users are
the raw sockets of ``tests/e2e/daemon.py``. Each test runs its own daemon
on ephemeral ports.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon
from tests.e2e.ircclient import Heard, IRCClient, irc_port
from tests.e2e.test_daemon import LOOPBACK, NAME, PROMPT, WELCOME, Lobby

PASSWORD = "hunter22"
REGISTERED = "*** The nickname alice is registered to you, and you are identified to it."


def start(case: SynchronousTestCase, db: str, port: int = 0) -> Daemon:
    """A daemon on loopback with its IRC listener on ``port`` (0: any free one) and ``db`` as its --db."""
    return Daemon.start(case, [*LOOPBACK, "--irc-port", str(port), "--db", db])


def welcome(nick: str) -> Heard:
    """The 001 that tells ``nick`` registration is done."""
    return Heard("welcome", NAME, nick, (f"Welcome to the chatd IRC network, {nick}!{nick}@chatd",))


class LobbyTalkTests(SynchronousTestCase):
    """An IRC client and an nc user talk in #lobby through one daemon."""

    def setUp(self) -> None:
        self.daemon = start(self, ":memory:")
        self.port = irc_port(self.daemon)
        self.lobby = Lobby(self.daemon)

    def test_irc_client_and_nc_user_hear_each_other_in_lobby(self) -> None:
        """An IRC client joins #lobby itself, and each side reads the other's lines exactly, UTF-8 included."""
        alice = self.lobby.enter("alice")
        bob = IRCClient(self.daemon, self.port, "bob")
        self.assertEqual(bob.registered(), welcome("bob"))
        self.assertEqual(bob.join("#lobby"), ["alice", "bob"])
        # The first thing alice hears of bob is his JOIN: registering put him in no room.
        alice.expect_stamped("#lobby -- bob joined")
        alice.say("hello from nc, café ☕")
        self.assertEqual(bob.next("pubmsg"), Heard("pubmsg", "alice", "#lobby", ("hello from nc, café ☕",)))
        alice.expect_stamped("#lobby <alice> hello from nc, café ☕")
        bob.say("#lobby", "hello from IRC, naïve ☕")
        alice.expect_stamped("#lobby <bob> hello from IRC, naïve ☕")

    def test_nc_user_sees_irc_client_quit_with_its_reason(self) -> None:
        """An IRC client's QUIT reaches the room as the line front end's quit line, with the reason given."""
        alice = self.lobby.enter("alice")
        bob = IRCClient(self.daemon, self.port, "bob")
        bob.registered()
        bob.join("#lobby")
        alice.expect_stamped("#lobby -- bob joined")
        bob.quit("gone home")
        alice.expect_stamped("-- bob quit (gone home)")


class AccountLoginTests(SynchronousTestCase):
    """IRC clients log in to an account an nc user registered: SASL PLAIN, PASS, and a wrong password."""

    def setUp(self) -> None:
        self.daemon = start(self, ":memory:")
        self.port = irc_port(self.daemon)
        alice = self.daemon.connect()
        alice.expect(WELCOME, PROMPT)
        alice.say("alice")
        alice.expect("*** You are alice.")
        alice.expect_stamped("#lobby -- alice joined")
        alice.expect("*** In #lobby (1): alice")
        alice.say(f"/register {PASSWORD}")
        alice.expect(REGISTERED)
        alice.say("/quit")
        self.assertEqual(alice.read_to_end(), b"*** Goodbye.\r\n")
        self.carol = Lobby(self.daemon).enter("carol")

    def test_sasl_plain_logs_in_to_the_account_an_nc_user_registered(self) -> None:
        """SASL PLAIN with the account's password: 900 and 903 before the welcome, then alice is alice in #lobby."""
        alice = IRCClient(self.daemon, self.port, "alice", sasl=("alice", PASSWORD))
        self.assertEqual(
            alice.next("loggedin"),
            Heard("loggedin", NAME, "alice", ("alice!alice@*", "alice", "You are now logged in as alice")),
        )
        self.assertEqual(
            alice.next("saslsuccess"),
            Heard("saslsuccess", NAME, "alice", ("SASL authentication successful",)),
        )
        self.assertEqual(alice.registered(), welcome("alice"))
        self.assertEqual(alice.join("#lobby"), ["carol", "alice"])
        self.carol.expect_stamped("#lobby -- alice joined")
        alice.say("#lobby", "it is me")
        self.carol.expect_stamped("#lobby <alice> it is me")

    def test_pass_before_nick_logs_in_to_the_account(self) -> None:
        """PASS with the account's password before NICK alice registers the connection as alice."""
        alice = IRCClient(self.daemon, self.port, "alice", password=PASSWORD)
        self.assertEqual(alice.registered(), welcome("alice"))

    def test_wrong_sasl_password_is_answered_904_and_the_nickname_stays_refused(self) -> None:
        """A wrong password gets 904, and registering as alice anyway is refused with 433."""
        mallory = IRCClient(self.daemon, self.port, "alice", sasl=("alice", "not-" + PASSWORD))
        self.assertEqual(
            mallory.next("saslfail", "saslsuccess"),
            Heard("saslfail", NAME, "alice", ("SASL authentication failed",)),
        )
        self.assertEqual(
            mallory.next("nicknameinuse", "welcome"),
            Heard(
                "nicknameinuse",
                NAME,
                "*",
                ("alice", "Nickname is registered as alice; log in with SASL or PASS to use it"),
            ),
        )
