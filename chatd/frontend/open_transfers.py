"""The transfers open, one table the engine's parts share, and when a file's bytes can go (issue 16).

The engine (chatd.frontend.transfers), its uploads (chatd.frontend.uploads)
and the people it tells (chatd.frontend.transfer_people) all change the
same transfers: an upload is offered, a recipient is done, a sender is
renamed. Each change ends in this one object they are handed, so that what
the store keeps across a restart and what the spool holds follow every
change, whichever part made it, and no part reaches into another's fields.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice

from twisted.logger import Logger

from chatd.domain.errors import FileBound, FileTooManyError, NoSuchFileError
from chatd.domain.file_replies import FileEntry, FileList
from chatd.domain.files import FileLimits, FileTarget
from chatd.domain.people import account_key
from chatd.domain.ports import UserView
from chatd.frontend.downloads import Downloads
from chatd.frontend.file_pages import FILES_PAGE, Place, cursor_text, place_of
from chatd.frontend.nickname_offers import NicknameOffers
from chatd.frontend.transfer_parts import FileStore, Peer, Transfer, TransferStore, named_user, person
from chatd.text import fold


class OpenTransfers:
    """The open transfers by file: kept in ``store`` as each changes, their bytes in ``spool``, fetched by ``downloads``.

    Those ``store`` kept are open again from the start, their uploads
    stamped ``now`` as having last moved and holding their room in the
    spool again, as their offers did; an offer whose file the spool no
    longer holds whole is dropped, with a line in the log.
    """

    log = Logger()

    def __init__(
        self, spool: FileStore, store: TransferStore, downloads: Downloads, now: Callable[[], float]
    ) -> None:
        self._open: dict[str, Transfer] = {}
        self._uploads: dict[str, dict[str, Transfer]] = {}
        """Each owner's uploads not offered yet, by file: what ``going`` counts and ``--file-day-bytes`` waits for,
        found without a walk of every transfer open on each offer, accept and link."""
        self._idle: dict[str, Transfer] = {}
        """Every upload not offered yet, by file, in the order each last took a chunk (or began, or the daemon
        started): the longest idle first (``longest_idle``), so long as the reactor's clock goes forward; kept
        as they come, move and go, so that an offer the spool has no room for weighs the stalled ones alone."""
        self._sharing: dict[str, dict[str, Transfer]] = {}
        """The open transfers of each content (``Transfer.content``), by file: those offered share its bytes checked
        whole, which go with the last of them; uploads still sending may take them once checked. Keyed by what never
        changes, not by sender, whose key a rename changes (``TransferPeople``)."""
        self._rooms: dict[str, dict[str, Transfer]] = {}
        """The open transfers to each room (folded), by file: what a join there looks through
        (chatd.frontend.late_joiners), none of another room's."""
        self._room_owners: dict[str, dict[str, Transfer]] = {}
        """Each owner's open transfers to rooms, by file: what ``check_room_offers`` counts."""
        self._nicknames = NicknameOffers()
        """The open transfers to nicknames, counted by owner and by recipient: what ``check_nickname_offers`` counts.
        One is counted from its upload to its recipient's being done with it (``settled``), not while a download of
        it goes on to its end after that."""
        self._persons: dict[str, dict[str, Transfer]] = {}
        """The open transfers of each person (``person_key``), by file: those they sent and those they were offered,
        still to fetch or done with them (``involve``): what a rename (chatd.frontend.transfer_people), a late
        joiner's leaving (chatd.frontend.late_joiners), an account's identifying (chatd.frontend.uploads) and a
        listing look through, not every open transfer. Each is looked at as
        it is now: a key here may be one its transfer no longer names."""
        self._persons_of: dict[str, set[str]] = {}
        """The keys each open transfer (by file) is under in ``_persons``: all of them taken out as it closes, whoever
        its own sets name by then (a withdrawal clears ``pending`` first)."""
        self._store = store
        self.spool = spool
        self.downloads = downloads
        for record in store.kept():
            transfer = Transfer.kept(record)
            if transfer.offered_at is not None and not self._whole(transfer):
                self._lost(transfer)
                continue
            # An upload cut short by the restart has its hour from now to go on.
            transfer.moved = now()
            if transfer.offered_at is None:
                self._own_bytes(transfer)
            self._opened(transfer)

    def _own_bytes(self, transfer: Transfer) -> None:
        """``transfer``, an upload kept, holds the room its offer reserved (--file-store-bytes) under its own key
        again: the spool found only the part files there, and an upload with no byte sent has none (without this,
        others' offers took its room). Kept from before uploads had bytes of their own, it takes those it shared
        under its content's key, unless another took them first."""
        spool, content = self.spool, transfer.content
        if not spool.begun(transfer.own) and spool.begun(content) and not spool.complete(content):
            spool.rename(content, transfer.own)
        spool.open(transfer.key, transfer.offered.size)

    def _whole(self, transfer: Transfer) -> bool:
        """Whether the spool holds ``transfer``'s file whole, as it did once checked: not removed or cut short by
        hand while the daemon was stopped."""
        return self.spool.complete(transfer.key) and self.spool.held(transfer.key) == transfer.offered.size

    def _lost(self, transfer: Transfer) -> None:
        """``transfer``, offered, whose file is gone from the spool, is over: listed, it would fail every accept.

        Nobody is connected at start to be told, and an offer that expires is told only to whoever is connected
        then: the host reads why in the log, its recipients no longer find it (``/file list``, accept)."""
        self._store.forget(transfer.file)
        self.log.warn(
            "Offer {file} from {sender} to {target} dropped: its file {key} is missing from the spool (--files)"
            " or not whole, so nobody could fetch it",
            file=transfer.file,
            sender=transfer.sender.nick,
            target=transfer.target.to,
            key=transfer.key,
        )

    @property
    def limits(self) -> FileLimits:
        """What the engine allows (``--file-*``): its downloads' own, so that one setting (``Transfers.limits``) is
        what every part goes by."""
        return self.downloads.limits

    def get(self, file: str) -> Transfer | None:
        """The open transfer ``file``, if any."""
        return self._open.get(file)

    def all(self) -> list[Transfer]:
        """Every open transfer, in a list of its own: a caller may close some as it goes through them."""
        return list(self._open.values())

    def add(self, transfer: Transfer, recipient: str | None = None) -> None:
        """``transfer`` is open (a new upload), and kept; a nickname's is counted as for the person ``recipient``
        (``person_key``), who holds the nickname now, until it is delivered to whoever holds it then."""
        self._opened(transfer, recipient)
        self._store.keep(transfer.record())

    def _opened(self, transfer: Transfer, recipient: str | None = None) -> None:
        """``transfer`` is open: in the table and each index that finds it. A nickname's upload kept across a restart
        is counted for the account it waits for, if any: who holds a nickname that is not one is not known at
        start."""
        self._open[transfer.file] = transfer
        _index(self._sharing, transfer.content, transfer)
        if transfer.offered_at is None:
            _index(self._uploads, transfer.owner, transfer)
            self._idle[transfer.file] = transfer
        if transfer.target.room:
            _index(self._rooms, fold(transfer.target.to), transfer)
            _index(self._room_owners, transfer.owner, transfer)
        elif transfer.offered_at is None:
            account = transfer.target.account
            waits_for = recipient if recipient is not None or account is None else account_key(account)
            self._nicknames.count(transfer.file, transfer.owner, waits_for)
        else:
            self._counted(transfer)
        self.involve(transfer, (transfer.by, *transfer.pending, *transfer.done))

    def _counted(self, transfer: Transfer) -> None:
        """``transfer``, offered to a nickname, is counted for the one person it waits for (``pending``: whoever held
        the nickname as it was delivered, under their key now), or no longer at all once they are done with it or it
        is over."""
        waits_for = next(iter(transfer.pending), None) if self._open.get(transfer.file) is transfer else None
        if waits_for is None:
            self._nicknames.uncount(transfer.file)
        else:
            self._nicknames.count(transfer.file, transfer.owner, waits_for)

    def involve(self, transfer: Transfer, keys: Iterable[str]) -> None:
        """The persons ``keys`` are ``transfer``'s people (its sender, or offered it): ``of_person`` finds it for each
        until it closes, or one is let go (``let_go``)."""
        indexed = self._persons_of.setdefault(transfer.file, set())
        for key in keys:
            _index(self._persons, key, transfer)
            indexed.add(key)

    def let_go(self, transfer: Transfer, key: str) -> None:
        """The person ``key`` is none of ``transfer``'s people any more (a late joiner who left its room)."""
        _unindex(self._persons, key, transfer)
        self._persons_of.get(transfer.file, set()).discard(key)

    def of_person(self, key: str) -> list[Transfer]:
        """The open transfers the person ``key`` sent or was offered (``involve``), in a list of its own: a caller may
        close some as it goes through them."""
        return list(self._persons.get(key, {}).values())

    def moved(self, old: str, new: str) -> None:
        """The person ``old`` is ``new`` now (renamed, identified, an account given up): their transfers are found
        under ``new``. Their keys in each transfer's own sets are the caller's to move
        (chatd.frontend.transfer_people)."""
        if old == new:
            return
        self._nicknames.moved(old, new)
        for transfer in self._persons.pop(old, {}).values():
            _index(self._persons, new, transfer)
            indexed = self._persons_of[transfer.file]
            indexed.discard(old)
            indexed.add(new)

    def offered(self, transfer: Transfer, at: float) -> None:
        """``transfer``'s upload is whole and checked at ``at``: it is offered, no longer one of its owner's uploads."""
        transfer.offered_at = at
        _unindex(self._uploads, transfer.owner, transfer)
        self._idle.pop(transfer.file, None)

    def chunk_taken(self, transfer: Transfer, at: float) -> None:
        """``transfer``'s upload took a chunk at ``at``: it has moved (``Transfer.moved``), and is the least idle."""
        transfer.moved = at
        if self._idle.pop(transfer.file, None) is not None:
            self._idle[transfer.file] = transfer

    def longest_idle(self) -> Iterator[Transfer]:
        """The uploads not offered yet, the one that took a chunk longest ago first (the order they were opened for
        the same time): a caller stops at the first not idle long enough, without a look at the rest, and closes
        none until it has stopped."""
        return iter(self._idle.values())

    def in_room(self, room: str) -> list[Transfer]:
        """The open transfers to the room ``room`` (any case), uploads among them."""
        return list(self._rooms.get(fold(room), {}).values())

    def uploads(self, owner: str) -> list[Transfer]:
        """The uploads ``owner`` has open, not offered yet."""
        return list(self._uploads.get(owner, {}).values())

    def sharing(self, key: str) -> list[Transfer]:
        """The open transfers of the content ``key`` (``Transfer.content``): one, or those offered the same file."""
        return list(self._sharing.get(key, {}).values())

    def shared(self, transfer: Transfer) -> bool:
        """Whether another open transfer has its bytes under ``transfer``'s key: one of the same content, checked
        whole (an upload's own bytes are never shared)."""
        return any(
            other is not transfer and other.key == transfer.key for other in self.sharing(transfer.content)
        )

    def same(self, by: str, key: str, target: FileTarget) -> Transfer | None:
        """The transfer of the content ``key`` from the person ``by`` (``person_key``: someone else who took their
        nickname is not them) to the same people, still open, if any: an upload, which an offer the same reopens
        to go on, or an offer not over (``Transfer.awaited``: someone it went to may still fetch it, or a room's,
        open for whoever joins), which answers one the same.

        Looked for among the transfers of the content, found by its key, which never changes: ``by`` is asked of
        each as it is now, after any rename (an index by sender would have to follow every rename)."""
        for transfer in self.sharing(key):
            if transfer.awaited and transfer.by == by and fold(transfer.target.to) == fold(target.to):
                return transfer
        return None

    def upload_open(self, by: str, key: str, to: str) -> str | None:
        """The id of the upload of the content ``key`` from the person ``by`` to ``to`` still open, not offered yet,
        if any (``same``): an offer the same that is refused leaves it open, waiting for its sender's chunks."""
        transfer = self.same(by, key, FileTarget(to))
        return transfer.file if transfer is not None and transfer.offered_at is None else None

    def going(self, owner: str) -> int:
        """Transfers the owner has going: uploads not yet offered and downloads under way."""
        return len(self._uploads.get(owner, ())) + self.downloads.going(owner)

    def check_room_offers(self, owner: str, room: str) -> None:
        """Raise FileTooManyError if the owner keeps as many offers to rooms open (uploads among them) as
        ``FileLimits.room_offers`` allows, or the room ``room`` has as many open from everyone as
        ``FileLimits.room_open_offers``: before a new one. A room's offer stays open for a week whoever fetches it,
        so without a bound one user could keep thousands open, and its members together thousands more, each walked
        by every join of its room."""
        limits = self.limits
        if len(self._room_owners.get(owner, ())) >= limits.room_offers:
            raise FileTooManyError(limits.room_offers, FileBound.ROOM_OFFERS)
        if len(self._rooms.get(fold(room), ())) >= limits.room_open_offers:
            raise FileTooManyError(limits.room_open_offers, FileBound.ROOM, room)

    def check_nickname_offers(self, owner: str, recipient: str | None, nick: str) -> None:
        """Raise FileTooManyError if the owner may open no more offers to the person ``recipient`` (``person_key``),
        who holds the nickname ``nick``: before a new one (``NicknameOffers.check``)."""
        self._nicknames.check(self.limits, owner, recipient, nick)

    def check_going(self, owner: str) -> None:
        """Raise FileTooManyError if the owner has as many transfers going as ``--file-transfers`` allows: before an
        upload, a download here, or one through an HTTP link begins."""
        if self.going(owner) >= self.limits.transfers:
            raise FileTooManyError(self.limits.transfers)

    def offered_to(self, user: UserView, file: str) -> Transfer:
        """The offer ``file`` to ``user``, not done with it yet; else NoSuchFileError."""
        transfer = self._open.get(file)
        if transfer is None or not transfer.offered_to(person(user)):
            raise NoSuchFileError(file)
        return transfer

    def fetchable(self, peer: Peer, file: str) -> Transfer:
        """The offer ``file`` to ``peer``'s user (``offered_to``), or one ``peer`` is fetching, though its user is done
        with it on another session: that download goes on to its end."""
        transfer = self._open.get(file)
        if transfer is not None and self.downloads.downloading(file, peer):
            return transfer
        return self.offered_to(named_user(peer), file)

    def listing(self, peer: Peer, after: Place | None = None, page: int = FILES_PAGE) -> FileList:
        """The transfers open to and from ``peer``'s user, with where each stands, oldest first, those past the place
        ``after`` alone if given, at most ``page`` of them; an offer from someone ``peer`` ignores left out, unless
        ``peer`` is fetching it. With more to come, the listing's ``next`` is the cursor of its last entry's place
        (chatd.frontend.file_pages).

        An offer hidden by /ignore as it came was listed: the session was shown it there, and so told its end
        (chatd.line.files), as if it ignored nobody."""
        listed = self._listed(person(named_user(peer)), self.downloads.files(peer), peer.ignored, after)
        shown = list(islice(listed, page + 1))
        cursor = None
        if len(shown) > page:
            del shown[page:]
            last = shown[-1][0]
            cursor = cursor_text(place_of(last.began, last.file))
        return FileList(tuple(_entry(transfer, state) for transfer, state in shown), cursor)

    def offers_to(self, user: UserView) -> list[FileEntry]:
        """The offers open to ``user``'s person, oldest first: those ``listing`` shows a session of theirs as
        ``offered`` to them (not their own) when it fetches nothing and ignores nobody, as an IRC client (IRC's FILES,
        chatd.irc.files): its client ignores on its own, and it fetches by link."""
        key = person(user)
        return [
            _entry(transfer, state) for transfer, state in self._listed(key, (), {}) if transfer.by != key
        ]

    def _listed(
        self, key: str, fetching: Iterable[str], ignored: Mapping[str, str], after: Place | None = None
    ) -> Iterator[tuple[Transfer, str]]:
        """The transfers open to and from the person ``key`` on a session downloading the files ``fetching`` and
        ignoring the nicknames ``ignored`` (folded), with where each stands (``FileEntry.state``), oldest first
        (``place_of``), past the place ``after`` alone if given.

        Looked for among their own (``of_person``) and those the session is downloading (one goes on to its end
        after its user is let go, a late joiner who left the room): not a walk of every transfer the server has
        open."""
        downloading = set(fetching)
        own = {transfer.file: transfer for transfer in self.of_person(key)}
        for file in downloading:
            fetched = self._open.get(file)
            if fetched is not None:
                own[file] = fetched
        placed = {place_of(transfer.began, transfer.file): transfer for transfer in own.values()}
        for place in sorted(place for place in placed if after is None or place > after):
            transfer = placed[place]
            if transfer.by == key:
                yield transfer, "uploading" if transfer.offered_at is None else "offered"
            elif transfer.file in downloading:
                yield transfer, "downloading"
            elif transfer.offered_to(key) and fold(transfer.sender.nick) not in ignored:
                yield transfer, "offered"

    def finished(self, transfer: Transfer, key: str) -> int:
        """The person ``key`` is done with ``transfer``; how many recipients are left (0: a nickname's transfer is over,
        a room's waits for whoever joins: ``Transfer.awaited``).

        A late joiner's answer (``Transfer.joined``) is held in memory
        alone, as their being offered it is: it changes nothing the store
        keeps, and a room's offer stays open whoever is done with it. Each
        decline of thousands of late joiners wrote the offer's whole record
        again, its ``done`` one longer each time: a cost that grew with the
        square of their number."""
        transfer.pending.discard(key)
        transfer.done.add(key)
        if key not in transfer.joined:
            self.settled(transfer)
        return len(transfer.pending)

    def settled(self, transfer: Transfer) -> None:
        """Once an offer is over of itself (``Transfer.awaited``: nobody is left to fetch a nickname's), its bytes go
        (unless another transfer shares them), but not under a session still fetching it (another of a recipient
        done with it): then once that download ends. Else it is kept as it is now. Either way a nickname's offer
        delivered is counted for whom it waits for now, if anyone (``_counted``)."""
        if not transfer.target.room and transfer.offered_at is not None:
            self._counted(transfer)
        if transfer.awaited:
            if transfer.file in self._open:
                self._store.keep(transfer.record())
        elif self.downloads.under_way(transfer.file):
            # Only downloads are left, which a restart ends: nothing of the transfer need outlive one.
            self._store.forget(transfer.file)
        else:
            self.forget(transfer)

    def download_ended(self, transfer: Transfer) -> None:
        """A download of ``transfer`` ended (fetched whole, stopped, or its session gone): if it was all that kept
        open a transfer that is over (``Transfer.awaited``), the transfer goes."""
        if not transfer.awaited and not self.downloads.under_way(transfer.file):
            self.forget(transfer)

    def close(self, transfer: Transfer) -> None:
        """``transfer``, open, is over, and what the spool holds of it goes or stays as the spool decided (a
        corrupt upload's bytes it dropped as it checked them)."""
        del self._open[transfer.file]
        _unindex(self._uploads, transfer.owner, transfer)
        self._idle.pop(transfer.file, None)
        _unindex(self._sharing, transfer.content, transfer)
        if transfer.target.room:
            _unindex(self._rooms, fold(transfer.target.to), transfer)
            _unindex(self._room_owners, transfer.owner, transfer)
        self._nicknames.uncount(transfer.file)
        for key in self._persons_of.pop(transfer.file, ()):
            _unindex(self._persons, key, transfer)
        self._store.forget(transfer.file)

    def forget(self, transfer: Transfer) -> None:
        """``transfer`` is over, if it was open; its bytes go unless another open transfer shares them."""
        if transfer.file in self._open:
            self.close(transfer)
        if not self.shared(transfer):
            self.spool.drop(transfer.key)

    def sweep(self) -> None:
        """Drop the bytes the spool holds that no open transfer names (``Transfers.expire`` says how they come)."""
        named = {transfer.key for transfer in self._open.values()}
        for key in self.spool.held_keys():
            if key not in named:
                self.spool.drop(key)


def _entry(transfer: Transfer, state: str) -> FileEntry:
    """``transfer`` as a listing shows it, standing at ``state``."""
    offered = transfer.offered
    return FileEntry(
        transfer.file,
        transfer.sender.nick,
        transfer.target.to,
        offered.name,
        offered.size,
        offered.mime,
        offered.sha256,
        state,
    )


def _index(index: dict[str, dict[str, Transfer]], key: str, transfer: Transfer) -> None:
    """``transfer`` is one of ``index``'s transfers under ``key``."""
    index.setdefault(key, {})[transfer.file] = transfer


def _unindex(index: dict[str, dict[str, Transfer]], key: str, transfer: Transfer) -> None:
    """``transfer`` is not (or no longer) one of ``index``'s under ``key``; a key left with none goes."""
    found = index.get(key, {})
    if found.pop(transfer.file, None) is not None and not found:
        del index[key]
