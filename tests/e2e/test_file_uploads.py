"""Uploads on the real daemon over loopback TCP: a copy the server holds whole needs no chunk, and an offer made
again is answered with the one made (issue 16)."""

import base64
import os
import shutil
import signal
import tempfile

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.files import CHUNK
from tests.e2e.daemon import Daemon
from tests.e2e.test_daemon import LOOPBACK
from tests.e2e.test_files_identity import gone
from tests.e2e.test_files_restart import CONTENT, SHA, enter, fetch, put, until

OFFER = f"/file offer bob {len(CONTENT)} {SHA} application/octet-stream data.bin"


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


class OfferedAgainTests(SynchronousTestCase):
    def test_an_offer_made_again_after_a_drop_is_answered_with_the_one_made_and_bob_is_offered_it_once(
        self,
    ) -> None:
        """alice sends bob a file and her connection ends right after her last chunk, before her client reads that
        the file is uploaded; back on a new one, her client offers it again: the answer is the offer she made (same
        id, every byte there, uploaded), and bob, offered it once, lists one file and fetches it."""
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        daemon = Daemon.start(self, [*LOOPBACK, "--files", os.path.join(directory, "files")])
        alice = enter(daemon, "alice", "127.0.0.2")
        bob = enter(daemon, "bob", "127.0.0.3")
        alice.say(OFFER)
        file = until(alice, "file_upload")["file"]
        for offset in range(0, len(CONTENT), CHUNK):
            alice.say(
                f"/file put {file} {offset} {base64.b64encode(CONTENT[offset : offset + CHUNK]).decode()}"
            )
        gone(alice)
        alice = enter(daemon, "alice", "127.0.0.2")
        alice.say(OFFER)
        upload = until(alice, "file_upload")
        self.assertEqual((upload["file"], upload["have"]), (file, len(CONTENT)))
        self.assertEqual(until(alice, "file_uploaded"), {"type": "file_uploaded", "file": file})
        bob.say("/file list")
        told = [bob.expect_json()]
        while told[-1]["type"] != "file_list":
            told.append(bob.expect_json())
        self.assertEqual([item["file"] for item in told if item["type"] == "file_offered"], [file])
        self.assertEqual([entry["file"] for entry in told[-1]["files"]], [file])
        bob.say(f"/file accept {file}")
        self.assertEqual(fetch(bob, file, b"", len(CONTENT)), CONTENT)
        daemon.signal(signal.SIGTERM)


class SharedBytesTests(SynchronousTestCase):
    def test_a_restart_of_an_upload_sharing_anothers_bytes_leaves_them_to_the_other(self) -> None:
        """bob is halfway through sending carol a file when alice offers her the same file, which finds his bytes;
        alice begins again: her upload starts from its first byte, in a copy of its own beside his, and his goes on
        from where it was. Both are offered, and carol fetches each whole."""
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        files = os.path.join(directory, "files")
        daemon = Daemon.start(self, [*LOOPBACK, "--files", files])
        alice = enter(daemon, "alice", "127.0.0.2")
        bob = enter(daemon, "bob", "127.0.0.4")
        carol = enter(daemon, "carol", "127.0.0.3")
        offer = f"/file offer carol {len(CONTENT)} {SHA} application/octet-stream data.bin"
        bob.say(offer)
        his = until(bob, "file_upload")["file"]
        half = 6 * CHUNK
        put(bob, his, 0, half)
        alice.say(offer)
        upload = until(alice, "file_upload")
        hers = upload["file"]
        self.assertEqual(upload["have"], half)
        alice.say(f"/file restart {hers}")
        self.assertEqual(until(alice, "file_upload")["have"], 0)
        put(alice, hers, 0, CHUNK)
        self.assertEqual(
            sorted(os.listdir(files)), [f"{SHA}-{len(CONTENT)}-{hers}.part", f"{SHA}-{len(CONTENT)}.part"]
        )
        put(bob, his, half, len(CONTENT))
        until(bob, "file_uploaded")
        put(alice, hers, CHUNK, len(CONTENT))
        until(alice, "file_uploaded")
        for file in (his, hers):
            carol.say(f"/file accept {file}")
            self.assertEqual(fetch(carol, file, b"", len(CONTENT)), CONTENT)
            until(carol, "file_sent")
        daemon.signal(signal.SIGTERM)
        self.assertEqual(os.listdir(files), [])
