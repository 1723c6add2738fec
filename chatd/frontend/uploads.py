"""Files coming up to the spool, a chunk at a time, until each is checked whole and offered (issue 16).

The engine (chatd.frontend.transfers) owns one ``Uploads`` and hands it the
sender's side of its commands: ``offer`` opens (or reopens, to resume) an
upload, ``put`` stores a chunk, ``restart`` begins again when the spool's
bytes differ from the sender's, and the last chunk checks the whole and
offers the file through the chat's seam (``Chat.offer_file``). An upload's
bytes are its own until checked whole (``Transfer.own``), so no one else's
chunks reach them; then they are its content's, and every other upload of
that content still sending is uploaded at once. It owns who is uploading
what and the chunks still on their way when an upload ended under its
session (its ``sessions``: chatd.frontend.upload_sessions), each owner's
bytes a day (counted by chatd.frontend.upload_days), and the offers waiting
for a check of their content (chatd.frontend.upload_checks): the transfers
themselves are the ``OpenTransfers`` all the engine's parts share.
"""

import base64
import binascii
from collections.abc import Callable

from twisted.internet.defer import Deferred, succeed
from twisted.internet.interfaces import IReactorTime
from twisted.logger import Logger
from twisted.python.failure import Failure

from chatd.domain.chat import Chat
from chatd.domain.errors import (
    BadFileChunkError,
    FileCorruptError,
    FileOffsetError,
    FileStoreFullError,
    FileUploadedError,
    NoSuchFileError,
)
from chatd.domain.file_replies import FileProgress, FileUpload, FileUploaded
from chatd.domain.files import CHUNK, FileTarget, OfferedFile, check_offer, content_key, own_key
from chatd.domain.people import account_key
from chatd.failures import not_kept, reason
from chatd.frontend.open_transfers import OpenTransfers
from chatd.frontend.transfer_parts import Peer, Transfer, named_user, owner_key, person
from chatd.frontend.upload_checks import UploadChecks
from chatd.frontend.upload_days import UploadDays
from chatd.frontend.upload_sessions import UploadSessions


class Uploads:
    """The uploads of ``chat``'s users into ``open_transfers``, timed by ``reactor``, each new one named by ``new_id``;
    ``make_room`` asked for room in a full spool, ``opened`` told of each new upload and ``let_go`` given each one
    the spool's disk refused, with why (chatd.frontend.transfer_expiry)."""

    log = Logger()

    def __init__(
        self,
        chat: Chat,
        open_transfers: OpenTransfers,
        reactor: IReactorTime,
        new_id: Callable[[], str],
        make_room: Callable[[int], bool],
        opened: Callable[[Transfer], None],
        let_go: Callable[[Transfer, str], None],
    ) -> None:
        self._chat = chat
        self._make_room = make_room
        """Lets go what stalled uploads the spool needs for ``size`` more bytes; whether they fit now."""
        self._opened = opened
        """Told of each new upload: its time may come before the next look's."""
        self._let_go = let_go
        """Ends an upload for a reason, telling its sender: as an expiry does, its bytes and room freed."""
        self._open = open_transfers
        self._spool = open_transfers.spool
        self._reactor = reactor
        self._new_id = new_id
        self.sessions = UploadSessions(open_transfers)
        """Which session sends each upload, and the chunks still coming to one whose upload ended under it."""
        self._days = UploadDays(open_transfers, reactor)
        self._checks = UploadChecks()

    def detach(self, peer: Peer) -> None:
        """``peer`` is gone: its uploads wait to be resumed, on another session, with nothing of theirs late, and
        its offers waiting for a check are made by nobody."""
        self.sessions.detach(peer)
        self._checks.detach(peer)

    def offer(
        self, peer: Peer, target: str, size: int, sha256: str, mime: str, name: str
    ) -> "Deferred[None]":
        """Open (or reopen, to resume) an upload of a file announced as ``size`` bytes hashing to ``sha256``.

        Raises the offer's refusals (``check_offer``, ``Chat.file_target``,
        and the limits); answers ``FileUpload``, then, if every byte is
        there already (a copy held whole), goes on as for the last chunk. A
        new upload begins from nothing, in bytes of its own. The same offer
        as one open already (``OpenTransfers.same``) reopens its upload, or,
        offered, is answered with it. An offer made while bytes of the same
        content are checked whole waits for the check, and is made as it
        would be a moment later: it may then find them held whole, offered,
        or gone.
        """
        user = named_user(peer)
        safe = check_offer(size, sha256, mime, name, self._open.limits.max_size)
        goes_to = self._chat.file_target(user, target)
        owner = owner_key(user, peer)
        key = content_key(sha256, size)
        if self._checks.under_way(key):
            after = self._checks.after(key, peer)
            return after.addCallback(lambda _: self.offer(peer, target, size, sha256, mime, name))
        transfer = self._open.same(person(user), key, goes_to)
        if transfer is not None and transfer.offered_at is not None:
            return self._offered_already(peer, target, transfer).addCallback(
                lambda again: self.offer(peer, target, size, sha256, mime, name) if again else None
            )
        if transfer is None:
            recipient = self._bounded(owner, goes_to)
            whole = self._spool.complete(key)
            self._check_room(owner, 0 if whole else size)
            file = self._new_id()
            offered = OfferedFile(file, safe, size, mime, sha256)
            sender = self._chat.file_sender(user)
            now = self._reactor.seconds()
            where = key if whole else own_key(sha256, size, file)
            transfer = Transfer(offered, sender, owner, goes_to, where, now, moved=now)
            self._open.add(transfer, recipient)
            self._spool.open(where, size)
            self._opened(transfer)
        else:
            self._days.check(owner, size - self._spool.held(transfer.key), but=transfer)
            # Offered again on another session (its sender back on a new connection, or on another of their
            # account's): it goes on there, and the session that was sending it no longer counts as uploading.
            self.sessions.end(transfer)
        self.sessions.start(peer, transfer)
        held = self._spool.held(transfer.key)
        tail = self._spool.hash_before(transfer.key, held) if held else succeed("")
        return tail.addCallback(lambda tail: self._upload_from(peer, target, transfer, held, tail))

    def _bounded(self, owner: str, goes_to: FileTarget) -> str | None:
        """Refuse a new offer from ``owner`` to ``goes_to`` past the offers open a user, a room or a person may have
        (``OpenTransfers.check_room_offers``, ``check_nickname_offers``); for a nickname, the person it is for
        (``person_key``): the account waiting for it, or whoever holds the nickname now."""
        if goes_to.room:
            self._open.check_room_offers(owner, goes_to.to)
            return None
        account = goes_to.account
        recipient = account_key(account) if account is not None else self._chat.file_person_called(goes_to.to)
        self._open.check_nickname_offers(owner, recipient, goes_to.to)
        return recipient

    def _offered_already(self, peer: Peer, target: str, transfer: Transfer) -> "Deferred[bool]":
        """Answer an offer the same as ``transfer``, offered already, with it: its id, every byte there, uploaded.

        A client that lost its connection before it heard ``file_uploaded`` offers again, and its user expects
        the one offer they made, not a second to the same people. Fires True, answering nothing, if the transfer
        ended while its tail was read: the offer is then made as it would be now."""
        offered = transfer.offered
        tail = self._spool.hash_before(transfer.key, offered.size)

        def answer(tail: str) -> bool:
            if self._open.get(transfer.file) is not transfer:
                return True
            peer.send(
                FileUpload(
                    transfer.file,
                    target,
                    offered.name,
                    offered.size,
                    offered.sha256,
                    offered.size,
                    CHUNK,
                    tail,
                )
            )
            peer.send(FileUploaded(transfer.file))
            return False

        return tail.addCallback(answer)

    def _check_room(self, owner: str, size: int) -> None:
        """Refuse a new upload of ``size`` bytes to come (0: a copy held whole) past the owner's transfers at once,
        bytes today, or the spool's room (once uploads stalled have let theirs go, if that makes it:
        ``make_room``)."""
        self._open.check_going(owner)
        self._days.check(owner, size)
        if size and self._spool.reserved + size > self._open.limits.store_bytes and not self._make_room(size):
            raise FileStoreFullError()

    def _upload_from(
        self, peer: Peer, target: str, transfer: Transfer, held: int, tail: str
    ) -> Deferred[None] | None:
        offered = transfer.offered
        peer.send(
            FileUpload(transfer.file, target, offered.name, offered.size, offered.sha256, held, CHUNK, tail)
        )
        if held == offered.size:
            return self._uploaded(transfer)
        return None

    def restart(self, peer: Peer, file: str) -> "Deferred[None]":
        """Upload ``file`` again from its first byte: what the spool holds of it differs from the sender's.

        Those bytes are its own (nobody else's chunks reach an upload's), so
        they go, and the room they held is its still.
        """
        transfer = self._upload_of(peer, file)
        offered = transfer.offered
        dropped = self._spool.drop(transfer.key)
        self._spool.open(transfer.key, offered.size)
        return dropped.addCallback(
            lambda _: peer.send(
                FileUpload(transfer.file, None, offered.name, offered.size, offered.sha256, 0, CHUNK, "")
            )
        )

    def put(self, peer: Peer, file: str, offset: int, data: str) -> "Deferred[None]":
        """Store one chunk at ``offset``, which must be what the spool holds; answers ``FileProgress``.

        Raises NoSuchFileError, FileUploadedError (every byte is there
        already), BadFileChunkError (not base64, empty, too long, past the
        end) or FileOffsetError. The last chunk checks the whole.
        """
        if self.sessions.late_chunk(peer, file):
            return succeed(None)
        transfer = self._upload_of(peer, file)
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise BadFileChunkError(file) from None
        size = transfer.offered.size
        if not raw or len(raw) > CHUNK or offset + len(raw) > size:
            raise BadFileChunkError(file)
        held = self._spool.held(transfer.key)
        if offset != held:
            raise FileOffsetError(file, held)
        self._days.count(transfer.owner, len(raw))
        self._open.chunk_taken(transfer, self._reactor.seconds())
        key = transfer.key
        written = self._spool.write(key, offset, raw)
        return written.addCallbacks(
            lambda have: self._progress(peer, transfer, key, have),
            lambda failure: self._not_stored(transfer, key, failure),
        )

    def _not_stored(self, transfer: Transfer, key: str, failure: Failure) -> Failure | None:
        """The spool's disk refused a chunk of ``transfer`` (full, or failing): the upload ends, its sender told why
        (``file_expired``) and the host in one line; the chunks on their way behind it are dropped unanswered, as
        an expired upload's are.

        Each chunk refused had been an ``ERR internal`` to the sender and a
        traceback in the log (eight a file, a window's worth), and the upload
        then waited for chunks its client would never send again.
        """
        error = failure.value
        if not isinstance(error, OSError):
            return failure
        if self._open.get(transfer.file) is not transfer or transfer.key != key:
            # Let go already (for an earlier chunk the disk refused), withdrawn meanwhile, or uploaded whole as
            # another upload of its content was checked: these bytes were going anyway.
            return None
        why = reason(error)
        self.log.error(
            "Could not store an upload in the --files folder ({why}): {file} from {nick} was let go",
            why=why,
            file=transfer.file,
            nick=transfer.sender.nick,
        )
        self._let_go(transfer, not_kept(error))
        return None

    def _progress(self, peer: Peer, transfer: Transfer, key: str, have: int) -> Deferred[None] | None:
        if transfer.key != key:
            # Uploaded whole while the chunk was written (another upload of its content checked): its session was
            # told so, and the bytes written go.
            return None
        peer.send(FileProgress(transfer.file, have, transfer.offered.size))
        if have == transfer.offered.size:
            return self._uploaded(transfer)
        return None

    def _uploaded(self, transfer: Transfer) -> "Deferred[None]":
        """Every byte is there: check the whole, then tell the sender and offer it, or refuse it; unless it was
        withdrawn or let go while checked, which its people were told of then."""
        return self._checks.run(transfer.key, transfer.content, lambda: self._check(transfer))

    def _check(self, transfer: Transfer) -> "Deferred[None]":
        key = transfer.key

        def checked(good: bool) -> Deferred[None] | None:
            if self._open.get(transfer.file) is not transfer:
                # Withdrawn or let go while its bytes were checked: its people were told then, and its bytes dropped.
                # What the check found is nobody's news now: offered, it would reach people of a file that is gone.
                return None
            if not good:
                uploader = transfer.uploader
                self.sessions.end(transfer)
                self._open.close(transfer)
                if uploader is not None:
                    uploader.send(FileCorruptError(transfer.file))
                return None
            # Its content's from now: withdrawn before they are there to read, they go with it, unless shared.
            transfer.key = transfer.content
            return self._spool.settle(key, transfer.content).addCallback(lambda _: self._checked(transfer))

        return self._spool.check(key, transfer.offered.sha256).addCallback(checked)

    def _checked(self, transfer: Transfer) -> None:
        """``transfer``'s bytes are checked whole, its content's: it is offered, and so is every other upload of the
        content still sending (``_taken_whole``)."""
        if self._open.get(transfer.file) is not transfer:
            return
        taken = [
            other
            for other in self._open.sharing(transfer.content)
            if other.offered_at is None and not other.whole and not self._checks.under_way(other.key)
        ]
        uploader = transfer.uploader
        self.sessions.end(transfer)
        self._uploaded_now(transfer, uploader)
        for other in taken:
            self._taken_whole(other)
        # Delivered once each of them has the content's bytes: one that nobody is left to fetch (a nickname's whose
        # holder left meanwhile) is over at once, and lets the bytes go only if it is the last to have them.
        for each in (transfer, *taken):
            self._deliver(each)

    def _taken_whole(self, transfer: Transfer) -> None:
        """``transfer``, an upload still sending, has its content checked whole by another's: it needs no byte more,
        and is offered as an offer of a copy held whole is. Its own bytes go, and its session is told it is
        uploaded; the chunks it sent before it heard are dropped without a word (``UploadSessions.stop``).

        Going on in its own bytes would send the file again for nothing,
        and a sender offline now would have to come back to send it before
        its recipients were offered anything. Whoever can upload bytes that
        hash to the content's SHA-256 has the file: no other sender of it
        gets what it did not have (an offer of a copy held whole is
        answered so already).
        """
        uploader = transfer.uploader
        self.sessions.stop(transfer)
        self._spool.drop(transfer.key)
        transfer.key = transfer.content
        self._uploaded_now(transfer, uploader)

    def _uploaded_now(self, transfer: Transfer, uploader: Peer | None) -> None:
        """``transfer``'s bytes are its content's, checked whole: it is offered, to be delivered, and ``uploader``, the
        session that was sending it, is told."""
        self._open.offered(transfer, self._reactor.seconds())
        if uploader is not None:
            uploader.send(FileUploaded(transfer.file))

    def _deliver(self, transfer: Transfer, waited: bool = False) -> None:
        """Offer ``transfer`` to its people now; an offline account's offer waits for them."""
        offered = self._chat.offer_file(transfer.sender, transfer.target, transfer.offered, waited)
        transfer.pending = set(offered)
        if not offered and transfer.target.account is not None:
            transfer.pending = {account_key(transfer.target.account)}
        self._open.involve(transfer, transfer.pending)
        self._open.settled(transfer)

    def identified(self, account: str | None) -> None:
        """Someone identified to ``account`` (on any front end): the offers that waited for it are offered now.

        Found among the account's own transfers (``OpenTransfers.of_person``: an offer waiting for it has the
        account's key among its people, ``_deliver``), not by a walk of every transfer the server has open."""
        if account is None:
            return
        key = account_key(account)
        for transfer in self._open.of_person(key):
            if transfer.target.account == account and key in transfer.pending:
                self._deliver(transfer, waited=True)

    def _upload_of(self, peer: Peer, file: str) -> Transfer:
        """The upload ``file`` open on ``peer``, its bytes its own; raises FileUploadedError if it is the user's and
        its bytes are all there (offered, or its content's: a copy the spool held answers the offer
        ``file_uploaded`` at once), else NoSuchFileError."""
        transfer = self._open.get(file)
        if transfer is not None and transfer.uploader is peer and not transfer.whole:
            return transfer
        if (
            transfer is not None
            and (transfer.offered_at is not None or transfer.whole)
            and transfer.by == person(named_user(peer))
        ):
            raise FileUploadedError(file)
        raise NoSuchFileError(file)

    def expire(self) -> None:
        """Forget the bytes a day counted for past days."""
        self._days.expire()
