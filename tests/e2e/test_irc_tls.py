"""IRC over TLS on --irc-tls-port, with the certificate of --tls-cert and --tls-key, on a real daemon."""

import re
import socket
import ssl
import time

from twisted.trial.unittest import SynchronousTestCase

from tests.certificates import write_self_signed
from tests.e2e.daemon import DEADLINE_SECONDS, Daemon
from tests.e2e.lobby import LOOPBACK
from tests.helpers import new_folder

IRCS_AT = re.compile(
    rb"\[chatd\.frontend\.endpoints#info\] chatd IRC at ircs://(?P<host>[^/]+):(?P<port>\d+)/$"
)


class IRCOverTLSTests(SynchronousTestCase):
    def test_client_registers_over_verified_tls(self) -> None:
        """A client that verifies the certificate registers on the TLS port and is welcomed by name."""
        directory = new_folder(self)
        certificate, key = write_self_signed(directory)
        daemon = Daemon.start(
            self,
            [
                *LOOPBACK,
                "--db",
                ":memory:",
                "--irc-tls-port",
                "0",
                "--tls-cert",
                certificate,
                "--tls-key",
                key,
            ],
        )
        port = int(daemon.wait_for_log(IRCS_AT).group("port"))
        context = ssl.create_default_context(cafile=certificate)
        plain = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_SECONDS)
        secure = context.wrap_socket(plain, server_hostname="localhost")
        self.addCleanup(secure.close)
        secure.sendall(b"NICK tlsuser\r\nUSER t 0 * :TLS user\r\n")
        received = b""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while b" 001 " not in received and time.monotonic() < deadline:
            data = secure.recv(4096)
            if not data:
                break
            received += data
        self.assertIn(b" 001 tlsuser :Welcome to the chatd IRC network, tlsuser!tlsuser@chatd\r\n", received)
