"""An operator's /account on the line front end: a new password for someone who forgot theirs, or the account given
up, the owner online or not; and everyone else refused in one line, nothing changed."""

import json

from chatd.domain.events import AccountDropped, Actor, Event
from chatd.frontend.oper import PAUSE_SECONDS
from chatd.line.protocol import LineProtocol
from tests.helpers import LineTestCase

PASSWORD = b"hunter22"
NEW = b"first week 2026"

IDENTIFIED = b"*** You are identified as alice."
WRONG = b"ERR identify-failed wrong password, or alice is not registered"
SET = (
    b"*** The account alice has a new password: its owner identifies with it, then chooses their own with "
    b"/password OLD NEW."
)
TOLD = b"[00:00] -- the operator op set a new password for your account alice; /password OLD NEW chooses your own"
NOT_OPERATOR = b"ERR not-operator only server operators may do that"
USAGE = b"ERR usage usage: /account password NICK PASSWORD|drop NICK"


class ManagedAccountTestCase(LineTestCase):
    """alice (from 10.0.0.1) registered her nickname and the room #dev she made; op is an operator."""

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.connect(b"alice", host="10.0.0.1")
        self.alice.dataReceived(b"/join #dev\n/register " + PASSWORD + b"\n/register #dev\n")
        self.op, self.op_wire = self.operator(b"op", host="10.0.0.9")

    def identify(self, password: bytes) -> bytes:
        """The first line a new connection is answered when it identifies as alice with ``password``, once a wrong
        password's pause is over; it then leaves."""
        someone, wire = self.connect(None, host="10.0.0.5")
        someone.dataReceived(b"alice " + password + b"\n")
        self.clock.advance(PAUSE_SECONDS)
        answered = self.lines(wire)[0]
        someone.dataReceived(b"/quit\n")
        return answered

    def leave(self, protocol: LineProtocol) -> None:
        protocol.dataReceived(b"/quit\n")
        for wire in self.wires:
            self.lines(wire)


class SetPasswordTests(ManagedAccountTestCase):
    def test_the_new_password_identifies_and_the_old_one_no_longer_does(self) -> None:
        """op sets a new password for alice (any case names her account): op is told, and from then on the new
        password proves the account and the old one does not."""
        self.op.dataReceived(b"/account password ALICE " + NEW + b"\n")
        self.assertEqual(self.lines(self.op_wire), [SET])
        self.assertEqual(self.identify(NEW), IDENTIFIED)
        self.assertEqual(self.identify(PASSWORD), WRONG)

    def test_the_owner_online_is_told_who_set_it_and_stays_identified(self) -> None:
        """alice, online, reads who set a new password (never the password) and is still identified: she changes
        it with the one op gave."""
        self.op.dataReceived(b"/account password alice " + NEW + b"\n")
        self.assertEqual(self.lines(self.alice_wire), [TOLD])
        self.assertNotIn(NEW, self.alice_wire.value())
        assert self.alice.user is not None
        self.assertEqual(self.alice.user.account, "alice")
        # Her flood budget whole again after registering: a /password costs a burst of it.
        self.clock.advance(60)
        self.alice.dataReceived(b'/password "' + NEW + b'" mine-again\n')
        self.assertEqual(self.lines(self.alice_wire), [b"*** Your password is changed."])

    def test_in_json_the_operator_and_the_owner_read_what_changed(self) -> None:
        """op's answer is a managed_account notice, alice's news a password_set event naming op and her account."""
        self.op.dataReceived(b"/format json\n")
        self.alice.dataReceived(b"/format json\n")
        for wire in self.wires:
            self.lines(wire)
        self.op.dataReceived(b"/account password alice " + NEW + b"\n")
        self.assertEqual(
            json.loads(self.lines(self.op_wire)[0]),
            {
                "type": "notice",
                "kind": "managed_account",
                "nick": "alice",
                "account": "alice",
                "change": "password",
                "text": SET.decode()[4:],
            },
        )
        told = json.loads(self.lines(self.alice_wire)[0])
        self.assertEqual(
            {key: value for key, value in told.items() if key not in ("id", "at")},
            {"type": "password_set", "nick": "op", "account": "alice"},
        )

    def test_someone_not_an_operator_is_refused_as_for_any_operators_command(self) -> None:
        """bob's /account is refused with the line /kill gets, and alice's password stays hers."""
        bob, wire = self.connect(b"bob")
        bob.dataReceived(b"/account password alice " + NEW + b"\n/kill alice\n")
        self.assertEqual(self.lines(wire), [NOT_OPERATOR, NOT_OPERATOR])
        self.assertEqual(self.identify(PASSWORD), IDENTIFIED)

    def test_a_nickname_no_account_has_is_refused_and_a_look_alike_named_not_changed(self) -> None:
        """A nickname nobody registered is refused in one line; one that only looks like alice names her account,
        whose password stays as it was."""
        self.op.dataReceived(b"/account password bob " + NEW + b"\n/account password AIice " + NEW + b"\n")
        self.assertEqual(
            self.lines(self.op_wire),
            [
                b"ERR unknown-account bob is not a registered nickname",
                b"ERR unknown-account AIice is not a registered nickname; alice is, a different nickname that "
                b"looks like it",
            ],
        )
        self.assertEqual(self.lines(self.alice_wire), [])
        self.assertEqual(self.identify(PASSWORD), IDENTIFIED)

    def test_a_short_password_is_refused_as_registering_refuses_it(self) -> None:
        """A new password under 8 characters gets /register's line, and nothing changes."""
        self.op.dataReceived(b"/account password alice short\n")
        self.assertEqual(
            self.lines(self.op_wire), [b"ERR password-too-short a password needs at least 8 characters"]
        )
        self.assertEqual(self.identify(PASSWORD), IDENTIFIED)

    def test_what_is_not_password_nick_password_or_drop_nick_is_its_usage(self) -> None:
        """A missing password, a stray word after drop's nickname or another word first is the usage, so nothing
        typed for /password OLD NEW is taken for it."""
        self.op.dataReceived(
            b"/account password alice\n/account drop alice now\n/account alice " + NEW + b"\n"
        )
        self.assertEqual(self.lines(self.op_wire), [USAGE, USAGE, USAGE])
        self.assertEqual(self.identify(PASSWORD), IDENTIFIED)

    def test_help_names_it_for_operators(self) -> None:
        """/help account says what it takes and whom it is for."""
        self.op.dataReceived(b"/help account\n")
        self.assertEqual(
            self.lines(self.op_wire)[0],
            b"*** /account password NICK PASSWORD|drop NICK - give someone's account a new password, or give it "
            b"up (server operators)",
        )


class DropAccountTests(ManagedAccountTestCase):
    def test_the_owner_online_is_told_who_gave_it_up_and_the_room_goes_with_it(self) -> None:
        """op gives up alice's account while she is online: #dev, registered to it, is given up (as her own
        /unregister does), she is told who did it and identified to nothing, and once she leaves the nickname is
        anyone's."""
        self.op.dataReceived(b"/account drop alice\n")
        self.assertEqual(
            self.lines(self.op_wire),
            [
                b"[00:00] #dev -- op unregistered the room",
                b"*** The account alice is given up: the nickname alice is no longer registered.",
            ],
        )
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b"[00:00] #dev -- op unregistered the room",
                b"*** The operator op gave up your account: the nickname alice is no longer registered; anyone "
                b"may take it once you leave it.",
            ],
        )
        assert self.alice.user is not None
        self.assertIsNone(self.alice.user.account)
        self.assertEqual(self.rooms.registered(), [])
        self.leave(self.alice)
        _, wire = self.connect(b"alice")
        self.assertEqual(self.lines(wire), [])

    def test_an_account_nobody_is_online_as_is_given_up_with_its_mail(self) -> None:
        """alice is offline, with a message kept for her: op gives her account up, and whoever registers alice
        next reads none of what was kept for her."""
        self.leave(self.alice)
        bob, _ = self.connect(b"bob")
        bob.dataReceived(b"/msg alice see you monday\n")
        self.op.dataReceived(b"/account drop alice\n")
        self.assertEqual(
            self.lines(self.op_wire),
            [
                b"[00:00] #dev -- op unregistered the room",
                b"*** The account alice is given up: the nickname alice is no longer registered.",
            ],
        )
        self.assertIsNone(self.accounts.owner("alice"))
        self.assertEqual(self.rooms.registered(), [])
        newcomer, wire = self.connect(b"alice")
        newcomer.dataReceived(b"/register another-one\n/quit\n")
        again, wire = self.connect(None)
        again.dataReceived(b"alice another-one\n")
        self.assertNotIn(b"see you monday", b"\n".join(self.lines(wire)))

    def test_the_drop_is_in_the_chat_as_an_unregistering_by_the_operator(self) -> None:
        """The chat carries one AccountDropped naming alice, as she is online, and apart the operator who did it:
        what the audit log reads."""
        carried: list[Event] = []
        self.bus.subscribe(carried.append, (AccountDropped,))
        self.op.dataReceived(b"/account drop alice\n")
        self.lines(self.op_wire)
        self.assertEqual(len(carried), 1)
        dropped = carried[0]
        assert isinstance(dropped, AccountDropped)
        self.assertEqual((dropped.actor, dropped.account), (Actor("alice", "10.0.0.1", "alice"), "alice"))
        self.assertEqual(dropped.operator, Actor("op", "10.0.0.9"))

    def test_someone_not_an_operator_drops_nothing(self) -> None:
        """bob's /account drop is refused as /kill is, and alice's account and room stay."""
        bob, wire = self.connect(b"bob")
        bob.dataReceived(b"/account drop alice\n")
        self.assertEqual(self.lines(wire), [NOT_OPERATOR])
        self.assertEqual(self.accounts.owner("alice"), "alice")
        self.assertEqual([room.owner for room in self.rooms.registered()], ["alice"])
