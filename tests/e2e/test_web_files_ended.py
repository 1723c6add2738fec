"""Files the server ends under the page, in a real headless Chromium against a real daemon (issue 16).

An offer nobody fetched within ``--file-keep`` expires: the page of its
sender and the page offered it each end its line with the reason, and say
so in the conversation; an upload still going when it expires stops. A
file the page sent and another session of its user's account withdraws
(a program on the line port, identified to the same account) ends on the
page too, mid-way or offered. The
daemon lets each file go as its own time comes: these tests give it a
``--file-keep`` of seconds, so an expiry is real and quick. Every wait
polls a condition until the deadline; nothing is timed.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.test_web_e2e import PASSWORD, registered
from tests.e2e.test_web_files import (
    SLOW,
    bar,
    card_named,
    card_state,
    choose,
    content,
    json_user,
    next_of,
    notices,
    on_disk,
    private_with,
)

KEEP = ("--file-keep", "0.00005")
"""Days an offer waits: 4.32 s, shown rounded up as ``5s``."""

JOURNAL = (
    "window.journal = [];"
    "const chat = window.chatd, send = chat.link.send.bind(chat.link), receive = chat.receive.bind(chat);"
    "chat.link.send = (line) => { window.journal.push(line); return send(line); };"
    "chat.receive = (object) => { window.journal.push(object.type); receive(object); };"
)
"""From now on, note in order each line the page sends and the type of each object it is handed (window.journal)."""


def sent_after(page: Page, kind: str, start: str) -> list[str]:
    """The lines starting with ``start`` that ``page`` sent after it was handed a ``kind`` object (journal kept)."""
    journal = [str(entry) for entry in page.script("return window.journal;")]
    if kind not in journal:
        page.case.fail(f"the page was handed no {kind}: {journal}")
    return [entry for entry in journal[journal.index(kind) + 1 :] if entry.startswith(start)]


def buttons(page: Page, file_id: str = "") -> list[str]:
    """The buttons of the transfer lines in the log shown (one file's, if ``file_id``)."""
    scope = f'[data-file="{file_id}"]' if file_id else ""
    return page.texts(f"#log-box .log .line.file{scope} button")


class ExpiryTests(SynchronousTestCase):
    """What the server lets go ends on the pages that show it."""

    def test_an_offer_nobody_fetched_ends_on_both_pages_once_it_expires(self) -> None:
        """alice's page offers bob's a file he neither fetches nor declines: past --file-keep both lines say it
        expired and why, with no Accept, Decline or Cancel left, and each conversation says so in words."""
        _, url = start_web(self, *KEEP)
        alice, bob = Page(self, url), Page(self, url)
        alice.login("alice")
        bob.login("bob")
        private_with(alice, "bob")
        choose(alice, on_disk(self, "draft.odt", content(20_000)))
        bob.wait(lambda: bob.texts("#privates .name") == ["alice"] or None, "a conversation with alice")
        bob.open("alice")
        file_id = card_named(bob, "draft.odt")

        ended = "Expired on the server (offers wait 5s at most)."
        bob.wait(lambda: card_state(bob, file_id) == [ended] or None, "bob's line to say it expired")
        self.assertEqual(buttons(bob, file_id), [])
        self.assertIn(
            "alice's offer of draft.odt expired (offers wait 5s at most); it can no longer be fetched.",
            notices(bob),
        )
        alice.wait(lambda: card_state(alice, file_id) == [ended] or None, "alice's line to say it expired")
        self.assertEqual(buttons(alice, file_id), [])
        self.assertIn(
            "draft.odt to bob expired on the server (offers wait 5s at most); nobody can fetch it now.",
            notices(alice),
        )
        quiet(self, alice, no_error_shown=True)
        quiet(self, bob, no_error_shown=True)

    def test_an_upload_still_going_when_it_expires_stops(self) -> None:
        """alice's page is still uploading a file to #lobby (slowed by --file-rate) once --file-keep has passed: her
        line says the server let it go and why, with no Cancel; the page sends no chunk after hearing it, and the
        chunks already on their way, refused, show no error."""
        daemon, url = start_web(self, *KEEP, "--file-rate", "32768")
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        alice.script(JOURNAL)
        choose(alice, on_disk(self, "big.bin", content(400_000, seed=8)))

        ended = "Expired on the server (an upload must be finished within 5s)."
        alice.wait(lambda: card_state(alice) == [ended] or None, "alice's line to say it expired")
        self.assertEqual(buttons(alice), [])
        self.assertIn(
            "big.bin to #lobby expired on the server (an upload must be finished within 5s); nobody can fetch it now.",
            notices(alice),
        )
        # A line said after it comes to bob after every chunk alice's page sent before it.
        alice.say("still here")
        next_of(bob, "said", text="still here")
        self.assertEqual(sent_after(alice, "file_expired", "/file put"), [])
        quiet(self, alice, no_error_shown=True)


class WithdrawnElsewhereTests(SynchronousTestCase):
    """alice's page sends a file; her account's session on the line port withdraws it."""

    def test_an_offer_withdrawn_in_another_session_ends_on_the_page_that_sent_it(self) -> None:
        """alice's page offers #lobby a file; her other session withdraws it: the page's line says so, with no Cancel
        left, and the conversation says nobody can fetch it now."""
        daemon, url = start_web(self)
        elsewhere = registered(daemon, "alice")
        bob = json_user(daemon, "bob")
        alice = Page(self, url)
        alice.login("alice", PASSWORD)
        choose(alice, on_disk(self, "plan.pdf", content(30_000, seed=12)))
        offered = next_of(bob, "file_offered")
        alice.wait(
            lambda: card_state(alice) == ["Uploaded and offered to #lobby."] or None, "alice's line to say so"
        )

        elsewhere.say(f"/file cancel {offered['file']}")
        alice.wait(
            lambda: card_state(alice) == ["Withdrawn on another connection."] or None, "alice's line to end"
        )
        self.assertEqual(buttons(alice), [])
        self.assertIn(
            "Your offer of plan.pdf to #lobby was withdrawn on another connection; nobody can fetch it now.",
            notices(alice),
        )
        quiet(self, alice, no_error_shown=True)

    def test_an_upload_cancelled_in_another_session_stops_on_the_page_sending_it(self) -> None:
        """alice's page is uploading a file to #lobby when her other session cancels it: the page's line says so,
        with no Cancel left, and the page sends no chunk after hearing it."""
        daemon, url = start_web(self, *SLOW)
        elsewhere = registered(daemon, "alice")
        bob = json_user(daemon, "bob")
        alice = Page(self, url)
        alice.login("alice", PASSWORD)
        choose(alice, on_disk(self, "big.bin", content(400_000, seed=14)))
        alice.wait(lambda: 10 <= bar(alice) < 90 or None, "the upload under way")
        elsewhere.say("/file list")
        [entry] = next_of(elsewhere, "file_list")["files"]
        self.assertEqual((entry["name"], entry["state"]), ("big.bin", "uploading"))
        alice.script(JOURNAL)

        elsewhere.say(f"/file cancel {entry['file']}")
        alice.wait(
            lambda: card_state(alice) == ["Cancelled on another connection."] or None, "alice's line to end"
        )
        self.assertEqual(buttons(alice), [])
        self.assertIn("Sending big.bin to #lobby was cancelled on another connection.", notices(alice))
        # A line said after it comes to bob after every chunk alice's page sent before it.
        alice.say("still here")
        next_of(bob, "said", text="still here")
        self.assertEqual(sent_after(alice, "file_cancelled", "/file put"), [])
        quiet(self, alice, no_error_shown=True)
