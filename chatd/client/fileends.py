"""How a transfer ends, as the server tells it: fetched, declined, cancelled, taken down or expired.

Each follower ends what the user had of the transfer here (a download and
its part file, or their own upload, or its number once nobody is left to
fetch it) and says so in one line, or none for a transfer the user never
heard of or finished on another connection of their account. Apart from
chatd.client.fileevents, which moves transfers along: here they stop.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from chatd.client.filewords import number_field, quoted, text_field
from chatd.client.partfile import Offer
from chatd.client.shown import Message, Shown
from chatd.client.style import Look, is_me
from chatd.client.upload import Stage as Up
from chatd.client.upload import Upload
from chatd.text import counted, scrub

if TYPE_CHECKING:
    from chatd.client.files import Transfers


def fetched(files: "Transfers", message: Message) -> Shown:
    """``file_fetched``: a recipient has the whole of the user's file, or the user has an offer to them whole on
    another connection of their account."""
    elsewhere = _done_elsewhere(files, message, "{what} was fetched on another connection.")
    if elsewhere is not None:
        return elsewhere
    upload = files.upload_for(message)
    name = quoted(upload.name) if upload is not None else "your file"
    left = number_field(message, "left")
    others = (
        f"; {counted(left, 'other recipient')} may still fetch it"
        if left > 0
        else _still_open(upload, message)
    )
    _ended_if_over(files, upload, message)
    return files.lines([f"{text_field(message, 'nick')} has fetched {name}{others}."])


def declined(files: "Transfers", message: Message) -> Shown:
    """``file_declined``: a recipient declined the user's file, or the user an offer to them, on another connection
    or by ``/decline *`` here (``Transfers.declining_every``)."""
    words = "Declined {what}." if files.declining_every else "{what} was declined on another connection."
    elsewhere = _done_elsewhere(files, message, words)
    if elsewhere is not None:
        return elsewhere
    upload = files.upload_for(message)
    name = quoted(upload.name) if upload is not None else "your file"
    _ended_if_over(files, upload, message)
    return files.lines([f"{text_field(message, 'nick')} declined {name}{_still_open(upload, message)}."])


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
            f"{text_field(message, 'nick')} stopped fetching {quoted(upload.name)}{because}{_still_open(upload, message)}."
        ]
    )


def _taken_down(files: "Transfers", message: Message) -> Shown:
    """``file_cancelled`` with ``taken_down_from``: an operator, or the room's owner or a room operator (the user,
    maybe), took a room's offer down. Whatever the user had of it ends, said with who did it and why: an offer to them
    (a download of it too, its part file gone), or their own upload. Read from the field: a recipient's stop also
    carries a ``nick`` not the sender's, and the sender's client took the take-down for one, the offer still open."""
    nick = text_field(message, "nick")
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
    reason = text_field(message, "reason")
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
