"""A file whose bytes vanish from --files while the daemon runs (removed by hand): its transfer ends, said once (issue 16)."""

import base64
import hashlib
import os
import re
import signal
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.files import CHUNK, WINDOW
from tests.e2e.daemon import Daemon, LineClient
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_files_restart import CONTENT, SHA, enter, fetch, put, until
from tests.helpers import new_folder

LOST = "the server lost its bytes"
"""The reason a transfer whose file cannot be read back is let go with (chatd.frontend.transfer_expiry.LOST)."""


class LostBytesTests(SynchronousTestCase):
    """alice has sent bob a file over real TCP; then someone removes its bytes from --files, the daemon running."""

    def setUp(self) -> None:
        self.directory = new_folder(self)
        files = os.path.join(self.directory, "files")
        self.daemon = Daemon.start(
            self, [*LOOPBACK, "--db", os.path.join(self.directory, "db"), "--files", files]
        )
        self.alice = enter(self.daemon, "alice", "127.0.0.2")
        self.bob = enter(self.daemon, "bob", "127.0.0.3")
        self.alice.say(f"/file offer bob {len(CONTENT)} {SHA} application/octet-stream data.bin")
        self.file = until(self.alice, "file_upload")["file"]
        put(self.alice, self.file, 0, len(CONTENT))
        until(self.alice, "file_uploaded")
        until(self.bob, "file_offered")
        self.bytes = os.path.join(files, f"{SHA}-{len(CONTENT)}")

    def ended(self, client: LineClient) -> tuple[dict[str, Any], int]:
        """The ``file_expired`` that ends the file for ``client``, and how many bytes of chunks came before it (each
        acknowledged, as a client does)."""
        got = 0
        while True:
            item = client.expect_json()
            if item["type"] == "file_chunk":
                got = item["offset"] + len(base64.b64decode(item["data"]))
                client.say(f"/file ack {self.file} {got}")
            elif item["type"] == "file_expired":
                return item, got

    def assert_one_line_in_the_log(self) -> None:
        """The host reads one error line naming the folder's trouble, and no traceback nor anything else alarming."""
        self.daemon.wait_for_log(
            # The error's own words, then the transfer, as for an upload the disk refused.
            re.compile(
                rb"Could not read an offered file from the --files folder \(No such file or directory\): "
                + self.file.encode()
                + rb" from alice was let go$"
            )
        )
        self.daemon.signal(signal.SIGTERM)
        logged = self.daemon.logged_so_far()
        alarming = [line for line in logged if any(level in line for level in (b"#error]", b"#critical]"))]
        self.assertEqual(len(alarming), 1, alarming)
        self.assertFalse([line for line in logged if b"Traceback" in line])

    def test_a_download_under_way_ends_for_both_and_the_host_reads_one_line(self) -> None:
        """bob is fetching when the bytes go: his download ends with file_expired (no stall), alice is told the same,
        the offer is gone from the list, and the log has one line, no traceback."""
        self.bob.say(f"/file accept {self.file}")
        first = until(self.bob, "file_chunk")
        self.assertEqual(first["offset"], 0)
        os.remove(self.bytes)
        self.bob.say(f"/file ack {self.file} {CHUNK}")
        expired, got = self.ended(self.bob)
        self.assertEqual(expired, {"type": "file_expired", "file": self.file, "reason": LOST})
        self.assertLess(got, len(CONTENT))
        self.assertEqual(
            until(self.alice, "file_expired"), {"type": "file_expired", "file": self.file, "reason": LOST}
        )
        self.bob.say("/file list")
        listed = self.bob.expect_json()
        while listed["type"] in ("error", "notice"):
            # The acknowledgements of chunks on their way as the file went, answered after it; so many of them, on a
            # slow machine, that bob is told his lines now wait their turn.
            if listed["type"] == "error":
                self.assertEqual((listed["code"], listed["file"]), ("no-such-file", self.file))
            else:
                self.assertEqual(listed["kind"], "flood")
            listed = self.bob.expect_json()
        self.assertEqual(listed, {"type": "file_list", "files": [], "next": None, "wait": 0.0})
        self.assert_one_line_in_the_log()

    def test_a_download_resumed_after_the_bytes_went_ends_as_one_begun(self) -> None:
        """bob fetched half, left, and comes back to go on: the bytes gone meanwhile, his accept from where he
        stopped is answered file_expired, not an internal error, and the log has one line."""
        self.bob.say(f"/file accept {self.file}")
        got = fetch(self.bob, self.file, b"", 2 * CHUNK)
        # The rest of the window comes unacknowledged: then the daemon reads nothing more of the file for bob.
        while until(self.bob, "file_chunk")["offset"] < (2 + WINDOW - 1) * CHUNK:
            pass
        self.bob.close()
        os.remove(self.bytes)
        bob = enter(self.daemon, "bob", "127.0.0.3")
        bob.say(f"/file accept {self.file} {len(got)} {hashlib.sha256(got[-CHUNK:]).hexdigest()}")
        self.assertEqual(
            until(bob, "file_expired"), {"type": "file_expired", "file": self.file, "reason": LOST}
        )
        self.assertEqual(
            until(self.alice, "file_expired"), {"type": "file_expired", "file": self.file, "reason": LOST}
        )
        self.assert_one_line_in_the_log()
