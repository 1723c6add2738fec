"""``/search @NICK words`` typed on the page, in a real headless Chromium against a real daemon: the private messages
with NICK are searched, shown beside their conversation, each hit as it was said, with no context to jump to."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.test_web_page import registered_in_page, registered_on_nc, wait_for_privates

WHISPERED = "return window.chatd.privateWith('bob').log.querySelectorAll('.line.whispered').length;"
"""How many private messages alice's conversation with bob shows."""


class PrivateSearchPageTests(SynchronousTestCase):
    def test_a_typed_search_of_private_messages_shows_them_in_their_conversation(self) -> None:
        """alice, identified in her page, types /search @bob menu in #lobby: the conversation with bob is shown,
        the results list bob's two lines holding "menu", newest first, as lines with their links, no button to
        jump to their context, and the end says how many. (The page searched #lobby for "@bob menu".) In bob's
        conversation, the search box and a /search naming no room search his messages (it said "Search works in a
        room", and the typed one was refused for naming no room)."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        registered_in_page(alice)
        bob = registered_on_nc(daemon, "bob")
        for text in ("the menu is up at https://example.org/menu", "see you at lunch", "menu: soup"):
            bob.say(f"/msg alice {text}")
        wait_for_privates(alice, "bob")
        alice.wait(lambda: alice.script(WHISPERED) == 3 or None, "bob's three messages")
        self.assertEqual(alice.title(), "#lobby")
        alice.say("/search @bob menu")
        alice.wait(
            lambda: alice.texts("#results-heading") == ["2 found in private messages with bob"] or None,
            "the search's end",
        )
        self.assertEqual(alice.title(), "bob")
        self.assertEqual(
            alice.texts("#results-list .hit .text"),
            ["menu: soup", "the menu is up at https://example.org/menu"],
        )
        self.assertEqual(alice.driver.find_elements(By.CSS_SELECTOR, "#results-list button"), [])
        self.assertEqual(alice.texts("#results-list .hit a"), ["https://example.org/menu"])
        # In bob's conversation, the search box and /search without a room search his messages too.
        box = alice.find("#search-words")
        box.clear()
        box.send_keys("lunch", Keys.ENTER)
        alice.wait(
            lambda: alice.texts("#results-heading") == ["1 found in private messages with bob"] or None,
            "the search box's end",
        )
        alice.say("/search soup")
        alice.wait(
            lambda: alice.texts("#results-list .hit .text") == ["menu: soup"] or None,
            "the typed search's hit",
        )
        quiet(self, alice)
