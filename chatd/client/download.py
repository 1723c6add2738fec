"""One file coming down: accepted (or resumed), each chunk checked, written, acknowledged, the whole checked.

The server sends ``file_chunk`` objects in order, at most 8 unacknowledged.
Each chunk's SHA-256 is checked before it is written; it is acknowledged
(``/file ack ID END``) only once it is in the part file, so what was
acknowledged is what a resume can go on from. A chunk that arrives
damaged is not written: the download accepts again from the end of the
last good chunk (``/file accept ID OFFSET HASH``), up to ``RETRIES`` times
for one file, and gives up on the next. At ``file_sent`` the whole
part file is hashed and, if it is the offer's SHA-256, saved under its
name; otherwise it is deleted and the user told. Disk work runs on the
``Worker``, one step at a time per download (a ``DeferredLock``), so writes
land in order and the screen never waits for the disk.
"""

import base64
import binascii
import enum
import hashlib
from collections.abc import Callable
from typing import TypeVar

from twisted.internet.defer import Deferred, DeferredLock
from twisted.python.failure import Failure

from chatd.client.partfile import Offer, PartFile
from chatd.client.upload import CHUNK
from chatd.client.worker import Worker

T = TypeVar("T")

RETRIES = 3
"""Damaged chunks a download gets over by accepting again from the last good one; the next one ends it."""


class Stage(enum.Enum):
    """Where a download is; the value is how ``/files`` says it."""

    OFFERED = "offered"
    ACCEPTING = "accepting"
    RECEIVING = "receiving"
    CHECKING = "being checked"
    WAITING = "waiting for the connection"
    PAUSED = "unfinished"
    ENDED = "ended"


class Download:
    """The recipient's side of one offered file.

    ``send`` puts a line on the wire; ``ended`` is told once how it ended:
    the saved path, or None and a sentence saying why it failed;
    ``resumed``, each time it goes on from a part file, how many bytes it
    held (``repairing`` is True when a damaged chunk is why).
    """

    def __init__(
        self,
        number: int,
        offer: Offer,
        folder: str,
        send: Callable[[str], None],
        worker: Worker,
        ended: "Callable[[Download, str | None, str], None]",
        resumed: "Callable[[Download, int], None]",
        part: PartFile | None = None,
    ) -> None:
        self.number = number
        self.offer = offer
        self.folder = folder
        self.part = part
        self.stage = Stage.PAUSED if part is not None else Stage.OFFERED
        self.held = 0
        """Bytes written to the part file and acknowledged."""
        self._next = 0
        """The offset the next chunk must have: the end of what arrived (written or being written)."""
        self._send = send
        self._worker = worker
        self._ended = ended
        self._resumed_from = resumed
        self._disk = DeferredLock()
        self._round = 0
        self.damaged = 0
        """Chunks of this file that arrived damaged, each answered by accepting again."""
        self.repairing = False
        """True from a damaged chunk until the accept that goes on after it is sent."""

    def _on_disk(self, work: Callable[..., T], *args: object) -> "Deferred[T]":
        """Run ``work(*args)`` on the worker after every earlier disk step of this download."""
        return self._disk.run(self._worker, work, *args)

    def accept(self) -> None:
        """Accept the offer, or go on from the part file after a drop or a restart of the client."""
        self.stage = Stage.ACCEPTING
        self._round += 1
        this_round = self._round
        if self.part is None:
            self._on_disk(PartFile.create, self.folder, self.offer).addCallbacks(
                lambda part: self._created(this_round, part), self._disk_failed
            )
            return
        self._on_disk(self.part.resume_point, CHUNK).addCallbacks(
            lambda point: self._resumed(this_round, *point), self._disk_failed
        )

    def _created(self, this_round: int, part: PartFile) -> None:
        self.part = part
        if this_round == self._round and self.stage is Stage.ACCEPTING:
            self.held = self._next = 0
            self._send(f"/file accept {self.offer.file}")

    def _resumed(self, this_round: int, offset: int, last: str) -> None:
        if this_round != self._round or self.stage is not Stage.ACCEPTING:
            return
        self.held = self._next = offset
        self._send(f"/file accept {self.offer.file}" + (f" {offset} {last}" if offset else ""))
        if offset or self.repairing:
            self._resumed_from(self, offset)
        self.repairing = False

    def mismatch(self) -> None:
        """``ERR file-resume-mismatch``: the part file is not the start of the server's copy; start from 0."""
        if self.stage is not Stage.ACCEPTING or self.part is None:
            return
        self._round += 1
        this_round = self._round
        self._on_disk(self.part.restart).addCallbacks(
            lambda _: self._resumed(this_round, 0, ""), self._disk_failed
        )

    def refused(self) -> None:
        """The server refused the accept (``file-too-many``: the user's transfers at once): nothing comes. It waits
        for ``/accept`` again, which goes on from the part file."""
        if self.stage is Stage.ACCEPTING:
            self.stage = Stage.PAUSED
            self._round += 1
            self.repairing = False

    def chunk(self, offset: int, data: str, sha256: str) -> None:
        """A ``file_chunk``: check it, write it, then acknowledge it."""
        if self.stage not in (Stage.ACCEPTING, Stage.RECEIVING) or offset != self._next or self.part is None:
            # Sent before a drop or a re-accept, or out of order: what follows the held bytes comes again.
            return
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raw = None
        if raw is None or hashlib.sha256(raw).hexdigest() != sha256 or offset + len(raw) > self.offer.size:
            self._damaged(offset)
            return
        self.stage = Stage.RECEIVING
        self._next = end = offset + len(raw)
        this_round = self._round
        self._on_disk(self.part.write, offset, raw).addCallbacks(
            lambda _: self._written(this_round, end), self._disk_failed
        )

    def _damaged(self, offset: int) -> None:
        """The chunk at ``offset`` is not what its hash says: keep what came before, and accept again from there.

        The chunks already on their way after it are ignored (their offsets
        are not the next one), and what is being written is finished first,
        so the part file ends where the damaged chunk began.
        """
        self.damaged += 1
        if self.damaged > RETRIES:
            self.fail(
                f"pieces of it arrived damaged {self.damaged} times (the last at bytes {offset} on), "
                "so it was cancelled"
            )
            return
        assert self.part is not None, "chunks are taken only once the part file exists"
        self.stage = Stage.ACCEPTING
        self.repairing = True
        self._round += 1
        this_round = self._round
        self._on_disk(self.part.resume_point, CHUNK).addCallbacks(
            lambda point: self._resumed(this_round, *point), self._disk_failed
        )

    def _written(self, this_round: int, end: int) -> None:
        if this_round == self._round and self.stage is Stage.RECEIVING:
            self.held = end
            self._send(f"/file ack {self.offer.file} {end}")

    def sent(self) -> None:
        """``file_sent``: every chunk has come; once written, check the whole file and save it."""
        if self.stage not in (Stage.ACCEPTING, Stage.RECEIVING) or self.part is None:
            return
        if self._next != self.offer.size:
            self.fail(f"the server said it was all sent after {self._next} of {self.offer.size} bytes")
            return
        self.stage = Stage.CHECKING
        self._on_disk(self.part.finish, self.offer.sha256).addCallbacks(self._finished, self._disk_failed)

    def _finished(self, path: str | None) -> None:
        if path is None:
            self.stage = Stage.ENDED
            self._send(f"/file cancel {self.offer.file}")
            self._ended(self, None, "its SHA-256 is not the one offered, so it was deleted")
            return
        self.stage = Stage.ENDED
        self.held = self.offer.size
        self._ended(self, path, "")

    def offline(self) -> None:
        """The connection dropped: go on from the part file on the next connection."""
        if self.stage in (Stage.ACCEPTING, Stage.RECEIVING):
            self.stage = Stage.WAITING
            self._round += 1
            self.repairing = False

    def decline(self) -> None:
        """Refuse the offer: nothing was written."""
        self.stage = Stage.ENDED
        self._send(f"/file decline {self.offer.file}")

    def cancel(self, tell_server: bool = True) -> None:
        """Stop for good and delete what arrived; tell the server unless it told us."""
        self.stage = Stage.ENDED
        self._round += 1
        if tell_server:
            self._send(f"/file cancel {self.offer.file}")
        if self.part is not None:
            self._on_disk(self.part.discard).addErrback(lambda _: None)

    def fail(self, why: str) -> None:
        """End with ``why``: cancelled on the server, the part file deleted."""
        if self.stage is Stage.ENDED:
            return
        self.cancel()
        self._ended(self, None, why)

    def _disk_failed(self, failure: Failure) -> None:
        reason = failure.value
        why = f"the disk said: {reason.strerror}" if isinstance(reason, OSError) else "writing it failed"
        self.fail(why)
