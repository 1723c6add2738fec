"""Which transfer each of the server's answers is about, for the page, in a real headless Chromium against a real
daemon (issue 16).

An accept's refusal names its file; the answer to an offer names the
offer's target. The other side is a program on the line port, speaking
JSON. Every wait polls a condition until the deadline; nothing is timed.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.test_web_files import (
    SLOW,
    bar,
    card_state,
    content,
    fetched,
    json_user,
    press,
    save_to,
    saved,
    upload,
)

TOO_MANY = "you have 1 transfer going, the most at once; wait for one to end"
"""The server's refusal of an accept past ``--file-transfers 1``."""


class RefusedAcceptTests(SynchronousTestCase):
    def test_an_accept_refused_is_said_on_its_line_which_offers_accept_again(self) -> None:
        """alice's page, allowed one transfer at a time, fetches one of bob's files and accepts his other
        meanwhile: the refusal, naming the second, is said on its line beside Accept, the first goes on, and once it
        is saved Accept fetches the second. The line ended in the refusal with no button: the file could not be
        fetched without reloading the page."""
        daemon, url = start_web(self, *SLOW, "--file-transfers", "1")
        alice = Page(self, url)
        folder = save_to(alice)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        first, second = content(300_000, seed=81), content(20_000, seed=82)
        first_id = upload(bob, "alice", "first.bin", first)
        second_id = upload(bob, "alice", "second.bin", second)
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        alice.open("bob")
        alice.wait(lambda: len(card_state(alice)) == 2 or None, "bob's offers")
        press(alice, first_id, "accept")
        alice.wait(lambda: bar(alice, first_id) > 0 or None, "the first under way")
        press(alice, second_id, "accept")
        alice.wait(
            lambda: card_state(alice, second_id) == [TOO_MANY] or None, "the refusal on the second's line"
        )
        fetched(alice, first_id, "first.bin")
        press(alice, second_id, "accept")
        fetched(alice, second_id, "second.bin")
        self.assertEqual(
            (saved(alice, folder, "first.bin"), saved(alice, folder, "second.bin")), (first, second)
        )
        quiet(self, alice)
