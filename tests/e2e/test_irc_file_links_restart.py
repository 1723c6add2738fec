"""The link in an IRC user's NOTICE of a file outlives a restart of the daemon on the same --db, and FILES finds the
offer again with a link of its own (issue 16).

An IRC user's one way to a file is the link in the offer's NOTICE: the
offer was kept across a restart but its link was not, and nobody offered it
as it was made is sent the NOTICE again, so the file was out of their reach
(a 404 of HTML). The sender is a program on the line port speaking JSON;
the IRC user is jaraco's ``irc`` library; the link is fetched over HTTP.
"""

import os
import re
import signal

from twisted.trial.unittest import SynchronousTestCase

from chatd.web.files import ENDED
from tests.e2e.daemon import Daemon
from tests.e2e.ircclient import IRCClient, irc_port
from tests.e2e.lobby import LOOPBACK, NAME
from tests.e2e.test_file_links import get
from tests.e2e.test_web_files import content, json_user, upload
from tests.e2e.websocket import web_port
from tests.helpers import new_folder

LINK = re.compile(r"fetch it at http://127\.0\.0\.1:\d+(?P<path>/files/[A-Za-z0-9_-]{22}) ")
"""The link in an offer's NOTICE, and its path (the port is another after a restart on port 0)."""

DATA = content(70_000, seed=9)


class LinkAcrossRestartTests(SynchronousTestCase):
    """alice offers #lobby a file while dave is there over IRC; the daemon restarts on the same --db and --files."""

    def setUp(self) -> None:
        self.folder = folder = new_folder(self)
        self.arguments = [
            *LOOPBACK,
            "--db",
            os.path.join(folder, "chatd.sqlite"),
            "--files",
            os.path.join(folder, "files"),
            "--web-port",
            "0",
            "--irc-port",
            "0",
        ]

    def offered(self) -> tuple[Daemon, str]:
        """A daemon where dave, on IRC in #lobby, has read the NOTICE of alice's offer to it: the daemon, and the
        path of dave's link."""
        daemon = Daemon.start(self, self.arguments)
        dave = IRCClient(daemon, irc_port(daemon), "dave")
        dave.registered()
        dave.join("#lobby")
        alice = json_user(daemon, "alice")
        upload(alice, "#lobby", "notes.bin", DATA)
        offer = dave.next("pubnotice", where=lambda heard: heard.nick == NAME and heard.target == "#lobby")
        found = LINK.search(offer.arguments[0])
        self.assertIsNotNone(found, offer)
        assert found is not None
        return daemon, found.group("path")

    def fetched_after(self, stop: signal.Signals) -> None:
        """dave's link, fetched after a restart that ``stop`` ended the daemon before, gives the file whole once,
        then is a 404 of one line saying so. No file the store left holds the token: a copy of it fetches nothing.

        dave, back on IRC after the restart, is not sent the offer's NOTICE again (he was in #lobby as it was made):
        FILES lists it, with a link of his own (a fresh one: the first's token is kept by its hash alone, so it
        cannot be given again), and once he has fetched it, lists nothing."""
        daemon, path = self.offered()
        daemon.signal(stop)
        token = path.rsplit("/", 1)[1].encode()
        for name in os.listdir(self.folder):
            if name.startswith("chatd.sqlite"):
                with open(os.path.join(self.folder, name), "rb") as kept:
                    self.assertNotIn(token, kept.read(), name)
        daemon = Daemon.start(self, self.arguments)
        # The daemon's log is read in order: the web page's line comes before IRC's.
        url = f"http://127.0.0.1:{web_port(daemon)}{path}"
        dave = IRCClient(daemon, irc_port(daemon), "dave")
        dave.registered()
        listed = self.files(dave)
        self.assertEqual(
            listed[1], "End of file offers: 1 open to you; FILES DECLINE * declines every file offered to you"
        )
        found = LINK.search(listed[0])
        self.assertIsNotNone(found, listed)
        assert found is not None
        self.assertTrue(listed[0].startswith('alice offers #lobby "notes.bin" (70000 bytes'), listed)
        self.assertNotEqual(found.group("path"), path)
        status, _, body = get(url)
        self.assertEqual((status, body), (200, DATA))
        status, headers, body = get(url)
        self.assertEqual(
            (status, headers["content-type"], body), (404, "text/plain; charset=utf-8", f"{ENDED}\n".encode())
        )
        # The 404 says the link was spent, and dave with it done with the offer.
        self.assertEqual(self.files(dave), ["No file is offered to you"])

    def files(self, dave: IRCClient) -> list[str]:
        """The texts of the NOTICEs from the server that answer dave's FILES, up to the one that ends them."""
        dave.send("FILES")
        texts: list[str] = []
        while not texts or not texts[-1].startswith(("End of file offers", "No file is offered")):
            texts.append(dave.next("privnotice", where=lambda heard: heard.nick == NAME).arguments[0])
        return texts

    def test_a_link_sent_before_a_clean_restart_fetches_the_file(self) -> None:
        """Stopped with SIGTERM and started again, the link dave was sent gives him the file, once."""
        self.fetched_after(signal.SIGTERM)

    def test_a_link_sent_before_a_kill_fetches_the_file(self) -> None:
        """Killed (kill -9) and started again, the link dave was sent gives him the file, once."""
        self.fetched_after(signal.SIGKILL)
