"""The transfer engine: files up to the spool and down to recipients, beside the chat (issue 16).

One ``Transfers`` serves every front end whose sessions speak the line
protocol's JSON (nc's line port, the browser's WebSocket). A transfer is
uploaded first (``offer``, then ``put`` chunk after chunk, checked whole at
the end, by its ``Uploads``: chatd.frontend.uploads), then offered through
the chat's seam (``Chat.offer_file``), then fetched by each recipient
(``accept``, chunks pumped out as ``ack``s come back, by its ``Downloads``:
chatd.frontend.downloads, or by an HTTP link), the sender told as each
recipient has it whole, declines or cancels, and how many are left to
(``left`` 0: a nickname's transfer is over; a room's stays open for
whoever joins, ``Transfer.awaited``), by its ``TransferPeople``
(chatd.frontend.transfer_people), who also follow renames; a decline, a
stop or a withdrawal is ended by its ``TransferEnds``
(chatd.frontend.transfer_ends); what waited
too long goes as its time comes, by its ``TransferExpiry``
(chatd.frontend.transfer_expiry); a room's offer reaches those who join
the room while it is open, by its ``LateJoiners``
(chatd.frontend.late_joiners). This facade is what front ends call: it
decides what each command does to a transfer on either side; the transfers
open, which all its parts change, are one ``OpenTransfers``
(chatd.frontend.open_transfers) they are each handed.
"""

import os
from collections.abc import Callable

from twisted.internet.defer import Deferred, succeed
from twisted.internet.interfaces import IReactorTime
from twisted.python.failure import Failure

from chatd.domain.chat import Chat
from chatd.domain.errors import (
    ChatError,
    FileNeedsJsonError,
    FileResumeMismatchError,
    NoWebPortError,
)
from chatd.domain.file_replies import FileEntry, FileFetched, FileLink, FileList
from chatd.domain.files import CHUNK, FileLimits, content_key
from chatd.domain.ports import Bus, Session, UserView
from chatd.failures import reason
from chatd.frontend.downloads import Downloads
from chatd.frontend.file_pages import FILES_PAGE, Place
from chatd.frontend.late_joiners import LateJoiners
from chatd.frontend.named_refusals import FileRefusedError, OfferRefusedError, named_refusals
from chatd.frontend.open_transfers import OpenTransfers
from chatd.frontend.transfer_ends import TransferEnds
from chatd.frontend.transfer_expiry import TransferExpiry
from chatd.frontend.transfer_parts import (
    Elsewhere,
    FileStore,
    NotKept,
    Peer,
    Transfer,
    TransferStore,
    named_user,
    owner_key,
    owner_of,
    person,
)
from chatd.frontend.transfer_people import TransferPeople
from chatd.frontend.uploads import Uploads

DEFAULT_FILE_LIMITS = FileLimits()


Links = Callable[[Transfer, str, str], str]
"""Makes a single-use URL with which a recipient (their ``person_key``, and the nickname they go by now) fetches a
transfer's file (chatd.web.files), when a web port is on."""

Moved = Callable[[str, str, str], None]
"""Told that the person with the first key has the second now (a rename, identifying), and goes by the nickname."""


class Transfers:
    """Every transfer of the daemon, on ``chat``, ``spool`` and ``reactor``, within ``limits``.

    ``store`` keeps the open ones across a restart: those it kept are open
    again from the start, so senders may offer again to go on uploading and
    recipients accept from where they stopped. ``bus`` carries the chat's
    events: a transfer follows its sender and recipients through renames.
    """

    def __init__(
        self,
        chat: Chat,
        spool: FileStore,
        reactor: IReactorTime,
        limits: FileLimits = DEFAULT_FILE_LIMITS,
        links: Links | None = None,
        new_id: Callable[[], str] = lambda: os.urandom(8).hex(),
        store: TransferStore | None = None,
        *,
        bus: Bus,
    ) -> None:
        self.spool = spool
        self.links = links
        # A download's end may free a file past its time: it tells the expiry, made below of the parts it works with;
        # a file whose bytes cannot be read back is let go the expiry's way, its people told.
        self._downloads = Downloads(
            spool,
            reactor,
            limits,
            self.fetched,
            lambda transfer: self._expiry.download_ended(transfer),
            self.lose,
        )
        kept: TransferStore = NotKept() if store is None else store
        self._open = OpenTransfers(spool, kept, self._downloads, reactor.seconds)
        # A new offer the spool has no room for may take that of stalled uploads, which the expiry lets go; a new
        # upload's time may come before the next look's.
        self._uploads = Uploads(
            chat,
            self._open,
            reactor,
            new_id,
            lambda size: self._expiry.make_room(size),
            lambda transfer: self._expiry.opened(transfer),
            lambda transfer, reason: self._expiry.drop(transfer, reason),
        )
        self._chat = chat
        self._people = TransferPeople(chat, self._open, bus)
        self._expiry = TransferExpiry(self._open, self._uploads, self._people, reactor)
        self._late = LateJoiners(chat, self._open, self._people, reactor, bus)
        self._ends = TransferEnds(chat, self._open, self._downloads, self._uploads.sessions, self._people)

    @property
    def limits(self) -> FileLimits:
        """What the engine allows (``--file-*``), held by its downloads: every part goes by the same, however often it is set."""
        return self._downloads.limits

    @limits.setter
    def limits(self, limits: FileLimits) -> None:
        self._downloads.limits = limits
        self._expiry.wake()

    def start(self) -> None:
        """Let each transfer that waits too long go as its time comes (``TransferExpiry.start``)."""
        self._expiry.start()

    def stop(self) -> None:
        """Look no more until started again, offer no late joiner more and follow no rename more: the daemon is
        stopping (``TransferExpiry.stop``, ``LateJoiners.stop``, ``TransferPeople.stop``)."""
        self._expiry.stop()
        self._late.stop()
        self._people.stop()

    # Sessions.

    def tell_elsewhere(self, told: Elsewhere) -> None:
        """Have ``told`` hear what becomes of transfers for the sessions the engine does not serve (``TransferPeople.tell_elsewhere``)."""
        self._people.tell_elsewhere(told)

    def attach(self, peer: Peer) -> None:
        """``peer`` is connected: news of transfers may go to it."""
        self._people.attach(peer)

    def detach(self, peer: Peer) -> None:
        """``peer`` is gone: its uploads wait to be resumed, its downloads stop where they are."""
        self._people.detach(peer)
        self._uploads.detach(peer)
        for transfer in self._downloads.detach(peer):
            self._open.download_ended(transfer)

    def uploading(self, peer: Peer) -> bool:
        """Whether ``peer``'s put lines may be long (``UploadSessions.uploading``)."""
        return self._uploads.sessions.uploading(peer)

    def transferring(self, peer: Peer) -> bool:
        """Whether ``peer`` has an upload or a download open: its input is then charged to its transfer budget.

        A download's acknowledgements are a line a chunk: a 100 MiB file's
        would be 237 KB, a minute of the default byte budget, and the
        download would crawl, its reader warned of flooding.
        """
        return self.uploading(peer) or self._downloads.fetching(peer)

    # Uploads.

    def offer(
        self, peer: Peer, target: str, size: int, sha256: str, mime: str, name: str
    ) -> "Deferred[None]":
        """Open (or reopen, to resume) an upload of ``size`` bytes hashing to ``sha256`` (``Uploads.offer``).

        Each refusal is an OfferRefusedError naming the offer, and the upload
        open for the same offer that it leaves open, if any
        (chatd.frontend.named_refusals).
        """

        def naming(refusal: ChatError) -> OfferRefusedError:
            by = person(named_user(peer))
            held = self._open.upload_open(by, content_key(sha256, size), target)
            return OfferRefusedError(refusal, target, size, sha256, name, held)

        return named_refusals(lambda: self._uploads.offer(peer, target, size, sha256, mime, name), naming)

    def restart(self, peer: Peer, file: str) -> "Deferred[None]":
        """Upload ``file`` again from its first byte (``Uploads.restart``)."""
        return self._uploads.restart(peer, file)

    def put(self, peer: Peer, file: str, offset: int, data: str) -> "Deferred[None]":
        """Store one chunk of ``file`` at ``offset`` (``Uploads.put``)."""
        return self._uploads.put(peer, file, offset, data)

    def identified(self, account: str | None) -> None:
        """Offer what waited for ``account``, now someone identified to it (``Uploads.identified``)."""
        self._uploads.identified(account)

    # Downloads.

    def accept(self, peer: Peer, file: str, offset: int = 0, tail: str = "") -> "Deferred[None]":
        """Send ``file`` to ``peer`` from ``offset`` (its last chunk's hash ``tail`` checked first).

        Refuses, each refusal an FileRefusedError naming ``file``
        (chatd.frontend.named_refusals), with NoSuchFileError for a file not
        offered to the session's user, FileNeedsJsonError for a text session,
        FileTooManyError past the user's transfers, FileResumeMismatchError
        for a ``tail`` that differs (at once, or once the bytes before
        ``offset`` are read). A session fetching it may accept again (to go
        on after a damaged chunk) though its user is done with it on another
        session.
        """
        return named_refusals(
            lambda: self._accept(peer, file, offset, tail), lambda refusal: FileRefusedError(refusal, file)
        )

    def _accept(self, peer: Peer, file: str, offset: int, tail: str) -> "Deferred[None]":
        transfer = self._open.fetchable(peer, file)
        if not peer.json:
            raise FileNeedsJsonError(file, self.links is not None)
        size = transfer.offered.size
        if offset < 0 or offset > size or (offset % CHUNK and offset != size):
            raise FileResumeMismatchError()
        owner = owner_key(named_user(peer), peer)
        if not self._downloads.downloading(file, peer):
            self._open.check_going(owner)
        self._downloads.cancel(file, peer)
        if not offset:
            self._downloads.start(transfer, peer, owner, 0)
            return succeed(None)
        checked = self.spool.hash_before(transfer.key, offset)
        return checked.addCallbacks(
            lambda held: self._resume(transfer, peer, owner, offset, held, tail),
            lambda failure: self._unreadable(transfer, failure),
        )

    def _unreadable(self, transfer: Transfer, failure: Failure) -> Failure | None:
        """The bytes a resumed download starts after cannot be read: an ``OSError`` lets the file go, as a download's
        read does (``lose``); anything else is a bug."""
        error = failure.value
        if not isinstance(error, OSError):
            return failure
        if self._open.get(transfer.file) is transfer:
            self.lose(transfer, reason(error))
        return None

    def lose(self, transfer: Transfer, why: str) -> None:
        """``transfer``'s bytes cannot be read back, for ``why`` (the system's words), as a download, a resumed
        accept or an HTTP link (chatd.web.files) found: every transfer of them is let go at once, its people told
        (``TransferExpiry.lost``)."""
        self._expiry.lost(transfer, why)

    def _resume(self, transfer: Transfer, peer: Peer, owner: str, offset: int, held: str, tail: str) -> None:
        if held != tail:
            raise FileResumeMismatchError()
        self._downloads.start(transfer, peer, owner, offset)

    def ack(self, peer: Peer, file: str, end: int) -> int:
        """``peer`` holds ``file``'s bytes up to ``end``; how many it acknowledged anew (``Downloads.ack``)."""
        return self._downloads.ack(peer, file, end)

    def spend(self, key: str, size: int) -> float:
        """Spend ``size`` bytes of the person ``key``'s budget down (``--file-rate``, as their downloads here do), sent
        through an HTTP link; seconds until it is out of debt (``Downloads.spend``)."""
        return self._downloads.spend(owner_of(key), size)

    def by_link(self, key: str) -> Callable[[], None]:
        """The person ``key`` (``person_key``) starts a download through an HTTP link: one of their transfers going
        (``--file-transfers``), as a download here is, until the call this answers is made (``Downloads.by_link``).

        Raises FileTooManyError if they have as many going already.
        """
        owner = owner_of(key)
        self._open.check_going(owner)
        return self._downloads.by_link(owner)

    def charge(self, peer: Peer, size: int) -> float:
        """Charge ``size`` bytes ``peer`` sent while transferring; seconds its connection stops reading (``Downloads.charge``)."""
        return self._downloads.charge(peer, size)

    # Either side.

    def decline(self, peer: Peer, file: str, *, tell_peer: bool = False) -> bool:
        """A recipient refuses ``file`` on ``peer`` (``TransferEnds.decline``); False if another session of theirs
        fetching it goes on."""
        return self._ends.decline(peer, file, tell_peer=tell_peer)

    def decline_elsewhere(self, session: Session, user: UserView, file: str) -> bool:
        """``user`` refuses ``file`` on ``session``, of a front end the engine does not serve
        (``TransferEnds.decline_elsewhere``)."""
        return self._ends.decline_elsewhere(session, user, file)

    def cancel(self, peer: Peer, file: str, reason: str = "") -> None:
        """The sender withdraws ``file``, or a recipient stops fetching it (``TransferEnds.cancel``)."""
        self._ends.cancel(peer, file, reason)

    def withdraw(self, peer: Peer, file: str) -> None:
        """``peer``'s user withdraws the offer ``file``, theirs or a room's they have authority in
        (``TransferEnds.withdraw``)."""
        self._ends.withdraw(peer, file)

    def listing(self, peer: Peer, after: Place | None = None, page: int = FILES_PAGE) -> FileList:
        """The transfers open to and from ``peer``'s user, with where each stands: a page of at most ``page``, past
        the place ``after`` if given (chatd.frontend.file_pages)."""
        return self._open.listing(peer, after, page)

    def offers_to(self, user: UserView) -> list[FileEntry]:
        """The offers open to ``user``, oldest first, as ``listing`` shows them a session of theirs: what IRC's FILES
        lists (chatd.irc.files)."""
        return self._open.offers_to(user)

    def link(self, peer: Peer, file: str) -> FileLink:
        """A single-use URL for ``file``; raises NoWebPortError without a web port."""
        me = named_user(peer)
        transfer = self._open.offered_to(me, file)
        if self.links is None:
            raise NoWebPortError()
        return FileLink(file, self.links(transfer, person(me), me.nick))

    def link_for(self, file: str, user: UserView) -> str | None:
        """A single-use URL of ``file`` for ``user``, to whom its offer is being delivered, or listed; None for its
        sender or without a web port.

        Called while the offer is delivered, before the engine has noted
        whom it went to: the caller (a front end's delivery, or IRC's FILES
        listing ``offers_to``) vouches that ``user`` is a recipient.
        """
        transfer = self._open.get(file)
        if self.links is None or transfer is None or person(user) == transfer.by:
            return None
        return self.links(transfer, person(user), user.nick)

    def follow(self, moved: Moved) -> None:
        """Have ``moved`` told each time someone's key changes (``TransferPeople.follow``)."""
        self._people.follow(moved)

    def transfer(self, file: str) -> Transfer | None:
        """The open transfer ``file``, if any."""
        return self._open.get(file)

    def fetched(self, transfer: Transfer, key: str, nick: str, by: Peer | None = None) -> None:
        """The person ``key``, who goes by ``nick``, has every byte of ``transfer`` (its last chunk acknowledged on
        the session ``by``, or its HTTP link read to the end): they are done with it, and the sender's sessions are
        told, with how many recipients are left, and so are the recipient's others. Told once: a second session of
        theirs that fetches it whole after (or after they declined it) changes nothing."""
        if key not in transfer.pending:
            self._open.download_ended(transfer)
            return
        fetched = FileFetched(transfer.file, nick, self._open.finished(transfer, key))
        self._people.tell_sender(transfer, fetched)
        self._people.tell_recipient(transfer, key, fetched, but=by)

    def expire(self) -> None:
        """Let go what waited too long, and sweep what has no time of its own (``TransferExpiry.expire``)."""
        self._expiry.expire()
