"""The page whose old socket the server still holds comes back under its nickname at once, taking its place.

A real twistd with its web port behind ``FlakyProxyProcess``; the page in
a real Chromium through the proxy. The proxy strands the page's socket (a
phone that changed network): the page's side is gone, the server's stays,
holding "alice" until the server's ping finds it dead, up to 60 s later.
"""

from urllib.parse import urlsplit

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.daemon import LineClient
from tests.e2e.flaky_process import FlakyProxyProcess
from tests.e2e.test_client_resume import enter, said_by
from tests.e2e.test_web_page import record


def refusals(page: Page) -> int:
    """How many times the server has refused ``page`` its nickname as taken since ``record``."""
    return int(
        page.script("return window.received.filter((object) => object.code === 'nick-in-use').length;")
    )


class StrandedPageTests(SynchronousTestCase):
    """alice on the page through the proxy, bob on nc; the proxy strands the page's socket."""

    def alice_through_proxy(self) -> tuple[Page, FlakyProxyProcess, LineClient]:
        """alice's page in #lobby through the proxy, the proxy, and bob on nc, whose "before" she has seen."""
        daemon, url = start_web(self)
        proxy = FlakyProxyProcess(self, urlsplit(url).port or 0)
        page = Page(self, f"http://127.0.0.1:{proxy.entry}/")
        page.login("alice")
        bob = enter(daemon, "bob")
        said_by(bob, "before")
        page.wait_for_said("before")
        return page, proxy, bob

    def test_the_page_takes_its_stranded_sockets_place_at_once(self) -> None:
        """Coming back while the server still holds its stranded socket, the page presents that socket's takeover
        token and is back at once, with the line it missed, never refused its nickname, the socket not let go; bob
        sees alice neither quit nor join."""
        page, proxy, bob = self.alice_through_proxy()
        record(page)
        page.note_statuses()
        proxy.strand()
        said_by(bob, "missed")
        page.wait_for_status("Reconnected.", "the page back")
        page.wait_for_said("missed")
        self.assertEqual((page.said().count("before"), refusals(page)), (1, 0))
        said_by(bob, "after")
        page.wait_for_said("after")
        bob.say("/quit")
        self.assertNotIn(b"alice", bob.read_to_end())
        quiet(self, page)

    def test_a_reload_asks_again_for_a_nickname_its_old_socket_still_holds(self) -> None:
        """Reloaded while the server still holds its stranded socket, the tab has no token (it keeps no secret across
        a reload): it asks for its nickname again after a pause while the server says it is taken, and is back as
        alice once the server lets the old socket go, not left at the login."""
        page, proxy, _ = self.alice_through_proxy()
        proxy.strand()
        page.driver.refresh()
        page.wait(lambda: page.script("return window.chatd.nickRetries;") or None, "the nickname asked again")
        proxy.release()
        page.wait_in("alice")
        quiet(self, page)
