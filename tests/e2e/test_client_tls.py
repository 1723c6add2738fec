"""The client over TLS: it checks the server's certificate unless told loudly not to."""

import shutil
import subprocess
import sys
import tempfile

from twisted.trial.unittest import SynchronousTestCase

from tests.certificates import write_self_signed
from tests.e2e.daemon import DEADLINE_SECONDS, Daemon
from tests.e2e.test_daemon import LOOPBACK, Lobby


class ClientTLSTests(SynchronousTestCase):
    def setUp(self) -> None:
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        self.certificate, key = write_self_signed(directory)
        self.other, _ = write_self_signed(directory, "other")
        tls = ("--tls-port", "0", "--tls-cert", self.certificate, "--tls-key", key)
        self.daemon = Daemon.start(self, [*LOOPBACK, *tls], listeners=2)
        self.tls_port = self.daemon.addresses[1][1]

    def client(self, *options: str, lines: bytes) -> subprocess.CompletedProcess[bytes]:
        """The piped client against the TLS port with ``options``, fed ``lines``."""
        command = [sys.executable, "-m", "chatd.client", "127.0.0.1", str(self.tls_port), "--tls", *options]
        return subprocess.run(
            command, input=lines, capture_output=True, timeout=DEADLINE_SECONDS, check=False
        )

    def test_client_trusting_the_certificate_chats(self) -> None:
        """With --tls --cafile the client verifies the server and its lines reach a plain user."""
        bob = Lobby(self.daemon).enter("bob")
        done = self.client("--cafile", self.certificate, lines=b"alice\nsecure hello\n")
        self.assertEqual(done.returncode, 0, done.stderr)
        bob.expect_stamped("#lobby -- alice joined")
        bob.expect_stamped("#lobby <alice> secure hello")

    def test_client_refuses_a_certificate_it_does_not_trust(self) -> None:
        """A certificate not signed by --cafile's stops the client with a reason and status 1."""
        done = self.client("--cafile", self.other, lines=b"alice\n")
        self.assertEqual(done.returncode, 1)
        self.assertIn(b"TLS failed: the server's certificate is not trusted", done.stderr)
        self.assertNotIn(b"You are alice", done.stdout)

    def test_insecure_skips_the_check_and_says_so(self) -> None:
        """--insecure connects to any certificate, after a warning that says what it gives up."""
        done = self.client("--insecure", lines=b"alice\n")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(b"WARNING: --insecure: the server's certificate and name are NOT checked", done.stderr)
        self.assertIn(b"You are alice.", done.stdout)
