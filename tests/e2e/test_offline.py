"""Offline messages on the real daemon over loopback TCP: a message to a registered nickname whose owner is
away is kept across a kill -9 and shown, with its time, when they identify."""

import re
import signal
import sqlite3

from tests.e2e.daemon import LineClient
from tests.e2e.test_accounts import IDENTIFIED, PASSWORD, AccountTestCase

KEPT = "*** alice is offline: your message is kept until they identify (1 waiting)"


class OfflineTestCase(AccountTestCase):
    """As for AccountTests: a daemon with its --db in a temporary directory."""

    def write_to_absent_alice(self, text: str) -> LineClient:
        """alice registers and leaves; bob sends her ``text``, is echoed it and told it is kept. Returns bob."""
        alice = self.register_alice()
        alice.say("/quit")
        self.until(alice, "*** Goodbye.")
        bob = self.connect("127.0.0.4", "bob")
        self.until(bob, "*** In #lobby (1): bob")
        bob.say(f"/msg alice {text}")
        self.until(bob, f"<bob -> alice> {text}")
        bob.expect(KEPT)
        return bob


class OfflineMessageTests(OfflineTestCase):
    """A message kept for alice, over TCP."""

    def test_a_message_kept_for_alice_survives_kill_9(self) -> None:
        """bob is told it is kept; SIGKILL; after the restart alice identifies and reads it, dated."""
        self.write_to_absent_alice("see you at noon")
        self.assertEqual(self.daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        self.daemon = self.start()
        alice = self.connect("127.0.0.1", f"alice {PASSWORD}")
        alice.expect(IDENTIFIED)
        line = alice.read_line().decode("utf-8")
        self.assertRegex(line, r"^\[\d{4}-\d\d-\d\d \d\d:\d\d\] <bob -> alice> see you at noon\r\n$")
        alice.expect("*** End of the message sent to you while you were offline.", "*** You are alice.")

    def test_a_message_the_file_refuses_at_the_restart_is_logged_as_not_kept(self) -> None:
        """bob's message is in the pass log, not committed (the file's write lock is held elsewhere), when the
        daemon is killed; the file then refuses it, so the next start leaves it out and says so in one line of
        its log, without its text; alice identifies to nothing waiting."""
        alice = self.register_alice()
        alice.say("/quit")
        self.until(alice, "*** Goodbye.")
        blocker = sqlite3.connect(self.db, isolation_level=None)
        self.addCleanup(blocker.close)
        blocker.execute("BEGIN IMMEDIATE")
        bob = self.connect("127.0.0.4", "bob")
        self.until(bob, "*** In #lobby (1): bob")
        bob.say("/msg alice the door code is 4711")
        self.until(bob, "<bob -> alice> the door code is 4711")
        bob.expect(KEPT)
        self.assertEqual(self.daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        blocker.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON mailbox BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
        blocker.execute("COMMIT")
        self.daemon = self.start()
        logged = [line.decode("utf-8") for line in self.daemon.logged_so_far()]
        self.assertEqual(
            [line.partition(" [")[2] for line in logged if "refused a change" in line],
            [
                "chatd.storage.sqlite.SQLiteHistory#warn] The --db file refused a change its pass log held from "
                "before this start (INSERT INTO mailbox: refused); it alone is not kept"
            ],
        )
        self.assertEqual([line for line in logged if "4711" in line], [])
        alice = self.connect("127.0.0.1", f"alice {PASSWORD}")
        alice.expect(IDENTIFIED, "*** You are alice.")

    def test_nothing_is_kept_twice(self) -> None:
        """A message shown once is not shown again at the next identify."""
        self.write_to_absent_alice("once")
        alice = self.connect("127.0.0.1", f"alice {PASSWORD}")
        alice.expect(IDENTIFIED)
        self.until(alice, "*** End of the message sent to you while you were offline.")
        alice.say("/quit")
        self.until(alice, "*** Goodbye.")
        again = self.connect("127.0.0.1", f"alice {PASSWORD}")
        again.expect(IDENTIFIED, "*** You are alice.")


class NotKeptTests(OfflineTestCase):
    """The --db file refuses a message kept for alice after bob was shown it kept: bob is told, if still there."""

    NOT_KEPT = "*** Your message for alice was not kept after all (the server could not store it); send it again later."

    def refuse_messages(self, blocker: sqlite3.Connection) -> None:
        """Have the daemon's --db file refuse every message kept from now on, as another program may, from
        ``blocker`` (in autocommit mode)."""
        blocker.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON mailbox BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )

    def test_each_connection_of_the_sender_is_told_in_its_own_format(self) -> None:
        """bob, identified on two connections (text, and JSON), sends alice a message the file refuses: the one
        that sent it reads the receipt, that it is kept, then that it was not kept after all, and why; the other
        the receipt and the same notice as JSON, naming alice and the message's id."""
        alice = self.register_alice()
        alice.say("/quit")
        self.until(alice, "*** Goodbye.")
        bob = self.connect("127.0.0.4", "bob")
        bob.say(f"/register {PASSWORD}")
        self.until(bob, "*** The nickname bob is registered to you, and you are identified to it.")
        program = self.connect("127.0.0.5", f"bob {PASSWORD}")
        self.until(program, "*** You are identified as bob.")
        program.say("/format json")
        while not program.read_line().startswith(b"{"):
            pass  # the text lines before the answer to /format, which is the first JSON line
        blocker = sqlite3.connect(self.db, isolation_level=None)
        self.addCleanup(blocker.close)
        self.refuse_messages(blocker)
        bob.say("/msg alice see you at noon")
        self.until(bob, "<bob -> alice> see you at noon")
        bob.expect(KEPT)
        bob.expect(self.NOT_KEPT)
        echo = program.expect_json()
        self.assertEqual((echo["type"], echo["text"]), ("whispered", "see you at noon"))
        self.assertEqual(
            program.expect_json(),
            {
                "type": "notice",
                "kind": "not_kept",
                "nick": "alice",
                "id": echo["id"],
                "reason": "the server could not store it",
                "text": self.NOT_KEPT.removeprefix("*** "),
            },
        )
        alice = self.connect("127.0.0.1", f"alice {PASSWORD}")
        alice.expect(IDENTIFIED, "*** You are alice.")

    def test_the_connections_still_there_are_told_and_a_sender_gone_is_not(self) -> None:
        """bob's message waits for its commit behind another connection's write lock, and the connection that sent
        it quits; the file then refuses it: bob's other connection is told. The same again with no connection of
        bob's left: the daemon logs the refusal, tells nobody, and talks on."""
        alice = self.register_alice()
        alice.say("/quit")
        self.until(alice, "*** Goodbye.")
        sender = self.connect("127.0.0.4", "bob")
        sender.say(f"/register {PASSWORD}")
        self.until(sender, "*** The nickname bob is registered to you, and you are identified to it.")
        other = self.connect("127.0.0.5", f"bob {PASSWORD}")
        self.until(other, "*** You are identified as bob.")
        blocker = sqlite3.connect(self.db, isolation_level=None)
        self.addCleanup(blocker.close)
        self.refuse_messages(blocker)
        refused = re.compile(rb"The --db file refused a change \(INSERT INTO mailbox\)")
        for text, gone in (("the door code is 4711", sender), ("it is 4712 really", other)):
            blocker.execute("BEGIN IMMEDIATE")  # the daemon's commit waits for it
            gone.say(f"/msg alice {text}")
            self.until(gone, f"<bob -> alice> {text}")
            gone.expect(KEPT)
            gone.say("/quit")
            self.until(gone, "*** Goodbye.")
            blocker.execute("COMMIT")
            self.daemon.wait_for_log(refused)
            if gone is sender:
                self.until(other, self.NOT_KEPT)
        carol = self.connect("127.0.0.3", "carol")
        self.until(carol, "*** In #lobby (1): carol")
        alice = self.connect("127.0.0.1", f"alice {PASSWORD}")
        alice.expect(IDENTIFIED, "*** You are alice.")


class PrivateHistoryTests(AccountTestCase):
    """alice and bob identified talk privately; the daemon is killed; each reads it back, carol cannot."""

    def test_private_history_survives_kill_9_for_its_two_parties_alone(self) -> None:
        """Both read both messages, dated, after a SIGKILL; carol, not identified, gets one error line."""
        alice = self.register_alice()
        bob = self.connect("127.0.0.4", "bob")
        bob.say(f"/register {PASSWORD}")
        self.until(bob, "*** The nickname bob is registered to you, and you are identified to it.")
        alice.say("/msg bob the key is under the mat")
        self.until(bob, "<alice -> bob> the key is under the mat")
        bob.say("/msg alice thanks")
        self.until(alice, "<bob -> alice> thanks")
        self.assertEqual(self.daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        self.daemon = self.start()
        for nick, other in (("alice", "bob"), ("bob", "alice")):
            client = self.connect("127.0.0.1", f"{nick} {PASSWORD}")
            client.say(f"/history {other}")
            lines: list[str] = []
            end = f"*** End of private messages with {other}.\r\n"
            while not lines or lines[-1] != end:
                lines.append(client.read_line().decode("utf-8"))
            dated = [line[19:] for line in lines if re.match(r"\[\d{4}-\d\d-\d\d \d\d:\d\d\] <", line)]
            self.assertEqual(
                dated, ["<alice -> bob> the key is under the mat\r\n", "<bob -> alice> thanks\r\n"]
            )
        carol = self.connect("127.0.0.3", "carol")
        carol.say("/history bob")
        self.until(
            carol,
            "ERR not-identified /history bob reads your private messages with bob, which needs you identified; "
            "/register PASSWORD or /identify PASSWORD first",
        )


class ForgetTests(AccountTestCase):
    """/forget over TCP against a --db daemon: alice's lines are gone from history and search, bob's stay."""

    def test_forget_deletes_what_alice_sent_and_nothing_else(self) -> None:
        """After /forget confirm, bob's /history shows only his own line, also after a restart."""
        alice = self.register_alice()
        bob = self.connect("127.0.0.4", "bob")
        self.until(bob, "*** In #lobby (2): alice bob")
        alice.say("#lobby secret from alice")
        self.until(bob, "#lobby <alice> #lobby secret from alice")
        bob.say("plain from bob")
        self.until(alice, "#lobby <bob> plain from bob")
        alice.say("/forget confirm")
        self.until(alice, "*** Forgot 1 message you sent as alice.")
        self.assertEqual(self.daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        self.daemon = self.start()
        bob = self.connect("127.0.0.4", "bob")
        self.until(bob, "*** In #lobby (1): bob")
        bob.say("/history 10")
        lines: list[str] = []
        while not lines or not lines[-1].startswith("*** End of history of #lobby"):
            lines.append(bob.read_line().decode("utf-8"))
        said = [line for line in lines if "> " in line and "#lobby <" in line]
        self.assertEqual([line[19:] for line in said], ["#lobby <bob> plain from bob\r\n"])
