"""The keys a program reads in an error's JSON besides its code and text (docs/PROTOCOL.md "JSON lines").

On its own because it is the one part of the JSON rendering that knows error types one by one: which transfer,
nickname, command, room or line each refusal names, so a client acts on the right one without reading the words.
"""

from typing import Any

from chatd.domain.errors import (
    BadFileChunkError,
    ChatError,
    FileCorruptError,
    FileOffsetError,
    FileUploadedError,
    NicknameRegisteredError,
    NoAccountError,
    NoSuchAccountError,
    NoSuchFileError,
    NoSuchLineError,
    NoSuchNicknameError,
    NoSuchRoomError,
    NotInRoomError,
    NotMemberError,
    NotYourLineError,
    UnknownAccountError,
    UserNotInRoomError,
)
from chatd.frontend.named_refusals import OfferRefusedError
from chatd.line.errors import UnknownCommandError


def offer_fields(error: OfferRefusedError) -> dict[str, Any]:
    """The keys that name the ``/file offer`` a refusal answers (docs/PROTOCOL.md "Files"), beside the refusal's own
    (none of an offer's refusals has a ``file``): ``offer``, its target, size (null: no number), SHA-256 and name as
    sent, and ``file``, the upload open for the same offer that the refusal leaves open, if any."""
    offer = {
        "target": error.target,
        "size": error.size if error.size >= 0 else None,
        "sha256": error.sha256,
        "name": error.name,
    }
    return {"offer": offer} if error.file is None else {"offer": offer, "file": error.file}


def error_fields(error: ChatError) -> dict[str, Any]:
    """The keys a program reads in an error's JSON besides its code and text (docs/PROTOCOL.md "JSON lines").

    Which upload a chunk's refusal or a failed check answers
    (``file-offset``, with where it goes on from, ``bad-file-chunk``,
    ``file-corrupt``, and ``file-uploaded``, a chunk's or a restart's of an
    upload the server holds whole) and which transfer is not open
    (``no-such-file``), so
    a client with several at once acts on the one it answers, not the
    oldest one waiting; which nickname has no
    account, and which command is unknown, so a client with several ``/key
    get`` out tells which one an error answers, and a typo's error from a
    server without ``/key``; which nickname is registered, and whether a
    password would take it, so a program asks for one in its own words (the
    page has a password box, not ``/identify``); which nickname nobody
    online holds (or, for ``/op`` and an operator's ``/account``, no account
    has), and who online (which account) holds one that looks like it, so a
    client offers that one (the text names it for people); which line a
    ``/delete`` refused (``no-such-line``, ``not-your-line``) and which room
    a non-member named (``members-only``, or ``not-in-room`` for a command of a member's), or one that is not
    (``no-such-room``), so the page says a refusal of its line's delete button on that line, and a program with
    several ``/part`` or ``/topic`` out tells which one a refusal answers; and which user is not in which room
    (``user-not-in-room``), so one with several ``/kick`` or ``/mode`` out tells the same.
    """
    if isinstance(error, FileOffsetError):
        return {"file": error.file, "have": error.have}
    if isinstance(error, NoSuchFileError | BadFileChunkError | FileCorruptError | FileUploadedError):
        return {"file": error.file}
    if isinstance(error, NoSuchAccountError):
        return {"nick": error.nick}
    if isinstance(error, NicknameRegisteredError):
        return {"nick": error.nick, "look_alike": error.look_alike}
    if isinstance(error, NoSuchNicknameError | NoAccountError | UnknownAccountError):
        return {"nick": error.nick, "alike": error.alike}
    if isinstance(error, UnknownCommandError):
        return {"command": error.name, "likely": error.likely}
    if isinstance(error, NoSuchLineError | NotYourLineError):
        return {"room": error.room, "line": error.line}
    if isinstance(error, UserNotInRoomError):
        return {"nick": error.nick, "room": error.room}
    if isinstance(error, NotMemberError | NoSuchRoomError | NotInRoomError):
        return {"room": error.room}
    return {}
