"""A renewed certificate taken on SIGHUP by a real daemon, on its line and IRC TLS ports, with nobody cut off."""

import re
import shutil
import signal
import ssl

from twisted.trial.unittest import SynchronousTestCase

from tests.certificates import write_self_signed
from tests.e2e.daemon import Daemon, LineClient
from tests.e2e.lobby import LOOPBACK, PROMPT, WELCOME
from tests.helpers import new_folder

TAKEN = re.compile(
    rb"\[chatd\.tls_reload#info\] --tls-cert \S+ read again: new TLS connections get its certificate, which runs out "
    rb"on \d{4}-\d\d-\d\d \d\d:\d\d UTC$"
)
REFUSED = rb"[chatd.tls_reload#warn] "


class CertificateReloadTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.directory = new_folder(self)
        self.certificate, self.key = write_self_signed(self.directory)
        with open(self.certificate, "rb") as pem:
            self.first = ssl.PEM_cert_to_DER_cert(pem.read().decode("ascii"))
        tls = (
            "--tls-port",
            "0",
            "--irc-tls-port",
            "0",
            "--tls-cert",
            self.certificate,
            "--tls-key",
            self.key,
        )
        self.daemon = Daemon.start(self, [*LOOPBACK, *tls], listeners=3)
        # The line front end's ports, then the IRC one's, as the service lists them.
        _, self.tls_port, self.irc_tls_port = (port for _, port in self.daemon.addresses)

    def renew(self) -> tuple[str, bytes]:
        """Write a new certificate and key for localhost over the daemon's files; a copy of the certificate to
        trust, and the certificate (DER)."""
        renewed = new_folder(self)
        certificate, key = write_self_signed(renewed, days=90)
        for new, old in ((certificate, self.certificate), (key, self.key)):
            shutil.copyfile(new, old)
        with open(certificate, "rb") as pem:
            return certificate, ssl.PEM_cert_to_DER_cert(pem.read().decode("ascii"))

    def served(self, cafile: str, port: int) -> tuple[LineClient, bytes]:
        """A client of ``port`` trusting ``cafile`` alone, and the certificate (DER) it was served."""
        client = self.daemon.connect(port=port)
        client.socket = ssl.create_default_context(cafile=cafile).wrap_socket(
            client.socket, server_hostname="localhost"
        )
        self.addCleanup(client.socket.close)
        assert isinstance(client.socket, ssl.SSLSocket)
        served = client.socket.getpeercert(binary_form=True)
        assert served is not None
        return client, served

    def test_sighup_serves_a_renewed_certificate_to_new_connections_and_keeps_it_past_a_broken_one(
        self,
    ) -> None:
        """After a renewal and SIGHUP, new connections on both TLS ports get the renewed certificate, and alice,
        connected before, chats on; a broken pair after it is one warning, and the renewed one stays."""
        alice, served = self.served(self.certificate, self.tls_port)
        self.assertEqual(served, self.first)
        alice.expect(WELCOME, PROMPT)
        alice.say("alice")
        alice.expect("*** You are alice.")
        alice.expect_stamped("#lobby -- alice joined")
        alice.expect("*** In #lobby (1): alice")

        trusted, renewed = self.renew()
        self.daemon.process.send_signal(signal.SIGHUP)
        self.daemon.wait_for_log(TAKEN)
        for port in (self.tls_port, self.irc_tls_port):
            self.assertEqual(self.served(trusted, port)[1], renewed)
        alice.say("still here")
        alice.expect_stamped("#lobby <alice> still here")

        with open(self.certificate, "wb") as broken:
            broken.write(b"not a certificate\n")
        self.daemon.process.send_signal(signal.SIGHUP)
        self.daemon.wait_for_log(re.compile(re.escape(REFUSED) + rb"--tls-cert not taken on SIGHUP: "))
        self.assertEqual(self.served(trusted, self.tls_port)[1], renewed)
        self.assertEqual(len([line for line in self.daemon.logged_so_far() if REFUSED in line]), 1)
        self.assertEqual(self.daemon.signal(signal.SIGTERM), -signal.SIGTERM)
