"""A password reset under a page that kept the old one, in a real headless Chromium against a real daemon: coming back
after a dropped connection, the page's /identify with the old password is refused, and the login says why in the
page's own words, not the server's answer to a password the user never typed there."""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.daemon import opers_file
from tests.e2e.test_client_resume import enter
from tests.e2e.test_web_files import drop_socket
from tests.e2e.test_web_page import registered_in_page, wait_for_text
from tests.helpers import quick_hash


class PasswordResetPageTests(SynchronousTestCase):
    def test_a_kept_password_refused_on_coming_back_is_asked_for_again_in_words(self) -> None:
        """alice registered in her page (hunter22); an operator gives her account a new password. Her connection
        drops: the page identifies with the password it kept, is refused once, forgets it and asks for it, saying
        it may have been changed; the new one gets her in. (It showed "wrong password, or alice is not
        registered" beside an empty password box.)"""
        daemon, url = start_web(self, "--opers", opers_file(self, quick_hash("boss-pass")))
        alice = Page(self, url)
        alice.login("alice")
        registered_in_page(alice)
        teacher = enter(daemon, "teacher")
        teacher.say("/oper boss boss-pass")
        teacher.expect("*** You are now an operator.")
        teacher.say("/account password alice first-week-2026")
        wait_for_text(
            alice,
            "#log-box .log .line.password_set .body",
            "The operator teacher set a new password for your account alice; /password OLD NEW chooses your own",
        )
        drop_socket(alice)
        wait_for_text(
            alice, "#login-error", "Your password was not accepted; it may have been changed. Type it again."
        )
        self.assertEqual(alice.script("return window.chatd.password;"), None)
        alice.login("alice", "first-week-2026")
        quiet(self, alice)
