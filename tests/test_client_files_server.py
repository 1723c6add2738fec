"""The client's transfers against the server's own line front end and transfer engine, in one process.

Each client is a real ``Link`` with ``Transfers``; each server connection a
real ``LineProtocol`` with the engine and spool of tests/test_files.py.
Their two ``StringTransport``s are pumped into each other, and time is the
one ``Clock`` both use, so this is the wire contract checked both ways,
without sockets (tests/e2e/test_client_files.py has the real daemon).
"""

import os

from chatd.client.files import Transfers
from chatd.client.presence import Presence
from chatd.domain.files import FileLimits
from tests.helpers import new_folder
from tests.linked import LinkedClient, Pumping
from tests.test_client_files import InlineWorker
from tests.test_files import FileTestCase


class Client(LinkedClient):
    """One user on the bundled client, with a downloads folder of its own."""

    def __init__(self, case: "ClientServerTestCase", nick: str) -> None:
        self.folder = os.path.join(case.top, nick)
        super().__init__(case, Presence(nick))

    def equip(self) -> None:
        self.link.files = Transfers(self.link, self.case.clock, InlineWorker(), self.folder)

    def saved(self, name: str) -> bytes:
        with open(os.path.join(self.folder, name), "rb") as saved:
            return saved.read()


class ClientServerTestCase(Pumping, FileTestCase):
    """Clients on the bundled client's code, the server on the line front end's, a folder for each client's downloads."""

    def setUp(self) -> None:
        super().setUp()
        self.top = new_folder(self)
        self.clients: list[Client] = []

    def client(self, nick: str) -> Client:
        client = Client(self, nick)
        self.clients.append(client)
        self.until(lambda: client.showing(f"{nick} joined #lobby"))
        return client

    def file(self, data: bytes, name: str = "data.bin") -> str:
        path = os.path.join(self.top, name)
        with open(path, "wb") as out:
            out.write(data)
        return path


class ExchangeTests(ClientServerTestCase):
    def test_a_file_sent_to_a_nickname_arrives_byte_identical(self) -> None:
        """alice /send, bob /accept: saved in bob's folder, both told in one line."""
        alice, bob = self.client("alice"), self.client("bob")
        data = os.urandom(100_000)
        alice.link.send(f"/send bob {self.file(data)}")
        self.until(lambda: bob.showing('alice offers "data.bin" to you (100.0 kB, application/octet-stream'))
        self.assertTrue(alice.showing('Sent "data.bin" (100.0 kB) to the server, checked: bob is offered it'))
        bob.link.send("/accept")
        self.until(lambda: bob.showing("SHA-256 checked."))
        self.assertEqual(bob.saved("data.bin"), data)
        self.assertEqual(os.listdir(bob.folder), ["data.bin"])

    def test_a_file_sent_to_a_room_is_offered_to_each_member(self) -> None:
        """Both others in #lobby are offered it and may fetch it; once both are done, alice reads that it stays offered
        to whoever joins #lobby."""
        alice, bob, carol = self.client("alice"), self.client("bob"), self.client("carol")
        data = os.urandom(20_000)
        alice.link.send(f"/send #lobby {self.file(data, 'notes.txt')}")
        self.until(
            lambda: bob.showing('alice offers "notes.txt" to #lobby') and carol.showing("alice offers")
        )
        carol.link.send("/accept")
        self.until(lambda: carol.showing("SHA-256 checked."))
        self.assertEqual(carol.saved("notes.txt"), data)
        bob.link.send("/decline")
        self.until(
            lambda: alice.showing(
                'bob declined "notes.txt"; it stays offered to whoever joins #lobby until you /cancel 1.'
            )
        )

    def test_decline_every_ends_each_offer_shown_and_says_how_many(self) -> None:
        """alice offers bob two files: bob's /decline * ends both here, each said as declined by him, then the
        server's count; alice reads that he declined each, and bob has nothing left to list."""
        alice, bob = self.client("alice"), self.client("bob")
        alice.link.send(f"/send bob {self.file(b'first', 'a.txt')}")
        alice.link.send(f"/send bob {self.file(b'second', 'b.txt')}")
        self.until(lambda: bob.showing('alice offers "a.txt"') and bob.showing('alice offers "b.txt"'))
        bob.link.send("/decline *")
        self.until(lambda: bob.showing("You declined 2 file offers."))
        self.assertEqual(bob.sent[-1], "/file decline *")
        self.assertTrue(
            bob.showing('Declined "a.txt" from alice.') and bob.showing('Declined "b.txt" from alice.')
        )
        self.assertFalse(bob.showing("on another connection"))
        self.until(lambda: alice.showing('bob declined "a.txt".') and alice.showing('bob declined "b.txt".'))
        self.assertEqual(bob.link.files.transfers() if bob.link.files is not None else None, [])

    def test_a_download_cut_off_goes_on_from_the_part_file(self) -> None:
        """bob's connection breaks halfway: reconnected, he goes on from his part file, byte-identical."""
        alice, bob = self.client("alice"), self.client("bob")
        data = os.urandom(300_000)
        alice.link.send(f"/send bob {self.file(data)}")
        self.until(lambda: bob.showing("alice offers"))
        bob.link.send("/accept")
        part = os.path.join(bob.folder, "data.bin.part")
        self.until(lambda: os.path.exists(part) and os.path.getsize(part) >= 100_000)
        bob.drop()
        self.clock.advance(1.0)
        bob.connect()
        self.until(lambda: bob.showing("SHA-256 checked."))
        self.assertEqual(bob.saved("data.bin"), data)
        accepts = [line.split()[3:4] for line in bob.sent if line.startswith("/file accept ")]
        self.assertEqual(len(accepts), 2)
        self.assertEqual(accepts[0], [])
        self.assertGreaterEqual(int(accepts[1][0]), 16384)

    def test_an_upload_cut_off_goes_on_from_what_the_server_holds(self) -> None:
        """alice's connection breaks mid-upload: offered again, the server's have says where to go on."""
        alice, bob = self.client("alice"), self.client("bob")
        data = os.urandom(2_000_000)
        alice.link.send(f"/send bob {self.file(data)}")
        upload = alice.link.files.transfers()[0] if alice.link.files is not None else None
        self.until(lambda: upload is not None and upload.held >= 500_000)
        alice.drop()
        self.clock.advance(1.0)
        alice.connect()
        self.until(lambda: alice.showing("already: going on from there."))
        self.until(lambda: bob.showing("alice offers"))
        bob.link.send("/accept")
        self.until(lambda: bob.showing("SHA-256 checked."))
        self.assertEqual(bob.saved("data.bin"), data)


class RefusalTests(ClientServerTestCase):
    file_limits = FileLimits(max_size=50_000)

    def test_an_oversize_file_fails_with_one_clear_line(self) -> None:
        """Over --file-max-size: one line on the sender's screen, nothing offered."""
        alice, bob = self.client("alice"), self.client("bob")
        alice.link.send(f"/send bob {self.file(b'x' * 50_001)}")
        self.until(lambda: alice.showing("was not sent"))
        refusals = [line[6:] for line in alice.screen.lines if "was not sent" in line]
        self.assertEqual(len(refusals), 1)
        self.assertTrue(refusals[0].startswith('! "data.bin" was not sent: '), refusals[0])
        self.assertTrue(refusals[0].endswith("(file-too-big)"), refusals[0])
        self.assertFalse(bob.showing("offers"))

    def test_a_lying_checksum_fails_with_one_clear_line(self) -> None:
        """The file changes after it was hashed: the server refuses it, one line says so, nobody is offered it."""
        alice, bob = self.client("alice"), self.client("bob")
        path = self.file(b"a" * 30_000)
        alice.link.send(f"/send bob {path}")
        self.file(b"b" * 30_000)
        self.until(lambda: alice.showing("was not sent"))
        self.assertEqual(
            [line[6:] for line in alice.screen.lines if "was not sent" in line],
            [
                '! "data.bin" was not sent: The SHA-256 of 0000000000000001 is not the one announced; it was refused. (file-corrupt)'
            ],
        )
        self.assertFalse(bob.showing("offers"))
