"""Uploads whose bytes another transfer shares, one begun again with ``/file restart`` (issue 16), over StringTransport.

The spool keeps one copy of a content (its SHA-256 and size), so the same
file sent to two people, or by two people, is one set of bytes on disk. A
sender whose own bytes differ from those at the tail asks to begin again:
that upload then goes on in a copy of its own, and the other transfer keeps
the bytes it had, offered or still coming.
"""

import os

from twisted.internet.testing import StringTransport

from chatd.domain.files import CHUNK, FileLimits
from chatd.frontend.transfers import Transfers
from chatd.line.protocol import LineProtocol
from chatd.storage.spool import Spool
from tests.test_files import CONTENT, SHA, FileTestCase
from tests.test_open_transfers import _Store

KEY = f"{SHA}-{len(CONTENT)}"
FIRST, SECOND = "0000000000000001", "0000000000000002"


class SharedBytesTestCase(FileTestCase):
    """alice, bob and carol in JSON, each from an address of their own; the open transfers kept (``store``), as with
    ``--db FILE``; what the server told each is read as ``(type, file, have)``."""

    def setUp(self) -> None:
        super().setUp()
        self.store = _Store()
        self.files = self.factory.files = self.transfers()
        self.alice, self.alice_wire = self.json_user(b"alice")
        self.bob, self.bob_wire = self.json_user(b"bob", host="10.0.0.2")
        self.carol, self.carol_wire = self.json_user(b"carol", host="10.0.0.3")

    def transfers(self) -> Transfers:
        return Transfers(
            self.chat,
            self.spool,
            self.clock,
            self.file_limits,
            store=self.store,
            new_id=lambda: next(self.ids),
            bus=self.bus,
        )

    def restart(self) -> None:
        """The spool and the transfers made again on the same folder and store, as a daemon's start makes them;
        everyone connects again."""
        self.spool.release()
        self.spool = Spool(self.folder)
        self.addCleanup(self.spool.release)
        self.files = self.factory.files = self.transfers()
        for protocol in (self.alice, self.bob, self.carol):
            protocol.connectionLost()
        self.alice, self.alice_wire = self.json_user(b"alice")
        self.bob, self.bob_wire = self.json_user(b"bob", host="10.0.0.2")
        self.carol, self.carol_wire = self.json_user(b"carol", host="10.0.0.3")

    def told(self, wire: StringTransport) -> list[tuple[str, str | None, int | None]]:
        return [(item["type"], item.get("file"), item.get("have")) for item in self.objects(wire)]

    def fetched(self, protocol: LineProtocol, wire: StringTransport, file: str) -> bytes:
        """What ``protocol`` gets of ``file`` once offered it, accepting it and fetching it to the end."""
        self.lines(wire)
        protocol.dataReceived(b"/file accept %s\n" % file.encode())
        return self.download(protocol, wire, file)


class RestartTests(SharedBytesTestCase):
    def test_a_restart_of_an_upload_sharing_unfinished_bytes_leaves_them_to_the_other(self) -> None:
        """alice has sent bob two chunks of a file and offers it to carol too, which finds them; she begins the
        one to carol again: it starts from its first byte, and the upload to bob goes on from its two chunks.
        Both are offered, and bob and carol each fetch the file whole."""
        self.offer(self.alice)
        self.upload(self.alice, CONTENT[: 2 * CHUNK])
        self.offer(self.alice, to=b"carol")
        self.assertEqual(self.told(self.alice_wire)[-1], ("file_upload", SECOND, 2 * CHUNK))
        self.alice.dataReceived(b"/file restart %s\n" % SECOND.encode())
        self.assertEqual(self.told(self.alice_wire), [("file_upload", SECOND, 0)])
        self.assertEqual(self.spool.held(KEY), 2 * CHUNK)
        self.upload(self.alice, CONTENT[:CHUNK], file=SECOND)
        self.files.expire()  # the hourly sweep leaves both copies: each is an open transfer's
        self.upload(self.alice, CONTENT, start=2 * CHUNK, file=FIRST)
        self.upload(self.alice, CONTENT, start=CHUNK, file=SECOND)
        told = self.told(self.alice_wire)
        self.assertIn(("file_uploaded", FIRST, None), told)
        self.assertIn(("file_uploaded", SECOND, None), told)
        self.assertNotIn("error", [kind for kind, _, _ in told])
        self.assertEqual(self.fetched(self.bob, self.bob_wire, FIRST), CONTENT)
        self.assertEqual(self.fetched(self.carol, self.carol_wire, SECOND), CONTENT)
        self.assertEqual(os.listdir(self.folder), [], "each copy goes once its recipient is done")

    def test_a_restart_of_an_upload_whose_bytes_an_offer_shares_leaves_the_offer_whole(self) -> None:
        """alice offers a file to bob and to carol, and it is sent whole for bob, which offers it to him; she then
        begins the one to carol again: bob's offer keeps every byte and he fetches it, and carol's upload starts
        from its first byte and is offered to her."""
        self.offer(self.alice)
        self.offer(self.alice, to=b"carol")
        self.upload(self.alice, CONTENT, file=FIRST)
        self.lines(self.alice_wire)
        self.alice.dataReceived(b"/file restart %s\n" % SECOND.encode())
        self.assertEqual(self.told(self.alice_wire), [("file_upload", SECOND, 0)])
        self.assertEqual(self.fetched(self.bob, self.bob_wire, FIRST), CONTENT)
        self.upload(self.alice, CONTENT, file=SECOND)
        self.assertIn(("file_uploaded", SECOND, None), self.told(self.alice_wire))
        self.assertEqual(self.fetched(self.carol, self.carol_wire, SECOND), CONTENT)
        self.assertEqual(os.listdir(self.folder), [])

    def test_a_restart_of_an_upload_sharing_bytes_with_another_persons_leaves_them_to_that_person(
        self,
    ) -> None:
        """bob is sending carol a file, and alice, offering her the same file, finds his bytes and begins again:
        bob's upload goes on from what he sent, and hers from her first byte."""
        self.offer(self.bob, to=b"carol")
        self.upload(self.bob, CONTENT[:CHUNK])
        self.offer(self.alice, to=b"carol")
        self.alice.dataReceived(b"/file restart %s\n" % SECOND.encode())
        self.assertEqual(self.told(self.alice_wire)[-1], ("file_upload", SECOND, 0))
        self.upload(self.bob, CONTENT, start=CHUNK, file=FIRST)
        self.assertIn(("file_uploaded", FIRST, None), self.told(self.bob_wire))
        self.upload(self.alice, CONTENT, file=SECOND)
        self.assertIn(("file_uploaded", SECOND, None), self.told(self.alice_wire))

    def test_a_restart_of_an_upload_sharing_no_bytes_drops_them(self) -> None:
        """An upload whose bytes are its own begins again in them: they are dropped, and nothing else is made."""
        self.offer(self.alice)
        self.upload(self.alice, CONTENT[:CHUNK])
        self.lines(self.alice_wire)
        self.alice.dataReceived(b"/file restart %s\n" % FIRST.encode())
        self.assertEqual(self.told(self.alice_wire), [("file_upload", FIRST, 0)])
        self.assertEqual((self.spool.held(KEY), os.listdir(self.folder)), (0, []))


class RestartRoomTests(SharedBytesTestCase):
    file_limits = FileLimits(store_bytes=len(CONTENT) + CHUNK)

    def test_a_restart_the_spool_has_no_room_to_copy_for_is_refused_and_changes_nothing(self) -> None:
        """A copy of its own needs the file's size again in the spool (``--file-store-bytes``): without room, the
        restart is refused in one line, and both uploads go on from the bytes they share."""
        self.offer(self.alice)
        self.upload(self.alice, CONTENT[:CHUNK])
        self.offer(self.alice, to=b"carol")
        self.lines(self.alice_wire)
        self.alice.dataReceived(b"/file restart %s\n" % SECOND.encode())
        self.assertEqual(
            self.objects(self.alice_wire),
            [
                {
                    "type": "error",
                    "code": "file-store-full",
                    "text": "the server has no room for that file now; try later",
                }
            ],
        )
        self.assertEqual(self.spool.held(KEY), CHUNK)
        self.upload(self.alice, CONTENT[: 2 * CHUNK], start=CHUNK, file=SECOND)
        self.upload(self.alice, CONTENT, start=2 * CHUNK, file=FIRST)
        told = self.told(self.alice_wire)
        self.assertIn(("file_uploaded", FIRST, None), told)
        self.assertNotIn("error", [kind for kind, _, _ in told])


class KeptCopyTests(SharedBytesTestCase):
    def test_an_upload_begun_again_in_a_copy_of_its_own_goes_on_from_it_after_a_restart(self) -> None:
        """alice begins again the upload to carol that shared bob's bytes and sends one chunk of it; the daemon
        restarts: offered again, each upload goes on from its own bytes, and bob and carol fetch the file whole."""
        self.offer(self.alice)
        self.upload(self.alice, CONTENT[: 2 * CHUNK])
        self.offer(self.alice, to=b"carol")
        self.alice.dataReceived(b"/file restart %s\n" % SECOND.encode())
        self.upload(self.alice, CONTENT[:CHUNK], file=SECOND)
        self.restart()
        self.offer(self.alice, to=b"carol")
        self.offer(self.alice)
        self.assertEqual(
            self.told(self.alice_wire), [("file_upload", SECOND, CHUNK), ("file_upload", FIRST, 2 * CHUNK)]
        )
        self.upload(self.alice, CONTENT, start=CHUNK, file=SECOND)
        self.upload(self.alice, CONTENT, start=2 * CHUNK, file=FIRST)
        self.assertEqual(self.fetched(self.bob, self.bob_wire, FIRST), CONTENT)
        self.assertEqual(self.fetched(self.carol, self.carol_wire, SECOND), CONTENT)
        self.assertEqual(os.listdir(self.folder), [])
