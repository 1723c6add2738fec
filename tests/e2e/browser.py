"""A real headless Chromium on chatd's page, for end-to-end tests of the browser front end (issue 14).

Debian's ``chromium`` and ``chromedriver`` (``/usr/bin``) are driven by
Selenium, which is told where both are and never to fetch a browser or a
driver of its own (``SE_OFFLINE``): a machine without them fails these
tests, it does not skip them.

Starting a Chromium took a second of CPU, a tenth of a page test's time,
and a run starts some 150 pages. So each process keeps the browsers its
tests have finished with (``BROWSERS``) and a page takes one of those if
it can: its test ends in a new tab, the page's tab closed, and what the
page's origin stored (local storage, IndexedDB, caches) and the HTTP cache
cleared, so the next page starts as in a new browser (its own tab, so its
own session storage, on a daemon of its own, on a port of its own). A
browser that cannot be made so is quit. Each has a profile directory of its
own, removed when it quits, at the latest when the run ends.

``start_web`` runs the daemon with ``--web-port 0`` and reads the page's
address from chatd's own "chatd web page at" log line. ``Page`` wraps one
browser tab on it with the few things a test does there (choose a
nickname, join a room, say a line) and waits that fail the test with what
the page shows. Nothing sleeps: every wait polls a condition until
``DEADLINE_SECONDS``.
"""

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait
from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.daemon import DEADLINE_SECONDS, Daemon, SharedDaemon
from tests.e2e.lobby import LOOPBACK, SHARED_LOBBY
from tests.e2e.websocket import PAGE

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP school.test 127.0.0.1",
)
"""Chromium's flags: headless in a container, nothing fetched from the network but the page, and ``LAN_NAME`` for
127.0.0.1 (Chromium's own resolver, no DNS asked)."""

LAN_NAME = "school.test"
"""A name for the daemon's 127.0.0.1 as a page on a school's LAN would have one: a page from it is plain http on a
host that is not localhost, so no secure context (no WebCrypto), as ``http://192.168.1.20:8080/`` is."""


T = TypeVar("T")

NOTE_STATUSES = """
window.chatdTestStatuses = [];
new MutationObserver((records) => {
  for (const record of records) for (const node of record.addedNodes) window.chatdTestStatuses.push(node.textContent);
}).observe(document.getElementById("status"), { childList: true });
"""
"""Keep each text the status line is given (each is a new text node: view.js sets its textContent) as it is given."""

STATUS_SHOWN = """
const seen = window.chatdTestStatuses;
const at = seen.indexOf(arguments[0]);
if (at < 0) return false;
seen.splice(0, at + 1);
return true;
"""
"""Whether the status line was given the text ``arguments[0]`` since ``NOTE_STATUSES``: if so, it and what came before
are forgotten."""

FROZEN_BY_TEST = "Page entered Back-Forward Cache"
"""What Chromium logs of a WebSocket connection cut by a test freezing the page (``Page.setWebLifecycleState``)."""


def start_web(case: SynchronousTestCase, *extra: str) -> tuple[Daemon, str]:
    """A daemon on 127.0.0.1 with the line port and the web port, both ephemeral; and the page's URL."""
    daemon = Daemon.start(case, [*LOOPBACK, "--web-port", "0", *extra])
    return daemon, web_url(daemon)


SHARED_WEB = (*SHARED_LOBBY, "--web-port", "0")
"""A daemon with a web port the tests of a class share (``SharedDaemon``), each with users and rooms of its own."""


def lent_web(shared: SharedDaemon, case: SynchronousTestCase) -> tuple[Daemon, str]:
    """``shared``'s daemon lent to ``case``, with nobody online, and its page's URL."""
    daemon = shared.lend(case)
    return daemon, daemon.first_logged(PAGE).group("url").decode("ascii")


def web_url(daemon: Daemon) -> str:
    """The page's address, from the daemon's log line."""
    return daemon.wait_for_log(PAGE).group("url").decode("ascii")


def lan_url(url: str) -> str:
    """The page at ``url`` (on 127.0.0.1) under ``LAN_NAME``: the same daemon, reached as from a LAN."""
    parts = urlsplit(url)
    return parts._replace(netloc=f"{LAN_NAME}:{parts.port}").geturl()


class Browsers:
    """The headless Chromiums of this process that no page is using; see the module docstring."""

    def __init__(self) -> None:
        self._idle: list[tuple[webdriver.Chrome, str]] = []
        """Each browser with its profile directory, its one tab blank, nothing of any page's stored."""
        self._used: dict[webdriver.Chrome, tuple[str, str]] = {}
        """Each browser a page is using, with its profile directory and the origin of the page's URL."""

    def take(self, case: SynchronousTestCase, url: str, width: int, height: int) -> webdriver.Chrome:
        """A browser showing ``url`` in a window of ``width`` by ``height``, given back at ``case``'s cleanup."""
        if self._idle:
            driver, profile = self._idle.pop()
            driver.set_window_size(width, height)
        else:
            driver, profile = self._start(case, width, height)
        self._used[driver] = (profile, origin(url))
        case.addCleanup(self.give_back, driver)
        driver.get(url)
        return driver

    def close(self) -> None:
        """Quit every browser no page is using."""
        while self._idle:
            self._quit(*self._idle.pop())

    @staticmethod
    def _start(case: SynchronousTestCase, width: int, height: int) -> tuple[webdriver.Chrome, str]:
        # Selenium Manager must never download a browser or driver: Debian's or nothing.
        os.environ["SE_OFFLINE"] = "true"
        for path in (CHROMIUM, CHROMEDRIVER):
            if not os.access(path, os.X_OK):
                case.fail(f"{path} is missing: install Debian's chromium and chromium-driver")
        profile = tempfile.mkdtemp()
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={width},{height}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        try:
            driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
        except BaseException:
            shutil.rmtree(profile, ignore_errors=True)
            raise
        return driver, profile

    def give_back(self, driver: webdriver.Chrome) -> None:
        """Keep ``driver`` for the next page once nothing of its page's is left in it (what it stored under the
        origin of its URL and wherever it is now); quit it if that fails. Once only: later calls do nothing."""
        if driver not in self._used:
            return
        profile, first = self._used.pop(driver)
        try:
            used = driver.window_handles
            origins = {first, origin(driver.current_url)}
            driver.switch_to.new_window("tab")
            fresh = driver.current_window_handle
            for handle in used:
                driver.switch_to.window(handle)
                driver.close()
            driver.switch_to.window(fresh)
            for each in origins - {""}:
                driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": each, "storageTypes": "all"})
            driver.execute_cdp_cmd("Network.clearBrowserCache", {})
            driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
            # A page over TLS with a test's own certificate (``Page.trust_any_certificate``) trusts it no further.
            driver.execute_cdp_cmd("Security.setIgnoreCertificateErrors", {"ignore": False})
            # A tab opened this way is not focused, and :focus matches nothing in an unfocused page.
            driver.execute_cdp_cmd("Page.bringToFront", {})
            driver.get_log("browser")  # what the closed tab logged is no next page's
        except WebDriverException:
            self._quit(driver, profile)
            return
        self._idle.append((driver, profile))

    @staticmethod
    def _quit(driver: webdriver.Chrome, profile: str) -> None:
        try:
            driver.quit()
        finally:
            shutil.rmtree(profile, ignore_errors=True)


def origin(url: str) -> str:
    """``scheme://host:port`` of an http(s) ``url``; empty for any other (``about:blank``, ``data:``)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


BROWSERS = Browsers()
"""This process's idle browsers: pages take them and give them back; quit when the run ends."""
atexit.register(BROWSERS.close)


class Page:
    """One tab of a headless Chromium showing chatd's page, closed at cleanup (see the module docstring)."""

    def __init__(self, case: SynchronousTestCase, url: str, width: int = 1280, height: int = 900) -> None:
        self.case = case
        self.url = url
        self.driver = BROWSERS.take(case, url, width, height)

    def trust_any_certificate(self) -> None:
        """Take a test's self-signed certificate as a host's users would once they accept it: for this tab's use of the
        browser only (``Browsers.give_back`` takes it back)."""
        self.driver.execute_cdp_cmd("Security.setIgnoreCertificateErrors", {"ignore": True})

    def as_phone(self) -> None:
        """Show the page as a 390 px wide phone's touch screen (Chromium's device emulation)."""
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
        )

    # ---- waiting ----

    def wait(self, condition: Callable[[], T | None], what: str) -> T:
        """The first true value of ``condition()``, polled until the deadline; fails the test, saying ``what``."""

        def check(_: Any) -> T | Literal[False]:
            try:
                value = condition()
            except WebDriverException:
                return False  # an element replaced while read: look again
            return False if value is None else value

        try:
            return WebDriverWait(self.driver, DEADLINE_SECONDS, poll_frequency=0.05).until(check)
        except TimeoutException:
            self.case.fail(f"waited {DEADLINE_SECONDS} s for {what}; the page shows:\n{self.shown()}")

    def shown(self) -> str:
        """What the page shows now, as text, with its status line and console: for failure messages."""
        try:
            body = self.driver.find_element(By.TAG_NAME, "body").text
            console = "\n".join(str(entry.get("message")) for entry in self.driver.get_log("browser"))
        except WebDriverException as error:
            return f"(the page cannot be read: {error})"
        return f"{body}\n--- console ---\n{console}"

    # ---- reading ----

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def script(self, source: str, *arguments: Any) -> Any:
        return self.driver.execute_script(source, *arguments)

    def texts(self, css: str) -> list[str]:
        """The textContent of every element matching ``css``, in document order (hidden ones included)."""
        found = self.script(
            "return Array.from(document.querySelectorAll(arguments[0]), (node) => node.textContent);", css
        )
        return [str(text) for text in found]

    def said(self) -> list[str]:
        """The text of every line said, acted or whispered in the log shown, in order."""
        return self.texts("#log-box .log .line:is(.said, .acted) .text")

    def wait_for_said(self, text: str) -> WebElement:
        """The line of the log shown whose text is ``text``, once it is there."""

        def line() -> WebElement | None:
            for element in self.driver.find_elements(By.CSS_SELECTOR, "#log-box .log .line"):
                found = element.find_elements(By.CSS_SELECTOR, ".text")
                if found and found[0].get_attribute("textContent") == text:
                    return element
            return None

        return self.wait(line, f"a line saying {text!r}")

    def wait_for_member(self, nick: str) -> None:
        """Wait until ``nick`` is in the members of the room shown, whatever their standing there (``@nick``)."""
        self.wait(
            lambda: nick in self.texts("#member-list .member .nick") or None, f"{nick} among the members"
        )

    def wait_for_arrival(self, nick: str) -> None:
        """Wait until the log shown says ``nick`` joined: the user's own join is a joined line too, there from the login."""
        self.wait(lambda: nick in self.texts("#log-box .log .line.joined .nick") or None, f"{nick}'s arrival")

    def status(self) -> str:
        return self.find("#status").text

    def note_statuses(self) -> None:
        """From now on keep each text the status line shows, for ``wait_for_status``: while the daemon is down each
        reconnection attempt rewrites it, so a status polled for may be gone before it is read, under load."""
        self.script(NOTE_STATUSES)

    def wait_for_status(self, text: str, what: str) -> None:
        """Wait until the status line has shown ``text`` since ``note_statuses`` or the last such wait, whatever it
        shows now."""
        self.wait(lambda: self.script(STATUS_SHOWN, text) or None, what)

    def title(self) -> str:
        return str(self.find("#conversation-title").get_attribute("textContent"))

    def console_errors(self, daemon_down: bool = False) -> list[str]:
        """Errors the page logged (an exception, a refused script or style: the CSP at work).

        With ``daemon_down``, not Chromium's own report of a reconnection the
        stopped daemon refused: a test that keeps it down while the page
        retries gets one each time, however the page behaves. Never the one of
        a connection cut by the test freezing the page (``Page entered
        Back-Forward Cache``, tests/e2e/test_web_page.py ``restarted``): the
        test's doing, when a retry happens to be under way as it freezes.
        """
        entries = self.driver.get_log("browser")
        errors = [
            str(entry["message"])
            for entry in entries
            if entry.get("level") == "SEVERE" and FROZEN_BY_TEST not in str(entry["message"])
        ]
        if daemon_down:
            return [error for error in errors if not error.endswith("net::ERR_CONNECTION_REFUSED")]
        return errors

    # ---- doing ----

    def login(self, nick: str, password: str = "") -> None:
        """Choose ``nick`` (identify with ``password`` if given) and wait until in the default room."""
        self.wait(lambda: self.find("#login-nick").is_enabled() or None, "the nickname box")
        box = self.find("#login-nick")
        box.clear()
        box.send_keys(nick)
        if password:
            self.find("#login-password").send_keys(password)
        box.send_keys(Keys.ENTER)
        self.wait_in(nick)

    def wait_in(self, nick: str) -> None:
        """Wait until ``nick`` is in: the login gone and the message box usable (as a reloaded tab gets in by itself)."""
        self.wait(
            lambda: self.find("#login-box").get_attribute("hidden") is not None or None, f"{nick} to get in"
        )
        self.wait(lambda: self.find("#composer-text").is_enabled() or None, "the message box")

    def join(self, room: str) -> None:
        """Join ``room`` through the join box, and wait until its log is the one shown."""
        box = self.find("#join-room")
        box.send_keys(room, Keys.ENTER)
        self.wait(lambda: self.title() == room or None, f"{room} to be shown")

    def open(self, name: str) -> None:
        """Show the conversation ``name`` from the lists beside the log."""
        for button in self.driver.find_elements(By.CSS_SELECTOR, ".conversation .open"):
            if button.find_element(By.CSS_SELECTOR, ".name").get_attribute("textContent") == name:
                button.click()
                self.wait(lambda: self.title() == name or None, f"{name} to be shown")
                return
        self.case.fail(f"no conversation {name!r} in the lists; the page shows:\n{self.shown()}")

    def say(self, text: str) -> None:
        """Type ``text`` in the message box and press Enter."""
        box = self.find("#composer-text")
        box.send_keys(text, Keys.ENTER)
        self.wait(lambda: box.get_attribute("value") == "" or None, f"{text!r} to be sent")


def quiet(
    case: SynchronousTestCase, page: Page, daemon_down: bool = False, no_error_shown: bool = False
) -> None:
    """The page logged no error: no exception, nothing the Content-Security-Policy refused (WebAssembly included;
    ``daemon_down``: as in ``Page.console_errors``). With ``no_error_shown``, its log shows no error line either."""
    case.assertEqual(page.console_errors(daemon_down), [])
    if no_error_shown:
        case.assertEqual(page.texts(".log .line.error .text"), [])
