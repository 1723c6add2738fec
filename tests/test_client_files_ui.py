"""Progress bars on the terminal, and file work kept off the reactor thread.

The terminal is emulated by pyte (test_client_ui's kit); the server is a
``Peer`` on a ``StringTransport``.
"""

import hashlib
import os
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import pyte
from twisted.internet.defer import Deferred

from chatd.client import upload
from chatd.client.files import Transfers
from chatd.client.progress import Bar, bar_text, duration_text, step_text
from chatd.client.upload import CHUNK
from tests.helpers import new_folder
from tests.test_client_connection import Peer
from tests.test_client_files import FILE_ID, InlineWorker, chunk, offered
from tests.test_client_ui import TerminalTestCase, said

P = ParamSpec("P")
T = TypeVar("T")


class QueuedWorker:
    """A Worker that holds each call until the test runs it, as a busy thread pool would."""

    def __init__(self) -> None:
        self.waiting: list[Callable[[], None]] = []

    def __call__(self, work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> "Deferred[T]":
        done: Deferred[T] = Deferred()

        def run() -> None:
            # As a thread pool does: what the work raises fails the Deferred.
            try:
                result = work(*args, **kwargs)
            except Exception:
                done.errback()
            else:
                done.callback(result)

        self.waiting.append(run)
        return done

    def run(self) -> None:
        while self.waiting:
            self.waiting.pop(0)()

    def run_one(self) -> None:
        """Run the oldest call held (what it queues in turn waits)."""
        self.waiting.pop(0)()


class BarTextTests(TerminalTestCase):
    """One row per bar: label, track, percent, rate, time left."""

    def test_a_bar_fits_its_row(self) -> None:
        """Percent, rate and time left always show; the label and track share the rest."""
        bar = Bar("↓ photo.jpg from bob", 5_000_000, 20_000_000, 2_500_000.0)
        self.assertEqual(bar_text(bar, 60), "↓ photo.jpg from bob [###---------]  25% 2.5 MB/s 0:06 left")
        self.assertEqual(len(bar_text(bar, 40)), 39)
        self.assertEqual(bar_text(Bar("x", 0, 10, None), 20), "x [----------]   0%")

    def test_sizes_read_as_the_server_says_them_and_durations_as_people_write_them(self) -> None:
        """A size, and a rate, read as the server's offers and refusals say sizes (``chatd.text.size_words``):
        ``26.5 MB``, where the client said ``26 MB`` of the same file."""
        bar = Bar("↑ big.iso to bob", 0, 26_500_000, 1_300_000.0)
        self.assertEqual(step_text(bar, 0), "↑ big.iso to bob: 0% of 26.5 MB, 1.3 MB/s, 0:20 left")
        self.assertEqual(
            step_text(Bar("↓ a.txt from bob", 0, 512, 999.6), 0),
            "↓ a.txt from bob: 0% of 512 B, 1.0 kB/s, 0:01 left",
        )
        self.assertEqual([duration_text(s) for s in (42, 725, 3725)], ["0:42", "12:05", "1:02:05"])


class TransfersTerminalTestCase(TerminalTestCase):
    """The emulated terminal, with transfers into a fresh downloads folder once ``attach``ed."""

    def setUp(self) -> None:
        super().setUp()
        self.folder = new_folder(self)

    def attach(self, worker: object) -> Transfers:
        files = Transfers(self.link, self.clock, worker, self.folder)  # type: ignore[arg-type]  # the test's workers
        files.bars.watch(self.ui)
        self.link.files = files
        return files

    def widen(self) -> None:
        """80 columns, so bars' labels and listed transfers are whole on a row."""
        self.size = (80, 10)
        self.screen = pyte.Screen(*self.size)
        self.stream = pyte.ByteStream(self.screen)
        self.ui.resized()


class TerminalBarTests(TransfersTerminalTestCase):
    """A download's bar sits between the chat and the input line, and goes when it ends."""

    def test_the_bar_stays_above_the_input_line_while_chat_lines_arrive(self) -> None:
        """Chat scrolls above the bar; the bar and the half-typed line stay whole; the end removes the bar."""
        self.attach(InlineWorker())
        peer = self.online()
        data = os.urandom(CHUNK * 4)
        peer.send(offered(data))
        self.type(b"/accept\r")
        peer.send(chunk(0, data[:CHUNK]))
        for _ in range(3):
            self.clock.advance(0.5)
        self.type(b"half")
        peer.send(said("bob", "still here"))
        rows = self.rows()
        self.assertEqual(rows[-3], "09:00   #lobby <bob> still here")
        self.assertTrue(rows[-2].startswith("↓ photo.jpg from bob [##---"), rows[-2])
        self.assertTrue(rows[-2].endswith("  25%"), rows[-2])
        self.assertEqual(rows[-1], "#lobby> half")
        peer.send(*[chunk(at, data[at : at + CHUNK]) for at in range(CHUNK, len(data), CHUNK)])
        peer.send({"type": "file_sent", "file": FILE_ID})
        rows = self.rows()
        self.assertTrue(any(row.startswith('09:00 ~ Saved "photo.jpg"') for row in rows), rows)
        self.assertEqual(rows[-1], "#lobby> half")
        self.assertFalse(any(row.startswith("↓") for row in rows))

    def test_hashing_a_file_leaves_the_chat_going(self) -> None:
        """While the file is hashed off the reactor thread, typed lines go out at once; the offer follows."""
        worker = QueuedWorker()
        self.attach(worker)
        peer = self.online()
        path = os.path.join(self.folder, "big.bin")
        with open(path, "wb") as out:
            out.write(b"\0" * 100_000)
        self.type(f"/send bob {path}\r".encode())
        self.type(b"hello\r")
        self.assertEqual(peer.sent(), ["hello"])
        worker.run()
        digest = hashlib.sha256(b"\0" * 100_000).hexdigest()
        self.assertEqual(peer.sent(), [f"/file offer bob 100000 {digest} application/octet-stream big.bin"])


class HashingBarTests(TransfersTerminalTestCase):
    """Hashing a big file before it is offered has a bar of its own, which the upload's bar then takes over."""

    def setUp(self) -> None:
        super().setUp()
        self.widen()

    def big_file(self, size: int) -> str:
        path = os.path.join(self.folder, "big.bin")
        with open(path, "wb") as out:
            out.write(os.urandom(size))
        return path

    def test_hashing_shows_a_bar_with_percent_and_rate_then_the_upload_bar_takes_its_row(self) -> None:
        """Four slices: after a moment "hashing big.bin" at 75% and its rate; once offered, the upload's bar there."""
        self.patch(upload, "HASH_SLICE", 4 * CHUNK)
        worker = QueuedWorker()
        self.attach(worker)
        peer = self.online()
        worker.run()  # The look for part files left by an earlier run.
        path = self.big_file(16 * CHUNK)
        self.type(f"/send bob {path}\r".encode())
        for _ in range(3):
            worker.run_one()
            self.clock.advance(0.5)
        rows = self.rows()
        self.assertEqual(
            rows[-2], "hashing big.bin [##########################---------]  75% 131.1 kB/s 0:01 left"
        )
        self.assertEqual(rows[-1], "#lobby>")
        worker.run()
        [offer] = peer.sent()
        self.assertTrue(offer.startswith("/file offer bob 262144 "), offer)
        self.clock.advance(0.5)
        rows = self.rows()
        self.assertEqual(rows[-2], f"↑ big.bin to bob [{'-' * 55}]   0%")
        self.assertFalse(any(row.startswith("hashing") for row in rows), rows)

    def test_cancel_stops_the_hashing_between_slices(self) -> None:
        """Cancelled while hashing: the next slice is not read, nothing is offered, the bar goes."""
        self.patch(upload, "HASH_SLICE", 4 * CHUNK)
        worker = QueuedWorker()
        self.attach(worker)
        peer = self.online()
        worker.run()
        self.type(f"/send bob {self.big_file(16 * CHUNK)}\r".encode())
        worker.run_one()
        self.type(b"/cancel\r")
        worker.run()
        self.assertEqual(worker.waiting, [])
        self.assertEqual(peer.sent(), [])
        self.clock.advance(5)
        self.assertFalse(any(row.startswith("hashing") for row in self.rows()))


class LateCheckTests(TransfersTerminalTestCase):
    """A check of the server's tail that the worker answers late moves nothing the server has since settled."""

    def sent_again_and_taken_whole(self, worker: QueuedWorker) -> tuple[Peer, str]:
        """A file whose last chunk is short, offered while the server holds it whole: ``file_upload`` with all of it
        and ``file_uploaded`` at once, its tail's check still on ``worker``; the server's end and the file's path."""
        self.attach(worker)
        peer = self.online()
        worker.run()  # The look for part files left by an earlier run.
        # A short last chunk: the server's tail is checked by reading the file on the worker.
        data = os.urandom(6 * CHUNK + 500)
        path = os.path.join(self.folder, "notes.txt")
        with open(path, "wb") as out:
            out.write(data)
        self.type(f"/send bob {path}\r".encode())
        worker.run()
        digest = hashlib.sha256(data).hexdigest()
        [offer] = peer.sent()
        self.assertTrue(offer.startswith(f"/file offer bob {len(data)} {digest} "), offer)
        peer.send(
            {
                "type": "file_upload",
                "file": FILE_ID,
                "target": "bob",
                "name": "notes.txt",
                "size": len(data),
                "sha256": digest,
                "have": len(data),
                "chunk": CHUNK,
                "tail": hashlib.sha256(data[6 * CHUNK :]).hexdigest(),
            },
            {"type": "file_uploaded", "file": FILE_ID},
        )
        return peer, path

    def test_a_file_the_server_took_whole_meanwhile_stays_offered_with_no_bar(self) -> None:
        """Sent again while the server holds it all, file_uploaded comes before the tail is read: no bar, /files says offered."""
        self.widen()
        worker = QueuedWorker()
        peer, _ = self.sent_again_and_taken_whole(worker)
        worker.run()  # The tail's check, answered after file_uploaded.
        for _ in range(4):
            self.clock.advance(0.5)
        self.assertFalse(any(row.startswith("↑") for row in self.rows()), self.rows())
        self.type(b"/files\r")
        rows = self.rows()
        self.assertIn('09:00 ~   [1] to bob: "notes.txt" (98.8 kB, 100%) offered', rows)
        self.assertEqual(peer.sent(), ["/file list"])

    def test_a_late_check_that_cannot_read_the_file_leaves_the_offer_standing(self) -> None:
        """The file removed once the server took it whole, its late tail check fails: the offer stays, nothing is
        withdrawn and no failure is said."""
        self.widen()
        worker = QueuedWorker()
        peer, path = self.sent_again_and_taken_whole(worker)
        os.remove(path)
        worker.run()  # The tail's check, failing after file_uploaded.
        self.assertEqual(peer.sent(), [])
        self.assertFalse(any("failed" in row for row in self.rows()), self.rows())
        self.type(b"/files\r")
        self.assertIn('09:00 ~   [1] to bob: "notes.txt" (98.8 kB, 100%) offered', self.rows())
