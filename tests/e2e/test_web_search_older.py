"""The page's search results page back: "Older results" under a full page asks for the hits before its oldest, in a
real headless Chromium against a real daemon."""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.test_web_page import FAST, numbered_lines


class OlderResultsTests(SynchronousTestCase):
    def test_older_results_add_the_page_before_the_oldest_hit_until_none_are_left(self) -> None:
        """carol said "line 1" to "line 45": the search box's search of "line" shows the newest 20 and "Older
        results"; a click adds lines 25 to 6 below them, the next lines 5 to 1, and the button goes. A typed
        /search before a hit's id shows the hits older than it, and its "Older results" goes on before those, for
        the same words."""
        daemon, url = start_web(self, *FAST)
        _, texts = numbered_lines(daemon, 45)
        alice = Page(self, url)
        alice.login("alice")
        alice.wait(lambda: alice.said()[-1:] == texts[-1:] or None, "the last line")
        alice.find("#search-words").send_keys("line\n")
        older = alice.find("#results-older")

        def page(heading: str, shown: list[str]) -> None:
            alice.wait(lambda: alice.texts("#results-heading") == [heading] or None, heading)
            self.assertEqual(alice.texts("#results-list .hit .text"), shown)

        newest_first = texts[::-1]
        page("20 found in #lobby", newest_first[:20])
        self.assertTrue(older.is_displayed())
        older.click()
        page("40 found in #lobby", newest_first[:40])
        older.click()
        page("45 found in #lobby", newest_first)
        self.assertFalse(older.is_displayed())
        tenth = alice.script("return document.querySelectorAll('#results-list li')[9].dataset.id;")
        alice.say(f"/search #lobby before {tenth} line")
        page("20 found in #lobby", newest_first[10:30])
        older.click()
        page("35 found in #lobby", newest_first[10:])
        self.assertFalse(older.is_displayed())
        quiet(self, alice)
