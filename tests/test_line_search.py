"""/search on the line front end: the newest lines holding some words, each with its id, to members only."""

import json
from collections.abc import Callable

from twisted.internet.defer import Deferred
from twisted.internet.error import ConnectionDone
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure

from chatd.domain.search import EVER, Found, Period
from chatd.domain.storage_ports import History
from chatd.frontend.flood import CHECKED_PER_LINE
from chatd.line.budget import SLOWED
from chatd.line.limits import LineLimits
from chatd.line.render import text_line
from chatd.storage.memory import MemoryHistory
from chatd.storage.sqlite import SQLiteHistory
from tests.events import said
from tests.helpers import LineTestCase, ThreadedReactor, committed, new_database
from tests.test_history import caught_up, open_store
from tests.test_line_offline import IdentifiedTestCase


class SearchCommandTests(LineTestCase):
    """alice said seven lines in #lobby, a minute apart from 00:01; some hold words worth finding."""

    TEXTS = ("hello all", "try qwen3.6 now", "Un café au lait", "back soon", "CAFE again", "go home", "bye")

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.connect(b"alice")
        for text in self.TEXTS:
            self.clock.advance(60)
            self.alice.dataReceived(text.encode() + b"\n")
            self.end_pass()
        self.alice_wire.clear()

    def ask(self, line: bytes) -> list[bytes]:
        self.alice.dataReceived(line + b"\n")
        return self.lines(self.alice_wire)

    def test_hits_show_date_id_room_sender_and_text_newest_first_then_the_end(self) -> None:
        """Each line found shows its date, its id, the room, who said it and what; the end says how many."""
        self.alice.dataReceived(b"/format json\n/history 7\n")
        ids = [json.loads(line)["id"] for line in self.lines(self.alice_wire)[1:-1]]
        self.assertEqual(
            self.ask(b"/format text\n/search cafe"),
            [
                b"*** Lines are now text.",
                f"[1970-01-01 00:05] {ids[4]} #lobby <alice> CAFE again".encode(),
                f"[1970-01-01 00:03] {ids[2]} #lobby <alice> Un café au lait".encode(),
                b'*** End of search of #lobby for "cafe": 2 found. '
                b"/history #lobby around ID shows one in context.",
            ],
        )

    def test_a_hit_s_id_jumps_to_its_context(self) -> None:
        """The id a search shows is what /history ROOM around ID takes."""
        [hit, _] = self.ask(b"/search wen3.6")
        event_id = hit.split()[2].decode()
        around = self.ask(f"/history #lobby around {event_id}".encode())
        self.assertIn(b"[1970-01-01 00:02] #lobby <alice> try qwen3.6 now", around)

    def test_json_hits_are_history_lines_marked_search(self) -> None:
        """In JSON a hit has every key of the live line, "history": true and "search": true; the end its count."""
        self.alice.dataReceived(b"/format json\nqwen3.6 again\n")
        live = json.loads(self.lines(self.alice_wire)[-1])
        self.alice.dataReceived(b"/search #lobby wen3.6 again\n")
        hit, end = (json.loads(line) for line in self.lines(self.alice_wire))
        self.assertEqual(hit, {**live, "history": True, "search": True})
        self.assertEqual(
            end,
            {
                "type": "notice",
                "kind": "search_end",
                "room": "#lobby",
                "query": "wen3.6 again",
                "count": 1,
                "scan": False,
                "earlier": None,
                "text": 'End of search of #lobby for "wen3.6 again": 1 found. '
                "/history #lobby around ID shows one in context.",
            },
        )

    def test_nothing_found_says_so(self) -> None:
        """A search that finds nothing says so in one line, naming the room and the words."""
        self.assertEqual(self.ask(b"/search zebra"), [b'*** No line of #lobby holds "zebra".'])

    def test_words_typed_in_quotes_are_shown_as_typed(self) -> None:
        """Quotes are text to a search: the end line shows the words with the user's own quotes, not doubled."""
        self.assertEqual(
            self.ask(b'/search "back soon"')[-1],
            b'*** End of search of #lobby for "back soon": 1 found. /history #lobby around ID shows one in context.',
        )
        self.assertEqual(self.ask(b'/search say "hi"'), [b'*** No line of #lobby holds say "hi".'])

    def test_a_short_word_says_only_the_latest_lines_were_read(self) -> None:
        """A word under three characters finds lines too, and the end says the search read only the latest."""
        self.clock.advance(60)
        lines = self.ask(b"/search go")
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[0].endswith(b" #lobby <alice> go home"), lines[0])
        self.assertEqual(
            lines[1],
            b'*** End of search of #lobby for "go" (a word under 3 characters: only the last 10,000 lines, '
            b"2,000,000 characters, were read): 1 found. /history #lobby around ID shows one in context.",
        )

    def more(self, count: int) -> list[str]:
        """alice says "more 0" to "more {count - 1}", ten seconds apart; their ids, oldest first."""
        self.alice.dataReceived(b"/format json\n")
        for n in range(count):
            self.alice.dataReceived(f"more {n}\n".encode())
            self.end_pass()
            self.clock.advance(10)
        ids = [json.loads(line)["id"] for line in self.lines(self.alice_wire)[1:]]
        self.alice.dataReceived(b"/format text\n")
        self.lines(self.alice_wire)
        return ids

    def test_a_full_page_names_the_search_that_shows_older_ones(self) -> None:
        """Twenty lines found is a full page: the end names the /search before the oldest shown, which shows the
        rest, older, and ends saying they are all."""
        ids = self.more(25)
        lines = self.ask(b"/search more")
        self.assertEqual(len(lines), 21)
        self.assertTrue(lines[0].endswith(b"<alice> more 24"), lines[0])
        self.assertEqual(
            lines[-1],
            f'*** End of search of #lobby for "more": the newest 20; /search #lobby before {ids[5]} more shows '
            "older ones. /history #lobby around ID shows one in context.".encode(),
        )
        older = self.ask(f"/search #lobby before {ids[5]} more".encode())
        self.assertEqual(
            [line.split(b"> ")[-1] for line in older[:-1]], [f"more {n}".encode() for n in range(4, -1, -1)]
        )
        self.assertEqual(
            older[-1],
            b'*** End of search of older lines of #lobby for "more": 5 found. '
            b"/history #lobby around ID shows one in context.",
        )

    def test_json_search_end_names_the_id_to_page_back_from(self) -> None:
        """In JSON a full page's end holds "earlier", the oldest hit's id, and asking before it reaches the older
        hits, whose end holds "earlier": null."""
        ids = self.more(45)
        self.alice.dataReceived(b"/format json\n/search more\n")
        first = [json.loads(line) for line in self.lines(self.alice_wire)[1:]]
        self.assertEqual((first[-2]["id"], first[-1]["earlier"]), (ids[25], ids[25]))
        self.alice.dataReceived(f"/search before {ids[25]} more\n".encode())
        second = [json.loads(line) for line in self.lines(self.alice_wire)]
        self.assertEqual([hit["id"] for hit in second[:-1]], ids[24:4:-1])
        self.alice.dataReceived(f"/search before {second[-1]['earlier']} more\n".encode())
        third = [json.loads(line) for line in self.lines(self.alice_wire)]
        self.assertEqual([hit["id"] for hit in third[:-1]], ids[4::-1])
        self.assertEqual((third[-1]["count"], third[-1]["earlier"]), (5, None))

    def test_before_a_time_searches_the_lines_said_before_it(self) -> None:
        """before takes a time, as /history before does: the lines said before it alone; none, said so."""
        lines = self.ask(b"/search before 1970-01-01T00:04:00Z cafe")
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[0].endswith(b"<alice> Un caf\xc3\xa9 au lait"), lines[0])
        self.assertEqual(
            self.ask(b"/search before 1970-01-01T00:02:00Z cafe"),
            [b'*** No older line of #lobby holds "cafe".'],
        )

    def test_before_a_word_that_is_no_point_is_a_word_looked_for(self) -> None:
        """/search before lunch looks for both words; before ID with no words after is refused."""
        self.ask(b"back before lunch")
        self.assertTrue(self.ask(b"/search before lunch")[0].endswith(b"<alice> back before lunch"))
        self.assertEqual(
            self.ask(b"/search #lobby before 1970-01-01T00:04:00Z"),
            [b"ERR usage usage: /search [#room|@NICK] [before ID] words"],
        )

    def test_only_members_search_a_room(self) -> None:
        """A room one is not in, or that does not exist, is refused as /history refuses it."""
        bob, _ = self.connect(b"bob")
        bob.dataReceived(b"/join #dev\nsecret plans\n")
        self.assertEqual(
            self.ask(b"/search #dev secret"),
            [b"ERR members-only only members of #dev may read its history; /join #dev first"],
        )
        self.assertEqual(
            self.ask(b"/search #none x"),
            [b"ERR members-only only members of #none may read its history; /join #none first"],
        )

    def test_another_room_is_named_with_its_hash(self) -> None:
        """/search #dev words searches #dev; a first word without # is a word, in the current room."""
        self.ask(b"/join #dev\ndev news")
        self.assertTrue(self.ask(b"/search #lobby bye")[0].endswith(b"#lobby <alice> bye"))
        self.assertTrue(self.ask(b"/search dev news")[0].endswith(b"#dev <alice> dev news"))

    def test_bad_searches_get_one_line(self) -> None:
        """No words, a room and no words, or more than eight words: one line each, nothing else."""
        usage = [b"ERR usage usage: /search [#room|@NICK] [before ID] words"]
        self.assertEqual(self.ask(b"/search"), usage)
        self.assertEqual(self.ask(b"/search #lobby"), usage)
        self.assertEqual(
            self.ask(b"/search a b c d e f g h i"),
            [b"ERR bad-search a search looks for 1 to 8 words, not 9"],
        )

    def test_words_that_show_as_nothing_are_refused_as_such(self) -> None:
        """Only characters that show as nothing (zero-width spaces): one line saying so, not "not 0" words."""
        self.assertEqual(
            self.ask("/search \u200b\u200b \u2060".encode()),
            [b"ERR bad-search a search looks for 1 to 8 words; what was given shows as nothing"],
        )

    def test_a_control_character_is_refused_as_in_a_line_said(self) -> None:
        """A query holding a control character (a NUL, an escape) is refused in one line, as a message would be."""
        self.assertEqual(
            self.ask(b"/search the\x00re"),
            [b"ERR bad-text not sent: control or bidi character U+0000 refused"],
        )

    def test_lines_of_those_ignored_are_not_shown(self) -> None:
        """A search shows nothing said by someone the asker ignores, as history does not."""
        bob, _ = self.connect(b"bob")
        bob.dataReceived(b"cafe from bob\n")
        self.end_pass()
        self.ask(b"/ignore bob")
        lines = self.ask(b"/search cafe")
        self.assertNotIn(b"bob", b"".join(lines))
        self.assertEqual(len(lines), 3)

    def test_searching_again_and_again_is_slowed(self) -> None:
        """A page of 20 lines costs 3 lines of budget (the command and 2 for its lines): five searches at once
        get four answers, the last into debt, then the flood notice; the fifth waits for its budget."""
        for n in range(20):
            self.alice.dataReceived(f"more {n}\n".encode())
            self.end_pass()
            self.clock.advance(10)
        self.alice_wire.clear()
        lines = self.ask(b"/search more\n" * 5)
        self.assertEqual(lines.count(lines[-2]), 4, lines[-2])
        self.assertEqual(lines[-1], text_line(SLOWED).rstrip(b"\r\n"))
        self.clock.advance(10)
        self.assertEqual(len(self.lines(self.alice_wire)), 21)

    def test_a_short_word_search_costs_a_burst_of_flood_budget(self) -> None:
        """A search no index helps with costs a burst in all: one is answered with no word of flooding, a
        second right after is told it floods, and a third waits for the budget; searches by the index cost a
        line each.

        It cost one line, so a loop of them from 20 connections kept the
        store's reader thread busy and everyone's history waited seconds.
        """
        self.ask(b"/format json")
        self.clock.advance(60)
        kinds = self.ask(b"/search go")
        self.assertEqual([json.loads(line).get("kind") for line in kinds], [None, "search_end"])
        kinds = self.ask(b"/search go")
        self.assertEqual([json.loads(line).get("kind") for line in kinds], ["flood", None, "search_end"])
        self.assertEqual(self.ask(b"/search go"), [])
        self.clock.advance(4)
        self.assertEqual(self.lines(self.alice_wire), [])
        self.clock.advance(1)
        self.assertEqual(len(self.lines(self.alice_wire)), 2)
        self.clock.advance(60)
        kinds = self.ask(b"/search home\n" * 8)
        self.assertNotIn("flood", [json.loads(line).get("kind") for line in kinds])


class SearchReadChargeTests(LineTestCase):
    """A search by the index is charged by the characters of text the store checked, not by the lines it shows."""

    def test_a_search_checking_much_costs_more_than_one_checking_little(self) -> None:
        """A search of a room of 500 pastes of 1,000 characters, each holding every piece of the word but not the
        word, costs its line and one more for every 200,000 characters checked; one of a room of a few short
        lines costs its line alone. Neither shows a line.

        Charged a line whatever it read, 20 connections of one address
        looping a search the index barely narrows (0.2 s of the reader
        each) held another user's /history back 2-2.8 s.
        """
        alice, _ = self.connect(b"alice")
        alice.dataReceived(b"/join #pastes\n")
        for n in range(1, 501):
            self.history.append(said(n, "#pastes", "bob", "abc bcd " * 125, n))
        self.clock.advance(60)
        held = alice.budget_held()
        alice.dataReceived(b"/search #lobby abcd\n")
        self.assertEqual(held - alice.budget_held(), 1)
        alice.dataReceived(b"/search #pastes abcd\n")
        self.assertEqual(held - alice.budget_held(), 1 + 1 + 500_000 // CHECKED_PER_LINE)


class LaterSearches(MemoryHistory):
    """History in memory whose searches answer when the test says, in the order they were asked, as the
    SQLite store's one reader thread does."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []
        """The query of each search the store was asked for, in order."""
        self._pending: list[Callable[[], object]] = []

    def search(self, room: str, query: str, limit: int, period: Period = EVER) -> "Deferred[Found]":
        self.asked.append(query)
        answer: Deferred[Found] = Deferred()
        self._pending.append(
            lambda: MemoryHistory.search(self, room, query, limit, period).chainDeferred(answer)
        )
        return answer

    def answer(self) -> None:
        """Answer the oldest search waiting."""
        self._pending.pop(0)()


class ShortWordSearchTurnTests(LineTestCase):
    """Each host's searches reach the store one at a time, scans and indexed ones alike."""

    def make_history(self) -> History:
        self.store = LaterSearches()
        return self.store

    def test_a_hosts_second_search_waits_for_its_first_while_others_go_ahead(self) -> None:
        """Connections of one address search a short word, then an indexed one: each reaches the store only once
        the address's search before it is answered, while another host's scan goes ahead meanwhile.

        Each scan reached the reader thread's queue at once, so 20
        connections of one address kept 20 scans ahead of everyone else's
        reads; and indexed searches were never taken in turns, though one
        the index barely narrows reads as much as a scan.
        """
        one, one_wire = self.connect(b"one")
        two, two_wire = self.connect(b"two")
        other, _ = self.connect(b"other", host="192.0.2.7")
        self.clock.advance(60)
        one.dataReceived(b"/search a1\n")
        two.dataReceived(b"/search b2\n")
        other.dataReceived(b"/search c3\n")
        two_more, two_more_wire = self.connect(b"twomore")
        two_more.dataReceived(b"/search indexed\n")
        self.assertEqual(self.store.asked, ["a1", "c3"])
        self.store.answer()
        self.assertEqual(self.store.asked, ["a1", "c3", "b2"])
        self.assertEqual(
            self.lines(one_wire),
            [
                b'*** No line of #lobby holds "a1" (a word under 3 characters: '
                b"only the last 10,000 lines, 2,000,000 characters, were read)."
            ],
        )
        self.assertEqual(self.lines(two_wire), [])
        self.store.answer()
        self.store.answer()
        self.assertEqual(len(self.lines(two_wire)), 1)
        self.assertEqual(self.store.asked, ["a1", "c3", "b2", "indexed"])
        self.assertEqual(self.lines(two_more_wire), [])
        self.store.answer()
        self.assertEqual(self.lines(two_more_wire), [b'*** No line of #lobby holds "indexed".'])

    def test_a_scan_asked_by_a_connection_that_then_leaves_is_never_read(self) -> None:
        """A connection that leaves while its short-word search waits for its host's turn has it dropped, though
        its user is still in the room on another connection: the store never reads it, and the host's next
        scan is read once the one before is answered.

        A queued turn ran whatever became of its connection, so an account
        on two connections could leave scan after scan queued and go, each
        read for nobody while everyone else's reads waited behind them.
        """
        one, _ = self.connect(b"one")
        alice, alice_wire = self.connect(b"alice")
        alice.dataReceived(b"/register hunter22\n")
        second, _ = self.connect(b"alice hunter22")
        self.assertIs(second.user, alice.user)
        self.clock.advance(60)
        one.dataReceived(b"/search a1\n")
        second.dataReceived(b"/search b2\n")
        alice.dataReceived(b"/search c3\n")
        second.connectionLost(Failure(ConnectionDone()))
        self.lines(alice_wire)
        self.store.answer()
        self.assertEqual(self.store.asked, ["a1", "c3"])
        self.store.answer()
        self.assertEqual(
            self.lines(alice_wire),
            [
                b'*** No line of #lobby holds "c3" (a word under 3 characters: '
                b"only the last 10,000 lines, 2,000,000 characters, were read)."
            ],
        )


class ShortWordSearchChargeTests(LineTestCase):
    """A short-word search is charged its burst when it is asked, before the store reads it."""

    limits = LineLimits(flood_disconnect=1.0)

    def make_history(self) -> History:
        self.store = LaterSearches()
        return self.store

    def test_a_scan_whose_charge_cuts_its_connection_off_is_never_read(self) -> None:
        """A connection over its flood budget longer than --flood-disconnect whose short-word search passes the
        line's charge is cut off by the search's: the store never reads that search.

        The scan was charged once answered: the store read it first, for a
        connection its charge then cut off, and while it waited for its
        host's turn it had cost nothing yet.
        """
        alice, wire = self.connect(b"alice")
        self.clock.advance(60)
        # Ten lines spend the burst; the eleventh is one into debt: over budget from here, reading for 0.5 s.
        alice.dataReceived(b"/format text\n" * 11)
        self.clock.advance(0.5)
        # The indexed search is one line into debt again, and holds the scan back until the store answers it.
        alice.dataReceived(b"/search indexed\n/search go\n")
        self.clock.advance(1.1)
        self.store.answer()
        # The scan's line is within the 1.2 lines come back meanwhile, yet the stretch over budget goes on.
        self.assertEqual(self.store.asked, ["indexed"])
        self.assertEqual(
            self.lines(wire)[-2:],
            [
                b'*** No line of #lobby holds "indexed".',
                b"ERR flood disconnected for flooding: over the line budget for more than 1 s",
            ],
        )
        self.assertTrue(wire.disconnecting)


class AskedStore(SQLiteHistory):
    """The SQLite store, noting the query of each search as it is asked of it."""

    asked: list[str]

    def search(self, room: str, query: str, limit: int, period: Period = EVER) -> "Deferred[Found]":
        self.asked.append(query)
        return super().search(room, query, limit, period)


class SQLiteLineTestCase(LineTestCase):
    """Line sessions on a real SQLite store, its reader and writer threads answering through a ``ThreadedReactor``."""

    def make_clock(self) -> Clock:
        self.reactor = ThreadedReactor()
        return self.reactor

    def make_history(self) -> History:
        store = open_store(self, new_database(self), self.reactor, AskedStore)
        assert isinstance(store, AskedStore)
        store.asked = []
        self.store = store
        return store

    def answered(self, wire: StringTransport, end: bytes = b"*** End of search") -> list[bytes]:
        """What ``wire`` is sent once the reader thread's answers have reached it, up to its search's end line
        (starting ``end``): on a loaded machine another thread's call may end the pass between the hits and the end."""
        lines: list[bytes] = []
        while not lines or not lines[-1].startswith(end):
            if not (more := self.lines(wire)):
                self.reactor.run_from_thread()
            lines += more
        return lines


class SQLiteSearchPagingTests(SQLiteLineTestCase):
    """/search before ID pages back through a SQLite file's hits, indexed or not yet."""

    def test_each_page_goes_on_from_the_oldest_hit_of_the_one_before(self) -> None:
        """45 lines hold "more", the newest 5 not yet indexed: the first page shows the newest 20, each next one
        (from its end's "earlier") the 20 before, then the last 5, none twice."""
        alice, wire = self.connect(b"alice")
        while wire.producerState == "paused":  # her join's replay, read on the reader thread
            self.reactor.run_from_thread()
        alice.dataReceived(b"/format json\n")
        for n in range(45):
            if n == 40:
                caught_up(self.reactor, self.store)
            alice.dataReceived(f"more {n}\n".encode())
            self.clock.advance(10)
        committed(self.reactor, self.store)
        shown = [json.loads(line) for line in self.lines(wire) if line.startswith(b"{")]
        ids = [line["id"] for line in shown if line["type"] == "said"]
        pages, ask = [], b"/search more\n"
        while True:
            alice.dataReceived(ask)
            page = [json.loads(line) for line in self.answered(wire, b'{"type":"notice","kind":"search_end"')]
            pages.append([hit["id"] for hit in page if hit.get("search")])
            if page[-1]["earlier"] is None:
                break
            ask = f"/search before {page[-1]['earlier']} more\n".encode()
        self.assertEqual(pages, [ids[44:24:-1], ids[24:4:-1], ids[4::-1]])


class IndexedSearchTurnTests(SQLiteLineTestCase):
    """Each host's indexed searches reach a real SQLite store's reader thread one at a time."""

    def end(self, query: str) -> bytes:
        """The end of a search of #lobby for ``query`` that found alice's one line."""
        return f'*** End of search of #lobby for "{query}": 1 found. /history #lobby around ID shows one in context.'.encode()

    def test_a_hosts_second_indexed_search_waits_for_its_first_while_others_go_ahead(self) -> None:
        """Two connections of one address search by the index at once: the second search reaches the store only
        once the first is answered, while another host's goes ahead meanwhile.

        Only searches with a word under three characters were taken in
        turns; one the index barely narrows (8 letters over 10,000 pastes of
        the letters a-j) costs the reader thread 0.2 s, and 20 connections
        of one address looping it held another user's /history back 2-2.8 s.
        """
        alice, _ = self.connect(b"alice")
        # Her join's replay reads #lobby's last lines into memory, so the others' joins are answered from there.
        committed(self.reactor, self.store)
        alice.dataReceived(b"release notes\n")
        one, one_wire = self.connect(b"one")
        two, two_wire = self.connect(b"two")
        other, other_wire = self.connect(b"other", host="192.0.2.7")
        caught_up(self.reactor, self.store)
        # On a loaded machine a join's read may still be on the reader thread: its connection reads no line till then.
        while any(wire.producerState == "paused" for wire in (one_wire, two_wire, other_wire)):
            self.reactor.run_from_thread()
        for wire in (one_wire, two_wire, other_wire):
            wire.clear()
        one.dataReceived(b"/search release\n")
        two.dataReceived(b"/search notes\n")
        other.dataReceived(b"/search release notes\n")
        self.assertEqual(self.store.asked, ["release", "release notes"])
        self.assertEqual(self.answered(one_wire)[-1], self.end("release"))
        self.assertEqual(self.store.asked, ["release", "release notes", "notes"])
        self.assertEqual(self.answered(other_wire)[-1], self.end("release notes"))
        self.assertEqual(self.answered(two_wire)[-1], self.end("notes"))


class PrivateSearchTests(IdentifiedTestCase):
    """/search @NICK: alice's private messages with bob, to the two identified accounts alone."""

    def ask(self, line: bytes, who: str = "alice") -> list[bytes]:
        """What ``who`` is answered to ``line``, asked a minute on: a search of a word under three characters scans,
        and costs a burst of flood budget."""
        self.clock.advance(60)
        getattr(self, who).dataReceived(line + b"\n")
        return self.lines(getattr(self, f"{who}_wire"))

    def test_search_at_nick_finds_the_pairs_messages_with_their_ids(self) -> None:
        """Each private message found shows its date, its id, who wrote to whom and what; then the end line."""
        event_id = self.id_of(b"hello bob")
        self.assertEqual(
            self.ask(b"/search @bob HELLO"),
            [
                b"[1970-01-01 00:01] " + event_id + b" <alice -> bob> hello bob",
                b'*** End of search of private messages with bob for "HELLO": 1 found.',
            ],
        )

    def test_only_a_word_under_three_characters_says_it_read_the_last_messages_alone(self) -> None:
        """A search the index answers reads however old a message is, and its end line says nothing of the last
        10,000; one with a two-letter word reads those alone, and says so, as a room's search does (in JSON: "scan").

        Every search of private messages said it read only the last 10,000,
        and cost a burst, though with --db FILE the index holds them all.
        """
        self.assertEqual(
            self.ask(b"/search @bob hi"),
            [
                b"[1970-01-01 00:01] " + self.id_of(b"hi alice") + b" <bob -> alice> hi alice",
                b'*** End of search of private messages with bob for "hi" (a word under 3 characters: only the last '
                b"10,000 private messages, 2,000,000 characters, were read): 1 found.",
            ],
        )
        self.alice.dataReceived(b"/format json\n")
        self.assertEqual(
            [
                json.loads(line)["scan"]
                for line in (self.ask(b"/search @bob hi")[-1], self.ask(b"/search @bob nothing")[-1])
            ],
            [True, False],
        )

    def test_only_a_scan_of_private_messages_costs_a_burst(self) -> None:
        """Three searches of private messages in a row for words of three characters or more are answered with no
        word of flooding, as a room's by the index are; three with a two-letter word are told they flood."""
        self.alice.dataReceived(b"/format json\n")
        for query, flooded in ((b"hello", False), (b"hi", True)):
            kinds = [
                json.loads(line).get("kind") for line in self.ask(b"\n".join([b"/search @bob " + query] * 3))
            ]
            self.assertEqual("flood" in kinds, flooded, kinds)

    def test_a_nickname_without_its_at_sign_is_a_word_looked_for_in_the_room(self) -> None:
        """/search bob alice looks for both words in the current room (#dev), though bob is an account: people search
        a room for who was named in it, and only @bob is the conversation."""
        self.assertEqual(self.ask(b"/search bob alice"), [b'*** No line of #dev holds "bob alice".'])

    def id_of(self, text: bytes) -> bytes:
        """The id of alice's private message with bob that says ``text``."""
        self.clock.advance(60)
        self.alice.dataReceived(b"/format json\n/history @bob\n/format text\n")
        lines = [json.loads(line) for line in self.lines(self.alice_wire)[1:-2]]
        return str(next(line["id"] for line in lines if line["text"] == text.decode())).encode()

    def test_another_pairs_messages_are_never_found(self) -> None:
        """carol searching her conversation with bob finds nothing of alice's with him."""
        self.assertEqual(
            self.ask(b"/search @bob hello", "carol"),
            [b'*** No private message with bob holds "hello".'],
        )

    def test_someone_not_identified_is_refused_in_one_line(self) -> None:
        """dave has no account: one error line, nothing read."""
        self.assertEqual(
            self.ask(b"/search @bob from", "dave"),
            [b"ERR not-identified you are not identified; /register PASSWORD or /identify PASSWORD first"],
        )

    def test_json_hits_are_private_messages_marked_search_and_the_end_names_the_nick(self) -> None:
        """In JSON a hit is the whispered object from history with "search": true; the end names the nickname."""
        self.alice.dataReceived(b"/format json\n")
        hit, end = (json.loads(line) for line in self.ask(b"/search @Bob alice")[1:])
        self.assertEqual(
            (hit["type"], hit["text"], hit["history"], hit["search"]), ("whispered", "hi alice", True, True)
        )
        self.assertEqual(
            {key: end[key] for key in ("kind", "nick", "query", "count", "scan")},
            {"kind": "search_end", "nick": "Bob", "query": "alice", "count": 1, "scan": False},
        )

    def test_messages_of_someone_ignored_are_left_out(self) -> None:
        """alice ignoring bob finds her own message to him, not his to her."""
        self.alice.dataReceived(b"/ignore bob\n")
        self.lines(self.alice_wire)
        self.assertEqual(len(self.ask(b"/search @bob hello")), 2)
        self.assertTrue(
            self.ask(b"/search @bob alice")[-1].startswith(b"*** No private message with bob holds")
        )

    def test_a_full_page_of_private_messages_names_the_search_that_shows_older_ones(self) -> None:
        """Twenty private messages found end naming /search @NICK before the oldest; it shows the older ones."""
        for n in range(22):
            self.alice.dataReceived(f"/msg bob note {n}\n".encode())
            self.clock.advance(10)
        self.lines(self.alice_wire)
        first = self.ask(b"/search @bob note")
        oldest = first[-2].split()[2]
        self.assertEqual(
            first[-1],
            b'*** End of search of private messages with bob for "note": the newest 20; /search @bob before '
            + oldest
            + b" note shows older ones.",
        )
        older = self.ask(b"/search @bob before " + oldest + b" note")
        self.assertEqual([line.split(b"> ")[-1] for line in older[:-1]], [b"note 1", b"note 0"])
        self.assertEqual(
            older[-1], b'*** End of search of older private messages with bob for "note": 2 found.'
        )

    def test_forgotten_messages_are_not_found(self) -> None:
        """After alice's /forget confirm, bob's search finds her message no more, his own still."""
        self.alice.dataReceived(b"/forget confirm\n")
        [nothing] = self.ask(b"/search @alice hello", "bob")
        [hit, _] = self.ask(b"/search @alice hi", "bob")
        self.assertTrue(nothing.startswith(b'*** No private message with alice holds "hello"'), nothing)
        self.assertTrue(hit.endswith(b"<bob -> alice> hi alice"), hit)
