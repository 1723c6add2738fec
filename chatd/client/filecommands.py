"""The file commands the client keeps to itself: ``/send``, ``/accept``, ``/decline``, ``/cancel``, ``/takedown``,
``/files``.

Each takes the ``Transfers`` and what followed the command word. A number
(``/accept 3``) or a 16-digit file id names a transfer; without one, the
latest that fits is meant; ``/decline *`` means every offer to the user. Problems are said in one line of the client's
own; nothing reaches the server then.
"""

import mimetypes
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from chatd.client.download import Download
from chatd.client.download import Stage as Down
from chatd.client.filewords import quoted
from chatd.client.style import Look
from chatd.client.upload import Hashed, Upload
from chatd.client.upload import Stage as Up
from chatd.text import safe_file_name, scrub, size_words

if TYPE_CHECKING:
    from chatd.client.files import Transfers

OCTET_STREAM = "application/octet-stream"

EVERY = "*"
"""What ``/decline`` takes for every offer to the user, as ``/file decline`` does."""

_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/")


def mime_type(path: str) -> str:
    """The MIME type the standard library guesses from ``path``'s name; octet-stream if none, or not a token."""
    guessed, _ = mimetypes.guess_type(path, strict=False)
    if guessed is None or not set(guessed) <= _TOKEN:
        return OCTET_STREAM
    return guessed


def _file_id(transfer: Upload | Download) -> str | None:
    return transfer.file_id if isinstance(transfer, Upload) else transfer.offer.file


def send(files: "Transfers", rest: str) -> None:
    words = rest.split(maxsplit=1)
    if len(words) < 2:
        files.say("Usage: /send NICK|#room PATH sends a file.")
        return
    target, path = words[0], os.path.expanduser(words[1].strip())
    if not os.path.isfile(path):
        files.say(f"There is no file {scrub(path)}.", Look.ERROR)
        return
    number = files.number()
    name = safe_file_name(os.path.basename(path))
    try:
        expected = os.path.getsize(path)
    except OSError as problem:
        files.say(f"{scrub(path)} cannot be read: {scrub(problem.strerror or str(problem))}.", Look.ERROR)
        return
    upload = Upload(
        number, target, path, name, mime_type(path), expected, files.put, files.worker, files.upload_failed
    )
    files.all[number] = upload
    files.say(f"Reading {quoted(name)} to send it to {scrub(target)}; /cancel {number} stops it.")
    upload.hash().addCallbacks(
        lambda hashed: _hashed(files, upload, hashed),
        lambda failure: files.upload_failed(upload, f"it cannot be read ({failure.getErrorMessage()})"),
    )
    files.bars.tick_soon()


def _hashed(files: "Transfers", upload: Upload, hashed: Hashed | None) -> None:
    if hashed is None or upload.stage is not Up.HASHING:
        return
    if hashed.size == 0:
        files.drop(upload)
        files.say(f"{quoted(upload.name)} is empty: there is nothing to send.", Look.ERROR)
        return
    upload.hashed = hashed
    # Offered once the server has accepted a nickname: before it, the offer was answered need-nick and never again.
    if files.link.named:
        files.offer(upload)
    else:
        upload.stage = Up.WAITING
    files.bars.tick_soon()


def accept(files: "Transfers", rest: str) -> None:
    download = _pick(files, rest, Download, (Down.OFFERED, Down.PAUSED), "offer", "accept")
    if not isinstance(download, Download):
        return
    if files.unheard("accept"):
        return
    said = "Going on with" if download.part is not None else "Fetching"
    download.accept()
    offer = download.offer
    files.say(
        f"{said} {quoted(offer.name)} ({size_words(offer.size)}) from {scrub(offer.nick)} into "
        f"{scrub(files.folder)}; /cancel {download.number} stops it."
    )
    files.bars.tick_soon()


def decline(files: "Transfers", rest: str) -> None:
    if rest == EVERY:
        _decline_every(files)
        return
    download = _pick(files, rest, Download, (Down.OFFERED,), "offer", "decline")
    if isinstance(download, Download) and not files.unheard("decline"):
        download.decline()
        files.drop(download)
        files.say(f"Declined {quoted(download.offer.name)} from {scrub(download.offer.nick)}.")


def _decline_every(files: "Transfers") -> None:
    """``/decline *``: every offer open to the user, on the server, not only those numbered here (``/file decline
    *``): those from someone they ignore too, and those made while this client was away. The server tells of each it
    declines (``file_declined``), which ends it here, then how many in one notice (``Transfers.declining_every``)."""
    if not files.unheard("decline"):
        files.declining_every = True
        files.put(f"/file decline {EVERY}")


def cancel(files: "Transfers", rest: str) -> None:
    transfer = _pick(files, rest, (Upload, Download), None, "transfer", "cancel")
    if transfer is None:
        return
    if isinstance(transfer, Download):
        if files.unheard("cancel"):
            return
        files.drop(transfer)
        transfer.cancel()
        files.say(f"Cancelled {quoted(transfer.offer.name)} from {scrub(transfer.offer.nick)}.")
        return
    if transfer.server_may_hold and files.unheard("cancel"):
        # Left as it is, it goes on once back, where /cancel reaches the server (as the page does).
        return
    files.stop_upload(transfer, tell_server=True)
    files.say(f"Cancelled sending {quoted(transfer.name)} to {scrub(transfer.target)}.")


def take_down(files: "Transfers", rest: str) -> None:
    """``/takedown N``: take someone else's offer to a room down for everyone (``/file withdraw``), as its room's owner,
    one of its operators or a server operator; the server refuses anyone else, and tells everyone offered it who did.
    Only by its number or id, never "the latest": it ends the offer for a whole room."""
    if not rest:
        files.say(
            "Usage: /takedown N takes down offer N to a room for everyone (as its operator).", Look.ERROR
        )
        return
    download = _pick(files, rest, Download, None, "offer", "take down")
    if not isinstance(download, Download):
        return
    if not download.offer.to.startswith("#"):
        files.say(
            f"Offer {scrub(rest)} is to you, not to a room: /decline {download.number} refuses it.",
            Look.ERROR,
        )
        return
    if not files.unheard("take down"):
        files.put(f"/file withdraw {download.offer.file}")


def list_files(files: "Transfers", rest: str) -> None:
    rows = [_row(transfer) for transfer in files.transfers()]
    lines = [f"Transfers here ({len(rows)}):", *rows] if rows else ["No transfers here."]
    files.say_lines(lines)
    files.list_anew()
    files.put("/file list")


def _row(transfer: Upload | Download) -> str:
    if isinstance(transfer, Upload):
        done = f", {transfer.held * 100 // transfer.size}%" if transfer.size else ""
        return (
            f"  [{transfer.number}] to {scrub(transfer.target)}: {quoted(transfer.name)}"
            f" ({size_words(transfer.size)}{done}) {transfer.stage.value}"
        )
    offer, stage = transfer.offer, transfer.stage
    done = f", {transfer.held * 100 // offer.size}%" if offer.size and transfer.held else ""
    hint = f": /accept {transfer.number}" if stage in (Down.OFFERED, Down.PAUSED) else ""
    return (
        f"  [{transfer.number}] from {scrub(offer.nick)}: {quoted(offer.name)}"
        f" ({size_words(offer.size)}{done}) {stage.value}{hint}"
    )


def _pick(
    files: "Transfers",
    rest: str,
    kind: type[Upload] | type[Download] | tuple[type[Upload], type[Download]],
    stages: tuple[Down, ...] | None,
    noun: str,
    verb: str,
) -> Upload | Download | None:
    """The transfer ``rest`` names (a number or a file id), or the latest that fits; says why if none.

    The refusal reads "There is no offer to accept", or with what was typed "There is no offer 3 to accept".
    """
    fits = [
        transfer
        for transfer in files.transfers()
        if isinstance(transfer, kind) and (stages is None or transfer.stage in stages)
    ]
    if not rest:
        if not fits:
            files.say(f"There is no {noun} to {verb}; /files lists the transfers.", Look.ERROR)
        return fits[-1] if fits else None
    for transfer in fits:
        if rest == str(transfer.number) or rest == _file_id(transfer):
            return transfer
    files.say(f"There is no {noun} {scrub(rest)} to {verb}; /files lists the transfers.", Look.ERROR)
    return None


COMMANDS: dict[str, Callable[["Transfers", str], None]] = {
    "/send": send,
    "/accept": accept,
    "/decline": decline,
    "/cancel": cancel,
    "/takedown": take_down,
    "/files": list_files,
}
"""The client's own file commands, by the word that starts them."""
