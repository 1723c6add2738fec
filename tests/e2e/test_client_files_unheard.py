"""File commands of the bundled client that the server could not hear: typed while disconnected, made before the
server accepted a nickname, or cut off with the connection before their answer, through a real chatd under twistd
(issue 16).

The users are the client's ``Link`` and ``Transfers`` in this process
(test_client_files's ``User``). Every wait polls a condition until a
deadline.
"""

from twisted.trial.unittest import TestCase

from chatd.client.upload import Stage, Upload
from tests.e2e.daemon import Daemon
from tests.e2e.test_client_files import User, random_file, until
from tests.e2e.test_client_files_cancel import SETTLE_SECONDS
from tests.e2e.test_client_resume import enter
from tests.e2e.test_daemon import LOOPBACK


def uploads(user: User) -> list[Upload]:
    return [transfer for transfer in user.files.transfers() if isinstance(transfer, Upload)]


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
