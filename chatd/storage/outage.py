"""A write that keeps failing while its cause lasts (a full disk), told to the host once as it begins and once as it ends.

A full disk under the ``--db`` file failed every write of the chat, each
pass's: the pass log's append, the commit and the search index's chunk
each logged a CRITICAL traceback, two or three a line said, and a log on
the same disk then filled it further. An ``Outage`` logs the first failure
of a kind with its reason (a full disk in one line, anything else with its
traceback, as a bug or damage needs), counts the rest without a word, and
once a write of that kind succeeds says so, with how many failed meanwhile.
"""

from twisted.logger import Logger
from twisted.python.failure import Failure

from chatd.failures import no_room, reason
from chatd.text import counted


class Outage:
    """The failures of one kind of write through ``log``: ``began`` logged for the first (its ``{why}`` the reason),
    ``ended`` at the next success (its ``{failures}`` the failures since, counted as ``failures``, ``{lost}`` what
    they held, as ``failed`` was told, counted as ``lost``: ``3 failed writes``, ``1 event``)."""

    def __init__(
        self, log: Logger, began: str, ended: str, failures: str = "failure", lost: str = "event"
    ) -> None:
        self._log = log
        self._began = began
        self._ended = ended
        self._failures = failures
        self._lost = lost
        self.count = 0
        """Failures since the last success."""
        self._amount = 0

    def failed(self, failure: Failure, amount: int = 0) -> None:
        """A write failed with ``failure``, holding ``amount`` (events, say): logged if it is the first since the
        last success, at error level, with the traceback unless the disk is full; counted either way."""
        self.count += 1
        self._amount += amount
        if self.count > 1:
            return
        error = failure.value
        assert error is not None, "a Failure holds its exception"
        why = reason(error)
        if no_room(error):
            self._log.error(self._began, why=why)
        else:
            self._log.failure(self._began, failure, why=why)

    def succeeded(self) -> None:
        """A write of this kind succeeded: if some failed before it, say the trouble is over, and how much it cost."""
        if not self.count:
            return
        self._log.info(
            self._ended,
            failures=counted(self.count, self._failures),
            lost=counted(self._amount, self._lost),
            count=self.count,
            amount=self._amount,
        )
        self.count = self._amount = 0
