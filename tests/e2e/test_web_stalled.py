"""The page notices a stalled socket and comes back under its nickname, its last message given back.

A real twistd with its web port behind ``FlakyProxyProcess``; the page in
a real Chromium through the proxy. The proxy stalls the page's socket (a
train in a tunnel): both ends open, nothing passing, neither told. The
page's quiet is shortened to 2 s and 2 s, as a unit test injects a clock.
"""

from urllib.parse import urlsplit

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.flaky_process import FlakyProxyProcess
from tests.e2e.test_client_resume import enter, said_by
from tests.e2e.test_web_page import record
from tests.e2e.test_web_stranded import refusals


class StalledPageTests(SynchronousTestCase):
    """alice on the page through the proxy, bob on nc; the proxy stalls the page's socket."""

    def test_the_page_notices_the_stall_and_comes_back_at_once(self) -> None:
        """Quiet and unanswered, the page says the connection is not answering, puts the message typed into it back
        in the message box, and comes back at once under its nickname (its takeover token), with the line it
        missed; bob sees alice neither quit nor join, nor the message typed into the stalled socket."""
        daemon, url = start_web(self)
        proxy = FlakyProxyProcess(self, urlsplit(url).port or 0)
        page = Page(self, f"http://127.0.0.1:{proxy.entry}/")
        page.login("alice")
        page.script("window.chatd.link.quietMs = 2000; window.chatd.link.answerMs = 2000;")
        bob = enter(daemon, "bob")
        said_by(bob, "before")
        page.wait_for_said("before")
        record(page)
        page.note_statuses()
        proxy.stall()
        said_by(bob, "missed")
        page.say("into the tunnel")
        page.wait(
            lambda: "The connection is not answering; reconnecting…" in page.shown() or None, "the stall said"
        )
        page.wait_for_status("Reconnected.", "the page back")
        page.wait_for_said("missed")
        self.assertEqual(page.find("#composer-text").get_attribute("value"), "into the tunnel")
        self.assertEqual((page.said().count("before"), refusals(page)), (1, 0))
        said_by(bob, "after")
        page.wait_for_said("after")
        bob.say("/quit")
        rest = bob.read_to_end()
        self.assertNotIn(b"alice", rest)
        self.assertNotIn(b"into the tunnel", rest)
        quiet(self, page)
