"""The open transfers (``OpenTransfers``): each owner's going, and those kept across a restart.

``OpenTransfers`` keeps the count of each owner's uploads as they open and
end, not a walk of every transfer open on each offer, accept and link: so
each way one ends (offered, refused as corrupt, withdrawn, expired, let go
for room) and each way one starts (an offer, one kept across a restart)
must move it. Under ``--file-transfers 1`` one count too many refuses the
next offer, one too few lets a second through. An offer kept across a
restart opens again only if the spool still holds its file whole.
"""

import hashlib
import os
from typing import Any

from twisted.internet.testing import EventLoggingObserver, StringTransport
from twisted.logger import LogLevel, globalLogPublisher

from chatd.domain.events import Actor
from chatd.domain.files import CHUNK, FileLimits, FileTarget, KeptTransfer, OfferedFile
from chatd.frontend.downloads import Downloads
from chatd.frontend.open_transfers import OpenTransfers
from chatd.frontend.transfer_expiry import STALLED_SECONDS, UPLOAD_IDLE_SECONDS
from chatd.frontend.transfer_parts import NotKept
from chatd.frontend.transfers import Transfers
from chatd.frontend.uploads import Uploads
from chatd.line.protocol import LineProtocol
from chatd.storage.spool import Spool
from tests.helpers import lines_run
from tests.test_files import CONTENT, SHA, FileTestCase
from tests.test_files_sessions import Kept
from tests.test_line_accounts import PASSWORD
from tests.transfers import worksheet


class _Kept(NotKept):
    """A transfer store that kept ``records`` from before (and keeps nothing more)."""

    def __init__(self, *records: KeptTransfer) -> None:
        self._records = records

    def kept(self) -> tuple[KeptTransfer, ...]:
        return self._records


class GoingTests(FileTestCase):
    file_limits = FileLimits(transfers=1, max_size=150_000, store_bytes=150_000)

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.json_user(b"alice")
        self.bob, self.bob_wire = self.json_user(b"bob", host="10.0.0.2")
        self.numbers = iter(range(1, 100))

    def another(self, protocol: LineProtocol, wire: StringTransport) -> str:
        """What an offer to #lobby of ten bytes of new content is answered with: its type, or its refusal's code. Taken,
        the upload is withdrawn, so that it leaves the count as it found it."""
        self.lines(wire)
        self.offer(protocol, to=b"#lobby", sha=f"{next(self.numbers):064x}", size=10)
        [answer] = self.objects(wire)
        if answer["type"] == "file_upload":
            protocol.dataReceived(b"/file cancel %s\n" % answer["file"].encode())
            self.lines(wire)
        return str(answer.get("code", answer["type"]))

    def test_an_upload_counts_until_it_is_offered(self) -> None:
        """alice's upload is one transfer going until its last chunk is checked and it is offered."""
        self.offer(self.alice)
        self.upload(self.alice, CONTENT[:CHUNK])
        self.assertEqual(self.another(self.alice, self.alice_wire), "file-too-many")
        self.upload(self.alice, CONTENT, start=CHUNK)
        self.assertIn({"type": "file_uploaded", "file": "0000000000000001"}, self.objects(self.alice_wire))
        self.assertEqual(self.another(self.alice, self.alice_wire), "file_upload")

    def test_a_corrupt_upload_counts_until_it_is_refused(self) -> None:
        """An upload whose bytes do not hash as announced stops counting once they are refused."""
        self.offer(self.alice, sha="ab" * 32)
        self.assertEqual(self.another(self.alice, self.alice_wire), "file-too-many")
        self.upload(self.alice, CONTENT)
        self.assertEqual(self.objects(self.alice_wire)[-1]["code"], "file-corrupt")
        self.assertEqual(self.another(self.alice, self.alice_wire), "file_upload")

    def test_a_withdrawn_upload_stops_counting(self) -> None:
        """An upload its sender withdraws, from another session of theirs, stops counting."""
        self.offer(self.alice)
        other, other_wire = self.json_user(b"alicia")
        self.assertEqual(self.another(other, other_wire), "file-too-many")
        self.lines(self.alice_wire)
        self.alice.dataReceived(b"/file cancel 0000000000000001\n")
        self.assertEqual(self.objects(self.alice_wire)[0]["type"], "file_cancelled")
        self.assertEqual(self.another(other, other_wire), "file_upload")

    def test_an_upload_whose_sender_left_counts_until_it_expires(self) -> None:
        """A sender gone mid-upload still has it going, to resume from another connection, until it expires."""
        self.offer(self.alice)
        self.upload(self.alice, CONTENT[:CHUNK])
        self.alice.connectionLost()
        again, again_wire = self.json_user(b"alice")
        self.assertEqual(self.another(again, again_wire), "file-too-many")
        self.clock.advance(UPLOAD_IDLE_SECONDS)
        self.files.expire()
        self.assertIsNone(self.files.transfer("0000000000000001"))
        self.assertEqual(self.another(again, again_wire), "file_upload")

    def test_an_upload_let_go_for_room_stops_counting(self) -> None:
        """A stalled upload let go for another's offer the spool has no room for stops counting."""
        self.offer(self.alice, sha="ab" * 32, size=100_000)
        self.clock.advance(STALLED_SECONDS)
        carol, carol_wire = self.json_user(b"carol", host="10.0.0.3")
        self.offer(carol, sha="cd" * 32, size=100_000)
        self.assertEqual([item["type"] for item in self.objects(carol_wire)], ["file_upload"])
        self.assertEqual(self.objects(self.alice_wire)[-1]["type"], "file_expired")
        self.assertEqual(self.another(self.alice, self.alice_wire), "file_upload")

    def test_a_resumed_upload_counts_once_under_its_first_owner_whatever_its_sender_is_called_now(
        self,
    ) -> None:
        """alice uploads part of a file as a guest, registers (her uploads now follow her account) and renames: the
        same offer resumes the same upload, still one transfer of the address it began from, until it is offered;
        her account's own count was never touched."""
        self.offer(self.alice)
        self.upload(self.alice, CONTENT[:CHUNK])
        self.alice.dataReceived(b"/register " + PASSWORD + b"\n/nick alicia\n")
        self.lines(self.alice_wire)
        self.offer(self.alice)
        [resumed] = self.objects(self.alice_wire)
        self.assertEqual((resumed["file"], resumed["have"]), ("0000000000000001", CHUNK))
        guest, guest_wire = self.json_user(b"carol")
        self.assertEqual(self.another(guest, guest_wire), "file-too-many")
        self.upload(self.alice, CONTENT, start=CHUNK)
        self.assertIn({"type": "file_uploaded", "file": "0000000000000001"}, self.objects(self.alice_wire))
        self.assertEqual(self.another(guest, guest_wire), "file_upload")

    def test_a_download_counts_until_it_ends_or_its_session_goes(self) -> None:
        """bob's download of alice's offer is one of his transfers going until he has it whole; another, until
        the session fetching it is gone."""
        carol, carol_wire = self.json_user(b"carol", host="10.0.0.2")
        self.offer(self.alice, to=b"#lobby")
        self.upload(self.alice, CONTENT)
        self.lines(self.bob_wire)
        self.bob.dataReceived(b"/file accept 0000000000000001\n")
        self.assertEqual(self.another(carol, carol_wire), "file-too-many")
        self.assertEqual(self.download(self.bob, self.bob_wire), CONTENT)
        self.assertEqual(self.another(carol, carol_wire), "file_upload")
        carol.dataReceived(b"/file accept 0000000000000001\n")
        self.assertEqual(self.another(self.bob, self.bob_wire), "file-too-many")
        carol.connectionLost()
        self.assertEqual(self.another(self.bob, self.bob_wire), "file_upload")

    def test_an_upload_kept_across_a_restart_counts_until_it_is_offered(self) -> None:
        """An upload open when the daemon stopped is one of its owner's transfers going once it starts again, and is
        resumed by the same offer."""
        record = KeptTransfer(
            OfferedFile("00000000000000a1", "holiday photo.png", len(CONTENT), "image/png", SHA),
            Actor("alice", "127.0.0.1", None),
            "address:127.0.0.1",
            "nick:alice@127.0.0.1",
            FileTarget("bob"),
            0.0,
            None,
            (),
        )
        self.alice.connectionLost()
        self.files = self.factory.files = Transfers(
            self.chat, self.spool, self.clock, self.file_limits, store=_Kept(record), bus=self.bus
        )
        alice, wire = self.json_user(b"alice")
        self.assertEqual(self.another(alice, wire), "file-too-many")
        self.offer(alice)
        [resumed] = self.objects(wire)
        self.assertEqual((resumed["file"], resumed["have"]), ("00000000000000a1", 0))
        self.upload(alice, CONTENT, file="00000000000000a1")
        self.assertIn({"type": "file_uploaded", "file": "00000000000000a1"}, self.objects(wire))
        self.assertEqual(self.another(alice, wire), "file_upload")


class _Store(Kept):
    """A ``TransferStore`` in a dict, which a restart finds as it was left."""

    def kept(self) -> list[KeptTransfer]:
        return list(self.records.values())


class KeptOfferTests(FileTestCase):
    """alice's file offered to bob, kept (as with ``--db FILE``); the daemon stops, someone removes files from
    ``--files`` by hand, and it starts again on the same folder and store."""

    def setUp(self) -> None:
        super().setUp()
        self.store = _Store()
        self.files = self.factory.files = Transfers(
            self.chat, self.spool, self.clock, store=self.store, new_id=lambda: next(self.ids), bus=self.bus
        )
        alice, _, bob, _ = self.alice_offers_bob()
        alice.connectionLost()
        bob.connectionLost()
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def restart(self) -> None:
        """The spool and the transfers made again on the same folder and store, as a daemon's start makes them."""
        self.spool.release()
        self.spool = Spool(self.folder)
        self.addCleanup(self.spool.release)
        self.files = self.factory.files = Transfers(
            self.chat, self.spool, self.clock, store=self.store, new_id=lambda: next(self.ids), bus=self.bus
        )

    def test_an_offer_whose_file_was_removed_is_dropped_with_a_line_in_the_log(self) -> None:
        """The offer's finished file is gone: the offer is dropped at start, the host told why in one line, and bob
        neither lists it nor may accept it; alice does not list it either, and nothing of it is kept."""
        os.remove(os.path.join(self.folder, f"{SHA}-{len(CONTENT)}"))
        self.restart()
        warned = [event for event in self.logged if event["log_level"] >= LogLevel.warn]
        self.assertEqual(
            [event["log_format"].format(**event) for event in warned],
            [
                f"Offer 0000000000000001 from alice to bob dropped: its file {SHA}-{len(CONTENT)} is missing from"
                " the spool (--files) or not whole, so nobody could fetch it"
            ],
        )
        bob, bob_wire = self.json_user(b"bob")
        bob.dataReceived(b"/file list\n/file accept 0000000000000001\n")
        listing, refusal = self.objects(bob_wire)
        self.assertEqual(listing, {"type": "file_list", "files": [], "next": None, "wait": 0.0})
        self.assertEqual((refusal["type"], refusal["code"]), ("error", "no-such-file"))
        alice, alice_wire = self.json_user(b"alice")
        alice.dataReceived(b"/file list\n")
        self.assertEqual(
            self.objects(alice_wire), [{"type": "file_list", "files": [], "next": None, "wait": 0.0}]
        )
        self.assertEqual(self.store.records, {})

    def test_an_offer_whose_file_was_cut_short_is_dropped_too(self) -> None:
        """The offer's finished file holds fewer bytes than were offered: it is dropped as a removed one is."""
        with open(os.path.join(self.folder, f"{SHA}-{len(CONTENT)}"), "r+b") as file:
            file.truncate(CHUNK)
        self.restart()
        self.assertIsNone(self.files.transfer("0000000000000001"))
        self.assertEqual(self.store.records, {})

    def test_an_offer_whose_file_is_there_is_open_again(self) -> None:
        """Nothing removed: the offer is open again, bob fetches it, and nothing is logged."""
        self.restart()
        bob, bob_wire = self.json_user(b"bob")
        bob.dataReceived(b"/file accept 0000000000000001\n")
        self.assertEqual(self.download(bob, bob_wire), CONTENT)
        self.assertEqual([event for event in self.logged if event["log_level"] >= LogLevel.warn], [])


def _small(n: int) -> tuple[bytes, str]:
    """Ten bytes of content of its own, and their SHA-256."""
    data = b"%010d" % n
    return data, hashlib.sha256(data).hexdigest()


class RoomOffersTests(FileTestCase):
    """Under ``--file-transfers 1`` a user keeps at most 16 offers to rooms open at once (``FileLimits.room_offers``)."""

    file_limits = FileLimits(transfers=1)

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.json_user(b"alice")
        self.numbers = iter(range(1, 100))

    def offered(self, protocol: LineProtocol, wire: StringTransport, to: bytes = b"#lobby") -> dict[str, Any]:
        """What an offer of ten bytes of new content to ``to`` comes to: ``file_uploaded`` once uploaded, or its
        refusal."""
        data, sha = _small(next(self.numbers))
        self.clock.advance(5)  # the flood budget of an offer and a chunk back
        self.lines(wire)
        self.offer(protocol, to=to, sha=sha, size=len(data))
        answer = self.objects(wire)[-1]
        if answer["type"] != "file_upload":
            return answer
        self.upload(protocol, data, file=answer["file"])
        [uploaded] = [item for item in self.objects(wire) if item["type"] == "file_uploaded"]
        return uploaded

    def test_a_user_keeps_at_most_sixteen_room_offers_open_and_may_offer_again_once_one_is_withdrawn(
        self,
    ) -> None:
        """alice's 17th offer to a room, with 16 open in #lobby and #maths, is refused in one line naming it; a
        nickname's offer is not; withdrawn, one of the 16 makes room for the next."""
        self.alice.dataReceived(b"/join #maths\n")
        self.json_user(b"bob")
        files = [
            self.offered(self.alice, self.alice_wire, b"#maths" if n % 2 else b"#lobby") for n in range(16)
        ]
        self.assertEqual({item["type"] for item in files}, {"file_uploaded"})
        refused = self.offered(self.alice, self.alice_wire)
        self.assertEqual(
            (refused["code"], refused["text"], refused["offer"]["target"]),
            (
                "file-too-many",
                "you have 16 files offered to rooms open, the most at once; withdraw one with /file cancel ID first",
                "#lobby",
            ),
        )
        self.assertEqual(self.offered(self.alice, self.alice_wire, b"bob")["type"], "file_uploaded")
        self.alice.dataReceived(b"/file cancel %s\n" % files[0]["file"].encode())
        self.assertEqual(self.offered(self.alice, self.alice_wire)["type"], "file_uploaded")

    def test_the_text_line_of_the_refusal(self) -> None:
        """An nc user past the bound reads one line saying what to do."""
        for _ in range(16):
            self.offered(self.alice, self.alice_wire)
        carol, carol_wire = self.connect(b"carol")
        self.lines(carol_wire)
        self.offer(carol, to=b"#lobby", sha=_small(99)[1], size=10)
        self.assertEqual(
            self.lines(carol_wire),
            [
                b"ERR file-too-many you have 16 files offered to rooms open, the most at once; withdraw one with /file "
                b"cancel ID first"
            ],
        )

    def test_each_user_has_a_bound_of_their_own(self) -> None:
        """bob, from another address, offers #lobby a file though alice keeps 16 open there."""
        for _ in range(16):
            self.offered(self.alice, self.alice_wire)
        bob, bob_wire = self.json_user(b"bob", host="10.0.0.2")
        self.assertEqual(self.offered(bob, bob_wire)["type"], "file_uploaded")


class RoomIndexTests(FileTestCase):
    def test_a_room_s_transfers_are_found_by_their_room_alone_until_they_end(self) -> None:
        """Transfers to #Maths, #art and bob: #maths (any case) finds the first alone, #lobby none; over, it is found
        no more, so that a join looks at its own room's offers and nothing of another's."""
        downloads = Downloads(
            self.spool, self.clock, self.file_limits, lambda *_: None, lambda _: None, lambda *_: None
        )
        open_transfers = OpenTransfers(self.spool, NotKept(), downloads, self.clock.seconds)
        maths, art, bob = (
            worksheet(f"{n:016x}", target=target)
            for n, target in enumerate(
                (FileTarget("#Maths", room=True), FileTarget("#art", room=True), FileTarget("bob")), start=1
            )
        )
        for transfer in (maths, art, bob):
            open_transfers.add(transfer)
        self.assertEqual(
            [open_transfers.in_room(room) for room in ("#maths", "#art", "#lobby")], [[maths], [art], []]
        )
        open_transfers.forget(maths)
        self.assertEqual(open_transfers.in_room("#MATHS"), [])


class PersonIndexTests(FileTestCase):
    def test_a_person_s_transfers_are_found_by_person_through_renames_until_they_end(self) -> None:
        """alice's offers to #maths and to bob, and dave's to carol: each person finds their own alone, under their
        key now after a rename; a late joiner let go is found no more, and a transfer over is found by nobody. A rename or a leave looks at these, not at every open
        transfer."""
        downloads = Downloads(
            self.spool, self.clock, self.file_limits, lambda *_: None, lambda _: None, lambda *_: None
        )
        open_transfers = OpenTransfers(self.spool, NotKept(), downloads, self.clock.seconds)
        alice, dave = Actor("alice", "127.0.0.1", None), Actor("dave", "10.0.0.4", None)
        maths, to_bob, to_carol = (
            worksheet(f"{n:016x}", sender, target)
            for n, (sender, target) in enumerate(
                (
                    (alice, FileTarget("#maths", room=True)),
                    (alice, FileTarget("bob")),
                    (dave, FileTarget("carol")),
                ),
                start=1,
            )
        )
        for transfer in (maths, to_bob, to_carol):
            open_transfers.add(transfer)
        bob, carol, erin = "nick:bob@127.0.0.1", "nick:carol@10.0.0.3", "nick:erin@10.0.0.5"
        open_transfers.involve(maths, (bob, erin))
        open_transfers.involve(to_bob, (bob,))
        open_transfers.involve(to_carol, (carol,))
        self.assertEqual(
            [
                open_transfers.of_person(key)
                for key in ("nick:alice@127.0.0.1", bob, carol, "nick:dave@10.0.0.4")
            ],
            [[maths, to_bob], [maths, to_bob], [to_carol], [to_carol]],
        )
        open_transfers.moved(bob, "account:bob")
        self.assertEqual(
            (open_transfers.of_person(bob), open_transfers.of_person("account:bob")), ([], [maths, to_bob])
        )
        open_transfers.let_go(maths, erin)
        self.assertEqual(open_transfers.of_person(erin), [])
        open_transfers.forget(maths)
        open_transfers.forget(to_bob)
        self.assertEqual(
            [open_transfers.of_person(key) for key in ("nick:alice@127.0.0.1", "account:bob", carol)],
            [[], [], [to_carol]],
        )


class OwnTransfersTests(FileTestCase):
    """bob, registered, has three transfers open: alice's offer to him, alice's offer that waited for his account
    while he was offline, and his own offer to dave; others' offers waiting for their accounts are open beside them,
    kept across a restart (as with ``--db FILE``). His identifying and his ``/file list`` look at his own."""

    def setUp(self) -> None:
        super().setUp()
        # CONTENT held whole in the spool, as every kept offer's bytes.
        alice, _, bob, _ = self.alice_offers_bob()
        bob.dataReceived(b"/register " + PASSWORD + b"\n")
        alice.connectionLost()
        bob.connectionLost()

    def kept(self, n: int, sender: Actor, target: FileTarget, pending: str) -> KeptTransfer:
        """An offer of CONTENT made at second ``n`` to ``target``, ``pending`` still to fetch it."""
        return KeptTransfer(
            OfferedFile(f"{n:016x}", "holiday photo.png", len(CONTENT), "image/png", SHA),
            sender,
            f"address:{sender.address}",
            f"account:{sender.account}" if sender.account else f"nick:{sender.nick}@{sender.address}",
            target,
            float(n),
            float(n),
            (pending,),
        )

    def bob_with_others(self, others: int) -> tuple[tuple[int, int], list[str], list[tuple[str, str]]]:
        """The daemon started again with bob's transfers and ``others`` offers of others; bob identifies and lists his
        files: the lines his identifying and his listing ran, what he was offered as he identified, and what he
        listed (file, state)."""
        alice, erin = Actor("alice", "10.0.0.1"), Actor("erin", "10.0.0.5")
        records = [
            self.kept(n, erin, FileTarget(f"u{n}", account=f"u{n}"), f"account:u{n}") for n in range(others)
        ]
        records += [
            self.kept(1000, alice, FileTarget("bob"), "account:bob"),
            self.kept(1001, alice, FileTarget("bob", account="bob"), "account:bob"),
            self.kept(1002, Actor("bob", "10.0.0.2", "bob"), FileTarget("dave"), "nick:dave@10.0.0.4"),
        ]
        self.files = self.factory.files = Transfers(
            self.chat, self.spool, self.clock, store=_Kept(*records), bus=self.bus
        )
        self.addCleanup(self.files.stop)
        bob, wire = self.connect(None, host="10.0.0.2")
        identifying = lines_run(
            Uploads.identified, lambda: bob.dataReceived(b"/format json\nbob " + PASSWORD + b"\n")
        )
        offered = [item["file"] for item in self.objects(wire) if item["type"] == "file_offered"]
        listing = lines_run(OpenTransfers.listing, lambda: bob.dataReceived(b"/file list\n"))
        [listed] = self.objects(wire)
        bob.connectionLost()
        return (identifying, listing), offered, [(row["file"], row["state"]) for row in listed["files"]]

    def test_identifying_and_listing_look_at_the_person_s_own_transfers_alone(self) -> None:
        """bob is offered what waited for his account and lists his three transfers, oldest first; with 300 others'
        transfers open, his identifying and his listing run the very lines they ran with 1."""
        one = self.bob_with_others(1)
        many = self.bob_with_others(300)
        self.assertEqual(
            one[1:],
            (
                [f"{1001:016x}"],
                [(f"{1000:016x}", "offered"), (f"{1001:016x}", "offered"), (f"{1002:016x}", "offered")],
            ),
        )
        self.assertEqual(many, one)
