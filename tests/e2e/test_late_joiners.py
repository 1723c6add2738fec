"""A room's offer reaches whoever joins the room while it is open, on a real daemon over TCP (issue 16)."""

import os
import shutil
import tempfile

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon
from tests.e2e.test_daemon import LOOPBACK
from tests.e2e.test_web_files import content, fetch, json_user, next_of, upload


class LateJoinerTests(SynchronousTestCase):
    def test_a_program_joining_after_a_room_offer_is_offered_it_and_fetches_it(self) -> None:
        """alice offers #lobby a file with bob there; carol comes in after and reads the same offer, fetches it
        byte for byte, and alice hears that bob is still left to fetch it."""
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        daemon = Daemon.start(self, [*LOOPBACK, "--files", os.path.join(directory, "files")])
        alice = json_user(daemon, "alice")
        bob = json_user(daemon, "bob")
        data = content(40_000)
        file_id = upload(alice, "#lobby", "worksheet.pdf", data, "application/pdf")
        offered = next_of(bob, "file_offered", file=file_id)
        carol = json_user(daemon, "carol")
        late = next_of(carol, "file_offered", file=file_id)
        self.assertEqual(
            {key: value for key, value in late.items() if key not in ("id", "at")},
            {key: value for key, value in offered.items() if key not in ("id", "at")},
        )
        self.assertEqual(fetch(carol, file_id), data)
        self.assertEqual(
            next_of(alice, "file_fetched", file=file_id),
            {"type": "file_fetched", "file": file_id, "nick": "carol", "left": 1},
        )
