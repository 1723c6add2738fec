"""Transfers in the piped client: progress is a line on stderr every 10%, not a bar.

The plain client (test_client_plain's kit) over a fake stdio, with
``Transfers`` into a fresh downloads folder and a fake server (``Peer``).
"""

import os

from twisted.trial.unittest import SynchronousTestCase

from chatd.client.files import Transfers
from chatd.client.progress import Bar, Steps
from chatd.client.upload import CHUNK
from tests.helpers import new_folder
from tests.test_client_files import FILE_ID, InlineWorker, chunk, offered
from tests.test_client_plain import PlainTestCase


class PipedProgressTests(PlainTestCase):
    """A download on the piped client says how far it is every 10%, on stderr."""

    nick = "alice"

    def setUp(self) -> None:
        super().setUp()
        self.folder = new_folder(self)
        files = Transfers(self.link, self.clock, InlineWorker(), self.folder)
        files.bars.watch(self.plain)
        self.link.files = files
        self.peer = self.endpoint.accept()
        self.peer.register()
        self.stdout()
        self.errors.truncate(0)
        self.errors.seek(0)

    def test_a_download_is_a_line_every_10_percent_and_no_bar(self) -> None:
        """100 chunks, 4 each half second: 10%, 20% ... 100%, one line each, then the saved line; stdout holds none of it."""
        data = os.urandom(100 * CHUNK)
        self.peer.send(offered(data))
        self.plain.lineReceived(b"/accept")
        for at in range(0, len(data), 4 * CHUNK):
            self.peer.send(
                *[chunk(start, data[start : start + CHUNK]) for start in range(at, at + 4 * CHUNK, CHUNK)]
            )
            self.clock.advance(0.5)
        self.peer.send({"type": "file_sent", "file": FILE_ID})
        lines = self.errors.getvalue().splitlines()
        steps = [line for line in lines if "↓" in line]
        self.assertEqual(steps[0], "09:00 ~ ↓ photo.jpg from bob: 10% of 1.6 MB, 131.1 kB/s, 0:11 left")
        self.assertEqual(
            [line.split(": ")[1].split("%")[0] for line in steps], [str(n) for n in range(10, 101, 10)]
        )
        self.assertTrue(lines[-1].startswith('09:00 ~ Saved "photo.jpg" (1.6 MB) from bob'), lines[-1])
        self.assertFalse(any("↓" in line or "\x1b" in line for line in self.stdout()))

    def test_the_end_of_stdin_waits_for_a_file_moving(self) -> None:
        """stdin ends mid-download: the client says it waits, and sends /quit only once the file is saved."""
        data = os.urandom(8 * CHUNK)
        self.peer.send(offered(data))
        self.plain.lineReceived(b"/accept")
        self.peer.send(*[chunk(start, data[start : start + CHUNK]) for start in range(0, 4 * CHUNK, CHUNK)])
        self.plain.readConnectionLost()
        self.assertIn(
            "chatd.client: waiting for 1 file transfer(s) before quitting\n", self.errors.getvalue()
        )
        self.assertNotIn("/quit", self.peer.sent())
        self.peer.send(
            *[chunk(start, data[start : start + CHUNK]) for start in range(4 * CHUNK, 8 * CHUNK, CHUNK)]
        )
        self.peer.send({"type": "file_sent", "file": FILE_ID})
        self.clock.advance(1)
        self.assertEqual(self.peer.sent()[-1], "/quit")
        with open(os.path.join(self.folder, "photo.jpg"), "rb") as saved:
            self.assertEqual(saved.read(), data)


class StepsTests(SynchronousTestCase):
    """Bars become lines at each tenth."""

    def test_a_jump_over_several_tenths_says_only_the_last(self) -> None:
        """From nothing to 47% in one tick: one line, at 40%; nothing more until 50%."""
        steps = Steps()
        self.assertEqual(
            steps.lines([Bar("↑ a.bin to bob", 47, 100, None)]), ["↑ a.bin to bob: 40% of 100 B"]
        )
        self.assertEqual(steps.lines([Bar("↑ a.bin to bob", 49, 100, None)]), [])
        self.assertEqual(
            steps.lines([Bar("↑ a.bin to bob", 50, 100, 10.0)]),
            ["↑ a.bin to bob: 50% of 100 B, 10 B/s, 0:05 left"],
        )

    def test_hashing_and_sending_count_apart_and_an_ended_transfer_is_forgotten(self) -> None:
        """The upload's 10% after hashing's 90% is said; a bar gone and back starts again."""
        steps = Steps()
        self.assertEqual(steps.lines([Bar("hashing a.bin", 95, 100, None)]), ["hashing a.bin: 90% of 100 B"])
        self.assertEqual(
            steps.lines([Bar("↑ a.bin to bob", 10, 100, None)]), ["↑ a.bin to bob: 10% of 100 B"]
        )
        self.assertEqual(steps.lines([]), [])
        self.assertEqual(
            steps.lines([Bar("↑ a.bin to bob", 10, 100, None)]), ["↑ a.bin to bob: 10% of 100 B"]
        )
