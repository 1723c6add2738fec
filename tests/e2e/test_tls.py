"""TLS beside the plain port on the real daemon, checked by Python's ssl and by openssl s_client."""

import shutil
import ssl
import subprocess
import tempfile

from twisted.trial.unittest import SynchronousTestCase

from tests.certificates import write_self_signed
from tests.e2e.daemon import Daemon, LineClient
from tests.e2e.test_daemon import LOOPBACK, PROMPT, WELCOME


class TLSTests(SynchronousTestCase):
    def setUp(self) -> None:
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        self.certificate, key = write_self_signed(directory)
        tls = ("--tls-port", "0", "--tls-cert", self.certificate, "--tls-key", key)
        self.daemon = Daemon.start(self, [*LOOPBACK, *tls], listeners=2)
        self.plain_port, self.tls_port = (port for _, port in self.daemon.addresses)

    def tls_client(self, context: ssl.SSLContext) -> LineClient:
        client = self.daemon.connect(port=self.tls_port)
        client.socket = context.wrap_socket(client.socket, server_hostname="localhost")
        self.addCleanup(client.socket.close)
        return client

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

    def test_client_trusting_another_certificate_refuses(self) -> None:
        """The server presents the configured certificate: a client trusting another one refuses it."""
        other_directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, other_directory)
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
