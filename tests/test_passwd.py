"""python -m chatd.passwd: the operators file line, the password read without arguments."""

import io

from twisted.trial.unittest import SynchronousTestCase

from chatd.opers import Opers
from chatd.passwd import main
from tests.helpers import Terminal


class PasswdTests(SynchronousTestCase):
    def run_main(
        self, name: str, stdin: io.StringIO, answers: list[str] | None = None
    ) -> tuple[int, str, str]:
        stdout, stderr = io.StringIO(), io.StringIO()
        prompts: list[str] = []

        def ask(prompt: str) -> str:
            prompts.append(prompt)
            return (answers or []).pop(0)

        status = main([name], stdin, stdout, stderr, ask)
        self.prompts = prompts
        return status, stdout.getvalue(), stderr.getvalue()

    def test_password_from_standard_input_gives_a_ready_line(self) -> None:
        """With a pipe on standard input, its first line is the password; the output is NAME HASH."""
        status, out, err = self.run_main("boss", io.StringIO("s3cret pass\r\nignored\n"))
        self.assertEqual((status, err), (0, ""))
        name, hashed = out.rstrip("\n").split(" ")
        self.assertEqual(name, "boss")
        self.assertTrue(Opers({name: hashed}).verify("boss", "s3cret pass"))
        self.assertNotIn("s3cret", out)

    def test_terminal_asks_twice_without_echo(self) -> None:
        """On a terminal the password is asked for twice through getpass."""
        status, out, _ = self.run_main("boss", Terminal(), ["s3cret pass", "s3cret pass"])
        self.assertEqual(status, 0)
        self.assertEqual(self.prompts, ["Password for boss: ", "Again: "])
        self.assertTrue(out.startswith("boss $argon2id$"))

    def test_passwords_that_differ_make_nothing(self) -> None:
        """Two different answers print no line and fail."""
        status, out, err = self.run_main("boss", Terminal(), ["s3cret", "s3cre7"])
        self.assertEqual((status, out, err), (1, "", "chatd.passwd: the two passwords differ\n"))

    def test_unusable_passwords_and_names_are_refused(self) -> None:
        """An empty password, one with spaces around it, or a bad name print no line."""
        for name, given, message in (
            ("boss", "\n", "a password is at least 8 characters, as an account's is"),
            ("boss", "s3cret\n", "a password is at least 8 characters, as an account's is"),
            ("boss", " padded\n", "a password cannot start or end with a space: /oper could not send it"),
            ("bo ss", "s3cret\n", "'bo ss' is not a valid nickname"),
        ):
            status, out, err = self.run_main(name, io.StringIO(given))
            self.assertEqual((status, out), (1, ""), name)
            self.assertIn(message, err)
