"""``/takedown N``: the bundled client takes someone else's room offer down, against the server's own line front end.

As tests/test_client_files_server.py: real ``Link``s with ``Transfers``,
the server's line protocol and transfer engine, pumped into each other on
one ``Clock``. The offer's number is the one the client shows with it.
"""

import os

from tests.test_client_files_server import ClientServerTestCase

WHY = "(withdrawn from #maths by an operator)"


class TakeDownTests(ClientServerTestCase):
    def test_a_room_operator_takes_a_students_offer_down_and_everyone_reads_who(self) -> None:
        """mrs_k made #maths; sam offers it a file. bob's /takedown is refused as the server says; mrs_k's /takedown 1
        ends it for everyone, each line naming her, and sam's client no longer holds the upload."""
        teacher, student, member = self.client("mrs_k"), self.client("sam"), self.client("bob")
        for client in (teacher, student, member):
            client.link.send("/join #maths")
        self.until(lambda: all(teacher.showing(f"{nick} joined #maths") for nick in ("mrs_k", "sam", "bob")))
        student.link.send(f"/send #maths {self.file(os.urandom(20_000), 'answers.pdf')}")
        offer = 'sam offers "answers.pdf" to #maths'
        self.until(lambda: teacher.showing(offer) and member.showing(offer))
        self.assertTrue(teacher.showing(": /accept 1 or /decline 1"))

        member.link.send("/takedown 1")
        self.until(lambda: member.showing("only the owner of #maths and operators may do that"))
        self.assertFalse(student.showing("taken down"))

        teacher.link.send("/takedown 1")
        self.until(lambda: student.showing("taken down"))
        self.assertTrue(
            student.showing(
                f'Your offer of "answers.pdf" to #maths was taken down by mrs_k {WHY}; nobody can fetch it now.'
            )
        )
        self.until(lambda: member.showing("taken down") and teacher.showing("taken down"))
        self.assertTrue(
            member.showing(
                f'"answers.pdf" from sam was taken down by mrs_k {WHY}; it can no longer be fetched.'
            )
        )
        self.assertTrue(
            teacher.showing(
                f'"answers.pdf" from sam was taken down by you {WHY}; it can no longer be fetched.'
            )
        )
        for client in (teacher, student, member):
            self.assertEqual(client.link.files.transfers() if client.link.files is not None else None, [])

    def test_takedown_wants_the_number_of_an_offer_to_a_room(self) -> None:
        """Without a number, or with one of an offer to the user alone, /takedown says why in one line and sends
        nothing: it would end an offer for a whole room."""
        alice, bob = self.client("alice"), self.client("bob")
        alice.link.send(f"/send bob {self.file(b'hello', 'note.txt')}")
        self.until(lambda: bob.showing('alice offers "note.txt" to you'))
        sent = len(bob.sent)
        bob.link.send("/takedown")
        bob.link.send("/takedown 1")
        bob.link.send("/takedown 7")
        self.settle()
        self.assertTrue(
            bob.showing("Usage: /takedown N takes down offer N to a room for everyone (as its operator).")
        )
        self.assertTrue(bob.showing("Offer 1 is to you, not to a room: /decline 1 refuses it."))
        self.assertTrue(bob.showing("There is no offer 7 to take down; /files lists the transfers."))
        self.assertEqual([line for line in bob.sent[sent:] if line.startswith("/file")], [])
