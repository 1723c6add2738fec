"""A chat connection's deadlines and output, the same on the line and IRC ports (and their WebSocket sessions).

Each connection has one timer (Twisted's ``TimeoutMixin``): on TLS first
its handshake's, then the time it has to register (a nickname, or IRC's
NICK and USER), and once it is closing the grace its last words have to
be written in. A connection that never finished its handshake cannot be
told anything, nor can one whose last words are late: both are dropped.
Its output is the fastest its transport allows, bounded by the send
queue, and a client that stops reading is cut off.

Only what each says is its own: how a registration that ran out of time is
told (``registration_timed_out``) and the quit reason of an outgrown send
queue (``SENDQ_EXCEEDED``).
"""

from collections.abc import Callable
from typing import Protocol, cast

from twisted.internet.interfaces import IConsumer, IDelayedCall, IReactorTime, ITCPTransport, ITransport
from twisted.logger import Logger
from twisted.protocols.policies import TimeoutMixin
from twisted.protocols.tls import TLSMemoryBIOProtocol
from typing_extensions import override

from chatd.frontend.admission import Admission
from chatd.frontend.connections import GOODBYE_GRACE_SECONDS
from chatd.frontend.outbox import Outbox
from chatd.frontend.sinks import Sink
from chatd.frontend.sockets import Tuning
from chatd.frontend.transport_output import output_for


class DeadlineLimits(Protocol):
    """The limits a connection's deadlines and output read."""

    @property
    def handshake_timeout(self) -> float: ...
    @property
    def register_timeout(self) -> float: ...
    @property
    def sendq(self) -> int: ...


class DeadlineFactory(Protocol):
    """What a connection's deadlines and output need of the factory that made it."""

    @property
    def reactor(self) -> IReactorTime: ...
    @property
    def limits(self) -> DeadlineLimits: ...
    @property
    def tuning(self) -> Tuning: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def admission(self) -> Admission: ...


class Deadlines(TimeoutMixin):
    """A connection's timer, from its handshake to its registration, and its output bounded by the send queue.

    A mix-in of the line and IRC protocols: they list TimeoutMixin's
    attributes and ``_handshaking`` in their own slots.
    """

    __slots__ = ()

    SENDQ_EXCEEDED = "send queue exceeded"
    """The quit reason of a client that stopped reading until its output outgrew the send queue."""

    factory: DeadlineFactory
    sink: Sink
    transport: ITransport | None
    log: Logger
    peer: str
    _handshaking: bool
    _quit_reason: str

    @override
    def callLater(self, period: float, func: Callable[..., object], *args: object) -> IDelayedCall:
        """TimeoutMixin's timer, on the factory's (injectable) reactor."""
        return self.factory.reactor.callLater(period, func, *args)

    def opened(self, transport: ITransport) -> None:
        """The connection is made: its output, its listener's settings, and its first deadline (on TLS, the
        handshake's, as nothing can be said before it is done; else registration's)."""
        self.sink = self.make_output(transport)
        self.tune(transport)
        limits = self.factory.limits
        self._handshaking = isinstance(transport, TLSMemoryBIOProtocol)
        self.setTimeout(limits.handshake_timeout if self._handshaking else limits.register_timeout)

    def tune(self, transport: ITransport) -> None:
        """Its listener's settings on the connection, copied at accept; made here only where they could not be."""
        self.factory.tuning.accepted(transport)

    def make_output(self, transport: ITransport) -> Sink:
        """Where this connection's output goes: the fastest ``Output`` its transport allows."""
        return output_for(
            transport, self.factory.outbox, self.factory.limits.sendq, self._send_queue_exceeded
        )

    def handshakeCompleted(self) -> None:  # noqa: N802 - IHandshakeListener's name
        """The TLS handshake is done: the connection now has its time to register."""
        self._handshaking = False
        if not self.sink.closing:
            self.setTimeout(self.factory.limits.register_timeout)

    @override
    def timeoutConnection(self) -> None:
        if self.sink.closing or self._handshaking:
            # A goodbye not written in time, or a TLS connection that never
            # finished its handshake (nothing can be said to it): drop it.
            self.sink.drop()
            cast(ITCPTransport, self.transport).abortConnection()
            return
        self.registration_timed_out()

    def registration_timed_out(self) -> None:
        """The connection did not register in time: say so, as its protocol does, and close."""
        raise NotImplementedError

    def close_when_written(self) -> None:
        """The last words are said: close once they are written, or drop the connection after
        ``GOODBYE_GRACE_SECONDS`` (``timeoutConnection``): a client that does not read, or a TLS peer that does not
        answer the close, cannot hold it open."""
        self.sink.close(self._hang_up)
        if self.transport is not None:
            self.setTimeout(GOODBYE_GRACE_SECONDS)

    def _hang_up(self) -> None:
        """The last words are with the transport: close the connection once they are written."""
        if self.transport is not None:
            # A producer would keep a closing TCP transport open.
            cast(IConsumer, self.transport).unregisterProducer()
            self.transport.loseConnection()

    def _send_queue_exceeded(self) -> None:
        """The client stopped reading and its output outgrew the send queue (which dropped it): abort."""
        self.factory.admission.bounded.warn(
            self.log, "Disconnecting {peer}: send queue exceeded", peer=self.peer
        )
        self._quit_reason = self.SENDQ_EXCEEDED
        cast(ITCPTransport, self.transport).abortConnection()
