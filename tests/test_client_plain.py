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
from tests.test_client_connection import START, FakeEndpoint
from tests.test_client_ui import said


class PlainTests(SynchronousTestCase):
    """A PlainIO over a fake stdio, linked to a fake server, times in UTC."""

    def setUp(self) -> None:
        self.clock = Clock()
        self.clock.advance(START)
        self.endpoint = FakeEndpoint()
        self.link = Link(
            self.endpoint, self.clock, Presence(), "chat.example port 5000", retry=False, zone=UTC
        )
        self.errors = io.StringIO()
        self.plain = PlainIO(self.link, self.errors)
        self.stdio = StringTransport()
        self.plain.makeConnection(self.stdio)
        self.statuses: list[int] = []
        self.link.start(self.plain).addCallback(self.plain.close)
        self.plain.ended.addCallback(self.statuses.append)

    def stdout(self) -> list[str]:
        data: bytes = self.stdio.value()
        self.stdio.clear()
        return data.decode("utf-8").split("\n")

    def test_stdin_waits_for_the_server(self) -> None:
        """stdin is not read until the connection is up; then it is."""
        self.assertEqual(self.stdio.producerState, "paused")
        self.endpoint.accept()
        self.assertEqual(self.stdio.producerState, "producing")
        self.assertEqual(self.errors.getvalue(), "09:00 ~ Connected to chat.example port 5000 (127.0.0.1).\n")

    def test_lines_in_rendered_lines_out(self) -> None:
        """Each stdin line is sent as typed (CR dropped); each server line is printed without escapes."""
        peer = self.endpoint.accept()
        self.plain.dataReceived(b"alice\r\nhi \xff\n\n")
        self.assertEqual(peer.sent(), ["/format json", "alice", "hi \ufffd"])
        peer.register()
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

    def test_end_of_input_quits_then_exits_0(self) -> None:
        """At the end of stdin /quit goes out; after the server's goodbye and close stdout is closed, status 0."""
        peer = self.endpoint.accept()
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

    def test_server_gone_exits_1(self) -> None:
        """A server that goes away mid-script ends the client with status 1, said on stderr."""
        peer = self.endpoint.accept()
        peer.close()
        self.plain.connectionLost(Failure(ConnectionDone()))
        self.assertEqual(self.statuses, [1])
        self.assertIn(
            "~ Lost the server at chat.example port 5000 (connection closed).", self.errors.getvalue()
        )

    def test_stdout_closed_leaves_without_waiting_for_it(self) -> None:
        """With nobody reading stdout, the client quits and ends without writing more."""
        peer = self.endpoint.accept()
        peer.sent()
        self.plain.writeConnectionLost()
        self.assertEqual(peer.sent(), ["/quit"])
        peer.close()
        self.assertEqual(self.statuses, [0])

    def test_overlong_input_line_stops_with_1(self) -> None:
        """An input line over the limit is not sent; the client says so, quits and exits 1."""
        self.patch(PlainIO, "MAX_LENGTH", 10)
        peer = self.endpoint.accept()
        peer.sent()
        self.plain.dataReceived(b"x" * 20 + b"\n")
        self.assertEqual(peer.sent(), ["/quit"])
        self.assertIn("over 10 bytes", self.errors.getvalue())
        peer.close()
        self.plain.connectionLost(Failure(ConnectionDone()))
        self.assertEqual(self.statuses, [1])
