"""TLS beside the plain port on the real daemon, checked by Python's ssl, openssl s_client and raw sockets."""

import contextlib
import re
import shutil
import socket
import ssl
import subprocess
import time

from twisted.trial.unittest import SynchronousTestCase

from tests.certificates import write_self_signed
from tests.e2e.daemon import DEADLINE_SECONDS, Daemon, LineClient
from tests.e2e.lobby import LOOPBACK, PROMPT, WELCOME
from tests.helpers import new_folder


class TLSTestCase(SynchronousTestCase):
    """A daemon with a plain and a TLS port on loopback, and the chatd options ``extra`` of the subclass."""

    extra: tuple[str, ...] = ()

    def setUp(self) -> None:
        directory = new_folder(self)
        self.certificate, key = write_self_signed(directory)
        tls = ("--tls-port", "0", "--tls-cert", self.certificate, "--tls-key", key)
        self.daemon = Daemon.start(self, [*LOOPBACK, *tls, *self.extra], listeners=2)
        self.plain_port, self.tls_port = (port for _, port in self.daemon.addresses)

    def tls_client(self, context: ssl.SSLContext) -> LineClient:
        client = self.daemon.connect(port=self.tls_port)
        client.socket = context.wrap_socket(client.socket, server_hostname="localhost")
        self.addCleanup(client.socket.close)
        return client


class TLSTests(TLSTestCase):
    def test_tls_and_plain_users_share_rooms(self) -> None:
        """A user over verified TLS and one on the plain port talk in the same room."""
        secure = self.tls_client(ssl.create_default_context(cafile=self.certificate))
        secure.expect(WELCOME, PROMPT)
        secure.say("alice")
        secure.expect("*** You are alice.")
        secure.expect_stamped("#lobby -- alice joined")
        secure.expect("*** In #lobby (1): alice")
        plain = self.daemon.connect(port=self.plain_port)
        plain.expect(WELCOME, PROMPT)
        plain.say("bob")
        plain.expect("*** You are bob.")
        plain.expect_stamped("#lobby -- bob joined")
        secure.expect_stamped("#lobby -- bob joined")
        plain.expect("*** In #lobby (2): alice bob")
        secure.say("over tls")
        for client in (secure, plain):
            client.expect_stamped("#lobby <alice> over tls")
        plain.say("in the clear")
        for client in (secure, plain):
            client.expect_stamped("#lobby <bob> in the clear")

    def test_the_log_says_which_port_is_tls(self) -> None:
        """The TLS port's "listening on" line says TLS, as the web and IRC ports' own lines say https and ircs; the
        plain port's stays as it was. It read like the plain port's, so a host could not tell them apart."""
        said = [
            line.partition(b"[chatd.service#info] ")[2]
            for line in self.daemon.logged_so_far()
            if b"[chatd.service#info] chatd listening on" in line
        ]
        self.assertEqual(
            said,
            [
                f"chatd listening on 127.0.0.1:{self.plain_port}".encode(),
                f"chatd listening on 127.0.0.1:{self.tls_port} (TLS)".encode(),
            ],
        )

    def test_client_offering_alpn_is_served_with_no_protocol_agreed(self) -> None:
        """A client that offers ALPN protocols, as browsers, curl and many others do, chats as one that offers none.

        Twisted answers ALPN on every server context, and with no protocol in
        common it chose the empty one, which OpenSSL ends with a fatal
        "internal error" alert: no client offering ALPN got past the handshake.
        """
        context = ssl.create_default_context(cafile=self.certificate)
        context.set_alpn_protocols(["h2", "http/1.1", "irc"])
        secure = self.tls_client(context)
        assert isinstance(secure.socket, ssl.SSLSocket)
        self.assertIsNone(secure.socket.selected_alpn_protocol())
        secure.expect(WELCOME, PROMPT)
        secure.say("alice")
        secure.expect("*** You are alice.")

    def test_client_trusting_another_certificate_refuses(self) -> None:
        """The server presents the configured certificate: a client trusting another one refuses it."""
        other_directory = new_folder(self)
        other, _ = write_self_signed(other_directory)
        self.assertRaises(
            ssl.SSLCertVerificationError, self.tls_client, ssl.create_default_context(cafile=other)
        )

    def test_openssl_s_client_works_like_nc(self) -> None:
        """openssl s_client, verifying the certificate, can chat as nc does on the plain port."""
        openssl = shutil.which("openssl")
        if openssl is None:
            self.skipTest("openssl is not installed here")
        result = subprocess.run(
            [
                *(openssl, "s_client", "-quiet", "-verify_return_error", "-CAfile", self.certificate),
                *("-verify_hostname", "localhost", "-connect", f"127.0.0.1:{self.tls_port}"),
            ],
            input=b"carol\n/quit\n",
            capture_output=True,
            timeout=10,
            check=False,
        )
        self.assertIn(b"*** You are carol.\r\n", result.stdout)
        self.assertTrue(result.stdout.endswith(b"*** Goodbye.\r\n"), result.stdout)


def client_hello() -> bytes:
    """The first flight of a TLS client: its ClientHello."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ssl.create_default_context().wrap_bio(incoming, outgoing, server_hostname="localhost")
    with contextlib.suppress(ssl.SSLWantReadError):  # it waits for the ServerHello
        tls.do_handshake()
    return outgoing.read()


class StalledTLSTests(TLSTestCase):
    """Connections to the TLS port that stall are closed on time, whatever waits for them, and free their places."""

    extra = ("--handshake-timeout", "1", "--register-timeout", "1", "--max-per-ip", "2")

    def raw(self) -> socket.socket:
        """A TCP connection to the TLS port that has sent nothing."""
        sock = socket.create_connection(("127.0.0.1", self.tls_port), timeout=DEADLINE_SECONDS)
        self.addCleanup(sock.close)
        return sock

    def assert_closed_by_server(self, sock: socket.socket) -> None:
        """The server ends the connection (end of file or reset) within the deadline."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        try:
            while sock.recv(65536):
                if time.monotonic() > deadline:
                    break
        except ConnectionResetError:
            return
        except TimeoutError:
            self.daemon.fail(f"the server did not close the connection within {DEADLINE_SECONDS} s")

    def assert_place_freed(self) -> None:
        """A new connection from this address gets in, as soon as the ones before it are gone."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            client = self.daemon.connect(port=self.plain_port)
            if client.read_line() == (WELCOME + "\r\n").encode():
                return
            client.close()
            # Each refusal is logged: read the log, or the daemon blocks on its full pipe.
            self.daemon.logged_so_far()
        self.daemon.fail("the places of the stalled connections were never freed")

    def test_connections_that_never_handshake_are_closed_and_free_their_places(self) -> None:
        """TCP connections to the TLS port that send nothing are closed after --handshake-timeout, and so
        is one refused for --max-per-ip, which cannot even be told why."""
        stalled = [self.raw(), self.raw()]
        refused = self.raw()
        for sock in [refused, *stalled]:
            self.assert_closed_by_server(sock)
        self.assert_place_freed()

    def test_half_a_client_hello_is_closed(self) -> None:
        """A handshake that stops halfway is closed after --handshake-timeout."""
        hello = client_hello()
        sock = self.raw()
        sock.sendall(hello[: len(hello) // 2])
        self.assert_closed_by_server(sock)
        self.assert_place_freed()

    def test_tls_client_that_never_reads_is_closed_at_its_deadline(self) -> None:
        """TLS clients that finish the handshake, then neither choose a nickname nor read, are closed at
        --register-timeout, though their goodbye is never read and their close never answered."""
        context = ssl.create_default_context(cafile=self.certificate)
        for _ in range(2):
            self.tls_client(context)
        self.assert_place_freed()


class ExpiredCertificateTests(SynchronousTestCase):
    def test_a_start_with_an_expired_certificate_warns_and_serves(self) -> None:
        """A daemon started on a certificate that ran out says so in its log, and both ports listen."""
        directory = new_folder(self)
        certificate, key = write_self_signed(directory, days=-1)
        tls = ("--tls-port", "0", "--tls-cert", certificate, "--tls-key", key)
        daemon = Daemon.start(self, [*LOOPBACK, *tls], listeners=2)
        daemon.wait_for_log(
            re.compile(
                rb"\[chatd\.tls#warn\] --tls-cert "
                + re.escape(certificate.encode())
                + rb" expired on \d{4}-\d\d-\d\d \d\d:\d\d UTC, and TLS clients refuse it; renew it and send chatd SIGHUP$"
            )
        )
