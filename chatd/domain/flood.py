"""Token buckets that tell a front end how long a client must wait.

Every front end charges each client's lines and bytes here, so the same
flood rules hold whichever way people connect. A bucket refills at ``rate``
tokens a second up to ``burst``; spending may run it into debt, and the
debt, in seconds, is how long the client's next input should wait.
"""

from collections.abc import Callable
from enum import Enum


class TokenBucket:
    """``rate`` tokens a second, holding at most ``burst``; starts full."""

    __slots__ = ("_now", "_stamp", "_tokens", "burst", "rate")

    def __init__(self, rate: float, burst: float, now: Callable[[], float]) -> None:
        if rate <= 0 or burst <= 0:
            raise ValueError("a token bucket needs a positive rate and burst")
        self.rate = rate
        self.burst = burst
        self._now = now
        self._tokens = burst
        self._stamp = now()

    def take(self, cost: float) -> float:
        """Spend ``cost`` tokens; return the seconds until the bucket is out of debt (0 if not in debt)."""
        self._tokens = self._refilled() - cost
        self._stamp = self._now()
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def held(self) -> float:
        """The tokens there are to take now (below 0: the debt)."""
        return self._refilled()

    def wait(self, cost: float) -> float:
        """Seconds until ``cost`` tokens are there to take (0: now); spends nothing.

        For budgets that refuse rather than slow down, such as failed
        ``/oper`` attempts: ask first, and ``take`` only what was spent.
        """
        return max(0.0, (cost - self._refilled()) / self.rate)

    def _refilled(self) -> float:
        """The tokens held now: what was left plus what has dripped in since, up to ``burst``."""
        return min(self.burst, self._tokens + (self._now() - self._stamp) * self.rate)


class Budgets:
    """A ``TokenBucket`` for each key (an address, say), made when the key first spends and forgotten once full again.

    The full ones go at the first spending a refill (``burst / rate``) after
    they last went: memory holds only the keys that spent within two refills,
    and a spending looks at every key only that often, so budgets spent a
    chunk at a time (file transfers) pay for no scan a chunk.
    """

    __slots__ = ("_buckets", "_now", "_swept", "burst", "rate")

    def __init__(self, rate: float, burst: float, now: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = burst
        """Both may change: buckets made from then on have the new ones."""
        self._now = now
        self._buckets: dict[str, TokenBucket] = {}
        self._swept = now()

    def wait(self, key: str, cost: float = 1) -> float:
        """Seconds until ``key`` has ``cost`` tokens to spend (0: now); spends nothing."""
        bucket = self._buckets.get(key)
        return 0.0 if bucket is None else bucket.wait(cost)

    def take(self, key: str, cost: float = 1) -> float:
        """Spend ``cost`` of ``key``'s tokens, into debt if need be (``wait`` first for a budget that refuses); the
        seconds until ``key`` is out of debt (0: it is not in debt)."""
        now = self._now()
        if now - self._swept >= self.burst / self.rate:
            self._swept = now
            for full in [each for each, bucket in self._buckets.items() if not bucket.wait(bucket.burst)]:
                del self._buckets[full]
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(self.rate, self.burst, self._now)
        return bucket.take(cost)


class Over(Enum):
    """Which of a client's budgets it is in debt on: what a client cut off for flooding is told it was over."""

    LINES = "line budget"
    BYTES = "byte budget"
    BOTH = "line and byte budgets"


class FloodGate:
    """One client's budget: a bucket of lines and a bucket of bytes, and since when it is over them."""

    __slots__ = ("_bytes", "_lines", "_now", "over_since")

    def __init__(
        self,
        lines_per_second: float,
        line_burst: float,
        bytes_per_second: float,
        byte_burst: float,
        now: Callable[[], float],
    ) -> None:
        self._lines = TokenBucket(lines_per_second, line_burst, now)
        self._bytes = TokenBucket(bytes_per_second, byte_burst, now)
        self._now = now
        self.over_since: float | None = None
        """When the client's current stretch over budget began; None while it keeps within it."""

    def charge(self, lines: int, size: int) -> float:
        """Charge ``lines`` and ``size`` bytes; return how long the client should now wait.

        The first charge with a wait starts a stretch over budget. It ends
        only at a charge that leaves room for one more line and byte: a
        client let in as its debt is paid, and charged for its bytes apart
        from its lines, is still over budget however small each charge is.
        """
        wait = max(self._lines.take(lines), self._bytes.take(size))
        if wait:
            if self.over_since is None:
                self.over_since = self._now()
        elif self.over_since is not None and not self._lines.wait(1) and not self._bytes.wait(1):
            self.over_since = None
        return wait

    def over(self) -> Over:
        """The budget the client is in debt on now; LINES when it is in none (it is then over no budget)."""
        lines, size = self._lines.held() < 0, self._bytes.held() < 0
        if lines and size:
            return Over.BOTH
        return Over.BYTES if size else Over.LINES

    def hold_lines(self, burst: float) -> None:
        """Hold at most ``burst`` lines from now on (what it holds past that is gone); the rate stays."""
        self._lines.burst = burst

    def lines_held(self) -> float:
        """The lines the budget holds now (below 0: the debt the client is waiting out)."""
        return self._lines.held()

    def full_in(self) -> float:
        """Seconds until the budget of lines is full again (0: it is); spends nothing."""
        return self._lines.wait(self._lines.burst)
