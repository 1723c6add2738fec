"""The bundled client whose old connection the server still holds comes back under its nickname, over real TCP.

A real twistd with a ``--db`` file; alice's ``Link`` in this process reaches
it through ``FlakyProxy``, its pauses on a ``Clock`` the test advances. The
proxy strands her connection (a phone that changed network): her side is
gone, the server's side stays, holding "alice", until the server lets go.
"""

from dataclasses import dataclass

from twisted.internet import reactor
from twisted.internet.task import Clock, deferLater
from twisted.trial.unittest import TestCase

from chatd.client.connection import Link
from tests.e2e.daemon import Daemon, LineClient
from tests.e2e.flaky import FlakyProxy
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_client_resume import WatchedScreen, alice_linked, enter, said_by
from tests.helpers import new_database


def read_until(client: LineClient, ending: str) -> None:
    """Read ``client``'s lines until one ends with ``ending``."""
    while not client.read_line().endswith(ending.encode() + b"\r\n"):
        pass


@dataclass(frozen=True)
class AliceThroughProxy:
    """alice's client, its screen and clock, the proxy between it and the daemon, and bob straight to the daemon."""

    screen: WatchedScreen
    clock: Clock
    proxy: FlakyProxy
    bob: LineClient
    link: Link


async def alice_through_proxy(case: TestCase) -> AliceThroughProxy:
    """A real twistd with a ``--db`` file; alice's ``Link`` in #lobby through ``FlakyProxy``, her pauses and quiet on a
    ``Clock``; bob straight to the daemon has said "before", which alice has seen. Left when the test ends."""
    daemon = Daemon.start(case, [*LOOPBACK, "--db", new_database(case)])
    proxy = await FlakyProxy.listen(case, daemon.port)
    link, screen, clock = alice_linked(case, proxy.entry)
    await screen.showing("alice joined #lobby")
    bob = enter(daemon, "bob")
    said_by(bob, "before")
    await screen.showing("#lobby <bob> before")
    return AliceThroughProxy(screen, clock, proxy, bob, link)


class StrandedTests(TestCase):
    """alice in #lobby through the proxy, bob straight to the daemon; the proxy strands alice's connection."""

    async def alice_stranded(self) -> tuple[WatchedScreen, Clock, FlakyProxy, LineClient]:
        """alice, stranded after bob's "before", told she is reconnecting; bob then says "missed"."""
        alice = await alice_through_proxy(self)
        screen, clock, proxy, bob = alice.screen, alice.clock, alice.proxy, alice.bob
        proxy.strand()
        await screen.showing("Reconnecting in 1.0 s.")
        # The pause is announced before ClientService schedules it on the clock: let it, on the next turn.
        await deferLater(reactor, 0, lambda: None)
        said_by(bob, "missed")
        return screen, clock, proxy, bob

    async def test_the_client_takes_its_stranded_connections_place_at_once(self) -> None:
        """Coming back while the server still holds its stranded connection, the client presents that connection's
        takeover token and is back in #lobby with what it missed at once, the old connection still unreleased; bob
        sees alice neither quit nor join."""
        screen, clock, _, bob = await self.alice_stranded()
        clock.advance(1.0)
        await screen.showing("---- missed 1 message in #lobby ----")
        self.assertEqual((screen.count("<bob> before"), screen.count("<bob> missed")), (1, 1))
        self.assertEqual((screen.count("Lost the server"), screen.count("already taken")), (1, 0))
        said_by(bob, "after")
        await screen.showing("#lobby <bob> after")
        bob.say("/quit")
        self.assertNotIn(b"alice", bob.read_to_end())

    async def test_a_token_the_server_no_longer_knows_gives_way_to_the_nickname(self) -> None:
        """The stranded connection let go before the client is back, its token is refused: the client asks for its
        nickname as ever, and is back with what it missed."""
        screen, clock, proxy, bob = await self.alice_stranded()
        await proxy.release()
        read_until(bob, "-- alice quit (connection closed)")
        clock.advance(1.0)
        await screen.showing("---- missed 1 message in #lobby ----")
        self.assertEqual((screen.count("takeover"), screen.count("already taken")), (0, 0))
