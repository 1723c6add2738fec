"""A file offer built whole, for tests of what is said or kept of a transfer, or of how the open transfers find one,
that need no upload to open it."""

from chatd.domain.events import Actor
from chatd.domain.files import FileTarget, OfferedFile
from chatd.frontend.transfer_parts import Transfer
from tests.test_files import SHA

ALICE = Actor("alice", "127.0.0.1", None)
MATHS = FileTarget("#maths", room=True)


def worksheet(file: str = "0000000000000001", sender: Actor = ALICE, target: FileTarget = MATHS) -> Transfer:
    """``sender``'s offer of worksheet.pdf (10 bytes) to ``target`` as ``file``, alice's to #maths unless told:
    counted under the sender's address, begun at 1000 s and offered a second later, nobody offered it yet."""
    return Transfer(
        OfferedFile(file, "worksheet.pdf", 10, "application/pdf", SHA),
        sender,
        f"address:{sender.address}",
        target,
        f"{SHA}-10",
        1000.0,
        offered_at=1001.0,
    )
