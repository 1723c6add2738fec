"""The README's pictures of the browser page: docs/web-light.png, docs/web-dark.png, docs/web-phone.png (issue 14).

Run by hand from the repository root, after changing the page:

    .venv/bin/python bench/screenshots.py

It starts ``twistd -n chatd --web-port 0`` on loopback in a temporary
directory (soak.Daemon), brings in two nc-like users, opens the page in
Debian's headless Chromium (as tests/e2e/browser.py does: /usr/bin/chromium
and /usr/bin/chromedriver, nothing downloaded), has a short conversation in
two rooms and a private message, and saves the page light, dark (the
``prefers-color-scheme`` media feature emulated through the DevTools
protocol) and at phone width (360 px). Every wait has a deadline; the
daemon and the browser are stopped whatever happens.
"""

import os
import re
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from soak import ROOT, Daemon

DOCS = Path(ROOT) / "docs"
TWISTD = os.path.join(os.path.dirname(sys.executable), "twistd")
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
DEADLINE_SECONDS = 15.0
WEB_PAGE = re.compile(rb"chatd web page at (http://\S+/)")
WIDE = (1200, 720)
PHONE = (360, 740)


class Talker:
    """A line-protocol user on a plain socket, as nc is; it never reads, the page shows what it says."""

    def __init__(self, port: int, nick: str) -> None:
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_SECONDS)
        self.say(nick)

    def say(self, text: str) -> None:
        self.socket.sendall(text.encode("utf-8") + b"\n")

    def close(self) -> None:
        self.socket.close()


def web_url(daemon: Daemon) -> str:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        found = WEB_PAGE.search(Path(daemon.log_path).read_bytes())
        if found is not None:
            return found.group(1).decode("ascii")
        time.sleep(0.05)
    raise SystemExit(f"chatd gave no web page address:\n{daemon.log_tail()}")


def browser(profile: str) -> webdriver.Chrome:
    os.environ["SE_OFFLINE"] = "true"  # Debian's browser and driver, never a download
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={WIDE[0]},{WIDE[1]}",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))


def wait(driver: webdriver.Chrome, condition: Callable[[], Any], what: str) -> Any:
    return WebDriverWait(driver, DEADLINE_SECONDS, poll_frequency=0.05).until(
        lambda _: condition() or False, f"waited {DEADLINE_SECONDS:g} s for {what}"
    )


def shown(driver: webdriver.Chrome, text: str) -> bool:
    """Whether a line of the log shown holds ``text``."""
    return bool(
        driver.execute_script(
            "return Array.from(document.querySelectorAll('#log-box .log .text'))"
            ".some((node) => node.textContent.includes(arguments[0]));",
            text,
        )
    )


def conversation(driver: webdriver.Chrome, bob: Talker, carol: Talker) -> None:
    """alice in the page, bob and carol on nc: two rooms, a topic, an action, a mention, a private message."""
    nick = wait(driver, lambda: driver.find_element(By.ID, "login-nick"), "the nickname box")
    nick.send_keys("alice", Keys.ENTER)
    wait(driver, lambda: driver.find_element(By.ID, "composer-text").is_enabled(), "alice to get in")
    lines: list[tuple[Talker | None, str, str]] = [
        (bob, "/join #dev", ""),
        (carol, "/join #dev", ""),
        (None, "/join #dev", ""),
        (bob, "/topic Release 0.4 on Friday: web page, search, resume", "Release 0.4"),
        (bob, "morning! the web front end is in main", "morning!"),
        (carol, "/me opens it in a browser", "opens it"),
        (None, "looks good here; history and search work too", "looks good"),
        (carol, "alice: does it come back after a restart?", "come back"),
        (None, "yes, it resumes with exactly the lines it missed", "resumes"),
        (bob, "and nc users see all of it\nas plain lines", "plain lines"),
    ]
    for who, text, wait_for in lines:
        if who is None:
            if text.startswith("/join"):
                box = driver.find_element(By.ID, "join-room")
                box.send_keys(text.split()[1], Keys.ENTER)
                wait(driver, lambda: driver.find_element(By.ID, "conversation-title").text == "#dev", "#dev")
                continue
            driver.find_element(By.ID, "composer-text").send_keys(text, Keys.ENTER)
        else:
            who.say(text)
        if wait_for:
            wait(driver, lambda wait_for=wait_for: shown(driver, wait_for), repr(wait_for))
    carol.say("/msg alice lunch after the release?")
    bob.say("/join #lobby")
    bob.say("anyone around in the lobby?")
    wait(driver, lambda: driver.find_elements(By.CSS_SELECTOR, "#privates .badge"), "carol's private message")
    wait(driver, lambda: driver.find_elements(By.CSS_SELECTOR, "#rooms .badge"), "unread lines in #lobby")
    driver.find_element(By.ID, "composer-text").click()


def save(driver: webdriver.Chrome, name: str) -> None:
    path = DOCS / name
    driver.save_screenshot(str(path))
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KiB")


def main() -> None:
    daemon = Daemon(
        [
            TWISTD,
            "-n",
            "--pidfile=",
            "chatd",
            "--port",
            "0",
            "--web-port",
            "0",
            "--interface",
            "127.0.0.1",
            "--name",
            "chat.example.org",
            "--motd",
            "Be kind.",
        ],
        cpu=None,
        listeners=2,
    )
    profile = tempfile.mkdtemp(prefix="chatd-shots-")
    talkers: list[Talker] = []
    driver = None
    try:
        port = daemon.wait_for_port()
        url = web_url(daemon)
        driver = browser(profile)
        driver.get(url)
        talkers = [Talker(port, "bob"), Talker(port, "carol")]
        conversation(driver, *talkers)
        for scheme, name in (("light", "web-light.png"), ("dark", "web-dark.png")):
            driver.execute_cdp_cmd(
                "Emulation.setEmulatedMedia",
                {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
            )
            save(driver, name)
        driver.execute_cdp_cmd(
            "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "light"}]}
        )
        driver.set_window_size(*PHONE)
        wait(driver, lambda: driver.find_element(By.ID, "rooms-toggle").is_displayed(), "the phone layout")
        save(driver, "web-phone.png")
    finally:
        if driver is not None:
            driver.quit()
        for talker in talkers:
            talker.close()
        daemon.stop()
        daemon.remove(keep_log=None)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
