"""A conversation's log in the page keeps a bounded number of lines, in a real headless Chromium.

A room flooded for hours, or a tab left open all week, held every line in
the DOM. The page now drops a log's oldest lines past ``LOG_LINES``
(chatd/web/static/conversation.js) while its reader is at its end, and
scrolling up brings them back from /history, as it brings lines older than
the join's replay. The set-up is tests/e2e/browser.py's.
"""

import re
from pathlib import Path

from selenium.webdriver.common.keys import Keys
from twisted.trial.unittest import SynchronousTestCase

import chatd.web
from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.test_client_resume import enter
from tests.e2e.test_web_page import FAST, shown_in_context

CONVERSATION_JS = Path(chatd.web.__file__).parent / "static" / "conversation.js"


def log_lines() -> int:
    """The page's bound on a log, as conversation.js states it."""
    found = re.search(r"^export const LOG_LINES = (\d+);$", CONVERSATION_JS.read_text(encoding="utf-8"), re.M)
    assert found is not None, "LOG_LINES in conversation.js"
    return int(found.group(1))


LOG_LENGTH = "return document.querySelector('#log-box .log').childElementCount;"
"""How many lines (events and notices) the log shown holds."""


class LogBoundTests(SynchronousTestCase):
    """A flooded room's log stays bounded, and what it dropped comes back as the reader scrolls up."""

    def test_a_flooded_log_keeps_its_bound_and_scrolling_up_brings_the_dropped_lines_back(self) -> None:
        """bot acts LOG_LINES + 120 lines in #lobby at once: alice's log holds the last LOG_LINES, in order; scrolled
        up, it gains the 120 back, in order, each once, and keeps them while bot goes on and alice reads; back at its
        end, the next line trims it to LOG_LINES again, and a search hit among the lines dropped still opens in its
        context."""
        bound = log_lines()
        daemon, url = start_web(self, *FAST)
        alice = Page(self, url, height=500)
        alice.login("alice")
        bot = enter(daemon, "bot")
        texts = ["hides the needle" if n == 3 else f"says {n}" for n in range(bound + 120)]
        # Commands, not plain lines: lines arriving together would be one paste, one line of the log.
        bot.send(b"".join(f"/me {text}\n".encode() for text in texts))
        alice.wait(lambda: alice.said()[-1:] == texts[-1:] or None, "the flood's last line")
        self.assertEqual(alice.said(), texts[-bound:])
        self.assertEqual(alice.script(LOG_LENGTH), bound)

        log = alice.find("#log-box .log")

        def scrolled_to_the_first() -> bool | None:
            if alice.said()[:1] == texts[:1]:
                return True
            alice.script("arguments[0].scrollTop = 0;", log)
            return None

        alice.wait(scrolled_to_the_first, "the lines dropped, back")
        self.assertEqual(alice.said(), texts)

        # Read at the top, the log keeps every line as more come, and offers the way down.
        bot.say("/me goes on")
        # Not wait_for_said: it reads each of the log's thousands of lines in a round trip of its own.
        alice.wait(lambda: alice.said()[-1:] == ["goes on"] or None, "the line after the flood")
        self.assertEqual(alice.said(), [*texts, "goes on"])
        alice.wait(lambda: alice.find("#newer").is_displayed() or None, "New messages below")

        alice.find("#newer").click()
        bot.say("/me ends")
        alice.wait(lambda: alice.said()[-1:] == ["ends"] or None, "the line after alice came back down")
        self.assertEqual(alice.said(), [*texts, "goes on", "ends"][-bound:])
        self.assertEqual(alice.script(LOG_LENGTH), bound)

        alice.find("#search-words").send_keys("needle", Keys.ENTER)
        alice.wait(lambda: alice.find("#results-list .hit"), "a search hit").click()
        shown_in_context(self, alice, "hides the needle", ["says 2", "says 4"], [*texts, "goes on", "ends"])
        quiet(self, alice)
