"""Accounts kept in this process's memory, for a daemon that keeps nothing across restarts (``--db :memory:``).

The registered nicknames are a ``RegisteredNames``, as every store keeps
them, and the hashes a dict beside it: every answer is there at once, and
the Deferreds the ``Accounts`` port promises have fired already.
"""

from twisted.internet.defer import Deferred, succeed

from chatd.domain.accounts import RegisteredNames


class MemoryAccounts:
    """``Accounts`` in this process's memory: every answer is there at once, and gone at exit."""

    def __init__(self) -> None:
        self._names = RegisteredNames()
        self._hashes: dict[str, str] = {}

    def owner(self, nick: str) -> str | None:
        """The account whose nickname has ``nick``'s key or look; None if none."""
        return self._names.owner(nick)

    def nick(self, account: str) -> str:
        """The nickname of ``account`` as registered."""
        return self._names.nick(account)

    def count(self) -> int:
        """How many accounts there are."""
        return len(self._names)

    def since(self, account: str) -> float:
        """When ``account`` was registered."""
        return self._names.since(account)

    def password(self, account: str) -> "Deferred[str | None]":
        """The password hash of ``account``; None if there is none."""
        return succeed(self._hashes.get(account))

    def create(self, nick: str, hashed: str, at: float) -> "Deferred[None]":
        """Register ``nick`` with ``hashed``."""
        self._hashes[self._names.add(nick, at)] = hashed
        return succeed(None)

    def change(self, account: str, hashed: str) -> "Deferred[None]":
        """Give ``account`` the hash ``hashed``."""
        self._hashes[account] = hashed
        return succeed(None)

    def delete(self, account: str) -> "Deferred[None]":
        """Forget ``account``."""
        self._names.remove(account)
        self._hashes.pop(account, None)
        return succeed(None)
