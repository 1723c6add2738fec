"""The client's command line."""

import io
import os
import sys

from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from chatd.client.__main__ import EXIT_USAGE, Options, main, wants_colour
from tests.helpers import new_folder


class OptionsTests(SynchronousTestCase):
    """HOST, PORT, --nick and --no-color, with the documented defaults."""

    def setUp(self) -> None:
        self.config = new_folder(self)

    def parse(self, *arguments: str) -> Options:
        """``arguments`` parsed, then settled with a config directory that holds what a test wrote there."""
        options = Options()
        options.parseOptions(list(arguments))
        options.settle({"XDG_CONFIG_HOME": self.config})
        return options

    def write_config(self, text: str) -> None:
        os.makedirs(os.path.join(self.config, "chatd"), exist_ok=True)
        with open(os.path.join(self.config, "chatd", "client.toml"), "w") as file:
            file.write(text)

    def test_the_config_file_fills_what_the_command_line_leaves_out(self) -> None:
        """host, port, nick, identify and password_file from client.toml; the command line wins."""
        self.write_config(
            'host = "chat.example"\nport = 6000\nnick = "alice"\nidentify = true\npassword_file = "~/pw"\n'
        )
        options = self.parse("--nick", "bob")
        self.assertEqual(
            (
                options["host"],
                options["port"],
                options["nick"],
                options["identify"],
                options["password-file"],
            ),
            ("chat.example", 6000, "bob", True, "~/pw"),
        )

    def test_the_downloads_folder_comes_from_the_config_file_unless_the_command_line_says(self) -> None:
        """downloads in client.toml, ``~`` expanded; --downloads wins; neither: ~/Downloads/chatd."""
        home = os.path.expanduser("~")
        self.assertEqual(self.parse()["downloads"], os.path.join(home, "Downloads", "chatd"))
        self.write_config('downloads = "~/received"\n')
        self.assertEqual(self.parse()["downloads"], os.path.join(home, "received"))
        self.assertEqual(self.parse("--downloads", "/tmp/elsewhere")["downloads"], "/tmp/elsewhere")
        self.write_config("downloads = 3\n")
        error = self.assertRaises(usage.UsageError, self.parse)
        self.assertIn("downloads in the config file", str(error))

    def test_a_bad_config_file_is_one_sentence(self) -> None:
        """An unknown key, a value of the wrong type, or text that is not TOML: a UsageError naming the file."""
        for text, sentence in (
            (
                "colour = 1\n",
                "says colour, which is none of host, port, nick, identify, password_file, downloads.",
            ),
            ('port = "x"\n', "must be a whole number, not 'x'."),
            ("identify = 1\n", "must be true or false, not 1."),
            ("nick = 1\n", "must be text in quotes, not 1."),
            ("port = \n", "is not TOML"),
        ):
            self.write_config(text)
            error = self.assertRaises(usage.UsageError, self.parse)
            self.assertIn(sentence, str(error))

    def test_a_config_file_of_a_number_past_what_python_reads_or_not_utf_8_is_one_sentence(self) -> None:
        """A port of 5000 digits (tomllib's int() raised ValueError: a traceback) and a file that is not UTF-8
        (UnicodeDecodeError) are each one sentence naming the file."""
        path = os.path.join(self.config, "chatd", "client.toml")
        for body, sentence in (
            (f"port = {'9' * 5000}\n".encode(), f"the config file {path} holds a number too long to read."),
            (b'nick = "caf\xe9"\n', f"the config file {path} is not TOML: TOML is UTF-8 text."),
        ):
            self.write_config("")
            with open(path, "wb") as file:
                file.write(body)
            self.assertEqual(str(self.assertRaises(usage.UsageError, self.parse)), sentence)

    def test_identify_needs_a_nickname(self) -> None:
        """--identify alone: which nickname to prove is not known."""
        error = self.assertRaises(usage.UsageError, self.parse, "--identify")
        self.assertEqual(
            str(error), "--identify needs --nick (or nick in the config file): the nickname to prove."
        )

    def test_a_named_config_file_must_exist(self) -> None:
        """--config of a missing file is refused; the default one may be missing."""
        missing = os.path.join(self.config, "nope.toml")
        error = self.assertRaises(usage.UsageError, self.parse, "--config", missing)
        self.assertEqual(str(error), f"--config {missing} does not exist.")

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
        # A superscript two passes str.isdigit, and int() refused it (a traceback), as 5000 digits.
        for port in ("0", "65536", "http", "+1", "\u00b2", "9" * 5000):
            with self.assertRaises(usage.UsageError) as raised:
                self.parse("localhost", port)
            self.assertIn("PORT is a number from 1 to 65535", str(raised.exception))

    def test_a_host_with_its_port_after_a_colon_is_refused_naming_the_two_arguments(self) -> None:
        """HOST:PORT, as a browser's address writes it, is one sentence saying to give the port apart: taken as a
        host name it could never be reached, and on a terminal the client retried it for ever. An IPv6 address,
        colons and all, is a host."""
        for given, host, port in (
            ("127.0.0.1:5800", "127.0.0.1", "5800"),
            ("chat.example.org:6697", "chat.example.org", "6697"),
            ("[::1]:5000", "::1", "5000"),
        ):
            with self.assertRaises(usage.UsageError) as raised:
                self.parse(given)
            self.assertEqual(
                str(raised.exception),
                f"HOST is a name or an address, not {given!r}: give the port apart, as {host} {port}.",
            )
        self.assertEqual(self.parse("::1", "5000")["host"], "::1")
        self.assertEqual(self.parse("fe80::1%eth0")["host"], "fe80::1%eth0")

    def test_a_config_file_host_with_its_port_after_a_colon_is_refused_naming_the_file_and_the_key(
        self,
    ) -> None:
        """host = "h:5000" in the config file is refused as HOST:PORT is, naming the file and the key, with the
        two keys to write: it was taken as a host name, never reached, and retried for ever on a terminal. An IPv6
        address is a host there too."""
        path = os.path.join(self.config, "chatd", "client.toml")
        for given, fix in (
            ("h:5000", ': give the port apart, as host = "h" and port = 5000'),
            ("[::1]:6000", ': give the port apart, as host = "::1" and port = 6000'),
            ("h:x", ""),
        ):
            self.write_config(f'host = "{given}"\n')
            with self.assertRaises(usage.UsageError) as raised:
                self.parse()
            self.assertEqual(
                str(raised.exception), f"host in {path} is a name or an address, not {given!r}{fix}."
            )
        self.write_config('host = "::1"\n')
        self.assertEqual(self.parse()["host"], "::1")

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

    def test_a_nickname_with_a_space_is_a_usage_error(self) -> None:
        """--nick 'bad name!' is refused before any connection, in words about the nickname."""
        errors = io.StringIO()
        self.patch(sys, "stderr", errors)
        self.assertEqual(main(["--nick", "bad name!", "127.0.0.1", "1"]), EXIT_USAGE)
        self.assertIn("--nick is one word, without spaces, not 'bad name!'", errors.getvalue())

    def test_a_missing_or_wrong_config_file_is_a_usage_error(self) -> None:
        """--config of a file that is not there, or that gives a port as text, is one sentence in the words a user
        writes TOML in, and exit status 2 as every other mistake in how the client was started."""
        missing = os.path.join(self.config, "nope.toml")
        wrong = os.path.join(self.config, "wrong.toml")
        with open(wrong, "w", encoding="utf-8") as file:
            file.write('port = "5000"\n')
        errors = io.StringIO()
        self.patch(sys, "stderr", errors)
        self.assertEqual(main(["--config", missing]), EXIT_USAGE)
        self.assertEqual(main(["--config", wrong]), EXIT_USAGE)
        self.assertEqual(
            errors.getvalue().splitlines(),
            [
                f"chatd.client: --config {missing} does not exist; python -m chatd.client --help lists the options.",
                f"chatd.client: port in the config file {wrong} must be a whole number, not '5000'; "
                "python -m chatd.client --help lists the options.",
            ],
        )
        self.assertEqual(EXIT_USAGE, 2)

    def test_an_unreadable_cafile_is_one_sentence(self) -> None:
        """--cafile of a file that is not there is one sentence naming it and why, ended as the client's others
        are, and exit status 2, before any connection."""
        missing = os.path.join(self.config, "nope.pem")
        errors = io.StringIO()
        self.patch(sys, "stderr", errors)
        self.assertEqual(main(["--tls", "--cafile", missing, "127.0.0.1", "1"]), EXIT_USAGE)
        self.assertEqual(
            errors.getvalue(), f"chatd.client: cannot read --cafile {missing}: No such file or directory.\n"
        )

    def test_usage_error_exit_status(self) -> None:
        """A usage error is explained on stderr with exit status 2, before any connection."""
        errors = io.StringIO()
        self.patch(sys, "stderr", errors)
        self.assertEqual(main(["a", "b", "c"]), EXIT_USAGE)
        self.assertEqual(
            errors.getvalue(),
            "chatd.client: Wrong number of arguments; python -m chatd.client --help lists the options.\n",
        )


class ColourTests(SynchronousTestCase):
    """Colour is for terminals, and off when the user says so either way."""

    def test_colour_rules(self) -> None:
        """On a terminal colour is on, unless --no-color or NO_COLOR (non-empty); never when piped."""
        self.assertTrue(wants_colour(True, False, {}))
        self.assertTrue(wants_colour(True, False, {"NO_COLOR": ""}))
        self.assertFalse(wants_colour(True, False, {"NO_COLOR": "1"}))
        self.assertFalse(wants_colour(True, True, {}))
        self.assertFalse(wants_colour(False, False, {}))
