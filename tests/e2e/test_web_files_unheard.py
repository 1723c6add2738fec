"""Uploads the server cannot hear of yet, in a real headless Chromium against a real daemon (issue 16).

While the page is not in the chat (disconnected, or back on a socket whose
nickname the server has not accepted) no file line of its reaches the
server: an offer is held until the page is back in, and Cancel of an
upload the server may hold (one whose offer's answer a drop cut off, too)
is refused, as the bundled client does
(tests/e2e/test_client_files_unheard.py). The page's socket is held shut,
and its read of a file held, by scripts the tests run in it; every wait
polls a condition until the deadline; nothing is timed.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.test_web_e2e import PASSWORD, registered
from tests.e2e.test_web_files import (
    SLOW,
    card_named,
    card_state,
    choose,
    content,
    drop_socket,
    json_user,
    on_disk,
    press,
    private_with,
)
from tests.e2e.test_web_files_failed import OFFERED, ONE_AT_ONCE, sends_the_next

HOLD_RECONNECT = """
const link = window.chatd.link, start = link.start.bind(link);
window.reconnect = null;
window.holdReconnect = () => {
  link.start = () => {};
  window.reconnect = () => {
    link.start = start;
    link.now();
  };
};
"""
"""Lets the test keep the page's socket shut once it closes: ``window.holdReconnect()`` holds each attempt to
connect again until ``window.reconnect()``."""

CUT_ANSWER = """
const chat = window.chatd, receive = chat.receive.bind(chat);
chat.receive = (object) => {
  if (object.type !== "file_upload" || window.reconnect !== null) return receive(object);
  window.holdReconnect();
  chat.link.restart();
};
"""
"""The first answer to an offer (``file_upload``) is lost with the socket, which drops as it comes and stays shut
until ``window.reconnect()`` (HOLD_RECONNECT first)."""

HOLD_READ = """
const read = Blob.prototype.arrayBuffer;
window.heldRead = null;
File.prototype.arrayBuffer = function () {
  delete File.prototype.arrayBuffer;
  return new Promise((resolve, reject) => {
    window.heldRead = () => read.call(this).then(resolve, reject);
  });
};
"""
"""Holds the page's read of the next file chosen, to hash it, until the test calls ``window.heldRead()``: a big file
whose hashing takes that long."""


def disconnected(page: Page) -> None:
    """Wait until ``page`` says it is disconnected."""
    page.wait(lambda: page.status().startswith("Disconnected") or None, "the page disconnected")


class UnheardUploadTests(SynchronousTestCase):
    """What the page does with an upload while the server cannot hear of it waits until it can."""

    def test_cancel_of_an_upload_whose_offer_s_answer_was_lost_is_refused_and_ends_it_on_the_server_once_back(
        self,
    ) -> None:
        """alice's page offers a file, and the socket drops before the server's answer comes: her Cancel says it was
        not sent and leaves the upload waiting. Back, the page offers it again, and Cancel ends it on the server: her
        next file is taken, one transfer at once notwithstanding. The press ended it on the page alone, and the
        server held the upload it had opened for the offer for an hour (`file-too-many`)."""
        _, url = start_web(self, *SLOW, *ONE_AT_ONCE)
        alice = Page(self, url)
        alice.login("alice")
        alice.script(HOLD_RECONNECT)
        alice.script(CUT_ANSWER)
        choose(alice, on_disk(self, "big.bin", content(400_000, seed=61)))
        disconnected(alice)

        alice.note_statuses()
        alice.find("#log-box .log .line.file .file-cancel").click()
        alice.wait_for_status("Not connected: that was not sent. Reconnecting…", "the press refused")
        self.assertEqual(card_state(alice), ["Disconnected: waiting to go on…"])
        self.assertEqual(alice.texts("#log-box .log .line.file button"), ["Cancel"])
        alice.script("window.reconnect();")
        file_id = card_named(alice, "big.bin")
        press(alice, file_id, "cancel")
        alice.wait(lambda: card_state(alice, file_id) == ["Cancelled."] or None, "alice's line to end")
        sends_the_next(self, alice)
        quiet(self, alice, no_error_shown=True)

    def test_an_offer_made_again_after_its_first_answer_was_lost_and_refused_ends_its_upload_on_the_server(
        self,
    ) -> None:
        """alice's page offers bob a file, and the socket drops before the server's answer comes; bob leaves. Back,
        the page offers it again, is refused, says so on the file's line, and cancels the upload the server holds
        for the offer by the id the refusal names, never heard before: her next file is taken, one transfer at once
        notwithstanding. The server kept that upload for its idle hour (`file-too-many`)."""
        daemon, url = start_web(self, *SLOW, *ONE_AT_ONCE)
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        private_with(alice, "bob")
        alice.script(HOLD_RECONNECT)
        alice.script(CUT_ANSWER)
        choose(alice, on_disk(self, "big.bin", content(400_000, seed=63)))
        disconnected(alice)
        bob.say("/quit")
        bob.read_to_end()
        alice.script("window.reconnect();")
        alice.wait(
            lambda: card_state(alice) == ["nobody called bob is online"] or None,
            "the refusal of the offer made again",
        )
        alice.open("#lobby")
        sends_the_next(self, alice)
        quiet(self, alice)

    def test_a_file_hashed_while_the_nickname_is_refused_is_offered_once_it_is_accepted(self) -> None:
        """alice's page finishes hashing a file after a drop, back on a socket whose nickname the server refused (it
        was registered meanwhile): the file waits, and is offered once she gives her password. It was offered at
        once, answered `need-nick`, and said "Offering…" until she was back in."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        alice.script(HOLD_RECONNECT)
        alice.script(HOLD_READ)
        choose(alice, on_disk(self, "notes.bin", content(20_000, seed=62)))
        alice.wait(
            lambda: alice.script("return window.heldRead !== null;") or None, "the page to read the file"
        )
        alice.script("window.holdReconnect();")
        drop_socket(alice)
        disconnected(alice)
        program = registered(daemon, "alice")
        program.say("/quit")
        program.read_to_end()
        alice.script("window.reconnect();")
        alice.wait(lambda: alice.status() == "Connected. Choose a nickname." or None, "the nickname refused")

        alice.script("window.heldRead();")
        alice.wait(lambda: card_state(alice) != ["Hashing…"] or None, "the file hashed")
        self.assertEqual(card_state(alice), ["Waiting to be back in the chat…"])
        alice.login("alice", PASSWORD)
        alice.wait(lambda: card_state(alice) == [OFFERED] or None, "the file offered")
        quiet(self, alice, no_error_shown=True)
