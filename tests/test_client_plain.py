"""The client for scripts: stdin lines to the server, rendered lines to stdout, notices to stderr."""

import io
from datetime import UTC

from twisted.internet.error import ConnectionDone
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from chatd.client.connection import Link
from chatd.client.plain import PlainIO
from chatd.client.presence import Presence
from chatd.client.reach import Server
from tests.test_client_connection import START, FakeEndpoint, Peer
from tests.test_client_ui import said


class PlainTestCase(SynchronousTestCase):
    """A PlainIO over a fake stdio, linked to a fake server, times in UTC."""

    nick: str | None = None

    def setUp(self) -> None:
        self.clock = Clock()
        self.clock.advance(START)
        self.endpoint = FakeEndpoint()
        self.link = Link(
            self.endpoint,
            self.clock,
            Presence(self.nick),
            Server("chat.example", 5000),
            retry=False,
            zone=UTC,
        )
        self.errors = io.StringIO()
        self.plain = PlainIO(self.link, self.errors)
        self.stdio = StringTransport()
        self.plain.makeConnection(self.stdio)
        self.statuses: list[int] = []
        self.link.start(self.plain).addCallback(self.plain.close)
        self.plain.ended.addCallback(self.statuses.append)

    def accept(self) -> Peer:
        """The connection up and chatd's first line received: what lets the client read stdin."""
        peer = self.endpoint.accept()
        peer.send("*** Welcome to chatd 0.1.0 on chat.example. Type /help for help.")
        return peer

    def stdout(self) -> list[str]:
        data: bytes = self.stdio.value()
        self.stdio.clear()
        return data.decode("utf-8").split("\n")


class PlainTests(PlainTestCase):
    """Lines in, lines out, and the exit status."""

    def test_stdin_waits_for_the_server(self) -> None:
        """stdin is not read until the connection is up and its first line shows it is chatd; then it is."""
        self.assertEqual(self.stdio.producerState, "paused")
        peer = self.endpoint.accept()
        self.assertEqual(self.stdio.producerState, "paused")
        peer.send("*** Welcome to chatd 0.1.0 on chat.example. Type /help for help.")
        self.assertEqual(self.stdio.producerState, "producing")
        self.assertEqual(self.errors.getvalue(), "09:00 ~ Connected to chat.example port 5000 (127.0.0.1).\n")

    def test_a_script_line_never_reaches_a_port_that_is_not_chatd(self) -> None:
        """A script's /identify, read at once, went to whatever answered: another service's first line reads none."""
        peer = self.endpoint.accept()
        self.plain.dataReceived(b"/identify alice secret\n")
        peer.send("HTTP/1.1 400 Bad Request")
        self.assertEqual(peer.sent(), ["/format json"])
        self.assertEqual(self.stdio.producerState, "paused")

    def test_lines_in_rendered_lines_out(self) -> None:
        """Each stdin line is sent as typed (CR dropped); each server line is printed without escapes."""
        peer = self.accept()
        self.plain.dataReceived(b"alice\r\nhi \xff\n\n")
        self.assertEqual(peer.sent(), ["/format json", "alice"])
        peer.register()
        self.assertEqual(peer.sent(), ["hi \ufffd"])
        peer.send(
            said("bob", "hi alice"),
            {"type": "whispered", "at": START, "nick": "bob", "to": "alice", "text": "x"},
        )
        self.assertEqual(
            self.stdout(),
            [
                "09:00 * You are alice.",
                "09:00 - alice joined #lobby",
                "09:00 * In #lobby (1): alice",
                "09:00   #lobby <bob> hi alice",
                "09:00 @ <bob -> alice> x",
                "",
            ],
        )

    def test_lines_wait_for_the_nickname_to_be_accepted(self) -> None:
        """After the line that names the user nothing more is read or sent until the server says yes."""
        peer = self.accept()
        peer.sent()
        self.plain.dataReceived(b"/users\nalice\nhello\n")
        self.assertEqual(peer.sent(), ["/users", "alice"])
        self.assertEqual(self.stdio.producerState, "paused")
        peer.send({"type": "user_list", "nicks": ["bob"]})
        self.assertEqual(peer.sent(), [])
        peer.register()
        self.assertEqual(peer.sent(), ["hello"])
        self.assertEqual(self.stdio.producerState, "producing")

    def test_taken_nickname_ends_with_1_and_sends_nothing_more(self) -> None:
        """A refused nickname is said on stderr, the next line is never sent as one, and the exit status is 1."""
        peer = self.accept()
        peer.sent()
        self.plain.dataReceived(b"alice\nhello\n")
        peer.send(
            {"type": "error", "code": "nick-in-use", "text": "alice is already taken"},
            {"type": "notice", "kind": "prompt", "text": "Choose a nickname:"},
        )
        self.assertEqual(peer.sent(), ["alice", "/quit"])
        self.assertIn(
            "chatd.client: the nickname alice is taken; choose another with --nick\n", self.errors.getvalue()
        )
        peer.send({"type": "notice", "kind": "bye", "text": "Goodbye."})
        peer.close()
        self.plain.connectionLost(Failure(ConnectionDone()))
        self.assertEqual(self.statuses, [1])

    def test_other_refusal_said_in_the_servers_words(self) -> None:
        """A nickname refused for another reason is said with the server's text."""
        peer = self.accept()
        self.plain.dataReceived(b"//x\n")
        peer.send({"type": "error", "code": "bad-nick", "text": "a nickname starts with a letter"})
        self.assertIn(
            "chatd.client: the server refused the nickname /x: a nickname starts with a letter\n",
            self.errors.getvalue(),
        )
        self.assertEqual(peer.sent()[-1], "/quit")

    def test_a_refused_nick_password_line_never_says_the_password(self) -> None:
        """NICK PASSWORD as the first line, a wrong password: the refusal names the nickname alone on stderr."""
        peer = self.accept()
        self.plain.dataReceived(b"alice wrong-password\n")
        peer.send(
            {"type": "error", "code": "identify-failed", "text": "wrong password, or alice is not registered"}
        )
        self.assertEqual(
            self.errors.getvalue().splitlines()[-1],
            "chatd.client: the server refused the nickname alice: wrong password, or alice is not registered",
        )
        self.assertNotIn("wrong-password", self.errors.getvalue())
        self.assertEqual(peer.sent()[-1], "/quit")

    def test_end_of_input_quits_then_exits_0(self) -> None:
        """At the end of stdin /quit goes out; after the server's goodbye and close stdout is closed, status 0."""
        peer = self.accept()
        peer.sent()
        self.plain.readConnectionLost()
        self.assertEqual(peer.sent(), ["/quit"])
        self.assertFalse(self.stdio.disconnecting)
        peer.send({"type": "notice", "kind": "bye", "text": "Goodbye."})
        peer.close()
        self.assertEqual(self.stdout(), ["09:00 * Goodbye.", ""])
        self.assertTrue(self.stdio.disconnecting)
        self.plain.connectionLost(Failure(ConnectionDone()))
        self.assertEqual(self.statuses, [0])

    def test_a_last_line_without_a_newline_is_sent_before_quitting(self) -> None:
        """``printf 'alice\\nbye all' | python -m chatd.client``: the last line, unended, was dropped unsent."""
        peer = self.accept()
        peer.sent()
        self.plain.dataReceived(b"alice\n")
        peer.register()
        self.plain.dataReceived(b"bye all")
        self.plain.readConnectionLost()
        self.assertEqual(peer.sent(), ["alice", "bye all", "/quit"])

    def test_server_gone_exits_1(self) -> None:
        """A server that goes away mid-script ends the client with status 1, said on stderr."""
        peer = self.accept()
        peer.close()
        self.plain.connectionLost(Failure(ConnectionDone()))
        self.assertEqual(self.statuses, [1])
        self.assertIn(
            "~ Lost the server at chat.example port 5000 (connection closed).", self.errors.getvalue()
        )

    def test_stdout_closed_leaves_without_waiting_for_it(self) -> None:
        """With nobody reading stdout, the client quits and ends without writing more."""
        peer = self.accept()
        peer.send({"type": "notice", "kind": "welcome", "text": "Welcome to chatd."})
        peer.sent()
        self.plain.writeConnectionLost()
        self.assertEqual(peer.sent(), ["/quit"])
        peer.close()
        self.assertEqual(self.statuses, [0])

    def test_overlong_input_line_stops_with_1(self) -> None:
        """An input line over the limit is not sent; the client says so, quits and exits 1."""
        self.patch(PlainIO, "MAX_LENGTH", 10)
        peer = self.accept()
        peer.sent()
        self.plain.dataReceived(b"x" * 20 + b"\n")
        self.assertEqual(peer.sent(), ["/quit"])
        self.assertIn("over 10 bytes", self.errors.getvalue())
        peer.close()
        self.plain.connectionLost(Failure(ConnectionDone()))
        self.assertEqual(self.statuses, [1])

    def test_a_line_in_many_reads_is_one_line_up_to_the_limit_and_refused_past_it(self) -> None:
        """A line that comes in reads without a newline is sent whole once its newline comes, at the limit's length
        too; a read that takes one past the limit, no newline yet, refuses it: the client says so and quits."""
        self.patch(PlainIO, "MAX_LENGTH", 10)
        peer = self.accept()
        peer.sent()
        for read in (b"al", b"ic", b"e\n"):
            self.plain.dataReceived(read)
        self.assertEqual(peer.sent(), ["alice"])
        peer.register()
        for read in (b"01234", b"5678", b"9", b"\n"):
            self.plain.dataReceived(read)
        self.assertEqual(peer.sent(), ["0123456789"])
        self.plain.dataReceived(b"abcdef")
        self.assertEqual(peer.sent(), [])
        self.plain.dataReceived(b"ghijk")
        self.assertEqual(peer.sent(), ["/quit"])
        self.assertIn("over 10 bytes", self.errors.getvalue())


class PlainNickOptionTests(PlainTestCase):
    """With --nick, stdin waits for the server to accept the nickname."""

    nick = "alice"

    def test_stdin_read_once_the_nickname_is_accepted(self) -> None:
        """Connected, stdin stays paused until "You are alice."; refused, it is never read."""
        peer = self.accept()
        self.assertEqual(self.stdio.producerState, "paused")
        peer.register()
        self.assertEqual(self.stdio.producerState, "producing")
