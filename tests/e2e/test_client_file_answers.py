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
from typing_extensions import override

from chatd.client.files import Transfers
from chatd.client.upload import CHUNK
from tests.e2e.daemon import Daemon
from tests.e2e.lobby import LOOPBACK
from tests.e2e.test_client_files import User, random_file, until
from tests.e2e.test_client_files_unheard import Relay
from tests.e2e.test_client_resume import enter
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


class SecondOfferFirst(Transfers):
    """A client's transfers that send their second ``/file offer`` before the first: the server answers the two out
    of the order the client awaits them in."""

    held: str | None = None
    offers = 0

    @override
    def put(self, text: str) -> None:
        if not text.startswith("/file offer ") or self.offers >= 2:
            super().put(text)
            return
        self.offers += 1
        if self.held is None:
            self.held = text
            return
        super().put(text)
        super().put(self.held)


class TwoAtOnceTests(TestCase):
    async def test_the_same_file_to_two_people_at_once_is_told_apart_by_the_target_each_answer_names(
        self,
    ) -> None:
        """alice's client sends one file to bob and to carol at once, and the server answers the two offers out of
        the order sent: each upload takes the answer naming its target, so `/cancel 1` withdraws the offer to bob,
        and the server offers it to carol alone. By the file alone, each took the other's answer: the cancel
        withdrew carol's, and bob was still offered it."""
        daemon = Daemon.start(self, LOOPBACK)
        enter(daemon, "bob")
        enter(daemon, "carol")
        alice = User(self, daemon.port, "alice", transfers=SecondOfferFirst)
        await until(lambda: alice.screen.showing("alice joined #lobby"), what="alice in #lobby")
        path, _ = random_file(self, 3 * CHUNK)
        alice.link.send(f"/send bob {path}")
        alice.link.send(f"/send carol {path}")
        for target in ("bob", "carol"):
            await until(lambda: alice.screen.showing(f"{target} is offered it"), what=f"offered to {target}")  # noqa: B023
        alice.link.send("/cancel 1")
        alice.link.send("/files")
        await until(lambda: alice.screen.showing("Files on the server"), what="the server's list")
        offered = [line.split(":")[0] for line in alice.screen.matching("*   to ")]
        self.assertEqual(
            alice.screen.matching("Files on the server") + offered,
            ["* Files on the server (1):", "*   to carol"],
        )


class LateAnswerTests(TestCase):
    async def test_acks_that_cross_the_senders_withdrawal_show_no_error_while_one_typed_after_does(
        self,
    ) -> None:
        """bob's client fetches alice's file, its acks of the chunks it wrote held on their way as she withdraws it:
        it says she cancelled it, and nothing more once the acks reach the server, each answered `ERR
        no-such-file`. Each was shown, "no transfer ID is open for you", as if something else had gone wrong. A
        `/file` line he types about the file since is answered as ever, the error shown."""
        daemon = Daemon.start(self, LOOPBACK)
        alice = enter_json(daemon, "alice", "127.0.0.3")
        relay = Relay(self, daemon.port)
        relay.hold_at = b"/file ack "
        bob = User(self, await relay.open(), "bob")
        await until(lambda: bob.screen.showing("bob joined #lobby"), what="bob in #lobby")
        data = os.urandom(20 * CHUNK)
        alice.say(
            f"/file offer bob {len(data)} {hashlib.sha256(data).hexdigest()} application/octet-stream late.bin"
        )
        file_id = until_json(alice, "file_upload")["file"]
        put(alice, file_id, 0, len(data), data)
        await until(lambda: bob.screen.showing("/accept 1 or"), what="the offer")
        bob.link.send("/accept 1")
        await until(lambda: bool(relay.held), what="an ack on its way")
        alice.say(f"/file cancel {file_id}")
        await until(lambda: bob.screen.showing('alice cancelled "late.bin"'), what="the withdrawal")
        relay.release()
        bob.link.send("/files")  # answered after the acks, on the same connection
        await until(lambda: bob.screen.showing("on the server"), what="the answer to /files")
        self.assertEqual(bob.screen.matching(" is open for you"), [])
        bob.link.send(f"/file accept {file_id}")
        await until(lambda: bob.screen.showing(" is open for you"), what="the typed line's answer")
        self.assertEqual(len(bob.screen.matching(" is open for you")), 1)
        alice.say("/quit")
        alice.read_to_end()
