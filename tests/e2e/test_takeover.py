"""``/takeover NICK TOKEN`` over real TCP: a real twistd, raw sockets, alice's token taken from her JSON."""

import signal
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon, LineClient, SharedDaemon, opers_file
from tests.e2e.lobby import LOOPBACK, SHARED_LOBBY
from tests.e2e.test_client_resume import enter, said_by
from tests.helpers import quick_hash

PASSWORD = "correct horse"


def json_client(daemon: Daemon, source: str | None = None) -> LineClient:
    """A connection (from ``source``, if given) past its greeting in text, then in JSON: asked for a nickname."""
    client = daemon.connect(source=source)
    client.read_line(), client.read_line()
    client.say("/format json")
    while client.expect_json().get("kind") != "prompt":
        pass
    return client


def json_named(daemon: Daemon, nick: str, source: str | None = None) -> tuple[LineClient, str]:
    """A JSON client named ``nick`` (from ``source``, if given), in #lobby, and the takeover token it was handed."""
    client = json_client(daemon, source)
    client.say(f"/nick {nick}")
    while (named := client.expect_json()).get("kind") != "nick":
        pass
    return client, named["token"]


def takes_over(
    daemon: Daemon, nick: str, token: str, source: str | None = None
) -> tuple[LineClient, dict[str, Any]]:
    """A new JSON connection (from ``source``, if given) that presents ``token`` for ``nick``, and the answer."""
    client = json_client(daemon, source)
    client.say(f"/takeover {nick} {token}")
    return client, client.expect_json()


class TakeoverTestCase(SynchronousTestCase):
    """alice on JSON, bob on nc, both in #lobby, on the daemon ``start`` gives."""

    def start(self) -> Daemon:
        raise NotImplementedError

    def setUp(self) -> None:
        self.daemon = self.start()
        self.alice, self.token = json_named(self.daemon, "alice")
        self.bob = enter(self.daemon, "bob")

    def alice_hears(self, text: str) -> dict[str, Any]:
        """alice's first object saying ``text``."""
        while (got := self.alice.expect_json()).get("text") != text:
            pass
        return got


class HandedOverTests(TakeoverTestCase):
    """A takeover on a daemon of its own: the test stops it and reads its whole log."""

    def start(self) -> Daemon:
        return Daemon.start(self, LOOPBACK)

    def test_the_token_hands_the_nickname_and_rooms_over_at_once_and_nobody_sees_it(self) -> None:
        """A new connection presenting alice's token is alice in #lobby at once, handed a new token; the old one
        is told why and closed; bob sees no quit, no join; and no token is in the daemon's log."""
        said_by(self.bob, "before")
        new, named = takes_over(self.daemon, "alice", self.token)
        self.assertEqual((named["kind"], named["nick"]), ("nick", "alice"))
        self.assertNotEqual(named["token"], self.token)
        in_room = new.expect_json()
        self.assertEqual((in_room["kind"], in_room["room"]), ("in_room", "#lobby"))
        ended = self.alice.read_to_end()
        self.assertIn(b'"code":"taken-over"', ended.replace(b" ", b""))
        said_by(self.bob, "after")
        while (got := new.expect_json()).get("text") != "after":
            pass
        self.assertEqual((got["type"], got["nick"]), ("said", "bob"))
        self.bob.say("/quit")
        seen = self.bob.read_to_end()
        self.assertNotIn(b"alice quit", seen)
        self.assertNotIn(b"alice joined", seen)
        self.daemon.signal(signal.SIGTERM)
        log = b"\n".join(self.daemon.logged_so_far())
        for token in (self.token, named["token"]):
            self.assertNotIn(token.encode(), log)


class TakeoverTests(TakeoverTestCase):
    """Tokens refused, on a daemon the class's tests share (``SharedDaemon``): no lines replayed, so alice hears
    only what bob says in this test."""

    shared = SharedDaemon(SHARED_LOBBY)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def start(self) -> Daemon:
        return self.shared.lend(self)

    def test_a_wrong_token_is_one_error_and_changes_nothing(self) -> None:
        """A token that is nobody's is refused with one line; alice stays, and the connection may still choose."""
        carol = self.daemon.connect()
        carol.say("/takeover alice " + "x" * len(self.token))
        carol.read_line(), carol.read_line()  # the greeting
        carol.expect(
            "ERR takeover-failed that token is not the takeover token of alice's connection; nothing changed"
        )
        carol.say("carol")
        carol.expect("*** You are carol.")
        said_by(self.bob, "still")
        self.assertEqual(self.alice_hears("still")["nick"], "bob")

    def test_the_token_of_another_nickname_is_refused(self) -> None:
        """alice's token does not hand over bob."""
        carol = self.daemon.connect()
        carol.say(f"/takeover bob {self.token}")
        carol.read_line(), carol.read_line()  # the greeting
        carol.expect(
            "ERR takeover-failed that token is not the takeover token of bob's connection; nothing changed"
        )
        said_by(self.bob, "still")
        self.assertEqual(self.alice_hears("still")["nick"], "bob")

    def test_a_nickname_nobody_holds_is_refused_in_its_own_words(self) -> None:
        """A token for dora, whom nobody is online as (one a restarted daemon never handed out), is refused with one
        line saying so, and the connection may take the nickname."""
        dora = self.daemon.connect()
        dora.say("/takeover dora " + "x" * len(self.token))
        dora.read_line(), dora.read_line()  # the greeting
        dora.expect("ERR takeover-failed nobody called dora is online; nothing changed")
        dora.say("dora")
        dora.expect("*** You are dora.")

    def test_a_token_once_used_is_refused(self) -> None:
        """The token a takeover used died with the session it named: a second try with it is refused."""
        takes_over(self.daemon, "alice", self.token)
        late = self.daemon.connect()
        late.say(f"/takeover alice {self.token}")
        late.read_line(), late.read_line()  # the greeting
        late.expect(
            "ERR takeover-failed that token is not the takeover token of alice's connection; nothing changed"
        )


class NewAddressTests(SynchronousTestCase):
    """alice's phone on 127.0.0.2 comes back from 127.0.0.3; boss, an operator, on 127.0.0.1."""

    def setUp(self) -> None:
        self.daemon = Daemon.start(self, [*LOOPBACK, "--opers", opers_file(self, quick_hash(PASSWORD))])
        self.boss = enter(self.daemon, "boss")
        self.boss.say(f"/oper boss {PASSWORD}")
        self.boss.expect("*** You are now an operator.")
        _, token = json_named(self.daemon, "alice", source="127.0.0.2")
        self.phone, named = takes_over(self.daemon, "alice", token, source="127.0.0.3")
        self.assertEqual(named["nick"], "alice")

    def test_whois_shows_the_new_address(self) -> None:
        """boss's /whois alice says she is connected from the address she came back from."""
        self.boss.say("/whois alice")
        while not (line := self.boss.read_line()).startswith(b"*** alice is connected from"):
            pass
        self.assertEqual(line, b"*** alice is connected from 127.0.0.3\r\n")

    def test_a_ban_of_the_new_address_takes_her_off(self) -> None:
        """boss bans 127.0.0.3: alice's new connection is told and closed, as anyone at a banned address is."""
        self.boss.say("/ban 127.0.0.3")
        ended = self.phone.read_to_end().replace(b" ", b"")
        self.assertIn(b'"type":"banned"', ended)
        self.assertIn(b'"nick":"alice"', ended)
