"""AuditLog: who registered and who moderated whom, logged from the bus in structured form, never what was said."""

import ast
import inspect

from twisted.internet.testing import EventLoggingObserver
from twisted.logger import LogEvent, formatEvent, globalLogPublisher
from twisted.trial.unittest import SynchronousTestCase

from chatd import audit
from chatd.audit import AuditLog
from chatd.domain.errors import NicknameRegisteredError
from chatd.domain.events import CHAT, ModeChange, RoomModesChanged, Setting
from chatd.frontend.logs import BURST, BoundedLog
from tests.helpers import ChatTestCase, RecordingSession

SECRET = "the plan is at midnight"
"""Text said, walled, kicked or quit with: it must appear in no log event."""


LEGACY = {"format", "isError", "message", "system", "time"}
"""The keys twisted.python.log's observers add to every event they see."""


class AuditLogTests(ChatTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.audit = AuditLog(self.bus, BoundedLog(self.clock))
        self.audit.startService()
        self.addCleanup(self.audit.stopService)
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        self.since = 0

    def events(self) -> list[LogEvent]:
        """What was logged since ``since``."""
        return list(self.logged)[self.since :]

    def lines(self) -> list[str]:
        return [formatEvent(event) for event in self.events()]

    def fields(self, event: LogEvent) -> dict[str, object]:
        """The fields the line was logged with: not twisted.logger's own, nor those its legacy observer adds."""
        return {
            key: value for key, value in event.items() if not key.startswith("log_") and key not in LEGACY
        }

    def test_registration_is_logged_with_nick_and_address(self) -> None:
        """A registration is logged with the nickname and the address as fields."""
        self.online("alice", address="10.0.0.1")
        self.assertEqual(self.lines(), ["alice came online from 10.0.0.1"])
        self.assertEqual(self.fields(self.events()[0]), {"nick": "alice", "address": "10.0.0.1"})
        self.assertEqual(self.events()[0]["log_namespace"], "chatd.audit.AuditLog")

    def test_a_takeover_from_another_address_is_logged_with_both(self) -> None:
        """A new connection taking alice's over from another address is logged with where she was and is."""
        _, phone = self.online("alice", address="10.0.0.1")
        self.since = len(self.events())
        self.chat.hand_over("alice", RecordingSession(self.audience), "10.0.0.2", lambda held: held is phone)
        self.assertEqual(
            self.lines(), ["alice from 10.0.0.1 moved to 10.0.0.2, taking their connection over"]
        )

    def test_moderation_is_logged_with_who_did_it_and_never_what_was_said(self) -> None:
        """Kick, ban, kill, mute, their ends, a topic lock, a wall and /shutdown: each one line, by whom, with no
        text (a kill's reason is not logged, as a kick's is not)."""
        boss, _ = self.online("boss", "#dev", address="10.0.0.1")
        self.chat.grant_operator(boss)
        bob, _ = self.online("bob", "#dev", address="10.0.0.2")
        self.online("carol", address="10.0.0.3")
        self.chat.say(bob, "#dev", SECRET)
        self.since = len(self.logged)
        self.chat.kick(boss, "bob", "#dev", SECRET)
        self.chat.mute(boss, "carol", 60)
        self.chat.unmute(boss, "carol")
        self.chat.mute(boss, "carol", None)
        self.chat.lock_topic(boss, "#dev", True)
        self.chat.ban(boss, "10.0.0.2", 3600)
        self.chat.unban(boss, "10.0.0.2")
        self.chat.ban(boss, "dave", None)
        self.chat.kill(boss, "carol", SECRET)
        self.chat.wall(boss, SECRET)
        self.chat.shutdown(boss, SECRET)
        self.assertEqual(
            self.lines(),
            [
                "boss from 10.0.0.1 kicked bob from #dev",
                "boss from 10.0.0.1 muted carol until 1970-01-01T00:02:40Z",
                "boss from 10.0.0.1 unmuted carol",
                "boss from 10.0.0.1 muted carol until lifted",
                "boss from 10.0.0.1 locked the topic of #dev",
                "boss from 10.0.0.1 banned address 10.0.0.2 until 1970-01-01T01:01:40Z",
                "boss from 10.0.0.1 put bob off the server by a ban until 1970-01-01T01:01:40Z",
                "boss from 10.0.0.1 lifted the ban on 10.0.0.2",
                "boss from 10.0.0.1 banned nickname dave until lifted",
                "boss from 10.0.0.1 killed carol off the server",
                "boss from 10.0.0.1 wrote to everyone",
                "boss from 10.0.0.1 shut the server down",
            ],
        )
        self.assertEqual(
            self.fields(self.events()[0]),
            {"actor": "boss", "actor_address": "10.0.0.1", "nick": "bob", "room": "#dev"},
        )
        self.assertEqual(
            self.fields(self.events()[5]),
            {
                "actor": "boss",
                "actor_address": "10.0.0.1",
                "kind": "address",
                "target": "10.0.0.2",
                "until": 3700.0,
                "lasting": "until 1970-01-01T01:01:40Z",
            },
        )
        self.assertEqual(
            self.fields(self.events()[9]), {"actor": "boss", "actor_address": "10.0.0.1", "nick": "carol"}
        )
        for event in self.logged:
            self.assertNotIn(SECRET, repr(event))

    def test_room_settings_are_logged_without_the_key(self) -> None:
        """A change of a room's settings is one line of its changes, by whom; a key is a password: left out."""
        alice, _ = self.online("alice", "#dev", address="10.0.0.1")
        self.online("bob", "#dev", address="10.0.0.2")
        self.since = len(self.logged)
        self.chat.change_room(
            alice,
            "#dev",
            [
                ModeChange(Setting.INVITE_ONLY, True),
                ModeChange(Setting.KEY, True, "hunter2-at-midnight"),
                ModeChange(Setting.VOICE, True, "bob"),
                ModeChange(Setting.BAN, True, "*!*@10.0.0.9"),
            ],
        )
        self.assertEqual(
            self.lines(), ["alice from 10.0.0.1 changed #dev: +invite_only +key +voice bob +ban *!*@10.0.0.9"]
        )
        for event in self.logged:
            self.assertNotIn("hunter2-at-midnight", repr(event))

    def test_ends_that_nobody_chose_are_logged_as_running_out(self) -> None:
        """A mute or a ban that runs out is logged as such, with no actor."""
        boss, _ = self.online("boss", address="10.0.0.1")
        self.chat.grant_operator(boss)
        self.online("carol", address="10.0.0.3")
        self.chat.mute(boss, "carol", 60)
        self.chat.ban(boss, "10.0.0.9", 120)
        self.since = len(self.logged)
        self.clock.advance(120)
        self.assertEqual(self.lines(), ["The mute of carol ran out", "The ban on 10.0.0.9 ran out"])

    def test_standing_the_chat_gives_is_logged_with_no_actor(self) -> None:
        """The operator standing identifying gives in a registered room is the chat's change, not somebody's."""
        change = ModeChange(Setting.OPERATOR, True, "alice")
        self.bus.publish(
            RoomModesChanged(id="1", at=100.0, actor=CHAT, room="#dev", seq=3, changes=(change,))
        )
        self.assertEqual(self.lines(), ["#dev: +operator alice, as its registration gives"])

    def test_the_console_is_named_as_where_the_host_acted(self) -> None:
        """The host at the daemon's console has no address: the log says the console."""
        host, _ = self.online("host", "#dev")
        self.online("bob", "#dev", address="10.0.0.2")
        self.since = len(self.logged)
        self.chat.kick(host, "bob", "#dev")
        self.assertEqual(self.lines(), ["host from the console kicked bob from #dev"])

    def test_registrations_are_bounded_against_churn(self) -> None:
        """A script registering connection after connection writes a burst, then a count of the rest."""
        for n in range(BURST + 40):
            user, _ = self.online(f"bot{n}", address="10.0.0.7")
            self.chat.quit(user, "")
        self.clock.advance(1)
        self.assertEqual(len(self.lines()), BURST + 1)
        self.assertEqual(
            self.lines()[-1], f"Left 40 more lines out of the log like: bot{BURST} came online from 10.0.0.7"
        )

    def test_stopped_it_logs_nothing(self) -> None:
        """Once stopped, the audit log no longer listens to the bus."""
        self.audit.stopService()
        self.online("alice", address="10.0.0.1")
        self.assertEqual(self.lines(), [])


class AccountAuditTests(AuditLogTests):
    """Accounts registered, proved, changed and given up, and nicknames refused, each one line: nickname and address."""

    def test_accounts_are_logged_by_nickname_and_address(self) -> None:
        """Each change of an account is one line naming who and from where; a hash never appears."""
        alice, _ = self.online("alice", address="10.0.0.1")
        self.since = len(self.logged)
        self.kept(self.chat.register_account(alice, "HASH-1"))
        self.assertRaises(NicknameRegisteredError, self.online, "ALICE", address="10.0.0.2")
        self.kept(self.chat.change_password(alice, "HASH-2"))
        self.chat.quit(alice)
        self.since = len(self.logged)
        again = self.chat.identify(RecordingSession(self.audience), None, "alice", "10.0.0.3")
        self.kept(self.chat.drop_account(again))
        self.assertEqual(
            self.lines(),
            [
                "alice came online from 10.0.0.3",
                "alice from 10.0.0.3 identified to the account alice",
                "alice from 10.0.0.3 unregistered the account alice",
            ],
        )
        for event in self.logged:
            self.assertNotIn("HASH", repr(event))

    def test_an_operators_acts_on_an_account_are_logged_with_the_operator(self) -> None:
        """boss's new password for alice's account, then its giving up, alice offline: each one line naming boss and
        the address he acted from, and neither hash."""
        alice, _ = self.online("alice", address="10.0.0.1")
        self.kept(self.chat.register_account(alice, "HASH-1"))
        self.chat.quit(alice)
        boss, _ = self.online("boss", address="10.0.0.9")
        self.chat.grant_operator(boss)
        self.since = len(self.logged)
        self.kept(self.chat.set_password(boss, "alice", "HASH-2"))
        self.kept(self.chat.drop_account_of(boss, "alice"))
        self.assertEqual(
            self.lines(),
            [
                "boss from 10.0.0.9 set a new password for the account alice, as an operator",
                "boss from 10.0.0.9 gave up the account alice, as an operator",
            ],
        )
        self.assertEqual(
            self.fields(self.events()[1]), {"actor": "boss", "actor_address": "10.0.0.9", "account": "alice"}
        )
        for event in self.logged:
            self.assertNotIn("HASH", repr(event))

    def test_an_operator_giving_up_accounts_is_logged_past_the_registrations_bound(self) -> None:
        """Registrations are bounded against churn; an operator's giving up of accounts is moderation, each
        written, however many."""
        boss, _ = self.online("boss", address="10.0.0.9")
        self.chat.grant_operator(boss)
        nicks = [f"user{number}" for number in range(BURST + 5)]
        for nick in nicks:
            user, _ = self.online(nick, address="10.0.0.1")
            self.kept(self.chat.register_account(user, "HASH"))
            self.chat.quit(user)
        self.since = len(self.logged)
        for nick in nicks:
            self.kept(self.chat.drop_account_of(boss, nick))
        self.assertEqual(
            self.lines(), [f"boss from 10.0.0.9 gave up the account {nick}, as an operator" for nick in nicks]
        )

    def test_a_refused_nickname_is_logged_when_its_owner_is_told(self) -> None:
        """Refusing a registered nickname to an address is logged with both, as its owner is told."""
        alice, _ = self.online("alice", address="10.0.0.1")
        self.kept(self.chat.register_account(alice, "HASH-1"))
        self.since = len(self.logged)
        self.assertRaises(NicknameRegisteredError, self.online, "AIice", address="10.0.0.2")
        self.assertEqual(self.lines(), ["Refused the registered nickname AIice to 10.0.0.2"])


class LoggedKindsTests(SynchronousTestCase):
    def test_the_log_subscribes_to_every_kind_its_lines_name_and_no_other(self) -> None:
        """``LOGGED`` is what the bus hands the log: a kind ``line`` logs and ``LOGGED`` lacks would go unlogged."""
        matched = {
            pattern.cls.id
            for node in ast.walk(ast.parse(inspect.getsource(audit.line)))
            if isinstance(node, ast.match_case)
            for pattern in [node.pattern]
            if isinstance(pattern, ast.MatchClass) and isinstance(pattern.cls, ast.Name)
        }
        self.assertEqual(matched, {kind.__name__ for kind in audit.LOGGED})
        self.assertEqual(len(audit.LOGGED), len(set(audit.LOGGED)))
