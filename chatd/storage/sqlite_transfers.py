"""Files' transfers still open, kept in the SQLite store's file (schema step 9), for a restarted daemon (issue 16).

As ``SQLiteMailbox`` does: the records are read at start (``SQLiteHistory.open``)
and handed to the transfer engine once; a change is one statement in the
reactor pass's transaction, written by the store's writer thread, so keeping
one never waits. A record is the whole transfer as JSON: who sent what to
whom, who may still fetch it, since when. Its bytes are in the spool.
"""

import json
from collections.abc import Sequence

from chatd.domain.events import Actor
from chatd.domain.files import FileTarget, KeptTransfer, OfferedFile
from chatd.storage.sqlite import SQLiteHistory


class SQLiteTransfers:
    """The transfers kept in ``store``'s file; those there at start are ``kept()``."""

    def __init__(self, store: SQLiteHistory) -> None:
        self._store = store
        self._kept = [decode_transfer(body) for body in store.transfers]

    def kept(self) -> Sequence[KeptTransfer]:
        """The transfers open when the daemon last stopped."""
        return self._kept

    def keep(self, transfer: KeptTransfer) -> None:
        """Keep ``transfer`` as it is now (a new one, or a change), on disk by the end of the pass."""
        written = self._store.change(
            "INSERT OR REPLACE INTO transfers (file, body) VALUES (?, ?)",
            transfer.offered.file,
            encode_transfer(transfer),
        )
        written.addErrback(lambda _: None)  # the store logs a failed change; the transfer goes on in memory

    def forget(self, file: str) -> None:
        """``file`` is over: its record goes by the end of the pass."""
        self._store.change("DELETE FROM transfers WHERE file = ?", file).addErrback(lambda _: None)


def encode_transfer(transfer: KeptTransfer) -> str:
    """``transfer`` as one JSON object."""
    offered, sender, target = transfer.offered, transfer.sender, transfer.target
    return json.dumps(
        {
            "file": offered.file,
            "name": offered.name,
            "size": offered.size,
            "mime": offered.mime,
            "sha256": offered.sha256,
            "nick": sender.nick,
            "address": sender.address,
            "account": sender.account,
            "owner": transfer.owner,
            "by": transfer.by,
            "to": target.to,
            "room": target.room,
            "to_account": target.account,
            "began": transfer.began,
            "offered_at": transfer.offered_at,
            "pending": sorted(transfer.pending),
            "done": sorted(transfer.done),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode_transfer(text: str) -> KeptTransfer:
    """The transfer ``encode_transfer`` wrote as ``text``."""
    data = json.loads(text)
    return KeptTransfer(
        OfferedFile(data["file"], data["name"], data["size"], data["mime"], data["sha256"]),
        Actor(data["nick"], data["address"], data["account"]),
        data["owner"],
        data["by"],
        FileTarget(data["to"], data["room"], data["to_account"]),
        data["began"],
        data["offered_at"],
        tuple(data["pending"]),
        # Kept before a room's late joiners were offered what is open there: nobody is known to be done with it.
        tuple(data.get("done", ())),
    )
