"""The web port over plain HTTP: the page's files with their types and headers, nothing else, within the limits."""

import os

from twisted.internet.address import IPv4Address
from twisted.internet.testing import EventLoggingObserver, StringTransport
from twisted.logger import formatEvent, globalLogPublisher

from chatd.frontend.admission import Refusal
from chatd.frontend.proxies import Proxies
from chatd.line.limits import LineLimits
from chatd.web.site import CONTENT_SECURITY_POLICY, PAGE_REQUESTS, STATIC
from tests.web import WebClient, WebTestCase


def get(
    client: WebClient, path: str, *headers: str, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    """The status, headers (lower-cased names) and body of a request for ``path`` on ``client``'s connection.

    A file's body follows its headers in the same pass (chatd.web.site's
    ``Page.makeProducer``); most tests ask with HEAD, for the headers alone.
    """
    request = (
        f"{method} {path} HTTP/1.1\r\nHost: chat.test:8080\r\n"
        + "".join(f"{h}\r\n" for h in headers)
        + "\r\n"
    )
    client.connection.dataReceived(request.encode())
    client.case.end_pass()
    data = client.wire.value()
    client.wire.clear()
    return response(data)


def response(data: bytes) -> tuple[int, dict[str, str], bytes]:
    """The status, headers (lower-cased names) and body of the HTTP response ``data``."""
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines)
    return int(status.split()[1]), {name.lower(): value for name, value in fields.items()}, body


def read_shipped(name: str) -> bytes:
    """The bytes of the page's file ``name``, as shipped."""
    with open(os.path.join(STATIC, name), "rb") as shipped:
        return shipped.read()


def shipped_files() -> list[str]:
    """The page's files, as paths under its folder with ``/`` between parts."""
    return [
        os.path.relpath(os.path.join(folder, name), STATIC).replace(os.sep, "/")
        for folder, _, names in os.walk(STATIC)
        for name in names
    ]


def refused_503(case: WebTestCase, line: bytes) -> None:
    """The next connection to ``case``'s web port from 127.0.0.1 is answered 503 with ``line``, then closed."""
    refused = case.web.buildProtocol(IPv4Address("TCP", "127.0.0.1", 40000))
    case.assertIsInstance(refused, Refusal)
    wire = StringTransport()
    refused.makeConnection(wire)
    case.assertEqual(
        wire.value(),
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(line) + line,
    )


class PageTests(WebTestCase):
    def test_page_is_served_with_its_type_and_the_security_headers(self) -> None:
        """/ is index.html, as HTML, with the strict CSP, nosniff, no referrer, no framing and no-cache."""
        status, headers, _ = get(self.open(), "/", method="HEAD")
        self.assertEqual(status, 200)
        self.assertEqual(int(headers["content-length"]), os.path.getsize(os.path.join(STATIC, "index.html")))
        self.assertEqual(headers["content-type"], "text/html; charset=utf-8")
        self.assertEqual(headers["content-security-policy"], CONTENT_SECURITY_POLICY)
        # WebAssembly (libsodium, issue 17) is the one thing allowed beyond the page's own files:
        # no eval, no inline script or style.
        self.assertIn("script-src 'self' 'wasm-unsafe-eval';", CONTENT_SECURITY_POLICY)
        self.assertNotIn("unsafe", CONTENT_SECURITY_POLICY.replace("'wasm-unsafe-eval'", "", 1))
        self.assertIn("default-src 'none';", CONTENT_SECURITY_POLICY)
        self.assertIn("style-src 'self';", CONTENT_SECURITY_POLICY)
        self.assertIn("connect-src 'self';", CONTENT_SECURITY_POLICY)
        self.assertIn("frame-ancestors 'none'", CONTENT_SECURITY_POLICY)
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        self.assertEqual(headers["referrer-policy"], "no-referrer")
        self.assertEqual(headers["x-frame-options"], "DENY")
        self.assertEqual(headers["cache-control"], "no-cache")

    def test_every_file_of_the_page_has_a_named_type(self) -> None:
        """Each shipped file, in vendor/ too, is served with the type of its extension, never as octet-stream."""
        client = self.open()
        names = sorted(shipped_files())
        self.assertIn("index.html", names)
        self.assertIn("vendor/libsodium.js", names)
        for name in names:
            status, headers, _ = get(client, f"/{name}", method="HEAD")
            self.assertEqual(status, 200, name)
            self.assertNotEqual(headers["content-type"], "application/octet-stream", name)
            if name.endswith(".js"):
                self.assertEqual(headers["content-type"], "text/javascript; charset=utf-8")

    def test_unchanged_file_is_answered_not_modified(self) -> None:
        """A browser asking again with the date it has is answered 304 with no body."""
        client = self.open()
        _, headers, _ = get(client, "/", method="HEAD")
        status, _, body = get(client, "/", f"If-Modified-Since: {headers['last-modified']}")
        self.assertEqual((status, body), (304, b""))

    def test_nothing_outside_the_page_is_reachable(self) -> None:
        """Paths that climb out of the page's folder, encoded or not, and folders, are not found."""
        client = self.open()
        for path in (
            "/../setup.cfg",
            "/%2e%2e/site.py",
            "/..%2fsite.py",
            "/%2e%2e%2f%2e%2e%2fsetup.cfg",
            "//etc/passwd",
            "/..\\site.py",
            "/static/",
            "/ws/../site.py",
            "/__init__.py",
            "/site.py",
        ):
            status, _, body = get(client, path)
            self.assertEqual(status, 404, path)
            self.assertNotIn(b"import", body, path)

    def test_a_path_holding_a_nul_is_not_found_and_logs_nothing(self) -> None:
        """An encoded NUL in a path (``/index.html%00.js``) is 404 like any other name the page has not.

        The file system refuses the name (``stat`` raises ValueError), so
        each such request was a 500 and a critical traceback in the log: at
        the byte budget's pace, some 70 a second from each connection.
        """
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        client = self.open()
        for path in ("/index.html%00.js", "/%00", "/vendor/%00x"):
            status, _, _ = get(client, path, method="HEAD")
            self.assertEqual(status, 404, path)
        self.assertEqual([event for event in logged if event.get("log_failure")], [])

    def test_a_header_line_past_twisteds_limit_is_answered_400_as_too_many_headers_are(self) -> None:
        """A request line or a header line over 16 KiB is answered 400 and closed, as headers over 16 KiB in all
        are: Twisted's line reader dropped the connection with no answer at all."""
        for request in (
            b"GET / HTTP/1.1\r\nHost: chat.test\r\nX-Big: " + b"a" * 16400 + b"\r\n\r\n",
            b"GET /" + b"a" * 16400 + b" HTTP/1.1\r\nHost: chat.test\r\n\r\n",
        ):
            client = self.open()
            client.connection.dataReceived(request)
            self.end_pass()
            self.assertEqual(client.wire.value(), b"HTTP/1.1 400 Bad Request\r\n\r\n")
            self.assertTrue(client.wire.disconnecting)

    def test_other_methods_are_not_allowed(self) -> None:
        """A POST to the page is 405: it only serves files."""
        client = self.open()
        client.connection.dataReceived(b"POST / HTTP/1.1\r\nHost: chat.test\r\nContent-Length: 2\r\n\r\nhi")
        self.end_pass()
        self.assertTrue(client.wire.value().startswith(b"HTTP/1.1 405 "))

    def test_pipelined_files_are_answered_whole_behind_a_full_send_buffer(self) -> None:
        """A client that pipelines requests for the page's files gets every file whole while its connection's send
        buffer fills and drains, as a TCP transport's does (Twisted's ``FileDescriptor``): its producer paused at each
        write made with the buffer full, resumed once when it is emptied. Answered by Twisted's pull producers, a
        file whose headers and first bytes were both written full waited for ever (two pauses, one resume), its
        socket empty: a page load pipelined under load hung."""
        client = self.open()
        wire = client.wire
        names = ["app.js", "style.css", "lines.js", "index.html"]
        full = min(os.path.getsize(os.path.join(STATIC, name)) for name in names) // 2
        paused = []
        written = wire.write

        def write(data: bytes) -> None:
            written(data)
            if len(wire.value()) > full and wire.producer is not None:
                paused.append(True)
                wire.producer.pauseProducing()

        wire.write = write  # type: ignore[method-assign]  # the transport's pause at each write made full
        wire.writeSequence = lambda parts: write(b"".join(parts))  # type: ignore[method-assign]
        client.connection.dataReceived(
            b"".join(f"GET /{name} HTTP/1.1\r\nHost: chat.test\r\n\r\n".encode() for name in names)
        )
        received = b""
        for _ in range(8 * len(names)):
            self.end_pass()
            received += wire.value()
            wire.clear()
            if paused and wire.producer is not None:
                paused.clear()
                wire.producer.resumeProducing()
        bodies = []
        while received:
            _, headers, rest = response(received)
            length = int(headers["content-length"])
            bodies.append(rest[:length])
            received = rest[length:]
        self.assertEqual(bodies, [read_shipped(name) for name in names])

    def test_idle_http_connection_is_closed(self) -> None:
        """An HTTP connection that sends nothing for 30 s is closed; the place it held is freed."""
        client = self.open()
        self.clock.advance(29)
        self.assertFalse(client.wire.disconnecting)
        self.clock.advance(1)
        self.assertTrue(client.wire.disconnecting)
        client.connection.connectionLost()
        self.assertEqual(self.admission.open, 0)

    def test_a_page_connection_closed_when_idle_logs_no_line(self) -> None:
        """A browser's connection left idle after the page is closed with no "Timing out client" line in the log,
        which twistd writes on the host's console; a client that does not let go of it in 15 s more is still
        logged as forced out."""
        timed_out_after(self, 30)

    def test_a_request_dripped_byte_by_byte_is_cut_off_in_30_s(self) -> None:
        """A header every 20 s keeps the idle timer from firing, but the request is owed whole within 30 s of the
        connection's start: then the connection is dropped. One answered in time owes the next from its answer."""
        client = self.open()
        client.connection.dataReceived(b"GET / HTTP/1.1\r\nHost: chat.test\r\n")
        for _ in range(2):
            self.clock.advance(14)
            client.connection.dataReceived(b"X-a: b\r\n")
        self.assertFalse(client.wire.disconnecting)
        self.clock.advance(2)
        self.assertTrue(client.wire.disconnecting)
        client.connection.connectionLost()
        self.assertEqual(self.admission.open, 0)
        patient = self.open()
        self.clock.advance(20)
        status, _, _ = get(patient, "/", method="HEAD")
        self.assertEqual(status, 200)
        self.clock.advance(20)
        patient.connection.dataReceived(b"GET / HTTP/1.1\r\n")
        self.clock.advance(9)
        self.assertFalse(patient.wire.disconnecting)
        patient.connection.dataReceived(b"X-a: b\r\n")
        self.clock.advance(1)
        self.assertTrue(patient.wire.disconnecting)


def timed_out_after(test: WebTestCase, seconds: float) -> None:
    """A connection left idle after an answer is closed ``seconds`` later, not before, by the HTTP channel's idle
    timeout, with no line in the log (twistd writes it on the host's console); one that does not let go is
    logged as forced out 15 s after that. Its connection is gone at the end."""
    logged = EventLoggingObserver.createWithCleanup(test, globalLogPublisher)  # type: ignore[arg-type]  # typed for TestCase, works on any

    def timeouts() -> list[str]:
        return [formatEvent(event) for event in logged if "out client" in event.get("log_format", "")]

    client = test.open()
    status, _, _ = get(client, "/", method="HEAD")
    test.assertEqual(status, 200)
    test.clock.advance(seconds - 0.1)
    test.assertFalse(client.wire.disconnecting)
    test.clock.advance(0.1)
    test.assertTrue(client.wire.disconnecting)
    test.assertEqual(timeouts(), [])
    test.clock.advance(15)
    test.assertEqual(
        timeouts(), ["Forcibly timing out client: IPv4Address(type='TCP', host='127.0.0.1', port=40000)"]
    )
    client.connection.connectionLost()


class HTTPTimeoutTests(WebTestCase):
    """--http-timeout sets both the idle timeout and the time a request has to arrive whole."""

    limits = LineLimits(http_timeout=5)

    def test_an_idle_connection_is_closed_at_the_hosts_timeout(self) -> None:
        """With --http-timeout 5 a connection left idle after an answer is closed 5 s later, not before, by the HTTP
        channel's idle timeout: one that does not let go is forced out 15 s after that."""
        timed_out_after(self, 5)
        self.assertEqual(self.admission.open, 0)

    def test_a_request_not_whole_by_the_hosts_timeout_is_cut_off(self) -> None:
        """With --http-timeout 5 a request dripped a header every 3 s is dropped 5 s after the connection's start."""
        client = self.open()
        client.connection.dataReceived(b"GET / HTTP/1.1\r\n")
        self.clock.advance(3)
        client.connection.dataReceived(b"X-a: b\r\n")
        self.clock.advance(1.9)
        self.assertFalse(client.wire.disconnecting)
        self.clock.advance(0.1)
        self.assertTrue(client.wire.disconnecting)
        client.connection.connectionLost()
        self.assertEqual(self.admission.open, 0)


class HTTPLimitTests(WebTestCase):
    max_per_ip = 2
    limits = LineLimits(flood_bytes=100, flood_disconnect=5)

    def test_connections_count_with_the_line_front_ends(self) -> None:
        """Past --max-per-ip across front ends, the web port answers 503 with the ERR line."""
        self.connect(b"alice")
        self.open()
        refused_503(
            self, b"ERR too-many-connections at most 2 connections from one address; close one first\r\n"
        )

    def test_http_bytes_cost_flood_budget(self) -> None:
        """Requests cost their bytes: past the budget the connection stops reading, the request is answered once the
        budget has refilled, and one that stays over it is in the end cut off."""
        client = self.open()
        client.connection.dataReceived(b"HEAD / HTTP/1.1\r\nX-Padding: " + b"a" * 500 + b"\r\n\r\n")
        self.end_pass()
        self.assertEqual(client.wire.value(), b"")
        self.assertEqual(client.wire.producerState, "paused")
        self.clock.advance(1.5)
        self.end_pass()
        self.assertEqual(response(client.wire.value())[0], 200)
        client.connection.dataReceived(b"HEAD / HTTP/1.1\r\nX-Padding: " + b"a" * 10000)
        self.clock.advance(6)
        self.assertFalse(client.wire.disconnecting)
        client.connection.dataReceived(b"a")
        self.assertTrue(client.wire.disconnecting)


class HTTPRequestBudgetTests(WebTestCase):
    def test_requests_past_the_burst_wait_for_the_budget(self) -> None:
        """Each request costs a line: one past a page load's worth and those after it are answered a refill apart."""
        client = self.open()
        client.connection.dataReceived(b"HEAD / HTTP/1.1\r\n\r\n" * (PAGE_REQUESTS + 3))
        self.end_pass()
        self.assertEqual(client.wire.value().count(b"HTTP/1.1 200 "), PAGE_REQUESTS + 1)
        self.assertEqual(client.wire.producerState, "paused")
        self.clock.advance(1 / self.limits.flood_rate)
        self.end_pass()
        self.assertEqual(client.wire.value().count(b"HTTP/1.1 200 "), PAGE_REQUESTS + 2)

    def test_a_connection_whose_requests_keep_it_over_budget_is_closed(self) -> None:
        """Pipelining requests for longer than --flood-disconnect past the budget, a connection is closed unanswered."""
        client = self.open()
        client.connection.dataReceived(b"HEAD / HTTP/1.1\r\n\r\n" * (PAGE_REQUESTS + 100))
        for _ in range(int(self.limits.flood_disconnect * self.limits.flood_rate)):
            self.clock.advance(1 / self.limits.flood_rate)
        self.assertFalse(client.wire.disconnecting)
        self.clock.advance(1 / self.limits.flood_rate)
        self.assertTrue(client.wire.disconnecting)

    def test_a_trusted_proxys_requests_cost_no_line(self) -> None:
        """A --web-proxy connection carries every user's requests behind it: none waits for the proxy's budget."""
        self.web.proxies = Proxies(["127.0.0.1"])
        client = self.open()
        client.connection.dataReceived(b"HEAD / HTTP/1.1\r\n\r\n" * (PAGE_REQUESTS * 3))
        self.end_pass()
        self.assertEqual(client.wire.value().count(b"HTTP/1.1 200 "), PAGE_REQUESTS * 3)


class HTTPConnectRateTests(WebTestCase):
    connect_burst = 2

    def test_connections_opened_too_fast_answered_503(self) -> None:
        """Past --connect-burst connections opened in a row, the web port answers 503 with the ERR line, and
        lets one in again once the budget has refilled (half a second at the default 2 a second)."""
        self.open()
        self.open()
        refused_503(
            self, b"ERR connecting-too-fast too many new connections from one address; try again in 1s\r\n"
        )
        self.clock.advance(0.5)
        self.open()
