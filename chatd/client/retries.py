"""The pauses between an interactive link's connection attempts: Twisted's ClientService, the failures counted here.

Kept apart from the link (``chatd.client.connection``), which decides
what each connection's end means. ClientService counts failures since
the last connection, so a server that accepts and then closes would be
retried at the first pause forever: here a session counts as a failure
too, unless it had its nickname ``WORKED_SECONDS``, and each pause is
said on screen with why the attempt before it failed.
"""

import random
from collections.abc import Callable

from twisted.application.internet import ClientService, backoffPolicy
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IProtocol, IProtocolFactory, IReactorTime, IStreamClientEndpoint
from twisted.python.failure import Failure
from zope.interface import implementer

RETRY_POLICY = backoffPolicy(initialDelay=0.5, maxDelay=60.0, factor=1.5, jitter=lambda: random.random() / 2)
"""Seconds to wait before the Nth reconnection attempt in a row: 0.75 s growing to 60 s, plus up to 0.5 s
of jitter so that the users of a restarted server do not all come back in the same instant."""

WORKED_SECONDS = 10.0
"""How long a session must have had its nickname for its end to start the pauses afresh.

Anything shorter (refused at once, banned, a failed TLS check) counts as one
more failure in a row, so a server that keeps closing is asked less and less often."""


@implementer(IStreamClientEndpoint)
class _Watched:
    """An endpoint that tells the link why an attempt failed, before ClientService schedules the next."""

    def __init__(self, endpoint: IStreamClientEndpoint, failed: Callable[[Failure], None]) -> None:
        self._endpoint = endpoint
        self._failed = failed

    def connect(self, protocolFactory: IProtocolFactory) -> "Deferred[IProtocol]":  # noqa: N803 - the interface's name
        attempt = self._endpoint.connect(protocolFactory)
        attempt.addErrback(self._note)
        return attempt

    def _note(self, failure: Failure) -> Failure:
        self._failed(failure)
        return failure


class Retries:
    """One link's attempts, as many as it takes: ``policy`` gives the pause before the Nth failure in a row, ``say``
    puts each on screen."""

    def __init__(
        self, clock: IReactorTime, policy: Callable[[int], float], say: Callable[[str], None]
    ) -> None:
        self._clock = clock
        self._policy = policy
        self._say = say
        self._service: ClientService | None = None
        self._failure: str | None = None
        """Why the last attempt failed, said with the pause before the next."""
        self._failures = 0
        """Attempts and sessions that failed in a row: the count the retry policy is given."""

    def start(
        self, endpoint: IStreamClientEndpoint, factory: IProtocolFactory, failed: Callable[[Failure], None]
    ) -> None:
        """Connect through ``endpoint``, and again after each end; ``failed`` hears why an attempt failed."""
        self._service = ClientService(
            _Watched(endpoint, failed), factory, retryPolicy=self._delay, clock=self._clock
        )
        self._service.startService()

    def failed(self, why: str) -> None:
        """An attempt failed, for ``why`` (a sentence): it is said with the pause before the next."""
        self._failure = why

    def ended(self, named_for: float | None) -> None:
        """A session ended, having had its nickname for ``named_for`` seconds (None: never): long enough, it worked,
        and the pauses start afresh."""
        if named_for is not None and named_for >= WORKED_SECONDS:
            self._failures = 0

    def stop(self) -> "Deferred[None] | None":
        """Stop connecting, closing the connection up if any: fires once it is closed; None if never started."""
        if self._service is None:
            return None
        service, self._service = self._service, None
        return service.stopService()

    def _delay(self, attempt: int) -> float:
        """ClientService's retry policy, shown to the user as it is applied; its own count, ``attempt``, is not
        used (see the module's docstring)."""
        self._failures += 1
        delay = self._policy(self._failures)
        failure, self._failure = self._failure, None
        if failure is None:
            self._say(f"Reconnecting in {delay:.1f} s.")
        else:
            self._say(f"{failure} Retrying in {delay:.1f} s.")
        return delay
