"""The History port's contract, held by both stores: in memory, and in a SQLite file in a temporary directory.

The contract covers messages (what ``MemoryHistory`` keeps) and where any
other event happened among them (``place``), and the reads from points
chatd.domain.resume makes of both; what only the SQLite store keeps is in
tests/test_sqlite.py.
"""

from collections.abc import Awaitable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar, cast

from twisted.internet.defer import Deferred
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.events import Actor, Deleted, Encrypted, RoomEvent, Whispered
from chatd.domain.ids import Point, event_point
from chatd.domain.offline import conversation
from chatd.domain.resume import around, missed
from chatd.domain.search import EVER, SCAN_CHARACTERS, SCAN_LINES, Found, Period, period_between
from chatd.domain.storage_ports import History
from chatd.storage.memory import MemoryHistory
from chatd.storage.search_index import PAUSE
from chatd.storage.sqlite import SQLiteHistory
from tests.events import acted, joined, kicked, killed, nick_changed, parted, quit, said, topic_changed
from tests.helpers import ThreadedReactor, committed, new_database

T = TypeVar("T")

# The contract is a mixin, so no runner takes it for a test case of its own.
if TYPE_CHECKING:
    _TestCase = SynchronousTestCase
else:
    _TestCase = object


class HistoryContract(_TestCase):
    """What every ``History`` does; a subclass makes the store and waits for its answers."""

    history: History

    def result(self, answer: Awaitable[T]) -> T:
        """What ``answer`` (a read: a Deferred from either store) gives once the store has answered."""
        raise NotImplementedError

    def end_pass(self) -> None:
        """End the reactor pass: a store on disk writes what was appended."""

    def setUp(self) -> None:
        self.lines = [
            replace(
                said(n, "#Lobby", "alice", f"line {n}", n), id=f"{n:016x}", actor=Actor("alice", "10.0.0.1")
            )
            for n in range(1, 11)
        ]
        for event in self.lines:
            self.history.append(event)

    def texts(self, events: Awaitable[Sequence[RoomEvent] | None]) -> list[str]:
        """The texts of the messages a read found (it must find a page, not None)."""
        found = self.result(events)
        assert found is not None
        return [getattr(event, "text", "") for event in found]

    def test_messages_come_back_whole(self) -> None:
        """A message read back is the event appended: id, time, room as shown, seq, actor and text."""
        self.history.append(acted(11, "#Lobby", "bob", "waves", 11))
        self.assertEqual(
            list(self.result(self.history.room_events("#lobby", 0, 20))),
            [*self.lines, acted(11, "#Lobby", "bob", "waves", 11)],
        )

    def test_rooms_are_read_by_folded_name(self) -> None:
        """A room said as #Lobby is read as #lobby; another room's lines are not in it."""
        self.history.append(said(11, "#Other", "bob", "elsewhere", 1))
        self.assertEqual(self.texts(self.history.room_events("#other", 0, 5)), ["elsewhere"])
        self.assertEqual(self.texts(self.history.room_events("#Lobby", 9, 5)), [])
        self.assertEqual(len(self.result(self.history.room_events("#lobby", 0, 20))), 10)

    def test_reads_give_back_what_was_said_not_arrivals_or_topics(self) -> None:
        """Joins, parts, topics and kicks number the room but are not lines a read gives back, in either store; nor are
        new nicknames, quits and kills, which the SQLite store keeps for the export (replays, /history and /resume
        are the same from memory and from the file)."""
        for event in (
            joined(11, "#Lobby", "bob", 11),
            topic_changed(12, "#Lobby", "bob", "news", 12),
            kicked(13, "#Lobby", "alice", "bob", "bye", 13),
            parted(14, "#Lobby", "alice", "", 14),
            nick_changed(14, "bob", "robert"),
            killed(14, "robert", "boss", "spam"),
            quit(14, "carol", ""),
        ):
            self.history.append(event)
        self.history.append(said(15, "#Lobby", "carol", "after", 15))
        self.assertEqual(self.texts(self.history.room_events("#lobby", 10, 20)), ["after"])
        self.assertEqual(self.texts(self.history.recent("#lobby", None, 2)), ["line 10", "after"])
        self.assertEqual(self.texts(self.around("#lobby", 10, 2)), ["line 10", "after"])
        self.assertEqual(self.history.last_seq("#lobby"), 15)

    def test_last_seq_is_known_at_once(self) -> None:
        """The last sequence number of a room used is answered from memory, before anything is written; 0 for a room
        never used, once ``read_last_seq`` is answered."""
        self.history.append(said(11, "#Lobby", "bob", "more", 11))
        self.assertIsNone(self.history.read_last_seq("#lobby"))
        self.assertEqual(self.history.last_seq("#lobby"), 11)
        reading = self.history.read_last_seq("#nowhere")
        if reading is not None:
            self.result(reading)
        self.assertIsNone(self.history.read_last_seq("#nowhere"))
        self.assertEqual(self.history.last_seq("#nowhere"), 0)

    def test_room_events_are_what_came_after_a_sequence_number(self) -> None:
        """After a number, up to the limit, oldest first."""
        self.assertEqual(self.texts(self.history.room_events("#lobby", 7, 2)), ["line 8", "line 9"])
        self.assertEqual(self.texts(self.history.room_events("#lobby", 8, 5)), ["line 9", "line 10"])
        self.assertEqual(self.texts(self.history.room_events("#nowhere", 0, 5)), [])

    def test_recent_is_the_last_lines_before_a_sequence_number_oldest_first(self) -> None:
        """With no bound the latest; with one, the page before it."""
        self.assertEqual(self.texts(self.history.recent("#lobby", None, 3)), ["line 8", "line 9", "line 10"])
        self.assertEqual(self.texts(self.history.recent("#lobby", 8, 3)), ["line 5", "line 6", "line 7"])
        self.assertEqual(self.texts(self.history.recent("#lobby", 2, 3)), ["line 1"])
        self.assertEqual(self.texts(self.history.recent("#nowhere", None, 3)), [])

    def test_at_hand_is_what_recent_answers_or_nothing(self) -> None:
        """``at_hand`` is ``recent``'s answer when the store holds it, else None; once a room's latest lines were
        read, they are at hand, with the line appended since."""
        for before, limit in ((None, 3), (8, 3), (2, 3), (None, 20)):
            read = self.result(self.history.recent("#lobby", before, limit))
            at_hand = self.history.at_hand("#lobby", before, limit)
            if at_hand is not None:
                self.assertEqual(list(at_hand), list(read))
        self.history.append(said(12, "#Lobby", "bob", "later", 12))
        at_hand = self.history.at_hand("#lobby", None, 3)
        assert at_hand is not None, "the latest lines, read once, are at hand"
        self.assertEqual(self.texts(self.history.recent("#lobby", None, 3))[-1], "later")
        self.assertEqual(list(at_hand), list(self.result(self.history.recent("#lobby", None, 3))))

    def around(self, room: str, at: int, count: int) -> Awaitable[Sequence[RoomEvent]]:
        """``count`` lines of ``room`` centred on the point the id numbered ``at`` names (chatd.domain.resume),
        read through this store."""
        point = event_point(f"{at:016x}")
        assert isinstance(point, Point)
        return Deferred.fromCoroutine(around(self.history, room, point, count))

    def test_around_centres_on_one_event(self) -> None:
        """The lines around an id; at an end of the room, the window moves in; an id past every line reads the
        room's last lines, and a room with none an empty page."""
        self.assertEqual(self.texts(self.around("#lobby", 5, 3)), ["line 4", "line 5", "line 6"])
        self.assertEqual(self.texts(self.around("#lobby", 1, 3)), ["line 1", "line 2", "line 3"])
        self.assertEqual(self.texts(self.around("#lobby", 10, 4)), ["line 7", "line 8", "line 9", "line 10"])
        self.assertEqual(self.texts(self.around("#lobby", (1 << 64) - 1, 3)), ["line 8", "line 9", "line 10"])
        self.assertEqual(self.texts(self.around("#other", 5, 3)), [])

    def test_around_centres_on_where_a_join_or_topic_happened(self) -> None:
        """Around a join's or topic's id (or another room's): as many lines before it as after (none is the middle
        one); a room with no lines around it gives an empty page."""
        self.history.append(replace(joined(11, "#Lobby", "bob", 11), id=f"{11:016x}"))
        self.history.append(said(12, "#Lobby", "bob", "after", 12))
        self.history.append(replace(topic_changed(13, "#Other", "bob", "news", 1), id=f"{13:016x}"))
        self.assertEqual(self.texts(self.around("#lobby", 11, 2)), ["line 10", "after"])
        self.assertEqual(self.texts(self.around("#lobby", 11, 3)), ["line 9", "line 10", "after"])
        self.assertEqual(self.texts(self.around("#lobby", 11, 1)), ["after"])
        self.assertEqual(self.texts(self.around("#other", 13, 3)), [])

    def search(self, query: str, room: str = "#lobby", limit: int = 20, period: Period = EVER) -> Found:
        """What a search of ``room`` for ``query`` within ``period`` gives."""
        return self.result(self.history.search(room, query, limit, period))

    def found(self, query: str, room: str = "#lobby", limit: int = 20, period: Period = EVER) -> list[str]:
        """The texts of the lines a search of ``room`` within ``period`` finds, in the order given."""
        return [getattr(event, "text", "") for event in self.search(query, room, limit, period).events]

    def say_lines(self, *texts: str) -> None:
        """``texts`` said in #Lobby after the ten lines of ``setUp``, by bob, one after another."""
        for n, text in enumerate(texts, start=11):
            self.history.append(replace(said(n, "#Lobby", "bob", text, n), id=f"{n:016x}"))

    def test_search_counts_the_characters_it_checked(self) -> None:
        """A search answers with the characters of text it checked: every paste that holds each piece of the word
        (so the trigram index offers it) but not the word, and of those only what ``SCAN_CHARACTERS`` allows.

        It answered with its lines alone, so the front end charged a
        search that read 2,000,000 characters as one that read a line.
        """
        paste = "abc bcd " * 100
        for n in range(11, 61):
            self.history.append(replace(said(n, "#pastes", "bob", paste, n - 10), id=f"{n:016x}"))
        found = self.search("abcd", "#pastes")
        self.assertEqual((found.events, found.checked), ([], 50 * len(paste)))

    def test_search_finds_words_in_any_case_newest_first(self) -> None:
        """Every line holding the word, whatever its case, the newest first; the limit keeps the newest."""
        self.assertEqual(self.found("LINE"), [f"line {n}" for n in range(10, 0, -1)])
        self.assertEqual(self.found("line", limit=2), ["line 10", "line 9"])
        self.assertEqual(self.found("7"), ["line 7"])

    def test_search_finds_words_without_their_accents(self) -> None:
        """ "cafe" finds "Café" and "CAFÉ" finds "cafe": words match regardless of accents and case."""
        self.say_lines("Un Café au lait", "the cafe is shut", "nothing here")
        self.assertEqual(self.found("cafe"), ["the cafe is shut", "Un Café au lait"])
        self.assertEqual(self.found("CAFÉ"), ["the cafe is shut", "Un Café au lait"])

    def test_search_finds_words_without_their_accents_in_any_script(self) -> None:
        """Accents and case go in every script, not Latin alone: "γεια" finds "Γειά", "привет" finds "ПРИВЕТ", and
        "strasse" finds "Straße" (case folding makes ß ss)."""
        self.say_lines("Γειά κόσμε", "ПРИВЕТ всем", "Die Straße ist lang", "nothing here")
        self.assertEqual(self.found("γεια"), ["Γειά κόσμε"])
        self.assertEqual(self.found("ΓΕΙΑ"), ["Γειά κόσμε"])
        self.assertEqual(self.found("привет"), ["ПРИВЕТ всем"])
        self.assertEqual(self.found("strasse"), ["Die Straße ist lang"])
        self.assertEqual(self.found("STRASSE lang"), ["Die Straße ist lang"])

    def test_search_finds_words_without_their_vowel_points(self) -> None:
        """Arabic's short vowels and Hebrew's points, left out in most writing, are left out of the match too."""
        self.say_lines("قال مُحَمَّد مرحبا", "אמרו שָׁלוֹם לכולם", "nothing here")
        self.assertEqual(self.found("محمد"), ["قال مُحَمَّد مرحبا"])
        self.assertEqual(self.found("שלום"), ["אמרו שָׁלוֹם לכולם"])

    def test_search_keeps_marks_that_make_another_letter(self) -> None:
        """A mark that is part of the letter is no accent: "カラス" (crow) does not find "ガラス" (glass), nor "ขาว"
        (white) "ข้าว" (rice); a ガ typed as カ and its voicing mark is found as ガ."""
        self.say_lines("ガラス です", "カラス です", "ข้าว ผัด", "ขาว มาก", "カ\u3099ラス 2")
        self.assertEqual(self.found("カラス"), ["カラス です"])
        self.assertEqual(self.found("ガラス"), ["カ\u3099ラス 2", "ガラス です"])
        self.assertEqual(self.found("ขาว"), ["ขาว มาก"])
        self.assertEqual(self.found("ข้าว"), ["ข้าว ผัด"])

    def test_search_finds_pieces_of_words_versions_and_urls(self) -> None:
        """ "wen3.6" finds "qwen3.6" and a piece of a URL finds the URL: text matches inside words."""
        self.say_lines("try qwen3.6 now", "see https://example.org/docs/a?b=1 please", "qwen3 is old")
        self.assertEqual(self.found("wen3.6"), ["try qwen3.6 now"])
        self.assertEqual(self.found("example.org/docs"), ["see https://example.org/docs/a?b=1 please"])
        self.assertEqual(self.found("qwen3"), ["qwen3 is old", "try qwen3.6 now"])

    def test_search_finds_cjk_inside_a_longer_line(self) -> None:
        """Chinese or Japanese text, written without spaces, is found inside a longer line."""
        self.say_lines("明日は東京都に行きます", "大阪")
        self.assertEqual(self.found("東京都"), ["明日は東京都に行きます"])
        self.assertEqual(self.found("東京"), ["明日は東京都に行きます"])

    def test_search_of_several_words_needs_all_of_them(self) -> None:
        """Every word must be in the line, each as a word or as text; their order does not matter."""
        self.say_lines("Café menu for qwen3.6 fans", "cafe without the model", "the menu alone")
        self.assertEqual(self.found("menu cafe"), ["Café menu for qwen3.6 fans"])
        self.assertEqual(self.found("wen3.6 cafe"), ["Café menu for qwen3.6 fans"])

    def test_search_of_short_words_reads_the_latest_lines(self) -> None:
        """A word under three characters is looked for too, as text in the lines read."""
        self.say_lines("go team", "ok then", "a gopher")
        self.assertEqual(self.found("go"), ["a gopher", "go team"])
        self.assertEqual(self.found("ok"), ["ok then"])

    def test_search_finds_a_run_of_words_where_its_first_word_comes_earlier_too(self) -> None:
        """ "a.c" is the words a, c one after the other: found in "a b a c" past the first "a", not in "a b c"."""
        self.say_lines("x a b a c y", "a b c")
        self.assertEqual(self.found("a.c"), ["x a b a c y"])

    def test_search_reads_a_bounded_amount_of_text(self) -> None:
        """A short word is looked for in the newest lines up to ``SCAN_CHARACTERS`` of their text: a line behind
        longer ones is not read (a room of pastes cost seconds of a core a search), one before them is."""
        wall = "x" * 100_000
        self.say_lines("zq behind", *[wall] * (SCAN_CHARACTERS // len(wall) + 1), "zq before")
        self.assertEqual(self.found("zq"), ["zq before"])

    def test_a_search_before_the_oldest_hit_shown_pages_back_to_the_rest(self) -> None:
        """Of 30 lines holding the word the newest 20 are found; before the oldest of them, the other 10, newest
        first; after a point, those after it alone; between two, those between. By the index and by a scan alike.

        ``before`` and ``after`` narrowed the newest 20 and searched no
        further back: a client could never page back past them.
        """
        self.say_lines(*[f"needle {n}" for n in range(1, 31)])
        for query in ("needle", "needle ne"):
            first = self.search(query).events
            self.assertEqual(
                [getattr(event, "text", "") for event in first], [f"needle {n}" for n in range(30, 10, -1)]
            )
            before_oldest = period_between(None, event_point(first[-1].id))
            self.assertEqual(
                self.found(query, period=before_oldest), [f"needle {n}" for n in range(10, 0, -1)], query
            )
            after_25 = period_between(event_point(f"{10 + 25:016x}"), None)
            self.assertEqual(
                self.found(query, period=after_25), [f"needle {n}" for n in range(30, 25, -1)], query
            )
            between = period_between(event_point(f"{10 + 5:016x}"), event_point(f"{10 + 9:016x}"))
            self.assertEqual(self.found(query, period=between), ["needle 8", "needle 7", "needle 6"], query)

    def test_a_bounded_search_checks_its_period_not_the_newer_lines(self) -> None:
        """Before a wall of text longer than a search may check, a line behind it is found, by a short word and by
        a word whose pieces are all over the wall: newer lines use up none of the period's search.

        Lines after the bound, filtered out once read, would have used up
        ``SCAN_CHARACTERS`` and left the line behind them unfound.
        """
        wall = "abcd cdab " * 10_000
        self.say_lines("zq xabcdabx behind", *[wall] * (SCAN_CHARACTERS // len(wall) + 1))
        self.assertEqual((self.found("zq"), self.found("abcdab")), ([], []))
        before_wall = period_between(None, event_point(f"{12:016x}"))
        self.assertEqual(self.found("zq", period=before_wall), ["zq xabcdabx behind"])
        self.assertEqual(self.found("abcdab", period=before_wall), ["zq xabcdabx behind"])

    def test_search_syntax_is_text(self) -> None:
        """Quotes, stars, NEAR( and OR in a query are looked for as typed, never obeyed as FTS5 syntax."""
        self.say_lines('she said "hi" to me', "NEAR(x, y) OR z*", "or something", "x y")
        self.assertEqual(self.found('"hi"'), ['she said "hi" to me'])
        self.assertEqual(self.found('"'), ['she said "hi" to me'])
        self.assertEqual(self.found("NEAR(x,"), ["NEAR(x, y) OR z*"])
        self.assertEqual(self.found("z*"), ["NEAR(x, y) OR z*"])
        self.assertEqual(self.found("OR"), ["or something", "NEAR(x, y) OR z*"])
        self.assertEqual(self.found("x OR y"), ["NEAR(x, y) OR z*"])
        self.assertEqual(self.found("lin*"), [])
        self.assertEqual(self.found("NEAR(line"), [])
        self.assertEqual(self.found("text:said"), [])
        self.assertEqual(self.found('"hi" OR "me'), [])

    def test_search_finds_only_what_was_said_in_that_room(self) -> None:
        """Topics, kicks and part reasons are not searched; nor is another room."""
        self.history.append(topic_changed(11, "#Lobby", "bob", "secret plans", 11))
        self.history.append(parted(12, "#Lobby", "bob", "secret reasons", 12))
        self.history.append(said(13, "#Other", "bob", "secret elsewhere", 1))
        self.history.append(acted(14, "#Lobby", "bob", "keeps a secret", 14))
        self.assertEqual(self.found("secret"), ["keeps a secret"])
        self.assertEqual(self.found("secret", room="#other"), ["secret elsewhere"])
        self.assertEqual(self.found("secret", room="#nowhere"), [])

    def test_place_is_the_first_line_at_or_after_any_id_stepping_over_other_events(self) -> None:
        """Ids sort as events happened: any id (a line's, a join's, one between events, another room's, one past
        every event) is placed at the room's first line whose id is not below it, or one past the room's last
        number; the room's joins, and lines forgotten (dave's), are stepped over."""
        room: list[RoomEvent] = [
            replace(
                said(seq, "#Paged", "dave" if seq in (20, 22) else "bob", "hi", seq), id=f"{seq * 10:016x}"
            )
            if seq % 3
            else replace(joined(seq, "#Paged", "bob", seq), id=f"{seq * 10:016x}")
            for seq in range(1, 41)
        ]
        for event in room:
            self.history.append(event)
        self.history.append(replace(said(41, "#Other", "bob", "elsewhere", 1), id=f"{415:016x}"))
        self.history.append(replace(joined(42, "#Paged", "carol", 41), id=f"{420:016x}"))
        self.result(self.history.forget("dave", 0.0))
        lines = [event for event in room if event.seq % 3 and event.actor.nick == "bob"]
        for point in (
            0,
            9,
            10,
            11,
            29,
            30,
            31,
            35,
            40,
            41,
            200,
            299,
            300,
            301,
            399,
            400,
            401,
            415,
            420,
            1000,
        ):
            first = next((line.seq for line in lines if int(line.id, 16) >= point), 42)
            self.assertEqual(self.result(self.history.place("#paged", f"{point:016x}")), first, point)
        self.assertEqual(self.result(self.history.place("#nowhere", f"{5:016x}")), 1)
        self.result(self.history.prune(20.5))
        self.assertEqual(self.result(self.history.place("#paged", f"{0:016x}")), 23)

    def test_count_is_the_messages_strictly_between_two_numbers(self) -> None:
        """Messages with seq above one number and below another; arrivals between are not counted."""
        self.history.append(joined(11, "#Lobby", "bob", 11))
        self.history.append(said(12, "#Lobby", "bob", "after", 12))
        self.assertEqual(self.result(self.history.count("#lobby", 4, 8)), 3)
        self.assertEqual(self.result(self.history.count("#lobby", 0, 13)), 11)
        self.assertEqual(self.result(self.history.count("#lobby", 10, 12)), 0)
        self.assertEqual(self.result(self.history.count("#lobby", 9, 9)), 0)
        self.assertEqual(self.result(self.history.count("#nowhere", 0, 100)), 0)

    def test_when_written_calls_once_everything_appended_is_kept(self) -> None:
        """Asked after appending, it calls by the end of the pass that writes; asked again with nothing new, at once."""
        called: list[str] = []
        self.history.when_written(lambda: called.append("first"))
        self.end_pass()
        self.assertEqual(called, ["first"])
        self.history.when_written(lambda: called.append("again"))
        self.assertEqual(called, ["first", "again"])

    def test_forget_deletes_what_a_nickname_sent_from_a_time_on_and_counts_it(self) -> None:
        """Forgetting ALICE from time 5 deletes her lines and private messages sent then or later, and answers how
        many went; what she sent before (a former owner's of the nickname) and what others sent stay.

        An account is its nickname: /forget by whoever registered alice again
        deleted everything the last alice had said, and counted it.
        """
        alice, bob = Actor("alice", account="alice"), Actor("bob", account="bob")
        for at, actor in ((3.0, alice), (12.0, alice), (13.0, bob)):
            private = Whispered(
                id=f"{int(at) * 100:016x}", at=at, actor=actor, to="x", text=f"at {at}", to_account="x"
            )
            self.history.append(private)
        self.history.append(said(14, "#Lobby", "bob", "bob's", 11))
        self.assertEqual(self.result(self.history.forget("ALICE", 5.0)), 7)
        self.assertEqual(
            self.texts(self.history.room_events("#lobby", 0, 20)),
            ["line 1", "line 2", "line 3", "line 4", "bob's"],
        )
        self.assertEqual(
            [event.id for event in self.result(self.history.conversation(conversation("alice", "x"), 10))],
            [f"{300:016x}"],
        )
        self.assertEqual(self.result(self.history.forget("alice", 0.0)), 5)

    def test_a_deleted_line_is_read_by_none_and_its_place_goes_to_the_next(self) -> None:
        """Once a ``Deleted`` names line 4 (read into memory before), no read gives it back, search finds it no more,
        and its id places at line 5, as a line forgotten does; the other lines stay."""
        self.assertEqual(len(self.texts(self.history.recent("#lobby", None, 20))), 10)
        self.history.append(
            Deleted(
                id=f"{100:016x}", at=100, actor=Actor("alice"), room="#Lobby", line=f"{4:016x}", line_seq=4
            )
        )
        kept = ["line 1", "line 2", "line 3", "line 5", "line 6", "line 7", "line 8", "line 9", "line 10"]
        self.assertEqual(self.texts(self.history.recent("#lobby", None, 20)), kept)
        self.assertEqual(self.texts(self.history.room_events("#lobby", 0, 20)), kept)
        self.assertEqual(self.result(self.history.place("#lobby", f"{4:016x}")), 5)
        self.assertEqual(self.result(self.history.count("#lobby", 0, 11)), 9)
        self.assertEqual(self.found("line"), kept[::-1])
        self.assertEqual(self.found("4"), [])

    def delete(self, number: int, seq: int, by: str = "alice", room: str = "#Lobby") -> Deleted:
        """Append the deletion with id and time ``number`` of the line numbered ``seq`` of ``room``, by ``by``."""
        event = Deleted(
            id=f"{number:016x}",
            at=number,
            actor=Actor(by, "10.0.0.9"),
            room=room,
            line=f"{seq:016x}",
            line_seq=seq,
            reason=f"by {by}",
        )
        self.history.append(event)
        return event

    def test_deletions_are_kept_whole_and_read_from_an_id_on(self) -> None:
        """Each ``Deleted`` comes back whole, by its room's folded name, those with an id at or above the point asked
        for (of lines said before it: every line here is), oldest first, up to the limit; another room's are not
        among them."""
        first, second, third = self.delete(100, 4), self.delete(200, 7, by="bob"), self.delete(300, 2)
        self.delete(250, 1, room="#Other")
        self.assertEqual(
            list(self.result(self.history.deletions("#lobby", f"{10:016x}", 10))), [first, second, third]
        )
        self.assertEqual(
            list(self.result(self.history.deletions("#lobby", f"{200:016x}", 10))), [second, third]
        )
        self.assertEqual(list(self.result(self.history.deletions("#lobby", f"{101:016x}", 1))), [second])
        self.assertEqual(list(self.result(self.history.deletions("#lobby", f"{301:016x}", 10))), [])
        self.assertEqual(list(self.result(self.history.deletions("#nowhere", f"{10:016x}", 10))), [])

    def test_deletions_from_a_point_are_of_lines_said_up_to_it_and_the_limit_counts_only_them(self) -> None:
        """A deletion made after the point of a line said after it too is left out before the limit is counted,
        so a resume is told as many deletions of lines it may show as the limit lets, however many of lines it
        never had were made first."""
        first, _, third = self.delete(100, 4), self.delete(200, 30), self.delete(300, 7)
        self.assertEqual(list(self.result(self.history.deletions("#lobby", f"{20:016x}", 2))), [first, third])

    def test_a_resume_is_told_as_many_deletions_of_lines_up_to_its_point_as_its_limit(self) -> None:
        """A resume from a point with a limit of two deletions is told two when two lines it was shown were deleted,
        however many lines said after its point (which it never had) were deleted in between."""
        point = event_point(f"{20:016x}")
        assert isinstance(point, Point)
        first, _, third = self.delete(100, 4), self.delete(200, 30), self.delete(300, 7)
        told = self.result(Deferred.fromCoroutine(missed(self.history, "#lobby", point, 11, 10, deletions=2)))
        self.assertEqual(list(told.deleted), [first, third])

    def test_prune_forgets_deletions_from_before_a_time_and_counts_them(self) -> None:
        """Deletions made before the time go with the lines, and are counted; later ones stay."""
        self.delete(3, 1)
        kept = self.delete(100, 5)
        # Lines 2 and 3 (line 1 was deleted) and the deletion of line 1.
        self.assertEqual(self.result(self.history.prune(4)), 3)
        # A resume from point 2 would have been told of line 1's deletion; one from 10 is told of line 5's.
        self.assertEqual(list(self.result(self.history.deletions("#lobby", f"{2:016x}", 10))), [])
        self.assertEqual(list(self.result(self.history.deletions("#lobby", f"{10:016x}", 10))), [kept])

    def test_forget_deletes_the_deletions_a_nickname_made_from_a_time_on_uncounted(self) -> None:
        """Forgetting BOB from time 150 deletes the deletions he made then or later (they hold his address and his
        reason), not counted among his messages; his earlier ones and others' stay."""
        early, others = self.delete(100, 4, by="bob"), self.delete(200, 5)
        self.delete(300, 6, by="Bob")
        self.assertEqual(self.result(self.history.forget("BOB", 150.0)), 0)
        self.assertEqual(
            list(self.result(self.history.deletions("#lobby", f"{10:016x}", 10))), [early, others]
        )

    def private(self, at: float, sender: str, to: str, text: str, *, boxed: bool = False) -> None:
        """Append a private message between the accounts ``sender`` and ``to`` (``boxed``: end-to-end encrypted,
        ``text`` then standing for its ciphertext)."""
        actor, event_id = Actor(sender, account=sender), f"{int(at * 100):016x}"
        if boxed:
            self.history.append(
                Encrypted(id=event_id, at=at, actor=actor, to=to, envelope=text, to_account=to)
            )
        else:
            self.history.append(Whispered(id=event_id, at=at, actor=actor, to=to, text=text, to_account=to))

    def search_private(
        self, first: str, second: str, query: str, since: float = 0.0, period: Period = EVER
    ) -> Found:
        """What a search of the private messages between ``first`` and ``second`` for ``query`` gives."""
        return self.result(self.history.search_private(conversation(first, second), query, 20, since, period))

    def found_private(self, first: str, second: str, query: str, since: float = 0.0) -> list[str]:
        """The texts of the private messages between ``first`` and ``second`` a search for ``query`` finds."""
        return [
            getattr(event, "text", "") for event in self.search_private(first, second, query, since).events
        ]

    def test_a_private_search_finds_the_pairs_messages_alone_newest_first(self) -> None:
        """Both ways of one pair's conversation, newest first; another pair's, a room's line and an encrypted
        message's ciphertext holding the words are never found, nor anything older than ``since``."""
        self.private(1, "alice", "bob", "the cafe menu")
        self.private(2, "bob", "alice", "Café au lait?")
        self.private(3, "alice", "carol", "cafe for carol")
        self.private(4, "bob", "alice", "cafe boxed", boxed=True)
        self.say_lines("cafe in the lobby")
        self.assertEqual(self.found_private("bob", "alice", "cafe"), ["Café au lait?", "the cafe menu"])
        self.assertEqual(self.found_private("alice", "bob", "cafe", since=2), ["Café au lait?"])
        self.assertEqual(self.found_private("alice", "bob", "boxed"), [])
        self.assertEqual(self.found_private("alice", "dave", "cafe"), [])

    def test_a_private_search_before_the_oldest_hit_shown_pages_back_to_the_rest(self) -> None:
        """Of 30 private messages holding the word the newest 20 are found; before the oldest of them, the other 10;
        after a point, those after it; never one from before ``since``. By the index and by a scan alike."""
        for n in range(1, 31):
            self.private(n, "alice" if n % 2 else "bob", "bob" if n % 2 else "alice", f"cafe {n}")
        for query in ("cafe", "cafe ca"):
            first = self.search_private("alice", "bob", query).events
            self.assertEqual(
                [getattr(event, "text", "") for event in first], [f"cafe {n}" for n in range(30, 10, -1)]
            )
            before_oldest = period_between(None, event_point(first[-1].id))
            texts = [
                getattr(event, "text", "")
                for event in self.search_private("bob", "alice", query, period=before_oldest).events
            ]
            self.assertEqual(texts, [f"cafe {n}" for n in range(10, 0, -1)], query)
            since_3 = self.search_private("bob", "alice", query, since=3, period=before_oldest).events
            self.assertEqual(
                [getattr(event, "text", "") for event in since_3], [f"cafe {n}" for n in range(10, 2, -1)]
            )
            after_27 = period_between(event_point(f"{27 * 100:016x}"), None)
            texts = [
                getattr(event, "text", "")
                for event in self.search_private("bob", "alice", query, period=after_27).events
            ]
            self.assertEqual(texts, ["cafe 30", "cafe 29", "cafe 28"], query)

    def test_a_conversation_before_a_point_pages_back_to_the_rest(self) -> None:
        """Of 30 private messages the last 20 are read, oldest first; before the oldest of them, the other 10,
        encrypted ones among them; never one of another pair's, nor from before ``since``; before a time, those
        sent before it."""
        for n in range(1, 31):
            self.private(n, "alice" if n % 2 else "bob", "bob" if n % 2 else "alice", f"at {n}", boxed=n == 5)
            self.private(n + 0.5, "alice", "carol", f"carol {n}")
        pair = conversation("bob", "alice")

        def read(limit: int, since: float = 0.0, period: Period = EVER) -> list[str]:
            events = self.result(self.history.conversation(pair, limit, since, period))
            return [getattr(event, "text", getattr(event, "envelope", "")) for event in events]

        first = self.result(self.history.conversation(pair, 20))
        self.assertEqual([event.at for event in first], list(range(11, 31)))
        before_oldest = period_between(None, event_point(first[0].id))
        self.assertEqual(read(20, period=before_oldest), [f"at {n}" for n in range(1, 11)])
        self.assertEqual(read(3, period=before_oldest), ["at 8", "at 9", "at 10"])
        self.assertEqual(read(20, since=3, period=before_oldest), [f"at {n}" for n in range(3, 11)])
        self.assertEqual(read(20, period=period_between(None, event_point(f"{100:016x}"))), [])
        at_7 = Point(f"{700:016x}", f"{701:016x}")
        self.assertEqual(read(2, period=period_between(None, at_7)), ["at 5", "at 6"])

    def test_a_private_search_finds_no_forgotten_message(self) -> None:
        """After ``forget``, what the nickname sent is found no more; what the other side sent still is."""
        self.private(1, "alice", "bob", "cafe from alice")
        self.private(2, "bob", "alice", "cafe from bob")
        self.result(self.history.forget("alice", 0.0))
        self.assertEqual(self.found_private("alice", "bob", "cafe"), ["cafe from bob"])

    def test_prune_forgets_lines_from_before_a_time(self) -> None:
        """Lines from before the time go, the rest stay, and the room's numbering goes on; a forgotten line's id
        still places, before the first line kept."""
        self.assertEqual(self.result(self.history.prune(4)), 3)
        self.assertEqual(self.texts(self.history.recent("#lobby", None, 3)), ["line 8", "line 9", "line 10"])
        self.assertEqual(len(self.result(self.history.room_events("#lobby", 0, 20))), 7)
        self.assertEqual(self.texts(self.around("#lobby", 2, 3)), ["line 4", "line 5", "line 6"])
        self.assertEqual(self.history.last_seq("#lobby"), 10)
        self.assertEqual(self.result(self.history.prune(4)), 0)


class MemoryHistoryTests(HistoryContract, SynchronousTestCase):
    """The contract, in memory: every answer is there at once."""

    def setUp(self) -> None:
        self.history = MemoryHistory()
        super().setUp()

    def result(self, answer: Awaitable[T]) -> T:
        return self.successResultOf(deferred(answer))

    def kept_texts(self, history: MemoryHistory, room: str) -> list[str]:
        """The texts of the lines ``history`` keeps of ``room``."""
        return [getattr(event, "text", "") for event in self.result(history.recent(room, None, 20))]

    def test_past_the_bound_the_room_said_in_least_recently_is_forgotten_and_numbered_on(self) -> None:
        """Past ``rooms`` rooms said in, the lines of the one said in least recently go (not those of the first made);
        its numbering goes on where it stopped."""
        history = MemoryHistory(rooms=2)
        history.append(said(1, "#A", "alice", "a1", 1))
        history.append(said(2, "#b", "alice", "b1", 1))
        history.append(joined(3, "#b", "bob", 2))
        history.append(said(4, "#a", "alice", "a2", 2))
        history.append(said(5, "#c", "alice", "c1", 1))
        self.assertEqual(self.kept_texts(history, "#b"), [])
        self.assertEqual(history.last_seq("#b"), 2)
        self.assertEqual(self.kept_texts(history, "#a"), ["a1", "a2"])
        self.assertEqual(self.kept_texts(history, "#c"), ["c1"])
        history.append(said(6, "#b", "alice", "b3", 3))
        self.assertEqual(self.kept_texts(history, "#b"), ["b3"])
        self.assertEqual(self.kept_texts(history, "#a"), [])
        self.assertEqual(history.last_seq("#a"), 2)

    def test_past_the_bound_a_room_used_least_recently_numbers_from_one(self) -> None:
        """Past ``last_seqs`` rooms used, the last seq of the one used least recently is forgotten, as a restart
        forgets it; not that of a room whose lines are kept, which must go on after theirs."""
        history = MemoryHistory(rooms=1, last_seqs=2)
        history.append(said(1, "#talk", "alice", "kept", 5))
        for number, room in enumerate(("#a", "#b", "#c"), 2):
            history.append(joined(number, room, "bob", 3))
        self.assertEqual(
            (history.last_seq("#talk"), history.last_seq("#a"), history.last_seq("#c")), (5, 0, 3)
        )
        self.assertEqual(self.kept_texts(history, "#talk"), ["kept"])

    def test_deletions_are_bounded_as_lines_are(self) -> None:
        """Past ``per_room`` deletions of a room its oldest go, and past ``rooms`` rooms deleted in, those of the one
        deleted in least recently."""
        self.history = MemoryHistory(per_room=2, rooms=1)
        self.delete(100, 1)
        second, third = self.delete(200, 2), self.delete(300, 3)
        self.assertEqual(
            list(self.result(self.history.deletions("#lobby", f"{10:016x}", 10))), [second, third]
        )
        other = self.delete(400, 1, room="#Other")
        self.assertEqual(list(self.result(self.history.deletions("#lobby", f"{10:016x}", 10))), [])
        self.assertEqual(list(self.result(self.history.deletions("#other", f"{10:016x}", 10))), [other])


class SQLiteHistoryTests(HistoryContract, SynchronousTestCase):
    """The contract, in a SQLite file, with its real threads and a reactor the test runs."""

    def setUp(self) -> None:
        self.reactor = ThreadedReactor()
        self.store = open_store(self, new_database(self), self.reactor)
        self.history = self.store
        super().setUp()

    def result(self, answer: Awaitable[T]) -> T:
        read = deferred(answer)
        self.end_pass()
        return self.successResultOf(self.reactor.run_until(read))

    def end_pass(self) -> None:
        """End the pass, and let the writer's commit reach the reactor thread."""
        committed(self.reactor, self.store)


class IndexedSQLiteHistoryTests(SQLiteHistoryTests):
    """The contract again, each search asked once the search index has read every line: by the index, not the
    lines it has not read (as the other, where the index lags a search)."""

    def search(self, query: str, room: str = "#lobby", limit: int = 20, period: Period = EVER) -> Found:
        self.end_pass()
        caught_up(self.reactor, self.store)
        return super().search(query, room, limit, period)

    def search_private(
        self, first: str, second: str, query: str, since: float = 0.0, period: Period = EVER
    ) -> Found:
        self.end_pass()
        caught_up(self.reactor, self.store)
        return super().search_private(first, second, query, since, period)

    def test_a_pairs_message_older_than_a_scan_reads_is_found_by_the_index(self) -> None:
        """A private message behind ``SCAN_LINES`` newer ones of its conversation is found, checking it alone (once
        for each index), never another pair's holding the words nor one from before ``since``; a word under three
        characters still reads the newest alone, and does not reach it.

        Every search of private messages read the conversation's last
        10,000 and stopped there: an older message was never found.
        """
        self.private(1, "alice", "bob", "the old recipe")
        self.private(2, "carol", "bob", "carol's old recipe")
        for at in range(3, SCAN_LINES + 3):
            self.private(at, "bob", "alice", f"chatter {at}")
        found = self.search_private("bob", "alice", "recipe")
        self.assertEqual(
            ([getattr(event, "text", "") for event in found.events], found.checked), (["the old recipe"], 28)
        )
        self.assertEqual(self.found_private("alice", "bob", "recipe", since=2), [])
        self.assertEqual(self.found_private("alice", "bob", "old re"), [])

    def test_a_search_the_index_narrows_checks_only_the_lines_it_finds(self) -> None:
        """A word the indexes find in one line checks that line alone (once for each index that offers it), however
        many pastes the room holds."""
        self.say_lines(*["abc bcd " * 100] * 50, "the needle here")
        self.assertEqual(self.search("needle").checked, 2 * len("the needle here"))

    def test_lines_holding_a_words_pieces_are_checked_a_bounded_amount(self) -> None:
        """Lines holding every trigram of a word but not the word are checked up to ``SCAN_CHARACTERS`` of text,
        not through the whole room: a line behind them is not reached, one before them is."""
        wall = "abcd cdab " * 10_000
        self.say_lines("xabcdabx behind", *[wall] * (SCAN_CHARACTERS // len(wall) + 1), "xabcdabx before")
        self.assertEqual(self.found("abcdab"), ["xabcdabx before"])


def caught_up(reactor: ThreadedReactor, store: SQLiteHistory) -> None:
    """Have ``store``'s search index read what the file holds, and let what that asks of the writer be committed."""
    store.index.catch_up()
    idle = store.index.caught_up()
    while not idle.called:
        reactor.advance(PAUSE)
        if store.index.writing:
            reactor.run_from_thread()
    committed(reactor, store)


def deferred(answer: Awaitable[T]) -> "Deferred[T]":
    """``answer``, which both stores give as a Deferred."""
    assert isinstance(answer, Deferred)
    return cast("Deferred[T]", answer)


def read_seq(reactor: ThreadedReactor, store: SQLiteHistory, room: str) -> int:
    """Room ``room``'s last seq as ``store`` has it, read from the file first if it is not held in memory."""
    reading = store.read_last_seq(room)
    if reading is not None:
        reactor.run_until(reading)
    return store.last_seq(room)


def open_store(
    case: SynchronousTestCase, path: str, reactor: ThreadedReactor, kind: type[SQLiteHistory] = SQLiteHistory
) -> SQLiteHistory:
    """A started ``SQLiteHistory`` (or subclass ``kind``) in ``path`` on ``reactor``, stopped (all written) at cleanup
    unless the test did."""
    store = kind.open(path, reactor)
    store.startService()

    def stop() -> None:
        if not store.running:
            return
        reactor.run_until(store.stopService())

    case.addCleanup(stop)
    return store
