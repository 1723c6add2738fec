"""The server's TLS settings, loaded and checked before anything listens.

A host who mistypes a path, swaps the certificate and the key, or gives a
key that does not match the certificate should hear so in one sentence at
start, not meet a handshake failure when the first user connects.
"""

import re
import time
from typing import Literal

from OpenSSL import SSL, crypto
from twisted.internet.error import VerifyError
from twisted.internet.ssl import Certificate, CertificateOptions, KeyPair, PrivateCertificate
from twisted.logger import Logger

log = Logger()

_PEM_CERTIFICATE = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


class TLSConfigError(ValueError):
    """The certificate or key cannot be used; the message says why, in a sentence.

    ``about`` says which is at fault: "certificate", "key", or "pair" (each
    loads, but the key is not the certificate's); ``option`` names the
    option to fix, for the start's refusal and a reload's warning alike.
    """

    def __init__(self, message: str, about: Literal["certificate", "key", "pair"]) -> None:
        super().__init__(message)
        self.about = about
        self.option = "--tls-cert" if about == "certificate" else "--tls-key"


def load_tls(certificate_path: str, key_path: str) -> CertificateOptions:
    """TLS options for a PEM certificate, with any chain after it, and its PEM private key; a client that offers
    ALPN protocols is served with none agreed, as one that offers none.

    Raises TLSConfigError when a file cannot be read or parsed, or the key
    does not belong to the (first) certificate.
    """
    blocks = _PEM_CERTIFICATE.findall(_read(certificate_path, "certificate"))
    key_pem = _read(key_path, "key")
    try:
        key = KeyPair.load(key_pem, crypto.FILETYPE_PEM)
    except crypto.Error:
        raise TLSConfigError(f"{key_path} holds no PEM private key", "key") from None
    try:
        certificate = PrivateCertificate.load(blocks[0], key, crypto.FILETYPE_PEM)
        chain = [Certificate.loadPEM(block).original for block in blocks[1:]]
    except (IndexError, crypto.Error):
        raise TLSConfigError(f"{certificate_path} holds no PEM certificate", "certificate") from None
    except VerifyError:
        raise TLSConfigError(
            f"the key in {key_path} does not belong to the certificate in {certificate_path}", "pair"
        ) from None
    options = CertificateOptions(
        privateKey=key.original, certificate=certificate.original, extraCertChain=chain
    )
    # Twisted (26.10) answers ALPN on every server context, and with no protocol in common (none of chatd's
    # ports names one) picks the empty one, which OpenSSL turns into a fatal "internal error" alert: every
    # browser, curl and many IRC clients offer ALPN and got no further. The context is made once and kept
    # (getContext), so agreeing on none here holds for every connection: the client goes on without ALPN.
    options.getContext().set_alpn_select_callback(lambda connection, offered: SSL.NO_OVERLAPPING_PROTOCOLS)
    return options


def _read(path: str, what: Literal["certificate", "key"]) -> bytes:
    try:
        with open(path, "rb") as pem:
            return pem.read()
    except OSError as error:
        raise TLSConfigError(f"cannot read the {what} {path}: {error.strerror}", what) from None


def expiry(options: CertificateOptions) -> float:
    """When the certificate of ``options`` (``load_tls``'s) runs out, in seconds since the epoch."""
    certificate = options.certificate
    assert certificate is not None, "load_tls gives a certificate"
    return certificate.to_cryptography().not_valid_after_utc.timestamp()


def utc_minute(seconds: float) -> str:
    """``seconds`` since the epoch as the log says when a certificate runs out: ``2026-12-06 02:42 UTC``."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))


def warn_if_expired(options: CertificateOptions, path: str, now: float) -> None:
    """Log a warning if the certificate of ``options``, read from ``--tls-cert path``, expired before ``now``.

    The start goes on: the plain port serves as ever, and a host who
    restarts with a certificate that ran out while the daemon was down
    reads why TLS clients now refuse it (a client only says it cannot
    trust it) and what to do: a renewed one is read on SIGHUP
    (chatd.tls_reload), no restart needed.
    """
    runs_out = expiry(options)
    if runs_out < now:
        log.warn(
            "--tls-cert {path} expired on {when}, and TLS clients refuse it; renew it and send chatd SIGHUP",
            path=path,
            when=utc_minute(runs_out),
            expiry=runs_out,
        )
