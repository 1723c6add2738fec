"""The twistd command-line options."""

import io
import os
import shutil
import tempfile

from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from chatd.tap import Options
from tests.helpers import Terminal, quick_hash, under_twistd


def parse(*arguments: str) -> Options:
    options = Options()
    options.parseOptions(list(arguments))
    return options


class OptionsTests(SynchronousTestCase):
    def test_defaults(self) -> None:
        """Defaults: port 5000 on '::', #lobby, no MOTD, the host's name."""
        options = parse()
        self.assertEqual(
            (
                options["port"],
                options["interface"],
                options["default-room"],
                options["motd"],
                options["listen"],
            ),
            (5000, "::", "#lobby", "", []),
        )
        self.assertTrue(options["name"])

    def test_listen_is_repeatable_and_drops_default_port(self) -> None:
        """Each --listen adds an endpoint; alone they replace the default port."""
        options = parse("--listen", "tcp:1", "--listen", "tcp:2")
        self.assertEqual((options["port"], options["listen"]), (None, ["tcp:1", "tcp:2"]))

    def test_listen_must_be_an_endpoint(self) -> None:
        """A --listen Twisted cannot parse is refused at start with one sentence."""
        error = self.assertRaises(usage.UsageError, parse, "--listen", "bogus:1")
        self.assertIn("--listen 'bogus:1' is not a Twisted server endpoint", str(error))
        self.assertRaises(usage.UsageError, parse, "--listen", "tcp:0:interface=::1")

    def test_limits_default_to_the_enforcing_classes(self) -> None:
        """Each limit option defaults to what LineLimits, Admission and Limits hold."""
        options = parse()
        self.assertEqual((options["flood-rate"], options["sendq"], options["max-rooms"]), (2.0, 262144, 20))
        self.assertEqual((options["max-connections"], options["max-per-ip"]), (10000, 50))

    def test_limits_must_be_positive(self) -> None:
        """A limit of zero or less is refused, except keepalive 0 (off)."""
        error = self.assertRaises(usage.UsageError, parse, "--flood-rate", "0")
        self.assertEqual(str(error), "--flood-rate must be more than 0, not 0.0.")
        self.assertRaises(usage.UsageError, parse, "--max-per-ip", "-1")
        self.assertEqual(parse("--keepalive", "0")["keepalive"], 0)

    def test_port_must_be_a_port_number(self) -> None:
        """A port outside 0-65535 or not a number is refused with one sentence."""
        error = self.assertRaises(usage.UsageError, parse, "--port", "70000")
        self.assertEqual(str(error), "--port must be 0 to 65535, not 70000.")
        self.assertRaises(usage.UsageError, parse, "--port", "five")

    def test_default_room_must_be_a_room_name(self) -> None:
        """--default-room is checked by the same rules as /join."""
        error = self.assertRaises(usage.UsageError, parse, "--default-room", "lobby")
        self.assertIn("not a valid room name", str(error))
        self.assertEqual(parse("--default-room", "#Main")["default-room"], "#Main")

    def test_motd_from_file(self) -> None:
        """--motd naming a file shows the file's text."""
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        path = os.path.join(directory, "motd.txt")
        with open(path, "w", encoding="utf-8") as motd:
            motd.write("line one\nline two\n")
        self.assertEqual(parse("--motd", path)["motd"], "line one\nline two\n")

    def test_motd_text(self) -> None:
        """--motd that names no file is the text itself."""
        self.assertEqual(parse("--motd", "Be kind")["motd"], "Be kind")

    def test_unreadable_motd_file_is_an_error(self) -> None:
        """A MOTD file that is not UTF-8 stops startup with a clear message."""
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        path = os.path.join(directory, "motd.txt")
        with open(path, "wb") as motd:
            motd.write(b"\xff\xfe bad")
        error = self.assertRaises(usage.UsageError, parse, "--motd", path)
        self.assertIn("--motd: cannot read", str(error))


class OperatorOptionsTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.directory)

    def test_opers_file_is_read_at_start(self) -> None:
        """--opers names a file of NAME HASH lines; its operators' passwords verify."""
        path = os.path.join(self.directory, "opers")
        with open(path, "w", encoding="utf-8") as opers:
            opers.write("boss " + quick_hash("pw") + "\n")
        self.assertTrue(parse("--opers", path)["operators"].verify("boss", "pw"))

    def test_bad_opers_file_stops_the_start_in_one_sentence(self) -> None:
        """A bad line stops the daemon, naming the option, the file and the line."""
        path = os.path.join(self.directory, "opers")
        with open(path, "w", encoding="utf-8") as opers:
            opers.write("boss plaintext-password\n")
        error = self.assertRaises(usage.UsageError, parse, "--opers", path)
        self.assertEqual(
            str(error), f"--opers: {path} line 1: not an Argon2 hash made by python -m chatd.passwd."
        )

    def test_without_opers_file_nobody_becomes_operator_by_password(self) -> None:
        """No --opers: every /oper fails."""
        self.assertFalse(parse()["operators"].verify("boss", "pw"))

    def test_console_needs_twistd_n(self) -> None:
        """--console is refused when twistd would run in the background, or outside twistd."""
        self.patch(Options, "stdin", Terminal())
        error = self.assertRaises(usage.UsageError, under_twistd, "chatd", "--console")
        self.assertEqual(str(error), "--console needs twistd -n: a daemon in the background has no terminal.")
        self.assertRaises(usage.UsageError, parse, "--console")

    def test_console_needs_a_terminal(self) -> None:
        """--console with standard input that is not a terminal is refused."""
        self.patch(Options, "stdin", io.StringIO())
        error = self.assertRaises(usage.UsageError, under_twistd, "-n", "chatd", "--console")
        self.assertEqual(str(error), "--console needs a terminal on standard input.")

    def test_console_under_twistd_n_on_a_terminal(self) -> None:
        """twistd -n chatd --console on a terminal is accepted, with the host called host by default."""
        self.patch(Options, "stdin", Terminal())
        options = under_twistd("-n", "chatd", "--console")
        self.assertEqual((options["console"], options["console-nick"]), (1, "host"))
        self.assertFalse(parse()["console"])

    def test_console_nick_must_be_a_nickname(self) -> None:
        """--console-nick follows the nickname rules."""
        error = self.assertRaises(usage.UsageError, parse, "--console-nick", "the host")
        self.assertIn("--console-nick: 'the host' is not a valid nickname", str(error))
