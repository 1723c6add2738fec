"""A file uploaded over TCP and fetched once with a single-use HTTP link from the web port (issue 16)."""

import hashlib
import os
import urllib.error
import urllib.request

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.files import CHUNK
from chatd.web.files import ENDED
from tests.e2e.daemon import Daemon, LineClient
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_files_restart import enter, put, until

CONTENT = os.urandom(3 * CHUNK + 77)
SHA = hashlib.sha256(CONTENT).hexdigest()
NAME = "rapport d'été.bin"


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """The status, headers (lower-case names) and body of a GET of ``url``; a 4xx is an answer, not an error."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


class FileLinkTests(SynchronousTestCase):
    def linked(self, name: str) -> tuple[Daemon, LineClient, str, str]:
        """A daemon with a web port where alice has uploaded ``CONTENT`` as ``name`` to bob, and bob asked for its
        link: the daemon, alice's connection, the file's id and bob's URL."""
        daemon = Daemon.start(self, [*LOOPBACK, "--db", ":memory:", "--web-port", "0"], listeners=2)
        alice = enter(daemon, "alice", "127.0.0.2")
        bob = enter(daemon, "bob", "127.0.0.3")
        alice.say(f"/file offer bob {len(CONTENT)} {SHA} application/pdf {name}")
        file = until(alice, "file_upload")["file"]
        put(alice, file, 0, len(CONTENT), CONTENT)
        until(alice, "file_uploaded")
        until(bob, "file_offered")
        bob.say(f"/file link {file}")
        return daemon, alice, file, until(bob, "file_link")["url"]

    def test_a_link_fetches_the_file_once_byte_identical_then_is_404(self) -> None:
        """alice uploads over TCP; bob's /file link URL gives the file whole with its headers, and a second GET is a
        404 of one line saying the link is no good."""
        daemon, _, _, url = self.linked(f"../{NAME}")
        web = daemon.addresses[1][1]
        self.assertRegex(url, rf"^http://127\.0\.0\.1:{web}/files/[A-Za-z0-9_-]{{22}}$")
        status, headers, _ = get(url, {"Range": "bytes=100-199"})
        self.assertEqual((status, headers["content-range"]), (206, f"bytes 100-199/{len(CONTENT)}"))
        status, headers, body = get(url)
        self.assertEqual((status, body), (200, CONTENT))
        self.assertEqual(headers["content-type"], "application/octet-stream")
        self.assertEqual(
            headers["content-disposition"], "attachment; filename*=UTF-8''rapport%20d%27%C3%A9t%C3%A9.bin"
        )
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        self.assertIn("default-src 'none'", headers["content-security-policy"])
        # Spent, unknown or followed by more path, a link is one plain line, the same for each: not twisted.web's HTML.
        ended = (404, "text/plain; charset=utf-8", f"{ENDED}\n".encode())
        for asked in (url, url.rsplit("/", 1)[0] + "/" + "A" * 22, f"{url}/more"):
            status, headers, body = get(asked)
            self.assertEqual((status, headers["content-type"], body), ended, asked)

    def test_a_link_read_whole_tells_the_sender_and_ends_the_transfer(self) -> None:
        """bob reads his link to the end: alice's connection gets file_fetched with nobody left, and her list is empty."""
        _, alice, file, url = self.linked(NAME)
        status, _, body = get(url)
        self.assertEqual((status, body), (200, CONTENT))
        self.assertEqual(
            until(alice, "file_fetched"), {"type": "file_fetched", "file": file, "nick": "bob", "left": 0}
        )
        alice.say("/file list")
        self.assertEqual(
            until(alice, "file_list"), {"type": "file_list", "files": [], "next": None, "wait": 0.0}
        )
