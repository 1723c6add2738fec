"""How the client reaches the server, and why it could not, in one plain sentence.

``connect_to`` builds the endpoint for the command line: plain TCP, or TLS
that checks the certificate and the name with Twisted's own
``optionsForClientTLS``. ``Server`` says which machine answered, and
turns each way of failing into words a person can act on (a refused
connection, a certificate for another name, ``--tls`` against the plain
port, the web or IRC port by mistake), never a Python repr. Over TLS,
reaching the server means finishing the handshake: a connection that
ends before it was never a session, so it is not "lost"; nor is one
whose other end turns out not to speak chatd's line protocol.
"""

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from OpenSSL import SSL
from service_identity import VerificationError
from twisted.internet import error
from twisted.internet.endpoints import HostnameEndpoint, wrapClientTLS
from twisted.internet.interfaces import IAddress, IOpenSSLClientConnectionCreator, IStreamClientEndpoint
from twisted.internet.ssl import Certificate, CertificateOptions, optionsForClientTLS, platformTrust
from twisted.protocols.tls import TLSMemoryBIOProtocol
from twisted.python.failure import Failure
from zope.interface import implementer

from chatd.text import whole_number

CONNECT_TIMEOUT_SECONDS = 10
"""How long one connection attempt may take before it counts as failed."""

GREETING_SECONDS = 5
"""How long the server may take to send its first line: chatd greets the moment it connects, while a web or
IRC port waits for the client to speak HTTP or IRC, so a connection silent this long is no chatd."""

_ANSWER_SHOWN = 60
"""Characters shown of the first line of a server that is no chatd, enough to tell HTTP or IRC."""

_REASONS = (
    (error.ConnectionRefusedError, "connection refused"),
    (error.TimeoutError, "timed out"),
    (error.DNSLookupError, "no such host"),
    (error.ConnectionDone, "connection closed"),
    (error.ConnectionLost, "connection lost"),
)

_NOT_TLS = frozenset({"wrong version number", "packet length too long", "http request", "unknown protocol"})
"""OpenSSL's reasons when the first bytes back are no TLS record: a plain-text server answered."""


def _no_names() -> Sequence[str]:
    return ()


class NotChatdError(Exception):
    """The other end of a connection is no chatd line port (its web or IRC port, another server).

    ``answer`` is the first line it sent, or None if it sent none in
    ``GREETING_SECONDS``.
    """

    def __init__(self, answer: str | None) -> None:
        super().__init__(answer)
        self.answer = answer


class SilentError(Exception):
    """A port that greeted as chatd on an earlier connection sent nothing in ``GREETING_SECONDS`` on this one: a
    chatd too busy to answer, or a load balancer holding the connection while its chatd is away; not the web or IRC
    port named by mistake, as the same silence on a first connection may be (``NotChatdError``)."""


class UnheardError(Exception):
    """The other end closed a connection before its first line: a load balancer that accepts while its chatd is
    away, or a server gone as it was reached. ``reason`` is how the connection ended.

    An attempt that failed, said in one line with the pause before the
    next, not a server lost: "Connected", "Lost the server" and
    "Reconnecting" at every attempt said three times over that nothing was
    reached.
    """

    def __init__(self, reason: Failure) -> None:
        super().__init__(reason)
        self.reason = reason


def wrong_host(host: str, named: str = "HOST", apart: str = "{name} {port}") -> str | None:
    """Why ``host``, as given, names no host (None if it may): HOST:PORT, as a browser's address writes them, with
    the two arguments to give instead. A host name has no colon; an IPv6 address, colons and all, is a host.

    ``named`` is where the host was given (the argument, or the config
    file's key) and ``apart`` how to give its two parts there, a template
    of ``{name}`` and ``{port}``.
    """
    if ":" not in host:
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        name, colon, port = host.removeprefix("[").rpartition("]:" if host.startswith("[") else ":")
        fix = (
            f": give the port apart, as {apart.format(name=name, port=port)}"
            if colon and name and whole_number(port)
            else ""
        )
        return f"{named} is a name or an address, not {host!r}{fix}."
    return None


def speaks_chatd(first: str) -> bool:
    """Whether ``first``, the first line a server sent, is one chatd's line port starts with (docs/PROTOCOL.md).

    The welcome is a notice; a refusal on connect is an ``ERR`` line; a
    JSON object is what a program's ``/format json`` gets.
    """
    return first.startswith(("*** ", "ERR ", "{"))


@dataclass(frozen=True, slots=True)
class Server:
    """The server as the user named it, and the names on the certificate it last presented (over TLS)."""

    host: str
    port: int
    certificate_names: Callable[[], Sequence[str]] = field(default=_no_names, compare=False)

    def __str__(self) -> str:
        return f"{self.host} port {self.port}"

    def connected(self, peer: IAddress) -> str:
        """That a connection to ``peer`` is up: its address too when a name was given, so the user knows which
        machine answered."""
        address = getattr(peer, "host", str(peer))
        return f"Connected to {self}." if self.host == address else f"Connected to {self} ({address})."

    def unreachable(self, failure: Failure) -> str:
        """Why a connection attempt (the TCP connection, or over TLS its handshake) failed."""
        if failure.check(VerificationError):
            names = ", ".join(self.certificate_names())
            if names:
                return f"The certificate of {self} is for {names}, not {self.host}."
            return f"The certificate of {self} is not for {self.host}."
        if failure.check(SSL.Error):
            reasons = _ssl_reasons(failure.value)
            if reasons & _NOT_TLS:
                return f"{self} does not speak TLS: is it the plain port?"
            if "certificate verify failed" in reasons:
                return f"The certificate of {self} is not signed by a CA you trust (see --cafile), or has expired."
            return f"TLS with {self} failed ({', '.join(sorted(reasons)) or failure.getErrorMessage()})."
        if failure.check(SilentError):
            return (
                f"{self} sent no greeting in {GREETING_SECONDS} s, where chatd answered before: it may be busy, "
                "or away behind a load balancer."
            )
        if isinstance(failure.value, UnheardError):
            return f"{self} ended the connection before chatd spoke ({_words(failure.value.reason)})."
        if isinstance(failure.value, NotChatdError):
            return f"{self} does not speak chatd's line protocol ({_answered(failure.value.answer)}): is it the web or IRC port?"
        if failure.check(error.ConnectionDone, error.ConnectionLost):
            return f"{self} closed the connection before the TLS handshake was done."
        return f"Cannot reach {self} ({_words(failure)})."

    def lost(self, failure: Failure) -> str:
        """Why a connection that was up ended."""
        return f"Lost the server at {self} ({_words(failure)})."


def _answered(answer: str | None) -> str:
    """What a server that is no chatd said first, cut short: ``it answered "HTTP/1.1 400 Bad Request"``."""
    if answer is None:
        return f"no greeting in {GREETING_SECONDS} s"
    shown = answer if len(answer) <= _ANSWER_SHOWN else answer[:_ANSWER_SHOWN] + "..."
    return f'it answered "{shown}"'


def _words(failure: Failure) -> str:
    for kind, words in _REASONS:
        if failure.check(kind):
            return words
    return failure.getErrorMessage()


def _ssl_reasons(value: BaseException | None) -> set[str]:
    """The reason strings of an OpenSSL error: its args are a list of (library, function, reason)."""
    args = value.args if value is not None else ()
    found = args[0] if args and isinstance(args[0], list) else []
    return {entry[2] for entry in found if isinstance(entry, tuple) and len(entry) == 3}


@implementer(IOpenSSLClientConnectionCreator)
class NamedCheck:
    """Twisted's checked client TLS, keeping the last connection so a failed name check can say whose it was.

    Twisted checks the name inside the handshake and reports only that it
    did not match; the certificate is still on the OpenSSL connection.
    """

    def __init__(self, creator: IOpenSSLClientConnectionCreator) -> None:
        self._creator = creator
        self._last: SSL.Connection | None = None

    def clientConnectionForTLS(self, tlsProtocol: TLSMemoryBIOProtocol) -> SSL.Connection:  # noqa: N802, N803 - the interface's names
        self._last = self._creator.clientConnectionForTLS(tlsProtocol)
        return self._last

    def names(self) -> Sequence[str]:
        """The DNS names and addresses the last certificate presented is for; none if unknown."""
        chain = self._last.get_peer_cert_chain() if self._last is not None else None
        if not chain:
            return ()
        try:
            extension = (
                chain[0].to_cryptography().extensions.get_extension_for_class(x509.SubjectAlternativeName)
            )
        except (x509.ExtensionNotFound, ValueError):
            return ()
        names = extension.value
        return [
            *names.get_values_for_type(x509.DNSName),
            *map(str, names.get_values_for_type(x509.IPAddress)),
        ]


def connect_to(
    reactor: Any,
    host: str,
    port: int,
    *,
    tls: bool = False,
    cafile: str | None = None,
    insecure: bool = False,
) -> tuple[IStreamClientEndpoint, Server]:
    """The endpoint for plain TCP, or TLS checked against the system's CAs or ``cafile``; and the server it reaches.

    Raises OSError if ``cafile`` cannot be read.
    """
    tcp = HostnameEndpoint(reactor, host, port, timeout=CONNECT_TIMEOUT_SECONDS)
    if not tls:
        return tcp, Server(host, port)
    if insecure:
        return wrapClientTLS(CertificateOptions(), tcp), Server(host, port)
    trust = platformTrust()
    if cafile:
        with open(cafile, "rb") as pem:
            trust = Certificate.loadPEM(pem.read())
    check = NamedCheck(optionsForClientTLS(host, trustRoot=trust))
    return wrapClientTLS(check, tcp), Server(host, port, check.names)
