"""Operators on the real daemon: a hash made by python -m chatd.passwd, then /oper and /kick over TCP."""

import os
import re
import shlex
import stat
import subprocess
import sys
import tempfile
from collections.abc import Mapping

from twisted.trial.unittest import SynchronousTestCase

from chatd.frontend.oper import FAILURES_PER_ADDRESS
from tests.certificates import write_self_signed
from tests.e2e.daemon import DEADLINE_SECONDS, Daemon, LineClient, SharedDaemon, opers_file
from tests.e2e.ircclient import IRC_AT, IRCClient
from tests.e2e.lobby import LOOPBACK, PROMPT, SHARED_LOBBY, WELCOME, Lobby, start_chatd
from tests.helpers import new_folder, quick_hash
from tests.test_docs import ROOT

PASSWORD = "tr0ub4dor &3"

FAILED = "ERR oper-failed wrong operator name or password"


def passwd_opers() -> Mapping[str, bytes]:
    """``opers.txt``, naming boss with the line ``python -m chatd.passwd boss`` printed for ``PASSWORD``."""
    made = subprocess.run(
        [sys.executable, "-m", "chatd.passwd", "boss"],
        input=(PASSWORD + "\n").encode(),
        capture_output=True,
        timeout=DEADLINE_SECONDS,
        check=True,
    )
    return {"opers.txt": b"# made by python -m chatd.passwd\n" + made.stdout}


class OperatorTests(SynchronousTestCase):
    """Operators of a file made by chatd.passwd, on a daemon the tests share (``SharedDaemon``): each with
    nicknames of its own, for an account, a mute and a ban outlive the test that made them."""

    shared = SharedDaemon((*SHARED_LOBBY, "--opers", "opers.txt"), files=passwd_opers)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def setUp(self) -> None:
        self.daemon = self.shared.lend(self)
        self.lobby = Lobby(self.daemon)

    def test_oper_then_kick(self) -> None:
        """With the password from chatd.passwd alice becomes an operator and kicks bob out of #lobby."""
        alice = self.lobby.enter("alice")
        bob = self.lobby.enter("bob")
        alice.say("/oper boss not the password")
        alice.expect("ERR oper-failed wrong operator name or password")
        alice.say(f"/oper boss {PASSWORD}")
        alice.expect("*** You are now an operator.")
        alice.say("/kick bob behave")
        self.lobby.hear("#lobby -- bob was kicked by alice (behave)")
        bob.expect("*** You are in no room; /join #room to talk.")
        bob.say("anyone?")
        bob.expect("ERR no-room you are in no room; /join #room first")

    def test_attempts_are_logged_without_the_password(self) -> None:
        """The daemon logs the failed and the good attempt with name, nickname and address, and no password."""
        amy = self.lobby.enter("amy")
        amy.say("/oper boss not the password")
        amy.expect("ERR oper-failed wrong operator name or password")
        amy.say(f"/oper boss {PASSWORD}")
        amy.expect("*** You are now an operator.")
        self.daemon.wait_for_log(re.compile(rb"amy from 127\.0\.0\.1 failed /oper as 'boss'$"))
        self.daemon.wait_for_log(re.compile(rb"amy from 127\.0\.0\.1 is now operator 'boss'$"))
        logged = b"\n".join(self.daemon.logged_so_far())
        self.assertNotIn(b"not the password", logged)
        self.assertNotIn(PASSWORD.encode(), logged)

    def test_every_connection_of_an_operator_is_told_at_once(self) -> None:
        """ada's /oper on her terminal is told to her other connection, in JSON (as the page reads it), as it
        happens: an ``oper`` notice, not at her next "You are ada."; the asker is answered once, as before."""
        ada = self.lobby.enter("ada")
        ada.say(f"/register {PASSWORD}")
        ada.expect("*** The nickname ada is registered to you, and you are identified to it.")
        program = self.daemon.connect()
        program.expect(WELCOME, PROMPT)
        program.say("/format json")
        program.say(f"/identify ada {PASSWORD}")
        while program.expect_json().get("kind") != "nick":
            pass
        ada.say(f"/oper boss {PASSWORD}")
        ada.expect("*** You are now an operator.")
        ada.say("/whois ada")
        self.assertTrue(ada.read_line().startswith(b"*** ada "), "the /whois answer, no second oper notice")
        while (notice := program.expect_json()).get("kind") != "oper":
            self.assertNotEqual(notice.get("type"), "whois", "told of the /oper only later")
        self.assertEqual(notice, {"type": "notice", "kind": "oper", "text": "You are now an operator."})

    def test_mute_then_ban_by_nickname(self) -> None:
        """An operator mutes ben (his lines are refused), then bans the nickname: he is put out and cannot return."""
        mia = self.lobby.enter("mia")
        ben = self.lobby.enter("ben")
        cleo = self.lobby.enter("cleo")
        mia.say(f"/oper boss {PASSWORD}")
        mia.expect("*** You are now an operator.")
        mia.say("/mute ben 10m")
        for member in (mia, ben):  # cleo, who moderates nothing, is not told
            member.expect_stamped("-- ben was muted by mia for 10m")
        ben.say("can anyone hear me?")
        self.assertTrue(ben.read_line().startswith(b"ERR muted you are muted"))
        mia.say("/ban ben 1h")
        for member in (mia, cleo):
            self.assertIn(b"-- ben was banned by mia for 1h", member.read_line())
        self.assertIn(b"ben", ben.read_to_end())
        again = self.daemon.connect()
        again.read_line()  # the welcome
        again.read_line()  # the prompt
        again.say("BEN")
        self.assertTrue(again.read_line().startswith(b"ERR nick-banned"))


class OfflineNicknameTests(SynchronousTestCase):
    """A nickname nobody holds is muted and ignored on the line protocol, and its holder then comes on IRC.

    On a daemon the tests share (``SharedDaemon``), each with nicknames of its own: a mute outlives its test.
    """

    shared = SharedDaemon(
        (*SHARED_LOBBY, "--opers", "opers.txt", "--irc-port", "0"),
        files=lambda: {"opers.txt": f"boss {quick_hash(PASSWORD)}\n".encode()},
    )

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def setUp(self) -> None:
        self.daemon = self.shared.lend(self)
        self.lobby = Lobby(self.daemon)

    def on_irc(self, nick: str) -> IRCClient:
        """``nick`` comes on IRC and joins #lobby, as the line users there hear."""
        client = IRCClient(self.daemon, int(self.daemon.first_logged(IRC_AT).group("port")), nick)
        client.registered()
        client.join("#lobby")
        self.lobby.hear(f"#lobby -- {nick} joined")
        return client

    def test_a_troll_muted_while_away_is_muted_on_return(self) -> None:
        """The operator alone reads the mute; the troll, back on IRC, is refused with the time left."""
        alice = self.lobby.enter("alice")
        carol = self.lobby.enter("carol")
        alice.say(f"/oper boss {PASSWORD}")
        alice.expect("*** You are now an operator.")
        alice.say("/mute troll 1h")
        alice.expect_stamped("-- troll was muted by alice for 1h")
        troll = self.on_irc("troll")
        troll.say("#lobby", "I'm back")
        refused = troll.next("cannotsendtochan")
        self.assertEqual(refused.arguments, ("#lobby", "Cannot send: you are muted for 1h"))
        carol.say("quiet here")
        self.lobby.hear("#lobby <carol> quiet here")

    def test_a_nickname_ignored_before_it_comes_is_not_heard(self) -> None:
        """cora ignores pest before anyone holds it; pest's line on IRC reaches ana, not cora."""
        ana = self.lobby.enter("ana")
        cora = self.lobby.enter("cora")
        cora.say("/ignore pest")
        cora.expect("*** You now ignore pest: you will not see their messages.")
        pest = self.on_irc("pest")
        pest.say("#lobby", "spam")
        ana.expect_stamped("#lobby <pest> spam")
        ana.say("hello")
        self.lobby.hear("#lobby <ana> hello")


class LockOutTests(SynchronousTestCase):
    """Attackers sharing the operator's address guess at the operator's name, over real TCP (issue 12)."""

    def setUp(self) -> None:
        self.daemon = start_chatd(self, "--opers", opers_file(self, quick_hash(PASSWORD)))

    def roomless(self, nick: str) -> LineClient:
        """A user from 127.0.0.1 named ``nick`` and in no room, so nobody's arrival reaches it."""
        client = self.daemon.connect()
        client.expect(WELCOME, PROMPT)
        client.say(nick)
        client.say("/part")
        while client.read_line() != b"*** You are in no room; /join #room to talk.\r\n":
            pass
        return client

    def test_attackers_from_the_operators_address_do_not_lock_the_operator_out(self) -> None:
        """Wrong passwords for boss from 127.0.0.1 spend the address's budget; boss still gets in from there.

        Each attacker's connection is slowed (each failure answered later than
        the last) and then refused unchecked; the operator's fresh connection
        is checked and let in within the deadline.
        """
        attackers = [self.roomless(f"attacker{n}") for n in range(4)]
        for attacker in attackers:
            attacker.send(b"/oper boss guess1\n/oper boss guess2\n/oper boss guess3\n/oper boss guess4\n")
        for _ in range(FAILURES_PER_ADDRESS):
            self.daemon.wait_for_log(re.compile(rb"attacker\d from 127\.0\.0\.1 failed /oper as 'boss'$"))
        operator = self.roomless("operator")
        operator.say(f"/oper boss {PASSWORD}")
        operator.expect("*** You are now an operator.")
        for attacker in attackers:
            attacker.expect(*[FAILED] * 3)
            self.assertTrue(attacker.read_line().startswith(b"ERR oper-throttled "))


README_OPERS_LINE = re.compile(
    r"^    (\(umask 077; \.venv/bin/python -m chatd\.passwd alice >> opers\.txt\))$", re.M
)
"""README's line that adds an operator to opers.txt, as a host pastes it into a shell."""

OPEN_FILE = re.compile(rb"#warn\] (\S+ .* run chmod 600 .*)$")
"""The warning of a secret file others may open, from its text on."""


class SecretFileModeTests(SynchronousTestCase):
    """The --opers file, the TLS keys and the --db file: README's steps make the first readable by its owner only,
    and a start warns of any of them when others may read it."""

    def setUp(self) -> None:
        self.directory = new_folder(self)
        self.opers = os.path.join(self.directory, "opers.txt")

    def warnings(self, daemon: Daemon) -> list[str]:
        """The warnings of secret files others may open that ``daemon`` logged at start.

        Logged before logging begins, with the start's other lines, so a
        connection's line, logged later, comes after them all.
        """
        client = daemon.connect()
        client.expect(WELCOME, PROMPT)
        daemon.wait_for_log(re.compile(rb"Connection from 127\.0\.0\.1"))
        return [found.group(1).decode() for line in daemon.log if (found := OPEN_FILE.search(line))]

    def test_readmes_line_makes_a_file_its_owner_alone_reads_and_no_warning(self) -> None:
        """README's line, run by a shell whose umask lets everyone read new files, makes opers.txt 0600; a start
        with it warns of nothing. As README had it, the file was 0644."""
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as readme:
            found = README_OPERS_LINE.search(readme.read())
        assert found is not None, "README.md shows the line that adds alice to opers.txt"
        line = found.group(1).replace(".venv/bin/python", shlex.quote(sys.executable))
        for name in ("alice", "bob"):  # a second operator appended keeps the mode
            subprocess.run(
                ["sh", "-c", f"umask 022; {line.replace(' alice ', f' {name} ')}"],
                input=(PASSWORD + "\n").encode(),
                cwd=self.directory,
                capture_output=True,
                timeout=DEADLINE_SECONDS,
                check=True,
            )
        self.assertEqual(stat.S_IMODE(os.stat(self.opers).st_mode), 0o600)
        with open(self.opers, encoding="utf-8") as opers:
            self.assertEqual([line.split(" ")[0] for line in opers], ["alice", "bob"])
        self.assertEqual(self.warnings(start_chatd(self, "--opers", self.opers)), [])

    def test_a_key_a_listen_endpoint_reads_others_may_read_is_warned_of(self) -> None:
        """The key of an ssl: endpoint given to --listen is as secret as --tls-key: at 0644 it is one warning
        naming the file, its --listen and the chmod; the daemon starts all the same. It was never looked at."""
        certificate, key = write_self_signed(self.directory)
        os.chmod(key, 0o644)
        endpoint = f"ssl:0:interface=127.0.0.1:privateKey={key}:certKey={certificate}"
        daemon = Daemon.start(self, [*LOOPBACK, "--listen", endpoint], listeners=2)
        self.assertEqual(
            self.warnings(daemon),
            [
                f"{key} is the TLS private key of --listen {endpoint}, and users other than its owner may read or "
                f"change it (mode 0644); run chmod 600 {key}"
            ],
        )

    def test_a_database_others_may_read_is_warned_of_and_a_new_one_or_memory_is_not(self) -> None:
        """A --db file that was there at 0644 (as sqlite3 makes one under umask 022) is one warning naming it and
        the chmod; one the daemon makes, and --db :memory:, are none. It was never looked at."""
        existing = os.path.join(self.directory, "old.sqlite")
        with open(existing, "w"):
            pass  # empty: SQLite takes it as a new database
        os.chmod(existing, 0o644)
        self.assertEqual(
            self.warnings(Daemon.start(self, [*LOOPBACK, "--db", existing])),
            [
                f"--db {existing} holds password hashes, addresses and private messages, and users other than its "
                f"owner may read or change it (mode 0644); run chmod 600 {existing}"
            ],
        )
        made = os.path.join(tempfile.mkdtemp(dir=self.directory), "new.sqlite")  # a --files folder of its own
        self.assertEqual(self.warnings(Daemon.start(self, [*LOOPBACK, "--db", made])), [])
        self.assertEqual(self.warnings(Daemon.start(self, [*LOOPBACK, "--db", ":memory:"])), [])

    def test_files_others_may_read_are_warned_of_with_the_chmod_to_run(self) -> None:
        """An --opers file and a --tls-key others may read (0644, 0640) are one warning each, naming the file and
        the chmod; the daemon starts all the same."""
        certificate, key = write_self_signed(self.directory)
        with open(self.opers, "w", encoding="utf-8") as opers:
            opers.write(f"boss {quick_hash(PASSWORD)}\n")
        os.chmod(self.opers, 0o644)
        os.chmod(key, 0o640)
        tls = ("--tls-port", "0", "--tls-cert", certificate, "--tls-key", key)
        daemon = Daemon.start(self, [*LOOPBACK, "--opers", self.opers, *tls], listeners=2)
        self.assertEqual(
            self.warnings(daemon),
            [
                f"--opers {self.opers} holds the operators' password hashes, and users other than its owner may "
                f"read or change it (mode 0644); run chmod 600 {self.opers}",
                f"--tls-key {key} is the TLS private key, and users other than its owner may read or change it "
                f"(mode 0640); run chmod 600 {key}",
            ],
        )
