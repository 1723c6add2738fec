"""What the transfer engine (chatd.frontend.transfers) and its parts (uploads, downloads, ...) work with.

The ports they are handed (the spool, the store that keeps open transfers
across a restart, the sessions they serve), one transfer's record, and how
they see a session's user: whom limits count it under, who sends. Apart from
all of them, so that the parts need no import of the engine that owns them.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Protocol

from twisted.internet.defer import Deferred

from chatd.domain.errors import ChatError
from chatd.domain.events import Actor
from chatd.domain.file_replies import FileReply
from chatd.domain.files import FileTarget, KeptLink, KeptTransfer, OfferedFile, content_key, own_key
from chatd.domain.networks import counted_as
from chatd.domain.people import account_key, person_key
from chatd.domain.ports import Session, UserView
from chatd.frontend.sinks import Sink


class FileStore(Protocol):
    """The spool as the engine uses it (chatd.storage.spool): content-addressed bytes, held counts known at once."""

    def held(self, key: str) -> int: ...

    @property
    def reserved(self) -> int: ...

    def begun(self, key: str) -> bool: ...

    def complete(self, key: str) -> bool: ...

    def held_keys(self) -> list[str]: ...

    def open(self, key: str, size: int) -> None: ...

    def hash_before(self, key: str, end: int) -> "Deferred[str]": ...

    def write(self, key: str, offset: int, data: bytes) -> "Deferred[int]": ...

    def check(self, key: str, sha256: str) -> "Deferred[bool]": ...

    def settle(self, key: str, content: str) -> "Deferred[None]": ...

    def rename(self, key: str, to: str) -> "Deferred[None]": ...

    def read(self, key: str, offset: int, length: int) -> "Deferred[bytes]": ...

    def read_from(self, file: IO[bytes], offset: int, length: int) -> "Deferred[bytes]": ...

    def drop(self, key: str) -> "Deferred[None]": ...

    def path(self, key: str) -> str: ...


class TransferStore(Protocol):
    """Where open transfers outlive a restart (chatd.storage.sqlite_transfers with ``--db FILE``), or nowhere."""

    def kept(self) -> Sequence[KeptTransfer]:
        """The transfers open when the daemon last stopped."""

    def keep(self, transfer: KeptTransfer) -> None:
        """Keep ``transfer`` as it is now: a new one, or a change."""

    def forget(self, file: str) -> None:
        """``file`` is over."""


class NotKept:
    """A ``TransferStore`` that keeps nothing (``--db :memory:``): transfers live as long as the daemon."""

    def kept(self) -> Sequence[KeptTransfer]:
        return ()

    def keep(self, transfer: KeptTransfer) -> None:
        pass

    def forget(self, file: str) -> None:
        pass


class LinkStore(Protocol):
    """Where the HTTP links to offered files (chatd.web.files) outlive a restart: chatd.storage.sqlite_links with
    ``--db FILE``; with none, they end with the daemon, as its transfers do."""

    def links(self) -> Sequence[KeptLink]:
        """The links kept when the daemon last stopped, those that run out first first."""

    def keep_link(self, link: KeptLink) -> None:
        """Keep ``link`` as it is now: a new one, or its recipient moved."""

    def forget_link(self, digest: str) -> None:
        """The link whose token hashes to ``digest`` is spent or run out."""


class Peer(Protocol):
    """A session as the engine sees it: its user, format, way out, address, and how it is sent a reply."""

    user: UserView | None
    json: bool
    sink: Sink
    peer: str
    ignored: dict[str, str]
    """The nicknames (folded) whose offers the session is not shown: as they come, nor in ``/file list``."""
    offers_hidden: set[str]
    """The files whose offer was hidden from the session as it came (its sender ignored): it hears nothing of their
    end (``TransferPeople``)."""

    def send(self, item: FileReply | ChatError) -> None:
        """Render ``item`` in the session's format and write it."""


class Elsewhere(Protocol):
    """A front end whose sessions the engine does not serve (IRC's: sent no file bytes, but told of offers), told for
    each of them what the sessions it serves are sent of a transfer, to say in its own words
    (``Transfers.tell_elsewhere``)."""

    def recipient_told(self, session: Session, transfer: "Transfer", item: FileReply) -> None:
        """``session``'s user was offered ``transfer``, and ``item`` says how it ended for them: its sender withdrew
        it (``FileCancelled`` with the sender's nickname), it expired (``FileExpired``), or the user fetched it
        (``FileFetched``: on another session, or by its link), declined it or stopped fetching it on another session
        (``FileDeclined``, ``FileCancelled`` with their nickname), or left the room of a room's offer they were shown
        as they joined it (``FileCancelled`` with their nickname and the room in its ``left_room``)."""

    def sender_told(self, session: Session, transfer: "Transfer", item: FileReply) -> None:
        """``session``'s user sent ``transfer``, and ``item`` says what became of it: a recipient fetched, declined
        or stopped it (``FileFetched``, ``FileDeclined``, ``FileCancelled``), the user withdrew it on another
        session (``FileCancelled`` with their nickname), or it expired (``FileExpired``)."""


@dataclass(eq=False)
class Transfer:
    """One file offered from ``sender`` to ``target``: its bytes under ``key`` in the spool, its upload's own
    (``own``) until they are checked whole, then its content's (``content``), one copy for every transfer of it.

    ``owner`` is the key limits count it under (the account if identified,
    else the host, ``chatd.domain.networks.counted_as``); ``by`` says who
    sent it (``person_key``: the account, else the nickname from the
    address); ``pending`` the ``person_key``s of those offered it that have
    not finished, declined or cancelled (an offline account's key, until it
    identifies); ``done`` those of them that have, so that one who comes
    back into its room is not offered it again (chatd.frontend.late_joiners);
    ``joined`` those offered it as they joined its room, still to fetch it
    (in ``pending``) or done with it (in ``done``), held in memory only
    (``record`` leaves them out of both) and, while still to fetch it,
    dropped as they leave it, so that the store record grows with none of
    those who came by: a late joiner done with it is offered it again as
    they join after a restart;
    ``uploader`` the session uploading it, if any;
    ``moved`` when its upload last took a chunk (or began, or the daemon
    started), so that one that stops is let go (``UPLOAD_IDLE_SECONDS``).
    """

    offered: OfferedFile
    sender: Actor
    owner: str
    target: FileTarget
    key: str
    began: float
    uploader: Peer | None = None
    offered_at: float | None = None
    moved: float = 0.0
    pending: set[str] = field(default_factory=set)
    done: set[str] = field(default_factory=set)
    joined: set[str] = field(default_factory=set)

    @property
    def file(self) -> str:
        return self.offered.file

    @property
    def content(self) -> str:
        """The key of its content (``content_key``): ``key`` once its bytes are checked whole."""
        return content_key(self.offered.sha256, self.offered.size)

    @property
    def own(self) -> str:
        """The spool's name for its upload's bytes until they are checked whole (``chatd.domain.files.own_key``):
        ``key`` until then."""
        return own_key(self.offered.sha256, self.offered.size, self.file)

    @property
    def whole(self) -> bool:
        """Whether its bytes are its content's, checked whole (a copy the spool held, or its upload checked), not
        its upload's own."""
        return self.key == self.content

    @property
    def by(self) -> str:
        """Whose transfer it is: its sender's ``person_key``, which follows them as the sender snapshot does."""
        return person_key(self.sender)

    @property
    def awaited(self) -> bool:
        """Whether it is still open: an upload, an offer someone offered it may still fetch, or a room's offer, which
        waits for whoever joins the room (chatd.frontend.late_joiners) as a file shared in a room stays there.

        The one rule of when an offer is over of itself; else it ends only
        when withdrawn, expired (``--file-keep`` after it began) or let go
        by the server (its bytes lost, its room needed).
        """
        return self.offered_at is None or bool(self.pending) or self.target.room

    def offered_to(self, key: str) -> bool:
        """Whether the person ``key`` (``person_key``) may still fetch it: it is offered, and they are not done
        with it."""
        return self.offered_at is not None and key in self.pending

    def record(self) -> KeptTransfer:
        """What a store keeps of this transfer: not its uploader, nor its late joiners (``joined``), still to fetch it
        or done with it: a session does not outlive a restart, and each joiner is offered it again as they join after
        one."""
        return KeptTransfer(
            self.offered,
            self.sender,
            self.owner,
            self.by,
            self.target,
            self.began,
            self.offered_at,
            tuple(self.pending - self.joined),
            tuple(self.done - self.joined),
        )

    @classmethod
    def kept(cls, record: KeptTransfer) -> "Transfer":
        """The transfer a store kept as ``record``, with no uploader: its bytes its content's if it was offered,
        else its upload's own.

        A record kept before recipients were keyed by person named them by
        folded nickname alone: an offline account's key becomes the
        account's; another matches nobody, for its address is not known.
        """
        offered = record.offered
        transfer = cls(
            offered,
            record.sender,
            record.owner,
            record.target,
            content_key(offered.sha256, offered.size)
            if record.offered_at is not None
            else own_key(offered.sha256, offered.size, offered.file),
            record.began,
        )
        transfer.offered_at = record.offered_at
        account = record.target.account
        transfer.pending = {account_key(key) if key == account else key for key in record.pending}
        transfer.done = set(record.done)
        return transfer


def named_user(peer: Peer) -> UserView:
    """``peer``'s user: a file command is only taken from a session that has a nickname."""
    user = peer.user
    assert user is not None, "file commands need a nickname"
    return user


def owner_key(user: UserView, peer: Peer) -> str:
    """Whom limits count a user's transfers under: their account, else their host (an IPv6 address's /64)."""
    return f"account:{user.account}" if user.account else f"address:{counted_as(peer.peer)}"


def owner_of(key: str) -> str:
    """Whom limits count the person ``key`` (``person_key``) under, as ``owner_key`` counts a session of theirs: their
    account, else the host of the address their nickname came from (an IPv6 address's /64)."""
    if key.startswith("account:"):
        return key
    # nick:NICK@ADDRESS: no nickname holds an @ (chatd.domain.names), and no address does.
    return f"address:{counted_as(key.rpartition('@')[2])}"


def person(user: UserView) -> str:
    """Who ``user`` is to a transfer (``person_key``): its sender may resume, list and cancel it, a recipient fetch,
    decline or stop it."""
    return person_key(user.actor)
