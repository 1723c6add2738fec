"""``python -m chatd.client --identify`` against the real daemon: the password from a file, the private
messages kept while away drawn with their dates, and the config file."""

import os
import subprocess

from tests.e2e.daemon import DEADLINE_SECONDS
from tests.e2e.test_accounts import PASSWORD
from tests.e2e.test_client import client_command
from tests.e2e.test_offline import OfflineTestCase


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

    def test_identify_without_a_password_file_on_a_pipe_is_one_sentence(self) -> None:
        """No terminal to ask on and no file: exit 2 naming the option, and nothing sent."""
        out, err, status = self.run_client("--nick", "alice", "--identify")
        self.assertEqual((out, status), ("", 2))
        self.assertIn("chatd.client: --identify needs --password-file when stdin is not a terminal.", err)
