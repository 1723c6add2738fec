"""Files between bundled clients when something goes wrong on the way: damaged chunks, a vanished sender, a hostile name.

A real chatd under twistd on loopback, the clients' ``Link`` and
``Transfers`` in this process (test_client_files's ``User``), or where a
client is killed, ``python -m chatd.client`` itself in a process of its
own, piped. Damage is done by a relay in this process between bob and the
daemon, which changes the hash of chosen ``file_chunk`` lines as they
pass, as a broken proxy or a flipped bit would. The hostile sender is a
raw socket speaking the JSON lines of docs/PROTOCOL.md, as any program may.
"""

import base64
import hashlib
import json
import os
import sys
from collections.abc import Callable

from twisted.internet import reactor, threads
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint
from twisted.internet.interfaces import IListeningPort
from twisted.internet.protocol import Factory, ProcessProtocol, Protocol, connectionDone
from twisted.protocols.basic import LineReceiver
from twisted.python.failure import Failure
from twisted.trial.unittest import TestCase
from typing_extensions import override

from chatd.client.upload import CHUNK
from tests.e2e.daemon import ROOT, Daemon, LineClient
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_client_files import RESTARTED_SIZE, User, random_file, restartable, until
from tests.helpers import new_folder

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


class ClientProcess(ProcessProtocol):
    """``python -m chatd.client`` piped, in a process of its own: what it prints, and its end."""

    def __init__(self) -> None:
        self.output = ""
        """stdout and stderr as they came, interleaved."""
        self.ended: Deferred[None] = Deferred()

    @override
    def outReceived(self, data: bytes) -> None:
        self.output += data.decode("utf-8", "replace")

    @override
    def errReceived(self, data: bytes) -> None:
        self.output += data.decode("utf-8", "replace")

    @override
    def processEnded(self, reason: Failure) -> None:
        self.ended.callback(None)

    def showing(self, text: str) -> bool:
        return text in self.output

    def matching(self, text: str) -> list[str]:
        """The lines holding ``text``, without their time."""
        return [line[6:] for line in self.output.splitlines() if text in line]

    def type(self, text: str) -> None:
        """A line on the client's stdin."""
        assert self.transport is not None
        self.transport.write(text.encode() + b"\n")

    def kill(self) -> "Deferred[None]":
        """SIGKILL: no /quit, no cancel, the socket closed by the kernel."""
        if not self.ended.called and self.transport is not None:
            self.transport.signalProcess("KILL")
        return self.ended


def client_process(case: TestCase, port: int, nick: str) -> ClientProcess:
    """The bundled client as a user runs it (stdin a pipe kept open), as ``nick``, with empty settings."""
    home = new_folder(case)
    client = ClientProcess()
    arguments = ["-m", "chatd.client", "127.0.0.1", str(port), "--nick", nick]
    arguments += ["--downloads", os.path.join(home, "downloads")]
    environment = {**os.environ, "XDG_CONFIG_HOME": home, "HOME": home}
    reactor.spawnProcess(client, sys.executable, [sys.executable, *arguments], env=environment, path=ROOT)
    case.addCleanup(client.kill)
    return client


class VanishedSenderTests(TestCase):
    async def test_a_sender_killed_mid_upload_offers_nothing_and_goes_on_when_started_again(self) -> None:
        """alice's client dies mid-upload: bob is offered nothing; started again, she goes on from the server's have."""
        store = new_folder(self)
        daemon = Daemon.start(self, ["chatd", "--port", "0", *restartable(store)])
        bob = User(self, daemon.port, "bob")
        alice = client_process(self, daemon.port, "alice")
        await until(lambda: bob.screen.showing("alice joined #lobby"), what="alice")
        path, data = random_file(self, RESTARTED_SIZE)
        alice.type(f"/send bob {path}")
        # The first progress line (piped, one every 10%) comes 0.3 s in: 1.5 MB at 500 KB/s takes three.
        await until(lambda: alice.showing("↑ random.bin to bob: "), what="the upload under way")
        await alice.kill()
        [*_, last] = alice.matching("↑ random.bin to bob: ")
        acknowledged = int(last.split(": ")[1].split("%")[0])
        await until(lambda: bob.screen.showing("alice quit"), what="alice gone")
        bob.link.send("/files")
        await until(lambda: bob.screen.showing("No files on the server."), what="bob's list")
        self.assertFalse(bob.screen.showing("offers"))

        alice = client_process(self, daemon.port, "alice")
        alice.type(f"/send bob {path}")
        await until(lambda: bob.screen.showing('alice offers "random.bin" to you'), what="the offer")
        [going_on] = alice.matching("already: going on from there.")
        held = int(going_on.split("holds ")[1].split("%")[0])
        self.assertGreaterEqual(held, acknowledged)
        bob.link.send("/accept")
        await until(lambda: bob.screen.showing("SHA-256 checked."), what="the download")
        self.assertEqual(bob.saved("random.bin"), data)


def hostile_upload(client: LineClient, name: str, data: bytes) -> dict[str, object]:
    """Offer bob ``data`` under ``name`` and upload it, as a raw JSON client; the server's ``file_upload``."""
    digest = hashlib.sha256(data).hexdigest()
    client.send(f"/file offer bob {len(data)} {digest} text/plain {name}\n".encode())
    upload = read_json(client, "file_upload")
    encoded = base64.b64encode(data).decode()
    client.send(f"/file put {upload['file']} 0 {encoded}\n".encode())
    read_json(client, "file_uploaded")
    return upload


def read_json(client: LineClient, kind: str) -> dict[str, object]:
    """The next JSON object of type ``kind`` (others skipped); fails on an error."""
    while True:
        line = client.read_line()
        if not line.startswith(b"{"):
            continue
        message = json.loads(line)
        assert message.get("type") != "error", message
        if message.get("type") == kind:
            return dict(message)


def seen(user: User, text: str, times: int) -> Callable[[], bool]:
    """Whether ``user`` has been shown ``times`` lines holding ``text``."""
    return lambda: len(user.screen.matching(text)) == times


class HostileNameTests(TestCase):
    async def test_names_that_climb_out_or_hide_controls_land_as_passwd_in_the_downloads_folder(self) -> None:
        """``../../etc/passwd`` and one full of control characters: both saved as passwd (the second numbered), nothing elsewhere."""
        daemon = Daemon.start(self, LOOPBACK)
        top = new_folder(self)
        bob = User(self, daemon.port, "bob")
        # Two levels down, so the climb ../../etc/passwd would land inside ``top``, where the test looks.
        bob.files.folder = os.path.join(top, "home", "downloads")
        await until(lambda: bob.screen.showing("bob joined #lobby"), what="bob")
        mallory = daemon.connect()
        mallory.say("mallory")
        mallory.say("/format json")
        data = b"root:x:0:0:root:/root:/bin/sh\n"
        for name, number in (("../../etc/passwd", 1), ("../../etc/pa\x1bss\x07wd\x08\x7f", 2)):
            await threads.deferToThread(hostile_upload, mallory, name, data)
            await until(seen(bob, 'mallory offers "passwd" to you', number), what=f"offer {number}")
            bob.link.send(f"/accept {number}")
            await until(seen(bob, "SHA-256 checked.", number), what=f"download {number}")
        self.assertEqual(
            [line.split(" as ")[1] for line in bob.screen.matching("SHA-256 checked.")],
            [
                f"{bob.files.folder}/passwd; SHA-256 checked.",
                f"{bob.files.folder}/passwd (1); SHA-256 checked.",
            ],
        )
        found = sorted(
            os.path.relpath(os.path.join(here, name), top)
            for here, _, names in os.walk(top)
            for name in names
        )
        self.assertEqual(found, ["home/downloads/passwd", "home/downloads/passwd (1)"])
