"""What chatd's page shows a reader, in a real headless Chromium against a real daemon (issue 14).

Each test holds a defect a user met while reading the page as what the page
now shows instead. The set-up is tests/e2e/browser.py's, with the helpers of
test_web_page.py.
"""

import signal

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import SHARED_WEB, Page, lent_web, quiet, start_web, web_url
from tests.e2e.daemon import Daemon, SharedDaemon
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_client_resume import enter, said_by, switch
from tests.e2e.test_web_page import (
    FAST,
    heard_of,
    kicked_out,
    leave_lobby,
    numbered_lines,
    registered_in_page,
    registered_on_nc,
    reloaded_asking_for_the_password,
    restarted,
    wait_for_answer,
    wait_for_text,
)
from tests.helpers import new_database

PHONE = {"width": 360, "height": 740}
"""A phone's window: the rooms and members fold behind buttons."""


def folded(page: Page) -> bool | None:
    """Whether ``page`` is at phone width, the rooms list hidden behind its button (None if not)."""
    return (page.find("#rooms-toggle").is_displayed() and not page.find("#side").is_displayed()) or None


def typed_join(page: Page, room: str) -> None:
    """Join ``room`` by typing /join in the message box (the join box is folded away at phone width)."""
    page.say(f"/join {room}")
    page.wait(lambda: page.title() == room or None, f"{room} to be shown")


PLACEHOLDER = (
    "const box = document.getElementById('composer-text'), style = getComputedStyle(box);"
    "const context = document.createElement('canvas').getContext('2d');"
    "context.font = style.font;"
    "const shown = box.placeholder, high = box.getBoundingClientRect().height;"
    "box.placeholder = 'M';"
    "const one = box.getBoundingClientRect().height;"
    "box.placeholder = shown;"
    "const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);"
    "return [shown, context.measureText(shown).width <= room, high === one];"
)
"""The message box's placeholder, whether it is as wide as the box's text at most, and whether the box is as tall
with it as with one letter (it grows to fit its placeholder: one that wraps makes it two lines tall)."""


class PhoneTests(SynchronousTestCase):
    """The page at phone width shows what the desktop page shows."""

    shared = SharedDaemon(SHARED_WEB)
    """The class's tests take turns on one daemon, each with users and rooms of its own (``SHARED_WEB``)."""

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def test_at_390_px_the_message_boxs_placeholder_fits_on_one_line(self) -> None:
        """On a 390 px phone, in #boardgames, in no room, and after /quit, the message box says what it is for on one
        line, in fewer words: "Message #boardgames" wrapped onto two, and made the box two lines tall. In a wide
        window again it says it whole."""
        _, url = lent_web(self.shared, self)
        page = Page(self, url)
        page.as_phone()
        page.login("pat")
        page.wait(lambda: folded(page), "the phone layout")
        typed_join(page, "#boardgames")
        seen = [page.script(PLACEHOLDER)]
        page.say("/part #boardgames")
        page.say("/part #lobby")
        page.wait(lambda: page.find("#no-room").is_displayed() or None, "no room shown")
        seen.append(page.script(PLACEHOLDER))
        page.say("/quit")
        page.wait(lambda: not page.find("#composer-text").is_enabled() or None, "the goodbye")
        seen.append(page.script(PLACEHOLDER))
        self.assertEqual(
            seen,
            [["Message", True, True], ["Type /join #room", True, True], ["You left the chat", True, True]],
        )
        page.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        page.wait(
            lambda: (
                page.script(PLACEHOLDER) == ["You left the chat: reload the page to come back", True, True]
                or None
            ),
            "the whole placeholder back in a wide window",
        )
        quiet(self, page)

    def test_the_rooms_button_counts_what_is_unread_in_the_rooms_it_hides(self) -> None:
        """alice reads #dev on a phone; carol says two lines in #lobby, one naming alice: the Rooms button says
        2 unread, 1 mention, as #lobby's item in the folded list does; opening #lobby clears both."""
        daemon, url = lent_web(self.shared, self)
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


LONG_NICK = "W" * 24
"""The longest nickname the server takes (24 characters), of the widest letter."""

OVERFLOWING = (
    "return Array.from(document.querySelectorAll(arguments[0]), (node) => node.scrollWidth > node.clientWidth)"
    "  .filter(Boolean).length;"
)
"""How many of the elements matching a selector hold content wider than themselves (scrolled or pushed out)."""


class LongNameTests(SynchronousTestCase):
    """A long nickname is cut or wrapped where it is shown; it never makes the page wider."""

    def test_a_long_nickname_stays_inside_the_member_list_and_the_log(self) -> None:
        """A 24-W nickname on nc says a line in #lobby: in alice's page, at desktop and at phone width, no member
        button, member list, log or the page itself is wider than its box; the member's name is cut with an
        ellipsis and stays whole for a screen reader."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        said_by(enter(daemon, LONG_NICK), "a line from a long name")
        alice.wait_for_member(LONG_NICK)
        alice.wait_for_said("a line from a long name")
        for width in (1280, PHONE["width"]):
            alice.driver.set_window_size(width, PHONE["height"])
            if width < 1280:
                alice.wait(lambda: folded(alice), "the phone layout")
                alice.find("#members-toggle").click()
                alice.wait(lambda: alice.find("#members").is_displayed() or None, "the members panel")
            for css in ("#member-list .member", "#members", "#log-box .log", "html"):
                self.assertEqual(alice.script(OVERFLOWING, css), 0, f"{css} at {width} px")
            [cut] = [
                nick
                for nick in alice.driver.find_elements(By.CSS_SELECTOR, "#member-list .member .nick")
                if nick.get_attribute("textContent") == LONG_NICK
            ]
            self.assertEqual(cut.value_of_css_property("text-overflow"), "ellipsis")
        quiet(self, alice)


class SearchTests(SynchronousTestCase):
    """Search results belong to the room searched."""

    def search(self, page: Page, words: str, heading: str) -> None:
        """Search the room shown for ``words`` and wait until the results say ``heading``."""
        box = page.find("#search-words")
        box.clear()
        box.send_keys(words, Keys.ENTER)
        page.wait(lambda: page.texts("#results-heading") == [heading] or None, heading)
        self.assertTrue(page.find("#results").is_displayed())

    def closed(self, page: Page) -> bool | None:
        """Whether no search results show, and none wait in the closed panel (None if some do)."""
        return (not page.find("#results").is_displayed() and page.texts("#results-list .hit") == []) or None

    def test_switching_to_another_room_or_leaving_the_room_closes_its_results(self) -> None:
        """alice's search of #lobby finds carol's line; showing #dev closes the results, and they are not back
        with #lobby. Searched again, they close as alice leaves #lobby."""
        daemon, url = start_web(self)
        said_by(enter(daemon, "carol"), "the needle is in the lobby")
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#dev")
        alice.open("#lobby")
        self.search(alice, "needle", "1 found in #lobby")
        alice.open("#dev")
        alice.wait(lambda: self.closed(alice), "the results of #lobby to close in #dev")
        alice.open("#lobby")
        self.assertTrue(self.closed(alice))
        self.search(alice, "needle", "1 found in #lobby")
        alice.find("#rooms .conversation .leave[aria-label='Leave #lobby']").click()
        alice.wait(lambda: alice.title() == "#dev" or None, "#dev, once #lobby is left")
        alice.wait(lambda: self.closed(alice), "the results of #lobby to close as alice leaves it")
        quiet(self, alice)

    def test_a_search_typed_in_the_message_box_shows_its_results(self) -> None:
        """alice types ``/search needle`` in #lobby, as nc users do: the results show as the search box's would,
        the words in the box. From #dev, ``/search #lobby needle`` shows #lobby with its results. The server's
        answer was shown nowhere: the page had not asked for it."""
        daemon, url = start_web(self)
        said_by(enter(daemon, "carol"), "the needle is in the lobby")
        alice = Page(self, url)
        alice.login("alice")
        alice.say("/search needle")
        alice.wait(lambda: alice.texts("#results-heading") == ["1 found in #lobby"] or None, "the results")
        self.assertEqual(alice.texts("#results-list .hit .text"), ["the needle is in the lobby"])
        self.assertEqual(alice.find("#search-words").get_attribute("value"), "needle")
        alice.join("#dev")
        alice.wait(lambda: self.closed(alice), "the results of #lobby to close in #dev")
        alice.say("/search #lobby needle")
        alice.wait(
            lambda: alice.texts("#results-heading") == ["1 found in #lobby"] or None, "#lobby's results"
        )
        self.assertEqual(alice.title(), "#lobby")
        quiet(self, alice, no_error_shown=True)

    def test_a_refused_search_says_why_in_the_results(self) -> None:
        """alice searches #lobby for nine words, one more than a search takes: the results say why it could not
        search, not "Searching" for ever, and a search of fewer words is answered after it."""
        _, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        self.search(
            alice,
            "one two three four five six seven eight nine",
            "Could not search #lobby: a search looks for 1 to 8 words, not 9",
        )
        self.search(alice, "one two", "Nothing found in #lobby")

    def test_a_search_while_the_connection_is_down_says_it_could_not_search(self) -> None:
        """alice searches #lobby as the daemon stops answering; its connection then drops: the results say the
        search was cut off, not "Searching" for ever. Searched while down, it is not sent and says so. Back on
        a restarted daemon, the page comes back in by itself and a search finds carol's line."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        daemon.process.send_signal(signal.SIGSTOP)
        self.search(alice, "needle", "Searching #lobby…")
        daemon.signal(signal.SIGKILL)
        alice.wait(
            lambda: alice.status().startswith("Disconnected") or None, "the page to say it is disconnected"
        )
        self.assertEqual(
            alice.texts("#results-heading"),
            ["Could not search #lobby: the connection dropped. Search again once reconnected."],
        )
        self.search(alice, "needle", "Could not search #lobby: not connected. Search again once reconnected.")
        # The status line still counts down to the next attempt.
        self.assertTrue(alice.status().startswith("Disconnected"), alice.status())
        port = url.rstrip("/").rsplit(":", 1)[1]
        alice.note_statuses()
        daemon = restarted(alice, lambda: Daemon.start(self, [*LOOPBACK, "--web-port", port]))
        alice.wait_for_status("Reconnected.", "the page to say it is back")
        said_by(enter(daemon, "carol"), "the needle is in the lobby")
        alice.wait_for_said("the needle is in the lobby")
        self.search(alice, "needle", "1 found in #lobby")
        quiet(self, alice)

    def test_lines_typed_while_disconnected_say_not_connected(self) -> None:
        """The daemon gone, alice types a line, /who and /me in #lobby: each time the page says it is not
        connected and keeps the line, not that she is out of #lobby (every room reads as left while down). Each
        saying is waited for among all the status line said, as the next reconnection attempt rewrites it."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        daemon.signal(signal.SIGKILL)
        alice.wait(
            lambda: alice.texts("#rooms .conversation.disconnected .name") == ["#lobby"] or None,
            "#lobby to read disconnected",
        )
        alice.note_statuses()
        box = alice.find("#composer-text")
        for line in ("hello", "/who", "/me waves"):
            box.send_keys(line, Keys.ENTER)
            alice.wait_for_status(
                "Not connected: that was not sent. Reconnecting…", f"the page to say {line!r} was not sent"
            )
            self.assertEqual(box.get_attribute("value"), line)
            box.clear()
        quiet(self, alice, daemon_down=True)


LINKS = "return Array.from(document.querySelectorAll(arguments[0]), (a) => [a.textContent, a.href, a.target, a.rel]);"
"""Each link matching a selector as [its text, its address, its target, its rel]."""

SAFE = ("_blank", "noopener noreferrer")
"""A link's target and rel: a new tab that gets no hold on the page, nor the page's address."""


class LinkTests(SynchronousTestCase):
    """Web addresses in what people write are links; a topic too long for the bar can be read whole."""

    shared = SharedDaemon(SHARED_WEB)
    """The class's tests take turns on one daemon, each with users and rooms of its own (``SHARED_WEB``)."""

    @classmethod
    def tearDownClass(cls) -> None:
        cls.shared.stop()

    def test_web_addresses_in_a_message_are_links_and_nothing_else_is(self) -> None:
        """carol's line holds two http(s) addresses among punctuation, markup, other schemes and a bare name:
        alice's page makes links of the two only, without the punctuation, opening in a new tab."""
        daemon, url = lent_web(self.shared, self)
        carol = enter(daemon, "carol")
        alice = Page(self, url)
        alice.login("alice")
        text = (
            'see https://example.org/a_(b)?q=1&r=2, (or http://x.example/"><img src=x onerror=window.__xss=7>) '
            "not javascript:window.__xss=8 nor ftp://files.example/x nor www.example.org."
        )
        said_by(carol, text)
        alice.wait_for_said(text)
        self.assertEqual(
            alice.script(LINKS, "#log-box .log .line .text a"),
            [
                ["https://example.org/a_(b)?q=1&r=2", "https://example.org/a_(b)?q=1&r=2", *SAFE],
                ["http://x.example/", "http://x.example/", *SAFE],
            ],
        )
        self.assertEqual(alice.texts("#log-box .log img"), [])
        self.assertIsNone(alice.script("return window.__xss;"))
        quiet(self, alice)

    def test_an_address_that_names_another_site_is_no_link_and_a_look_alike_shows_where_it_goes(self) -> None:
        """An address with a name before its host (the text reads one site, the link goes to another) stays text;
        a host with a look-alike letter is a link whose title is where it goes: its punycode."""
        daemon, url = lent_web(self.shared, self)
        carol = enter(daemon, "carol")
        alice = Page(self, url)
        alice.login("alice")
        text = "http://bank.example@evil.example/login and https://ex\u0430mple.com/"
        said_by(carol, text)
        alice.wait_for_said(text)
        titles = (
            "return Array.from(document.querySelectorAll(arguments[0]), (a) => [a.textContent, a.title]);"
        )
        self.assertEqual(
            alice.script(titles, "#log-box .log .line .text a"),
            [["https://ex\u0430mple.com/", "https://xn--exmple-4nf.com/"]],
        )
        quiet(self, alice)

    def test_a_long_topic_is_read_whole_on_a_phone_and_its_address_is_a_link(self) -> None:
        """At phone width carol's long topic is cut to one line; a tap on it shows it whole, within the page's
        width, and "Less" cuts it again. Its address is a link."""
        daemon, url = lent_web(self.shared, self)
        carol = enter(daemon, "carol")
        topic = (
            "Release on Friday: read https://example.org/notes first, and ask carol about anything unclear"
        )
        carol.say(f"/topic {topic}")
        alice = Page(self, url, **PHONE)
        alice.login("alice")
        wait_for_text(alice, "#topic", topic)
        shown = alice.find("#topic")
        one_line = shown.rect["height"]
        self.assertGreater(
            alice.script("return arguments[0].scrollWidth - arguments[0].clientWidth;", shown), 0
        )
        self.assertEqual(
            alice.script(LINKS, "#topic a"),
            [["https://example.org/notes", "https://example.org/notes", *SAFE]],
        )
        # A tap on its first word, not on the link.
        ActionChains(alice.driver).move_to_element_with_offset(
            shown, -shown.rect["width"] // 2 + 4, 0
        ).click().perform()
        alice.wait(lambda: shown.rect["height"] > 2 * one_line or None, "the whole topic, on several lines")
        self.assertEqual(
            alice.script("return arguments[0].scrollWidth - arguments[0].clientWidth;", shown), 0
        )
        self.assertEqual(alice.script(OVERFLOWING, "html"), 0)
        toggle = alice.find("#topic-toggle")
        self.assertEqual(toggle.get_attribute("aria-expanded"), "true")
        toggle.click()
        alice.wait(lambda: shown.rect["height"] == one_line or None, "the topic cut to one line again")
        self.assertEqual(toggle.get_attribute("aria-expanded"), "false")
        quiet(self, alice)


def reloaded(alice: Page, shown: str, rooms: list[str]) -> None:
    """Reload alice's page; wait until it is back in as alice, in ``rooms``, showing ``shown``."""
    alice.driver.refresh()
    alice.wait_in("alice")
    alice.wait(lambda: alice.title() == shown or None, f"{shown} shown again after the reload")
    alice.wait(
        lambda: alice.texts("#rooms .conversation:not(.away) .name") == rooms or None,
        f"alice in {rooms} again",
    )


class ReloadTests(SynchronousTestCase):
    """A reload comes back to where the tab was, as the terminal client does after a dropped connection."""

    def test_a_reload_comes_back_to_the_tabs_rooms_and_private_conversations(self) -> None:
        """alice joins #dev and #ops, leaves #lobby, talks with carol in private and reads #dev: reloaded, her
        page takes her nickname again by itself, is in #dev and #ops only (carol on nc sees her there, #dev
        joined last, as the room shown is the current one), lists them in their order, lists carol under
        Private and shows #dev. A new tab starts afresh, at the nickname box."""
        daemon, url = start_web(self)
        carol = enter(daemon, "carol")
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#dev")
        alice.join("#ops")
        leave_lobby(alice, "#dev", "#ops")
        carol.say("/msg alice psst")
        alice.wait(lambda: alice.texts("#privates .name") == ["carol"] or None, "a conversation with carol")
        alice.open("#dev")

        reloaded(alice, "#dev", ["#dev", "#ops"])
        self.assertEqual(alice.texts("#privates .name"), ["carol"])
        carol.say("/whois alice")
        while b"alice is in" not in (line := carol.read_line()):
            pass
        self.assertEqual(line, b"*** alice is in #ops #dev\r\n")

        alice.driver.switch_to.new_window("tab")
        alice.driver.get(url)
        alice.wait(lambda: alice.find("#login-nick").is_enabled() or None, "the nickname box in a new tab")
        self.assertEqual(alice.find("#login-nick").get_attribute("value"), "")
        self.assertEqual(alice.texts("#privates .name"), [])
        quiet(self, alice)

    def test_a_reload_out_of_the_default_room_is_not_seen_there(self) -> None:
        """alice left #lobby for #dev, where nothing was said: reloaded, her page is back in #dev alone and
        shows it, and carol, in #lobby on nc, sees her neither join nor leave #lobby."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#dev")
        leave_lobby(alice, "#dev")
        carol = enter(daemon, "carol")

        reloaded(alice, "#dev", ["#dev"])
        self.assertEqual(heard_of(carol, "alice"), [b"*** alice is in #dev\r\n"])
        quiet(self, alice)

    def test_a_reload_in_the_default_room_too_shows_the_room_read_before(self) -> None:
        """alice stays in #lobby, joins #dev and reads it: reloaded, the page shows #dev again, not #lobby."""
        _, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        alice.join("#dev")
        alice.open("#dev")
        reloaded(alice, "#dev", ["#lobby", "#dev"])
        quiet(self, alice)

    def test_a_reload_with_a_registered_nickname_asks_for_its_password_in_the_pages_words(self) -> None:
        """alice registered from the message box, so her page keeps no password: reloaded, it asks for alice,
        and the login says, with no command to type, that alice is registered and wants its password, and
        puts the cursor in the password box; AIice, which only looks like alice, is told to choose another
        (no password helps); a wrong password puts the cursor back in the password box; alice's password gets her
        back in."""
        _, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        registered_in_page(alice)
        reloaded_asking_for_the_password(alice)
        self.assertIsNone(alice.find("#login-box").get_attribute("hidden"))
        self.assertEqual(alice.find("#login-nick").get_attribute("value"), "alice")
        self.assertEqual(alice.script("return document.activeElement.id;"), "login-password")
        box = alice.find("#login-nick")
        box.clear()
        box.send_keys("AIice", Keys.ENTER)
        wait_for_text(
            alice, "#login-error", "AIice looks like alice, which is registered; choose another nickname"
        )
        alice.wait(lambda: box.is_enabled() or None, "the nickname box")
        box.clear()
        box.send_keys("alice")
        alice.find("#login-password").send_keys("not-the-password")
        box.send_keys(Keys.ENTER)
        wait_for_text(alice, "#login-error", "wrong password, or alice is not registered")
        self.assertEqual(alice.script("return document.activeElement.id;"), "login-password")
        alice.find("#login-password").clear()
        alice.login("alice", "hunter22")
        self.assertEqual(alice.title(), "#lobby")
        quiet(self, alice)


LOBBY_LOG = "return window.chatd.conversations.get('#lobby').log.textContent;"
"""What #lobby's log holds, shown or not."""


def in_order(page: Page, *parts: str) -> list[str]:
    """Which of ``parts`` the lines of the log shown hold, in the order of those lines."""
    return [part for line in page.texts("#log-box .log .line .body") for part in parts if part in line]


class OrderTests(SynchronousTestCase):
    """What the page says itself reads in its place among the lines it loads after saying it."""

    def test_after_a_reload_the_history_loaded_reads_above_you_are_identified(self) -> None:
        """alice and carol, both registered, talked in private; alice reloads her page on that conversation and
        gives her password: the two lines the page then loads, said before, read above "You are identified as
        alice.", said as she came back. The notice read above them, first in the conversation."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        registered_in_page(alice)
        carol = registered_on_nc(daemon, "carol")
        carol.say("/msg alice are you coming tonight?")
        alice.wait(lambda: alice.texts("#privates .name") == ["carol"] or None, "a conversation with carol")
        alice.open("carol")
        alice.say("yes, at eight")
        alice.wait_for_said("yes, at eight")

        reloaded_asking_for_the_password(alice)
        alice.login("alice", "hunter22")
        alice.wait(
            lambda: alice.said() == ["are you coming tonight?", "yes, at eight"] or None,
            "the conversation's lines",
        )
        self.assertEqual(alice.title(), "carol")
        self.assertEqual(
            in_order(alice, "tonight?", "at eight", "You are identified as alice."),
            ["tonight?", "at eight", "You are identified as alice."],
        )
        quiet(self, alice)

    def test_a_line_said_before_a_shutdown_and_loaded_after_it_reads_above_the_goodbye(self) -> None:
        """carol kicked alice out of #dev, which her page still shows, and said a line there; the daemon shuts
        down, its goodbye in #dev's log, and comes back on its --db file, where carol says one more line; alice
        joins #dev again: the line said before the shutdown reads above the goodbye, the one after it below. Both
        read below it, where the page had put the goodbye after the last line it had shown."""
        db = ("--db", new_database(self), "--kick-rejoin", "0.1")
        carol, alice = kicked_out(self, *start_web(self, *db))
        said_by(carol, "said while alice was out")
        # A line alice's page hears after it, so the shutdown comes later than a line's way to the page takes:
        # the page tells the server's clock from such lines, each a little late for its wait on the --db file.
        switch(carol, "#lobby")
        said_by(carol, "over in the lobby")
        alice.wait(lambda: "over in the lobby" in alice.script(LOBBY_LOG) or None, "the lobby's line")
        carol.daemon.signal(signal.SIGTERM)
        wait_for_text(alice, "#log-box .log .line.notice .text", "Server shutting down. Goodbye.")

        port = alice.url.rstrip("/").rsplit(":", 1)[1]
        alice.note_statuses()
        daemon = restarted(alice, lambda: Daemon.start(self, [*LOOPBACK, "--web-port", port, *db]))
        alice.wait_for_status("Reconnected.", "the page to be back")
        carol = enter(daemon, "carol")
        carol.say("/join #dev")
        said_by(carol, "said after the restart")
        alice.join("#dev")
        alice.wait_for_said("said after the restart")
        self.assertEqual(
            in_order(alice, "said while alice was out", "Server shutting down.", "said after the restart"),
            ["said while alice was out", "Server shutting down.", "said after the restart"],
        )
        quiet(self, alice)


FLOODING = "You are sending faster than the server allows"


SLOWED = (
    "The server is slowing this page down: too much was asked at once (loading older messages counts), so what "
    "comes next waits its turn."
)
"""What the page says when the server slows its connection."""


def load_older(page: Page) -> None:
    """Click "Load older messages" once it may be clicked, and wait for the older lines."""
    older = page.find("#older")
    shown = len(page.said())
    page.wait(lambda: (older.is_displayed() and older.is_enabled()) or None, "Load older messages")
    older.click()
    page.wait(lambda: len(page.said()) > shown or None, "older lines")


class SlowedTests(SynchronousTestCase):
    """The server's flood limit, met by the page's own requests, is said in the page's words (a user trial)."""

    def test_loading_older_messages_quickly_is_not_told_as_sending_too_fast(self) -> None:
        """bot said 300 lines in #lobby; on the daemon's defaults (a burst of 10 lines, each 50 lines of history
        costing 5 more), alice clicks "Load older messages" five times, as scrolling up does: the server slows her
        page, which says so in its own words, not that she sends faster than the server allows: she typed nothing."""
        db = ("--db", new_database(self))
        daemon, _ = start_web(self, *db, *FAST)
        bot = enter(daemon, "bot")
        # Commands, not plain lines: lines arriving together would be one paste, one line of history.
        bot.send(b"".join(f"/me says {n}\n".encode() for n in range(300)))
        bot.say("/time")
        while not bot.read_line().startswith(b"*** Server time"):
            pass
        self.assertEqual(daemon.signal(signal.SIGTERM), -signal.SIGTERM)

        alice = Page(self, web_url(Daemon.start(self, [*LOOPBACK, "--web-port", "0", *db])))
        alice.login("alice")
        for _ in range(5):
            load_older(alice)
        wait_for_text(alice, "#log-box .log .line.notice .text", SLOWED)
        self.assertEqual([text for text in alice.texts("#log-box .log .line .text") if FLOODING in text], [])
        quiet(self, alice)


class ComingBackTests(SynchronousTestCase):
    """A page coming back into the rooms its user was in is not told it floods (issue 17's trial)."""

    def test_a_reload_into_twenty_busy_rooms_is_not_told_it_floods(self) -> None:
        """alice, registered, is in 20 rooms (the default --max-rooms), 25 lines said in each. The daemon is
        restarted on its defaults (a burst of 10 lines); then alice reloads her page and gives her password: the
        page names the 20 rooms and identifies, is back in all of them, each with its last 20 lines, and
        nowhere says she sends faster than the server allows, for she typed nothing."""
        db = ("--db", new_database(self))
        daemon, url = start_web(self, *db, *FAST)
        alice = Page(self, url)
        alice.login("alice")
        registered_in_page(alice)
        rooms = [f"#r{number:02}" for number in range(1, 20)]
        for room in rooms:
            alice.join(room)
        bot = enter(daemon, "bot")
        for room in ["#lobby", *rooms]:
            # Commands, not plain lines: lines arriving together would be one paste, one line of history.
            bot.send(f"/join {room}\n".encode() + b"".join(f"/me says {n}\n".encode() for n in range(25)))
        bot.say("/time")
        while not bot.read_line().startswith(b"*** Server time"):
            pass

        self.assertEqual(daemon.signal(signal.SIGTERM), -signal.SIGTERM)
        port = url.rstrip("/").rsplit(":", 1)[1]
        restarted(alice, lambda: Daemon.start(self, [*LOOPBACK, "--web-port", port, *db]))
        reloaded_asking_for_the_password(alice)
        alice.login("alice", "hunter22")
        alice.wait(
            lambda: len(alice.texts("#rooms .conversation:not(.away) .name")) == 20 or None,
            "alice in 20 rooms",
        )
        logs = "return [...window.chatd.conversations.values()].map((each) => each.log.textContent);"
        alice.wait(
            lambda: (
                [log for log in alice.script(logs) if "* bot says 24" in log] == alice.script(logs) or None
            ),
            "each room's last lines",
        )
        self.assertEqual(len(alice.script(logs)), 20)
        self.assertEqual([log for log in alice.script(logs) if FLOODING in log or SLOWED in log], [])
        quiet(self, alice)


IN_VIEW = (
    "const [line, log] = [arguments[0].getBoundingClientRect(), arguments[1].getBoundingClientRect()];"
    "return line.top >= log.top && line.bottom <= log.bottom;"
)
"""Whether a line of the log is wholly within the log's box, where the reader sees it."""


class ScrollTests(SynchronousTestCase):
    """A reader scrolled up stays where they are as others talk; what they send themselves shows."""

    def test_a_line_sent_while_scrolled_up_is_shown_and_others_lines_do_not_pull_the_reader_down(
        self,
    ) -> None:
        """alice scrolls up through 40 lines: carol's next line leaves her where she was and offers "New messages
        below", whose click brings that line into view (the log's lines took its clicks); scrolled up again, alice's
        own line brings the log to its end, in view, and the offer goes."""
        daemon, url = start_web(self, "--replay", "100", *FAST)
        carol, texts = numbered_lines(daemon, 40)
        alice = Page(self, url, height=500)
        alice.login("alice")
        alice.wait(lambda: alice.said() == texts or None, "the 40 lines")
        log = alice.find("#log-box .log")
        ActionChains(alice.driver).scroll_from_origin(ScrollOrigin.from_element(log), 0, -400).perform()
        alice.wait(
            lambda: not alice.script(IN_VIEW, alice.wait_for_said("line 40"), log) or None,
            "line 40 out of view",
        )
        reading = alice.script("return arguments[0].scrollTop;", log)

        said_by(carol, "said while alice reads")
        alice.wait_for_said("said while alice reads")
        self.assertEqual(alice.script("return arguments[0].scrollTop;", log), reading)
        alice.wait(lambda: alice.find("#newer").is_displayed() or None, "the offer of new messages below")
        alice.find("#newer").click()
        alice.wait(
            lambda: alice.script(IN_VIEW, alice.wait_for_said("said while alice reads"), log) or None,
            "the new line in view",
        )
        alice.wait(lambda: not alice.find("#newer").is_displayed() or None, "the offer gone")

        ActionChains(alice.driver).scroll_from_origin(ScrollOrigin.from_element(log), 0, -400).perform()
        alice.wait(
            lambda: not alice.script(IN_VIEW, alice.wait_for_said("said while alice reads"), log) or None,
            "the new line out of view",
        )
        alice.say("my own line")
        mine = alice.wait_for_said("my own line")
        alice.wait(lambda: alice.script(IN_VIEW, mine, log) or None, "alice's own line in view")
        alice.wait(lambda: not alice.find("#newer").is_displayed() or None, "the offer gone")
        quiet(self, alice)


class AwayTests(SynchronousTestCase):
    """What someone's /away says reaches those who write to them."""

    def test_a_private_message_to_someone_away_shows_their_away_text(self) -> None:
        """bob on nc is away: alice's /msg to him, typed in #lobby, opens the conversation with bob, which shows
        her message and then, as a block, that bob is away and why. Her own /away is answered too."""
        daemon, url = start_web(self)
        bob = enter(daemon, "bob")
        bob.say("/away gone fishing")
        alice = Page(self, url)
        alice.login("alice")
        alice.say("/away lunch")
        wait_for_text(alice, "#log-box .log .line.notice .text", "You are marked as away.")
        alice.say("/msg bob are you there?")
        alice.wait(lambda: alice.texts("#privates .name") == ["bob"] or None, "a conversation with bob")
        alice.open("bob")
        alice.wait_for_said("are you there?")
        wait_for_answer(alice, ["bob is away: gone fishing"])
        quiet(self, alice)
