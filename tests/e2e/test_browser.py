"""The browsers the page's tests share (tests/e2e/browser.py): a page taken after another starts as in a new browser."""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Browsers, start_web

STORE = """
const done = arguments[0];
localStorage.setItem("left", "behind");
sessionStorage.setItem("left", "behind");
console.error("left behind");
const opening = indexedDB.open("left", 1);
opening.onsuccess = () => { opening.result.close(); done(true); };
opening.onerror = () => done(false);
"""
"""What a page may leave behind: local and session storage, an IndexedDB database, a line in the console."""

FOUND = """
const done = arguments[0];
indexedDB.databases().then((databases) => done({
  local: localStorage.length,
  session: sessionStorage.length,
  databases: databases.map((database) => database.name),
  focused: document.hasFocus(),
  width: window.innerWidth,
}));
"""


class SharedBrowserTests(SynchronousTestCase):
    def test_a_browser_given_back_keeps_nothing_of_its_page(self) -> None:
        """A page's storage, IndexedDB and console lines are gone when the next page takes its browser on the same
        daemon's origin (as a later test's daemon may get the same port); that page has the focus and its size."""
        _, url = start_web(self)
        browsers = Browsers()
        self.addCleanup(browsers.close)
        first = browsers.take(self, url, 1280, 900)
        self.assertTrue(first.execute_async_script(STORE))
        browsers.give_back(first)
        second = browsers.take(self, url, 600, 800)
        self.assertIs(second, first)
        self.assertEqual(
            second.execute_async_script(FOUND),
            {"local": 0, "session": 0, "databases": [], "focused": True, "width": 600},
        )
        self.assertEqual(
            [entry for entry in second.get_log("browser") if "left behind" in entry["message"]], []
        )
