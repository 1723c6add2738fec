"""REDACT over IRC, draft/message-redaction (chatd.irc.redaction): /delete's rules, the spec's replies, and what
clients with and without the capability are shown of a deletion."""

from chatd.text import fold
from tests.irc import IRCTestCase

REDACTING = ("message-tags", "echo-message", "draft/message-redaction")
"""What a client that deletes lines takes: msgids, its own lines back with theirs, and REDACT."""


class RedactTests(IRCTestCase):
    def said_id(self, room: str = "#lobby") -> str:
        """The id of ``room``'s last line said or acted, the msgid IRC clients read it with."""
        kept = self.history.at_hand(fold(room), None, 1)
        assert kept, "the history in memory holds every line"
        return kept[-1].id

    def test_cap_ls_offers_the_capability(self) -> None:
        """CAP LS lists draft/message-redaction, and a client may take it."""
        client, wire = self.irc_connect()
        self.send(client, "CAP LS 302", "CAP REQ draft/message-redaction")
        lines = self.lines(wire)
        self.assertIn("draft/message-redaction", b" ".join(lines).decode().split())
        self.assertEqual(lines[-1], b":testhost CAP * ACK :draft/message-redaction")

    def test_the_sender_redacts_their_line_and_each_client_is_told_as_it_can_read(self) -> None:
        """alice REDACTs her line by the msgid she read it with: she and bob (capability) read REDACT from her; carol
        (none) a NOTICE to the channel saying how long ago the line was sent, and its id; an nc user the /delete
        line; CHATHISTORY shows the line no more."""
        alice, alice_wire = self.irc_user("alice", *REDACTING)
        bob, bob_wire = self.irc_user(
            "bob", "message-tags", "batch", "draft/chathistory", "draft/message-redaction"
        )
        carol, carol_wire = self.irc_user("carol")
        _dave, dave_wire = self.connect(b"dave")
        for client in (alice, bob, carol):
            self.send(client, "JOIN #lobby")
        self.send(alice, "PRIVMSG #lobby :my password is hunter2")
        line = self.said_id()
        self.assertIn(
            f"@msgid={line} :alice!alice@chatd PRIVMSG #lobby :my password is hunter2".encode(),
            self.lines(alice_wire),
        )
        for wire in (bob_wire, carol_wire, dave_wire):
            self.lines(wire)
        self.clock.advance(65)
        self.send(alice, f"REDACT #lobby {line} :pasted a password")
        [redact] = self.lines(alice_wire)
        self.assertRegex(
            redact,
            rb"^@msgid=\w+ :alice!alice@chatd REDACT #lobby " + line.encode() + rb" :pasted a password$",
        )
        self.assertEqual(self.lines(bob_wire), [redact])
        self.assertEqual(
            self.lines(carol_wire),
            [
                f":testhost NOTICE #lobby :alice deleted a line sent 1m 5s ago (id {line}): pasted a password".encode()
            ],
        )
        self.assertEqual(
            self.lines(dave_wire),
            [f"[00:01] #lobby -- alice deleted the line {line} (pasted a password)".encode()],
        )
        self.send(bob, "CHATHISTORY LATEST #lobby * 10")
        self.assertNotIn(b"hunter2", b"".join(self.lines(bob_wire)))

    def test_a_later_piece_of_a_long_line_names_the_line(self) -> None:
        """The msgid ID.1 of a paste's second line names the whole line ID: REDACT of it deletes the line."""
        alice, alice_wire = self.irc_user("alice", *REDACTING)
        self.send(alice, "JOIN #lobby")
        self.lines(alice_wire)
        self.connect(b"dave")[0].dataReceived(b"first\n")  # a line before, which stays
        dave_line = self.said_id()
        self.send(alice, "PRIVMSG #lobby :mine")
        line = self.said_id()
        self.lines(alice_wire)
        self.send(alice, f"REDACT #lobby {line}.1")
        [redact] = self.lines(alice_wire)
        self.assertTrue(redact.endswith(f" :alice!alice@chatd REDACT #lobby {line}".encode()), redact)
        self.assertEqual(self.said_id(), dave_line)

    def test_an_id_in_upper_case_names_the_line(self) -> None:
        """REDACT of ID in upper case (and of ID.1 so) deletes the line ID, as /delete does: the REDACT each client
        reads names it as ids are made, in lower case."""
        alice, alice_wire = self.irc_user("alice", *REDACTING)
        self.send(alice, "JOIN #lobby")
        self.clock.advance(0xABC / 1000)  # an id with letters in its millisecond: 0000000abc...
        for text in ("first", "second"):
            self.send(alice, f"PRIVMSG #lobby :{text}")
            line = self.said_id()
            self.assertNotEqual(line, line.upper())
            self.lines(alice_wire)
            self.send(alice, f"REDACT #lobby {line.upper()}" + (".1" if text == "second" else ""))
            [redact] = self.lines(alice_wire)
            self.assertTrue(redact.endswith(f" :alice!alice@chatd REDACT #lobby {line}".encode()), redact)
        self.assertFalse(self.history.at_hand(fold("#lobby"), None, 1), "neither line is kept")

    def test_a_line_sent_in_pieces_is_redacted_piece_by_piece(self) -> None:
        """alice's line, too long for one PRIVMSG once her source is before it, reaches her and bob as ID and ID.1: her
        REDACT of ID.1 deletes the line, and each of them reads a REDACT of ID and of ID.1, so a client takes every
        piece away; the server's NOTICE to carol names the line once."""
        alice, alice_wire = self.irc_user("alice", *REDACTING)
        bob, bob_wire = self.irc_user("bob", *REDACTING)
        carol, carol_wire = self.irc_user("carol")
        for client in (alice, bob, carol):
            self.send(client, "JOIN #lobby")
        # It fits alice's own PRIVMSG; with ":alice!alice@chatd " before it, it is past 512 bytes.
        text = "x" * 490
        self.send(alice, f"PRIVMSG #lobby :{text}")
        line = self.said_id()
        pieces = [each for each in self.lines(bob_wire) if b" PRIVMSG #lobby :" in each]
        self.assertEqual(
            [each.split(b" ", 1)[0] for each in pieces],
            [f"@msgid={line}".encode(), f"@msgid={line}.1".encode()],
        )
        self.lines(alice_wire)
        self.lines(carol_wire)
        self.send(alice, f"REDACT #lobby {line}.1")
        redacts = self.lines(alice_wire)
        self.assertEqual(
            [each.split(b" ", 1)[1] for each in redacts],
            [
                f":alice!alice@chatd REDACT #lobby {line}".encode(),
                f":alice!alice@chatd REDACT #lobby {line}.1".encode(),
            ],
        )
        deletion = redacts[0].split(b" ", 1)[0].decode().removeprefix("@msgid=")
        self.assertEqual([each.split(b" ", 1)[0] for each in redacts[1:]], [f"@msgid={deletion}.1".encode()])
        self.assertEqual(self.lines(bob_wire), redacts)
        [notice] = self.lines(carol_wire)
        self.assertIn(f"(id {line})".encode(), notice)
        self.assertFalse(self.history.at_hand(fold("#lobby"), None, 1), "the line is kept no more")

    def test_refusals_are_the_specs_standard_replies_and_change_nothing(self) -> None:
        """Someone else's line: REDACT_FORBIDDEN; an id no line has (or no id): UNKNOWN_MSGID; a channel the client is
        not in, or a nickname: INVALID_TARGET. Nobody else is told anything."""
        alice, alice_wire = self.irc_user("alice", *REDACTING)
        bob, bob_wire = self.irc_user("bob", *REDACTING)
        self.send(alice, "JOIN #lobby")
        self.send(bob, "JOIN #lobby", "JOIN #other")
        self.send(alice, "PRIVMSG #lobby :mine")
        line = self.said_id()
        self.lines(alice_wire)
        self.lines(bob_wire)
        refused = []
        for each in (
            f"REDACT #lobby {line} :spam",
            "REDACT #lobby 0000000000000001",
            "REDACT #lobby 6f1b2c4e-uuid",
            f"REDACT #other {line}",
            f"REDACT #nowhere {line}",
            f"REDACT alice {line}",
        ):
            self.clock.advance(5)  # within the flood budget
            self.send(bob, each)
            refused += self.lines(bob_wire)
        self.assertEqual(
            refused,
            [
                f":testhost FAIL REDACT REDACT_FORBIDDEN #lobby {line} :That line is not yours: only the channel's "
                "owner, its operators and IRC operators delete others'".encode(),
                b":testhost FAIL REDACT UNKNOWN_MSGID #lobby 0000000000000001 :#lobby keeps no line with that id "
                b"(said or acted; deleted already, or never one)",
                b":testhost FAIL REDACT UNKNOWN_MSGID #lobby 6f1b2c4e-uuid :#lobby keeps no line with that id "
                b"(said or acted; deleted already, or never one)",
                f":testhost FAIL REDACT UNKNOWN_MSGID #other {line} :#other keeps no line with that id "
                "(said or acted; deleted already, or never one)".encode(),
                b":testhost FAIL REDACT INVALID_TARGET #nowhere :Join #nowhere first: only its members delete its lines",
                b":testhost FAIL REDACT INVALID_TARGET alice :Only a channel's lines are deleted; private messages are "
                b"not",
            ],
        )
        self.assertEqual(self.lines(alice_wire), [])
        self.assertEqual(self.said_id(), line)

    def test_a_channel_operator_redacts_anyones_line_and_a_bad_reason_is_refused(self) -> None:
        """The maker of #maths REDACTs bob's line there; a reason with a colour code is refused as a KICK's."""
        teacher, teacher_wire = self.irc_user("teacher", *REDACTING)
        bob, bob_wire = self.irc_user("bob", *REDACTING)
        self.send(teacher, "JOIN #maths")
        self.send(bob, "JOIN #maths", "PRIVMSG #maths :something nasty")
        line = self.said_id("#maths")
        self.lines(teacher_wire)
        self.lines(bob_wire)
        self.send(teacher, f"REDACT #maths {line} :\x0304red")
        [refused] = self.lines(teacher_wire)
        self.assertTrue(refused.startswith(b":testhost FAIL REDACT BAD_TEXT :"), refused)
        self.send(teacher, f"REDACT #maths {line} :not here")
        [redact] = self.lines(teacher_wire)
        self.assertTrue(
            redact.endswith(f" :teacher!teacher@chatd REDACT #maths {line} :not here".encode()), redact
        )
        self.assertEqual(self.lines(bob_wire), [redact])
