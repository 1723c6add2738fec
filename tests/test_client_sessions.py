"""The bundled client as one of several connections of an account, against the server's own line front end.

Each client is a real ``Link`` identified (``--identify``) to the account
alice; each server connection a real ``LineProtocol``. Their
``StringTransport``s are pumped into each other on one ``Clock``, so the
wire contract is checked both ways, without sockets.
"""

from chatd.client.presence import Presence
from tests.helpers import LineTestCase
from tests.linked import LinkedClient, Pumping

PASSWORD = "hunter22"


class Client(LinkedClient):
    """One terminal client of alice's."""

    @property
    def prompt(self) -> str | None:
        """The room the prompt shows: where the user expects a plain line to go."""
        return self.presence.current


class SessionsTestCase(Pumping, LineTestCase):
    """alice has registered her nickname on a terminal client, and is in #lobby."""

    def setUp(self) -> None:
        super().setUp()
        self.clients: list[Client] = []
        self.first = self.client(Presence("alice"))
        self.first.type(f"/register {PASSWORD}")
        self.until(lambda: self.first.showing("registered to you"))

    def client(self, presence: Presence) -> Client:
        client = Client(self, presence)
        self.clients.append(client)
        self.until(lambda: client.prompt is not None)
        return client


class SiblingJoinTests(SessionsTestCase):
    def test_a_join_from_another_connection_leaves_the_prompt_where_lines_go(self) -> None:
        """A second client identified to alice stays in #lobby when the first joins #dev: its prompt says
        #lobby, and the line typed there is said in #lobby, as the prompt promised."""
        second = self.client(Presence("alice", PASSWORD))
        self.assertEqual(second.prompt, "#lobby")
        self.first.type("/join #dev")
        self.until(lambda: second.showing("You are in #dev with your other connections."))
        self.settle()
        self.assertEqual((self.first.prompt, second.prompt), ("#dev", "#lobby"))
        self.assertEqual(second.presence.rooms, ["#lobby", "#dev"])
        second.type("hello")
        self.until(lambda: second.showing("<alice> hello"))
        self.assertEqual(
            [line for line in second.screen.lines if "hello" in line], ["00:00 > #lobby <alice> hello"]
        )

    def test_a_connection_identified_to_alice_takes_her_joins_for_its_own(self) -> None:
        """guest, in #ops, identifies to alice online on the first client: it is alice in #lobby (guest and #ops are
        gone), and the first client's join of #dev adds #dev without moving its prompt."""
        second = self.client(Presence("guest"))
        second.type("/join #ops")
        self.settle()
        second.type(f"/identify alice {PASSWORD}")
        self.until(lambda: second.showing("Now talking in #lobby."))
        self.assertEqual(
            (second.presence.nick, second.presence.rooms, second.prompt), ("alice", ["#lobby"], "#lobby")
        )
        self.first.type("/join #dev")
        self.until(lambda: second.showing("You are in #dev with your other connections."))
        self.settle()
        self.assertEqual((second.presence.rooms, second.prompt), (["#lobby", "#dev"], "#lobby"))


class ReturnTests(SessionsTestCase):
    def test_back_to_an_account_online_elsewhere_talks_where_it_did(self) -> None:
        """The second client was talking in #lobby, in #lobby and #dev, when its connection broke. Coming back while
        alice is online on the first, the server shows the account's rooms and says "Now talking in #lobby.", where
        the client was, not #dev, the account's last room; the prompt and the next line go there."""
        second = self.client(Presence("alice", PASSWORD))
        second.type("/join #dev")
        second.type("/join #lobby")
        self.settle()
        self.assertEqual((second.presence.rooms, second.prompt), (["#lobby", "#dev"], "#lobby"))
        second.screen.take()
        second.drop()
        self.clock.advance(1.0)
        second.connect()
        second.sent.clear()
        self.until(lambda: second.showing("Now talking in #lobby."))
        self.assertEqual(second.sent[:3], ["/format json", "/resume #dev", "/resume #lobby"])
        self.assertEqual((second.presence.rooms, second.prompt), (["#lobby", "#dev"], "#lobby"))
        second.type("back")
        self.until(lambda: second.showing("<alice> back"))
        self.assertEqual(
            [line for line in second.screen.lines if "back" in line], ["00:00 > #lobby <alice> back"]
        )
