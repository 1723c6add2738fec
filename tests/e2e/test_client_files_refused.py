"""Uploads the bundled client gives up after a drop end on the server too, through a real chatd under twistd (issue 16).

After a drop the client offers its uploads again to go on. When the
server refuses that offer (here: the nickname it goes to is gone), the
upload is over for the client, but the server still holds it, and would
until its idle hour was up, one of its user's ``--file-transfers`` with
it: the client lets it go with ``/file cancel`` and the id the server gave
it before the drop. The daemons here take one file at once
(``--file-transfers 1``), so the next file the user sends is taken only if
the one given up no longer holds the one slot. The drop is the daemon
killed (``kill -9``) and started again on its port: alice, the client's
``Link`` and ``Transfers`` in this process, comes back by herself; bob, a
raw socket, does not. Every wait polls a condition until a deadline.
"""

import os
import signal

from twisted.trial.unittest import TestCase

from tests.e2e.daemon import Daemon
from tests.e2e.lobby import NAME
from tests.e2e.test_client_files import CUT_AT, RESTARTED_SIZE, User, random_file, restartable, until
from tests.e2e.test_client_resume import enter
from tests.helpers import new_folder

ONE_AT_ONCE = ("--file-transfers", "1")
"""One file at once for a user: an upload given up that the server still held would refuse the next."""

REFUSED = '"random.bin" was not sent: nobody called bob is online (no-such-nick)'


class RefusedOfferAgainTests(TestCase):
    async def cut_off(self, arguments: list[str]) -> User:
        """alice sending bob a file, the daemon (started with ``arguments`` after its port) killed a third of the
        way and started again on its port with them: bob is not back, and the offer alice makes again is
        refused, which her screen has said. Alice."""
        arguments = [*arguments, "--name", NAME]
        daemon = Daemon.start(self, ["chatd", "--port", "0", *arguments])
        port = daemon.port
        alice = User(self, port, "alice")
        await until(lambda: alice.screen.showing("alice joined #lobby"), what="alice in #lobby")
        enter(daemon, "bob")
        await until(lambda: alice.screen.showing("bob joined #lobby"), what="bob in #lobby")
        path, _ = random_file(self, RESTARTED_SIZE)
        alice.link.send(f"/send bob {path}")
        await until(
            lambda: any(t.held >= CUT_AT for t in alice.files.transfers()), what="a third of the upload"
        )
        daemon.signal(signal.SIGKILL)
        Daemon.start(self, ["chatd", "--port", str(port), *arguments])
        await until(lambda: alice.screen.showing(REFUSED), what="the refusal of the offer made again")
        return alice

    async def sends_the_next(self, alice: User) -> None:
        """alice sends another file to #lobby: the server takes it, one transfer at once notwithstanding."""
        path, _ = random_file(self, 20_000, "next.bin")
        alice.link.send(f"/send #lobby {path}")
        refused = '"next.bin" was not sent'
        await until(
            lambda: alice.screen.showing("#lobby is offered it") or alice.screen.showing(refused),
            what="the next file's answer",
        )
        self.assertEqual(alice.screen.matching(refused), [])

    async def test_an_upload_whose_offer_is_refused_once_back_ends_on_the_server_too(self) -> None:
        """The daemon keeps its transfers (--db): back, alice's client offers the file to bob again, is refused, says
        so in one line, and the server no longer holds the upload. It held it for an hour, so her next file was
        refused (`file-too-many`)."""
        store = new_folder(self)
        alice = await self.cut_off([*restartable(store), *ONE_AT_ONCE])
        await self.sends_the_next(alice)

    async def test_an_upload_the_server_lost_whose_offer_is_refused_is_said_once(self) -> None:
        """The daemon loses its transfers (no --db): back, alice's client offers the file to bob again, is refused,
        and says so in one line, the only one about it. Its cancel of an upload the server no longer had was
        answered `ERR no-such-file`, shown as a second line that told her nothing."""
        files = new_folder(self)
        arguments = [
            "--interface",
            "127.0.0.1",
            "--files",
            os.path.join(files, "spool"),
            "--file-rate",
            "500000",
            *ONE_AT_ONCE,
        ]
        alice = await self.cut_off(arguments)
        await self.sends_the_next(alice)  # answered after the client's cancel, on the same connection
        self.assertEqual(alice.screen.matching(" is open for you"), [])
