"""``/takeover NICK TOKEN`` on the line front end: what the user is after it, from their new connection."""

import json

from twisted.internet.defer import Deferred
from twisted.internet.testing import StringTransport

from chatd.domain.events import AddressChanged, Event
from chatd.frontend.accounts import AccountLogin
from chatd.frontend.oper import FAILURES_PER_CONNECTION, PAUSE_SECONDS
from chatd.line.protocol import LineProtocol
from tests.helpers import LineTestCase, quick_hash, verify_at_once


class TakeoverTests(LineTestCase):
    """alice from 10.0.0.1, in #lobby; her phone comes back from 10.0.0.2 with her token."""

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.connect(b"alice", host="10.0.0.1")

    def take_over(self, host: str = "10.0.0.2") -> tuple[LineProtocol, StringTransport]:
        """A new connection from ``host`` that takes alice's over; its wire is cleared."""
        token = self.alice.token
        assert token is not None
        phone, wire = self.connect(None, host=host)
        phone.dataReceived(f"/takeover alice {token}\n".encode())
        self.end_pass()
        wire.clear()
        return phone, wire

    def test_whois_shows_operators_the_new_address(self) -> None:
        """After the takeover an operator's /whois shows where alice connects from now."""
        boss, boss_wire = self.operator(b"boss", host="10.0.0.9")
        self.take_over()
        boss.dataReceived(b"/whois alice\n")
        self.assertIn(b"*** alice is connected from 10.0.0.2", self.lines(boss_wire))

    def test_a_ban_of_the_new_address_takes_her_off_and_one_of_the_old_does_not(self) -> None:
        """A ban of the address she left takes nobody off; a ban of the one she is at ends her new connection."""
        boss, _ = self.operator(b"boss", host="10.0.0.9")
        phone, wire = self.take_over()
        boss.dataReceived(b"/ban 10.0.0.1\n")
        self.end_pass()
        self.assertFalse(wire.disconnecting)
        boss.dataReceived(b"/ban 10.0.0.2\n")
        self.end_pass()
        self.assertTrue(wire.disconnecting)
        self.assertIsNone(phone.user)

    def test_the_move_is_published_to_nobody(self) -> None:
        """The chat says where alice is now in one event, delivered to nobody: her roommates see nothing."""
        _, bob_wire = self.connect(b"bob", host="10.0.0.3")
        published: list[Event] = []
        self.bus.subscribe(published.append, (AddressChanged,))
        self.take_over()
        self.assertEqual(
            [(e.actor.address, e.address) for e in published if isinstance(e, AddressChanged)],
            [("10.0.0.1", "10.0.0.2")],
        )
        self.assertEqual(self.lines(bob_wire), [])

    def test_a_takeover_from_the_same_address_publishes_nothing(self) -> None:
        """A connection back from the address alice had changes nothing about her address."""
        published: list[Event] = []
        self.bus.subscribe(published.append, (AddressChanged,))
        self.take_over(host="10.0.0.1")
        self.assertEqual(published, [])

    def test_whom_she_ignores_is_carried_over(self) -> None:
        """alice ignored mallory on her old connection: her new one hides mallory's lines too."""
        mallory, _ = self.connect(b"mallory", host="10.0.0.4")
        self.alice.dataReceived(b"/ignore mallory\n")
        _, wire = self.take_over()
        mallory.dataReceived(b"spam\n")
        self.assertEqual(self.lines(wire), [])

    def test_an_operator_is_told_she_is_one_as_her_new_connection_is_named(self) -> None:
        """alice became an operator on her old connection: her new one's "You are alice." says so in JSON, so that
        a page offers her what the server lets an operator do; before her /oper it did not."""

        def nick_notice() -> dict[str, object]:
            token = self.alice.token
            assert token is not None
            phone, wire = self.connect(None, host="10.0.0.2")
            phone.dataReceived(f"/format json\n/takeover alice {token}\n".encode())
            self.alice = phone
            return next(item for item in map(json.loads, self.lines(wire)) if item.get("kind") == "nick")

        self.assertNotIn("operator", nick_notice())
        self.alice.dataReceived(b"/oper boss correct horse\n")
        self.assertIs(nick_notice()["operator"], True)

    def test_an_operator_asking_for_her_own_nickname_is_told_she_is_one_still(self) -> None:
        """alice, an operator, asks for the nickname she holds: "You are alice already." says she is one, as every
        "You are NICK." does, so that a page reading it does not take her for one no more."""
        self.alice.dataReceived(b"/oper boss correct horse\n/format json\n")
        self.lines(self.alice_wire)
        self.alice.dataReceived(b"/nick alice\n")
        self.assertEqual(
            [json.loads(line) for line in self.lines(self.alice_wire)],
            [
                {
                    "type": "notice",
                    "kind": "nick",
                    "nick": "alice",
                    "operator": True,
                    "text": "You are alice already.",
                }
            ],
        )

    def test_plain_lines_go_where_they_went(self) -> None:
        """alice talked in #dev after joining #ops: her new connection talks in #dev, and says so."""
        self.alice.dataReceived(b"/join #dev\n/join #ops\n/join #dev\n")
        self.assertIn(b"*** Now talking in #dev.", self.lines(self.alice_wire))
        phone, _ = self.take_over()
        self.assertEqual(phone.current, "#dev")

    def test_she_may_delete_a_line_she_said_before_from_her_new_address(self) -> None:
        """alice, a guest, said a line from 10.0.0.1: from 10.0.0.2, after the takeover, it is still hers to delete."""
        self.alice.dataReceived(b"my password is hunter2\n")
        kept = self.history.at_hand("#lobby", None, 1)
        assert kept, "the history in memory holds every line"
        phone, wire = self.take_over()
        phone.dataReceived(f"/delete {kept[-1].id}\n".encode())
        self.assertEqual(
            self.lines(wire), [f"[00:00] #lobby -- alice deleted the line {kept[-1].id}".encode()]
        )

    def test_a_guest_is_told_she_is_back_in_her_rooms_not_with_other_connections(self) -> None:
        """alice, a guest, has no other connection: her new one says she is back in #lobby."""
        token = self.alice.token
        assert token is not None
        phone, wire = self.connect(None, host="10.0.0.2")
        wire.clear()
        phone.dataReceived(f"/takeover alice {token}\n".encode())
        self.end_pass()
        self.assertIn(b"*** You are back in #lobby.", self.lines(wire))


NOBODY_CAROL = b"ERR takeover-failed nobody called carol is online; nothing changed"
"""The refusal of a token for carol, whom nobody is online as."""

WRONG_FOR_ALICE = (
    b"ERR takeover-failed that token is not the takeover token of alice's connection; nothing changed"
)
"""The refusal of a wrong token for alice, who is online."""


class RefusedTakeoverTests(LineTestCase):
    """alice from 10.0.0.1, online; tokens refused to new connections from 10.0.0.2, the clock standing still."""

    def setUp(self) -> None:
        super().setUp()
        self.alice, _ = self.connect(b"alice", host="10.0.0.1")
        self.wrong = "x" * len(self.alice.token or "")

    def test_a_nickname_nobody_holds_is_refused_at_once(self) -> None:
        """A token for carol, whom nobody is online as (a daemon restarted since it was handed), is refused with
        no pause, and the connection may choose a nickname at once."""
        phone, wire = self.connect(None, host="10.0.0.2")
        phone.dataReceived(f"/takeover carol {self.wrong}\n".encode())
        self.assertEqual(self.lines(wire), [NOBODY_CAROL])
        phone.dataReceived(b"/nick carol\n")
        self.assertIn(b"*** You are carol.", self.lines(wire))

    def test_a_wrong_token_for_a_nickname_someone_holds_waits_its_pause(self) -> None:
        """A wrong token for alice, who is online, is answered only after the connection's first pause."""
        phone, wire = self.connect(None, host="10.0.0.2")
        phone.dataReceived(f"/takeover alice {self.wrong}\n".encode())
        self.clock.advance(PAUSE_SECONDS - 0.001)
        self.assertEqual(self.lines(wire), [])
        self.clock.advance(0.001)
        self.assertEqual(self.lines(wire), [WRONG_FOR_ALICE])

    def test_refusals_for_nicknames_nobody_holds_spend_no_wrong_tokens(self) -> None:
        """Past as many refusals for carol as a connection may make wrong tokens, a wrong token for alice is still
        checked, and waits the first pause, not a longer one nor the throttle."""
        phone, wire = self.connect(None, host="10.0.0.2")
        for _ in range(FAILURES_PER_CONNECTION + 1):
            phone.dataReceived(f"/takeover carol {self.wrong}\n".encode())
        self.assertEqual(self.lines(wire), [NOBODY_CAROL] * (FAILURES_PER_CONNECTION + 1))
        phone.dataReceived(f"/takeover alice {self.wrong}\n".encode())
        self.clock.advance(PAUSE_SECONDS)
        self.assertEqual(self.lines(wire), [WRONG_FOR_ALICE])


class TakeoverMidCommandTests(LineTestCase):
    """alice's old connection is hashing a /register password when her new one takes it over."""

    def setUp(self) -> None:
        super().setUp()
        self.hashing: Deferred[str] = Deferred()
        self.factory.accounts = AccountLogin(
            lambda _: self.hashing, verify_at_once, self.clock, bounded=self.bounded
        )

    def test_the_answer_comes_once_to_the_new_connection(self) -> None:
        """The hash done after the takeover, the account is made and the new connection told so once; nothing
        breaks."""
        alice, _ = self.connect(b"alice", host="10.0.0.1")
        alice.dataReceived(b"/register correct horse\n")
        token = alice.token
        assert token is not None
        phone, wire = self.connect(None, host="10.0.0.2")
        phone.dataReceived(f"/takeover alice {token}\n".encode())
        self.lines(wire)
        self.hashing.callback(quick_hash("correct horse"))
        self.assertEqual(
            self.lines(wire),
            [b"*** The nickname alice is registered to you, and you are identified to it."],
        )
        self.assertTrue(self.chat.is_registered("alice"))
