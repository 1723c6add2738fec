"""What the web port answers over HTTP: the page's files, the WebSocket at ``/ws``, file links at ``/files``, nothing else.

The page is the files in ``chatd/web/static/``, shipped in the package and
served as they are (no build step, nothing fetched from anywhere else).
Twisted's ``File`` serves them, with ``If-Modified-Since`` answered 304 and
path segments that would leave the folder (``..``, encoded slashes)
refused by ``FilePath.child``; chatd turns off its directory listings and
names the types itself rather than trusting the host's MIME table.

Every response carries the headers that keep the page's text inert and
the page itself unframed (``SecureRequest``). The WebSocket at ``/ws`` is
chatd.frontend.websocket's ``ChatSocket``, which checks the ``Origin`` a
browser sends before Twisted's upgrade; which front end speaks over it is
the web port's factory's business (``chatd.line.web_factory``).
"""

import os
from collections.abc import Iterable
from typing import IO, cast

from twisted.internet.defer import Deferred, maybeDeferred
from twisted.internet.interfaces import IReactorTime
from twisted.logger import (
    FilteringLogObserver,
    ILogFilterPredicate,
    LogEvent,
    Logger,
    LogLevel,
    PredicateResult,
    globalLogPublisher,
)
from twisted.web import http
from twisted.web.http import HTTPChannel
from twisted.web.resource import IResource
from twisted.web.server import Request, Site
from twisted.web.static import File
from typing_extensions import override
from zope.interface import implementer

from chatd.frontend.websocket import ChatSocket, WebConnection
from chatd.web.files import FILES_PATH, FileLinks
from chatd.web.ranges import ignore_unless_one_range
from chatd.web.threaded_file import RangeProducer, chosen_span

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
"""The page's files, inside the installed package."""

PAGE_REQUESTS = sum(len(names) for _, _, names in os.walk(STATIC)) + 1
"""The most requests a page load makes: each of the page's files, and the WebSocket's upgrade (the licence
among them: an upper bound).

A browser may make them all on one connection, whose flood budget holds as
many while it is HTTP (chatd.line.web_factory's ``page_requests``), so that
no page load is ever slowed, however it spreads its requests."""

SOCKET_PATH = b"ws"
"""The WebSocket's path under the page: ``/ws``."""

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; font-src 'self'; manifest-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""Only the page's own files run or style it: no inline script or style, no eval, no framing.

``'wasm-unsafe-eval'`` lets the page compile WebAssembly, and nothing else
(JavaScript's eval and ``new Function`` stay refused): libsodium, which
seals and opens the page's encrypted private messages (issue 17), is C
compiled to WebAssembly and embedded in vendor/libsodium.js."""

SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-cache"),
)
"""Sent with every response. ``no-cache`` has a browser ask again each time (answered 304 while
the file is unchanged), so a daemon upgraded in place never runs a stale page against a new server."""

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
}
"""The types of the page's files, by extension; anything else is ``application/octet-stream``."""


class Page(File):
    """The page's folder: its files by name, ``index.html`` at ``/``, no listings, no other index."""

    contentTypes = CONTENT_TYPES  # noqa: N815 - Twisted's name
    indexNames = ["index.html"]  # noqa: N815, RUF012 - Twisted's name and type

    @override
    def directoryListing(self) -> IResource:
        """A folder without an index is not found: its names are nobody's business."""
        return cast(IResource, self.childNotFound)

    @override
    def getChild(self, path: bytes, request: Request) -> IResource:
        """The file or folder ``path`` names, or not found.

        A name holding a NUL (``/index.html%00.js``) is no file's: ``File``
        would ask the file system, which refuses it with a ValueError, a 500
        and a critical traceback in the log for each such request. Nor is
        a name that is not UTF-8 (``/%ff``), which ``File`` answers 404 too,
        but after logging it as a failure, a traceback for each request.
        """
        if b"\0" in path or not _utf8(path):
            return cast(IResource, self.childNotFound)
        return cast(IResource, super().getChild(path, request))

    @override
    def render_GET(self, request: Request) -> bytes | int:
        """``File``'s answer, but to several ranges, or a ``Range`` it cannot read, the whole file (chatd.web.ranges)."""
        ignore_unless_one_range(self, request)
        return cast(bytes | int, super().render_GET(request))

    @override
    def makeProducer(self, request: Request, fileForReading: IO[bytes]) -> RangeProducer:
        """``File``'s answer (it sets the code and headers, and chooses the bytes), sent by a push producer.

        ``File``'s own are pull producers, which the HTTP channel drives
        through a cooperative task that counts its pauses, while the TCP
        transport pauses its producer on every write made with its buffer
        full and resumes it once: a client that pipelined requests had an
        answer started behind a full buffer (two writes, the headers and the
        first bytes: two pauses, one resume) wait for ever, its socket empty.
        ``RangeProducer`` is paused or not, however many times it is told.
        """
        offset, size = chosen_span(super().makeProducer(request, fileForReading), self.getFileSize())
        return RangeProducer(request, fileForReading, offset, size, _read_here)


def _read_here(file: IO[bytes], offset: int, length: int) -> "Deferred[bytes]":
    """Up to ``length`` bytes of the page's ``file`` from ``offset``, read on the reactor thread as ``File`` reads them:
    the page's files are small and read again and again, so the host's cache holds them."""
    return maybeDeferred(os.pread, file.fileno(), length, offset)


def _utf8(name: bytes) -> bool:
    """Whether ``name``, a path segment as the request gave it (percent-decoded), is UTF-8."""
    try:
        name.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class SecureRequest(Request):
    """A request whose response carries ``SECURITY_HEADERS``, whatever answers it, answered in its flood budget's time.

    Every request costs its connection a line of flood budget, as a line
    does on the line port (chatd.frontend.socket_session's ``request_arrived``):
    an attack trial's 20 keep-alive connections pipelining requests, paying
    only for their bytes, got 950 answers a second and held other users back.
    """

    @override
    def process(self) -> None:
        for name, value in SECURITY_HEADERS:
            self.setHeader(name, value)
        # The web port's connections are all WebConnections (chatd.line.web_factory builds them).
        cast(WebConnection, self.channel.transport).session.request_arrived(super().process)


def page_site(
    origins: Iterable[str], reactor: IReactorTime, links: FileLinks | None = None, *, idle: float
) -> Site:
    """The web port's HTTP server: the page at ``/`` and its files, the WebSocket at ``/ws``, the file
    links at ``/files`` (chatd.web.files) if ``links``; timed on ``reactor``, a connection that is not a
    WebSocket closed once idle ``idle`` seconds (``--http-timeout``)."""
    root = Page(STATIC, defaultType="application/octet-stream")
    root.putChild(SOCKET_PATH, ChatSocket(origins))
    if links is not None:
        root.putChild(FILES_PATH, links.resource())
    site = _QuietSite(root, requestFactory=SecureRequest, timeout=idle, reactor=reactor)
    site.displayTracebacks = False
    return site


@implementer(ILogFilterPredicate)
class _NotARoutineTimeout:
    """Leaves out twisted.web's line for an idle connection it closes, and only that."""

    def __call__(self, event: LogEvent) -> object:
        routine = event.get("log_format") == IDLE_CLOSED and event.get("log_level") == LogLevel.info
        return PredicateResult.no if routine else PredicateResult.maybe


IDLE_CLOSED = "Timing out client: {peer}"
"""What ``HTTPChannel.timeoutConnection`` logs, at info, for every connection idle ``--http-timeout`` seconds."""


class _QuietChannel(HTTPChannel):
    """An HTTP connection that closes when idle without a log line saying so.

    A browser keeps the page's connection open after loading it, so every
    visit ended in twisted.web's "Timing out client" line ``--http-timeout``
    seconds later; on the host's console (``--console``) they came between
    the chat's lines. The line is logged through the channel's ``Logger``,
    so this one's goes through a filter that drops it and lets everything
    else (a failure, the forced close of a client that never lets go)
    through to the log.
    """

    _log = Logger(observer=FilteringLogObserver(globalLogPublisher, [_NotARoutineTimeout()]))

    @override
    def lineLengthExceeded(self, line: bytes) -> None:
        """A request or header line over ``MAX_LENGTH`` (16 KiB) is a 400, as headers over 16 KiB in all are.

        ``LineReceiver``'s own answer is to drop the connection without a
        word, so a browser or program sending one long cookie read nothing.
        """
        self._respondToBadRequestAndDisconnect()


class _QuietSite(Site):
    """A site that logs no requests: connections are logged as admitted, at a bounded rate.

    A line per request would let a client that asks again and again fill the disk (issue 12).
    Its connections are ``_QuietChannel``s: no HTTP/2 (which needs TLS and the h2 package, neither of
    which the web port has) to hand them to, so no wrapper that would choose.
    """

    noisy = False
    protocol = _QuietChannel  # type: ignore[assignment]  # Twisted types it as its HTTP/2-choosing wrapper

    @override
    def log(self, request: http.Request) -> None:
        """Log nothing."""
