"""Resume on the real daemon with its SQLite file: a client that drops comes back to exactly what it missed.

Over real TCP on loopback, with ``twistd`` and a ``--db`` file in a
temporary directory: a client sees lines, its connection drops, others
talk on, and it comes back saying the id of the last line it saw. It is
shown those said meanwhile and no other, marked as history, then the
count, then live lines: across a ``kill -9`` and restart too, and past
the bound it is told how many it was not shown. The id may be another
room's line's, or a line's forgotten since (``--retain-days``): what the
room said after it is shown all the same.
"""

import re
import signal
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.events import Said
from chatd.domain.ids import EventIds
from chatd.domain.resume import RESUME_MOST
from chatd.storage.retention import DAY
from tests.e2e.daemon import Daemon, LineClient
from tests.e2e.lobby import LOOPBACK, PROMPT, WELCOME
from tests.e2e.test_admin import fill
from tests.events import said
from tests.helpers import new_database

MESSAGES = ("said", "acted")


def event_id(at: float) -> str:
    """The id the daemon gives the first event of the millisecond of ``at``."""
    return EventIds()(at)


class ResumeTests(SynchronousTestCase):
    """bob drops; alice talks on; bob comes back with /resume and sees exactly what alice said meanwhile."""

    def setUp(self) -> None:
        self.db = new_database(self)

    def start(self, *arguments: str) -> Daemon:
        return Daemon.start(self, [*LOOPBACK, "--db", self.db, *arguments])

    def enter(self, daemon: Daemon, nick: str, resume: Mapping[str, str] = {}) -> LineClient:
        """``nick`` reading JSON, having noted ``resume`` (room -> id) first; past its nickname's notice."""
        client = daemon.connect()
        client.expect(WELCOME, PROMPT)
        client.say("/format json")
        while client.expect_json().get("kind") != "prompt":
            pass  # the format notice and the greeting again, as JSON
        for room, event_id in resume.items():
            client.say(f"/resume {room} {event_id}")
            noted = client.expect_json()
            self.assertEqual((noted["kind"], noted["room"], noted["id"]), ("resume", room, event_id))
        client.say(nick)
        self.assertEqual(client.expect_json()["text"], f"You are {nick}.")
        return client

    def next_of(self, client: LineClient, *kinds: str) -> dict[str, Any]:
        """The next line ``client`` is shown whose type (or a notice's kind) is one of ``kinds``."""
        while True:
            line = client.expect_json()
            if line["type"] in kinds or line.get("kind") in kinds:
                return line

    def talk(self, client: LineClient, *texts: str) -> list[dict[str, Any]]:
        """``client`` says each of ``texts``, one at a time (lines sent together are a paste); its echoes."""
        echoes = []
        for text in texts:
            client.say(text)
            echoes.append(self.next_of(client, *MESSAGES))
        return echoes

    def resumed(self, client: LineClient) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The lines ``client`` is shown between its join and the marker after them, and the marker."""
        self.assertEqual([client.expect_json()["type"] for _ in range(2)], ["joined", "members"])
        lines: list[dict[str, Any]] = []
        while True:
            line = client.expect_json()
            if line.get("kind") == "history_end":
                return lines, line
            lines.append(line)

    def resumed_end(self, count: int, missed: int) -> dict[str, Any]:
        """The marker after a resume in #lobby, but its text."""
        return {
            "type": "notice",
            "kind": "history_end",
            "room": "#lobby",
            "count": count,
            "missed": missed,
            "earlier": True,
        }

    def drop(self, alice: LineClient, bob: LineClient) -> None:
        """bob's connection drops; alice sees him go, so his nickname is free again."""
        bob.close()
        self.assertEqual(self.next_of(alice, "quit")["nick"], "bob")

    def test_a_dropped_client_gets_exactly_the_lines_it_missed(self) -> None:
        """Seen: one, two. Missed: three to six, an action among them. Shown: those four, the count, then live."""
        daemon = self.start()
        alice = self.enter(daemon, "alice")
        bob = self.enter(daemon, "bob")
        self.talk(alice, "one", "two")
        seen = [self.next_of(bob, *MESSAGES) for _ in range(2)]
        self.drop(alice, bob)
        missed = self.talk(alice, "three", "/me four", "five", "six")

        bob = self.enter(daemon, "bob", {"#lobby": seen[-1]["id"]})
        lines, end = self.resumed(bob)
        self.assertEqual(lines, [{**line, "history": True} for line in missed])
        self.assertEqual(
            end,
            {
                "type": "notice",
                "kind": "history_end",
                "room": "#lobby",
                "count": 4,
                "missed": 4,
                "earlier": True,
                "text": "End of what you missed in #lobby: 4 messages.",
            },
        )
        [live] = self.talk(alice, "live")
        self.assertEqual(self.next_of(bob, *MESSAGES), live)

    def test_nothing_missed_and_another_room_s_id_are_said(self) -> None:
        """Nothing said since: the marker says so. The id of a line of #dev, said while bob was away: what #lobby
        said after it (it was "No line with the id ... is kept", and the last lines as if nothing was missed)."""
        daemon = self.start("--replay", "2")
        alice = self.enter(daemon, "alice")
        bob = self.enter(daemon, "bob")
        [last] = self.talk(alice, "only line")
        self.next_of(bob, *MESSAGES)
        self.drop(alice, bob)
        bob = self.enter(daemon, "bob", {"#lobby": last["id"]})
        self.assertEqual(
            self.resumed(bob), ([], {**self.resumed_end(0, 0), "text": "Nothing missed in #lobby."})
        )
        self.drop(alice, bob)
        self.talk(alice, "before")
        alice.say("/join #dev")
        self.next_of(alice, "members")
        [elsewhere] = self.talk(alice, "in #dev")
        alice.say("/join #lobby")
        self.next_of(alice, "room")
        after = self.talk(alice, "after 1", "after 2")
        bob = self.enter(daemon, "bob", {"#lobby": elsewhere["id"]})
        lines, end = self.resumed(bob)
        self.assertEqual(lines, [{**line, "history": True} for line in after])
        self.assertEqual(
            end, {**self.resumed_end(2, 2), "text": "End of what you missed in #lobby: 2 messages."}
        )

    def test_a_line_forgotten_by_retention_is_where_what_was_missed_begins(self) -> None:
        """bob saw "old 3" three days ago, and --retain-days 1 forgot it at start: he is shown the two lines said
        since, not told that it is not kept and shown the last lines."""
        now = time.time()
        old = now - 3 * DAY

        def line(at: float, text: str, seq: int) -> Said:
            return replace(said(at, "#lobby", "alice", text, seq), id=event_id(at))

        fill(
            self.db,
            [
                *(line(old + n, f"old {n}", n) for n in range(1, 4)),
                *(line(now - 60 + n, f"young {n}", 3 + n) for n in range(1, 3)),
            ],
        )
        daemon = self.start("--retain-days", "1")
        forgot = daemon.wait_for_log(re.compile(rb"Forgot (\d+) events older than 1.0 days"))
        self.assertEqual(forgot.group(1), b"3")
        bob = self.enter(daemon, "bob", {"#lobby": event_id(old + 3)})
        lines, end = self.resumed(bob)
        self.assertEqual([line["text"] for line in lines], ["young 1", "young 2"])
        self.assertEqual(
            end, {**self.resumed_end(2, 2), "text": "End of what you missed in #lobby: 2 messages."}
        )

    def test_after_kill_9_the_client_gets_exactly_the_lines_it_missed(self) -> None:
        """Lines said while bob was away, then SIGKILL and a restart on the same file: bob gets exactly those."""
        daemon = self.start()
        alice = self.enter(daemon, "alice")
        bob = self.enter(daemon, "bob")
        self.talk(alice, "before")
        seen = self.next_of(bob, *MESSAGES)
        self.drop(alice, bob)
        missed = self.talk(alice, "while away 1", "while away 2", "/me while away 3")
        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)

        daemon = self.start()
        bob = self.enter(daemon, "bob", {"#lobby": seen["id"]})
        lines, end = self.resumed(bob)
        self.assertEqual(lines, [{**line, "history": True} for line in missed])
        self.assertEqual((end["count"], end["missed"]), (3, 3))

    def test_beyond_the_bound_the_latest_lines_and_how_many_were_missed(self) -> None:
        """1,003 lines missed: the latest 1,000 come back, and the marker says 1003 were missed."""
        daemon = self.start("--flood-rate", "100000", "--flood-burst", "100000", "--flood-bytes", "100000000")
        alice = self.enter(daemon, "alice")
        bob = self.enter(daemon, "bob")
        [seen] = self.talk(alice, "seen")
        self.next_of(bob, *MESSAGES)
        self.drop(alice, bob)
        missed = self.talk(alice, *(f"line {n}" for n in range(1, RESUME_MOST + 4)))

        bob = self.enter(daemon, "bob", {"#lobby": seen["id"]})
        lines, end = self.resumed(bob)
        self.assertEqual(lines, [{**line, "history": True} for line in missed[3:]])
        self.assertEqual(
            end,
            {
                **self.resumed_end(RESUME_MOST, RESUME_MOST + 3),
                "text": "End of what you missed in #lobby: 1003 messages, the last 1000 shown; "
                "/history #lobby shows earlier lines.",
            },
        )
        bob.say("/history 5")
        self.assertEqual(
            [bob.expect_json()["text"] for _ in range(5)],
            ["seen", "line 1", "line 2", "line 3", "End of history of #lobby: nothing earlier is kept."],
        )
