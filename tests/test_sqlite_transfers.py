"""Open transfers kept in the SQLite store's file across a restart (issue 16)."""

from dataclasses import replace

from chatd.domain.events import Actor
from chatd.domain.files import FileTarget, KeptTransfer, OfferedFile
from chatd.storage.sqlite_transfers import SQLiteTransfers, decode_transfer, encode_transfer
from tests.test_history import open_store
from tests.test_sqlite import StoreTestCase

UPLOADING = KeptTransfer(
    OfferedFile("00000000000000a1", "photo é.png", 40960, "image/png", "ab" * 32),
    Actor("alice", "10.0.0.1", None),
    "address:10.0.0.1",
    "nick:alice",
    FileTarget("bob"),
    1000.0,
    None,
    (),
)
OFFERED = KeptTransfer(
    OfferedFile("00000000000000b2", "notes.txt", 10, "text/plain", "cd" * 32),
    Actor("carol", "10.0.0.3", "carol"),
    "account:carol",
    "account:carol",
    FileTarget("Dave", account="dave"),
    1001.0,
    1002.5,
    ("dave",),
)
ROOM = KeptTransfer(
    OfferedFile("00000000000000c3", "worksheet.pdf", 20, "application/pdf", "ef" * 32),
    Actor("erin", "10.0.0.5", "erin"),
    "account:erin",
    "account:erin",
    FileTarget("#maths", room=True),
    1004.0,
    1005.0,
    ("nick:bob@10.0.0.2",),
    ("account:frank", "nick:gus@10.0.0.7"),
)


class TransferRecordTests(StoreTestCase):
    def test_a_record_decodes_to_what_was_encoded(self) -> None:
        """Every field, the sender's account, an offline target's account and who is done with a room's offer
        among them, comes back."""
        for record in (UPLOADING, OFFERED, ROOM):
            self.assertEqual(decode_transfer(encode_transfer(record)), record)

    def test_a_record_kept_before_anyone_was_known_to_be_done_decodes_with_nobody_done(self) -> None:
        """A record written before ``done`` was kept reads as one nobody is done with."""
        body = encode_transfer(ROOM).replace(',"done":["account:frank","nick:gus@10.0.0.7"]', "")
        self.assertEqual(decode_transfer(body), replace(ROOM, done=()))

    def test_kept_transfers_are_there_after_a_restart_and_forgotten_ones_are_not(self) -> None:
        """Kept, changed, one forgotten, the store stopped and opened again: the other is there as last kept."""
        store = open_store(self, self.path, self.reactor)
        transfers = SQLiteTransfers(store)
        self.assertEqual(transfers.kept(), [])
        transfers.keep(UPLOADING)
        transfers.keep(OFFERED)
        self.end_pass(store)
        changed = replace(OFFERED, offered_at=1003.0, pending=())
        transfers.keep(changed)
        transfers.forget(UPLOADING.offered.file)
        self.end_pass(store)
        store = self.reopened(store)
        self.assertEqual(SQLiteTransfers(store).kept(), [changed])
