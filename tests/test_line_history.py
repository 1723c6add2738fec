"""A room's past on the line front end: the last lines on joining, what a returning client missed, and /history's pages."""

import json
from collections.abc import Callable, Sequence

from twisted.internet.defer import Deferred, fail
from twisted.internet.testing import StringTransport

from chatd.domain.events import RoomEvent
from chatd.domain.ids import event_point
from chatd.domain.limits import Limits
from chatd.domain.resume import RESUME_MOST
from chatd.domain.storage_ports import History
from chatd.frontend.flood import RESUMED_BYTES
from chatd.line.budget import SLOWED
from chatd.line.history import PAGING_LAPSE
from chatd.line.history_commands import HISTORY_LINES
from chatd.line.limits import LineLimits
from chatd.line.protocol import LineProtocol
from chatd.line.render import text_line
from chatd.storage.memory import MemoryHistory
from tests.helpers import LineTestCase


class LaterHistory(MemoryHistory):
    """History in memory whose reads, once ``later`` is set, answer when the test says: as a store on disk does.

    Each read is made when it is answered, so what the room says meanwhile
    is there to be wrongly included.
    """

    def __init__(self) -> None:
        super().__init__()
        self.later = False
        self.pending: list[Callable[[], object]] = []

    def recent(self, room: str, before: int | None, limit: int) -> "Deferred[Sequence[RoomEvent]]":
        if not self.later:
            return super().recent(room, before, limit)
        answer: Deferred[Sequence[RoomEvent]] = Deferred()
        self.pending.append(lambda: MemoryHistory.recent(self, room, before, limit).chainDeferred(answer))
        return answer

    def at_hand(self, room: str, before: int | None, limit: int) -> "Sequence[RoomEvent] | None":
        return None if self.later else super().at_hand(room, before, limit)

    def answer(self) -> None:
        """Answer the oldest read waiting."""
        self.pending.pop(0)()


def said_lines(wire: StringTransport, test: LineTestCase) -> list[dict[str, object]]:
    """The JSON objects written to ``wire``."""
    return [json.loads(line) for line in test.lines(wire)]


class ReplayTests(LineTestCase):
    """Joining a room shows its last lines as history, then a marker, then what is said live."""

    chat_limits = Limits(replay=3)

    def talk(self) -> tuple[LineProtocol, StringTransport]:
        """alice says four lines in #lobby, a minute apart, from 00:01."""
        alice, wire = self.connect(b"alice")
        for n in range(1, 5):
            self.clock.advance(60)
            alice.dataReceived(f"line {n}\n".encode())
            self.end_pass()
        wire.clear()
        return alice, wire

    def test_newcomer_sees_the_last_lines_dated_then_the_marker_then_live_lines(self) -> None:
        """The last 3 lines come after the join and its members, dated, then the marker; then live lines."""
        alice, _ = self.talk()
        self.clock.advance(3600)
        bob, wire = self.connect(None)
        bob.dataReceived(b"bob\n")
        alice.dataReceived(b"welcome bob\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"*** You are bob.",
                b"[01:04] #lobby -- bob joined",
                b"*** In #lobby (2): alice bob",
                b"[1970-01-01 00:02] #lobby <alice> line 2",
                b"[1970-01-01 00:03] #lobby <alice> line 3",
                b"[1970-01-01 00:04] #lobby <alice> line 4",
                b"*** End of history of #lobby; /history #lobby shows earlier lines.",
                b"[01:04] #lobby <alice> welcome bob",
            ],
        )

    def test_a_short_history_says_nothing_earlier_is_kept(self) -> None:
        """Fewer lines than --replay: all of them, and the marker says there is nothing before."""
        alice, _ = self.connect(b"alice")
        alice.dataReceived(b"/join #dev\nonly line\n")
        bob, wire = self.connect(b"bob")
        bob.dataReceived(b"/join #dev\n")
        self.assertEqual(
            self.lines(wire)[2:],
            [
                b"[1970-01-01 00:00] #dev <alice> only line",
                b"*** End of history of #dev: nothing earlier is kept.",
            ],
        )

    def test_json_marker_says_whether_earlier_lines_may_be_kept(self) -> None:
        """In JSON the marker's "earlier" is true after a full page, false when nothing earlier is kept, so a
        program need not read its sentence: a replay of 3 of 4 lines, /history 1 of the one left, then none."""
        self.talk()
        bob, wire = self.connect(None)
        bob.dataReceived(b"/format json\nbob\n")
        bob.dataReceived(b"/history 1\n")
        bob.dataReceived(b"/history\n")
        ends = [
            (line["count"], line["earlier"])
            for line in said_lines(wire, self)
            if line.get("kind") == "history_end"
        ]
        self.assertEqual(ends, [(3, True), (1, True), (0, False)])

    def test_json_history_lines_are_the_live_ones_marked_history(self) -> None:
        """In JSON a history line has every key of the live line, the same values, and "history": true."""
        alice, alice_wire = self.connect(b"alice")
        alice.dataReceived(b"/format json\nhello\n")
        live = said_lines(alice_wire, self)[-1]
        bob, wire = self.connect(None)
        bob.dataReceived(b"/format json\nbob\n")
        lines = said_lines(wire, self)[-2:]
        self.assertEqual(lines[0], {**live, "history": True})
        self.assertEqual(
            lines[1],
            {
                "type": "notice",
                "kind": "history_end",
                "room": "#lobby",
                "count": 1,
                "earlier": False,
                "text": "End of history of #lobby: nothing earlier is kept.",
            },
        )

    def test_no_history_no_marker(self) -> None:
        """A room with nothing said shows no history and no marker."""
        bob, wire = self.connect(b"bob")
        bob.dataReceived(b"/join #new\n")
        self.assertEqual(self.lines(wire), [b"[00:00] #new -- bob joined", b"*** In #new (1): @bob"])

    def test_json_marker_says_a_room_with_no_history_keeps_nothing(self) -> None:
        """In JSON a room with nothing said shows the marker of none kept, so a program offers no older lines."""
        bob, wire = self.connect(None)
        bob.dataReceived(b"/format json\nbob\n")
        self.lines(wire)
        bob.dataReceived(b"/join #new\n/join #newer\n")
        ends = [line for line in said_lines(wire, self) if line.get("kind") == "history_end"]
        self.assertEqual(
            ends,
            [
                {
                    "type": "notice",
                    "kind": "history_end",
                    "room": room,
                    "count": 0,
                    "earlier": False,
                    "text": f"No lines of {room} are kept.",
                }
                for room in ("#new", "#newer")
            ],
        )

    def test_joining_a_room_again_replays_nothing(self) -> None:
        """/join of a room one is in only makes it current: no history again."""
        self.talk()
        bob, wire = self.connect(b"bob")
        bob.dataReceived(b"/join #lobby\n")
        self.assertEqual(self.lines(wire), [b"*** Now talking in #lobby.", b"*** In #lobby (2): alice bob"])

    def test_each_joiner_sees_the_lines_said_before_it_joined(self) -> None:
        """The replay shown to one joiner is not shown again to the next once the room has said more."""
        alice, _ = self.talk()
        bob, bob_wire = self.connect(None)
        bob.dataReceived(b"bob\n")
        self.assertEqual([line[-6:] for line in self.lines(bob_wire)[3:6]], [b"line 2", b"line 3", b"line 4"])
        alice.dataReceived(b"line 5\n")
        carol, carol_wire = self.connect(None)
        carol.dataReceived(b"carol\n")
        self.assertEqual(
            [line[-6:] for line in self.lines(carol_wire)[3:6]], [b"line 3", b"line 4", b"line 5"]
        )

    def test_joiners_in_text_and_in_json_each_get_their_own(self) -> None:
        """The same lines, replayed to a person and then to a program: each in its format."""
        self.talk()
        bob, bob_wire = self.connect(None)
        bob.dataReceived(b"bob\n")
        self.assertEqual(self.lines(bob_wire)[3], b"[1970-01-01 00:02] #lobby <alice> line 2")
        carol, carol_wire = self.connect(None)
        carol.dataReceived(b"/format json\ncarol\n")
        replayed = said_lines(carol_wire, self)[-4:]
        self.assertEqual([line.get("text") for line in replayed[:3]], ["line 2", "line 3", "line 4"])
        self.assertTrue(all(line.get("history") for line in replayed[:3]))

    def test_a_joiner_who_ignores_the_speaker_is_not_shown_what_others_were(self) -> None:
        """bob was shown alice's and dave's lines in #dev; carol, who ignores alice, joins after him: only dave's."""
        alice, _ = self.connect(b"alice")
        alice.dataReceived(b"/join #dev\nhello dev\n")
        dave, _ = self.connect(b"dave")
        dave.dataReceived(b"/join #dev\ndave here\n")
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/join #dev\n")
        self.assertEqual(
            self.lines(bob_wire)[2:4],
            [b"[1970-01-01 00:00] #dev <alice> hello dev", b"[1970-01-01 00:00] #dev <dave> dave here"],
        )
        carol, carol_wire = self.connect(b"carol")
        carol.dataReceived(b"/ignore alice\n/join #dev\n")
        self.assertEqual(
            self.lines(carol_wire)[3:5],
            [
                b"[1970-01-01 00:00] #dev <dave> dave here",
                b"*** End of history of #dev: nothing earlier is kept.",
            ],
        )

    def test_a_replay_of_only_ignored_lines_ends_in_json_as_a_replay_of_none_shown(self) -> None:
        """Every line #dev keeps is alice's, and the last 3 of #ops: carol, who ignores her, is shown none of
        them, and in JSON each join ends with the marker of none shown (count 0), "earlier" false for #dev, where
        nothing earlier is kept (a program offers no older lines, as for a room with no history), and true for
        #ops, whose full page may have earlier lines before it. In text, as for a room with no history, nothing."""
        alice, _ = self.connect(b"alice")
        alice.dataReceived(b"/join #dev\nonly line\n/join #ops\n")
        for text in (b"one", b"two", b"three"):
            self.end_pass()  # one line a read: lines read at once are a paste, one message
            alice.dataReceived(text + b"\n")
        carol, carol_wire = self.connect(None)
        carol.dataReceived(b"/format json\ncarol\n/ignore alice\n/join #dev\n/join #ops\n")
        ends = [line for line in said_lines(carol_wire, self) if line.get("kind") == "history_end"]
        self.assertEqual(
            [(end["room"], end["count"], end["earlier"], end["text"]) for end in ends],
            [
                ("#lobby", 0, False, "No lines of #lobby are kept."),
                ("#dev", 0, False, "End of history of #dev: nothing earlier is kept."),
                ("#ops", 0, True, "End of history of #ops; /history #ops shows earlier lines."),
            ],
        )
        dave, dave_wire = self.connect(b"dave")
        dave.dataReceived(b"/ignore alice\n/join #dev\n")
        self.assertEqual(
            self.lines(dave_wire)[-2:],
            [b"[00:00] #dev -- dave joined", b"*** In #dev (3): @alice carol dave"],
        )

    def test_a_replay_of_only_ignored_lines_still_sets_where_history_goes_on(self) -> None:
        """bob said a line in #ops before alice's twenty; dave, who ignores alice, is replayed none of her last
        three, and ``/history #ops`` right after goes on from before them, to bob's line, rather than reading a
        page of the latest again, all hers."""
        bob, _ = self.connect(b"bob")
        bob.dataReceived(b"/join #ops\nbob was here\n")
        alice, _ = self.connect(b"alice")
        alice.dataReceived(b"/join #ops\n")
        for number in range(HISTORY_LINES):
            self.clock.advance(1)  # within alice's flood budget, one line a read (not a paste)
            alice.dataReceived(b"line %d\n" % number)
        dave, dave_wire = self.connect(b"dave")
        dave.dataReceived(b"/ignore alice\n/join #ops\n")
        self.lines(dave_wire)
        self.end_pass()
        dave.dataReceived(b"/history #ops\n")
        self.assertEqual(
            self.lines(dave_wire),
            [
                b"[1970-01-01 00:00] #ops <bob> bob was here",
                b"*** End of history of #ops: nothing earlier is kept.",
            ],
        )

    def test_another_daemon_s_lines_are_never_shown(self) -> None:
        """Two chats in one process, on clocks alike, give their lines the same ids: each joiner sees its own chat's."""
        first_alice, _ = self.connect(b"alice")
        first_alice.dataReceived(b"first chat\n")
        bob, bob_wire = self.connect(None)
        bob.dataReceived(b"bob\n")
        self.assertIn(b"[1970-01-01 00:00] #lobby <alice> first chat", self.lines(bob_wire))
        self.setUp()
        second_alice, _ = self.connect(b"alice")
        second_alice.dataReceived(b"second chat\n")
        carol, carol_wire = self.connect(None)
        carol.dataReceived(b"carol\n")
        self.assertIn(b"[1970-01-01 00:00] #lobby <alice> second chat", self.lines(carol_wire))
        self.assertFalse([line for line in self.lines(carol_wire) if b"first chat" in line])


class NoReplayTests(LineTestCase):
    """--replay 0 turns the replay off."""

    chat_limits = Limits(replay=0)

    def test_replay_zero_shows_nothing(self) -> None:
        """With --replay 0 a join shows no history, nor a marker."""
        alice, _ = self.connect(b"alice")
        alice.dataReceived(b"hi\n")
        bob, wire = self.connect(None)
        bob.dataReceived(b"bob\n")
        self.assertEqual(
            self.lines(wire),
            [b"*** You are bob.", b"[00:00] #lobby -- bob joined", b"*** In #lobby (2): alice bob"],
        )

    def test_replay_zero_gives_a_program_no_marker_either(self) -> None:
        """With --replay 0 a program is not told a room keeps nothing: earlier lines may be kept."""
        bob, wire = self.connect(None)
        bob.dataReceived(b"/format json\nbob\n/join #new\n")
        self.assertEqual([line for line in said_lines(wire, self) if line.get("kind") == "history_end"], [])


class LaterStoreTests(LineTestCase):
    """A store that answers later: what happens meanwhile comes after the history, once, and later lines wait."""

    chat_limits = Limits(replay=5)

    def make_history(self) -> History:
        self.store = LaterHistory()
        return self.store

    def test_live_lines_during_the_read_come_after_the_marker_once_each(self) -> None:
        """Lines said while the read waits are held, then follow the history and its marker: no gap, no repeat."""
        alice, _ = self.connect(b"alice")
        alice.dataReceived(b"before\n")
        self.store.later = True
        bob, wire = self.connect(None)
        bob.dataReceived(b"/format json\nbob\n/who\n")
        alice.dataReceived(b"during one\n/me waves\n")
        waiting = said_lines(wire, self)
        self.assertEqual([line["type"] for line in waiting[-2:]], ["joined", "members"])
        self.store.answer()
        lines = said_lines(wire, self)
        self.assertEqual(
            [(line["type"], line.get("kind"), line.get("seq"), line.get("history")) for line in lines],
            [
                ("said", None, 2, True),
                ("notice", "history_end", None, None),
                ("said", None, 4, None),
                ("acted", None, 5, None),
                # bob's /who waited for the join to be done.
                ("members", None, None, None),
            ],
        )

    def test_a_paste_missed_is_counted_as_one_message(self) -> None:
        """Lines that arrived together are one message shown as its lines: the marker counts messages, and says so."""
        alice, alice_wire = self.connect(b"alice")
        alice.dataReceived(b"/format json\nseen\n")
        seen = said_lines(alice_wire, self)[-1]
        alice.dataReceived(b"one\ntwo\nthree\n")
        self.end_pass()
        bob, wire = self.connect(None)
        bob.dataReceived(f"/format json\n/resume #lobby {seen['id']}\nbob\n".encode())
        self.assertEqual(
            [(line.get("text"), line.get("history")) for line in said_lines(wire, self)[-2:]],
            [("one\ntwo\nthree", True), ("End of what you missed in #lobby: 1 message.", None)],
        )

    def test_lines_said_while_a_resume_reads_come_after_its_marker_once_each(self) -> None:
        """A resume holds live lines as a replay does: the missed lines, the marker, then what came meanwhile."""
        alice, alice_wire = self.connect(b"alice")
        alice.dataReceived(b"/format json\nseen\n")
        seen = said_lines(alice_wire, self)[-1]
        alice.dataReceived(b"missed\n")
        self.store.later = True
        bob, wire = self.connect(None)
        bob.dataReceived(f"/format json\n/resume #lobby {seen['id']}\nbob\n".encode())
        alice.dataReceived(b"during\n")
        self.assertEqual([line["type"] for line in said_lines(wire, self)[-2:]], ["joined", "members"])
        self.store.answer()
        self.assertEqual(
            [(line.get("text"), line.get("history")) for line in said_lines(wire, self)],
            [("missed", True), ("End of what you missed in #lobby: 1 message.", None), ("during", None)],
        )

    def test_other_rooms_and_private_lines_wait_too_and_keep_their_order(self) -> None:
        """Everything sent to the session while its read waits comes after, in the order it came."""
        alice, _ = self.connect(b"alice")
        alice.dataReceived(b"/join #dev\nin dev\n")
        bob, wire = self.connect(b"bob")
        self.store.later = True
        bob.dataReceived(b"/join #dev\n")
        alice.dataReceived(b"/msg bob psst\n/join #lobby\nin lobby\n")
        self.assertEqual(self.lines(wire), [b"[00:00] #dev -- bob joined", b"*** In #dev (2): @alice bob"])
        self.store.answer()
        self.assertEqual(
            self.lines(wire),
            [
                b"[1970-01-01 00:00] #dev <alice> in dev",
                b"*** End of history of #dev: nothing earlier is kept.",
                b"[00:00] <alice -> bob> psst",
                b"[00:00] #lobby <alice> in lobby",
            ],
        )

    def test_a_failed_read_is_answered_and_lets_the_held_lines_go(self) -> None:
        """A store that fails: the joiner is told, gets what was held, and can go on."""
        alice, _ = self.connect(b"alice")
        alice.dataReceived(b"hi\n")
        # A store with nothing at hand, whose read fails.
        self.store.at_hand = lambda room, before, limit: None  # type: ignore[method-assign]
        self.store.recent = lambda room, before, limit: fail(OSError("disk gone"))  # type: ignore[method-assign]
        bob, wire = self.connect(None)
        bob.dataReceived(b"bob\n")
        alice.dataReceived(b"still here\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"*** You are bob.",
                b"[00:00] #lobby -- bob joined",
                b"*** In #lobby (2): alice bob",
                b"ERR internal the server failed to do that; it has been logged",
                b"[00:00] #lobby <alice> still here",
            ],
        )
        self.assertEqual(len(self.flushLoggedErrors(OSError)), 1)

    def test_taken_off_the_server_while_waiting_gets_what_was_held(self) -> None:
        """A ban during the read: the joiner gets the lines held and the ban, then the connection closes."""
        alice, _ = self.operator(b"alice")
        self.store.later = True
        bob, wire = self.connect(None)
        bob.dataReceived(b"bob\n")
        alice.dataReceived(b"hello\n/ban bob\n")
        lines = self.lines(wire)
        self.assertEqual(lines[-2:], [b"[00:00] #lobby <alice> hello", b"[00:00] -- bob was banned by alice"])
        self.assertTrue(wire.disconnecting)
        self.store.answer()
        self.assertEqual(self.lines(wire), [])

    def test_lines_after_history_wait_for_its_answer(self) -> None:
        """A command sent after /history is answered after it."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"hello\n")
        self.lines(wire)
        self.store.later = True
        alice.dataReceived(b"/history\n/who\n")
        self.assertEqual(self.lines(wire), [])
        self.store.answer()
        self.assertEqual(
            self.lines(wire),
            [
                b"[1970-01-01 00:00] #lobby <alice> hello",
                b"*** End of history of #lobby: nothing earlier is kept.",
                b"*** In #lobby (1): alice",
            ],
        )


_MORE = b"*** End of history of #lobby; /history #lobby shows earlier lines."


class HistoryCommandTests(LineTestCase):
    """/history pages back through a room the user is in; around ID shows one line's context; before ID pages back."""

    chat_limits = Limits(replay=2)

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.connect(b"alice")
        for n in range(1, 8):
            self.clock.advance(60)
            self.alice.dataReceived(f"line {n}\n".encode())
            self.end_pass()
        self.alice_wire.clear()

    def ask(self, line: bytes) -> list[bytes]:
        self.alice.dataReceived(line + b"\n")
        return self.lines(self.alice_wire)

    def test_history_pages_back_then_says_nothing_earlier(self) -> None:
        """/history 3 shows the last 3; again, the 3 before; then the one left; then none."""
        self.assertEqual(
            self.ask(b"/history 3"),
            [
                b"[1970-01-01 00:05] #lobby <alice> line 5",
                b"[1970-01-01 00:06] #lobby <alice> line 6",
                b"[1970-01-01 00:07] #lobby <alice> line 7",
                b"*** End of history of #lobby; /history #lobby shows earlier lines.",
            ],
        )
        self.assertEqual(self.ask(b"/history lobby 3")[0], b"[1970-01-01 00:02] #lobby <alice> line 2")
        self.assertEqual(
            self.ask(b"/history 3"),
            [
                b"[1970-01-01 00:01] #lobby <alice> line 1",
                b"*** End of history of #lobby: nothing earlier is kept.",
            ],
        )
        self.assertEqual(self.ask(b"/history"), [b"*** No earlier lines of #lobby are kept."])

    def test_history_again_pages_by_the_number_asked_before(self) -> None:
        """/history 2, then /history alone: the 2 before those, not a page of 20."""
        self.ask(b"/history 2")
        self.assertEqual(
            self.ask(b"/history"),
            [
                b"[1970-01-01 00:04] #lobby <alice> line 4",
                b"[1970-01-01 00:05] #lobby <alice> line 5",
                b"*** End of history of #lobby; /history #lobby shows earlier lines.",
            ],
        )

    def test_another_command_between_starts_again_from_the_latest(self) -> None:
        """Any other command ends the paging: the next /history starts from the latest line."""
        self.ask(b"/history 3")
        self.ask(b"/time")
        self.assertEqual(self.ask(b"/history 1")[0], b"[1970-01-01 00:07] #lobby <alice> line 7")

    def test_history_a_while_after_a_page_starts_again_from_the_latest(self) -> None:
        """A /history PAGING_LAPSE after the page before it shows the latest lines, not those before the page."""
        self.ask(b"/history 3")
        self.clock.advance(PAGING_LAPSE - 1)
        self.assertEqual(self.ask(b"/history 1")[0], b"[1970-01-01 00:04] #lobby <alice> line 4")
        self.clock.advance(PAGING_LAPSE)
        self.assertEqual(self.ask(b"/history 1")[0], b"[1970-01-01 00:07] #lobby <alice> line 7")

    def test_history_minutes_after_a_join_shows_the_latest_lines(self) -> None:
        """bob joins (replayed lines 6 and 7) and watches alice talk on for minutes: his /history 3 is the latest
        three, with line 8, not the three before his replay."""
        bob, bob_wire = self.connect(b"bob")
        self.clock.advance(60)
        self.alice.dataReceived(b"line 8\n")
        self.clock.advance(PAGING_LAPSE)
        self.lines(bob_wire)
        bob.dataReceived(b"/history 3\n")
        self.assertEqual(
            self.lines(bob_wire)[:3],
            [
                b"[1970-01-01 00:06] #lobby <alice> line 6",
                b"[1970-01-01 00:07] #lobby <alice> line 7",
                b"[1970-01-01 00:08] #lobby <alice> line 8",
            ],
        )

    def test_paging_is_per_room(self) -> None:
        """/history of another room starts there from its latest line."""
        self.ask(b"/join #dev")
        self.ask(b"dev line")
        self.ask(b"/history #lobby 2")
        self.assertEqual(self.ask(b"/history #dev 2")[0], b"[1970-01-01 00:07] #dev <alice> dev line")
        self.assertEqual(self.ask(b"/history #lobby 1")[0], b"[1970-01-01 00:07] #lobby <alice> line 7")

    def test_after_a_replay_history_goes_on_from_the_oldest_line_replayed(self) -> None:
        """/history right after a join shows the lines before those the join showed."""
        bob, wire = self.connect(b"bob")
        bob.dataReceived(b"/history 1\n")
        self.assertEqual(self.lines(wire)[0], b"[1970-01-01 00:05] #lobby <alice> line 5")

    def test_only_members_read_a_room_s_history(self) -> None:
        """A room one is not in, or that does not exist, is refused in one line, naming the room."""
        bob, _ = self.connect(b"bob")
        bob.dataReceived(b"/join #dev\nsecret\n")
        self.assertEqual(
            self.ask(b"/history #dev"),
            [b"ERR members-only only members of #dev may read its history; /join #dev first"],
        )
        self.assertEqual(
            self.ask(b"/history #none 5"),
            [b"ERR members-only only members of #none may read its history; /join #none first"],
        )

    def test_line_counts_are_1_to_100(self) -> None:
        """Zero lines or more than 100 is refused; a bad argument gets the usage."""
        self.assertEqual(
            self.ask(b"/history 0"), [b"ERR bad-count cannot show 0 lines at once; ask for 1 to 100"]
        )
        self.assertEqual(
            self.ask(b"/history #lobby 101"),
            [b"ERR bad-count cannot show 101 lines at once; ask for 1 to 100"],
        )
        self.assertEqual(
            self.ask(b"/history 1 2"),
            [b"ERR usage usage: /history [#room|NICK|@NICK] [N|around ID|before ID [N]]"],
        )

    def test_around_an_id_shows_its_context(self) -> None:
        """around ID shows the lines centred on the one with that id; /history then goes on before them."""
        self.alice.dataReceived(b"/format json\n/history 7\n")
        lines = [json.loads(line) for line in self.lines(self.alice_wire)[1:-1]]
        fourth = lines[3]
        self.assertEqual(fourth["text"], "line 4")
        self.alice.dataReceived(f"/format text\n/history #lobby around {fourth['id']}\n".encode())
        shown = self.lines(self.alice_wire)[1:]
        self.assertEqual(len(shown), 8)
        self.assertEqual(shown[0], b"[1970-01-01 00:01] #lobby <alice> line 1")
        self.assertEqual(shown[3], b"[1970-01-01 00:04] #lobby <alice> line 4")
        self.assertEqual(shown[-1], b"*** End of history of #lobby; /history #lobby shows earlier lines.")
        self.assertEqual(self.ask(b"/history"), [b"*** No earlier lines of #lobby are kept."])

    def test_before_an_id_pages_back_whatever_came_between(self) -> None:
        """before ID [N] shows the N lines before that one, even after another command; then "No earlier lines"."""
        self.alice.dataReceived(b"/format json\n/history 7\n")
        ids = [json.loads(line)["id"] for line in self.lines(self.alice_wire)[1:-1]]
        self.ask(b"/format text\n/time")
        self.assertEqual(
            self.ask(f"/history #lobby before {ids[4]} 2".encode()),
            [
                b"[1970-01-01 00:03] #lobby <alice> line 3",
                b"[1970-01-01 00:04] #lobby <alice> line 4",
                b"*** End of history of #lobby; /history #lobby shows earlier lines.",
            ],
        )
        self.assertEqual(self.ask(b"/history 1"), [b"[1970-01-01 00:02] #lobby <alice> line 2", _MORE])
        self.assertEqual(
            self.ask(f"/history BEFORE {ids[1]} 5".encode()),
            [
                b"[1970-01-01 00:01] #lobby <alice> line 1",
                b"*** End of history of #lobby: nothing earlier is kept.",
            ],
        )
        self.assertEqual(
            self.ask(f"/history before {ids[0]}".encode()), [b"*** No earlier lines of #lobby are kept."]
        )

    def test_the_id_of_a_join_pages_from_where_it_happened(self) -> None:
        """A program whose last line seen was bob's join gives its id: before ID shows the lines before the join,
        around ID those around it, as for a line's id."""
        self.ask(b"/format json")
        bob, _ = self.connect(None)
        bob.dataReceived(b"bob\n")
        self.end_pass()
        joined = json.loads(self.lines(self.alice_wire)[0])
        self.assertEqual((joined["type"], joined["nick"]), ("joined", "bob"))
        bob.dataReceived(b"after bob came\n")
        self.ask(b"/format text")
        self.assertEqual(
            self.ask(f"/history before {joined['id']} 2".encode()),
            [
                b"[1970-01-01 00:06] #lobby <alice> line 6",
                b"[1970-01-01 00:07] #lobby <alice> line 7",
                b"*** End of history of #lobby; /history #lobby shows earlier lines.",
            ],
        )
        self.assertEqual(
            self.ask(f"/history around {joined['id']}".encode())[-3:],
            [
                b"[1970-01-01 00:07] #lobby <alice> line 7",
                b"[1970-01-01 00:07] #lobby <bob> after bob came",
                b"*** End of history of #lobby; /history #lobby shows earlier lines.",
            ],
        )

    def test_before_or_around_an_id_with_a_nickname_is_the_private_usage(self) -> None:
        """A word that is no room the user is in names private messages, which page before an id but not around
        one: the usage says so, rather than sending the user to join a room of that name; a room without its #
        still pages."""
        self.alice.dataReceived(b"/format json\n/history 2\n")
        first = json.loads(self.lines(self.alice_wire)[1])["id"]
        self.ask(b"/format text")
        self.assertEqual(
            self.ask(f"/history dave around {first}".encode()),
            [b"ERR usage usage: /history NICK [N|before ID [N]]"],
        )
        [refusal] = self.ask(f"/history dave before {first} 2".encode())
        self.assertTrue(refusal.startswith(b"ERR not-identified /history dave reads"), refusal)
        self.alice.dataReceived(f"/format text\n/history lobby before {first} 1\n".encode())
        self.assertEqual(
            self.lines(self.alice_wire)[1:], [b"[1970-01-01 00:05] #lobby <alice> line 5", _MORE]
        )

    def test_before_an_id_of_no_line_or_a_time_reads_before_where_it_falls(self) -> None:
        """An id no line of the room has (of no event at all) reads before where it falls, as a time does: a time
        leaves out the lines of its own millisecond. Neither is refused (they were ERR not-kept)."""
        self.assertEqual(
            self.ask(b"/history before 00000000deadbeef 5"), [b"*** No earlier lines of #lobby are kept."]
        )
        self.assertEqual(
            self.ask(b"/history before 1970-01-01T00:04:00Z 5"),
            [
                b"[1970-01-01 00:01] #lobby <alice> line 1",
                b"[1970-01-01 00:02] #lobby <alice> line 2",
                b"[1970-01-01 00:03] #lobby <alice> line 3",
                b"*** End of history of #lobby: nothing earlier is kept.",
            ],
        )

    def test_lines_of_someone_ignored_are_not_shown(self) -> None:
        """As live, history shows nothing said or done by someone the session ignores; the rest, and the marker."""
        bob, wire = self.connect(b"bob")
        bob.dataReceived(b"bob here\n/ignore alice\n/history 3\n")
        self.assertEqual(
            self.lines(wire)[-2:],
            [
                b"[1970-01-01 00:07] #lobby <bob> bob here",
                b"*** End of history of #lobby; /history #lobby shows earlier lines.",
            ],
        )

    def test_around_a_time_shows_the_lines_around_it(self) -> None:
        """A time serves as an id: the lines around it (here all seven), then the marker."""
        self.assertEqual(
            self.ask(b"/history around 1970-01-01T00:04:00.000Z"),
            [
                *(f"[1970-01-01 00:0{n}] #lobby <alice> line {n}".encode() for n in range(1, 8)),
                b"*** End of history of #lobby; /history #lobby shows earlier lines.",
            ],
        )

    def test_an_id_in_upper_case_and_a_time_in_lower_case_are_read(self) -> None:
        """An id typed in upper case names the line it names in lower case; a time's t and z may be lower case."""
        self.alice.dataReceived(b"/format json\n/history 7\n")
        ids = [json.loads(line)["id"] for line in self.lines(self.alice_wire)[1:-1]]
        self.ask(b"/format text\n/time")
        expected = self.ask(f"/history around {ids[3]}".encode())
        self.assertEqual(self.ask(f"/history around {ids[3].upper()}".encode()), expected)
        expected = self.ask(b"/history around 1970-01-01T00:04:00.000Z")
        self.assertEqual(self.ask(b"/history around 1970-01-01t00:04:00.000z"), expected)

    def test_a_word_neither_an_id_nor_a_time_is_refused(self) -> None:
        """Around or before a word that names no point: one ERR line saying what an id and a time look like, and no
        page shown."""
        for line in (b"/history around GGGGGGGGGGGGGGGG", b"/history before yesterday 5"):
            word = line.split()[2].decode()
            self.assertEqual(
                self.ask(line),
                [
                    f"ERR bad-id {word!r} is neither a line's id (16 hex digits, 0-9 and a-f, as /search shows) nor a "
                    "time like 2026-12-04T15:04:05Z (UTC)".encode()
                ],
            )

    def test_history_costs_flood_budget_by_its_size(self) -> None:
        """100 lines cost 11 lines of budget: three /history 100 at once get two answers and the flood notice."""
        for n in range(100):
            self.alice.dataReceived(f"more {n}\n".encode())
            self.clock.advance(1)
        self.alice_wire.clear()
        lines = self.ask(b"/history 100\n/time\n/time")
        self.assertEqual(len(lines), 101 + 1)
        self.assertEqual(lines[-1], text_line(SLOWED).rstrip(b"\r\n"))


class LongCountTests(LineTestCase):
    """A host's --max-line of 20,000 bytes: a count may be thousands of digits long."""

    limits = LineLimits(max_line=20_000)

    def test_a_count_of_5000_digits_gets_the_usage(self) -> None:
        """/history N, with N 5000 digits long (past what int() reads), and with before ID: the usage, not ERR
        internal; as any count of more than 18 digits, which no history holds."""
        alice, wire = self.connect(b"alice")
        usage = b"ERR usage usage: /history [#room|NICK|@NICK] [N|around ID|before ID [N]]"
        for line in (
            f"/history {'9' * 5000}",
            f"/history #lobby before 2026-01-01T00:00:00Z {'9' * 5000}",
            f"/history {'9' * 19}",
        ):
            alice.dataReceived(line.encode() + b"\n")
            self.assertEqual(self.lines(wire), [usage])
            self.clock.advance(10)  # her byte budget, spent on the long line, comes back

    def test_a_count_behind_5000_zeros_is_its_number(self) -> None:
        """/history 0...02 shows the last 2 lines."""
        alice, wire = self.connect(b"alice")
        for text in (b"one", b"two", b"three"):
            alice.dataReceived(text + b"\n")
            self.end_pass()
        self.lines(wire)
        alice.dataReceived(f"/history {'0' * 5000}2\n".encode())
        self.assertEqual(
            self.lines(wire),
            [
                b"[1970-01-01 00:00] #lobby <alice> two",
                b"[1970-01-01 00:00] #lobby <alice> three",
                b"*** End of history of #lobby; /history #lobby shows earlier lines.",
            ],
        )


class ResumeTests(LineTestCase):
    """/resume #room ID rejoins a room showing exactly what was said after that line, then how much it was."""

    chat_limits = Limits(replay=2)

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.connect(b"alice")
        self.alice.dataReceived(b"/format json\n/join #dev\n")
        self.say(self.alice, "#dev", 3)
        shown = said_lines(self.alice_wire, self)
        self.seen = shown[-1]
        """The last line bob saw before he dropped: line 3 of #dev."""
        self.shown = [line["id"] for line in shown if line["type"] == "said"]
        """The ids of the three lines bob saw."""
        self.bob, self.bob_wire = self.connect(None)
        self.bob.dataReceived(b"/format json\n")
        self.lines(self.bob_wire)

    def say(self, who: LineProtocol, room: str, count: int, first: int = 1) -> None:
        """``who`` says ``count`` lines in ``room``, numbered from ``first``, a pass apart."""
        for n in range(first, first + count):
            self.clock.advance(1)  # within the flood budget
            who.dataReceived(f"/join {room}\nline {n}\n".encode())
            self.end_pass()

    def resumed(self, line: bytes) -> list[dict[str, object]]:
        """What bob is shown after ``line``, past his join and the members."""
        self.bob.dataReceived(line)
        return said_lines(self.bob_wire, self)

    def test_rejoining_shows_exactly_the_lines_missed_then_how_many(self) -> None:
        """After the join and members: every line said since the id, marked history, then the marker; then live."""
        self.say(self.alice, "#dev", 4, first=4)
        self.bob.dataReceived(b"bob\n")
        self.lines(self.bob_wire)
        lines = self.resumed(f"/resume #dev {self.seen['id']}\n".encode())
        self.alice.dataReceived(b"/join #dev\nlive\n")
        lines += said_lines(self.bob_wire, self)
        self.assertEqual(
            [(line["type"], line.get("text"), line.get("history")) for line in lines[2:]],
            [
                ("said", "line 4", True),
                ("said", "line 5", True),
                ("said", "line 6", True),
                ("said", "line 7", True),
                ("notice", "End of what you missed in #dev: 4 messages.", None),
                ("said", "live", None),
            ],
        )
        self.assertEqual(
            lines[6], {**lines[6], "kind": "history_end", "room": "#dev", "count": 4, "missed": 4}
        )
        self.assertEqual(lines[0]["type"], "joined")

    def test_a_line_shown_then_deleted_while_away_is_told_deleted_as_live(self) -> None:
        """alice deletes line 2, which bob was shown, while he is away: his resume tells him with the very
        ``deleted`` she was sent live, before what he missed; line 4, said and deleted while he was away, he never
        had, and is not told of."""
        self.alice.dataReceived(f"/delete #dev {self.shown[1]} a typo\n".encode())
        live = said_lines(self.alice_wire, self)
        self.say(self.alice, "#dev", 2, first=4)
        line_4 = next(line for line in said_lines(self.alice_wire, self) if line["type"] == "said")
        self.alice.dataReceived(f"/delete #dev {line_4['id']}\n".encode())
        self.end_pass()
        self.bob.dataReceived(b"bob\n")
        self.lines(self.bob_wire)
        lines = self.resumed(f"/resume #dev {self.seen['id']}\n".encode())
        self.assertEqual(live[0]["type"], "deleted")
        self.assertEqual(
            lines[2:4], [live[0], {**lines[3], "type": "said", "text": "line 5", "history": True}]
        )
        self.assertEqual(
            lines[4],
            {
                **lines[4],
                "text": "End of what you missed in #dev: 1 message, 1 line deleted.",
                "missed": 1,
                "deleted": 1,
            },
        )
        self.assertEqual(len(lines), 5)

    def test_a_text_resume_tells_a_deletion_in_the_live_line(self) -> None:
        """Resumed in text, the deletion is the line the deleter was shown live."""
        self.alice.dataReceived(b"/format text\n")
        self.lines(self.alice_wire)
        self.alice.dataReceived(f"/delete #dev {self.shown[0]}\n".encode())
        live = self.lines(self.alice_wire)
        self.bob.dataReceived(b"/format text\nbob\n")
        self.lines(self.bob_wire)
        self.bob.dataReceived(f"/resume #dev {self.seen['id']}\n".encode())
        resumed = self.lines(self.bob_wire)
        self.assertEqual(live, [f"[00:00] #dev -- alice deleted the line {self.shown[0]}".encode()])
        self.assertEqual(
            resumed[-2:], [*live, b"*** End of what you missed in #dev: no messages, 1 line deleted."]
        )

    def test_deletions_past_the_bytes_bound_are_counted_not_told(self) -> None:
        """alice deletes 600 lines bob was shown, each with a reason of 110 four-byte characters: the first
        deletions that fit in 256 KiB are told, then the line said since in what is left, and the marker says how many
        were deleted and how many of them told."""
        self.say(self.alice, "#dev", 597, first=4)
        ids = [line["id"] for line in said_lines(self.alice_wire, self) if line["type"] == "said"]
        seen = ids[-1]
        reason = "\N{GRINNING FACE}" * 110
        for line in [*self.shown, *ids]:
            self.clock.advance(1)  # within the flood budget
            self.alice.dataReceived(f"/delete #dev {line} {reason}\n".encode())
            self.end_pass()
        self.say(self.alice, "#dev", 1, first=601)
        bob, wire = self.connect(b"bob")  # setUp's went unnamed for too long meanwhile
        bob.dataReceived(f"/resume #dev {seen}\n".encode())
        resumed = self.lines(wire)
        told = [line for line in resumed if b" deleted the line " in line]
        shown = resumed[resumed.index(told[-1]) + 1 : -1]
        self.assertEqual([line[-8:] for line in shown], [b"line 601"])
        self.assertLessEqual(sum(len(line) + 2 for line in [*told, *shown]), RESUMED_BYTES)
        self.assertGreater(sum(len(line) + 2 for line in told), RESUMED_BYTES - 1000)
        self.assertIn(f"line {self.shown[0]}".encode(), told[0])
        self.assertEqual(
            resumed[-1],
            f"*** End of what you missed in #dev: 1 message, 600 lines deleted, the first {len(told)} told.".encode(),
        )

    def test_lines_missed_from_someone_ignored_are_counted_as_such(self) -> None:
        """bob ignores alice: the three lines she said while he was away are missed, none shown, and the marker
        says why, not "the last 0 shown" with /history to page back to more of hers."""
        self.say(self.alice, "#dev", 3, first=4)
        self.bob.dataReceived(b"bob\n/ignore alice\n")
        self.lines(self.bob_wire)
        lines = self.resumed(f"/resume #dev {self.seen['id']}\n".encode())
        self.assertEqual(
            lines[-1],
            {
                "type": "notice",
                "kind": "history_end",
                "room": "#dev",
                "count": 0,
                "missed": 3,
                "earlier": True,
                "ignored": 3,
                "text": "End of what you missed in #dev: 3 messages, all from people you ignore.",
            },
        )

    def test_lines_missed_from_someone_ignored_beside_others_shown(self) -> None:
        """Two lines of alice's and one of carol's missed: bob, who ignores alice, is shown carol's, told of both."""
        carol, _ = self.connect(b"carol")
        self.say(self.alice, "#dev", 1, first=4)
        self.say(carol, "#dev", 1, first=5)
        self.say(self.alice, "#dev", 1, first=6)
        self.bob.dataReceived(b"bob\n/ignore alice\n")
        self.lines(self.bob_wire)
        lines = self.resumed(f"/resume #dev {self.seen['id']}\n".encode())
        self.assertEqual([line.get("text") for line in lines if line.get("history")], ["line 5"])
        self.assertEqual(
            (lines[-1]["count"], lines[-1]["missed"], lines[-1]["ignored"], lines[-1]["text"]),
            (1, 3, 2, "End of what you missed in #dev: 3 messages, 2 from people you ignore."),
        )

    def test_rooms_noted_before_a_nickname_are_where_choosing_one_puts_the_session(self) -> None:
        """Said before the nickname, each room noted is joined on choosing one, in order, showing only what was missed."""
        self.alice.dataReceived(b"/join #lobby\nin lobby\n")
        lobby = said_lines(self.alice_wire, self)[-1]
        self.say(self.alice, "#dev", 1, first=4)
        self.alice.dataReceived(b"/join #lobby\nlobby again\n")
        self.bob.dataReceived(f"/resume #lobby {lobby['id']}\n/resume dev {self.seen['id']}\n".encode())
        self.assertEqual(
            [line["text"] for line in said_lines(self.bob_wire, self)],
            [
                f"Joining #lobby will show what was said there after {lobby['id']}.",
                f"Joining #dev will show what was said there after {self.seen['id']}.",
            ],
        )
        self.bob.dataReceived(b"bob\n")
        texts = [line.get("text") for line in said_lines(self.bob_wire, self) if "text" in line]
        self.assertEqual(
            texts,
            [
                "You are bob.",
                "lobby again",
                "End of what you missed in #lobby: 1 message.",
                "line 4",
                "End of what you missed in #dev: 1 message.",
            ],
        )
        self.assertEqual((self.bob.current, self.bob.resuming), ("#dev", {}))

    def test_a_room_not_noted_is_not_entered_not_even_the_default_room(self) -> None:
        """Noting #dev alone, bob comes back to #dev alone: #lobby sees him neither join nor leave."""
        self.alice.dataReceived(b"/join #lobby\n")
        self.lines(self.alice_wire)
        self.bob.dataReceived(f"/resume #dev {self.seen['id']}\nbob\n".encode())
        joins = [
            (line["room"], line["nick"])
            for line in said_lines(self.bob_wire, self)
            if line["type"] == "joined"
        ]
        self.assertEqual(joins, [("#dev", "bob")])
        assert self.bob.user is not None
        self.assertEqual(list(self.bob.user.rooms), ["#dev"])
        self.assertEqual(
            [(line["type"], line["room"]) for line in said_lines(self.alice_wire, self)], [("joined", "#dev")]
        )

    def test_a_noted_room_that_refuses_is_one_error_and_the_others_are_entered(self) -> None:
        """#dev made invite-only meanwhile: bob's return to it is one ERR line; he is in #lobby, talking there."""
        self.alice.dataReceived(b"/mode #dev +i\n")
        self.bob.dataReceived(f"/format text\n/resume #dev {self.seen['id']}\n/resume #lobby\n".encode())
        self.lines(self.bob_wire)
        self.bob.dataReceived(b"bob\n")
        self.assertEqual(
            self.lines(self.bob_wire)[:3],
            [
                b"*** You are bob.",
                b"ERR invite-only #dev is invite-only; ask one of its operators to /invite you",
                b"[00:00] #lobby -- bob joined",
            ],
        )
        self.assertEqual(self.bob.current, "#lobby")

    def test_a_room_noted_without_an_id_shows_its_last_lines_and_alone_none(self) -> None:
        """/resume #dev puts bob in #dev with its last lines, as /join would; /resume alone puts carol in no room."""
        self.bob.dataReceived(b"/format text\n")
        self.lines(self.bob_wire)
        self.bob.dataReceived(b"/resume dev\nbob\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [
                b"*** Choosing a nickname will put you in #dev.",
                b"*** You are bob.",
                b"[00:00] #dev -- bob joined",
                b"*** In #dev (2): @alice bob",
                b"[1970-01-01 00:00] #dev <alice> line 2",
                b"[1970-01-01 00:00] #dev <alice> line 3",
                b"*** End of history of #dev; /history #dev shows earlier lines.",
            ],
        )
        carol, wire = self.connect(None)
        carol.dataReceived(b"/resume\ncarol\n")
        self.assertEqual(
            self.lines(wire)[-3:],
            [
                b"*** Choosing a nickname will not put you in #lobby.",
                b"*** You are carol.",
                b"*** You are in no room; /join #room to talk.",
            ],
        )

    def test_nothing_missed_is_said(self) -> None:
        """Nothing said since the id: no lines, and the marker says so."""
        self.bob.dataReceived(b"bob\n")
        self.lines(self.bob_wire)
        lines = self.resumed(f"/resume #dev {self.seen['id']}\n".encode())
        self.assertEqual(
            lines[2:],
            [
                {
                    "type": "notice",
                    "kind": "history_end",
                    "room": "#dev",
                    "count": 0,
                    "missed": 0,
                    "earlier": True,
                    "text": "Nothing missed in #dev.",
                }
            ],
        )

    def test_another_room_s_id_or_a_time_reads_on_from_where_it_happened(self) -> None:
        """Another room's line, or a time, is a point too: the lines of #dev said after it are what was missed
        (another room's id was "not kept", and the last lines were shown instead)."""
        self.say(self.alice, "#dev", 1, first=4)
        self.say(self.alice, "#lobby", 1, first=1)
        lobby = said_lines(self.alice_wire, self)[-1]
        self.say(self.alice, "#dev", 2, first=5)
        self.bob.dataReceived(b"/format text\nbob\n")
        self.lines(self.bob_wire)
        missed = [
            b"[1970-01-01 00:00] #dev <alice> line 5",
            b"[1970-01-01 00:00] #dev <alice> line 6",
            b"*** End of what you missed in #dev: 2 messages.",
        ]
        self.bob.dataReceived(f"/resume #dev {lobby['id']}\n".encode())
        self.assertEqual(self.lines(self.bob_wire)[2:], missed)
        self.bob.dataReceived(b"/part #dev\n/resume #dev 1970-01-01T00:00:05Z\n")
        self.assertEqual(self.lines(self.bob_wire)[-3:], missed)

    def test_a_line_forgotten_since_is_where_what_was_missed_begins(self) -> None:
        """The line bob saw was forgotten (retention) while he was away: he is shown the lines after it, not told
        it is not kept."""
        self.say(self.alice, "#dev", 2, first=4)
        assert isinstance(self.history, MemoryHistory)
        self.successResultOf(self.history.prune(3.5))
        self.bob.dataReceived(b"/format text\nbob\n")
        self.lines(self.bob_wire)
        self.bob.dataReceived(f"/resume #dev {self.seen['id']}\n".encode())
        self.assertEqual(
            self.lines(self.bob_wire)[2:],
            [
                b"[1970-01-01 00:00] #dev <alice> line 4",
                b"[1970-01-01 00:00] #dev <alice> line 5",
                b"*** End of what you missed in #dev: 2 messages.",
            ],
        )

    def test_a_word_neither_an_id_nor_a_time_is_refused_and_noted_nowhere(self) -> None:
        """One ERR line; the room is not noted, so choosing a nickname puts bob in the default room as before."""
        self.bob.dataReceived(b"/format text\n")
        self.lines(self.bob_wire)
        self.bob.dataReceived(b"/resume #dev 00000000deadbeeg\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [
                b"ERR bad-id '00000000deadbeeg' is neither a line's id (16 hex digits, 0-9 and a-f, as /search shows) "
                b"nor a time like 2026-12-04T15:04:05Z (UTC)"
            ],
        )
        self.assertEqual((self.bob.resuming, self.bob.returning), ({}, False))

    def test_a_room_one_is_in_is_refused(self) -> None:
        """What a member missed was shown live: /resume of a room one is in is one ERR line, and nothing else."""
        self.bob.dataReceived(b"/format text\nbob\n/join #dev\n")
        self.lines(self.bob_wire)
        self.bob.dataReceived(f"/resume #DEV {self.seen['id']}\n".encode())
        self.assertEqual(
            self.lines(self.bob_wire),
            [b"ERR joined you are in #dev already; /resume shows what you missed when you rejoin a room"],
        )
        self.assertEqual(self.bob.resuming, {})

    def test_bad_arguments_are_refused(self) -> None:
        """A word too many, a bad room name, or no room once named: one ERR line each."""
        self.bob.dataReceived(b"/format text\n")
        self.lines(self.bob_wire)
        self.bob.dataReceived(b"/resume #dev a b\n/resume #no! 0000000000000000\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [
                b"ERR usage usage: /resume [#room [ID]]",
                b"ERR bad-room '#no!' is not a valid room name: a room name holds only letters, digits, '-', '_' and '.'",
            ],
        )
        self.assertEqual((self.bob.resuming, self.bob.returning), ({}, False))
        self.bob.dataReceived(b"bob\n")
        self.lines(self.bob_wire)
        self.bob.dataReceived(b"/resume\n")
        self.assertEqual(self.lines(self.bob_wire), [b"ERR usage usage: /resume #room [ID]"])

    def test_a_session_keeps_as_many_points_as_rooms_one_may_be_in(self) -> None:
        """Past the rooms one may be in, the oldest point is forgotten."""
        for n in range(self.chat_limits.rooms_per_user + 1):
            self.bob.dataReceived(f"/resume #r{n} {n:016x}\n".encode())
            self.clock.advance(1)  # within the flood budget
        self.assertEqual(len(self.bob.resuming), self.chat_limits.rooms_per_user)
        self.assertNotIn("#r0", self.bob.resuming)
        self.assertEqual(self.bob.resuming["#r20"], ("#r20", event_point(f"{20:016x}")))


class ResumeBoundTests(LineTestCase):
    """Beyond the bound a resume shows the latest lines and says how many were missed in all."""

    limits = LineLimits(flood_rate=10_000, flood_burst=10_000, flood_bytes=1 << 30)

    def make_history(self) -> History:
        """A store that keeps more than a resume shows (as SQLite does), so the line seen is still there."""
        return MemoryHistory(per_room=2 * RESUME_MOST)

    def test_beyond_the_bound_the_latest_lines_and_the_count(self) -> None:
        """1,005 lines missed: the last 1,000 shown, the marker says 1005 and how to see earlier ones."""
        alice, alice_wire = self.connect(b"alice")
        alice.dataReceived(b"/format json\nseen\n")
        seen = said_lines(alice_wire, self)[-1]
        for n in range(1, RESUME_MOST + 6):
            alice.dataReceived(f"line {n}\n".encode())
            self.end_pass()
        bob, wire = self.connect(None)
        bob.dataReceived(f"/format json\n/resume #lobby {seen['id']}\nbob\n".encode())
        lines = said_lines(wire, self)
        history = [line for line in lines if line.get("history")]
        self.assertEqual(len(history), RESUME_MOST)
        self.assertEqual((history[0]["text"], history[-1]["text"]), ("line 6", "line 1005"))
        self.assertEqual(
            lines[-1],
            {
                "type": "notice",
                "kind": "history_end",
                "room": "#lobby",
                "count": 1000,
                "missed": 1005,
                "earlier": True,
                "text": "End of what you missed in #lobby: 1005 messages, the last 1000 shown; "
                "/history #lobby shows earlier lines.",
            },
        )
        bob.dataReceived(b"/history 3\n")
        self.assertEqual(said_lines(wire, self)[0]["text"], "line 3")

    def test_lines_past_the_bytes_bound_are_counted_not_shown(self) -> None:
        """Long lines: only the latest that fit in 256 KiB are shown; the marker counts the rest."""
        alice, alice_wire = self.connect(b"alice")
        alice.dataReceived(b"/format json\nseen\n")
        seen = said_lines(alice_wire, self)[-1]
        for n in range(1, 1001):
            alice.dataReceived(f"{n:04} {'x' * 400}\n".encode())
            self.end_pass()
        bob, wire = self.connect(None)
        bob.dataReceived(f"/resume #lobby {seen['id']}\nbob\n".encode())
        lines = self.lines(wire)
        shown = [line for line in lines if line.startswith(b"[1970")]
        self.assertLessEqual(sum(len(line) + 2 for line in shown), RESUMED_BYTES)
        self.assertGreater(sum(len(line) + 2 for line in shown), RESUMED_BYTES - 500)
        self.assertEqual(shown[-1][-405:-401], b"1000")
        self.assertEqual(
            lines[-1],
            f"*** End of what you missed in #lobby: 1000 messages, the last {len(shown)} shown; "
            "/history #lobby shows earlier lines.".encode(),
        )


class ComingBackTests(LineTestCase):
    """A client coming back into its rooms (the default --max-rooms of them, each with more lines than a join
    replays) is not told it floods; a loop of rejoins still pays for each replay.

    The default budget is a burst of 10 lines. alice is in 20 rooms, each with 25 lines said; nothing here lets
    the clock run, so no line of budget comes back while a client comes back.
    """

    ROOMS = Limits().rooms_per_user

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.connect(b"alice")
        self.alice.dataReceived(b"/format json\n/register sesame12\n/part #lobby\n")
        self.last: dict[str, str] = {}
        """The id of each room's last line."""
        for number in range(self.ROOMS):
            self.clock.advance(10)  # within alice's own budget
            self.alice.dataReceived(f"/join #r{number:02}\n".encode())
            for line in range(25):
                self.clock.advance(1)
                self.alice.dataReceived(f"line {line}\n".encode())
            said = [line for line in said_lines(self.alice_wire, self) if line["type"] == "said"]
            self.assertEqual(said[-1]["room"], f"#r{number:02}")
            self.last[f"#r{number:02}"] = str(said[-1]["id"])
        self.clock.advance(60)

    def come_back(self, greeting: list[str], then: list[str]) -> list[dict[str, object]]:
        """A new connection sends ``greeting`` in one read, then ``then`` (what a client sends once identified).

        In JSON from its first line, as the page's socket is (``/format json`` costs a line the page does not).
        """
        client, wire = self.connect(None)
        client.dataReceived("".join(f"{line}\n" for line in ["/format json", *greeting]).encode())
        self.end_pass()
        client.dataReceived("".join(f"{line}\n" for line in then).encode())
        self.end_pass()
        return [json.loads(line) for line in self.lines(wire) if line.startswith(b"{")]

    def floods(self, shown: list[dict[str, object]]) -> list[dict[str, object]]:
        return [line for line in shown if line.get("kind") == "flood"]

    def test_the_bundled_client_coming_back_to_its_rooms_is_not_told_it_floods(self) -> None:
        """What ``python -m chatd.client --identify`` sends after a drop: /format json, a /resume per room with the
        last id it saw, /identify; then its key lines. Every room is rejoined, and no flood notice comes."""
        self.alice.dataReceived(b"/quit\n")
        resumes = [f"/resume {room} {last}" for room, last in self.last.items()]
        shown = self.come_back(
            [*resumes, "/identify alice sesame12"],
            ["/key publish " + "A" * 43 + "=", "/key get alice", "/key log 1"],
        )
        ends = [line for line in shown if line.get("kind") == "history_end"]
        self.assertEqual(len(ends), self.ROOMS)
        self.assertEqual(self.floods(shown), [])

    def test_the_page_coming_back_after_a_reload_is_not_told_it_floods(self) -> None:
        """The page after a reload knows no id: a /resume per room, /identify; each room replays its last lines
        (20 of them), and no flood notice comes."""
        self.alice.dataReceived(b"/quit\n")
        shown = self.come_back(
            [f"/resume {room}" for room in self.last] + ["/identify alice sesame12"],
            ["/key publish " + "A" * 43 + "=", "/key log 1"],
        )
        replayed = [line for line in shown if line.get("type") == "said" and line.get("history")]
        self.assertEqual(len(replayed), self.ROOMS * Limits().replay)
        self.assertEqual(self.floods(shown), [])

    def test_a_connection_identifying_to_the_account_online_elsewhere_is_not_told_it_floods(self) -> None:
        """alice still online: the page identifies to her account and is shown every room of it, and no flood."""
        shown = self.come_back(
            [f"/resume {room}" for room in self.last] + ["/identify alice sesame12"],
            ["/key publish " + "A" * 43 + "=", "/key log 1"],
        )
        self.assertEqual(len([line for line in shown if line.get("kind") == "in_room"]), self.ROOMS)
        self.assertEqual(self.floods(shown), [])

    def test_a_join_from_another_connection_of_the_account_is_not_charged_here(self) -> None:
        """The page has just spent most of its burst (nine lines of its own) when another connection of alice's
        joins a room: the page is shown the room, its last lines replayed, and told of no flood, for it typed
        nothing more; the joiner pays for its join's replay."""
        page, wire = self.connect(None)
        page.dataReceived(b"/format json\n/identify alice sesame12\n")
        self.clock.advance(60)
        page.dataReceived(b"/time\n" * 9)
        self.lines(wire)
        self.alice.dataReceived(b"/part #r00\n/join #r00\n")
        shown = said_lines(wire, self)
        self.assertEqual([line.get("room") for line in shown if line.get("kind") == "in_room"], ["#r00"])
        self.assertEqual(len([line for line in shown if line.get("history")]), Limits().replay)
        self.assertEqual(self.floods(shown), [])

    def test_a_loop_of_rejoins_after_coming_back_still_pays_for_each_replay(self) -> None:
        """Back in every room at no cost, the client then parts and joins one room again and again: each join's
        replay is charged as a listing (2 lines for 20), and the third loop is slowed."""
        self.alice.dataReceived(b"/quit\n")
        shown = self.come_back(
            [f"/resume {room}" for room in self.last] + ["/identify alice sesame12"],
            ["/part #r00", "/join #r00", "/part #r00", "/join #r00", "/part #r00", "/join #r00"],
        )
        self.assertEqual(len(self.floods(shown)), 1)

    def test_identifying_again_to_another_account_pays_for_its_rooms(self) -> None:
        """Only a connection's first entry into its rooms is charged as a resume: shown alice's rooms at no cost,
        then identifying to bob's account (in six of them) pays 2 lines a room replayed, and is slowed."""
        bob, _ = self.connect(b"bob", host="10.0.0.2")
        bob.dataReceived(b"/register sesame34\n")
        for number in range(6):
            self.clock.advance(5)
            bob.dataReceived(f"/join #r{number:02}\n".encode())
        self.clock.advance(60)
        page, wire = self.connect(None)
        page.dataReceived(b"/format json\n/identify alice sesame12\n")
        self.assertEqual(self.floods(said_lines(wire, self)), [])
        page.dataReceived(b"/identify bob sesame34\n")
        shown = said_lines(wire, self)
        self.assertEqual(len([line for line in shown if line.get("kind") == "in_room"]), 7)  # and #lobby
        self.assertEqual(len(self.floods(shown)), 1)

    def test_notes_past_the_rooms_one_may_be_in_cost_a_line_each(self) -> None:
        """The first 20 /resume lines before a nickname are free; ten more cost a line each, and flood."""
        client, wire = self.connect(None)
        notes = [f"/resume #x{number:02}" for number in range(self.ROOMS + 10)]
        client.dataReceived(("/format json\n" + "".join(f"{line}\n" for line in notes)).encode())
        self.assertEqual(len(self.floods(said_lines(wire, self))), 1)
