"""Uploads on the real daemon over loopback TCP: a copy the server holds whole needs no chunk, an offer made again is
answered with the one made, and two uploads of one file at once keep out of each other's way (issue 16)."""

import base64
import os
import signal
import time
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.files import CHUNK
from tests.e2e.daemon import Daemon, LineClient
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_files_identity import gone
from tests.e2e.test_files_restart import CONTENT, SHA, enter, fetch, put, until
from tests.helpers import new_folder

OFFER = f"/file offer bob {len(CONTENT)} {SHA} application/octet-stream data.bin"


def listed_soon(folder: str, expected: list[str], within: float = 10.0) -> list[str]:
    """``folder``'s names, sorted, once they are ``expected`` or ``within`` seconds have passed: the spool's thread
    renames and drops files after the reactor has answered whoever asked."""
    deadline = time.monotonic() + within
    while (names := sorted(os.listdir(folder))) != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return names


class HeldCopyTests(SynchronousTestCase):
    def test_a_put_to_a_copy_the_server_holds_says_there_is_nothing_to_upload(self) -> None:
        """alice sends bob a file, then the same bytes to carol: the offer is uploaded at once and carol offered
        it; a chunk alice sends anyway is told the server has every byte, not that no transfer is open."""
        directory = new_folder(self)
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
                "file": second,
            },
        )


class OfferedAgainTests(SynchronousTestCase):
    def test_an_offer_made_again_after_a_drop_is_answered_with_the_one_made_and_bob_is_offered_it_once(
        self,
    ) -> None:
        """alice sends bob a file and her connection ends right after her last chunk, before her client reads that
        the file is uploaded; back on a new one, her client offers it again: the answer is the offer she made (same
        id, every byte there, uploaded), and bob, offered it once, lists one file and fetches it."""
        directory = new_folder(self)
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


def answered(client: LineClient, *kinds: str) -> list[dict[str, Any]]:
    """The JSON objects ``client`` reads up to and including one of each type in ``kinds``, in the order they came, or
    up to a refusal."""
    told = [client.expect_json()]
    while not set(kinds) <= {item["type"] for item in told} and told[-1]["type"] != "error":
        told.append(client.expect_json())
    return told


class AtOnceTests(SynchronousTestCase):
    """Two uploads of one file at the same time (issue 16): each goes into a part file of its own until checked
    whole, so neither takes or spoils the other's chunks."""

    def setUp(self) -> None:
        directory = new_folder(self)
        self.files = os.path.join(directory, "files")
        self.daemon = Daemon.start(self, [*LOOPBACK, "--files", self.files])

    def test_the_same_file_sent_to_two_people_at_once_is_offered_to_both(self) -> None:
        """alice sends one file to bob and to carol at once, a chunk to each in turn: every chunk is taken, and once
        the upload to bob is checked whole, the one to carol is too, with no chunk more (one already on its way is
        dropped without a word); bob and carol each fetch the file whole."""
        alice = enter(self.daemon, "alice", "127.0.0.2")
        bob = enter(self.daemon, "bob", "127.0.0.3")
        carol = enter(self.daemon, "carol", "127.0.0.4")
        alice.say(f"/file offer bob {len(CONTENT)} {SHA} application/octet-stream data.bin")
        upload = until(alice, "file_upload")
        first = upload["file"]
        self.assertEqual(upload["have"], 0)
        alice.say(f"/file offer carol {len(CONTENT)} {SHA} application/octet-stream data.bin")
        upload = until(alice, "file_upload")
        second = upload["file"]
        self.assertEqual(
            upload["have"], 0, "nothing of the upload to bob, whose bytes are its own until checked whole"
        )
        half = 6 * CHUNK
        for offset in range(0, half, CHUNK):
            put(alice, first, offset, offset + CHUNK)
            put(alice, second, offset, offset + CHUNK)
        self.assertEqual(
            sorted(os.listdir(self.files)),
            sorted(f"{SHA}-{len(CONTENT)}-{file}.part" for file in (first, second)),
        )
        put(alice, first, half, len(CONTENT))
        told = answered(alice, "file_uploaded")
        while len([item for item in told if item["type"] in ("file_uploaded", "error")]) < 2:
            told += answered(alice, "file_uploaded")
        self.assertEqual(
            [(item["type"], item.get("file")) for item in told if item["type"] in ("file_uploaded", "error")],
            [("file_uploaded", first), ("file_uploaded", second)],
        )
        # The spool drops the upload to carol's own bytes on its thread, after alice is told: no sooner, no later.
        self.assertEqual(listed_soon(self.files, [f"{SHA}-{len(CONTENT)}"]), [f"{SHA}-{len(CONTENT)}"])
        put_line = base64.b64encode(CONTENT[half : half + CHUNK]).decode()
        alice.say(f"/file put {second} {half} {put_line}")
        alice.say("/file list")
        listing = answered(alice, "file_list")
        self.assertEqual([item["type"] for item in listing if item["type"] == "error"], [])
        self.assertEqual(
            sorted((entry["file"], entry["state"]) for entry in listing[-1]["files"]),
            sorted([(first, "offered"), (second, "offered")]),
        )
        for client, file in ((bob, first), (carol, second)):
            self.assertEqual(until(client, "file_offered")["file"], file)
            client.say(f"/file accept {file}")
            self.assertEqual(fetch(client, file, b"", len(CONTENT)), CONTENT)
            until(client, "file_sent")
        self.daemon.signal(signal.SIGTERM)
        self.assertEqual(os.listdir(self.files), [])

    def test_a_bad_chunk_from_someone_else_offering_the_same_file_spoils_nothing(self) -> None:
        """bob is halfway through sending carol a file when mallory, who knows its SHA-256 and size, offers the
        same to carol and puts a chunk of her own at the offset bob is at: her offer starts from nothing, her chunk
        goes into her own upload, and bob's goes on where it was, is checked whole and offered; carol fetches his
        file byte for byte."""
        bob = enter(self.daemon, "bob", "127.0.0.3")
        carol = enter(self.daemon, "carol", "127.0.0.4")
        mallory = enter(self.daemon, "mallory", "127.0.0.5")
        offer = f"/file offer carol {len(CONTENT)} {SHA} application/octet-stream data.bin"
        bob.say(offer)
        his = until(bob, "file_upload")["file"]
        half = 6 * CHUNK
        put(bob, his, 0, half)
        mallory.say(offer)
        upload = until(mallory, "file_upload")
        offset = upload["have"]
        bad = base64.b64encode(b"\0" * CHUNK).decode()
        mallory.say(f"/file put {upload['file']} {offset} {bad}")
        until(mallory, "file_progress")
        # As the bundled client and the page do: a put refused for its offset goes on from where the server is.
        offset = half
        while offset < len(CONTENT):
            data = base64.b64encode(CONTENT[offset : offset + CHUNK]).decode()
            bob.say(f"/file put {his} {offset} {data}")
            answer = bob.expect_json()
            while answer["type"] not in ("file_progress", "error"):
                answer = bob.expect_json()
            offset = answer["have"]
        told = answered(bob, "file_uploaded", "file_offered")
        self.assertEqual([item.get("code") for item in told if item["type"] == "error"], [])
        self.assertEqual(until(carol, "file_offered")["file"], his)
        carol.say(f"/file accept {his}")
        self.assertEqual(fetch(carol, his, b"", len(CONTENT)), CONTENT)
        self.daemon.signal(signal.SIGTERM)
