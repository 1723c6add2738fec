"""What the server says about files (docs/PROTOCOL.md, "Files"), followed and put in words.

One function per kind of JSON object: each moves the transfer it is about
(found by its ``file`` id, or for a refused offer, which has none yet, by
the offer the refusal names) and returns the lines to show, often none
(a chunk, an acknowledgement). ``FOLLOWERS`` names each by the object's
``type``: those that move a transfer along are here, those that end one in
chatd.client.fileends; the file errors are followed in
chatd.client.filerefusals.
"""

import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from chatd.client.fileends import cancelled, declined, expired, fetched
from chatd.client.filewords import facts, number_field, quoted, text_field
from chatd.client.partfile import Offer
from chatd.client.shown import Message, Shown
from chatd.client.style import Look, compose, is_me
from chatd.client.upload import Stage as Up
from chatd.text import scrub, size_words

if TYPE_CHECKING:
    from chatd.client.files import Transfers


_CURSOR = re.compile("[!-~]+")
"""A ``file_list`` page's ``next`` cursor as the client sends it back: one word of printable ASCII, given back as it
is; one with a space or a line break in it would be another command."""


def upload_started(files: "Transfers", message: Message) -> Shown:
    """``file_upload``: the answer to a ``/file restart`` (found by its id), or to an offer (by the offer it names:
    its target, and its file's size and SHA-256)."""
    file_id, have, chunk = message.get("file"), number_field(message, "have"), number_field(message, "chunk")
    tail = message.get("tail")
    if not isinstance(file_id, str) or not isinstance(tail, str) or chunk <= 0:
        return Shown(())
    restarted = files.upload_for(message)
    upload = (
        restarted
        if restarted is not None and restarted.stage is Up.OFFERING
        else files.offer_answered(message)
    )
    if upload is not None and upload.stage is Up.ENDED:
        # Cancelled while its offer was on its way: the server opened it all the same (new, or anew after the one it
        # held before a drop was let go), and would hold it until its idle hour was up.
        files.cancel_on_server(file_id)
        return Shown(())
    if upload is None or upload.stage is not Up.OFFERING:
        return Shown(())
    upload.started(file_id, have, tail, chunk)
    files.bars.tick_soon()
    if have > 0:
        share = have * 100 // upload.size if upload.size else 100
        return files.lines(
            [f"The server holds {share}% of {quoted(upload.name)} already: going on from there."]
        )
    return Shown(())


def upload_progressed(files: "Transfers", message: Message) -> Shown:
    upload = files.upload_for(message)
    if upload is not None:
        upload.progressed(number_field(message, "have"))
    return Shown(())


def uploaded(files: "Transfers", message: Message) -> Shown:
    upload = files.upload_for(message)
    if upload is None:
        return Shown(())
    upload.uploaded()
    files.bars.refresh()
    return files.lines(
        [
            f"Sent {quoted(upload.name)} ({size_words(upload.size)}) to the server, checked: "
            f"{scrub(upload.target)} is offered it; /cancel {upload.number} withdraws it."
        ]
    )


def offered(files: "Transfers", message: Message) -> Shown:
    offer = Offer.read(dict(message))
    if offer is None:
        return Shown(())
    view = files.link.view
    if is_me(offer.nick, view):
        # The echo of the user's own offer: file_uploaded said it already, or the user cancelled it (a copy the
        # server held whole is offered at once, as the answer to an offer cancelled on its way).
        if files.upload_for(message) is not None or files.cancelling(offer.file):
            return Shown(())
        return files.lines([f"You offer {quoted(offer.name)} to {scrub(offer.to)} ({facts(offer)})."])
    download = files.download_for(message)
    if download is None:
        download = files.register(offer)
    number = download.number
    to = "you" if is_me(offer.to, view) else scrub(offer.to)
    waited = " (it waited for you)" if message.get("waited") is True else ""
    body = (
        f"{scrub(offer.nick)} offers {quoted(offer.name)} to {to}{waited} ({facts(offer)}): "
        f"/accept {number} or /decline {number}"
    )
    return Shown((compose(view, files.reactor.seconds(), Look.NOTICE, body),), bell=to == "you")


def chunk(files: "Transfers", message: Message) -> Shown:
    download = files.download_for(message)
    data, sha256 = message.get("data"), message.get("sha256")
    if download is not None and isinstance(data, str) and isinstance(sha256, str):
        download.chunk(number_field(message, "offset"), data, sha256)
    return Shown(())


def sent(files: "Transfers", message: Message) -> Shown:
    download = files.download_for(message)
    if download is not None:
        download.sent()
    return Shown(())


def listed(files: "Transfers", message: Message) -> Shown:
    listing = message.get("files")
    rows = []
    for entry in listing if isinstance(listing, list) else []:
        offer = Offer.read(entry)
        if offer is None or not isinstance(entry, dict):
            continue
        state = text_field(entry, "state")
        if is_me(offer.nick, files.link.view):
            rows.append(f"  to {scrub(offer.to)}: {quoted(offer.name)} ({facts(offer)}) {state}")
            continue
        download = files.download_for({"file": offer.file})
        if download is None:
            if state not in ("offered", "downloading"):
                continue
            download = files.register(offer)
        rows.append(
            f"  [{download.number}] from {scrub(offer.nick)}: {quoted(offer.name)} ({facts(offer)}) {state}"
        )
    cursor = message.get("next")
    if isinstance(cursor, str) and _CURSOR.fullmatch(cursor):
        # A page of at most 100 (docs/PROTOCOL.md): the next is asked for once the page's wait is over, and shown
        # as it comes.
        files.list_next.ask(message.get("wait"), partial(files.put, f"/file list after {cursor}"))
        return files.lines([f"Files on the server ({len(rows)} here, more to come):", *rows])
    return files.lines(
        [f"Files on the server ({len(rows)}):", *rows] if rows else ["No files on the server."]
    )


def linked(files: "Transfers", message: Message) -> Shown:
    return files.lines([f"Link (one download, for an hour): {text_field(message, 'url')}"])


FOLLOWERS: dict[str, Callable[["Transfers", Message], Shown]] = {
    "file_upload": upload_started,
    "file_progress": upload_progressed,
    "file_uploaded": uploaded,
    "file_offered": offered,
    "file_chunk": chunk,
    "file_sent": sent,
    "file_fetched": fetched,
    "file_declined": declined,
    "file_cancelled": cancelled,
    "file_expired": expired,
    "file_list": listed,
    "file_link": linked,
}
"""How each file object of the server is followed, by its ``type``."""
