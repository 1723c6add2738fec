"""IRC over the web port's WebSocket, as gamja and Kiwi IRC speak it, with a real daemon on loopback."""

from twisted.trial.unittest import SynchronousTestCase
from wsproto.events import BytesMessage, TextMessage

from tests.e2e.daemon import Daemon
from tests.e2e.lobby import LOOPBACK
from tests.e2e.websocket import WebSocketClient, web_port


class IRCOverWebSocketTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.daemon = Daemon.start(self, [*LOOPBACK, "--db", ":memory:", "--web-port", "0"])
        self.port = web_port(self.daemon)

    def lines_until(self, client: WebSocketClient, command: str) -> list[str]:
        """The IRC lines (one a message) up to and including the first with ``command`` second."""
        seen = []
        while True:
            event = client.next_event()
            if isinstance(event, TextMessage):
                text = event.data
            elif isinstance(event, BytesMessage):
                text = bytes(event.data).decode()
            else:
                self.daemon.fail(f"expected an IRC line, got {event!r}")
            self.assertFalse(text.endswith("\r\n"), text)
            seen.append(text)
            if text.split(" ")[1] == command:
                return seen

    def test_text_subprotocol_chats_with_an_nc_user(self) -> None:
        """A client offering text.ircv3.net is answered with it, registers, and talks with an nc user in #lobby."""
        client = WebSocketClient(self.daemon, self.port, subprotocols=["text.ircv3.net"])
        self.assertEqual(client.subprotocol, "text.ircv3.net")
        client.send("NICK webirc")
        client.send("USER w 0 * :Web IRC")
        welcome = self.lines_until(client, "001")
        self.assertTrue(
            welcome[-1].endswith(" 001 webirc :Welcome to the chatd IRC network, webirc!webirc@chatd")
        )
        client.send("JOIN #lobby")
        self.lines_until(client, "366")
        nc = self.daemon.connect()
        nc.say("ncuser")
        nc.say("hello web irc")
        said = self.lines_until(client, "PRIVMSG")
        self.assertEqual(said[-1], ":ncuser!ncuser@chatd PRIVMSG #lobby :hello web irc")
        client.send("PRIVMSG #lobby :hello nc")
        while not (line := nc.read_line()).endswith(b"#lobby <webirc> hello nc\r\n"):
            self.assertNotIn(b"ERR", line)

    def test_binary_subprotocol_frames_lines_as_binary(self) -> None:
        """binary.ircv3.net is answered with it and each line comes in a binary frame."""
        client = WebSocketClient(self.daemon, self.port, subprotocols=["binary.ircv3.net"])
        self.assertEqual(client.subprotocol, "binary.ircv3.net")
        client.socket.sendall(client.ws.send(BytesMessage(b"NICK binirc")))
        client.socket.sendall(client.ws.send(BytesMessage(b"USER b 0 * :B")))
        event = client.next_event()
        self.assertIsInstance(event, BytesMessage)

    def test_no_subprotocol_is_still_the_pages_json(self) -> None:
        """A socket that offers no subprotocol speaks the line protocol's JSON, as the page's does."""
        client = WebSocketClient(self.daemon, self.port)
        self.assertIsNone(client.subprotocol)
        self.assertEqual(client.next_object()["kind"], "welcome")
