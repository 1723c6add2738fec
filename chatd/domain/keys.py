"""``/key``: the directory of accounts' device keys, over the key log (chatd.domain.keylog; issue 17)."""

import math
from collections.abc import Awaitable, Callable

from chatd.domain.errors import (
    KeyChangesThrottledError,
    KeyPublishesThrottledError,
    NoSuchAccountError,
    NoSuchKeyError,
    NotIdentifiedError,
    TooManyKeysError,
)
from chatd.domain.flood import Budgets
from chatd.domain.key_replies import KeyDropped, KeyLog, KeyPublished, Keys
from chatd.domain.keylog import ADD, DROP, KEYS_MOST, LOG_PAGE, KeyEntry, check_key
from chatd.domain.networks import counted_as
from chatd.domain.ports import UserView
from chatd.domain.storage_ports import Accounts, KeyStore
from chatd.domain.users import own
from chatd.text import fold

KEY_CHANGES_PER_DAY = 20
"""Keys an account may publish and drop a day, all at once or spread out: a few devices set up, a lost one
dropped. Every change is a key log entry kept for good (the log is a hash chain) and read by every client
that checks the log, so one account publishing and dropping in a loop grew it without end."""


KEY_PUBLISHES_PER_ADDRESS_DAY = 100
"""Keys published from one address (an IPv6 /64) a day, whatever the accounts: a dozen accounts' devices.
Each account's ``KEY_CHANGES_PER_DAY`` held nobody who made new accounts (50 an hour an address, by
--accounts-per-hour), each publishing 8 keys and dropping them by unregistering: 20,000 to 30,000 entries a
day, kept for good and read by every new client. Drops are not counted: each follows a publish."""


class KeyDirectory:
    """``/key``: publish and drop one's own keys, fetch anyone's, read the log.

    Writes go to ``store`` at once (in memory there, on disk by the end of
    the pass); ``now`` stamps entries. Each account's changes are bounded
    (``KEY_CHANGES_PER_DAY``).
    """

    def __init__(self, store: KeyStore, accounts: Accounts, now: Callable[[], float]) -> None:
        self._store = store
        self._accounts = accounts
        self._now = now
        self._changes = Budgets(KEY_CHANGES_PER_DAY / 86400, KEY_CHANGES_PER_DAY, now)
        self._publishes = Budgets(KEY_PUBLISHES_PER_ADDRESS_DAY / 86400, KEY_PUBLISHES_PER_ADDRESS_DAY, now)
        """Keys published a day by address (``counted_as``)."""

    def publish(self, view: UserView, key: str) -> KeyPublished:
        """Add ``key`` to the user's account's keys; a key it has already is answered the same, unlogged.

        Raises NotIdentifiedError, BadKeyError, TooManyKeysError, KeyChangesThrottledError,
        KeyPublishesThrottledError.
        """
        account = _account(view)
        key = check_key(key)
        keys = self._store.keys(account)
        if key not in keys:
            if len(keys) >= KEYS_MOST:
                raise TooManyKeysError(KEYS_MOST)
            address = counted_as(own(view).address)
            wait = self._publishes.wait(address)
            if wait:
                raise KeyPublishesThrottledError(math.ceil(wait))
            self._change(account, ADD, key)
            self._publishes.take(address)
        seq, head = self._store.head()
        return KeyPublished(account, key, seq, head)

    def drop(self, view: UserView, key: str) -> KeyDropped:
        """Take ``key`` out of the user's account's keys (a lost device). Raises NotIdentifiedError, NoSuchKeyError,
        KeyChangesThrottledError."""
        account = _account(view)
        if key not in self._store.keys(account):
            raise NoSuchKeyError()
        self._change(account, DROP, key)
        seq, head = self._store.head()
        return KeyDropped(account, key, seq, head)

    def _change(self, account: str, action: str, key: str) -> None:
        """Log ``account``'s own change to its keys, if its day's budget of changes allows it."""
        wait = self._changes.wait(account)
        if wait:
            raise KeyChangesThrottledError(math.ceil(wait))
        self._changes.take(account)
        self._log(account, action, key)

    def drop_all(self, account: str) -> None:
        """Log the withdrawal of every key of ``account``: it is unregistered, and its nickname anyone's."""
        for key in self._store.keys(account):
            self._log(account, DROP, key)

    def drop_all_once(self, account: str, dropped: Awaitable[None]) -> Awaitable[None]:
        """Log the withdrawal of the keys ``account`` has now once ``dropped`` (its unregistering) is kept; if it
        fails, with its failure, and none is withdrawn.

        An unregistering the store refuses is taken back, and so nothing
        of it may reach the log, where every entry stays for good: keys
        withdrawn and published again would be a device's key lost to
        those who fetched meanwhile, and withdrawals the file did not keep
        a log that goes back (clients report a broken chain). A key some
        later owner of the nickname published meanwhile is not one of these.
        """
        return self._drop_once(account, self._store.keys(account), dropped)

    async def _drop_once(self, account: str, keys: tuple[str, ...], dropped: Awaitable[None]) -> None:
        await dropped
        held = self._store.keys(account)
        for key in keys:
            if key in held:
                self._log(account, DROP, key)

    def get(self, nick: str) -> Keys:
        """The keys of the account whose nickname is ``nick`` (any case), online or not. Raises NoSuchAccountError."""
        account = self.account_of(nick)
        seq, head = self._store.head()
        return Keys(self._accounts.nick(account), account, self._store.keys(account), seq, head)

    def nick(self, account: str) -> str:
        """The nickname of ``account`` as registered."""
        return self._accounts.nick(account)

    def keys(self, account: str) -> tuple[str, ...]:
        """The keys ``account`` has published and not dropped, oldest first."""
        return self._store.keys(account)

    def account_of(self, nick: str) -> str:
        """The account named ``nick`` (its folded form); raises NoSuchAccountError if none is."""
        account = fold(nick)
        if self._accounts.owner(nick) != account:
            raise NoSuchAccountError(nick)
        return account

    async def log(self, first: int, most: int = LOG_PAGE) -> KeyLog:
        """The entries from seq ``first`` on (below 1: from 1), at most ``most`` (1 to ``LOG_PAGE``), and the head now."""
        most = min(max(most, 1), LOG_PAGE)
        seq, head = self._store.head()
        entries = await self._store.entries(max(first, 1), most + 1)
        return KeyLog(tuple(entries[:most]), seq, head, len(entries) > most)

    def _log(self, account: str, action: str, key: str) -> None:
        seq, head = self._store.head()
        self._store.append(KeyEntry(seq + 1, int(self._now()), account, action, key, head))


def _account(view: UserView) -> str:
    account = own(view).account
    if account is None:
        raise NotIdentifiedError()
    return account
