"""``GET /files/TOKEN`` over loopback TCP in the test's own reactor: the file is read on the spool's thread (issue 16).

The site is the web port's (``page_site`` with ``FileLinks``), its link to
a transfer kept from before (offered by alice to bob, its bytes checked in
the spool), the spool on a real one-thread pool as in the daemon. The pool
tells the test what it did (``WatchedPool``) and can hold a read at its
gate, to catch the server with one under way.
"""

import base64
import fcntl
import hashlib
import json
import os
import struct
import termios
import threading
import time
from collections.abc import Callable
from typing import cast

from twisted.internet import reactor
from twisted.internet.abstract import FileDescriptor
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint, connectProtocol
from twisted.internet.interfaces import IReactorFromThreads, ITCPTransport
from twisted.internet.task import deferLater
from twisted.internet.tcp import Server
from twisted.internet.testing import EventLoggingObserver
from twisted.internet.threads import deferToThreadPool
from twisted.logger import formatEvent, globalLogPublisher
from twisted.python.threadpool import ThreadPool
from twisted.trial.unittest import TestCase
from twisted.web.static import StaticProducer
from typing_extensions import override

from chatd.bus.memory import MemoryBus
from chatd.domain.chat import Chat
from chatd.domain.events import Actor
from chatd.domain.files import FileLimits, FileTarget, KeptTransfer, OfferedFile, content_key
from chatd.frontend.transfer_parts import NotKept
from chatd.frontend.transfers import DEFAULT_FILE_LIMITS, Transfers
from chatd.frontend.wiring import Wiring
from chatd.line.factory import LineFactory
from chatd.line.limits import LineLimits
from chatd.line.render import text_line
from chatd.line.web_factory import WebFactory
from chatd.storage.memory import MemoryHistory
from chatd.storage.memory_accounts import MemoryAccounts
from chatd.storage.memory_rooms import MemoryRooms
from chatd.storage.spool import Spool
from chatd.web.files import FileLinks
from chatd.web.site import page_site
from tests.e2e.loopback import Reader
from tests.helpers import new_folder
from tests.test_sqlite import open_under
from tests.test_web_site import response

CONTENT = os.urandom(5 * StaticProducer.bufferSize + 77)
"""Five of the chunks Twisted's producers read, and a part."""

FILE_ID = "00000000000000f1"
BOB = "nick:bob@127.0.0.3"
"""bob's key as a recipient (``chatd.domain.people.person_key``): his nickname, from his address."""

LOST_TO_ALICE = {"type": "file_expired", "file": FILE_ID, "reason": "the server lost its bytes"}
"""What the sender reads of a file let go when its bytes are found gone."""

TOO_MANY = b"ERR file-too-many you have 1 transfer going, the most at once; wait for one to end\r\n"
"""A link's answer past ``--file-transfers 1``: the line ``/file accept`` would be sent."""


class WatchedPool:
    """The spool's one thread, as the daemon has it, telling the test what ran on it.

    ``threads`` are the threads each piece of work ran on; ``read`` the
    bytes the reads returned; ``out`` the pieces whose answer has not
    reached the reactor yet. While ``gate`` is clear, work waits at it.
    """

    def __init__(self, case: TestCase) -> None:
        self.pool = ThreadPool(1, 1, "test-spool")
        self.threads: list[threading.Thread] = []
        self.read = 0
        self.out = 0
        self.gate = threading.Event()
        self.gate.set()
        self.pool.start()
        case.addCleanup(self.pool.stop)
        case.addCleanup(self.gate.set)  # cleanups run last first: a held read goes, then the pool stops

    def run(self, work: Callable[[], object]) -> "Deferred[object]":
        """The spool's ``run``: ``work`` on the pool's thread, its answer on the reactor's."""
        self.out += 1

        def watched() -> object:
            self.threads.append(threading.current_thread())
            self.gate.wait(10)
            return work()

        def answered(result: object) -> object:
            self.out -= 1
            if isinstance(result, bytes):
                self.read += len(result)
            return result

        return deferToThreadPool(cast(IReactorFromThreads, reactor), self.pool, watched).addBoth(answered)


class _Kept(NotKept):
    """A transfer store that kept ``records`` from before (and keeps nothing more)."""

    def __init__(self, *records: KeptTransfer) -> None:
        self._records = records

    @override
    def kept(self) -> list[KeptTransfer]:
        return list(self._records)


def request(path: str, *headers: str, method: str = "GET") -> bytes:
    """A GET (or ``method``) of ``path`` after which the server closes the connection, as bytes."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *headers, "", ""]
    # Latin-1, as HTTP reads a header's bytes: "\xff" in a header is the byte 0xff.
    return "\r\n".join(lines).encode("latin-1")


def server_side(client: Reader) -> Server:
    """The server's end of ``client``'s connection, as the reactor watches it."""
    assert client.transport is not None
    address = client.transport.getHost()
    assert isinstance(address, IPv4Address)
    [server] = [
        selectable
        for selectable in {*reactor.getReaders(), *reactor.getWriters()}
        if isinstance(selectable, Server) and selectable.getPeer().port == address.port
    ]
    return server


def abort(client: Reader) -> None:
    """Drop ``client``'s connection at once, as a client that goes away does (a reset, no goodbye)."""
    transport = client.transport
    assert ITCPTransport.providedBy(transport)
    transport.abortConnection()


def queued(transport: object, queue: int) -> int:
    """The bytes the kernel holds in a socket's ``queue``: ``FIONREAD`` received and unread, ``TIOCOUTQ`` not yet acknowledged by the peer."""
    assert isinstance(transport, FileDescriptor)
    answer = fcntl.ioctl(transport.fileno(), queue, struct.pack("i", 0))
    held: int = struct.unpack("i", answer)[0]
    return held


class FileLinkReadTests(TestCase):
    async def serve(
        self, content: bytes, limits: FileLimits = DEFAULT_FILE_LIMITS, also: tuple[KeptTransfer, ...] = ()
    ) -> str:
        """A link's path for bob to ``content``, on a web port listening on 127.0.0.1, the file in a new spool; the
        engine within ``limits``, open again with the transfers ``also`` kept from before."""
        sha = hashlib.sha256(content).hexdigest()
        self.folder = new_folder(self)
        self.file = os.path.join(self.folder, content_key(sha, len(content)))
        with open(self.file, "wb") as file:
            file.write(content)
        self.pool = WatchedPool(self)
        record = KeptTransfer(
            OfferedFile(FILE_ID, "notes.bin", len(content), "application/pdf", sha),
            Actor("alice", "127.0.0.2", None),
            "address:127.0.0.2",
            "nick:alice@127.0.0.2",
            FileTarget("bob"),
            0.0,
            1.0,
            (BOB,),
        )
        bus = MemoryBus()
        chat = Chat(reactor, MemoryHistory(), bus, accounts=MemoryAccounts(), rooms=MemoryRooms())
        spool = Spool(self.folder, run=self.pool.run)
        self.addCleanup(spool.release)
        transfers = Transfers(chat, spool, reactor, limits, store=_Kept(record, *also), bus=bus)
        self.chat, self.transfers = chat, transfers
        links = FileLinks(transfers, reactor, text_line)
        transfer = transfers.transfer(FILE_ID)
        assert transfer is not None
        # The web port's own factory: its requests are paid for as the daemon's are.
        web = WebFactory(
            Wiring.alone(chat, reactor, "t", files=transfers),
            site=page_site((), reactor, links, idle=LineLimits().http_timeout),
        )
        port = await TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(web)
        self.addCleanup(port.stopListening)
        address = port.getHost()
        assert isinstance(address, IPv4Address)
        self.port = address.port
        return links.make(transfer, BOB, "bob")

    async def connect(self) -> Reader:
        """A new client connection to the web port."""
        client = Reader()
        await connectProtocol(TCP4ClientEndpoint(reactor, "127.0.0.1", self.port), client)
        self.addCleanup(self.closed, client)
        return client

    async def closed(self, client: Reader) -> None:
        if not client.lost.called:
            abort(client)
        await client.lost

    async def get(self, path: str, *headers: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        """The status, headers and body of a GET (or ``method``) of ``path`` on a new connection."""
        client = await self.connect()
        assert client.transport is not None
        client.transport.write(request(path, *headers, method=method))
        await client.lost
        return response(bytes(client.received))

    async def held_read(self) -> tuple[str, Reader]:
        """A download of ``CONTENT`` asked for, its first read held at the pool's gate: the link, and its client."""
        path = await self.serve(CONTENT)
        self.pool.gate.clear()
        client = await self.connect()
        assert client.transport is not None
        client.transport.write(request(path))
        await self.until(lambda: self.pool.out == 1, "a read is out")
        return path, client

    async def line_user(self, nick: str, source: str) -> Reader:
        """``nick`` on a line port of the same chat and transfers, connected from ``source``, speaking JSON."""
        factory = LineFactory(Wiring.alone(self.chat, reactor, "t", files=self.transfers))
        port = await TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(factory)
        self.addCleanup(port.stopListening)
        address = port.getHost()
        assert isinstance(address, IPv4Address)
        client = Reader()
        endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", address.port, bindAddress=(source, 0))
        await connectProtocol(endpoint, client)
        self.addCleanup(self.closed, client)
        # First: the daemon's goodbye, which leaves no call of the factory's waiting (another's leaving told).
        self.addCleanup(factory.shutdown)
        assert client.transport is not None
        client.transport.write(f"{nick}\n/format json\n".encode())
        await self.until(lambda: b"\r\n{" in client.received, f"{nick} speaks JSON")
        return client

    async def answer(self, client: Reader, line: str, kind: str) -> dict[str, object]:
        """The first JSON object of type ``kind`` or ``error`` ``client`` is sent after it sends ``line``."""
        assert client.transport is not None
        client.received.clear()
        client.transport.write(f"{line}\n".encode())
        found: list[dict[str, object]] = []

        def answered() -> bool:
            lines = bytes(client.received).split(b"\r\n")[:-1]
            found[:] = [item for item in map(json.loads, lines) if item["type"] in (kind, "error")]
            return bool(found)

        await self.until(answered, f"an answer to {line}")
        return found[0]

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        """Wait a reactor turn at a time, 10 s at most, for ``condition``."""
        deadline = reactor.seconds() + 10
        while not condition():
            if reactor.seconds() > deadline:
                self.fail(f"not within 10 s: {what}")
            await deferLater(reactor, 0.01)

    async def test_a_download_is_read_on_the_spools_thread_and_spends_the_link(self) -> None:
        """Every byte of the 200 was read on the spool's thread, none on the reactor's; the link is then spent."""
        path = await self.serve(CONTENT)
        status, headers, body = await self.get(path)
        self.assertEqual((status, body), (200, CONTENT))
        self.assertEqual(headers["content-length"], str(len(CONTENT)))
        self.assertEqual(headers["content-disposition"], "attachment; filename*=UTF-8''notes.bin")
        self.assertEqual(self.pool.read, len(CONTENT))
        self.assertNotIn(threading.current_thread(), self.pool.threads)
        self.assertEqual(len(set(self.pool.threads)), 1)
        self.assertEqual((await self.get(path))[0], 404)

    async def test_a_head_answers_a_gets_headers_with_no_body_and_leaves_the_link_good(self) -> None:
        """HEAD gives the headers a GET would (the attachment's name, no-store), no body, and reads nothing, so
        spends nothing of the recipient's --file-rate budget; with a range too, which it ignores (RFC 9110 defines
        ranges for GET alone). The link is still good for its one download, and a HEAD once that is done is 404
        as a GET is.

        Twisted's ``File.render_HEAD`` is ``File.render_GET`` itself, which
        skipped ours: a HEAD had no Content-Disposition and no Cache-Control.
        """
        path = await self.serve(CONTENT)
        for asked in ((), ("Range: bytes=100-199",)):
            status, headers, body = await self.get(path, *asked, method="HEAD")
            self.assertEqual((status, headers["content-length"], body), (200, str(len(CONTENT)), b""), asked)
            self.assertEqual(headers["content-disposition"], "attachment; filename*=UTF-8''notes.bin")
            self.assertEqual(headers["cache-control"], "no-store")
            self.assertEqual(headers["content-type"], "application/octet-stream")
        self.assertEqual((self.pool.read, self.pool.threads), (0, []))
        self.assertEqual((await self.get(path))[::2], (200, CONTENT))
        self.assertEqual((await self.get(path, method="HEAD"))[0], 404)

    async def test_a_range_is_exactly_its_bytes_read_on_the_spools_thread(self) -> None:
        """One range is a 206 of its bytes, only those read, and leaves the link good while short of the end."""
        path = await self.serve(CONTENT)
        size = len(CONTENT)
        status, headers, body = await self.get(path, "Range: bytes=100-199")
        self.assertEqual(
            (status, headers["content-range"], body), (206, f"bytes 100-199/{size}", CONTENT[100:200])
        )
        self.assertEqual(self.pool.read, 100)
        self.assertNotIn(threading.current_thread(), self.pool.threads)
        self.assertEqual((await self.get(path))[0], 200)

    async def test_several_ranges_are_the_whole_file_once(self) -> None:
        """Several ranges, overlapping or not, are answered with the whole file, a 200 that spends the link.

        As a multipart 206 they never spent it, so ``bytes=0-,0-,0-,0-``
        sent the file four times a request, as often as asked for an hour.
        """
        path = await self.serve(CONTENT)
        status, headers, body = await self.get(path, "Range: bytes=0-,0-,0-,0-")
        self.assertEqual((status, headers["content-type"], body), (200, "application/octet-stream", CONTENT))
        self.assertEqual((await self.get(path, "Range: bytes=0-9,20-29"))[0], 404)

    async def test_a_range_that_cannot_be_read_is_the_whole_file_and_logs_nothing(self) -> None:
        """A ``Range`` Twisted cannot parse is ignored: the whole file, a 200 that spends the link, and no line in
        the log. Twisted logged a line for each such request, and one that is not UTF-8 was a 500 with a critical
        traceback, which left the link good for as many as were sent."""
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)
        for asked in ("\xff", "garbage"):
            path = await self.serve(CONTENT)
            status, _, body = await self.get(path, f"Range: {asked}")
            self.assertEqual((status, body), (200, CONTENT), asked)
            self.assertEqual((await self.get(path))[0], 404, asked)
        self.assertEqual([formatEvent(event) for event in logged if "Range" in formatEvent(event)], [])

    async def test_a_range_past_the_end_or_none_at_all_is_416_and_leaves_the_link_good(self) -> None:
        """A range that starts past the end, or a ``Range`` with no range in it, is a 416 with no body and reads
        nothing: the link is still good."""
        path = await self.serve(CONTENT)
        size = len(CONTENT)
        for asked in (f"bytes={size}-", "bytes="):
            status, headers, body = await self.get(path, f"Range: {asked}")
            self.assertEqual((status, headers["content-range"], body), (416, f"bytes */{size}", b""), asked)
        self.assertEqual(self.pool.read, 0)
        self.assertEqual((await self.get(path))[0], 200)

    async def test_downloads_are_sent_no_faster_than_the_recipients_file_rate(self) -> None:
        """A link's bytes are spent from its recipient's budget down (--file-rate), one budget for all their
        requests: a range short of the end and then the whole file take at least the time the budget allows
        past the second's worth it starts with. They went as fast as the client read.
        """
        rate = 128 * 1024
        path = await self.serve(CONTENT, FileLimits(rate=rate))
        half = len(CONTENT) // 2
        began = time.monotonic()
        status, _, body = await self.get(path, f"Range: bytes=0-{half - 1}")
        self.assertEqual((status, body), (206, CONTENT[:half]))
        status, _, body = await self.get(path)
        self.assertEqual((status, body), (200, CONTENT))
        # No read starts while the budget is in debt, the second response's first included, and each response
        # leaves only its last chunk unpaid for: so this is a floor, whatever the machine's load.
        floor = (half + len(CONTENT) - rate - StaticProducer.bufferSize) / rate
        self.assertGreaterEqual(time.monotonic() - began, floor * 0.95)

    async def test_a_client_that_closes_once_it_has_every_byte_has_spent_the_link(self) -> None:
        """Sent at the budget's pace, the response ends as its last chunk is written, not once the debt that chunk
        left is paid: a client that closes on its last byte (curl does) had the whole file, and the link is spent.
        It stayed good for its hour while the response waited out that debt."""
        chunk = StaticProducer.bufferSize
        content = os.urandom(4 * chunk)
        path = await self.serve(content, FileLimits(rate=2 * chunk))
        client = await self.connect()
        assert client.transport is not None
        client.transport.write(request(path))
        await self.until(lambda: client.received.endswith(content), "every byte came")
        abort(client)
        await client.lost
        self.assertEqual((await self.get(path))[0], 404)

    async def test_a_client_gone_while_its_download_waits_for_the_budget_leaves_nothing_behind(self) -> None:
        """The client drops the connection while the response waits for the budget to refill: the wait is called
        off (trial fails a test that leaves a call pending), and the file is closed."""
        rate = StaticProducer.bufferSize
        path = await self.serve(CONTENT, FileLimits(rate=rate))
        client = await self.connect()
        assert client.transport is not None
        client.transport.write(request(path))
        # The budget's second's worth and a chunk past it went at once; the next read waits a second.
        await self.until(lambda: len(client.received) > 2 * rate, "two chunks came")
        server = server_side(client)
        abort(client)
        await self.until(lambda: bool(server.disconnected), "the server saw the connection go")
        self.assertEqual((self.pool.read, self.pool.out, open_under(self.folder)), (2 * rate, 0, []))

    async def test_ranges_past_the_end_are_416_with_no_body_and_no_file_left_open(self) -> None:
        """A range not within the file: 416 naming its size, an empty body, nothing read, no error."""
        path = await self.serve(CONTENT)
        size = len(CONTENT)
        status, headers, body = await self.get(path, f"Range: bytes={size}-")
        self.assertEqual(
            (status, headers["content-range"], headers["content-length"], body),
            (416, f"bytes */{size}", "0", b""),
        )
        self.assertEqual((self.pool.read, open_under(self.folder)), (0, []))

    async def test_a_client_that_stops_reading_is_read_no_further_than_twisteds_buffer(self) -> None:
        """While the client reads nothing, the reads stop once Twisted's buffer is full; reading again, it gets it all.

        What the server has read and neither the client nor the kernel
        holds (the socket's queues) is in the server's memory: at most
        Twisted's write buffer and the chunk that filled it.
        """
        content = os.urandom(32 * 1024 * 1024)  # far past what loopback's kernel buffers take
        path = await self.serve(content)
        client = await self.connect()
        assert client.transport is not None
        client.reading(False)
        client.transport.write(request(path))
        # A read is always out while the response goes on, but for when the transport has paused it.
        await self.until(lambda: self.pool.read > 0 and self.pool.out == 0, "the reads paused")
        in_kernel = queued(client.transport, termios.FIONREAD) + queued(server_side(client), termios.TIOCOUTQ)
        held = self.pool.read - len(client.received) - in_kernel
        self.assertLessEqual(held, FileDescriptor.bufferSize + StaticProducer.bufferSize)
        self.assertLess(self.pool.read, len(content))
        client.reading(True)
        await client.lost
        self.assertEqual(response(bytes(client.received))[2], content)
        self.assertEqual(self.pool.read, len(content))

    async def test_a_client_gone_during_a_read_leaves_no_file_open(self) -> None:
        """The client drops the connection while a read is out: once it ends the file is closed, nothing more is
        read, and no error is logged (trial fails a test that logs one)."""
        path, client = await self.held_read()
        self.assertEqual(open_under(self.folder), [self.file])
        server = server_side(client)
        abort(client)
        await self.until(lambda: bool(server.disconnected), "the server saw the connection go")
        self.pool.gate.set()
        await self.until(lambda: self.pool.out == 0, "the read came back")
        self.assertEqual((open_under(self.folder), len(self.pool.threads)), ([], 1))
        # Cut off before the end, the download did not spend the link.
        status, _, body = await self.get(path)
        self.assertEqual((status, body), (200, CONTENT))

    async def test_a_file_cut_short_under_a_download_ends_its_connection_and_the_transfer(self) -> None:
        """A read that finds the file shorter than its size closes the connection and the file, and lets the
        transfer go, its sender told as a download's read tells them: no failure is logged, and the link is 404
        from then on. The failure was logged as a bug (a traceback), and the transfer stayed offered."""
        path, client = await self.held_read()
        alice = await self.line_user("alice", "127.0.0.2")
        os.truncate(self.file, 0)
        self.pool.gate.set()
        await client.lost
        self.assertEqual((bytes(client.received), open_under(self.folder)), (b"", []))
        await self.until(lambda: b'"file_expired"' in alice.received, "alice told the file is gone")
        self.assertIn(json.dumps(LOST_TO_ALICE, separators=(",", ":")).encode(), alice.received)
        self.assertIsNone(self.transfers.transfer(FILE_ID))
        self.assertEqual((await self.get(path))[0], 404)

    async def test_a_link_to_bytes_gone_is_410_in_one_line_and_ends_the_transfer(self) -> None:
        """The file removed from --files by hand, a GET of its link is 410 with the line a text session reads of
        it, and the transfer is let go, its sender told; the link is 404 from then on. It was a 404 of HTML, the
        transfer left offered to bob, and the sender told nothing."""
        path = await self.serve(CONTENT)
        alice = await self.line_user("alice", "127.0.0.2")
        os.remove(self.file)
        status, headers, body = await self.get(path)
        self.assertEqual(
            (status, headers["content-type"], body),
            (
                410,
                "text/plain; charset=utf-8",
                f"*** {FILE_ID} expired (the server lost its bytes); the server no longer has it.\r\n".encode(),
            ),
        )
        self.assertNotIn("content-disposition", headers)
        await self.until(lambda: b'"file_expired"' in alice.received, "alice told the file is gone")
        self.assertIn(json.dumps(LOST_TO_ALICE, separators=(",", ":")).encode(), alice.received)
        self.assertIsNone(self.transfers.transfer(FILE_ID))
        self.assertEqual((await self.get(path))[0], 404)

    async def test_a_link_to_bytes_cut_short_in_the_folder_is_410_not_a_short_200(self) -> None:
        """The file cut short in --files by hand, a GET of its link is 410, not a 200 of the bytes left, which
        spent the link and told the sender bob had fetched it."""
        path = await self.serve(CONTENT)
        os.truncate(self.file, len(CONTENT) // 2)
        self.assertEqual((await self.get(path))[0], 410)
        self.assertIsNone(self.transfers.transfer(FILE_ID))
        self.assertEqual(self.pool.read, 0)

    async def test_a_second_download_at_once_past_the_recipients_transfers_is_refused(self) -> None:
        """Under ``--file-transfers 1``, a GET while another of bob's runs (held at its first read) is 429 with one
        line, the link left good; a HEAD, which sends no file, is answered. Once the first ends, a GET fetches the
        file whole. Any number of link downloads ran at once."""
        path = await self.serve(CONTENT, FileLimits(transfers=1))
        self.pool.gate.clear()
        first = await self.connect()
        assert first.transport is not None
        first.transport.write(request(path, "Range: bytes=0-99"))
        await self.until(lambda: self.pool.out == 1, "a read is out")
        status, headers, body = await self.get(path)
        self.assertEqual(
            (status, headers["content-type"], body), (429, "text/plain; charset=utf-8", TOO_MANY)
        )
        self.assertNotIn("content-disposition", headers)
        self.assertEqual((await self.get(path, method="HEAD"))[::2], (200, b""))
        self.pool.gate.set()
        await first.lost
        self.assertEqual(response(bytes(first.received))[::2], (206, CONTENT[:100]))
        self.assertEqual((await self.get(path))[::2], (200, CONTENT))

    async def test_a_link_download_and_the_line_protocols_transfers_count_together(self) -> None:
        """bob (from the address his link counts him under) may not offer a file while his link download runs
        under ``--file-transfers 1``: refused as a second download would be. Once it has ended his offer is
        taken, and while that upload is open his link is refused; withdrawn, the link fetches the file."""
        path = await self.serve(CONTENT, FileLimits(transfers=1))
        bob = await self.line_user("bob", "127.0.0.3")
        data = b"bob's notes"
        offer = f"/file offer #lobby {len(data)} {hashlib.sha256(data).hexdigest()} text/plain notes.txt"
        self.pool.gate.clear()
        downloading = await self.connect()
        assert downloading.transport is not None
        downloading.transport.write(request(path, "Range: bytes=0-99"))
        await self.until(lambda: self.pool.out == 1, "a read is out")
        refused = await self.answer(bob, offer, "file_upload")
        self.assertEqual((refused["type"], refused.get("code")), ("error", "file-too-many"))
        self.pool.gate.set()
        await downloading.lost
        upload = await self.answer(bob, offer, "file_upload")
        self.assertEqual(upload["type"], "file_upload")
        self.assertEqual((await self.get(path))[::2], (429, TOO_MANY))
        await self.answer(bob, f"/file cancel {upload['file']}", "file_cancelled")
        self.assertEqual((await self.get(path))[::2], (200, CONTENT))

    async def test_an_upload_kept_from_before_a_restart_counts_against_a_link_until_it_is_offered(
        self,
    ) -> None:
        """bob's upload, open when the daemon stopped, is one of his transfers going once it starts again: under
        ``--file-transfers 1`` his link is refused while it is, and fetches the file once he has resumed the upload
        and sent it whole, offered to carol (who keeps it open, to fetch)."""
        data = b"bob's notes"
        sha = hashlib.sha256(data).hexdigest()
        upload = KeptTransfer(
            OfferedFile("00000000000000b1", "notes.txt", len(data), "text/plain", sha),
            Actor("bob", "127.0.0.3", None),
            "address:127.0.0.3",
            BOB,
            FileTarget("#lobby", room=True),
            0.0,
            None,
            (),
        )
        path = await self.serve(CONTENT, FileLimits(transfers=1), also=(upload,))
        self.assertEqual((await self.get(path))[::2], (429, TOO_MANY))
        carol = await self.line_user("carol", "127.0.0.4")
        bob = await self.line_user("bob", "127.0.0.3")
        offer = f"/file offer #lobby {len(data)} {sha} text/plain notes.txt"
        resumed = await self.answer(bob, offer, "file_upload")
        self.assertEqual(
            (resumed["type"], resumed["file"], resumed["have"]), ("file_upload", "00000000000000b1", 0)
        )
        self.assertEqual((await self.get(path))[::2], (429, TOO_MANY))
        put = f"/file put 00000000000000b1 0 {base64.b64encode(data).decode()}"
        carol.received.clear()
        self.assertEqual((await self.answer(bob, put, "file_uploaded"))["type"], "file_uploaded")
        await self.until(lambda: b'"file_offered"' in carol.received, "carol is offered bob's notes")
        self.assertEqual((await self.get(path))[::2], (200, CONTENT))
