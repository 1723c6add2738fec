"""``/file``: what a line session says to the transfer engine (issue 16), parsed and run.

One row of the command table, with subcommands: ``offer``, ``put``,
``restart``, ``accept``, ``ack``, ``decline`` (of one offer, or ``*``
for all: chatd.line.file_declines), ``cancel``, ``withdraw``, ``list``
and ``link`` (docs/PROTOCOL.md "Files"). Parsing is pure and typed; running asks
the session's engine (chatd.frontend.transfers), which answers the session
and reaches everyone else through the chat. ``put`` and ``ack`` are the
only lines that cost no line of flood budget (``FREE``): a transfer's pace
is set by its own budget, not the chat's. That holds for a line that moves
its transfer by a whole chunk or more; one that moves it by less (a put of
a short chunk, an ack of bytes acknowledged already) costs a line as any
line does, or a client sent them a byte at a time, hundreds of lines a
second within the transfer budget's bytes (``_moved_little``). ``list``
costs more, by the transfers it shows (``file_listing_lines``: a full page
its command included fits in the default burst), and answers a page at a
time (chatd.frontend.file_pages): ``list after CURSOR`` the page after
another, once the last page's ``wait`` is over.
"""

import math
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from chatd.domain.files import CHUNK
from chatd.domain.ids import event_id
from chatd.frontend.file_pages import Place, page_most, read_cursor
from chatd.frontend.transfers import Transfers
from chatd.line.errors import NoFilesError, UsageError
from chatd.line.file_declines import EVERY, decline_every

if TYPE_CHECKING:
    from chatd.line.session import LineSession, Waiting

USAGE = "/file offer|put|restart|accept|ack|decline|cancel|withdraw|list|link ..."

_NUMBER = re.compile("[0-9]{1,15}")


@dataclass(frozen=True, slots=True)
class FileOffer:
    """``/file offer TARGET SIZE SHA256 TYPE NAME``."""

    target: str
    size: int
    sha256: str
    mime: str
    name: str


@dataclass(frozen=True, slots=True)
class FilePut:
    """``/file put ID OFFSET BASE64``."""

    file: str
    offset: int
    data: str


@dataclass(frozen=True, slots=True)
class FileAccept:
    """``/file accept ID [OFFSET CHUNK_SHA256]``."""

    file: str
    offset: int = 0
    tail: str = ""


@dataclass(frozen=True, slots=True)
class FileAck:
    """``/file ack ID END``."""

    file: str
    end: int


@dataclass(frozen=True, slots=True)
class FileAbout:
    """``/file restart|decline|cancel|withdraw|link ID``: a subcommand ``what`` about one transfer."""

    what: str
    file: str


@dataclass(frozen=True, slots=True)
class FileDeclineEvery:
    """``/file decline *``: every offer open to the user (chatd.line.file_declines)."""


@dataclass(frozen=True, slots=True)
class FileListing:
    """``/file list [after CURSOR]``: the first page of the open transfers, or the one past ``after``'s place."""

    after: Place | None = None


FileCommand = FileOffer | FilePut | FileAccept | FileAck | FileAbout | FileDeclineEvery | FileListing

FREE = (FilePut, FileAck)
"""Commands that cost no line of flood budget when taken: a transfer's lines, paced by the transfer budget and
window; one that moves its transfer by less than a chunk pays its line as it runs (``run_file``)."""

WHOLE_CHUNK_BASE64 = 4 * -(-CHUNK // 3)
"""Characters of base64 in a ``/file put`` of a whole chunk: a put of fewer moves its upload by less."""

_ABOUT = ("restart", "decline", "cancel", "withdraw", "link")


def _id(word: str, usage: str) -> str:
    """``word`` as the transfer id it names, folded to lower case as ids are made (a typed one may be in upper
    case); a usage error if it is no id. Transfer ids have the form line ids have (``event_id``)."""
    file = event_id(word)
    if file is None:
        raise UsageError(usage)
    return file


def _number(word: str, usage: str) -> int:
    if not _NUMBER.fullmatch(word):
        raise UsageError(usage)
    return int(word)


def parse_file(args: str) -> FileCommand:
    """The ``/file`` subcommand ``args`` gives; raises UsageError with the subcommand's usage."""
    sub, _, rest = args.partition(" ")
    sub = sub.lower()
    if sub == "offer":
        return _offer(rest)
    words = rest.split()
    if sub == "put":
        usage = "/file put ID OFFSET BASE64"
        if len(words) != 3:
            raise UsageError(usage)
        return FilePut(_id(words[0], usage), _number(words[1], usage), words[2])
    if sub == "accept":
        usage = "/file accept ID [OFFSET CHUNK_SHA256]"
        if len(words) == 1:
            return FileAccept(_id(words[0], usage))
        if len(words) != 3:
            raise UsageError(usage)
        return FileAccept(_id(words[0], usage), _number(words[1], usage), words[2].lower())
    if sub == "ack":
        usage = "/file ack ID END"
        if len(words) != 2:
            raise UsageError(usage)
        return FileAck(_id(words[0], usage), _number(words[1], usage))
    if sub == "decline" and words == [EVERY]:
        return FileDeclineEvery()
    if sub in _ABOUT:
        usage = "/file decline ID|*" if sub == "decline" else f"/file {sub} ID"
        if len(words) != 1:
            raise UsageError(usage)
        return FileAbout(sub, _id(words[0], usage))
    if sub == "list":
        return _listing(words)
    raise UsageError(USAGE)


def _listing(words: list[str]) -> FileListing:
    """``/file list [after CURSOR]``; a cursor no listing could have given is a usage error, and asks for nothing."""
    if not words:
        return FileListing()
    after = read_cursor(words[1]) if len(words) == 2 and words[0].lower() == "after" else None
    if after is None:
        raise UsageError("/file list [after CURSOR], CURSOR as a page of /file list gives it")
    return FileListing(after)


def _offer(rest: str) -> FileOffer:
    """``TARGET SIZE SHA256 TYPE NAME``; a bad size or hash is the offer's refusal, not a usage error."""
    parts = rest.split(" ", 4)
    if len(parts) < 4 or not all(parts[:4]):
        raise UsageError("/file offer TARGET SIZE SHA256 TYPE NAME")
    target, size, sha256, mime = parts[:4]
    name = parts[4] if len(parts) == 5 else ""
    return FileOffer(target, int(size) if _NUMBER.fullmatch(size) else -1, sha256, mime, name)


def run_file(session: "LineSession", command: FileCommand) -> "Waiting":
    """Run a ``/file`` subcommand through the session's engine; its refusals are ChatErrors, an offer's and an
    accept's refusals that name what they answer (chatd.frontend.named_refusals). An offer hidden from the session
    (``LineSession.offers_hidden``) that it names or is listed is one it knows from then on."""
    files = _engine(session)
    if isinstance(command, FileAccept | FileAbout):
        # It knows the offer it names, hidden or not (its sender ignored): it hears how it ends.
        session.offers_hidden.discard(command.file)
    match command:
        case FileOffer(target, size, sha256, mime, name):
            return files.offer(session, target, size, sha256, mime, name)
        case FilePut(file, offset, data):
            storing = files.put(session, file, offset, data)
            if len(data) < WHOLE_CHUNK_BASE64:
                _moved_little(session)
            return storing
        case FileAccept(file, offset, tail):
            return files.accept(session, file, offset, tail)
        case FileAck(file, end):
            if files.ack(session, file, end) < CHUNK:
                _moved_little(session)
        case FileAbout("restart", file):
            return files.restart(session, file)
        case FileAbout("decline", file):
            files.decline(session, file)
        case FileDeclineEvery():
            decline_every(session, files)
        case FileAbout("cancel", file):
            files.cancel(session, file)
        case FileAbout("withdraw", file):
            files.withdraw(session, file)
        case FileAbout(_, file):
            session.send(files.link(session, file))
        case FileListing(after):
            listing = files.listing(session, after, page_most(session.budget_held()))
            # What it is listed it is shown, and hears the end of.
            session.offers_hidden.difference_update(entry.file for entry in listing.files)
            # Paid for by its size: a user offered many files could have it written over and over. Charged first,
            # so a page with a next says how long until the budget is full again (``wait``): a reader following
            # at once was told it floods from the second page on, its next pages waiting 5 s each.
            session.charge_file_listing(len(listing.files))
            wait = session.budget_full_in() if listing.next is not None else 0.0
            session.send(replace(listing, wait=math.ceil(wait * 1000) / 1000))
    return None


def _moved_little(session: "LineSession") -> None:
    """A put or an ack, taken, moved its transfer by less than a chunk (a file's last, a short one, or none at all):
    it costs the line a refused one does.

    Free, a put of one byte, or an ack of bytes acknowledged already, cost
    only its 40-odd bytes of the transfer budget (``--file-rate``, 10 MiB
    a second): a client sent hundreds a second, each parsed and answered,
    and everyone's lines waited behind them. A whole file costs one line
    each way at most, for its last chunk.
    """
    session.charge_answer(1)


def _engine(session: "LineSession") -> Transfers:
    files = session.files
    if files is None:
        raise NoFilesError()
    return files
