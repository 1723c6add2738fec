"""Files across a daemon restart on the same --db and --files: uploads and downloads go on where they stopped (issue 16)."""

import base64
import hashlib
import os
import signal
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.files import CHUNK
from tests.e2e.daemon import Daemon, LineClient, refused_start
from tests.e2e.lobby import LOOPBACK, PROMPT, WELCOME
from tests.helpers import new_folder

CONTENT = os.urandom(12 * CHUNK + 1000)
SHA = hashlib.sha256(CONTENT).hexdigest()


def enter(daemon: Daemon, nick: str, source: str | None = None) -> LineClient:
    """``nick`` on nc in #lobby (from ``source`` if given), reading JSON lines from now on."""
    client = daemon.connect(source=source)
    client.expect(WELCOME, PROMPT)
    client.say(nick)
    client.say("/format json")
    while not client.read_line().startswith(b"{"):
        pass  # the text lines before the answer to /format, which is the first JSON line
    return client


def until(client: LineClient, kind: str) -> dict[str, Any]:
    """The next JSON object of type ``kind``, skipping the others (notices, joins)."""
    while True:
        item = client.expect_json()
        if item["type"] == "error":
            client.daemon.fail(f"refused: {item}")
        if item["type"] == kind:
            return item


def put(client: LineClient, file: str, start: int, end: int, content: bytes = CONTENT) -> None:
    """Upload ``content[start:end]`` chunk by chunk, each answered before the next goes."""
    for offset in range(start, end, CHUNK):
        data = base64.b64encode(content[offset : min(offset + CHUNK, end)]).decode()
        client.say(f"/file put {file} {offset} {data}")
        until(client, "file_progress")


def fetch(client: LineClient, file: str, got: bytes, stop: int) -> bytes:
    """Take chunks (each checked against its hash, each acknowledged) until ``stop`` bytes are held in all."""
    while len(got) < stop:
        chunk = until(client, "file_chunk")
        data = base64.b64decode(chunk["data"])
        client.daemon.case.assertEqual(
            (chunk["offset"], chunk["sha256"]), (len(got), hashlib.sha256(data).hexdigest())
        )
        got += data
        client.say(f"/file ack {file} {len(got)}")
    return got


class RestartTests(SynchronousTestCase):
    """alice sends bob a file; the daemon is stopped and started again on the same --db and --files, twice."""

    def setUp(self) -> None:
        self.directory = new_folder(self)
        self.arguments = [
            *LOOPBACK,
            "--db",
            os.path.join(self.directory, "chatd.sqlite"),
            "--files",
            os.path.join(self.directory, "files"),
        ]

    def restart(self, daemon: Daemon) -> Daemon:
        daemon.signal(signal.SIGTERM)
        return Daemon.start(self, self.arguments)

    def test_upload_and_download_go_on_after_restarts_and_the_file_is_byte_identical(self) -> None:
        """Half uploaded, restart, offered again: ``have`` is where it stopped; half fetched, restart, accepted from there."""
        daemon = Daemon.start(self, self.arguments)
        alice = enter(daemon, "alice", "127.0.0.2")
        enter(daemon, "bob", "127.0.0.3")
        offer = f"/file offer bob {len(CONTENT)} {SHA} application/octet-stream data.bin"
        alice.say(offer)
        file = until(alice, "file_upload")["file"]
        half = 6 * CHUNK
        put(alice, file, 0, half)

        daemon = self.restart(daemon)
        alice = enter(daemon, "alice", "127.0.0.2")
        bob = enter(daemon, "bob", "127.0.0.3")
        alice.say(offer)
        upload = until(alice, "file_upload")
        self.assertEqual(
            (upload["file"], upload["have"], upload["tail"]),
            (file, half, hashlib.sha256(CONTENT[half - CHUNK : half]).hexdigest()),
        )
        put(alice, file, half, len(CONTENT))
        self.assertEqual(until(alice, "file_uploaded"), {"type": "file_uploaded", "file": file})
        self.assertEqual(until(bob, "file_offered")["sha256"], SHA)
        bob.say(f"/file accept {file}")
        got = fetch(bob, file, b"", 5 * CHUNK)

        daemon = self.restart(daemon)
        bob = enter(daemon, "bob", "127.0.0.3")
        bob.say("/file list")
        [entry] = until(bob, "file_list")["files"]
        self.assertEqual((entry["file"], entry["state"]), (file, "offered"))
        bob.say(f"/file accept {file} {len(got)} {hashlib.sha256(got[-CHUNK:]).hexdigest()}")
        got = fetch(bob, file, got, len(CONTENT))
        self.assertEqual(until(bob, "file_sent"), {"type": "file_sent", "file": file})
        self.assertEqual(got, CONTENT)
        # Stopped, the spool's thread has done its last work: nothing of the file is left.
        daemon.signal(signal.SIGTERM)
        self.assertEqual(os.listdir(os.path.join(self.directory, "files")), [])

    def test_an_upload_not_begun_keeps_its_room_in_the_spool_across_a_restart(self) -> None:
        """alice offers bob a file and sends none of it (the spool has no part file of it); the daemon restarts:
        the room her offer reserved is hers still, so carol's offer that would need it is refused as at first,
        and alice's upload goes on from its first byte and is offered."""
        room = ["--file-store-bytes", str(len(CONTENT) + CHUNK)]
        self.arguments += room
        daemon = Daemon.start(self, self.arguments)
        alice = enter(daemon, "alice", "127.0.0.2")
        enter(daemon, "bob", "127.0.0.3")
        offer = f"/file offer bob {len(CONTENT)} {SHA} application/octet-stream data.bin"
        alice.say(offer)
        file = until(alice, "file_upload")["file"]
        self.assertEqual(os.listdir(os.path.join(self.directory, "files")), [])

        daemon = self.restart(daemon)
        carol = enter(daemon, "carol", "127.0.0.4")
        bob = enter(daemon, "bob", "127.0.0.3")
        other = os.urandom(2 * CHUNK)
        carol.say(
            f"/file offer bob {len(other)} {hashlib.sha256(other).hexdigest()} application/octet-stream b.bin"
        )
        answer = carol.expect_json()
        while answer["type"] not in ("error", "file_upload"):  # bob's and alice's joins may come first
            answer = carol.expect_json()
        self.assertEqual((answer["type"], answer.get("code")), ("error", "file-store-full"))
        alice = enter(daemon, "alice", "127.0.0.2")
        alice.say(offer)
        upload = until(alice, "file_upload")
        self.assertEqual((upload["file"], upload["have"]), (file, 0))
        put(alice, file, 0, len(CONTENT))
        self.assertEqual(until(alice, "file_uploaded"), {"type": "file_uploaded", "file": file})
        self.assertEqual(until(bob, "file_offered")["file"], file)
        daemon.signal(signal.SIGTERM)

    def test_an_offer_whose_file_was_removed_while_stopped_is_dropped_with_a_line_in_the_log(self) -> None:
        """alice's file is offered to bob; the daemon stops, and its file is removed from --files by hand: the next
        start drops the offer with a line in the log naming it, and bob neither lists it nor may accept it."""
        daemon = Daemon.start(self, self.arguments)
        alice = enter(daemon, "alice", "127.0.0.2")
        enter(daemon, "bob", "127.0.0.3")
        alice.say(f"/file offer bob {len(CONTENT)} {SHA} application/octet-stream data.bin")
        file = until(alice, "file_upload")["file"]
        put(alice, file, 0, len(CONTENT))
        until(alice, "file_uploaded")
        daemon.signal(signal.SIGTERM)
        os.remove(os.path.join(self.directory, "files", f"{SHA}-{len(CONTENT)}"))

        daemon = Daemon.start(self, self.arguments)
        # Logged as the transfers are made, before the "listening on" line the start waited for.
        dropped = (
            f"Offer {file} from alice to bob dropped: its file {SHA}-{len(CONTENT)} is missing from the spool"
        )
        told = [line for line in daemon.logged_so_far() if b"#warn] " in line]
        self.assertEqual(
            [line.partition(b"#warn] ")[2] for line in told],
            [f"{dropped} (--files) or not whole, so nobody could fetch it".encode()],
        )
        bob = enter(daemon, "bob", "127.0.0.3")
        bob.say("/file list")
        self.assertEqual(
            until(bob, "file_list"), {"type": "file_list", "files": [], "next": None, "wait": 0.0}
        )
        bob.say(f"/file accept {file}")
        refusal = bob.expect_json()
        while refusal["type"] != "error":
            refusal = bob.expect_json()
        self.assertEqual(refusal["code"], "no-such-file")
        daemon.signal(signal.SIGTERM)


class SharedFolderTests(SynchronousTestCase):
    """Two daemons whose --db files sit in one folder: the default --files folder beside them is the first one's."""

    def test_the_second_daemon_stops_and_the_first_ones_upload_goes_on(self) -> None:
        """The second start exits 1 with one sentence naming --files, its part file still there; the first daemon's
        upload then finishes and is offered."""
        directory = new_folder(self)
        files = os.path.join(directory, "chatd-files")
        daemon = Daemon.start(self, [*LOOPBACK, "--db", os.path.join(directory, "x.sqlite")])
        alice = enter(daemon, "alice", "127.0.0.2")
        bob = enter(daemon, "bob", "127.0.0.3")
        alice.say(f"/file offer bob {len(CONTENT)} {SHA} application/octet-stream data.bin")
        file = until(alice, "file_upload")["file"]
        put(alice, file, 0, CHUNK)
        part = [f"{SHA}-{len(CONTENT)}-{file}.part"]
        self.assertEqual(os.listdir(files), part)

        status, out, err = refused_start(self, [*LOOPBACK, "--db", os.path.join(directory, "y.sqlite")])
        self.assertEqual(
            (status, err, out),
            (
                1,
                f"chatd: --files {files} is in use by another chatd; give another folder with --files.\n",
                "",
            ),
        )
        self.assertEqual(os.listdir(files), part)
        self.assertFalse(os.path.exists(os.path.join(directory, "y.sqlite")))
        put(alice, file, CHUNK, len(CONTENT))
        self.assertEqual(until(alice, "file_uploaded"), {"type": "file_uploaded", "file": file})
        self.assertEqual(until(bob, "file_offered")["sha256"], SHA)
        daemon.signal(signal.SIGTERM)
