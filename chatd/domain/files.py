"""Files offered through the chat (issue 16): names, limits, the offer's checks and its delivery.

A file is uploaded to the server first, then offered: the chat's part is to
check what an offer announces (``check_offer``), to say whom it goes to
(``Files.target``: a nickname online, a room the sender is in, or a
registered account that is offline, for whom it waits) and, once the bytes
are all there and checked, to publish one ``FileOffered`` event to them and
the sender (``Files.offer``). The bytes belong to the front ends' transfer
engine (chatd.frontend.transfers), the windows and the rates to its
downloads (chatd.frontend.downloads); the names a server shows are made
safe by ``chatd.text.safe_file_name``, the rule the bundled client saves
files by too. Pure, no I/O.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from chatd.domain import rules
from chatd.domain.errors import (
    BadFileOfferError,
    ChatError,
    FileTooBigError,
    FileToSelfError,
)
from chatd.domain.events import Actor, FileOffered
from chatd.domain.people import person_key
from chatd.domain.ports import Session, UserView
from chatd.domain.publish import Publisher
from chatd.domain.rooms import Room
from chatd.domain.state import ChatState
from chatd.domain.storage_ports import Accounts
from chatd.domain.users import User, own
from chatd.text import fold, safe_file_name

CHUNK = 16384
"""Raw bytes in one chunk, up and down: hashes of chunks and resume offsets are counted in it."""

WINDOW = 8
"""Chunks a side may have sent and not yet had acknowledged: 128 KiB a chat line may wait behind."""

PUT_LINE_MOST = 22000
"""Bytes a ``/file put`` line may hold while its upload is open: a chunk's base64 and the words before it."""

MIB = 1024 * 1024


def content_key(sha256: str, size: int) -> str:
    """The spool's name for a file of ``size`` bytes whose SHA-256 is ``sha256`` once checked whole: content-addressed,
    one copy for every transfer of it."""
    return f"{sha256}-{size}"


def own_key(sha256: str, size: int, file: str) -> str:
    """The spool's name for the bytes of the upload ``file`` of a content (``content_key`` and its id) until they are
    checked whole: nobody else's chunks reach them, and the upload offered again finds them, across a restart too."""
    return f"{content_key(sha256, size)}-{file}"


def chunk_hash(data: bytes) -> str:
    """The SHA-256 of ``data`` in lowercase hex, as chunk and file hashes are written on the wire."""
    return hashlib.sha256(data).hexdigest()


ROOM_OFFERS_PER_TRANSFER = 16
"""Offers to rooms one user may keep open for each of their ``--file-transfers`` (``FileLimits.room_offers``), and
to nicknames apart (``FileLimits.nickname_offers``): a teacher's worksheets for a week's classes, not a thousand.
Also the most one user keeps open to any one person (``FileLimits.offers_to_one``), whatever their transfers."""

SENDERS_AT_THEIR_BOUND = 4
"""How many users at their own bound (``FileLimits.room_offers``) one person, or one room, holds the offers of at
once (``FileLimits.waiting_offers``, ``FileLimits.room_open_offers``)."""


@dataclass(frozen=True, slots=True)
class FileLimits:
    """The host's limits on files, with the defaults docs/SECURITY.md states.

    ``max_size`` bytes a file; ``day_bytes`` uploaded a user a day (by
    account if identified, else by address); ``transfers`` going at once a
    user, up and down (an offer, uploaded, is none: a teacher's offers to a
    room, open for a week, do not stop the next); ``rate`` bytes a second a
    user, each way; ``keep`` seconds a file waits for an offline recipient, a
    room's offer for whoever joins the room, or an interrupted upload for its
    sender; ``store_bytes`` the whole spool.
    """

    max_size: int = 100 * MIB
    day_bytes: int = 1024 * MIB
    transfers: int = 4
    rate: int = 10 * MIB
    keep: float = 7 * 86400
    store_bytes: int = 1024 * MIB

    @property
    def room_offers(self) -> int:
        """Offers to rooms one user may keep open at once, uploads among them: ``ROOM_OFFERS_PER_TRANSFER`` times
        ``transfers`` (64 by default), so one option says how much one user may have on the go. Open for a week
        whoever fetches them, they would otherwise be bounded by nothing but the spool's bytes, which one small
        file offered a thousand times hardly takes (one copy a content), and each join of their room walks them."""
        return ROOM_OFFERS_PER_TRANSFER * self.transfers

    @property
    def nickname_offers(self) -> int:
        """Offers to nicknames one user may keep open at once, uploads among them: as many as ``room_offers``, counted
        apart (a teacher returning 30 students' work fits). An offer to someone offline waits a week, and one of a
        byte costs a byte of ``day_bytes``: without a bound one user left thousands, each listed and fetched by their
        recipients' clients at every connect."""
        return self.room_offers

    @property
    def offers_to_one(self) -> int:
        """Offers one user may keep open to one person at once, uploads among them: ``ROOM_OFFERS_PER_TRANSFER``
        (16), whatever ``transfers``, so that nobody fills another's list alone; the rest of ``nickname_offers`` go
        to others."""
        return ROOM_OFFERS_PER_TRANSFER

    @property
    def waiting_offers(self) -> int:
        """Offers open to one person from everyone together, uploads among them: ``SENDERS_AT_THEIR_BOUND`` times
        ``room_offers`` (256 by default). Each sender is bounded by ``offers_to_one``, but senders are as many as
        accounts and addresses: the person's page and client list (and fetch) every one at each connect. Past it, the
        next sender is refused, not the person, who frees places by declining (on IRC too: chatd.irc.declines)."""
        return SENDERS_AT_THEIR_BOUND * self.room_offers

    @property
    def room_open_offers(self) -> int:
        """Offers open to one room from everyone together, uploads among them: ``SENDERS_AT_THEIR_BOUND`` times
        ``room_offers`` (256 by default). Each member is bounded by ``room_offers``, but any number of members may
        each keep that many open, every one walked at each join of the room and listed to every member. Past it, the
        next sender is refused; an operator may withdraw some (``Files.check_withdrawer``)."""
        return SENDERS_AT_THEIR_BOUND * self.room_offers


_HEX64 = re.compile("[0-9a-f]{64}")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""A MIME type of RFC 9110's token characters: ``type/subtype``, no parameters."""


def check_offer(size: int, sha256: str, mime: str, name: str, max_size: int) -> str:
    """The safe name of an offer whose announcement holds; raises BadFileOfferError or FileTooBigError.

    ``size`` is 1 or more, ``sha256`` 64 lowercase hex digits, ``mime`` a
    ``type/subtype`` of token characters, ``name`` not blank.
    """
    if size < 1 or not _HEX64.fullmatch(sha256) or not _TOKEN.fullmatch(mime) or not name.strip():
        raise BadFileOfferError()
    if size > max_size:
        raise FileTooBigError(size, max_size)
    return safe_file_name(name)


@dataclass(frozen=True, slots=True)
class FileTarget:
    """Whom an offer goes to: a ``room``, or a nickname (``to``) and, for one offline, its ``account``.

    ``to`` is the room's or the nickname's name as shown. ``account`` is set
    for a registered nickname whose owner is offline: the offer waits for them.
    """

    to: str
    room: bool = False
    account: str | None = None


@dataclass(frozen=True, slots=True)
class OfferedFile:
    """What an offer shows its recipients: the transfer's id and the file as announced (name made safe)."""

    file: str
    name: str
    size: int
    mime: str
    sha256: str


@dataclass(frozen=True, slots=True)
class KeptTransfer:
    """An open transfer as a store keeps it across a restart: what the engine needs to go on with it.

    ``began`` and ``offered_at`` are the reactor's seconds (None: not
    offered yet, the upload is open); ``pending`` the keys (``person_key``s,
    an offline account's among them) that may still fetch it, ``done``
    those offered it that no longer may (fetched, declined, stopped): a room's
    late joiners are offered it unless they are among either. A room's late
    joiners are in neither (chatd.frontend.late_joiners): they are held in
    memory alone, done with it or not.
    """

    offered: OfferedFile
    sender: Actor
    owner: str
    by: str
    target: FileTarget
    began: float
    offered_at: float | None
    pending: tuple[str, ...]
    done: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KeptLink:
    """An HTTP link to an offered file (chatd.web.files) as a store keeps it across a restart, until it runs out.

    ``digest`` is the SHA-256 (hex) of its token, never the token: a copy of
    the store (a backup) fetches nothing. ``key`` and ``nick`` are the
    recipient's ``person_key`` and nickname, as they are now; ``until`` is in
    the reactor's seconds.
    """

    digest: str
    file: str
    key: str
    nick: str
    until: float


class Files:
    """Where offers go, and the one ``FileOffered`` each delivery is."""

    def __init__(
        self, state: ChatState, seam: Publisher, accounts: Accounts, now: Callable[[], float]
    ) -> None:
        self._state = state
        self._seam = seam
        self._accounts = accounts
        self._now = now

    def target(self, view: UserView, target: str) -> FileTarget:
        """Whom ``target`` names for the user's offer: a room they are in, or a nickname not theirs.

        Raises NoSuchRoomError or NotInRoomError for a room they are not in, FileToSelfError for their own nickname,
        NoSuchNicknameError for one neither online nor registered. An offer is said as a line is (its name is the
        sender's text, shown to everyone offered it, and a room's reaches whoever joins for days): MutedError for a
        muted sender, and a room's the refusals of a line said there (``rules.check_speech``: a ban mask, ``+m``
        without voice, ``+M`` unidentified).
        """
        user = own(view)
        rules.check_voice(self._state, user, self._now())
        if target.startswith("#"):
            room = self._state.rooms.membership(user, target)
            rules.check_speech(user, room)
            return FileTarget(room.name, room=True)
        key = fold(target)
        if key == fold(user.nick):
            raise FileToSelfError()
        found = self._state.users.by_key.get(key)
        if found is not None:
            if found is user or (user.account is not None and found.account == user.account):
                raise FileToSelfError()
            return FileTarget(found.nick)
        if self._accounts.owner(target) != key:
            raise self._state.users.missing(target)
        if user.account == key:
            raise FileToSelfError()
        return FileTarget(self._accounts.nick(key), account=key)

    def offer(
        self, sender: Actor, target: FileTarget, offered: OfferedFile, waited: bool = False
    ) -> tuple[str, ...]:
        """Offer ``offered`` from ``sender`` to ``target``'s people now; the keys (``person_key``) of those offered it.

        The sender, if online, is shown it too (the echo) but is not among
        the keys. A room offer goes to the room's members as they are now; a
        nickname's to whoever holds it now (to the account's user, for an
        account), none if nobody: the engine keeps the offer waiting.
        """
        echo = self._sender(sender)
        if target.room:
            room = self._state.rooms.by_key.get(fold(target.to))
            people = [] if room is None else [user for user in room.members.values() if user is not echo]
        else:
            holder = self._holder(target)
            people = [] if holder is None or holder is echo else [holder]
        recipients: list[User] = [*people, *([echo] if echo is not None else [])]
        if recipients:
            self._seam.publish(self._offered(sender, target, offered, waited), recipients)
        return tuple(person_key(user.actor) for user in people)

    def offer_joiner(self, sender: Actor, target: FileTarget, offered: OfferedFile, person: str) -> bool:
        """Offer ``offered``, open to the room ``target``, to the person ``person`` (a ``person_key``) who joined it
        after it was made: the same ``FileOffered`` its members were shown, to that user alone; whether they were
        online as ``person`` and still in the room to be shown it.

        The engine (chatd.frontend.late_joiners) decides whether the offer is
        still open and not theirs already; this finds the user now, for
        they may have left or gone since they joined, and shows it only while
        its sender may still offer the room a file (``rules.check_offering``:
        not muted, nor banned from it, nor without the voice it came to need),
        online or not: an offer made before them goes on reaching whoever
        joins once they may again.
        """
        user = self._present(person, target.to)
        if user is None or not self._may_still_offer(sender, user.rooms[fold(target.to)]):
            return False
        self._seam.publish(self._offered(sender, target, offered, False), (user,))
        return True

    def check_withdrawer(self, view: UserView, room: str) -> None:
        """Raise unless the user may withdraw someone else's offer to the room ``room``: an operator, or one with
        authority there (its owner, a room operator: ``rules.require_authority``, NotOperatorError or NotOwnerError).
        A room's offer is open to whoever joins for a week, and its sender may be gone: those who keep the room's
        order take it down as they would a line's author out."""
        user = own(view)
        found = self._state.rooms.by_key.get(fold(room))
        if found is None:
            rules.require_operator(user)
        else:
            rules.require_authority(user, found)

    def _may_still_offer(self, sender: Actor, room: Room) -> bool:
        """Whether ``sender`` may offer ``room`` a file now: as they are online, or, offline, as who they were (no
        operator, no voice; their account's standing in a registered room holds)."""
        user = self._sender(sender) or User(sender.nick, sender.address, account=sender.account, online=False)
        try:
            rules.check_offering(self._state, user, room, self._now())
        except ChatError:
            return False
        return True

    def present(self, person: str, room: str) -> bool:
        """Whether the person ``person`` (a ``person_key``) is online and in the room ``room``: a room's late joiner
        who is not is no longer one of its offer's people (chatd.frontend.late_joiners)."""
        return self._present(person, room) is not None

    def _present(self, person: str, room: str) -> User | None:
        """The user online as ``person``, if in the room ``room``."""
        user = self._person(person)
        found = self._state.rooms.by_key.get(fold(room))
        return (
            user
            if user is not None and found is not None and found.members.get(fold(user.nick)) is user
            else None
        )

    def person_called(self, nick: str) -> str | None:
        """The ``person_key`` of whoever holds the nickname ``nick`` (any case) now, if anyone: who a kick put out."""
        user = self._state.users.by_key.get(fold(nick))
        return None if user is None else person_key(user.actor)

    def _offered(self, sender: Actor, target: FileTarget, offered: OfferedFile, waited: bool) -> FileOffered:
        """The one event that offers ``offered`` from ``sender`` to ``target``, stamped now."""
        id, at = self._seam.stamp()
        return FileOffered(
            id=id,
            at=at,
            actor=sender,
            file=offered.file,
            to=target.to,
            name=offered.name,
            size=offered.size,
            mime=offered.mime,
            sha256=offered.sha256,
            waited=waited,
        )

    def sender(self, view: UserView) -> Actor:
        """Who the user is as the sender of an offer: a snapshot, kept with the transfer while they come and go."""
        return own(view).actor

    def sessions(self, person: str) -> tuple[Session, ...]:
        """The sessions of the person whose ``person_key`` is ``person``, if online: where a transfer's news for them goes."""
        user = self._person(person)
        return () if user is None else user.sessions

    def _holder(self, target: FileTarget) -> User | None:
        if target.account is not None:
            return self._state.users.by_account.get(target.account)
        return self._state.users.by_key.get(fold(target.to))

    def _sender(self, sender: Actor) -> User | None:
        """The sender's user now, if online as they were (``person_key``: by account if identified, else by nickname
        and address)."""
        return self._person(person_key(sender))

    def _person(self, person: str) -> User | None:
        """The user online as ``person`` (a ``person_key``), if any: the account's, or the one holding the nickname
        from the address."""
        users = self._state.users
        kind, _, rest = person.partition(":")
        if kind == "account":
            return users.by_account.get(rest)
        if kind != "nick":
            return None
        nick, _, address = rest.rpartition("@")
        user = users.by_key.get(nick)
        return user if user is not None and user.account is None and user.address == address else None
