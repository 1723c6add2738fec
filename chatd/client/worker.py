"""Blocking file work off the reactor thread, so a big file never freezes the screen or the chat.

Hashing 100 MiB takes a second or so and a disk may stall; on the reactor
thread either would stop the input line and every chat line. Transfers
hand such work to a ``Worker``: ``ThreadWorker`` runs it in the reactor's
thread pool; the unit tests pass one that runs it at once.
"""

from collections.abc import Callable
from typing import Any, ParamSpec, Protocol, TypeVar

from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThreadPool

P = ParamSpec("P")
T = TypeVar("T")


class Worker(Protocol):
    """Runs a blocking call somewhere it may block; the Deferred fires on the reactor thread with its result."""

    def __call__(self, work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> "Deferred[T]":
        """Run ``work(*args, **kwargs)``; its exception becomes the Deferred's failure."""
        ...


class ThreadWorker:
    """A ``Worker`` on the reactor's own thread pool (started with the reactor, stopped with it)."""

    def __init__(self, reactor: Any) -> None:
        self._reactor = reactor

    def __call__(self, work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> "Deferred[T]":
        """Run ``work`` in a pool thread."""
        return deferToThreadPool(self._reactor, self._reactor.getThreadPool(), work, *args, **kwargs)
