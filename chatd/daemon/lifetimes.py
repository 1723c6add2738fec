"""Services that tie something's lifetime to the daemon's: a thread pool, a goodbye (the chat's timers among them),
the host's terminal.

On its own because each is a few lines of start or stop around an object
made elsewhere; ``service.build`` puts them in the layer whose start and
stop they belong to.
"""

from collections.abc import Callable

from twisted.application.service import Service
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IProtocol
from twisted.python.threadpool import ThreadPool
from typing_extensions import override

from chatd.line.console import Console


class Goodbye(Service):
    """On stop, says one goodbye: a front end's ``shutdown`` (it tells every connection the server is going, and
    fires once they have closed), the host's leaving the chat (``Console.shutdown``, done when it returns), or the
    chat's timers cancelled (``Chat.stop``: mutes and bans running out)."""

    def __init__(self, goodbye: Callable[[], "Deferred[None] | None"]) -> None:
        self._goodbye = goodbye

    @override
    def stopService(self) -> "Deferred[None] | None":
        super().stopService()
        return self._goodbye()


class Threads(Service):
    """Starts a thread pool with the daemon and stops it (waiting for its threads) with the daemon."""

    def __init__(self, pool: ThreadPool) -> None:
        self._pool = pool

    @override
    def startService(self) -> None:
        super().startService()
        self._pool.start()

    @override
    def stopService(self) -> None:
        super().stopService()
        self._pool.stop()


class Terminal(Service):
    """Connects the host's console to the terminal when the daemon starts, not when it is built."""

    def __init__(self, console: Console, connect: Callable[[IProtocol], object]) -> None:
        self._console = console
        self._connect = connect

    @override
    def startService(self) -> None:
        super().startService()
        self._connect(self._console)
