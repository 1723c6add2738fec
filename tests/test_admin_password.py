"""``python -m chatd.admin password NICK`` in this process, on a real SQLite file no daemon runs on: the new password
asked twice on a terminal (the prompt stood in for), or read from ``--password-file``; every mistake one sentence and
exit status 2, nothing changed. Beside a running daemon: tests/e2e/test_forgotten_password.py."""

import io
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, redirect_stderr
from typing import NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from twisted.trial.unittest import SynchronousTestCase

from chatd.admin.command import main
from chatd.frontend.text_rules import NICKNAME_CHARACTERS
from chatd.storage.sqlite import SQLiteHistory
from chatd.storage.sqlite_accounts import SQLiteAccounts
from tests.helpers import ThreadedReactor, new_folder, quick_hash

OLD = "hunter22"
DONE = (
    "The account alice has a new password: its owner identifies with it, then chooses their own with "
    "/password OLD NEW.\n"
)


class Terminal(io.StringIO):
    """Standard input that is a terminal, as the host's is when they type the command."""

    def isatty(self) -> bool:
        return True


def typed(*answers: str) -> Iterator[str]:
    """What the host types at each prompt, in turn."""
    yield from answers


class PasswordTests(SynchronousTestCase):
    """A --db file where alice registered with ``OLD``."""

    def setUp(self) -> None:
        self.directory = new_folder(self)
        self.db = os.path.join(self.directory, "chatd.sqlite")
        reactor = ThreadedReactor()
        store = SQLiteHistory.open(self.db, reactor)
        store.startService()
        registered = SQLiteAccounts(store).create("alice", quick_hash(OLD), 0.0)
        reactor.advance(0)  # the pass ends: its change is logged, then committed
        reactor.run_until(registered)
        reactor.run_until(store.stopService())
        self.prompts: list[str] = []

    def admin(
        self, *arguments: str, answers: tuple[str, ...] = (), stdin: io.StringIO | None = None
    ) -> tuple[int, str, str]:
        """``python -m chatd.admin --db DB *arguments``, the host typing ``answers`` at its prompts: status, output,
        errors."""
        given = typed(*answers)

        def ask(prompt: str) -> str:
            self.prompts.append(prompt)
            return next(given)

        out, err = io.StringIO(), io.StringIO()
        with redirect_stderr(err):
            status = main(["--db", self.db, *arguments], out, stdin or Terminal(), ask)
        return status, out.getvalue(), err.getvalue()

    def proves(self, password: str) -> bool:
        """Whether ``password`` is alice's now, as the daemon checks it: against the hash in the file."""
        with closing(sqlite3.connect(self.db)) as connection:
            (hashed,) = connection.execute("SELECT hash FROM accounts WHERE account = 'alice'").fetchone()
        try:
            return PasswordHasher().verify(hashed, password)
        except VerificationError:
            return False

    def test_asked_twice_on_the_terminal_it_replaces_the_hash(self) -> None:
        """The host types it twice at prompts that name the account; the file then holds its hash, not the old."""
        self.assertEqual(self.admin("password", "Alice", answers=("first week", "first week")), (0, DONE, ""))
        self.assertEqual(self.prompts, ["New password for Alice: ", "Again: "])
        self.assertTrue(self.proves("first week"))
        self.assertFalse(self.proves(OLD))

    def test_a_mistake_at_the_prompt_is_one_sentence_and_changes_nothing(self) -> None:
        """Two passwords that differ, one with a space at an end (``/identify`` could not send it), one too short,
        and Ctrl-D at the prompt: exit status 2, one sentence each, alice's password as it was."""

        def interrupted(prompt: str) -> NoReturn:
            raise EOFError

        for answers, said in (
            (("first week", "first-week"), "password: the two passwords differ; nothing changed."),
            (
                (" first week", " first week"),
                "password: a password cannot start or end with a space: /identify could not send it.",
            ),
            (
                ("short", "short"),
                "password: a password needs at least 8 characters, as /register takes one; nothing changed.",
            ),
        ):
            self.assertEqual(
                self.admin("password", "alice", answers=answers), (2, "", f"python -m chatd.admin: {said}\n")
            )
        out, err = io.StringIO(), io.StringIO()
        with redirect_stderr(err):
            status = main(["--db", self.db, "password", "alice"], out, Terminal(), interrupted)
        self.assertEqual(
            (status, err.getvalue()),
            (2, "python -m chatd.admin: password: no password was given; nothing changed.\n"),
        )
        self.assertTrue(self.proves(OLD))

    def test_a_password_file_gives_its_first_line_and_no_prompt(self) -> None:
        """--password-file's first line is the password, without its line ending; nobody is asked."""
        path = os.path.join(self.directory, "pw")
        with open(path, "w", encoding="utf-8") as file:
            file.write("from a file\r\nsecond line\n")
        self.assertEqual(
            self.admin("password", "--password-file", path, "alice", stdin=io.StringIO()), (0, DONE, "")
        )
        self.assertEqual(self.prompts, [])
        self.assertTrue(self.proves("from a file"))

    def test_a_file_that_gives_no_password_or_a_nickname_nobody_could_have_is_one_sentence(self) -> None:
        """An empty --password-file, one that is missing, and a NICK with a space: exit status 2, nothing asked."""
        empty = os.path.join(self.directory, "empty")
        open(empty, "w").close()
        missing = os.path.join(self.directory, "missing")
        for arguments, said in (
            (
                ("--password-file", empty, "alice"),
                f"password: --password-file {empty} is empty: its first line is the password.",
            ),
            (
                ("--password-file", missing, "alice"),
                f"password: cannot read --password-file {missing}: No such file or directory.",
            ),
            (
                ("a b",),
                f"password: 'a b' is not a valid nickname: a nickname holds only {NICKNAME_CHARACTERS}.",
            ),
        ):
            self.assertEqual(
                self.admin("password", *arguments), (2, "", f"python -m chatd.admin: {said}\n"), arguments
            )
        self.assertEqual(self.prompts, [])
        self.assertTrue(self.proves(OLD))
