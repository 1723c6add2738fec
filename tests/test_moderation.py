"""Operators, room owners, bans, mutes, walls, shutdown, away and whois in the chat domain alone."""

from dataclasses import replace

from chatd.domain.chat import Chat
from chatd.domain.errors import (
    BadAddressError,
    BannedError,
    InvalidNicknameError,
    InvalidTextError,
    KickSelfError,
    KillSelfError,
    MutedError,
    NicknameBannedError,
    NoSuchNicknameError,
    NoSuchRoomError,
    NotBannedError,
    NotMutedError,
    NotOperatorError,
    NotOwnerError,
    RejoinTooSoonError,
    TargetIsOperatorError,
    TargetIsOwnerError,
    TopicLockedError,
    UserNotInRoomError,
)
from chatd.domain.events import CHAT, Actor, BanAdded, BanLifted, Kicked, ModeChange, Muted, Setting, Unmuted
from chatd.domain.limits import Limits
from chatd.domain.ports import UserView
from chatd.domain.replies import Away, Ban, BanList, Members, Topic, UserList, Whois
from chatd.domain.state import ChatState
from chatd.domain.users import own
from chatd.line.wording import word
from chatd.storage.memory_accounts import MemoryAccounts
from chatd.storage.memory_rooms import MemoryRooms
from tests.events import (
    banned,
    kicked,
    killed,
    muted,
    said,
    seen,
    shutting_down,
    topic_changed,
    topic_locked,
    unmuted,
    walled,
    whispered,
)
from tests.helpers import ChatTestCase, RecordingAudience, RecordingSession, state_facts


class OperatorTests(ChatTestCase):
    def test_nobody_is_an_operator_until_granted(self) -> None:
        """A new user is no operator; a front end's grant makes them one."""
        alice, _ = self.online("alice")
        self.assertFalse(alice.operator)
        self.assertRaises(NotOperatorError, self.chat.wall, alice, "hi")
        self.chat.grant_operator(alice)
        self.assertTrue(alice.operator)

    def test_every_operator_request_refuses_others(self) -> None:
        """Ban, unban, kill, bans, mute, unmute, wall and shutdown refuse a user who is not an operator."""
        alice, _ = self.online("alice", "#lobby")
        self.online("bob", "#lobby")
        before = len(self.audience.deliveries)
        for request in (
            lambda: self.chat.ban(alice, "bob", None),
            lambda: self.chat.unban(alice, "bob"),
            lambda: self.chat.kill(alice, "bob"),
            lambda: self.chat.bans(alice),
            lambda: self.chat.mute(alice, "bob", None),
            lambda: self.chat.unmute(alice, "bob"),
            lambda: self.chat.wall(alice, "hi"),
            lambda: self.chat.shutdown(alice, "bye"),
        ):
            error = self.assertRaises(NotOperatorError, request)
            self.assertEqual((error.code, word(error)), ("not-operator", "only server operators may do that"))
        self.assertEqual(len(self.audience.deliveries), before)
        self.assertEqual(self.stopped, 0)


class KickTests(ChatTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.owner, self.owner_session = self.online("owner", "#dev")
        self.bob, self.bob_session = self.online("bob", "#dev")
        self.carol, _ = self.online("carol", "#dev")
        self.op, self.op_session = self.online("op")
        self.chat.grant_operator(self.op)

    def test_owner_kicks_from_own_room(self) -> None:
        """The room's creator puts a member out; every member, the kicked one included, is told."""
        self.chat.kick(self.owner, "BOB", "#dev", "spam")
        expected = kicked(100, "#dev", "bob", "owner", "spam", seq=4)
        self.assertEqual(self.bob_session.received[-1], expected)
        self.assertEqual(self.owner_session.received[-1], expected)
        self.assertEqual(
            self.chat.members("#dev"), Members("#dev", ("owner", "carol"), 2, operators=("owner",))
        )
        self.assertEqual(self.bob.rooms, {})

    def test_operator_kicks_from_a_room_it_is_not_in(self) -> None:
        """An operator outside the room may kick, and is told along with the room."""
        self.chat.kick(self.op, "bob", "#dev")
        self.assertEqual(self.op_session.received[-1], kicked(100, "#dev", "bob", "op", "", seq=4))

    def test_member_who_does_not_own_the_room_is_refused(self) -> None:
        """Only the owner and operators kick; a member who tries changes nothing."""
        error = self.assertRaises(NotOwnerError, self.chat.kick, self.carol, "bob", "#dev")
        self.assertEqual(word(error), "only the owner of #dev and operators may do that")
        self.assertIn("bob", self.chat.members("#dev").nicks)

    def test_owner_of_another_room_is_refused(self) -> None:
        """Owning one room gives no say in another."""
        self.chat.join(self.carol, "#mine")
        self.assertRaises(NotOwnerError, self.chat.kick, self.carol, "bob", "#dev")

    def test_kick_of_unknown_nick_or_from_missing_room_or_of_non_member(self) -> None:
        """Nobody by that name, no such room, or a user not in the room: each is refused."""
        self.assertRaises(NoSuchNicknameError, self.chat.kick, self.owner, "ghost", "#dev")
        self.assertRaises(NoSuchRoomError, self.chat.kick, self.owner, "bob", "#nowhere")
        error = self.assertRaises(UserNotInRoomError, self.chat.kick, self.owner, "op", "#dev")
        self.assertEqual((error.code, word(error)), ("user-not-in-room", "op is not in #dev"))

    def test_a_member_the_owner_made_operator_cannot_kick_the_owner(self) -> None:
        """bob, +o in #dev, kicks carol but not owner, who made the room; nothing changes."""
        self.chat.change_room(self.owner, "#dev", [ModeChange(Setting.OPERATOR, True, "bob")])
        self.chat.kick(self.bob, "carol", "#dev")
        before = len(self.published)
        error = self.assertRaises(TargetIsOwnerError, self.chat.kick, self.bob, "owner", "#dev")
        self.assertEqual(error, TargetIsOwnerError("owner", "#dev"))
        self.assertEqual(len(self.published), before)
        self.assertEqual(self.chat.members("#dev").nicks, ("owner", "bob"))

    def test_owner_cannot_kick_an_operator_but_an_operator_can(self) -> None:
        """An operator in the room is safe from its owner, not from another operator."""
        self.chat.join(self.op, "#dev")
        self.assertRaises(TargetIsOperatorError, self.chat.kick, self.owner, "op", "#dev")
        other, _ = self.online("other")
        self.chat.grant_operator(other)
        self.chat.kick(other, "op", "#dev")
        self.assertNotIn("op", self.chat.members("#dev").nicks)

    def test_nobody_kicks_themselves(self) -> None:
        """A kick of oneself, even by the owner or an operator, is refused: leaving is a part."""
        self.chat.join(self.op, "#dev")
        for user, nick in ((self.owner, "OWNER"), (self.op, "op")):
            self.assertRaises(KickSelfError, self.chat.kick, user, nick, "#dev")
        self.assertEqual(self.chat.members("#dev").nicks, ("owner", "bob", "carol", "op"))

    def test_kicking_the_last_member_empties_the_room(self) -> None:
        """A room whose last member is kicked is gone."""
        self.chat.join(self.bob, "#solo")
        self.chat.kick(self.op, "bob", "#solo")
        self.assertNotIn("#solo", [summary.room for summary in self.chat.rooms().rooms])

    def test_unsafe_reason_is_refused(self) -> None:
        """A reason is text others see: it follows the text rules."""
        self.assertRaises(InvalidTextError, self.chat.kick, self.owner, "bob", "#dev", "\x1b[2J")
        self.assertIn("bob", self.chat.members("#dev").nicks)

    def test_ownership_is_not_handed_on(self) -> None:
        """Once the owner leaves the chat, nobody owns the room, not even someone taking their nickname."""
        self.chat.quit(self.owner)
        again, _ = self.online("owner", "#dev")
        self.assertRaises(NotOwnerError, self.chat.kick, again, "bob", "#dev")


class KickRejoinTests(ChatTestCase):
    """A kicked user may not join that room again for Limits.kick_rejoin (60 s), by the chat's clock."""

    def setUp(self) -> None:
        super().setUp()
        self.owner, _ = self.online("owner", "#dev")
        self.bob, _ = self.online("bob", "#dev", "#lobby")
        self.chat.kick(self.owner, "bob", "#dev")

    def test_kicked_user_waits_a_minute_to_rejoin(self) -> None:
        """Rejoining is refused with the time left until the kick's minute is over, then allowed."""
        error = self.assertRaises(RejoinTooSoonError, self.chat.join, self.bob, "#DEV")
        self.assertEqual((error.code, error.room, error.seconds_left), ("kicked", "#dev", 60.0))
        self.clock.advance(59.5)
        error = self.assertRaises(RejoinTooSoonError, self.chat.join, self.bob, "#dev")
        self.assertEqual(word(error), "you were kicked from #dev; you may join it again in 1s")
        self.assertNotIn("bob", self.chat.members("#dev").nicks)
        self.clock.advance(0.5)
        self.chat.join(self.bob, "#dev")
        self.assertIn("bob", self.chat.members("#dev").nicks)

    def test_the_kick_says_until_when(self) -> None:
        """The Kicked event carries when its target may come back, so it is complete on its own."""
        self.assertEqual([e.until for e in self.published if isinstance(e, Kicked)], [160.0])

    def test_other_rooms_and_other_users_are_not_held_back(self) -> None:
        """The kick bars one user from one room: others join it, and the kicked user joins others."""
        self.online("carol", "#dev")
        self.chat.join(self.bob, "#other")
        self.assertEqual(self.chat.members("#dev").nicks, ("owner", "carol"))

    def test_a_new_nickname_or_an_emptied_room_does_not_lift_it(self) -> None:
        """Renamed, or with the room emptied and about to be made anew (and owned), the user still waits."""
        self.chat.rename(self.bob, "robert")
        self.chat.quit(self.owner)
        self.assertRaises(RejoinTooSoonError, self.chat.join, self.bob, "#dev")
        self.assertNotIn("#dev", [summary.room for summary in self.chat.rooms().rooms])

    def test_operators_set_the_time_with_the_limit(self) -> None:
        """``Limits.kick_rejoin`` (``--kick-rejoin``) sets how long the wait is."""
        chat = Chat(
            self.clock,
            self.history,
            self.bus,
            limits=Limits(kick_rejoin=5),
            accounts=MemoryAccounts(),
            rooms=MemoryRooms(),
        )
        owner = chat.register(RecordingSession(self.audience), "boss", "")
        user = chat.register(RecordingSession(self.audience), "user", "")
        chat.join(owner, "#x")
        chat.join(user, "#x")
        chat.kick(owner, "user", "#x")
        self.clock.advance(5)
        chat.join(user, "#x")

    def test_kicks_past_their_time_are_dropped_at_the_next(self) -> None:
        """A user keeps a record only of the kicks still in force when they were last kicked."""
        self.chat.join(self.owner, "#two")
        self.chat.join(self.bob, "#two")
        self.clock.advance(61)
        self.chat.kick(self.owner, "bob", "#two")
        self.assertEqual(own(self.bob).kicked_from, {"#two": 221.0})


class KickWaitTests(ChatTestCase):
    """The wait after a kick holds the person, on whatever connection they come back (the class trial's F7)."""

    def setUp(self) -> None:
        super().setUp()
        self.owner, _ = self.online("owner", "#class", address="10.0.0.1")
        self.zed, _ = self.online("zed", "#class", address="10.0.0.9")

    def back(self, nick: str, address: str = "10.0.0.9", account: str | None = None) -> UserView:
        """Someone coming online anew as ``nick`` from ``address``, as a reloaded page or another front end does."""
        return self.chat.register(RecordingSession(self.audience), nick, address, account)

    def test_a_new_connection_of_the_kicked_still_waits(self) -> None:
        """zed, kicked, quits and comes back as zed from his address: refused with the time left, then let in."""
        self.chat.kick(self.owner, "zed", "#class")
        self.clock.advance(10)
        self.chat.quit(self.zed)
        zed = self.back("zed")
        error = self.assertRaises(RejoinTooSoonError, self.chat.join, zed, "#CLASS")
        self.assertEqual(word(error), "you were kicked from #class; you may join it again in 50s")
        self.assertNotIn("zed", self.chat.members("#class").nicks)
        self.clock.advance(50)
        self.chat.join(zed, "#class")
        self.assertIn("zed", self.chat.members("#class").nicks)

    def test_a_look_alike_nickname_from_the_same_address_still_waits(self) -> None:
        """Coming back as Zed, or zed with a Cyrillic e (U+0435), is zed coming back."""
        self.chat.kick(self.owner, "zed", "#class")
        self.chat.quit(self.zed)
        for nick in ("Zed", "z\u0435d"):
            zed = self.back(nick)
            self.assertRaises(RejoinTooSoonError, self.chat.join, zed, "#class")
            self.chat.quit(zed)

    def test_the_next_address_of_an_ipv6_hosts_network_still_waits(self) -> None:
        """An IPv6 host may take a new address of its /64 for each connection: it is the same host."""
        zed6, _ = self.online("zed6", "#class", address="2001:db8:1:2::9")
        self.chat.kick(self.owner, "zed6", "#class")
        self.chat.quit(zed6)
        self.assertRaises(RejoinTooSoonError, self.chat.join, self.back("zed6", "2001:db8:1:2::77"), "#class")

    def test_classmates_behind_the_same_address_and_zed_elsewhere_are_not_held(self) -> None:
        """A class behind one address is told apart by its nicknames; zed from another address is someone else."""
        self.chat.kick(self.owner, "zed", "#class")
        self.chat.quit(self.zed)
        amy = self.back("amy")
        self.chat.join(amy, "#class")
        other = self.back("zed", "10.0.0.77")
        self.chat.join(other, "#class")
        self.assertEqual(self.chat.members("#class").nicks, ("owner", "amy", "zed"))

    def test_an_account_waits_on_any_connection_under_any_nickname(self) -> None:
        """zed, identified, is kicked; his account back from elsewhere, renamed, waits too; another room does not."""
        self.kept(self.chat.register_account(self.zed, "hash"))
        self.chat.kick(self.owner, "zed", "#class")
        self.chat.quit(self.zed)
        zed = self.back("zed", "192.0.2.5", account="zed")
        self.chat.rename(zed, "zorro")
        self.assertRaises(RejoinTooSoonError, self.chat.join, zed, "#class")
        self.chat.join(zed, "#other")

    def test_registering_the_nickname_after_the_kick_does_not_lift_it(self) -> None:
        """Kicked before he registered, zed is held by his nickname from his address once identified too."""
        self.chat.kick(self.owner, "zed", "#class")
        self.kept(self.chat.register_account(self.zed, "hash"))
        self.chat.quit(self.zed)
        self.assertRaises(RejoinTooSoonError, self.chat.join, self.back("zed", account="zed"), "#class")

    def test_waits_that_are_over_are_dropped_at_the_next_kick(self) -> None:
        """The chat keeps only the waits still running when the last kick came: memory stays bounded."""
        self.chat.kick(self.owner, "zed", "#class")
        self.clock.advance(61)
        self.online("amy", "#class", address="10.0.0.9")
        self.chat.kick(self.owner, "amy", "#class")
        self.assertEqual(list(self.chat._state.kicks.until.values()), [221.0])


class ServerRoomTests(ChatTestCase):
    """The server's rooms (the default room) are owned by nobody: only operators moderate them."""

    def setUp(self) -> None:
        super().setUp()
        self.chat = Chat(
            self.clock,
            self.history,
            self.bus,
            server_rooms=("#Lobby",),
            accounts=MemoryAccounts(),
            rooms=MemoryRooms(),
        )
        self.first, _ = self.online("first", "#lobby", "#mine")
        self.bob, _ = self.online("bob", "#lobby", "#mine")

    def test_first_to_join_the_default_room_does_not_own_it(self) -> None:
        """The first in #lobby can neither kick from it nor lock its topic; in a room they made, they can."""
        for request in (
            lambda: self.chat.kick(self.first, "bob", "#lobby"),
            lambda: self.chat.lock_topic(self.first, "#lobby", True),
        ):
            error = self.assertRaises(NotOperatorError, request)
            self.assertEqual(word(error), "only server operators may do that")
        self.assertEqual(self.chat.members("#lobby").nicks, ("first", "bob"))
        self.chat.kick(self.first, "bob", "#mine")

    def test_operators_moderate_the_servers_rooms(self) -> None:
        """An operator kicks from the default room and locks its topic."""
        op, _ = self.online("op")
        self.chat.grant_operator(op)
        self.chat.lock_topic(op, "#lobby", True)
        self.chat.kick(op, "bob", "#lobby")
        self.assertEqual(self.chat.members("#lobby").nicks, ("first",))
        self.assertRaises(TopicLockedError, self.chat.set_topic, self.first, "#lobby", "mine now")

    def test_a_replayed_state_knows_the_servers_rooms(self) -> None:
        """A state built from the events with the same server rooms has the same (missing) owners."""
        replayed = ChatState(["#lobby"])
        for event in self.published:
            replayed.apply(event)
        self.assertIsNone(replayed.rooms.find("#lobby").owner)
        self.assertEqual(state_facts(replayed), state_facts(self.chat._state))

    def test_the_servers_room_keeps_its_topic_and_lock_while_empty(self) -> None:
        """An emptied server's room is still there with its name, topic and lock, and made again has them as they
        were; a user's room is gone, and starts bare."""
        op, _ = self.online("op", "#lobby")
        self.chat.grant_operator(op)
        self.chat.set_topic(op, "#lobby", "rules: be kind")
        self.chat.lock_topic(op, "#lobby", True)
        self.chat.set_topic(self.first, "#mine", "mine")
        for user in (self.first, self.bob, op):
            self.chat.quit(user)
        self.assertTrue(self.chat.has_room("#lobby"))
        self.assertFalse(self.chat.has_room("#mine"))
        self.assertEqual(self.chat.topic("#LOBBY"), Topic("#Lobby", "rules: be kind", "op", 100.0))
        self.clock.advance(60)
        carol, _ = self.online("carol", "#LOBBY", "#mine")
        self.assertEqual(self.chat.topic("#lobby"), Topic("#Lobby", "rules: be kind", "op", 100.0))
        self.assertRaises(TopicLockedError, self.chat.set_topic, carol, "#lobby", "mine now")
        self.assertEqual(self.chat.topic("#mine"), Topic("#mine", "", "", 0.0))

    def test_a_restart_gives_the_servers_rooms_their_kept_topics(self) -> None:
        """Restored topic events give a server's room its last topic and lock when it is made; other rooms none."""
        chat = Chat(
            self.clock,
            self.history,
            self.bus,
            server_rooms=("#lobby", "#help"),
            accounts=MemoryAccounts(),
            rooms=MemoryRooms(),
        )
        chat.restore(
            [
                topic_changed(1, "#Lobby", "op", "old", 2),
                topic_changed(2, "#lobby", "op", "welcome", 3),
                topic_locked(3, "#lobby", "op", True, 4),
                topic_changed(4, "#gone", "alice", "private", 2),
                topic_locked(5, "#help", "op", True, 2),
                topic_locked(6, "#help", "op", False, 3),
            ]
        )
        self.chat = chat
        alice, _ = self.online("alice", "#lobby", "#gone", "#help")
        self.assertEqual(
            [
                (chat.topic(room), chat._state.rooms.find(room).topic_locked)
                for room in ("#lobby", "#gone", "#help")
            ],
            [
                (Topic("#lobby", "welcome", "op", 2.0), True),
                (Topic("#gone", "", "", 0.0), False),
                (Topic("#help", "", "", 0.0), False),
            ],
        )
        self.assertRaises(TopicLockedError, chat.set_topic, alice, "#lobby", "mine")


class TopicLockTests(ChatTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.owner, self.session = self.online("owner", "#dev")
        self.bob, _ = self.online("bob", "#dev")

    def test_owner_locks_and_members_are_told(self) -> None:
        """Locking is an event for the room."""
        self.chat.lock_topic(self.owner, "#dev", True)
        self.assertEqual(self.session.received[-1], topic_locked(100, "#dev", "owner", True, seq=3))

    def test_locked_topic_is_refused_to_members_only(self) -> None:
        """While locked, a member's topic is refused; the owner and operators still set it."""
        self.chat.lock_topic(self.owner, "#dev", True)
        error = self.assertRaises(TopicLockedError, self.chat.set_topic, self.bob, "#dev", "mine now")
        self.assertEqual(
            word(error), "the topic of #dev is locked; only its owner and operators may change it"
        )
        self.chat.set_topic(self.owner, "#dev", "release")
        self.chat.grant_operator(self.bob)
        self.chat.set_topic(self.bob, "#dev", "release friday")
        self.assertEqual(
            self.session.received[-1], topic_changed(100, "#dev", "bob", "release friday", seq=5)
        )

    def test_unlock_lets_members_set_it_again(self) -> None:
        """After unlocking, any member sets the topic."""
        self.chat.lock_topic(self.owner, "#dev", True)
        self.chat.lock_topic(self.owner, "#dev", False)
        self.chat.set_topic(self.bob, "#dev", "anyone")
        self.assertEqual(self.chat.topic("#dev").topic, "anyone")

    def test_only_owner_and_operators_lock(self) -> None:
        """A member who does not own the room cannot lock or unlock it."""
        self.assertRaises(NotOwnerError, self.chat.lock_topic, self.bob, "#dev", True)
        self.chat.lock_topic(self.owner, "#dev", True)
        self.assertRaises(NotOwnerError, self.chat.lock_topic, self.bob, "#dev", False)


class BanTests(ChatTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.op, self.op_session = self.online("op", "#lobby", address="10.0.0.9")
        self.chat.grant_operator(self.op)
        self.bob, self.bob_session = self.online("bob", "#lobby", address="10.0.0.2")
        self.carol, self.carol_session = self.online("carol", "#lobby", address="10.0.0.3")

    def test_nickname_ban_takes_its_holder_off_and_keeps_the_nickname(self) -> None:
        """bob and his roommates are told, bob is offline, and nobody can be bob or become bob."""
        ban = self.chat.ban(self.op, "Bob", 3600)
        self.assertEqual(ban, Ban("Bob", 3700, "op"))
        self.assertEqual(self.bob_session.received[-1], banned(100, "bob", "op", 3700))
        self.assertEqual(self.carol_session.received[-1], banned(100, "bob", "op", 3700))
        self.assertFalse(self.bob.online)
        self.assertEqual(self.chat.users(), UserList(("carol", "op"), 2))
        self.clock.advance(600)
        error = self.assertRaises(
            NicknameBannedError, self.chat.register, RecordingSession(self.audience), "BOB", "10.0.0.7"
        )
        self.assertEqual(error, NicknameBannedError("BOB", seconds_left=3000))
        self.assertEqual((error.code, word(error)), ("nick-banned", "the nickname BOB is banned (50m left)"))
        self.assertRaises(NicknameBannedError, self.chat.rename, self.carol, "bob")

    def test_banned_user_of_the_only_other_front_end_is_still_told(self) -> None:
        """A ban taking a front end's last user off still reaches that user, through that front end."""
        other = RecordingAudience()
        dave = self.chat.register(RecordingSession(other), "dave", "10.0.0.4")
        self.chat.join(dave, "#lobby")
        self.chat.ban(self.op, "dave", 60)
        self.assertEqual(seen(other.deliveries[-1][0]), banned(100, "dave", "op", 160))
        self.assertEqual(self.carol_session.received[-1], banned(100, "dave", "op", 160))

    def test_nickname_ban_runs_out_by_the_clock(self) -> None:
        """After its time the nickname can be registered again."""
        self.chat.ban(self.op, "bob", 60)
        self.clock.advance(60)
        self.online("bob")

    def test_ban_of_an_offline_nickname_is_kept(self) -> None:
        """A nickname nobody holds can be banned ahead of time, with no end."""
        self.assertEqual(self.chat.ban(self.op, "mallory", None), Ban("mallory", None, "op"))
        error = self.assertRaises(
            NicknameBannedError, self.chat.register, RecordingSession(self.audience), "mallory"
        )
        self.assertEqual(word(error), "the nickname mallory is banned")

    def test_a_nickname_ban_covers_the_nicknames_that_look_like_it(self) -> None:
        """A ban of bob keeps out b\u043eb (a Cyrillic o), fullwidth bob and b0b, at once and by a new nickname."""
        self.chat.ban(self.op, "bob", 600)
        for nick in ("b\u043eb", "\uff42\uff4f\uff42", "B0B"):
            error = self.assertRaises(
                NicknameBannedError, self.chat.register, RecordingSession(self.audience), nick, "10.0.0.7"
            )
            self.assertEqual(error.seconds_left, 600)
            self.assertRaises(NicknameBannedError, self.chat.rename, self.carol, nick)
        self.assertEqual(self.carol.nick, "carol")

    def test_a_nickname_ban_takes_off_whoever_holds_a_look_alike(self) -> None:
        """Banning bob while b\u043eb (a Cyrillic o) is online takes b\u043eb off; the ban is kept as typed."""
        self.chat.quit(self.bob)
        twin, twin_session = self.online("b\u043eb", "#lobby", address="10.0.0.5")
        self.assertEqual(self.chat.ban(self.op, "bob", None), Ban("bob", None, "op"))
        self.assertEqual(twin_session.received[-1], banned(100, "b\u043eb", "op", None))
        self.assertFalse(twin.online)
        self.assertEqual(self.chat.unban(self.op, "B\u043eB"), "B\u043eB")
        self.online("bob")

    def test_address_ban_takes_off_everyone_from_it_but_operators(self) -> None:
        """Each user from the address is banned off; an operator from it stays; other addresses stay."""
        dave, dave_session = self.online("dave", address="10.0.0.2")
        self.chat.ban(self.op, "10.0.0.2", None)
        self.assertFalse(self.bob.online)
        self.assertFalse(dave.online)
        self.assertEqual(dave_session.received[-1], banned(100, "dave", "op", None))
        self.assertEqual(self.chat.users(), UserList(("carol", "op"), 2))
        self.chat.ban(self.op, "10.0.0.9", None)
        self.assertTrue(self.op.online)

    def test_a_network_ban_takes_off_everyone_in_it_and_refuses_its_addresses(self) -> None:
        """10.0.0.1/28 (10.0.0.0-15) takes bob (.2) and carol (.3) off, the operator (.9) stays; .1 is refused,
        .17 is not, and /unban of the network lifts it."""
        self.chat.ban(self.op, "10.0.0.1/28", None)
        self.assertEqual((self.bob.online, self.carol.online, self.op.online), (False, False, True))
        self.assertRaises(BannedError, self.chat.register, RecordingSession(self.audience), "eve", "10.0.0.1")
        self.online("frank", address="10.0.0.17")
        self.assertEqual(self.chat.unban(self.op, "10.0.0.0/28"), "10.0.0.0/28")
        self.online("eve", address="10.0.0.1")

    def test_banned_address_cannot_register_any_nickname(self) -> None:
        """A new connection from a banned address is refused whatever its nickname, until the ban ends."""
        self.chat.ban(self.op, "::ffff:10.0.0.5", 120)
        error = self.assertRaises(
            BannedError, self.chat.register, RecordingSession(self.audience), "eve", "::ffff:10.0.0.5"
        )
        self.assertEqual(error, BannedError(seconds_left=120))
        self.assertEqual(
            (error.code, word(error)), ("banned", "your address is banned from this server (2m left)")
        )
        self.assertRaises(BannedError, self.chat.register, RecordingSession(self.audience), "eve", "10.0.0.5")
        self.clock.advance(120)
        self.online("eve", address="10.0.0.5")

    def test_operator_nickname_cannot_be_banned(self) -> None:
        """Banning an operator's nickname is refused and sets no ban."""
        other, _ = self.online("other")
        self.chat.grant_operator(other)
        self.assertRaises(TargetIsOperatorError, self.chat.ban, self.op, "other", None)
        self.assertEqual(self.chat.bans(self.op), BanList(()))

    def test_bad_address_is_refused(self) -> None:
        """Something that looks like an address but is none sets no ban."""
        self.assertRaises(BadAddressError, self.chat.ban, self.op, "10.0.0", None)

    def test_unban_lifts_and_says_what(self) -> None:
        """Unban returns the target as shown; the nickname is free; unbanning again is refused."""
        self.chat.ban(self.op, "bob", None)
        self.assertEqual(self.chat.unban(self.op, "BOB"), "BOB")
        self.online("bob")
        error = self.assertRaises(NotBannedError, self.chat.unban, self.op, "bob")
        self.assertEqual((error.code, word(error)), ("not-banned", "bob is not banned"))

    def test_bans_list_what_is_in_force(self) -> None:
        """The list holds the bans in force, oldest first, and not those that ran out."""
        self.chat.ban(self.op, "mallory", 60)
        self.chat.ban(self.op, "10.0.0.7", None)
        self.assertEqual(
            self.chat.bans(self.op), BanList((Ban("mallory", 160, "op"), Ban("10.0.0.7", None, "op")))
        )
        self.clock.advance(60)
        self.assertEqual(self.chat.bans(self.op), BanList((Ban("10.0.0.7", None, "op"),)))


class KillTests(ChatTestCase):
    """op is an operator in #ops; bob is in #lobby with carol and in #dev with dave; eve shares no room with bob."""

    def setUp(self) -> None:
        super().setUp()
        self.op, self.op_session = self.online("op", "#ops", address="10.0.0.9")
        self.chat.grant_operator(self.op)
        self.bob, self.bob_session = self.online("bob", "#lobby", "#dev", address="10.0.0.2")
        _, self.carol_session = self.online("carol", "#lobby")
        _, self.dave_session = self.online("dave", "#dev")
        _, self.eve_session = self.online("eve", "#elsewhere")

    def test_kill_takes_the_user_off_and_tells_them_their_roommates_and_the_operator(self) -> None:
        """bob is offline with every room left; he, each roommate and the operator are told once; nobody else.
        The event says the operator shared no room with him."""
        self.clock.advance(5)
        self.chat.kill(self.op, "BOB", "flooding")
        expected = killed(105, "bob", "op", "flooding", apart=True)
        event, sessions = self.audience.deliveries[-1]
        self.assertEqual(seen(event), expected)
        self.assertCountEqual(
            sessions, [self.bob_session, self.carol_session, self.dave_session, self.op_session]
        )
        self.assertFalse(self.bob.online)
        self.assertEqual(self.bob.rooms, {})
        self.assertEqual(self.chat.users(), UserList(("carol", "dave", "eve", "op"), 4))
        self.assertEqual(self.chat.members("#dev").nicks, ("dave",))

    def test_the_operator_sharing_a_room_is_told_once(self) -> None:
        """An operator who is a roommate of the one killed gets the event once, which says they were not apart."""
        self.chat.join(self.op, "#lobby")
        self.chat.kill(self.op, "bob")
        event, sessions = self.audience.deliveries[-1]
        self.assertEqual(sessions.count(self.op_session), 1)
        self.assertEqual(seen(event), killed(100, "bob", "op", "", apart=False))

    def test_the_one_killed_may_come_back_at_once(self) -> None:
        """A kill keeps nothing: the nickname and the address are free again the same moment."""
        self.chat.kill(self.op, "bob")
        again, _ = self.online("bob", "#dev", address="10.0.0.2")
        self.assertTrue(again.online)
        self.assertEqual(self.chat.bans(self.op), BanList(()))

    def test_every_session_of_the_user_is_taken_off(self) -> None:
        """A user with several sessions loses them all: each is told."""
        user = self.chat._state.users.by_key["bob"]
        second = RecordingSession(self.audience)
        self.chat._state.users.attach(user, second)
        self.chat.kill(self.op, "bob")
        self.assertIn(second, self.audience.deliveries[-1][1])
        self.assertFalse(self.bob.online)

    def test_nobody_kills_themselves_nor_another_operator(self) -> None:
        """A kill of oneself or of an operator is refused and changes nothing."""
        other, _ = self.online("other")
        self.chat.grant_operator(other)
        before = len(self.published)
        error = self.assertRaises(KillSelfError, self.chat.kill, self.op, "OP")
        self.assertEqual(
            (error.code, word(error)), ("kill-self", "you cannot kill yourself; /quit leaves the server")
        )
        self.assertRaises(TargetIsOperatorError, self.chat.kill, self.op, "other")
        self.assertEqual(len(self.published), before)
        self.assertTrue(other.online)

    def test_kill_of_nobody_or_with_an_unsafe_reason_is_refused(self) -> None:
        """A nickname nobody holds, or a reason breaking the text rules, is refused; bob stays."""
        self.assertRaises(NoSuchNicknameError, self.chat.kill, self.op, "ghost")
        self.assertRaises(InvalidTextError, self.chat.kill, self.op, "bob", "\x1b[2J")
        self.assertTrue(self.bob.online)


class RestoreTests(ChatTestCase):
    """Bans a store kept come back before anyone connects, their ends still counting (the clock is at 100)."""

    def setUp(self) -> None:
        super().setUp()
        boss = Actor("boss", "10.0.0.9")

        def ban(target: str, until: float | None) -> BanAdded:
            return BanAdded(id="", at=10, actor=boss, target=target, address="." in target, until=until)

        self.chat.restore(
            [
                ban("10.0.0.1", 150.0),
                ban("10.0.0.2", 50.0),
                ban("dave", None),
                ban("10.0.0.3", None),
                BanLifted(id="", at=20, actor=boss, target="10.0.0.3", address=True),
                Muted(id="", at=20, actor=boss, nick="erin", until=None),
            ]
        )

    def test_a_kept_ban_is_in_force_at_once(self) -> None:
        """A running ban on an address, and a ban on a nickname until lifted, refuse at once; a lifted one does not."""
        self.assertRaises(BannedError, self.chat.check_address, "10.0.0.1")
        self.assertRaises(NicknameBannedError, self.online, "dave")
        self.chat.check_address("10.0.0.3")

    def test_a_ban_that_ended_while_down_runs_out_at_once(self) -> None:
        """A ban whose end passed while the daemon was down is not in force, and runs out as an event when the clock runs."""
        self.chat.check_address("10.0.0.2")
        self.clock.advance(0)
        self.assertEqual(
            [seen(event) for event in self.published],
            [BanLifted(id="", at=100, actor=CHAT, target="10.0.0.2", address=True)],
        )

    def test_a_running_ban_ends_at_its_own_time(self) -> None:
        """A ban still running ends at the time it was set to, not a full term after the restart."""
        self.clock.advance(49)
        self.assertRaises(BannedError, self.chat.check_address, "10.0.0.1")
        self.clock.advance(1)
        self.chat.check_address("10.0.0.1")
        self.assertEqual(
            seen(self.published[-1]), BanLifted(id="", at=150, actor=CHAT, target="10.0.0.1", address=True)
        )


class RestoredKickTests(ChatTestCase):
    """Kicks a store kept come back before anyone connects: those whose wait still runs hold their person out of
    the room until it ends (the clock is at 100)."""

    def setUp(self) -> None:
        super().setUp()
        self.chat.restore(
            [
                replace(kicked(60, "#dev", "bob", "boss", "", 1), person="look:bob@10.0.0.1"),
                replace(kicked(30, "#ops", "carol", "boss", "", 1), person="look:carol@10.0.0.2"),
                replace(kicked(70, "#dev", "dave", "boss", "", 2), person=""),
                replace(
                    kicked(90, "#day", "erin", "boss", "", 1), person="look:erin@10.0.0.5", until=90 + 86400
                ),
            ]
        )

    def test_a_kept_kick_still_running_holds_its_person_out_until_it_ends(self) -> None:
        """bob, back from his address under a look-alike nickname, waits what was left of the kick (20 s), then joins."""
        bob, _ = self.online("B0B", address="10.0.0.1")
        error = self.assertRaises(RejoinTooSoonError, self.chat.join, bob, "#DEV")
        self.assertEqual((error.room, error.seconds_left), ("#DEV", 20.0))
        self.clock.advance(20)
        self.chat.join(bob, "#dev")

    def test_a_kept_kick_keeps_its_end_under_a_shorter_kick_rejoin(self) -> None:
        """A kick of a day-long --kick-rejoin of before holds erin out for what is left of the day, though this chat
        waits 60 s after its own kicks: nobody is let back earlier than they were told."""
        erin, _ = self.online("erin", address="10.0.0.5")
        error = self.assertRaises(RejoinTooSoonError, self.chat.join, erin, "#day")
        self.assertEqual(error.seconds_left, 86390.0)

    def test_a_kept_kick_over_or_without_its_person_holds_nobody(self) -> None:
        """A kick whose wait ended while the daemon was down, and one kept without whom it holds, let them in."""
        carol, _ = self.online("carol", address="10.0.0.2")
        self.chat.join(carol, "#ops")
        dave, _ = self.online("dave")
        self.chat.join(dave, "#dev")


class MuteTests(ChatTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.op, self.op_session = self.online("op", "#lobby")
        self.chat.grant_operator(self.op)
        self.bob, self.bob_session = self.online("bob", "#lobby")
        self.carol, self.carol_session = self.online("carol", "#lobby")

    def test_muted_user_says_nothing_anywhere(self) -> None:
        """Messages, actions, private messages and topics of a muted user are refused, and nobody gets them."""
        self.chat.mute(self.op, "bob", 600)
        before = len(self.audience.deliveries)
        for request in (
            lambda: self.chat.say(self.bob, "#lobby", "hi"),
            lambda: self.chat.act(self.bob, "#lobby", "waves"),
            lambda: self.chat.whisper(self.bob, "carol", "psst"),
            lambda: self.chat.set_topic(self.bob, "#lobby", "mine"),
        ):
            error = self.assertRaises(MutedError, request)
            self.assertEqual(error, MutedError(seconds_left=600))
            self.assertEqual(word(error), "you are muted (10m left); nobody sees what you say")
        self.assertEqual(len(self.audience.deliveries), before)

    def test_mute_is_told_to_the_muted_and_the_operator_only(self) -> None:
        """The muted user and the operator see the mute; roommates do not."""
        self.chat.mute(self.op, "BOB", 600)
        self.assertEqual(self.bob_session.received[-1], muted(100, "bob", "op", 700))
        self.assertEqual(self.op_session.received[-1], muted(100, "bob", "op", 700))
        self.assertNotIn(muted(100, "bob", "op", 700), self.carol_session.received)

    def test_mute_runs_out_by_the_clock(self) -> None:
        """At the end of its time the user talks again, and there is nothing to unmute."""
        self.chat.mute(self.op, "bob", 60)
        self.clock.advance(60)
        self.chat.say(self.bob, "#lobby", "back")
        self.assertEqual(self.carol_session.received[-1], said(160, "#lobby", "bob", "back", seq=4))
        self.assertRaises(NotMutedError, self.chat.unmute, self.op, "bob")

    def test_mute_without_duration_lasts_until_unmuted(self) -> None:
        """An open mute lasts any time; unmute ends it and tells both."""
        self.chat.mute(self.op, "bob", None)
        self.clock.advance(10**6)
        error = self.assertRaises(MutedError, self.chat.say, self.bob, "#lobby", "hi")
        self.assertEqual(error, MutedError(seconds_left=None))
        self.assertEqual(word(error), "you are muted; nobody sees what you say")
        self.chat.unmute(self.op, "bob")
        self.assertEqual(self.bob_session.received[-1], unmuted(self.clock.seconds(), "bob", "op"))
        self.chat.say(self.bob, "#lobby", "free")

    def test_operator_lifting_their_own_mute_is_told_once(self) -> None:
        """A user muted before becoming an operator may unmute themselves, and hears of it once (as does op, the
        other operator online)."""
        self.chat.mute(self.op, "bob", None)
        self.chat.grant_operator(self.bob)
        self.chat.unmute(self.bob, "bob")
        event, sessions = self.audience.deliveries[-1]
        self.assertEqual(seen(event), unmuted(100, "bob", "bob"))
        self.assertCountEqual(sessions, [self.bob_session, self.op_session])

    def test_unmute_of_someone_not_muted_is_refused(self) -> None:
        """Unmuting a user who is not muted says so."""
        error = self.assertRaises(NotMutedError, self.chat.unmute, self.op, "carol")
        self.assertEqual((error.code, word(error)), ("not-muted", "carol is not muted"))

    def test_operators_and_nicknames_nobody_could_take_cannot_be_muted(self) -> None:
        """Muting an operator or a nickname that breaks the rules is refused, and nothing is published."""
        other, _ = self.online("other")
        self.chat.grant_operator(other)
        before = len(self.published)
        self.assertRaises(TargetIsOperatorError, self.chat.mute, self.op, "other", None)
        self.assertRaises(InvalidNicknameError, self.chat.mute, self.op, "9lives", None)
        self.assertEqual(len(self.published), before)

    def test_a_nickname_nobody_holds_is_muted_and_only_the_operator_told(self) -> None:
        """The mute of an absent nickname is kept as typed, told to the operator alone, and runs out at its time."""
        self.chat.mute(self.op, "Ghost", 60)
        event, sessions = self.audience.deliveries[-1]
        self.assertEqual((seen(event), sessions), (muted(100, "Ghost", "op", 160), [self.op_session]))
        self.assertEqual(self.chat._state.mutes["ghost"].nick, "Ghost")
        self.clock.advance(60)
        self.assertEqual(seen(self.published[-1]), unmuted(160, "Ghost", ""))

    def test_coming_back_under_the_nickname_keeps_the_mute(self) -> None:
        """A muted user who quits and connects again as the same nickname (in any case) is muted for what is left."""
        self.chat.mute(self.op, "bob", 600)
        self.chat.quit(self.bob)
        self.clock.advance(100)
        again, _ = self.online("BOB", "#lobby")
        error = self.assertRaises(MutedError, self.chat.say, again, "#lobby", "I'm back")
        self.assertEqual(error, MutedError(seconds_left=500))

    def test_a_mute_holds_for_a_look_alike_of_the_nickname(self) -> None:
        """bob muted, whoever comes back as b\u043eb (a Cyrillic o) or B0B is muted too, and may be unmuted as bob."""
        self.chat.mute(self.op, "bob", 600)
        self.chat.quit(self.bob)
        for nick in ("b\u043eb", "B0B"):
            twin, _ = self.online(nick, "#lobby")
            self.assertEqual(
                self.assertRaises(MutedError, self.chat.say, twin, "#lobby", "not me"), MutedError(600)
            )
            self.chat.quit(twin)
        twin, twin_session = self.online("b\u043eb", "#lobby")
        self.chat.unmute(self.op, "bob")
        self.assertEqual(twin_session.received[-1], unmuted(100, "b\u043eb", "op"))
        self.chat.say(twin, "#lobby", "free")

    def test_muting_a_nickname_mutes_its_look_alike_online_and_tells_them(self) -> None:
        """/mute bob while b\u043eb (a Cyrillic o) is online mutes b\u043eb, who is told under their own nickname."""
        self.chat.quit(self.bob)
        twin, twin_session = self.online("b\u043eb", "#lobby")
        self.chat.mute(self.op, "bob", 60)
        self.assertEqual(twin_session.received[-1], muted(100, "b\u043eb", "op", 160))
        self.assertRaises(MutedError, self.chat.say, twin, "#lobby", "hi")

    def test_a_new_nickname_that_looks_like_a_muted_one_is_muted(self) -> None:
        """carol, who talks while zed is muted, renamed z\u0435d (a Cyrillic e) says nothing, and keeps that name."""
        self.chat.mute(self.op, "zed", 600)
        self.chat.say(self.carol, "#lobby", "hi")
        self.chat.rename(self.carol, "z\u0435d")
        self.assertEqual(
            self.assertRaises(MutedError, self.chat.say, self.carol, "#lobby", "hi"), MutedError(600)
        )
        self.assertRaises(MutedError, self.chat.rename, self.carol, "carol")

    def test_a_muted_user_keeps_their_nickname(self) -> None:
        """A muted user cannot shed the mute by a new nickname; a change of case alone is allowed."""
        self.chat.mute(self.op, "bob", 600)
        error = self.assertRaises(MutedError, self.chat.rename, self.bob, "robert")
        self.assertEqual(error, MutedError(seconds_left=600))
        self.chat.rename(self.bob, "Bob")
        self.assertRaises(MutedError, self.chat.say, self.bob, "#lobby", "hi")

    def test_a_mute_runs_out_and_is_lifted_with_nobody_under_it(self) -> None:
        """The mute of a nickname nobody holds runs out at its time, and an operator may lift one too."""
        self.chat.mute(self.op, "bob", 60)
        self.chat.mute(self.op, "carol", None)
        self.chat.quit(self.bob)
        self.chat.quit(self.carol)
        self.clock.advance(60)
        self.assertEqual(seen(self.published[-1]), unmuted(160, "bob", ""))
        self.chat.unmute(self.op, "CAROL")
        self.assertEqual(self.op_session.received[-1], unmuted(160, "carol", "op"))
        self.assertEqual(self.chat._state.mutes, {})
        self.assertRaises(NotMutedError, self.chat.unmute, self.op, "carol")


class RestoredMuteTests(ChatTestCase):
    """Mutes a store kept come back before anyone connects, their ends still counting (the clock is at 100)."""

    def setUp(self) -> None:
        super().setUp()
        boss = Actor("boss", "10.0.0.9")
        self.chat.restore(
            [
                Muted(id="", at=10, actor=boss, nick="Erin", until=None),
                Muted(id="", at=20, actor=boss, nick="frank", until=400.0),
                Muted(id="", at=30, actor=boss, nick="gina", until=50.0),
                Muted(id="", at=40, actor=boss, nick="hal", until=None),
                Unmuted(id="", at=50, actor=boss, nick="hal"),
            ]
        )

    def test_kept_mutes_hold_for_whoever_comes_under_them(self) -> None:
        """A mute until lifted and a running one refuse at once with the time left; lifted and ended ones do not."""
        erin, _ = self.online("erin", "#lobby")
        frank, _ = self.online("frank", "#lobby")
        self.assertEqual(self.assertRaises(MutedError, self.chat.say, erin, "#lobby", "hi"), MutedError(None))
        self.assertEqual(self.assertRaises(MutedError, self.chat.say, frank, "#lobby", "hi"), MutedError(300))
        for nick in ("gina", "hal"):
            user, _ = self.online(nick, "#lobby")
            self.chat.say(user, "#lobby", "free")

    def test_kept_mutes_run_out_at_their_own_time(self) -> None:
        """One that ended while the daemon was down runs out at once; a running one at its original end."""
        self.clock.advance(0)
        self.assertEqual([seen(event) for event in self.published], [unmuted(100, "gina", "")])
        self.clock.advance(300)
        self.assertEqual(seen(self.published[-1]), unmuted(400, "frank", ""))


class WallAndShutdownTests(ChatTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.op, self.op_session = self.online("op", "#lobby")
        self.chat.grant_operator(self.op)
        _, self.roomless = self.online("roomless")

    def test_wall_reaches_everyone_online(self) -> None:
        """A wall reaches every user, in a room or not, the operator included."""
        self.chat.wall(self.op, "maintenance at noon")
        expected = walled(100, "op", "maintenance at noon")
        self.assertEqual(self.roomless.received[-1], expected)
        self.assertEqual(self.op_session.received[-1], expected)

    def test_shutdown_tells_everyone_then_stops_once(self) -> None:
        """Everyone gets the shutdown event, then the daemon is stopped; a second one does nothing."""
        self.chat.shutdown(self.op, "bye")
        self.assertEqual(self.roomless.received[-1], shutting_down(100, "op", "bye"))
        self.assertEqual(self.stopped, 1)
        before = len(self.audience.deliveries)
        self.chat.shutdown(self.op, "again")
        self.assertEqual((len(self.audience.deliveries), self.stopped), (before, 1))


class AwayAndWhoisTests(ChatTestCase):
    def test_private_message_to_someone_away_returns_their_text(self) -> None:
        """The sender of a private message learns the target is away; the message is delivered anyway."""
        alice, _ = self.online("alice")
        bob, bob_session = self.online("bob")
        self.chat.set_away(bob, " at lunch ")
        self.assertEqual(self.chat.whisper(alice, "bob", "hi"), Away("bob", "at lunch"))
        self.assertEqual(bob_session.received[-1], whispered(100, "alice", "bob", "hi"))
        self.chat.set_away(bob, "")
        self.assertIsNone(self.chat.whisper(alice, "bob", "back?"))

    def test_away_text_follows_the_text_rules(self) -> None:
        """An away text with a control character is refused."""
        alice, _ = self.online("alice")
        self.assertRaises(InvalidTextError, self.chat.set_away, alice, "\x07")

    def test_whois_shows_rooms_away_and_operator(self) -> None:
        """Whois gives the nickname, rooms in join order, away text and operator status."""
        asker, _ = self.online("asker")
        bob, _ = self.online("Bob", "#dev", "#lobby", address="10.0.0.2")
        self.chat.set_away(bob, "gone")
        self.chat.grant_operator(bob)
        self.assertEqual(self.chat.whois(asker, "bob"), Whois("Bob", ("#dev", "#lobby"), "gone", True, ""))
        self.assertEqual(self.chat.whois(None, "bob").address, "")

    def test_whois_shows_the_address_to_operators_only(self) -> None:
        """An operator sees where the user connects from."""
        op, _ = self.online("op")
        self.chat.grant_operator(op)
        self.online("bob", address="::ffff:10.0.0.2")
        self.assertEqual(self.chat.whois(op, "bob"), Whois("bob", (), "", False, "10.0.0.2"))

    def test_whois_of_nobody_is_refused(self) -> None:
        """Whois of a nickname nobody holds says so."""
        self.assertRaises(NoSuchNicknameError, self.chat.whois, None, "ghost")
