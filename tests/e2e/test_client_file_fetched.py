"""The sender's bundled client hears that its file was fetched, through a real chatd under twistd, on loopback.

alice sends erin a file from the bundled client (``User`` of
tests/e2e/test_client_files.py, on the real reactor); erin fetches it with
``/accept`` on her bundled client, or reads the single-use HTTP link her
``/file link`` gave from the web port. Either way alice's client says erin
has it, and no longer lists it (issue 16: it listed every file it ever sent
as ``offered``, and ``/cancel`` of one was refused by the server).
"""

import urllib.request

from twisted.internet import threads
from twisted.trial.unittest import TestCase

from chatd.client.download import Download
from tests.e2e.daemon import Daemon
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_client_files import User, random_file, until

LINK = "Link (one download, for an hour): "
"""How the client shows the server's ``file_link``."""


def read(url: str) -> bytes:
    """The body of a GET of ``url`` (on loopback). Blocks: run it on a thread."""
    with urllib.request.urlopen(url, timeout=30) as response:
        body: bytes = response.read()
        return body


class FetchedTests(TestCase):
    async def offered(self, daemon: Daemon) -> tuple[User, User, bytes]:
        """alice and erin online, alice's ``/send erin`` of a file offered to erin; alice's screen read."""
        alice, erin = User(self, daemon.port, "alice"), User(self, daemon.port, "erin")
        await until(
            lambda: alice.screen.showing("alice joined #lobby") and erin.screen.showing("erin joined #lobby")
        )
        path, data = random_file(self, 100_000, "os-release")
        alice.link.send(f"/send erin {path}")
        await until(lambda: erin.screen.showing('alice offers "os-release" to you'), what="the offer")
        await until(lambda: alice.screen.showing("erin is offered it"), what="the upload")
        return alice, erin, data

    async def assert_over_for(self, alice: User) -> None:
        """alice's client said erin has the file, lists nothing of it, and will not cancel it."""
        await until(lambda: alice.screen.showing("erin has fetched"), what="the news of the fetch")
        self.assertEqual(alice.screen.matching("has fetched"), ['* erin has fetched "os-release".'])
        alice.link.send("/files")
        await until(lambda: alice.screen.showing("on the server"), what="the server's list")
        self.assertEqual(alice.screen.matching("ransfers here"), ["~ No transfers here."])
        self.assertEqual(alice.screen.matching("on the server"), ["* No files on the server."])
        alice.link.send("/cancel 1")
        self.assertEqual(
            alice.screen.matching("to cancel"),
            ["! There is no transfer 1 to cancel; /files lists the transfers."],
        )

    async def test_a_file_accepted_is_said_fetched_to_its_sender_and_leaves_its_list(self) -> None:
        """erin /accept: once she has it all, alice reads "erin has fetched", and /files and /cancel no longer offer it."""
        daemon = Daemon.start(self, LOOPBACK)
        alice, erin, data = await self.offered(daemon)
        erin.link.send("/accept")
        await until(lambda: erin.screen.showing("SHA-256 checked."), what="the download")
        self.assertEqual(erin.saved("os-release"), data)
        await self.assert_over_for(alice)

    async def test_a_file_fetched_by_its_http_link_is_said_fetched_to_its_sender_and_leaves_its_list(
        self,
    ) -> None:
        """erin reads the link /file link gave her to its end: alice is told as for an accept."""
        daemon = Daemon.start(self, [*LOOPBACK, "--web-port", "0"], listeners=2)
        alice, erin, data = await self.offered(daemon)
        [download] = erin.files.transfers()
        assert isinstance(download, Download), "erin only receives"
        erin.link.send(f"/file link {download.offer.file}")
        await until(lambda: erin.screen.showing(LINK), what="the link")
        [shown] = erin.screen.matching(LINK)
        body = await threads.deferToThread(read, shown.split(LINK, 1)[1])
        self.assertEqual(body, data)
        await self.assert_over_for(alice)
