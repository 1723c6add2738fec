"""The flood driver: what a connection's flood budget does to it when spent.

Every line and byte a client sends is charged to its ``FloodGate`` (token
buckets, chatd.domain.flood). Within budget nothing happens. Over it, the
connection stops reading (``Reading``, for ``Pause.FLOOD``) until the budget
has refilled, so its input queues in TCP while everyone else goes on; the
client is warned once per stretch over budget; and one that stays over it
longer than ``disconnect_after`` seconds is cut off. What the warning and
the cut-off say, and how reading stops, is the front end's business: it
implements ``Flooder`` and ``Reader``.
"""

from collections.abc import Callable, Sequence
from typing import Protocol

from twisted.internet.interfaces import IDelayedCall, IReactorTime

from chatd.domain.flood import FloodGate, Over
from chatd.frontend.reading import Pause, Reading

ENTRIES_PER_LINE = 10
"""Entries of a listing (rooms, nicknames, lines of history) that cost one more line of flood budget.

A command costs one line, whatever it answers; a long answer costs more,
so paging through a big chat is slowed like a flood (issue 12), in every
front end alike."""


def file_listing_lines(entries: int) -> int:
    """Lines of flood budget a listing of ``entries`` files costs past its command's own line (issue 16).

    A line for every ``ENTRIES_PER_LINE`` entries, rounded up, its command's
    line the first of them: a full ``/file list`` page (100,
    chatd.frontend.file_pages) costs 10 lines in all, the default burst
    (``--flood-burst``), where a line more had a page that follows its pages
    told it floods, each next page waiting 5 s. IRC's FILES and both
    ``decline *`` are charged so too, so the file listings stay alike.
    """
    return max(0, -(-entries // ENTRIES_PER_LINE) - 1)


RESUMED_BYTES = 256 * 1024
"""Most bytes of deletions and lines a resume shows (the default --sendq), so a client that has not read them yet is
never cut off for what it asked for: on the line protocol the first deletions and then the latest lines that fit
(chatd.line.replay), the rest counted as not told or not shown; on IRC, a ``CHATHISTORY LATEST``'s batch and the
first deletions told before it that fit with it (chatd.irc.missed_deletions), the rest counted in a NOTICE."""


RESUMED_PER_CHARGE = 100
"""Lines a resume shows for one line of flood budget: all it may show cost a burst, so a client coming
back in a few busy rooms is slowed, never cut off, while a loop of rejoins still pays by the size.

A room's replay costs as much where the connection asked for no join: put back in the rooms it came back
to (chatd.line.talk's ``show_room``, ``asked``; on IRC, the rooms of an account it logs in to, online
elsewhere), or in one by another connection of the account (chatd.irc.factory's delivery of a JOIN). A client
coming back into the 20 rooms one may be in (``--max-rooms``) has 20 replays of 20 lines (``--replay``):
charged as a join's (``ENTRIES_PER_LINE``), 40 lines on a burst of 10 (``--flood-burst``), told it floods
with nothing typed; at this rate, nothing, and a loop of ``/join`` still pays 2 lines a replay."""

CHECKED_PER_LINE = 200_000
"""Characters of text a search checks (chatd.domain.search's ``Found``) for one more line of flood budget.

A search the index narrows checks a few hundred characters and costs its
line; one it barely narrows (8 letters over a room of pastes of the
letters a-j: every trigram in every line) checks ``SCAN_CHARACTERS``,
2,000,000, in each of the index's walks, some 0.2 s of the reader thread,
and costs 10 lines a walk: the default burst, as a scan is charged for
reading as much."""


def first_fitting(pieces: Sequence[bytes], room: int) -> int:
    """How many of ``pieces``, from the first, fit in ``room`` bytes together: the deletions a resume tells, on
    either front end, within what ``RESUMED_BYTES`` leaves them."""
    told = size = 0
    while told < len(pieces) and size + len(pieces[told]) <= room:
        size += len(pieces[told])
        told += 1
    return told


class Flooder(Protocol):
    """The connection's side: what it tells a client over budget, and how it cuts one off."""

    def warn_flooding(self) -> None:
        """Tell the client, once per stretch over budget, that its input now waits its turn."""

    def cut_off_flooding(self) -> None:
        """Close the connection: it stayed over budget too long."""


class FloodControl:
    """One connection's flood budget, its pauses and its cut-off, on ``reactor``'s clock.

    The connection (``flooder``) charges each line and byte it receives with
    ``charge`` and calls ``stop`` when it is lost, so no timer outlives it.
    """

    __slots__ = (
        "_disconnect_after",
        "_flooder",
        "_gate",
        "_reactor",
        "_reading",
        "_refill_waiters",
        "_release",
    )

    def __init__(
        self,
        gate: FloodGate,
        reading: Reading,
        flooder: Flooder,
        reactor: IReactorTime,
        disconnect_after: float,
    ) -> None:
        self._gate = gate
        self._reading = reading
        self._flooder = flooder
        self._reactor = reactor
        self._disconnect_after = disconnect_after
        self._release: IDelayedCall | None = None
        self._refill_waiters: list[Callable[[], object]] = []
        """What waits for the budget to refill (``after_refill``), in the order it came."""

    @property
    def waiting(self) -> bool:
        """Whether reading is paused for the budget to refill (a timer will lift it)."""
        return self._release is not None and self._release.active()

    def charge(self, lines: int, size: int) -> bool:
        """Spend ``lines`` and ``size`` bytes of budget; over it, pause reading, and in the end cut off.

        False once the connection has been cut off: what was charged is not
        to be done. True otherwise, even while reading is paused: the
        charged input was read already and goes ahead; what follows waits.
        """
        was_over = self._gate.over_since
        wait = self._gate.charge(lines, size)
        if not wait:
            return True
        if was_over is None:
            self._flooder.warn_flooding()
        elif self._reactor.seconds() - was_over > self._disconnect_after:
            self._flooder.cut_off_flooding()
            return False
        self._cancel_release()
        self._reading.pause(Pause.FLOOD)
        self._release = self._reactor.callLater(wait, self._refilled)
        return True

    def after_refill(self, then: Callable[[], object]) -> None:
        """Call ``then`` once reading is no longer paused for the budget: at once if it is not.

        For input that was read already but must wait its turn all the same:
        the HTTP requests a client pipelined, which Twisted's channel replays
        from its own buffer however its transport is paused.
        """
        if self.waiting:
            self._refill_waiters.append(then)
        else:
            then()

    def over(self) -> Over:
        """The budget the client is over now (``FloodGate.over``): what one cut off is told."""
        return self._gate.over()

    def hold_lines(self, burst: float) -> None:
        """Hold at most ``burst`` lines from now on (chatd.domain.flood's ``FloodGate.hold_lines``)."""
        self._gate.hold_lines(burst)

    def lines_held(self) -> float:
        """The lines this connection's budget holds now (below 0: its debt)."""
        return self._gate.lines_held()

    def full_in(self) -> float:
        """Seconds until this connection's budget of lines is full again (0: it is)."""
        return self._gate.full_in()

    def stop(self) -> None:
        """Cancel the pending release, if any, and forget what waits for it: the connection is gone."""
        self._cancel_release()
        self._refill_waiters = []

    def _cancel_release(self) -> None:
        """Cancel the pending release, if any (the connection waits anew, or is gone)."""
        if self._release is not None and self._release.active():
            self._release.cancel()
        self._release = None

    def _refilled(self) -> None:
        self._release = None
        waiters, self._refill_waiters = self._refill_waiters, []
        # Reading first: a waiter that spends past the budget again pauses it anew, before any read.
        self._reading.resume(Pause.FLOOD)
        for then in waiters:
            if self.waiting:
                self._refill_waiters.append(then)
            else:
                then()
