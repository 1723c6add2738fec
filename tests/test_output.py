"""Output is gathered over a reactor pass and sent once per connection when the pass ends."""

from twisted.internet.testing import StringTransport
from typing_extensions import override

from tests.helpers import LineTestCase


class CountingTransport(StringTransport):
    """A StringTransport that counts the writes it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    @override
    def write(self, data: bytes) -> None:
        self.writes += 1
        super().write(data)


class GatheringTests(LineTestCase):
    def test_a_pass_of_lines_reaches_a_connection_in_one_write(self) -> None:
        """Lines from several speakers in one reactor pass leave as one write, in the order said."""
        alice, _ = self.connect(b"alice")
        bob, _ = self.connect(b"bob")
        carol = self.factory.buildProtocol(None)
        wire = CountingTransport()
        carol.makeConnection(wire)
        carol.dataReceived(b"carol\n")
        self.end_pass()
        wire.clear()
        wire.writes = 0
        alice.dataReceived(b"one\n")
        bob.dataReceived(b"two\n")
        alice.dataReceived(b"three\n")
        self.assertEqual((wire.writes, wire.value()), (0, b""))
        self.end_pass()
        self.assertEqual(wire.writes, 1)
        self.assertEqual(
            wire.value(),
            b"[00:00] #lobby <alice> one\r\n[00:00] #lobby <bob> two\r\n[00:00] #lobby <alice> three\r\n",
        )

    def test_last_line_is_sent_before_the_connection_closes(self) -> None:
        """A connection closed mid-pass gets what was gathered for it, then its last line, then the close."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"hello\n/quit\n")
        self.assertTrue(wire.disconnecting)
        self.assertEqual(wire.value(), b"[00:00] #lobby <alice> hello\r\n*** Goodbye.\r\n")
