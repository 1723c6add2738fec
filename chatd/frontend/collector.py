"""The cyclic garbage collector, kept off what start-up made: a daemon's heap is mostly that and its connections.

CPython's collector walks every object it tracks on a full collection, and
runs one each time the objects that outlived younger collections grow by a
quarter: while thousands of clients come in, several. Start-up leaves about
72,000 such objects (modules, Twisted, the chat's tables) that no collection
will ever free, and every full collection walked them too. ``gc.freeze()``
once the daemon has started moves them out of the collector's sight for
good. Measured on issue 18's storm (5,000 clients into ``#lobby``, the
collector's CPU time per collection from ``gc.callbacks``, two runs each):
the longest full collection went from 53-61 ms to 30-35 ms.

A higher young-generation threshold was measured too and not kept: at
7,000 (CPython's default is 700) the storm had one full collection instead
of three, but middle-generation collections of 23 ms instead of 1.5, the
longest full one was no shorter (34-39 ms), and the storm took as long.

Nothing is collected before freezing. A full collection then walked all
those objects to free 11 (under 1 KB: the log observers twistd starts
with and replaces), as many with a store holding history: 25-40 ms of CPU,
some 5% of a start, paid by each of the hundreds of daemons a test run
starts (docs/PERFORMANCE.md, "What a start costs"). They stay, frozen.

Freezing is process-wide, so the service thaws when it stops: tests start
and stop daemons in one process.
"""

import gc

from twisted.application.service import Service
from typing_extensions import override


class Collector(Service):
    """While running: what existed when it started is out of the garbage collector's sight."""

    @override
    def startService(self) -> None:
        super().startService()
        gc.freeze()

    @override
    def stopService(self) -> None:
        super().stopService()
        gc.unfreeze()
