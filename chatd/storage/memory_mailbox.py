"""Private messages kept for offline accounts in this process's memory (``--db :memory:``).

The ``Mailbox`` port's store when nothing is kept across restarts: what
waits is counted in the bytes of its encoding (``kept_size``), as the
SQLite store counts it, so the bound on each account's mailbox is the
same whichever store holds it.
"""

from collections.abc import Callable, Sequence

from twisted.internet.defer import Deferred, succeed

from chatd.domain.events import Private
from chatd.domain.offline import kept_size


class MemoryMailbox:
    """A ``Mailbox`` in this process's memory: what waits for offline accounts, gone at exit."""

    def __init__(self) -> None:
        self._kept: dict[str, list[Private]] = {}
        self._held: dict[str, int] = {}

    def waiting(self, account: str) -> int:
        """How many messages wait for ``account``."""
        return len(self._kept.get(account, ()))

    def held(self, account: str) -> int:
        """The bytes of the messages waiting for ``account``."""
        return self._held.get(account, 0)

    def keep(self, account: str, event: Private, lost: Callable[[str], None]) -> None:
        """Keep ``event`` for ``account``: memory keeps it, so it is never ``lost``."""
        self._kept.setdefault(account, []).append(event)
        self._held[account] = self.held(account) + kept_size(event)

    def take(self, account: str) -> "Deferred[Sequence[Private]]":
        """What waits for ``account``, oldest first, forgotten."""
        self._held.pop(account, None)
        return succeed(self._kept.pop(account, []))
