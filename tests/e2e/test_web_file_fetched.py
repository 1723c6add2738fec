"""The sender's page hears that its file was fetched, in a real headless Chromium against a real daemon (issue 16).

alice's page sends a file; programs on the line port, speaking JSON, fetch
it (``/file accept`` and acks, or the single-use HTTP link ``/file link``
gives from the web port) or decline it. Each fetch is a notice on alice's
page; once nobody is left to fetch it, its line says so and offers no
Cancel, which the server would refuse: the file is gone from it.
"""

import urllib.request

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.test_web_files import (
    after,
    card_state,
    choose,
    content,
    fetch,
    json_user,
    next_of,
    notices,
    on_disk,
    private_with,
)


def buttons(page: Page, file_id: str) -> list[str]:
    """The buttons the line of file ``file_id`` offers."""
    return page.texts(f'#log-box .log .line.file[data-file="{file_id}"] button')


class FetchedTests(SynchronousTestCase):
    def test_a_private_file_fetched_by_accept_ends_the_senders_line(self) -> None:
        """bob fetches alice's file with /file accept: her page says he has it, and her line offers no Cancel."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        private_with(alice, "bob")
        data = content(50_000, seed=3)
        choose(alice, on_disk(self, "notes.txt", data))
        file_id = str(next_of(bob, "file_offered")["file"])
        alice.wait(lambda: card_state(alice) == ["Uploaded and offered to bob."] or None, "alice's offer")
        self.assertEqual(buttons(alice, file_id), ["Cancel"])
        self.assertEqual(fetch(bob, file_id), data)
        alice.wait(
            lambda: card_state(alice, file_id) == ["bob has fetched it."] or None, "alice's line to end"
        )
        self.assertEqual(after(alice, file_id), [])
        self.assertEqual(buttons(alice, file_id), [])
        quiet(self, alice, no_error_shown=True)

    def test_a_room_file_stays_offered_once_its_last_recipient_is_done(self) -> None:
        """Sent to #lobby: bob's fetch by HTTP link is said and leaves Cancel for carol's sake; after carol's decline
        the line says it stays offered to whoever joins #lobby, and still offers Cancel."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        bob, carol = json_user(daemon, "bob"), json_user(daemon, "carol")
        alice.wait_for_member("carol")
        data = content(40_000, seed=9)
        choose(alice, on_disk(self, "map.png", data))
        file_id = str(next_of(bob, "file_offered")["file"])
        next_of(carol, "file_offered", file=file_id)
        alice.wait(lambda: card_state(alice) == ["Uploaded and offered to #lobby."] or None, "alice's offer")
        bob.say(f"/file link {file_id}")
        with urllib.request.urlopen(next_of(bob, "file_link")["url"], timeout=30) as response:
            self.assertEqual(response.read(), data)
        alice.wait(lambda: "bob has fetched map.png." in notices(alice) or None, "alice to be told")
        self.assertEqual(card_state(alice, file_id), ["Uploaded and offered to #lobby."])
        self.assertEqual(buttons(alice, file_id), ["Cancel"])
        carol.say(f"/file decline {file_id}")
        still = " It stays offered to whoever joins #lobby until you withdraw it."
        alice.wait(
            lambda: card_state(alice, file_id) == ["carol declined it." + still] or None,
            "alice's line to say so",
        )
        self.assertIn("carol declined map.png." + still, notices(alice))
        self.assertEqual(buttons(alice, file_id), ["Cancel"])
        quiet(self, alice, no_error_shown=True)
