"""Refusals of file transfers (issue 16): offers, the host's limits, uploads and downloads."""

from dataclasses import dataclass
from enum import StrEnum

from chatd.domain.errors.base import ChatError


@dataclass(eq=False)
class BadFileOfferError(ChatError):
    """A ``/file offer`` whose size, SHA-256, type or name is not as the protocol says (issue 16)."""

    code = "bad-file-offer"


@dataclass(eq=False)
class FileTooBigError(ChatError):
    """A file of ``size`` bytes is over the host's ``limit`` for one file."""

    code = "file-too-big"
    size: int
    limit: int


@dataclass(eq=False)
class FileDayLimitError(ChatError):
    """The file would take the user past ``limit`` bytes uploaded today, ``unsent`` of them the rest of the user's
    unfinished uploads, which count as sent."""

    code = "file-day-limit"
    limit: int
    unsent: int = 0


class FileBound(StrEnum):
    """Which bound on how many files are open at once a refusal reached (``FileTooManyError``); the values are
    stable."""

    TRANSFERS = "transfers"
    """The user's uploads and downloads going (``--file-transfers``)."""
    ROOM_OFFERS = "room-offers"
    """The user's offers to rooms open (``FileLimits.room_offers``)."""
    NICKNAME_OFFERS = "nickname-offers"
    """The user's offers to nicknames open (``FileLimits.nickname_offers``)."""
    OFFERS_TO_ONE = "offers-to-one"
    """The user's offers open to one person (``FileLimits.offers_to_one``), who is ``name``."""
    WAITING = "waiting"
    """The offers open to one person from everyone together (``FileLimits.waiting_offers``), who is ``name``."""
    ROOM = "room"
    """The offers open to one room from everyone together (``FileLimits.room_open_offers``), which is ``name``."""


@dataclass(eq=False)
class FileTooManyError(ChatError):
    """The user has ``limit`` transfers going already, the most allowed at once; or, by ``bound``, keeps ``limit``
    offers open to rooms, to nicknames or to one person (``name``), or one person or room (``name``) has ``limit``
    offers open to them from everyone. An offer is no transfer going: it stays open until fetched, declined,
    withdrawn or expired (a room's for whoever joins), and one must end before the next."""

    code = "file-too-many"
    limit: int
    bound: FileBound = FileBound.TRANSFERS
    name: str = ""


@dataclass(eq=False)
class FileStoreFullError(ChatError):
    """The server's spool has no room for the file now."""

    code = "file-store-full"


@dataclass(eq=False)
class FileToSelfError(ChatError):
    """A file offered to the sender's own nickname."""

    code = "file-to-self"


@dataclass(eq=False)
class NoSuchFileError(ChatError):
    """No transfer with the id ``file`` is open for this user."""

    code = "no-such-file"
    file: str


@dataclass(eq=False)
class FileUploadedError(ChatError):
    """A chunk, or a restart, for the sender's transfer ``file`` whose bytes the server holds whole and has
    checked already (a copy it held, or an upload done): nothing is left to upload."""

    code = "file-uploaded"
    file: str


@dataclass(eq=False)
class FileOffsetError(ChatError):
    """A chunk of the upload ``file`` sent for another offset than ``have``, the bytes the server holds; nothing was
    stored."""

    code = "file-offset"
    file: str
    have: int


@dataclass(eq=False)
class BadFileChunkError(ChatError):
    """A chunk of the upload ``file`` that is not base64, or longer than a chunk may be; nothing was stored."""

    code = "bad-file-chunk"
    file: str


@dataclass(eq=False)
class FileCorruptError(ChatError):
    """The bytes uploaded as ``file`` do not hash to the SHA-256 announced: the file was refused and dropped."""

    code = "file-corrupt"
    file: str


@dataclass(eq=False)
class FileResumeMismatchError(ChatError):
    """A download resumed at an offset whose last chunk differs from the server's: accept again from 0."""

    code = "file-resume-mismatch"


@dataclass(eq=False)
class FileNeedsJsonError(ChatError):
    """File bytes go only to a session that reads JSON; a text session gets a link instead, if the server has a
    web port to serve one (``links``)."""

    code = "file-needs-json"
    file: str
    links: bool = True


@dataclass(eq=False)
class NoWebPortError(ChatError):
    """An HTTP link asked for while the server has no web port."""

    code = "no-web-port"
