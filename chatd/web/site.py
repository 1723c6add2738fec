"""What the web port answers over HTTP: the page's files, the WebSocket at ``/ws``, and nothing else.

The page is the files in ``chatd/web/static/``, shipped in the package and
served as they are (no build step, nothing fetched from anywhere else).
Twisted's ``File`` serves them, with ``If-Modified-Since`` answered 304 and
path segments that would leave the folder (``..``, encoded slashes)
refused by ``FilePath.child``; chatd turns off its directory listings and
names the types itself rather than trusting the host's MIME table.

Every response carries the headers that keep the page's text inert and
the page itself unframed (``SecureRequest``). The WebSocket upgrade is
Twisted's (``twisted.web.websocket``); before it, ``ChatSocket`` checks the
``Origin`` a browser sends against the allow-list, so a page on another
site cannot open a socket with its visitor's cookies or network position.
"""

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

from twisted.internet.interfaces import IReactorTime
from twisted.web import http
from twisted.web.resource import IResource
from twisted.web.server import Request, Site
from twisted.web.static import File
from twisted.web.websocket import WebSocketResource
from typing_extensions import override

if TYPE_CHECKING:
    from chatd.web.connection import WebConnection
    from chatd.web.session import WebSession

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
"""The page's files, inside the installed package."""

SOCKET_PATH = b"ws"
"""The WebSocket's path under the page: ``/ws``."""

HTTP_IDLE_SECONDS = 30
"""Seconds an HTTP connection (one that is not a WebSocket) may stay idle before it is closed."""

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; font-src 'self'; manifest-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""Only the page's own files run or style it: no inline script or style, no eval, no framing."""

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


class SecureRequest(Request):
    """A request whose response carries ``SECURITY_HEADERS``, whatever answers it."""

    @override
    def process(self) -> None:
        for name, value in SECURITY_HEADERS:
            self.setHeader(name, value)
        super().process()


class ChatSocket(WebSocketResource):
    """``/ws``: the upgrade to a ``WebSession``, for pages of allowed origins only.

    A browser always sends ``Origin`` with a WebSocket request; it is
    allowed when its host (and port) is the host the request was sent to
    (the page's own origin, through a reverse proxy that keeps ``Host``
    too), or when it is one of ``origins`` exactly. A request without
    ``Origin`` comes from a program, not from a page, and is let in: the
    check protects browsers' users, not the server.
    """

    def __init__(self, origins: Iterable[str]) -> None:
        super().__init__(_Upgrades())
        self._origins = frozenset(origin.rstrip("/").lower() for origin in origins)

    @override
    def render_GET(self, request: Request) -> bytes | int:
        origin = request.getHeader(b"origin")
        if origin is not None and not self._allowed(origin.decode("latin-1").lower(), request):
            request.setResponseCode(403)
            request.setHeader(b"content-type", b"text/plain; charset=utf-8")
            return b"ERR bad-origin pages from that origin may not open this chat\r\n"
        return super().render_GET(request)

    def _allowed(self, origin: str, request: Request) -> bool:
        """Whether a page from ``origin`` may open the socket of ``request``."""
        if origin in self._origins:
            return True
        host = request.getHeader(b"host")
        return host is not None and urlsplit(origin).netloc == host.decode("latin-1").lower()


class _Upgrades:
    """The ``WebSocketServerFactory`` of ``ChatSocket``: the session made with the request's connection."""

    def buildProtocol(self, request: Request) -> "WebSession":
        """The session of the TCP connection the request came on (``WebConnection`` made it)."""
        return cast("WebConnection", request.channel.transport).session.upgrading(request.channel)


def page_site(origins: Iterable[str], reactor: IReactorTime) -> Site:
    """The web port's HTTP server: the page at ``/`` and its files, the WebSocket at ``/ws``; timed on ``reactor``."""
    root = Page(STATIC, defaultType="application/octet-stream")
    root.putChild(SOCKET_PATH, ChatSocket(origins))
    site = _QuietSite(root, requestFactory=SecureRequest, timeout=HTTP_IDLE_SECONDS, reactor=reactor)
    site.displayTracebacks = False
    return site


class _QuietSite(Site):
    """A site that logs no requests: connections are logged as admitted, at a bounded rate.

    A line per request would let a client that asks again and again fill the disk (issue 12).
    """

    noisy = False

    @override
    def log(self, request: http.Request) -> None:
        """Log nothing."""
