"""The bundled client as one of several connections of an account, against the server's own line front end.

Each client is a real ``Link`` identified (``--identify``) to the account
alice; each server connection a real ``LineProtocol``. Their
``StringTransport``s are pumped into each other on one ``Clock``, so the
wire contract is checked both ways, without sockets.
"""

from collections.abc import Callable
from datetime import UTC

from twisted.internet.address import IPv4Address
from twisted.internet.error import ConnectionDone
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure

from chatd.client.connection import Link
from chatd.client.presence import Presence
from chatd.client.reach import Server
from chatd.line.protocol import LineProtocol
from tests.helpers import LineTestCase
from tests.test_client_connection import FakeEndpoint, RecordingScreen

PASSWORD = "hunter22"

ROUNDS = 1000
"""Most pump rounds a wait may take before the test fails."""


class Client:
    """One terminal client: its link, screen and server connection."""

    def __init__(self, case: "SessionsTestCase", presence: Presence) -> None:
        self.case = case
        self.endpoint = FakeEndpoint()
        self.presence = presence
        self.link = Link(
            self.endpoint, case.clock, presence, Server("t", 5000), policy=lambda attempt: 1.0, zone=UTC
        )
        self.screen = RecordingScreen()
        self.sent: list[str] = []
        """Every line the client sent the server, in order."""
        self.link.start(self.screen)
        self.connect()

    def connect(self) -> None:
        """Take the pending connection attempt and join it to a new server connection."""
        self.peer = self.endpoint.accept()
        server = self.case.factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 4000))
        assert isinstance(server, LineProtocol)
        self.server = server
        self.wire = StringTransport()
        server.makeConnection(self.wire)

    def drop(self) -> None:
        """The connection breaks on both sides at once."""
        self.server.connectionLost(Failure(ConnectionDone()))
        self.peer.close()

    @property
    def prompt(self) -> str | None:
        """The room the prompt shows: where the user expects a plain line to go."""
        return self.presence.current

    def type(self, text: str) -> None:
        """Type ``text`` and press Enter."""
        self.case.assertTrue(self.link.send(text), "the client had a connection to send on")

    def pump(self) -> bool:
        """Move what each side wrote to the other; whether anything moved."""
        up: bytes = self.peer.wire.value()
        self.peer.wire.clear()
        if up:
            self.sent += up.decode().splitlines()
            self.server.dataReceived(up)
        self.case.clock.advance(0)
        down: bytes = self.wire.value()
        self.wire.clear()
        if down:
            self.peer.protocol.dataReceived(down)
        return bool(up or down)

    def showing(self, text: str) -> bool:
        """Whether a line of the server's holding ``text`` has been drawn."""
        return any(text in line for line in self.screen.lines)


class SessionsTestCase(LineTestCase):
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

    def until(self, done: Callable[[], bool]) -> None:
        """Pump until ``done``; time moves on 10 ms whenever nothing moved (the server's pacing)."""
        for _ in range(ROUNDS):
            if done():
                return
            moved = [client.pump() for client in self.clients]
            if not any(moved):
                self.clock.advance(0.01)
        self.fail("the condition never came true")

    def settle(self) -> None:
        """Pump until nothing moves any more."""
        for _ in range(ROUNDS):
            if not any([client.pump() for client in self.clients]):
                return
        self.fail("the clients and the server never fell quiet")


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
    def test_back_to_an_account_online_elsewhere_lines_go_where_the_server_says(self) -> None:
        """The second client was talking in #lobby, in #lobby and #dev, when its connection broke. Coming back, its
        /resume lines are dropped, as alice is online on the first: the server shows the account's rooms and says
        "Now talking in #dev.", and the prompt and the next line go there."""
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
        self.until(lambda: second.showing("Now talking in #dev."))
        self.assertEqual(second.sent[:3], ["/format json", "/resume #dev", "/resume #lobby"])
        self.assertEqual((second.presence.rooms, second.prompt), (["#lobby", "#dev"], "#dev"))
        second.type("back")
        self.until(lambda: second.showing("<alice> back"))
        self.assertEqual(
            [line for line in second.screen.lines if "back" in line], ["00:00 > #dev <alice> back"]
        )
