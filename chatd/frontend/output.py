"""A connection's way out: what the chat writes to it in a reactor pass, gathered for one send.

Each connection's ``Output`` only gathers what the chat writes to it; the
front end's one ``Outbox`` (chatd.frontend.outbox, where the reasons are)
sends everything gathered once the reactor pass ends. How the gathered
bytes reach the connection is a subclass's (chatd.frontend.transport_output).

Either way a client that stops reading is cut off, not buffered: past
Twisted's 64 KiB buffer, at most the send queue (``--sendq``) may wait.
"""

from abc import abstractmethod
from collections.abc import Callable

from twisted.internet.interfaces import ITransport
from typing_extensions import override

from chatd.frontend.outbox import Outbox
from chatd.frontend.sinks import CLOSED, OPEN, Sink


class Output(Sink):
    """What one connection is sent: gathered over a reactor pass, then sent at once.

    ``overflow`` is called (once) when a client that does not read has more
    waiting than the send queue allows; the output then drops everything,
    is closed, and the caller is expected to abort the connection.
    """

    __slots__ = ("_idle_calls", "_later", "_outbox", "_overflow", "_parts", "_sendq", "_transport")

    def __init__(
        self, transport: ITransport, outbox: Outbox, sendq: int, overflow: Callable[[], None]
    ) -> None:
        super().__init__()
        self._transport = transport
        self._outbox = outbox
        self._sendq = sendq
        self._overflow = overflow
        # No ``changed()``: a session is in no room before its output is made, so no fan-out holds it.
        # Made when first needed and then kept. Made afresh each pass (an
        # idle connection would then keep none), a line said to a room of
        # thousands made a list per member, alive till the pass ended: the
        # cyclic collector counts those, ran every few passes, and ran full
        # collections of 100-175 ms (issue 18). A bytearray instead copied
        # each line per member till the pass ended. So only a connection
        # never written to keeps no list.
        self._parts: list[bytes] | None = None
        """What this pass gathered; None until the first write."""
        self._idle_calls: list[Callable[[], None]] | None = None
        """Who waits for nothing to wait (``when_idle``): a file download's next chunk; None, mostly."""
        self._later: list[bytes] | None = None
        """Bytes that wait for the outbox's ``hold_later`` or for a pass's send, whichever comes first: written
        (``write_later``) while nothing else was to go, so they come before all of ``_parts``; made when first
        needed and kept, as ``_parts`` is."""

    @override
    def write(self, data: bytes) -> None:
        """Gather ``data``, to be sent when the reactor pass ends (or on ``flush``)."""
        # Delivery calls this for every recipient of every line: one compare
        # (open is 0) is all it costs to drop output for a closing session.
        if self._state:
            return
        parts = self._parts
        if not parts:
            if parts is None:
                parts = self._parts = []
            self._outbox.hold(self)
        parts.append(data)

    @override
    def write_later(self, data: bytes) -> None:
        """Gather ``data`` to go with this pass's send if there is one, else with the next, ``PRESENCE_WAIT`` at most.

        A send costs the kernel much the same for one notice as for twenty:
        in a reconnect storm each member of a room was sent every pass's
        joins and parts in a send of their own (docs/PERFORMANCE.md).
        """
        if self._state:
            return
        parts = self._parts
        if parts:
            parts.append(data)
            return
        later = self._later
        if later is None:
            later = self._later = []
        if not later:
            self._outbox.hold_later(self)
        later.append(data)

    def parts(self) -> list[bytes]:
        """The list this pass's bytes are gathered in, for a fan-out to append to; whoever appends holds it on the outbox."""
        if self._parts is None:
            self._parts = []
        return self._parts

    def take_last(self) -> None:
        """Take back the last bytes written: a fan-out wrote a line to a speaker not to be sent its own."""
        assert self._parts, "a fan-out takes back only what it just wrote"
        self._parts.pop()

    @override
    def changed(self) -> None:
        self._outbox.changed(self)

    @override
    def fanned(self) -> "tuple[Output, Callable[[bytes], bytes] | None] | None":
        return None if self._state else (self, None)

    @override
    def flush(self) -> None:
        """Send everything gathered now (before closing, say), once what is behind it is kept."""
        self._outbox.keep()
        self.send_gathered()

    def send_gathered(self, budget: int = 1) -> int:
        """Send everything gathered, in one send (1) or none (0); the caller has kept the events behind it."""
        later = self._later
        if later:
            if self._state == CLOSED:
                return 0
            if self._parts:
                later += self._parts
                self._parts.clear()
            data = b"".join(later)
            later.clear()
        else:
            if self._state == CLOSED or not self._parts:
                return 0
            data = b"".join(self._parts)
            self._parts.clear()
        self._send(data)
        if self._idle_calls is not None:
            self._caught_up()
        return 1

    @override
    def drop(self) -> None:
        super().drop()
        if self._parts:
            self._parts.clear()
        if self._later:
            self._later.clear()
        self._idle_calls = None

    def _cut_off(self) -> None:
        self.drop()
        self._overflow()

    @abstractmethod
    def _send(self, data: bytes) -> None:
        """Hand ``data`` to the transport, or cut the client off if it is too far behind."""

    @property
    @override
    def idle(self) -> bool:
        """Open, nothing gathered for this pass, and the transport keeping up: what waits for company
        (``write_later``) goes first with whatever is written next, a file's chunk too."""
        return self._state == OPEN and not self._parts and not self._behind()

    @override
    def when_idle(self, call: Callable[[], None]) -> None:
        """Call ``call`` now if nothing waits, else once what waits is sent and the transport has sent it all.

        So a file download is told the moment its next chunk may go, rather
        than looking again and again (a 5 ms poll held downloads to a third
        of their speed on loopback).
        """
        if self.idle:
            call()
        elif self._state == OPEN:
            if self._idle_calls is None:
                self._idle_calls = []
            self._idle_calls.append(call)

    def _caught_up(self) -> None:
        """Something went out: if nothing waits now, call whoever waits for that."""
        if self._idle_calls is not None and self.idle:
            calls, self._idle_calls = self._idle_calls, None
            for call in calls:
                call()

    @abstractmethod
    def _behind(self) -> bool:
        """Whether the transport holds bytes the client has not taken yet."""
