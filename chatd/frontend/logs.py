"""Log lines a stranger can cause, at a bounded rate, with a count of what was left out.

A refused connection, a flooder cut off, a new connection: each is worth a
line, but a client can cause thousands a second (one wrote 21 MB of log in
20 s, issue 12). ``BoundedLog`` lets each kind of line through at most
``burst`` at once and then ``rate`` a second, with the token bucket that
also budgets flooders (chatd.domain.flood). A kind is the format string
and the logger's namespace, never a field, so lines from a thousand
addresses are one kind and the number of kinds is fixed by the code. What
it holds back it counts; once the bucket has room again it writes one
summary line with that count and the first line it held back, as that
line would have read, through the same logger at the same level.

twisted.logger filters events (``FilteringLogObserver``) but limits no
rate; a filter would also sit in the observer chain, see every event of
the process rather than the ones a stranger can repeat, and could not
write the summary. As a service, it writes the summaries still owed when
the daemon stops.
"""

from dataclasses import dataclass, field

from twisted.application.service import Service
from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.logger import Logger, LogLevel, formatEvent
from typing_extensions import override

from chatd.domain.flood import TokenBucket

RATE = 1.0
"""Lines of one kind a second, kept up (a summary is one of them)."""

BURST = 10
"""Lines of one kind at once, before the rate holds them back."""

SUMMARY = "Left {dropped} more {lines} out of the log like: {like}"


@dataclass(slots=True)
class _Kind:
    """One kind of line: its budget, and what was left out since the last line written."""

    log: Logger
    level: LogLevel
    bucket: TokenBucket
    dropped: int = 0
    like: str = ""
    """The first line left out, as it would have read: the summary shows it, not the format's {fields}."""
    summary: IDelayedCall | None = field(default=None)


class BoundedLog(Service):
    """Writes each kind of line at most ``burst`` at once and ``rate`` a second; counts the rest."""

    def __init__(self, clock: IReactorTime, rate: float = RATE, burst: int = BURST) -> None:
        self._clock = clock
        self._rate = rate
        self._burst = burst
        self._kinds: dict[tuple[str, str], _Kind] = {}

    def warn(self, log: Logger, format: str, **fields: object) -> None:
        """``log.warn(format, **fields)``, unless lines like it have used their budget."""
        self.emit(log, LogLevel.warn, format, **fields)

    def info(self, log: Logger, format: str, **fields: object) -> None:
        """``log.info(format, **fields)``, unless lines like it have used their budget."""
        self.emit(log, LogLevel.info, format, **fields)

    def emit(self, log: Logger, level: LogLevel, format: str, **fields: object) -> None:
        """Write the line, or count it and make sure a summary follows once there is room."""
        key = (log.namespace, format)
        kind = self._kinds.get(key)
        if kind is None:
            kind = _Kind(log, level, TokenBucket(self._rate, self._burst, self._clock.seconds))
            self._kinds[key] = kind
        if kind.dropped or kind.bucket.wait(1):
            if not kind.dropped:
                # Formatted once a summary, not once a line left out: a flood costs no more than it did.
                kind.like = formatEvent({"log_format": format, **fields})
            kind.dropped += 1
            if kind.summary is None:
                kind.summary = self._clock.callLater(kind.bucket.wait(1), self._summarize, kind)
            return
        kind.bucket.take(1)
        log.emit(level, format, **fields)

    def _summarize(self, kind: _Kind) -> None:
        """Write how many lines of ``kind`` were left out; it takes the place of one of them."""
        kind.summary = None
        kind.bucket.take(1)
        dropped, kind.dropped = kind.dropped, 0
        kind.log.emit(
            kind.level, SUMMARY, dropped=dropped, lines="line" if dropped == 1 else "lines", like=kind.like
        )

    @override
    def stopService(self) -> None:
        """Write the summaries still owed now: the reactor will not run their timers."""
        super().stopService()
        for kind in self._kinds.values():
            if kind.summary is not None:
                kind.summary.cancel()
                self._summarize(kind)
