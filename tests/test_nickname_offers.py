"""How many offers stay open (issue 16): one user's to one person, one user's to nicknames in all, everyone's to one
person, everyone's to one room (``FileLimits``, counted by chatd.frontend.nickname_offers and ``OpenTransfers``).

Each bound refuses the next offer at once, in one line naming it, before any byte; an offer that ends frees its
place at once; the same offer made again (after a drop) is no new one, and never refused; the counts follow a
recipient through a rename and identifying, and are counted again from what a restart finds. Over StringTransport,
with the engine the daemon wires.
"""

import hashlib
from typing import Any

from twisted.internet.testing import StringTransport

from chatd.domain.files import FileLimits
from chatd.frontend.transfers import Transfers
from chatd.line.protocol import LineProtocol
from chatd.storage.spool import Spool
from tests.test_files import FileTestCase
from tests.test_line_accounts import PASSWORD
from tests.test_open_transfers import _Store

TO_BOB = (
    "you have 16 files waiting for bob, the most at once; wait until they fetch or decline one, or withdraw one with "
    "/file cancel ID"
)


class BoundsTestCase(FileTestCase):
    """Users offering files of ten bytes each, every one of new content, and what each offer comes to."""

    def setUp(self) -> None:
        super().setUp()
        self.ids = iter(f"{n:016x}" for n in range(1, 1000))
        self.numbers = iter(range(1, 1000))
        self.sent: dict[str, str] = {}
        """The SHA-256 of each file offered, by its id: to offer it again."""

    def offered(
        self, protocol: LineProtocol, wire: StringTransport, to: bytes, sha: str = ""
    ) -> dict[str, Any]:
        """What an offer to ``to`` comes to: ``file_uploaded`` once uploaded, or its refusal. Of new content, unless
        ``sha`` says which file's to offer again."""
        data = b"%010d" % next(self.numbers)
        sha = sha or hashlib.sha256(data).hexdigest()
        self.clock.advance(5)  # the flood budget of an offer and a chunk back
        self.lines(wire)
        self.offer(protocol, to=to, sha=sha, size=len(data))
        answer = self.objects(wire)[-1]
        if answer["type"] != "file_upload":
            return answer
        self.sent[answer["file"]] = sha
        self.upload(protocol, data, file=answer["file"])
        [uploaded] = [item for item in self.objects(wire) if item["type"] == "file_uploaded"]
        return uploaded

    def offers(self, protocol: LineProtocol, wire: StringTransport, to: bytes, count: int) -> list[str]:
        """The ids of ``count`` offers to ``to``, each uploaded."""
        files = [self.offered(protocol, wire, to) for _ in range(count)]
        self.assertEqual({item["type"] for item in files}, {"file_uploaded"}, files)
        return [item["file"] for item in files]

    def refusal(self, answer: dict[str, Any]) -> tuple[str, str, str]:
        """A refused offer's code, text and the target it names."""
        return (
            answer.get("code", answer["type"]),
            answer.get("text", ""),
            answer.get("offer", {}).get("target"),
        )


class OffersToOneTests(BoundsTestCase):
    """Under ``--file-transfers 2`` (32 offers to nicknames) a user keeps at most 16 open to one person."""

    file_limits = FileLimits(transfers=2)

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.json_user(b"alice")
        self.bob, self.bob_wire = self.json_user(b"bob", host="10.0.0.2")

    def test_the_seventeenth_offer_to_one_person_is_refused_and_changes_nothing(self) -> None:
        """alice's 17th offer to bob is refused in one line naming him; bob is offered nothing more, nothing is
        open for it, and her offer to carol goes through."""
        files = self.offers(self.alice, self.alice_wire, b"bob", 16)
        self.lines(self.bob_wire)
        self.assertEqual(
            self.refusal(self.offered(self.alice, self.alice_wire, b"bob")), ("file-too-many", TO_BOB, "bob")
        )
        self.assertEqual(self.lines(self.bob_wire), [])
        self.bob.dataReceived(b"/file list\n")
        [listing] = self.objects(self.bob_wire)
        self.assertEqual([entry["file"] for entry in listing["files"]], files)
        self.alice.dataReceived(b"/file list\n")
        [listing] = self.objects(self.alice_wire)
        self.assertEqual([entry["file"] for entry in listing["files"]], files)
        self.json_user(b"carol", host="10.0.0.3")
        self.assertEqual(self.offered(self.alice, self.alice_wire, b"carol")["type"], "file_uploaded")

    def test_an_upload_not_offered_yet_is_one_of_them(self) -> None:
        """With 15 offered to bob and one upload to him under way, the next offer to him is refused."""
        self.offers(self.alice, self.alice_wire, b"bob", 15)
        self.offer(self.alice, to=b"bob", sha="ab" * 32, size=10)
        self.assertEqual(self.objects(self.alice_wire)[-1]["type"], "file_upload")
        self.assertEqual(
            self.refusal(self.offered(self.alice, self.alice_wire, b"bob"))[:2], ("file-too-many", TO_BOB)
        )

    def test_an_offer_that_ends_frees_its_place_at_once(self) -> None:
        """bob declines one of 16, fetches another, and alice withdraws a third: each time her next offer to him
        goes through, and the one after is refused."""
        files = self.offers(self.alice, self.alice_wire, b"bob", 16)
        ends = (
            lambda: self.bob.dataReceived(b"/file decline %s\n" % files[0].encode()),
            lambda: self.fetched(files[1]),
            lambda: self.alice.dataReceived(b"/file cancel %s\n" % files[2].encode()),
        )
        for end in ends:
            end()
            self.assertEqual(self.offered(self.alice, self.alice_wire, b"bob")["type"], "file_uploaded")
            self.assertEqual(self.offered(self.alice, self.alice_wire, b"bob")["code"], "file-too-many")

    def fetched(self, file: str) -> None:
        """bob fetches ``file`` whole."""
        self.lines(self.bob_wire)
        self.bob.dataReceived(b"/file accept %s\n" % file.encode())
        self.download(self.bob, self.bob_wire, file)

    def test_the_same_offer_made_again_is_answered_not_refused(self) -> None:
        """With 16 open to bob, alice's client offers the last of them again (as after a drop): it is answered with
        that offer, uploaded, not refused."""
        files = self.offers(self.alice, self.alice_wire, b"bob", 16)
        again = self.offered(self.alice, self.alice_wire, b"bob", sha=self.sent[files[-1]])
        self.assertEqual(again, {"type": "file_uploaded", "file": files[-1]})

    def test_the_count_follows_the_recipient_through_a_rename_not_the_nickname(self) -> None:
        """bob, with 15 waiting and alice's upload to him under way, renames to robert and alice to alicia: her offer
        to robert is refused, naming him; carol, who takes the nickname bob, is someone else, and alice's offer to her
        goes through."""
        self.offers(self.alice, self.alice_wire, b"bob", 15)
        self.offer(self.alice, to=b"bob", sha="ab" * 32, size=10)
        self.bob.dataReceived(b"/nick robert\n")
        self.alice.dataReceived(b"/nick alicia\n")
        refused = self.refusal(self.offered(self.alice, self.alice_wire, b"robert"))
        self.assertEqual(refused[:2], ("file-too-many", TO_BOB.replace("bob", "robert")))
        self.json_user(b"bob", host="10.0.0.3")
        self.assertEqual(self.offered(self.alice, self.alice_wire, b"bob")["type"], "file_uploaded")

    def test_the_count_follows_the_recipient_as_they_register(self) -> None:
        """bob, with 16 waiting as a guest, registers (his offers follow his account now): alice's next is refused."""
        self.offers(self.alice, self.alice_wire, b"bob", 16)
        self.bob.dataReceived(b"/register " + PASSWORD + b"\n")
        self.assertEqual(self.offered(self.alice, self.alice_wire, b"bob")["code"], "file-too-many")

    def test_offers_waiting_for_an_account_offline_count_and_go_on_counting_once_it_identifies(self) -> None:
        """bob registers and leaves: alice's 17th offer waiting for him is refused; so is the next, once he is back,
        identified, and offered the 16."""
        self.bob.dataReceived(b"/register " + PASSWORD + b"\n/quit\n")
        self.bob.connectionLost()
        self.offers(self.alice, self.alice_wire, b"bob", 16)
        self.assertEqual(
            self.refusal(self.offered(self.alice, self.alice_wire, b"bob"))[:2], ("file-too-many", TO_BOB)
        )
        again, wire = self.connect(None, host="10.0.0.2")
        again.dataReceived(b"/format json\nbob " + PASSWORD + b"\n")
        self.assertEqual(len([item for item in self.objects(wire) if item["type"] == "file_offered"]), 16)
        self.assertEqual(
            self.refusal(self.offered(self.alice, self.alice_wire, b"bob"))[:2], ("file-too-many", TO_BOB)
        )

    def test_the_text_line_of_the_refusal(self) -> None:
        """carol, on nc from alice's address (one user to the limits), reads one line saying what to do."""
        self.offers(self.alice, self.alice_wire, b"bob", 16)
        carol, carol_wire = self.connect(b"carol")
        self.lines(carol_wire)
        self.offer(carol, to=b"bob", sha="cd" * 32, size=10)
        self.assertEqual(self.lines(carol_wire), [b"ERR file-too-many " + TO_BOB.encode()])


class RestartTests(BoundsTestCase):
    """The open transfers kept (as with ``--db FILE``) and found again by a daemon started on the same folder."""

    file_limits = FileLimits(transfers=2)

    def test_offers_kept_across_a_restart_are_counted_again(self) -> None:
        """alice has 16 offers open to bob, registered, when the daemon stops; once it starts again, her 17th is
        refused."""
        store = _Store()
        self.files = self.factory.files = Transfers(
            self.chat,
            self.spool,
            self.clock,
            self.file_limits,
            store=store,
            new_id=lambda: next(self.ids),
            bus=self.bus,
        )
        bob, _ = self.json_user(b"bob", host="10.0.0.2")
        bob.dataReceived(b"/register " + PASSWORD + b"\n/quit\n")
        bob.connectionLost()
        alice, alice_wire = self.json_user(b"alice")
        self.offers(alice, alice_wire, b"bob", 16)
        self.spool.release()
        self.spool = Spool(self.folder)
        self.addCleanup(self.spool.release)
        self.files = self.factory.files = Transfers(
            self.chat,
            self.spool,
            self.clock,
            self.file_limits,
            store=store,
            new_id=lambda: next(self.ids),
            bus=self.bus,
        )
        alice.connectionLost()
        alice, alice_wire = self.json_user(b"alice")
        self.assertEqual(self.refusal(self.offered(alice, alice_wire, b"bob"))[:2], ("file-too-many", TO_BOB))


class NicknameOffersTests(BoundsTestCase):
    """Under ``--file-transfers 1`` a user keeps at most 16 offers open to nicknames in all."""

    file_limits = FileLimits(transfers=1)

    def test_the_seventeenth_offer_to_nicknames_is_refused_until_one_ends(self) -> None:
        """alice, with 8 open to bob and 8 to carol, is refused a 17th to dave, though none is his, in one line;
        an offer to a room is not; once bob declines one, her offer to dave goes through."""
        alice, alice_wire = self.json_user(b"alice")
        bob, _ = self.json_user(b"bob", host="10.0.0.2")
        self.json_user(b"carol", host="10.0.0.3")
        self.json_user(b"dave", host="10.0.0.4")
        to_bob = self.offers(alice, alice_wire, b"bob", 8)
        self.offers(alice, alice_wire, b"carol", 8)
        self.assertEqual(
            self.refusal(self.offered(alice, alice_wire, b"dave")),
            (
                "file-too-many",
                "you have 16 files offered to nicknames open, the most at once; wait until one is fetched or declined, "
                "or withdraw one with /file cancel ID",
                "dave",
            ),
        )
        self.assertEqual(self.offered(alice, alice_wire, b"#lobby")["type"], "file_uploaded")
        bob.dataReceived(b"/file decline %s\n" % to_bob[0].encode())
        self.assertEqual(self.offered(alice, alice_wire, b"dave")["type"], "file_uploaded")


class WaitingTests(BoundsTestCase):
    """Under ``--file-transfers 1`` one person has at most 64 offers waiting for them from everyone together."""

    file_limits = FileLimits(transfers=1)

    def test_the_sender_past_the_persons_bound_is_refused_until_one_ends(self) -> None:
        """Four users from four addresses leave 16 files each for bob: a fifth's offer to him is refused, naming
        him, though she has none open; an offer made again by one of the four is answered; once bob declines one,
        the fifth's goes through."""
        bob, _ = self.json_user(b"bob", host="10.0.0.2")
        senders = [self.json_user(b"sender%d" % n, host=f"10.0.1.{n}") for n in range(4)]
        files = [self.offers(sender, wire, b"bob", 16) for sender, wire in senders]
        erin, erin_wire = self.json_user(b"erin", host="10.0.2.1")
        self.assertEqual(
            self.refusal(self.offered(erin, erin_wire, b"bob")),
            (
                "file-too-many",
                "bob has 64 files waiting already, the most at once; try again once they fetch or decline some",
                "bob",
            ),
        )
        first, first_wire = senders[0]
        again = self.offered(first, first_wire, b"bob", sha=self.sent[files[0][0]])
        self.assertEqual(again, {"type": "file_uploaded", "file": files[0][0]})
        bob.dataReceived(b"/file decline %s\n" % files[3][15].encode())
        self.assertEqual(self.offered(erin, erin_wire, b"bob")["type"], "file_uploaded")


class RoomTests(BoundsTestCase):
    """Under ``--file-transfers 1`` one room holds at most 64 offers open from everyone together."""

    file_limits = FileLimits(transfers=1)

    def test_the_sender_past_the_rooms_bound_is_refused_until_one_ends(self) -> None:
        """Four members of #lobby from four addresses leave 16 files each there: a fifth's offer to it is refused,
        saying an operator can withdraw some, though she has none open; an offer made again by one of the four is
        answered; her offer to #maths goes through, and once one of #lobby's is withdrawn, hers there too."""
        senders = [self.json_user(b"sender%d" % n, host=f"10.0.1.{n}") for n in range(4)]
        files = [self.offers(sender, wire, b"#lobby", 16) for sender, wire in senders]
        erin, erin_wire = self.json_user(b"erin", host="10.0.2.1")
        self.assertEqual(
            self.refusal(self.offered(erin, erin_wire, b"#lobby")),
            (
                "file-too-many",
                "#lobby has 64 files open, the most at once; an operator can withdraw some with /file withdraw ID",
                "#lobby",
            ),
        )
        first, first_wire = senders[0]
        again = self.offered(first, first_wire, b"#lobby", sha=self.sent[files[0][0]])
        self.assertEqual(again, {"type": "file_uploaded", "file": files[0][0]})
        erin.dataReceived(b"/join #maths\n")
        self.assertEqual(self.offered(erin, erin_wire, b"#maths")["type"], "file_uploaded")
        first.dataReceived(b"/file cancel %s\n" % files[0][0].encode())
        self.assertEqual(self.offered(erin, erin_wire, b"#lobby")["type"], "file_uploaded")
