"""The bundled client's uploads cancelled, or refused, around a drop end on the server too, through a real chatd under
twistd (issue 16).

alice is the client's ``Link`` and ``Transfers`` in this process; she sends
to #lobby, which she is back in by herself after a drop, so no offer of
hers made again is refused for want of its recipient. The drop is the
daemon killed (``kill -9``) and started again on its port, with its
transfers (``--db``) or without. Whether the server still holds one of her
uploads is what she reads with ``/files``. Every wait polls a condition
until a deadline.
"""

import os
import signal
import time

from twisted.internet import reactor
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase
from typing_extensions import override

from chatd.client.files import Transfers
from chatd.client.upload import Upload
from tests.e2e.daemon import Daemon
from tests.e2e.lobby import NAME
from tests.e2e.test_client_files import (
    CUT_AT,
    POLL_SECONDS,
    RESTARTED_SIZE,
    LyingWorker,
    User,
    random_file,
    restartable,
    until,
)
from tests.e2e.test_client_resume import enter
from tests.helpers import new_folder

LISTED = "iles on the server"
"""What the client's line for the server's ``file_list`` holds: "Files on the server (1):", "No files on the server."."""

SETTLE_SECONDS = 15.0
"""How long the server may take to let an upload go once the client cancelled it."""


async def listed(user: User) -> str:
    """``user`` types ``/files``: the first line of the server's answer."""
    asked = len(user.screen.matching(LISTED))
    user.link.send("/files")
    await until(lambda: len(user.screen.matching(LISTED)) > asked, what="the server's list")
    return user.screen.matching(LISTED)[-1]


async def server_holds_none(user: User) -> None:
    """``/files`` again and again until the server lists none of ``user``'s files; fail if it still holds one."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while (last := await listed(user)) != "* No files on the server.":
        if time.monotonic() > deadline:
            raise AssertionError(f"the server still holds a file of {user.link.view.me}: {last}")
        await deferLater(reactor, POLL_SECONDS, lambda: None)


async def sending_cut_off(case: TestCase, daemon: Daemon, alice: User) -> None:
    """alice sends #lobby a file; a third of the way the daemon is killed, and she is disconnected."""
    await until(lambda: alice.screen.showing("alice joined #lobby"), what="alice in #lobby")
    path, _ = random_file(case, RESTARTED_SIZE)
    alice.link.send(f"/send #lobby {path}")
    await until(lambda: any(t.held >= CUT_AT for t in alice.files.transfers()), what="a third of the upload")
    daemon.signal(signal.SIGKILL)
    await until(lambda: not alice.link.connected, what="alice disconnected")


def spool_only(folder: str) -> list[str]:
    """twistd arguments (after ``--port``) for a daemon that loses its transfers when killed: no ``--db``."""
    return ["--interface", "127.0.0.1", "--files", os.path.join(folder, "spool"), "--file-rate", "500000"]


class CancelsOnceBack(Transfers):
    """alice's transfers, once ``armed``: she types ``/cancel`` the moment she is back, her offer made again on its
    way, unanswered."""

    armed = False

    @override
    def online(self) -> None:
        super().online()
        if self.armed:
            self.armed = False
            self.command("/cancel")


class CancelTests(TestCase):
    async def test_a_cancel_while_disconnected_is_refused_and_works_once_back(self) -> None:
        """While the daemon is down, /cancel of alice's upload says in one line to cancel once back, and the upload
        goes on once she is; /cancel then ends it, on the server too. Ended on her side alone, the server kept
        it for its idle hour, one of her --file-transfers."""
        store = new_folder(self)
        daemon = Daemon.start(self, ["chatd", "--port", "0", *restartable(store)])
        port = daemon.port
        alice = User(self, port, "alice")
        await sending_cut_off(self, daemon, alice)
        alice.link.send("/cancel 1")
        await until(
            lambda: alice.screen.showing("! Not connected: cancel once the client is back."),
            seconds=SETTLE_SECONDS,
            what="the cancel refused",
        )
        self.assertEqual(alice.screen.matching("Cancelled sending"), [])
        Daemon.start(self, ["chatd", "--port", str(port), *restartable(store)])
        await until(lambda: alice.screen.showing("already: going on from there."), what="the upload going on")
        alice.link.send("/cancel 1")
        await until(
            lambda: alice.screen.showing('Cancelled sending "random.bin" to #lobby.'), what="the cancel"
        )
        await server_holds_none(alice)

    async def test_a_cancel_while_the_offer_made_again_is_on_its_way_ends_the_new_upload(self) -> None:
        """The daemon comes back without its transfers, and alice cancels as her client offers the file again: the
        server opens a new upload for that offer, and her client cancels that one too. It ignored the new id, and
        the server held that upload for its idle hour."""
        folder = new_folder(self)
        daemon = Daemon.start(self, ["chatd", "--port", "0", *spool_only(folder)])
        port = daemon.port
        alice = User(self, port, "alice", transfers=CancelsOnceBack)
        await sending_cut_off(self, daemon, alice)
        assert isinstance(alice.files, CancelsOnceBack)
        alice.files.armed = True
        Daemon.start(self, ["chatd", "--port", str(port), *spool_only(folder)])
        await until(
            lambda: alice.screen.showing('Cancelled sending "random.bin" to #lobby.'), what="the cancel"
        )
        await server_holds_none(alice)
        self.assertEqual(alice.screen.matching("no-such-file"), [])
        self.assertEqual(alice.screen.matching("You offer"), [])

    async def test_a_refused_offer_made_again_ends_its_upload_while_another_restarts(self) -> None:
        """After the daemon's restart, alice's client offers two uploads again: the server's bytes of the first are
        not her file's (it changed once hashed), so it starts that one over (/file restart), and refuses the
        second (carol is gone). The refusal ends the second in one line. It went to the
        oldest upload awaiting an answer, the one restarting, which took no refusal: the second stayed open."""
        store = new_folder(self)
        arguments = [*restartable(store), "--name", NAME]
        daemon = Daemon.start(self, ["chatd", "--port", "0", *arguments])
        port = daemon.port
        changed, _ = random_file(self, RESTARTED_SIZE, "changed.bin")
        alice = User(self, port, "alice", LyingWorker(changed, RESTARTED_SIZE))
        await until(lambda: alice.screen.showing("alice joined #lobby"), what="alice in #lobby")
        enter(daemon, "carol")
        await until(lambda: alice.screen.showing("carol joined #lobby"), what="carol in #lobby")
        other, _ = random_file(self, RESTARTED_SIZE, "other.bin")
        alice.link.send(f"/send #lobby {changed}")
        alice.link.send(f"/send carol {other}")
        await until(
            lambda: all(t.held > 0 for t in alice.files.transfers()) and len(alice.files.transfers()) == 2,
            what="both uploads going",
        )
        daemon.signal(signal.SIGKILL)
        await until(lambda: not alice.link.connected, what="alice disconnected")
        Daemon.start(self, ["chatd", "--port", str(port), *arguments])
        refused = '! "other.bin" was not sent: nobody called carol is online (no-such-nick)'
        await until(lambda: alice.screen.showing(refused), seconds=SETTLE_SECONDS * 2, what="the refusal")
        self.assertEqual(len(alice.screen.matching("other.bin")), 1 + 1)  # "Reading ..." and the refusal
        self.assertNotIn("other.bin", [t.name for t in alice.files.transfers() if isinstance(t, Upload)])
