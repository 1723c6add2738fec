"""One file going up: hashed once, offered, sent in order with at most 8 chunks unacknowledged.

The server answers an offer with ``file_upload`` and how much of this
content it already holds (``have``), with the SHA-256 of its last chunk
(``tail``): the upload checks that chunk against its own file and either
goes on from there or asks the server to start over (``/file restart``).
Each chunk put is acknowledged with ``file_progress``; a window of
``WINDOW`` chunks keeps the pipe full while the user's own chat lines
wait behind at most 128 KiB. Hashing, reading and base64 run on the ``Worker``, a slice or a batch at
a time, so the file is never read whole into memory and the bar moves.
If the connection drops, the upload waits; on the next connection it is
offered again, and the server's ``have`` says where to go on.
"""

import base64
import enum
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from chatd.client.partfile import READ_BYTES
from chatd.client.worker import Worker

CHUNK = 16384
"""The protocol's chunk size: the client hashes its file in chunks of this many bytes."""

WINDOW = 8
"""Chunks put and not yet acknowledged, at most."""


@dataclass(frozen=True, slots=True)
class Hashed:
    """A file read once: its size, its SHA-256, and the SHA-256 of each CHUNK-byte chunk in order."""

    size: int
    sha256: str
    chunks: tuple[str, ...]


HASH_SLICE = 8 * 1024 * 1024
"""Bytes hashed in one go on the worker: between slices the bar moves and a cancel is heard. A multiple of CHUNK."""


class Hashing:
    """A file being hashed a slice at a time, whole and chunk by chunk.

    ``step`` runs on the worker, one call at a time; nothing else touches
    the object while one runs, so the reactor thread reads ``size`` only
    between steps.
    """

    def __init__(self) -> None:
        self.size = 0
        """Bytes hashed so far."""
        self._whole = hashlib.sha256()
        self._chunks: list[str] = []

    def step(self, path: str) -> bool:
        """Hash up to ``HASH_SLICE`` more bytes of ``path``; True once its end is reached. Blocks; raises OSError."""
        with open(path, "rb") as file:
            file.seek(self.size)
            left = HASH_SLICE
            while left > 0:
                block = file.read(min(READ_BYTES, left))
                if not block:
                    return True
                self._whole.update(block)
                self.size += len(block)
                left -= len(block)
                # Blocks start on a chunk's boundary: READ_BYTES and HASH_SLICE are multiples of CHUNK.
                self._chunks += [
                    hashlib.sha256(block[at : at + CHUNK]).hexdigest() for at in range(0, len(block), CHUNK)
                ]
        return False

    def result(self) -> Hashed:
        """What the finished hashing found."""
        return Hashed(self.size, self._whole.hexdigest(), tuple(self._chunks))


def hash_file(path: str) -> Hashed:
    """Read ``path`` once, in chunks, hashing it whole and chunk by chunk. Blocks; raises OSError."""
    hashing = Hashing()
    while not hashing.step(path):
        pass
    return hashing.result()


def span_sha256(path: str, start: int, end: int) -> str:
    """The SHA-256 of bytes ``[start, end)`` of ``path``. Blocks; raises OSError."""
    with open(path, "rb") as file:
        file.seek(start)
        return hashlib.sha256(file.read(end - start)).hexdigest()


class FileChangedError(Exception):
    """The file is shorter than when it was hashed: it changed while being sent."""


def put_lines(
    path: str, file_id: str, offset: int, count: int, chunk: int, size: int
) -> list[tuple[str, int]]:
    """The ``/file put`` lines for ``count`` chunks from ``offset``, with each chunk's length. Blocks."""
    with open(path, "rb") as file:
        file.seek(offset)
        data = file.read(min(count * chunk, size - offset))
    if len(data) < min(count * chunk, size - offset):
        raise FileChangedError(path)
    lines = []
    for at in range(0, len(data), chunk):
        piece = data[at : at + chunk]
        lines.append(
            (f"/file put {file_id} {offset + at} {base64.b64encode(piece).decode('ascii')}", len(piece))
        )
    return lines


class Stage(enum.Enum):
    """Where an upload is; the value is how ``/files`` says it."""

    HASHING = "hashing"
    OFFERING = "offering"
    SENDING = "sending"
    CHECKING = "being checked"
    WAITING = "waiting for the connection"
    OFFERED = "offered"
    ENDED = "ended"


class Upload:
    """The sender's side of one file, from hashing to the server's ``file_uploaded``.

    ``send`` puts a line on the wire; ``ended`` is told once, with a
    sentence, if the upload fails for a reason of the client's own (the file
    cannot be read or changed). The server's refusals reach the user as
    its own error lines.
    """

    def __init__(
        self,
        number: int,
        target: str,
        path: str,
        name: str,
        mime: str,
        expected: int,
        send: Callable[[str], None],
        worker: Worker,
        ended: "Callable[[Upload, str], None]",
    ) -> None:
        self.number = number
        self.target = target
        self.path = path
        self.name = name
        self.mime = mime
        self.hashed: Hashed | None = None
        self.hashing_done = 0
        """Bytes hashed so far, while the stage is HASHING."""
        self.expected = expected
        """The file's size when ``/send`` found it: what hashing is measured against."""
        self.file_id: str | None = None
        """The server's id for this upload on this connection: None until it answers the offer made on it."""
        self.server_id: str | None = None
        """The id the server last gave this upload, kept across a drop: the server holds the upload (to go on with)
        until it expires, so ending it for good after a drop cancels that one."""
        self.offer_lost = False
        """True from a drop that cut off an offer of this upload's before its answer came, until an offer is
        answered: the server may have opened an upload for it, whose id the client never heard."""
        self.stage = Stage.HASHING
        self.held = 0
        """Bytes the server has acknowledged."""
        self.put = 0
        """Bytes sent in ``/file put`` lines: the offset of the next chunk."""
        self.chunk = CHUNK
        self._send = send
        self._worker = worker
        self._ended = ended
        self._reading = False
        self._round = 0
        """Bumped whenever what is in flight stops counting (a drop, a wrong offset, a restart, the file taken whole)."""

    @property
    def server_may_hold(self) -> bool:
        """Whether the server may hold this upload: it gave it an id, or was offered it and the answer was lost.

        Ended for good, such an upload must be cancelled there too: the
        server kept it until its idle hour was up. One with no id is
        cancelled once an offer of it made again is answered, with the same
        upload or a new one (``Transfers.cancel_on_server``).
        """
        return self.server_id is not None or self.offer_lost

    @property
    def size(self) -> int:
        """The file's size once hashed, else 0."""
        return self.hashed.size if self.hashed is not None else 0

    def hash(self) -> "Deferred[Hashed | None]":
        """Hash the file on the worker, a slice at a time; the result, or None if the upload ended meanwhile.

        Fails with the OSError that reading raised.
        """
        hashing = Hashing()
        result: Deferred[Hashed | None] = Deferred()

        def stepped(done: bool) -> None:
            if self.stage is not Stage.HASHING:
                result.callback(None)
            elif done:
                self.hashing_done = hashing.size
                result.callback(hashing.result())
            else:
                self.hashing_done = hashing.size
                self._worker(hashing.step, self.path).addCallbacks(stepped, failed)

        def failed(failure: Failure) -> None:
            if self.stage is Stage.HASHING:
                result.errback(failure)
            else:
                result.callback(None)

        self._worker(hashing.step, self.path).addCallbacks(stepped, failed)
        return result

    def offer_line(self) -> str:
        """The ``/file offer`` for this file (hashed)."""
        assert self.hashed is not None, "offered only once hashed"
        return f"/file offer {self.target} {self.hashed.size} {self.hashed.sha256} {self.mime} {self.name}"

    def offer(self) -> None:
        """Offer the (hashed) file: on starting, and again on each new connection."""
        self.stage = Stage.OFFERING
        self.file_id = None
        self._round += 1
        self._send(self.offer_line())

    def answered_by(self, offer: Mapping[str, object]) -> bool:
        """Whether ``offer``, the ``file_upload`` answering an offer or a refusal's ``offer`` (docs/PROTOCOL.md
        "Files"), names this upload's offer: its target as sent, and its file's size and SHA-256. The same file to two
        people is two offers, answered apart: by the file alone, an answer could be taken for the other's."""
        hashed = self.hashed
        return (
            hashed is not None
            and offer.get("target") == self.target
            and offer.get("sha256") == hashed.sha256
            and offer.get("size") == hashed.size
        )

    def started(self, file_id: str, have: int, tail: str, chunk: int) -> None:
        """The server's ``file_upload``: go on from ``have`` once its last chunk (``tail``) is checked."""
        self.file_id, self.server_id, self.chunk = file_id, file_id, chunk
        self.offer_lost = False
        if have <= 0:
            self._go_on(0)
            return
        start = (have - 1) // chunk * chunk
        hashed = self.hashed
        assert hashed is not None
        if chunk == CHUNK and have - start == CHUNK and start // CHUNK < len(hashed.chunks):
            self._checked(self._round, have, tail, hashed.chunks[start // CHUNK])
            return
        this_round = self._round
        self._worker(span_sha256, self.path, start, min(have, hashed.size)).addCallbacks(
            lambda own: self._checked(this_round, have, tail, own),
            lambda failure: self._tail_unreadable(this_round, failure),
        )

    def _checked(self, this_round: int, have: int, tail: str, own: str) -> None:
        if this_round != self._round or self.file_id is None:
            return
        if have > self.size or own != tail:
            # The server holds other bytes than this file's there: start again, from 0.
            self.stage = Stage.OFFERING
            self._round += 1
            self._send(f"/file restart {self.file_id}")
            return
        self._go_on(have)

    def _tail_unreadable(self, this_round: int, failure: Failure) -> None:
        """The tail's check could not read the file: the upload ends, unless the check no longer counts.

        A check from an earlier round (the server took the file whole
        meanwhile, or the connection dropped and the offer was made again)
        ends nothing: an offer the server holds would be withdrawn for it.
        """
        if this_round == self._round:
            self._unreadable(failure)

    def _go_on(self, have: int) -> None:
        self.held = self.put = have
        self.stage = Stage.CHECKING if have >= self.size else Stage.SENDING
        self._pump()

    def progressed(self, have: int) -> None:
        """``file_progress``: the server holds ``have`` bytes."""
        if self.stage is not Stage.SENDING:
            return
        self.held = max(self.held, min(have, self.put))
        if self.held >= self.size:
            self.stage = Stage.CHECKING
        self._pump()

    def wrong_offset(self, have: int) -> None:
        """``ERR file-offset``: the server holds ``have``; what was sent past it is dropped, so send again from there."""
        if self.stage is not Stage.SENDING:
            return
        self._round += 1
        self.held = self.put = have
        self._pump()

    def held_whole(self) -> None:
        """``ERR file-uploaded``, the answer to a chunk or a ``/file restart``: the server holds every byte already
        (another upload of the file was checked whole), so nothing more is sent; ``file_uploaded`` says it is
        offered, unless it said so before."""
        if self.stage in (Stage.OFFERING, Stage.SENDING):
            self._round += 1
            self.held = self.put = self.size
            self.stage = Stage.CHECKING

    def uploaded(self) -> None:
        """``file_uploaded``: the server holds the whole file, checked; recipients are offered it.

        A check of the server's tail may still be on the worker (a file
        offered again that the server held whole): its answer no longer
        counts, or it would put the upload back to being checked for ever.
        """
        self.held = self.put = self.size
        self.stage = Stage.OFFERED
        self._round += 1

    def offline(self) -> None:
        """The connection dropped: what was in flight is lost; wait for the next connection."""
        if self.stage in (Stage.OFFERING, Stage.SENDING, Stage.CHECKING):
            self.offer_lost = self.offer_lost or (self.stage is Stage.OFFERING and self.file_id is None)
            self.stage = Stage.WAITING
            self.file_id = None
            self._round += 1

    def end(self) -> None:
        """Stop for good (cancelled, refused, failed): nothing more is read or sent."""
        self.stage = Stage.ENDED
        self._round += 1

    def _pump(self) -> None:
        """Read and send the next chunks while the window has room; one read at a time."""
        if self.stage is not Stage.SENDING or self._reading or self.file_id is None:
            return
        unacknowledged = -(-(self.put - self.held) // self.chunk)
        left = -(-(self.size - self.put) // self.chunk)
        count = min(WINDOW - unacknowledged, left)
        if count <= 0:
            return
        self._reading = True
        this_round, offset = self._round, self.put
        reading = self._worker(put_lines, self.path, self.file_id, offset, count, self.chunk, self.size)
        reading.addCallbacks(
            lambda lines: self._read(this_round, offset, lines),
            lambda failure: self._read_failed(this_round, failure),
        )

    def _read(self, this_round: int, offset: int, lines: list[tuple[str, int]]) -> None:
        self._reading = False
        if this_round == self._round and offset == self.put and self.stage is Stage.SENDING:
            for line, length in lines:
                self._send(line)
                self.put += length
        self._pump()

    def _read_failed(self, this_round: int, failure: Failure) -> None:
        """Reading chunks failed: the upload ends, unless what was read no longer counts, and it reads again.

        A read begun before a drop fails where no ``/file cancel`` can reach
        the server, which holds the upload still: ended then, the upload was
        over here and kept there for its idle hour. It waits instead, is
        offered again on the next connection, and reads again there, where
        a failure ends it on both sides.
        """
        if this_round == self._round:
            self._unreadable(failure)
            return
        self._reading = False
        self._pump()

    def _unreadable(self, failure: object) -> None:
        self._reading = False
        if self.stage is Stage.ENDED:
            return
        reason = getattr(failure, "value", None)
        if isinstance(reason, FileChangedError):
            why = "it changed while being sent"
        elif isinstance(reason, OSError):
            why = f"it cannot be read ({reason.strerror})"
        else:
            why = "reading it failed"
        self.end()
        self._ended(self, why)
