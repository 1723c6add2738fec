"""The daemon's layers: services that start in order and stop in reverse, each layer once the one after it has
stopped (chatd.service's docstring names the layers).

On its own because the stopping order is the daemon's one promise about
shutdown (every goodbye written before storage stops), and is the same
whatever the layers hold.
"""

from collections.abc import Callable, Iterator, Sequence

from twisted.application.service import IService, IServiceCollection, MultiService, Service
from twisted.internet.defer import Deferred, DeferredList, maybeDeferred, succeed
from twisted.logger import Logger
from twisted.python.failure import Failure
from typing_extensions import override

# A service that failed to stop is logged under the namespace the daemon's own lines always had (chatd.daemon.listeners
# logs where it listens under it too): hosts filter on it.
log = Logger(namespace="chatd.service")


def every_service(service: IService) -> Iterator[IService]:
    """``service`` and every service under it."""
    yield service
    if IServiceCollection.providedBy(service):
        for child in service:
            yield from every_service(child)


class Layers(MultiService):
    """Starts layers of services in order; stops them in reverse, each once the one after it has stopped."""

    def __init__(self, layers: Sequence[Sequence[IService]]) -> None:
        super().__init__()
        for services in layers:
            layer = _Layer()
            for service in services:
                service.setServiceParent(layer)
            layer.setServiceParent(self)

    @override
    def stopService(self) -> "Deferred[None]":
        Service.stopService(self)
        stopped: Deferred[None] = succeed(None)
        for layer in reversed(list(self)):
            stopped.addCallback(_stop(layer))
        return stopped.addCallback(lambda _: None)


class _Layer(MultiService):
    """Services that start in order and stop together; its stop fires once every one has stopped.

    Together, so one slow goodbye does not hold back another front end's. A
    service whose stop fails is logged, and holds back nothing.
    """

    @override
    def stopService(self) -> "Deferred[None]":
        Service.stopService(self)
        stops = [maybeDeferred(service.stopService) for service in reversed(list(self))]
        return DeferredList(stops, consumeErrors=True).addCallback(_log_failures)


def _stop(service: IService) -> Callable[[object], "Deferred[object] | None"]:
    """A callback that stops ``service``, so a chain of them stops one service after another."""
    return lambda _: service.stopService()


def _log_failures(results: list[tuple[bool, object]]) -> None:
    """Log each failure among a ``DeferredList``'s results, which it consumed."""
    for _, result in results:
        if isinstance(result, Failure):
            log.failure("A service failed to stop", failure=result)
