"""Which error refuses an offer of the page's, in a real headless Chromium against a real daemon (issue 16).

An offer's refusals have codes other commands are refused with too, and
an offer has no id yet: the page takes an error for an offer's refusal only
if it names that offer, and acts on the upload awaiting that offer. The
page's own lines are sent, or held, by scripts the tests run in it; bob is
a program on the line port. Every wait polls a condition until the
deadline; nothing is timed.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.e2e.browser import Page, quiet, start_web
from tests.e2e.daemon import LineClient
from tests.e2e.test_web_files import card_state, choose, content, json_user, on_disk, private_with
from tests.e2e.test_web_files_failed import OFFERED

MESSAGE_FIRST = """
const files = window.chatd.files, offer = files.offer.bind(files);
files.offer = (upload) => {
  files.offer = offer;
  window.chatd.link.send("/msg bob hi");
  offer(upload);
};
"""
"""The page's next offer goes right behind a ``/msg bob hi`` of its own: the server answers both, in that order,
before the page hears either."""

HOLD_OFFER = """
const link = window.chatd.link, send = link.send.bind(link);
window.heldOffer = null;
link.send = (line) => {
  if (!line.startsWith("/file offer ") || window.heldOffer !== null) return send(line);
  window.heldOffer = () => send(line);
  return true;
};
"""
"""Holds the page's next ``/file offer`` on its way (the page has sent it) until the test calls
``window.heldOffer()``."""

REFUSED = "nobody called bob is online"
"""The text of the server's ``no-such-nick`` refusal of a line to bob, gone."""


def gone(bob: LineClient) -> None:
    """bob quits, and the server has closed his connection."""
    bob.say("/quit")
    bob.read_to_end()


class RefusedOfferTests(SynchronousTestCase):
    def test_a_message_refused_just_before_an_offer_is_not_taken_for_its_refusal(self) -> None:
        """bob has just left when alice's page sends him a message and, right behind it, a file to #lobby: the
        message's `no-such-nick` is shown as the error it is, and the file goes to #lobby. It was taken for the
        offer's refusal: the file's line said nobody called bob was online, and the server's answer to the offer
        went unheard, its upload left open on the server for its idle hour."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        gone(json_user(daemon, "bob"))
        alice.script(MESSAGE_FIRST)
        choose(alice, on_disk(self, "notes.bin", content(20_000, seed=71)))
        alice.wait(lambda: card_state(alice) in ([OFFERED], [REFUSED]) or None, "the answer to the offer")
        self.assertEqual(card_state(alice), [OFFERED])
        self.assertEqual(alice.texts("#log-box .log .line.error .text"), [REFUSED])
        quiet(self, alice)

    def test_an_upload_cancelled_while_its_offer_is_on_its_way_stays_cancelled_once_the_offer_is_refused(
        self,
    ) -> None:
        """alice presses Cancel on a file to bob, who left, while its offer is on its way; the server refuses the
        offer: her line still says "Cancelled.", and no refusal is shown. The refusal took the line's place, as if
        the file was still wanted."""
        daemon, url = start_web(self)
        alice = Page(self, url)
        alice.login("alice")
        bob = json_user(daemon, "bob")
        private_with(alice, "bob")
        gone(bob)
        alice.script(HOLD_OFFER)
        choose(alice, on_disk(self, "notes.bin", content(20_000, seed=72)))
        alice.wait(lambda: alice.script("return window.heldOffer !== null;") or None, "the offer on its way")
        alice.find("#log-box .log .line.file .file-cancel").click()
        self.assertEqual(card_state(alice), ["Cancelled."])
        alice.script("window.heldOffer();")
        alice.wait(
            lambda: alice.script("return window.chatd.files.waiting.length === 0;") or None,
            "the answer to the offer",
        )
        self.assertEqual(card_state(alice), ["Cancelled."])
        quiet(self, alice, no_error_shown=True)
