"""The ``--files`` folder's disk refusing an upload's bytes (a full disk), as the host's disk does, or losing part of a file (issue 16).

The spool writes each chunk on a one-thread pool, as the daemon's does, and
what the thread did reaches the reactor only when the test says
(``answer``); the connection reads its next line once a chunk's write is
answered, and a client keeps up to 8 chunks unanswered, so the chunks after
a refused one are on their way when it is refused. The disk is a real
one that is full: the upload's part file is a link to ``/dev/full``, whose
every write the kernel refuses with ENOSPC, "No space left on device".
"""

import base64
import os

from twisted.internet.testing import EventLoggingObserver
from twisted.logger import LogLevel, formatEvent, globalLogPublisher

from chatd.domain.files import CHUNK
from tests.test_files import CONTENT, SHA, FileTestCase
from tests.test_files_checks import ThreadedSpoolTestCase

FILE = "0000000000000001"
SECOND = "0000000000000002"
KEY = f"{SHA}-{len(CONTENT)}"


class FullDiskTests(ThreadedSpoolTestCase):
    """alice and bob in JSON; the part file of alice's first upload of CONTENT is ``/dev/full``."""

    def setUp(self) -> None:
        super().setUp()
        self.alice, self.alice_wire = self.json_user(b"alice")
        self.bob, self.bob_wire = self.json_user(b"bob", host="10.0.0.3")
        self.part = os.path.join(self.folder, f"{KEY}-{FILE}.part")  # the first upload's own part file
        os.symlink("/dev/full", self.part)

    def told(self) -> list[dict[str, object]]:
        self.end_pass()
        return self.objects(self.alice_wire)

    def test_a_write_the_disk_refuses_ends_the_upload_and_says_why_once(self) -> None:
        """Chunks a full disk refuses end the upload once: its sender hears why (no internal error a chunk), the
        host reads one line naming the folder's trouble, and the bytes and the room the offer held go."""
        self.offer(self.alice)
        self.upload(
            self.alice, CONTENT
        )  # three chunks: the two behind the first are read once its write is answered
        self.answer()
        told = self.told()
        self.assertEqual([item["type"] for item in told], ["file_upload", "file_expired"])
        self.assertEqual(
            told[1], {"type": "file_expired", "file": FILE, "reason": "the server's disk is full"}
        )
        self.assertEqual(self.lines(self.bob_wire), [])
        alarming = [event for event in self.logged if event["log_level"] >= LogLevel.warn]
        self.assertEqual(
            [(event["log_level"], formatEvent(event)) for event in alarming],
            [
                (
                    LogLevel.error,
                    "Could not store an upload in the --files folder (No space left on device): "
                    f"{FILE} from alice was let go",
                )
            ],
        )
        self.answer()  # the drop of what it left
        self.assertFalse(os.path.lexists(self.part))
        self.assertEqual(self.spool.reserved, 0)
        self.alice.dataReceived(b"/file list\n")
        self.assertEqual(self.told(), [{"type": "file_list", "files": [], "next": None, "wait": 0.0}])

    def test_the_same_file_goes_whole_once_there_is_room(self) -> None:
        """Offered again once the disk has room, the file is uploaded from its first byte, not from what the
        refused writes were counted as, and arrives whole."""
        self.offer(self.alice)
        self.upload(self.alice, CONTENT[:CHUNK])
        self.answer(2)  # the refused write, and the drop of what it left
        self.told()
        self.offer(self.alice)
        upload = self.told()
        self.assertEqual([(item["type"], item["have"]) for item in upload], [("file_upload", 0)])
        file = str(upload[0]["file"])
        self.upload(self.alice, CONTENT, file=file)
        self.answer(
            5
        )  # three writes, the check of the whole, and its bytes made the content's (Spool.settle)
        self.assertIn("file_uploaded", [item["type"] for item in self.told()])
        self.end_pass()
        self.assertEqual([item["type"] for item in self.objects(self.bob_wire)], ["file_offered"])
        self.bob.dataReceived(b"/file accept %s\n" % file.encode())
        got = b""
        while len(got) < len(CONTENT):
            self.answer()
            self.end_pass()
            for item in self.objects(self.bob_wire):
                if item["type"] == "file_chunk":
                    got += base64.b64decode(str(item["data"]))
                    self.bob.dataReceived(b"/file ack %s %d\n" % (file.encode(), len(got)))
        self.assertEqual(got, CONTENT)

    def test_another_upload_of_the_same_file_goes_on(self) -> None:
        """The same file on its way to two people: one upload ended by a refused write leaves the other's going on
        in its own part file, from its first byte."""
        self.json_user(b"carol", host="10.0.0.4")
        self.offer(self.alice)
        self.offer(self.alice, to=b"carol")
        uploads = [item for item in self.told() if item["type"] == "file_upload"]
        self.assertEqual(
            [(item["file"], item["have"]) for item in uploads], [(FILE, 0), ("0000000000000002", 0)]
        )
        self.upload(self.alice, CONTENT[:CHUNK])
        self.answer()
        self.assertEqual([item["type"] for item in self.told()], ["file_expired"])
        self.upload(self.alice, CONTENT, file="0000000000000002")
        # The drop of the first's bytes, three writes, the check of the whole, and its bytes made the content's.
        self.answer(6)
        self.assertEqual(
            [item["type"] for item in self.told()],
            ["file_progress", "file_progress", "file_progress", "file_uploaded", "file_offered"],
        )


class CutShortTests(FileTestCase):
    """alice's file offered to bob; then someone cuts its bytes in --files short by hand, the daemon running."""

    def test_a_file_cut_short_ends_its_download_once_not_in_a_loop(self) -> None:
        """A read that comes back short (the file truncated) lets the file go as a missing one does: bob and alice
        read file_expired, the host one line, and no short or empty chunk goes out (an empty one was pumped again
        and again)."""
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        _, alice_wire, bob, bob_wire = self.alice_offers_bob()
        os.truncate(os.path.join(self.folder, KEY), CHUNK // 2)
        bob.dataReceived(b"/file accept %s\n" % FILE.encode())
        self.clock.advance(0)
        self.end_pass()
        lost = {"type": "file_expired", "file": FILE, "reason": "the server lost its bytes"}
        self.assertEqual(self.objects(bob_wire), [lost])
        self.assertEqual(self.objects(alice_wire), [lost])
        alarming = [event for event in logged if event["log_level"] >= LogLevel.warn]
        self.assertEqual(
            [(event["log_level"], formatEvent(event)) for event in alarming],
            [
                (
                    LogLevel.error,
                    "Could not read an offered file from the --files folder (it is shorter than offered): "
                    f"{FILE} from alice was let go",
                )
            ],
        )


class GoneTests(FileTestCase):
    """alice's file offered to bob and to carol, one copy of its bytes for both; then someone removes the bytes
    from --files by hand, the daemon running."""

    def test_bytes_found_gone_end_every_transfer_of_them_at_once(self) -> None:
        """bob's download finds the bytes gone: alice's offer to carol, of the same bytes, ends with it at once,
        each of its people told once, in a line each for the host; and the file offered again is uploaded anew,
        not taken for a copy held whole. Carol's offer stood until she fetched it, and an offer of the file again
        was answered with the lost bytes, checked and offered."""
        logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]
        alice, alice_wire, bob, bob_wire = self.alice_offers_bob()
        _, carol_wire = self.json_user(b"carol", host="10.0.0.4")
        self.offer(alice, to=b"carol")
        self.end_pass()
        self.assertEqual(
            [(item["type"], item["file"]) for item in self.objects(alice_wire)],
            [("file_upload", SECOND), ("file_uploaded", SECOND), ("file_offered", SECOND)],
        )
        self.lines(carol_wire)
        os.remove(os.path.join(self.folder, KEY))
        bob.dataReceived(b"/file accept %s\n" % FILE.encode())
        self.clock.advance(0)
        self.end_pass()

        def lost(file: str) -> dict[str, str]:
            return {"type": "file_expired", "file": file, "reason": "the server lost its bytes"}

        self.assertEqual(self.objects(bob_wire), [lost(FILE)])
        self.assertEqual(self.objects(carol_wire), [lost(SECOND)])
        self.assertEqual(self.objects(alice_wire), [lost(FILE), lost(SECOND)])
        alarming = [event for event in logged if event["log_level"] >= LogLevel.warn]
        self.assertEqual(
            [(event["log_level"], formatEvent(event)) for event in alarming],
            [
                (
                    LogLevel.error,
                    "Could not read an offered file from the --files folder (No such file or directory): "
                    f"{file} from alice was let go",
                )
                for file in (FILE, SECOND)
            ],
        )
        self.offer(alice)
        self.end_pass()
        [upload] = self.objects(alice_wire)
        self.assertEqual((upload["type"], upload["have"]), ("file_upload", 0))
        carol_wire.clear()
        self.clock.advance(3600)
        self.assertEqual(self.objects(carol_wire), [], "carol was told once")
