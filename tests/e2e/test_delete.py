"""``/delete`` on the real daemon with its SQLite file: a line deleted and shown so stays deleted after a kill -9, and a
client that was away when it happened is told as it resumes, the kill -9 between the two or not."""

import signal
import subprocess
import sys
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.encoding import decode_event
from chatd.frontend.codec import client_fields
from tests.e2e.daemon import DEADLINE_SECONDS, Daemon, LineClient
from tests.e2e.lobby import LOOPBACK, PROMPT, WELCOME
from tests.e2e.test_files_restart import enter
from tests.helpers import new_database


def next_of(client: LineClient, kind: str) -> dict[str, Any]:
    """The next JSON line of type ``kind`` ``client`` is shown, skipping everything else."""
    while True:
        line = client.expect_json()
        if line["type"] == kind:
            return line


class DeleteKillTests(SynchronousTestCase):
    """alice deletes her line over real TCP; the daemon is killed with SIGKILL and started again on the same --db."""

    def setUp(self) -> None:
        self.db = new_database(self)

    def start(self) -> Daemon:
        return Daemon.start(self, [*LOOPBACK, "--db", self.db])

    def export(self, *arguments: str) -> list[str]:
        """The lines ``python -m chatd.admin export --room #lobby ARGUMENTS`` writes of --db (it commits the pass
        log first)."""
        done = subprocess.run(
            [sys.executable, "-m", "chatd.admin", "--db", self.db, "export", "--room", "#lobby", *arguments],
            capture_output=True,
            timeout=DEADLINE_SECONDS,
            check=True,
        )
        return done.stdout.decode().splitlines()

    def exported(self) -> list[str]:
        """The texts of #lobby's lines the export finds in --db."""
        events = [client_fields(decode_event(line)) for line in self.export()]
        return [event["text"] for event in events if event["type"] == "said"]

    def test_a_deleted_line_stays_deleted_after_kill_9(self) -> None:
        """Once bob is shown alice's deletion, SIGKILL: the export, a joiner's replay, /history and /search after
        the restart leave the line out, and keep the line after it."""
        daemon = self.start()
        alice = enter(daemon, "alice")
        bob = enter(daemon, "bob")
        alice.say("my password is hunter2")
        line = next_of(bob, "said")["id"]
        alice.say("please ignore that")
        next_of(bob, "said")
        alice.say(f"/delete {line} pasted a password")
        deleted = next_of(bob, "deleted")
        self.assertEqual(
            (deleted["line"], deleted["nick"], deleted["reason"]), (line, "alice", "pasted a password")
        )
        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        self.assertEqual(self.exported(), ["please ignore that"])
        daemon = self.start()
        carol = daemon.connect()
        carol.expect(WELCOME, PROMPT)
        carol.say("/format json")
        carol.say("carol")
        carol.say("/time")  # else /history goes on from the join's replay, before its lines
        carol.say("/history")
        carol.say("/search hunter2")
        carol.say("/search ignore")
        shown: list[dict[str, Any]] = []
        while sum(each.get("kind") == "search_end" for each in shown) < 2:
            shown.append(carol.expect_json())
        said = [each["text"] for each in shown if each["type"] == "said"]
        # The join's replay, /history, then /search ignore: /search hunter2 finds nothing.
        self.assertEqual(said, ["please ignore that"] * 3)
        self.assertEqual([each["count"] for each in shown if each.get("kind") == "search_end"], [0, 1])

    def test_the_export_says_what_was_deleted_where_history_leaves_it_out(self) -> None:
        """The JSON export holds alice's ``deleted`` event, when she made it; the transcript (``--text``) says a line
        was deleted where it was, by whom and why, and never what it said. Both end with her quit as the daemon
        stopped, the room's as she was in it."""
        daemon = self.start()
        alice = enter(daemon, "alice")
        alice.say("my password is hunter2")
        line = next_of(alice, "said")["id"]
        alice.say("please ignore that")
        next_of(alice, "said")
        alice.say(f"/delete {line} pasted a password")
        deleted = next_of(alice, "deleted")
        self.assertEqual(daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        events = [client_fields(decode_event(each)) for each in self.export()]
        self.assertEqual(
            [(event["type"], event.get("text")) for event in events][-3:],
            [("said", "please ignore that"), ("deleted", None), ("quit", None)],
        )
        self.assertEqual(events[-2], deleted)
        transcript = self.export("--text")
        self.assertRegex(
            "\n".join(transcript[-3:]),
            r"^\[\d{4}-\d\d-\d\d \d\d:\d\d\] #lobby -- a line said here was deleted by alice \(pasted a password\)\n"
            r"\[\d{4}-\d\d-\d\d \d\d:\d\d\] #lobby <alice> please ignore that\n"
            r"\[\d{4}-\d\d-\d\d \d\d:\d\d\] -- alice quit\b[^\n]*$",
        )
        self.assertNotIn("hunter2", "\n".join(transcript))

    def test_a_client_away_when_a_line_it_showed_was_deleted_is_told_as_it_resumes_after_a_kill_9(
        self,
    ) -> None:
        """bob is shown alice's line and drops; alice deletes it and is shown the deletion; SIGKILL. After the
        restart bob comes back as the bundled client does (/resume #lobby with the last id he saw, then his
        nickname): he is sent the very ``deleted`` alice was, then what he missed: the line she said after it."""
        daemon = self.start()
        alice = enter(daemon, "alice")
        bob = enter(daemon, "bob")
        alice.say("my password is hunter2")
        seen = next_of(bob, "said")["id"]
        bob.close()
        alice.say(f"/delete {seen} pasted a password")
        deleted = next_of(alice, "deleted")
        alice.say("sorry")
        next_of(alice, "said")
        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        daemon = self.start()
        bob = daemon.connect()
        bob.expect(WELCOME, PROMPT)
        bob.say("/format json")
        bob.say(f"/resume #lobby {seen}")
        bob.say("bob")
        resumed = [next_of(bob, "deleted")]
        while resumed[-1].get("kind") != "history_end":
            resumed.append(bob.expect_json())
        self.assertEqual(resumed[0], deleted)
        self.assertEqual(
            [(each["type"], each.get("text")) for each in resumed[1:]],
            [("said", "sorry"), ("notice", "End of what you missed in #lobby: 1 message, 1 line deleted.")],
        )
