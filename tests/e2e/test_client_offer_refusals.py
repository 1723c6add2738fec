"""Which error refuses an offer of the bundled client's, through a real chatd under twistd (issue 16).

An offer's refusals have codes other commands are refused with too, and
an offer has no id yet: the client takes an error for an offer's refusal
only if it names that offer. alice is the client's ``Link`` and
``Transfers`` in this process, sending a line of her own just before her
offer (``MessageFirst``), so the server answers both, in that order, before
the client hears either; bob is a raw socket. Every wait polls a condition
until a deadline.
"""

from twisted.trial.unittest import TestCase
from typing_extensions import override

from chatd.client.files import Transfers
from chatd.client.upload import Upload
from tests.e2e.daemon import Daemon
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_client_files import User, random_file, until
from tests.e2e.test_client_resume import enter


class MessageFirst(Transfers):
    """A client's transfers that send ``/msg bob hi`` just before their first offer, on the same connection."""

    sent_first = False

    @override
    def offer(self, upload: Upload) -> None:
        if not self.sent_first:
            self.sent_first = True
            self.link.send_line("/msg bob hi")
        super().offer(upload)


class MessageBeforeOfferTests(TestCase):
    async def test_a_message_refused_just_before_an_offer_is_not_taken_for_its_refusal(self) -> None:
        """bob has just left when alice's client sends him a message and, right behind it, a file to #lobby: the
        message's `no-such-nick` is shown as the error it is, and the file goes to #lobby. It was taken for the
        offer's refusal: her file's line said it was not sent, as nobody called bob was online, and the server's
        answer to the offer went unheard, its upload left open on the server for its idle hour."""
        daemon = Daemon.start(self, LOOPBACK)
        alice = User(self, daemon.port, "alice", transfers=MessageFirst)
        await until(lambda: alice.screen.showing("alice joined #lobby"), what="alice in #lobby")
        bob = enter(daemon, "bob")
        bob.say("/quit")
        bob.read_to_end()
        path, _ = random_file(self, 20_000)
        alice.link.send(f"/send #lobby {path}")
        not_sent = '"random.bin" was not sent'
        await until(
            lambda: alice.screen.showing("#lobby is offered it") or alice.screen.showing(not_sent),
            what="the answer to the offer",
        )
        self.assertEqual(alice.screen.matching(not_sent), [])
        self.assertEqual(
            alice.screen.matching("nobody called bob"), ["! nobody called bob is online (no-such-nick)"]
        )
