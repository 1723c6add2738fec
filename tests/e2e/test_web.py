"""The web port of a real twistd over loopback: the page's files over HTTP, and the WebSocket beside nc."""

import http.client
import json
import os
import signal
import ssl

from twisted.trial.unittest import SynchronousTestCase
from wsproto.events import Ping, Pong, TextMessage

from chatd.web.site import CONTENT_SECURITY_POLICY, STATIC
from tests.certificates import write_self_signed
from tests.e2e.browser import Page
from tests.e2e.daemon import DEADLINE_SECONDS, Daemon, LineClient
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_client_resume import enter
from tests.e2e.websocket import PAGE, WebSocketClient, web_port
from tests.helpers import new_database, new_folder
from tests.test_web_site import shipped_files


def fetch(port: int, path: str, *headers: tuple[str, bytes]) -> tuple[int, dict[str, str], bytes]:
    """GET ``path`` as written (no normalising), with ``headers`` as given, on a fresh connection: status, headers,
    body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_SECONDS)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


class PageOverHTTPTests(SynchronousTestCase):
    """One daemon serves every test of the class: they only read files."""

    daemon: Daemon
    port: int

    def setUp(self) -> None:
        self.daemon = Daemon.start(self, [*LOOPBACK, "--db", ":memory:", "--web-port", "0"])
        self.port = web_port(self.daemon)

    def test_every_file_of_the_page_is_served_whole_with_its_headers(self) -> None:
        """Each file in the package's static folder comes back byte for byte, typed, with the CSP."""
        for name in sorted(shipped_files()):
            status, headers, body = fetch(self.port, "/" + name)
            with open(os.path.join(STATIC, name), "rb") as shipped:
                self.assertEqual((status, body), (200, shipped.read()), name)
            self.assertEqual(headers["content-security-policy"], CONTENT_SECURITY_POLICY, name)
            self.assertEqual(headers["x-content-type-options"], "nosniff", name)
        status, headers, body = fetch(self.port, "/")
        with open(os.path.join(STATIC, "index.html"), "rb") as page:
            self.assertEqual((status, body), (200, page.read()))
        self.assertEqual(headers["content-type"], "text/html; charset=utf-8")

    def test_path_traversal_reaches_nothing(self) -> None:
        """Paths that climb out of the page's folder, plain or encoded, are 404 and show no file of the server."""
        for path in (
            "/../site.py",
            "/../../../../etc/passwd",
            "/%2e%2e/site.py",
            "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "/..%5csite.py",
            "/%2F..%2Fsite.py",
            "/.%2e/.%2e/setup.cfg",
        ):
            status, _, body = fetch(self.port, path)
            self.assertEqual(status, 404, path)
            self.assertNotIn(b"root:", body, path)
            self.assertNotIn(b"import", body, path)

    def test_a_path_that_is_not_utf8_is_not_found_and_logs_nothing(self) -> None:
        """A name that is not UTF-8 once percent-decoded is 404, as any name the page has not.

        Twisted's ``File`` answered it 404 too, but logged each such request
        as a failure, with a traceback: a line anyone could repeat at the
        byte budget's pace.
        """
        for path in ("/%ff%fe", "/vendor/%c3", "/%c3%28.js"):
            self.assertEqual(fetch(self.port, path)[0], 404, path)
        self.assert_logged_nothing_alarming()

    def test_a_range_the_page_does_not_honour_is_the_whole_file_once(self) -> None:
        """Several ranges, or a ``Range`` that cannot be read, are answered with the whole file, one 200, and log
        nothing.

        As a multipart 206, ``bytes=0-,0-,...`` sent libsodium.js (900 KB) once
        for each ``0-``: 90 MB for a request of 360 bytes. A ``Range`` Twisted
        could not parse logged a line each time, and one that is not UTF-8 was
        a 500 and a critical traceback.
        """
        name = "vendor/libsodium.js"
        with open(os.path.join(STATIC, name), "rb") as shipped:
            whole = shipped.read()
        for asked in (b"bytes=0-,0-,0-,0-", b"bytes=0-9,20-29", b"\xff", b"garbage", b"bytes=x-y"):
            status, _, body = fetch(self.port, "/" + name, ("Range", asked))
            self.assertEqual((status, len(body)), (200, len(whole)), asked)
            self.assertEqual(body, whole, asked)
        status, headers, body = fetch(self.port, "/" + name, ("Range", b"bytes=10-19"))
        self.assertEqual(
            (status, headers["content-range"], body), (206, f"bytes 10-19/{len(whole)}", whole[10:20])
        )
        self.assert_logged_nothing_alarming()

    def assert_logged_nothing_alarming(self) -> None:
        """Stop the daemon and check its log holds no failure, traceback, or line about a request."""
        self.daemon.signal(signal.SIGTERM)
        logged = self.daemon.logged_so_far()
        alarming = [
            line
            for line in logged
            if any(
                word in line for word in (b"#error]", b"#critical]", b"Traceback", b"Range", b"path segment")
            )
        ]
        self.assertEqual(alarming, [])


class SocketBesideNcTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.db = new_database(self)

    def start(self, web: int = 0) -> tuple[Daemon, int]:
        daemon = Daemon.start(self, [*LOOPBACK, "--db", self.db, "--web-port", str(web)])
        return daemon, web_port(daemon)

    def enter(
        self, daemon: Daemon, port: int, nick: str, resume: dict[str, str] | None = None
    ) -> WebSocketClient:
        """A socket named ``nick``, having noted ``resume`` (room -> id) first, read past its nickname's notice."""
        client = WebSocketClient(daemon, port)
        client.until("prompt")
        for room, event_id in (resume or {}).items():
            client.send(f"/resume {room} {event_id}")
            client.until("resume")
        client.send(nick)
        client.until("nick")
        return client

    def test_browser_socket_and_nc_talk_in_one_room(self) -> None:
        """A line from the socket reaches nc as text; nc's reaches the socket as JSON, in a real daemon."""
        daemon, port = self.start()
        alice = self.enter(daemon, port, "alice")
        bob = daemon.connect()
        bob.read_line()
        bob.read_line()
        bob.say("bob")
        alice.until("joined")
        alice.send("hello bob")
        said = alice.until("said")[-1]
        self.assertEqual((said["nick"], said["text"], said["room"]), ("alice", "hello bob", "#lobby"))
        line = b""
        while b"<alice>" not in line:
            line = bob.read_line()
        self.assertTrue(line.endswith(b"#lobby <alice> hello bob\r\n"), line)
        bob.say("hi alice")
        heard = alice.until("said")[-1]
        self.assertEqual((heard["nick"], heard["text"]), ("bob", "hi alice"))
        alice.send("/quit")
        self.assertEqual(alice.until("bye")[-1]["kind"], "bye")
        self.assertEqual(alice.closed().code, 1000)

    def test_socket_resumes_after_a_restart_with_exactly_what_it_missed(self) -> None:
        """After kill -9 and a restart on the same file and port, /resume gives the socket the lines nc said meanwhile."""
        daemon, port = self.start()
        alice = self.enter(daemon, port, "alice")
        alice.send("before")
        last = alice.until("said")[-1]["id"]
        daemon.process.send_signal(signal.SIGKILL)
        daemon.exit_status("after SIGKILL")
        alice.socket.close()
        daemon, port = self.start(port)
        bob = daemon.connect()
        bob.read_line()
        bob.read_line()
        bob.say("bob")
        for text in ("while", "you", "were away"):
            # One at a time: lines that arrive together would be one paste.
            bob.say(text)
            self.await_said(bob, text)
        alice = self.enter(daemon, port, "alice", {"#lobby": last})
        shown = alice.until("history_end")
        self.assertEqual(
            [item["text"] for item in shown if item["type"] == "said"], ["while", "you", "were away"]
        )
        self.assertEqual((shown[-1]["count"], shown[-1]["missed"]), (3, 3))

    @staticmethod
    def await_said(client: LineClient, text: str) -> None:
        """Read ``client``'s lines until its own ``text`` comes back (the daemon has taken it)."""
        while not client.read_line().rstrip(b"\r\n").endswith(f"> {text}".encode()):
            pass


class SecurePageTests(SynchronousTestCase):
    def test_web_tls_port_serves_the_page_and_the_socket_over_tls(self) -> None:
        """--web-tls-port with the --tls-cert pair: the page over HTTPS and the chat over wss, announced as https, to a
        client that offers ALPN protocols as browsers do."""
        directory = new_folder(self)
        certificate, key = write_self_signed(directory)
        daemon = Daemon.start(
            self,
            [
                *LOOPBACK,
                "--db",
                ":memory:",
                "--web-tls-port",
                "0",
                "--tls-cert",
                certificate,
                "--tls-key",
                key,
            ],
        )
        found = daemon.wait_for_log(PAGE)
        self.assertTrue(found.group(0).endswith(b"at https://127.0.0.1:%s/" % found.group("port")))
        port = int(found.group("port"))
        trusted = ssl.create_default_context(cafile=certificate)
        # As a browser does: it offers HTTP/2 and HTTP/1.1 by ALPN, and this page speaks HTTP/1.1 with none agreed.
        trusted.set_alpn_protocols(["h2", "http/1.1"])
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=DEADLINE_SECONDS, context=trusted)
        self.addCleanup(connection.close)
        connection.request("GET", "/")
        response = connection.getresponse()
        with open(os.path.join(STATIC, "index.html"), "rb") as page:
            self.assertEqual((response.status, response.read()), (200, page.read()))
        alice = WebSocketClient(daemon, port, tls=trusted)
        alice.until("prompt")
        alice.send("alice")
        self.assertEqual(alice.until("nick")[-1]["nick"], "alice")

    def test_chromium_opens_the_page_and_talks_over_tls(self) -> None:
        """A real browser on --web-tls-port (it offers ALPN, as every browser does): the page loads over HTTPS, its
        socket connects over wss, and a line said there reaches a user on the line port and comes back."""
        directory = new_folder(self)
        certificate, key = write_self_signed(directory)
        tls = ["--web-tls-port", "0", "--tls-cert", certificate, "--tls-key", key]
        daemon = Daemon.start(self, [*LOOPBACK, "--db", ":memory:", *tls])
        url = daemon.wait_for_log(PAGE).group("url").decode("ascii")
        bob = enter(daemon, "bob")
        page = Page(self, "about:blank")
        page.trust_any_certificate()
        page.driver.get(url)
        page.login("alice")
        page.say("hello over https")
        page.wait_for_said("hello over https")
        while not bob.read_line().endswith(b"#lobby <alice> hello over https\r\n"):
            pass
        self.assertEqual(page.console_errors(), [])


UNFLOODED = ("--flood-rate", "1000", "--flood-burst", "1000", "--flood-bytes", "1000000")
"""Flood budget enough for a test's quick run of messages: what it tests is not flood control."""


class BusySocketTests(SynchronousTestCase):
    """Bytes the session cannot see taken off a message (pings, other fragments' headers) never add up."""

    def test_pings_and_fragmented_messages_between_lines_never_close_the_socket(self) -> None:
        """Messages of at most 22 bytes here, as a client that pings while it talks: 40 times a ping and a
        two-fragment /time (12 bytes the session cannot see taken off), each answered before the next."""
        daemon = Daemon.start(
            self, [*LOOPBACK, "--web-port", "0", "--max-line", "20", "--paste-lines", "1", *UNFLOODED]
        )
        client = WebSocketClient(daemon, web_port(daemon))
        client.send("wes")
        client.send("/time")
        client.until("server_time")
        for _ in range(40):
            client.socket.sendall(client.ws.send(Ping(b"")))
            client.socket.sendall(client.ws.send(TextMessage("/ti", message_finished=False)))
            client.socket.sendall(client.ws.send(TextMessage("me", message_finished=True)))
            event = client.next_event()
            while isinstance(event, Pong):
                event = client.next_event()
            assert isinstance(event, TextMessage), event
            self.assertEqual(json.loads(event.data)["type"], "server_time", event.data)
