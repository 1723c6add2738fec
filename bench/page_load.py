"""How long the browser page takes to load until it is ready to log in, with and without its modulepreload links, run
by hand from the repository root: ``.venv/bin/python bench/page_load.py [--runs N] [--latency MS ...]``.

The page is some 40 ES modules importing one another six deep (app.js ->
files.js -> fileuploads.js -> filecard.js -> lines.js -> dom.js): a browser
learns of a module only once it has fetched the one importing it, so
without ``<link rel="modulepreload">`` in index.html a load is six round
trips in a row after the page's own. This runs two daemons side by side on
127.0.0.1, each from a copy of this tree's ``chatd``: one with index.html
as shipped, one with its modulepreload links taken out. One headless
Chromium (Debian's, as bench/screenshots.py drives it) loads each page in
turn, the pair's order swapped every run, on plain loopback and with
Chromium's network emulation adding each ``--latency`` in milliseconds to
every request (``Network.emulateNetworkConditions``: nothing leaves the
machine). Two visits: a first one (the browser's cache off) and a return
one (the cache warm: every file asked again and answered 304, as the
site's ``no-cache`` has it).

For each load it reads, in milliseconds from the navigation's start, when
the modules had all run (``DOMContentLoaded``) and when the status line
said the server's prompt had come (``READY``: the login usable), and it
checks each load asked for each script once. It prints, for each case,
the median and the lowest of each, and the median ratio of each load with
the links to the load without them just before or after it. Every wait
has a deadline; the daemons and the browser are stopped whatever happens.
Not a test: timing has no place in the suite.
"""

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import NamedTuple

from screenshots import browser, wait, web_url
from selenium import webdriver
from soak import ROOT, Daemon

TWISTD = os.path.join(os.path.dirname(sys.executable), "twistd")
PRELOAD = re.compile(r'<link rel="modulepreload"[^>]*>\n')
"""One modulepreload link of index.html, with its line's end."""
READY = "Connected. Choose a nickname."
"""What the page's status line says once the server's prompt has come: the login is usable (notices.js)."""
VARIANTS = ("without", "with")
"""The two pages, as the report names them: links taken out, and as shipped."""

NOTE_STATUSES = """
window.chatdStatuses = [];
new MutationObserver(() => {
  const status = document.getElementById("status");
  const last = window.chatdStatuses.at(-1);
  if (status !== null && status.textContent !== last?.[0]) window.chatdStatuses.push([status.textContent, performance.now()]);
}).observe(document, { childList: true, subtree: true, characterData: true });
"""
"""Run before any script of each page (``Page.addScriptToEvaluateOnNewDocument``, which the page's CSP does not
govern): notes each text of the status line with the moment it appeared."""

READY_AT = "return window.chatdStatuses.find(([text]) => text === arguments[0])?.[1] ?? null;"
"""When the status line first said ``arguments[0]``, or null."""

TIMES = """
const navigation = performance.getEntriesByType("navigation")[0];
const scripts = performance.getEntriesByType("resource").filter((entry) => entry.name.endsWith(".js"));
return [navigation.domContentLoadedEventStart, scripts.map((entry) => entry.name)];
"""


class Load(NamedTuple):
    """One page load, in milliseconds from the navigation's start."""

    modules: float
    """When the modules had all run: ``DOMContentLoaded``."""
    ready: float
    """When the status line said ``READY``."""


MEASURES = (("modules", "modules run"), ("ready", "ready to log in"))
"""Each ``Load`` field, and how the report names it."""


def page_tree(folder: str, preload: bool) -> str:
    """A copy of this tree's chatd (and its twistd plugin) under ``folder``, its index.html without its modulepreload
    links unless ``preload``; the copy's path, for ``PYTHONPATH``."""
    shutil.copytree(
        ROOT / "chatd", os.path.join(folder, "chatd"), ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(ROOT / "twisted" / "plugins", os.path.join(folder, "twisted", "plugins"))
    if not preload:
        index = os.path.join(folder, "chatd", "web", "static", "index.html")
        with open(index, encoding="utf-8") as page:
            text = page.read()
        with open(index, "w", encoding="utf-8") as page:
            page.write(PRELOAD.sub("", text))
    return folder


@contextmanager
def served(tree: str) -> Iterator[str]:
    """A daemon on 127.0.0.1 running chatd from ``tree``, stopped on leaving; its page's URL."""
    command = ["env", f"PYTHONPATH={tree}", TWISTD, "-n", "--pidfile=", "chatd"]
    daemon = Daemon(
        [*command, "--port", "0", "--web-port", "0", "--interface", "127.0.0.1"], cpu=None, listeners=2
    )
    try:
        daemon.wait_for_port()
        yield web_url(daemon)
    finally:
        daemon.stop()
        daemon.remove(keep_log=None)


def preloads(url: str) -> int:
    """How many modulepreload links the page at ``url`` has: which page a daemon serves, checked, not assumed."""
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=10) as response:
        return len(PRELOAD.findall(response.read().decode("utf-8")))


def load(driver: webdriver.Chrome, url: str, scripts: int) -> Load:
    """Load the page at ``url`` until it is ready to log in, then leave it (its WebSocket closed); what it took."""
    driver.get(url)
    ready = wait(driver, lambda: driver.execute_script(READY_AT, READY), "the server's prompt")
    modules, names = driver.execute_script(TIMES)
    driver.get("about:blank")
    if len(names) != scripts or len(set(names)) != scripts:
        raise SystemExit(
            f"{url} asked for {len(names)} scripts, {len(set(names))} of them distinct, not {scripts}"
        )
    return Load(float(modules), float(ready))


def emulate(driver: webdriver.Chrome, latency: int, cache: bool) -> None:
    """Add ``latency`` ms to every request from now on (none for 0), with the browser's cache on or off."""
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": not cache})


def report(case: str, loads: dict[str, list[Load]]) -> None:
    """Print the median and lowest of ``case``'s loads, and the median ratio of each load with the links to its
    pair's."""
    print(f"{case} ({len(loads['with'])} loads of each page), ms median / lowest, median ratio with/without")
    for measure, label in MEASURES:
        times = {variant: [getattr(each, measure) for each in loads[variant]] for variant in VARIANTS}
        ratios = [after / before for after, before in zip(times["with"], times["without"], strict=True)]
        print(
            f"  {label}: "
            + ", ".join(
                f"{variant} {statistics.median(times[variant]):.0f} / {min(times[variant]):.0f}"
                for variant in VARIANTS
            )
            + f", {statistics.median(ratios):.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="loads of each page per case")
    parser.add_argument(
        "--latency",
        type=int,
        action="append",
        help="ms added to each request (repeatable; default 0 and 100)",
    )
    arguments = parser.parse_args()
    latencies = arguments.latency or [0, 100]
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="chatd-page-load-"))
        urls = {
            variant: stack.enter_context(served(page_tree(os.path.join(folder, variant), variant == "with")))
            for variant in VARIANTS
        }
        preloaded = preloads(urls["with"])
        if preloaded == 0 or preloads(urls["without"]) != 0:
            raise SystemExit("index.html has no modulepreload links to compare with none")
        scripts = preloaded + 1  # app.js, which index.html's script tag names
        profile = stack.enter_context(tempfile.TemporaryDirectory(prefix="chatd-page-load-browser-"))
        driver = browser(profile)
        stack.callback(driver.quit)
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": NOTE_STATUSES})
        for latency in latencies:
            for visit, cache in (("first visit", False), ("return visit", True)):
                emulate(driver, latency, cache)
                for variant in VARIANTS:
                    load(driver, urls[variant], scripts)  # the return visit's cache warmed; not counted
                loads: dict[str, list[Load]] = {variant: [] for variant in VARIANTS}
                for run in range(arguments.runs):
                    for variant in VARIANTS if run % 2 == 0 else VARIANTS[::-1]:
                        loads[variant].append(load(driver, urls[variant], scripts))
                report(f"{latency} ms added, {visit}", loads)


if __name__ == "__main__":
    main()
