"""The two ways an ``Output`` hands a pass's bytes to its connection, and ``output_for``, which picks one.

On a plain TCP connection (``SocketOutput``) that send goes straight to the
socket while Twisted holds nothing for the connection, so a client that
keeps up costs one ``send`` and no ``epoll`` work at all; only what the
kernel does not take waits in Twisted's buffer, in order, until the kernel
takes it. Other transports (TLS, the tests' ``StringTransport``) get the
gathered bytes as one ``write`` (``BufferedOutput``).

On its own because this is where each knows its transport, and where a
client too far behind is found: what is gathered and when it is sent is
the same for both (chatd.frontend.output).
"""

import socket
from collections.abc import Callable
from typing import cast

from twisted.internet.abstract import FileDescriptor
from twisted.internet.interfaces import (
    IConsumer,
    IPullProducer,
    IPushProducer,
    ISystemHandle,
    ITCPTransport,
    ITransport,
)
from typing_extensions import override
from zope.interface import implementer

from chatd.frontend.outbox import Outbox
from chatd.frontend.output import Output

TRANSPORT_BUFFER = FileDescriptor.bufferSize
"""Bytes Twisted buffers for a connection before it reports the client as behind (64 KiB)."""


@implementer(IPushProducer)
class BufferedOutput(Output):
    """Sends through ``transport.write``; Twisted says when the client falls behind.

    Registered as a streaming producer, so the transport calls
    ``pauseProducing`` once its buffer is full and ``resumeProducing``
    once it has drained.
    """

    __slots__ = ("_backlog",)

    def __init__(
        self, transport: ITransport, outbox: Outbox, sendq: int, overflow: Callable[[], None]
    ) -> None:
        super().__init__(transport, outbox, sendq, overflow)
        self._backlog: int | None = None
        """Bytes written since the transport said its buffer is full; None while it is not."""
        cast(IConsumer, transport).registerProducer(self, True)

    @override
    def _send(self, data: bytes) -> None:
        if self._backlog is not None:
            self._backlog += len(data)
            if self._backlog > self._sendq:
                self._cut_off()
                return
        self._transport.write(data)

    @override
    def _behind(self) -> bool:
        return self._backlog is not None

    def pauseProducing(self) -> None:
        """The transport's buffer is full: the client is not keeping up with its output."""
        if self._backlog is None:
            self._backlog = 0

    def resumeProducing(self) -> None:
        """The client has caught up."""
        self._backlog = None
        self._caught_up()

    def stopProducing(self) -> None:
        """The connection is going; the protocol hears of it in connectionLost."""


@implementer(IPullProducer)
class SocketOutput(Output):
    """Sends straight to a TCP socket while Twisted's buffer for it is empty.

    Registered as a pull producer, so Twisted calls ``resumeProducing``
    each time it has written out everything it held: from then on bytes may
    skip its buffer again without overtaking any.

    The send is the socket's own ``send``, not the transport's
    ``writeSomeData``, which wraps the same call in a memoryview slice and an
    EINTR retry loop (Python retries by itself since 3.5): a tenth of the
    daemon's time when most sends carry one line (issue 7's profile at 75k
    deliveries/s). What the call does not take, on an error too, goes to
    Twisted's own write path, which meets any error again and closes the
    connection the usual way.
    """

    __slots__ = ("_held", "_socket")

    def __init__(
        self,
        transport: FileDescriptor,
        sock: socket.socket,
        outbox: Outbox,
        sendq: int,
        overflow: Callable[[], None],
    ) -> None:
        super().__init__(transport, outbox, sendq, overflow)
        self._socket = sock
        self._held = 0
        """Bytes handed to Twisted's buffer since it last said it was empty."""
        transport.registerProducer(self, False)

    @override
    def _send(self, data: bytes) -> None:
        if not self._held:
            try:
                sent = self._socket.send(data)
            except OSError:
                sent = 0
            if sent == len(data):
                return
            data = data[sent:]
        self._held += len(data)
        if self._held > TRANSPORT_BUFFER + self._sendq:
            self._cut_off()
            return
        self._transport.write(data)

    @override
    def _behind(self) -> bool:
        return self._held > 0

    def resumeProducing(self) -> None:
        """Twisted has sent everything it held: the client is keeping up."""
        self._held = 0
        self._caught_up()

    def wait_for_transport(self) -> None:
        """Send through Twisted's buffer until it next says it is empty: it may hold another writer's bytes."""
        self._held = max(self._held, 1)

    def stopProducing(self) -> None:
        """The connection is going; the protocol hears of it in connectionLost."""


def output_for(
    transport: ITransport, outbox: Outbox, sendq: int, overflow: Callable[[], None], behind: bool = False
) -> Output:
    """The fastest ``Output`` ``transport`` allows, registered with it as its producer.

    ``behind``: something else has written to ``transport`` already (the
    answer to a WebSocket upgrade), which may still wait in Twisted's
    buffer: a ``SocketOutput`` then sends through Twisted until it has sent
    all it holds, so as not to overtake it.
    """
    if isinstance(transport, FileDescriptor) and ITCPTransport.providedBy(transport):
        handle = ISystemHandle(transport).getHandle()
        if isinstance(handle, socket.socket):
            output = SocketOutput(transport, handle, outbox, sendq, overflow)
            if behind:
                output.wait_for_transport()
            return output
    return BufferedOutput(transport, outbox, sendq, overflow)
