"""A front end's outbox: the connections written to in a reactor pass, each sent once the pass is over.

Fan-out is where a chat server spends its time: one line said in a room of
100 is 100 writes. Handed to the transport one by one, each write costs
Twisted a ``startWriting`` (an ``epoll_ctl``), a wake-up, a ``send`` and a
``stopWriting`` (another ``epoll_ctl``), whatever its size (issue 7's
profile: 90% of the daemon's time). So each connection's ``Output``
(chatd.frontend.output) only gathers what the chat writes to it, and the
front end's one ``Outbox`` sends everything gathered once the reactor pass
ends: every line of the pass in one system call per connection, however
many rooms and speakers it came from. Under load, passes grow and each
send carries more.

A busy pass's sends are the core's time (a loopback send costs 5-8 us, so
1,000 connections take 5 ms or more), and a line that arrives meanwhile
waits for all of them before it is even read; then it waits again for its
recipients' turn in the next round of sends: two rounds at the tail. So
the ``Outbox`` sends ``SEND_SLICE`` connections at a time, and between two
slices the reactor reads what came in. A line read mid-round is gathered
for its recipients and goes out with their turn in this round, or in the
next one for those already sent: one round at most. Each connection is
still sent once a round, so sends carry as many lines as before.
"""

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from twisted.internet.interfaces import IDelayedCall, IReactorTime

from chatd.frontend.sinks import Keep

if TYPE_CHECKING:
    from chatd.frontend.output import Output

SEND_SLICE = 128
"""Connections sent to before the reactor reads again (under a millisecond of sends: 128 at 5-8 us)."""

PRESENCE_WAIT = 0.2
"""Seconds someone else's coming or going may wait to go out with other bytes (``Output.write_later``)."""


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
