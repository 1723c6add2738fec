"""The bundled client notices a stalled connection and comes back with nothing typed lost, over real TCP.

A real twistd with a ``--db`` file; alice's ``Link`` in this process reaches
it through ``FlakyProxy``, her pauses and her quiet on a ``Clock`` the test
advances. The proxy stalls her connection (a train in a tunnel): both ends
open, nothing passing, neither told. bob, straight to the daemon, talks on.
"""

from twisted.internet import reactor
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase

from chatd.client.liveness import ANSWER_SECONDS, QUIET_SECONDS
from tests.e2e.test_client_resume import said_by
from tests.e2e.test_client_stranded import alice_through_proxy, read_until


class StalledTests(TestCase):
    """alice in #lobby through the proxy, bob straight to the daemon; the proxy stalls alice's connection."""

    async def test_the_client_notices_the_stall_comes_back_and_sends_what_was_lost(self) -> None:
        """Quiet for QUIET_SECONDS and unanswered ANSWER_SECONDS more, alice's client says the connection is not
        answering and comes back in #lobby under her nickname at once (her takeover token), shown what bob said
        meanwhile; the line she typed into the stalled connection reaches bob once; bob sees her neither quit nor
        join."""
        alice = await alice_through_proxy(self)
        screen, clock, proxy, bob, link = alice.screen, alice.clock, alice.proxy, alice.bob, alice.link
        proxy.stall()
        said_by(bob, "missed")
        self.assertTrue(link.send("into the tunnel"))
        clock.advance(QUIET_SECONDS)
        clock.advance(ANSWER_SECONDS)
        await screen.showing("The connection is not answering; reconnecting…")
        await screen.showing("Reconnecting in 1.0 s.")
        # The pause is announced before ClientService schedules it on the clock: let it, on the next turn.
        await deferLater(reactor, 0, lambda: None)
        clock.advance(1.0)
        await screen.showing("---- missed 1 message in #lobby ----")
        await screen.showing("#lobby <alice> into the tunnel")
        read_until(bob, "<alice> into the tunnel")
        self.assertEqual((screen.count("<bob> before"), screen.count("<bob> missed")), (1, 1))
        self.assertEqual((screen.count("Lost the server"), screen.count("already taken")), (0, 0))
        said_by(bob, "after")
        await screen.showing("#lobby <bob> after")
        bob.say("/quit")
        rest = bob.read_to_end()
        self.assertNotIn(b"alice quit", rest)
        self.assertNotIn(b"alice joined", rest)
        self.assertNotIn(b"into the tunnel", rest)
