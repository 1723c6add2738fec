"""Answers to one user's question, as plain data.

Unlike events these go to the asker alone and carry no timestamp of their
own (bar ``ServerTime``); front ends render them like events. Listings
(``Members``, ``RoomList``, ``UserList``) are one page each
(chatd.domain.listing): ``total`` says how many there are in all.
"""

from dataclasses import dataclass

from chatd.domain.events import RoomBan
from chatd.domain.keylog import KeyEntry


@dataclass(frozen=True, slots=True)
class Members:
    """Who is in ``room``, in the order they joined: page ``page`` of ``pages``, of ``total`` members.

    ``operators`` and ``voiced`` are the nicknames of this page that are
    the room's operators and that have voice (a nickname may be in both),
    so a front end marks each member's standing (IRC's ``@nick``, ``+nick``).
    """

    room: str
    nicks: tuple[str, ...]
    total: int
    page: int = 1
    pages: int = 1
    operators: tuple[str, ...] = ()
    voiced: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Topic:
    """The topic of ``room``; empty when none is set.

    ``by`` is the nickname of whoever set it, as it was then, and ``at``
    when (seconds since the epoch): ``""`` and ``0.0`` when there is no
    topic (IRC's 333 is made of them).
    """

    room: str
    topic: str
    by: str = ""
    at: float = 0.0


@dataclass(frozen=True, slots=True)
class RoomSummary:
    """One room in a listing: its name, how many are in it, its topic."""

    room: str
    members: int
    topic: str


@dataclass(frozen=True, slots=True)
class RoomList:
    """The rooms, by name: page ``page`` of ``pages``, of ``total`` rooms."""

    rooms: tuple[RoomSummary, ...]
    total: int
    page: int = 1
    pages: int = 1


@dataclass(frozen=True, slots=True)
class UserList:
    """Everyone online, by nickname: page ``page`` of ``pages``, of ``total`` users."""

    nicks: tuple[str, ...]
    total: int
    page: int = 1
    pages: int = 1


@dataclass(frozen=True, slots=True)
class Headcount:
    """How many are online now, as IRC's LUSERS tells them.

    ``sessions`` counts connections, not people: a user identified to an
    account may be online on several. ``rooms`` counts every room with
    members, the secret ones too (a number names none of them). ``most`` is
    the most ``users`` online at once since the daemon started.
    """

    users: int
    operators: int
    sessions: int
    rooms: int
    most: int


@dataclass(frozen=True, slots=True)
class ServerTime:
    """The server's clock, in seconds since the Unix epoch."""

    at: float


@dataclass(frozen=True, slots=True)
class Departed:
    """``nick`` stopped being used at ``at`` (seconds since the epoch): they left, were taken off, or took another name."""

    nick: str
    at: float


@dataclass(frozen=True, slots=True)
class Whois:
    """Who ``nick`` is: their rooms in join order, away text, whether an operator.

    ``address`` is where they connect from, and empty unless the asker is an
    operator (or the user has none, as the host's console).
    """

    nick: str
    rooms: tuple[str, ...]
    away: str
    operator: bool
    address: str


@dataclass(frozen=True, slots=True)
class Away:
    """``nick`` is away, saying ``text``: the answer to a private message sent to them."""

    nick: str
    text: str


@dataclass(frozen=True, slots=True)
class Kept:
    """``nick``'s owner is offline: the private message sent to them is kept, one of ``waiting`` for them."""

    nick: str
    waiting: int


@dataclass(frozen=True, slots=True)
class Ban:
    """``target`` (a nickname or an address) is banned by ``by`` until ``until`` (None: until lifted or restart)."""

    target: str
    until: float | None
    by: str


@dataclass(frozen=True, slots=True)
class BanList:
    """Every ban in force, oldest first."""

    bans: tuple[Ban, ...]


@dataclass(frozen=True, slots=True)
class RoomModes:
    """The settings of ``room``: what IRC's mode reply (324) shows.

    ``keyed`` says whether joining takes a key, and ``key`` is that key, or
    ``""`` unless the asker is in the room or has authority there; ``limit``
    is the most members, 0 for none. Every room also lets only members
    speak (IRC's +n).
    """

    room: str
    invite_only: bool
    keyed: bool
    key: str
    limit: int
    moderated: bool
    secret: bool
    topic_locked: bool
    registered_only: bool = False
    """Only users identified to an account join (IRC's +R)."""
    registered_speech: bool = False
    """Only identified members, voiced members and those with authority speak (IRC's +M)."""


@dataclass(frozen=True, slots=True)
class Standing:
    """Whether ``nick`` is one of the operators of ``room`` and whether they have voice there."""

    room: str
    nick: str
    operator: bool
    voiced: bool


@dataclass(frozen=True, slots=True)
class RoomBanList:
    """The ban masks of ``room``, oldest first."""

    room: str
    bans: tuple[RoomBan, ...]


@dataclass(frozen=True, slots=True)
class FileUpload:
    """To the sender of an offer: upload ``file`` from ``have`` on, in chunks of ``chunk`` bytes.

    ``target`` is the offer's target as the offer gave it (None for the
    answer to a restart, which names ``file``): with the file's size and
    SHA-256, it names the offer answered, so a client offering the same
    file to two people at once tells their answers apart. ``tail`` is the
    SHA-256 of the last chunk held (``""`` when ``have`` is 0), for the
    sender to compare with its own bytes there before going on.
    """

    file: str
    target: str | None
    name: str
    size: int
    sha256: str
    have: int
    chunk: int
    tail: str


@dataclass(frozen=True, slots=True)
class FileProgress:
    """To the sender: the server holds ``have`` of ``size`` bytes of ``file``."""

    file: str
    have: int
    size: int


@dataclass(frozen=True, slots=True)
class FileUploaded:
    """To the sender: ``file`` is all there and matched its SHA-256; its recipients are offered it."""

    file: str


@dataclass(frozen=True, slots=True)
class FileChunk:
    """To a recipient: the bytes of ``file`` from ``offset``, base64, with their SHA-256."""

    file: str
    offset: int
    data: str
    sha256: str


@dataclass(frozen=True, slots=True)
class FileSent:
    """To a recipient: every byte of ``file`` was sent and acknowledged."""

    file: str


@dataclass(frozen=True, slots=True)
class FileFetched:
    """To the sender: ``nick`` has every byte of ``file`` (its last chunk acknowledged, or its HTTP link read whole).

    ``left`` is how many recipients have yet to fetch, decline or cancel it;
    at 0 a nickname's transfer is over, and leaves ``/file list``, while a
    room's stays open for whoever joins the room, until withdrawn or expired.
    """

    file: str
    nick: str
    left: int


@dataclass(frozen=True, slots=True)
class FileDeclined:
    """To the sender: ``nick`` declined ``file``; ``left`` recipients have yet to finish with it (as for
    ``FileFetched``)."""

    file: str
    nick: str
    left: int


@dataclass(frozen=True, slots=True)
class FileCancelled:
    """``nick`` (the sender, or a recipient) cancelled ``file``, saying ``reason``.

    ``left`` is how many recipients have yet to finish with it: 0 once the
    sender withdraws it, or once the last recipient stops (as for
    ``FileFetched``: a room's offer stays open for whoever joins).

    ``left_room`` is the room a late joiner of its offer left before fetching
    it, ``nick`` being theirs: the offer is theirs no longer. None for a
    withdrawal or a stop, which carry a ``nick`` of theirs too: a field of
    its own, so no client tells the two apart by the words of ``reason``.

    ``taken_down_from`` is the room of a room's offer that ``nick``, an
    operator or one with authority in that room but not its sender, took
    down (``/file withdraw``): None for anything else. A recipient's stop
    carries a ``nick`` not the sender's too, and the withdrawer is often a
    recipient: without it the sender's client read a take-down as a stop,
    and told them the offer stayed open.
    """

    file: str
    nick: str
    reason: str
    left: int
    left_room: str | None = None
    taken_down_from: str | None = None


@dataclass(frozen=True, slots=True)
class FileExpired:
    """``file`` waited too long and the server let it go, saying why (``reason``).

    An offer nobody finished with within ``--file-keep``, or an upload that
    stopped (no chunk for an hour) or was not finished within it: its sender
    is told, and for an offer each recipient who had yet to fetch, decline
    or cancel it. The transfer is over; it leaves ``/file list``.
    """

    file: str
    reason: str


@dataclass(frozen=True, slots=True)
class FileLink:
    """A single-use HTTP(S) ``url`` that fetches ``file``."""

    file: str
    url: str


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One open transfer in ``/file list``: ``state`` is ``uploading``, ``offered`` or ``downloading``."""

    file: str
    nick: str
    to: str
    name: str
    size: int
    mime: str
    sha256: str
    state: str


@dataclass(frozen=True, slots=True)
class FileList:
    """The open transfers to and from the asker, so a client that came back can resume them: one page of them,
    oldest first; ``next`` is the cursor that asks for the page after it (``/file list after CURSOR``), None on the
    last (chatd.frontend.file_pages)."""

    files: tuple[FileEntry, ...]
    next: str | None = None


@dataclass(frozen=True, slots=True)
class KeyChanged:
    """The answer to ``/key publish`` or ``/key drop``: ``account`` has ``key`` now (or no more); the log's head."""

    account: str
    key: str
    seq: int
    head: str


@dataclass(frozen=True, slots=True)
class KeyPublished(KeyChanged):
    """``key`` is one of ``account``'s keys (published now, or already)."""


@dataclass(frozen=True, slots=True)
class KeyDropped(KeyChanged):
    """``key`` is no longer one of ``account``'s keys."""


@dataclass(frozen=True, slots=True)
class Keys:
    """The keys of the account that owns ``nick`` (``account``), oldest first, as the log stands at (seq, head)."""

    nick: str
    account: str
    keys: tuple[str, ...]
    seq: int
    head: str


@dataclass(frozen=True, slots=True)
class KeyLog:
    """The log's ``entries`` from some seq on, at most ``LOG_PAGE``; ``more`` if later ones were left out.

    ``wait`` is the seconds a reader should let pass before it asks for the
    next page, so that reading a long log never has it told it floods nor cut
    off: the front end, which holds the connection's flood budget, sets it
    (0 when there is no next page).
    """

    entries: tuple[KeyEntry, ...]
    seq: int
    head: str
    more: bool
    wait: float = 0.0


FileReply = (
    FileUpload
    | FileProgress
    | FileUploaded
    | FileChunk
    | FileSent
    | FileFetched
    | FileDeclined
    | FileCancelled
    | FileExpired
    | FileLink
    | FileList
)
"""What the transfer engine answers a session, rendered like the chat's replies."""


Reply = (
    Members
    | Topic
    | RoomList
    | UserList
    | ServerTime
    | Whois
    | Away
    | Kept
    | Ban
    | BanList
    | RoomModes
    | RoomBanList
    | FileUpload
    | FileProgress
    | FileUploaded
    | FileChunk
    | FileSent
    | FileFetched
    | FileDeclined
    | FileCancelled
    | FileExpired
    | FileLink
    | FileList
    | KeyPublished
    | KeyDropped
    | Keys
    | KeyLog
)
