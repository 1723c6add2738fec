"""``/delete``: one line of a room taken away, by whom it may be, told to the room in text and JSON
(chatd.domain.deletion), and gone from what history shows, with the history in memory."""

import json

from twisted.internet.testing import StringTransport

from chatd.line.protocol import LineProtocol
from chatd.text import fold
from tests.helpers import LineTestCase

PASSWORD = b"correct horse battery"

NOT_YOURS = "ERR not-your-line the line {} is not yours to delete: only {}'s owner, its operators and server operators delete others' lines"


class DeleteTests(LineTestCase):
    """Who may delete a line, what the room is told, and what history shows after."""

    def last_id(self, room: str = "#lobby") -> str:
        """The id of the last line said or acted in ``room``, as ``/search`` and JSON lines show it."""
        kept = self.history.at_hand(fold(room), None, 1)
        assert kept, "the history in memory holds every line"
        return kept[-1].id

    def said(self, who: LineProtocol, wire: StringTransport, text: bytes, room: str = "#lobby") -> str:
        """``who`` says ``text`` in their current room, ``room``; its id."""
        who.dataReceived(text + b"\n")
        self.lines(wire)
        return self.last_id(room)

    def history_of(self, who: LineProtocol, wire: StringTransport, room: bytes = b"#lobby") -> list[bytes]:
        """What ``/history ROOM`` shows ``who``, without the dates."""
        who.dataReceived(b"/history " + room + b"\n")
        return [line.split(b"] ", 1)[-1] for line in self.lines(wire)]

    def test_a_guest_deletes_their_own_line_and_the_room_is_told(self) -> None:
        """bob's /delete of his own line is shown to him and to alice, and /history shows it no more."""
        alice, alice_wire = self.connect(b"alice")
        bob, bob_wire = self.connect(b"bob")
        line = self.said(bob, bob_wire, b"my password is hunter2")
        self.said(bob, bob_wire, b"oops")
        self.lines(alice_wire)
        bob.dataReceived(f"/delete {line} pasted a password\n".encode())
        told = f"[00:00] #lobby -- bob deleted the line {line} (pasted a password)".encode()
        self.assertEqual(self.lines(bob_wire), [told])
        self.assertEqual(self.lines(alice_wire), [told])
        self.assertEqual(
            self.history_of(alice, alice_wire),
            [b"#lobby <bob> oops", b"*** End of history of #lobby: nothing earlier is kept."],
        )

    def test_a_joiner_is_not_shown_a_deleted_action_nor_does_search_find_it(self) -> None:
        """A deleted /me is left out of the next joiner's replay and of /search."""
        bob, bob_wire = self.connect(b"bob")
        line = self.said(bob, bob_wire, b"/me sings badly")
        bob.dataReceived(f"/delete #lobby {line}\n".encode())
        self.lines(bob_wire)
        self.said(bob, bob_wire, b"that was me")
        carol, carol_wire = self.connect()
        carol.dataReceived(b"carol\n")
        replayed = [line for line in self.lines(carol_wire) if b"<bob>" in line or b"bob sings" in line]
        self.assertEqual([line.split(b"] ", 1)[-1] for line in replayed], [b"#lobby <bob> that was me"])
        carol.dataReceived(b"/search sings\n")
        self.assertEqual(self.lines(carol_wire), [b'*** No line of #lobby holds "sings".'])

    def test_someone_elses_line_is_refused_and_stays(self) -> None:
        """carol may not delete bob's line in #lobby, a room of the server's she does not moderate: one ERR line,
        nothing told to the room, the line still there."""
        bob, bob_wire = self.connect(b"bob")
        carol, carol_wire = self.connect(b"carol")
        line = self.said(bob, bob_wire, b"hello")
        self.lines(carol_wire)
        carol.dataReceived(f"/delete {line}\n".encode())
        self.assertEqual(self.lines(carol_wire), [NOT_YOURS.format(line, "#lobby").encode()])
        self.assertEqual(self.lines(bob_wire), [])
        self.assertEqual(self.last_id(), line)

    def test_a_guest_who_takes_a_nickname_after_another_may_not_delete_their_lines(self) -> None:
        """A guest bob who left, and a new guest bob from the same address: the old bob's lines are not the new one's."""
        bob, bob_wire = self.connect(b"bob")
        line = self.said(bob, bob_wire, b"old bob here")
        bob.dataReceived(b"/quit\n")
        self.clock.advance(60)
        again, again_wire = self.connect(b"bob")
        again.dataReceived(f"/delete {line}\n".encode())
        self.assertEqual(self.lines(again_wire), [NOT_YOURS.format(line, "#lobby").encode()])

    def test_a_guest_who_renames_to_a_nickname_gone_may_not_delete_its_lines(self) -> None:
        """carol, from bob's address, renamed bob after bob left: bob's line from before is not hers."""
        bob, bob_wire = self.connect(b"bob")
        carol, carol_wire = self.connect(b"carol")
        line = self.said(bob, bob_wire, b"bob was here")
        bob.dataReceived(b"/quit\n")
        self.clock.advance(60)
        carol.dataReceived(b"/nick bob\n")
        self.lines(carol_wire)
        carol.dataReceived(f"/delete {line}\n".encode())
        self.assertEqual(self.lines(carol_wire), [NOT_YOURS.format(line, "#lobby").encode()])

    def test_an_account_deletes_a_line_it_said_on_another_connection(self) -> None:
        """alice, identified, deletes a line she said from another address before she came back."""
        alice, alice_wire = self.connect(b"alice")
        alice.dataReceived(b"/register " + PASSWORD + b"\n")
        line = self.said(alice, alice_wire, b"from home")
        alice.dataReceived(b"/quit\n")
        back, back_wire = self.connect(b"alice " + PASSWORD, host="10.0.0.9")
        back.dataReceived(f"/delete {line}\n".encode())
        self.assertEqual(self.lines(back_wire), [f"[00:00] #lobby -- alice deleted the line {line}".encode()])

    def test_the_rooms_owner_deletes_anyones_line(self) -> None:
        """The maker of #maths, its owner, deletes bob's line there."""
        owner, owner_wire = self.connect(b"teacher")
        bob, bob_wire = self.connect(b"bob")
        owner.dataReceived(b"/join #maths\n")
        bob.dataReceived(b"/join #maths\n")
        line = self.said(bob, bob_wire, b"something nasty", "#maths")
        self.lines(owner_wire)
        owner.dataReceived(f"/delete {line} not here\n".encode())
        told = f"[00:00] #maths -- teacher deleted the line {line} (not here)".encode()
        self.assertEqual(self.lines(owner_wire), [told])
        self.assertEqual(self.lines(bob_wire), [told])

    def test_a_room_operator_deletes_anyones_line_and_a_plain_member_does_not(self) -> None:
        """carol, made an operator of #maths by its owner, deletes bob's line; dave, a member, may not."""
        owner, _ = self.connect(b"teacher")
        bob, bob_wire = self.connect(b"bob")
        carol, carol_wire = self.connect(b"carol")
        dave, dave_wire = self.connect(b"dave")
        for each in (owner, bob, carol, dave):
            each.dataReceived(b"/join #maths\n")
        owner.dataReceived(b"/mode #maths +o carol\n")
        line = self.said(bob, bob_wire, b"something nasty", "#maths")
        self.lines(dave_wire)
        dave.dataReceived(f"/delete {line}\n".encode())
        self.assertEqual(self.lines(dave_wire), [NOT_YOURS.format(line, "#maths").encode()])
        self.lines(carol_wire)
        carol.dataReceived(f"/delete {line}\n".encode())
        self.assertEqual(
            self.lines(carol_wire), [f"[00:00] #maths -- carol deleted the line {line}".encode()]
        )

    def test_a_server_operator_deletes_in_a_room_they_are_not_in(self) -> None:
        """An operator outside #maths deletes a line there, and is shown the deletion as its members are."""
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/join #maths\n")
        line = self.said(bob, bob_wire, b"something nasty", "#maths")
        op, op_wire = self.operator(b"boss")
        op.dataReceived(f"/delete #maths {line}\n".encode())
        told = f"[00:00] #maths -- boss deleted the line {line}".encode()
        self.assertEqual(self.lines(op_wire), [told])
        self.assertEqual(self.lines(bob_wire), [told])

    def test_a_non_member_is_refused_in_words_for_a_delete(self) -> None:
        """Someone not in #maths, not an operator, is refused before anything is read, with the code of reading
        the room and words about deleting: "may read its history" answered a /delete."""
        bob, bob_wire = self.connect(b"bob")
        bob.dataReceived(b"/join #maths\n")
        line = self.said(bob, bob_wire, b"hello", "#maths")
        carol, carol_wire = self.connect(b"carol")
        carol.dataReceived(f"/delete #maths {line}\n".encode())
        self.assertEqual(
            self.lines(carol_wire),
            [b"ERR members-only only members of #maths may delete its lines; /join #maths first"],
        )

    def test_a_join_is_no_line_and_a_bad_id_is_a_usage_error(self) -> None:
        """An id of no line (a join's, or one deleted already) is no-such-line; a word that is no id, a usage error."""
        bob, bob_wire = self.connect(b"bob")
        line = self.said(bob, bob_wire, b"hello")
        bob.dataReceived(f"/delete {line}\n".encode())
        self.lines(bob_wire)
        bob.dataReceived(f"/delete {line}\n/delete 0000000000000001\n/delete hello\n".encode())
        self.assertEqual(
            self.lines(bob_wire),
            [
                f"ERR no-such-line #lobby keeps no line with the id {line} (said or acted; /search shows ids)".encode(),
                b"ERR no-such-line #lobby keeps no line with the id 0000000000000001 (said or acted; /search shows ids)",
                b"ERR usage usage: /delete [#room] ID [reason]",
            ],
        )

    def test_json_clients_read_a_deleted_event(self) -> None:
        """In JSON the deletion is {"type": "deleted"} naming the room, the line's id, who deleted it and why."""
        bob, bob_wire = self.connect(b"bob")
        program, program_wire = self.connect(b"program")
        program.dataReceived(b"/format json\n")
        line = self.said(bob, bob_wire, b"hello")
        self.lines(program_wire)
        bob.dataReceived(f"/delete {line} typo\n".encode())
        [shown] = self.lines(program_wire)
        event = json.loads(shown)
        self.assertEqual(
            {key: event[key] for key in ("type", "room", "nick", "line", "reason")},
            {"type": "deleted", "room": "#lobby", "nick": "bob", "line": line, "reason": "typo"},
        )
        self.assertEqual(sorted(event), ["at", "id", "line", "nick", "reason", "room", "type"])

    def test_json_refusals_name_the_room_named(self) -> None:
        """In JSON a server operator's /delete in a room that is not is ``no-such-room`` with its ``room``, and a
        non-member's ``members-only`` with its own, so a program with deletes out tells which each answers."""
        bob, bob_wire = self.connect(b"bob")
        line = self.said(bob, bob_wire, b"hello")
        op, op_wire = self.operator(b"boss")
        carol, carol_wire = self.connect(b"carol")
        for program, wire in ((op, op_wire), (carol, carol_wire)):
            program.dataReceived(b"/format json\n")
            self.lines(wire)
        op.dataReceived(f"/delete #gone {line}\n".encode())
        carol.dataReceived(f"/delete #Maths {line}\n".encode())
        self.assertEqual(
            [json.loads(shown) for shown in self.lines(op_wire)],
            [{"type": "error", "code": "no-such-room", "room": "#gone", "text": "there is no room #gone"}],
        )
        self.assertEqual(
            [json.loads(shown) for shown in self.lines(carol_wire)],
            [
                {
                    "type": "error",
                    "code": "members-only",
                    "room": "#Maths",
                    "text": "only members of #Maths may delete its lines; /join #Maths first",
                }
            ],
        )

    def test_a_reason_past_the_limit_is_refused_and_the_line_stays(self) -> None:
        """A reason of 201 characters is refused as a kick's is: one ERR line, nothing told, the line kept."""
        bob, bob_wire = self.connect(b"bob")
        _alice, alice_wire = self.connect(b"alice")
        line = self.said(bob, bob_wire, b"hello")
        self.lines(alice_wire)
        bob.dataReceived(f"/delete {line} {'x' * 201}\n".encode())
        [refused] = self.lines(bob_wire)
        self.assertTrue(refused.startswith(b"ERR bad-text "), refused)
        self.assertEqual(self.lines(alice_wire), [])
        self.assertEqual(self.last_id(), line)
