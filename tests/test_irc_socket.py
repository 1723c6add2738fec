"""IRC over the web port's WebSocket (chatd.irc.socket), on a fake clock: what each message costs and how a socket closes."""

from wsproto.events import AcceptConnection, CloseConnection, Request, TextMessage

from chatd.irc.socket import SUBPROTOCOLS, socket_maker
from tests.irc import IRCTestCase
from tests.web import HOST, WebClient, WebTestCase


class IRCSocketTestCase(WebTestCase, IRCTestCase):
    """The web port with IRC's subprotocols handed to ``self.irc``, as the daemon wires them."""

    def setUp(self) -> None:
        super().setUp()
        self.web.takeovers.add(SUBPROTOCOLS, socket_maker(self.irc))

    def irc_socket(self, nick: str) -> WebClient:
        """A socket in ``text.ircv3.net``, registered as ``nick``, with what it was sent so far read."""
        client = self.open()
        request = Request(host=HOST, target="/ws", subprotocols=["text.ircv3.net"])
        client.connection.dataReceived(client.ws.send(request))
        accepted = client.events(end_pass=False)
        self.assertIsInstance(accepted[0], AcceptConnection)
        client.send(f"NICK {nick}")
        client.send(f"USER {nick} 0 * :{nick}")
        self.assertIn(f" 001 {nick} ", " ".join(self.texts(client)))
        return client

    def texts(self, client: WebClient) -> list[str]:
        """The IRC lines sent to ``client`` since the last call, one a text message."""
        return [event.data for event in client.events() if isinstance(event, TextMessage)]


class MessageBudgetTests(IRCSocketTestCase):
    def test_an_empty_message_costs_a_line_of_budget(self) -> None:
        """Empty messages and CR LF alone are ignored but each costs a line, as an empty line over TCP does: past the
        burst of ten, the PING after them waits its turn."""
        alice = self.irc_socket("alice")
        for _ in range(5):
            alice.send("")
            alice.send("\r\n")
        alice.send("PING x")
        self.assertEqual(self.texts(alice), [])
        self.clock.advance(1)
        self.assertEqual(self.texts(alice), [":testhost PONG testhost x"])


class CloseTests(IRCSocketTestCase):
    def test_text_that_is_not_utf8_is_closed_1007_in_a_reason_of_ours(self) -> None:
        """A text message of invalid UTF-8 closes the socket with 1007 (RFC 6455 section 8.1) and a short reason of
        chatd's, not Python's decoding error."""
        alice = self.irc_socket("alice")
        # FIN and text, masked with a zero key, four bytes: 0xff is no UTF-8.
        alice.connection.dataReceived(b"\x81\x84\x00\x00\x00\x00PIN\xff")
        self.assertEqual(alice.events()[-1], CloseConnection(1007, "invalid UTF-8"))
        self.assertTrue(alice.wire.disconnecting)
