"""Registered rooms on the line front end: /register #room, /unregister #room, /op and /deop, in text and JSON."""

import json

from tests.helpers import LineTestCase
from tests.test_line_accounts import AccountTestCase

PASSWORD = b"hunter22"


class RoomCommandTests(AccountTestCase):
    """alice (identified) made #dev; bob registers his nickname and joins it."""

    def setUp(self) -> None:
        super().setUp()
        self.bob, self.bob_wire = self.connect(b"bob", host="10.0.0.2")
        self.bob.dataReceived(b"/register " + PASSWORD + b"\n/join #dev\n")
        self.lines(self.bob_wire)
        self.lines(self.alice_wire)

    def test_register_op_and_deop_are_shown_to_the_room(self) -> None:
        """Each change is one line to every member, the owner included."""
        self.alice.dataReceived(b"/register #dev\n/op bob\n/deop #DEV bob\n")
        expected = [
            b"[00:00] #dev -- alice registered the room to the account alice",
            b"[00:00] #dev -- alice made bob a room operator (account bob)",
            b"[00:00] #dev -- alice took room operator from bob (account bob)",
        ]
        self.assertEqual(self.lines(self.alice_wire), expected)
        self.assertEqual(self.lines(self.bob_wire), expected)

    def test_an_op_already_one_is_told_and_nothing_is_published(self) -> None:
        """Naming an operator twice changes nothing, and says so to the asker alone."""
        self.alice.dataReceived(b"/register #dev\n/op bob\n")
        self.lines(self.bob_wire)
        self.lines(self.alice_wire)
        self.alice.dataReceived(b"/op bob\n/deop carol\n")
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b"*** bob is already a room operator of #dev.",
                b"ERR no-account carol is not a registered nickname; only an account can be a room operator",
            ],
        )
        self.assertEqual(self.lines(self.bob_wire), [])

    def test_op_of_a_look_alike_of_an_account_names_it_and_makes_nobody_an_operator(self) -> None:
        """Only zed with a Cyrillic e is registered: /op zed, with him online or not, is refused naming him (in
        JSON as ``alike``), and he is no room operator until the owner names him as he is."""
        zed, zed_wire = self.connect("z\u0435d".encode(), host="10.0.0.4")
        zed.dataReceived(b"/register " + PASSWORD + b"\n/join #dev\n")
        self.alice.dataReceived(b"/register #dev\n")
        for wire in (zed_wire, self.alice_wire):
            self.lines(wire)
        refused = (
            "ERR no-account zed is not a registered nickname; z\u0435d is, a different nickname that looks like it"
        ).encode()
        self.alice.dataReceived(b"/op zed\n")
        self.assertEqual(self.lines(self.alice_wire), [refused])
        self.leave(zed)
        self.alice.dataReceived(b"/op zed\n/deop zed\n/format json\n/op #dev ZED\n")
        *text, _, answer = self.lines(self.alice_wire)
        self.assertEqual(text, [refused, refused])
        self.assertEqual(
            {k: json.loads(answer)[k] for k in ("code", "nick", "alike")},
            {"code": "no-account", "nick": "ZED", "alike": "z\u0435d"},
        )
        self.alice.dataReceived("/format text\n/op z\u0435d\n".encode())
        self.assertEqual(
            self.lines(self.alice_wire)[-1],
            "[00:00] #dev -- alice made z\u0435d a room operator (account z\u0435d)".encode(),
        )

    def test_refusals_are_one_line_each(self) -> None:
        """A non-owner's /op, a server room, an unregistered room's /op, each one ERR line."""
        self.bob.dataReceived(b"/register #dev\n/op #dev bob\n")
        self.alice.dataReceived(b"/op bob\n/register #lobby\n")
        self.assertEqual(
            self.lines(self.bob_wire),
            [
                b"ERR not-owner only the owner of #dev and operators may do that",
                b"ERR room-not-registered #dev is not registered; its owner may /register #dev first",
            ],
        )
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b"ERR room-not-registered #dev is not registered; its owner may /register #dev first",
                b"ERR server-room #lobby belongs to the server; nobody may register it nor name its operators",
            ],
        )

    def test_unregister_by_the_owner(self) -> None:
        """/unregister #room gives the room up; the password form is still the account's."""
        self.alice.dataReceived(b"/register #dev\n/unregister #dev\n/unregister #dev\n")
        self.assertEqual(
            self.lines(self.alice_wire),
            [
                b"[00:00] #dev -- alice registered the room to the account alice",
                b"[00:00] #dev -- alice unregistered the room",
                b"ERR room-not-registered #dev is not registered; nobody owns it, so only operators may /register #dev",
            ],
        )

    def test_registering_again_after_unregister_names_the_reason(self) -> None:
        """The owner who gave #dev up is told nobody owns it now, not that only operators may do that."""
        self.alice.dataReceived(b"/register #dev\n/unregister #dev\n/register #dev\n")
        self.assertEqual(
            self.lines(self.alice_wire)[-1],
            b"ERR room-unowned nobody owns #dev now (it was unregistered, or its maker left the chat); "
            b"only operators may register it",
        )

    def test_a_mere_channel_operator_cannot_deop_a_room_operator_by_account(self) -> None:
        """carol, given +o, is refused /mode -o of bob, whom /op named, with kick's error, in text and JSON."""
        self.alice.dataReceived(b"/register #dev\n/op bob\n")
        carol, wire = self.connect(b"carol", host="10.0.0.3")
        carol.dataReceived(b"/join #dev\n")
        self.alice.dataReceived(b"/mode #dev +o carol\n")
        for each in (wire, self.bob_wire, self.alice_wire):
            self.lines(each)
        carol.dataReceived(b"/mode #dev -o bob\n/format json\n/mode #dev -o bob\n")
        text, _, refused = self.lines(wire)
        self.assertEqual(
            text,
            b"ERR is-room-operator bob is a room operator of #dev by account; only its owner, its room operators "
            b"by account and server operators may take their operator standing there",
        )
        self.assertEqual(json.loads(refused)["code"], "is-room-operator")
        self.assertEqual(self.lines(self.bob_wire), [])
        self.bob.dataReceived(b"/who #dev\n")
        self.assertEqual(self.lines(self.bob_wire), [b"*** In #dev (3): @alice @bob @carol"])

    def test_json_lines_carry_the_accounts(self) -> None:
        """In JSON an operator's line names the new operator, the owner as ``by``, and the account."""
        self.bob.dataReceived(b"/format json\n")
        self.lines(self.bob_wire)
        self.alice.dataReceived(b"/register #dev\n/op bob\n")
        registered, added = (json.loads(line) for line in self.lines(self.bob_wire))
        self.assertEqual(
            {k: registered[k] for k in ("type", "room", "nick", "account")},
            {"type": "room_registered", "room": "#dev", "nick": "alice", "account": "alice"},
        )
        self.assertEqual(
            {k: added[k] for k in ("type", "room", "nick", "by", "account")},
            {"type": "room_operator_added", "room": "#dev", "nick": "bob", "by": "alice", "account": "bob"},
        )


class EmptyRegisteredRoomTests(AccountTestCase):
    """alice registered #dev, locked its topic and left it: nobody is in it, and it is still there."""

    def test_who_mode_and_part_answer_for_the_room_as_topic_and_join_do(self) -> None:
        """/topic shows its kept topic and /join makes it again with it; /who shows nobody in it, /mode its settings
        (the lock, which it keeps), and /part says you are not in it. A room that never was is still no room."""
        self.alice.dataReceived(b"/register #dev\n/topic release friday\n/lock\n/part #dev\n")
        self.lines(self.alice_wire)
        bob, wire = self.connect(b"bob")
        bob.dataReceived(b"/topic #dev\n/who #dev\n/mode #dev\n/part #dev\n/who #nope\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"*** Topic of #dev (set by alice, 1970-01-01 00:00 UTC): release friday",
                b"*** In #dev (0):",
                b"*** Settings of #dev: topic locked",
                b"ERR not-in-room you are not in #dev",
                b"ERR no-such-room there is no room #nope",
            ],
        )
        bob.dataReceived(b"/join #dev\n")
        self.assertIn(
            b"*** Topic of #dev (set by alice, 1970-01-01 00:00 UTC): release friday", self.lines(wire)
        )

    def test_json_not_in_room_names_its_room(self) -> None:
        """In JSON ``not-in-room`` names the room as named, as ``no-such-room`` does, so a program with
        several /part or /topic out tells which one it answers."""
        self.alice.dataReceived(b"/register #dev\n/part #dev\n")
        self.lines(self.alice_wire)
        bob, wire = self.connect(b"bob")
        bob.dataReceived(b"/format json\n")
        self.lines(wire)
        bob.dataReceived(b"/part #DEV\n")
        self.assertEqual(
            [json.loads(shown) for shown in self.lines(wire)],
            [{"type": "error", "code": "not-in-room", "room": "#DEV", "text": "you are not in #DEV"}],
        )


class UnidentifiedTests(LineTestCase):
    """Without an account, no room can be registered."""

    def test_an_unidentified_user_cannot_register_a_room(self) -> None:
        """dave made #mine but is not identified: one ERR line."""
        dave, wire = self.connect(b"dave")
        dave.dataReceived(b"/join #mine\n")
        self.lines(wire)
        dave.dataReceived(b"/register #mine\n")
        self.assertEqual(
            self.lines(wire),
            [b"ERR not-identified you are not identified; /register PASSWORD or /identify PASSWORD first"],
        )


class TopicOfNamedRoomTests(LineTestCase):
    def test_topic_with_a_room_shows_or_sets_that_rooms_topic(self) -> None:
        """/topic #lobby from #tt shows #lobby's topic and changes nothing; /topic #lobby text sets it; a secret
        room one is not in is no room to them."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/topic welcome\n/join #tt\n/topic #lobby\n")
        self.lines(wire)
        alice.dataReceived(b"/topic #lobby\n")
        [shown] = self.lines(wire)
        self.assertIn(b"welcome", shown)
        self.assertIn(b"#lobby", shown)
        alice.dataReceived(b"/topic\n")
        self.assertNotIn(b"#lobby", self.lines(wire)[0])
        alice.dataReceived(b"/topic #lobby #1 priority\n")
        self.assertTrue(self.lines(wire)[0].endswith(b"#lobby -- alice set the topic: #1 priority"))
        bob, _ = self.connect(b"bob")
        bob.dataReceived(b"/join #hush\n/mode #hush +s\n/topic plans\n")
        alice.dataReceived(b"/topic #hush\n")
        self.assertEqual(self.lines(wire), [b"ERR no-such-room there is no room #hush"])
