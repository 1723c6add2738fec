"""Starting the real daemon: a bad start is one sentence on stderr; chatd.tac takes every option from its variable."""

import os
import pty
import re
import signal
import ssl
import subprocess

from twisted.trial.unittest import SynchronousTestCase
from typing_extensions import override

from chatd import __version__
from tests.certificates import write_self_signed
from tests.e2e.daemon import TAC, Daemon, refused_start
from tests.e2e.lobby import NAME, PROMPT, SHUTDOWN, WELCOME
from tests.helpers import new_folder
from tests.refusals import LOCAL, RefusedStartCase

UNREACHABLE = "192.0.2.1"
"""An address no machine has (TEST-NET-1, RFC 5737): binding to it fails; nothing is ever sent to it."""


class BadStartTests(RefusedStartCase):
    """Each road a refused start takes ends the twistd process with status 1 and one sentence naming the option:
    chatd's options, --console on a terminal, TLS files, a port and a new --db, chatd.tac. The other refusals
    take the same roads through twistd run in the test's process (tests/test_start_refusals.py, PortTests below),
    for a process costs some 0.6 s of CPU in imports to say one sentence."""

    @override
    def assert_refused(
        self,
        arguments: list[str],
        sentence: str,
        env: dict[str, str] | None = None,
        stdin: int = subprocess.DEVNULL,
    ) -> None:
        """twistd ``arguments``, a process, exits 1 having written only ``sentence`` (after "chatd: ") to stderr."""
        status, out, err = refused_start(self, arguments, env, stdin)
        self.assertEqual((status, err, out), (1, f"chatd: {sentence}\n", ""))

    def test_busy_port_leaves_no_new_database_or_files_folder(self) -> None:
        """Refused for a busy --port, a start with a new --db removes the file, its pass log and search index and
        the files folder it made beside it; what the folder held before stays."""
        port = self.busy_port()
        before = sorted(os.listdir(self.directory))
        self.assert_refused(
            self.chatd(
                "--port",
                str(port),
                "--interface",
                "127.0.0.1",
                "--db",
                os.path.join(self.directory, "new.sqlite"),
            ),
            f"--port {port} is in use by another program; stop it or choose another --port.",
        )
        self.assertEqual(sorted(os.listdir(self.directory)), before)

    def test_port_not_a_number(self) -> None:
        """--port abc is refused by name, without twistd's usage."""
        self.assert_refused(self.chatd("--port", "abc"), "--port must be a whole number, not 'abc'.")

    def test_console_nick_longer_than_max_nick(self) -> None:
        """On a terminal, --console with a --console-nick (here the default, host) the console could not take under
        --max-nick is named, with the fix."""
        terminal, slave = pty.openpty()
        self.addCleanup(os.close, terminal)
        self.addCleanup(os.close, slave)
        self.assert_refused(
            self.chatd(*LOCAL, "--console", "--max-nick", "3"),
            "--console-nick: 'host' is not a valid nickname: a nickname is at most 3 characters; "
            "give a shorter name or a larger --max-nick.",
            stdin=slave,
        )

    def test_key_of_another_certificate(self) -> None:
        """A --tls-key made for another certificate is named."""
        _, other = write_self_signed(self.directory, "other")
        self.assert_refused(
            self.chatd("--tls-port", "0", "--tls-cert", self.certificate, "--tls-key", other),
            f"--tls-key: the key in {other} does not belong to the certificate in {self.certificate}; "
            "give the key the certificate was made with.",
        )

    def test_tac_busy_port(self) -> None:
        """chatd.tac stops with the same sentence as the plugin for a busy port."""
        port = self.busy_port()
        self.assert_refused(
            ["-y", TAC],
            f"--port {port} is in use by another program; stop it or choose another --port.",
            {"CHATD_PORT": str(port), "CHATD_INTERFACE": "127.0.0.1"},
        )


class PortTests(RefusedStartCase):
    """A port or --listen endpoint that cannot be bound, or an --interface this machine lacks, stops twistd in one
    sentence naming the option: twistd run in the test's process (tests.refusals), binding real sockets."""

    def test_busy_port(self) -> None:
        """A --port another program holds is named, with what to do."""
        port = self.busy_port()
        self.assert_refused(
            self.chatd("--port", str(port), "--interface", "127.0.0.1"),
            f"--port {port} is in use by another program; stop it or choose another --port.",
        )

    def test_busy_tls_port(self) -> None:
        """A busy --tls-port is named as such, not as --port."""
        port = self.busy_port()
        tls = ["--tls-port", str(port), "--tls-cert", self.certificate, "--tls-key", self.key]
        self.assert_refused(
            self.chatd("--port", "0", "--interface", "127.0.0.1", *tls),
            f"--tls-port {port} is in use by another program; stop it or choose another --tls-port.",
        )

    def test_a_listen_endpoint_that_cannot_listen_is_named_as_given(self) -> None:
        """A --listen of any front end on a port in use, on an interface that is no IP address or not this
        machine's, or in a folder that does not exist, is named as the host gave it, with why: it was "a --listen
        endpoint", naming none of several."""
        port = self.busy_port()
        missing = os.path.join(self.directory, "missing", "chatd.sock")
        for listen, wrong in (
            (
                f"irc:tcp:{port}:interface=127.0.0.1",
                f": port {port} is in use by another program; stop it or choose another port.",
            ),
            (
                "web:tcp:0:interface=nosuch",
                ": the interface nosuch is not an IP address; give one this machine has.",
            ),
            (
                f"tcp:0:interface={UNREACHABLE}",
                f": {UNREACHABLE} is not an address of this machine; give one it has.",
            ),
            (f"unix:{missing}", " cannot listen (No such file or directory); change it."),
        ):
            self.assert_refused(self.chatd(*LOCAL, "--listen", listen), f"--listen {listen!r}{wrong}")

    def test_interface_the_machine_lacks(self) -> None:
        """An --interface that is not one of this machine's addresses is named."""
        self.assert_refused(
            self.chatd("--port", "0", "--interface", UNREACHABLE),
            f"--interface {UNREACHABLE} is not an address of this machine; give one it has, or :: for every interface.",
        )


class VersionTests(SynchronousTestCase):
    def test_version_names_chatd_and_twisted(self) -> None:
        """twistd chatd --version prints chatd's version, then Twisted's."""
        status, out, err = refused_start(self, ["chatd", "--version"])
        self.assertEqual((status, err), (0, ""))
        self.assertRegex(out, rf"\Achatd {re.escape(__version__)}\nTwisted \d+\.\d+\.\d+.*\n\Z")


class TacEnvironmentTests(SynchronousTestCase):
    """twistd -ny chatd.tac configured only by CHATD_* variables."""

    def test_limit_and_tls_from_the_environment(self) -> None:
        """CHATD_MAX_PER_IP and CHATD_TLS_* reach the daemon: TLS is served, the limit enforced."""
        directory = new_folder(self)
        certificate, key = write_self_signed(directory)
        env = {
            "CHATD_PORT": "0",
            "CHATD_INTERFACE": "127.0.0.1",
            "CHATD_NAME": NAME,
            "CHATD_MAX_PER_IP": "1",
            "CHATD_TLS_PORT": "0",
            "CHATD_TLS_CERT": certificate,
            "CHATD_TLS_KEY": key,
        }
        daemon = Daemon.start(self, ["-y", TAC], env=env, listeners=2)
        tls_port = daemon.addresses[1][1]
        secure = daemon.connect(port=tls_port)
        context = ssl.create_default_context(cafile=certificate)
        secure.socket = context.wrap_socket(secure.socket, server_hostname="localhost")
        self.addCleanup(secure.socket.close)
        secure.expect(WELCOME, PROMPT)
        second = daemon.connect()
        self.assertEqual(
            second.read_to_end(),
            b"ERR too-many-connections at most 1 connection from one address; close one first\r\n",
        )
        self.assertEqual(daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        self.assertEqual(secure.read_to_end(), SHUTDOWN)

    def test_console_through_the_tac(self) -> None:
        """CHATD_CONSOLE=1 with twistd -ny chatd.tac reads the daemon's terminal as the host."""
        terminal, slave = pty.openpty()
        self.addCleanup(os.close, terminal)
        env = {"CHATD_PORT": "0", "CHATD_INTERFACE": "127.0.0.1", "CHATD_NAME": NAME, "CHATD_CONSOLE": "1"}
        try:
            daemon = Daemon.start(self, ["-y", TAC], env=env, stdin=slave)
        finally:
            os.close(slave)
        daemon.wait_for_log(re.compile(rb"^\*\*\* In #lobby \(1\): host\r$"))
        alice = daemon.connect()
        alice.expect(WELCOME, PROMPT)
        alice.say("alice")
        alice.expect("*** You are alice.")
        alice.expect_stamped("#lobby -- alice joined")
        alice.expect("*** In #lobby (2): host alice")
        os.write(terminal, b"hello from the host\n")
        alice.expect_stamped("#lobby <host> hello from the host")
