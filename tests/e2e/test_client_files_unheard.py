"""File commands of the bundled client that the server could not hear: typed while disconnected, made before the
server accepted a nickname, or cut off with the connection before their answer, through a real chatd under twistd
(issue 16).

The users are the client's ``Link`` and ``Transfers`` in this process
(test_client_files's ``User``); the one whose connection drops reaches the
daemon through a ``Relay`` in this process, which can cut the connection
(where a line of the daemon's holds a given text, or when told), stop
taking new ones until told, and hold the client's lines from a given one
on, as a slow network would. The other sessions of an account are raw
sockets. Whether the server still holds an upload of alice's is what she
reads with ``/files``. Every wait polls a condition until a deadline.
"""

import os

from twisted.internet import reactor
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint
from twisted.internet.interfaces import IListeningPort, ITCPTransport
from twisted.internet.protocol import Factory, connectionDone
from twisted.protocols.basic import LineReceiver
from twisted.python.failure import Failure
from twisted.trial.unittest import TestCase
from typing_extensions import override

from chatd.client.upload import Stage, Upload
from tests.e2e.daemon import Daemon
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_client_files import CUT_AT, RESTARTED_SIZE, User, random_file, until
from tests.e2e.test_client_files_cancel import SETTLE_SECONDS, server_holds_none
from tests.e2e.test_client_resume import enter
from tests.e2e.test_files_restart import enter as enter_json
from tests.e2e.test_files_restart import until as until_json
from tests.helpers import new_database
from tests.test_line_accounts import PASSWORD

SLOW = (*LOOPBACK, "--file-rate", "500000")
"""A daemon slow enough that a transfer of ``RESTARTED_SIZE`` bytes is cut off on its way."""

LONGEST_LINE = 1_000_000
"""Longer than any line either side sends (a chunk is 16 KiB in base64)."""


class Relay:
    """A relay on loopback to the daemon on ``port``, one connection through it at a time."""

    def __init__(self, case: TestCase, port: int) -> None:
        self.case = case
        self.port = port
        self.listening: IListeningPort | None = None
        self.at = 0
        """The port it listens on, the same again once it is opened again."""
        self.cut_at: bytes | None = None
        """A text that, in a line of the daemon's, cuts the connection (and shuts the relay) instead of passing."""
        self.hold_at: bytes | None = None
        """A text that, in a line of the client's, holds it and every line after it until ``release``."""
        self.held: list[bytes] = []
        self.live: ClientSide | None = None
        self.closing: Deferred[None] | None = None
        """The port stopping, until it has: the same port cannot be listened on again before."""

    async def open(self) -> int:
        """Take connections (again, on the same port); the port."""
        if self.closing is not None:
            await self.closing
        factory = Factory.forProtocol(lambda: ClientSide(self))
        self.listening = await TCP4ServerEndpoint(reactor, self.at, interface="127.0.0.1").listen(factory)
        address = self.listening.getHost()
        assert isinstance(address, IPv4Address)
        self.at = address.port
        self.case.addCleanup(self.shut)
        return self.at

    def shut(self) -> "Deferred[None] | None":
        """Cut the live connection, and take none until ``open``: each attempt of the client's is refused."""
        if self.listening is not None:
            listening, self.listening = self.listening, None
            self.closing = listening.stopListening()
        transport = self.live.transport if self.live is not None else None
        if ITCPTransport.providedBy(transport):
            transport.abortConnection()
        return self.closing

    def release(self) -> None:
        """Send the lines held on to the daemon, and hold no more."""
        self.hold_at = None
        held, self.held = self.held, []
        for line in held:
            assert self.live is not None
            self.live.forward(line)


class ClientSide(LineReceiver):
    """The relay's side facing the client: its lines go on to the daemon, unless held."""

    delimiter = b"\n"
    MAX_LENGTH = LONGEST_LINE

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self.daemon: DaemonSide | None = None
        self.early: list[bytes] = []

    @override
    def connectionMade(self) -> None:
        self.relay.live = self
        reached = TCP4ClientEndpoint(reactor, "127.0.0.1", self.relay.port, timeout=10).connect(
            Factory.forProtocol(lambda: DaemonSide(self))
        )
        reached.addCallbacks(self._reached, lambda _: self.transport.loseConnection())  # type: ignore[union-attr]  # connected

    def _reached(self, daemon: "DaemonSide") -> None:
        self.daemon = daemon
        early, self.early = self.early, []
        for line in early:
            self.forward(line)

    @override
    def lineReceived(self, line: bytes) -> None:
        hold_at = self.relay.hold_at
        if self.relay.held or (hold_at is not None and hold_at in line):
            self.relay.held.append(line)
        else:
            self.forward(line)

    def forward(self, line: bytes) -> None:
        if self.daemon is None:
            self.early.append(line)
        elif self.daemon.transport is not None:
            self.daemon.transport.write(line + b"\n")

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if self.daemon is not None and self.daemon.transport is not None:
            self.daemon.transport.loseConnection()


class DaemonSide(LineReceiver):
    """The relay's connection to the daemon: its lines go on to the client, unless one cuts the connection."""

    delimiter = b"\n"
    MAX_LENGTH = LONGEST_LINE

    def __init__(self, client: ClientSide) -> None:
        self.client = client

    @override
    def lineReceived(self, line: bytes) -> None:
        relay = self.client.relay
        if relay.cut_at is not None and relay.cut_at in line:
            relay.cut_at = None
            relay.shut()
        elif self.client.transport is not None:
            self.client.transport.write(line + b"\n")

    @override
    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if self.client.transport is not None:
            self.client.transport.loseConnection()


def uploads(user: User) -> list[Upload]:
    return [transfer for transfer in user.files.transfers() if isinstance(transfer, Upload)]


class DownloadWhileDisconnectedTests(TestCase):
    async def test_a_cancel_and_a_decline_while_disconnected_are_refused_and_work_once_back(self) -> None:
        """bob, behind the relay, fetches one of alice's files and is offered another when his connection drops:
        /cancel and /decline each say in one line to do it once back, and once back each works, alice told. Both
        ended on bob's side alone: the server kept his download, one of his --file-transfers, and alice's offer."""
        daemon = Daemon.start(self, SLOW)
        relay = Relay(self, daemon.port)
        alice, bob = User(self, daemon.port, "alice"), User(self, await relay.open(), "bob")
        await until(lambda: bob.screen.showing("bob joined #lobby"), what="bob in #lobby")
        fetched, _ = random_file(self, RESTARTED_SIZE, "fetched.bin")
        declined, _ = random_file(self, 20_000, "declined.bin")
        alice.link.send(f"/send bob {fetched}")
        await until(lambda: bob.screen.showing('alice offers "fetched.bin"'), what="the first offer")
        bob.link.send("/accept 1")
        alice.link.send(f"/send bob {declined}")
        await until(lambda: bob.screen.showing('alice offers "declined.bin"'), what="the second offer")
        await until(lambda: bob.part_size("fetched.bin") >= CUT_AT, what="a third of the download")
        relay.shut()
        await until(lambda: not bob.link.connected, what="bob disconnected")
        bob.link.send("/cancel 1")
        bob.link.send("/decline 2")
        self.assertEqual(
            bob.screen.matching("once the client is back"),
            [
                "! Not connected: cancel once the client is back.",
                "! Not connected: decline once the client is back.",
            ],
        )
        await relay.open()
        await until(lambda: bob.link.named, seconds=SETTLE_SECONDS, what="bob back")
        bob.link.send("/cancel 1")
        bob.link.send("/decline 2")
        await until(lambda: alice.screen.showing('bob stopped fetching "fetched.bin"'), what="the stop")
        await until(lambda: alice.screen.showing('bob declined "declined.bin"'), what="the decline")
        self.assertFalse(os.path.exists(os.path.join(bob.folder, "fetched.bin")))


class NoNicknameYetTests(TestCase):
    async def test_a_file_hashed_before_the_nickname_is_accepted_is_offered_once_it_is(self) -> None:
        """alice's nickname is taken, so the server has not named her yet when her file is hashed: it waits, and is
        offered once she takes another nickname. It was offered at once, answered need-nick, and stayed "offering"
        for good."""
        daemon = Daemon.start(self, LOOPBACK)
        enter(daemon, "alice")
        alice = User(self, daemon.port, "alice")
        await until(lambda: alice.screen.showing("nick-in-use"), what="the nickname refused")
        path, _ = random_file(self, 20_000)
        alice.link.send(f"/send #lobby {path}")
        await until(lambda: uploads(alice)[0].stage is not Stage.HASHING, what="the file hashed")
        alice.link.send("/nick alice2")
        await until(
            lambda: alice.screen.showing("#lobby is offered it"), seconds=SETTLE_SECONDS, what="the offer"
        )
        self.assertEqual(alice.screen.matching("need-nick"), [])


class OfferCutOffTests(TestCase):
    async def test_a_cancel_after_the_first_offer_was_cut_off_is_refused_and_ends_it_on_the_server_once_back(
        self,
    ) -> None:
        """alice's connection drops as the server answers her first offer: the server holds an upload whose id she
        never heard. /cancel then says in one line to cancel once back, and once back it ends the upload on the
        server too. Ended on her side alone, it was kept there for its idle hour."""
        daemon = Daemon.start(self, SLOW)
        relay = Relay(self, daemon.port)
        alice = User(self, await relay.open(), "alice")
        await until(lambda: alice.screen.showing("alice joined #lobby"), what="alice in #lobby")
        relay.cut_at = b'"file_upload"'
        path, _ = random_file(self, RESTARTED_SIZE)
        alice.link.send(f"/send #lobby {path}")
        await until(lambda: not alice.link.connected and relay.cut_at is None, what="the answer cut off")
        alice.link.send("/cancel 1")
        self.assertEqual(
            alice.screen.matching("once the client is back"),
            ["! Not connected: cancel once the client is back."],
        )
        await relay.open()
        await until(lambda: alice.link.named, seconds=SETTLE_SECONDS, what="alice back")
        alice.link.send("/cancel 1")
        await until(
            lambda: alice.screen.showing('Cancelled sending "random.bin" to #lobby.'), what="the cancel"
        )
        await server_holds_none(alice)

    async def test_an_offer_made_again_after_the_first_was_cut_off_and_refused_ends_its_upload_on_the_server(
        self,
    ) -> None:
        """alice's connection drops as the server answers her first offer of a file to bob, and bob leaves: back,
        her client offers it again, is refused, says so in one line, and cancels the upload the server holds for
        the offer by the id the refusal names, never heard before. It could not: the server kept the upload for its
        idle hour, one of her --file-transfers."""
        daemon = Daemon.start(self, SLOW)
        relay = Relay(self, daemon.port)
        alice = User(self, await relay.open(), "alice")
        await until(lambda: alice.screen.showing("alice joined #lobby"), what="alice in #lobby")
        bob = enter(daemon, "bob")
        relay.cut_at = b'"file_upload"'
        path, _ = random_file(self, RESTARTED_SIZE)
        alice.link.send(f"/send bob {path}")
        await until(lambda: not alice.link.connected and relay.cut_at is None, what="the answer cut off")
        bob.say("/quit")
        bob.read_to_end()
        await relay.open()
        await until(
            lambda: alice.screen.showing(
                '"random.bin" was not sent: nobody called bob is online (no-such-nick)'
            ),
            seconds=SETTLE_SECONDS,
            what="the refusal of the offer made again",
        )
        await server_holds_none(alice)


class WithdrawnElsewhereTests(TestCase):
    async def test_an_upload_withdrawn_elsewhere_while_its_offer_made_again_is_on_its_way_ends(self) -> None:
        """alice's connection drops while she sends a file; back, her client offers it again, and before the server
        reads that offer she withdraws the upload from another connection of her account: her client says so in
        one line, and cancels the upload the server opens for that offer. It missed the withdrawal (another id
        than the offer's, none yet) and sent the file whole, offered to #lobby."""
        daemon = Daemon.start(self, [*SLOW, "--db", new_database(self)])
        relay = Relay(self, daemon.port)
        alice = User(self, await relay.open(), "alice")
        await until(lambda: alice.screen.showing("alice joined #lobby"), what="alice in #lobby")
        alice.link.send(f"/register {PASSWORD.decode()}")
        await until(lambda: alice.screen.showing("is registered to you"), what="the registration")
        elsewhere = enter_json(daemon, f"alice {PASSWORD.decode()}", "127.0.0.1")
        path, _ = random_file(self, RESTARTED_SIZE)
        alice.link.send(f"/send #lobby {path}")
        await until(lambda: uploads(alice)[0].held >= CUT_AT, what="a third of the upload")
        file = uploads(alice)[0].server_id
        relay.hold_at = b"/file offer"
        relay.shut()
        await relay.open()
        await until(lambda: bool(relay.held), seconds=SETTLE_SECONDS, what="the offer made again")
        elsewhere.say(f"/file cancel {file}")
        until_json(elsewhere, "file_cancelled")
        relay.release()
        await until(
            lambda: alice.screen.showing(
                'Sending "random.bin" to #lobby was cancelled on another connection.'
            ),
            seconds=SETTLE_SECONDS,
            what="the withdrawal",
        )
        await server_holds_none(alice)
        self.assertEqual(alice.screen.matching("is offered it"), [])
