"""Accounts: the rules of passwords, and the index of registered nicknames every store keeps in memory.

A nickname is protected by its key (``chatd.text.fold``) and by its look
(``chatd.domain.names.look``), as nicknames online are kept apart, so
nobody takes ``AIice`` or ``alice`` with a Cyrillic a while ``alice`` is
registered. The stores (chatd.storage) keep one ``RegisteredNames`` each,
filled at start: the chat asks it at every nickname taken and never waits.
"""

from chatd.domain.errors import PasswordTooShortError
from chatd.domain.names import look
from chatd.text import fold

MIN_PASSWORD = 8
"""The fewest characters an account's password may have."""


def check_password(password: str) -> str:
    """``password`` if an account may have it; raises PasswordTooShortError."""
    if len(password) < MIN_PASSWORD:
        raise PasswordTooShortError(MIN_PASSWORD)
    return password


class RegisteredNames:
    """Every registered nickname by its key, the key of each by its look, and when each was registered."""

    __slots__ = ("_by_key", "_by_look", "_since")

    def __init__(self) -> None:
        self._by_key: dict[str, str] = {}
        self._by_look: dict[str, str] = {}
        self._since: dict[str, float] = {}

    def add(self, nick: str, at: float) -> str:
        """Register ``nick`` at time ``at`` (seconds); returns its account (its key)."""
        key = fold(nick)
        self._by_key[key] = nick
        self._by_look[look(nick)] = key
        self._since[key] = at
        return key

    def remove(self, account: str) -> None:
        """Forget ``account`` (a key), if registered."""
        nick = self._by_key.pop(account, None)
        if nick is not None:
            del self._by_look[look(nick)]
            del self._since[account]

    def since(self, account: str) -> float:
        """When ``account`` was registered (seconds); raises KeyError if it is not."""
        return self._since[account]

    def owner(self, nick: str) -> str | None:
        """The account whose nickname has ``nick``'s key or look; None if none."""
        key = fold(nick)
        if key in self._by_key:
            return key
        return self._by_look.get(look(nick))

    def nick(self, account: str) -> str:
        """The nickname of ``account`` as registered; raises KeyError if there is none."""
        return self._by_key[account]

    def __len__(self) -> int:
        """How many nicknames are registered."""
        return len(self._by_key)
