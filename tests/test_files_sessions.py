"""Files offered to an account online from several connections at once (issue 16), over StringTransport.

bob is registered and holds two sessions (the terminal client and a browser
tab, say); alice offers him a file. Whatever one of his sessions does with
it (fetch it whole, decline it, stop fetching it), his others are told as
alice is, and none of his downloads is cut off or counted twice.
"""

import base64
import hashlib
import os
from typing import Any

from twisted.internet.error import ConnectionDone
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure

from chatd.domain.files import CHUNK, WINDOW, KeptTransfer
from chatd.frontend.transfer_parts import NotKept
from chatd.frontend.transfers import Transfers
from chatd.line.protocol import LineProtocol
from tests.test_files import FileTestCase
from tests.test_line_accounts import PASSWORD

BIG = bytes((n * 7 + n // 251) % 256 for n in range(3 * WINDOW // 2 * CHUNK + 5))
"""Twelve chunks and a part: more than a window, so a download half done still reads from the spool."""
BIG_SHA = hashlib.sha256(BIG).hexdigest()
FILE = "0000000000000001"


class Fetch:
    """A download by one session, taken a chunk at a time: each checked, kept and acknowledged."""

    def __init__(self, case: "SessionsTestCase", protocol: LineProtocol, wire: StringTransport) -> None:
        self.case, self.protocol, self.wire = case, protocol, wire
        self.held = b""
        self.sent = False
        self.other: list[dict[str, Any]] = []
        """What else the session was sent meanwhile."""
        self._unread: list[dict[str, Any]] = []

    def take(self, most: int | None = None) -> "Fetch":
        """Take up to ``most`` chunks (every one, to ``file_sent``, if None), letting the server's passes run; the
        chunks past ``most`` wait for the next call, and whatever else came is in ``other``."""
        taken = 0
        for _ in range(100):
            self.case.clock.advance(0.01)
            unread, self._unread = [*self._unread, *self.case.objects(self.wire)], []
            for item in unread:
                if item["type"] != "file_chunk":
                    self.sent = self.sent or item["type"] == "file_sent"
                    self.other += [] if item["type"] == "file_sent" else [item]
                elif self._unread or taken == most:
                    self._unread.append(item)
                else:
                    self.case.assertEqual(item["offset"], len(self.held))
                    self.held += base64.b64decode(item["data"])
                    taken += 1
                    self.protocol.dataReceived(b"/file ack %s %d\n" % (FILE.encode(), len(self.held)))
            if self.sent or taken == most:
                return self
        return self


class Kept(NotKept):
    """A ``TransferStore`` in a dict (``records``): what a restart would find."""

    def __init__(self) -> None:
        self.records: dict[str, KeptTransfer] = {}

    def keep(self, transfer: KeptTransfer) -> None:
        self.records[transfer.offered.file] = transfer

    def forget(self, file: str) -> None:
        self.records.pop(file, None)


class SessionsTestCase(FileTestCase):
    """alice in JSON; bob registered, in JSON on two sessions (``first`` and ``second``); alice's file offered to
    him, uploaded whole; every wire cleared. The open transfers are kept (``store``), as with ``--db FILE``."""

    def setUp(self) -> None:
        super().setUp()
        self.store = Kept()
        self.files = self.factory.files = Transfers(
            self.chat, self.spool, self.clock, store=self.store, new_id=lambda: next(self.ids), bus=self.bus
        )
        self.alice, self.alice_wire = self.json_user(b"alice", host="10.0.0.1")
        self.first, self.first_wire = self.json_user(b"bob", host="10.0.0.2")
        self.first.dataReceived(b"/register " + PASSWORD + b"\n")
        self.second, self.second_wire = self.connect(None, host="10.0.0.3")
        self.second.dataReceived(b"/format json\nbob " + PASSWORD + b"\n")
        self.offer(self.alice, sha=BIG_SHA, size=len(BIG))
        self.upload(self.alice, BIG)
        self.end_pass()
        for wire in self.wires:
            self.lines(wire)

    def accept(self, protocol: LineProtocol) -> None:
        protocol.dataReceived(b"/file accept %s\n" % FILE.encode())

    def spooled(self) -> list[str]:
        return os.listdir(self.folder)


class OtherSessionTests(SessionsTestCase):
    def test_a_fetch_on_one_session_is_told_to_the_others_as_to_the_sender(self) -> None:
        """bob fetches the file on one session: alice and his other session read file_fetched, and the other has
        nothing left to accept or list."""
        self.accept(self.first)
        fetch = Fetch(self, self.first, self.first_wire).take()
        self.assertEqual((fetch.held, fetch.other), (BIG, []))
        fetched = {"type": "file_fetched", "file": FILE, "nick": "bob", "left": 0}
        self.assertEqual(self.objects(self.alice_wire), [fetched])
        self.assertEqual(self.objects(self.second_wire), [fetched])
        self.second.dataReceived(b"/file list\n")
        self.assertEqual(
            self.objects(self.second_wire), [{"type": "file_list", "files": [], "next": None, "wait": 0.0}]
        )

    def test_an_accept_on_another_session_after_the_fetch_names_the_file_it_refuses(self) -> None:
        """bob's other session accepts a file he fetched already (its /file accept crossed the news): the refusal
        names the file, so that its client ends that download."""
        self.accept(self.first)
        Fetch(self, self.first, self.first_wire).take()
        self.objects(self.second_wire)
        self.accept(self.second)
        self.assertEqual(
            self.objects(self.second_wire),
            [
                {
                    "type": "error",
                    "code": "no-such-file",
                    "text": f"no transfer {FILE} is open for you",
                    "file": FILE,
                }
            ],
        )

    def test_a_decline_on_one_session_is_told_to_the_others(self) -> None:
        """bob declines on one session: alice and his other session read file_declined; the one that declined
        reads nothing back, as before."""
        self.first.dataReceived(b"/file decline %s\n" % FILE.encode())
        declined = {"type": "file_declined", "file": FILE, "nick": "bob", "left": 0}
        self.assertEqual(self.objects(self.alice_wire), [declined])
        self.assertEqual(self.objects(self.second_wire), [declined])
        self.assertEqual(self.objects(self.first_wire), [])
        self.assertEqual(self.spooled(), [])

    def test_a_stop_on_one_session_is_told_to_the_others(self) -> None:
        """bob stops fetching on one session: it, alice and his other session each read file_cancelled once."""
        self.accept(self.first)
        Fetch(self, self.first, self.first_wire).take(2)
        self.first.dataReceived(b"/file cancel %s\n" % FILE.encode())
        cancelled = {
            "type": "file_cancelled",
            "file": FILE,
            "nick": "bob",
            "reason": "cancelled by the recipient",
            "left": 0,
            "left_room": None,
            "taken_down_from": None,
        }
        for wire in (self.alice_wire, self.second_wire):
            self.assertEqual(self.objects(wire), [cancelled])
        self.assertEqual(
            [item for item in self.objects(self.first_wire) if item["type"] != "file_chunk"], [cancelled]
        )


class DownloadElsewhereTests(SessionsTestCase):
    """One of bob's sessions is fetching the file when the other is done with it: that download goes on to its
    end, its bytes kept for it, and alice hears of bob once."""

    def test_a_decline_while_another_session_fetches_waits_for_that_download(self) -> None:
        """bob's second session is half way when his first declines: nobody is told yet and the bytes stay; the
        second fetches every byte, then alice and the first session read file_fetched, and the bytes go."""
        self.accept(self.second)
        fetch = Fetch(self, self.second, self.second_wire).take(4)
        self.first.dataReceived(b"/file decline %s\n" % FILE.encode())
        self.assertEqual(self.objects(self.alice_wire), [])
        self.assertNotEqual(self.spooled(), [])
        fetch.take()
        self.assertEqual((fetch.sent, fetch.held, fetch.other), (True, BIG, []))
        fetched = {"type": "file_fetched", "file": FILE, "nick": "bob", "left": 0}
        self.assertEqual(self.objects(self.alice_wire), [fetched])
        self.assertEqual(self.objects(self.first_wire), [fetched])
        self.assertEqual(self.spooled(), [])
        self.assertIsNone(self.files.transfer(FILE))

    def test_a_stop_while_another_session_fetches_stops_only_its_own(self) -> None:
        """Both of bob's sessions fetch; the first stops: only it reads file_cancelled (bob is still fetching, with
        one recipient left), and the second goes on to the end."""
        self.accept(self.first)
        self.accept(self.second)
        first = Fetch(self, self.first, self.first_wire).take(2)
        second = Fetch(self, self.second, self.second_wire).take(2)
        self.first.dataReceived(b"/file cancel %s\n" % FILE.encode())
        first.take(0)
        self.assertEqual(
            first.other,
            [
                {
                    "type": "file_cancelled",
                    "file": FILE,
                    "nick": "bob",
                    "reason": "cancelled by the recipient",
                    "left": 1,
                    "left_room": None,
                    "taken_down_from": None,
                }
            ],
        )
        self.assertEqual(self.objects(self.alice_wire), [])
        second.take()
        self.assertEqual((second.held, second.other), (BIG, []))
        self.assertEqual(
            self.objects(self.alice_wire), [{"type": "file_fetched", "file": FILE, "nick": "bob", "left": 0}]
        )

    def test_a_second_session_fetching_to_the_end_is_not_counted_twice(self) -> None:
        """Both of bob's sessions fetch; the first gets every byte and alice reads file_fetched; the second, told
        nothing, gets every byte too from the bytes kept for it, and alice reads nothing more."""
        self.accept(self.first)
        self.accept(self.second)
        second = Fetch(self, self.second, self.second_wire).take(3)
        first = Fetch(self, self.first, self.first_wire).take()
        self.assertEqual(first.held, BIG)
        self.assertEqual(
            self.objects(self.alice_wire), [{"type": "file_fetched", "file": FILE, "nick": "bob", "left": 0}]
        )
        self.second.dataReceived(b"/file list\n")
        second.take(0)
        [listing] = second.other
        self.assertEqual([entry["state"] for entry in listing["files"]], ["downloading"])
        second.other.clear()
        second.take()
        self.assertEqual((second.sent, second.held, second.other), (True, BIG, []))
        self.assertEqual(self.objects(self.alice_wire), [])
        self.assertEqual(self.spooled(), [])
        self.assertIsNone(self.files.transfer(FILE))

    def test_the_bytes_go_once_a_session_still_fetching_stops(self) -> None:
        """bob fetched the file on his first session while the second was fetching it too: the second's /file
        cancel stops it (it alone reads file_cancelled), and the bytes go."""
        self.accept(self.first)
        self.accept(self.second)
        Fetch(self, self.second, self.second_wire).take(1)
        Fetch(self, self.first, self.first_wire).take()
        self.objects(self.alice_wire)
        self.second.dataReceived(b"/file cancel %s\n" % FILE.encode())
        told = [item for item in self.objects(self.second_wire) if item["type"] != "file_chunk"]
        self.assertEqual(
            told,
            [
                {
                    "type": "file_cancelled",
                    "file": FILE,
                    "nick": "bob",
                    "reason": "cancelled by the recipient",
                    "left": 0,
                    "left_room": None,
                    "taken_down_from": None,
                }
            ],
        )
        self.assertEqual(self.objects(self.alice_wire), [])
        self.assertEqual(self.spooled(), [])

    def test_the_bytes_go_once_a_session_still_fetching_drops(self) -> None:
        """bob fetched the file on his first session while the second was fetching it too; the second drops: the
        transfer is over, and its bytes go."""
        self.accept(self.first)
        self.accept(self.second)
        Fetch(self, self.second, self.second_wire).take(1)
        Fetch(self, self.first, self.first_wire).take()
        self.assertNotEqual(self.spooled(), [])
        self.assertEqual(self.store.records, {}, "a restart ends the download: nothing is kept for it")
        self.alice.dataReceived(b"/nick alicia\n")
        self.assertEqual(self.store.records, {}, "nor by a rename")
        self.second.connectionLost(Failure(ConnectionDone()))
        self.assertEqual(self.spooled(), [])
        self.assertIsNone(self.files.transfer(FILE))

    def test_a_withdrawal_reaches_a_session_still_fetching(self) -> None:
        """bob fetched it on his first session; alice withdraws it while his second still fetches: the second reads
        file_cancelled, and its download stops."""
        self.accept(self.first)
        self.accept(self.second)
        Fetch(self, self.second, self.second_wire).take(1)
        Fetch(self, self.first, self.first_wire).take()
        self.alice.dataReceived(b"/file cancel %s\n" % FILE.encode())
        self.assertEqual(
            [item for item in self.objects(self.second_wire) if item["type"] != "file_chunk"],
            [
                {
                    "type": "file_cancelled",
                    "file": FILE,
                    "nick": "alice",
                    "reason": "withdrawn by the sender",
                    "left": 0,
                    "left_room": None,
                    "taken_down_from": None,
                }
            ],
        )
        self.clock.advance(1)
        self.assertEqual(self.objects(self.second_wire), [], "no chunk after it")
        self.assertEqual(self.spooled(), [])
