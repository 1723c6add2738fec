"""A room's history on the real daemon over loopback: a newcomer sees the last lines, then live ones (issue 13)."""

import re
import time

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import LineClient
from tests.e2e.lobby import PROMPT, WELCOME, Lobby, start_chatd

DATED = re.compile(rb"\[(?P<day>\d{4}-\d\d-\d\d) (?P<hh>\d\d):(?P<mm>\d\d)\] (?P<rest>.*)\r\n", re.DOTALL)
"""A line from history: its date and time, then the body of the live line."""


def expect_history(case: SynchronousTestCase, client: LineClient, *bodies: str) -> None:
    """The next lines are ``bodies`` from history, each dated today or yesterday (a test across midnight)."""
    days = {time.strftime("%Y-%m-%d", time.gmtime(time.time() - back)).encode() for back in (0, 86400)}
    for body in bodies:
        received = client.read_line()
        found = DATED.fullmatch(received)
        if found is None:
            case.fail(f"{received!r} is not [YYYY-MM-DD HH:MM] {body!r} CRLF")
        case.assertEqual(found.group("rest"), body.encode("utf-8"))
        case.assertIn(found.group("day"), days)


class ReplayTests(SynchronousTestCase):
    def test_newcomer_gets_the_last_lines_then_the_marker_then_live_lines(self) -> None:
        """With --replay 2, bob joining after three lines sees the last two, dated, the marker, then alice live."""
        lobby = Lobby(start_chatd(self, "--replay", "2"))
        alice = lobby.enter("alice")
        for text in ("one", "two", "three"):
            alice.say(text)
            alice.expect_stamped(f"#lobby <alice> {text}")
        bob = lobby.enter("bob")
        expect_history(self, bob, "#lobby <alice> two", "#lobby <alice> three")
        bob.expect("*** End of history of #lobby; /history #lobby shows earlier lines.")
        alice.say("welcome bob")
        bob.expect_stamped("#lobby <alice> welcome bob")
        bob.say("/history")
        expect_history(self, bob, "#lobby <alice> one")
        bob.expect("*** End of history of #lobby: nothing earlier is kept.")

    def test_json_newcomer_gets_history_marked_as_such(self) -> None:
        """In JSON the replayed line is the live one with "history": true, then the history_end notice."""
        daemon = start_chatd(self)
        lobby = Lobby(daemon)
        alice = lobby.enter("alice")
        alice.say("/format json")
        alice.expect_json()
        alice.say("hello")
        live = alice.expect_json()
        bob = daemon.connect()
        bob.expect(WELCOME, PROMPT)
        bob.say("/format json")
        for _ in range(3):
            bob.expect_json()  # format, welcome again, prompt again
        bob.say("bob")
        self.assertEqual([bob.expect_json()["type"] for _ in range(3)], ["notice", "joined", "members"])
        self.assertEqual(bob.expect_json(), {**live, "history": True})
        end = bob.expect_json()
        self.assertEqual((end["kind"], end["room"], end["count"]), ("history_end", "#lobby", 1))
