"""twistd finds the chatd plugin and shows its options, run from outside the checkout."""

import os
import subprocess

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import DEADLINE_SECONDS, TWISTD
from tests.helpers import new_folder

OPTIONS = [
    (None, "--port"),
    ("-i", "--interface"),
    (None, "--listen"),
    ("-m", "--motd"),
    (None, "--default-room"),
    (None, "--server-name"),
    (None, "--name"),
]
"""Every chatd option, with its short form where it has one: none of twistd's letters (-n, -p, -r...)."""


class PluginTests(SynchronousTestCase):
    """The plugin as twistd shows it to someone choosing a command."""

    def twistd(self, *arguments: str) -> str:
        """What ``twistd *arguments`` prints, run in an empty directory; fails unless it exits 0.

        The empty directory keeps the checkout off ``sys.path``, so the
        plugin is found through the installed package, as a user's is.
        """
        cwd = new_folder(self)
        environment = {name: value for name, value in os.environ.items() if not name.startswith("CHATD_")}
        result = subprocess.run(
            [TWISTD, *arguments],
            cwd=cwd,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=DEADLINE_SECONDS,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def test_twistd_help_lists_chatd_command(self) -> None:
        """twistd --help lists chatd among its commands, with its one-line description."""
        _, heading, commands = self.twistd("--help").partition("\nCommands:\n")
        self.assertTrue(heading, "no Commands: section")
        self.assertRegex(commands, r"(?m)^ +chatd +A chat daemon with rooms and nicknames\.$")

    def test_chatd_help_documents_every_option(self) -> None:
        """twistd chatd --help shows each option, with its short form, followed by its help text."""
        shown = self.twistd("chatd", "--help")
        self.assertIn("Usage: twistd [options] chatd [options]", shown)
        for short, long in OPTIONS:
            flags = f"{short}, {long}=" if short else f"    {long}="
            self.assertRegex(shown, rf"(?m)^  {flags} +\w", f"{long} is not documented")

    def test_chatd_help_shows_defaults(self) -> None:
        """twistd chatd --help states the default interface and room."""
        shown = " ".join(self.twistd("chatd", "--help").split())
        self.assertIn("[default: ::]", shown)
        self.assertIn("[default: #lobby]", shown)
        self.assertIn("(default: 5000, or none when a --listen other than web: or irc: is given)", shown)
