"""A room for registered users only (+R, +M) as the page shows it, in a real headless Chromium against a real daemon:
the change in words, and the server's refusals in its own words, with nothing of the page's to add."""

from selenium.webdriver.common.keys import Keys
from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.test_client_resume import enter, switch
from tests.e2e.test_web_join_links import ERRORS

LINES = "#log-box .log .line"
"""Every line of the log shown."""


class RegisteredOnlyPageTests(SynchronousTestCase):
    def shown(self, page: Page, text: str) -> None:
        """Wait until a line of the log shown holds ``text``."""
        page.wait(lambda: any(text in line for line in page.texts(LINES)) or None, repr(text))

    def test_the_change_and_the_refusals_read_as_the_server_says_them(self) -> None:
        """carol makes #maths, where alice (not identified) is, +M and #physics +R: alice's page says so in words,
        /mode #physics shows it, and her line in #maths and her /join #physics each get the server's ERR text."""
        daemon, url = start_web(self)
        carol = enter(daemon, "carol")
        switch(carol, "#maths")
        switch(carol, "#physics")
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#maths")
        carol.say("/mode #maths +M")
        carol.say("/mode #physics +R")
        changed = "carol let only registered members speak"
        self.shown(alice, changed)
        alice.say("/mode #physics")
        self.shown(alice, "Settings of #physics: registered only")
        box = alice.find("#composer-text")
        box.send_keys("hello", Keys.ENTER)
        # Refused, the line comes back to the message box (the next test): cleared for the /join.
        alice.wait(lambda: len(alice.texts(ERRORS)) == 1 or None, "the refusal")
        alice.wait(lambda: box.get_attribute("value") == "hello" or None, "the text back")
        box.clear()
        alice.say("/join #physics")
        alice.wait(lambda: len(alice.texts(ERRORS)) == 2 or None, "two refusals")
        self.assertEqual(
            alice.texts(ERRORS),
            [
                "#maths lets only members identified to an account speak: /register or /identify first",
                "#physics lets in only users identified to an account: /register or /identify first",
            ],
        )
        quiet(self, alice)

    def test_a_line_refused_for_want_of_an_account_comes_back_to_the_message_box(self) -> None:
        """In carol's #maths, +M, alice (not identified) sends a line: refused, it is back in her message box to
        keep, as a line refused in a moderated room is. (It was gone: only +m's refusal gave the text back.)"""
        daemon, url = start_web(self)
        carol = enter(daemon, "carol")
        switch(carol, "#maths")
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#maths")
        carol.say("/mode #maths +M")
        self.shown(alice, "carol let only registered members speak")
        box = alice.find("#composer-text")
        box.send_keys("is anyone there?", Keys.ENTER)
        self.shown(alice, "#maths lets only members identified to an account speak")
        alice.wait(lambda: box.get_attribute("value") == "is anyone there?" or None, "the text back")
        self.assertEqual(alice.status(), "Your message was refused: it is back in the message box.")
        quiet(self, alice)
