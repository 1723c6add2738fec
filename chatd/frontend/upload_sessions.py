"""Which session is sending each upload, and the chunks still on their way to one whose upload ended under it.

An upload is sent on one session at a time (``Transfer.uploader``), and a
session with an upload open may send lines as long as a chunk. When an
upload ends under a session that did not ask (it expired, another session
withdrew it, or another upload of its content was checked whole), the
chunks its client sent before it heard, a window at most, still come: they
are read as chunks and dropped without a word (``late_chunk``). This is
bookkeeping of sessions, kept apart from ``Uploads`` (chatd.frontend.uploads),
which owns the bytes: the spool, the checks, the offer.
"""

from chatd.domain.files import WINDOW
from chatd.frontend.open_transfers import OpenTransfers
from chatd.frontend.transfer_parts import Peer, Transfer


class UploadSessions:
    """The sessions sending the uploads of ``open_transfers``, and those whose late chunks may still come."""

    def __init__(self, open_transfers: OpenTransfers) -> None:
        self._open = open_transfers
        self._uploading: dict[Peer, set[str]] = {}
        self._late: dict[Peer, dict[str, int]] = {}
        """Each session's uploads ended under it (``stop``), and how many of their chunks may still come."""

    def uploading(self, peer: Peer) -> bool:
        """Whether ``peer`` has an upload open, or chunks of one ended under it may still come: its put lines may
        then be long."""
        return bool(self._uploading.get(peer)) or peer in self._late

    def start(self, peer: Peer, transfer: Transfer) -> None:
        """``peer`` sends ``transfer`` from now on."""
        transfer.uploader = peer
        self._uploading.setdefault(peer, set()).add(transfer.file)

    def detach(self, peer: Peer) -> None:
        """``peer`` is gone: its uploads wait to be resumed, on another session, with nothing of theirs late."""
        self._late.pop(peer, None)
        for file in self._uploading.pop(peer, set()):
            transfer = self._open.get(file)
            if transfer is not None and transfer.uploader is peer:
                transfer.uploader = None

    def end(self, transfer: Transfer) -> None:
        """No session sends ``transfer`` any more."""
        uploader, transfer.uploader = transfer.uploader, None
        if uploader is not None:
            self._uploading.get(uploader, set()).discard(transfer.file)

    def withdrawn(self, transfer: Transfer, peer: Peer) -> None:
        """Its sender withdrew ``transfer`` on ``peer``: its upload ends there, or under the other session sending
        it (``stop``)."""
        if transfer.uploader is peer:
            self.end(transfer)
        else:
            self.stop(transfer)

    def stop(self, transfer: Transfer) -> None:
        """End ``transfer``'s upload under the session sending it, which did not ask (it expired, another session
        withdrew it, or another upload of its content was checked whole, and the session is told so): the chunks it
        sent before it heard, a window at most, are still read as chunks and dropped without a word, not refused as
        lines too long for a connection with no upload open, each an error and a line of flood budget."""
        uploader = transfer.uploader
        self.end(transfer)
        if uploader is not None:
            self._late.setdefault(uploader, {})[transfer.file] = WINDOW

    def late_chunk(self, peer: Peer, file: str) -> bool:
        """Whether a chunk of ``file`` from ``peer`` is one of those on their way when its upload ended under it."""
        late = self._late.get(peer, {})
        if file not in late:
            return False
        late[file] -= 1
        if not late[file]:
            del late[file]
        if not late:
            del self._late[peer]
        return True
