"""The web port behind a reverse proxy (--web-proxy): a real twistd on loopback, the test as the proxy.

The proxy connects from 127.0.0.2, the user's own browser from 127.0.0.1
(any of 127.0.0.0/8 reaches a daemon on 127.0.0.1): so one daemon tells a
trusted proxy from a peer that only claims to be one.
"""

import http.client
import re

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import DEADLINE_SECONDS, Daemon, LineClient, opers_file
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_client_resume import enter
from tests.e2e.websocket import WebSocketClient, web_port
from tests.helpers import quick_hash

PASSWORD = "behind the proxy"

PROXY = "127.0.0.2"
"""Where the test's proxy connects from."""


def forwarded(*addresses: str) -> list[tuple[bytes, bytes]]:
    """The header a proxy sends: ``X-Forwarded-For`` listing ``addresses``, the nearest last."""
    return [(b"X-Forwarded-For", ", ".join(addresses).encode())]


def upgrade_answer(port: int, source: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    """The status and body the web port answers a WebSocket upgrade with, asked from ``source`` with ``headers``."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=DEADLINE_SECONDS, source_address=(source, 0)
    )
    try:
        connection.putrequest("GET", "/ws")
        for name, value in [
            (b"Upgrade", b"websocket"),
            (b"Connection", b"Upgrade"),
            (b"Sec-WebSocket-Key", b"dGhlIHNhbXBsZSBub25jZQ=="),
            (b"Sec-WebSocket-Version", b"13"),
            *headers,
        ]:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def operator(daemon: Daemon, password: str) -> LineClient:
    """An nc user, boss, who is an operator by ``password`` (the daemon's opers file names boss with it)."""
    boss = enter(daemon, "boss")
    boss.say(f"/oper boss {password}")
    boss.expect("*** You are now an operator.")
    return boss


class WebProxyTests(SynchronousTestCase):
    def start(self, *extra: str) -> Daemon:
        """A daemon with a web port and an operator, ``boss``, given ``extra`` options."""
        opers = opers_file(self, quick_hash(PASSWORD))
        daemon = Daemon.start(
            self, [*LOOPBACK, "--db", ":memory:", "--web-port", "0", "--opers", opers, *extra]
        )
        self.port = web_port(daemon)
        return daemon

    def user(self, daemon: Daemon, nick: str, *addresses: str, source: str = PROXY) -> WebSocketClient:
        """A page's user named ``nick`` whose socket comes from ``source`` with ``addresses`` forwarded."""
        client = WebSocketClient(daemon, self.port, headers=forwarded(*addresses), source=source)
        client.until("prompt")
        client.send(nick)
        return client

    def test_a_trusted_proxys_user_is_their_own_address_everywhere(self) -> None:
        """Through a trusted proxy, the user is the rightmost address it did not write itself: logged so, and an
        address ban of it shuts out that user alone, not the proxy's others."""
        daemon = self.start("--web-proxy", PROXY)
        boss = operator(daemon, PASSWORD)
        self.user(daemon, "webby", "198.51.100.66", "203.0.113.5").until("nick")
        daemon.wait_for_log(re.compile(rb"Connection from 203\.0\.113\.5 through 127\.0\.0\.2$"))
        daemon.wait_for_log(re.compile(rb"webby came online from 203\.0\.113\.5$"))
        boss.say("/ban 203.0.113.5 1h")
        self.assertEqual(self.user(daemon, "again", "203.0.113.5").until("error")[-1]["code"], "banned")
        self.assertEqual(self.user(daemon, "other", "203.0.113.6").until("nick")[-1]["nick"], "other")

    def test_irc_over_a_trusted_proxys_socket_is_its_user_too(self) -> None:
        """A web IRC client through the proxy is handed to IRC as the user the proxy names."""
        daemon = self.start("--web-proxy", PROXY)
        client = WebSocketClient(
            daemon, self.port, subprotocols=["text.ircv3.net"], headers=forwarded("203.0.113.9"), source=PROXY
        )
        client.send("NICK webirc")
        client.send("USER w 0 * :Web IRC")
        daemon.wait_for_log(re.compile(rb"webirc came online from 203\.0\.113\.9$"))

    def test_a_trusted_proxy_naming_nobody_is_refused_in_one_line(self) -> None:
        """A trusted proxy's upgrade without a user's address is refused, and the log says why once."""
        daemon = self.start("--web-proxy", PROXY)
        status, body = upgrade_answer(self.port, PROXY, [])
        self.assertEqual(
            (status, body),
            (
                503,
                b"ERR bad-forwarded the proxy in front of this chat did not say whose connection this is\r\n",
            ),
        )
        daemon.wait_for_log(
            re.compile(rb"Refused a WebSocket through 127\.0\.0\.2: its X-Forwarded-For names no client$")
        )

    def test_max_per_ip_holds_each_user_behind_the_proxy_not_the_proxy(self) -> None:
        """--max-per-ip 1: a second socket of one user through the proxy is refused; another user's is not."""
        daemon = self.start("--web-proxy", PROXY, "--max-per-ip", "1")
        self.user(daemon, "first", "203.0.113.5").until("nick")
        status, body = upgrade_answer(self.port, PROXY, forwarded("203.0.113.5"))
        self.assertEqual(status, 503)
        self.assertTrue(body.startswith(b"ERR too-many-connections "), body)
        self.assertEqual(self.user(daemon, "second", "203.0.113.6").until("nick")[-1]["nick"], "second")

    def test_without_the_option_the_header_is_ignored(self) -> None:
        """With no --web-proxy, X-Forwarded-For names nobody: the user is the peer's address."""
        daemon = self.start()
        self.user(daemon, "webby", "203.0.113.5").until("nick")
        daemon.wait_for_log(re.compile(rb"webby came online from 127\.0\.0\.2$"))

    def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(self) -> None:
        """A peer that is not the trusted proxy is itself, whatever it forwards; banning what it claimed is moot."""
        daemon = self.start("--web-proxy", PROXY)
        boss = operator(daemon, PASSWORD)
        boss.say("/ban 203.0.113.5 1h")
        spoofer = self.user(daemon, "spoofer", "203.0.113.5", source="127.0.0.1")
        self.assertEqual(spoofer.until("nick")[-1]["nick"], "spoofer")
        daemon.wait_for_log(re.compile(rb"spoofer came online from 127\.0\.0\.1$"))
