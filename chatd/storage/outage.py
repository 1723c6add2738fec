"""A write that keeps failing while its cause lasts (a full disk), told to the host once as it begins and once as it ends.

A full disk under the ``--db`` file failed every write of the chat, each
pass's: the pass log's append, the commit and the search index's chunk
each logged a CRITICAL traceback, two or three a line said, and a log on
the same disk then filled it further. An ``Outage`` logs the first failure
of a kind with its reason (a full disk in one line, anything else with its
traceback, as a bug or damage needs), counts the rest without a word, and
once writes of that kind succeed again says so, with how many failed meanwhile.

A disk that is nearly full fails some writes and takes others (a commit
that needs a new page fails, one that reuses a freed page goes through):
ended at its first success, such an outage was the pair of lines again and
again, as often as the writes took turns. So an outage ends only once writes
of its kind have gone on succeeding, with no failure among them, for
``SETTLED`` seconds of the reactor's clock: a failure meanwhile is counted
in it and the wait starts again from the next success. The end is said by
a call of the clock when the time is up, whether or not a write comes then
(a quiet chat writes nothing); a store that stops sooner says it as it
stops (``close``), its last writes having gone through.
"""

from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.logger import Logger
from twisted.python.failure import Failure

from chatd.failures import no_room, reason
from chatd.text import counted

SETTLED = 60.0
"""Seconds writes of a kind must go on succeeding, none failing, before their outage is told as over."""


class Outage:
    """The failures of one kind of write through ``log``: ``began`` logged for the first (its ``{why}`` the reason),
    ``ended`` once writes have succeeded for ``SETTLED`` seconds on ``clock`` (its ``{failures}`` the failures since
    the first, counted as ``failures``, ``{lost}`` what they held, as ``failed`` was told, counted as ``lost``:
    ``3 failed writes``, ``1 event``)."""

    def __init__(
        self,
        log: Logger,
        clock: IReactorTime,
        began: str,
        ended: str,
        failures: str = "failure",
        lost: str = "event",
    ) -> None:
        self._log = log
        self._clock = clock
        self._began = began
        self._ended = ended
        self._failures = failures
        self._lost = lost
        self._count = 0
        """Failures since the outage began; none: there is no outage."""
        self._amount = 0
        self._end: IDelayedCall | None = None
        """The call that says the outage is over, ``SETTLED`` seconds after the first success since the last failure."""

    def failed(self, failure: Failure, amount: int = 0) -> None:
        """A write failed with ``failure``, holding ``amount`` (events, say): logged if it begins an outage, at error
        level, with the traceback unless the disk is full; counted either way, and the outage goes on."""
        self._count += 1
        self._amount += amount
        if self._end is not None:
            self._end.cancel()
            self._end = None
        if self._count > 1:
            return
        error = failure.value
        assert error is not None, "a Failure holds its exception"
        why = reason(error)
        if no_room(error):
            self._log.error(self._began, why=why)
        else:
            self._log.failure(self._began, failure, why=why)

    def succeeded(self) -> None:
        """A write of this kind succeeded: during an outage, its end is said ``SETTLED`` seconds on, if none fails."""
        if self._count and self._end is None:
            self._end = self._clock.callLater(SETTLED, self._over)

    def close(self) -> None:
        """No write of this kind comes any more (the store stops): an outage whose writes succeeded since its last
        failure is over, said now; one still failing is left unsaid."""
        if self._end is not None:
            self._end.cancel()
            self._over()

    def _over(self) -> None:
        """Say the outage is over, and how much it cost."""
        self._end = None
        self._log.info(
            self._ended,
            failures=counted(self._count, self._failures),
            lost=counted(self._amount, self._lost),
            count=self._count,
            amount=self._amount,
        )
        self._count = self._amount = 0
