"""The server's file errors that end or steer a transfer, followed and worded with the file's name.

``error`` returns None for any other error, which the renderer shows as
usual: one with an offer's or an accept's code that names no offer or file
of the user's answers another line (a ``/msg`` to someone gone). Apart from
chatd.client.fileevents, whose objects are the server's news: these are
its answers to the user's own requests.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING

from chatd.client.download import Stage as Down
from chatd.client.filewords import number_field, quoted, text_field
from chatd.client.shown import Message, Shown
from chatd.client.style import Look
from chatd.client.upload import Stage as Up
from chatd.text import scrub

if TYPE_CHECKING:
    from chatd.client.files import Transfers


UPLOAD_FAILURES = frozenset({"bad-file-chunk", "file-corrupt"})
"""Error codes that end an upload: each names it (``file``), as ``file-offset`` does, so that with several uploads
at once the one it answers ends, not the oldest still sending."""

UPLOAD_KEPT = frozenset({"bad-file-chunk"})
"""Of UPLOAD_FAILURES, those after which the server holds the upload still (a chunk refused, nothing stored): the
client ends it there too. A corrupt one the server has dropped itself."""


def error(files: "Transfers", message: Message) -> Shown | None:
    code = message.get("code")
    text = text_field(message, "text")
    offer = message.get("offer")
    if isinstance(offer, dict):
        return _offer_refused(files, offer, message)
    if code == "file-offset":
        upload = files.upload_for(message)
        if upload is not None:
            upload.wrong_offset(number_field(message, "have"))
            return Shown(())
    elif code == "file-uploaded":
        # The answer to a chunk or a restart of an upload taken whole meanwhile (another of the file checked): its
        # line says, or file_uploaded will, that it is offered. Shown, it read as if something had gone wrong.
        upload = files.upload_for(message)
        if upload is not None:
            upload.held_whole()
            return Shown(())
    elif code in UPLOAD_FAILURES:
        upload = files.upload_for(message)
        if upload is not None:
            files.stop_upload(upload, tell_server=code in UPLOAD_KEPT)
            return files.lines([f"{quoted(upload.name)} was not sent: {text} ({code})"], Look.ERROR)
    elif code == "no-such-file":
        if files.cancel_answered(message) or files.late_answer(message):
            return Shown(())
        download = files.download_for(message)
        if download is not None and download.stage is not Down.ENDED:
            files.drop(download)
            download.cancel(tell_server=False)
            return files.lines(
                [f"The server no longer has {quoted(download.offer.name)} ({code})."], Look.ERROR
            )
    else:
        return _accept_refused(files, message)
    return None


def _accept_refused(files: "Transfers", message: Message) -> Shown | None:
    """A refusal of the accept of the download ``message`` names (``file``), if one awaits its answer: a resume the
    server's bytes do not go on from starts again from 0; any other refusal (``file-too-many``) leaves it to be
    accepted again, said on its line. None for an error naming no such download, which the renderer shows as it is.

    Such refusals named no file: one was taken for the oldest accept's,
    and the one it answered waited for chunks that never came.
    """
    download = files.download_for(message)
    if download is None or download.stage is not Down.ACCEPTING:
        return None
    offer = download.offer
    if message.get("code") == "file-resume-mismatch":
        download.mismatch()
        return files.lines(
            [
                f"The server's {quoted(offer.name)} does not go on from the part file: fetching it from the start."
            ]
        )
    download.refused()
    files.bars.refresh()
    code, text = text_field(message, "code"), text_field(message, "text")
    return files.lines(
        [
            f"{quoted(offer.name)} from {scrub(offer.nick)} was not fetched: {text} ({code}); "
            f"/accept {download.number} tries again."
        ],
        Look.ERROR,
    )


def _offer_refused(files: "Transfers", offer: Mapping[str, object], message: Message) -> Shown | None:
    """A refusal of the offer ``offer`` names: the upload awaiting its answer ends, said on its line; None if none
    awaits it (the renderer shows it as it is).

    An offer made again after a drop leaves the upload the server holds
    for it open: it is cancelled there, by the id the refusal names
    (``file``) even if the drop cut off the answer that told it, else by
    the one it had before the drop (``stop_upload``).
    """
    upload = files.offer_refused(offer)
    if upload is None:
        return None
    held = message.get("file")
    if isinstance(held, str) and upload.server_may_hold:
        files.cancel_on_server(held)
    if upload.stage is Up.ENDED:
        return Shown(())  # cancelled on its way: the user's /cancel said how it ended
    files.stop_upload(upload, tell_server=True)
    code, text = text_field(message, "code"), text_field(message, "text")
    return files.lines([f"{quoted(upload.name)} was not sent: {text} ({code})"], Look.ERROR)
