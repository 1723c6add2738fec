"""Where a session's rendered bytes go (a ``Sink``), and whether that session is open, closing or closed.

Every output is a ``Sink``, which also holds whether its session is open,
closing or closed: the one place that state lives. A session's ``sink`` is
what delivery writes to, so a closing session takes nothing more without
anyone checking a flag of its own.

On its own because sessions, holds and fan-outs write to any sink, while
only a connection's ``Output`` (chatd.frontend.output) gathers and sends:
the sinks in front of one (``InFront``), the one before a connection is
made (``NOWHERE``) and the console's (``DirectOutput``) need none of that.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING

from twisted.internet.interfaces import ITransport
from typing_extensions import override

if TYPE_CHECKING:
    from chatd.frontend.output import Output

OPEN = 0
"""A sink's state (``Sink._state``): it takes output. Zero, so a falsy state is an open sink."""
CLOSING = 1
"""A sink's state: its last words are sent and it takes nothing more."""
CLOSED = 2
"""A sink's state: the connection is gone or being aborted, and what waits is dropped."""


class Sink(ABC):
    """Where one session's rendered bytes go, and whether that session is still open.

    A sink is open, then closing (its last words are sent and it takes
    nothing more), then closed (the connection is gone, or is being aborted,
    and anything still waiting is dropped). It never opens again. A session
    derives its own ``closing`` from its sink's.
    """

    __slots__ = ("_state",)

    def __init__(self) -> None:
        self._state = OPEN

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Take ``data`` for the client while open; drop it once closing."""

    def write_later(self, data: bytes) -> None:
        """``write`` ``data``, which may wait up to ``PRESENCE_WAIT`` (chatd.frontend.outbox) for company: someone else's coming or going.

        Only an ``Output`` waits; any other sink writes it at once.
        """
        self.write(data)

    @property
    def closing(self) -> bool:
        """Whether the session is closing or closed: it takes no more output."""
        return self._state != OPEN

    @property
    def closed(self) -> bool:
        """Whether the connection is gone: nothing more is sent, not even what was waiting."""
        return self._state == CLOSED

    def close(self, then: Callable[[], None] | None = None) -> None:
        """Send whatever waits and take no more (the session is closing); then call ``then``, once it is sent."""
        if self._state == OPEN:
            self._state = CLOSING
            self.changed()
            self.flush()
        if then is not None:
            then()

    def drop(self) -> None:
        """The connection is gone or being aborted: send nothing more, not even what waits."""
        self._state = CLOSED
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
        return self._state == OPEN

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
        if self._state == OPEN:
            if self._keep is not None:
                self._keep()
            self._transport.write(data)

    @override
    def flush(self) -> None:
        """Nothing waits: each write went out at once."""

    @override
    def changed(self) -> None:
        """A front end of one session keeps no fan-outs."""
