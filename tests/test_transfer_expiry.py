"""How much ``TransferExpiry`` weighs as transfers' times come (issue 16): each look costs what is due, not every
transfer open, so a daemon with thousands open does not walk them all each time one of them goes."""

from collections.abc import Callable, Sequence

from chatd.domain.events import Actor
from chatd.domain.files import FileLimits, FileTarget, KeptTransfer, OfferedFile
from chatd.frontend.transfer_expiry import TransferExpiry
from chatd.frontend.transfer_parts import Transfer
from chatd.frontend.transfers import Transfers
from tests.test_files import FileTestCase
from tests.test_files_sessions import Kept

KEEP = 1000.0


class Restarted(Kept):
    """A store whose records a restart finds."""

    def kept(self) -> Sequence[KeptTransfer]:
        return list(self.records.values())


def upload(n: int) -> KeptTransfer:
    """alice's upload ``n`` to bob, kept across a restart, begun at ``n`` seconds: its time comes a second after the
    one before's."""
    sha = f"{n:064x}"
    return KeptTransfer(
        OfferedFile(f"{n:016x}", f"part{n}.bin", 100, "application/octet-stream", sha),
        Actor("alice", "127.0.0.1", None),
        "address:127.0.0.1",
        "nick:alice@127.0.0.1",
        FileTarget("bob"),
        float(n),
        None,
        (),
    )


class ExpiryWorkTests(FileTestCase):
    def weighed(self, count: int) -> tuple[int, int]:
        """Start an engine with ``count`` uploads kept, each due a second after the last, and let every one go, a
        look each: how many were let go, and how many times a transfer's time was weighed in all."""
        store = Restarted()
        for n in range(count):
            store.keep(upload(n))
        weighed = [0]
        deadline: Callable[[TransferExpiry, Transfer], float] = TransferExpiry._deadline

        def counting(expiry: TransferExpiry, transfer: Transfer) -> float:
            weighed[0] += 1
            return deadline(expiry, transfer)

        self.patch(TransferExpiry, "_deadline", counting)
        files = Transfers(self.chat, self.spool, self.clock, FileLimits(keep=KEEP), store=store, bus=self.bus)
        files.start()
        self.addCleanup(files.stop)
        start = weighed[0]
        self.clock.advance(KEEP - 1)
        for _ in range(count):
            self.clock.advance(1)
        return count - len(store.records), weighed[0] - start

    def test_letting_each_transfer_go_weighs_it_a_few_times_however_many_are_open(self) -> None:
        """200 uploads whose times come one a second are let go, one look each, weighing each one's time a few
        times: walking every transfer open at each look weighed them 40,000 times."""
        gone, weighed = self.weighed(200)
        self.assertEqual(gone, 200)
        self.assertLessEqual(weighed, 3 * 200)
