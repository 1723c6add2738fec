"""Asking for a listing's next page once the server says its flood budget can pay for it.

The server answers a long listing a page at a time (``/key log``'s
``key_log``, ``/file list``'s ``file_list``), each page charged to the
connection's flood budget by its size, and says in each page (``wait``)
the seconds that budget takes to be full again (docs/PROTOCOL.md). A
client asking for each page the moment the last came was over budget from
the second on: told it floods, slowed, and past some pages cut off. One
``NextPage`` a listing holds that request on the client's clock, so that a
dropped connection or a listing started anew can call it off.
"""

import math
from collections.abc import Callable

from twisted.internet.interfaces import IDelayedCall, IReactorTime


def page_wait(wait: object) -> float:
    """The seconds a page's ``wait`` says to let pass before the next; 0 if it says none a clock takes.

    A server from before ``wait`` says nothing: the next page is asked at once, as it always was.
    """
    if isinstance(wait, bool) or not isinstance(wait, int | float) or not math.isfinite(wait) or wait < 0:
        return 0.0
    return float(wait)


class NextPage:
    """The one request for a listing's next page waiting its turn on ``clock``."""

    def __init__(self, clock: IReactorTime) -> None:
        self._clock = clock
        self._call: IDelayedCall | None = None

    def ask(self, wait: object, send: Callable[[], None]) -> None:
        """Call ``send`` once the seconds a page's ``wait`` says are over (at once if none); one waiting is dropped."""
        self.cancel()
        seconds = page_wait(wait)
        if seconds <= 0:
            send()
            return
        self._call = self._clock.callLater(seconds, self._due, send)

    def _due(self, send: Callable[[], None]) -> None:
        self._call = None
        send()

    def cancel(self) -> None:
        """Call off the request waiting, if one is: its connection dropped, or a listing started anew."""
        if self._call is not None:
            self._call.cancel()
            self._call = None
