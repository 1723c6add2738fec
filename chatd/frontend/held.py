"""A session's output with a place kept for lines still being read: history shown before what came after it.

A join shows the room's last lines, then a marker, then live lines (issue
13). Lines a store holds in memory are taken as they are and written then
and there (``History.at_hand``; a read that answers at once is too:
``fill_place``). Otherwise the history is read off the
reactor thread and comes back later, while the chat goes on delivering
the room's events to the new member at once. So ``keep_place`` swaps
the session's sink for a ``HeldOutput`` that keeps a place in the output
where the history goes and holds every byte written after it; when the
history is written into its place, it and what was held go out in
order, and the session's own sink is put back. Live events are thus
neither lost nor repeated nor shown before the history: the history is
read up to the join's sequence number and everything after the join is
delivered live, behind it.

Holding the session's whole output, not just that room's, keeps delivery
as it is: it writes to ``session.sink`` for every recipient of every line
said, and a check per recipient there would cost every line; here a
session pays only while a read of its own is pending (a few milliseconds),
and anything it is sent meanwhile is late by that much, never out of order.

What is held is bounded (``MOST_HELD``): a store that stalls while a busy
room goes on talking would otherwise grow it without end. Past the bound
the output stops holding, lets what it held go, and the history still
being read is never shown: the one case where order gives way, to memory.
"""

from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from twisted.internet.defer import Deferred
from twisted.python.failure import Failure
from typing_extensions import override

from chatd.frontend.sinks import InFront, Sink

T = TypeVar("T")

MOST_HELD = 256 * 1024
"""Bytes a session's output may hold behind places not yet filled (the default --sendq's worth)."""


class _Holder(Protocol):
    """A session whose output can be held: it has a sink that can be swapped."""

    sink: Sink


class Place:
    """The place kept in a session's output for bytes that come later; filled once."""

    __slots__ = ("_output", "data")

    def __init__(self, output: "HeldOutput") -> None:
        self._output = output
        self.data: bytes | None = None
        """What goes here; None until filled."""

    def fill(self, data: bytes) -> None:
        """Put ``data`` here, and send it with what waited behind it, up to the next place not yet filled."""
        if self.data is None:
            self.data = data
            self._output.drain()


class HeldOutput(InFront):
    """A session's output while places in it wait for bytes: it holds what comes after the first one.

    Its state is its session's own sink's: closing, it lets everything
    held go, places left empty, then closes that sink.
    """

    __slots__ = ("_held", "_holder", "_idle_calls", "_waiting")

    def __init__(self, holder: _Holder, inner: Sink) -> None:
        super().__init__(inner)
        self._holder = holder
        self._waiting: deque[bytes | Place] = deque()
        self._held = 0
        """Bytes held behind places, up to ``MOST_HELD``."""
        self._idle_calls: list[Callable[[], None]] = []
        """Who waits for the output to be idle (a file download's next chunk): asked of the inner sink once nothing is held."""

    @override
    def write(self, data: bytes) -> None:
        """Hold ``data`` behind the places waiting (a closing session's output is dropped).

        Past ``MOST_HELD`` it stops holding: what it held and ``data`` go out
        now, and places not yet filled stay empty.
        """
        if self._inner.closing:
            return
        self._held += len(data)
        if self._held > MOST_HELD:
            self._let_go()
            self._inner.write(data)
            return
        self._waiting.append(data)

    @property
    @override
    def idle(self) -> bool:
        """Not while anything is held: a file chunk would go out before it."""
        return not self._waiting and self._inner.idle

    @override
    def when_idle(self, call: Callable[[], None]) -> None:
        """Call ``call`` once nothing is held and the session's own sink is idle: not while a place waits."""
        if self._waiting:
            self._idle_calls.append(call)
        else:
            self._inner.when_idle(call)

    def keep(self) -> Place:
        """A new place, behind everything written so far."""
        place = Place(self)
        self._waiting.append(place)
        return place

    def drain(self) -> None:
        """Send what is ready, in order, up to the first place not yet filled; once none waits, step aside."""
        waiting = self._waiting
        while waiting:
            first = waiting[0]
            data = first.data if isinstance(first, Place) else first
            if data is None:
                return
            waiting.popleft()
            self._inner.write(data)
        self._restore()

    @override
    def close(self, then: Callable[[], None] | None = None) -> None:
        """The session is closing: what was held goes first, places not yet filled stay empty."""
        self._let_go()
        super().close(then)

    def _let_go(self) -> None:
        """Send everything held and filled now, in order, leave empty places empty, and step aside."""
        while self._waiting:
            first = self._waiting.popleft()
            data = first.data if isinstance(first, Place) else first
            if data:
                self._inner.write(data)
        self._restore()

    @override
    def drop(self) -> None:
        self._waiting.clear()
        self._idle_calls.clear()
        self._restore()
        super().drop()

    def _restore(self) -> None:
        """Give the session its own sink back: nothing waits any more; who waited for idle asks it now."""
        if self._holder.sink is self:
            self._holder.sink = self._inner
            self._inner.changed()
        calls, self._idle_calls = self._idle_calls, []
        for call in calls:
            self._inner.when_idle(call)


def keep_place(holder: _Holder) -> Place:
    """Keep a place for bytes to come in ``holder``'s output, after everything written to it so far."""
    sink = holder.sink
    if not isinstance(sink, HeldOutput):
        sink = HeldOutput(holder, sink)
        holder.sink = sink
        sink.changed()
    return sink.keep()


def as_deferred(answer: Awaitable[T]) -> "Deferred[T]":
    """A store's answer as the Deferred it is (chatd.domain.storage_ports: "a Deferred from a store"), to add callbacks to.

    The chat speaks of ``Awaitable`` so that it needs no Twisted; what a
    front end writes at once when the answer is at hand needs the Deferred.
    """
    assert isinstance(answer, Deferred), "every store answers with a Deferred"
    return answer


def awaited(answer: Awaitable[T]) -> "Deferred[T]":
    """Any answer of the chat's as a Deferred that fires with it: a store's Deferred, or the coroutine of a change
    the chat waits for the store to keep (``Identity.register_account``, ``Modes.change_room``), which
    ``as_deferred`` does not take."""

    async def answered() -> T:
        return await answer

    return Deferred.fromCoroutine(answered())


def fill_place(holder: _Holder, lines: "Deferred[bytes]") -> "Deferred[None] | None":
    """Write what ``lines`` gives into ``holder``'s output where it stands now; None if that is done already.

    A read answered at once (a resume of lines kept in memory) is written
    at once, with no place kept: holding the output and the thread of Deferreds around it cost
    more than rendering the lines did (docs/PERFORMANCE.md, "Registering
    after a restart"). Otherwise a place is kept now and filled once the
    lines come; the Deferred returned fires once it is (with nothing in it,
    if the read failed: its failure is the Deferred's).
    """
    place: Place | None = None
    settled = written = False

    def fill(data: bytes) -> None:
        nonlocal settled, written
        settled = written = True
        if place is None:
            holder.sink.write(data)
        else:
            place.fill(data)

    def free(failure: Failure) -> Failure:
        nonlocal settled
        settled = True
        if place is not None:
            place.fill(b"")
        return failure

    filled = lines.addCallbacks(fill, free)
    if written:
        return None
    if not settled:
        place = keep_place(holder)
    return filled
