"""An upload whose last chunk is in, checked whole on the spool's thread while its transfer ends (issue 16).

The spool hashes an upload's bytes on a thread of its own (in the daemon, a
one-thread pool): meanwhile its sender may withdraw it from another session,
or its time may run out. Here the spool runs on a real one-thread pool, as
the daemon's does, and what the thread did reaches the reactor only when
the test says (``answer``), so that the transfer ends between the check's
start and its result every time.
"""

import os

from twisted.internet.testing import EventLoggingObserver, StringTransport
from twisted.internet.threads import deferToThreadPool
from twisted.logger import LogLevel, globalLogPublisher
from twisted.python.threadpool import ThreadPool

from chatd.domain.files import CHUNK, FileLimits
from chatd.line.protocol import LineProtocol
from chatd.storage.spool import Spool
from tests.helpers import ThreadedReactor
from tests.test_files import CONTENT, SHA, FileTestCase, _b64
from tests.test_line_accounts import PASSWORD

FILE = "0000000000000001"


class ThreadedSpoolTestCase(FileTestCase):
    """The spool on a one-thread pool, as the daemon's, whose answers reach the reactor only at ``answer``; what is
    logged in ``logged``."""

    def setUp(self) -> None:
        self.threads = ThreadedReactor()
        self.pool = ThreadPool(1, 1, "test-spool")
        self.pool.start()
        super().setUp()
        # Stopped before the folder is removed (cleanups run last added first): work the test left on the thread
        # (a file deleted once fetched, say) could otherwise delete a file rmtree has just listed.
        self.addCleanup(self.pool.stop)
        # Twisted annotates this for trial's TestCase, but any addCleanup will do.
        self.logged = EventLoggingObserver.createWithCleanup(self, globalLogPublisher)  # type: ignore[arg-type]

    def make_spool(self) -> Spool:
        return Spool(self.folder, run=lambda work: deferToThreadPool(self.threads, self.pool, work))

    def answer(self, times: int = 1) -> None:
        """Let ``times`` answers of the spool's thread reach the reactor, in the order its work was done."""
        for _ in range(times):
            self.threads.run_from_thread()


class LateCheckTestCase(ThreadedSpoolTestCase):
    """alice, registered, on two sessions (``uploading`` and ``other``), and bob, in JSON."""

    file_limits = FileLimits(keep=100.0)

    def setUp(self) -> None:
        super().setUp()
        self.uploading, self.uploading_wire = self.json_user(b"alice")
        self.uploading.dataReceived(b"/register " + PASSWORD + b"\n")
        self.other, self.other_wire = self.connect(None)
        self.other.dataReceived(b"/format json\nalice " + PASSWORD + b"\n")
        self.bob, self.bob_wire = self.json_user(b"bob", host="10.0.0.3")

    def send(self, data: bytes = CONTENT, file: str = FILE) -> None:
        """``uploading`` offers CONTENT to bob (a new offer, or one the server has nothing of) and sends ``data`` in
        chunks as ``file``, each written; the last one's check of the whole is on the thread, its answer held."""
        self.offer(self.uploading)
        for offset in range(0, len(data), CHUNK):
            put = b"/file put %s %d %s\n" % (file.encode(), offset, _b64(data[offset : offset + CHUNK]))
            self.uploading.dataReceived(put)
            self.answer()

    def send_all_but_the_check(self, data: bytes = CONTENT) -> None:
        """``send`` ``data``; every wire is cleared."""
        self.send(data)
        self.end_pass()
        for wire in self.wires:
            self.lines(wire)

    def told(self, wire: StringTransport) -> list[str]:
        """The types of what ``wire`` was sent since it was last read."""
        self.end_pass()
        return [item["type"] for item in self.objects(wire)]

    def assert_nothing_alarming_logged(self) -> None:
        self.assertEqual([event for event in self.logged if event["log_level"] >= LogLevel.warn], [])

    def listed(self, protocol: LineProtocol, wire: StringTransport) -> list[object]:
        protocol.dataReceived(b"/file list\n")
        [listing] = self.objects(wire)
        files: list[object] = listing["files"]
        return files


class LateCheckTests(LateCheckTestCase):
    def test_an_upload_withdrawn_while_its_bytes_are_checked_is_offered_to_nobody(self) -> None:
        """alice withdraws her upload from her other session while its bytes are checked: each of her sessions
        hears it was withdrawn and nothing more, bob is offered nothing, and nothing of it stays on the server."""
        self.send_all_but_the_check()
        self.other.dataReceived(b"/file cancel " + FILE.encode() + b"\n")
        self.answer(2)  # the check's, then the withdrawal's removal of the bytes
        self.assertEqual(self.told(self.uploading_wire), ["file_cancelled"])
        self.assertEqual(self.told(self.other_wire), ["file_cancelled"])
        self.assertEqual(self.told(self.bob_wire), [])
        self.assertEqual(self.listed(self.bob, self.bob_wire), [])
        self.assertEqual(self.listed(self.other, self.other_wire), [])
        self.assertEqual(os.listdir(self.folder), [])
        self.assert_nothing_alarming_logged()

    def test_a_corrupt_upload_withdrawn_while_checked_is_told_only_that_it_was_withdrawn(self) -> None:
        """alice's bytes do not hash as announced, and she withdraws the upload while they are checked: she hears
        it was withdrawn, not of a failure of the server's, and nothing is logged as one."""
        self.send_all_but_the_check(CONTENT[:-1] + b"!")
        self.other.dataReceived(b"/file cancel " + FILE.encode() + b"\n")
        self.answer(2)
        self.assertEqual(self.told(self.uploading_wire), ["file_cancelled"])
        self.assertEqual(self.told(self.bob_wire), [])
        self.assertEqual(os.listdir(self.folder), [])
        self.assert_nothing_alarming_logged()

    def test_an_upload_let_go_while_its_bytes_are_checked_is_offered_to_nobody(self) -> None:
        """alice's upload runs out of time (--file-keep) while its bytes are checked: she hears it expired and
        nothing more, bob is offered nothing, and nothing of it stays on the server."""
        self.send_all_but_the_check()
        self.clock.advance(101)
        self.files.expire()
        self.answer(2)
        self.assertEqual(self.told(self.uploading_wire), ["file_expired"])
        self.assertEqual(self.told(self.bob_wire), [])
        self.assertEqual(os.listdir(self.folder), [])
        self.assert_nothing_alarming_logged()

    def test_the_same_file_sent_again_after_is_checked_again(self) -> None:
        """alice withdraws her upload while its bytes are checked, then offers the same file again and sends
        other bytes: they are checked and refused as corrupt, not taken for the file whose check was cut short."""
        self.send_all_but_the_check()
        self.other.dataReceived(b"/file cancel " + FILE.encode() + b"\n")
        self.answer(2)
        self.assertEqual(self.told(self.uploading_wire), ["file_cancelled"])
        self.send(CONTENT[:-1] + b"!", file="0000000000000002")
        self.assertEqual(self.told(self.uploading_wire), ["file_upload", *["file_progress"] * 3])
        self.answer()
        self.end_pass()
        self.assertEqual([item.get("code") for item in self.objects(self.uploading_wire)], ["file-corrupt"])
        self.assertEqual(self.told(self.bob_wire), [])
        self.assertEqual(os.listdir(self.folder), [])
        self.assert_nothing_alarming_logged()


class OfferWhileCheckedTests(LateCheckTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.carol, self.carol_wire = self.json_user(b"carol", host="10.0.0.4")

    def test_the_same_file_offered_to_another_while_checked_is_offered_once_it_is(self) -> None:
        """alice offers carol the file bob's upload of it is being checked for: her offer is answered once the
        check is done, every byte there, and carol is offered it; nothing goes wrong."""
        self.send_all_but_the_check()
        self.offer(self.other, to=b"carol")
        self.assertEqual(self.told(self.other_wire), [])
        self.answer(
            3
        )  # the check's, its bytes' rename to the content's, then the tail's for the offer to carol
        told = [(item["type"], item.get("file"), item.get("have")) for item in self.objects(self.other_wire)]
        self.assertEqual(
            told,
            [
                ("file_offered", "0000000000000001", None),
                ("file_upload", "0000000000000002", len(CONTENT)),
                ("file_uploaded", "0000000000000002", None),
                ("file_offered", "0000000000000002", None),
            ],
        )
        self.assertEqual(self.told(self.carol_wire), ["file_offered"])
        self.assertEqual(self.told(self.bob_wire), ["file_offered"])
        self.assert_nothing_alarming_logged()

    def test_a_file_offered_while_its_corrupt_bytes_are_checked_is_uploaded_anew(self) -> None:
        """alice offers carol a file whose bytes, sent for bob, are being checked and turn out corrupt: her offer
        to carol is answered once they are dropped, as a new upload from its first byte."""
        self.send_all_but_the_check(CONTENT[:-1] + b"!")
        self.offer(self.other, to=b"carol")
        self.answer()
        told = [(item["type"], item.get("file"), item.get("have")) for item in self.objects(self.other_wire)]
        self.assertEqual(told, [("file_upload", "0000000000000002", 0)])
        self.assertEqual([item.get("code") for item in self.objects(self.uploading_wire)], ["file-corrupt"])
        self.assertEqual(self.told(self.carol_wire), [])
        self.assert_nothing_alarming_logged()

    def test_an_upload_offered_again_after_a_drop_while_checked_is_told_it_is_uploaded(self) -> None:
        """alice's uploading session drops while its bytes are checked, and her client offers the file again on
        her other session, to go on: once the check is done, that offer is answered with the offer it made (same
        id, every byte there, uploaded), as an offer made then is, and bob is offered the file once; nothing goes
        wrong."""
        self.send_all_but_the_check()
        self.uploading.connectionLost()
        self.offer(self.other)
        self.answer(
            3
        )  # the check's, its bytes' rename to the content's, then the tail's for the offer made again
        told = [(item["type"], item.get("file"), item.get("have")) for item in self.objects(self.other_wire)]
        self.assertEqual(
            told,
            [
                ("file_offered", FILE, None),
                ("file_upload", FILE, len(CONTENT)),
                ("file_uploaded", FILE, None),
            ],
        )
        self.assertEqual(self.told(self.bob_wire), ["file_offered"])
        self.assert_nothing_alarming_logged()

    def test_an_upload_offered_again_while_another_of_its_file_is_checked_is_told_it_is_uploaded(
        self,
    ) -> None:
        """alice sends the file to bob and to carol at once, each upload in bytes of its own; the one to carol has
        sent a chunk when its session drops, and her client offers it again on her other session while the one to
        bob is checked: once the check is done, the upload to carol needs no chunk more, and the offer is answered
        with the one made (same id, every byte there, uploaded); carol is offered the file once."""
        self.offer(self.uploading)
        self.offer(self.other, to=b"carol")
        self.other.dataReceived(b"/file put 0000000000000002 0 %s\n" % _b64(CONTENT[:CHUNK]))
        self.answer()
        for offset in range(0, len(CONTENT), CHUNK):
            chunk = _b64(CONTENT[offset : offset + CHUNK])
            self.uploading.dataReceived(b"/file put %s %d %s\n" % (FILE.encode(), offset, chunk))
            self.answer()
        self.end_pass()
        for wire in self.wires:
            self.lines(wire)
        self.other.connectionLost()
        self.offer(self.uploading, to=b"carol")
        self.assertEqual(self.told(self.uploading_wire), [])
        # The check's, its bytes' rename to the content's, the removal of the upload to carol's own, then the tail's
        # for the offer made again.
        self.answer(4)
        told = [
            (item["type"], item.get("file"), item.get("have")) for item in self.objects(self.uploading_wire)
        ]
        self.assertEqual(
            told,
            [
                ("file_uploaded", FILE, None),
                ("file_offered", FILE, None),
                ("file_offered", "0000000000000002", None),
                ("file_upload", "0000000000000002", len(CONTENT)),
                ("file_uploaded", "0000000000000002", None),
            ],
        )
        self.assertEqual(self.told(self.carol_wire), ["file_offered"])
        self.assertEqual(self.told(self.bob_wire), ["file_offered"])
        self.assertEqual(os.listdir(self.folder), [f"{SHA}-{len(CONTENT)}"])
        self.assert_nothing_alarming_logged()

    def test_a_chunk_written_while_its_upload_is_taken_whole_is_not_answered(self) -> None:
        """bob is sending carol the file alice has just sent bob whole, and his chunk is being written when her
        upload's check is done: his upload needs no chunk more and he is told so, not that the server holds the
        chunk he sent, and its bytes go."""
        self.offer(self.uploading)
        self.offer(self.bob, to=b"carol")
        for offset in range(0, len(CONTENT), CHUNK):
            chunk = _b64(CONTENT[offset : offset + CHUNK])
            self.uploading.dataReceived(b"/file put %s %d %s\n" % (FILE.encode(), offset, chunk))
            self.answer()
        self.end_pass()
        for wire in self.wires:
            self.lines(wire)
        self.answer()  # the check's: the bytes are renamed next
        self.bob.dataReceived(b"/file put 0000000000000002 0 %s\n" % _b64(CONTENT[:CHUNK]))
        self.answer(3)  # the rename's, then the chunk's write, then the removal of bob's upload's own bytes
        self.assertEqual(
            [(item["type"], item.get("file")) for item in self.objects(self.bob_wire)],
            [
                ("file_uploaded", "0000000000000002"),
                ("file_offered", FILE),
                ("file_offered", "0000000000000002"),
            ],
        )
        self.assertEqual(os.listdir(self.folder), [f"{SHA}-{len(CONTENT)}"])
        self.assert_nothing_alarming_logged()

    def test_an_offer_refused_once_the_check_it_waited_for_is_done_names_the_offer(self) -> None:
        """alice offers carol the file being checked, and carol leaves before the check is done: the offer, made
        then, is refused naming it, as one refused at once is."""
        self.send_all_but_the_check()
        self.offer(self.other, to=b"carol")
        self.carol.dataReceived(b"/quit\n")
        self.answer(2)  # the check's, then its bytes' rename to the content's
        refusals = [item for item in self.objects(self.other_wire) if item["type"] == "error"]
        self.assertEqual(
            [(item["code"], item["offer"]["target"], item["offer"]["sha256"]) for item in refusals],
            [("no-such-nick", "carol", SHA)],
        )
        self.assert_nothing_alarming_logged()

    def test_an_offer_waiting_for_a_check_from_a_session_that_left_is_made_by_nobody(self) -> None:
        """alice offers carol the file being checked and her session leaves before the check is done: nothing of
        that offer is made, carol is offered nothing."""
        self.send_all_but_the_check()
        self.offer(self.other, to=b"carol")
        self.other.connectionLost()
        self.answer(2)  # the check's, then its bytes' rename to the content's
        self.assertEqual(self.told(self.carol_wire), [])
        self.assertIsNone(self.files.transfer("0000000000000002"))
        self.assertEqual(self.told(self.bob_wire), ["file_offered"])
        self.assert_nothing_alarming_logged()


class OfferedAgainTests(LateCheckTestCase):
    def test_an_offer_made_again_whose_offer_ends_while_its_tail_is_read_is_made_as_it_would_be_then(
        self,
    ) -> None:
        """alice offers bob the file she has offered him already, and he declines it while the server reads its
        tail for the answer: she is not told of an offer that is over, but answered as an offer made then is, a new
        upload from its first byte."""
        self.send_all_but_the_check()
        self.answer(2)  # the check's, then its bytes' rename to the content's
        self.end_pass()
        for wire in self.wires:
            self.lines(wire)
        self.offer(self.other)
        self.bob.dataReceived(b"/file decline " + FILE.encode() + b"\n")
        self.answer(2)  # the tail's, then the decline's removal of the bytes
        told = [(item["type"], item.get("file"), item.get("have")) for item in self.objects(self.other_wire)]
        self.assertEqual(told, [("file_declined", FILE, None), ("file_upload", "0000000000000002", 0)])
        self.assertEqual(os.listdir(self.folder), [])
        self.assert_nothing_alarming_logged()
