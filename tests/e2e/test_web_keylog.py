"""The page checking a long key log against a real daemon, in a real headless Chromium (issue 17).

The daemon's --db holds thousands of key log entries, written by the store
before it starts, as on a server that has run for a while; its flood budget
refills fast (--flood-rate 20) and it cuts a client off after a second over
it (--flood-disconnect 1), so a few seconds of pages show what a check from
seq 1 does at the defaults over a minute. Every wait polls until the deadline.
"""

from twisted.trial.unittest import SynchronousTestCase

from chatd.domain.keylog import ADD, KeyEntry
from chatd.storage.keys import SQLiteKeys
from chatd.storage.sqlite import SQLiteHistory
from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.test_web_e2e import register_in_page
from tests.helpers import ThreadedReactor, new_database
from tests.test_keys_line import public

LONG_LOG = 6000
"""Entries in the daemon's log before alice's key: read a page at once each, the page was cut off for flooding."""

FLOODING = "You are sending faster than the server allows"


def long_log(path: str, count: int) -> None:
    """Make the chatd database ``path`` hold a key log of ``count`` entries, written by the store as the daemon does."""
    reactor = ThreadedReactor()
    store = SQLiteHistory.open(path, reactor)
    store.startService()
    keys = SQLiteKeys(store)
    published = [public(n + 1) for n in range(200)]
    for n in range(count):
        seq, head = keys.head()
        keys.append(KeyEntry(seq + 1, 1_700_000_000, f"account{n}", ADD, published[n % 200], head))
    reactor.advance(0)
    reactor.run_until(store.stopService())


class LongKeyLogTests(SynchronousTestCase):
    """The page reads a long key log page by page, at the pace each page says."""

    def test_the_page_checks_a_long_log_never_told_it_floods_and_says_how_the_check_goes(self) -> None:
        """alice registers in the page: it checks all 6,001 entries from seq 1, says the check is under way and
        when it is done, is never told it floods and never disconnected, and logs no error.

        It asked for each page the moment the last came: told it floods from
        the third, and cut off a second later, its check never done.
        """
        db = new_database(self)
        long_log(db, LONG_LOG)
        _, url = start_web(self, "--db", db, "--flood-rate", "20", "--flood-disconnect", "1")
        alice = Page(self, url)
        alice.login("alice")
        register_in_page(alice)
        total = f"{LONG_LOG + 1:,}"
        alice.wait(
            lambda: (
                any(text.startswith(f"Key log checked: {total} entries") for text in self.said(alice)) or None
            ),
            "the key log checked",
        )
        said = self.said(alice)
        [under_way] = [text for text in said if text.startswith("Checking the server's key log: ")]
        self.assertTrue(
            under_way.endswith(
                f" of {total} entries so far. A long log is read a page every few seconds, as fast as the server's "
                "flood limit allows; messages to encrypt wait for it."
            ),
            under_way,
        )
        self.assertEqual(alice.script("return window.chatd.encryption.log.seq"), LONG_LOG + 1)
        self.assertNotIn(FLOODING, alice.script("return document.body.textContent"))
        self.assertNotIn("Disconnected", alice.script("return document.body.textContent"))
        quiet(self, alice)

    @staticmethod
    def said(page: Page) -> list[str]:
        """The text of every line in every log of the page, in document order."""
        return page.texts(".log .line .text")
