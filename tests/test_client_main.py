"""The client's command line."""

import io
import sys

from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from chatd.client.__main__ import EXIT_USAGE, Options, main, wants_colour


class OptionsTests(SynchronousTestCase):
    """HOST, PORT, --nick and --no-color, with the documented defaults."""

    def parse(self, *arguments: str) -> Options:
        options = Options()
        options.parseOptions(list(arguments))
        return options

    def test_defaults(self) -> None:
        """With no arguments: localhost, port 5000, no nickname, colour allowed."""
        options = self.parse()
        self.assertEqual(
            (options["host"], options["port"], options["nick"], options["no-color"]),
            ("localhost", 5000, None, 0),
        )

    def test_host_port_nick_no_color(self) -> None:
        """Each argument lands where it belongs."""
        options = self.parse("chat.example", "6000", "--nick", "alice", "--no-color")
        self.assertEqual(
            (options["host"], options["port"], options["nick"], options["no-color"]),
            ("chat.example", 6000, "alice", 1),
        )

    def test_bad_port_refused(self) -> None:
        """A port that is not 1 to 65535 is a usage error saying so."""
        for port in ("0", "65536", "http", "+1"):
            with self.assertRaises(usage.UsageError) as raised:
                self.parse("localhost", port)
            self.assertIn("PORT is a number from 1 to 65535", str(raised.exception))

    def test_help_documents_the_client(self) -> None:
        """--help names the arguments, the options, the keys and the two modes."""
        shown = str(Options())
        for words in (
            "[HOST [PORT]]",
            "--nick",
            "--no-color",
            "NO_COLOR",
            "Ctrl-C",
            "/quit",
            "retries",
            "stdin",
        ):
            self.assertIn(words, shown)

    def test_usage_error_exit_status(self) -> None:
        """A usage error is explained on stderr with exit status 2, before any connection."""
        errors = io.StringIO()
        self.patch(sys, "stderr", errors)
        self.assertEqual(main(["a", "b", "c"]), EXIT_USAGE)
        self.assertIn("chatd.client: Wrong number of arguments.", errors.getvalue())


class ColourTests(SynchronousTestCase):
    """Colour is for terminals, and off when the user says so either way."""

    def test_colour_rules(self) -> None:
        """On a terminal colour is on, unless --no-color or NO_COLOR (non-empty); never when piped."""
        self.assertTrue(wants_colour(True, False, {}))
        self.assertTrue(wants_colour(True, False, {"NO_COLOR": ""}))
        self.assertFalse(wants_colour(True, False, {"NO_COLOR": "1"}))
        self.assertFalse(wants_colour(True, True, {}))
        self.assertFalse(wants_colour(False, False, {}))
