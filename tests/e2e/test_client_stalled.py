"""The bundled client notices a stalled connection and comes back with nothing typed lost, over real TCP.

A real twistd with a ``--db`` file; alice's ``Link`` in this process reaches
it through ``FlakyProxy``, her pauses and her quiet on a ``Clock`` the test
advances. The proxy stalls her connection (a train in a tunnel): both ends
open, nothing passing, neither told. bob, straight to the daemon, talks on.
"""

import os
import shutil
import tempfile
from datetime import UTC

from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock, deferLater
from twisted.trial.unittest import TestCase

from chatd.client.connection import Link
from chatd.client.liveness import ANSWER_SECONDS, QUIET_SECONDS
from chatd.client.presence import Presence
from chatd.client.reach import connect_to
from tests.e2e.daemon import Daemon
from tests.e2e.flaky import FlakyProxy
from tests.e2e.test_client_resume import WatchedScreen, enter, said_by
from tests.e2e.test_client_stranded import read_until
from tests.e2e.test_daemon import LOOPBACK
from tests.test_client_connection import START


class StalledTests(TestCase):
    """alice in #lobby through the proxy, bob straight to the daemon; the proxy stalls alice's connection."""

    async def test_the_client_notices_the_stall_comes_back_and_sends_what_was_lost(self) -> None:
        """Quiet for QUIET_SECONDS and unanswered ANSWER_SECONDS more, alice's client says the connection is not
        answering and comes back in #lobby under her nickname at once (her takeover token), shown what bob said
        meanwhile; the line she typed into the stalled connection reaches bob once; bob sees her neither quit nor
        join."""
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        daemon = Daemon.start(self, [*LOOPBACK, "--db", os.path.join(directory, "chatd.sqlite")])
        proxy = await FlakyProxy.listen(self, daemon.port)
        clock = Clock()
        clock.advance(START)
        endpoint, server = connect_to(reactor, "127.0.0.1", proxy.entry)
        link = Link(endpoint, clock, Presence("alice"), server, policy=float, zone=UTC)
        screen = WatchedScreen()
        finished = link.start(screen)

        def leave() -> "Deferred[int]":
            link.leave()
            link.leave()
            return finished

        self.addCleanup(leave)
        await screen.showing("alice joined #lobby")
        bob = enter(daemon, "bob")
        said_by(bob, "before")
        await screen.showing("#lobby <bob> before")
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
