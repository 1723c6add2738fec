"""What the file transfer engine answers a session, as plain data: uploads asked for, progress, chunks, outcomes.

As the chat's replies (chatd.domain.replies), these go to one session and
carry no timestamp; front ends render them like events. They are apart
because the front ends' transfer engine (chatd.frontend.transfers), not
the chat, answers them, as a transfer goes on (upload, fetch, decline,
cancel, expiry): ``FileReply`` is what it may send.
"""

from dataclasses import dataclass


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
    last (chatd.frontend.file_pages).

    ``wait`` is the seconds a reader should let pass before it asks for the
    next page, as ``KeyLog``'s is: the front end, which holds the
    connection's flood budget, sets it (0 on the last page)."""

    files: tuple[FileEntry, ...]
    next: str | None = None
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
