"""Uploads the server cannot hear of yet, in a real headless Chromium against a real daemon (issue 16).

While the page is not in the chat (disconnected, or back on a socket whose
nickname the server has not accepted) no file line of its reaches the
server: an offer is held until the page is back in, as the bundled client
does (tests/e2e/test_client_files_unheard.py). The page's socket is held
shut, and its read of a file held, by scripts the tests run in it; every
wait polls a condition until the deadline; nothing is timed.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.test_web_e2e import PASSWORD, registered
from tests.e2e.test_web_files import card_state, choose, content, drop_socket, on_disk
from tests.e2e.test_web_files_failed import OFFERED

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
