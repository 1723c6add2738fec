"""The client over TLS: it checks the server's certificate unless told loudly not to."""

import re
import subprocess
import sys

from twisted.trial.unittest import SynchronousTestCase

from tests.certificates import write_self_signed
from tests.e2e.daemon import DEADLINE_SECONDS, Daemon
from tests.e2e.lobby import LOOPBACK, Lobby
from tests.helpers import new_folder


class ClientTLSTests(SynchronousTestCase):
    def setUp(self) -> None:
        directory = new_folder(self)
        self.certificate, key = write_self_signed(directory)
        self.other, _ = write_self_signed(directory, "other")
        tls = ("--tls-port", "0", "--tls-cert", self.certificate, "--tls-key", key)
        self.daemon = Daemon.start(self, [*LOOPBACK, *tls], listeners=2)
        self.tls_port = self.daemon.addresses[1][1]

    def client(
        self, *options: str, lines: bytes, host: str = "127.0.0.1", port: int | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """The piped client against ``port`` (default: the TLS port) with ``options``, fed ``lines``."""
        where = [host, str(port or self.tls_port)]
        command = [sys.executable, "-m", "chatd.client", *where, "--tls", *options]
        return subprocess.run(
            command, input=lines, capture_output=True, timeout=DEADLINE_SECONDS, check=False
        )

    def assert_said(self, done: subprocess.CompletedProcess[bytes], sentence: str) -> None:
        """The client exited 1 having said ``sentence`` on stderr, and nothing like a loss or a repr."""
        self.assertEqual(done.returncode, 1)
        self.assertEqual(done.stdout, b"")
        self.assertRegex(done.stderr.decode(), rf"^\d\d:\d\d ~ {re.escape(sentence)}\n$")

    def test_client_trusting_the_certificate_chats(self) -> None:
        """With --tls --cafile the client verifies the server and its lines reach a plain user."""
        bob = Lobby(self.daemon).enter("bob")
        done = self.client("--cafile", self.certificate, lines=b"alice\nsecure hello\n")
        self.assertEqual(done.returncode, 0, done.stderr)
        bob.expect_stamped("#lobby -- alice joined")
        bob.expect_stamped("#lobby <alice> secure hello")

    def test_client_refuses_a_certificate_it_does_not_trust(self) -> None:
        """A certificate not signed by --cafile's stops the client with one sentence and status 1."""
        done = self.client("--cafile", self.other, lines=b"alice\n")
        sentence = f"The certificate of 127.0.0.1 port {self.tls_port} is not signed by a CA you trust"
        self.assert_said(done, f"{sentence} (see --cafile), or has expired.")

    def test_name_mismatch_says_whose_certificate_it_is(self) -> None:
        """A trusted certificate for other names is refused, naming them, never as a repr or a lost server."""
        directory = new_folder(self)
        certificate, key = write_self_signed(directory, "other.name")
        tls = ("--tls-port", "0", "--tls-cert", certificate, "--tls-key", key)
        other = Daemon.start(self, [*LOOPBACK, *tls], listeners=2)
        port = other.addresses[1][1]
        done = self.client("--cafile", certificate, lines=b"alice\n", host="localhost", port=port)
        self.assert_said(
            done, f"The certificate of localhost port {port} is for other.name, 127.0.0.1, not localhost."
        )

    def test_tls_to_the_plain_port_blames_the_port(self) -> None:
        """--tls against the plain port says the port does not speak TLS, not that the certificate is bad."""
        port = self.daemon.port
        done = self.client("--cafile", self.certificate, lines=b"alice\n", port=port)
        self.assert_said(done, f"127.0.0.1 port {port} does not speak TLS: is it the plain port?")

    def test_insecure_skips_the_check_and_says_so(self) -> None:
        """--insecure connects to any certificate, after a warning that says what it gives up."""
        done = self.client("--insecure", lines=b"alice\n")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(b"WARNING: --insecure: the server's certificate and name are NOT checked", done.stderr)
        self.assertIn(b"You are alice.", done.stdout)
