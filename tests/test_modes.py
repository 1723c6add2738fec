"""A room's settings, its members' standing, ban masks and invites, in the chat domain alone (issue 15)."""

from collections.abc import Awaitable

from disarm import skeleton_key

from chatd.domain import names
from chatd.domain.errors import (
    BannedFromRoomError,
    InvalidMaskError,
    InvalidRoomKeyError,
    InvalidRoomLimitError,
    InviteOnlyError,
    ModeratedError,
    MutedError,
    NoSuchNicknameError,
    NotInRoomError,
    NotOwnerError,
    RegisteredOnlyError,
    RegisteredSpeechError,
    RejoinTooSoonError,
    RoomFullError,
    RoomKeyError,
    TooManyRoomBansError,
    TopicLockedError,
    UserInRoomError,
    UserNotInRoomError,
)
from chatd.domain.events import Actor, Invited, ModeChange, RoomBan, RoomModesChanged, Setting
from chatd.domain.modes import KEY_MAX, LIMIT_MOST, ROOM_BANS_MOST
from chatd.domain.ports import UserView
from chatd.domain.replies import Members, RoomBanList, RoomModes, RoomSummary, Standing, Whois
from chatd.domain.state import ChatState
from chatd.domain.users import INVITES_KEPT
from chatd.line.wording import word
from tests.events import said, seen
from tests.helpers import ChatTestCase, RecordingSession, state_facts

INVITE_ONLY = ModeChange(Setting.INVITE_ONLY, True)
MODERATED = ModeChange(Setting.MODERATED, True)
SECRET = ModeChange(Setting.SECRET, True)
REGISTERED_ONLY = ModeChange(Setting.REGISTERED_ONLY, True)
REGISTERED_SPEECH = ModeChange(Setting.REGISTERED_SPEECH, True)


def key(text: str) -> ModeChange:
    return ModeChange(Setting.KEY, True, text)


def limit(text: str) -> ModeChange:
    return ModeChange(Setting.LIMIT, True, text)


def op(nick: str, on: bool = True) -> ModeChange:
    return ModeChange(Setting.OPERATOR, on, nick)


def voice(nick: str, on: bool = True) -> ModeChange:
    return ModeChange(Setting.VOICE, on, nick)


def ban(mask: str, on: bool = True) -> ModeChange:
    return ModeChange(Setting.BAN, on, mask)


def changed(at: float, room: str, nick: str, seq: int, *changes: ModeChange) -> RoomModesChanged:
    return RoomModesChanged(id="", at=at, actor=Actor(nick), room=room, seq=seq, changes=changes)


class ModesTestCase(ChatTestCase):
    """alice made #dev and is its operator; bob is in it; carol is online elsewhere; op is an operator."""

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_session = self.online("alice", "#dev")
        self.bob, self.bob_session = self.online("bob", "#dev", address="10.0.0.2")
        self.carol, self.carol_session = self.online("carol", "#lobby", address="10.0.0.3")
        self.op, self.op_session = self.online("op")
        self.chat.grant_operator(self.op)

    def change(self, by: UserView, *changes: ModeChange) -> tuple[ModeChange, ...]:
        return self.chat.change_room(by, "#dev", changes).changes

    def named(self, change: Awaitable[None] | None) -> None:
        """Wait for a room operator named or dropped to be kept; None would mean nothing changed."""
        assert change is not None, "the room operator changed"
        self.kept(change)


class ChangeRoomTests(ModesTestCase):
    def test_one_request_is_one_event_to_the_room_and_the_asker(self) -> None:
        """Several changes are one event, in order, to every member and to an operator outside the room."""
        made = self.change(self.op, INVITE_ONLY, key("hunter2"), voice("BOB"))
        expected = changed(100, "#dev", "op", 3, INVITE_ONLY, key("hunter2"), voice("bob"))
        self.assertEqual(made, expected.changes)
        for session in (self.alice_session, self.bob_session, self.op_session):
            self.assertEqual(seen(session.received[-1]), expected)
        self.assertNotIn(expected, [seen(event) for event in self.carol_session.received])
        self.assertEqual(
            self.chat.room_modes("#dev", self.bob),
            RoomModes("#dev", True, True, "hunter2", 0, False, False, False),
        )

    def test_what_holds_already_is_left_out_and_nothing_left_publishes_nothing(self) -> None:
        """A flag already on, a second +o of the same member, -b of no mask: dropped; an empty request is silent."""
        self.change(self.alice, INVITE_ONLY)
        before = len(self.published)
        made = self.change(
            self.alice, INVITE_ONLY, op("alice"), ban("nobody", on=False), limit("5"), limit("5")
        )
        self.assertEqual(made, (limit("5"),))
        self.assertEqual(self.change(self.alice, INVITE_ONLY, op("alice")), ())
        self.assertEqual(len(self.published), before + 1)

    def test_later_changes_see_the_earlier_ones(self) -> None:
        """+i then -i in one request are both made, as asked; +b then -b of one mask, both (the -b as typed)."""
        made = self.change(
            self.alice, INVITE_ONLY, ModeChange(Setting.INVITE_ONLY, False), ban("x"), ban("X", False)
        )
        self.assertEqual(
            made, (INVITE_ONLY, ModeChange(Setting.INVITE_ONLY, False), ban("x!*@*"), ban("X!*@*", False))
        )
        self.assertEqual(self.chat.room_bans(self.alice, "#dev"), RoomBanList("#dev", ()))

    def test_all_or_nothing(self) -> None:
        """A bad change after good ones refuses the whole request: nothing changes, nothing is published."""
        before = len(self.published)
        for bad, error in (
            (key("two words"), InvalidRoomKeyError("two words", KEY_MAX)),
            (key(""), InvalidRoomKeyError("", KEY_MAX)),
            (limit("0"), InvalidRoomLimitError("0", LIMIT_MOST)),
            (limit("ten"), InvalidRoomLimitError("ten", LIMIT_MOST)),
            (ban("a b"), InvalidMaskError("a b", 100)),
            (op("nobody"), NoSuchNicknameError("nobody")),
            (voice("carol"), UserNotInRoomError("carol", "#dev")),
        ):
            raised = self.assertRaises(type(error), self.change, self.alice, INVITE_ONLY, MODERATED, bad)
            self.assertEqual(raised, error)
        self.assertEqual(len(self.published), before)
        self.assertEqual(
            self.chat.room_modes("#dev"), RoomModes("#dev", False, False, "", 0, False, False, False)
        )

    def test_only_the_rooms_authority_changes_it(self) -> None:
        """A member without standing gets not-owner, and nothing changes."""
        error = self.assertRaises(NotOwnerError, self.change, self.bob, INVITE_ONLY)
        self.assertEqual(word(error), "only the owner of #dev and operators may do that")
        self.assertEqual(self.chat.room_modes("#dev").invite_only, False)

    def test_the_rooms_bans_are_bounded(self) -> None:
        """A room keeps at most ROOM_BANS_MOST masks; one more is refused, whole request and all."""
        self.change(self.alice, *(ban(f"n{n}") for n in range(ROOM_BANS_MOST - 1)))
        error = self.assertRaises(TooManyRoomBansError, self.change, self.alice, ban("last"), ban("more"))
        self.assertEqual(error, TooManyRoomBansError("#dev", ROOM_BANS_MOST))
        self.assertEqual(len(self.chat.room_bans(self.alice, "#dev").bans), ROOM_BANS_MOST - 1)
        self.change(self.alice, ban("n0", False), ban("last"), ban("more", False))


class StandingTests(ModesTestCase):
    def test_the_maker_is_an_operator_from_the_join_and_members_show_standing(self) -> None:
        """The room's maker is its operator; +o and +v show in the members listing and standing."""
        self.assertEqual(
            self.chat.members("#dev"), Members("#dev", ("alice", "bob"), 2, operators=("alice",))
        )
        self.change(self.alice, op("bob"), voice("bob"))
        self.assertEqual(
            self.chat.members("#dev"),
            Members("#dev", ("alice", "bob"), 2, operators=("alice", "bob"), voiced=("bob",)),
        )
        self.assertEqual(self.chat.standing("#DEV", "BOB"), Standing("#dev", "bob", True, True))
        self.assertRaises(UserNotInRoomError, self.chat.standing, "#dev", "carol")

    def test_a_room_operator_has_the_rooms_authority(self) -> None:
        """bob, made an operator, kicks, locks, sets a locked topic and changes the room; -o takes it away."""
        self.chat.lock_topic(self.alice, "#dev", True)
        self.assertRaises(TopicLockedError, self.chat.set_topic, self.bob, "#dev", "mine")
        self.change(self.alice, op("bob"))
        self.chat.set_topic(self.bob, "#dev", "mine")
        self.chat.join(self.carol, "#dev")
        self.chat.kick(self.bob, "carol", "#dev")
        self.change(self.bob, op("bob", on=False))
        self.assertRaises(NotOwnerError, self.change, self.bob, INVITE_ONLY)

    def test_standing_goes_when_its_holder_leaves(self) -> None:
        """An operator who parts is no operator on coming back; the maker, still the owner, is again."""
        self.change(self.alice, op("bob"), voice("bob"))
        self.chat.join(self.carol, "#dev")
        self.chat.part(self.bob, "#dev")
        self.chat.part(self.alice, "#dev")
        self.chat.join(self.bob, "#dev")
        self.chat.join(self.alice, "#dev")
        self.assertEqual(self.chat.members("#dev").operators, ("alice",))
        self.assertEqual(self.chat.members("#dev").voiced, ())

    def test_a_room_operator_may_not_register_the_room(self) -> None:
        """Registering takes ownership: operator standing is not enough."""
        self.kept(self.chat.register_account(self.bob, "HASH"))
        self.change(self.alice, op("bob"))
        self.assertRaises(NotOwnerError, self.chat.register_room, self.bob, "#dev")

    def test_a_registered_rooms_accounts_hold_standing_while_there(self) -> None:
        """The owner's and room operators' accounts are operators on joining, and /op and /deop give and take it."""
        self.kept(self.chat.register_account(self.alice, "HASH"))
        self.kept(self.chat.register_account(self.bob, "HASH"))
        self.kept(self.chat.register_room(self.alice, "#dev"))
        self.named(self.chat.add_room_operator(self.alice, "#dev", "bob"))
        self.assertEqual(self.chat.members("#dev").operators, ("alice", "bob"))
        self.named(self.chat.remove_room_operator(self.alice, "#dev", "bob"))
        self.assertEqual(self.chat.members("#dev").operators, ("alice",))
        self.assertRaises(NotOwnerError, self.change, self.bob, INVITE_ONLY)
        self.chat.part(self.alice, "#dev")
        self.chat.join(self.alice, "#dev")
        self.assertEqual(self.chat.members("#dev").operators, ("alice",))


class JoinTests(ModesTestCase):
    def test_invite_only_refuses_the_uninvited_and_an_invite_lets_in_once(self) -> None:
        """carol is refused; invited, she joins; having left, she is refused again."""
        self.change(self.alice, INVITE_ONLY)
        error = self.assertRaises(InviteOnlyError, self.chat.join, self.carol, "#DEV")
        self.assertEqual(word(error), "#dev is invite-only; ask one of its operators to /invite you")
        self.chat.invite(self.alice, "#dev", "carol")
        self.chat.join(self.carol, "#dev")
        self.chat.part(self.carol, "#dev")
        self.assertRaises(InviteOnlyError, self.chat.join, self.carol, "#dev")

    def test_a_key_is_needed_and_compared_exactly(self) -> None:
        """No key or another key is refused; the key as set lets in."""
        self.change(self.alice, key("Hunter2"))
        for given in ("", "hunter2"):
            error = self.assertRaises(RoomKeyError, self.chat.join, self.carol, "#dev", given)
            self.assertEqual(word(error), "#dev takes a key to join; /join #dev KEY")
        self.chat.join(self.carol, "#dev", "Hunter2")

    def test_a_full_room_refuses_one_more(self) -> None:
        """With a limit of 2 and two members, a third is refused; the limit lifted, she joins."""
        self.change(self.alice, limit("02"))
        self.assertEqual(self.chat.room_modes("#dev").limit, 2)
        error = self.assertRaises(RoomFullError, self.chat.join, self.carol, "#dev")
        self.assertEqual(word(error), "#dev is full: it takes at most 2 members")
        self.change(self.alice, ModeChange(Setting.LIMIT, False))
        self.chat.join(self.carol, "#dev")

    def test_a_ban_mask_keeps_out_by_nickname_or_address(self) -> None:
        """A mask on carol's address, or on her nickname in any case, refuses her join."""
        for mask in ("*!*@10.0.0.3", "CAR*"):
            self.change(self.alice, ban(mask))
            error = self.assertRaises(BannedFromRoomError, self.chat.join, self.carol, "#dev")
            self.assertEqual(word(error), "you are banned from #dev")
            self.change(self.alice, ban(mask, False))
        self.chat.join(self.carol, "#dev")

    def test_the_rooms_settings_are_said_before_the_kicks_wait(self) -> None:
        """bob, banned then kicked, is told he is banned, not that he may join again in a minute: he may not.
        Of a room with a key, he is told it takes one; given it, he is told to wait."""
        self.change(self.alice, ban("bob"), key("k"))
        self.chat.kick(self.alice, "bob", "#dev")
        error = self.assertRaises(BannedFromRoomError, self.chat.join, self.bob, "#dev", "k")
        self.assertEqual(word(error), "you are banned from #dev")
        self.change(self.alice, ban("bob", False))
        self.assertRaises(RoomKeyError, self.chat.join, self.bob, "#dev")
        self.assertRaises(RejoinTooSoonError, self.chat.join, self.bob, "#dev", "k")

    def test_authority_passes_every_setting(self) -> None:
        """An operator joins a room invite-only, keyed, full and with a mask on them."""
        self.change(self.alice, INVITE_ONLY, key("k"), limit("2"), ban("op"))
        self.chat.join(self.op, "#dev")
        self.assertIn("op", self.chat.members("#dev").nicks)


class RegisteredOnlyTests(ModesTestCase):
    """+R and +M: a room for users identified to an account, to join or to speak, so a nickname changed after
    a mute or a ban by nickname does not get someone back in."""

    def identify(self, user: UserView) -> None:
        self.kept(self.chat.register_account(user, "hash"))

    def test_an_unidentified_user_is_refused_and_let_in_once_identified(self) -> None:
        """carol, identified to no account, is refused with how to become one; registered, she joins."""
        self.assertEqual(self.change(self.alice, REGISTERED_ONLY), (REGISTERED_ONLY,))
        self.assertTrue(self.chat.room_modes("#dev").registered_only)
        error = self.assertRaises(RegisteredOnlyError, self.chat.join, self.carol, "#dev")
        self.assertEqual(error.code, "registered-only")
        self.assertEqual(
            word(error), "#dev lets in only users identified to an account: /register or /identify first"
        )
        self.identify(self.carol)
        self.chat.join(self.carol, "#dev")
        self.assertIn("carol", self.chat.members("#dev").nicks)

    def test_authority_passes_and_members_inside_stay(self) -> None:
        """An operator, not identified, joins; bob, inside already and not identified, stays and speaks."""
        self.change(self.alice, REGISTERED_ONLY)
        self.chat.join(self.op, "#dev")
        self.assertEqual(self.chat.members("#dev").nicks, ("alice", "bob", "op"))
        self.chat.say(self.bob, "#dev", "still here")

    def test_only_identified_members_speak_bar_the_voiced_and_authority(self) -> None:
        """Under +M bob is refused until identified or voiced; alice, its operator, speaks throughout."""
        self.change(self.alice, REGISTERED_SPEECH)
        self.assertTrue(self.chat.room_modes("#dev").registered_speech)
        error = self.assertRaises(RegisteredSpeechError, self.chat.say, self.bob, "#dev", "hi")
        self.assertEqual(error.code, "registered-speech")
        self.assertEqual(
            word(error), "#dev lets only members identified to an account speak: /register or /identify first"
        )
        self.assertRaises(RegisteredSpeechError, self.chat.act, self.bob, "#dev", "waves")
        self.chat.say(self.alice, "#dev", "quiet please")
        self.change(self.alice, voice("bob"))
        self.chat.say(self.bob, "#dev", "voiced")
        self.change(self.alice, voice("bob", False))
        self.identify(self.bob)
        self.chat.say(self.bob, "#dev", "identified")


class SpeechTests(ModesTestCase):
    def test_a_moderated_room_hears_only_operators_and_the_voiced(self) -> None:
        """bob is refused until voiced; alice, its operator, speaks throughout."""
        self.change(self.alice, MODERATED)
        error = self.assertRaises(ModeratedError, self.chat.say, self.bob, "#dev", "hi")
        self.assertEqual(word(error), "#dev is moderated: only its operators and voiced members speak")
        self.assertRaises(ModeratedError, self.chat.act, self.bob, "#dev", "waves")
        self.chat.say(self.alice, "#dev", "quiet please")
        self.change(self.alice, voice("bob"))
        self.chat.say(self.bob, "#dev", "hi")
        self.assertEqual(seen(self.alice_session.received[-1]), said(100, "#dev", "bob", "hi", seq=6))

    def test_a_member_a_mask_covers_cannot_speak(self) -> None:
        """A new mask silences bob at once, as does a new nickname it covers; lifted, he speaks again."""
        self.change(self.alice, ban("*!*@10.0.0.2"))
        self.assertRaises(BannedFromRoomError, self.chat.say, self.bob, "#dev", "hi")
        self.change(self.alice, ban("*!*@10.0.0.2", False), ban("mallory"))
        self.chat.say(self.bob, "#dev", "hi")
        self.chat.rename(self.bob, "Mallory")
        self.assertRaises(BannedFromRoomError, self.chat.say, self.bob, "#dev", "hi")
        self.chat.rename(self.bob, "bob")
        self.chat.say(self.bob, "#dev", "back")

    def test_a_line_or_a_join_past_masks_while_someone_is_muted_works_out_no_look(self) -> None:
        """With a nickname muted and masks set, a line said and a join checked against the masks work out no
        nickname's look (chatd.domain.names.look, microseconds each): the look each user keeps serves."""
        self.change(self.alice, ban("mallory"), ban("*!*@192.0.2.*"))
        self.chat.mute(self.op, "zed", 600)
        looks: list[str] = []

        def counted(name: str, digit_policy: str) -> str:
            looks.append(name)
            return skeleton_key(name, digit_policy=digit_policy)

        # Looks are cached (names.look): emptied, so a look worked out again reaches the count.
        names.look.cache_clear()
        self.patch(names, "skeleton_key", counted)
        self.chat.say(self.bob, "#dev", "hi")
        self.chat.join(self.carol, "#dev")
        self.chat.say(self.carol, "#dev", "hi")
        self.assertEqual(looks, [])

    def test_a_new_nickname_that_looks_like_a_mask_is_covered(self) -> None:
        """bob renamed m\u0430llory (a Cyrillic a) is covered by the mask mallory, by the look of his new nickname;
        renamed again, by neither."""
        self.change(self.alice, ban("mallory"))
        self.chat.rename(self.bob, "m\u0430llory")
        self.assertRaises(BannedFromRoomError, self.chat.say, self.bob, "#dev", "hi")
        self.chat.rename(self.bob, "bob")
        self.chat.say(self.bob, "#dev", "back")


class SecretTests(ModesTestCase):
    def test_a_secret_room_is_listed_only_to_its_members(self) -> None:
        """carol's /rooms leaves #dev out, bob's has it in its place; so does whois."""
        self.chat.join(self.carol, "#zoo")
        self.change(self.alice, SECRET)
        everyone = (RoomSummary("#lobby", 1, ""), RoomSummary("#zoo", 1, ""))
        self.assertEqual(self.chat.rooms(asker=self.carol).rooms, everyone)
        self.assertEqual(self.chat.rooms().total, 2)
        members = self.chat.rooms(asker=self.bob)
        self.assertEqual((members.rooms[0].room, members.total), ("#dev", 3))
        self.assertEqual(self.chat.whois(self.carol, "bob"), Whois("bob", (), "", False, ""))
        self.assertEqual(self.chat.whois(self.alice, "bob").rooms, ("#dev",))
        self.assertEqual(self.chat.whois(None, "alice").rooms, ())
        self.change(self.alice, ModeChange(Setting.SECRET, False))
        self.assertEqual(self.chat.rooms(asker=self.carol).total, 3)

    def test_the_key_is_shown_to_members_and_authority_only(self) -> None:
        """Everyone sees that a room takes a key; only its members and operators see the key."""
        self.change(self.alice, key("hunter2"))
        self.assertEqual(self.chat.room_modes("#dev", self.carol).key, "")
        self.assertTrue(self.chat.room_modes("#dev", self.carol).keyed)
        self.assertEqual(self.chat.room_modes("#dev", self.op).key, "hunter2")

    def test_ban_masks_are_listed_to_members_and_authority(self) -> None:
        """Oldest first, with who set each and when; someone outside the room is refused."""
        self.change(self.alice, ban("x"), ban("*@10.*"))
        self.clock.advance(5)
        self.change(self.op, ban("y"))
        self.assertEqual(
            self.chat.room_bans(self.bob, "#dev"),
            RoomBanList(
                "#dev",
                (
                    RoomBan("x!*@*", "alice", 100),
                    RoomBan("*!*@10.*", "alice", 100),
                    RoomBan("y!*@*", "op", 105),
                ),
            ),
        )
        self.assertEqual(self.chat.room_bans(self.op, "#dev").room, "#dev")
        self.assertRaises(NotInRoomError, self.chat.room_bans, self.carol, "#dev")


class InviteTests(ModesTestCase):
    def test_the_invited_the_inviter_and_the_operators_are_told(self) -> None:
        """bob invites carol: carol, bob and alice (the room's operator) get it; nobody else."""
        told_op = self.op_session.received  # the grant, told op's sessions
        self.chat.invite(self.bob, "#DEV", "CAROL")
        expected = Invited(id="", at=100, actor=Actor("bob"), room="#dev", seq=3, nick="carol")
        for session in (self.carol_session, self.bob_session, self.alice_session):
            self.assertEqual(seen(session.received[-1]), expected)
        self.assertEqual(self.op_session.received, told_op)

    def test_refusals(self) -> None:
        """From outside the room, of a member, of nobody, by a muted member, or in an invite-only room by a
        member without authority: each refused."""
        self.assertRaises(NotInRoomError, self.chat.invite, self.carol, "#dev", "op")
        error = self.assertRaises(UserInRoomError, self.chat.invite, self.alice, "#dev", "Bob")
        self.assertEqual(word(error), "bob is in #dev already")
        self.assertRaises(NoSuchNicknameError, self.chat.invite, self.alice, "#dev", "nobody")
        self.change(self.alice, INVITE_ONLY)
        self.assertRaises(NotOwnerError, self.chat.invite, self.bob, "#dev", "carol")
        self.chat.mute(self.op, "alice", None)
        self.assertRaises(MutedError, self.chat.invite, self.alice, "#dev", "carol")

    def test_a_user_holds_a_bounded_number_of_invites(self) -> None:
        """Past INVITES_KEPT the oldest invite goes, so they cannot pile up."""
        for n in range(INVITES_KEPT + 1):
            maker, _ = self.online(f"maker{n}", f"#r{n}")
            self.chat.change_room(maker, f"#r{n}", [INVITE_ONLY])
            self.chat.invite(maker, f"#r{n}", "carol")
        self.assertRaises(InviteOnlyError, self.chat.join, self.carol, "#r0")
        self.chat.join(self.carol, f"#r{INVITES_KEPT}")


class ReplayTests(ModesTestCase):
    def test_replaying_the_events_gives_the_same_state(self) -> None:
        """Settings, standing, masks, invites and listings are what the published events say."""
        self.change(self.alice, INVITE_ONLY, key("k"), limit("9"), SECRET, MODERATED, op("bob"), voice("bob"))
        self.change(self.alice, ban("*!*@10.0.0.2"), ban("carol"))
        self.chat.invite(self.alice, "#dev", "carol")
        self.chat.invite(self.alice, "#dev", "op")
        self.chat.join(self.op, "#dev")
        self.chat.rename(self.bob, "robert")
        self.change(self.alice, ban("*!*@10.0.0.2", False), ModeChange(Setting.SECRET, False))
        self.chat.part(self.bob, "#dev", "")
        replayed = ChatState()
        for event in self.published:
            replayed.apply(event)
        self.assertEqual(state_facts(replayed), state_facts(self.chat._state))

    def test_a_new_session_sees_the_same_room(self) -> None:
        """A second session's user is an ordinary member: the session plays no part in standing."""
        session = RecordingSession(self.audience)
        dave = self.chat.register(session, "dave")
        self.chat.join(dave, "#dev")
        self.assertEqual(self.chat.standing("#dev", "dave"), Standing("#dev", "dave", False, False))
