"""The transfer engine: files up to the spool and down to recipients, beside the chat (issue 16).

One ``Transfers`` serves every front end whose sessions speak the line
protocol's JSON (nc's line port, the browser's WebSocket). A transfer is
uploaded first (``offer``, then ``put`` chunk after chunk, checked whole at
the end), then offered through the chat's seam (``Chat.offer_file``), then
fetched by each recipient (``accept``, chunks pumped out as ``ack``s come
back, by its ``Downloads``: chatd.frontend.downloads, or by an HTTP link),
the sender told as each recipient has it whole, declines or cancels, and
how many are left to (``left`` 0: the transfer is over). The engine owns what
only it knows: the transfers open, who is uploading what, the per-user
budgets of transfers at once and bytes a day, and when a file's bytes can go.
"""

import base64
import binascii
import os
from collections.abc import Callable
from dataclasses import replace
from typing import cast

from twisted.internet.defer import Deferred, succeed
from twisted.internet.interfaces import IReactorTime

from chatd.domain.chat import Chat
from chatd.domain.durations import format_duration
from chatd.domain.errors import (
    BadFileChunkError,
    FileCorruptError,
    FileDayLimitError,
    FileNeedsJsonError,
    FileOffsetError,
    FileResumeMismatchError,
    FileStoreFullError,
    FileTooManyError,
    FileUploadedError,
    NoSuchFileError,
    NoWebPortError,
)
from chatd.domain.events import Actor, Event, NickChanged
from chatd.domain.files import CHUNK, WINDOW, FileLimits, FileTarget, OfferedFile, check_offer, content_key
from chatd.domain.ports import Bus
from chatd.domain.replies import (
    FileCancelled,
    FileDeclined,
    FileEntry,
    FileExpired,
    FileFetched,
    FileLink,
    FileList,
    FileProgress,
    FileReply,
    FileUpload,
    FileUploaded,
)
from chatd.frontend.downloads import Downloads
from chatd.frontend.transfer_parts import (
    Elsewhere,
    FileStore,
    NotKept,
    Peer,
    Transfer,
    TransferStore,
    named_user,
    owner_key,
    sender_key,
)
from chatd.text import fold

DAY = 86400

UPLOAD_IDLE_SECONDS = 3600.0
"""An upload that takes no chunk for this long is let go, and the room its offer reserved with it: long enough
for a client to come back after a drop and go on, short of the week an offer may wait for its recipients."""

DEFAULT_FILE_LIMITS = FileLimits()


Links = Callable[[Transfer, str], str]
"""Makes a single-use URL with which a nickname fetches a transfer's file (chatd.web.files), when a web port is on."""


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
        self._chat = chat
        self.spool = spool
        self._reactor = reactor
        self.links = links
        self._new_id = new_id
        self._transfers: dict[str, Transfer] = {}
        self._peers: set[object] = set()
        """The sessions served (as objects: the chat's sessions are looked up in it)."""
        self._uploading: dict[Peer, set[str]] = {}
        self._elsewhere: list[Elsewhere] = []
        """Front ends that carry no files (IRC), told what becomes of a transfer to or from one of their sessions."""
        self._late: dict[Peer, dict[str, int]] = {}
        """Each session's uploads ended under it (``_stopped``), and how many of their chunks may still come."""
        self._downloads = Downloads(spool, reactor, limits, self.fetched)
        self._days: dict[tuple[str, int], int] = {}
        self._store: TransferStore = NotKept() if store is None else store
        for record in self._store.kept():
            transfer = self._transfers[record.offered.file] = Transfer.kept(record)
            # An upload cut short by the restart has its hour from now to go on.
            transfer.moved = self._reactor.seconds()
        # Every rename, however made (/nick, NICK, identifying, a guest's name given): transfers follow their people.
        bus.subscribe(self._heard)

    @property
    def limits(self) -> FileLimits:
        """What the engine allows (``--file-*``); its downloads go by the same, however often it is set."""
        return self._downloads.limits

    @limits.setter
    def limits(self, limits: FileLimits) -> None:
        self._downloads.limits = limits

    # People.

    def _heard(self, event: Event) -> None:
        if isinstance(event, NickChanged):
            self._renamed(event.actor, event.new)

    def _renamed(self, was: Actor, nick: str) -> None:
        """Whoever was ``was`` is called ``nick`` now: what they send and what they were offered follow them.

        A recipient's key in ``pending`` moves to the new nickname, so they
        may still fetch or decline; a sender's snapshot takes it too (and,
        if not identified, the key they cancel and resume by), so each
        fetch, decline and cancel reaches them under it.
        """
        old, new, by = fold(was.nick), fold(nick), sender_key(was)
        for transfer in list(self._transfers.values()):
            changed = False
            if old != new and old in transfer.pending:
                transfer.pending.discard(old)
                transfer.pending.add(new)
                changed = True
            if transfer.by == by:
                transfer.sender = replace(transfer.sender, nick=nick)
                transfer.by = sender_key(transfer.sender)
                changed = True
            if changed:
                self._settled(transfer)

    # Sessions.

    def tell_elsewhere(self, told: Elsewhere) -> None:
        """Have ``told`` hear, for each session the engine does not serve (an IRC client's, sent no file bytes but
        told of offers), what the sessions it serves are sent of a transfer to or from its user: a recipient, that
        the offer was withdrawn or expired, or that they fetched, declined or stopped it elsewhere; a sender, that a
        recipient fetched, declined or stopped it, or that it was withdrawn on another session, or expired."""
        self._elsewhere.append(told)

    def attach(self, peer: Peer) -> None:
        """``peer`` is connected: news of transfers may go to it."""
        self._peers.add(peer)

    def detach(self, peer: Peer) -> None:
        """``peer`` is gone: its uploads wait to be resumed, its downloads stop where they are."""
        self._peers.discard(peer)
        self._late.pop(peer, None)
        for file in self._uploading.pop(peer, set()):
            transfer = self._transfers.get(file)
            if transfer is not None and transfer.uploader is peer:
                transfer.uploader = None
        for transfer in self._downloads.detach(peer):
            self._download_ended(transfer)

    def uploading(self, peer: Peer) -> bool:
        """Whether ``peer`` has an upload open, or chunks of one ended under it may still come: its put lines may
        then be long."""
        return bool(self._uploading.get(peer)) or peer in self._late

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
        """Open (or reopen, to resume) an upload of a file announced as ``size`` bytes hashing to ``sha256``.

        Raises the offer's refusals (``check_offer``, ``Chat.file_target``,
        and the limits); answers ``FileUpload``, then, if every byte is
        there already, goes on as for the last chunk.
        """
        user = named_user(peer)
        safe = check_offer(size, sha256, mime, name, self.limits.max_size)
        goes_to = self._chat.file_target(user, target)
        owner = owner_key(user, peer)
        key = content_key(sha256, size)
        by = sender_key(user)
        transfer = self._reopened(by, key, goes_to)
        held = self.spool.held(key)
        if transfer is None:
            self._check_room(owner, key, size, held)
            offered = OfferedFile(self._new_id(), safe, size, mime, sha256)
            sender = self._chat.file_sender(user)
            now = self._reactor.seconds()
            transfer = Transfer(offered, sender, owner, by, goes_to, key, now, moved=now)
            self._transfers[transfer.file] = transfer
            self._store.keep(transfer.record())
            self.spool.open(key, size)
        elif self._day_used(owner) + size - held > self.limits.day_bytes:
            raise FileDayLimitError(self.limits.day_bytes)
        transfer.uploader = peer
        self._uploading.setdefault(peer, set()).add(transfer.file)
        tail = self.spool.hash_before(key, held) if held else succeed("")
        return tail.addCallback(lambda tail: self._upload_from(peer, transfer, held, tail))

    def _reopened(self, by: str, key: str, target: FileTarget) -> Transfer | None:
        """The upload of this content by this sender to the same people, still open, if any: offered again to resume."""
        for transfer in self._transfers.values():
            if (
                transfer.offered_at is None
                and transfer.by == by
                and transfer.key == key
                and fold(transfer.target.to) == fold(target.to)
            ):
                return transfer
        return None

    def _check_room(self, owner: str, key: str, size: int, held: int) -> None:
        """Refuse a new upload past the owner's transfers at once, bytes today, or the spool's room."""
        limits = self.limits
        if self._going(owner) >= limits.transfers:
            raise FileTooManyError(limits.transfers)
        if self._day_used(owner) + size - held > limits.day_bytes:
            raise FileDayLimitError(limits.day_bytes)
        if not self.spool.begun(key) and self.spool.reserved + size > limits.store_bytes:
            raise FileStoreFullError()

    def _going(self, owner: str) -> int:
        """Transfers the owner has going: uploads not yet offered and downloads under way."""
        uploads = sum(1 for t in self._transfers.values() if t.owner == owner and t.offered_at is None)
        return uploads + self._downloads.going(owner)

    def _day_used(self, owner: str) -> int:
        return self._days.get((owner, int(self._reactor.seconds() // DAY)), 0)

    def _upload_from(self, peer: Peer, transfer: Transfer, held: int, tail: str) -> Deferred[None] | None:
        offered = transfer.offered
        peer.send(FileUpload(transfer.file, offered.name, offered.size, offered.sha256, held, CHUNK, tail))
        if held == offered.size:
            return self._uploaded(transfer)
        return None

    def restart(self, peer: Peer, file: str) -> "Deferred[None]":
        """Drop what the spool holds of ``file``'s content (it differs from the sender's) and upload it again."""
        transfer = self._upload_of(peer, file)
        return self.spool.drop(transfer.key).addCallback(lambda _: self._reset(peer, transfer))

    def _reset(self, peer: Peer, transfer: Transfer) -> None:
        self.spool.open(transfer.key, transfer.offered.size)
        offered = transfer.offered
        peer.send(FileUpload(transfer.file, offered.name, offered.size, offered.sha256, 0, CHUNK, ""))

    def put(self, peer: Peer, file: str, offset: int, data: str) -> "Deferred[None]":
        """Store one chunk at ``offset``, which must be what the spool holds; answers ``FileProgress``.

        Raises NoSuchFileError, FileUploadedError (every byte is there
        already), BadFileChunkError (not base64, empty, too long, past the
        end) or FileOffsetError. The last chunk checks the whole.
        """
        if self._late_chunk(peer, file):
            return succeed(None)
        transfer = self._upload_of(peer, file)
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise BadFileChunkError() from None
        size = transfer.offered.size
        if not raw or len(raw) > CHUNK or offset + len(raw) > size:
            raise BadFileChunkError()
        held = self.spool.held(transfer.key)
        if offset != held:
            raise FileOffsetError(held)
        day = (transfer.owner, int(self._reactor.seconds() // DAY))
        self._days[day] = self._days.get(day, 0) + len(raw)
        transfer.moved = self._reactor.seconds()
        written = self.spool.write(transfer.key, offset, raw)
        return written.addCallback(lambda have: self._progress(peer, transfer, have))

    def _progress(self, peer: Peer, transfer: Transfer, have: int) -> Deferred[None] | None:
        peer.send(FileProgress(transfer.file, have, transfer.offered.size))
        if have == transfer.offered.size:
            return self._uploaded(transfer)
        return None

    def _uploaded(self, transfer: Transfer) -> "Deferred[None]":
        """Every byte is there: check the whole, then tell the sender and offer it, or refuse it."""
        checked = self.spool.check(transfer.key, transfer.offered.sha256)
        return checked.addCallback(lambda good: self._checked(transfer, good))

    def _checked(self, transfer: Transfer, good: bool) -> None:
        uploader = transfer.uploader
        self._end_upload(transfer)
        if not good:
            del self._transfers[transfer.file]
            self._store.forget(transfer.file)
            if uploader is not None:
                uploader.send(FileCorruptError())
            return
        transfer.offered_at = self._reactor.seconds()
        if uploader is not None:
            uploader.send(FileUploaded(transfer.file))
        self._deliver(transfer)

    def _end_upload(self, transfer: Transfer) -> None:
        uploader, transfer.uploader = transfer.uploader, None
        if uploader is not None:
            self._uploading.get(uploader, set()).discard(transfer.file)

    def _stopped(self, transfer: Transfer) -> None:
        """End ``transfer``'s upload under the session sending it, which did not ask (it expired, or another session
        withdrew it, and the session is told so): the chunks it sent before it heard, a window at most, are still
        read as chunks and dropped without a word, not refused as lines too long for a connection with no upload
        open, each an error and a line of flood budget."""
        uploader = transfer.uploader
        self._end_upload(transfer)
        if uploader is not None:
            self._late.setdefault(uploader, {})[transfer.file] = WINDOW

    def _late_chunk(self, peer: Peer, file: str) -> bool:
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

    def _deliver(self, transfer: Transfer, waited: bool = False) -> None:
        """Offer ``transfer`` to its people now; an offline account's offer waits for them."""
        offered = self._chat.offer_file(transfer.sender, transfer.target, transfer.offered, waited)
        transfer.pending = set(offered)
        if not offered and transfer.target.account is not None:
            transfer.pending = {transfer.target.account}
        self._settled(transfer)

    def identified(self, account: str | None) -> None:
        """Someone identified to ``account`` (on any front end): the offers that waited for it are offered now."""
        for transfer in list(self._transfers.values()):
            target = transfer.target
            if target.account is not None and target.account == account and account in transfer.pending:
                self._deliver(transfer, waited=True)

    def _upload_of(self, peer: Peer, file: str) -> Transfer:
        """The upload ``file`` open on ``peer``; raises FileUploadedError if it is the user's and its bytes are
        all there (offered: a copy the spool held answers the offer ``file_uploaded`` at once), else
        NoSuchFileError."""
        transfer = self._transfers.get(file)
        if transfer is not None and transfer.uploader is peer:
            return transfer
        if (
            transfer is not None
            and transfer.offered_at is not None
            and transfer.by == sender_key(named_user(peer))
        ):
            raise FileUploadedError(file)
        raise NoSuchFileError(file)

    # Downloads.

    def accept(self, peer: Peer, file: str, offset: int = 0, tail: str = "") -> "Deferred[None]":
        """Send ``file`` to ``peer`` from ``offset`` (its last chunk's hash ``tail`` checked first).

        Raises NoSuchFileError for a file not offered to the session's user,
        FileNeedsJsonError for a text session, FileTooManyError past the
        user's transfers, FileResumeMismatchError for a ``tail`` that differs.
        A session fetching it may accept again (to go on after a damaged
        chunk) though its user is done with it on another session.
        """
        transfer = self._fetchable(peer, file)
        if not peer.json:
            raise FileNeedsJsonError(file, self.links is not None)
        size = transfer.offered.size
        if offset < 0 or offset > size or (offset % CHUNK and offset != size):
            raise FileResumeMismatchError()
        owner = owner_key(named_user(peer), peer)
        if not self._downloads.downloading(file, peer) and self._going(owner) >= self.limits.transfers:
            raise FileTooManyError(self.limits.transfers)
        self._downloads.cancel(file, peer)
        if not offset:
            self._downloads.start(transfer, peer, owner, 0)
            return succeed(None)
        checked = self.spool.hash_before(transfer.key, offset)
        return checked.addCallback(lambda held: self._resume(transfer, peer, owner, offset, held, tail))

    def _resume(self, transfer: Transfer, peer: Peer, owner: str, offset: int, held: str, tail: str) -> None:
        if held != tail:
            raise FileResumeMismatchError()
        self._downloads.start(transfer, peer, owner, offset)

    def ack(self, peer: Peer, file: str, end: int) -> None:
        """``peer`` holds ``file``'s bytes up to ``end`` (``Downloads.ack``)."""
        self._downloads.ack(peer, file, end)

    def charge(self, peer: Peer, size: int) -> float:
        """Charge ``size`` bytes ``peer`` sent while transferring; seconds its connection stops reading (``Downloads.charge``)."""
        return self._downloads.charge(peer, size)

    def _offered_to(self, peer: Peer, file: str) -> Transfer:
        """The offer ``file`` to ``peer``'s user, not done with it yet; else NoSuchFileError."""
        transfer = self._transfers.get(file)
        if (
            transfer is None
            or transfer.offered_at is None
            or fold(named_user(peer).nick) not in transfer.pending
        ):
            raise NoSuchFileError(file)
        return transfer

    def _fetchable(self, peer: Peer, file: str) -> Transfer:
        """The offer ``file`` to ``peer``'s user (``_offered_to``), or one ``peer`` is fetching, though its user is done
        with it on another session: that download goes on to its end."""
        transfer = self._transfers.get(file)
        if transfer is not None and self._downloads.downloading(file, peer):
            return transfer
        return self._offered_to(peer, file)

    def _fetching(self, transfer: Transfer, nick: str) -> bool:
        """Whether a session of ``nick``'s is fetching ``transfer``: they are not done with it while one is."""
        return any(
            self._downloads.downloading(transfer.file, cast(Peer, session))
            for session in self._chat.file_sessions(nick)
        )

    # Either side.

    def decline(self, peer: Peer, file: str) -> None:
        """A recipient refuses ``file``: the recipient is done with it, and the sender and the recipient's other
        sessions are told; unless another of their sessions is fetching it, which goes on, and tells once it ends."""
        transfer = self._offered_to(peer, file)
        nick = named_user(peer).nick
        self._downloads.cancel(file, peer)
        if self._fetching(transfer, nick):
            return
        declined = FileDeclined(file, nick, self._finished(transfer, fold(nick)))
        self._tell_sender(transfer, declined)
        self._tell_recipient(transfer, nick, declined, but=peer)

    def cancel(self, peer: Peer, file: str, reason: str = "") -> None:
        """The sender withdraws ``file`` (everyone not done is told, and each of the sender's sessions: the one
        uploading it may be another), or a recipient stops fetching it (the sender is, and the recipient's other
        sessions, as for ``decline``)."""
        transfer = self._transfers.get(file)
        me = named_user(peer)
        if transfer is not None and transfer.by == sender_key(me):
            if transfer.uploader is peer:
                self._end_upload(transfer)
            else:
                self._stopped(transfer)
            withdrawn = FileCancelled(file, me.nick, reason or "withdrawn by the sender", 0)
            self._tell_recipients(transfer, withdrawn)
            self._tell_sender(transfer, withdrawn, but=peer)
            peer.send(withdrawn)
            self._downloads.cancel_file(file)
            transfer.pending.clear()
            self._forget(transfer)
            return
        transfer = self._fetchable(peer, file)
        self._downloads.cancel(file, peer)
        why = reason or "cancelled by the recipient"
        if fold(me.nick) not in transfer.pending or self._fetching(transfer, me.nick):
            # Only this session's download stops: its user is done with the file already, or fetches it elsewhere.
            peer.send(FileCancelled(file, me.nick, why, len(transfer.pending)))
            self._download_ended(transfer)
            return
        cancelled = FileCancelled(file, me.nick, why, self._finished(transfer, fold(me.nick)))
        self._tell_sender(transfer, cancelled)
        self._tell_recipient(transfer, me.nick, cancelled, but=peer)
        peer.send(cancelled)

    def listing(self, peer: Peer) -> FileList:
        """The transfers open to and from ``peer``'s user, with where each stands."""
        me = named_user(peer)
        key, by = fold(me.nick), sender_key(me)
        entries = []
        for transfer in self._transfers.values():
            if transfer.by == by:
                state = "uploading" if transfer.offered_at is None else "offered"
            elif transfer.offered_at is not None and (
                key in transfer.pending or self._downloads.downloading(transfer.file, peer)
            ):
                state = "downloading" if self._downloads.downloading(transfer.file, peer) else "offered"
            else:
                continue
            offered = transfer.offered
            entries.append(
                FileEntry(
                    transfer.file,
                    transfer.sender.nick,
                    transfer.target.to,
                    offered.name,
                    offered.size,
                    offered.mime,
                    offered.sha256,
                    state,
                )
            )
        return FileList(tuple(entries))

    def link(self, peer: Peer, file: str) -> FileLink:
        """A single-use URL for ``file``; raises NoWebPortError without a web port."""
        transfer = self._offered_to(peer, file)
        if self.links is None:
            raise NoWebPortError()
        return FileLink(file, self.links(transfer, named_user(peer).nick))

    def link_for(self, file: str, nick: str) -> str | None:
        """A single-use URL of ``file`` for ``nick``, to whom its offer is being delivered; None for its sender or without a web port.

        Called while the offer is delivered, before the engine has noted
        whom it went to: the caller (a front end's delivery) vouches that
        ``nick`` is a recipient.
        """
        transfer = self._transfers.get(file)
        if self.links is None or transfer is None or fold(nick) == fold(transfer.sender.nick):
            return None
        return self.links(transfer, nick)

    def transfer(self, file: str) -> Transfer | None:
        """The open transfer ``file``, if any."""
        return self._transfers.get(file)

    def fetched(self, transfer: Transfer, nick: str, by: Peer | None = None) -> None:
        """``nick`` has every byte of ``transfer`` (its last chunk acknowledged on the session ``by``, or its HTTP
        link read to the end): they are done with it, and the sender's sessions are told, with how many recipients
        are left, and so are the recipient's others. Told once: a second session of theirs that fetches it whole
        after (or after they declined it) changes nothing."""
        if fold(nick) not in transfer.pending:
            self._download_ended(transfer)
            return
        fetched = FileFetched(transfer.file, nick, self._finished(transfer, fold(nick)))
        self._tell_sender(transfer, fetched)
        self._tell_recipient(transfer, nick, fetched, but=by)

    def _finished(self, transfer: Transfer, nick: str) -> int:
        """The folded ``nick`` is done with ``transfer``; how many recipients are left (0: the transfer is over)."""
        transfer.pending.discard(nick)
        self._settled(transfer)
        return len(transfer.pending)

    def _settled(self, transfer: Transfer) -> None:
        """Once nobody is left to fetch an offered file, its bytes go (unless another transfer shares them), but not
        under a session still fetching it (another of a recipient done with it): then once that download ends. Else
        it is kept as it is now."""
        if transfer.offered_at is None or transfer.pending:
            if transfer.file in self._transfers:
                self._store.keep(transfer.record())
        elif self._downloads.under_way(transfer.file):
            # Only downloads are left, which a restart ends: nothing of the transfer need outlive one.
            self._store.forget(transfer.file)
        else:
            self._forget(transfer)

    def _download_ended(self, transfer: Transfer) -> None:
        """A download of ``transfer`` ended (fetched whole, stopped, or its session gone): if it was all that kept
        a transfer nobody is left to fetch, the transfer goes."""
        if (
            transfer.offered_at is not None
            and not transfer.pending
            and not self._downloads.under_way(transfer.file)
        ):
            self._forget(transfer)

    def _expired(self, transfer: Transfer, kept_long: bool) -> None:
        """Let ``transfer`` go, past ``--file-keep`` (``kept_long``) or idle: its sender is told, and for an offer
        each recipient not done with it, so that no client goes on showing what the server no longer has."""
        keep = format_duration(self.limits.keep)
        if transfer.offered_at is not None:
            reason = f"offers wait {keep} at most"
        elif kept_long:
            reason = f"an upload must be finished within {keep}"
        else:
            reason = f"its upload took no chunk for {format_duration(UPLOAD_IDLE_SECONDS)}"
        expired = FileExpired(transfer.file, reason)
        self._tell_recipients(transfer, expired)  # none before the offer
        self._tell_sender(transfer, expired)
        self._stopped(transfer)
        self._forget(transfer)

    def _forget(self, transfer: Transfer) -> None:
        if self._transfers.pop(transfer.file, None) is not None:
            self._store.forget(transfer.file)
        if not any(other.key == transfer.key for other in self._transfers.values()):
            self.spool.drop(transfer.key)

    def _tell_recipients(self, transfer: Transfer, ended: FileCancelled | FileExpired) -> None:
        """Send ``ended`` to each session of each recipient not done with ``transfer``: those this engine serves as
        a reply, the others (IRC's) through the front ends that asked (``tell_elsewhere``)."""
        for nick in transfer.pending:
            for session in self._chat.file_sessions(nick):
                if session in self._peers:
                    cast(Peer, session).send(ended)
                    continue
                for told in self._elsewhere:
                    told.recipient_told(session, transfer, ended)
        # A session still fetching it for a recipient done with it on another session: its download stops too.
        for peer in self._downloads.peers(transfer.file):
            if fold(named_user(peer).nick) not in transfer.pending:
                peer.send(ended)

    def _tell_recipient(self, transfer: Transfer, nick: str, item: FileReply, but: Peer | None) -> None:
        """Send ``item``, the news that the recipient ``nick`` is done with ``transfer``, to each of their sessions
        that this engine serves but ``but`` (where they did it) and those still fetching it (they go on to its end),
        so that none goes on showing an offer that is over for them; the front ends that asked are told of the
        others (``tell_elsewhere``)."""
        for session in self._chat.file_sessions(nick):
            peer = cast(Peer, session)
            if session not in self._peers:
                for told in self._elsewhere:
                    told.recipient_told(session, transfer, item)
            elif peer is not but and not self._downloads.downloading(transfer.file, peer):
                peer.send(item)

    def _tell_sender(self, transfer: Transfer, item: FileReply, but: Peer | None = None) -> None:
        """Send ``item`` to each session of ``transfer``'s sender that this engine serves (``but`` one), and tell the
        front ends that asked of the others (``tell_elsewhere``), if they are online as they were
        (``Chat.file_sender_sessions``: by account if identified)."""
        for session in self._chat.file_sender_sessions(transfer.sender):
            peer = cast(Peer, session)
            if session not in self._peers:
                for told in self._elsewhere:
                    told.sender_told(session, transfer, item)
            elif peer is not but:
                peer.send(item)

    def expire(self) -> None:
        """Drop what waited past ``--file-keep`` (offers nobody fetched, uploads nobody finished) and uploads that took
        no chunk for ``UPLOAD_IDLE_SECONDS``, bytes nobody refers to, past days' counts and idle rate buckets.

        An offer reserves its whole size in the spool (``--file-store-bytes``)
        before a byte comes: offers never uploaded held the whole store for
        everyone else until ``--file-keep``, a week, ran out.

        The spool can hold bytes no open transfer names: a daemon killed
        between forgetting a transfer and removing its file, or a --files
        folder kept while the transfers were in memory (``--db :memory:``).
        Nothing but a transfer stays on the server, so they go too.
        """
        now = self._reactor.seconds()
        cutoff, stalled = now - self.limits.keep, now - UPLOAD_IDLE_SECONDS
        for transfer in list(self._transfers.values()):
            if (
                transfer.began < cutoff or (transfer.offered_at is None and transfer.moved < stalled)
            ) and not self._downloads.under_way(transfer.file):
                self._expired(transfer, transfer.began < cutoff)
        today = int(self._reactor.seconds() // DAY)
        for day in [day for day in self._days if day[1] != today]:
            del self._days[day]
        self._downloads.expire(
            {transfer.owner for transfer in self._transfers.values() if transfer.uploader is not None}
        )
        named = {transfer.key for transfer in self._transfers.values()}
        for key in self.spool.held_keys():
            if key not in named:
                self.spool.drop(key)
