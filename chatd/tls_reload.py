"""A renewed ``--tls-cert`` and ``--tls-key`` taken on SIGHUP, with no restart and nobody cut off.

Let's Encrypt certificates last 90 days and are renewed every 60: reading
them at start alone made a host restart the daemon on each renewal, which
dropped every user. The TLS ports (``--tls-port``, ``--web-tls-port``,
``--irc-tls-port``) are handed one ``ReloadableCertificate``, which makes
each new TLS connection from the certificate it holds now; ``reload`` puts
a renewed one in its place, so new connections get it while those already
open keep theirs (an OpenSSL connection holds on to the context it was made
with). A renewed pair that cannot be used is a warning, and the certificate
in use stays: a renewal gone wrong does not take TLS down.

SIGHUP, as nginx and ngIRCd take it: twistd leaves it alone (it rotates its
log file on SIGUSR1, and that stays so), and by default it ends the process.
``--listen ssl:`` endpoints are not reloaded: Twisted's endpoint parser
reads their files into a context of its own, which chatd cannot reach
without parsing their descriptions again by hand; they need a restart.
"""

import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

from OpenSSL import SSL
from twisted.application.service import Service
from twisted.internet.interfaces import IOpenSSLServerConnectionCreator
from twisted.internet.ssl import CertificateOptions
from twisted.logger import Logger
from twisted.protocols.tls import TLSMemoryBIOProtocol
from typing_extensions import override
from zope.interface import implementer

from chatd.secret_files import given, warn_if_open
from chatd.tls import TLSConfigError, expiry, load_tls, utc_minute

log = Logger()


@implementer(IOpenSSLServerConnectionCreator)
class ReloadableCertificate:
    """The certificate and key every TLS port serves, read from ``certificate_path`` and ``key_path``.

    ``options`` is what ``load_tls`` read from them at start. Each new TLS
    connection is made from the options held when it arrives.
    """

    def __init__(self, certificate_path: str, key_path: str, options: CertificateOptions) -> None:
        self.certificate_path = certificate_path
        self.key_path = key_path
        self.options = options
        """The options new connections are made from: those of start, or of the last reload that was taken."""

    def serverConnectionForTLS(self, tlsProtocol: TLSMemoryBIOProtocol) -> SSL.Connection:  # noqa: N802, N803 - the interface's names
        """A TLS connection for ``tlsProtocol`` with the certificate held now."""
        return self.options.serverConnectionForTLS(tlsProtocol)

    def reload(self, now: float) -> None:
        """Read both files again and serve what they hold from now on, if it can be used at ``now``.

        One info line says the new certificate was taken and when it runs
        out, and a warning follows it if others may read the key (as at
        start: chatd.secret_files); one warning names the option at fault and why (a file missing
        or unreadable, not PEM, a key that is not the certificate's, a
        certificate that ran out before ``now``), and the certificate in
        use stays. Reads two small files on the calling thread.
        """
        kept = utc_minute(expiry(self.options))
        try:
            renewed = load_tls(self.certificate_path, self.key_path)
        except TLSConfigError as error:
            self._refused(error.option, str(error), kept)
            return
        runs_out = expiry(renewed)
        if runs_out < now:
            self._refused("--tls-cert", f"{self.certificate_path} expired on {utc_minute(runs_out)}", kept)
            return
        self.options = renewed
        log.info(
            "--tls-cert {path} read again: new TLS connections get its certificate, which runs out on {when}",
            path=self.certificate_path,
            when=utc_minute(runs_out),
            expiry=runs_out,
        )
        # A renewal writes the key anew, with whatever mode its tool or the umask gives: warned of as at start.
        warn_if_open([given("tls-key", self.key_path)])

    def _refused(self, option: str, why: str, kept: str) -> None:
        """Warn that the files read again were not taken, naming ``option`` and ``why``; ``kept`` is when the
        certificate still in use runs out."""
        log.warn(
            "{option} not taken on SIGHUP: {why}; new TLS connections still get the certificate that runs out on "
            "{kept}",
            option=option,
            why=why,
            kept=kept,
        )


class ReloadOnHangup(Service):
    """While running, SIGHUP has ``certificate`` read again (``ReloadableCertificate.reload``) on ``reactor``.

    The signal handler only schedules the reload (``callFromThread``, safe
    in a handler, as twistd's own SIGUSR1 log rotation does): the files are
    read in the reactor's next pass, not inside the handler. A handler
    already set for SIGHUP (a ``--logger`` of the host's, say) is called
    after it, and put back at stop.
    """

    def __init__(self, certificate: ReloadableCertificate, reactor: Any) -> None:
        self._certificate = certificate
        self._reactor = reactor
        self._previous: Callable[[int, FrameType | None], Any] | int | None = None

    @override
    def startService(self) -> None:
        super().startService()
        self._previous = signal.signal(signal.SIGHUP, self._hangup)

    @override
    def stopService(self) -> None:
        super().stopService()
        # None: the handler before was not set from Python; the default is what it was.
        signal.signal(signal.SIGHUP, signal.SIG_DFL if self._previous is None else self._previous)

    def _hangup(self, number: int, frame: FrameType | None) -> None:
        """SIGHUP's handler: reload in the reactor's next pass, then hand the signal to the handler before ours."""
        self._reactor.callFromThread(lambda: self._certificate.reload(self._reactor.seconds()))
        if callable(self._previous):
            self._previous(number, frame)
