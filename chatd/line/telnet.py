"""Telnet negotiation, stripped from the line stream with conch's own parser."""

from collections.abc import Callable

from twisted.conch.telnet import OptionRefused, Telnet
from twisted.python.failure import Failure
from typing_extensions import override

IAC = b"\xff"
"""Starts every telnet command; it never occurs in UTF-8."""

_BINARY = b"\x00"


class TelnetFilter(Telnet):
    """Removes telnet negotiation from the byte stream and makes input 8-bit clean.

    A connection gets one only once its client has sent IAC, that is, has
    shown it speaks telnet. It then asks the client to send BINARY (RFC 856)
    and agrees to nothing else: a telnet client outside BINARY strips the
    eighth bit before matching its special characters, so UTF-8 such as
    U+2713 (E2 9C 93) would leave it as E2, "IAC BRK", 93. The server's own
    output stays out of BINARY: clients show UTF-8 either way, and one in
    binary output mode echoes Enter as a bare line feed.
    """

    MAX_SUBNEGOTIATION = Telnet._MAX_SUBNEGOTIATION_LENGTH

    def __init__(
        self, receive: Callable[[bytes], None], reply: Callable[[bytes], None], overflow: Callable[[], None]
    ) -> None:
        super().__init__()
        self._receive = receive
        self._reply = reply
        self._overflow = overflow

    @override
    def _write(self, data: bytes) -> None:
        """conch's one way out for negotiation replies: through the connection's own limits."""
        self._reply(data)

    @override
    def _subnegotiationLengthExceeded(self) -> None:
        """conch's hook for a subnegotiation past its bound: close with a reason, not silently."""
        self._overflow()

    @override
    def connectionMade(self) -> None:
        self.do(_BINARY).addErrback(_refusal_is_fine)

    @override
    def applicationDataReceived(self, data: bytes) -> None:
        self._receive(data)

    @override
    def enableRemote(self, option: bytes) -> bool:
        return option == _BINARY

    @override
    def disableRemote(self, option: bytes) -> None:
        """Leaving BINARY needs nothing undone: lines are read the same way."""


def _refusal_is_fine(failure: Failure) -> None:
    """A client that refuses BINARY stays in NVT mode; ASCII still works."""
    failure.trap(OptionRefused)
