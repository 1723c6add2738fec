"""Answers to one user's question, as plain data.

Unlike events these go to the asker alone and carry no timestamp of their
own (bar ``ServerTime``); front ends render them like events. Listings
(``Members``, ``RoomList``, ``UserList``) are one page each
(chatd.domain.listing): ``total`` says how many there are in all.

The answers about files (chatd.domain.file_replies) and keys
(chatd.domain.key_replies) have modules of their own; ``Reply`` gathers
every answer, theirs too.
"""

from dataclasses import dataclass

from chatd.domain.events import RoomBan
from chatd.domain.file_replies import (
    FileCancelled,
    FileChunk,
    FileDeclined,
    FileExpired,
    FileFetched,
    FileLink,
    FileList,
    FileProgress,
    FileSent,
    FileUpload,
    FileUploaded,
)
from chatd.domain.key_replies import KeyDropped, KeyLog, KeyPublished, Keys


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
