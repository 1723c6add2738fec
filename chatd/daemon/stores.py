"""The stores ``--db`` names: one SQLite file, or memory, behind every port the chat reads and writes.

On its own because the choice is the one place that knows both kinds of
store: everything after it sees ``Stores``, whichever it is.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chatd.domain.events import Event
from chatd.domain.storage_ports import Accounts, KeyStore, Mailbox, RoomStore
from chatd.frontend.sinks import Keep
from chatd.frontend.transfer_parts import LinkStore, TransferStore
from chatd.storage.keys import MemoryKeys, SQLiteKeys
from chatd.storage.memory import MemoryHistory
from chatd.storage.memory_accounts import MemoryAccounts
from chatd.storage.memory_mailbox import MemoryMailbox
from chatd.storage.memory_rooms import MemoryRooms
from chatd.storage.sqlite import SQLiteHistory
from chatd.storage.sqlite_accounts import SQLiteAccounts
from chatd.storage.sqlite_links import SQLiteLinks
from chatd.storage.sqlite_mailbox import SQLiteMailbox
from chatd.storage.sqlite_rooms import SQLiteRooms
from chatd.storage.sqlite_transfers import SQLiteTransfers
from chatd.text import fold


@dataclass(frozen=True)
class Stores:
    """What ``--db`` keeps the chat in: one file, or memory; what output waits for; the events kept to restore."""

    history: MemoryHistory | SQLiteHistory
    accounts: Accounts
    mailbox: Mailbox
    rooms: RoomStore
    keys: KeyStore
    """Accounts' device keys and their log (issue 17)."""
    transfers: TransferStore | None
    """The files' transfers still open (issue 16); None: they end with the daemon."""
    links: LinkStore | None
    """The HTTP links to those files still good (chatd.web.files); None: they end with the daemon."""
    keep: Keep | None = None
    restored: Sequence[Event] = ()


def open_stores(db: str | None, reactor: Any, server_rooms: Sequence[str]) -> Stores:
    """The stores ``--db`` names. In memory, output waits for nothing and nothing is restored. The file's store holds
    the last seq of ``server_rooms`` in memory: every user joins the default room as they connect.

    Raises ``DatabaseFileError`` for a file that cannot be used.
    """
    if db is None:
        return Stores(
            MemoryHistory(), MemoryAccounts(), MemoryMailbox(), MemoryRooms(), MemoryKeys(), None, None
        )
    store = SQLiteHistory.open(db, reactor, [fold(room) for room in server_rooms])
    return Stores(
        store,
        SQLiteAccounts(store),
        SQLiteMailbox(store),
        SQLiteRooms(store),
        SQLiteKeys(store),
        SQLiteTransfers(store),
        SQLiteLinks(store),
        store.keep,
        store.restored,
    )
