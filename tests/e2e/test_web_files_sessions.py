"""The page as one of several connections of an account, with files, in a real headless Chromium (issue 16).

alice is registered and online twice: a program on the line port speaking
JSON, and her page (logged in with her password). bob, another program,
offers her files. What she does with an offer on the program (fetch it,
decline it, stop fetching it) ends its line on the page, in words, with no
Accept or Decline left. An offer of hers made on the program is hers on the
page too. Every wait polls a condition until the deadline; nothing is timed.
"""

import hashlib

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.test_web_e2e import PASSWORD, registered
from tests.e2e.test_web_files import (
    after,
    card_named,
    card_state,
    content,
    fetch,
    json_user,
    next_of,
    notices,
    upload,
)
from tests.e2e.test_web_files_ended import buttons


class DoneElsewhereTests(SynchronousTestCase):
    def test_an_offer_fetched_on_another_connection_ends_on_the_page(self) -> None:
        """bob offers alice a file; her program fetches it: the page's line says it was fetched on another
        connection, with no Accept or Decline, and the conversation says so."""
        daemon, url = start_web(self)
        elsewhere = registered(daemon, "alice")
        alice = Page(self, url)
        alice.login("alice", PASSWORD)
        bob = json_user(daemon, "bob")
        data = content(40_000, seed=21)
        file_id = upload(bob, "alice", "g.bin", data)
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        alice.open("bob")
        self.assertEqual(card_named(alice, "g.bin"), file_id)
        self.assertEqual(buttons(alice, file_id), ["Accept", "Decline"])

        self.assertEqual(fetch(elsewhere, file_id), data)
        alice.wait(
            lambda: card_state(alice, file_id) == ["Fetched on another connection."] or None,
            "the page's line to end",
        )
        self.assertEqual(buttons(alice, file_id), [])
        self.assertEqual(after(alice, file_id), [])
        quiet(self, alice, no_error_shown=True)

    def test_offers_declined_or_stopped_on_another_connection_end_on_the_page(self) -> None:
        """bob offers alice two files; her program declines one and stops fetching the other: each line on the
        page says which, with no button left."""
        daemon, url = start_web(self)
        elsewhere = registered(daemon, "alice")
        alice = Page(self, url)
        alice.login("alice", PASSWORD)
        bob = json_user(daemon, "bob")
        declined = upload(bob, "alice", "one.bin", content(20_000, seed=22))
        stopped = upload(bob, "alice", "two.bin", content(20_000, seed=23))
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        alice.open("bob")
        for name in ("one.bin", "two.bin"):
            card_named(alice, name)

        elsewhere.say(f"/file decline {declined}")
        elsewhere.say(f"/file accept {stopped}")
        next_of(elsewhere, "file_chunk", file=stopped)
        elsewhere.say(f"/file cancel {stopped}")
        next_of(elsewhere, "file_cancelled", file=stopped)
        alice.wait(
            lambda: card_state(alice, declined) == ["Declined on another connection."] or None,
            "the declined line to end",
        )
        alice.wait(
            lambda: card_state(alice, stopped) == ["Stopped on another connection."] or None,
            "the stopped line to end",
        )
        self.assertEqual((buttons(alice, declined), buttons(alice, stopped)), ([], []))
        said = notices(alice)
        self.assertIn("one.bin from bob was declined on another connection.", said)
        self.assertIn("Fetching two.bin from bob was stopped on another connection.", said)
        quiet(self, alice, no_error_shown=True)

    def test_an_offer_made_on_another_connection_reads_as_the_users_own(self) -> None:
        """alice's program offers bob a file: her page's line says "You offer", not her nickname with "offer",
        and offers to withdraw it. Withdrawn on the program, it ends, with no Cancel left, saying where, and the
        conversation says who withdrew what (the line said "Withdrawn." alone)."""
        daemon, url = start_web(self)
        elsewhere = registered(daemon, "alice")
        alice = Page(self, url)
        alice.login("alice", PASSWORD)
        json_user(daemon, "bob")
        data = content(20_000, seed=24)
        file_id = upload(elsewhere, "bob", "g.bin", data)
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        alice.open("bob")
        self.assertEqual(card_named(alice, "g.bin"), file_id)
        self.assertEqual(
            alice.texts(f'#log-box .log .line.file[data-file="{file_id}"] .file-what'),
            [
                f"You offer g.bin (20.0 kB, application/octet-stream, sha256 {hashlib.sha256(data).hexdigest()[:12]}…)"
            ],
        )
        self.assertEqual(
            (card_state(alice, file_id), buttons(alice, file_id)), (["Offered to bob."], ["Cancel"])
        )
        elsewhere.say(f"/file cancel {file_id}")
        alice.wait(
            lambda: card_state(alice, file_id) == ["Withdrawn on another connection."] or None,
            "the page's line to end",
        )
        self.assertEqual(buttons(alice, file_id), [])
        self.assertEqual(after(alice, file_id), [])
        quiet(self, alice, no_error_shown=True)
