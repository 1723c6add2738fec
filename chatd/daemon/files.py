"""The files folder (the spool), claimed before the ``--db`` file is opened, and the transfer engine over it, with
the services that run, sweep and let go of them.

On its own because files are the one feature with a folder, a thread and a
timer of their own, and the one whose start-up refusals must name the right
option (``--files`` or ``--db``).
"""

import shutil
import tempfile
from collections.abc import Callable
from functools import partial
from typing import Any

from twisted.application.internet import TimerService
from twisted.application.service import IService, Service
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool
from typing_extensions import override

from chatd.config import Config, FilesConfig
from chatd.daemon.lifetimes import Threads
from chatd.domain.chat import Chat
from chatd.domain.ports import Bus
from chatd.frontend.transfer_parts import TransferStore
from chatd.frontend.transfers import Transfers
from chatd.storage.database_file import DatabaseFileError
from chatd.storage.spool import Spool, SpoolInUseError, SpoolNotMadeError
from chatd.storage.sqlite_open import refuse_if_folder, refuse_if_held, unopened

EXPIRY_SECONDS = 3600.0
"""How often the spool is swept of bytes no transfer names, and days' counts pruned (and once at start); each transfer goes as its own time comes (``Transfers.start``)."""


def _spool(directory: str | None, reactor: Any) -> tuple[Spool, list[IService]]:
    """The spool in ``directory`` (a temporary folder if None), claimed, and the services that run its thread,
    remove a temporary folder and let the folder go once stopped.

    Its file I/O runs on a thread of its own, so a slow disk holds up no
    chat line. Raises ``SpoolFolderError`` for a folder that cannot be used.
    """
    pool = ThreadPool(1, 1, "chatd-files")
    folder = tempfile.mkdtemp(prefix="chatd-files-") if directory is None else directory
    spool = Spool(folder, run=lambda work: deferToThreadPool(reactor, pool, work))
    # Listed first, so stopped last: the folder goes once the thread writing to it has stopped, and is let go for
    # another daemon after that.
    removed = [] if directory is not None else [LetGo(partial(shutil.rmtree, folder, ignore_errors=True))]
    return spool, [LetGo(spool.release), *removed, Threads(pool)]


def spool_before_store(config: Config, reactor: Any) -> tuple[Spool, list[IService]]:
    """``_spool`` of ``config``'s files folder, made before the ``--db`` file is opened; a refusal of it that the
    ``--db`` is to blame for names ``--db``.

    A second daemon on the same ``--db`` meets the folder beside it first
    (``SpoolInUseError``); the default folder beside ``--db`` cannot be made
    where ``--db``'s own folder cannot be written, is a file or is missing
    (it is not made: a mistyped folder would hold a new, empty chat), and
    its host gave no ``--files``. A ``--db`` naming a folder is refused
    before the default folder is made in it.
    """
    if config.db is not None:
        refuse_if_folder(config.db)
    try:
        return _spool(config.files.directory, reactor)
    except SpoolInUseError:
        if config.db is not None:
            refuse_if_held(config.db)
        raise
    except SpoolNotMadeError as error:
        if config.db is not None and config.files.beside_db:
            raise DatabaseFileError(unopened(config.db, error.reason)) from None
        raise


def transfers_with_expiry(
    config: FilesConfig,
    chat: Chat,
    reactor: Any,
    spool: Spool,
    bus: Bus,
    kept: TransferStore | None = None,
) -> tuple[Transfers, list[IService]]:
    """The transfer engine over ``spool``, and its service: what waited too long goes as its time comes, and the
    rest is swept every ``EXPIRY_SECONDS``.

    ``bus`` carries the chat's renames to it; ``kept`` keeps the open transfers across a restart (``--db FILE``).
    """
    transfers = Transfers(chat, spool, reactor, config.limits, store=kept, bus=bus)
    expiry = _Expiry(transfers)
    expiry.clock = reactor
    return transfers, [expiry]


class LetGo(Service):
    """Lets go of something the daemon holds on disk once it stops: the files folder, so another daemon may use it
    (``Spool.release``, chatd.storage.claim), or a temporary folder, removed with all it holds. ``let_go`` does it
    at once, for a daemon that never started (no thread writes there then)."""

    def __init__(self, let_go: Callable[[], object]) -> None:
        self.let_go = let_go

    @override
    def stopService(self) -> None:
        super().stopService()
        self.let_go()


class _Expiry(TimerService):
    """Starts the transfer engine's looks with the daemon (each transfer let go as its time comes, and a sweep every
    ``EXPIRY_SECONDS``), and stops them with it."""

    def __init__(self, transfers: Transfers) -> None:
        super().__init__(EXPIRY_SECONDS, transfers.expire)
        self._transfers = transfers

    @override
    def startService(self) -> None:
        self._transfers.start()
        super().startService()

    @override
    def stopService(self) -> "Deferred[None]":
        self._transfers.stop()
        stopped: Deferred[None] = super().stopService()
        return stopped
