"""A connection's way out: what the chat writes to it in a reactor pass, in one send, within the send queue.

Fan-out is where a chat server spends its time: one line said in a room of
100 is 100 writes. Handed to the transport one by one, each write costs
Twisted a ``startWriting`` (an ``epoll_ctl``), a wake-up, a ``send`` and a
``stopWriting`` (another ``epoll_ctl``), whatever its size (issue 7's
profile: 90% of the daemon's time). So each connection's ``Output`` only
gathers what the chat writes to it, and the front end's one ``Outbox``
sends everything gathered once the reactor pass ends: every line of the
pass in one system call per connection, however many rooms and speakers
it came from. Under load, passes grow and each send carries more.

A busy pass's sends are the core's time (a loopback send costs 5-8 us, so
1,000 connections take 5 ms or more), and a line that arrives meanwhile
waits for all of them before it is even read; then it waits again for its
recipients' turn in the next round of sends: two rounds at the tail. So
the ``Outbox`` sends ``SEND_SLICE`` connections at a time, and between two
slices the reactor reads what came in. A line read mid-round is gathered
for its recipients and goes out with their turn in this round, or in the
next one for those already sent: one round at most. Each connection is
still sent once a round, so sends carry as many lines as before.

On a plain TCP connection (``SocketOutput``) that send goes straight to the
socket while Twisted holds nothing for the connection, so a client that
keeps up costs one ``send`` and no ``epoll`` work at all; only what the
kernel does not take waits in Twisted's buffer, in order, until the kernel
takes it. Other transports (TLS, the tests' ``StringTransport``) get the
gathered bytes as one ``write`` (``BufferedOutput``).

Either way a client that stops reading is cut off, not buffered: past
Twisted's 64 KiB buffer, at most the send queue (``--sendq``) may wait.

Every output is a ``Sink``, which also holds whether its session is open,
closing or closed: the one place that state lives. A session's ``sink`` is
what delivery writes to, so a closing session takes nothing more without
anyone checking a flag of its own.
"""

import socket
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from typing import Protocol, cast

from twisted.internet.abstract import FileDescriptor
from twisted.internet.interfaces import (
    IConsumer,
    IDelayedCall,
    IPullProducer,
    IPushProducer,
    IReactorTime,
    ISystemHandle,
    ITCPTransport,
    ITransport,
)
from typing_extensions import override
from zope.interface import implementer

SEND_SLICE = 128
"""Connections sent to before the reactor reads again (under a millisecond of sends: 128 at 5-8 us)."""

PRESENCE_WAIT = 0.2
"""Seconds someone else's coming or going may wait to go out with other bytes (``Output.write_later``)."""

TRANSPORT_BUFFER = FileDescriptor.bufferSize
"""Bytes Twisted buffers for a connection before it reports the client as behind (64 KiB)."""

_OPEN = 0
_CLOSING = 1
_CLOSED = 2


class Sink(ABC):
    """Where one session's rendered bytes go, and whether that session is still open.

    A sink is open, then closing (its last words are sent and it takes
    nothing more), then closed (the connection is gone, or is being aborted,
    and anything still waiting is dropped). It never opens again. A session
    derives its own ``closing`` from its sink's.
    """

    __slots__ = ("_state",)

    def __init__(self) -> None:
        self._state = _OPEN

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Take ``data`` for the client while open; drop it once closing."""

    def write_later(self, data: bytes) -> None:
        """``write`` ``data``, which may wait up to ``PRESENCE_WAIT`` for company: someone else's coming or going.

        Only an ``Output`` waits; any other sink writes it at once.
        """
        self.write(data)

    @property
    def closing(self) -> bool:
        """Whether the session is closing or closed: it takes no more output."""
        return self._state != _OPEN

    @property
    def closed(self) -> bool:
        """Whether the connection is gone: nothing more is sent, not even what was waiting."""
        return self._state == _CLOSED

    def close(self, then: Callable[[], None] | None = None) -> None:
        """Send whatever waits and take no more (the session is closing); then call ``then``, once it is sent."""
        if self._state == _OPEN:
            self._state = _CLOSING
            self.changed()
            self.flush()
        if then is not None:
            then()

    def drop(self) -> None:
        """The connection is gone or being aborted: send nothing more, not even what waits."""
        self._state = _CLOSED
        self.changed()

    @abstractmethod
    def changed(self) -> None:
        """Something delivery reads of this sink's session changed (this sink, its state, how it renders a line).

        A front end's kept fan-outs (chatd.frontend.fanout) are made afresh after it.
        """

    @abstractmethod
    def flush(self) -> None:
        """Send what waits now."""

    def fanned(self) -> "tuple[Output, Callable[[bytes], bytes] | None] | None":
        """The output a kept fan-out may append this session's lines to, and the frame each line goes in there.

        None (the frame): a line goes as it is. None (the whole): no fan-out
        may hold this sink (chatd.frontend.fanout), because it is not open,
        or because what it makes of a write depends on more than the line
        (a held replay, a labelled answer).
        """
        return None

    @property
    def idle(self) -> bool:
        """Whether nothing waits to go out: file chunks are written only then, so no line waits behind one (issue 16)."""
        return self._state == _OPEN

    def when_idle(self, call: Callable[[], None]) -> None:
        """Call ``call`` once nothing waits to go out: now if nothing does; never if the sink is closing."""
        if self.idle:
            call()


class InFront(Sink):
    """A sink in front of a session's own (``inner``), changing what is written; the rest is ``inner``'s.

    Its state is ``inner``'s: closing, closed, dropped and flushed with it.
    Subclasses say what ``write`` does (hold, frame, gather) and what they
    let go of first when closed or dropped.
    """

    __slots__ = ("_inner",)

    def __init__(self, inner: Sink) -> None:
        super().__init__()
        self._inner = inner

    @property
    @override
    def closing(self) -> bool:
        return self._inner.closing

    @property
    @override
    def closed(self) -> bool:
        return self._inner.closed

    @override
    def close(self, then: Callable[[], None] | None = None) -> None:
        self._inner.close(then)

    @override
    def drop(self) -> None:
        self._inner.drop()

    @override
    def changed(self) -> None:
        self._inner.changed()

    @override
    def flush(self) -> None:
        self._inner.flush()

    @property
    @override
    def idle(self) -> bool:
        return self._inner.idle

    @override
    def when_idle(self, call: Callable[[], None]) -> None:
        self._inner.when_idle(call)


class _Unconnected(Sink):
    """The sink of a session whose connection is not made yet: open, and it drops everything."""

    __slots__ = ()

    @override
    def write(self, data: bytes) -> None:
        """Drop ``data``: there is no connection to send it on yet."""

    @override
    def flush(self) -> None:
        """Nothing waits here."""

    @override
    def close(self, then: Callable[[], None] | None = None) -> None:
        """Nothing to close; the one shared instance never changes state."""
        if then is not None:
            then()

    @override
    def drop(self) -> None:
        """Nothing to drop; the one shared instance never changes state."""

    @override
    def changed(self) -> None:
        """No connection, so no fan-out holds this sink."""


NOWHERE: Sink = _Unconnected()
"""Every session's sink until its connection is made."""


Keep = Callable[[], None]
"""``SQLiteHistory.keep``: makes every event appended so far safe from a crash, before anyone is shown it."""


class DirectOutput(Sink):
    """Writes each piece to ``transport`` at once: for a front end of one session (the console).

    Batching saves system calls only where one event goes to many
    connections; a terminal with one reader has nothing to gather. With
    ``keep`` (the SQLite store's, as an ``Outbox`` is given it), each piece
    goes only once the events behind it are in the pass log: the host sees
    nothing a ``kill -9`` could lose, as no connection does.
    """

    __slots__ = ("_keep", "_transport")

    def __init__(self, transport: ITransport, keep: Keep | None = None) -> None:
        super().__init__()
        self._transport = transport
        self._keep = keep

    @override
    def write(self, data: bytes) -> None:
        if self._state == _OPEN:
            if self._keep is not None:
                self._keep()
            self._transport.write(data)

    @override
    def flush(self) -> None:
        """Nothing waits: each write went out at once."""

    @override
    def changed(self) -> None:
        """A front end of one session keeps no fan-outs."""


class Gathered(Protocol):
    """What an ``Outbox`` holds: an output, or a fan-out of several (chatd.frontend.fanout)."""

    def send_gathered(self, budget: int) -> int:
        """Send what was gathered, to at most ``budget`` connections; how many sends that took.

        One that stops short holds itself again first in line
        (``Outbox.hold_first``), to go on where it stopped in the next slice.
        """


class Outbox:
    """The outputs written to during this reactor pass, each sent once the pass is over, ``SEND_SLICE`` at a time.

    With ``keep`` (the SQLite store's), what a pass gathered goes only once
    the events behind it are safe from a ``kill -9``: ``keep`` is called
    first, once a pass however many outputs there are, and writes them to
    the store's pass log (chatd.storage.pass_log). Without it (history in
    memory) nothing waits. The store asks one outbox for its pass's send
    even when nothing is written (``send_soon``), so as to keep what it
    gathered by the same call.
    """

    def __init__(self, reactor: IReactorTime, keep: Keep | None = None) -> None:
        self._reactor = reactor
        self._keep = keep
        self._waiting: deque[Gathered] = deque()
        """What waits to be sent, in the order it was first written to; each is in it once, but an output whose
        bytes waited for company (``hold_later``) may be in it again, and then has nothing more to send."""
        self._call: IDelayedCall | None = None
        self._later: dict[Output, None] = {}
        """Outputs holding bytes that may wait (``Output.write_later``), each once, in order; sent by
        ``send_waiting``. One sent sooner with its pass and written to again is not added twice."""
        self._later_call: IDelayedCall | None = None
        self._on_change: list[Callable[[Output], None]] = []
        """Who forgets what it kept of a session when something delivery reads of it changes: the fan-outs."""

    def hold(self, gathered: Gathered) -> None:
        """Send ``gathered``'s bytes when this pass ends, after what waits already; each is held until sent."""
        self._waiting.append(gathered)
        if self._call is None:  # send_soon, written out: this runs for every recipient of a line said
            self._call = self._reactor.callLater(0, self.send)

    def hold_later(self, output: "Output") -> None:
        """Send ``output``'s bytes ``PRESENCE_WAIT`` from now at the latest (sooner if anything else is written to it)."""
        self._later[output] = None
        if self._later_call is None:
            self._later_call = self._reactor.callLater(PRESENCE_WAIT, self.send_waiting)

    def send_waiting(self) -> None:
        """Send now what waits for company (``hold_later``), after what is held for this pass, if anything is."""
        if self._later_call is not None and self._later_call.active():
            self._later_call.cancel()
        self._later_call = None
        later, self._later = self._later, {}
        self._waiting.extend(later)
        self.send()

    def hold_first(self, gathered: Gathered) -> None:
        """Send the rest of ``gathered``'s bytes first in the next slice: a fan-out the last slice stopped in."""
        self._waiting.appendleft(gathered)
        self.send_soon()

    def send_soon(self) -> None:
        """Send, and first ``keep``, once this pass's events are dispatched, even if nothing is held.

        The SQLite store asks for its ``keep`` through this (``keep_with``,
        wired by chatd.service): one call a pass then keeps and sends.
        """
        if self._call is None:
            # A call due now runs after every event of this pass is dispatched.
            self._call = self._reactor.callLater(0, self.send)

    def on_change(self, call: "Callable[[Output], None]") -> None:
        """Call ``call`` with a session's output each time something delivery reads of that session changes."""
        self._on_change.append(call)

    def changed(self, output: "Output") -> None:
        """Something delivery reads of ``output``'s session changed (``Sink.changed``): its sink, its state, how it
        renders a line."""
        for call in self._on_change:
            call(output)

    def keep(self) -> None:
        """Make the events behind everything written so far safe from a crash: before any of it is sent."""
        if self._keep is not None:
            self._keep()

    def send(self) -> None:
        """Send up to ``SEND_SLICE`` connections' bytes now, first held first; the rest after the reactor reads."""
        if self._call is not None and self._call.active():
            self._call.cancel()
        self._call = None
        self.keep()
        waiting = self._waiting
        budget = SEND_SLICE
        while waiting and budget > 0:
            budget -= waiting.popleft().send_gathered(budget)
        if waiting:
            self.send_soon()


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
            if self._state == _CLOSED:
                return 0
            if self._parts:
                later += self._parts
                self._parts.clear()
            data = b"".join(later)
            later.clear()
        else:
            if self._state == _CLOSED or not self._parts:
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
        return self._state == _OPEN and not self._parts and not self._behind()

    @override
    def when_idle(self, call: Callable[[], None]) -> None:
        """Call ``call`` now if nothing waits, else once what waits is sent and the transport has sent it all.

        So a file download is told the moment its next chunk may go, rather
        than looking again and again (a 5 ms poll held downloads to a third
        of their speed on loopback).
        """
        if self.idle:
            call()
        elif self._state == _OPEN:
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


@implementer(IPushProducer)
class BufferedOutput(Output):
    """Sends through ``transport.write``; Twisted says when the client falls behind.

    Registered as a streaming producer, so the transport calls
    ``pauseProducing`` once its buffer is full and ``resumeProducing``
    once it has drained.
    """

    __slots__ = ("_backlog",)

    def __init__(
        self, transport: ITransport, outbox: Outbox, sendq: int, overflow: Callable[[], None]
    ) -> None:
        super().__init__(transport, outbox, sendq, overflow)
        self._backlog: int | None = None
        """Bytes written since the transport said its buffer is full; None while it is not."""
        cast(IConsumer, transport).registerProducer(self, True)

    @override
    def _send(self, data: bytes) -> None:
        if self._backlog is not None:
            self._backlog += len(data)
            if self._backlog > self._sendq:
                self._cut_off()
                return
        self._transport.write(data)

    @override
    def _behind(self) -> bool:
        return self._backlog is not None

    def pauseProducing(self) -> None:
        """The transport's buffer is full: the client is not keeping up with its output."""
        if self._backlog is None:
            self._backlog = 0

    def resumeProducing(self) -> None:
        """The client has caught up."""
        self._backlog = None
        self._caught_up()

    def stopProducing(self) -> None:
        """The connection is going; the protocol hears of it in connectionLost."""


@implementer(IPullProducer)
class SocketOutput(Output):
    """Sends straight to a TCP socket while Twisted's buffer for it is empty.

    Registered as a pull producer, so Twisted calls ``resumeProducing``
    each time it has written out everything it held: from then on bytes may
    skip its buffer again without overtaking any.

    The send is the socket's own ``send``, not the transport's
    ``writeSomeData``, which wraps the same call in a memoryview slice and an
    EINTR retry loop (Python retries by itself since 3.5): a tenth of the
    daemon's time when most sends carry one line (issue 7's profile at 75k
    deliveries/s). What the call does not take, on an error too, goes to
    Twisted's own write path, which meets any error again and closes the
    connection the usual way.
    """

    __slots__ = ("_held", "_socket")

    def __init__(
        self,
        transport: FileDescriptor,
        sock: socket.socket,
        outbox: Outbox,
        sendq: int,
        overflow: Callable[[], None],
    ) -> None:
        super().__init__(transport, outbox, sendq, overflow)
        self._socket = sock
        self._held = 0
        """Bytes handed to Twisted's buffer since it last said it was empty."""
        transport.registerProducer(self, False)

    @override
    def _send(self, data: bytes) -> None:
        if not self._held:
            try:
                sent = self._socket.send(data)
            except OSError:
                sent = 0
            if sent == len(data):
                return
            data = data[sent:]
        self._held += len(data)
        if self._held > TRANSPORT_BUFFER + self._sendq:
            self._cut_off()
            return
        self._transport.write(data)

    @override
    def _behind(self) -> bool:
        return self._held > 0

    def resumeProducing(self) -> None:
        """Twisted has sent everything it held: the client is keeping up."""
        self._held = 0
        self._caught_up()

    def wait_for_transport(self) -> None:
        """Send through Twisted's buffer until it next says it is empty: it may hold another writer's bytes."""
        self._held = max(self._held, 1)

    def stopProducing(self) -> None:
        """The connection is going; the protocol hears of it in connectionLost."""


def output_for(
    transport: ITransport, outbox: Outbox, sendq: int, overflow: Callable[[], None], behind: bool = False
) -> Output:
    """The fastest ``Output`` ``transport`` allows, registered with it as its producer.

    ``behind``: something else has written to ``transport`` already (the
    answer to a WebSocket upgrade), which may still wait in Twisted's
    buffer: a ``SocketOutput`` then sends through Twisted until it has sent
    all it holds, so as not to overtake it.
    """
    if isinstance(transport, FileDescriptor) and ITCPTransport.providedBy(transport):
        handle = ISystemHandle(transport).getHandle()
        if isinstance(handle, socket.socket):
            output = SocketOutput(transport, handle, outbox, sendq, overflow)
            if behind:
                output.wait_for_transport()
            return output
    return BufferedOutput(transport, outbox, sendq, overflow)
