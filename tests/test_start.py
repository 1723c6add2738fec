"""The sentences a start that cannot go ahead ends with."""

import errno
import os
import socket

from twisted.internet.error import CannotListenError
from twisted.trial.unittest import SynchronousTestCase

from chatd.start import StartError, cannot_listen, in_units, listen_refused

PORTS = {"--port": 5000, "--tls-port": 6697}


def refused(code: int, interface: str = "::", port: int = 5000) -> CannotListenError:
    return CannotListenError(interface, port, OSError(code, os.strerror(code)))


class CannotListenTests(SynchronousTestCase):
    def test_each_cause_names_its_option_and_the_fix(self) -> None:
        """In use, privileged, not this machine's: each is told its own way."""
        self.assertEqual(
            cannot_listen(refused(errno.EADDRINUSE, port=6697), PORTS, "::"),
            "--tls-port 6697 is in use by another program; stop it or choose another --tls-port.",
        )
        self.assertEqual(
            cannot_listen(refused(errno.EACCES, port=80), {"--port": 80}, "::"),
            "--port 80 needs root (ports below 1024 are privileged); choose --port 1024 or above.",
        )
        self.assertEqual(
            cannot_listen(refused(errno.EADDRNOTAVAIL, "192.0.2.1"), PORTS, "192.0.2.1"),
            "--interface 192.0.2.1 is not an address of this machine; give one it has, or :: for every interface.",
        )
        unknown = CannotListenError("nohost.invalid", 5000, socket.gaierror(-2, "Name or service not known"))
        self.assertEqual(
            cannot_listen(unknown, PORTS, "nohost.invalid"),
            "--interface nohost.invalid is not an IP address; give one this machine has, or :: for every interface.",
        )

    def test_a_listen_endpoint_is_named_as_given_with_its_cause(self) -> None:
        """In use, privileged, no IP address, not this machine's, or another cause: each names the --listen as the
        host gave it ("a --listen endpoint" left them to guess which of several)."""
        given = "irc:tcp:7000:interface=127.0.0.1"
        self.assertEqual(
            [
                listen_refused(given, cause)
                for cause in (
                    refused(errno.EADDRINUSE, "127.0.0.1", 7000),
                    refused(errno.EACCES, "127.0.0.1", 80),
                    CannotListenError("nosuch", 7000, socket.gaierror(-2, "Name or service not known")),
                    refused(errno.EADDRNOTAVAIL, "192.0.2.1", 7000),
                    refused(errno.EINVAL, "127.0.0.1", 7000),
                    FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT)),
                )
            ],
            [
                f"--listen {given!r}: port 7000 is in use by another program; stop it or choose another port.",
                f"--listen {given!r}: port 80 needs root (ports below 1024 are privileged); choose 1024 or above.",
                f"--listen {given!r}: the interface nosuch is not an IP address; give one this machine has.",
                f"--listen {given!r}: 192.0.2.1 is not an address of this machine; give one it has.",
                f"--listen {given!r} cannot listen on port 7000 (Invalid argument); change it.",
                f"--listen {given!r} cannot listen (No such file or directory); change it.",
            ],
        )

    def test_start_error_is_an_exit_with_one_sentence(self) -> None:
        """A StartError exits with "chatd: " and the sentence, which Python prints alone on stderr."""
        error = StartError("--port must be a whole number, not 'abc'.")
        self.assertIsInstance(error, SystemExit)
        self.assertEqual(error.code, "chatd: --port must be a whole number, not 'abc'.")


class InUnitsTests(SynchronousTestCase):
    def test_a_size_is_said_in_the_largest_unit_that_holds_it_whole(self) -> None:
        """100 MiB, 1 GiB and 2 TiB as such; what no unit holds whole, and nothing, in bytes."""
        self.assertEqual(
            [in_units(amount) for amount in (100 * 1024**2, 1024**3, 2 * 1024**4, 1536, 1000, 0)],
            ["100 MiB", "1 GiB", "2 TiB", "1536 bytes", "1000 bytes", "0 bytes"],
        )
