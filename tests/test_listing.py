"""Listings in pages (/rooms, /users, /who): what each costs grows with a page, not with the chat (issue 12)."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from chatd.bus.memory import MemoryBus
from chatd.domain.chat import Chat
from chatd.domain.errors import NoSuchPageError
from chatd.domain.limits import Limits
from chatd.domain.listing import PAGE_SIZE, SortedKeys, merged_slice, page_bounds, remaining
from chatd.domain.replies import RoomSummary
from chatd.line.budget import SLOWED
from chatd.line.limits import LineLimits
from chatd.line.render import text_line
from chatd.line.wording import word
from chatd.storage.memory import MemoryHistory
from chatd.storage.memory_accounts import MemoryAccounts
from chatd.storage.memory_rooms import MemoryRooms
from tests.helpers import ChatTestCase, LineTestCase, RecordingSession

ROOMS = 300
"""Rooms in the big chats below: six pages."""


class PageTests(ChatTestCase):
    def test_pages_cut_a_listing_in_fifties(self) -> None:
        """Page n covers entries 50(n-1) to 50n; an empty listing has one empty page; others are refused."""
        self.assertEqual(PAGE_SIZE, 50)
        self.assertEqual(page_bounds(1, 0), (0, 0, 1))
        self.assertEqual(page_bounds(1, 300), (0, 50, 6))
        self.assertEqual(page_bounds(6, 301), (250, 300, 7))
        self.assertEqual(page_bounds(7, 301), (300, 301, 7))
        for page, total in ((0, 10), (2, 50), (8, 301)):
            error = self.assertRaises(NoSuchPageError, page_bounds, page, total)
            self.assertEqual(error.code, "no-such-page")
        self.assertEqual(remaining(120, 1, 50), 70)
        self.assertEqual(remaining(120, 3, 20), 0)

    def test_sorted_keys_stay_sorted_as_they_come_and_go(self) -> None:
        """Keys added in any order come out sorted; a removed one is gone."""
        keys = SortedKeys()
        for key in ("#m", "#b", "#z", "#a"):
            keys.add(key)
        keys.remove("#m")
        self.assertEqual((keys.slice(0, 10), len(keys)), (["#a", "#b", "#z"], 3))
        self.assertEqual(keys.slice(1, 2), ["#b"])


class ChatListingTests(ChatTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.chat = Chat(
            self.clock,
            MemoryHistory(),
            MemoryBus(),
            limits=Limits(rooms_per_user=ROOMS),
            accounts=MemoryAccounts(),
            rooms=MemoryRooms(),
        )

    def test_rooms_come_a_page_at_a_time_sorted_by_name(self) -> None:
        """With 300 rooms, /rooms is 50 of them in name order, with the count of all and of pages."""
        alice, _ = self.online("alice")
        for n in reversed(range(ROOMS)):
            self.chat.join(alice, f"#r{n:03}")
        first = self.chat.rooms()
        self.assertEqual((first.total, first.page, first.pages), (300, 1, 6))
        self.assertEqual(first.rooms, tuple(RoomSummary(f"#r{n:03}", 1, "") for n in range(50)))
        last = self.chat.rooms(6)
        self.assertEqual([s.room for s in last.rooms], [f"#r{n:03}" for n in range(250, 300)])
        error = self.assertRaises(NoSuchPageError, self.chat.rooms, 7)
        self.assertEqual(word(error), "there is no page 7; pages go from 1 to 6")

    def test_room_order_follows_rooms_made_and_emptied(self) -> None:
        """A room that empties leaves the listing; one made later takes its place in order."""
        alice, _ = self.online("alice", "#c", "#a")
        self.chat.part(alice, "#a")
        self.chat.join(alice, "#B")
        self.assertEqual([s.room for s in self.chat.rooms().rooms], ["#B", "#c"])

    def test_the_servers_rooms_are_listed_before_anyone_is_in_them_and_once_emptied(self) -> None:
        """A host's --room #maths is listed with nobody in it from the start, and again once its members leave."""
        chat = Chat(
            self.clock,
            MemoryHistory(),
            MemoryBus(),
            server_rooms=("#lobby", "#Maths"),
            accounts=MemoryAccounts(),
            rooms=MemoryRooms(),
        )
        self.assertEqual(chat.rooms().rooms, (RoomSummary("#lobby", 0, ""), RoomSummary("#Maths", 0, "")))
        alice = chat.register(RecordingSession(self.audience), "alice", "")
        chat.join(alice, "#maths")
        chat.set_topic(alice, "#maths", "fractions")
        chat.part(alice, "#maths")
        self.assertEqual(chat.rooms().rooms[1], RoomSummary("#Maths", 0, "fractions"))

    def test_users_come_a_page_at_a_time_sorted_and_renamed_in_place(self) -> None:
        """/users is 50 nicknames a page in key order; a renamed user moves to their new place."""
        first, _ = self.online("u000")
        for n in range(1, 120):
            self.online(f"u{n:03}")
        self.chat.rename(first, "zed")
        page = self.chat.users(3)
        self.assertEqual((page.total, page.page, page.pages), (120, 3, 3))
        self.assertEqual(page.nicks, (*(f"u{n:03}" for n in range(101, 120)), "zed"))
        self.assertEqual(self.chat.users().nicks[0], "u001")

    def test_members_come_a_page_at_a_time_in_join_order(self) -> None:
        """/who of a room of 120 is 50 members a page, in the order they joined."""
        for n in reversed(range(120)):
            self.online(f"u{n:03}", "#big")
        page = self.chat.members("#big", 2)
        self.assertEqual((page.total, page.page, page.pages), (120, 2, 3))
        self.assertEqual(page.nicks, tuple(f"u{n:03}" for n in reversed(range(20, 70))))


class ListingCommandTests(LineTestCase):
    """The listing commands on the line front end, over a chat of 300 rooms."""

    chat_limits = Limits(rooms_per_user=ROOMS + 1)

    def setUp(self) -> None:
        super().setUp()
        self.owner, _ = self.connect(b"owner")
        for n in range(ROOMS - 1):
            self.chat.join(self.owner.me(), f"#r{n:03}")
        self.bob, self.bob_wire = self.connect(b"bob")

    def test_rooms_shows_a_page_then_how_to_ask_for_more(self) -> None:
        """/rooms shows 50 of 300 rooms and a last line saying how many more and how to see them."""
        self.bob.dataReceived(b"/rooms\n")
        lines = self.lines(self.bob_wire)
        self.assertEqual(len(lines), 52)
        self.assertEqual(lines[0], b"*** Rooms (300), page 1 of 6:")
        self.assertEqual(lines[1], b"***   #lobby (2)")
        self.assertEqual(lines[2], b"***   #r000 (1)")
        self.assertEqual(lines[-1], b"*** 250 more: /rooms 2 for the next page.")

    def test_next_and_last_pages_and_past_the_last(self) -> None:
        """/rooms 2 goes on where page 1 stopped; the last page has no more line; past it is an error."""
        self.bob.dataReceived(b"/rooms 2\n")
        lines = self.lines(self.bob_wire)
        self.assertEqual(lines[:2], [b"*** Rooms (300), page 2 of 6:", b"***   #r049 (1)"])
        self.assertEqual(lines[-1], b"*** 200 more: /rooms 3 for the next page.")
        self.clock.advance(60)
        self.bob.dataReceived(b"/rooms 6\n")
        lines = self.lines(self.bob_wire)
        self.assertEqual(
            (len(lines), lines[0], lines[-1]), (51, b"*** Rooms (300), page 6 of 6:", b"***   #r298 (1)")
        )
        self.clock.advance(60)
        self.bob.dataReceived(b"/rooms 7\n")
        self.assertEqual(
            self.lines(self.bob_wire), [b"ERR no-such-page there is no page 7; pages go from 1 to 6"]
        )

    def test_json_pages_carry_their_place(self) -> None:
        """In JSON a room list says its total, its page and how many pages there are."""
        self.bob.dataReceived(b"/format json\n/rooms 2\n")
        _, rooms = (json.loads(line) for line in self.lines(self.bob_wire))
        self.assertEqual((rooms["total"], rooms["page"], rooms["pages"]), (300, 2, 6))
        self.assertEqual(len(rooms["rooms"]), 50)

    def test_asking_for_listings_again_and_again_is_slowed(self) -> None:
        """A full page costs 6 lines of budget: a client asking /rooms three times at once gets two
        pages and the flood notice, and the third waits until its budget refills."""
        self.bob.dataReceived(b"/rooms\n/rooms\n/rooms\n")
        lines = self.lines(self.bob_wire)
        self.assertEqual(lines.count(b"*** Rooms (300), page 1 of 6:"), 2)
        self.assertEqual(lines[-1], text_line(SLOWED).rstrip(b"\r\n"))
        self.clock.advance(10)
        self.assertEqual(self.lines(self.bob_wire)[0], b"*** Rooms (300), page 1 of 6:")

    def test_short_listing_costs_what_any_command_does(self) -> None:
        """A listing of under ten entries costs one line, like any command: nine /who after a nickname fill
        a burst of ten without a wait."""
        self.bob.dataReceived(b"/who\n" * 9)
        self.assertEqual(self.lines(self.bob_wire), [b"*** In #lobby (2): owner bob"] * 9)

    def test_who_and_users_of_a_big_chat_come_in_pages(self) -> None:
        """/who of a room of 60 and /users of 61 show 50 nicknames and say what to type for the rest."""
        for n in range(58):
            self.connect(f"u{n:02}".encode(), host=f"10.0.0.{n}")
        self.bob.dataReceived(b"/who\n")
        [members, more] = self.lines(self.bob_wire)
        self.assertTrue(members.startswith(b"*** In #lobby (60), page 1 of 2: owner bob u00 "), members)
        self.assertEqual(len(members.split(b": ", 1)[1].split()), 50)
        self.assertEqual(more, b"*** 10 more: /who #lobby 2 for the next page.")
        self.clock.advance(60)
        self.bob.dataReceived(b"/who #lobby 2\n/users 2\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [
                b"*** In #lobby (60), page 2 of 2: " + b" ".join(f"u{n:02}".encode() for n in range(48, 58)),
                b"*** Online (60), page 2 of 2: " + b" ".join(f"u{n:02}".encode() for n in range(48, 58)),
            ],
        )


class LongPageNumberTests(LineTestCase):
    """A host's --max-line of 20,000 bytes: a page number may be thousands of digits long."""

    limits = LineLimits(max_line=20_000)

    def test_a_page_of_5000_digits_gets_the_usage(self) -> None:
        """/rooms, /users and /who with a page 5000 digits long (past what int() reads): each its usage, not ERR
        internal."""
        bob, wire = self.connect(b"bob")
        for line, usage in (
            ("/rooms", "/rooms [PAGE]"),
            ("/users", "/users [PAGE]"),
            ("/who #lobby", "/who [#room [PAGE]]"),
        ):
            bob.dataReceived(f"{line} {'9' * 5000}\n".encode())
            self.assertEqual(self.lines(wire), [f"ERR usage usage: {usage}".encode()])
            self.clock.advance(10)  # his byte budget, spent on the long line, comes back

    def test_a_page_behind_5000_zeros_is_its_number(self) -> None:
        """/rooms 0...01 is page 1."""
        bob, wire = self.connect(b"bob")
        bob.dataReceived(f"/rooms {'0' * 5000}1\n".encode())
        self.assertEqual(self.lines(wire), [b"*** Rooms (1):", b"***   #lobby (1)"])


class MergedSliceTests(SynchronousTestCase):
    """A page of the rooms everyone sees and the few only the asker sees, merged without sorting them all."""

    @settings(max_examples=300)
    @given(
        st.sets(st.text("abcd", min_size=1, max_size=3), max_size=30),
        st.sets(st.text("abcd", min_size=1, max_size=3), max_size=6),
        st.integers(0, 40),
        st.integers(0, 40),
    )
    def test_a_slice_of_the_merge_is_the_slice_of_the_sorted_whole(
        self, listed: set[str], extra: set[str], start: int, length: int
    ) -> None:
        """Whatever the keys and the bounds within them, the page is what sorting everything would give."""
        extra -= listed
        keys = SortedKeys()
        for key in listed:
            keys.add(key)
        whole = sorted(listed | extra)
        start = min(start, len(whole))
        stop = min(start + length, len(whole))
        self.assertEqual(merged_slice(keys, extra, start, stop), whole[start:stop])
