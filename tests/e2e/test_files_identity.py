"""Files belong to the person, not to whoever holds the nickname next (issue 16), on a real daemon over loopback.

Two loopback addresses stand for two people's: alice sends from 127.0.0.2,
bob fetches from 127.0.0.3, and a stranger who takes either nickname once
it is free comes from 127.0.0.4. The same nickname from the same address
is the same person coming back after a drop.
"""

import hashlib
import os
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.files import CHUNK
from tests.e2e.daemon import Daemon, LineClient
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_file_links import get
from tests.e2e.test_files_restart import enter, put, until
from tests.test_line_accounts import PASSWORD

CONTENT = os.urandom(3 * CHUNK + 5)
SHA = hashlib.sha256(CONTENT).hexdigest()
OFFER = f"/file offer bob {len(CONTENT)} {SHA} application/octet-stream notes.bin"

ALICE, BOB, STRANGER = "127.0.0.2", "127.0.0.3", "127.0.0.4"


def answer(client: LineClient, *kinds: str) -> dict[str, Any]:
    """The next JSON object of one of ``kinds`` or an error, skipping the others (notices, joins)."""
    while True:
        item = client.expect_json()
        if item["type"] in (*kinds, "error"):
            return item


def gone(client: LineClient) -> None:
    """``client`` quits, and the daemon has closed its connection: its nickname is free."""
    client.say("/quit")
    client.read_to_end()


def refusal(item: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """An answer's type, and its error code and file if it is a refusal."""
    return item["type"], item.get("code"), item.get("file")


class FilesIdentityTests(SynchronousTestCase):
    def start(self) -> tuple[Daemon, LineClient, LineClient]:
        daemon = Daemon.start(self, [*LOOPBACK, "--db", ":memory:", "--web-port", "0"], listeners=2)
        return daemon, enter(daemon, "alice", ALICE), enter(daemon, "bob", BOB)

    def offered(self, alice: LineClient, bob: LineClient) -> str:
        """alice uploads ``CONTENT`` to bob whole, and bob is offered it: its id."""
        alice.say(OFFER)
        file = str(until(alice, "file_upload")["file"])
        put(alice, file, 0, len(CONTENT), CONTENT)
        until(alice, "file_uploaded")
        until(bob, "file_offered")
        return file

    def test_a_stranger_under_a_senders_freed_nickname_cannot_list_cancel_or_resume_their_upload(
        self,
    ) -> None:
        """alice's upload stops halfway as she quits; a stranger who takes "alice" from another address sees no
        transfer, cannot cancel it, and offering the same file opens an upload of their own; alice, back from her
        address once the stranger has gone, lists it and goes on where it stopped."""
        daemon, alice, _ = self.start()
        alice.say(OFFER)
        file = until(alice, "file_upload")["file"]
        put(alice, file, 0, CHUNK, CONTENT)
        gone(alice)

        stranger = enter(daemon, "alice", STRANGER)
        stranger.say("/file list")
        self.assertEqual(
            answer(stranger, "file_list"), {"type": "file_list", "files": [], "next": None, "wait": 0.0}
        )
        stranger.say(f"/file cancel {file}")
        self.assertEqual(refusal(answer(stranger, "file_cancelled")), ("error", "no-such-file", file))
        stranger.say(OFFER)
        theirs = answer(stranger, "file_upload")
        self.assertNotEqual(theirs.get("file"), file)
        stranger.say(f"/file cancel {theirs['file']}")
        answer(stranger, "file_cancelled")
        gone(stranger)

        back = enter(daemon, "alice", ALICE)
        back.say("/file list")
        [entry] = answer(back, "file_list")["files"]
        self.assertEqual((entry["file"], entry["state"]), (file, "uploading"))
        back.say(OFFER)
        upload = answer(back, "file_upload")
        self.assertEqual((upload["file"], upload["have"]), (file, CHUNK))

    def test_a_sender_who_identifies_after_offering_still_lists_and_withdraws_the_offer(self) -> None:
        """alice offers bob a file, then registers her nickname (which identifies her): her list shows the offer,
        and her /file cancel withdraws it, bob told."""
        _, alice, bob = self.start()
        file = self.offered(alice, bob)
        alice.say(f"/register {PASSWORD.decode()}")
        alice.say("/file list")
        [entry] = answer(alice, "file_list")["files"]
        self.assertEqual((entry["file"], entry["state"]), (file, "offered"))
        alice.say(f"/file cancel {file}")
        self.assertEqual(answer(alice, "file_cancelled")["nick"], "alice")
        self.assertEqual(
            answer(bob, "file_cancelled"),
            {
                "type": "file_cancelled",
                "file": file,
                "nick": "alice",
                "reason": "withdrawn by the sender",
                "left": 0,
                "left_room": None,
                "taken_down_from": None,
            },
        )

    def test_a_stranger_under_a_recipients_freed_nickname_cannot_fetch_their_offer(self) -> None:
        """bob quits before fetching alice's offer; a stranger who takes "bob" from another address is refused it
        and lists nothing; bob, back from his address once the stranger has gone, fetches it whole."""
        daemon, alice, bob = self.start()
        file = self.offered(alice, bob)
        gone(bob)

        stranger = enter(daemon, "bob", STRANGER)
        stranger.say(f"/file accept {file}")
        self.assertEqual(refusal(answer(stranger, "file_chunk")), ("error", "no-such-file", file))
        stranger.say("/file list")
        self.assertEqual(
            answer(stranger, "file_list"), {"type": "file_list", "files": [], "next": None, "wait": 0.0}
        )
        stranger.say(f"/file link {file}")
        self.assertEqual(refusal(answer(stranger, "file_link")), ("error", "no-such-file", file))
        gone(stranger)

        back = enter(daemon, "bob", BOB)
        back.say(f"/file link {file}")
        status, _, body = get(answer(back, "file_link")["url"])
        self.assertEqual((status, body), (200, CONTENT))
        self.assertEqual(
            until(alice, "file_fetched"), {"type": "file_fetched", "file": file, "nick": "bob", "left": 0}
        )

    def test_a_link_read_after_its_recipient_renamed_counts_for_them(self) -> None:
        """bob asks for a link, then becomes bobby: the link read whole tells alice that bobby fetched the file,
        and nobody is left."""
        _, alice, bob = self.start()
        file = self.offered(alice, bob)
        bob.say(f"/file link {file}")
        url = answer(bob, "file_link")["url"]
        bob.say("/nick bobby")
        status, _, body = get(url)
        self.assertEqual((status, body), (200, CONTENT))
        self.assertEqual(
            until(alice, "file_fetched"), {"type": "file_fetched", "file": file, "nick": "bobby", "left": 0}
        )

    def test_a_link_is_refused_once_its_recipient_declined(self) -> None:
        """alice offers #lobby, bob and carol in it; bob asks for a link, then declines: alice hears one recipient
        is left, and bob's link is 404 while the offer stays open for carol."""
        daemon, alice, bob = self.start()
        carol = enter(daemon, "carol", STRANGER)
        alice.say(OFFER.replace(" bob ", " #lobby "))
        file = str(until(alice, "file_upload")["file"])
        put(alice, file, 0, len(CONTENT), CONTENT)
        until(bob, "file_offered")
        until(carol, "file_offered")
        bob.say(f"/file link {file}")
        url = answer(bob, "file_link")["url"]
        bob.say(f"/file decline {file}")
        self.assertEqual(
            until(alice, "file_declined"), {"type": "file_declined", "file": file, "nick": "bob", "left": 1}
        )
        self.assertEqual(get(url)[0], 404)
