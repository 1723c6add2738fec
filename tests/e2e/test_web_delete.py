"""Deleting a line from the page, in real headless Chromiums against a real daemon: the line's own "delete" button,
asked twice, sends /delete; every page showing the line, its log and its search results, shows "deleted by" in its
place; a typed /delete of someone else's line is refused as a refused command is; a reload's replay leaves it out;
a server operator's pages, and a room operator's, offer the button on others' lines drawn before, and take it
away with the standing; a page away when its line was deleted shows it deleted once it is back, after a kill -9 of the daemon."""

import signal
from functools import partial

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web, web_url
from tests.e2e.daemon import Daemon, opers_file
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_client_resume import enter, said_by
from tests.e2e.test_web_page import registered_in_page, registered_on_nc, restarted
from tests.helpers import new_database, quick_hash

NOT_YOURS = "the line {} is not yours to delete: only #lobby's owner, its operators and server operators delete others' lines"


def marked(page: Page) -> None:
    """Wait until ``page``'s log shows its one deleted line as alice's deletion."""
    page.wait(
        lambda: page.texts("#log-box .log .line.deleted .body") == ["deleted by alice"] or None,
        "the line marked deleted",
    )


def delete_buttons(line: WebElement) -> list[WebElement]:
    """The delete button of the log's ``line``, shown only as it is pointed at but there all the same; or none."""
    return line.find_elements(By.CSS_SELECTOR, ".delete-line")


class DeletePageTests(SynchronousTestCase):
    def test_a_line_deleted_from_its_button_goes_from_every_page(self) -> None:
        """alice's two presses of her line's delete button: on both pages the line, and bob's search hit of it, say
        "deleted by alice" and no longer its text; bob's page offered him no button on her line, and his typed
        /delete of it was refused in his log; reloaded, bob's page replays the line after it alone."""
        _, url = start_web(self)
        alice, bob = Page(self, url), Page(self, url)
        alice.login("alice")
        bob.login("bob")
        alice.say("my password is hunter2")
        alice.say("please ignore that")
        line = bob.wait_for_said("my password is hunter2")
        line_id = str(line.get_attribute("data-id"))
        self.assertEqual(line.find_elements(By.CSS_SELECTOR, ".delete-line"), [])
        bob.say(f"/delete {line_id}")
        bob.wait(
            lambda: NOT_YOURS.format(line_id) in bob.texts("#log-box .log .line.error .text") or None,
            "the refusal of bob's /delete",
        )
        bob.say("/search hunter2")
        bob.wait(
            lambda: bob.texts("#results-list .hit .text") == ["my password is hunter2"] or None, "the hit"
        )

        own = alice.wait_for_said("my password is hunter2")
        ActionChains(alice.driver).move_to_element(own).perform()  # the button shows on hover
        button = own.find_element(By.CSS_SELECTOR, ".delete-line")
        button.click()
        self.assertEqual(button.text, "delete for everyone?")
        self.assertEqual(alice.said(), ["my password is hunter2", "please ignore that"])
        button.click()

        for page in (alice, bob):
            marked(page)
            self.assertEqual(page.said(), ["please ignore that"])
        self.assertEqual(bob.texts(f'#results-list li[data-id="{line_id}"] .body'), ["deleted by alice"])
        self.assertNotIn("hunter2", bob.find("body").text)

        bob.driver.refresh()
        bob.wait_in("bob")
        bob.wait_for_said("please ignore that")
        self.assertEqual(bob.said(), ["please ignore that"])
        quiet(self, alice)
        quiet(self, bob)

    def test_a_server_operator_deletes_others_lines_from_the_button(self) -> None:
        """ops, with no @ in #lobby (the server's room), has no button on bob's line, in either of his two tabs (one
        account), until his /oper in the first is answered; then the line, drawn already, has one in both, as the
        server lets an operator delete any line, and two presses in the other tab delete it."""
        _, url = start_web(self, "--opers", opers_file(self, quick_hash("pw")))
        ops, bob = Page(self, url), Page(self, url)
        ops.login("ops")
        registered_in_page(ops)
        other = Page(self, url)
        other.login("ops", "hunter22")
        bob.login("bob")
        bob.say("spam spam spam")
        lines = [page.wait_for_said("spam spam spam") for page in (ops, other)]
        for line in lines:
            self.assertEqual(delete_buttons(line), [])
        ops.say("/oper boss pw")
        for page, line in zip((ops, other), lines, strict=True):
            page.wait(partial(delete_buttons, line), "the button")  # an empty list is waited past, as None
        ActionChains(other.driver).move_to_element(lines[1]).perform()  # the button shows on hover
        button = lines[1].find_element(By.CSS_SELECTOR, ".delete-line")
        button.click()
        button.click()
        bob.wait(
            lambda: bob.texts("#log-box .log .line.deleted .body") == ["deleted by ops"] or None,
            "bob's line marked deleted",
        )
        self.assertEqual(bob.said(), [])
        quiet(self, ops)
        quiet(self, other)
        quiet(self, bob)

    def test_the_button_on_others_lines_comes_and_goes_with_the_room_operator_standing(self) -> None:
        """In #dev, made by alice, bob's page offers no button on carol's line until alice gives him @ (/mode +o),
        then offers it on that line, drawn already; once she takes @ back (-o) the button goes again."""
        _, url = start_web(self)
        alice, bob, carol = Page(self, url), Page(self, url), Page(self, url)
        for page, nick in ((alice, "alice"), (bob, "bob"), (carol, "carol")):
            page.login(nick)
            page.join("#dev")
        bob.wait_for_member("carol")
        carol.say("a line for the moderators")
        line = bob.wait_for_said("a line for the moderators")
        self.assertEqual(delete_buttons(line), [])
        alice.say("/mode #dev +o bob")
        bob.wait(lambda: delete_buttons(line) or None, "the button once bob holds @")
        alice.say("/mode #dev -o bob")
        bob.wait(lambda: delete_buttons(line) == [] or None, "no button once bob's @ is taken")
        quiet(self, bob)

    def test_a_refused_delete_is_said_on_its_line_and_its_button_works_again(self) -> None:
        """alice, a guest, said a line and then left the nickname and took it back: her page still offers the line's
        delete button, and the server refuses the delete (the line is not provably hers). The refusal is said on the
        line, not in the log, and the button is a first press again, not disabled for good."""
        _, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        alice.say("said as the first alice")
        alice.say("/nick alicia")
        alice.say("/nick alice")
        alice.wait(lambda: len(alice.texts("#log-box .log .line.nick_changed")) == 2 or None, "both renames")
        own = alice.wait_for_said("said as the first alice")
        line_id = str(own.get_attribute("data-id"))
        ActionChains(alice.driver).move_to_element(own).perform()  # the button shows on hover
        button = own.find_element(By.CSS_SELECTOR, ".delete-line")
        button.click()
        button.click()

        refusal = alice.wait(
            lambda: alice.texts(f'#log-box .log li[data-id="{line_id}"] .delete-refused') or None,
            "the refusal on the line",
        )
        self.assertEqual(refusal, [f"Not deleted: {NOT_YOURS.format(line_id)}"])
        self.assertTrue(button.is_enabled())
        self.assertEqual(button.get_attribute("textContent"), "delete")
        self.assertEqual(alice.texts("#log-box .log .line.error"), [])
        self.assertEqual(alice.said(), ["said as the first alice"])
        quiet(self, alice)

    def test_a_line_deleted_while_the_page_was_away_is_shown_deleted_when_it_comes_back(self) -> None:
        """bob's page shows alice's line; the daemon is killed (kill -9) under it. While the page is away, the daemon
        is started again on its --db file and port, and alice, registered on nc, identifies and deletes the line. The
        page comes back by itself (/resume, naming the line as the last it saw) and shows the line as "deleted by
        alice (pasted a password)": its text is nowhere on the page."""
        db = ("--db", new_database(self))
        daemon, url = start_web(self, *db)
        alice = registered_on_nc(daemon, "alice", "secret-pass-1")
        bob = Page(self, url)
        bob.login("bob")
        said_by(alice, "my password is hunter2")
        line_id = str(bob.wait_for_said("my password is hunter2").get_attribute("data-id"))

        self.assertEqual(daemon.signal(signal.SIGKILL), -signal.SIGKILL)
        bob.wait(
            lambda: bob.status().startswith("Disconnected") or None, "the page to say it is disconnected"
        )
        port = url.rstrip("/").rsplit(":", 1)[1]

        def started_and_deleted() -> Daemon:
            started = Daemon.start(self, [*LOOPBACK, *db, "--web-port", port])
            self.assertEqual(web_url(started), url)
            identified = enter(
                started, "alice secret-pass-1"
            )  # the line is her account's, after the restart too
            said_by(
                identified,
                f"/delete {line_id} pasted a password",
                f"-- alice deleted the line {line_id} (pasted a password)",
            )
            return started

        bob.note_statuses()
        restarted(bob, started_and_deleted)
        bob.wait_for_status("Reconnected.", "the page to say it is back")
        bob.wait(
            lambda: (
                bob.texts("#log-box .log .line.deleted .body") == ["deleted by alice (pasted a password)"]
                or None
            ),
            "the line marked deleted",
        )
        self.assertEqual(bob.said(), [])
        self.assertNotIn("hunter2", bob.driver.page_source)
        quiet(self, bob)
