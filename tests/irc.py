"""An IRC front end on a fake clock beside a line front end, and ways to connect clients to both."""

from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport

from chatd.frontend.outbox import Outbox
from chatd.frontend.transfers import Transfers
from chatd.irc.factory import IRCFactory
from chatd.irc.limits import IRCLimits
from chatd.irc.protocol import IRCProtocol
from tests.helpers import LineTestCase

SERVER = "testhost"


class IRCTestCase(LineTestCase):
    """``self.irc`` is an IRC front end on the same chat as ``self.factory`` (the line front end)."""

    irc_limits = IRCLimits()

    def setUp(self) -> None:
        super().setUp()
        self.irc = self.irc_front_end()

    def outboxes(self) -> list[Outbox]:
        return [*super().outboxes(), self.irc.outbox]

    def irc_front_end(self, files: Transfers | None = None) -> IRCFactory:
        """An IRC front end on ``self.chat``, with the transfer engine ``files`` if given (as the daemon's has)."""
        return IRCFactory(self.wiring(files), self.irc_limits)

    def irc_connect(self, host: str = "127.0.0.1") -> tuple[IRCProtocol, StringTransport]:
        """A new IRC connection from ``host``, not registered yet."""
        protocol = self.irc.buildProtocol(IPv4Address("TCP", host, 4000))
        assert isinstance(protocol, IRCProtocol)
        wire = StringTransport()
        protocol.makeConnection(wire)
        self.wires.append(wire)
        return protocol, wire

    def irc_user(self, nick: str, *caps: str, host: str = "127.0.0.1") -> tuple[IRCProtocol, StringTransport]:
        """A registered IRC client ``nick`` that took ``caps``; every wire so far is cleared."""
        protocol, wire = self.irc_connect(host)
        lines = []
        if caps:
            lines += ["CAP LS 302", f"CAP REQ :{' '.join(caps)}"]
        lines += [f"NICK {nick}", f"USER {nick} 0 * :{nick} real"]
        if caps:
            lines.append("CAP END")
        self.send(protocol, *lines)
        self.end_pass()
        self.assertIn(f":{SERVER} 001 {nick} ".encode(), wire.value())
        for each in self.wires:
            each.clear()
        return protocol, wire

    def send(self, protocol: IRCProtocol, *lines: str) -> None:
        """Send ``lines`` from an IRC client, as one read."""
        protocol.dataReceived("".join(f"{text}\r\n" for text in lines).encode())
