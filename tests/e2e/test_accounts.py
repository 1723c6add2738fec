"""Accounts on the real daemon over loopback TCP: a stolen nickname refused and its owner told, one account on
two connections, the owner back while a stale connection holds on, wrong passwords throttled, and accounts
that survive a kill -9."""

import os
import signal
import sqlite3
from contextlib import closing

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon, LineClient, SharedDaemon
from tests.e2e.ircclient import Heard, IRCClient, irc_port
from tests.e2e.lobby import LOOPBACK, PROMPT, SHARED_LOBBY, WELCOME
from tests.helpers import new_folder, refuse_on_accounts

PASSWORD = "hunter22"


def registered(nick: str) -> str:
    """What /register answers ``nick``."""
    return f"*** The nickname {nick} is registered to you, and you are identified to it."


def identified(nick: str) -> str:
    """What a right password for ``nick`` is answered."""
    return f"*** You are identified as {nick}."


def wrong(nick: str) -> str:
    """What a wrong password for ``nick``, or one for a nickname nobody registered, is answered."""
    return f"ERR identify-failed wrong password, or {nick} is not registered"


def not_saved(nick: str) -> str:
    """What a change to ``nick``'s account the --db file refuses is answered."""
    return f"ERR not-saved the server could not save the change to the account {nick}; nothing changed, try again later"


REGISTERED = registered("alice")
IDENTIFIED = identified("alice")
PROTECTED = "ERR nick-registered alice is registered; /identify alice PASSWORD if it is yours, or choose another nickname"
WRONG = wrong("alice")
NOT_SAVED = not_saved("alice")
STILL_REGISTERED = (
    "*** The server could not save giving up the nickname alice; it is still registered to you, and you are "
    "identified to it."
)
NOT_IDENTIFIED = "ERR not-identified you are not identified; /register PASSWORD or /identify PASSWORD first"

SHARED_DB = "chatd.sqlite"
"""The --db file of a shared daemon (``SharedDaemon``), in its folder, which it runs in."""


class AccountTestCase(SynchronousTestCase):
    """A daemon with its --db in a temporary directory; alice registers from 127.0.0.1."""

    def setUp(self) -> None:
        self.directory = new_folder(self)
        self.db = os.path.join(self.directory, "chatd.sqlite")
        self.daemon = self.start()

    def start(self) -> Daemon:
        return Daemon.start(self, [*LOOPBACK, "--db", self.db])

    def connect(self, source: str, first: str | None = None) -> LineClient:
        """A connection from ``source`` past its greeting; ``first`` sent as its first line."""
        client = self.daemon.connect(source=source)
        client.expect(WELCOME, PROMPT)
        if first is not None:
            client.say(first)
        return client

    def until(self, client: LineClient, line: str) -> None:
        """Read ``client``'s lines up to ``line`` (with or without a time stamp before it)."""
        wanted = line.encode("utf-8") + b"\r\n"
        while True:
            received = client.read_line()
            if received == wanted or (received.startswith(b"[") and received[8:] == wanted):
                return

    def borrow(self, shared: SharedDaemon) -> None:
        """Take ``shared``'s daemon, whose --db is ``SHARED_DB``, for this test: in ``setUp``, for ``start``'s."""
        self.daemon = shared.lend(self)
        self.db = os.path.join(shared.folder, SHARED_DB)

    def refuse(self, statement: str) -> None:
        """Have the daemon's --db file refuse every ``statement`` on accounts from now on, as a full disk would;
        until ``DROP TRIGGER refuse``, or the test's end (a shared daemon's next test finds its file whole)."""
        refuse_on_accounts(self.db, statement)
        self.addCleanup(self.accept_again)

    def accept_again(self) -> None:
        """The --db file takes changes to accounts again."""
        with closing(sqlite3.connect(self.db)) as other, other:
            other.execute("DROP TRIGGER IF EXISTS refuse")

    def register(self, nick: str) -> LineClient:
        """``nick`` from 127.0.0.1, registered with ``PASSWORD``."""
        client = self.connect("127.0.0.1", nick)
        client.say(f"/register {PASSWORD}")
        self.until(client, registered(nick))
        return client

    def register_alice(self) -> LineClient:
        return self.register("alice")


class AccountTests(AccountTestCase):
    """A stolen nickname, two connections of one account, a stale one, wrong passwords, a file that refuses.

    On a daemon the class's tests share (``SharedDaemon``): its --db file outlives each test's users, so each
    test registers a nickname of its own.
    """

    shared = SharedDaemon([*SHARED_LOBBY, "--db", SHARED_DB])

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def setUp(self) -> None:
        self.borrow(self.shared)

    def test_a_stolen_nickname_is_refused_and_its_owner_told(self) -> None:
        """Someone at another address who says alice is refused in one line and asked again; alice sees who tried."""
        alice = self.register_alice()
        thief = self.connect("127.0.0.2", "alice")
        thief.expect(PROTECTED, PROMPT)
        thief.say("AIice")
        thief.expect(
            "ERR nick-registered AIice looks like alice, which is registered; choose another nickname", PROMPT
        )
        self.until(alice, "-- someone at 127.0.0.2 tried to take your nickname alice")

    def test_two_connections_of_one_account_see_each_others_lines(self) -> None:
        """A second connection identified as abby is abby: each sees what the other says, as bob does."""
        abby = self.register("abby")
        bob = self.connect("127.0.0.4", "bob")
        self.until(bob, "*** In #lobby (2): abby bob")
        second = self.connect("127.0.0.3", f"abby {PASSWORD}")
        second.expect(
            identified("abby"),
            "*** You are abby.",
            "*** You are in #lobby with your other connections.",
            "*** In #lobby (2): abby bob",
        )
        self.until(second, "*** Now talking in #lobby.")
        second.say("from the second")
        for client in (abby, second, bob):
            self.until(client, "#lobby <abby> from the second")
        abby.say("from the first")
        for client in (abby, second, bob):
            self.until(client, "#lobby <abby> from the first")

    def test_an_account_the_file_cannot_keep_is_refused_and_undone(self) -> None:
        """The --db file refuses the account (as a full disk would): /register says in one line that nothing
        changed, adele is identified to no account and her nickname protects nothing; once the file takes
        accounts again, /register works."""
        self.refuse("INSERT")
        adele = self.connect("127.0.0.1", "adele")
        adele.say(f"/register {PASSWORD}")
        self.until(adele, not_saved("adele"))
        adele.say(f"/unregister {PASSWORD}")
        self.until(adele, NOT_IDENTIFIED)
        second = self.connect("127.0.0.2", f"/identify adele {PASSWORD}")
        self.until(second, wrong("adele"))
        with closing(sqlite3.connect(self.db)) as other, other:
            other.execute("DROP TRIGGER refuse")
        adele.say(f"/register {PASSWORD}")
        self.until(adele, registered("adele"))

    def test_an_unregistration_the_file_cannot_keep_is_refused_and_undone(self) -> None:
        """The file refuses to delete the account: /unregister says nothing changed, and agnes is still
        identified to it (she cannot register it again) and still owns the nickname."""
        agnes = self.register("agnes")
        self.refuse("DELETE")
        agnes.say(f"/unregister {PASSWORD}")
        self.until(agnes, not_saved("agnes"))
        agnes.say(f"/register {PASSWORD}")
        self.until(agnes, "ERR already-identified you are identified as agnes already")
        thief = self.connect("127.0.0.2")
        thief.say(f"/identify agnes {PASSWORD}")
        self.until(thief, identified("agnes"))

    def test_a_password_the_file_cannot_keep_is_refused(self) -> None:
        """The file refuses the new hash: /password says nothing changed, and the old password still works."""
        aida = self.register("aida")
        self.refuse("UPDATE")
        aida.say(f"/password {PASSWORD} another-password")
        self.until(aida, not_saved("aida"))
        second = self.connect("127.0.0.3")
        second.say(f"/identify aida {PASSWORD}")
        self.until(second, identified("aida"))

    def test_the_owner_back_while_a_stale_connection_holds_on_takes_the_nickname(self) -> None:
        """alba's old connection has stopped reading, not closed: identifying again gets her in as alba
        at once, and what she says from the new one is alba's."""
        self.register("alba")
        bob = self.connect("127.0.0.4", "bob")
        self.until(bob, "*** In #lobby (2): alba bob")
        back = self.connect("127.0.0.1", f"alba {PASSWORD}")
        back.expect(identified("alba"), "*** You are alba.")
        self.until(back, "*** Now talking in #lobby.")
        back.say("I am back")
        self.until(bob, "#lobby <alba> I am back")

    def test_wrong_passwords_are_throttled(self) -> None:
        """Three wrong passwords from one connection, each answered after a longer pause; then even the right one is refused."""
        self.register("anna")
        guesser = self.connect("127.0.0.2")
        for guess in ("guess0001", "guess0002", "guess0003"):
            guesser.say(f"/identify anna {guess}")
        guesser.say(f"/identify anna {PASSWORD}")
        guesser.expect(wrong("anna"), wrong("anna"), wrong("anna"))
        line = guesser.read_line()
        self.assertRegex(
            line, rb"^ERR identify-throttled too many wrong passwords; try again in [0-9]+ s\r\n$"
        )


class AccountRestartTests(AccountTestCase):
    """Accounts across a kill -9, on a daemon of the test's own."""

    def test_accounts_survive_kill_9(self) -> None:
        """Registered, then SIGKILL: after the restart alice is still protected, and her password identifies her."""
        self.register_alice()
        self.assertEqual(self.daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        self.daemon = self.start()
        thief = self.connect("127.0.0.2", "alice")
        thief.expect(PROTECTED, PROMPT)
        alice = self.connect("127.0.0.1", f"alice {PASSWORD}")
        alice.expect(IDENTIFIED, "*** You are alice.")


class EveryConnectionTests(AccountTestCase):
    """A daemon with an IRC listener too: alice's connections on both front ends."""

    def start(self) -> Daemon:
        return Daemon.start(self, [*LOOPBACK, "--db", self.db, "--irc-port", "0"])

    def test_an_unregistration_the_file_cannot_keep_is_taken_back_on_every_connection(self) -> None:
        """alice on a terminal, in JSON (as the page and the client read) and on IRC: her /unregister on the
        terminal is told to the other two as it happens, so when the file refuses it, each is told it is hers
        still: the JSON one an account notice naming her account again, IRC a 900 after its 901, the asker a
        notice beside its ERR not-saved."""
        daemon = self.daemon
        alice = self.register_alice()
        program = self.connect("127.0.0.3", "/format json")
        program.say(f"/identify alice {PASSWORD}")

        def account_notice() -> dict[str, object]:
            while True:
                notice = program.expect_json()
                if notice.get("kind") == "account":
                    return notice

        self.assertEqual(account_notice()["text"], "You are identified as alice.")
        irc = IRCClient(daemon, irc_port(daemon), "alice", sasl=("alice", PASSWORD))
        irc.registered()
        self.refuse("DELETE")
        alice.say(f"/unregister {PASSWORD}")
        self.until(alice, STILL_REGISTERED)
        alice.expect(NOT_SAVED)
        self.assertEqual(
            [account_notice(), account_notice()],
            [
                {
                    "type": "notice",
                    "kind": "account",
                    "text": "The nickname alice is no longer registered; anyone may take it once you leave it.",
                    "account": None,
                    "nick": "alice",
                    "change": "unregistered",
                },
                {
                    "type": "notice",
                    "kind": "account",
                    "text": STILL_REGISTERED[4:],
                    "account": "alice",
                    "nick": "alice",
                    "change": "identified",
                    "undoes": "unregistered",
                },
            ],
        )
        self.assertEqual(irc.next("loggedout").kind, "loggedout")
        self.assertEqual(
            irc.next("loggedin"),
            Heard(
                "loggedin", "e2e", "alice", ("alice!alice@chatd", "alice", "You are now logged in as alice")
            ),
        )


class AccountsBoundTests(AccountTestCase):
    """A daemon that keeps one account in all."""

    def start(self) -> Daemon:
        return Daemon.start(self, [*LOOPBACK, "--db", self.db, "--max-accounts", "1"])

    def test_past_max_accounts_registering_is_refused_in_one_line_after_a_restart_too(self) -> None:
        """alice registers; bob, from another address, is refused in one line, and still is once the daemon
        has restarted and counted the accounts in its --db file."""
        self.register_alice()
        full = (
            "ERR accounts-full this server keeps the most accounts it allows (1); none can be registered "
            "until one is given up"
        )
        bob = self.connect("127.0.0.2", "bob")
        bob.say(f"/register {PASSWORD}")
        self.until(bob, full)
        self.assertEqual(self.daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        self.daemon = self.start()
        bob = self.connect("127.0.0.2", "bob")
        bob.say(f"/register {PASSWORD}")
        self.until(bob, full)


class RegistrationLimitTests(AccountTestCase):
    """A daemon that lets an address register one account an hour, and an account register one room."""

    def start(self) -> Daemon:
        return Daemon.start(
            self, [*LOOPBACK, "--db", self.db, "--accounts-per-hour", "1", "--registered-rooms", "1"]
        )

    def test_a_second_account_from_one_address_and_a_second_room_are_refused_in_one_line(self) -> None:
        """alice registers from 127.0.0.1; bob, from there too, is told to wait an hour, carol from 127.0.0.2
        is not; alice registers #dev, and #ops is refused until she gives #dev up."""
        alice = self.register_alice()
        bob = self.connect("127.0.0.1", "bob")
        bob.say(f"/register {PASSWORD}")
        self.until(
            bob,
            "ERR register-throttled accounts were registered from your address as often as this server allows; "
            "try again in 1h",
        )
        carol = self.connect("127.0.0.2", "carol")
        carol.say(f"/register {PASSWORD}")
        self.until(carol, "*** The nickname carol is registered to you, and you are identified to it.")
        alice.say("/join #dev")
        alice.say("/register #dev")
        self.until(alice, "#dev -- alice registered the room to the account alice")
        alice.say("/join #ops")
        alice.say("/register #ops")
        self.until(
            alice,
            "ERR too-many-registered-rooms your account owns the most registered rooms allowed (1); "
            "/unregister one first",
        )
        alice.say("/unregister #dev")
        alice.say("/register #ops")
        self.until(alice, "#ops -- alice registered the room to the account alice")
