"""The refusals of files (issue 16): offers, limits, chunks, and sessions that carry no files."""

from chatd.domain.errors import (
    BadFileChunkError,
    BadFileOfferError,
    FileBound,
    FileCorruptError,
    FileDayLimitError,
    FileNeedsJsonError,
    FileOffsetError,
    FileResumeMismatchError,
    FileStoreFullError,
    FileTooBigError,
    FileTooManyError,
    FileToSelfError,
    FileUploadedError,
    NoSuchFileError,
    NoWebPortError,
)
from chatd.line.errors import NoFilesError
from chatd.line.wordings import Row, row
from chatd.text import counted, size_words


def _too_big(error: FileTooBigError) -> str:
    """The most a file may be here and this one's size, as offers show sizes (``21.0 MB``); in bytes when the two
    read the same so, the file only just over the limit."""
    most, size = size_words(error.limit), size_words(error.size)
    if most == size:
        return f"a file is at most {counted(error.limit, 'byte', ',')} here; this one is {error.size:,}"
    return f"a file is at most {most} here; this one is {size}"


def _too_many(error: FileTooManyError) -> str:
    """Which bound the user reached, and what ends a place in it: a transfer's end, or an offer's (fetched,
    declined, withdrawn: by its sender with ``/file cancel``, or from a room by an operator with ``/file withdraw``)."""
    files, name = counted(error.limit, "file"), error.name
    match error.bound:
        case FileBound.ROOM_OFFERS:
            return f"you have {files} offered to rooms open, the most at once; withdraw one with /file cancel ID first"
        case FileBound.NICKNAME_OFFERS:
            return (
                f"you have {files} offered to nicknames open, the most at once; wait until one is fetched or "
                "declined, or withdraw one with /file cancel ID"
            )
        case FileBound.OFFERS_TO_ONE:
            return (
                f"you have {files} waiting for {name}, the most at once; wait until they fetch or decline one, "
                "or withdraw one with /file cancel ID"
            )
        case FileBound.WAITING:
            return f"{name} has {files} waiting already, the most at once; try again once they fetch or decline some"
        case FileBound.ROOM:
            return f"{name} has {files} open, the most at once; an operator can withdraw some with /file withdraw ID"
    return f"you have {counted(error.limit, 'transfer')} going, the most at once; wait for one to end"


FILES: tuple[Row, ...] = (
    # Files (issue 16).
    row(
        BadFileOfferError,
        lambda e: (
            "an offer is TARGET SIZE SHA256 TYPE NAME: a size of 1 byte or more, "
            "64 lowercase hex digits, a type like image/png, and a name"
        ),
    ),
    row(
        FileTooBigError,
        _too_big,
    ),
    row(
        FileDayLimitError,
        lambda e: (
            f"that would pass your {size_words(e.limit)} of files a day; try tomorrow"
            if not e.unsent
            else f"that would pass your {size_words(e.limit)} of files a day, counting the "
            f"{size_words(e.unsent)} your unfinished uploads have yet to send; "
            "cancel one, or finish them and try tomorrow"
        ),
    ),
    row(FileTooManyError, _too_many),
    row(FileStoreFullError, lambda e: "the server has no room for that file now; try later"),
    row(FileToSelfError, lambda e: "you cannot send a file to yourself"),
    row(NoSuchFileError, lambda e: f"no transfer {e.file} is open for you"),
    row(
        FileOffsetError,
        lambda e: f"the server holds {counted(e.have, 'byte')} of {e.file}; send the chunk from there",
    ),
    row(
        FileUploadedError,
        lambda e: f"the server already has every byte of {e.file}; nothing to upload",
    ),
    row(
        BadFileChunkError,
        lambda e: f"a chunk of {e.file} is standard base64 of 1 to 16384 bytes, within the file's size",
    ),
    row(
        FileCorruptError,
        lambda e: f"The SHA-256 of {e.file} is not the one announced; it was refused.",
    ),
    row(
        FileResumeMismatchError,
        lambda e: "your last chunk differs from the server's; accept again from 0",
    ),
    row(
        FileNeedsJsonError,
        lambda e: (
            f"files are sent only to /format json sessions; /file link {e.file} gives an "
            "HTTP link, or use the bundled client or the web page"
            if e.links
            else "files are sent only to /format json sessions, such as the bundled client's"
        ),
    ),
    row(NoWebPortError, lambda e: "the server has no web port, so no HTTP link"),
    row(NoFilesError, lambda e: "this session carries no files"),
)
"""Files' refusals' wordings, rows of ``chatd.line.wording.WORDINGS``."""
