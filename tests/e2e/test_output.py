"""Output over real loopback TCP: straight to the socket while the client keeps up, in order when it does not."""

import re

from twisted.internet import reactor
from twisted.internet.abstract import FileDescriptor
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase

from chatd.frontend.transport_output import SocketOutput, output_for
from chatd.line.factory import LineFactory
from chatd.line.limits import LineLimits
from chatd.line.protocol import LineProtocol
from tests.e2e.loopback import Reader, serve_one

NUMBERED = re.compile(rb"^line (\d+) x+\r$", re.MULTILINE)
PAD = b"x" * 200
"""Makes each numbered line about 210 bytes, so a few hundred fill the kernel's buffers."""


def watched_for_writing(server: LineProtocol) -> bool:
    """Whether the reactor waits for ``server``'s socket to take more: Twisted holds output for it."""
    transport: object = server.transport
    return any(writer is transport for writer in reactor.getWriters())


class SocketOutputTests(TestCase):
    async def connected(self, limits: LineLimits) -> tuple[LineFactory, LineProtocol, Reader]:
        """A line front end on 127.0.0.1, one client named ``alice`` on it, and its server side."""
        client = Reader()
        factory = await serve_one(self, limits, client)
        self.addCleanup(self.closed, client)
        assert client.transport is not None
        client.transport.write(b"alice\n")
        await client.seen(b"*** In #lobby (1): @alice\r\n")
        [server] = factory.connections
        return factory, server, client

    async def closed(self, client: Reader) -> None:
        if not client.lost.called:
            assert client.transport is not None
            client.transport.loseConnection()
        await client.lost

    def numbered(self, server: LineProtocol, first: int, count: int) -> None:
        for n in range(first, first + count):
            server.write(b"line %d %s\r\n" % (n, PAD))

    async def test_client_that_keeps_up_is_written_straight_to_its_socket(self) -> None:
        """A pass's lines leave in one send; the reactor never watches the socket for writing."""
        factory, server, client = await self.connected(LineLimits())
        self.assertIsInstance(server.sink, SocketOutput)
        self.numbered(server, 0, 20)
        factory.outbox.send()
        self.assertFalse(watched_for_writing(server))
        await client.seen(b"line 19 ")
        self.assertEqual([int(n) for n in NUMBERED.findall(bytes(client.received))], list(range(20)))

    async def test_client_that_falls_behind_gets_every_line_in_order(self) -> None:
        """What the kernel does not take waits in Twisted, and later lines queue behind it, not past it."""
        factory, server, client = await self.connected(LineLimits(sendq=4 * 1024 * 1024))
        client.reading(False)
        sent = 0
        while not watched_for_writing(server):
            self.numbered(server, sent, 100)
            sent += 100
            factory.outbox.send()
            # Let the kernel move what it took; the client still reads nothing.
            await deferLater(reactor, 0.01)
        self.numbered(server, sent, 100)
        sent += 100
        factory.outbox.send()
        client.reading(True)
        await client.seen(b"line %d " % (sent - 1))
        # Caught up: the next pass goes straight to the socket again.
        self.assertFalse(watched_for_writing(server))
        self.numbered(server, sent, 10)
        factory.outbox.send()
        self.assertFalse(watched_for_writing(server))
        await client.seen(b"line %d " % (sent + 9))
        numbers = [int(n) for n in NUMBERED.findall(bytes(client.received))]
        self.assertEqual(numbers, list(range(sent + 10)))

    async def test_client_that_never_reads_is_cut_off_past_the_send_queue(self) -> None:
        """Past the kernel's buffers, 64 KiB in Twisted and --sendq more, the connection is aborted."""
        factory, server, client = await self.connected(LineLimits(sendq=16384))
        client.reading(False)
        sent = 0
        while not server.closing:
            self.numbered(server, sent, 50)
            sent += 50
            factory.outbox.send()
            await deferLater(reactor, 0.01)
            self.assertLess(sent, 20000, "never cut off")
        # Reading again, the client finds the connection reset.
        client.reading(True)
        await client.lost
        self.assertEqual(server._quit_reason, "send queue exceeded")

    async def test_output_behind_another_writer_does_not_overtake_it(self) -> None:
        """Bytes Twisted holds from another writer (an upgrade's answer) leave first; then sends go straight out."""
        factory, server, client = await self.connected(LineLimits())
        transport = server.transport
        assert isinstance(transport, FileDescriptor)
        transport.unregisterProducer()
        # Twisted holds this until the reactor next writes: a send straight to the socket would pass it.
        transport.write(b"answer\r\n")
        output = output_for(transport, factory.outbox, 65536, lambda: None, behind=True)
        output.write(b"first frame\r\n")
        factory.outbox.send()
        await client.seen(b"first frame\r\n")
        self.assertEqual(
            bytes(client.received).split(b"*** In #lobby (1): @alice\r\n")[-1], b"answer\r\nfirst frame\r\n"
        )
        output.write(b"second frame\r\n")
        factory.outbox.send()
        self.assertFalse(watched_for_writing(server))
        await client.seen(b"second frame\r\n")
