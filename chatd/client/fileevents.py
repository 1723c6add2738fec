"""What the server says about files (docs/PROTOCOL.md, "Files"), followed and put in words.

One function per kind of JSON object: each moves the transfer it is about
(found by its ``file`` id, or for a refused offer, which has none yet, by
the offer the refusal names) and returns the lines to show, often none
(a chunk, an acknowledgement). ``error`` takes the file errors that end or steer a
transfer and words them with the file's name; it returns None for any
other error, which the renderer shows as usual: one with an offer's or an
accept's code that names no offer or file of the user's answers another
line (a ``/msg`` to someone gone).
"""

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from chatd.client.download import Stage as Down
from chatd.client.partfile import Offer
from chatd.client.shown import Message, Shown
from chatd.client.style import Look, compose, is_me
from chatd.client.upload import Stage as Up
from chatd.client.upload import Upload
from chatd.text import counted, safe_file_name, scrub, size_words

if TYPE_CHECKING:
    from chatd.client.files import Transfers

UPLOAD_FAILURES = frozenset({"bad-file-chunk", "file-corrupt"})
"""Error codes that end an upload: each names it (``file``), as ``file-offset`` does, so that with several uploads
at once the one it answers ends, not the oldest still sending."""

_CURSOR = re.compile("[!-~]+")
"""A ``file_list`` page's ``next`` cursor as the client sends it back: one word of printable ASCII, given back as it
is; one with a space or a line break in it would be another command."""

UPLOAD_KEPT = frozenset({"bad-file-chunk"})
"""Of UPLOAD_FAILURES, those after which the server holds the upload still (a chunk refused, nothing stored): the
client ends it there too. A corrupt one the server has dropped itself."""


def upload_started(files: "Transfers", message: Message) -> Shown:
    """``file_upload``: the answer to a ``/file restart`` (found by its id), or to an offer (by the offer it names:
    its target, and its file's size and SHA-256)."""
    file_id, have, chunk = message.get("file"), _number(message, "have"), _number(message, "chunk")
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
    files.tick_soon()
    if have > 0:
        share = have * 100 // upload.size if upload.size else 100
        return files.lines(
            [f"The server holds {share}% of {quoted(upload.name)} already: going on from there."]
        )
    return Shown(())


def upload_progressed(files: "Transfers", message: Message) -> Shown:
    upload = files.upload_for(message)
    if upload is not None:
        upload.progressed(_number(message, "have"))
    return Shown(())


def uploaded(files: "Transfers", message: Message) -> Shown:
    upload = files.upload_for(message)
    if upload is None:
        return Shown(())
    upload.uploaded()
    files.refresh()
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
        download.chunk(_number(message, "offset"), data, sha256)
    return Shown(())


def sent(files: "Transfers", message: Message) -> Shown:
    download = files.download_for(message)
    if download is not None:
        download.sent()
    return Shown(())


def fetched(files: "Transfers", message: Message) -> Shown:
    """``file_fetched``: a recipient has the whole of the user's file, or the user has an offer to them whole on
    another connection of their account."""
    elsewhere = _done_elsewhere(files, message, "{what} was fetched on another connection.")
    if elsewhere is not None:
        return elsewhere
    upload = files.upload_for(message)
    name = quoted(upload.name) if upload is not None else "your file"
    left = _number(message, "left")
    others = (
        f"; {counted(left, 'other recipient')} may still fetch it"
        if left > 0
        else _still_open(upload, message)
    )
    _ended_if_over(files, upload, message)
    return files.lines([f"{_text(message, 'nick')} has fetched {name}{others}."])


def declined(files: "Transfers", message: Message) -> Shown:
    """``file_declined``: a recipient declined the user's file, or the user an offer to them on another connection."""
    elsewhere = _done_elsewhere(files, message, "{what} was declined on another connection.")
    if elsewhere is not None:
        return elsewhere
    upload = files.upload_for(message)
    name = quoted(upload.name) if upload is not None else "your file"
    _ended_if_over(files, upload, message)
    return files.lines([f"{_text(message, 'nick')} declined {name}{_still_open(upload, message)}."])


def cancelled(files: "Transfers", message: Message) -> Shown:
    """``file_cancelled``: a sender withdrew an offer to the user, a recipient stopped fetching the user's file, or the
    user withdrew their own, or stopped fetching one offered to them, on another connection of their account, or left
    the room of a room's offer they had joined too late to be offered it as it was made (``left_room``, the room)."""
    files.cancel_answered(message)
    if isinstance(message.get("taken_down_from"), str):
        return _taken_down(files, message)
    words = (
        "{what} is no longer offered to you" + _because(message) + "; joining again offers it again."
        if isinstance(message.get("left_room"), str)
        else "Fetching {what} was stopped on another connection."
    )
    elsewhere = _done_elsewhere(files, message, words)
    if elsewhere is not None:
        return elsewhere
    because = _because(message)
    offer = _download_ended(files, message)
    if offer is not None:
        return files.lines(
            [f"{scrub(offer.nick)} cancelled {quoted(offer.name)}{because}; nothing of it was kept."],
            Look.ERROR,
        )
    nick = message.get("nick")
    mine = isinstance(nick, str) and is_me(nick, files.link.view)
    # The user's own withdrawal may be of the upload the server held before a drop, whose offer made again is on its
    # way: missed, the upload the server opens for that offer was taken and sent, though the user had withdrawn it.
    upload = files.upload_for(message) or (files.offered_again(message) if mine else None)
    if upload is None:
        return Shown(())
    if mine:
        # Withdrawn by another session of the user's account (this one's own /cancel dropped it already).
        offered_already = upload.stage is Up.OFFERED
        files.stop_upload(upload, tell_server=False)
        name, target = quoted(upload.name), scrub(upload.target)
        if offered_already:
            return files.lines(
                [
                    f"Your offer of {name} to {target} was withdrawn on another connection; nobody can fetch it now."
                ]
            )
        return files.lines([f"Sending {name} to {target} was cancelled on another connection."])
    _ended_if_over(files, upload, message)
    return files.lines(
        [
            f"{_text(message, 'nick')} stopped fetching {quoted(upload.name)}{because}{_still_open(upload, message)}."
        ]
    )


def _taken_down(files: "Transfers", message: Message) -> Shown:
    """``file_cancelled`` with ``taken_down_from``: an operator, or the room's owner or a room operator (the user,
    maybe), took a room's offer down. Whatever the user had of it ends, said with who did it and why: an offer to them
    (a download of it too, its part file gone), or their own upload. Read from the field: a recipient's stop also
    carries a ``nick`` not the sender's, and the sender's client took the take-down for one, the offer still open."""
    nick = _text(message, "nick")
    who = "you" if is_me(nick, files.link.view) else scrub(nick)
    because = _because(message)
    return _ended(
        files,
        message,
        lambda offer: (
            f"{quoted(offer.name)} from {scrub(offer.nick)} was taken down by {who}{because}; it can no "
            "longer be fetched."
        ),
        lambda upload: (
            f"Your offer of {quoted(upload.name)} to {scrub(upload.target)} was taken down by "
            f"{who}{because}; nobody can fetch it now."
        ),
    )


def expired(files: "Transfers", message: Message) -> Shown:
    """The server let a transfer go (``--file-keep``, or an upload that stopped): it leaves the list, said in a line."""
    because = _because(message)
    return _ended(
        files,
        message,
        lambda offer: (
            f"{scrub(offer.nick)}'s offer of {quoted(offer.name)} expired{because}; it can no longer be "
            "fetched."
        ),
        lambda upload: (
            f"{quoted(upload.name)} to {scrub(upload.target)} expired on the server{because}; nobody can "
            "fetch it now."
        ),
    )


def _ended(
    files: "Transfers",
    message: Message,
    offered: Callable[[Offer], str],
    sent: Callable[[Upload], str],
) -> Shown:
    """A transfer the user had ended for good (taken down, expired): an offer to them, a download of it too, is said
    by ``offered``; their own upload, stopped, by ``sent``; nothing for one they never heard of."""
    offer = _download_ended(files, message)
    if offer is not None:
        return files.lines([offered(offer)])
    upload = files.upload_for(message)
    if upload is None:
        return Shown(())
    files.stop_upload(upload, tell_server=False)
    return files.lines([sent(upload)])


def _because(message: Message) -> str:
    """The server's reason in ``message``, as said after what happened: `` (REASON)``, or nothing."""
    reason = _text(message, "reason")
    return f" ({reason})" if reason else ""


def _download_ended(files: "Transfers", message: Message) -> Offer | None:
    """The download ``message`` ends, if the user had one of its file: dropped, its part file gone; its offer."""
    download = files.download_for(message)
    if download is None:
        return None
    files.drop(download)
    download.cancel(tell_server=False)
    return download.offer


def _done_elsewhere(files: "Transfers", message: Message, words: str) -> Shown | None:
    """The user is done with an offer to them on another connection of their account (``nick`` is theirs): it
    leaves the numbered transfers here, with whatever part of it arrived here, said in ``words`` (``{what}`` the
    file and its sender); else None."""
    nick = message.get("nick")
    if not isinstance(nick, str) or not is_me(nick, files.link.view):
        return None
    offer = _download_ended(files, message)
    if offer is None:
        return None
    return files.lines([words.format(what=f"{quoted(offer.name)} from {scrub(offer.nick)}")])


def _nobody_left(message: Message) -> bool:
    """Whether the server says nobody offered the file so far is left to fetch it (``left`` 0)."""
    left = message.get("left")
    return left == 0 and not isinstance(left, bool)


def _to_room(upload: Upload) -> bool:
    """Whether ``upload`` was offered to a room: the server keeps it open for whoever joins the room until the user
    withdraws it or it expires, however many have fetched it."""
    return upload.target.startswith("#")


def _still_open(upload: Upload | None, message: Message) -> str:
    """What follows a recipient's news once nobody offered the user's room ``upload`` is left: that it stays offered
    to whoever joins, and how to withdraw it; else nothing."""
    if upload is None or not _to_room(upload) or not _nobody_left(message):
        return ""
    return f"; it stays offered to whoever joins {scrub(upload.target)} until you /cancel {upload.number}"


def _ended_if_over(files: "Transfers", upload: Upload | None, message: Message) -> None:
    """A recipient is done with the user's ``upload``: once the server says none is left (``left`` 0), a nickname's
    is over, while a room's stays open for whoever joins the room (``_to_room``).

    Over, it leaves the numbered transfers, so ``/files`` no longer lists it
    as offered and ``/cancel`` no longer picks it: the server has let it go.
    """
    if upload is not None and _nobody_left(message) and not _to_room(upload):
        files.stop_upload(upload, tell_server=False)


def listed(files: "Transfers", message: Message) -> Shown:
    listing = message.get("files")
    rows = []
    for entry in listing if isinstance(listing, list) else []:
        offer = Offer.read(entry)
        if offer is None or not isinstance(entry, dict):
            continue
        state = _text(entry, "state")
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
        # A page of at most 100 (docs/PROTOCOL.md): the next is asked for at once, and shown as it comes.
        files.put(f"/file list after {cursor}")
        return files.lines([f"Files on the server ({len(rows)} here, more to come):", *rows])
    return files.lines(
        [f"Files on the server ({len(rows)}):", *rows] if rows else ["No files on the server."]
    )


def linked(files: "Transfers", message: Message) -> Shown:
    return files.lines([f"Link (one download, for an hour): {_text(message, 'url')}"])


def error(files: "Transfers", message: Message) -> Shown | None:
    code = message.get("code")
    text = _text(message, "text")
    offer = message.get("offer")
    if isinstance(offer, dict):
        return _offer_refused(files, offer, message)
    if code == "file-offset":
        upload = files.upload_for(message)
        if upload is not None:
            upload.wrong_offset(_number(message, "have"))
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
    files.refresh()
    code, text = _text(message, "code"), _text(message, "text")
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
    code, text = _text(message, "code"), _text(message, "text")
    return files.lines([f"{quoted(upload.name)} was not sent: {text} ({code})"], Look.ERROR)


def quoted(name: str) -> str:
    """A file name as shown: its safe form, scrubbed, in quotes."""
    return f'"{scrub(safe_file_name(name))}"'


def facts(offer: Offer) -> str:
    """Size, type and the start of the SHA-256: what a person checks an offer by."""
    return f"{size_words(offer.size)}, {scrub(offer.mime)}, sha256 {offer.sha256[:12]}"


def _number(message: Mapping[str, object], key: str) -> int:
    value = message.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _text(message: Mapping[str, object], key: str) -> str:
    value = message.get(key)
    return scrub(value) if isinstance(value, str) else ""


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
