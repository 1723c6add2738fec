"""A server's room on the real daemon over loopback TCP with a real --db file: the host's ``--room #maths`` set
moderated by an operator keeps that once the class has left, and after a SIGKILL and a restart."""

import signal

from tests.e2e.daemon import Daemon, LineClient, opers_file
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_accounts import AccountTestCase
from tests.helpers import quick_hash

BOSS = "correct horse"
"""The operator boss's password."""


class ServerRoomSettingsTests(AccountTestCase):
    """A daemon with its --db in a temporary directory, ``--room #maths`` and boss as its operator."""

    def setUp(self) -> None:
        self.opers = opers_file(self, quick_hash(BOSS))
        super().setUp()

    def start(self) -> Daemon:
        return Daemon.start(self, [*LOOPBACK, "--room", "#maths", "--db", self.db, "--opers", self.opers])

    def in_maths(self, source: str, nick: str) -> LineClient:
        """``nick`` online from ``source``, in #maths."""
        client = self.connect(source, nick)
        client.say("/join #maths")
        self.until(client, f"#maths -- {nick} joined")
        return client

    def moderated(self, source: str, nick: str) -> None:
        """``nick``, first into #maths, finds it moderated and may not speak there."""
        client = self.connect(source, nick)
        client.say("/mode #maths")
        self.until(client, "*** Settings of #maths: moderated")
        client.say("/join #maths")
        self.until(client, f"#maths -- {nick} joined")
        client.say("hello")
        self.until(client, "ERR moderated #maths is moderated: only its operators and voiced members speak")
        client.say("/quit")

    def test_a_moderated_server_room_stays_so_once_emptied_and_after_a_kill_9(self) -> None:
        """The teacher, an operator, sets #maths +m; everyone leaves: a newcomer finds it moderated, and again after
        a SIGKILL and a restart on the same file."""
        teacher = self.in_maths("127.0.0.1", "teacher")
        teacher.say(f"/oper boss {BOSS}")
        self.until(teacher, "*** You are now an operator.")
        student = self.in_maths("127.0.0.2", "student")
        teacher.say("/mode #maths +m")
        self.until(student, "#maths -- teacher made the room moderated")
        student.say("/part #maths")
        self.until(teacher, "#maths -- student left")
        teacher.say("/part #maths")
        self.until(teacher, "#maths -- teacher left")
        self.moderated("127.0.0.3", "carol")
        self.assertEqual(self.daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        self.daemon = self.start()
        self.moderated("127.0.0.4", "dave")

    def refused(self, source: str, nick: str) -> None:
        """``nick``, identified to no account, is refused #maths, empty and +R, and is in no room of it."""
        client = self.connect(source, nick)
        client.say("/join #maths")
        self.until(
            client,
            "ERR registered-only #maths lets in only users identified to an account: /register or /identify first",
        )
        client.say("/quit")

    def test_an_empty_registered_only_server_room_refuses_its_first_comer(self) -> None:
        """The teacher sets #maths +R and leaves it empty: eve, identified to no account, is refused it as its first
        comer (she came straight in, the room made again around her), and so is mallory after her."""
        teacher = self.in_maths("127.0.0.1", "teacher")
        teacher.say(f"/oper boss {BOSS}")
        self.until(teacher, "*** You are now an operator.")
        teacher.say("/mode #maths +R")
        self.until(teacher, "#maths -- teacher let only registered users in")
        teacher.say("/part #maths")
        self.until(teacher, "#maths -- teacher left")
        self.refused("127.0.0.2", "eve")
        self.refused("127.0.0.3", "mallory")
