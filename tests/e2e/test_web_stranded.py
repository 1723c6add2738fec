"""The page whose old socket the server still holds comes back under its nickname once the server lets go.

A real twistd with its web port behind ``FlakyProxyProcess``; the page in
a real Chromium through the proxy. The proxy strands the page's socket (a
phone that changed network): the page's side is gone, the server's stays,
holding "alice" until the server's ping finds it dead, up to 60 s later.
"""

from urllib.parse import urlsplit

from selenium.webdriver.support.ui import WebDriverWait
from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.flaky_process import FlakyProxyProcess
from tests.e2e.test_client_resume import enter, said_by
from tests.e2e.test_web_page import record

REFUSALS_OF_OLD = 6
"""The refusals after which the page gave up and showed the login: its first try, then five more."""


def refusals(page: Page) -> int:
    """How many times the server has refused ``page`` its nickname as taken since ``record``."""
    return int(
        page.script("return window.received.filter((object) => object.code === 'nick-in-use').length;")
    )


class StrandedPageTests(SynchronousTestCase):
    """alice on the page through the proxy, bob on nc; the proxy strands the page's socket."""

    def test_the_page_asks_again_until_the_server_lets_go_of_its_nickname(self) -> None:
        """Refused as taken by its own stranded socket more often than it used to try, the page still asks, and once
        the socket is let go it is back, with the line it missed."""
        daemon, url = start_web(self)
        proxy = FlakyProxyProcess(self, urlsplit(url).port or 0)
        page = Page(self, f"http://127.0.0.1:{proxy.entry}/")
        page.login("alice")
        bob = enter(daemon, "bob")
        said_by(bob, "before")
        page.wait_for_said("before")
        record(page)
        proxy.strand()
        said_by(bob, "missed")
        # Past where it used to stop (about 12 s), in steps: each wait is bounded by the deadline.
        page.wait(lambda: refusals(page) >= 2 or None, "the nickname refused twice")
        page.wait(lambda: refusals(page) >= 4 or None, "the nickname refused 4 times")
        page.wait(lambda: refusals(page) >= REFUSALS_OF_OLD or None, "the nickname refused 6 times")
        proxy.release()
        # The next try comes after the next pause, about 9 s on: past the deadline of one wait.
        WebDriverWait(page.driver, 30, poll_frequency=0.1).until(lambda _: page.status() == "Reconnected.")
        page.wait_for_said("missed")
        self.assertEqual(page.said().count("before"), 1)
        quiet(self, page)
