"""Registered rooms in the domain: an identified owner registers a room, names room operators by account,
and the room keeps them, its topic and its lock while empty and across a restart (chatd.domain.registry)."""

import sqlite3
from collections.abc import Awaitable, Sequence
from contextlib import closing

from twisted.internet.defer import Deferred, ensureDeferred

from chatd.domain.chat import Chat
from chatd.domain.errors import (
    BannedFromRoomError,
    InviteOnlyError,
    ModeratedError,
    NoAccountError,
    NoSuchRoomError,
    NotIdentifiedError,
    NotInRoomError,
    NotOperatorError,
    NotOwnerError,
    RegisteredOnlyError,
    RoomKeyError,
    RoomLookAlikeError,
    RoomNotKeptError,
    RoomNotRegisteredError,
    RoomRegisteredError,
    RoomUnownedError,
    ServerRoomError,
    TargetIsOwnerError,
    TargetIsRoomOperatorError,
    TooManyRegisteredRoomsError,
    TopicLockedError,
)
from chatd.domain.events import (
    CHAT,
    Joined,
    ModeChange,
    RoomBan,
    RoomModesChanged,
    RoomOperatorAdded,
    RoomOperatorRemoved,
    RoomRegistered,
    RoomRegistrationNotKept,
    RoomUnregistered,
    Setting,
)
from chatd.domain.limits import Limits
from chatd.domain.ports import UserView
from chatd.domain.replies import Members, RoomModes, RoomSummary, Topic
from chatd.domain.room_settings import NO_SETTINGS, RoomSettings
from chatd.domain.rooms import RegisteredRoom
from chatd.line.wording import word
from chatd.storage.memory_accounts import MemoryAccounts
from chatd.storage.memory_rooms import MemoryRooms
from chatd.storage.sqlite_rooms import SQLiteRooms
from tests.events import seen
from tests.helpers import ChatTestCase, RecordingSession, ThreadedReactor, new_database
from tests.test_history import open_store


class RegistryTestCase(ChatTestCase):
    """A chat whose #lobby is the server's; alice made #dev and is identified, bob is in it, identified too."""

    def setUp(self) -> None:
        super().setUp()
        self.accounts = MemoryAccounts()
        self.rooms = self.room_store()
        self.chat = self.make_chat()
        self.alice, self.alice_session = self.identified("alice", "#lobby", "#dev")
        self.bob, self.bob_session = self.identified("bob", "#lobby", "#dev")

    def room_store(self) -> MemoryRooms:
        return MemoryRooms()

    def make_chat(self, server_rooms: Sequence[str] = ("#lobby",)) -> Chat:
        """A chat on this test's clock, history, accounts and rooms: a restart keeps what they keep."""
        return Chat(
            self.clock,
            self.history,
            self.bus,
            self.limits,
            server_rooms=server_rooms,
            accounts=self.accounts,
            rooms=self.rooms,
        )

    def done(self, change: Awaitable[None] | None) -> None:
        """Wait for a change to a registered room to be kept (at once, in memory); there must be one."""
        assert change is not None
        self.kept(change)

    def identified(self, nick: str, *rooms: str) -> tuple[UserView, RecordingSession]:
        """A user ``nick`` in ``rooms`` who registered their nickname, and so is identified to it."""
        user, session = self.online(nick, *rooms)
        self.kept(self.chat.register_account(user, "hash"))
        return user, session


class RegisterRoomTests(RegistryTestCase):
    """/register #room by its identified owner; nobody else."""

    def test_owner_registers_and_every_member_is_told(self) -> None:
        """The room is registered to alice's account, kept by the store, and both members get the event."""
        self.done(self.chat.register_room(self.alice, "#Dev"))
        event = self.published[-1]
        assert isinstance(event, RoomRegistered)
        self.assertEqual((event.room, event.account, event.actor.nick), ("#dev", "alice", "alice"))
        self.assertIn(seen(event), self.bob_session.received)
        self.assertEqual(self.rooms.registered(), [RegisteredRoom("#dev", "alice")])

    def test_an_unidentified_user_cannot_register_a_room(self) -> None:
        """Someone not identified is refused, even in a room they made, and nothing changes."""
        carol, _ = self.online("carol", "#mine")
        before = len(self.published)
        self.assertRaises(NotIdentifiedError, self.chat.register_room, carol, "#mine")
        self.assertEqual(len(self.published), before)
        self.assertEqual(self.rooms.registered(), [])

    def test_a_member_who_does_not_own_the_room_cannot_register_it(self) -> None:
        """bob is in #dev and identified, but alice made it."""
        self.assertRaises(NotOwnerError, self.chat.register_room, self.bob, "#dev")

    def test_the_servers_room_cannot_be_registered(self) -> None:
        """The default room belongs to the server, whoever asks."""
        self.assertRaises(ServerRoomError, self.chat.register_room, self.alice, "#lobby")

    def test_a_room_one_is_not_in_cannot_be_registered(self) -> None:
        """The owner must be in the room."""
        self.chat.part(self.alice, "#dev")
        self.assertRaises(NotInRoomError, self.chat.register_room, self.alice, "#dev")

    def test_registering_twice_is_refused(self) -> None:
        """A registered room names its owner when registered again."""
        self.done(self.chat.register_room(self.alice, "#dev"))
        self.assertRaises(RoomRegisteredError, self.chat.register_room, self.alice, "#dev")


class OnlineUnderAnotherNameTests(RegistryTestCase):
    def test_an_account_online_under_another_nickname_is_named_by_it(self) -> None:
        """bob, identified, is now bobby: /op bob names bobby, who holds the standing, as IRC's MODE must say."""
        self.done(self.chat.register_room(self.alice, "#dev"))
        self.chat.rename(self.bob, "bobby")
        self.done(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        event = self.published[-1]
        assert isinstance(event, RoomOperatorAdded)
        self.assertEqual((event.nick, event.account), ("bobby", "bob"))
        self.assertIn("bobby", self.chat.members("#dev").operators)


class IdentifyingTests(RegistryTestCase):
    def test_identifying_in_a_registered_room_gives_its_standing_as_the_chats_change(self) -> None:
        """alice comes back as alice_ and joins her #dev with no standing; identifying makes her alice and gives it,
        a mode change by the chat the room's members see; bob, identified to no account #dev names, gets none."""
        self.done(self.chat.register_room(self.alice, "#dev"))
        self.chat.quit(self.alice)
        user, session = self.online("alice_", "#dev")
        self.assertEqual(self.chat.members("#dev").operators, ())
        user = self.chat.identify(session, user, "alice", "")
        event = self.published[-1]
        assert isinstance(event, RoomModesChanged)
        self.assertEqual((event.actor, event.room), (CHAT, "#dev"))
        self.assertEqual(event.changes, (ModeChange(Setting.OPERATOR, True, "alice"),))
        self.assertIn(seen(event), self.bob_session.received)
        self.assertEqual(self.chat.members("#dev").operators, ("alice",))
        self.chat.lock_topic(user, "#dev", True)


class MemberTests(RegistryTestCase):
    def test_op_says_whether_it_names_a_member_and_only_a_member_gets_the_standing(self) -> None:
        """/op bob (in #dev) is a member's; /op carol (online elsewhere) and /op dave (offline) are not, and
        neither gets the standing in #dev until they join it."""
        self.done(self.chat.register_room(self.alice, "#dev"))
        carol, _ = self.identified("carol", "#lobby")
        dave, _ = self.identified("dave")
        self.chat.quit(dave)
        for nick in ("bob", "carol", "dave"):
            self.done(self.chat.add_room_operator(self.alice, "#dev", nick))
        added = [(e.nick, e.member) for e in self.published if isinstance(e, RoomOperatorAdded)]
        self.assertEqual(added, [("bob", True), ("carol", False), ("dave", False)])
        self.assertEqual(self.chat.members("#dev").operators, ("alice", "bob"))
        self.chat.join(carol, "#dev")
        self.assertEqual(self.chat.members("#dev").operators, ("alice", "bob", "carol"))
        self.done(self.chat.remove_room_operator(self.alice, "#dev", "bob"))
        removed = self.published[-1]
        assert isinstance(removed, RoomOperatorRemoved)
        self.assertTrue(removed.member)
        self.assertEqual(self.chat.members("#dev").operators, ("alice", "carol"))


class RegisteredRoomsLimitTests(RegistryTestCase):
    """An account registers at most ``registered_rooms`` rooms: two here; server operators more."""

    limits = Limits(registered_rooms=2)

    def test_a_third_room_is_refused_until_one_is_given_up(self) -> None:
        """alice registers #dev and #ops; #third is refused in one line, nothing published; once she gives
        #ops up, #third is hers."""
        self.done(self.chat.register_room(self.alice, "#dev"))
        self.chat.join(self.alice, "#ops")
        self.done(self.chat.register_room(self.alice, "#ops"))
        self.chat.join(self.alice, "#third")
        before = len(self.published)
        refused = self.assertRaises(
            TooManyRegisteredRoomsError, self.chat.register_room, self.alice, "#third"
        )
        self.assertEqual(refused.most, 2)
        self.assertEqual(len(self.published), before)
        self.done(self.chat.unregister_room(self.alice, "#ops"))
        self.done(self.chat.register_room(self.alice, "#third"))
        self.assertEqual([room.name for room in self.rooms.registered()], ["#dev", "#third"])

    def test_a_server_operator_registers_more(self) -> None:
        """bob, an operator, registers a third room past the limit; the rooms he owns are counted as anyone's."""
        self.chat.grant_operator(self.bob)
        for name in ("#a", "#b", "#c"):
            self.chat.join(self.bob, name)
            self.done(self.chat.register_room(self.bob, name))
        self.assertEqual(len(self.rooms.registered()), 3)


class RoomOperatorTests(RegistryTestCase):
    """The owner of a registered room names room operators by account; they kick and lock the topic."""

    def setUp(self) -> None:
        super().setUp()
        self.done(self.chat.register_room(self.alice, "#dev"))

    def test_a_room_operator_may_lock_and_kick_and_is_announced(self) -> None:
        """bob, made a room operator, locks the topic and kicks; everyone in the room saw him made one."""
        carol, _ = self.online("carol", "#dev")
        self.done(self.chat.add_room_operator(self.alice, "#dev", "BOB"))
        event = self.published[-1]
        assert isinstance(event, RoomOperatorAdded)
        self.assertEqual((event.nick, event.account, event.actor.nick), ("bob", "bob", "alice"))
        self.assertIn(seen(event), self.bob_session.received)
        self.chat.lock_topic(self.bob, "#dev", True)
        self.chat.set_topic(self.bob, "#dev", "ops only")
        self.assertRaises(TopicLockedError, self.chat.set_topic, carol, "#dev", "mine")
        self.chat.kick(self.bob, "carol", "#dev")
        self.assertNotIn("#dev", carol.rooms)

    def test_no_room_operator_kicks_the_owner_but_an_operator_may(self) -> None:
        """bob, a room operator by account and by +o, cannot kick alice from her registered #dev; an operator can."""
        self.done(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        self.chat.change_room(self.alice, "#dev", [ModeChange(Setting.OPERATOR, True, "bob")])
        error = self.assertRaises(TargetIsOwnerError, self.chat.kick, self.bob, "ALICE", "#dev")
        self.assertEqual(
            (error.code, word(error)),
            ("is-owner", "alice owns #dev; only server operators may kick them from it"),
        )
        self.assertIn("#dev", self.alice.rooms)
        op, _ = self.online("op")
        self.chat.grant_operator(op)
        self.chat.kick(op, "alice", "#dev")
        self.assertNotIn("#dev", self.alice.rooms)

    def test_a_member_with_only_standing_cannot_kick_a_room_operator_by_account(self) -> None:
        """carol, given +o, cannot kick bob, a room operator by account; bob may kick carol, and alice and an
        operator may kick bob (the class trial's design note: the registration outranks standing)."""
        self.done(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        carol, _ = self.online("carol", "#dev")
        self.chat.change_room(self.alice, "#dev", [ModeChange(Setting.OPERATOR, True, "carol")])
        before = len(self.published)
        error = self.assertRaises(TargetIsRoomOperatorError, self.chat.kick, carol, "BOB", "#dev")
        self.assertEqual(
            (error.code, word(error)),
            (
                "is-room-operator",
                "bob is a room operator of #dev by account; only its owner, its room operators by account "
                "and server operators may kick them from it",
            ),
        )
        self.assertEqual(len(self.published), before)
        self.assertIn("#dev", self.bob.rooms)
        self.chat.kick(self.alice, "bob", "#dev")
        self.assertNotIn("#dev", self.bob.rooms)

    def test_a_member_with_only_standing_cannot_deop_the_owner_or_a_room_operator_by_account(self) -> None:
        """carol, given +o, cannot take bob's standing (a room operator by account) nor alice's (the owner), as she
        cannot kick them, and nothing changes; above her they deop each other and her, and she deops herself."""
        self.done(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        carol, _ = self.online("carol", "#dev")
        self.chat.change_room(self.alice, "#dev", [ModeChange(Setting.OPERATOR, True, "carol")])
        before = len(self.published)
        error = self.assertRaises(
            TargetIsRoomOperatorError,
            self.chat.change_room,
            carol,
            "#dev",
            [ModeChange(Setting.VOICE, True, "carol"), ModeChange(Setting.OPERATOR, False, "BOB")],
        )
        self.assertEqual(
            (error.code, word(error)),
            (
                "is-room-operator",
                "bob is a room operator of #dev by account; only its owner, its room operators by account "
                "and server operators may take their operator standing there",
            ),
        )
        error = self.assertRaises(
            TargetIsOwnerError,
            self.chat.change_room,
            carol,
            "#dev",
            [ModeChange(Setting.OPERATOR, False, "alice")],
        )
        self.assertEqual(
            (error.code, word(error)),
            ("is-owner", "alice owns #dev; only server operators may take their operator standing there"),
        )
        self.assertEqual(len(self.published), before)
        self.assertEqual(
            [self.chat.standing("#dev", nick).operator for nick in ("alice", "bob", "carol")], [True] * 3
        )
        self.chat.change_room(self.bob, "#dev", [ModeChange(Setting.OPERATOR, False, "carol")])
        self.chat.change_room(self.alice, "#dev", [ModeChange(Setting.OPERATOR, True, "carol")])
        self.chat.change_room(carol, "#dev", [ModeChange(Setting.OPERATOR, False, "carol")])
        self.chat.change_room(self.alice, "#dev", [ModeChange(Setting.OPERATOR, False, "bob")])
        op, _ = self.online("op")
        self.chat.grant_operator(op)
        self.chat.change_room(op, "#dev", [ModeChange(Setting.OPERATOR, False, "alice")])
        self.assertEqual(
            [self.chat.standing("#dev", nick).operator for nick in ("alice", "bob", "carol")], [False] * 3
        )

    def test_room_operators_by_account_kick_each_other_and_operators_kick_them(self) -> None:
        """Two room operators by account are peers, as two +o are; a server operator kicks either."""
        self.done(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        dave, _ = self.identified("dave", "#dev")
        self.done(self.chat.add_room_operator(self.alice, "#dev", "dave"))
        self.chat.kick(dave, "bob", "#dev")
        self.assertNotIn("#dev", self.bob.rooms)
        op, _ = self.online("op")
        self.chat.grant_operator(op)
        self.chat.kick(op, "dave", "#dev")
        self.assertNotIn("#dev", dave.rooms)

    def test_a_removed_room_operator_may_no_longer(self) -> None:
        """After /deop bob is refused what he could do."""
        self.done(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        self.done(self.chat.remove_room_operator(self.alice, "#dev", "bob"))
        self.assertIsInstance(self.published[-1], RoomOperatorRemoved)
        self.assertRaises(NotOwnerError, self.chat.lock_topic, self.bob, "#dev", True)

    def test_a_non_owner_cannot_name_operators(self) -> None:
        """Neither a member nor a room operator names room operators."""
        carol, _ = self.identified("carol", "#dev")
        self.assertRaises(NotOwnerError, self.chat.add_room_operator, self.bob, "#dev", "carol")
        self.done(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        self.assertRaises(NotOwnerError, self.chat.add_room_operator, self.bob, "#dev", "carol")
        self.assertRaises(NotOwnerError, self.chat.remove_room_operator, carol, "#dev", "bob")
        self.assertRaises(NotOwnerError, self.chat.unregister_room, self.bob, "#dev")

    def test_only_an_account_can_be_a_room_operator(self) -> None:
        """Someone online who is not identified, and not a registered nickname, is refused."""
        self.online("carol", "#dev")
        self.assertRaises(NoAccountError, self.chat.add_room_operator, self.alice, "#dev", "carol")

    def test_an_unregistered_room_has_no_operators_to_name(self) -> None:
        """/op in a room nobody registered says so."""
        self.online("dave", "#plain")
        self.assertRaises(RoomNotRegisteredError, self.chat.add_room_operator, self.alice, "#plain", "bob")

    def test_a_server_room_has_no_room_operators_and_a_room_nobody_made_is_none(self) -> None:
        """/op and /deop in #maths, a server's room, say it is the server's, with nobody in it as with members in it
        (as /register #maths does); in #nowhere, that there is no such room."""
        self.chat = self.make_chat(server_rooms=("#lobby", "#maths"))
        carol, _ = self.online("carol", "#lobby")
        for change in (self.chat.add_room_operator, self.chat.remove_room_operator):
            for room in ("#MATHS", "#lobby"):
                refused = self.assertRaises(ServerRoomError, change, carol, room, "bob")
                self.assertEqual(refused.room, room.lower())
            self.assertRaises(NoSuchRoomError, change, carol, "#nowhere", "bob")

    def test_room_operators_are_kept_by_account(self) -> None:
        """bob leaves; back under his nickname he is nobody's operator until he identifies again."""
        self.done(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        self.chat.quit(self.bob)
        bob, session = self.online("bob2", "#dev")
        self.assertRaises(NotOwnerError, self.chat.lock_topic, bob, "#dev", True)
        bob = self.chat.identify(session, bob, "bob", "")
        self.chat.lock_topic(bob, "#dev", True)
        self.assertTrue(self.chat._state.rooms.find("#dev").topic_locked)


class AccountGivenUpTests(RegistryTestCase):
    """An account given up (``/unregister PASSWORD``) takes its rooms and its room operator standing with it."""

    def setUp(self) -> None:
        super().setUp()
        self.done(self.chat.register_room(self.alice, "#dev"))
        self.done(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        self.chat.join(self.bob, "#ops")
        self.done(self.chat.register_room(self.bob, "#ops"))
        self.done(self.chat.add_room_operator(self.bob, "#ops", "alice"))

    def test_its_rooms_are_unregistered_and_the_next_holder_of_the_nickname_owns_none(self) -> None:
        """alice gives her account up: #dev is nobody's, and whoever registers alice next cannot run it.

        Rooms are kept by account name, so the next to register the
        nickname owned #dev (its key, its masks, its operators) and
        operated #ops as the old alice did.
        """
        self.kept(self.chat.drop_account(self.alice))
        self.assertIn(RoomUnregistered, [type(event) for event in self.published[-4:]])
        self.assertEqual(self.rooms.registered(), [RegisteredRoom("#ops", "bob")])
        self.chat.quit(self.alice)
        mallory, _ = self.identified("alice", "#lobby")
        self.chat.join(mallory, "#dev")
        self.assertRaises(RoomNotRegisteredError, self.chat.add_room_operator, mallory, "#dev", "alice")
        self.assertRaises(NotOperatorError, self.chat.lock_topic, mallory, "#dev", True)
        self.chat.join(mallory, "#ops")
        self.assertRaises(NotOwnerError, self.chat.lock_topic, mallory, "#ops", True)

    def test_its_operator_standing_is_taken_in_rooms_it_does_not_own(self) -> None:
        """bob gives his account up: he is no room operator of #dev, which alice keeps, and everyone there saw it."""
        self.kept(self.chat.drop_account(self.bob))
        removed = [event for event in self.published if isinstance(event, RoomOperatorRemoved)]
        self.assertEqual([(event.room, event.account) for event in removed], [("#dev", "bob")])
        self.assertIn(seen(removed[0]), self.alice_session.received)
        self.assertEqual(self.rooms.registered(), [RegisteredRoom("#dev", "alice")])


class OutlivesTests(RegistryTestCase):
    """A registered room keeps its topic, lock, owner and operators while empty, and across a restart."""

    def setUp(self) -> None:
        super().setUp()
        self.done(self.chat.register_room(self.alice, "#dev"))
        self.done(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        self.set_at = self.clock.seconds()
        self.chat.set_topic(self.alice, "#dev", "release friday")
        self.chat.lock_topic(self.alice, "#dev", True)
        self.clock.advance(60)

    def test_an_emptied_room_keeps_its_topic_and_is_not_its_next_makers(self) -> None:
        """Everyone leaves; whoever makes it again finds the topic locked and owns nothing."""
        self.chat.part(self.alice, "#dev")
        self.chat.part(self.bob, "#dev")
        carol, _ = self.online("carol", "#dev")
        self.assertEqual(self.chat.topic("#dev"), Topic("#dev", "release friday", "alice", self.set_at))
        self.assertRaises(TopicLockedError, self.chat.set_topic, carol, "#dev", "mine")
        self.assertRaises(NotOwnerError, self.chat.lock_topic, carol, "#dev", False)

    def test_an_emptied_room_is_there_with_nobody_in_it(self) -> None:
        """Everyone leaves: the room is still there under its name, with its topic and lock, nobody in it and
        nothing else set; leaving it or changing it is refused as to anyone not in it."""
        self.chat.part(self.alice, "#dev")
        self.chat.part(self.bob, "#dev")
        self.assertTrue(self.chat.has_room("#DEV"))
        self.assertEqual(self.chat.members("#DEV"), Members("#dev", (), 0))
        self.assertEqual(
            self.chat.room_modes("#DEV", self.alice),
            RoomModes("#dev", False, False, "", 0, False, False, True),
        )
        self.assertEqual(self.chat.room_summary("#dev"), RoomSummary("#dev", 0, "release friday"))
        self.assertRaises(NotInRoomError, self.chat.part, self.bob, "#dev")
        moderated = (ModeChange(Setting.MODERATED, True),)
        self.assertRaises(NotInRoomError, self.chat.change_room, self.alice, "#dev", moderated)

    def test_no_new_room_may_look_like_it_while_it_is_empty(self) -> None:
        """#dev with a Cyrillic e (U+0435) is refused while #dev is empty, across a restart, and free once it is given
        up; #DEV is #dev itself, made again under its own name. The server's rooms are as safe while empty."""
        self.chat.part(self.alice, "#dev")
        self.chat.part(self.bob, "#dev")
        carol, _ = self.online("carol")
        self.assertRaises(RoomLookAlikeError, self.chat.join, carol, "#d\u0435v")
        self.chat.part(self.alice, "#lobby")
        self.chat.part(self.bob, "#lobby")
        self.assertRaises(RoomLookAlikeError, self.chat.join, carol, "#l\u043ebby")
        chat = self.make_chat()
        chat.restore(list(self.published))
        self.chat = chat
        dave, _ = self.online("dave")
        error = self.assertRaises(RoomLookAlikeError, chat.join, dave, "#d\u0435v")
        self.assertEqual(str(error.room), "#d\u0435v")
        self.assertEqual(chat.join(dave, "#DEV").name, "#dev")
        self.assertEqual(chat.join(dave, "#LOBBY").name, "#lobby")
        chat.part(dave, "#DEV")
        alice, _ = self.identified_again("alice")
        chat.part(alice, "#dev")
        self.done(chat.unregister_room(alice, "#dev"))
        chat.join(dave, "#d\u0435v")

    def test_a_restart_keeps_owner_operators_and_topic(self) -> None:
        """A new chat on the same stores gives the room back: alice owns it, bob is its operator."""
        chat = self.make_chat()
        chat.restore(list(self.published))
        self.chat = chat
        alice, _ = self.identified_again("alice")
        bob, _ = self.identified_again("bob")
        self.assertEqual(chat.topic("#dev"), Topic("#dev", "release friday", "alice", self.set_at))
        chat.lock_topic(bob, "#dev", False)
        self.done(chat.remove_room_operator(alice, "#dev", "bob"))
        self.assertRaises(NotOwnerError, chat.lock_topic, bob, "#dev", True)

    def test_the_owner_may_unregister_it_while_empty(self) -> None:
        """Unregistered, the room is an ordinary one: gone when empty, with its topic."""
        self.chat.part(self.bob, "#dev")
        self.chat.part(self.alice, "#dev")
        self.done(self.chat.unregister_room(self.alice, "#dev"))
        self.assertIsInstance(self.published[-1], RoomUnregistered)
        self.assertEqual(self.rooms.registered(), [])
        carol, _ = self.online("carol", "#dev")
        self.assertEqual(self.chat.topic("#dev").topic, "")
        self.chat.lock_topic(carol, "#dev", True)

    def test_a_join_makes_it_anew_only_once_it_is_given_up_and_gone(self) -> None:
        """Joining #dev while it is empty, or the server's #lobby while empty, makes neither anew: each keeps its
        topic. Given up and emptied, #dev is gone, and the join that makes it again says so, for a store to give no
        topic of before back (chatd.storage.sqlite)."""
        for user in (self.alice, self.bob):
            self.chat.part(user, "#dev")
            self.chat.part(user, "#lobby")
        carol, _ = self.online("carol", "#dev", "#lobby")
        self.chat.part(carol, "#dev")
        self.done(self.chat.unregister_room(self.alice, "#dev"))
        self.chat.join(carol, "#dev")
        joins = [
            (event.room, event.actor.nick, event.made)
            for event in self.published
            if isinstance(event, Joined)
        ]
        self.assertEqual(
            joins[-3:], [("#dev", "carol", False), ("#lobby", "carol", False), ("#dev", "carol", True)]
        )

    def identified_again(self, nick: str) -> tuple[UserView, RecordingSession]:
        """``nick`` back online after a restart, identified to their account, in #dev."""
        user, session = self.online(nick + "_")
        user = self.chat.identify(session, user, nick, "")
        self.chat.join(user, "#dev")
        return user, session


CLASSROOM = (
    ModeChange(Setting.MODERATED, True),
    ModeChange(Setting.INVITE_ONLY, True),
    ModeChange(Setting.KEY, True, "homework"),
    ModeChange(Setting.LIMIT, True, "30"),
    ModeChange(Setting.BAN, True, "badkid"),
)
"""What the classroom trial set #dev to: moderated, invite-only, a key, a limit, and badkid's mask."""


class KeptSettingsTests(RegistryTestCase):
    """A registered room keeps its settings and ban masks while empty and across a restart; others do not."""

    def set_classroom(self, chat: Chat | None = None) -> None:
        """alice sets #dev as ``CLASSROOM``, kept by the store."""
        changed = (chat or self.chat).change_room(self.alice, "#dev", CLASSROOM)
        self.assertEqual(len(changed.changes), len(CLASSROOM))
        if changed.kept is not None:
            self.done(changed.kept)
        self.set_at = self.clock.seconds()

    def classroom(self, chat: Chat) -> None:
        """#dev is as ``CLASSROOM`` set it, to alice asking and to newcomers joining."""
        self.assertEqual(
            chat.room_modes("#dev", self.alice),
            RoomModes("#dev", True, True, "homework", 30, True, False, False),
        )
        self.assertEqual(
            chat.room_bans(self.alice, "#dev").bans, (RoomBan("badkid!*@*", "alice", self.set_at),)
        )
        carol, _ = self.online("carol")
        self.assertRaises(InviteOnlyError, chat.join, carol, "#dev", "homework")
        badkid, _ = self.online("badkid")
        self.assertRaises(BannedFromRoomError, chat.join, badkid, "#dev", "homework")

    def emptied(self) -> None:
        self.chat.part(self.alice, "#dev")
        self.chat.part(self.bob, "#dev")

    def test_an_emptied_registered_room_keeps_its_settings_for_whoever_comes_next(self) -> None:
        """alice registers #dev and sets it; everyone leaves: it still shows them, refuses the uninvited and the
        masked, and made again by the owner's join it is moderated with its key, limit and mask."""
        self.done(self.chat.register_room(self.alice, "#dev"))
        self.set_classroom()
        self.emptied()
        self.classroom(self.chat)
        self.chat.join(self.alice, "#dev")
        self.assertEqual(self.chat.room_modes("#dev", self.alice).limit, 30)
        self.chat.invite(self.alice, "#dev", "bob")
        self.assertRaises(RoomKeyError, self.chat.join, self.bob, "#dev")
        self.chat.join(self.bob, "#dev", "homework")
        self.assertRaises(ModeratedError, self.chat.say, self.bob, "#dev", "hello")

    def test_a_restart_gives_them_back_and_settings_set_before_registering_are_kept(self) -> None:
        """#dev set before /register, and changed after; a new chat on the same stores has every setting back."""
        self.set_classroom()
        self.done(self.chat.register_room(self.alice, "#dev"))
        self.done(self.chat.change_room(self.alice, "#dev", [ModeChange(Setting.SECRET, True)]).kept)
        self.done(self.chat.change_room(self.alice, "#dev", [ModeChange(Setting.SECRET, False)]).kept)
        chat = self.make_chat()
        chat.restore(list(self.published))
        self.chat = chat
        self.classroom(chat)
        alice, session = self.online("alice_")
        alice = chat.identify(session, alice, "alice", "")
        chat.join(alice, "#dev")
        self.assertEqual(chat.room_modes("#dev", alice).key, "homework")

    def test_standing_alone_is_no_change_to_keep(self) -> None:
        """Voicing bob in a registered room changes no settings: nothing waits for the store."""
        self.done(self.chat.register_room(self.alice, "#dev"))
        changed = self.chat.change_room(self.alice, "#dev", [ModeChange(Setting.VOICE, True, "bob")])
        self.assertEqual((len(changed.changes), changed.kept), (1, None))

    def test_an_unregistered_room_keeps_nothing_as_before(self) -> None:
        """Set but never registered, or given up, #dev emptied is gone with its settings; the next maker's is new."""
        unset = RoomModes("#dev", False, False, "", 0, False, False, False)
        self.set_classroom()
        self.emptied()
        carol, _ = self.online("carol", "#dev")
        self.assertEqual(self.chat.room_modes("#dev", carol), unset)
        self.chat.part(carol, "#dev")
        self.chat.join(self.alice, "#dev")
        self.done(self.chat.register_room(self.alice, "#dev"))
        self.set_classroom()
        self.done(self.chat.unregister_room(self.alice, "#dev"))
        self.chat.part(self.alice, "#dev")
        self.chat.join(carol, "#dev")
        self.assertEqual(self.chat.room_modes("#dev", carol), unset)
        self.assertEqual(self.rooms.registered(), [])


class ServerRoomSettingsTests(RegistryTestCase):
    """The server's #lobby keeps its settings and masks while empty and across a restart, as a registered room does:
    a class's +m is there the next morning."""

    def setUp(self) -> None:
        super().setUp()
        self.chat.grant_operator(self.alice)

    def moderate(self) -> None:
        """alice, an operator, sets #lobby moderated with badkid's mask, kept by the store; then everyone leaves."""
        changed = self.chat.change_room(
            self.alice,
            "#lobby",
            [ModeChange(Setting.MODERATED, True), ModeChange(Setting.BAN, True, "badkid")],
        )
        self.done(changed.kept)
        self.chat.part(self.alice, "#lobby")
        self.chat.part(self.bob, "#lobby")

    def first_in(self, chat: Chat) -> None:
        """carol, first into #lobby, finds it moderated and may not speak; badkid may not join."""
        carol, _ = self.online("carol", "#lobby")
        self.assertTrue(chat.room_modes("#lobby", carol).moderated)
        self.assertRaises(ModeratedError, chat.say, carol, "#lobby", "hello")
        badkid, _ = self.online("badkid")
        self.assertRaises(BannedFromRoomError, chat.join, badkid, "#lobby")

    def test_an_emptied_server_room_is_still_moderated_for_whoever_comes_next(self) -> None:
        """Set and emptied, #lobby still shows its settings, and whoever makes it again finds them."""
        self.moderate()
        self.assertTrue(self.chat.room_modes("#lobby", self.alice).moderated)
        self.first_in(self.chat)

    def test_the_first_into_an_emptied_server_room_meets_its_settings(self) -> None:
        """Emptied, #lobby still refuses badkid's mask, and once +R whoever is identified to no account, first in
        or not: before, whoever made it again came in past them all."""
        self.moderate()
        badkid, _ = self.online("badkid")
        self.assertRaises(BannedFromRoomError, self.chat.join, badkid, "#lobby")
        self.chat.join(self.alice, "#lobby")
        self.done(
            self.chat.change_room(self.alice, "#lobby", [ModeChange(Setting.REGISTERED_ONLY, True)]).kept
        )
        self.chat.part(self.alice, "#lobby")
        carol, _ = self.online("carol")
        self.assertRaises(RegisteredOnlyError, self.chat.join, carol, "#lobby")

    def test_a_restart_gives_them_back(self) -> None:
        """A new chat on the same stores has #lobby moderated, its mask set."""
        self.moderate()
        self.chat = self.make_chat()
        self.chat.restore(list(self.published))
        self.first_in(self.chat)

    def test_a_room_no_longer_the_servers_ignores_them_until_it_is_again(self) -> None:
        """Started without #lobby among its rooms, a chat makes it anew, unset; started with it again, it has them."""
        self.moderate()
        self.chat = Chat(
            self.clock, self.history, self.bus, self.limits, accounts=self.accounts, rooms=self.rooms
        )
        self.chat.restore(list(self.published))
        carol, _ = self.online("carol", "#lobby")
        self.assertFalse(self.chat.room_modes("#lobby", carol).moderated)
        self.chat = self.make_chat()
        self.chat.restore(list(self.published))
        self.first_in(self.chat)


class AnsweredRooms(MemoryRooms):
    """Registered rooms whose every change waits to be answered, as a store's commit does: ``answers`` in the
    order the changes came; one failed is a change the file refused (a full disk, say)."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[Deferred[None]] = []

    def register(
        self, room: str, name: str, owner: str, at: float, settings: RoomSettings = NO_SETTINGS
    ) -> "Deferred[None]":
        super().register(room, name, owner, at, settings)
        return self._answer()

    def unregister(self, room: str) -> "Deferred[None]":
        super().unregister(room)
        return self._answer()

    def add_operator(self, room: str, account: str) -> "Deferred[None]":
        super().add_operator(room, account)
        return self._answer()

    def remove_operator(self, room: str, account: str) -> "Deferred[None]":
        super().remove_operator(room, account)
        return self._answer()

    def change_settings(
        self, room: str, changes: Sequence[ModeChange], by: str, at: float, *, server: bool = False
    ) -> "Deferred[None]":
        super().change_settings(room, changes, by, at, server=server)
        return self._answer()

    def _answer(self) -> "Deferred[None]":
        answer: Deferred[None] = Deferred()
        self.answers.append(answer)
        return answer


def started(change: Awaitable[None] | None) -> "Deferred[None]":
    """``change`` awaited, as the front ends await it; there must be one."""
    assert change is not None

    async def waiting() -> None:
        await change

    return ensureDeferred(waiting())


class MakerTests(RegistryTestCase):
    """A room registered by a server operator is the registration's, not its maker's, whoever comes and goes."""

    def test_its_maker_back_in_the_room_has_no_standing_there(self) -> None:
        """bob made #ops; carol, an operator, registered it to herself: bob, gone and back, is none of its operators."""
        carol, _ = self.identified("carol")
        self.chat.join(self.bob, "#ops")
        self.chat.grant_operator(carol)
        self.chat.join(carol, "#ops")
        self.done(self.chat.register_room(carol, "#ops"))
        self.chat.part(self.bob, "#ops")
        self.chat.join(self.bob, "#ops")
        self.assertNotIn("bob", self.chat.members("#ops").operators)
        self.assertRaises(NotOwnerError, self.chat.lock_topic, self.bob, "#ops", True)

    def test_a_join_says_whether_it_gives_standing(self) -> None:
        """The Joined event says what the join gave: the registration's accounts yes, anyone else no, nobody in the
        server's room, a room's maker yes."""
        self.done(self.chat.register_room(self.alice, "#dev"))
        self.chat.part(self.alice, "#dev")
        self.chat.join(self.alice, "#dev")
        self.online("carol", "#dev", "#mine", "#lobby")
        joins = [(e.actor.nick, e.room, e.room_operator) for e in self.published if isinstance(e, Joined)]
        self.assertEqual(
            joins[-4:],
            [
                ("alice", "#dev", True),
                ("carol", "#dev", False),
                ("carol", "#mine", True),
                ("carol", "#lobby", False),
            ],
        )


class NotKeptTests(RegistryTestCase):
    """A change the store cannot keep is undone for everyone who saw it, and refused to its asker."""

    def room_store(self) -> AnsweredRooms:
        self.answered = AnsweredRooms()
        return self.answered

    def kept_at_once(self, change: Awaitable[None] | None) -> None:
        """``change`` kept: its answer comes at once."""
        waiting = started(change)
        self.answered.answers[-1].callback(None)
        self.successResultOf(waiting)

    def refused(self, waiting: "Deferred[None]", answer: int) -> None:
        """The store's answer number ``answer`` is a failure; ``waiting`` (its change) fails with RoomNotKeptError."""
        self.answered.answers[answer].errback(OSError("disk full"))
        self.failureResultOf(waiting, RoomNotKeptError)

    def undone(self) -> list[RoomRegistrationNotKept]:
        return [event for event in self.published if isinstance(event, RoomRegistrationNotKept)]

    def test_a_registration_not_kept_is_undone_for_everyone_in_the_room(self) -> None:
        """Registering fails: alice is refused, the room's members are told it is not registered, and it is not."""
        registering = started(self.chat.register_room(self.alice, "#dev"))
        self.assertIsInstance(self.published[-1], RoomRegistered)
        self.refused(registering, 0)
        [undone] = self.undone()
        self.assertEqual(
            (undone.room, undone.owner, undone.operators, undone.actor.nick), ("#dev", None, (), "alice")
        )
        self.assertIn(seen(undone), self.bob_session.received)
        self.assertIn(seen(undone), self.alice_session.received)
        self.assertRaises(RoomNotRegisteredError, self.chat.add_room_operator, self.alice, "#dev", "bob")

    def test_a_registration_not_kept_gives_the_room_back_to_its_maker(self) -> None:
        """alice made #dev: once her registration is undone she owns it again, and may register it once more."""
        self.refused(started(self.chat.register_room(self.alice, "#dev")), 0)
        self.assertEqual(self.undone()[0].taken, ())
        self.kept_at_once(self.chat.register_room(self.alice, "#dev"))
        self.assertIsInstance(self.published[-1], RoomRegistered)

    def test_a_room_unregistered_is_its_makers_no_more(self) -> None:
        """Kept, /unregister leaves #dev nobody's: its maker may no longer register it (told nobody owns it, and
        nothing is published), but a server operator may."""
        self.kept_at_once(self.chat.register_room(self.alice, "#dev"))
        self.kept_at_once(self.chat.unregister_room(self.alice, "#dev"))
        before = len(self.published)
        error = self.assertRaises(RoomUnownedError, self.chat.register_room, self.alice, "#dev")
        self.assertEqual((error, len(self.published)), (RoomUnownedError("#dev"), before))
        self.chat.grant_operator(self.bob)
        self.kept_at_once(self.chat.register_room(self.bob, "#dev"))
        self.assertEqual(self.rooms.registered(), [RegisteredRoom("#dev", "bob")])

    def test_an_unregistration_not_kept_gives_the_room_back_with_its_operators(self) -> None:
        """Unregistering fails: the room is alice's again, bob still its operator, and alice may /deop him."""
        self.kept_at_once(self.chat.register_room(self.alice, "#dev"))
        self.kept_at_once(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        unregistering = started(self.chat.unregister_room(self.alice, "#dev"))
        self.refused(unregistering, 2)
        [undone] = self.undone()
        self.assertEqual((undone.owner, undone.operators), ("alice", ("bob",)))
        self.chat.lock_topic(self.bob, "#dev", True)
        self.kept_at_once(self.chat.remove_room_operator(self.alice, "#dev", "bob"))

    def test_an_operator_not_kept_loses_the_standing_again(self) -> None:
        """bob made a room operator may lock the topic at once; once that fails, he may not, and all are told."""
        self.kept_at_once(self.chat.register_room(self.alice, "#dev"))
        adding = started(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        self.chat.lock_topic(self.bob, "#dev", True)
        self.refused(adding, 1)
        [undone] = self.undone()
        self.assertEqual((undone.owner, undone.operators), ("alice", ()))
        self.assertEqual((undone.given, undone.taken), ((), ("bob",)))
        self.assertIn(seen(undone), self.bob_session.received)
        self.assertRaises(NotOwnerError, self.chat.lock_topic, self.bob, "#dev", False)
        self.assertNotIn("bob", self.chat.members("#dev").operators)

    def test_settings_not_kept_are_undone_as_the_chats_change_and_refused(self) -> None:
        """+m and a mask the store refuses: alice is told her room's settings were not saved, everyone in #dev
        reads the chat's own change putting them back, and bob speaks again."""
        self.kept_at_once(self.chat.register_room(self.alice, "#dev"))
        moderating = self.chat.change_room(
            self.alice, "#dev", [ModeChange(Setting.MODERATED, True), ModeChange(Setting.BAN, True, "dave")]
        )
        waiting = started(moderating.kept)
        self.assertRaises(ModeratedError, self.chat.say, self.bob, "#dev", "hello")
        self.answered.answers[1].errback(OSError("disk full"))
        error = self.failureResultOf(waiting, RoomNotKeptError).value
        self.assertEqual((error.room, error.settings), ("#dev", True))
        undone = self.published[-1]
        assert isinstance(undone, RoomModesChanged)
        self.assertEqual(
            (undone.actor, undone.changes),
            (CHAT, (ModeChange(Setting.MODERATED, False), ModeChange(Setting.BAN, False, "dave!*@*"))),
        )
        self.assertIn(seen(undone), self.bob_session.received)
        self.chat.say(self.bob, "#dev", "hello")
        self.assertEqual(self.chat.room_bans(self.alice, "#dev").bans, ())

    def test_settings_refused_after_the_room_emptied_are_put_back_for_its_next_join(self) -> None:
        """A key the store refuses once everyone left: the room, made again, takes none."""
        self.kept_at_once(self.chat.register_room(self.alice, "#dev"))
        keying = started(self.chat.change_room(self.alice, "#dev", [ModeChange(Setting.KEY, True, "k")]).kept)
        self.chat.part(self.alice, "#dev")
        self.chat.part(self.bob, "#dev")
        self.refused(keying, 1)
        self.chat.join(self.bob, "#dev")
        self.assertEqual(self.chat.room_modes("#dev", self.bob).keyed, False)

    def test_a_server_rooms_settings_not_kept_are_undone_and_refused(self) -> None:
        """+m on the server's #lobby the store refuses: alice is told, its members read the chat's change putting
        it back, bob speaks again, and nobody is told of a registration; refused once #lobby emptied, it is
        made again unset."""
        self.chat.grant_operator(self.alice)
        moderating = started(
            self.chat.change_room(self.alice, "#lobby", [ModeChange(Setting.MODERATED, True)]).kept
        )
        self.assertRaises(ModeratedError, self.chat.say, self.bob, "#lobby", "hello")
        self.answered.answers[-1].errback(OSError("disk full"))
        error = self.failureResultOf(moderating, RoomNotKeptError).value
        self.assertEqual((error.room, error.settings), ("#lobby", True))
        undone = self.published[-1]
        assert isinstance(undone, RoomModesChanged)
        self.assertEqual((undone.actor, undone.changes), (CHAT, (ModeChange(Setting.MODERATED, False),)))
        self.assertIn(seen(undone), self.bob_session.received)
        self.assertEqual(self.undone(), [])
        self.chat.say(self.bob, "#lobby", "hello")
        keying = started(
            self.chat.change_room(self.alice, "#lobby", [ModeChange(Setting.KEY, True, "k")]).kept
        )
        self.chat.part(self.alice, "#lobby")
        self.chat.part(self.bob, "#lobby")
        self.answered.answers[-1].errback(OSError("disk full"))
        self.failureResultOf(keying, RoomNotKeptError)
        self.chat.join(self.bob, "#lobby")
        self.assertEqual(self.chat.room_modes("#lobby", self.bob).keyed, False)

    def test_two_changes_refused_together_leave_it_as_before_both(self) -> None:
        """/op then /deop of bob in one failed transaction: bob is no operator, as before either; nothing to undo."""
        self.kept_at_once(self.chat.register_room(self.alice, "#dev"))
        adding = started(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        dropping = started(self.chat.remove_room_operator(self.alice, "#dev", "bob"))
        self.refused(adding, 1)
        self.refused(dropping, 2)
        self.assertEqual(self.undone(), [])
        self.assertRaises(NotOwnerError, self.chat.lock_topic, self.bob, "#dev", True)

    def test_a_change_refused_after_an_earlier_one_was_kept_leaves_the_earlier(self) -> None:
        """/op kept, then the /deop after it refused: bob is an operator again, and may lock the topic."""
        self.kept_at_once(self.chat.register_room(self.alice, "#dev"))
        adding = started(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        dropping = started(self.chat.remove_room_operator(self.alice, "#dev", "bob"))
        self.answered.answers[1].callback(None)
        self.successResultOf(adding)
        self.refused(dropping, 2)
        [undone] = self.undone()
        self.assertEqual(undone.operators, ("bob",))
        self.assertEqual((undone.given, undone.taken), (("bob",), ()))
        self.chat.lock_topic(self.bob, "#dev", True)

    def test_a_change_refused_before_a_later_one_is_answered_keeps_the_later(self) -> None:
        """/register refused while the /op after it waits: not registered; the /op, kept later, changes nothing."""
        registering = started(self.chat.register_room(self.alice, "#dev"))
        adding = started(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        self.refused(registering, 0)
        [undone] = self.undone()
        self.assertIsNone(undone.owner)
        self.answered.answers[1].callback(None)
        self.successResultOf(adding)
        self.assertEqual(len(self.undone()), 1)
        self.assertRaises(RoomNotRegisteredError, self.chat.add_room_operator, self.alice, "#dev", "bob")

    def test_a_change_refused_while_a_later_one_waits_is_undone_under_the_later(self) -> None:
        """/op bob refused while the /deop carol after it waits: carol stays dropped, and bob is none."""
        carol, _ = self.identified("carol", "#dev")
        self.kept_at_once(self.chat.register_room(self.alice, "#dev"))
        self.kept_at_once(self.chat.add_room_operator(self.alice, "#dev", "carol"))
        adding = started(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        dropping = started(self.chat.remove_room_operator(self.alice, "#dev", "carol"))
        self.refused(adding, 2)
        [undone] = self.undone()
        self.assertEqual(undone.operators, ())
        self.answered.answers[3].callback(None)
        self.successResultOf(dropping)
        self.assertRaises(NotOwnerError, self.chat.lock_topic, carol, "#dev", True)
        self.assertRaises(NotOwnerError, self.chat.lock_topic, self.bob, "#dev", True)


class FileRefusesSettingsTests(RegistryTestCase):
    """Settings changes the SQLite store's file refuses (a full disk), on a real file: each /mode is kept or undone
    on its own, whatever the others around it become, and a mask put back is as it was set."""

    def room_store(self) -> SQLiteRooms:
        self.path = new_database(self)
        self.reactor = ThreadedReactor()
        self.store = open_store(self, self.path, self.reactor)
        return SQLiteRooms(self.store)

    def kept_by_file(self, change: Awaitable[None] | None) -> None:
        """End the pass and wait for the file to keep ``change``; there must be one."""
        waiting = started(change)
        self.reactor.advance(0)
        self.successResultOf(self.reactor.run_until(waiting))

    def refused_by_file(self, change: Awaitable[None] | None) -> None:
        """End the pass and wait for the file to refuse ``change``: its asker is told it was not kept."""
        waiting = started(change)
        self.reactor.advance(0)
        self.failureResultOf(self.reactor.run_until(waiting), RoomNotKeptError)
        self.flushLoggedErrors(sqlite3.IntegrityError)

    def refuse(self) -> None:
        """Have the file refuse every new row of settings from now on, as a full disk would."""
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(
                "CREATE TRIGGER full BEFORE INSERT ON room_settings BEGIN SELECT RAISE(ABORT, 'full'); END"
            )

    def take_back(self) -> None:
        """The file keeps what it is given again."""
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute("DROP TRIGGER full")

    def change(self, *changes: ModeChange) -> Awaitable[None] | None:
        """alice's /mode of #dev, made at once; what fires once the file keeps it."""
        return self.chat.change_room(self.alice, "#dev", changes).kept

    def in_the_file(self) -> RoomSettings:
        """#dev's settings as a daemon started again on the file finds them."""
        self.reactor.run_until(self.store.stopService())
        [kept] = SQLiteRooms(open_store(self, self.path, self.reactor)).registered()
        return kept.settings

    def test_a_mode_refused_while_a_later_one_is_kept_is_undone_alone(self) -> None:
        """+i refused by the file while the +m after it waits, then +m kept: alice is told +i was not kept, and it
        is not, in the room nor in the file; +m is, in both."""
        self.kept_by_file(self.chat.register_room(self.alice, "#dev"))
        self.refuse()
        inviting = started(self.change(ModeChange(Setting.INVITE_ONLY, True)))
        self.reactor.advance(0)  # the writer takes +i's transaction
        moderating = started(self.change(ModeChange(Setting.MODERATED, True)))
        self.reactor.advance(0)  # +m's is logged, and waits for the writer to answer for +i's
        refused_answer = self.reactor.next_from_thread(thread="chatd-store-writer")
        self.take_back()
        refused_answer()
        self.failureResultOf(inviting, RoomNotKeptError)
        self.flushLoggedErrors(sqlite3.IntegrityError)
        undone = self.published[-1]
        assert isinstance(undone, RoomModesChanged)
        self.assertEqual((undone.actor, undone.changes), (CHAT, (ModeChange(Setting.INVITE_ONLY, False),)))
        self.successResultOf(self.reactor.run_until(moderating))
        modes = self.chat.room_modes("#dev", self.alice)
        self.assertEqual((modes.invite_only, modes.moderated), (False, True))
        self.assertEqual(self.in_the_file(), RoomSettings(moderated=True))

    def test_a_mask_whose_lifting_is_refused_is_back_as_it_was_set(self) -> None:
        """alice's two masks, set a minute apart; lifting the first is refused: it is back first, set by alice then,
        as the file still has it."""
        self.kept_by_file(self.chat.register_room(self.alice, "#dev"))
        first_at = self.clock.seconds()
        self.kept_by_file(self.change(ModeChange(Setting.BAN, True, "badkid")))
        self.clock.advance(60)
        self.kept_by_file(self.change(ModeChange(Setting.BAN, True, "troll")))
        self.clock.advance(60)
        self.refuse()
        self.refused_by_file(self.change(ModeChange(Setting.BAN, False, "badkid")))
        bans = (RoomBan("badkid!*@*", "alice", first_at), RoomBan("troll!*@*", "alice", first_at + 60))
        self.assertEqual(self.chat.room_bans(self.alice, "#dev").bans, bans)
        self.assertEqual(self.in_the_file().bans, bans)

    def test_a_mask_whose_lifting_is_refused_once_the_room_emptied_is_back_as_it_was_set(self) -> None:
        """The same once everyone left #dev: made again, it has the mask as alice set it."""
        self.kept_by_file(self.chat.register_room(self.alice, "#dev"))
        set_at = self.clock.seconds()
        self.kept_by_file(self.change(ModeChange(Setting.BAN, True, "badkid")))
        self.clock.advance(60)
        self.refuse()
        lifting = self.change(ModeChange(Setting.BAN, False, "badkid"))
        self.chat.part(self.alice, "#dev")
        self.chat.part(self.bob, "#dev")
        self.refused_by_file(lifting)
        self.chat.join(self.alice, "#dev")
        self.assertEqual(
            self.chat.room_bans(self.alice, "#dev").bans, (RoomBan("badkid!*@*", "alice", set_at),)
        )


class ListedWhileEmptyTests(RegistryTestCase):
    """/rooms lists the rooms that outlive their members while nobody is in them: whoever looks finds them."""

    def test_a_registered_room_emptied_is_listed_with_nobody_and_gone_once_unregistered(self) -> None:
        """#dev, registered, is listed with 0 members once alice and bob leave; #tmp, not registered, goes."""
        self.done(self.chat.register_room(self.alice, "#dev"))
        self.chat.join(self.alice, "#tmp")
        for user in (self.alice, self.bob):
            self.chat.part(user, "#dev")
        self.chat.part(self.alice, "#tmp")
        self.assertEqual(self.chat.rooms().rooms, (RoomSummary("#dev", 0, ""), RoomSummary("#lobby", 2, "")))
        self.done(self.chat.unregister_room(self.alice, "#dev"))
        self.assertEqual([summary.room for summary in self.chat.rooms().rooms], ["#lobby"])
