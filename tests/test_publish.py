"""Every change of chat state is one event, and every event leaves through one seam."""

from collections.abc import Sequence
from dataclasses import dataclass

from chatd.domain.events import (
    CHAT,
    Actor,
    AwayChanged,
    BanAdded,
    BanLifted,
    Event,
    OperatorGranted,
    Registered,
    RoomEvent,
    Said,
    Unmuted,
)
from chatd.domain.ports import Session
from chatd.domain.state import ChatState
from tests.helpers import ChatTestCase, RecordingSession, state_facts


class EveryChangeIsAnEventTests(ChatTestCase):
    def kinds(self) -> list[type]:
        return [type(event) for event in self.published]

    def test_registering_is_an_event_with_the_address(self) -> None:
        """Coming online publishes Registered, its actor carrying the address bans compare."""
        self.chat.register(RecordingSession(self.audience), "alice", "::ffff:10.0.0.1")
        [event] = self.published
        assert isinstance(event, Registered)
        self.assertEqual(event.actor, Actor("alice", "10.0.0.1"))

    def test_away_is_told_to_the_user_and_their_roommates_once_each(self) -> None:
        """/away publishes AwayChanged to the user and everyone sharing a room with them (IRC's away-notify),
        once each however many rooms they share; nobody else gets it."""
        alice, alice_session = self.online("alice", "#lobby", "#dev")
        _, bob_session = self.online("bob", "#lobby", "#dev")
        _, carol_session = self.online("carol", "#dev")
        _, dave_session = self.online("dave", "#elsewhere")
        self.chat.set_away(alice, " lunch ")
        event = self.published[-1]
        assert isinstance(event, AwayChanged)
        self.assertEqual((event.actor.nick, event.text), ("alice", "lunch"))
        self.assertEqual(self.audience.deliveries[-1][0], event)
        self.assertCountEqual(self.audience.deliveries[-1][1], [alice_session, bob_session, carol_session])
        self.assertNotIn(dave_session, self.audience.deliveries[-1][1])
        self.assertEqual(alice.away, "lunch")
        self.chat.set_away(alice, "")
        back = self.published[-1]
        assert isinstance(back, AwayChanged)
        self.assertEqual(back.text, "")
        self.assertCountEqual(self.audience.deliveries[-1][1], [alice_session, bob_session, carol_session])

    def test_away_in_no_room_is_told_to_the_user_alone(self) -> None:
        """Someone in no room shares none: only they get their AwayChanged; the same text again publishes nothing."""
        alice, alice_session = self.online("alice")
        self.online("bob", "#lobby")
        self.chat.set_away(alice, "out")
        self.assertEqual(self.audience.deliveries[-1][1], [alice_session])
        published = len(self.published)
        self.chat.set_away(alice, "out")
        self.assertEqual(len(self.published), published)

    def test_becoming_operator_is_an_event_once(self) -> None:
        """A grant publishes OperatorGranted; a second grant publishes nothing."""
        alice, _ = self.online("alice")
        self.chat.grant_operator(alice)
        self.chat.grant_operator(alice)
        self.assertEqual(self.kinds(), [Registered, OperatorGranted])

    def test_banning_someone_offline_and_unbanning_are_events(self) -> None:
        """A ban on a nickname nobody holds is a BanAdded; lifting it a BanLifted by the operator."""
        op, _ = self.online("op")
        self.chat.grant_operator(op)
        self.chat.ban(op, "Ghost", 60)
        self.chat.unban(op, "ghost")
        added, lifted = self.published[-2:]
        assert isinstance(added, BanAdded) and isinstance(lifted, BanLifted)
        self.assertEqual(
            (added.target, added.address, added.until, added.actor.nick), ("Ghost", False, 160, "op")
        )
        self.assertEqual((lifted.target, lifted.actor.nick), ("Ghost", "op"))
        self.assertEqual(self.chat.bans(op).bans, ())

    def test_replaying_the_events_gives_the_same_state(self) -> None:
        """A fresh state that applies every published event holds what the chat holds: nothing changed unannounced."""
        op, _ = self.online("op", "#ops")
        self.chat.grant_operator(op)
        alice, _ = self.online("alice", "#lobby", "#dev", address="10.0.0.1")
        bob, _ = self.online("bob", "#lobby", address="10.0.0.2")
        carol, _ = self.online("carol", "#dev", address="10.0.0.3")
        self.chat.set_topic(alice, "#lobby", "hello")
        self.chat.lock_topic(alice, "#dev", True)
        self.chat.set_away(bob, "out")
        self.chat.rename(alice, "Alicia")
        self.chat.say(bob, "#lobby", "hi")
        self.chat.mute(op, "bob", 30)
        self.chat.kick(op, "carol", "#dev", "bye")
        self.chat.ban(op, "10.0.0.3", None)
        self.chat.ban(op, "mallory", 600)
        self.chat.part(bob, "#lobby")
        self.kept(self.chat.register_account(bob, "HASH"))
        self.kept(self.chat.register_account(op, "HASH"))
        self.kept(self.chat.drop_account(op))
        self.chat.quit(bob)
        self.chat.identify(RecordingSession(self.audience), None, "bob", "10.0.0.4")
        dave, _ = self.online("dave", "#lobby", "#dev")
        self.chat.kill(op, "dave", "enough")
        self.clock.advance(31)
        replayed = ChatState()
        for event in self.published:
            replayed.apply(event)
        self.assertEqual(state_facts(replayed), state_facts(self.chat._state))
        self.assertFalse(carol.online)
        self.assertFalse(dave.online)

    def test_seam_order_is_apply_history_bus_deliver(self) -> None:
        """An event is applied before history keeps it, the bus carries it, and then a front end shows it."""
        alice, _ = self.online("alice", "#lobby")
        seen_by_bus: list[tuple[int, list[Event], int]] = []

        def on_bus(event: Event) -> None:
            seq = self.chat._state.rooms.by_key["#lobby"].seq
            kept: Sequence[RoomEvent] = self.successResultOf(self.history.room_events("#lobby", 0, 10))
            seen_by_bus.append((seq, list(kept), len(self.audience.deliveries)))

        self.bus.subscribe(on_bus)
        delivered = len(self.audience.deliveries)
        self.chat.say(alice, "#lobby", "hi")
        [(event, _)] = self.audience.deliveries[delivered:]
        # By the bus's turn the event was applied (the room's seq moved on) and kept, and not yet shown.
        self.assertEqual(seen_by_bus, [(2, [event], delivered)])


class ExpiryTests(ChatTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.op, _ = self.online("op")
        self.chat.grant_operator(self.op)
        self.bob, self.bob_session = self.online("bob", "#lobby")

    def test_mute_runs_out_as_an_event_at_its_time(self) -> None:
        """At the end of a mute the chat itself publishes Unmuted, shown to nobody, without anyone looking."""
        self.chat.mute(self.op, "bob", 60)
        self.clock.advance(59.9)
        self.assertEqual(self.chat._state.mutes["bob"].until, 160)
        before = len(self.published)
        self.clock.advance(0.1)
        [event] = self.published[before:]
        assert isinstance(event, Unmuted)
        self.assertEqual((event.actor, event.nick, event.at), (CHAT, "bob", 160))
        self.assertNotIn("bob", self.chat._state.mutes)

    def test_a_look_up_after_the_time_changes_nothing(self) -> None:
        """Reading a mute past its time (before its event) lets the user speak and deletes nothing."""
        self.chat.mute(self.op, "bob", 60)
        [timer] = self.clock.getDelayedCalls()
        self.clock.rightNow += 61  # time passes without the timer running
        self.chat.say(self.bob, "#lobby", "back")
        self.assertEqual(self.chat._state.mutes["bob"].until, 160)
        self.assertTrue(timer.active())

    def test_lifted_or_replaced_mute_does_not_run_out_again(self) -> None:
        """An unmute, or a new mute, leaves the old deadline nothing to do."""
        self.chat.mute(self.op, "bob", 60)
        self.chat.mute(self.op, "bob", 120)
        self.clock.advance(60)
        self.assertNotIsInstance(self.published[-1], Unmuted)
        self.clock.advance(60)
        self.assertIsInstance(self.published[-1], Unmuted)
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_ban_runs_out_as_an_event_and_the_nickname_is_free(self) -> None:
        """A timed ban is lifted by the chat itself at its time; the nickname registers again."""
        self.chat.ban(self.op, "bob", 300)
        self.clock.advance(300)
        event = self.published[-1]
        assert isinstance(event, BanLifted)
        self.assertEqual((event.actor, event.target, event.address), (CHAT, "bob", False))
        self.online("bob")

    def test_unbanned_early_publishes_nothing_at_the_old_time(self) -> None:
        """A ban lifted by hand does not run out a second time."""
        self.chat.ban(self.op, "10.0.0.9", 300)
        self.chat.unban(self.op, "10.0.0.9")
        before = len(self.published)
        self.clock.advance(300)
        self.assertEqual(self.published[before:], [])

    def test_stop_cancels_the_timer(self) -> None:
        """Stopping the chat leaves nothing scheduled on its clock."""
        self.chat.mute(self.op, "bob", 60)
        self.chat.stop()
        self.assertEqual(self.clock.getDelayedCalls(), [])


class SequenceTests(ChatTestCase):
    def test_ids_grow_and_never_repeat(self) -> None:
        """Every event's id is greater than the one before, within a millisecond and across time."""
        alice, _ = self.online("alice", "#lobby")
        for n in range(5):
            self.chat.say(alice, "#lobby", str(n))
            self.clock.advance(0.0004)
        ids = [event.id for event in self.published]
        self.assertEqual(ids, sorted(ids))
        self.assertEqual(len(set(ids)), len(ids))

    def test_each_room_numbers_its_events_from_one(self) -> None:
        """Room events carry their room's own sequence; other events none."""
        alice, _ = self.online("alice", "#a", "#b")
        self.chat.say(alice, "#a", "x")
        self.chat.say(alice, "#b", "y")
        self.chat.say(alice, "#a", "z")
        self.assertEqual(
            [(e.room, e.seq) for e in self.published if hasattr(e, "seq")],  # type: ignore[union-attr]
            [("#a", 1), ("#b", 1), ("#a", 2), ("#b", 2), ("#a", 3)],
        )

    def test_history_pages_a_room_by_sequence(self) -> None:
        """History gives a room's events after a sequence number, oldest first, a page at a time."""
        alice, _ = self.online("alice", "#lobby")
        for n in range(10):
            self.chat.say(alice, "#lobby", f"line {n}")
        page = self.successResultOf(self.history.room_events("#lobby", 4, 3))
        self.assertEqual(
            [(e.seq, getattr(e, "text", None)) for e in page], [(5, "line 3"), (6, "line 4"), (7, "line 5")]
        )
        self.assertEqual(self.history.last_seq("#lobby"), 11)


class SessionsTests(ChatTestCase):
    def test_a_user_with_two_sessions_gets_each_event_on_both(self) -> None:
        """A user's events go to every session it holds, once each."""
        _, first = self.online("alice", "#lobby")
        user = self.chat._state.users.by_key["alice"]
        second = RecordingSession(self.audience)
        self.chat._state.users.attach(user, second)
        self.online("bob", "#lobby")
        self.assertEqual(first.received[-1], second.received[-1])
        self.assertEqual(self.chat._state.users.audiences[self.audience], 3)

    def test_a_view_from_elsewhere_is_refused_as_a_bug(self) -> None:
        """Only the chat's own users may ask: anything else is a TypeError, not a ChatError."""

        @dataclass
        class Fake:
            nick: str = "alice"

        self.online("alice", "#lobby")
        self.assertRaises(TypeError, self.chat.say, Fake(), "#lobby", "hi")


class RoomSessionsTests(ChatTestCase):
    """A room keeps its members' sessions for the lines said there (``Publisher.publish_in``): each line
    reaches the room as it is when said."""

    def said_to(self) -> list[Session]:
        """Who the last line said in #r went to."""
        event, sessions = self.audience.deliveries[-1]
        assert isinstance(event, Said)
        return sessions

    def test_a_line_reaches_who_joined_and_not_who_left_since_the_last(self) -> None:
        """A join, a part and a quit between two lines each change who the next reaches."""
        alice, alice_session = self.online("alice", "#r")
        bob, bob_session = self.online("bob", "#r")
        self.chat.say(alice, "#r", "one")
        self.assertEqual(self.said_to(), [alice_session, bob_session])
        carol, carol_session = self.online("carol", "#r")
        self.chat.say(alice, "#r", "two")
        self.assertEqual(self.said_to(), [alice_session, bob_session, carol_session])
        self.chat.part(bob, "#r")
        self.chat.say(alice, "#r", "three")
        self.assertEqual(self.said_to(), [alice_session, carol_session])
        self.chat.quit(alice)
        _, dave_session = self.online("dave", "#r")
        self.chat.say(carol, "#r", "four")
        self.assertEqual(self.said_to(), [carol_session, dave_session])

    def test_a_line_reaches_a_members_sessions_as_they_are_now(self) -> None:
        """A second session, then the first one gone: each line reaches the sessions the member holds then."""
        alice, first = self.online("alice", "#r")
        self.chat.say(alice, "#r", "one")
        user = self.chat._state.users.by_key["alice"]
        second = RecordingSession(self.audience)
        self.chat._state.users.attach(user, second)
        self.chat.say(alice, "#r", "two")
        self.assertEqual(self.said_to(), [first, second])
        self.chat._state.users.detach(user, first)
        self.chat.say(alice, "#r", "three")
        self.assertEqual(self.said_to(), [second])
