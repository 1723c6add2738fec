"""/search against the real daemon over TCP, on a real SQLite file: across a kill -9, and in a file from before it;
a room's lines, and private messages; and IRC's SEARCH paging back with before=."""

import re
import signal
from dataclasses import replace
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon, LineClient
from tests.e2e.ircclient import IRCClient, irc_port
from tests.e2e.lobby import LOOPBACK, PROMPT, WELCOME
from tests.e2e.test_accounts import PASSWORD
from tests.events import said
from tests.helpers import new_database
from tests.test_sqlite import version_1

TEXTS = (
    "Un café au lait, svp",
    "we run qwen3.6 now",
    "docs at https://example.org/guide/search?lang=en",
    "明日は東京都に行きます",
)


HIT = re.compile(r"@(?:\S*;)?time=(?P<time>[^; ]+)\S* :alice!\S+ PRIVMSG #lobby :(?P<text>.*)")
"""A line found, as an IRC client with server-time reads it: its time and its text."""

FAST_TALKERS = ("--flood-rate", "100000", "--flood-burst", "100000", "--flood-bytes", "10000000")
"""Flood budgets no test's lines reach."""


class SearchTests(SynchronousTestCase):
    """Lines said over TCP are found by words, pieces of words, URLs and CJK, and jump to their context."""

    def setUp(self) -> None:
        self.db = new_database(self)

    def start(self, *options: str) -> Daemon:
        # A burst that fits the test's lines: the default slows a client after 10.
        return Daemon.start(self, [*LOOPBACK, "--db", self.db, "--flood-burst", "50", *options])

    def enter(self, daemon: Daemon, nick: str) -> LineClient:
        """``nick`` in #lobby, reading JSON lines from now on, past any history replayed."""
        client = daemon.connect()
        client.expect(WELCOME, PROMPT)
        client.say(nick)
        client.say("/format json")
        while not client.read_line().startswith(b"{"):
            pass  # the text lines before the answer to /format, which is the first JSON line
        client.say("/time")
        while client.expect_json()["type"] != "server_time":
            pass
        return client

    def search(self, client: LineClient, query: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The lines ``/search query`` shows ``client``, and its end line."""
        client.say(f"/search {query}")
        return self.found(client)

    def found(self, client: LineClient) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The lines of the search ``client`` asked for last, and its end line."""
        found = []
        while (line := client.expect_json())["type"] != "notice":
            found.append(line)
        self.assertEqual(line["kind"], "search_end", line)
        return found, line

    def texts(self, client: LineClient, query: str) -> list[str]:
        return [line["text"] for line in self.search(client, query)[0]]

    def test_lines_said_are_found_and_found_again_after_kill_9(self) -> None:
        """Words without accents, a piece of a version, a URL's fragment and CJK find their lines, before and after SIGKILL."""
        daemon = self.start()
        alice = self.enter(daemon, "alice")
        said_live = []
        for text in TEXTS:
            alice.say(text)
            said_live.append(alice.expect_json())
        queries = {"CAFE": TEXTS[0], "wen3.6": TEXTS[1], "example.org/guide": TEXTS[2], "東京都": TEXTS[3]}
        for query, text in queries.items():
            self.assertEqual(self.texts(alice, query), [text], query)
        [hit], end = self.search(alice, "#lobby wen3.6")
        self.assertEqual(hit, {**said_live[1], "history": True, "search": True})
        self.assertEqual((end["count"], end["scan"]), (1, False))
        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)

        bob = self.enter(self.start(), "bob")
        for query, text in queries.items():
            self.assertEqual(self.texts(bob, query), [text], query)
        bob.say(f"/history #lobby around {hit['id']}")
        around = []
        while (line := bob.expect_json())["type"] != "notice":
            around.append(line["text"])
        self.assertIn(TEXTS[1], around)

    def test_a_private_message_is_found_by_the_index_after_kill_9(self) -> None:
        """alice's private message to bob, both identified, is found by bob's /search @alice after a SIGKILL, by the
        index: its end says nothing of a conversation's last 10,000, and costs no burst; a two-letter word's scan costs
        one, and its end says it scanned."""
        daemon = self.start()
        for nick in ("alice", "bob"):
            client = daemon.connect()
            client.expect(WELCOME, PROMPT)
            client.say(nick)
            client.say(f"/register {PASSWORD}")
            wanted = (
                f"*** The nickname {nick} is registered to you, and you are identified to it.\r\n".encode()
            )
            while not client.read_line().endswith(wanted):
                pass
        client.say("/msg alice the old recipe")
        while b"the old recipe" not in client.read_line():
            pass  # shown to its sender: the pass log holds it
        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)

        alice = self.enter(self.start(), f"alice {PASSWORD}")
        found, end = self.search(alice, "@bob RECIPE")
        self.assertEqual([(line["type"], line["text"]) for line in found], [("whispered", "the old recipe")])
        self.assertEqual((end["nick"], end["count"], end["scan"]), ("bob", 1, False))
        alice.say("/search @bob ol")
        self.assertEqual(alice.expect_json()["kind"], "flood")  # a scan's burst, charged as it is asked
        found, end = self.found(alice)
        self.assertEqual([line["text"] for line in found], ["the old recipe"])
        self.assertEqual((end["count"], end["scan"]), (1, True))

    def test_a_short_word_reads_the_latest_lines(self) -> None:
        """A two-character word finds its line by the bounded scan, and the end line says so; a NUL is refused.
        The scan costs a burst of flood budget, charged as it is asked: the lines before it leave too little, so
        its flood notice comes first."""
        alice = self.enter(self.start(), "alice")
        for text in TEXTS:
            alice.say(text)
            alice.expect_json()
        alice.say("/search the\x00re")
        self.assertEqual(alice.expect_json()["code"], "bad-text")
        alice.say("/search 東京")
        self.assertEqual(alice.expect_json()["kind"], "flood")
        found, end = self.found(alice)
        self.assertEqual([line["text"] for line in found], [TEXTS[3]])
        self.assertEqual((end["count"], end["scan"]), (1, True))

    def test_lines_of_a_database_from_before_search_are_found(self) -> None:
        """A file at schema 1, written before /search, is upgraded at start and its lines are found."""
        version_1(
            self.db,
            [
                replace(said(1_700_000_000 + seq, "#lobby", "carol", text, seq), id=f"{seq:016x}")
                for seq, text in enumerate(TEXTS, start=1)
            ],
        )
        alice = self.enter(self.start(), "alice")
        self.assertEqual(self.texts(alice, "cafe"), [TEXTS[0]])
        self.assertEqual(self.texts(alice, "guide/search"), [TEXTS[2]])

    def test_an_irc_client_pages_back_through_hits_with_before(self) -> None:
        """Of 25 lines holding "match", an IRC client's SEARCH shows the newest 20; before= the time of the oldest
        of them, the other 5; after= a hit's time, those after it. The same after a restart, whether the index or
        the lines it has not read yet find them.

        before= and after= narrowed the newest 20: paging back found
        nothing older.
        """
        daemon = self.start(*FAST_TALKERS, "--irc-port", "0")
        bob = IRCClient(daemon, irc_port(daemon), "bob")
        bob.registered()
        bob.send("CAP REQ server-time")
        bob.next("cap")
        bob.join("#lobby")
        alice = self.enter(daemon, "alice")
        for n in range(1, 26):
            alice.say(f"match {n}")
            said = alice.expect_json()
            # Each match line a millisecond of its own, as a time names a millisecond: lines in between until the
            # chat's clock has moved on (its ids begin with their millisecond).
            while True:
                alice.say("filler")
                if alice.expect_json()["id"][:12] != said["id"][:12]:
                    break
        for reader in (lambda: bob, lambda: self.irc_reader(self.restarted(daemon))):
            client = reader()
            newest = self.hits(client, "")
            self.assertEqual([text for _, text in newest], [f"match {n}" for n in range(6, 26)])
            oldest, later = newest[0][0], newest[-3][0]
            self.assertEqual(
                [text for _, text in self.hits(client, f";before={oldest}")],
                [f"match {n}" for n in range(1, 6)],
            )
            self.assertEqual(
                [text for _, text in self.hits(client, f";after={later}")], ["match 24", "match 25"]
            )

    def restarted(self, daemon: Daemon) -> Daemon:
        """``daemon`` stopped with SIGTERM and another started on the same file."""
        self.assertEqual(daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        return self.start(*FAST_TALKERS, "--irc-port", "0")

    def irc_reader(self, daemon: Daemon) -> IRCClient:
        """carol on ``daemon``'s IRC port with server-time, in #lobby."""
        carol = IRCClient(daemon, irc_port(daemon), "carol")
        carol.registered()
        carol.send("CAP REQ server-time")
        carol.next("cap")
        carol.join("#lobby")
        return carol

    def hits(self, client: IRCClient, asked: str) -> list[tuple[str, str]]:
        """The time and text of each line ``SEARCH in=#lobby;text=match`` and ``asked`` shows ``client``, in order:
        what arrives before the answer to a PING sent after it, and after one sent before it."""
        client.send("PING :before")
        client.next("pong")
        start = len(client.received)
        client.send(f"SEARCH in=#lobby;text=match{asked}")
        client.send("PING :after")
        client.next("pong")
        return [
            (hit["time"], hit["text"]) for line in client.received[start:] if (hit := HIT.fullmatch(line))
        ]
