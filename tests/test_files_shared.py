"""Uploads of one file at once (issue 16), over StringTransport.

The spool keeps one copy of a content (its SHA-256 and size) once it is
checked whole, for every transfer of it. Until then each upload's bytes are
its own (``SHA256-SIZE-ID.part``): the same file sent to two people at once,
or by two people, goes up in two part files, so neither takes the other's
chunks nor is spoilt by them. Once one is checked whole, every other still
sending needs no chunk more: it is uploaded at once, as an offer of a copy
held whole is.
"""

import os

from twisted.internet.testing import StringTransport

from chatd.domain.events import Actor
from chatd.domain.files import CHUNK, WINDOW, FileLimits, FileTarget, KeptTransfer, OfferedFile
from chatd.frontend.transfers import Transfers
from chatd.line.protocol import LineProtocol
from chatd.storage.spool import Spool
from tests.test_files import CONTENT, SHA, FileTestCase, _b64
from tests.test_open_transfers import _Store

KEY = f"{SHA}-{len(CONTENT)}"
FIRST, SECOND, THIRD = "0000000000000001", "0000000000000002", "0000000000000003"


def own(file: str) -> str:
    """The spool's name for the bytes of the upload ``file`` of CONTENT until they are checked whole."""
    return f"{KEY}-{file}"


class AtOnceTestCase(FileTestCase):
    """alice, bob and carol in JSON, each from an address of their own; the open transfers kept (``store``), as with
    ``--db FILE``; what the server told each is read as ``(type, file, have)``."""

    def setUp(self) -> None:
        super().setUp()
        self.store = _Store()
        self.files = self.factory.files = self.transfers()
        self.alice, self.alice_wire = self.json_user(b"alice")
        self.bob, self.bob_wire = self.json_user(b"bob", host="10.0.0.2")
        self.carol, self.carol_wire = self.json_user(b"carol", host="10.0.0.3")

    def transfers(self) -> Transfers:
        return Transfers(
            self.chat,
            self.spool,
            self.clock,
            self.file_limits,
            store=self.store,
            new_id=lambda: next(self.ids),
            bus=self.bus,
        )

    def restart(self) -> None:
        """The spool and the transfers made again on the same folder and store, as a daemon's start makes them;
        everyone connects again."""
        self.spool.release()
        self.spool = Spool(self.folder)
        self.addCleanup(self.spool.release)
        self.files = self.factory.files = self.transfers()
        for protocol in (self.alice, self.bob, self.carol):
            protocol.connectionLost()
        self.alice, self.alice_wire = self.json_user(b"alice")
        self.bob, self.bob_wire = self.json_user(b"bob", host="10.0.0.2")
        self.carol, self.carol_wire = self.json_user(b"carol", host="10.0.0.3")

    def told(self, wire: StringTransport) -> list[tuple[str, str | None, int | None]]:
        return [(item["type"], item.get("file"), item.get("have")) for item in self.objects(wire)]

    def answers(self, wire: StringTransport) -> list[tuple[str, str | None]]:
        """What ``wire`` was told since it was last read, but the offers' echoes: each answer's type and file, or its
        refusal's code."""
        return [
            (item.get("code", item["type"]), item.get("file"))
            for item in self.objects(wire)
            if item["type"] != "file_offered"
        ]

    def put(self, protocol: LineProtocol, file: str, offset: int, data: bytes = CONTENT) -> None:
        """One chunk of ``data`` at ``offset`` of ``file``."""
        chunk = _b64(data[offset : offset + CHUNK])
        protocol.dataReceived(b"/file put %s %d %s\n" % (file.encode(), offset, chunk))

    def fetched(self, protocol: LineProtocol, wire: StringTransport, file: str) -> bytes:
        """What ``protocol`` gets of ``file`` once offered it, accepting it and fetching it to the end."""
        self.lines(wire)
        protocol.dataReceived(b"/file accept %s\n" % file.encode())
        return self.download(protocol, wire, file)


class AtOnceTests(AtOnceTestCase):
    def test_the_same_file_sent_to_two_people_at_once_takes_every_chunk_of_each(self) -> None:
        """alice offers one file to bob and to carol, and sends a chunk to each in turn: both uploads begin from
        nothing, every chunk is taken, each into bytes of its own; once the one to bob is checked whole, the one to
        carol is uploaded too with no chunk more, and both are offered. bob and carol each fetch the file whole.

        Both once wrote into one part file: every other chunk was refused for its offset, and once one was checked
        the other's chunks were all refused (the server held every byte), and it was never checked or offered."""
        self.offer(self.alice)
        self.offer(self.alice, to=b"carol")
        self.assertEqual(self.told(self.alice_wire), [("file_upload", FIRST, 0), ("file_upload", SECOND, 0)])
        for offset in (0, CHUNK):
            self.put(self.alice, FIRST, offset)
            self.put(self.alice, SECOND, offset)
        self.assertEqual(
            self.answers(self.alice_wire),
            [("file_progress", FIRST), ("file_progress", SECOND)] * 2,
        )
        self.assertEqual((self.spool.held(own(FIRST)), self.spool.held(own(SECOND))), (2 * CHUNK, 2 * CHUNK))
        self.put(self.alice, FIRST, 2 * CHUNK)
        self.assertEqual(
            self.answers(self.alice_wire),
            [("file_progress", FIRST), ("file_uploaded", FIRST), ("file_uploaded", SECOND)],
        )
        self.assertEqual(os.listdir(self.folder), [KEY])
        self.assertEqual(self.fetched(self.bob, self.bob_wire, FIRST), CONTENT)
        self.assertEqual(self.fetched(self.carol, self.carol_wire, SECOND), CONTENT)
        self.assertEqual(os.listdir(self.folder), [], "the one copy goes once both are done with it")

    def test_chunks_on_their_way_to_an_upload_taken_whole_are_dropped_without_a_word(self) -> None:
        """The chunks alice's client sent to carol's upload before it heard that upload was taken whole, a window
        of them, are dropped without an answer; one more (short: with no upload open, a put line is held to the
        length of any other) is told the server has every byte."""
        self.offer(self.alice)
        self.offer(self.alice, to=b"carol")
        self.upload(self.alice, CONTENT, file=FIRST)
        self.lines(self.alice_wire)
        for _ in range(WINDOW):
            self.put(self.alice, SECOND, 0)
        self.assertEqual(self.answers(self.alice_wire), [])
        self.put(self.alice, SECOND, 0, CONTENT[:300])
        self.assertEqual(self.answers(self.alice_wire), [("file-uploaded", SECOND)])
        self.assertEqual(os.listdir(self.folder), [KEY])

    def test_an_upload_whose_sender_is_away_is_offered_once_another_of_its_file_is_checked(self) -> None:
        """alice's upload to carol has sent a chunk when her connection drops; bob sends carol the same file whole:
        carol is offered both, and alice, back and offering it again, is answered with her offer made."""
        self.offer(self.alice, to=b"carol")
        self.put(self.alice, FIRST, 0)
        self.alice.connectionLost()
        self.offer(self.bob, to=b"carol")
        self.upload(self.bob, CONTENT, file=SECOND)
        self.assertEqual(
            [(kind, file) for kind, file, _ in self.told(self.carol_wire) if kind.startswith("file")],
            [("file_offered", SECOND), ("file_offered", FIRST)],
        )
        self.alice, self.alice_wire = self.json_user(b"alice")
        self.offer(self.alice, to=b"carol")
        self.assertEqual(
            self.told(self.alice_wire), [("file_upload", FIRST, len(CONTENT)), ("file_uploaded", FIRST, None)]
        )
        self.assertEqual(os.listdir(self.folder), [KEY])

    def test_an_offer_nobody_is_left_to_fetch_leaves_the_file_to_an_upload_taken_whole_with_it(self) -> None:
        """alice sends one file to carol, who then leaves the chat, and to bob at once: the one to carol, checked
        whole, is offered to nobody and over at once, and the one to bob, taken whole with it, keeps the file for
        him. (A room's offer with nobody else in the room stays open for whoever joins: chatd.frontend.late_joiners.)"""
        self.offer(self.alice, to=b"carol")
        self.carol.dataReceived(b"/quit\n")
        self.offer(self.alice)
        self.upload(self.alice, CONTENT, file=FIRST)
        self.assertEqual(
            self.answers(self.alice_wire)[-2:], [("file_uploaded", FIRST), ("file_uploaded", SECOND)]
        )
        self.assertIsNone(self.files.transfer(FIRST))
        self.assertEqual(self.fetched(self.bob, self.bob_wire, SECOND), CONTENT)

    def test_a_restart_drops_only_the_uploads_own_bytes(self) -> None:
        """alice sends bob and carol one file at once and begins the one to carol again: it starts from its first
        byte, and the one to bob goes on from its two chunks."""
        self.offer(self.alice)
        self.offer(self.alice, to=b"carol")
        self.upload(self.alice, CONTENT[: 2 * CHUNK], file=FIRST)
        self.upload(self.alice, CONTENT[:CHUNK], file=SECOND)
        self.lines(self.alice_wire)
        self.alice.dataReceived(b"/file restart %s\n" % SECOND.encode())
        self.assertEqual(self.told(self.alice_wire), [("file_upload", SECOND, 0)])
        self.assertEqual((self.spool.held(own(FIRST)), self.spool.held(own(SECOND))), (2 * CHUNK, 0))
        self.upload(self.alice, CONTENT, start=2 * CHUNK, file=FIRST)
        self.assertEqual(
            self.answers(self.alice_wire)[-2:], [("file_uploaded", FIRST), ("file_uploaded", SECOND)]
        )


class BadChunkTests(AtOnceTestCase):
    def test_a_chunk_from_someone_else_offering_the_same_file_reaches_only_their_own_upload(self) -> None:
        """bob has sent carol two chunks of a file when alice, who knows its SHA-256 and size, offers it to carol
        too and puts a chunk of her own: her upload begins from nothing, her chunk goes into it, and bob's upload
        goes on from his two chunks, is checked whole and offered; carol fetches his file byte for byte.

        Both once wrote into one part file: alice's chunk was taken at bob's offset, his next was refused for it,
        and his whole was refused as corrupt."""
        self.offer(self.bob, to=b"carol")
        self.upload(self.bob, CONTENT[: 2 * CHUNK], file=FIRST)
        self.offer(self.alice, to=b"carol")
        self.assertEqual(self.told(self.alice_wire), [("file_upload", SECOND, 0)])
        self.put(self.alice, SECOND, 0, b"\0" * CHUNK)
        self.assertEqual(self.answers(self.alice_wire), [("file_progress", SECOND)])
        self.lines(self.bob_wire)
        self.put(self.bob, FIRST, 2 * CHUNK)
        self.assertEqual(self.answers(self.bob_wire), [("file_progress", FIRST), ("file_uploaded", FIRST)])
        self.assertEqual(self.fetched(self.carol, self.carol_wire, FIRST), CONTENT)

    def test_a_corrupt_upload_of_a_file_another_is_sending_is_refused_alone(self) -> None:
        """alice sends carol bytes that do not hash as announced, for a file bob is sending her too: hers are refused
        as corrupt, and his upload goes on from where it was, is checked whole and offered."""
        self.offer(self.bob, to=b"carol")
        self.upload(self.bob, CONTENT[:CHUNK], file=FIRST)
        self.offer(self.alice, to=b"carol")
        self.upload(self.alice, CONTENT[:-1] + b"!", file=SECOND)
        self.assertEqual(self.answers(self.alice_wire)[-1], ("file-corrupt", SECOND))
        self.lines(self.bob_wire)
        self.upload(self.bob, CONTENT, start=CHUNK, file=FIRST)
        self.assertEqual(self.answers(self.bob_wire)[-1], ("file_uploaded", FIRST))
        self.assertEqual([kind for kind, _, _ in self.told(self.carol_wire)], ["file_offered"])
        self.assertEqual(os.listdir(self.folder), [KEY])


class RoomTests(AtOnceTestCase):
    """A spool with room for the file twice over (``--file-store-bytes``)."""

    file_limits = FileLimits(store_bytes=2 * len(CONTENT))

    def test_each_upload_at_once_holds_its_room_and_the_file_once_checked_holds_it_once(self) -> None:
        """Two uploads of one file at once each hold its size, for either may send it whole: a third file finds no
        room. Once one is checked the other is uploaded with it, and the one copy leaves room for the third."""
        self.offer(self.alice)
        self.offer(self.alice, to=b"carol")
        self.lines(self.alice_wire)
        self.offer(self.bob, to=b"carol", sha="ab" * 32, size=CHUNK)
        self.assertEqual(self.answers(self.bob_wire), [("file-store-full", None)])
        self.upload(self.alice, CONTENT, file=FIRST)
        self.assertEqual(self.spool.reserved, len(CONTENT))
        self.offer(self.bob, to=b"carol", sha="ab" * 32, size=CHUNK)
        self.assertEqual(self.answers(self.bob_wire), [("file_upload", THIRD)])

    def test_a_restart_keeps_the_room_of_the_bytes_it_drops(self) -> None:
        """alice begins again one of two uploads of one file in a spool they fill: it goes on, needing no room more,
        and the room its dropped bytes held stays its own: another offer still finds none."""
        self.offer(self.alice)
        self.offer(self.alice, to=b"carol")
        self.upload(self.alice, CONTENT[:CHUNK], file=SECOND)
        self.lines(self.alice_wire)
        self.alice.dataReceived(b"/file restart %s\n" % SECOND.encode())
        self.assertEqual(self.told(self.alice_wire), [("file_upload", SECOND, 0)])
        self.assertEqual(self.spool.reserved, 2 * len(CONTENT))
        self.offer(self.bob, to=b"carol", sha="ab" * 32, size=CHUNK)
        self.assertEqual(self.answers(self.bob_wire), [("file-store-full", None)])


class DayTests(AtOnceTestCase):
    """A day's budget of the file and a half (``--file-day-bytes``)."""

    file_limits = FileLimits(day_bytes=len(CONTENT) * 3 // 2)

    def test_the_day_counts_what_each_upload_at_once_may_send(self) -> None:
        """Each of two uploads of one file at once may send it whole: the second is refused while the first has
        yet to send it, and once that one is checked, the same offer is answered with a copy held whole, which
        costs nothing."""
        self.offer(self.alice)
        self.lines(self.alice_wire)
        self.offer(self.alice, to=b"carol")
        self.assertEqual(self.answers(self.alice_wire), [("file-day-limit", None)])
        self.upload(self.alice, CONTENT, file=FIRST)
        self.lines(self.alice_wire)
        self.offer(self.alice, to=b"carol")
        self.assertEqual(self.answers(self.alice_wire), [("file_upload", SECOND), ("file_uploaded", SECOND)])


class KeptTests(AtOnceTestCase):
    def test_uploads_of_one_file_at_once_go_on_from_their_own_bytes_after_a_restart(self) -> None:
        """alice has sent bob two chunks of a file and carol one when the daemon restarts: offered again, each
        upload goes on from its own bytes, and bob and carol fetch the file whole."""
        self.offer(self.alice)
        self.offer(self.alice, to=b"carol")
        self.upload(self.alice, CONTENT[: 2 * CHUNK], file=FIRST)
        self.upload(self.alice, CONTENT[:CHUNK], file=SECOND)
        self.restart()
        self.offer(self.alice, to=b"carol")
        self.offer(self.alice)
        self.assertEqual(
            self.told(self.alice_wire), [("file_upload", SECOND, CHUNK), ("file_upload", FIRST, 2 * CHUNK)]
        )
        self.upload(self.alice, CONTENT, start=2 * CHUNK, file=FIRST)
        self.assertEqual(
            self.answers(self.alice_wire)[-2:], [("file_uploaded", FIRST), ("file_uploaded", SECOND)]
        )
        self.assertEqual(self.fetched(self.bob, self.bob_wire, FIRST), CONTENT)
        self.assertEqual(self.fetched(self.carol, self.carol_wire, SECOND), CONTENT)
        self.assertEqual(os.listdir(self.folder), [])

    def test_bytes_two_uploads_shared_before_they_had_their_own_go_on_in_one_of_them(self) -> None:
        """A spool and store kept from before uploads had bytes of their own: alice's uploads to bob and to carol
        shared one part file of the file's, two chunks. After the start, the one to bob holds them as its own and
        goes on from them; the one to carol begins from nothing; both are offered."""
        for file, to in ((FIRST, "bob"), (SECOND, "carol")):
            self.store.keep(
                KeptTransfer(
                    OfferedFile(file, "holiday photo.png", len(CONTENT), "image/png", SHA),
                    Actor("alice", "127.0.0.1", None),
                    "address:127.0.0.1",
                    "nick:alice@127.0.0.1",
                    FileTarget(to),
                    0.0,
                    None,
                    (),
                )
            )
        with open(os.path.join(self.folder, f"{KEY}.part"), "wb") as part:
            part.write(CONTENT[: 2 * CHUNK])
        self.restart()
        self.files.expire()  # the start's sweep of bytes no transfer names
        self.assertEqual(os.listdir(self.folder), [f"{own(FIRST)}.part"])
        self.offer(self.alice)
        self.offer(self.alice, to=b"carol")
        self.assertEqual(
            self.told(self.alice_wire), [("file_upload", FIRST, 2 * CHUNK), ("file_upload", SECOND, 0)]
        )
        self.upload(self.alice, CONTENT, start=2 * CHUNK, file=FIRST)
        self.assertEqual(
            self.answers(self.alice_wire)[-2:], [("file_uploaded", FIRST), ("file_uploaded", SECOND)]
        )
        self.assertEqual(os.listdir(self.folder), [KEY])
