"""What a person reads of files offered and the transfers that carry them: the offer, then each step of its upload,
fetch, refusal or end.

On its own because a file's lines are the one family that depends on the server (an offer says ``/file link`` only
where a web port serves links: ``offered_text``), and they serve file transfers (issue 16) alone.
"""

from chatd.domain.events import FileOffered
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
from chatd.line.pieces import Rendering, because, clock, encoded, stamped
from chatd.text import size_words


def offered_body(event: FileOffered, link: bool = False) -> str:
    """The sentence a text session reads for an offer: who offers what to whom, and how it is fetched.

    ``link``: the server has a web port, so ``/file link`` can give an HTTP link.
    """
    how = "the bundled client (python -m chatd.client) or the web page can fetch it"
    if link:
        how += f", or /file link {event.file} gives an HTTP link"
    waited = " (while you were offline)" if event.waited else ""
    return (
        f'* {event.actor.nick} offers {event.to} "{event.name}" ({size_words(event.size)}, {event.mime}, '
        f"sha256 {event.sha256[:6]}...){waited}: {how}; /file decline {event.file} refuses it."
    )


def offered_text(event: FileOffered, link: bool) -> bytes:
    """``event`` for a text session on a server whose web port is on (``link``) or off."""
    return encoded(stamped(clock(event.at), offered_body(event, link)))


FILE_BODIES: dict[type, Rendering] = {FileOffered: offered_body}
"""An offer's line after the clock, as a server without a web port says it."""

FILE_LINES: dict[type, Rendering] = {
    FileUpload: lambda r: (
        f'*** Upload {r.file} of "{r.name}": the server holds {r.have} of {r.size} bytes; '
        f"send chunks of {r.chunk} bytes from {r.have}."
    ),
    FileProgress: lambda r: f"*** {r.file}: {r.have} of {r.size} bytes uploaded",
    FileUploaded: lambda r: f"*** {r.file} is uploaded and checked; it is offered now.",
    FileChunk: lambda r: f"*** {r.file}: {len(r.data)} characters of base64 from byte {r.offset}",
    FileSent: lambda r: f"*** {r.file} is all sent.",
    FileFetched: lambda r: f"*** {r.nick} has fetched {r.file}.",
    FileDeclined: lambda r: f"*** {r.nick} declined {r.file}.",
    FileCancelled: lambda r: f"*** {r.nick} cancelled {r.file}{because(r.reason)}.",
    FileExpired: lambda r: f"*** {r.file} expired{because(r.reason)}; the server no longer has it.",
    FileLink: lambda r: f"*** {r.file}: {r.url} (one download, within an hour)",
    FileList: lambda r: [
        f"*** Files ({len(r.files)}):"
        if r.next is None
        else f"*** Files ({len(r.files)} shown, more: /file list after {r.next}):",
        *(
            f'***   {f.file} {f.state}: "{f.name}" ({size_words(f.size)}) from {f.nick} to {f.to}'
            for f in r.files
        ),
    ],
}
"""Each transfer answer's line(s), by its type."""
