"""Files between bundled clients when something goes wrong on the way: damaged chunks, a vanished sender, a hostile name.

A real chatd under twistd on loopback, the clients' ``Link`` and
``Transfers`` in this process (test_client_files's ``User``). Damage is
done by a relay in this process between bob and the daemon, which changes
the hash of chosen ``file_chunk`` lines as they pass, as a broken proxy or
a flipped bit would.
"""

import hashlib
import json
import os

from twisted.internet import reactor
from twisted.internet.address import IPv4Address
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint
from twisted.internet.interfaces import IListeningPort
from twisted.internet.protocol import Factory, Protocol, connectionDone
from twisted.protocols.basic import LineReceiver
from twisted.python.failure import Failure
from twisted.trial.unittest import TestCase
from typing_extensions import override

from chatd.client.upload import CHUNK
from tests.e2e.daemon import Daemon
from tests.e2e.test_client_files import User, random_file, until
from tests.e2e.test_daemon import LOOPBACK

DAMAGED_SHA256 = hashlib.sha256(b"not the chunk").hexdigest()


class Damage:
    """What the relay damages: the chunk at ``offset``, the first ``times`` times it passes."""

    def __init__(self, offset: int, times: int) -> None:
        self.offset = offset
        self.left = times

    def apply(self, line: bytes) -> bytes:
        """``line`` as it goes on to the client: a chosen chunk's hash replaced, anything else untouched."""
        if self.left <= 0 or b'"file_chunk"' not in line:
            return line
        message = json.loads(line)
        if message.get("type") != "file_chunk" or message.get("offset") != self.offset:
            return line
        self.left -= 1
        return json.dumps({**message, "sha256": DAMAGED_SHA256}).encode() + b"\r"


class ToDaemon(LineReceiver):
    """The relay's connection to the daemon: each line it sends goes on to the client, perhaps damaged."""

    delimiter = b"\n"
    MAX_LENGTH = 1_000_000

    def __init__(self, client: "FromClient", damage: Damage) -> None:
        self.client = client
        self.damage = damage

    @override
    def lineReceived(self, line: bytes) -> None:
        if self.client.transport is not None:
            self.client.transport.write(self.damage.apply(line) + b"\n")

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if self.client.transport is not None:
            self.client.transport.loseConnection()


class FromClient(Protocol):
    """The relay's side facing the client: what the client sends goes to the daemon as it is."""

    def __init__(self, port: int, damage: Damage) -> None:
        self.port = port
        self.damage = damage
        self.daemon: ToDaemon | None = None
        self.early: list[bytes] = []

    @override
    def connectionMade(self) -> None:
        reached = TCP4ClientEndpoint(reactor, "127.0.0.1", self.port, timeout=10).connect(
            Factory.forProtocol(lambda: ToDaemon(self, self.damage))
        )
        reached.addCallbacks(self._reached, lambda _: self.transport.loseConnection())  # type: ignore[union-attr]  # connected

    def _reached(self, daemon: ToDaemon) -> None:
        self.daemon = daemon
        for data in self.early:
            daemon.transport.write(data)  # type: ignore[union-attr]  # connected
        self.early = []

    @override
    def dataReceived(self, data: bytes) -> None:
        if self.daemon is None:
            self.early.append(data)
        elif self.daemon.transport is not None:
            self.daemon.transport.write(data)

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if self.daemon is not None and self.daemon.transport is not None:
            self.daemon.transport.loseConnection()


async def relay(case: TestCase, port: int, damage: Damage) -> int:
    """A damaging relay to the daemon on ``port``, on loopback; the port it listens on."""
    factory = Factory.forProtocol(lambda: FromClient(port, damage))
    listening: IListeningPort = await TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(factory)
    case.addCleanup(listening.stopListening)
    address = listening.getHost()
    assert isinstance(address, IPv4Address)
    return address.port


class DamageTests(TestCase):
    async def exchange(self, damage: Damage) -> tuple[User, User, bytes]:
        """alice offers bob 300 KB; bob, behind the relay, accepts it."""
        daemon = Daemon.start(self, LOOPBACK)
        alice = User(self, daemon.port, "alice")
        bob = User(self, await relay(self, daemon.port, damage), "bob")
        await until(
            lambda: alice.screen.showing("alice joined #lobby") and bob.screen.showing("bob joined #lobby")
        )
        path, data = random_file(self, 300_000)
        alice.link.send(f"/send bob {path}")
        await until(lambda: bob.screen.showing('alice offers "random.bin" to you'), what="the offer")
        bob.link.send("/accept")
        return alice, bob, data

    async def test_damaged_chunks_are_fetched_again_and_the_file_arrives_whole(self) -> None:
        """The chunk at 64 KiB arrives damaged twice: bob accepts again from there each time, and saves it byte-identical."""
        _, bob, data = await self.exchange(Damage(4 * CHUNK, 2))
        await until(lambda: bob.screen.showing("SHA-256 checked."), what="the download")
        self.assertEqual(bob.saved("random.bin"), data)
        self.assertEqual(
            bob.screen.matching("arrived damaged"),
            [
                f'~ Part of "random.bin" arrived damaged (bytes {4 * CHUNK} on): fetching it again from there (retry {retry} of 3).'
                for retry in (1, 2)
            ],
        )

    async def test_a_fourth_damaged_chunk_ends_the_download_on_both_sides(self) -> None:
        """Damaged four times: bob gives up in one line, keeps nothing, and alice hears that he stopped."""
        alice, bob, _ = await self.exchange(Damage(4 * CHUNK, 4))
        await until(lambda: alice.screen.showing("bob stopped fetching"), what="alice told")
        self.assertEqual(
            bob.screen.matching("failed"),
            [
                f'! "random.bin" from alice failed: pieces of it arrived damaged 4 times (the last at bytes {4 * CHUNK} on), so it was cancelled.'
            ],
        )
        await until(lambda: os.listdir(bob.folder) == [], what="the part file removed")
