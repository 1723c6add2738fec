"""Two files going up from one page at once, in a real headless Chromium against a real daemon (issue 16).

Both are chosen together in the file input (set by the driver, as a user
choosing two files does) and go up side by side on the one socket; a
program on the line port, speaking JSON, fetches each byte for byte. A
refusal of one of them, which names it, ends that one alone. Every wait
polls a condition until the deadline; nothing is timed.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.test_web_files import (
    SLOW,
    bar,
    card_named,
    card_state,
    content,
    fetch,
    json_user,
    next_of,
    on_disk,
)

OFFERED = "Uploaded and offered to #lobby."


def choose_both(page: Page, *paths: str) -> None:
    """Choose the files at ``paths`` together in the page's file input, as a user picking several does."""
    page.find("#file-input").send_keys("\n".join(paths))


class TwoAtOnceTests(SynchronousTestCase):
    """alice's page sends two files to #lobby at once; bob, a program on the line port, is offered them."""

    def test_two_files_chosen_at_once_go_up_side_by_side_and_each_reaches_its_end(self) -> None:
        """alice picks two files together: both are under way at once, each line ends offered, and bob fetches
        each byte for byte."""
        daemon, url = start_web(self, *SLOW)
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        sent = {"first.bin": content(300_000, seed=31), "second.bin": content(200_003, seed=32)}
        choose_both(alice, *(on_disk(self, name, data) for name, data in sent.items()))
        ids = {name: card_named(alice, name) for name in sent}

        alice.wait(
            lambda: all(0 < bar(alice, file_id) < 100 for file_id in ids.values()) or None, "both under way"
        )
        for name, file_id in ids.items():
            alice.wait(lambda: card_state(alice, file_id) == [OFFERED] or None, f"{name} offered")  # noqa: B023
        offers = [next_of(bob, "file_offered"), next_of(bob, "file_offered")]
        self.assertEqual({offer["name"]: offer["file"] for offer in offers}, ids)
        for name, file_id in ids.items():
            self.assertEqual(fetch(bob, file_id), sent[name])
        quiet(self, alice, no_error_shown=True)

    def test_a_refusal_of_the_second_upload_ends_it_alone_and_the_first_goes_on(self) -> None:
        """While both go up, a bad chunk is sent for the second (as a page with a bug would): the server's refusal
        names it, so the second's line ends in the refusal's words, and the first goes on to be offered and
        fetched whole. The refusal named no upload, and the page, with two sending, set it aside: the second went
        on as if nothing was wrong, and the refusal was shown as an error of the chat."""
        daemon, url = start_web(self, *SLOW)
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        first, second = content(400_000, seed=41), content(400_000, seed=42)
        choose_both(alice, on_disk(self, "first.bin", first), on_disk(self, "second.bin", second))
        first_id, second_id = card_named(alice, "first.bin"), card_named(alice, "second.bin")
        alice.wait(lambda: 0 < bar(alice, second_id) < 50 or None, "the second under way")

        alice.script("window.chatd.link.send(arguments[0]);", f"/file put {second_id} 0 !!!!")
        refusal = f"a chunk of {second_id} is standard base64 of 1 to 16384 bytes, within the file's size"
        alice.wait(lambda: card_state(alice, second_id) == [refusal] or None, "the second's line to end")
        self.assertLess(bar(alice, first_id), 100)
        alice.wait(lambda: card_state(alice, first_id) == [OFFERED] or None, "the first offered")
        offered = next_of(bob, "file_offered")
        self.assertEqual((offered["name"], offered["file"]), ("first.bin", first_id))
        self.assertEqual(fetch(bob, first_id), first)
        quiet(self, alice)
