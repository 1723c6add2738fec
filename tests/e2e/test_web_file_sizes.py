"""The page says a file's size as the server and the bundled client do, checked in a real headless Chromium.

The page writes sizes of files it has not offered yet (one too big to
send, one going on from where a drop stopped it, a transfer's rate), so it
keeps its own copy of ``chatd.text.size_words``: filecard.js's ``size``.
These tests hand both the same table of sizes, with the ones where a
rounding or a unit changes, and a spread of others, and want the same
words from each.
"""

import random

from twisted.trial.unittest import SynchronousTestCase

from chatd.text import size_words
from tests.e2e.browser import Page, quiet, start_web

EDGES = [
    *(0, 1, 999, 1000, 1001, 1049, 1050, 1051, 1149, 1150, 1151, 1250, 1350, 1750, 2250, 9949, 9950, 9999),
    *(10_000, 99_950, 100_000, 100_001, 150_000, 999_949, 999_950, 999_999, 1_000_000, 1_250_000, 26_500_000),
    *(999_949_999, 999_950_000, 999_999_999, 1_000_000_000, 1_250_000_000, 10**12, 10**15 + 250_000_000_000),
    2**53 - 1,
]
"""Sizes where the words change: a unit begins, a tenth rounds up, or the value sits halfway between two tenths
(1250 bytes is 1.25 kB exactly: Python rounds such a tie to the even tenth, 1.2, where JavaScript's toFixed says
1.3)."""

SIZES = """
const [sizes, done] = arguments;
import("/filecard.js").then(({ size }) => done(sizes.map(size)), (error) => done(String(error)));
"""
"""Run in the page: the page's own words for each size."""


class SizeWordsTests(SynchronousTestCase):
    """filecard.js's ``size`` and ``chatd.text.size_words`` agree."""

    def test_the_page_says_each_size_as_the_server_does(self) -> None:
        """For every size of the table, and for 3,000 others from bytes to petabytes, the page's words are the
        server's: ``150.0 kB``, not ``150 kB``."""
        spread = random.Random(16)
        sizes = [*EDGES, *(int(10 ** spread.uniform(0, 15.9)) for _ in range(3000))]
        _, url = start_web(self)
        page = Page(self, url)
        said = page.driver.execute_async_script(SIZES, sizes)
        self.assertEqual(said, [size_words(each) for each in sizes])
        quiet(self, page)
