"""Which transfer each of the server's answers is about, for the bundled client, through a real chatd under twistd
(issue 16).

An accept's refusal names its file; the answer to an offer names the offer's
target. alice and bob are the client's ``Link`` and ``Transfers`` in this
process, on the real reactor. Every wait polls a condition until a deadline.
"""

from twisted.trial.unittest import TestCase

from tests.e2e.daemon import Daemon
from tests.e2e.test_client_files import User, random_file, until
from tests.e2e.test_daemon import LOOPBACK

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
