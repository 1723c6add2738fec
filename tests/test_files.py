"""Files through the line front end (issue 16): upload, offer, download, resume and every refusal, over StringTransport."""

import base64
import hashlib
import json
import os
from collections.abc import Iterator
from typing import Any

from twisted.internet.error import ConnectionDone
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure

from chatd.config import FilesConfig
from chatd.daemon.files import transfers_with_expiry
from chatd.domain.files import CHUNK, WINDOW, FileLimits, KeptLink, KeptTransfer
from chatd.frontend.transfer_expiry import STALLED_SECONDS, UPLOAD_IDLE_SECONDS
from chatd.frontend.transfer_parts import NotKept, Transfer
from chatd.frontend.transfers import Transfers
from chatd.irc.lines import timestamp
from chatd.line.limits import LineLimits
from chatd.line.protocol import LineProtocol
from chatd.line.render import text_line
from chatd.storage.spool import Spool
from chatd.text import safe_file_name
from chatd.web.files import FileLinks
from tests.helpers import LineTestCase, new_folder
from tests.irc import SERVER, IRCTestCase
from tests.test_line_accounts import PASSWORD

CONTENT = bytes(range(256)) * 160  # 40,960 bytes: two whole chunks and a part
SHA = hashlib.sha256(CONTENT).hexdigest()
OWN = f"{SHA}-{len(CONTENT)}-0000000000000001"
"""Where the spool keeps the bytes of the first upload of CONTENT until they are checked whole: its own."""


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data)


class FileTestCase(LineTestCase):
    """A line front end whose connections carry files, spooled in a temporary folder."""

    file_limits = FileLimits()

    def setUp(self) -> None:
        super().setUp()
        self.folder = new_folder(self)
        self.ids: Iterator[str] = iter(f"{n:016x}" for n in range(1, 100))
        self.spool = self.make_spool()
        self.addCleanup(self.spool.release)
        self.files = Transfers(
            self.chat, self.spool, self.clock, self.file_limits, new_id=lambda: next(self.ids), bus=self.bus
        )
        self.factory.files = self.files

    def make_spool(self) -> Spool:
        """The spool in ``folder``: its file I/O done at once, unless a subclass runs it otherwise."""
        return Spool(self.folder)

    def json_user(self, nick: bytes, host: str = "127.0.0.1") -> tuple[LineProtocol, StringTransport]:
        protocol, wire = self.connect(nick, host)
        protocol.dataReceived(b"/format json\n")
        self.end_pass()
        wire.clear()
        return protocol, wire

    def objects(self, wire: StringTransport) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines(wire)]

    def upload(
        self, protocol: LineProtocol, data: bytes, start: int = 0, file: str = "0000000000000001"
    ) -> None:
        for offset in range(start, len(data), CHUNK):
            protocol.dataReceived(
                b"/file put %s %d %s\n" % (file.encode(), offset, _b64(data[offset : offset + CHUNK]))
            )

    def offer(
        self, protocol: LineProtocol, to: bytes = b"bob", sha: str = SHA, size: int = len(CONTENT)
    ) -> None:
        protocol.dataReceived(
            b"/file offer %s %d %s image/png holiday photo.png\n" % (to, size, sha.encode())
        )

    def alice_offers_bob(
        self, data: bytes = CONTENT
    ) -> tuple[LineProtocol, StringTransport, LineProtocol, StringTransport]:
        """alice and bob in JSON, alice's offer of CONTENT to bob with ``data`` (of it) uploaded; both wires cleared."""
        alice, alice_wire = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        self.offer(alice)
        self.upload(alice, data)
        self.lines(alice_wire)
        self.lines(bob_wire)
        return alice, alice_wire, bob, bob_wire

    def download(
        self, protocol: LineProtocol, wire: StringTransport, file: str = "0000000000000001"
    ) -> bytes:
        """Fetch ``file`` acking each chunk, checking each chunk's hash; the bytes got."""
        got = b""
        for _ in range(100):
            self.clock.advance(0.01)
            for item in self.objects(wire):
                if item["type"] == "file_chunk":
                    data = base64.b64decode(item["data"])
                    self.assertEqual(item["offset"], len(got))
                    self.assertEqual(hashlib.sha256(data).hexdigest(), item["sha256"])
                    got += data
                    protocol.dataReceived(b"/file ack %s %d\n" % (file.encode(), len(got)))
                elif item["type"] == "file_sent":
                    return got
        self.fail(f"no file_sent after {len(got)} bytes")


class WholeTransferTests(FileTestCase):
    def test_upload_offer_and_download_are_byte_identical(self) -> None:
        """A file uploaded in chunks, checked, offered to bob and fetched by him arrives byte for byte."""
        alice, alice_wire = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        self.offer(alice)
        self.assertEqual(
            self.objects(alice_wire),
            [
                {
                    "type": "file_upload",
                    "file": "0000000000000001",
                    "target": "bob",
                    "name": "holiday photo.png",
                    "size": len(CONTENT),
                    "sha256": SHA,
                    "have": 0,
                    "chunk": CHUNK,
                    "tail": "",
                }
            ],
        )
        self.upload(alice, CONTENT)
        told = self.objects(alice_wire)
        self.assertEqual(
            [item for item in told if item["type"] == "file_progress"],
            [
                {"type": "file_progress", "file": "0000000000000001", "have": have, "size": len(CONTENT)}
                for have in (CHUNK, 2 * CHUNK, len(CONTENT))
            ],
        )
        self.assertEqual(told[3], {"type": "file_uploaded", "file": "0000000000000001"})
        offered = self.objects(bob_wire)
        self.assertEqual(len(offered), 1)
        self.assertEqual(
            {key: value for key, value in offered[0].items() if key not in ("id", "at")},
            {
                "type": "file_offered",
                "nick": "alice",
                "file": "0000000000000001",
                "to": "bob",
                "name": "holiday photo.png",
                "size": len(CONTENT),
                "mime": "image/png",
                "sha256": SHA,
                "waited": False,
            },
        )
        self.assertEqual(told[4]["type"], "file_offered")  # the sender's echo
        bob.dataReceived(b"/file accept 0000000000000001\n")
        self.assertEqual(self.download(bob, bob_wire), CONTENT)
        self.assertEqual(os.listdir(self.folder), [], "the bytes go once every recipient is done")

    def test_window_holds_at_most_eight_chunks_unacknowledged(self) -> None:
        """Without acks the server sends eight chunks and then waits."""
        big = os.urandom(CHUNK * 10)
        alice, _ = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        self.offer(alice, sha=hashlib.sha256(big).hexdigest(), size=len(big))
        self.upload(alice, big)
        self.lines(bob_wire)
        bob.dataReceived(b"/file accept 0000000000000001\n")
        for _ in range(50):
            self.clock.advance(0.01)
        chunks = [item for item in self.objects(bob_wire) if item["type"] == "file_chunk"]
        self.assertEqual([item["offset"] for item in chunks], [n * CHUNK for n in range(8)])

    def test_room_offer_reaches_every_member_and_text_users_get_one_line(self) -> None:
        """An offer to a room goes to its members; an nc user reads one line saying how to fetch it."""
        alice, _ = self.json_user(b"alice")
        _, carol_wire = self.connect(b"carol")
        self.offer(alice, to=b"#lobby")
        self.upload(alice, CONTENT)
        [line] = self.lines(carol_wire)
        self.assertEqual(
            line,
            b'[00:00] * alice offers #lobby "holiday photo.png" (41.0 kB, image/png, sha256 '
            + SHA[:6].encode()
            + b"...): the bundled client (python -m chatd.client) or the web page can fetch it; "
            b"/file decline 0000000000000001 refuses it.",
        )

    def test_text_session_is_sent_no_bytes(self) -> None:
        """An nc user who accepts is refused, with a pointer to /file link where the server has a web port to serve
        one, and only then."""
        alice, _ = self.json_user(b"alice")
        carol, carol_wire = self.connect(b"carol")
        self.offer(alice, to=b"carol")
        self.upload(alice, CONTENT)
        self.lines(carol_wire)
        carol.dataReceived(b"/file accept 0000000000000001\n")
        self.assertEqual(
            self.lines(carol_wire),
            [
                b"ERR file-needs-json files are sent only to /format json sessions, such as the bundled client's"
            ],
        )
        self.files.links = lambda transfer, key, nick: f"http://chat.test/files/{nick}"
        carol.dataReceived(b"/file accept 0000000000000001\n")
        self.assertEqual(
            self.lines(carol_wire),
            [
                b"ERR file-needs-json files are sent only to /format json sessions; /file link "
                b"0000000000000001 gives an HTTP link, or use the bundled client or the web page"
            ],
        )

    def test_decline_tells_the_sender_and_frees_the_bytes(self) -> None:
        """bob declines: alice is told, and nothing of the file stays on the server."""
        _, alice_wire, bob, _ = self.alice_offers_bob()
        bob.dataReceived(b"/file decline 0000000000000001\n")
        self.assertEqual(
            self.objects(alice_wire),
            [{"type": "file_declined", "file": "0000000000000001", "nick": "bob", "left": 0}],
        )
        self.assertEqual(os.listdir(self.folder), [])

    def test_an_id_typed_in_upper_case_names_the_same_file(self) -> None:
        """File ids are made in lower case, as line ids are; one typed in upper case (copied by hand) names the same
        transfer: alice puts its chunks by it, bob accepts it by it, then declines it by it, and alice is told by
        the id as it was made."""
        self.ids = iter(["00000000deadbeef"])
        alice, alice_wire = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        self.offer(alice)
        self.upload(alice, CONTENT, file="00000000DEADBEEF")
        self.assertIn({"type": "file_uploaded", "file": "00000000deadbeef"}, self.objects(alice_wire))
        self.lines(bob_wire)
        bob.dataReceived(b"/file accept 00000000DeadBeef\n")
        self.assertEqual(self.objects(bob_wire)[0]["file"], "00000000deadbeef")
        bob.dataReceived(b"/file decline 00000000DEADBEEF\n")
        self.assertEqual(
            self.objects(alice_wire),
            [{"type": "file_declined", "file": "00000000deadbeef", "nick": "bob", "left": 0}],
        )

    def test_sender_cancel_tells_recipients(self) -> None:
        """alice withdraws an offer: bob hears who cancelled and why."""
        alice, _, _, bob_wire = self.alice_offers_bob()
        alice.dataReceived(b"/file cancel 0000000000000001\n")
        self.assertEqual(
            self.objects(bob_wire),
            [
                {
                    "type": "file_cancelled",
                    "file": "0000000000000001",
                    "nick": "alice",
                    "reason": "withdrawn by the sender",
                    "left": 0,
                    "left_room": None,
                    "taken_down_from": None,
                }
            ],
        )
        self.assertEqual(os.listdir(self.folder), [])

    def test_a_withdrawal_from_another_session_reaches_the_one_that_uploaded(self) -> None:
        """alice uploads from one session and withdraws from another of her account's: each of her sessions and bob
        hear it once, as the sender's withdrawal."""
        uploading, uploading_wire = self.json_user(b"alice")
        uploading.dataReceived(b"/register " + PASSWORD + b"\n")
        other, other_wire = self.connect(None)
        other.dataReceived(b"/format json\nalice " + PASSWORD + b"\n")
        _, bob_wire = self.json_user(b"bob", host="10.0.0.3")
        self.offer(uploading)
        self.upload(uploading, CONTENT)
        for wire in self.wires:
            self.lines(wire)
        other.dataReceived(b"/file cancel 0000000000000001\n")
        withdrawn = {
            "type": "file_cancelled",
            "file": "0000000000000001",
            "nick": "alice",
            "reason": "withdrawn by the sender",
            "left": 0,
            "left_room": None,
            "taken_down_from": None,
        }
        for wire in (uploading_wire, other_wire, bob_wire):
            self.assertEqual(self.objects(wire), [withdrawn])

    def test_the_sender_is_told_once_the_recipient_has_the_whole_file(self) -> None:
        """bob acknowledges the last chunk: alice hears he has it and nobody is left, and her list is empty."""
        alice, alice_wire, bob, bob_wire = self.alice_offers_bob()
        bob.dataReceived(b"/file accept 0000000000000001\n")
        self.assertEqual(self.download(bob, bob_wire), CONTENT)
        self.assertEqual(
            self.objects(alice_wire),
            [{"type": "file_fetched", "file": "0000000000000001", "nick": "bob", "left": 0}],
        )
        alice.dataReceived(b"/file list\n")
        self.assertEqual(
            self.objects(alice_wire), [{"type": "file_list", "files": [], "next": None, "wait": 0.0}]
        )

    def test_a_text_sender_reads_one_line_when_the_recipient_has_the_file(self) -> None:
        """An nc sender is told in words who fetched which transfer."""
        alice, alice_wire = self.connect(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        self.offer(alice)
        self.upload(alice, CONTENT)
        self.lines(alice_wire)
        self.lines(bob_wire)
        bob.dataReceived(b"/file accept 0000000000000001\n")
        self.download(bob, bob_wire)
        self.assertEqual(self.lines(alice_wire), [b"*** bob has fetched 0000000000000001."])

    def test_a_room_offer_counts_down_the_recipients_left_to_zero_and_stays_open_until_withdrawn(
        self,
    ) -> None:
        """Offered to #lobby: bob's fetch leaves carol, then carol's decline leaves nobody, but the offer stays open
        (whoever joins #lobby is offered it) until alice withdraws it."""
        alice, alice_wire = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        carol, _ = self.json_user(b"carol")
        self.offer(alice, to=b"#lobby")
        self.upload(alice, CONTENT)
        self.lines(alice_wire)
        self.lines(bob_wire)
        bob.dataReceived(b"/file accept 0000000000000001\n")
        self.download(bob, bob_wire)
        self.assertEqual(
            self.objects(alice_wire),
            [{"type": "file_fetched", "file": "0000000000000001", "nick": "bob", "left": 1}],
        )
        self.assertNotEqual(os.listdir(self.folder), [], "carol may still fetch it")
        carol.dataReceived(b"/file decline 0000000000000001\n")
        self.assertEqual(
            self.objects(alice_wire),
            [{"type": "file_declined", "file": "0000000000000001", "nick": "carol", "left": 0}],
        )
        self.assertNotEqual(os.listdir(self.folder), [], "whoever joins #lobby may still fetch it")
        alice.dataReceived(b"/file cancel 0000000000000001\n")
        self.assertEqual(os.listdir(self.folder), [])

    def test_a_recipient_who_stops_tells_the_sender_how_many_are_left(self) -> None:
        """bob cancels the only offer made to him: both sides read who stopped, and that nobody is left."""
        _, alice_wire, bob, bob_wire = self.alice_offers_bob()
        bob.dataReceived(b"/file cancel 0000000000000001\n")
        cancelled = {
            "type": "file_cancelled",
            "file": "0000000000000001",
            "nick": "bob",
            "reason": "cancelled by the recipient",
            "left": 0,
            "left_room": None,
            "taken_down_from": None,
        }
        self.assertEqual(self.objects(alice_wire), [cancelled])
        self.assertEqual(self.objects(bob_wire), [cancelled])

    def test_a_fetch_by_link_tells_the_sender_as_an_accept_does(self) -> None:
        """The web port's link read whole (``fetched``): alice hears bob has it, and nobody is left."""
        _, alice_wire, _, _ = self.alice_offers_bob()
        transfer = self.files.transfer("0000000000000001")
        assert transfer is not None
        self.files.fetched(transfer, "nick:bob@127.0.0.1", "bob")
        self.assertEqual(
            self.objects(alice_wire),
            [{"type": "file_fetched", "file": "0000000000000001", "nick": "bob", "left": 0}],
        )
        self.assertIsNone(self.files.transfer("0000000000000001"))

    def test_list_shows_open_transfers_both_ways(self) -> None:
        """/file list shows the sender its upload and the recipient its offer."""
        alice, alice_wire, bob, bob_wire = self.alice_offers_bob(CONTENT[:CHUNK])
        alice.dataReceived(b"/file list\n")
        [listing] = self.objects(alice_wire)
        self.assertEqual(
            listing,
            {
                "type": "file_list",
                "files": [
                    {
                        "file": "0000000000000001",
                        "nick": "alice",
                        "to": "bob",
                        "name": "holiday photo.png",
                        "size": len(CONTENT),
                        "mime": "image/png",
                        "sha256": SHA,
                        "state": "uploading",
                    }
                ],
                "next": None,
                "wait": 0.0,
            },
        )
        bob.dataReceived(b"/file list\n")
        self.assertEqual(
            self.objects(bob_wire), [{"type": "file_list", "files": [], "next": None, "wait": 0.0}]
        )


class RenameTests(FileTestCase):
    """A transfer follows its people through a change of nickname, however made."""

    def test_a_sender_who_renamed_hears_of_each_fetch_decline_and_cancel_and_may_withdraw(self) -> None:
        """alice offers #lobby and becomes alicia: bob's fetch, carol's decline and dave's cancel reach alicia; her
        list shows the offer as hers, and her withdrawal reaches erin under her new name."""
        alice, alice_wire = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        carol, _ = self.json_user(b"carol")
        dave, _ = self.json_user(b"dave")
        _, erin_wire = self.json_user(b"erin")
        self.offer(alice, to=b"#lobby")
        self.upload(alice, CONTENT)
        alice.dataReceived(b"/nick alicia\n")
        for wire in self.wires:
            self.lines(wire)
        bob.dataReceived(b"/file accept 0000000000000001\n")
        self.download(bob, bob_wire)
        carol.dataReceived(b"/file decline 0000000000000001\n")
        dave.dataReceived(b"/file cancel 0000000000000001\n")
        self.assertEqual(
            [(item["type"], item["nick"], item["left"]) for item in self.objects(alice_wire)],
            [("file_fetched", "bob", 3), ("file_declined", "carol", 2), ("file_cancelled", "dave", 1)],
        )
        alice.dataReceived(b"/file list\n")
        [listing] = self.objects(alice_wire)
        self.assertEqual([(f["nick"], f["state"]) for f in listing["files"]], [("alicia", "offered")])
        alice.dataReceived(b"/file cancel 0000000000000001\n")
        [withdrawn] = self.objects(erin_wire)
        self.assertEqual((withdrawn["type"], withdrawn["nick"]), ("file_cancelled", "alicia"))

    def test_a_recipient_who_renamed_may_still_fetch_or_decline(self) -> None:
        """Offered to #lobby, bob becomes bobby and carol caroline: bobby fetches it and caroline declines it, and
        alice hears each under the name they go by now; the old names are offered nothing."""
        alice, alice_wire = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        carol, carol_wire = self.json_user(b"carol")
        self.offer(alice, to=b"#lobby")
        self.upload(alice, CONTENT)
        bob.dataReceived(b"/nick bobby\n")
        carol.dataReceived(b"/nick caroline\n")
        for wire in self.wires:
            self.lines(wire)
        bob.dataReceived(b"/file accept 0000000000000001\n")
        self.assertEqual(self.download(bob, bob_wire), CONTENT)
        carol.dataReceived(b"/file decline 0000000000000001\n")
        self.assertEqual(self.lines(carol_wire), [])
        self.assertEqual(
            self.objects(alice_wire),
            [
                {"type": "file_fetched", "file": "0000000000000001", "nick": "bobby", "left": 1},
                {"type": "file_declined", "file": "0000000000000001", "nick": "caroline", "left": 0},
            ],
        )

    def test_a_newcomer_under_a_recipients_old_name_is_offered_nothing(self) -> None:
        """bob, offered alice's file, becomes bobby; someone who then takes "bob" cannot fetch it."""
        _, _, bob, _ = self.alice_offers_bob()
        bob.dataReceived(b"/nick bobby\n")
        other, other_wire = self.json_user(b"bob", host="10.0.0.9")
        other.dataReceived(b"/file accept 0000000000000001\n")
        self.assertEqual(
            [(item["type"], item.get("code")) for item in self.objects(other_wire)],
            [("error", "no-such-file")],
        )

    def test_an_identified_sender_is_told_where_they_are_now_and_nobody_under_an_old_name(self) -> None:
        """alice, identified, offers bob, goes by "al", leaves and comes back as alice; a stranger takes "al": bob's
        decline reaches alice and not the stranger."""
        alice, _ = self.json_user(b"alice")
        alice.dataReceived(b"/register " + PASSWORD + b"\n")
        bob, _ = self.json_user(b"bob", host="10.0.0.3")
        self.offer(alice)
        self.upload(alice, CONTENT)
        alice.dataReceived(b"/nick al\n/quit\n")
        alice.connectionLost(Failure(ConnectionDone()))
        _, stranger_wire = self.json_user(b"al", host="10.0.0.9")
        back, back_wire = self.connect(None)
        back.dataReceived(b"/format json\nalice " + PASSWORD + b"\n")
        for wire in self.wires:
            self.lines(wire)
        bob.dataReceived(b"/file decline 0000000000000001\n")
        self.assertEqual(
            self.objects(back_wire),
            [{"type": "file_declined", "file": "0000000000000001", "nick": "bob", "left": 0}],
        )
        self.assertEqual(self.lines(stranger_wire), [])

    def test_a_recipient_who_registers_after_the_offer_may_still_fetch_it(self) -> None:
        """bob, offered alice's file, registers his nickname (which identifies him): he still fetches it whole,
        and alice hears it."""
        _, alice_wire, bob, bob_wire = self.alice_offers_bob()
        bob.dataReceived(b"/register " + PASSWORD + b"\n")
        self.lines(bob_wire)
        bob.dataReceived(b"/file accept 0000000000000001\n")
        self.assertEqual(self.download(bob, bob_wire), CONTENT)
        self.assertEqual(
            self.objects(alice_wire),
            [{"type": "file_fetched", "file": "0000000000000001", "nick": "bob", "left": 0}],
        )

    def test_the_kept_transfer_has_the_new_names_for_a_restart(self) -> None:
        """With the open transfers kept (``--db FILE``), what is kept of alice's offer to bob names alicia and bobby
        once they are called so."""
        kept: dict[str, KeptTransfer] = {}

        class Kept(NotKept):
            def keep(self, transfer: KeptTransfer) -> None:
                kept[transfer.offered.file] = transfer

        self.files = self.factory.files = Transfers(
            self.chat, self.spool, self.clock, store=Kept(), new_id=lambda: next(self.ids), bus=self.bus
        )
        alice, _, bob, _ = self.alice_offers_bob()
        bob.dataReceived(b"/nick bobby\n")
        alice.dataReceived(b"/nick alicia\n")
        record = kept["0000000000000001"]
        self.assertEqual(
            (record.sender.nick, record.by, record.pending),
            ("alicia", "nick:alicia@127.0.0.1", ("nick:bobby@127.0.0.1",)),
        )

    def test_a_rename_after_the_engine_stopped_is_not_followed(self) -> None:
        """Once the engine stops (the daemon going down), alice's rename is heard no more: what is kept of her offer
        is not written again (the store is being let go)."""
        kept: list[KeptTransfer] = []

        class Kept(NotKept):
            def keep(self, transfer: KeptTransfer) -> None:
                kept.append(transfer)

        self.files = self.factory.files = Transfers(
            self.chat, self.spool, self.clock, store=Kept(), new_id=lambda: next(self.ids), bus=self.bus
        )
        alice, _, _, _ = self.alice_offers_bob()
        written = len(kept)
        self.files.stop()
        alice.dataReceived(b"/nick alicia\n")
        self.assertEqual(len(kept), written)


class ResumeTests(FileTestCase):
    def test_upload_resumes_where_it_stopped_with_the_tail_hash(self) -> None:
        """A sender that lost its connection offers again and is told what the server holds and its last chunk's hash."""
        alice, _, _, bob_wire = self.alice_offers_bob(CONTENT[: 2 * CHUNK])
        alice.transport.loseConnection()  # type: ignore[union-attr]
        alice.connectionLost()
        self.assertEqual([item["type"] for item in self.objects(bob_wire) if "file" in item], [])
        again, again_wire = self.json_user(b"alice")
        self.offer(again)
        [upload] = self.objects(again_wire)
        self.assertEqual(upload["file"], "0000000000000001")
        self.assertEqual(upload["have"], 2 * CHUNK)
        self.assertEqual(upload["tail"], hashlib.sha256(CONTENT[CHUNK : 2 * CHUNK]).hexdigest())
        self.upload(again, CONTENT, start=2 * CHUNK)
        self.assertIn({"type": "file_uploaded", "file": "0000000000000001"}, self.objects(again_wire))

    def test_a_sender_back_after_a_drop_who_offers_again_what_was_offered_is_answered_with_that_offer(
        self,
    ) -> None:
        """alice's connection drops before she hears her upload is whole, and her client offers the file to bob
        again: it is answered with the offer made, every byte there and uploaded, under the same id, and bob is not
        offered the same file a second time."""
        alice, _, _, bob_wire = self.alice_offers_bob()
        alice.connectionLost()
        self.lines(bob_wire)
        again, again_wire = self.json_user(b"alice")
        self.offer(again)
        told = [(item["type"], item["file"], item.get("have")) for item in self.objects(again_wire)]
        self.assertEqual(
            told,
            [("file_upload", "0000000000000001", len(CONTENT)), ("file_uploaded", "0000000000000001", None)],
        )
        self.assertEqual(self.objects(bob_wire), [])
        again.dataReceived(b"/file list\n")
        [listing] = self.objects(again_wire)
        self.assertEqual([entry["file"] for entry in listing["files"]], ["0000000000000001"])

    def test_the_same_file_offered_again_once_its_offer_is_over_is_a_new_offer(self) -> None:
        """bob declines alice's file, so that offer is over: offered to him again, it is a new offer, which he is
        offered."""
        alice, alice_wire, bob, bob_wire = self.alice_offers_bob()
        bob.dataReceived(b"/file decline 0000000000000001\n")
        self.lines(alice_wire)
        self.lines(bob_wire)
        self.offer(alice)
        self.upload(alice, CONTENT, file="0000000000000002")
        told = [(item["type"], item["file"]) for item in self.objects(alice_wire)]
        self.assertEqual(
            told[:2], [("file_upload", "0000000000000002"), ("file_progress", "0000000000000002")]
        )
        self.assertEqual(
            [(item["type"], item["file"]) for item in self.objects(bob_wire)],
            [("file_offered", "0000000000000002")],
        )

    def test_restart_drops_what_was_held(self) -> None:
        """/file restart starts the upload again from 0; its answer names the upload, and no offer's target."""
        alice, alice_wire, _, _ = self.alice_offers_bob(CONTENT[:CHUNK])
        alice.dataReceived(b"/file restart 0000000000000001\n")
        [upload] = self.objects(alice_wire)
        self.assertEqual(
            (upload["type"], upload["file"], upload["target"], upload["have"], upload["tail"]),
            ("file_upload", "0000000000000001", None, 0, ""),
        )

    def test_the_same_file_offered_to_two_at_once_is_answered_naming_each_offer_s_target(self) -> None:
        """alice offers the same file to bob and to carol, as typed (BOB for bob): each answer names its offer's
        target as the offer gave it, so her client tells them apart by more than the file's size and SHA-256; an
        offer made again after a drop, and one of a copy held whole, do too."""
        alice, alice_wire = self.json_user(b"alice")
        self.json_user(b"bob")
        self.json_user(b"carol")
        self.offer(alice, to=b"BOB")
        self.offer(alice, to=b"carol")
        self.assertEqual(
            [(item["file"], item["target"]) for item in self.objects(alice_wire)],
            [("0000000000000001", "BOB"), ("0000000000000002", "carol")],
        )
        self.upload(alice, CONTENT)
        self.lines(alice_wire)
        alice.connectionLost(Failure(ConnectionDone()))
        again, again_wire = self.json_user(b"alice")
        self.offer(again, to=b"Carol")
        self.offer(again, to=b"#lobby")
        self.assertEqual(
            [
                (item["file"], item["target"])
                for item in self.objects(again_wire)
                if item["type"] == "file_upload"
            ],
            [("0000000000000002", "Carol"), ("0000000000000003", "#lobby")],
        )

    def test_download_resumes_from_an_offset_whose_chunk_matches(self) -> None:
        """bob, holding the first chunk, accepts from there and gets the rest only."""
        _, _, bob, bob_wire = self.alice_offers_bob()
        tail = hashlib.sha256(CONTENT[:CHUNK]).hexdigest()
        bob.dataReceived(b"/file accept 0000000000000001 %d %s\n" % (CHUNK, tail.encode()))
        self.clock.advance(0.01)
        first = self.objects(bob_wire)[0]
        self.assertEqual((first["type"], first["offset"]), ("file_chunk", CHUNK))

    def test_download_resume_with_another_chunk_is_refused(self) -> None:
        """A last chunk that differs from the server's is refused: the client accepts again from 0."""
        _, _, bob, bob_wire = self.alice_offers_bob()
        bob.dataReceived(b"/file accept 0000000000000001 %d %s\n" % (CHUNK, b"0" * 64))
        [refusal] = self.objects(bob_wire)
        self.assertEqual(refusal["code"], "file-resume-mismatch")


class RefusalTests(FileTestCase):
    file_limits = FileLimits(max_size=100_000, day_bytes=100_000, transfers=2, store_bytes=120_000)

    def test_the_json_welcome_says_the_largest_file_taken(self) -> None:
        """Before a nickname, the JSON welcome carries ``file_max_size``, so a page refuses a bigger file before
        reading it; the text welcome is as it was."""
        protocol, wire = self.connect()
        protocol.dataReceived(b"/format json\n")
        welcome = next(each for each in self.objects(wire) if each.get("kind") == "welcome")
        self.assertEqual(welcome["file_max_size"], 100_000)
        protocol.dataReceived(b"/format text\n")
        self.assertIn(b"*** Welcome to chatd 0.1.0 on testhost. Type /help for help.", self.lines(wire))

    def refusal(self, wire: StringTransport) -> bytes:
        [line] = self.lines(wire)
        return line

    def test_lying_checksum_is_refused_and_nobody_hears_of_it(self) -> None:
        """Bytes that do not hash to the announced SHA-256 are refused, dropped, and offered to nobody."""
        alice, alice_wire = self.connect(b"alice")
        _, bob_wire = self.json_user(b"bob")
        self.offer(alice, sha="ab" * 32)
        self.upload(alice, CONTENT)
        self.assertEqual(
            self.lines(alice_wire)[-1],
            b"ERR file-corrupt The SHA-256 of 0000000000000001 is not the one announced; it was refused.",
        )
        self.assertEqual(self.lines(bob_wire), [])
        self.assertEqual(os.listdir(self.folder), [])

    def test_oversize_file_is_refused(self) -> None:
        """A file past --file-max-size is refused before a byte is sent, the sizes said as an offer says them (in
        bytes when they read the same so)."""
        alice, wire = self.connect(b"alice")
        self.connect(b"bob")
        self.offer(alice, size=100_001)
        self.assertEqual(
            self.refusal(wire), b"ERR file-too-big a file is at most 100,000 bytes here; this one is 100,001"
        )
        self.offer(alice, size=150_000)
        self.assertEqual(
            self.refusal(wire), b"ERR file-too-big a file is at most 100.0 kB here; this one is 150.0 kB"
        )

    def test_bad_offers_are_refused(self) -> None:
        """A size that is no number, a hash that is not 64 lowercase hex digits, or a type with spaces is refused."""
        alice, wire = self.connect(b"alice")
        self.connect(b"bob")
        for line in (
            b"/file offer bob ten %s image/png x\n" % SHA.encode(),
            b"/file offer bob 10 %s image/png x\n" % SHA.upper().encode(),
            b"/file offer bob 10 %s image x\n" % SHA.encode(),
            b"/file offer bob 0 %s image/png x\n" % SHA.encode(),
            b"/file offer bob 10 %s image/png\n" % SHA.encode(),
        ):
            alice.dataReceived(line)
            self.assertTrue(self.refusal(wire).startswith(b"ERR bad-file-offer "), line)

    def test_targets_are_checked(self) -> None:
        """Oneself, nobody and a room one is not in are refused with their own codes."""
        alice, wire = self.connect(b"alice")
        self.offer(alice, to=b"ALICE")
        self.assertEqual(self.refusal(wire), b"ERR file-to-self you cannot send a file to yourself")
        self.offer(alice, to=b"nobody")
        self.assertTrue(self.refusal(wire).startswith(b"ERR no-such-nick "))
        self.offer(alice, to=b"#elsewhere")
        self.assertTrue(self.refusal(wire).startswith(b"ERR no-such-room "))
        bob, _ = self.connect(b"bob")
        bob.dataReceived(b"/join #dev\n")
        self.offer(alice, to=b"#dev")
        self.assertEqual(self.refusal(wire), b"ERR not-in-room you are not in #dev")

    def test_a_refusal_of_an_offer_names_the_offer_in_json_and_that_of_another_line_does_not(self) -> None:
        """A refused offer's JSON names it (target, size, SHA-256 and name, as sent), so a client tells it from the
        same refusal of a line sent just before it, a /msg to someone who left, which names no offer."""
        alice, wire = self.json_user(b"alice")
        alice.dataReceived(b"/msg bob hi\n")
        self.offer(alice)
        message, offer = self.objects(wire)
        refusal = {
            "type": "error",
            "code": "no-such-nick",
            "text": "nobody called bob is online",
            "nick": "bob",
            "alike": None,
        }
        self.assertEqual(message, refusal)
        named = {"target": "bob", "size": len(CONTENT), "sha256": SHA, "name": "holiday photo.png"}
        self.assertEqual(offer, {**refusal, "offer": named})

    def test_every_refusal_of_an_offer_names_it_a_size_that_is_no_number_as_null(self) -> None:
        """Refusals of the offer itself and of its target name it alike; a SIZE that is no number is null."""
        alice, wire = self.json_user(b"alice")
        alice.dataReceived(b"/file offer ALICE ten %s image/png x\n" % SHA.encode())
        self.offer(alice, to=b"ALICE")
        self.offer(alice, to=b"#elsewhere", size=200_000)
        self.assertEqual(
            [(item["code"], item["offer"]) for item in self.objects(wire)],
            [
                ("bad-file-offer", {"target": "ALICE", "size": None, "sha256": SHA, "name": "x"}),
                (
                    "file-to-self",
                    {"target": "ALICE", "size": len(CONTENT), "sha256": SHA, "name": "holiday photo.png"},
                ),
                (
                    "file-too-big",
                    {"target": "#elsewhere", "size": 200_000, "sha256": SHA, "name": "holiday photo.png"},
                ),
            ],
        )

    def test_an_offer_made_again_and_refused_names_the_upload_it_leaves_open(self) -> None:
        """alice's connection drops mid-upload, and bob leaves; back, her offer of the file to bob again is refused
        naming the upload the server holds open for it (``file``), which she lets go by that id: a client that never
        heard the id (the drop cut off the offer's answer) knows it so."""
        alice, _, bob, _ = self.alice_offers_bob(CONTENT[:CHUNK])
        alice.connectionLost(Failure(ConnectionDone()))
        bob.dataReceived(b"/quit\n")
        again, wire = self.json_user(b"alice")
        self.offer(again)
        [refusal] = self.objects(wire)
        self.assertEqual((refusal["code"], refusal["file"]), ("no-such-nick", "0000000000000001"))
        again.dataReceived(b"/file cancel 0000000000000001\n")
        self.assertEqual([item["type"] for item in self.objects(wire)], ["file_cancelled"])
        # An offer of another file there is refused naming no upload: the server holds none for it.
        self.offer(again, sha="cd" * 32)
        [refusal] = self.objects(wire)
        self.assertNotIn("file", refusal)

    def test_an_offer_to_a_nickname_only_a_look_alike_holds_names_it(self) -> None:
        """Only zed with a Cyrillic e is online: an offer to zed is refused naming him, as every command is."""
        alice, wire = self.connect(b"alice")
        self.connect("z\u0435d".encode())
        self.offer(alice, to=b"zed")
        self.assertEqual(
            self.refusal(wire).decode(),
            "ERR no-such-nick nobody called zed is online; z\u0435d is, a different nickname that looks like it",
        )

    def test_too_many_transfers_at_once_are_refused(self) -> None:
        """A third upload going at once is refused under --file-transfers 2."""
        alice, wire = self.connect(b"alice")
        self.connect(b"bob")
        for n in range(2):
            self.offer(alice, sha=f"{n:064x}", size=10)
        self.lines(wire)
        self.offer(alice, sha=f"{3:064x}", size=10)
        self.assertEqual(
            self.refusal(wire),
            b"ERR file-too-many you have 2 transfers going, the most at once; wait for one to end",
        )

    def test_each_refusal_of_an_accept_names_its_file_in_json(self) -> None:
        """bob, fetching one of alice's files with his own upload going (two transfers, the most), accepts her
        other file, one that is no more, and the first from a point the server does not hold, at once or once it
        has read its bytes there: each refusal names the file it answers, so a client with two accepts out acts on
        that one's. ``file-too-many`` and ``file-resume-mismatch`` named none, and were taken for the oldest's."""
        small = bytes(1000)
        alice, alice_wire, bob, bob_wire = self.alice_offers_bob()
        self.offer(alice, sha=hashlib.sha256(small).hexdigest(), size=len(small))
        self.upload(alice, small, file="0000000000000002")
        bob.dataReceived(b"/file accept 0000000000000001\n")
        self.offer(bob, to=b"alice", sha="cd" * 32, size=10)
        self.lines(bob_wire)
        bob.dataReceived(b"/file accept 0000000000000002\n")
        bob.dataReceived(b"/file accept 00000000000000ff\n")
        bob.dataReceived(b"/file accept 0000000000000001 5 %s\n" % (b"0" * 64))
        bob.dataReceived(b"/file accept 0000000000000001 %d %s\n" % (CHUNK, b"0" * 64))
        refusals = [item for item in self.objects(bob_wire) if item["type"] == "error"]
        self.assertEqual(
            [(item["code"], item["file"]) for item in refusals],
            [
                ("file-too-many", "0000000000000002"),
                ("no-such-file", "00000000000000ff"),
                ("file-resume-mismatch", "0000000000000001"),
                ("file-resume-mismatch", "0000000000000001"),
            ],
        )
        self.assertEqual(
            refusals[0],
            {
                "type": "error",
                "code": "file-too-many",
                "text": "you have 2 transfers going, the most at once; wait for one to end",
                "file": "0000000000000002",
            },
        )
        self.lines(alice_wire)

    def test_day_limit_counts_uploaded_bytes(self) -> None:
        """Uploads count against the day's bytes: past --file-day-bytes the next offer is refused."""
        alice, wire, _, _ = self.alice_offers_bob()
        self.offer(alice, sha="cd" * 32, size=60_000)
        [refusal] = self.objects(wire)
        self.assertEqual(refusal["code"], "file-day-limit")
        # A new day (and a look that forgets the old one's counts): the same offer is taken.
        self.clock.advance(86400)
        self.files.expire()
        self.offer(alice, sha="cd" * 32, size=60_000)
        self.assertEqual([item["type"] for item in self.objects(wire)], ["file_upload"])

    def test_day_limit_counts_an_ipv6_host_as_its_64(self) -> None:
        """Unidentified users from one /64 share a day's bytes: another address of it is no new budget."""
        alice, alice_wire = self.json_user(b"alice", host="2001:db8:1:2::a")
        self.json_user(b"bob")
        self.offer(alice)
        self.upload(alice, CONTENT)
        self.lines(alice_wire)
        mallory, mallory_wire = self.json_user(b"mallory", host="2001:db8:1:2::b")
        self.offer(mallory, sha="cd" * 32, size=60_000)
        self.assertEqual([item.get("code") for item in self.objects(mallory_wire)], ["file-day-limit"])
        # Another /64 has a budget of its own.
        eve, eve_wire = self.json_user(b"eve", host="2001:db8:1:3::a")
        self.offer(eve, sha="cd" * 32, size=60_000)
        self.assertEqual([item["type"] for item in self.objects(eve_wire)], ["file_upload"])

    def test_day_limit_counts_what_unfinished_uploads_have_yet_to_send(self) -> None:
        """An offer holds its room in the spool before a byte comes, so what its upload has yet to send counts
        against --file-day-bytes as sent: a second offer past the day is refused saying so, and taken once the
        first is cancelled. Uploaded bytes only were counted, so offers that sent nothing cost nothing."""
        alice, wire = self.connect(b"alice")
        self.connect(b"bob")
        self.offer(alice, sha="ab" * 32, size=60_000)
        self.lines(wire)
        self.offer(alice, sha="cd" * 32, size=60_000)
        self.assertEqual(
            self.refusal(wire).decode(),
            "ERR file-day-limit that would pass your 100.0 kB of files a day, counting the 60.0 kB your "
            "unfinished uploads have yet to send; cancel one, or finish them and try tomorrow",
        )
        alice.dataReceived(b"/file cancel 0000000000000001\n")
        self.lines(wire)
        self.offer(alice, sha="cd" * 32, size=60_000)
        self.assertTrue(self.refusal(wire).startswith(b"*** Upload 0000000000000002 "))

    def test_store_full_is_refused(self) -> None:
        """An offer that would take the spool past --file-store-bytes is refused."""
        alice, wire = self.connect(b"alice")
        self.connect(b"bob")
        carol, carol_wire = self.connect(b"carol", "10.0.0.3")
        self.offer(alice, sha="ab" * 32, size=90_000)
        self.lines(wire)
        self.offer(carol, sha="cd" * 32, size=40_000)
        self.assertEqual(
            self.refusal(carol_wire),
            b"ERR file-store-full the server has no room for that file now; try later",
        )

    def test_wrong_offset_and_bad_chunks_store_nothing(self) -> None:
        """A chunk for another offset is refused with what the server holds; bad base64 and long chunks too. Each
        refusal names its upload, so a client sending two at once knows which one it answers."""
        alice, wire = self.json_user(b"alice")
        self.json_user(b"bob")
        self.offer(alice)
        self.lines(wire)
        alice.dataReceived(b"/file put 0000000000000001 5 %s\n" % _b64(b"hello"))
        [refusal] = self.objects(wire)
        self.assertEqual(
            {key: refusal[key] for key in ("code", "file", "have")},
            {"code": "file-offset", "file": "0000000000000001", "have": 0},
        )
        alice.dataReceived(b"/file put 0000000000000001 0 !!!!\n")
        [refusal] = self.objects(wire)
        self.assertEqual((refusal["code"], refusal["file"]), ("bad-file-chunk", "0000000000000001"))
        alice.dataReceived(b"/file put 0000000000000001 0 %s\n" % _b64(b"x" * (CHUNK + 1)))
        self.assertEqual(self.objects(wire)[0]["code"], "bad-file-chunk")
        self.assertEqual(self.spool.held(OWN), 0)

    def test_a_chunks_refusal_names_its_upload_in_text(self) -> None:
        """In text too, a wrong offset and a bad chunk name the upload they answer, as other file lines do."""
        alice, wire = self.connect(b"alice")
        self.connect(b"bob")
        self.offer(alice)
        self.lines(wire)
        alice.dataReceived(b"/file put 0000000000000001 5 %s\n" % _b64(b"hello"))
        alice.dataReceived(b"/file put 0000000000000001 0 !!!!\n")
        self.assertEqual(
            self.lines(wire),
            [
                b"ERR file-offset the server holds 0 bytes of 0000000000000001; send the chunk from there",
                b"ERR bad-file-chunk a chunk of 0000000000000001 is standard base64 of 1 to 16384 bytes, "
                b"within the file's size",
            ],
        )

    def test_a_put_to_an_upload_already_whole_says_so(self) -> None:
        """Offered to others, a copy the server holds whole is file_uploaded at once; a put to it is told there is
        nothing to upload (one line naming it, nothing stored), and so is one to the first upload, done, and a
        restart of either; bob's is not his."""
        alice, alice_wire, bob, bob_wire = self.alice_offers_bob()
        self.offer(alice, to=b"#lobby")
        told = self.objects(alice_wire)
        self.assertEqual(
            [(item["type"], item.get("have")) for item in told],
            [("file_upload", len(CONTENT)), ("file_uploaded", None), ("file_offered", None)],
        )
        self.lines(bob_wire)
        for file in (b"0000000000000002", b"0000000000000001"):
            alice.dataReceived(b"/file put %s 0 %s\n" % (file, _b64(CONTENT[:5])))
            alice.dataReceived(b"/file restart %s\n" % file)
            refusal = {
                "type": "error",
                "code": "file-uploaded",
                "text": f"the server already has every byte of {file.decode()}; nothing to upload",
                "file": file.decode(),
            }
            self.assertEqual(self.objects(alice_wire), [refusal, refusal])
        bob.dataReceived(b"/file put 0000000000000002 0 %s\n" % _b64(CONTENT[:5]))
        self.assertEqual(self.objects(bob_wire)[0]["code"], "no-such-file")
        self.assertEqual(self.spool.held(f"{SHA}-{len(CONTENT)}"), len(CONTENT))

    def test_vanished_sender_offers_nobody_anything(self) -> None:
        """A sender gone mid-upload leaves the bytes for resuming, and nobody is offered a thing."""
        alice, _, _, bob_wire = self.alice_offers_bob(CONTENT[:CHUNK])
        alice.connectionLost()
        self.assertEqual([line for line in self.lines(bob_wire) if b"file" in line], [])
        self.assertEqual(self.spool.held(OWN), CHUNK)


class NameTests(FileTestCase):
    def test_paths_are_cut_to_their_last_part(self) -> None:
        """Neither / nor \\ nor leading dots survive: ../../etc/passwd is passwd."""
        self.assertEqual(safe_file_name("../../etc/passwd"), "passwd")
        self.assertEqual(safe_file_name("..\\..\\windows\\win.ini"), "win.ini")
        self.assertEqual(safe_file_name(".."), "file")
        self.assertEqual(safe_file_name("/"), "file")

    def test_control_and_format_characters_are_removed(self) -> None:
        """Terminal escapes, DEL and bidi overrides leave the name."""
        self.assertEqual(safe_file_name("a\x1b[31mb\x7fc\u202etxt.exe"), "a[31mbctxt.exe")

    def test_a_long_name_is_cut_keeping_its_extension(self) -> None:
        """A 10,000-character name is cut to 200 bytes of UTF-8 at a character, keeping .png."""
        name = safe_file_name("é" * 10_000 + ".png")
        self.assertLessEqual(len(name.encode()), 200)
        self.assertTrue(name.endswith("é.png"))

    def test_the_offer_shows_the_safe_name(self) -> None:
        """A malicious name reaches the recipient only as its safe form."""
        alice, _ = self.json_user(b"alice")
        _, bob_wire = self.json_user(b"bob")
        alice.dataReceived(
            b"/file offer bob %d %s image/png ../../etc/\x1bpasswd\n" % (len(CONTENT), SHA.encode())
        )
        self.upload(alice, CONTENT)
        [offer] = self.objects(bob_wire)
        self.assertEqual(offer["name"], "passwd")


def _put_line(file: str, offset: int, data: bytes, length: int | None = None) -> bytes:
    """A ``/file put`` line (without its LF), padded with spaces between its words to ``length`` bytes if given."""
    line = b"/file put %s %d %s" % (file.encode(), offset, _b64(data))
    if length is not None:
        line = line.replace(b" %d " % offset, b" " * (length - len(line) + 1) + b"%d " % offset, 1)
        assert len(line) == length
    return line


class BudgetTests(FileTestCase):
    """While an upload is open its bytes go to the transfer budget; a transfer's own lines cost no line."""

    file_limits = FileLimits(rate=2 * CHUNK)
    limits = LineLimits(flood_disconnect=1.0)

    def test_upload_over_the_transfer_budget_pauses_reading_without_warning_or_cut_off(self) -> None:
        """Eight chunks at once at 32 KiB/s: reading stops until the budget refills, then all go on; no notice, no cut-off."""
        big = os.urandom(8 * CHUNK)
        alice, wire = self.json_user(b"alice")
        self.json_user(b"bob")
        self.offer(alice, sha=hashlib.sha256(big).hexdigest(), size=len(big))
        self.lines(wire)
        sent = b"".join(
            _put_line("0000000000000001", o, big[o : o + CHUNK]) + b"\n" for o in range(0, len(big), CHUNK)
        )
        alice.dataReceived(sent)
        # 175 kB against a 32 KiB burst refilling at 32 KiB/s: about 4.3 s of debt.
        self.assertEqual(wire.producerState, "paused")
        self.assertEqual(self.lines(wire), [])
        self.clock.advance(4)
        self.assertEqual(wire.producerState, "paused")
        self.assertEqual(self.lines(wire), [])
        self.clock.advance(0.5)
        self.assertEqual(wire.producerState, "producing")
        told = self.objects(wire)
        self.assertEqual(
            [item["type"] for item in told], ["file_progress"] * 8 + ["file_uploaded", "file_offered"]
        )
        self.assertFalse(wire.disconnecting)

    def test_two_connections_of_one_user_share_one_budget(self) -> None:
        """alice's 8 chunks put her budget in debt; bob, from her address (one user to the limits), waits too."""
        big = os.urandom(8 * CHUNK)
        alice, alice_wire = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        self.json_user(b"carol")
        self.offer(alice, to=b"carol", sha=hashlib.sha256(big).hexdigest(), size=len(big))
        self.offer(bob, to=b"carol", sha=hashlib.sha256(big[:CHUNK]).hexdigest(), size=CHUNK)
        self.lines(alice_wire)
        self.lines(bob_wire)
        alice.dataReceived(
            b"".join(
                _put_line("0000000000000001", o, big[o : o + CHUNK]) + b"\n"
                for o in range(0, len(big), CHUNK)
            )
        )
        self.assertEqual(alice_wire.producerState, "paused")
        bob.dataReceived(_put_line("0000000000000002", 0, big[:CHUNK]) + b"\n")
        self.assertEqual(bob_wire.producerState, "paused")
        self.end_pass()
        self.assertEqual(self.objects(bob_wire), [])
        # Once the shared budget is out of debt (about 5 s of 32 KiB/s), bob's chunk is read.
        self.clock.advance(10)
        self.assertEqual([item["type"] for item in self.objects(bob_wire)][:1], ["file_progress"])

    def test_the_byte_budget_would_have_slowed_the_same_bytes_without_an_upload(self) -> None:
        """The same amount of chat bytes, with no upload open, is over the byte budget and warned about."""
        alice, wire = self.connect(b"alice")
        alice.dataReceived(b"/file list\n" + b" " * 20000 + b"\n")
        self.assertIn(
            b"*** You are sending faster than the server allows; your lines now wait their turn.",
            self.lines(wire),
        )


class AckBudgetTests(FileTestCase):
    """A download's acknowledgements are paid from the transfer budget, not the byte budget chat lines use."""

    limits = LineLimits(flood_bytes=64, flood_disconnect=1.0)

    def test_acks_past_the_byte_budget_neither_slow_nor_warn_the_reader(self) -> None:
        """With a 64-byte budget (256 at once), 24 acks of 30-odd bytes go through unslowed; once done, bytes count again."""
        big = os.urandom(24 * CHUNK)
        alice, _ = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        self.offer(alice, sha=hashlib.sha256(big).hexdigest(), size=len(big))
        self.upload(alice, big)
        self.lines(bob_wire)
        bob.dataReceived(b"/file accept 0000000000000001\n")
        got = b""
        for _ in range(200):
            self.clock.advance(0.01)
            for line in self.lines(bob_wire):
                self.assertNotIn(b"faster than the server allows", line)
                item = json.loads(line)
                if item["type"] == "file_chunk":
                    got += base64.b64decode(item["data"])
                    bob.dataReceived(b"/file ack 0000000000000001 %d\n" % len(got))
                    self.assertEqual(bob_wire.producerState, "producing")
        self.assertEqual(got, big)
        self.assertFalse(bob_wire.disconnecting)
        bob.dataReceived(b"/file list\n" + b" " * 300 + b"\n")
        self.end_pass()
        self.assertIn(b"faster than the server allows", bob_wire.value())


class FreeLineTests(FileTestCase):
    """``/file put`` and ``/file ack`` cost no line of flood budget; every other line does."""

    def test_twelve_puts_and_twelve_acks_are_not_slowed_but_eleven_lists_are(self) -> None:
        """A 12-chunk file goes up in one read and down with 12 acks without a flood notice; 11 /file list lines get one."""
        big = os.urandom(12 * CHUNK)
        alice, alice_wire = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        self.offer(alice, sha=hashlib.sha256(big).hexdigest(), size=len(big))
        alice.dataReceived(
            b"".join(
                _put_line("0000000000000001", o, big[o : o + CHUNK]) + b"\n"
                for o in range(0, len(big), CHUNK)
            )
        )
        told = self.objects(alice_wire)
        self.assertEqual(
            [item["type"] for item in told][-3:], ["file_progress", "file_uploaded", "file_offered"]
        )
        self.assertNotIn("notice", [item["type"] for item in told])
        self.lines(bob_wire)
        bob.dataReceived(b"/file accept 0000000000000001\n")
        self.assertEqual(self.download(bob, bob_wire), big)
        self.assertEqual([item for item in self.objects(bob_wire) if item["type"] != "file_chunk"], [])
        alice.dataReceived(b"/file list\n" * 11)
        notices = [item for item in self.objects(alice_wire) if item["type"] == "notice"]
        self.assertEqual([item.get("kind") for item in notices], ["flood"])

    def test_refused_puts_and_acks_cost_a_line_each(self) -> None:
        """Puts at the wrong offset and acks of nothing are refused, and paid for as any line: eleven of them meet
        the flood notice, and reading stops before the last, where taken ones go through at once."""
        alice, alice_wire = self.json_user(b"alice")
        self.json_user(b"bob")
        self.offer(alice)
        self.lines(alice_wire)
        alice.dataReceived(
            b"/file put 0000000000000001 999 AAAA\n" * 6 + b"/file ack 0000000000000009 5\n" * 5
        )
        told = self.objects(alice_wire)
        refused = [item["code"] for item in told if item["type"] == "error"]
        self.assertLess(len(refused), 11)
        self.assertEqual(set(refused), {"file-offset", "no-such-file"})
        self.assertEqual([item.get("kind") for item in told if item["type"] == "notice"], ["flood"])

    def test_puts_and_acks_that_move_their_transfer_by_less_than_a_chunk_cost_a_line_each(self) -> None:
        """A put of a byte, or an ack of bytes acknowledged already, is taken but paid for as any line: eleven of
        either meet the flood notice. Free, a client sent them as fast as the transfer budget let its bytes in
        (some 40 bytes a line at 10 MiB/s), hundreds of lines a second that slowed everyone's chat."""
        alice, alice_wire = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        self.offer(alice)
        self.lines(alice_wire)
        alice.dataReceived(
            b"".join(_put_line("0000000000000001", at, CONTENT[at : at + 1]) + b"\n" for at in range(11))
        )
        told = self.objects(alice_wire)
        taken = [item["have"] for item in told if item["type"] == "file_progress"]
        self.assertEqual(taken, list(range(1, len(taken) + 1)))
        self.assertLess(len(taken), 11)
        self.assertEqual([item.get("kind") for item in told if item["type"] == "notice"], ["flood"])
        self.clock.advance(60)
        self.lines(alice_wire)
        self.upload(alice, CONTENT, start=11)
        self.lines(bob_wire)
        bob.dataReceived(b"/file accept 0000000000000001\n")
        self.clock.advance(0.01)
        [first, *_] = [item for item in self.objects(bob_wire) if item["type"] == "file_chunk"]
        self.assertEqual(first["offset"], 0)
        bob.dataReceived(b"/file ack 0000000000000001 %d\n" % CHUNK + b"/file ack 0000000000000001 1\n" * 11)
        self.end_pass()
        self.assertEqual(
            [item.get("kind") for item in self.objects(bob_wire) if item["type"] == "notice"], ["flood"]
        )


class LongPutLineTests(FileTestCase):
    """A ``/file put`` line may hold 22,000 bytes only while the connection has an upload open."""

    limits = LineLimits(flood_bytes=65536)  # the byte budget is not what this is about

    def test_a_22000_byte_put_line_is_taken_only_while_an_upload_is_open(self) -> None:
        """Before the offer and after the upload the line is too long; between, it stores a chunk."""
        alice, wire = self.json_user(b"alice")
        self.json_user(b"bob")
        chunk = _put_line("0000000000000001", 0, CONTENT[:CHUNK], 22000) + b"\n"
        alice.dataReceived(chunk)
        [refusal] = self.objects(wire)
        self.assertEqual(refusal["code"], "line-too-long")
        self.offer(alice)
        self.lines(wire)
        alice.dataReceived(chunk)
        self.assertEqual(
            self.objects(wire),
            [{"type": "file_progress", "file": "0000000000000001", "have": CHUNK, "size": len(CONTENT)}],
        )
        alice.dataReceived(_put_line("0000000000000001", CHUNK, CONTENT[CHUNK : 2 * CHUNK], 22001) + b"\n")
        [refusal] = self.objects(wire)
        self.assertEqual(refusal["code"], "line-too-long")
        self.upload(alice, CONTENT, start=CHUNK)
        self.assertIn({"type": "file_uploaded", "file": "0000000000000001"}, self.objects(wire))
        alice.dataReceived(chunk)
        [refusal] = self.objects(wire)
        self.assertEqual(refusal["code"], "line-too-long")

    def test_a_session_whose_upload_went_on_elsewhere_may_send_no_long_put_line(self) -> None:
        """alice's upload, begun on one session of her account, is offered again on another and goes on there: the
        first session has no upload open any more, so its 22,000-byte put line is too long (as on any connection
        without one), and its bytes are charged to its byte budget; the second's is taken."""
        alice, wire = self.json_user(b"alice")
        alice.dataReceived(b"/register " + PASSWORD + b"\n")
        other, other_wire = self.connect(None)
        other.dataReceived(b"/format json\nalice " + PASSWORD + b"\n")
        self.json_user(b"bob", host="10.0.0.3")
        self.offer(alice)
        self.upload(alice, CONTENT[:CHUNK])
        self.offer(other)
        self.lines(wire)
        [moved] = [item for item in self.objects(other_wire) if item["type"] == "file_upload"]
        self.assertEqual((moved["file"], moved["have"]), ("0000000000000001", CHUNK))
        self.assertFalse(self.files.transferring(alice))
        line = _put_line("0000000000000001", CHUNK, CONTENT[CHUNK : 2 * CHUNK], 22000) + b"\n"
        alice.dataReceived(line)
        self.assertEqual([item.get("code") for item in self.objects(wire)], ["line-too-long"])
        other.dataReceived(line)
        self.assertEqual(
            self.objects(other_wire),
            [{"type": "file_progress", "file": "0000000000000001", "have": 2 * CHUNK, "size": len(CONTENT)}],
        )

    def test_chunks_on_their_way_when_an_upload_expires_are_dropped(self) -> None:
        """alice's upload is let go past --file-keep while her next chunks are on their way (she has yet to hear it):
        a window of them is dropped without a word, not refused as lines too long or warned of as flooding."""
        self.files.limits = FileLimits(keep=100.0)
        alice, wire = self.json_user(b"alice")
        self.json_user(b"bob")
        self.offer(alice)
        self.upload(alice, CONTENT[:CHUNK])
        self.clock.advance(101)
        self.files.expire()
        self.assertEqual(
            [item["type"] for item in self.objects(wire)], ["file_upload", "file_progress", "file_expired"]
        )
        self.assert_late_chunks_dropped(alice, wire)

    def test_chunks_on_their_way_when_an_upload_is_withdrawn_elsewhere_are_dropped(self) -> None:
        """alice's upload is cancelled from another session of her account while its next chunks are on their way:
        a window of them is dropped without a word, not refused as lines too long or warned of as flooding."""
        alice, wire = self.json_user(b"alice")
        alice.dataReceived(b"/register " + PASSWORD + b"\n")
        other, _ = self.connect(None)
        other.dataReceived(b"/format json\nalice " + PASSWORD + b"\n")
        self.json_user(b"bob", host="10.0.0.3")
        self.offer(alice)
        self.upload(alice, CONTENT[:CHUNK])
        self.lines(wire)
        other.dataReceived(b"/file cancel 0000000000000001\n")
        self.assertEqual([item["type"] for item in self.objects(wire)], ["file_cancelled"])
        self.assert_late_chunks_dropped(alice, wire)

    def assert_late_chunks_dropped(self, alice: LineProtocol, wire: StringTransport) -> None:
        """A window of alice's chunks of file 1, sent before she heard it was gone, gets no answer; one more put line
        is too long, as on any connection with no upload open."""
        line = _put_line("0000000000000001", CHUNK, CONTENT[CHUNK : 2 * CHUNK], 22000) + b"\n"
        alice.dataReceived(line * WINDOW)
        self.assertEqual(self.objects(wire), [])
        alice.dataReceived(line)
        self.assertEqual([item.get("code") for item in self.objects(wire)], ["line-too-long"])


class DownloadRateTests(FileTestCase):
    """A user's downloads go no faster than --file-rate."""

    file_limits = FileLimits(rate=2 * CHUNK)

    def test_chunks_go_out_at_the_rate_after_a_burst_of_one_second(self) -> None:
        """At 32 KiB/s, a full budget sends two chunks at once, then one each half second, acks or not."""
        big = os.urandom(10 * CHUNK)
        alice, _ = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        self.offer(alice, sha=hashlib.sha256(big).hexdigest(), size=len(big))
        self.upload(alice, big)
        self.clock.advance(10)  # the upload is paced by the same rate, on alice's connection
        self.lines(bob_wire)
        bob.dataReceived(b"/file accept 0000000000000001\n")
        offsets: list[int] = []
        # 2.1 s, acking each chunk at once: a chunk waits a few ms more
        # whenever the session's output is busy, so not 2.0 s exactly.
        for _ in range(21):
            self.clock.advance(0.1)
            for item in self.objects(bob_wire):
                offsets.append(item["offset"])
                bob.dataReceived(b"/file ack 0000000000000001 %d\n" % (item["offset"] + CHUNK))
        self.assertEqual(offsets, [n * CHUNK for n in range(6)])


class WaitingOfferTests(FileTestCase):
    """An offer to a registered account that is offline waits for it to identify."""

    def test_an_offline_account_is_offered_the_file_when_it_identifies(self) -> None:
        """bob registered and left; alice's upload goes ahead, and bob, identifying, gets it with "waited": true."""
        bob, _ = self.connect(b"bob", host="10.0.0.3")
        bob.dataReceived(b"/register " + PASSWORD + b"\n")
        bob.dataReceived(b"/quit\n")
        bob.connectionLost(Failure(Exception("closed")))
        alice, alice_wire = self.json_user(b"alice")
        self.offer(alice)
        self.upload(alice, CONTENT)
        told = self.objects(alice_wire)
        self.assertIn({"type": "file_uploaded", "file": "0000000000000001"}, told)
        self.assertEqual(told[-1]["type"], "file_offered")  # the sender's own echo
        again, wire = self.connect(None, host="10.0.0.3")
        again.dataReceived(b"/format json\nbob " + PASSWORD + b"\n")
        offers = [item for item in self.objects(wire) if item["type"] == "file_offered"]
        self.assertEqual(len(offers), 1)
        self.assertEqual(
            (offers[0]["file"], offers[0]["nick"], offers[0]["to"], offers[0]["waited"]),
            ("0000000000000001", "alice", "bob", True),
        )
        again.dataReceived(b"/file accept 0000000000000001\n")
        self.assertEqual(self.download(again, wire), CONTENT)


class IRCNoticeTests(FileTestCase, IRCTestCase):
    """IRC users are never sent file bytes: a NOTICE tells them of an offer."""

    def test_an_irc_user_offered_a_file_gets_one_notice(self) -> None:
        """dave on IRC is offered alice's file: one NOTICE from the server with its name, size, type and hash."""
        _, dave_wire = self.irc_user("dave")
        alice, _ = self.json_user(b"alice")
        self.offer(alice, to=b"dave")
        self.upload(alice, CONTENT)
        self.end_pass()
        self.assertEqual(
            dave_wire.value().decode(),
            f':{SERVER} NOTICE dave :alice offers dave "holiday photo.png" ({len(CONTENT)} bytes, image/png, '
            f"sha256 {SHA}): fetch it with the bundled client (python -m chatd.client) or the web page; FILES "
            "DECLINE 0000000000000001 declines it; send FILES to list it again\r\n",
        )

    def test_an_offline_account_logging_in_over_irc_is_offered_the_file(self) -> None:
        """bob registered and left; alice's file waits for him; bob logs in over IRC (PASS) and gets the NOTICE."""
        self.irc.files = self.files
        bob, _ = self.connect(b"bob", host="10.0.0.3")
        bob.dataReceived(b"/register " + PASSWORD + b"\n")
        bob.dataReceived(b"/quit\n")
        bob.connectionLost(Failure(Exception("closed")))
        alice, _ = self.json_user(b"alice")
        self.offer(alice, to=b"bob")
        self.upload(alice, CONTENT)
        again, wire = self.irc_connect("10.0.0.3")
        self.send(again, f"PASS {PASSWORD.decode()}", "NICK bob", "USER bob 0 * :bob")
        self.end_pass()
        notices = [line for line in wire.value().decode().splitlines() if 'alice offers bob "holiday' in line]
        self.assertEqual(len(notices), 1)

    def test_with_a_web_port_each_irc_recipient_gets_a_link_of_its_own(self) -> None:
        """With links to make, dave's and erin's NOTICEs in #lobby each name a link made for them; alice's names none."""
        made: list[tuple[str, str]] = []

        def make(transfer: Transfer, key: str, nick: str) -> str:
            made.append((transfer.file, nick))
            return f"http://testhost:8080/files/{nick}-token"

        self.files.links = make
        self.irc.files = self.files
        dave, dave_wire = self.irc_user("dave")
        erin, erin_wire = self.irc_user("erin")
        for protocol in (dave, erin):
            self.send(protocol, "JOIN #lobby")
        alice, _ = self.json_user(b"alice")
        self.offer(alice, to=b"#lobby")
        self.upload(alice, CONTENT)
        self.end_pass()
        for nick, wire in (("dave", dave_wire), ("erin", erin_wire)):
            self.assertEqual(
                wire.value().decode().splitlines()[-1],
                f':{SERVER} NOTICE #lobby :alice offers #lobby "holiday photo.png" ({len(CONTENT)} bytes, '
                f"image/png, sha256 {SHA}): fetch it at http://testhost:8080/files/{nick}-token (a link for you "
                "alone, good once) or with the bundled client (python -m chatd.client) or the web page; FILES "
                "DECLINE 0000000000000001 declines it; send FILES to list it again",
            )
        self.assertEqual(sorted(nick for _, nick in made), ["dave", "erin"])


class IRCEndedOfferTests(FileTestCase, IRCTestCase):
    """An IRC user offered a file reads a NOTICE when the offer ends under them, as they read one of the offer."""

    file_limits = FileLimits(keep=100.0)

    def setUp(self) -> None:
        super().setUp()
        self.irc = self.irc_front_end(files=self.files)

    def test_an_irc_recipient_is_told_the_sender_withdrew_the_offer(self) -> None:
        """alice withdraws her file offered to dave: dave on IRC reads a NOTICE that it can no longer be fetched."""
        _, dave_wire = self.irc_user("dave")
        alice, _ = self.json_user(b"alice")
        self.offer(alice, to=b"dave")
        self.upload(alice, CONTENT)
        self.end_pass()
        dave_wire.clear()
        alice.dataReceived(b"/file cancel 0000000000000001\n")
        self.end_pass()
        self.assertEqual(
            dave_wire.value().decode(),
            f':{SERVER} NOTICE dave :alice withdrew the offer of "holiday photo.png" to dave: it can no longer be '
            "fetched\r\n",
        )

    def test_irc_members_offered_a_file_in_a_channel_are_told_it_expired(self) -> None:
        """alice's offer to #lobby expires: dave and erin (server-time) on IRC read a NOTICE in #lobby saying why;
        bob, who fetched it, hears nothing."""
        dave, dave_wire = self.irc_user("dave")
        erin, erin_wire = self.irc_user("erin", "server-time", "message-tags")
        for protocol in (dave, erin):
            self.send(protocol, "JOIN #lobby")
        alice, _ = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        self.offer(alice, to=b"#lobby")
        self.upload(alice, CONTENT)
        bob.dataReceived(b"/file accept 0000000000000001\n")
        self.download(bob, bob_wire)
        self.end_pass()
        for wire in self.wires:
            wire.clear()
        self.clock.advance(101)
        self.files.expire()
        self.end_pass()
        notice = (
            f':{SERVER} NOTICE #lobby :alice\'s offer of "holiday photo.png" to #lobby expired (offers wait 1m 40s '
            "at most): it can no longer be fetched\r\n"
        )
        self.assertEqual(dave_wire.value().decode(), notice)
        # No event is behind it, so no msgid; server-time still stamps it.
        self.assertEqual(erin_wire.value().decode(), f"@time={timestamp(self.clock.seconds())} {notice}")
        self.assertEqual(self.lines(bob_wire), [])

    def test_an_irc_recipient_who_renamed_is_told_under_the_new_name(self) -> None:
        """dave, offered alice's file, goes by dave2 on IRC before she withdraws it: the NOTICE is to dave2."""
        dave, dave_wire = self.irc_user("dave")
        alice, _ = self.json_user(b"alice")
        self.offer(alice, to=b"dave")
        self.upload(alice, CONTENT)
        self.send(dave, "NICK dave2")
        self.end_pass()
        dave_wire.clear()
        alice.dataReceived(b"/file cancel 0000000000000001\n")
        self.end_pass()
        self.assertEqual(
            dave_wire.value().decode(),
            f':{SERVER} NOTICE dave2 :alice withdrew the offer of "holiday photo.png" to dave2: it can no longer be '
            "fetched\r\n",
        )


class LinkBudgetTests(FileTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.files.limits = FileLimits(rate=2 * CHUNK)

    def test_what_a_link_sends_is_spent_from_the_budget_of_the_recipients_downloads(self) -> None:
        """Bytes bob's link sent (chatd.web.files) are spent from the budget his /file accept downloads spend, by
        address when he is not identified: a chunk in its debt, his download's first chunk waits the second it
        takes to have a chunk again, not a moment less."""
        self.files.limits = FileLimits()  # alice's upload goes at once
        _, _, bob, bob_wire = self.alice_offers_bob()
        self.files.limits = FileLimits(rate=2 * CHUNK)
        self.assertEqual(self.files.spend("nick:bob@127.0.0.1", 3 * CHUNK), 0.5)
        bob.dataReceived(b"/file accept 0000000000000001\n")
        self.clock.advance(0.99)
        self.assertEqual(self.objects(bob_wire), [])
        self.clock.advance(0.01)
        self.assertEqual([item["offset"] for item in self.objects(bob_wire)], [0])

    def test_a_recipients_budget_is_their_accounts_when_identified(self) -> None:
        """An identified recipient's link spends their account's budget, not their address's."""
        self.assertEqual(self.files.spend("account:bob", 2 * CHUNK), 0)
        self.assertEqual(self.files.spend("account:bob", CHUNK), 0.5)
        self.assertEqual(self.files.spend("nick:bob@127.0.0.1", CHUNK), 0)


class LinkLineTests(FileTestCase):
    def test_with_a_web_port_the_text_line_names_file_link_and_the_link_is_answered(self) -> None:
        """An nc user is told of /file link when links can be made, and /file link answers one for them."""
        made: list[tuple[str, str]] = []

        def make(transfer: Transfer, key: str, nick: str) -> str:
            made.append((transfer.file, nick))
            return "http://testhost:8080/files/token"

        self.files.links = make
        alice, _ = self.json_user(b"alice")
        carol, carol_wire = self.connect(b"carol")
        self.offer(alice, to=b"carol")
        self.upload(alice, CONTENT)
        [line] = self.lines(carol_wire)
        self.assertTrue(
            line.endswith(
                b"the bundled client (python -m chatd.client) or the web page can fetch it, or /file link "
                b"0000000000000001 gives an HTTP link; /file decline 0000000000000001 refuses it."
            ),
            line,
        )
        carol.dataReceived(b"/file link 0000000000000001\n")
        self.assertEqual(
            self.lines(carol_wire),
            [b"*** 0000000000000001: http://testhost:8080/files/token (one download, within an hour)"],
        )
        self.assertEqual(made, [("0000000000000001", "carol")])

    def test_asking_again_gives_the_link_made_before_while_it_is_good(self) -> None:
        """/file link again, under a new nickname too, answers the same URL: one link a recipient a transfer. A new
        one comes once it has run out (an hour). Each line made one more, kept an hour: some 7,200 an hour a
        connection, and every rename walked them all."""
        links = FileLinks(self.files, self.clock, text_line)
        links.heard("http://testhost:8080/")
        self.files.links = links.make
        alice, _ = self.json_user(b"alice")
        carol, carol_wire = self.json_user(b"carol")
        self.offer(alice, to=b"carol")
        self.upload(alice, CONTENT)
        self.lines(carol_wire)

        def link() -> str:
            carol.dataReceived(b"/file link 0000000000000001\n")
            [answer] = self.objects(carol_wire)
            url: str = answer["url"]
            return url

        first = link()
        self.assertEqual([link() for _ in range(3)], [first] * 3)
        carol.dataReceived(b"/nick caroline\n")
        self.lines(carol_wire)
        self.assertEqual(link(), first)
        self.clock.advance(3600)
        self.assertNotEqual(link(), first)


class _KeptLinks:
    """A ``LinkStore`` in a dict, which a restart finds as it was left."""

    def __init__(self) -> None:
        self.rows: dict[str, KeptLink] = {}

    def links(self) -> list[KeptLink]:
        return sorted(self.rows.values(), key=lambda link: link.until)

    def keep_link(self, link: KeptLink) -> None:
        self.rows[link.digest] = link

    def forget_link(self, digest: str) -> None:
        del self.rows[digest]


class KeptLinkTests(FileTestCase):
    def test_a_link_kept_is_good_after_a_restart_until_its_hour_ends_then_forgotten(self) -> None:
        """A link is kept by its token's SHA-256, never the token; links made anew over the store (a restart) open
        it until its hour is up, and a start after that forgets it."""
        kept = _KeptLinks()
        links = FileLinks(self.files, self.clock, text_line, kept)
        self.files.links = links.make
        alice, _ = self.json_user(b"alice")
        carol, carol_wire = self.json_user(b"carol")
        self.offer(alice, to=b"carol")
        self.upload(alice, CONTENT)
        self.lines(carol_wire)
        carol.dataReceived(b"/file link 0000000000000001\n")
        token = self.objects(carol_wire)[0]["url"].rsplit("/", 1)[1]
        [row] = kept.rows.values()
        self.assertEqual(row.digest, hashlib.sha256(token.encode()).hexdigest())
        self.assertNotIn(token, repr(row))

        self.clock.advance(3599)
        again = FileLinks(self.files, self.clock, text_line, kept)
        self.assertIsNotNone(again.open(token))
        self.clock.advance(1)
        self.assertIsNone(again.open(token))
        FileLinks(self.files, self.clock, text_line, kept)
        self.assertEqual(kept.rows, {})


class ExpiryTimeTests(FileTestCase):
    """The daemon's transfer engine lets what waited go as its time comes, whatever --file-keep is, not at the next
    hourly look."""

    def engine(self, keep: float) -> None:
        """The engine and its services as the daemon builds them (``--file-keep`` of ``keep`` seconds), started on
        the test's clock."""
        self.files, services = transfers_with_expiry(
            FilesConfig(limits=FileLimits(keep=keep)), self.chat, self.clock, self.spool, self.bus
        )
        self.factory.files = self.files
        for service in services:
            service.startService()
            self.addCleanup(service.stopService)

    def offered(self) -> tuple[str, StringTransport, LineProtocol, StringTransport]:
        """alice's offer of CONTENT to bob, uploaded whole: its id (the engine's own, random), alice's wire, bob and
        his wire, both wires cleared."""
        alice, alice_wire = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        self.offer(alice)
        file = self.objects(alice_wire)[0]["file"]
        self.upload(alice, CONTENT, file=file)
        self.lines(alice_wire)
        self.lines(bob_wire)
        return file, alice_wire, bob, bob_wire

    def test_an_offer_goes_once_a_short_file_keep_has_passed(self) -> None:
        """Under a --file-keep of 100 s, alice's offer bob never fetched is there at 99.9 s and gone at 100 s, both
        told: it waited up to an hour more."""
        self.engine(100.0)
        file, alice_wire, _, bob_wire = self.offered()
        self.clock.advance(99.9)
        self.assertEqual((self.objects(alice_wire), self.objects(bob_wire)), ([], []))
        self.clock.advance(0.1)
        expired = {"type": "file_expired", "file": file, "reason": "offers wait 1m 40s at most"}
        self.assertEqual((self.objects(alice_wire), self.objects(bob_wire)), ([expired], [expired]))
        self.assertIsNone(self.files.transfer(file))

    def test_an_offer_past_its_time_goes_once_the_download_under_way_stops(self) -> None:
        """bob is fetching alice's offer when its 100 s pass: it stays while he fetches, and goes as his download
        stops with his connection, alice told."""
        self.engine(100.0)
        file, alice_wire, bob, _ = self.offered()
        bob.dataReceived(b"/file accept %s\n" % file.encode())
        self.clock.advance(150)
        self.assertIsNotNone(self.files.transfer(file))
        bob.connectionLost(Failure(ConnectionDone()))
        self.clock.advance(0)
        self.assertEqual(
            [item["type"] for item in self.objects(alice_wire) if "file" in item], ["file_expired"]
        )
        self.assertIsNone(self.files.transfer(file))

    def test_an_offer_whose_download_stops_goes_at_its_own_time_not_at_a_later_ones(self) -> None:
        """bob fetches alice's offer, so carol's, made 10 s later, is the next to go; bob's download stops with his
        connection at 50 s: alice's offer goes at its own 100 s, carol's at its 110 s."""
        self.engine(100.0)
        first, alice_wire, bob, _ = self.offered()
        bob.dataReceived(b"/file accept %s\n" % first.encode())
        self.clock.advance(10)
        carol, carol_wire = self.json_user(b"carol")
        self.offer(carol)
        [second] = {item["file"] for item in self.objects(carol_wire)}
        self.clock.advance(40)
        bob.connectionLost(Failure(ConnectionDone()))
        self.clock.advance(49.9)
        self.assertEqual([item for item in self.objects(alice_wire) if "file" in item], [])
        self.clock.advance(0.1)
        self.assertEqual([item["type"] for item in self.objects(alice_wire)], ["file_expired"])
        self.assertEqual(
            (self.files.transfer(first), [i for i in self.objects(carol_wire) if "file" in i]), (None, [])
        )
        self.clock.advance(10)
        self.assertEqual(
            [(i["type"], i["file"]) for i in self.objects(carol_wire)], [("file_expired", second)]
        )

    def test_a_later_offer_under_a_short_keep_is_not_left_to_the_hourly_look(self) -> None:
        """An offer made after the engine started (its first look found nothing) still goes at its 100 s."""
        self.engine(100.0)
        self.clock.advance(30)
        _, alice_wire, _, _ = self.offered()
        self.clock.advance(100)
        self.assertEqual([item["type"] for item in self.objects(alice_wire)], ["file_expired"])


class ExpiryTests(FileTestCase):
    """What waited past --file-keep goes, bytes and all; so do bytes no transfer names."""

    file_limits = FileLimits(keep=100.0)

    def test_an_interrupted_upload_goes_once_it_has_waited_too_long(self) -> None:
        """Half an upload, its sender gone: kept for --file-keep, then gone with its bytes."""
        alice, _, _, _ = self.alice_offers_bob(CONTENT[:CHUNK])
        alice.connectionLost(Failure(ConnectionDone()))
        self.clock.advance(99)
        self.files.expire()
        self.assertEqual(self.spool.held(OWN), CHUNK)
        self.clock.advance(2)
        self.files.expire()
        self.assertEqual((self.spool.held_keys(), os.listdir(self.folder)), ([], []))
        self.assertIsNone(self.files.transfer("0000000000000001"))

    def test_an_offer_that_expires_tells_its_sender_and_whoever_had_yet_to_fetch_it(self) -> None:
        """Offered to #lobby, fetched by bob only: past --file-keep alice and carol (in words, on nc) hear it expired,
        bob hears nothing, and alice's list is empty."""
        alice, alice_wire = self.json_user(b"alice")
        bob, bob_wire = self.json_user(b"bob")
        _, carol_wire = self.connect(b"carol")
        self.offer(alice, to=b"#lobby")
        self.upload(alice, CONTENT)
        bob.dataReceived(b"/file accept 0000000000000001\n")
        self.download(bob, bob_wire)
        for wire in (alice_wire, bob_wire, carol_wire):
            self.lines(wire)
        self.clock.advance(101)
        self.files.expire()
        self.assertEqual(
            self.objects(alice_wire),
            [{"type": "file_expired", "file": "0000000000000001", "reason": "offers wait 1m 40s at most"}],
        )
        self.assertEqual(
            self.lines(carol_wire),
            [b"*** 0000000000000001 expired (offers wait 1m 40s at most); the server no longer has it."],
        )
        self.assertEqual(self.lines(bob_wire), [])
        alice.dataReceived(b"/file list\n")
        self.assertEqual(
            self.objects(alice_wire), [{"type": "file_list", "files": [], "next": None, "wait": 0.0}]
        )

    def test_an_upload_let_go_tells_its_sender_why(self) -> None:
        """An upload idle for an hour, or unfinished past --file-keep, is let go: its sender hears which."""
        self.files.limits = FileLimits(keep=86400.0)
        alice, alice_wire, _, bob_wire = self.alice_offers_bob(CONTENT[:CHUNK])
        self.clock.advance(UPLOAD_IDLE_SECONDS + 1)
        self.files.expire()
        self.assertEqual(
            self.objects(alice_wire),
            [
                {
                    "type": "file_expired",
                    "file": "0000000000000001",
                    "reason": "its upload took no chunk for 1h",
                }
            ],
        )
        self.assertEqual(self.lines(bob_wire), [], "bob was offered nothing")
        self.files.limits = self.file_limits
        self.offer(alice, to=b"bob")
        self.lines(alice_wire)
        self.clock.advance(50)
        self.upload(alice, CONTENT[:CHUNK], file="0000000000000002")
        self.clock.advance(51)
        self.lines(alice_wire)
        self.files.expire()
        self.assertEqual(
            self.objects(alice_wire),
            [
                {
                    "type": "file_expired",
                    "file": "0000000000000002",
                    "reason": "an upload must be finished within 1m 40s",
                }
            ],
        )

    def test_an_offer_never_uploaded_lets_its_room_go_after_an_idle_hour(self) -> None:
        """Offers that reserve the spool's room and never send a chunk hold it an hour from their last chunk, not
        for --file-keep: after it another user's file fits again; an upload that keeps going stays."""
        self.files.limits = FileLimits(max_size=100_000, store_bytes=150_000, keep=30 * 86400.0)
        hog, hog_wire = self.json_user(b"hog")
        self.json_user(b"bob")
        carol, carol_wire = self.json_user(b"carol", host="10.0.0.3")
        self.offer(hog, sha="ab" * 32, size=100_000)
        self.offer(carol, sha="cd" * 32, size=100_000)
        self.assertEqual([item.get("code") for item in self.objects(carol_wire)], ["file-store-full"])
        self.lines(hog_wire)
        self.clock.advance(UPLOAD_IDLE_SECONDS / 2)
        self.upload(hog, CONTENT[:CHUNK], file="0000000000000001")  # a chunk: the hour starts again
        self.clock.advance(UPLOAD_IDLE_SECONDS - 1)
        self.files.expire()
        self.assertIsNotNone(self.files.transfer("0000000000000001"))
        self.clock.advance(2)
        self.files.expire()
        self.assertIsNone(self.files.transfer("0000000000000001"))
        self.offer(carol, sha="cd" * 32, size=100_000)
        self.assertEqual([item["type"] for item in self.objects(carol_wire)], ["file_upload"])

    def test_an_offer_the_spool_has_no_room_for_takes_that_of_uploads_stalled_for_a_minute(self) -> None:
        """An upload that took no chunk for a minute gives its room up to a new offer that needs it, and its sender
        hears why; one that keeps going stays, and so does a stalled one whose room would not be enough. A chunk
        an hour held the room for --file-keep, so a few accounts' offers kept the spool full for a week."""
        self.files.limits = FileLimits(max_size=150_000, store_bytes=150_000, keep=30 * 86400.0)
        hog, hog_wire = self.json_user(b"hog")
        self.json_user(b"bob")
        carol, carol_wire = self.json_user(b"carol", host="10.0.0.3")
        dave, dave_wire = self.json_user(b"dave", host="10.0.0.4")
        self.offer(hog, sha="ab" * 32, size=100_000)
        self.clock.advance(STALLED_SECONDS - 1)
        self.upload(hog, CONTENT[:CHUNK], file="0000000000000001")  # a chunk: the minute starts again
        self.clock.advance(STALLED_SECONDS - 1)
        self.offer(carol, sha="cd" * 32, size=100_000)
        self.assertEqual([item.get("code") for item in self.objects(carol_wire)], ["file-store-full"])
        self.clock.advance(1)
        self.offer(dave, sha="ef" * 32, size=40_000)  # fits beside the hog's: nothing is let go for it
        self.offer(carol, sha="cd" * 32, size=120_000)  # the hog's 100,000 would not be room enough
        self.assertEqual([item.get("code") for item in self.objects(carol_wire)], ["file-store-full"])
        self.lines(hog_wire)
        self.offer(carol, sha="cd" * 32, size=100_000)
        self.assertEqual([item["type"] for item in self.objects(carol_wire)], ["file_upload"])
        self.assertEqual(
            self.objects(hog_wire),
            [
                {
                    "type": "file_expired",
                    "file": "0000000000000001",
                    "reason": "its upload took no chunk for 1m and the server needed its room",
                }
            ],
        )
        self.assertIsNone(self.files.transfer("0000000000000001"))
        self.assertEqual([item["type"] for item in self.objects(dave_wire)], ["file_upload"])

    def test_bytes_no_transfer_names_are_removed_and_others_stay(self) -> None:
        """A spool file from before a start that no transfer names goes at the first look; an open upload's stays."""
        self.alice_offers_bob(CONTENT[:CHUNK])
        self.files.expire()
        self.assertEqual(os.listdir(self.folder), [f"{OWN}.part"])
        earlier = new_folder(self)
        with open(os.path.join(earlier, f"{'ab' * 32}-10.part"), "wb") as file:
            file.write(b"left")
        spool = Spool(earlier)
        self.addCleanup(spool.release)
        Transfers(self.chat, spool, self.clock, self.file_limits, bus=self.bus).expire()
        self.assertEqual(os.listdir(earlier), [])
