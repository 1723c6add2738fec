"""Who is told of a change of someone's account, in the chat domain alone (IRC's account-notify)."""

from typing import cast

from twisted.internet.defer import Deferred, ensureDeferred, fail
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.chat import Chat
from chatd.domain.errors import (
    AccountNotKeptError,
    AccountsFullError,
    NotOperatorError,
    RegisterThrottledError,
    UnknownAccountError,
)
from chatd.domain.events import (
    AccountDropped,
    AccountNotDropped,
    AccountNotKept,
    AccountRegistered,
    Actor,
    Event,
    Identified,
    PasswordSet,
)
from chatd.domain.flood import Budgets
from chatd.domain.limits import Limits
from chatd.domain.ports import Session
from chatd.storage.memory_accounts import MemoryAccounts
from chatd.storage.memory_rooms import MemoryRooms
from tests.helpers import ChatTestCase, RecordingSession


class RefusingAccounts(MemoryAccounts):
    """Accounts whose store cannot keep a new account (a full disk, say)."""

    def create(self, nick: str, hashed: str, at: float) -> "Deferred[None]":
        super().create(nick, hashed, at)
        return fail(OSError("disk full"))


class UnforgettingAccounts(MemoryAccounts):
    """Accounts whose store cannot forget one (a full disk, say): it is back in memory, as the SQLite store puts it."""

    def delete(self, account: str) -> "Deferred[None]":
        nick = self.nick(account)
        super().delete(account)
        self.create(nick, "HASH", 0.0)
        return fail(OSError("disk full"))


class AccountNotifyTests(ChatTestCase):
    """alice is in #lobby with bob and in #dev with carol; dave shares no room with her."""

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_session = self.online("alice", "#lobby", "#dev")
        _, self.bob_session = self.online("bob", "#lobby")
        _, self.carol_session = self.online("carol", "#dev")
        _, self.dave_session = self.online("dave", "#elsewhere")
        self.roommates: list[Session] = [self.alice_session, self.bob_session, self.carol_session]

    def last(self, kind: type[Event]) -> tuple[Event, list[Session]]:
        """The last delivery of an event of ``kind``: the event and its sessions."""
        return next(
            (event, sessions)
            for event, sessions in reversed(self.audience.deliveries)
            if isinstance(event, kind)
        )

    def test_registering_an_account_is_told_to_the_user_and_their_roommates(self) -> None:
        """AccountRegistered reaches alice and everyone sharing a room with her, once each; nobody else."""
        self.kept(self.chat.register_account(self.alice, "HASH"))
        event, sessions = self.last(AccountRegistered)
        assert isinstance(event, AccountRegistered)
        self.assertEqual((event.actor.nick, event.account), ("alice", "alice"))
        self.assertCountEqual(sessions, self.roommates)

    def test_giving_an_account_up_is_told_to_the_user_and_their_roommates(self) -> None:
        """AccountDropped reaches the same people as the registration did."""
        self.kept(self.chat.register_account(self.alice, "HASH"))
        self.kept(self.chat.drop_account(self.alice))
        event, sessions = self.last(AccountDropped)
        self.assertEqual(event.actor.nick, "alice")
        self.assertCountEqual(sessions, self.roommates)

    def test_identifying_is_told_to_the_user_and_their_roommates_before_the_rename(self) -> None:
        """Someone in rooms who proves an account is shown identified to their roommates, then renamed to it."""
        self.kept(self.chat.register_account(self.alice, "HASH"))
        self.chat.quit(self.alice)
        again, again_session = self.online("alice_", "#lobby", "#dev")
        self.chat.identify(again_session, again, "alice", "")
        event, sessions = self.last(Identified)
        assert isinstance(event, Identified)
        self.assertEqual((event.actor.nick, event.actor.account, event.account), ("alice_", None, "alice"))
        self.assertCountEqual(sessions, [again_session, self.bob_session, self.carol_session])
        self.assertEqual(self.chat.online("ALICE"), "alice")

    def test_identifying_from_a_new_connection_is_told_to_that_user_alone(self) -> None:
        """A connection with no user yet that proves an account nobody holds online shares no room: only it is told."""
        self.kept(self.chat.register_account(self.alice, "HASH"))
        self.chat.quit(self.alice)
        session = RecordingSession(self.audience)
        self.chat.identify(session, None, "alice", "10.0.0.1")
        _, sessions = self.last(Identified)
        self.assertEqual(sessions, [session])

    def test_a_second_connection_of_an_account_is_told_to_its_user_alone(self) -> None:
        """Proving an account already online adds a session and changes nothing for the roommates: only the
        user's sessions, the new one among them, are told."""
        self.kept(self.chat.register_account(self.alice, "HASH"))
        second = RecordingSession(self.audience)
        self.chat.identify(second, None, "alice", "10.0.0.1")
        _, sessions = self.last(Identified)
        self.assertEqual(sessions, [self.alice_session, second])

    def test_an_account_not_kept_is_told_to_the_user_and_their_roommates(self) -> None:
        """A registration the store could not keep is undone by AccountNotKept, told as the registration was."""
        self.chat = Chat(self.clock, self.history, self.bus, accounts=RefusingAccounts(), rooms=MemoryRooms())
        self.audience.deliveries.clear()
        alice, alice_session = self.online("alice", "#lobby")
        _, bob_session = self.online("bob", "#lobby")
        self.online("dave")

        async def registering() -> None:
            await self.chat.register_account(alice, "HASH")

        self.failureResultOf(ensureDeferred(registering()), AccountNotKeptError)
        registered, told = self.last(AccountRegistered)
        undone, sessions = self.last(AccountNotKept)
        self.assertEqual((registered.actor.nick, undone.actor.nick), ("alice", "alice"))
        self.assertCountEqual(told, [alice_session, bob_session])
        self.assertCountEqual(sessions, [alice_session, bob_session])
        self.assertIsNone(alice.account)

    def test_an_unregistering_not_kept_is_told_to_every_connection_and_the_roommates(self) -> None:
        """Giving up an account the store could not forget is taken back by AccountNotDropped, told as the
        giving up was: to each of alice's connections (the one that asked and another) and her roommates."""
        self.chat = Chat(
            self.clock, self.history, self.bus, accounts=UnforgettingAccounts(), rooms=MemoryRooms()
        )
        alice, alice_session = self.online("alice", "#lobby")
        _, bob_session = self.online("bob", "#lobby")
        self.online("dave")
        self.kept(self.chat.register_account(alice, "HASH"))
        second = RecordingSession(self.audience)
        self.chat.identify(second, None, "alice", "10.0.0.1")
        self.audience.deliveries.clear()

        async def unregistering() -> None:
            await self.chat.drop_account(alice)

        self.failureResultOf(ensureDeferred(unregistering()), AccountNotKeptError)
        _, told = self.last(AccountDropped)
        undone, sessions = self.last(AccountNotDropped)
        self.assertEqual((undone.actor.nick, cast(AccountNotDropped, undone).account), ("alice", "alice"))
        self.assertCountEqual(told, [alice_session, second, bob_session])
        self.assertCountEqual(sessions, [alice_session, second, bob_session])
        self.assertEqual(alice.account, "alice")


class UnchangingAccounts(MemoryAccounts):
    """Accounts whose store cannot keep a new hash (a full disk, say)."""

    def change(self, account: str, hashed: str) -> "Deferred[None]":
        return fail(OSError("disk full"))


class OperatorAccountTests(ChatTestCase):
    """An operator's acts on someone's account: alice registered hers and shares #lobby with bob; boss operates."""

    def setUp(self) -> None:
        super().setUp()
        self.boss, self.boss_session = self.online("boss", address="10.0.0.9")
        self.chat.grant_operator(self.boss)

    def alice(self, accounts: MemoryAccounts) -> None:
        """A chat on ``accounts`` where alice registered her nickname, then went offline."""
        self.chat = Chat(self.clock, self.history, self.bus, accounts=accounts, rooms=MemoryRooms())
        self.boss, self.boss_session = self.online("boss", address="10.0.0.9")
        self.chat.grant_operator(self.boss)
        alice, _ = self.online("alice")
        self.kept(self.chat.register_account(alice, "HASH"))
        self.chat.quit(alice)
        self.published.clear()

    def test_the_owner_online_alone_is_told_of_a_new_password_and_stays_identified(self) -> None:
        """PasswordSet names boss and reaches alice's sessions alone, once the hash is kept; she is identified still."""
        alice, alice_session = self.online("alice", "#lobby")
        self.online("bob", "#lobby")
        self.kept(self.chat.register_account(alice, "HASH"))
        self.audience.deliveries.clear()
        self.kept(self.chat.set_password(self.boss, "Alice", "NEW-HASH"))
        ((event, sessions),) = self.audience.deliveries
        self.assertEqual(
            (type(event), event.actor.nick, cast(PasswordSet, event).account), (PasswordSet, "boss", "alice")
        )
        self.assertEqual(sessions, [alice_session])
        self.assertEqual(alice.account, "alice")

    def test_a_new_password_not_kept_changes_nothing_and_tells_nobody(self) -> None:
        """A store that cannot keep the hash refuses it (AccountNotKeptError), and nothing is told or logged."""
        self.alice(UnchangingAccounts())

        async def setting() -> None:
            await self.chat.set_password(self.boss, "alice", "NEW-HASH")

        self.failureResultOf(ensureDeferred(setting()), AccountNotKeptError)
        self.assertEqual(self.published, [])

    def test_only_an_operator_acts_on_an_account_and_only_on_one_there_is(self) -> None:
        """bob is refused as for any operator's request; a nickname no account has is named back, with the account
        that only looks like it, which is left alone."""
        alice, _ = self.online("alice")
        self.kept(self.chat.register_account(alice, "HASH"))
        bob, _ = self.online("bob")
        self.assertRaises(NotOperatorError, self.chat.set_password, bob, "alice", "NEW-HASH")
        self.assertRaises(NotOperatorError, self.chat.drop_account_of, bob, "alice")
        refused = self.assertRaises(UnknownAccountError, self.chat.drop_account_of, self.boss, "AIice")
        self.assertEqual((refused.nick, refused.alike), ("AIice", "alice"))
        self.assertRaises(UnknownAccountError, self.chat.set_password, self.boss, "carol", "NEW-HASH")
        self.assertTrue(self.chat.is_registered("alice"))

    def test_an_account_given_up_offline_is_told_once_kept_naming_it_and_the_operator(self) -> None:
        """With alice offline, her giving up reaches nobody's session: the bus carries one AccountDropped, her
        registered nickname alone as its actor and boss as its operator."""
        self.alice(MemoryAccounts())
        self.audience.deliveries.clear()
        self.kept(self.chat.drop_account_of(self.boss, "ALICE"))
        (event,) = self.published
        self.assertEqual(
            event,
            AccountDropped(
                id=event.id,
                at=event.at,
                actor=Actor("alice", account="alice"),
                account="alice",
                operator=self.boss.actor,
            ),
        )
        self.assertEqual(self.audience.deliveries, [])
        self.assertFalse(self.chat.is_registered("alice"))

    def test_an_account_given_up_offline_not_kept_is_told_to_nobody(self) -> None:
        """The store could not forget it: the drop fails with AccountNotKeptError, the account is there still, and
        nothing reached the bus, so the audit log says nothing happened."""
        self.alice(UnforgettingAccounts())

        async def dropping() -> None:
            await self.chat.drop_account_of(self.boss, "alice")

        self.failureResultOf(ensureDeferred(dropping()), AccountNotKeptError)
        self.assertEqual(self.published, [])
        self.assertTrue(self.chat.is_registered("alice"))


class AccountsBoundTests(ChatTestCase):
    """The server keeps at most ``Limits.accounts`` accounts in all: two here."""

    limits = Limits(accounts=2)

    def test_past_the_bound_nobody_registers_until_an_account_is_given_up(self) -> None:
        """Two accounts from two networks; a third, from a third, is refused before any hash is made; once one is
        given up, it registers."""
        alice, _ = self.online("alice", address="10.0.0.1")
        self.kept(self.chat.register_account(alice, "hash"))
        bob, _ = self.online("bob", address="2001:db8:1::1")
        self.kept(self.chat.register_account(bob, "hash"))
        carol, _ = self.online("carol", address="2001:db8:2::1")
        refused = self.assertRaises(AccountsFullError, self.chat.check_registrable, carol)
        self.assertEqual(refused.most, 2)
        self.assertRaises(AccountsFullError, self.chat.register_account, carol, "hash")
        self.assertFalse(self.chat.is_registered("carol"))
        self.kept(self.chat.drop_account(bob))
        self.kept(self.chat.register_account(carol, "hash"))
        self.assertTrue(self.chat.is_registered("carol"))


class RegistrationBudgetTests(ChatTestCase):
    """An address registers at most ``accounts_per_hour`` accounts an hour: two here, all at once or spread."""

    limits = Limits(accounts_per_hour=2)

    def register(self, nick: str, address: str) -> None:
        user, _ = self.online(nick, address=address)
        self.kept(self.chat.register_account(user, "hash"))

    def test_a_third_account_from_one_address_waits_its_turn(self) -> None:
        """Two accounts at once from 10.0.0.1; the third is refused, named how long to wait, while another
        address registers; half an hour later (the budget's drip) the third is let in."""
        self.register("alice", "10.0.0.1")
        self.register("bob", "10.0.0.1")
        carol, _ = self.online("carol", address="10.0.0.1")
        refused = self.assertRaises(RegisterThrottledError, self.chat.register_account, carol, "hash")
        self.assertEqual(refused.seconds_left, 1800)
        self.assertRaises(RegisterThrottledError, self.chat.check_registrable, carol)
        self.assertFalse(self.chat.is_registered("carol"))
        self.register("dave", "10.0.0.2")
        self.clock.advance(1799)
        self.assertRaises(RegisterThrottledError, self.chat.check_registrable, carol)
        self.clock.advance(1)
        self.kept(self.chat.register_account(carol, "hash"))
        self.assertTrue(self.chat.is_registered("carol"))

    def test_an_ipv6_host_registers_as_one_whatever_address_it_takes(self) -> None:
        """Two accounts from one /64 spend its budget: a third from another of its addresses waits, and a
        neighbouring /64 does not."""
        self.register("alice", "2001:db8:1:2::1")
        self.register("bob", "2001:db8:1:2::2")
        carol, _ = self.online("carol", address="2001:db8:1:2:dead::beef")
        self.assertRaises(RegisterThrottledError, self.chat.check_registrable, carol)
        self.register("dave", "2001:db8:1:3::1")


class BudgetsTests(SynchronousTestCase):
    """Budgets by key keep only the keys that spent within two refills, and look at them all once a refill."""

    def test_full_keys_go_at_the_first_spending_a_refill_after_they_last_went(self) -> None:
        """Spent keys are remembered while they refill, and full ones until a refill (burst / rate, 20 s here) has
        passed since the full ones last went: then the next spending forgets them, and keeps those in debt."""
        clock = Clock()
        budgets = Budgets(rate=1 / 10, burst=2, now=clock.seconds)
        self.assertEqual(budgets.take("a"), 0)
        self.assertEqual(budgets.take("b", 3), 10)
        clock.advance(10)
        budgets.take("c")
        self.assertEqual((list(budgets._buckets), budgets.wait("a", 2)), (["a", "b", "c"], 0))
        clock.advance(10)
        budgets.take("d")
        self.assertEqual(list(budgets._buckets), ["b", "d"])
        self.assertEqual((budgets.wait("a", 2), budgets.wait("b", 2)), (0, 10))
