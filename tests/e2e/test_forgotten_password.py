"""A student forgot their password, on the real daemon over loopback TCP with a real --db file: an operator gives
the account a new one in the chat (/account password), or the host from the machine beside the running daemon
(python -m chatd.admin password), and the student identifies with it at once, no restart, the old one refused."""

import os

from tests.e2e.daemon import Daemon, opers_file, run_admin
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_accounts import AccountTestCase
from tests.helpers import quick_hash

OLD = "hunter22"
NEW = "first week 2026"
BOSS = "correct horse"
REGISTERED = "*** The nickname alice is registered to you, and you are identified to it."
IDENTIFIED = "*** You are identified as alice."
WRONG = "ERR identify-failed wrong password, or alice is not registered"
ADMIN = "python -m chatd.admin: "


class ForgottenPasswordTestCase(AccountTestCase):
    """A daemon with its --db in a temporary directory and boss as its operator; alice registered, then left."""

    def setUp(self) -> None:
        super().setUp()
        alice = self.connect("127.0.0.1", "alice")
        alice.say(f"/register {OLD}")
        self.until(alice, REGISTERED)
        alice.say("/quit")
        alice.read_to_end()

    def start(self) -> Daemon:
        return Daemon.start(self, [*LOOPBACK, "--db", self.db, "--opers", opers_file(self, quick_hash(BOSS))])

    def identifies_with(self, password: str) -> None:
        """A new connection identifies as alice with ``password``, then leaves."""
        student = self.connect("127.0.0.3", f"alice {password}")
        student.expect(IDENTIFIED)
        student.say("/quit")
        student.read_to_end()

    def is_refused(self, password: str) -> None:
        """A new connection is refused alice's account with ``password``."""
        student = self.connect("127.0.0.4", f"alice {password}")
        student.expect(WRONG)
        student.close()


class OperatorTests(ForgottenPasswordTestCase):
    def test_an_operator_gives_a_new_password_the_student_identifies_with(self) -> None:
        """boss, /oper'd, sets a new password for alice over TCP: it proves her account, the old one no longer does,
        and she changes it to her own; the audit log names boss, never a password."""
        teacher = self.connect("127.0.0.2", "teacher")
        self.until(teacher, "*** You are teacher.")
        teacher.say(f"/oper boss {BOSS}")
        self.until(teacher, "*** You are now an operator.")
        teacher.say(f"/account password alice {NEW}")
        teacher.expect(
            "*** The account alice has a new password: its owner identifies with it, then chooses their own with "
            "/password OLD NEW."
        )
        self.is_refused(OLD)
        student = self.connect("127.0.0.3", f"alice {NEW}")
        student.expect(IDENTIFIED)
        student.say(f'/password "{NEW}" mine-again')
        self.until(student, "*** Your password is changed.")
        self.identifies_with("mine-again")
        logged = b"\n".join(self.daemon.logged_so_far())
        self.assertIn(
            b"teacher from 127.0.0.2 set a new password for the account alice, as an operator", logged
        )
        self.assertNotIn(NEW.encode(), logged)


class AdminToolTests(ForgottenPasswordTestCase):
    def password_file(self, text: str) -> str:
        """A file whose first line is ``text``, as the host writes one."""
        path = os.path.join(self.directory, "new-password")
        with open(path, "w", encoding="utf-8") as file:
            file.write(text + "\n")
        return path

    def test_the_host_sets_a_new_password_beside_the_running_daemon(self) -> None:
        """With no operator, the host runs the tool on the live file: the daemon, not restarted, takes the new
        password at once and refuses the old one."""
        status, out, err = run_admin(
            self.directory, "--db", self.db, "password", "--password-file", self.password_file(NEW), "ALICE"
        )
        self.assertEqual(
            (status, out, err),
            (
                0,
                "The account alice has a new password: its owner identifies with it, then chooses their own with "
                "/password OLD NEW.\n",
                "",
            ),
        )
        self.identifies_with(NEW)
        self.is_refused(OLD)

    def test_a_mistake_is_one_sentence_and_changes_nothing(self) -> None:
        """No such file, no such account, a short password, no terminal and no file: one sentence each on standard
        error, exit status 2, and alice's password is hers still."""
        short = self.password_file("short")
        missing = os.path.join(self.directory, "nothing.sqlite")
        for arguments, said in (
            (
                ("--db", missing, "password", "alice"),
                f"--db {missing} does not exist; give the file the daemon's --db names.",
            ),
            (
                ("--db", self.db, "password", "--password-file", short, "bob"),
                "password: bob is not a registered nickname; nothing changed.",
            ),
            (
                ("--db", self.db, "password", "--password-file", short, "AIice"),
                "password: AIice is not a registered nickname; alice, a different nickname that looks like it, is "
                "one; nothing changed.",
            ),
            (
                ("--db", self.db, "password", "--password-file", short, "alice"),
                "password: a password needs at least 8 characters, as /register takes one; nothing changed.",
            ),
            (
                ("--db", self.db, "password", "alice"),
                "password: standard input is not a terminal to ask on; give the password as the first line of "
                "--password-file FILE.",
            ),
        ):
            self.assertEqual(run_admin(self.directory, *arguments), (2, "", ADMIN + said + "\n"), arguments)
        self.assertFalse(os.path.exists(missing))
        self.identifies_with(OLD)
