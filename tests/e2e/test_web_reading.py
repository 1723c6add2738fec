"""What chatd's page shows a reader, in a real headless Chromium against a real daemon (issue 14).

Each test holds a defect a user met while reading the page as what the page
now shows instead. The set-up is tests/e2e/browser.py's, with the helpers of
test_web_page.py.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, start_web
from tests.e2e.test_client_resume import enter, said_by
from tests.e2e.test_web_page import quiet

PHONE = {"width": 360, "height": 740}
"""A phone's window: the rooms and members fold behind buttons."""


def folded(page: Page) -> bool | None:
    """Whether ``page`` is at phone width, the rooms list hidden behind its button (None if not)."""
    return (page.find("#rooms-toggle").is_displayed() and not page.find("#side").is_displayed()) or None


def typed_join(page: Page, room: str) -> None:
    """Join ``room`` by typing /join in the message box (the join box is folded away at phone width)."""
    page.say(f"/join {room}")
    page.wait(lambda: page.title() == room or None, f"{room} to be shown")


class PhoneTests(SynchronousTestCase):
    """The page at phone width shows what the desktop page shows."""

    def test_the_rooms_button_counts_what_is_unread_in_the_rooms_it_hides(self) -> None:
        """alice reads #dev on a phone; carol says two lines in #lobby, one naming alice: the Rooms button says
        2 unread, 1 mention, as #lobby's item in the folded list does; opening #lobby clears both."""
        daemon, url = start_web(self)
        alice = Page(self, url, **PHONE)
        alice.login("alice")
        alice.wait(lambda: folded(alice), "the phone layout")
        typed_join(alice, "#dev")
        carol = enter(daemon, "carol")
        said_by(carol, "nobody in particular")
        said_by(carol, "alice, have a look")
        alice.wait(
            lambda: alice.texts("#rooms-toggle .badge") == ["2 unread, 1 mention"] or None,
            "the count on the Rooms button",
        )
        self.assertTrue(alice.find("#rooms-toggle .badge").is_displayed())
        self.assertEqual(alice.texts("#rooms .badge"), ["2 unread, 1 mention"])
        alice.find("#rooms-toggle").click()
        alice.open("#lobby")
        self.assertEqual(alice.texts("#rooms-toggle .badge"), [])
        quiet(self, alice)
