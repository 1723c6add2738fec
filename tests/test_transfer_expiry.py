"""How much ``TransferExpiry`` weighs as transfers' times come, or as a full spool needs room (issue 16): each look
costs what is due, and making room what is let go, not every transfer open, so a daemon with thousands open does not
walk them all each time one of them goes."""

from collections.abc import Callable, Sequence

from chatd.domain.events import Actor
from chatd.domain.files import CHUNK, FileLimits, FileTarget, KeptTransfer, OfferedFile
from chatd.frontend.transfer_expiry import STALLED_SECONDS, TransferExpiry
from chatd.frontend.transfer_parts import Transfer
from chatd.frontend.transfers import Transfers
from tests.test_files import CONTENT, FileTestCase
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


class RoomWorkTests(FileTestCase):
    def test_making_room_for_one_weighs_the_longest_idle_upload_alone_however_many_are_stalled(self) -> None:
        """200 uploads kept across a restart fill the spool and stall: an offer that needs the room of one lets go the
        first opened of them, all as idle, weighing its bytes alone; sorting them all weighed 200 each time."""
        store = Restarted()
        for n in range(200):
            store.keep(upload(n))
        limits = FileLimits(keep=KEEP, store_bytes=200 * 100)
        self.factory.files = Transfers(
            self.chat,
            self.spool,
            self.clock,
            limits,
            store=store,
            new_id=lambda: next(self.ids),
            bus=self.bus,
        )
        weighed = [0]
        whole: property = vars(Transfer)["whole"]

        def counting(transfer: Transfer) -> bool:
            weighed[0] += 1
            return bool(whole.__get__(transfer))

        self.patch(Transfer, "whole", property(counting))
        carol, carol_wire = self.json_user(b"carol", host="10.0.0.3")
        self.clock.advance(STALLED_SECONDS)
        self.offer(carol, to=b"#lobby", sha="cd" * 32, size=100)
        self.assertEqual([item["type"] for item in self.objects(carol_wire)], ["file_upload"])
        gone = {upload(n).offered.file for n in range(200)} - store.records.keys()
        self.assertEqual(gone, {upload(0).offered.file})
        self.assertLessEqual(weighed[0], 2)

    def test_the_upload_idle_longest_gives_its_room_up_first_whichever_was_opened_first(self) -> None:
        """hog's upload and then bob's stall; hog's took a chunk since bob's last: an offer that needs the room of one
        lets bob's go, and hog's stays."""
        self.files.limits = FileLimits(max_size=150_000, store_bytes=150_000)
        hog, hog_wire = self.json_user(b"hog")
        bob, bob_wire = self.json_user(b"bob", host="10.0.0.2")
        carol, carol_wire = self.json_user(b"carol", host="10.0.0.3")
        self.offer(hog, to=b"carol", sha="ab" * 32, size=70_000)
        self.offer(bob, to=b"carol", sha="cd" * 32, size=70_000)
        self.clock.advance(1)
        self.upload(hog, CONTENT[:CHUNK], file="0000000000000001")
        self.clock.advance(STALLED_SECONDS)
        self.lines(hog_wire)
        self.lines(bob_wire)
        self.offer(carol, to=b"bob", sha="ef" * 32, size=70_000)
        self.assertEqual([item["type"] for item in self.objects(carol_wire)], ["file_upload"])
        self.assertEqual([item["type"] for item in self.objects(bob_wire)], ["file_expired"])
        self.assertEqual(self.lines(hog_wire), [])
        self.assertIsNotNone(self.files.transfer("0000000000000001"))
