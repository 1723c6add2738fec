"""What a session that ignores an offer's sender hears of the offer's end, over StringTransport (issue 16).

An offer from someone the session ignores is not shown to it (chatd.line.delivery.deliver); its end, however it
comes, is not either: a session is told the end of what it was shown, and never of a file it was not.
"""

from typing import Any

from twisted.internet.testing import StringTransport

from chatd.domain.files import FileLimits
from tests.test_files import CONTENT, FileTestCase

FILE = "0000000000000001"


class HiddenOfferEndTests(FileTestCase):
    file_limits = FileLimits(keep=100.0)

    def file_news(self, wire: StringTransport) -> list[dict[str, Any]]:
        """The objects about a file the JSON session on ``wire`` was sent since last asked."""
        return [item for item in self.objects(wire) if "file" in item]

    def test_a_hidden_offer_withdrawn_is_not_heard_of_in_json_or_text(self) -> None:
        """bob (JSON) and dave (text) ignore alice, carol does not: alice withdraws her offer to #lobby, and only
        carol hears of it; bob and dave hold no note of the offer after."""
        alice, _ = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        dave, dave_wire = self.connect(b"dave")
        _, carol_wire = self.json_user(b"carol")
        bob.dataReceived(b"/ignore alice\n")
        dave.dataReceived(b"/ignore alice\n")
        self.offer(alice, to=b"#lobby")
        self.upload(alice, CONTENT)
        for wire in (bob_wire, dave_wire, carol_wire):
            self.lines(wire)
        alice.dataReceived(b"/file cancel %s\n" % FILE.encode())
        self.assertEqual([item["type"] for item in self.file_news(carol_wire)], ["file_cancelled"])
        self.assertEqual((self.lines(bob_wire), self.lines(dave_wire)), ([], []))
        self.assertEqual((bob.offers_hidden, dave.offers_hidden), (set(), set()))

    def test_a_hidden_offer_that_expires_is_not_heard_of(self) -> None:
        """bob ignores alice: her offer to him expires past --file-keep, and he hears nothing; alice does."""
        alice, alice_wire = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        bob.dataReceived(b"/ignore alice\n")
        self.offer(alice, to=b"bob")
        self.upload(alice, CONTENT)
        self.lines(alice_wire)
        self.lines(bob_wire)
        self.clock.advance(101)
        self.files.expire()
        self.assertEqual([item["type"] for item in self.file_news(alice_wire)], ["file_expired"])
        self.assertEqual(self.lines(bob_wire), [])

    def test_an_offer_shown_before_the_ignore_began_is_heard_to_its_end(self) -> None:
        """bob was shown alice's offer, then ignores her: he is told she withdrew it, as he saw it."""
        alice, _, bob, bob_wire = self.alice_offers_bob()
        bob.dataReceived(b"/ignore alice\n")
        self.lines(bob_wire)
        alice.dataReceived(b"/file cancel %s\n" % FILE.encode())
        self.assertEqual([item["type"] for item in self.file_news(bob_wire)], ["file_cancelled"])

    def test_a_hidden_offer_stays_unheard_after_the_ignore_ends(self) -> None:
        """bob ignored alice as she offered him a file, and no longer does: its end is not told him, never shown it."""
        alice, _ = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        bob.dataReceived(b"/ignore alice\n")
        self.offer(alice, to=b"bob")
        self.upload(alice, CONTENT)
        bob.dataReceived(b"/unignore alice\n")
        self.lines(bob_wire)
        alice.dataReceived(b"/file cancel %s\n" % FILE.encode())
        self.assertEqual(self.lines(bob_wire), [])

    def test_an_offer_from_someone_ignored_is_left_out_of_the_listing_in_json_and_text(self) -> None:
        """bob (JSON) and dave (text) ignore alice, who offers #lobby a file: /file list shows neither of them her
        offer, and her withdrawal after reaches neither; carol, who ignores nobody, has it listed."""
        alice, _ = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        dave, dave_wire = self.connect(b"dave")
        carol, carol_wire = self.json_user(b"carol")
        bob.dataReceived(b"/ignore alice\n")
        dave.dataReceived(b"/ignore alice\n")
        self.offer(alice, to=b"#lobby")
        self.upload(alice, CONTENT)
        for user, wire in ((bob, bob_wire), (dave, dave_wire), (carol, carol_wire)):
            self.lines(wire)
            user.dataReceived(b"/file list\n")
        self.assertEqual(
            self.objects(bob_wire), [{"type": "file_list", "files": [], "next": None, "wait": 0.0}]
        )
        self.assertEqual(self.lines(dave_wire), [b"*** Files (0):"])
        self.assertEqual([entry["file"] for entry in self.objects(carol_wire)[-1]["files"]], [FILE])
        alice.dataReceived(b"/file cancel %s\n" % FILE.encode())
        self.assertEqual((self.lines(bob_wire), self.lines(dave_wire)), ([], []))

    def test_an_offer_from_someone_ignored_that_the_session_fetches_stays_listed(self) -> None:
        """bob fetches alice's offer, then ignores her: /file list still shows the download he began."""
        _, _, bob, bob_wire = self.alice_offers_bob()
        bob.dataReceived(b"/file accept %s\n" % FILE.encode())
        bob.dataReceived(b"/ignore alice\n")
        self.lines(bob_wire)
        bob.dataReceived(b"/file list\n")
        [listing] = [item for item in self.objects(bob_wire) if item["type"] == "file_list"]
        self.assertEqual(
            [(entry["file"], entry["state"]) for entry in listing["files"]], [(FILE, "downloading")]
        )

    def test_a_hidden_offer_listed_after_the_ignore_ends_is_heard_to_its_end(self) -> None:
        """bob ignored alice as she offered him a file, no longer does, and reads it in /file list: he knows it now,
        and is told she withdrew it."""
        alice, _ = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        bob.dataReceived(b"/ignore alice\n")
        self.offer(alice, to=b"bob")
        self.upload(alice, CONTENT)
        bob.dataReceived(b"/unignore alice\n")
        bob.dataReceived(b"/file list\n")
        self.assertEqual([entry["file"] for entry in self.objects(bob_wire)[-1]["files"]], [FILE])
        alice.dataReceived(b"/file cancel %s\n" % FILE.encode())
        self.assertEqual([item["type"] for item in self.file_news(bob_wire)], ["file_cancelled"])

    def test_a_late_joiner_who_ignores_the_sender_is_not_told_the_offer_left_with_him(self) -> None:
        """bob ignores alice and joins #maths, where her offer is open, then leaves: neither the offer nor its end
        as he left reaches him; carol, doing the same, reads both."""
        alice, _ = self.json_user(b"alice")
        alice.dataReceived(b"/join #maths\n")
        self.offer(alice, to=b"#maths")
        self.upload(alice, CONTENT)
        bob, bob_wire = self.json_user(b"bob")
        carol, carol_wire = self.json_user(b"carol")
        bob.dataReceived(b"/ignore alice\n")
        for user in (bob, carol):
            user.dataReceived(b"/join #maths\n")
            self.end_pass()
            user.dataReceived(b"/part #maths\n")
            self.end_pass()
        self.assertEqual(
            [item["type"] for item in self.file_news(carol_wire)], ["file_offered", "file_cancelled"]
        )
        self.assertEqual(self.file_news(bob_wire), [])
