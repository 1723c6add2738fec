"""Which transfer each of the server's answers is about, for the bundled client, through a real chatd under twistd
(issue 16).

An accept's refusal names its file, and so does the refusal of a chunk or
a restart of an upload the server holds whole; the answer to an offer
names the offer's target. alice and bob are the client's ``Link`` and
``Transfers`` in this process, on the real reactor, alice's connection,
where needed, through test_client_files_unheard's ``Relay``, which can
hold her lines from a given one on; the other people are raw sockets.
Every wait polls a condition until a deadline.
"""

import hashlib
import os

from twisted.trial.unittest import TestCase

from chatd.client.upload import CHUNK
from tests.e2e.daemon import Daemon
from tests.e2e.test_client_files import User, random_file, until
from tests.e2e.test_client_files_unheard import Relay
from tests.e2e.test_daemon import LOOPBACK
from tests.e2e.test_files_restart import enter as enter_json
from tests.e2e.test_files_restart import put
from tests.e2e.test_files_restart import until as until_json

ONE_AT_A_TIME = (*LOOPBACK, "--file-transfers", "1", "--file-rate", "200000")
"""A daemon where each user has one transfer going at most, a download of ``SLOW_SIZE`` bytes taking three seconds."""

SLOW_SIZE = 600_000


class RefusedAcceptTests(TestCase):
    async def test_an_accept_refused_names_its_download_which_is_accepted_again_once_the_other_is_done(
        self,
    ) -> None:
        """bob, allowed one transfer at a time, fetches one of alice's files and accepts her other meanwhile: the
        refusal names the second, whose line says it was not fetched and how to try again, and once the first is
        saved `/accept 2` fetches it. The refusal was shown as a bare error, and the second said "accepting" for
        good: `/accept 2` found no offer to accept."""
        daemon = Daemon.start(self, ONE_AT_A_TIME)
        alice, bob = User(self, daemon.port, "alice"), User(self, daemon.port, "bob")
        await until(lambda: bob.screen.showing("bob joined #lobby"), what="bob in #lobby")
        first, first_data = random_file(self, SLOW_SIZE, "first.bin")
        second, second_data = random_file(self, 20_000, "second.bin")
        for number, path in ((1, first), (2, second)):
            alice.link.send(f"/send bob {path}")
            await until(lambda: bob.screen.showing(f"/accept {number} or"), what=f"offer {number}")  # noqa: B023
        bob.link.send("/accept 1")
        await until(lambda: bob.part_size("first.bin") > 0, what="the first under way")
        bob.link.send("/accept 2")
        refused = (
            '! "second.bin" from alice was not fetched: you have 1 transfer going, the most at once; wait for one '
            "to end (file-too-many); /accept 2 tries again."
        )
        await until(lambda: bob.screen.showing("(file-too-many)"), what="the refusal")
        self.assertEqual(bob.screen.matching("(file-too-many)"), [refused])
        await until(lambda: bob.screen.showing('Saved "first.bin"'), what="the first saved")
        bob.link.send("/accept 2")
        await until(lambda: bob.screen.showing('Saved "second.bin"'), what="the second saved")
        self.assertEqual((bob.saved("first.bin"), bob.saved("second.bin")), (first_data, second_data))


class TakenWholeTests(TestCase):
    async def test_a_restart_answered_that_the_file_is_whole_already_is_taken_quietly(self) -> None:
        """The server holds the start of alice's upload to bob with other bytes (sent by another program of hers
        that left), so her client, offering the file, asks to restart it; before the restart reaches the server,
        carol sends the same file whole, which takes alice's too: her client says it is offered, and the restart's
        `ERR file-uploaded`, naming it, shows nothing. It was shown, as if something had gone wrong."""
        daemon = Daemon.start(self, LOOPBACK)
        path, data = random_file(self, 3 * CHUNK)
        sha = hashlib.sha256(data).hexdigest()
        bob = enter_json(daemon, "bob", "127.0.0.3")
        other = enter_json(daemon, "alice", "127.0.0.1")
        other.say(f"/file offer bob {len(data)} {sha} application/octet-stream random.bin")
        held = until_json(other, "file_upload")["file"]
        put(other, held, 0, CHUNK, os.urandom(CHUNK))
        other.say("/quit")
        other.read_to_end()
        relay = Relay(self, daemon.port)
        relay.hold_at = b"/file restart"
        alice = User(self, await relay.open(), "alice")
        await until(lambda: alice.screen.showing("alice joined #lobby"), what="alice in #lobby")
        alice.link.send(f"/send bob {path}")
        await until(lambda: bool(relay.held), what="the restart on its way")
        carol = enter_json(daemon, "carol", "127.0.0.4")
        carol.say(f"/file offer bob {len(data)} {sha} application/octet-stream random.bin")
        put(carol, until_json(carol, "file_upload")["file"], 0, len(data), data)
        await until(lambda: alice.screen.showing("bob is offered it"), what="alice's upload taken whole")
        relay.release()
        alice.link.send("/files")
        await until(lambda: alice.screen.showing("Files on the server"), what="the answer to /files")
        self.assertEqual(alice.screen.matching("file-uploaded"), [])
        self.assertEqual(alice.screen.matching(held), [])
        bob.say("/quit")
        bob.read_to_end()
