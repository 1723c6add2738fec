"""The chat domain on its own: no protocol, no reactor, a fake clock."""

from collections.abc import Awaitable, Coroutine
from typing import Any, TypeVar, cast

from twisted.internet.defer import Deferred

from chatd.domain.errors import (
    InvalidNicknameError,
    InvalidRoomNameError,
    InvalidTextError,
    LineCountError,
    NicknameInUseError,
    NoSuchNicknameError,
    NoSuchRoomError,
    NotInRoomError,
    NotMemberError,
)
from chatd.domain.ids import Point, event_point
from chatd.domain.reads import HISTORY_MOST
from chatd.domain.replies import (
    Headcount,
    Members,
    RoomList,
    RoomSummary,
    ServerTime,
    Topic,
    UserList,
)
from chatd.line.wording import word
from tests.events import acted, joined, nick_changed, parted, quit, said, seen, topic_changed, whispered
from tests.helpers import ChatTestCase, RecordingAudience, RecordingSession


def point(event_id: str) -> Point:
    """Where the event with id ``event_id`` happened."""
    found = event_point(event_id)
    assert found is not None
    return found


T = TypeVar("T")


class RegisterTests(ChatTestCase):
    def test_nickname_differing_in_case_is_refused(self) -> None:
        """Alice and ALICE cannot both be online."""
        self.online("Alice")
        error = self.assertRaises(
            NicknameInUseError,
            self.chat.register,
            RecordingSession(self.audience),
            "ALICE",
        )
        self.assertEqual(word(error), "Alice is already taken; choose another nickname")

    def test_full_width_look_alike_is_refused(self) -> None:
        """Full-width letters fold to the plain nickname they imitate."""
        self.online("alice")
        self.assertRaises(
            NicknameInUseError,
            self.chat.register,
            RecordingSession(self.audience),
            "\uff21\uff4c\uff49\uff43\uff45",
        )

    def test_full_width_nickname_is_stored_in_plain_form(self) -> None:
        """A nickname typed in full-width letters is shown in its normal form."""
        user, _ = self.online("\uff21\uff4c\uff49\uff43\uff45")
        self.assertEqual(user.nick, "Alice")

    def test_invalid_nickname_is_refused_and_nothing_changes(self) -> None:
        """A nickname with a space is refused; nobody is registered."""
        self.assertRaises(
            InvalidNicknameError,
            self.chat.register,
            RecordingSession(self.audience),
            "a b",
        )
        self.assertEqual(self.chat.users(), UserList((), 0))

    def test_quit_frees_the_nickname(self) -> None:
        """Once a user quits, the nickname can be taken again at once."""
        alice, _ = self.online("alice", "#lobby")
        self.chat.quit(alice)
        again, _ = self.online("ALICE")
        self.assertEqual(self.chat.users(), UserList(("ALICE",), 1))
        self.assertTrue(again.online)
        self.assertFalse(alice.online)


class RoomTests(ChatTestCase):
    def test_first_join_creates_room_and_tells_members(self) -> None:
        """Joining announces the joiner to everyone in the room, joiner included; its maker is its operator."""
        _, alice = self.online("alice", "#lobby")
        _, bob = self.online("bob", "#lobby")
        self.assertEqual(
            alice.received,
            [
                joined(100, "#lobby", "alice", seq=1, room_operator=True, made=True),
                joined(100, "#lobby", "bob", seq=2),
            ],
        )
        self.assertEqual(bob.received, [joined(100, "#lobby", "bob", seq=2)])
        self.assertEqual(
            self.chat.members("#LOBBY"), Members("#lobby", ("alice", "bob"), 2, operators=("alice",))
        )

    def test_joining_twice_changes_nothing(self) -> None:
        """A second join of the same room (any case) sends no event."""
        alice, session = self.online("alice", "#lobby")
        room = self.chat.join(alice, "#Lobby")
        self.assertEqual(room.name, "#lobby")
        self.assertEqual(len(session.received), 1)

    def test_invalid_room_name_is_refused(self) -> None:
        """A room name must start with # and hold no spaces."""
        alice, _ = self.online("alice")
        self.assertRaises(InvalidRoomNameError, self.chat.join, alice, "lobby")
        self.assertRaises(InvalidRoomNameError, self.chat.join, alice, "#a b")
        self.assertEqual(self.chat.rooms(), RoomList((), 0))

    def test_room_is_gone_when_last_member_parts(self) -> None:
        """An emptied room disappears, and its topic with it."""
        alice, session = self.online("alice", "#dev")
        self.chat.set_topic(alice, "#dev", "builds")
        self.chat.part(alice, "#dev", "lunch")
        self.assertEqual(session.received[-1], parted(100, "#dev", "alice", "lunch", seq=3))
        self.assertEqual(self.chat.rooms(), RoomList((), 0))
        self.assertRaises(NoSuchRoomError, self.chat.members, "#dev")
        self.chat.join(alice, "#dev")
        self.assertEqual(self.chat.topic("#dev"), Topic("#dev", ""))
        self.assertEqual(
            session.received[-1], joined(100, "#dev", "alice", seq=4, room_operator=True, made=True)
        )

    def test_part_tells_remaining_members_and_parter(self) -> None:
        """Everyone in the room, the one leaving included, sees the part."""
        alice, alice_session = self.online("alice", "#lobby")
        _, bob_session = self.online("bob", "#lobby")
        self.chat.part(alice, "#lobby")
        self.assertEqual(alice_session.received[-1], parted(100, "#lobby", "alice", "", seq=3))
        self.assertEqual(bob_session.received[-1], parted(100, "#lobby", "alice", "", seq=3))
        self.assertEqual(self.chat.members("#lobby"), Members("#lobby", ("bob",), 1))

    def test_part_of_room_not_joined_is_refused(self) -> None:
        """Parting a room one is not in says so; a missing room says that instead."""
        alice, _ = self.online("alice", "#lobby")
        self.online("bob", "#dev")
        self.assertRaises(NotInRoomError, self.chat.part, alice, "#dev")
        self.assertRaises(NoSuchRoomError, self.chat.part, alice, "#nowhere")

    def test_rooms_lists_counts_and_topics_by_name(self) -> None:
        """The room list is sorted and carries member counts and topics."""
        alice, _ = self.online("alice", "#lobby", "#dev")
        self.online("bob", "#lobby")
        self.chat.set_topic(alice, "#dev", "builds")
        self.assertEqual(
            self.chat.rooms(),
            RoomList((RoomSummary("#dev", 1, "builds"), RoomSummary("#lobby", 2, "")), 2),
        )


class TalkTests(ChatTestCase):
    def test_said_reaches_room_members_only_stamped_by_clock(self) -> None:
        """A message goes to every member of its room, sender included, and no one else."""
        alice, alice_session = self.online("alice", "#lobby")
        _, bob_session = self.online("bob", "#lobby")
        _, carol_session = self.online("carol", "#dev")
        self.clock.advance(5)
        self.chat.say(alice, "#lobby", "hi")
        self.assertEqual(bob_session.received[-1], said(105, "#lobby", "alice", "hi", seq=3))
        self.assertEqual(alice_session.received[-1], said(105, "#lobby", "alice", "hi", seq=3))
        self.assertNotIn(said(105, "#lobby", "alice", "hi", seq=3), carol_session.received)

    def test_one_delivery_per_front_end_for_whole_room(self) -> None:
        """A room of many gets one delivery call carrying every recipient."""
        users = [self.online(f"u{n}", "#big") for n in range(50)]
        before = len(self.audience.deliveries)
        self.chat.say(users[0][0], "#big", "hello")
        self.assertEqual(len(self.audience.deliveries), before + 1)
        self.assertEqual(len(self.audience.deliveries[-1][1]), 50)

    def test_each_front_end_gets_its_own_sessions(self) -> None:
        """Two front ends each get the event once, with only their own sessions."""
        other = RecordingAudience()
        alice, _ = self.online("alice", "#lobby")
        bob = RecordingSession(other)
        self.chat.join(self.chat.register(bob, "bob"), "#lobby")
        self.chat.say(alice, "#lobby", "hi")
        event, sessions = other.deliveries[-1]
        self.assertEqual((seen(event), sessions), (said(100, "#lobby", "alice", "hi", seq=3), [bob]))
        self.assertEqual(len(self.audience.deliveries[-1][1]), 1)

    def test_message_with_escape_is_refused_and_not_delivered(self) -> None:
        """A line carrying ESC is refused whole; nobody receives anything."""
        alice, _ = self.online("alice", "#lobby")
        self.online("bob", "#lobby")
        before = len(self.audience.deliveries)
        self.assertRaises(InvalidTextError, self.chat.say, alice, "#lobby", "\x1b[2Jgotcha")
        self.assertRaises(InvalidTextError, self.chat.act, alice, "#lobby", "\u202eevil")
        self.assertEqual(len(self.audience.deliveries), before)

    def test_saying_in_a_room_not_joined_is_refused(self) -> None:
        """Only members talk in a room."""
        alice, _ = self.online("alice", "#lobby")
        self.online("bob", "#dev")
        self.assertRaises(NotInRoomError, self.chat.say, alice, "#dev", "hi")

    def test_action_reaches_room(self) -> None:
        """/me becomes an Acted event for the room."""
        alice, session = self.online("alice", "#lobby")
        self.chat.act(alice, "#lobby", "waves")
        self.assertEqual(session.received[-1], acted(100, "#lobby", "alice", "waves", seq=2))

    def test_whisper_reaches_target_and_sender_only(self) -> None:
        """A private message goes to its target and back to its sender, nobody else."""
        alice, alice_session = self.online("alice", "#lobby")
        _, bob_session = self.online("Bob", "#lobby")
        _, carol_session = self.online("carol", "#lobby")
        self.chat.whisper(alice, "BOB", "psst")
        expected = whispered(100, "alice", "Bob", "psst")
        self.assertEqual(bob_session.received[-1], expected)
        self.assertEqual(alice_session.received[-1], expected)
        self.assertNotIn(expected, carol_session.received)

    def test_whisper_to_nobody_is_refused(self) -> None:
        """A private message to a nickname nobody holds is refused."""
        alice, _ = self.online("alice")
        self.assertRaises(NoSuchNicknameError, self.chat.whisper, alice, "ghost", "hi")

    def test_topic_change_is_announced_and_kept(self) -> None:
        """A topic reaches the room and stays until changed, with who set it and when."""
        alice, session = self.online("alice", "#lobby")
        self.chat.set_topic(alice, "#lobby", " welcome ")
        self.assertEqual(session.received[-1], topic_changed(100, "#lobby", "alice", "welcome", seq=2))
        self.assertEqual(self.chat.topic("#lobby"), Topic("#lobby", "welcome", "alice", 100.0))

    def test_the_topic_names_its_setter_as_they_were_until_it_is_cleared(self) -> None:
        """A room with no topic names nobody; a new topic names its setter and time, kept through their
        change of nickname; a cleared one names nobody again."""
        alice, _ = self.online("alice", "#dev")
        bob, _ = self.online("bob", "#dev")
        self.assertEqual(self.chat.topic("#dev"), Topic("#dev", "", "", 0.0))
        self.chat.set_topic(alice, "#dev", "builds")
        self.clock.advance(30)
        self.chat.set_topic(bob, "#dev", "releases")
        self.chat.rename(bob, "robert")
        self.assertEqual(self.chat.topic("#dev"), Topic("#dev", "releases", "bob", 130.0))
        self.chat.set_topic(alice, "#dev", "")
        self.assertEqual(self.chat.topic("#dev"), Topic("#dev", "", "", 0.0))

    def test_a_server_operator_sets_the_topic_of_a_room_they_are_not_in(self) -> None:
        """An operator outside #dev sets its topic, locked or not: its members and the operator see it; anyone else
        outside is told they are not in it, and a room nobody is in is none to change."""
        alice, alice_session = self.online("alice", "#dev")
        self.chat.lock_topic(alice, "#dev", True)
        boss, boss_session = self.online("boss", "#lobby")
        carol, carol_session = self.online("carol", "#lobby")
        self.chat.grant_operator(boss)
        self.chat.set_topic(boss, "#dev", "release friday")
        changed = topic_changed(100, "#dev", "boss", "release friday", seq=3)
        self.assertEqual((alice_session.received[-1], boss_session.received[-1]), (changed, changed))
        self.assertNotIn(changed, carol_session.received)
        self.assertEqual(self.chat.topic("#dev"), Topic("#dev", "release friday", "boss", 100.0))
        self.assertRaises(NotInRoomError, self.chat.set_topic, carol, "#dev", "mine")
        self.assertRaises(NoSuchRoomError, self.chat.set_topic, boss, "#nowhere", "hello")

    def test_overlong_topic_is_refused(self) -> None:
        """A topic past the limit is refused and the old one stays."""
        alice, _ = self.online("alice", "#lobby")
        self.chat.set_topic(alice, "#lobby", "old")
        self.assertRaises(InvalidTextError, self.chat.set_topic, alice, "#lobby", "x" * 301)
        self.assertEqual(self.chat.topic("#lobby"), Topic("#lobby", "old", "alice", 100.0))


class NickAndQuitTests(ChatTestCase):
    def test_rename_reaches_self_and_roommates_once(self) -> None:
        """A nick change reaches the user and each roommate once; members keep their join order."""
        alice, alice_session = self.online("alice", "#a", "#b")
        _, bob_session = self.online("bob", "#a", "#b")
        _, carol_session = self.online("carol", "#c")
        self.chat.rename(alice, "alicia")
        change = nick_changed(100, "alice", "alicia")
        self.assertEqual(alice_session.received[-1], change)
        self.assertEqual(bob_session.received.count(change), 1)
        self.assertNotIn(change, carol_session.received)
        self.assertEqual(self.chat.members("#a"), Members("#a", ("alicia", "bob"), 2, operators=("alicia",)))

    def test_rename_frees_old_nickname(self) -> None:
        """After a rename the old nickname is free and the new one taken."""
        alice, _ = self.online("alice")
        self.chat.rename(alice, "alicia")
        self.online("alice")
        self.assertRaises(
            NicknameInUseError,
            self.chat.register,
            RecordingSession(self.audience),
            "ALICIA",
        )

    def test_rename_to_own_nickname_in_other_case_is_allowed(self) -> None:
        """Changing only the case of one's own nickname is not a clash."""
        alice, _ = self.online("alice")
        self.chat.rename(alice, "Alice")
        self.assertEqual(self.chat.users(), UserList(("Alice",), 1))

    def test_rename_to_taken_nickname_is_refused(self) -> None:
        """A rename onto someone else's nickname is refused; both keep theirs."""
        alice, _ = self.online("alice")
        self.online("bob")
        self.assertRaises(NicknameInUseError, self.chat.rename, alice, "BOB")
        self.assertEqual(self.chat.users(), UserList(("alice", "bob"), 2))

    def test_quit_reaches_roommates_and_empties_rooms(self) -> None:
        """A quit is seen once by each roommate; the user leaves every room."""
        alice, _ = self.online("alice", "#a", "#b")
        _, bob_session = self.online("bob", "#a", "#b")
        self.chat.quit(alice, "bye")
        self.assertEqual(bob_session.received.count(quit(100, "alice", "bye")), 1)
        self.assertEqual(self.chat.members("#a"), Members("#a", ("bob",), 1))
        self.assertEqual(alice.rooms, {})

    def test_quit_twice_is_harmless(self) -> None:
        """Quitting an already gone user sends nothing more."""
        alice, _ = self.online("alice", "#a")
        self.online("bob", "#a")
        self.chat.quit(alice)
        before = len(self.audience.deliveries)
        self.chat.quit(alice)
        self.assertEqual(len(self.audience.deliveries), before)

    def test_quit_reason_with_escape_is_dropped_not_refused(self) -> None:
        """A leaving user always leaves; an unsafe reason is just left out."""
        alice, _ = self.online("alice", "#a")
        _, bob_session = self.online("bob", "#a")
        self.chat.quit(alice, "\x1b]0;owned\x07")
        self.assertEqual(bob_session.received[-1], quit(100, "alice", ""))

    def test_quit_reason_past_the_limit_is_cut_between_characters(self) -> None:
        """A leaving user's long reason is cut to the limit, back before a letter whose accent would not fit."""
        alice, _ = self.online("alice", "#a")
        _, bob_session = self.online("bob", "#a")
        self.chat.quit(alice, "a" * (self.limits.reason - 1) + "e\u0301tude")
        self.assertEqual(bob_session.received[-1], quit(100, "alice", "a" * (self.limits.reason - 1)))

    def test_time_is_the_injected_clock(self) -> None:
        """The server time is whatever the injected clock says."""
        self.clock.advance(1.5)
        self.assertEqual(self.chat.time(), ServerTime(101.5))


class DepartedTests(ChatTestCase):
    def test_nicknames_given_up_are_remembered_newest_first(self) -> None:
        """A quit and a rename are remembered with their times, newest first, found in any case."""
        alice, _ = self.online("alice")
        self.clock.advance(10)
        self.chat.rename(alice, "alicia")
        self.clock.advance(10)
        self.chat.quit(alice)
        bob, _ = self.online("ALICE")
        self.clock.advance(5)
        self.chat.quit(bob)
        self.assertEqual(
            [(gone.nick, gone.at) for gone in self.chat.departed("alice", 5)],
            [("ALICE", 125.0), ("alice", 110.0)],
        )
        self.assertEqual([gone.nick for gone in self.chat.departed("Alicia", 5)], ["alicia"])
        self.assertEqual(self.chat.departed("alice", 1)[0].at, 125.0)
        self.assertEqual(self.chat.departed("nobody", 5), ())


class HeadcountTests(ChatTestCase):
    def test_an_operator_who_leaves_is_counted_no_more_and_the_most_stays(self) -> None:
        """Operators are counted while online, granting twice counts once, and the most users at once outlasts them."""
        alice, _ = self.online("alice", "#dev")
        bob, _ = self.online("bob")
        self.chat.grant_operator(bob)
        self.chat.grant_operator(bob)
        self.assertEqual(self.chat.headcount(), Headcount(users=2, operators=1, sessions=2, rooms=1, most=2))
        self.chat.quit(bob)
        self.chat.quit(alice)
        self.assertEqual(self.chat.headcount(), Headcount(users=0, operators=0, sessions=0, rooms=0, most=2))


class HistoryReadingTests(ChatTestCase):
    """Only a room's members read its history, a bounded number of lines at a time."""

    def read(self, answer: Awaitable[T]) -> T:
        """What a read of the in-memory history answered, at once: the store's own, or one from points
        (chatd.domain.resume), which awaits the store's."""
        if not isinstance(answer, Deferred):
            answer = Deferred.fromCoroutine(cast(Coroutine[Any, Any, T], answer))
        return cast(T, self.successResultOf(answer))

    def test_a_member_reads_the_last_lines_before_a_sequence_number(self) -> None:
        """The lines said before ``before``, oldest first; None reads up to the latest."""
        alice, _ = self.online("alice", "#dev")
        for text in ("one", "two", "three"):
            self.chat.say(alice, "#dev", text)
        latest = self.read(self.chat.history(alice, "#DEV", None, 2))
        self.assertEqual(
            [seen(event) for event in latest],
            [said(100, "#dev", "alice", t, s) for t, s in (("two", 3), ("three", 4))],
        )
        earlier = self.read(self.chat.history(alice, "#dev", 3, 5))
        self.assertEqual([seen(event) for event in earlier], [said(100, "#dev", "alice", "one", 2)])

    def test_a_member_reads_around_a_line(self) -> None:
        """around an id gives that line and its neighbours; around one past every event, the room's last lines."""
        alice, _ = self.online("alice", "#dev")
        for text in ("one", "two", "three"):
            self.chat.say(alice, "#dev", text)
        _, two, three = self.read(self.chat.history(alice, "#dev", None, 3))
        around = self.read(self.chat.history_around(alice, "#dev", point(two.id), 1))
        self.assertEqual(around, [two])
        self.assertEqual(self.read(self.chat.history_around(alice, "#dev", point("f" * 16), 2)), [two, three])

    def test_only_members_read_a_room_s_history(self) -> None:
        """Someone not in the room, or a room that does not exist, is refused, whatever the read."""
        alice, _ = self.online("alice", "#dev")
        self.chat.say(alice, "#dev", "secret")
        bob, _ = self.online("bob", "#lobby")
        refused = NotMemberError("#dev")
        self.assertEqual(self.assertRaises(NotMemberError, self.chat.history, bob, "#dev", None, 5), refused)
        self.assertEqual(
            self.assertRaises(NotMemberError, self.chat.history_around, bob, "#dev", point("f" * 16), 5),
            refused,
        )
        self.assertRaises(NotMemberError, self.chat.history, bob, "#gone", None, 5)
        self.chat.part(alice, "#dev")
        self.assertRaises(NotMemberError, self.chat.history, alice, "#dev", None, 5)
        self.assertEqual(word(refused), "only members of #dev may read its history; /join #dev first")

    def test_a_read_is_1_to_100_lines(self) -> None:
        """Asking for none or more than HISTORY_MOST lines is refused."""
        alice, _ = self.online("alice", "#dev")
        self.assertEqual(
            self.assertRaises(LineCountError, self.chat.history, alice, "#dev", None, 0),
            LineCountError(0, 100),
        )
        self.assertRaises(LineCountError, self.chat.history_around, alice, "#dev", point("f" * 16), 101)
        self.assertEqual(self.read(self.chat.history(alice, "#dev", None, HISTORY_MOST)), [])
