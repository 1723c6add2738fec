"""``python -m chatd.client --identify`` against the real daemon, piped and on a terminal: the password from a
file, the private messages kept while away drawn with their dates, and the config file; the password of a
``/register`` typed on the terminal, kept in memory across a restart of the daemon; and against a loopback
server that is no chatd, which must never read the password."""

import os
import signal
import socket
import subprocess

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import DEADLINE_SECONDS, Daemon
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_accounts import PASSWORD
from tests.e2e.test_client import Terminal, answer_once, client_command, read_until
from tests.e2e.test_offline import OfflineTestCase
from tests.helpers import new_database, new_folder, refuse_on_accounts


class IdentifyingClientTests(OfflineTestCase):
    """A daemon with --db; alice registered, then left, and bob sent her a message meanwhile."""

    def setUp(self) -> None:
        super().setUp()
        self.bob = self.write_to_absent_alice("lunch at noon?")
        self.password_file = os.path.join(self.directory, "password")
        with open(self.password_file, "w") as file:
            file.write(PASSWORD + "\n")

    def run_client(self, *arguments: str, env: dict[str, str] | None = None) -> tuple[str, str, int]:
        """The client piped, saying one line, with ``arguments``; its output, errors and exit status."""
        client = subprocess.Popen(
            [*client_command(self.daemon.port), *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.addCleanup(client.kill)
        out, err = client.communicate(b"thanks bob\n", timeout=DEADLINE_SECONDS)
        return out.decode("utf-8"), err.decode("utf-8"), client.returncode

    def test_identify_with_a_password_file_shows_the_kept_message_then_talks(self) -> None:
        """Identified as alice, the kept message is drawn as history (|); her line reaches bob as alice's."""
        out, err, status = self.run_client(
            "--nick", "alice", "--identify", "--password-file", self.password_file
        )
        self.assertEqual(status, 0, err)
        self.assertIn("You are identified as alice.", out)
        self.assertRegex(out, r"\d\d:\d\d \| <bob -> alice> lunch at noon\?\n")
        self.assertIn("sent to you while you were offline", out)
        self.assertNotIn(PASSWORD, out + err)
        self.until(self.bob, "#lobby <alice> thanks bob")

    def test_identify_on_a_terminal_shows_the_kept_message_then_talks(self) -> None:
        """On a terminal too, the password file identifies alice: the kept message, then her line reaches bob."""
        terminal = Terminal(
            self, self.daemon.port, "--nick", "alice", "--identify", "--password-file", self.password_file
        )
        terminal.wait_for("the identification", terminal.shows("* You are identified as alice."))
        terminal.wait_for("the kept message", terminal.shows("| <bob -> alice> lunch at noon?"))
        terminal.wait_for("#lobby", terminal.prompt_is("#lobby>"))
        terminal.type(b"thanks bob\r")
        self.until(self.bob, "#lobby <alice> thanks bob")
        self.assertNotIn(PASSWORD.encode(), terminal.output)

    def test_the_config_file_names_the_account_and_its_password_file(self) -> None:
        """nick, identify and password_file from client.toml under $XDG_CONFIG_HOME do what the options do."""
        config = os.path.join(self.directory, "config", "chatd")
        os.makedirs(config)
        with open(os.path.join(config, "client.toml"), "w") as file:
            file.write(f'nick = "alice"\nidentify = true\npassword_file = "{self.password_file}"\n')
        env = {**os.environ, "XDG_CONFIG_HOME": os.path.join(self.directory, "config")}
        out, err, status = self.run_client(env=env)
        self.assertEqual(status, 0, err)
        self.assertIn("You are identified as alice.", out)
        self.until(self.bob, "#lobby <alice> thanks bob")


class NoPasswordFileTests(SynchronousTestCase):
    """A refusal the client makes before it connects: pointed at a loopback port of the test's own, not a daemon,
    whose start, account and kept message it never reaches."""

    def test_identify_without_a_password_file_on_a_pipe_is_one_sentence(self) -> None:
        """No terminal to ask on and no file: exit 2 naming the option, and nothing sent."""
        with socket.create_server(("127.0.0.1", 0)) as listener:
            done = subprocess.run(
                client_command(listener.getsockname()[1], "--nick", "alice", "--identify"),
                input=b"thanks bob\n",
                capture_output=True,
                timeout=DEADLINE_SECONDS,
                check=False,
            )
        out, err, status = done.stdout.decode("utf-8"), done.stderr.decode("utf-8"), done.returncode
        self.assertEqual((out, status), ("", 2))
        self.assertIn("chatd.client: --identify needs --password-file when stdin is not a terminal.", err)


class KeptPasswordTests(SynchronousTestCase):
    """The classroom trial: started with --nick alone, the user registers on the terminal; the daemon restarts."""

    def test_registered_on_the_terminal_the_client_comes_back_identified_to_its_rooms(self) -> None:
        """After the restart the client identifies with the password /register gave, once the server has spoken:
        no nick-registered, no nickname prompt, back in #lobby and #class without typing, talking in #class."""
        kept = ["--db", new_database(self)]
        daemon = Daemon.start(self, [*LOOPBACK, *kept])
        port = daemon.port
        terminal = Terminal(self, port, "--nick", "mrsk", "--no-color")
        terminal.wait_for("#lobby", terminal.prompt_is("#lobby>"))
        terminal.type(f"/register {PASSWORD}\r".encode())
        terminal.wait_for("the registration", terminal.shows("* The nickname mrsk is registered to you"))
        terminal.type(b"/join #class\r")
        terminal.wait_for("#class", terminal.prompt_is("#class>"))

        self.assertEqual(daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        terminal.wait_for("a retry", terminal.shows("~ Reconnecting in"))
        again = Daemon.start(self, [LOOPBACK[0], "--port", str(port), *LOOPBACK[3:], *kept])
        terminal.wait_for("the identification", terminal.shows("* You are identified as mrsk."))
        terminal.wait_for("#class again", terminal.prompt_is("#class>"))
        printed = "\n".join(terminal.above())
        self.assertNotIn("nick-registered", printed)
        self.assertNotIn(PASSWORD, printed)

        student = again.connect()
        student.say("student")
        read_until(student, "*** In #lobby (2): mrsk student")
        student.say("/join #class")
        while not student.read_line().startswith(b"*** In #class (2): "):
            pass
        terminal.type(b"good morning\r")
        while not student.read_line().endswith(b"] #class <mrsk> good morning\r\n"):
            pass
        terminal.type(b"\x03")
        self.assertEqual(terminal.process.wait(DEADLINE_SECONDS), 0)

    def test_an_unregistering_the_file_refused_leaves_the_password_kept(self) -> None:
        """mrsk, registered on the terminal, gives the nickname up on another connection, and the --db file
        refuses it: the terminal is told it was given up, then that it is hers still; after a restart of the
        daemon it identifies with the password as before, no nick-registered."""
        db = new_database(self)
        daemon = Daemon.start(self, [*LOOPBACK, "--db", db])
        port = daemon.port
        terminal = Terminal(self, port, "--nick", "mrsk", "--no-color")
        terminal.wait_for("#lobby", terminal.prompt_is("#lobby>"))
        terminal.type(f"/register {PASSWORD}\r".encode())
        terminal.wait_for("the registration", terminal.shows("* The nickname mrsk is registered to you"))
        other = daemon.connect()
        other.say(f"mrsk {PASSWORD}")
        read_until(other, "*** You are identified as mrsk.")
        refuse_on_accounts(db, "DELETE")
        other.say(f"/unregister {PASSWORD}")
        terminal.wait_for("the giving up", terminal.shows("* The nickname mrsk is no longer registered"))
        terminal.wait_for(
            "its undoing", terminal.shows("* The server could not save giving up the nickname mrsk")
        )

        self.assertEqual(daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        terminal.wait_for("a retry", terminal.shows("~ Reconnecting in"))
        Daemon.start(self, [LOOPBACK[0], "--port", str(port), *LOOPBACK[3:], "--db", db])
        terminal.wait_for("the identification", terminal.shows("* You are identified as mrsk."))
        terminal.wait_for("#lobby again", terminal.prompt_is("#lobby>"))
        self.assertNotIn("nick-registered", "\n".join(terminal.above()))
        terminal.type(b"\x03")
        self.assertEqual(terminal.process.wait(DEADLINE_SECONDS), 0)


class ForeignServerTests(SynchronousTestCase):
    """--identify pointed at a port that is no chatd's line port, played by a plain socket server on loopback."""

    def test_a_server_that_answers_http_or_irc_never_reads_the_password(self) -> None:
        """An HTTP answer to the client's first line, or an IRC notice on connecting: the server reads /format json
        alone, never /identify and the password; the piped client says what answered and exits 1."""
        directory = new_folder(self)
        password_file = os.path.join(directory, "password")
        with open(password_file, "w") as file:
            file.write(PASSWORD + "\n")
        for answer, greets_first in (
            (b"HTTP/1.1 400 Bad Request", False),
            (b":irc.example NOTICE * :*** Looking up your hostname", True),
        ):
            with socket.create_server(("127.0.0.1", 0)) as listener:
                listener.settimeout(DEADLINE_SECONDS)
                port = listener.getsockname()[1]
                client = subprocess.Popen(
                    client_command(port, "--nick", "alice", "--identify", "--password-file", password_file),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
                self.addCleanup(client.kill)
                received = answer_once(listener, [answer], greets_first)
                out, err = client.communicate(timeout=DEADLINE_SECONDS)
            self.assertEqual(received, b"/format json\n")
            self.assertEqual(
                (client.returncode, out, [line[6:] for line in err.decode().splitlines()]),
                (
                    1,
                    b"",
                    [
                        f'~ 127.0.0.1 port {port} does not speak chatd\'s line protocol (it answered "{answer.decode()}"): '
                        "is it the web or IRC port?",
                    ],
                ),
            )
