"""A student forgot their password, on the real daemon over loopback TCP with a real --db file: an operator gives
the account a new one in the chat (/account password), and the student identifies with it, the old one refused."""

import os
import shutil
import tempfile

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon, LineClient, opers_file
from tests.e2e.test_daemon import LOOPBACK, PROMPT, WELCOME
from tests.helpers import quick_hash

OLD = "hunter22"
NEW = "first week 2026"
BOSS = "correct horse"
REGISTERED = "*** The nickname alice is registered to you, and you are identified to it."
IDENTIFIED = "*** You are identified as alice."
WRONG = "ERR identify-failed wrong password, or alice is not registered"


class ForgottenPasswordTestCase(SynchronousTestCase):
    """A daemon with its --db in a temporary directory and boss as its operator; alice registered, then left."""

    def setUp(self) -> None:
        self.directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.directory)
        self.db = os.path.join(self.directory, "chatd.sqlite")
        self.daemon = Daemon.start(
            self, [*LOOPBACK, "--db", self.db, "--opers", opers_file(self, quick_hash(BOSS))]
        )
        alice = self.connect("127.0.0.1", "alice")
        alice.say(f"/register {OLD}")
        self.until(alice, REGISTERED)
        alice.say("/quit")
        alice.read_to_end()

    def connect(self, source: str, first: str | None = None) -> LineClient:
        """A connection from ``source`` past its greeting; ``first`` sent as its first line."""
        client = self.daemon.connect(source=source)
        client.expect(WELCOME, PROMPT)
        if first is not None:
            client.say(first)
        return client

    def until(self, client: LineClient, line: str) -> None:
        """Read ``client``'s lines up to ``line`` (with or without a time stamp before it)."""
        wanted = line.encode("utf-8") + b"\r\n"
        while True:
            received = client.read_line()
            if received == wanted or (received.startswith(b"[") and received[8:] == wanted):
                return

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
