"""``/file decline *`` (chatd/line/file_declines.py): every offer open to the user declined at once, over
StringTransport (issue 16).

One person has up to 256 offers waiting from everyone: a user flooded by
senders declines them all in one line, those hidden from them by /ignore
too, each as ``/file decline ID`` would, then reads how many.
"""

import hashlib

from twisted.internet.testing import StringTransport

from chatd.line.protocol import LineProtocol
from tests.test_files import CONTENT, FileTestCase
from tests.test_files_sessions import FILE, Fetch, SessionsTestCase


class DeclineEveryTests(FileTestCase):
    """alice and carol offer bob files; bob is in JSON, dave in text."""

    def setUp(self) -> None:
        super().setUp()
        self.sizes = iter(range(100, 200))
        self.alice, self.alice_wire = self.json_user(b"alice", host="10.0.0.1")
        self.carol, self.carol_wire = self.json_user(b"carol", host="10.0.0.3")
        self.bob, self.bob_wire = self.json_user(b"bob", host="10.0.0.2")

    def offered(self, sender: LineProtocol, wire: StringTransport, to: bytes = b"bob") -> str:
        """``sender`` offers ``to`` a file of its own size, uploaded whole at once; its id. Every wire is read."""
        data = CONTENT[: next(self.sizes)]
        self.offer(sender, to=to, sha=hashlib.sha256(data).hexdigest(), size=len(data))
        [file] = [str(item["file"]) for item in self.objects(wire) if item["type"] == "file_upload"]
        self.upload(sender, data, file=file)
        for each in self.wires:
            self.lines(each)
        return file

    def test_every_offer_is_declined_each_sender_and_the_session_told(self) -> None:
        """Two offers from alice and one from carol to #lobby (alice, there too, is yet to answer it): bob declines
        them in one line; alice reads two file_declined, carol one, and bob each of the three before one notice saying how many; nothing is left to
        list, and bob's own offer to alice stays open."""
        first = self.offered(self.alice, self.alice_wire)
        second = self.offered(self.alice, self.alice_wire)
        third = self.offered(self.carol, self.carol_wire, to=b"#lobby")
        own = self.offered(self.bob, self.bob_wire, to=b"alice")
        self.bob.dataReceived(b"/file decline *\n")

        def declined(file: str, left: int = 0) -> dict[str, object]:
            return {"type": "file_declined", "file": file, "nick": "bob", "left": left}

        self.assertEqual(self.objects(self.alice_wire), [declined(first), declined(second)])
        self.assertEqual(self.objects(self.carol_wire), [declined(third, left=1)])
        self.assertEqual(
            self.objects(self.bob_wire),
            [
                declined(first),
                declined(second),
                declined(third, left=1),
                {
                    "type": "notice",
                    "kind": "files_declined",
                    "count": 3,
                    "fetching": 0,
                    "text": "You declined 3 file offers.",
                },
            ],
        )
        self.bob.dataReceived(b"/file list\n")
        [listing] = self.objects(self.bob_wire)
        self.assertEqual([(entry["file"], entry["state"]) for entry in listing["files"]], [(own, "offered")])

    def test_an_offer_hidden_by_ignore_is_declined_and_its_end_not_told(self) -> None:
        """bob ignores carol, whose offer he was never shown: /file decline * declines it too, carol is told, and
        bob's session hears only the count; it keeps no note of the hidden offer."""
        self.bob.dataReceived(b"/ignore carol\n")
        hidden = self.offered(self.carol, self.carol_wire)
        self.assertEqual(self.bob.offers_hidden, {hidden})
        self.bob.dataReceived(b"/file decline *\n")
        self.assertEqual(
            self.objects(self.carol_wire),
            [{"type": "file_declined", "file": hidden, "nick": "bob", "left": 0}],
        )
        [notice] = self.objects(self.bob_wire)
        self.assertEqual((notice["kind"], notice["count"]), ("files_declined", 1))
        self.assertEqual(self.bob.offers_hidden, set())
        self.assertIsNone(self.files.transfer(hidden))

    def test_a_text_session_reads_one_line_and_none_offered_says_so(self) -> None:
        """dave in text: with nothing offered he reads that none is, and changes nothing; with two offered, that he
        declined two, after a line for each."""
        dave, dave_wire = self.connect(b"dave", host="10.0.0.4")
        dave.dataReceived(b"/file decline *\n")
        self.assertEqual(self.lines(dave_wire), [b"*** No file is offered to you."])
        first = self.offered(self.alice, self.alice_wire, to=b"dave")
        second = self.offered(self.carol, self.carol_wire, to=b"dave")
        dave.dataReceived(b"/file decline *\n")
        self.assertEqual(
            self.lines(dave_wire),
            [
                b"*** dave declined %s." % first.encode(),
                b"*** dave declined %s." % second.encode(),
                b"*** You declined 2 file offers.",
            ],
        )

    def test_a_word_other_than_an_id_or_star_is_a_usage_error(self) -> None:
        """/file decline all is refused with the usage, which names *, and nothing is declined."""
        file = self.offered(self.alice, self.alice_wire)
        self.bob.dataReceived(b"/file decline all\n")
        [error] = self.objects(self.bob_wire)
        self.assertEqual((error["code"], error["text"]), ("usage", "usage: /file decline ID|*"))
        self.assertIsNotNone(self.files.transfer(file))

    def test_declining_many_costs_a_line_of_flood_budget_per_ten_offers(self) -> None:
        """/file decline * of one offer costs its line; of 25 offers, its line and two more, as listing them does."""
        self.offered(self.alice, self.alice_wire, to=b"#lobby")
        held = self.bob.budget_held()
        self.bob.dataReceived(b"/file decline *\n")
        self.assertEqual(held - self.bob.budget_held(), 1)
        for _ in range(25):
            self.clock.advance(1)  # within alice's flood budget, however many she offers
            self.offered(self.alice, self.alice_wire, to=b"#lobby")
        self.clock.advance(60)
        held = self.bob.budget_held()
        self.bob.dataReceived(b"/file decline *\n")
        self.assertEqual(held - self.bob.budget_held(), 3)
        [*_, notice] = self.objects(self.bob_wire)
        self.assertEqual(notice["count"], 25)


class DeclineEveryElsewhereTests(SessionsTestCase):
    """bob, on two sessions, is offered alice's file."""

    def test_an_offer_another_session_is_fetching_goes_on_and_is_counted(self) -> None:
        """bob's second session is half way through the file when his first declines every offer: the download goes
        on, alice is told nothing yet, and the notice says one offer was left to the other connection."""
        self.accept(self.second)
        fetch = Fetch(self, self.second, self.second_wire).take(2)
        self.first.dataReceived(b"/file decline *\n")
        self.assertEqual(
            self.objects(self.first_wire),
            [
                {
                    "type": "notice",
                    "kind": "files_declined",
                    "count": 0,
                    "fetching": 1,
                    "text": "Nothing was declined: another connection of yours is fetching the one file offered "
                    "to you, left to it.",
                }
            ],
        )
        self.assertEqual(self.objects(self.alice_wire), [])
        fetch.take()
        self.assertTrue(fetch.sent)
        self.assertEqual(
            self.objects(self.alice_wire), [{"type": "file_fetched", "file": FILE, "nick": "bob", "left": 0}]
        )

    def test_the_other_session_sees_the_offer_end(self) -> None:
        """bob declines every offer on his first session: his second reads file_declined, as alice does."""
        self.first.dataReceived(b"/file decline *\n")
        declined = {"type": "file_declined", "file": FILE, "nick": "bob", "left": 0}
        self.assertEqual(self.objects(self.second_wire), [declined])
        self.assertEqual(self.objects(self.alice_wire), [declined])
