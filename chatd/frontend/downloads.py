"""Files going down to recipients, a chunk at a time behind their chat (issue 16), and each user's bytes a second.

Chunks go out one per reactor pass per download, at most ``WINDOW``
unacknowledged, never faster than the recipient's user's rate, and only
while the session's output is idle (``Sink.idle``, which calls back once it
is: ``Sink.when_idle``): a chat line never waits behind more than the chunk
being written.

The engine (chatd.frontend.transfers) owns a ``Downloads`` and hands it
each accepted file; it is told back when a recipient has every byte. The
byte-rate budgets live here both ways, each ``Budgets`` by owner that
``--file-rate`` sizes: the downloads spend the one down, and so do the HTTP
links' (``spend``, chatd.web.files); uploads are charged to the one up
(``charge``).
"""

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.logger import Logger
from twisted.python.failure import Failure

from chatd.domain.errors import NoSuchFileError
from chatd.domain.file_replies import FileChunk, FileSent
from chatd.domain.files import CHUNK, PUT_LINE_MOST, WINDOW, FileLimits, chunk_hash
from chatd.domain.flood import Budgets
from chatd.failures import reason
from chatd.frontend.transfer_parts import FileStore, Peer, Transfer, named_user, owner_key, person

K = TypeVar("K")
V = TypeVar("V")


@dataclass(eq=False)
class Download:
    """One recipient session fetching one transfer: bytes sent, bytes acknowledged, the next pump."""

    transfer: Transfer
    peer: Peer
    owner: str
    sent: int
    acked: int
    reading: bool = False
    waiting: bool = False
    """Whether it waits for its session's output to have nothing waiting (``Sink.when_idle``)."""
    call: IDelayedCall | None = None


SHORT = "it is shorter than offered"
"""Why a file cannot be read back whole when a read of it comes back short: cut short in ``--files`` by hand."""

Finished = Callable[[Transfer, str, str, Peer], None]
"""Told that the person (their ``person_key``, and the nickname they go by) has every byte of the transfer, through
the session given: the engine's, so that it tells the sender and may let the file go."""


class Downloads:
    """The downloads under way on ``spool`` and ``reactor``, each session's, and every owner's rate budgets.

    ``limits`` sizes the budgets (``rate``); ``finished`` is called once a
    recipient has acknowledged a file's last byte, ``ended`` with its
    transfer once a download has ended (a file past its time waits for its
    downloads), ``lost`` with its transfer and why (the system's words) once
    a chunk of its file cannot be read: the engine lets go every transfer
    of those bytes, telling its people, and stops each download of them
    (chatd.frontend.transfer_expiry).
    """

    log = Logger()

    def __init__(
        self,
        spool: FileStore,
        reactor: IReactorTime,
        limits: FileLimits,
        finished: Finished,
        ended: Callable[[Transfer], None],
        lost: Callable[[Transfer, str], None],
    ) -> None:
        self._spool = spool
        self._reactor = reactor
        self._limits = limits
        self._finished = finished
        self._ended = ended
        self._lost = lost
        self._by_file: dict[str, dict[Peer, Download]] = {}
        """The downloads of each file under way, by session."""
        self._fetching: dict[Peer, dict[str, Download]] = {}
        """The downloads of each session under way, by file: its acknowledgements are paid from its transfer budget."""
        self._going: dict[str, int] = {}
        """How many downloads each owner has under way (``--file-transfers``), here and through HTTP links."""
        self._up = Budgets(*_sizes(limits), reactor.seconds)
        self._down = Budgets(*_sizes(limits), reactor.seconds)
        """Each owner's budgets of bytes a second, up and down."""

    @property
    def limits(self) -> FileLimits:
        """What the engine allows (``--file-*``); set anew, its rate holds for each budget made from then on."""
        return self._limits

    @limits.setter
    def limits(self, limits: FileLimits) -> None:
        self._limits = limits
        for budgets in (self._up, self._down):
            budgets.rate, budgets.burst = _sizes(limits)

    def fetching(self, peer: Peer) -> bool:
        """Whether ``peer`` is downloading a file."""
        return peer in self._fetching

    def files(self, peer: Peer) -> list[str]:
        """The files ``peer`` is downloading."""
        return list(self._fetching.get(peer, ()))

    def downloading(self, file: str, peer: Peer) -> bool:
        """Whether ``peer`` is downloading ``file``."""
        return self._of(file, peer) is not None

    def under_way(self, file: str) -> bool:
        """Whether any session is downloading ``file``."""
        return file in self._by_file

    def peers(self, file: str) -> list[Peer]:
        """The sessions downloading ``file``."""
        return list(self._by_file.get(file, ()))

    def going(self, owner: str) -> int:
        """Downloads the owner has under way, here and through HTTP links (``by_link``)."""
        return self._going.get(owner, 0)

    def _of(self, file: str, peer: Peer) -> Download | None:
        """``peer``'s download of ``file``, if it has one under way."""
        downloads = self._fetching.get(peer)
        return None if downloads is None else downloads.get(file)

    def start(self, transfer: Transfer, peer: Peer, owner: str, offset: int) -> None:
        """``peer`` (of ``owner``) fetches ``transfer`` from ``offset``, which it holds: chunks start going out."""
        # The engine has cancelled any before; the counts hold one download a session a file whatever the caller.
        self.cancel(transfer.file, peer)
        download = Download(transfer, peer, owner, offset, offset)
        self._by_file.setdefault(transfer.file, {})[peer] = download
        self._fetching.setdefault(peer, {})[transfer.file] = download
        self._count(owner, 1)
        self._pump(download)

    def by_link(self, owner: str) -> Callable[[], None]:
        """``owner`` has one more download under way, sent through an HTTP link (chatd.web.files), until the call
        this answers is made: once it is, however often."""
        self._count(owner, 1)
        ended = False

        def end() -> None:
            nonlocal ended
            if not ended:
                ended = True
                self._count(owner, -1)

        return end

    def _count(self, owner: str, change: int) -> None:
        """``owner`` has ``change`` more downloads under way (``going``); none is kept at 0."""
        going = self._going.get(owner, 0) + change
        if going:
            self._going[owner] = going
        else:
            del self._going[owner]

    def ack(self, peer: Peer, file: str, end: int) -> int:
        """``peer`` holds ``file``'s bytes up to ``end``: the window opens; after the last, ``FileSent``.

        Answers how many bytes this acknowledged anew: 0 for bytes
        acknowledged already, or not sent yet, which change nothing.
        """
        download = self._of(file, peer)
        if download is None:
            raise NoSuchFileError(file)
        if end <= download.acked or end > download.sent:
            return 0
        moved = end - download.acked
        download.acked = end
        if end == download.transfer.offered.size:
            self._end(download)
            peer.send(FileSent(file))
            user = named_user(peer)
            self._finished(download.transfer, person(user), user.nick, peer)
            return moved
        self._schedule(download, 0)
        return moved

    def _pump(self, download: Download) -> None:
        """Send the next chunk if the window, the rate and the session's output allow; else wait for the one that does not."""
        download.call = None
        peer, transfer = download.peer, download.transfer
        size = transfer.offered.size
        if download.reading or peer.sink.closing or download.sent >= size:
            return
        if download.sent - download.acked >= WINDOW * CHUNK:
            return
        if not peer.sink.idle:
            if not download.waiting:
                download.waiting = True
                peer.sink.when_idle(lambda: self._idle(download))
            return
        length = min(CHUNK, size - download.sent)
        wait = self._down.wait(download.owner, length)
        if wait:
            self._schedule(download, wait)
            return
        self._down.take(download.owner, length)
        download.reading = True
        read = self._spool.read(transfer.key, download.sent, length)
        read.addCallbacks(
            lambda data: self._chunk_read(download, data, length),
            lambda failure: self._not_read(download, failure),
        )
        read.addErrback(
            lambda failure: self.log.failure("Reading {file} failed", failure, file=transfer.file)
        )

    def _idle(self, download: Download) -> None:
        """``download``'s session has nothing waiting to go out: its next chunk may."""
        download.waiting = False
        self._schedule(download, 0)

    def _chunk_read(self, download: Download, data: bytes, length: int) -> None:
        download.reading = False
        if self._of(download.transfer.file, download.peer) is not download:
            return
        if len(data) < length:
            # Cut short under the daemon: the chunk would never come whole, and an empty one would be pumped forever.
            self._lost(download.transfer, SHORT)
            return
        encoded = base64.b64encode(data).decode("ascii")
        download.peer.send(FileChunk(download.transfer.file, download.sent, encoded, chunk_hash(data)))
        download.sent += len(data)
        self._schedule(download, 0)

    def _not_read(self, download: Download, failure: Failure) -> Failure | None:
        """The spool could not read ``download``'s next chunk: an ``OSError`` (the file removed from ``--files`` by
        hand, a failing disk) lets the file go (``lost``); anything else is a bug, and left to be logged as one.

        Each download of such a file had been a CRITICAL traceback, and then
        waited for good for a chunk that would never come.
        """
        download.reading = False
        error = failure.value
        if not isinstance(error, OSError):
            return failure
        if self._of(download.transfer.file, download.peer) is download:
            self._lost(download.transfer, reason(error))
        return None

    def _schedule(self, download: Download, delay: float) -> None:
        if download.call is None or not download.call.active():
            download.call = self._reactor.callLater(delay, self._pump, download)

    def cancel(self, file: str, peer: Peer) -> None:
        """``peer`` stops fetching ``file``, if it was."""
        download = self._of(file, peer)
        if download is not None:
            self._end(download)

    def cancel_file(self, file: str) -> None:
        """Every session fetching ``file`` stops: it is withdrawn."""
        for download in list(self._by_file.get(file, {}).values()):
            self._end(download)

    def detach(self, peer: Peer) -> list[Transfer]:
        """``peer`` is gone: its downloads stop where they are; the transfers they fetched."""
        ended = list(self._fetching.get(peer, {}).values())
        for download in ended:
            self._end(download)
        return [download.transfer for download in ended]

    def _end(self, download: Download) -> None:
        """``download`` is over (done, cancelled, or its session gone): it is under way no more, nor pumped, and its
        session and owner fetch one less."""
        if download.call is not None and download.call.active():
            download.call.cancel()
        download.call = None
        file, peer = download.transfer.file, download.peer
        _drop(self._by_file, file, peer)
        _drop(self._fetching, peer, file)
        self._count(download.owner, -1)
        self._ended(download.transfer)

    def spend(self, owner: str, size: int) -> float:
        """Spend ``size`` bytes of ``owner``'s budget down, sent by other means than a download here (an HTTP link);
        seconds until it is out of debt, which the sender waits before sending more."""
        return self._down.take(owner, size)

    def charge(self, peer: Peer, size: int) -> float:
        """Charge ``size`` bytes ``peer`` sent while transferring to its user's budget up; seconds until it is out of debt.

        One budget a user (account, else address), however many connections
        they send from, as ``--file-rate`` says: the connection stops reading
        for that long, which is an upload's rate limit.
        """
        return self._up.take(owner_key(named_user(peer), peer), size)


def _drop(index: dict[K, dict[V, Download]], key: K, inner: V) -> None:
    """Take the download at ``index[key][inner]`` out of ``index``, and ``key`` with it once it has none left."""
    downloads = index[key]
    del downloads[inner]
    if not downloads:
        del index[key]


def _sizes(limits: FileLimits) -> tuple[float, float]:
    """The rate and burst of an owner's budget one way (``--file-rate``): a second's worth, and a put line at least."""
    rate = limits.rate
    return rate, max(rate, PUT_LINE_MOST)
