"""Files through a page on plain http from a LAN address, as a classroom opens ``http://192.168.1.20:8080/``.

Such a page is no secure context, so the browser gives it no WebCrypto; it
hashes with the libsodium it ships instead. Chromium reaches the daemon on
127.0.0.1 under ``LAN_NAME`` (its own resolver maps the name; nothing leaves
the machine). The page refused to send and to fetch files there.
"""

import hashlib

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, lan_url, start_web
from tests.e2e.test_web_files import (
    CHUNK,
    accept,
    choose,
    content,
    fetch,
    fetched,
    json_user,
    next_of,
    on_disk,
    save_to,
    saved,
    upload,
)

COOP_IGNORED = "The Cross-Origin-Opener-Policy header has been ignored"
"""Chromium's console note on every page from plain http at a name not localhost: not the page's doing."""


class PlainHttpTests(SynchronousTestCase):
    """A page that is no secure context sends and fetches files, hashing with libsodium."""

    def test_a_page_on_plain_http_sends_and_fetches_files_checked(self) -> None:
        """alice's page, from a LAN name over http, is no secure context; the file she picks (over a megabyte:
        libsodium hashes it in slices) reaches bob whole, with the SHA-256 he computes; bob's file to her is fetched,
        checked and saved byte for byte."""
        daemon, url = start_web(self)
        alice = Page(self, lan_url(url))
        self.assertIs(alice.script("return window.isSecureContext;"), False)
        folder = save_to(alice)
        alice.login("alice")
        bob = json_user(daemon, "bob")

        data = content(70 * CHUNK + 1)
        choose(alice, on_disk(self, "lesson.bin", data))
        offered = next_of(bob, "file_offered")
        self.assertEqual(offered["sha256"], hashlib.sha256(data).hexdigest())
        self.assertEqual(hashlib.sha256(fetch(bob, offered["file"])).hexdigest(), offered["sha256"])

        answers = content(40_000, seed=3)
        file_id = upload(bob, "alice", "answers.txt", answers, "text/plain")
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        alice.open("bob")
        self.assertEqual(accept(alice, "answers.txt"), file_id)
        fetched(alice, file_id, "answers.txt")
        self.assertEqual(saved(alice, folder, "answers.txt"), answers)
        self.assertEqual(alice.texts(".log .line.error .text"), [])
        errors = [error for error in alice.console_errors() if COOP_IGNORED not in error]
        self.assertEqual(errors, [])
