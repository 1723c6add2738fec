"""``Turns``: work that one key (a host, an account) may have going one at a time, the rest waiting in order.

The front ends take each host's costliest reads in turns, and each host's
password hashes and checks (the password threads are as few as the
reader); the SQLite mailbox takes each account's offline messages in turns,
so two connections identifying at once never both read, and count off, the
same rows.

Some reads cost the store's one reader thread far more than a line of flood
budget pays for (a ``/search`` with a word no index can look up reads the
last 10,000 lines of the room, and one the index barely narrows as much).
Priced higher, each connection does few, but an address may hold 50
connections: with each address's searches taken one at a time, the reader's queue holds at most one of them per host, so
everyone else's reads wait behind one, not behind dozens. The service makes
one ``Turns`` for every front end, so a second port is no second lane.
"""

from collections.abc import Callable
from typing import TypeVar

from twisted.internet.defer import Deferred, DeferredLock

T = TypeVar("T")


class Turns:
    """A ``DeferredLock`` per key while it is held or waited for; none otherwise, so memory holds only the busy."""

    __slots__ = ("_locks",)

    def __init__(self) -> None:
        self._locks: dict[str, DeferredLock] = {}

    def run(self, key: str, work: "Callable[[], Deferred[T]]") -> "Deferred[T]":
        """Run ``work`` once ``key``'s earlier work is done (at once if there is none); fires when ``work``'s
        Deferred does, with its result or failure, and only then is ``key``'s next work started."""
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = DeferredLock()
        done = lock.run(work)
        return done.addBoth(self._passed, key, lock)

    def _passed(self, result: object, key: str, lock: DeferredLock) -> object:
        """Forget ``key``'s lock once nothing holds or waits for it."""
        if not lock.locked and not lock.waiting and self._locks.get(key) is lock:
            del self._locks[key]
        return result
