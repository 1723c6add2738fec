"""A renewed certificate is taken on reload for new TLS connections; one that cannot be used is warned of and left."""

import os
import shutil
import signal
import tempfile
import time

from cryptography import x509
from twisted.internet import reactor
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.task import Clock, deferLater
from twisted.internet.testing import EventLoggingObserver, StringTransport
from twisted.logger import LogLevel, formatEvent, globalLogPublisher
from twisted.protocols.tls import TLSMemoryBIOFactory, TLSMemoryBIOProtocol
from twisted.trial.unittest import SynchronousTestCase, TestCase

from chatd.tls import load_tls, utc_minute
from chatd.tls_reload import ReloadableCertificate, ReloadOnHangup
from tests.certificates import write_self_signed
from tests.helpers import new_folder


def certificate_in(path: str) -> x509.Certificate:
    """The (first) certificate of the PEM file ``path``."""
    with open(path, "rb") as pem:
        return x509.load_pem_x509_certificate(pem.read())


def expiry_in(path: str) -> str:
    """When the certificate of ``path`` runs out, as the log says it."""
    return utc_minute(certificate_in(path).not_valid_after_utc.timestamp())


class Renewal:
    """The files ``--tls-cert`` and ``--tls-key`` name (``path``, ``key``), written over as a renewal does."""

    def __init__(self, case: SynchronousTestCase) -> None:
        self.directory = new_folder(case)
        self.path, self.key = write_self_signed(self.directory, "first")

    def renew(self, days: float = 30) -> str:
        """Write a new certificate and key over the files, one that runs out ``days`` from now; its own path."""
        renewed = tempfile.mkdtemp()
        try:
            for new, old in zip(
                write_self_signed(renewed, "renewed", days=days), (self.path, self.key), strict=True
            ):
                with open(new, "rb") as file:
                    self.write(old, file.read())
        finally:
            shutil.rmtree(renewed)
        return self.path

    def write(self, path: str, content: bytes) -> None:
        """Write ``content`` over ``path``, one of the two files."""
        with open(path, "wb") as file:
            file.write(content)


class ReloadableCertificateTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.files = Renewal(self)
        self.first = certificate_in(self.files.path)
        self.certificate = ReloadableCertificate(
            self.files.path, self.files.key, load_tls(self.files.path, self.files.key)
        )
        # TLS as listenSSL wraps a port's factory in it: each connection asks the certificate for its TLS.
        self.tls = TLSMemoryBIOFactory(self.certificate, False, Factory.forProtocol(Protocol), Clock())
        # Typed for a trial TestCase; a SynchronousTestCase has the addCleanup it uses.
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def connect(self) -> TLSMemoryBIOProtocol:
        """A TLS connection made now, its OpenSSL connection made as it connects."""
        protocol = self.tls.buildProtocol(IPv4Address("TCP", "127.0.0.1", 40000))
        assert isinstance(protocol, TLSMemoryBIOProtocol)
        protocol.makeConnection(StringTransport())
        self.addCleanup(protocol.connectionLost, None)
        return protocol

    def served(self, protocol: TLSMemoryBIOProtocol | None = None) -> x509.Certificate:
        """The certificate ``protocol`` (by default a TLS connection made now) is served."""
        served = (protocol or self.connect()).getHandle().get_certificate()
        assert served is not None, "a server connection has its certificate from the start"
        certificate: x509.Certificate = served.to_cryptography()
        return certificate

    def lines(self) -> list[tuple[LogLevel, str]]:
        return [(event["log_level"], formatEvent(event)) for event in self.logged]

    def test_new_connections_get_the_renewed_certificate_and_open_ones_keep_theirs(self) -> None:
        """After a reload, a new connection is served the renewed certificate; one made before still holds the first."""
        before = self.connect()
        renewed = certificate_in(self.files.renew())
        self.certificate.reload(time.time())
        self.assertEqual(self.served(), renewed)
        self.assertEqual(self.served(before), self.first)

    def test_the_renewed_certificate_taken_is_one_info_line_naming_its_expiry(self) -> None:
        """The log says the certificate was read again and when the new one runs out."""
        path = self.files.renew(days=90)
        self.certificate.reload(time.time())
        self.assertEqual(
            self.lines(),
            [
                (
                    LogLevel.info,
                    f"--tls-cert {path} read again: new TLS connections get its certificate, which runs out on "
                    f"{expiry_in(path)}",
                )
            ],
        )

    def test_a_renewed_key_others_may_read_is_warned_of_as_at_start(self) -> None:
        """A renewal that leaves the key readable by its group is taken, then warned of with the chmod to run."""
        os.chmod(self.files.key, 0o640)
        self.files.renew(days=90)
        self.certificate.reload(time.time())
        self.assertEqual(self.served(), certificate_in(self.files.path))
        self.assertEqual(
            self.lines()[1:],
            [
                (
                    LogLevel.warn,
                    f"--tls-key {self.files.key} is the TLS private key, and users other than its owner may read "
                    f"or change it (mode 0640); run chmod 600 {self.files.key}",
                )
            ],
        )

    def assert_refused(self, option: str, why: str) -> None:
        """A reload now logs one warning naming ``option`` and ``why``, and the first certificate is still served."""
        kept = utc_minute(self.first.not_valid_after_utc.timestamp())
        self.certificate.reload(time.time())
        self.assertEqual(
            self.lines(),
            [
                (
                    LogLevel.warn,
                    f"{option} not taken on SIGHUP: {why}; new TLS connections still get the certificate that runs "
                    f"out on {kept}",
                )
            ],
        )
        self.assertEqual(self.served(), self.first)

    def test_a_missing_certificate_is_warned_of_and_the_one_in_use_stays(self) -> None:
        """A --tls-cert file gone (a renewal half done) is one warning; TLS goes on with the certificate it had."""
        os.remove(self.files.path)
        self.assert_refused(
            "--tls-cert", f"cannot read the certificate {self.files.path}: No such file or directory"
        )

    def test_a_certificate_that_is_not_pem_is_warned_of_and_the_one_in_use_stays(self) -> None:
        """A --tls-cert file holding no PEM certificate is one warning; the one in use stays."""
        self.files.write(self.files.path, b"not a certificate\n")
        self.assert_refused("--tls-cert", f"{self.files.path} holds no PEM certificate")

    def test_a_key_that_is_not_the_certificates_is_warned_of_and_the_one_in_use_stays(self) -> None:
        """A renewed certificate beside the old key (the key not copied yet) is one warning; the one in use stays."""
        with open(self.files.key, "rb") as old:
            first_key = old.read()
        self.files.renew()
        self.files.write(self.files.key, first_key)
        self.assert_refused(
            "--tls-key",
            f"the key in {self.files.key} does not belong to the certificate in {self.files.path}",
        )

    def test_an_expired_certificate_is_warned_of_and_the_one_in_use_stays(self) -> None:
        """A certificate that ran out already is not taken: TLS clients would refuse it."""
        path = self.files.renew(days=-1)
        self.assert_refused("--tls-cert", f"{path} expired on {expiry_in(path)}")


class ReloadOnHangupTests(TestCase):
    """SIGHUP, while the service runs, reloads the certificate in the reactor; its stop puts the handler back."""

    def setUp(self) -> None:
        self.files = Renewal(self)
        self.certificate = ReloadableCertificate(
            self.files.path, self.files.key, load_tls(self.files.path, self.files.key)
        )
        self.service = ReloadOnHangup(self.certificate, reactor)

    def test_sighup_has_the_certificate_read_again(self) -> "Deferred[None]":
        """A SIGHUP to the process has the renewed certificate taken in the reactor's next pass."""
        before = signal.getsignal(signal.SIGHUP)
        self.service.startService()
        self.addCleanup(self.service.stopService)
        renewed = certificate_in(self.files.renew())
        os.kill(os.getpid(), signal.SIGHUP)

        def taken(_: object) -> None:
            served = self.certificate.options.certificate
            assert served is not None, "load_tls gives a certificate"
            self.assertEqual(served.to_cryptography(), renewed)
            self.service.stopService()
            self.assertEqual(signal.getsignal(signal.SIGHUP), before)

        return deferLater(reactor, 0, lambda: None).addCallback(taken)
