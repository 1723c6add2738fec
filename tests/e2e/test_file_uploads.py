"""Uploads on the real daemon over loopback TCP: a copy the server holds whole needs no chunk (issue 16)."""

import base64
import os
import shutil
import tempfile

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import Daemon
from tests.e2e.test_daemon import LOOPBACK
from tests.e2e.test_files_restart import CONTENT, SHA, enter, put, until


class HeldCopyTests(SynchronousTestCase):
    def test_a_put_to_a_copy_the_server_holds_says_there_is_nothing_to_upload(self) -> None:
        """alice sends bob a file, then the same bytes to carol: the offer is uploaded at once and carol offered
        it; a chunk alice sends anyway is told the server has every byte, not that no transfer is open."""
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        daemon = Daemon.start(self, [*LOOPBACK, "--files", os.path.join(directory, "files")])
        alice = enter(daemon, "alice", "127.0.0.2")
        enter(daemon, "bob", "127.0.0.3")
        carol = enter(daemon, "carol", "127.0.0.4")
        alice.say(f"/file offer bob {len(CONTENT)} {SHA} application/octet-stream data.bin")
        first = until(alice, "file_upload")["file"]
        put(alice, first, 0, len(CONTENT))
        until(alice, "file_uploaded")
        alice.say(f"/file offer carol {len(CONTENT)} {SHA} application/octet-stream data.bin")
        upload = until(alice, "file_upload")
        second = upload["file"]
        self.assertEqual(upload["have"], len(CONTENT))
        self.assertEqual(until(alice, "file_uploaded"), {"type": "file_uploaded", "file": second})
        self.assertEqual(until(carol, "file_offered")["file"], second)
        # A short chunk: with no upload open, a put line is held to 512 bytes like any other (docs/PROTOCOL.md).
        alice.say(f"/file put {second} 0 {base64.b64encode(CONTENT[:300]).decode()}")
        refusal = alice.expect_json()
        while refusal["type"] != "error":  # the offer's echo of carol's file_offered may come first
            refusal = alice.expect_json()
        self.assertEqual(
            refusal,
            {
                "type": "error",
                "code": "file-uploaded",
                "text": f"the server already has every byte of {second}; nothing to upload",
            },
        )
