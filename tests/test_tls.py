"""TLS settings are checked at start, with one sentence for each way they can be wrong."""

import time

from cryptography import x509
from twisted.internet.testing import EventLoggingObserver
from twisted.logger import LogLevel, formatEvent, globalLogPublisher
from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from chatd.tap import Options
from chatd.tls import load_tls, warn_if_expired
from tests.certificates import write_self_signed
from tests.helpers import new_folder


def parse(*arguments: str) -> Options:
    options = Options()
    options.parseOptions(list(arguments))
    return options


class TLSOptionTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.directory = new_folder(self)
        self.certificate, self.key = write_self_signed(self.directory)

    def refused(self, *arguments: str) -> str:
        return str(self.assertRaises(usage.UsageError, parse, *arguments))

    def test_tls_port_must_differ_from_port(self) -> None:
        """The same port for plain and TLS is refused before either is bound."""
        message = self.refused(
            "--port", "6697", "--tls-port", "6697", "--tls-cert", self.certificate, "--tls-key", self.key
        )
        self.assertEqual(message, "--tls-port must differ from --port; both are 6697.")

    def test_good_pair_gives_tls_options(self) -> None:
        """A certificate and its key load, ready for the TLS listener."""
        options = parse("--tls-port", "6697", "--tls-cert", self.certificate, "--tls-key", self.key)
        self.assertIsNotNone(options["tls"])
        self.assertIsNone(parse()["tls"])

    def test_options_go_together(self) -> None:
        """A TLS port without a certificate (or the reverse) is refused."""
        self.assertEqual(
            self.refused("--tls-port", "6697"),
            "--tls-cert and --tls-key go together with --tls-port, --web-tls-port or --irc-tls-port; give both files and a port.",
        )
        self.refused("--tls-cert", self.certificate, "--tls-key", self.key)

    def test_missing_file(self) -> None:
        """A certificate that is not there is named."""
        message = self.refused("--tls-port", "1", "--tls-cert", "/nonexistent.pem", "--tls-key", self.key)
        self.assertEqual(
            message,
            "--tls-cert: cannot read the certificate /nonexistent.pem: No such file or directory; "
            "give a readable PEM certificate.",
        )

    def test_swapped_files(self) -> None:
        """A key given as the certificate, and a certificate as the key, are each called out."""
        message = self.refused("--tls-port", "1", "--tls-cert", self.key, "--tls-key", self.key)
        self.assertEqual(
            message, f"--tls-cert: {self.key} holds no PEM certificate; give a readable PEM certificate."
        )
        message = self.refused(
            "--tls-port", "1", "--tls-cert", self.certificate, "--tls-key", self.certificate
        )
        self.assertEqual(
            message,
            f"--tls-key: {self.certificate} holds no PEM private key; give a readable PEM private key.",
        )

    def test_key_of_another_certificate(self) -> None:
        """A key that does not match the certificate is refused at start."""
        _, other_key = write_self_signed(self.directory, "other")
        message = self.refused("--tls-port", "1", "--tls-cert", self.certificate, "--tls-key", other_key)
        self.assertEqual(
            message,
            f"--tls-key: the key in {other_key} does not belong to the certificate in {self.certificate}; "
            "give the key the certificate was made with.",
        )


class ExpiredCertificateTests(SynchronousTestCase):
    """A certificate that ran out is warned of at start, with what to do; the start goes on."""

    def setUp(self) -> None:
        self.directory = new_folder(self)
        # Typed for a trial TestCase; a SynchronousTestCase has the addCleanup it uses.
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def test_an_expired_certificate_is_one_warning_naming_the_day_and_the_fix(self) -> None:
        """A --tls-cert that ran out a day ago: one warning with the file, when it ran out, and to renew and restart."""
        certificate, key = write_self_signed(self.directory, days=-1)
        with open(certificate, "rb") as pem:
            expiry = x509.load_pem_x509_certificate(pem.read()).not_valid_after_utc
        warn_if_expired(load_tls(certificate, key), certificate, time.time())
        self.assertEqual(
            [(event["log_level"], formatEvent(event)) for event in self.logged],
            [
                (
                    LogLevel.warn,
                    f"--tls-cert {certificate} expired on {expiry:%Y-%m-%d %H:%M} UTC, and TLS clients refuse it; "
                    "renew it and send chatd SIGHUP",
                )
            ],
        )

    def test_a_certificate_in_force_is_not_warned_of(self) -> None:
        """A certificate that runs out tomorrow is not warned of today, and is the day after."""
        certificate, key = write_self_signed(self.directory, days=1)
        tls = load_tls(certificate, key)
        warn_if_expired(tls, certificate, time.time())
        self.assertEqual(list(self.logged), [])
        warn_if_expired(tls, certificate, time.time() + 2 * 86400)
        self.assertEqual(len(self.logged), 1)
