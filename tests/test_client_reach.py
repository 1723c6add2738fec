"""Why the client could not reach the server, one plain sentence per cause, never a repr."""

from OpenSSL import SSL
from service_identity import VerificationError
from service_identity.exceptions import DNSMismatch
from service_identity.hazmat import DNS_ID
from twisted.internet import error
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from chatd.client.reach import NotChatdError, Server, speaks_chatd


def ssl_error(*reasons: str) -> Failure:
    return Failure(SSL.Error([("SSL routines", "", reason) for reason in reasons]))


MISMATCH = Failure(VerificationError(errors=[DNSMismatch(DNS_ID("localhost"))]))


class UnreachableTests(SynchronousTestCase):
    """Each way an attempt fails is said so a person knows what to change."""

    server = Server("localhost", 5000)

    def test_name_mismatch_names_the_certificate(self) -> None:
        """The names the certificate is for are said, when known."""
        named = Server("localhost", 5000, lambda: ["other.name", "192.0.2.7"])
        self.assertEqual(
            named.unreachable(MISMATCH),
            "The certificate of localhost port 5000 is for other.name, 192.0.2.7, not localhost.",
        )
        self.assertEqual(
            self.server.unreachable(MISMATCH), "The certificate of localhost port 5000 is not for localhost."
        )

    def test_plain_port_does_not_speak_tls(self) -> None:
        """A plain-text answer to the TLS hello blames the port, not the certificate."""
        for reason in ("wrong version number", "packet length too long", "http request"):
            self.assertEqual(
                self.server.unreachable(ssl_error(reason)),
                "localhost port 5000 does not speak TLS: is it the plain port?",
            )

    def test_untrusted_certificate(self) -> None:
        """A certificate no trusted CA signed points to --cafile."""
        self.assertEqual(
            self.server.unreachable(ssl_error("certificate verify failed")),
            "The certificate of localhost port 5000 is not signed by a CA you trust (see --cafile), or has expired.",
        )

    def test_other_tls_failure_gives_openssls_reasons(self) -> None:
        """Any other TLS failure says OpenSSL's reasons in words."""
        self.assertEqual(
            self.server.unreachable(ssl_error("no protocols available")),
            "TLS with localhost port 5000 failed (no protocols available).",
        )

    def test_closed_before_handshake(self) -> None:
        """A server that closes during the handshake is said to have done so."""
        self.assertEqual(
            self.server.unreachable(Failure(error.ConnectionDone())),
            "localhost port 5000 closed the connection before the TLS handshake was done.",
        )

    def test_a_port_that_speaks_no_chatd(self) -> None:
        """A web or IRC port is named as a likely mistake, with what it answered (cut short) or its silence."""
        for answer, said in (
            ("HTTP/1.1 400 Bad Request", 'it answered "HTTP/1.1 400 Bad Request"'),
            ("x" * 61, f'it answered "{"x" * 60}..."'),
            (None, "no greeting in 5 s"),
        ):
            self.assertEqual(
                self.server.unreachable(Failure(NotChatdError(answer))),
                f"localhost port 5000 does not speak chatd's line protocol ({said}): is it the web or IRC port?",
            )

    def test_chatds_first_lines(self) -> None:
        """chatd's line port starts with a notice, a refusal on connect, or (after /format json) an object."""
        for first, chatd in (
            ("*** Welcome to chatd 0.1.0 on e2e. Type /help for help.", True),
            ("ERR server-full the server is full", True),
            ('{"type":"notice"}', True),
            ("HTTP/1.1 400 Bad Request", False),
            (":e2e FAIL * INVALID_MESSAGE :That line is not an IRC message", False),
            ("", False),
        ):
            self.assertEqual(speaks_chatd(first), chatd, first)

    def test_tcp_failures(self) -> None:
        """Refused, timed out, unknown host: the few words a person expects."""
        for failure, words in (
            (error.ConnectionRefusedError(), "connection refused"),
            (error.TimeoutError(), "timed out"),
            (error.DNSLookupError(), "no such host"),
        ):
            self.assertEqual(
                self.server.unreachable(Failure(failure)), f"Cannot reach localhost port 5000 ({words})."
            )

    def test_lost(self) -> None:
        """A server lost after a session says why in a few words."""
        self.assertEqual(
            self.server.lost(Failure(error.ConnectionLost())),
            "Lost the server at localhost port 5000 (connection lost).",
        )
