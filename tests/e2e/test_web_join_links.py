"""Links into rooms: chatd's page opened at ``?join=maths,physics``, in a real headless Chromium against a real daemon.

A teacher hands out one address that lands people in the right rooms: the
page joins them once its user is in, as a ``/join`` typed for each, shows
the first the server takes, says once what it could not join, and takes
``join`` out of its address so that neither a reload nor a reconnection
joins a room again. The header's "Copy link" gives that address for the
room shown (tests/e2e/browser.py drives the browser).
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import SHARED_WEB, Page, lent_web, origin, quiet
from tests.e2e.daemon import LineClient, SharedDaemon
from tests.e2e.test_client_resume import enter, switch
from tests.e2e.test_web_page import record, sent

ERRORS = "#log-box .log .line.error .text"
"""The error lines of the log shown."""


def wait_for_rooms(page: Page, *rooms: str) -> None:
    """Wait until the rooms ``page`` lists as joined are ``rooms``, in order."""
    page.wait(
        lambda: page.texts("#rooms .conversation:not(.away) .name") == list(rooms) or None,
        f"the rooms {', '.join(rooms)}",
    )


def answered_in_order(page: Page, text: str) -> None:
    """Say ``text`` in the room shown and wait for it: whatever the page sent before has been answered."""
    page.say(text)
    page.wait_for_said(text)


def invite_only(client: LineClient, room: str) -> None:
    """``client`` makes ``room`` and sets it invite-only, past the server's word of it."""
    switch(client, room)
    client.say(f"/mode {room} +i")
    while b"made the room invite-only" not in client.read_line():
        pass


class JoinLinkTests(SynchronousTestCase):
    """The page's ``?join=`` and its link to the room shown, on a daemon the class's tests share
    (``SharedDaemon``), each with users of its own in rooms that go with them."""

    shared = SharedDaemon(SHARED_WEB)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def test_a_link_with_two_rooms_lands_in_both_the_first_shown(self) -> None:
        """alice opens the page at ``?join=maths,%23physics``: once her nickname is taken she is in #maths and
        #physics beside #lobby, #maths shown, and the page's address no longer asks for them."""
        _, url = lent_web(self.shared, self)
        alice = Page(self, f"{url}?join=maths,%23physics")
        alice.login("alice")
        wait_for_rooms(alice, "#lobby", "#maths", "#physics")
        self.assertEqual(alice.title(), "#maths")
        self.assertEqual(alice.driver.current_url, url)
        quiet(self, alice, no_error_shown=True)

    def test_what_the_link_cannot_join_is_one_line_each_and_the_rest_is_joined(self) -> None:
        """carol made #secret invite-only; alice's link names ``secret``, ``maths``, ``my room`` and a name with a
        line break and a bidi override. She is in #maths, shown as the first room the server took, where one line
        each says the page sent nothing for the last two, and one says, in the server's words, that #secret is
        invite-only; #lobby's log says neither. The page quotes the last name with U+FFFD for its line break and
        override: whoever made the link put a line of their own in the page's words, and turned the rest of its
        sentence around."""
        daemon, url = lent_web(self.shared, self)
        invite_only(enter(daemon, "carol"), "#secret")
        alice = Page(
            self, f"{url}?join=secret,maths,my%20room,x%0AThe%20server:%20type%20your%20password%E2%80%AE"
        )
        record(alice)
        alice.login("alice")
        wait_for_rooms(alice, "#lobby", "#maths")
        alice.wait(
            lambda: len(alice.texts(ERRORS)) == 3 or None, "three lines of what the link could not join"
        )
        self.assertEqual(alice.title(), "#maths")
        self.assertEqual(
            alice.texts(ERRORS),
            [
                "This page's link names “#my room”, no room name: a room name is one word, without spaces (and a "
                "link carries no room key: type /join #room KEY). It was not joined.",
                "This page's link names “#x\ufffdThe server: type your password\ufffd”, no room name: a room name is "
                "one word, without spaces (and a link carries no room key: type /join #room KEY). It was not joined.",
                "#secret is invite-only; ask one of its operators to /invite you",
            ],
        )
        self.assertEqual(
            [line for line in sent(alice) if line.startswith("/join")], ["/join #secret", "/join #maths"]
        )
        alice.open("#lobby")
        self.assertEqual(alice.texts(ERRORS), [])
        quiet(self, alice)

    def test_a_room_left_is_joined_again_neither_by_a_reconnection_nor_by_a_reload(self) -> None:
        """alice came by ``?join=#maths,#physics`` typed as it is (the browser reads ``#maths,#physics`` as the
        address's fragment, which the page takes out with ``join``) and left #physics: after a dropped connection,
        and then after a reload, her page is back in #lobby and #maths only."""
        _, url = lent_web(self.shared, self)
        alice = Page(self, f"{url}?join=#maths,#physics")
        alice.login("alice")
        wait_for_rooms(alice, "#lobby", "#maths", "#physics")
        self.assertEqual(alice.driver.current_url, url)
        alice.say("/part #physics")
        wait_for_rooms(alice, "#lobby", "#maths")
        alice.note_statuses()
        alice.script("window.chatd.link.restart();")
        alice.wait_for_status("Reconnected.", "the page to come back")
        answered_in_order(alice, "back after a drop")
        self.assertEqual(alice.texts("#rooms .name"), ["#lobby", "#maths"])
        alice.driver.refresh()
        alice.wait_in("alice")
        wait_for_rooms(alice, "#lobby", "#maths")
        answered_in_order(alice, "back after a reload")
        self.assertEqual(alice.texts("#rooms .name"), ["#lobby", "#maths"])
        quiet(self, alice, no_error_shown=True)

    def test_the_link_shown_for_a_room_copies_and_opens_it_in_another_page(self) -> None:
        """alice in #maths has the header's "Copy link", the page's own address with ``?join=maths``: a click
        copies it, and says that, from a page at 127.0.0.1, it opens on this computer only (not so from one at the
        address of the network); bob, opening it in another browser, lands in #maths beside her."""
        _, url = lent_web(self.shared, self)
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#maths")
        link = alice.find("#room-link")
        address = f"{url}?join=maths"
        self.assertEqual((link.get_attribute("href"), link.accessible_name), (address, "Copy link to #maths"))
        alice.driver.execute_cdp_cmd(
            "Browser.grantPermissions",
            {"origin": origin(url), "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
        )
        link.click()
        alice.wait(
            lambda: (
                alice.status()
                == f"Copied the link to #maths: {address} (it opens the chat on this computer only: to hand it out, open "
                "this page at this computer's address on the network, as the others will, and copy the link there)"
                or None
            ),
            "the link copied, and said to work on this computer only",
        )
        self.assertEqual(alice.script("return navigator.clipboard.readText();"), address)
        here_only = alice.driver.execute_async_script(
            "const [addresses, done] = arguments;"
            "import('/joinlink.js').then((m) => done(addresses.map((a) => m.onThisComputerOnly(new URL(a)))));",
            [
                "http://localhost:8080/",
                "http://[::1]:8080/",
                "http://192.168.1.20:8080/",
                "https://chat.example.org/",
            ],
        )
        self.assertEqual(here_only, [True, True, False, False])
        bob = Page(self, address)
        bob.login("bob")
        bob.wait(lambda: bob.title() == "#maths" or None, "#maths shown to bob")
        alice.wait_for_member("bob")
        quiet(self, alice)
        quiet(self, bob)

    def test_a_tab_in_the_chat_that_goes_to_a_link_takes_its_nickname_there(self) -> None:
        """alice, in the chat, opens the link to #maths in the same tab: the page she leaves, kept for the Back button,
        lets its connection go, so the page at the link takes her nickname at once and lands her in #maths, where
        bob reads her. The page kept with its socket open held her nickname for minutes, and the new one gave up."""
        daemon, url = lent_web(self.shared, self)
        bob = enter(daemon, "bob")
        switch(bob, "#maths")
        alice = Page(self, url)
        alice.login("alice")
        alice.driver.get(f"{url}?join=maths")
        wait_for_rooms(alice, "#lobby", "#maths")
        answered_in_order(alice, "here by the link")
        while b"<alice> here by the link" not in bob.read_line():
            pass
        quiet(self, alice, no_error_shown=True)
