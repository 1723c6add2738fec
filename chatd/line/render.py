"""Events, replies, notices and errors -> wire lines, for people or programs.

Two renderings of the same data: ``text`` lines for people on nc or telnet,
and ``json`` lines (one object each) for programs. Both are pure, end every
line in CRLF, and pass every string through ``scrub`` so no control or bidi
character reaches a terminal. docs/PROTOCOL.md is the grammar of both.

An event shown again from a room's history (on joining it, or by
``/history``) renders as it did live, marked: its text clock holds the
date (``history_text``), its JSON object ``"history": true``
(``history_json``). One found by ``/search`` also shows its id
(``found_text``, ``found_json``).
"""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, singledispatch
from typing import Any

from chatd.domain.durations import format_duration
from chatd.domain.encoding import json_bytes
from chatd.domain.envelopes import READ_ENCRYPTED
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
    NotMemberError,
    NotYourLineError,
    UnknownAccountError,
)
from chatd.domain.events import (
    Acted,
    Banned,
    CrowdTallied,
    Deleted,
    Encrypted,
    Event,
    FileOffered,
    Invited,
    Joined,
    Kicked,
    Killed,
    ModeChange,
    Muted,
    NickChanged,
    NicknameClaimed,
    Parted,
    PasswordSet,
    Quit,
    RoomEvent,
    RoomModesChanged,
    RoomOperatorAdded,
    RoomOperatorRemoved,
    RoomRegistered,
    RoomRegistrationNotKept,
    RoomUnregistered,
    Said,
    Setting,
    ShuttingDown,
    TopicChanged,
    TopicLocked,
    Unmuted,
    Walled,
    Whispered,
)
from chatd.domain.listing import remaining
from chatd.domain.replies import (
    Away,
    Ban,
    BanList,
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
    Kept,
    KeyDropped,
    KeyLog,
    KeyPublished,
    Keys,
    Members,
    Reply,
    RoomBanList,
    RoomList,
    RoomModes,
    ServerTime,
    Topic,
    UserList,
    Whois,
)
from chatd.frontend.codec import client_fields
from chatd.frontend.named_refusals import FileRefusedError, NamedRefusal, OfferRefusedError
from chatd.line.errors import UnknownCommandError
from chatd.line.wording import word
from chatd.text import SERVER, registration_undone_words, scrub, size_words, tally_words

CRLF = b"\r\n"


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the server says to one session: greeting, MOTD, prompt, help, goodbye.

    ``kind`` lets programs tell them apart: welcome, motd, prompt, nick,
    room, help, format, flood, bye, shutdown, oper, away, ignore, ban,
    history_end, search_end, resume, pong.
    ``fields`` is what it says as data (``{"nick": "alice"}`` for "You are
    alice."), JSON keys between ``kind`` and ``text``, so a program never
    reads the sentence. ``more`` are lines after ``text``: each a line of
    its own in text, joined to ``text`` by ``\n`` in JSON.
    """

    kind: str
    text: str
    fields: Mapping[str, object] = field(default_factory=dict)
    more: tuple[str, ...] = ()


Renderable = Event | Reply | Notice | ChatError | NamedRefusal


def text_line(item: Renderable) -> bytes:
    """The line(s) a person sees for ``item``, each ending in CRLF."""
    # An event is rendered for every recipient's format, a join for every member: straight from its body, not
    # through the dispatch every other item goes by.
    body = _BODIES.get(type(item))
    if body is not None:
        return _encoded(_stamped(_clock(item.at), body(item)))  # type: ignore[union-attr]
    return _encoded(_human(item))


# Everyone who joins a room is shown its last lines: the same events, again
# and again (the SQLite store hands out the ones it keeps of each room, and
# memory keeps them as they were appended). A bounded cache renders each once
# per format rather than once per user who joins; events are immutable, so a
# hit is the same bytes. 4,096: 20 lines of 200 rooms.
@lru_cache(maxsize=4096)
def history_text(event: Event) -> bytes:
    """The line(s) a person sees for ``event`` shown again from history: its date and time, then its live body.

    A live line's clock is ``[HH:MM]``; a past one's ``[YYYY-MM-DD HH:MM]``,
    so the first characters tell them apart and the day is never in doubt.
    """
    return _encoded(_stamped(_dated(event.at), _BODIES[type(event)](event)))


def has_text_line(event: Event) -> bool:
    """Whether people are shown ``event`` as a line of its own (``history_text`` renders it); a server ban as set or
    lifted, kept for restarts, is not (its operator is answered, those it covers see ``Banned``)."""
    return type(event) in _BODIES


@lru_cache(maxsize=4096)
def history_json(event: Event) -> bytes:
    """The JSON object of ``event`` shown again from history: the live one's keys and ``"history": true``."""
    return _json({**client_fields(event), "history": True})


def found_text(event: RoomEvent | Whispered) -> bytes:
    """The line(s) a person sees for ``event`` found by ``/search``: as from history, its id after the date.

    The id comes before the room and sender, where nothing the sender typed
    can stand, and is what ``/history ROOM around ID`` takes.
    """
    return _encoded(_stamped(f"{_dated(event.at)} {event.id}", _BODIES[type(event)](event)))


def found_json(event: RoomEvent | Whispered) -> bytes:
    """The JSON object of ``event`` found by ``/search``: a history line's keys and ``"search": true``."""
    return _json({**client_fields(event), "history": True, "search": True})


def _encoded(rendered: str | list[str]) -> bytes:
    # scrub each line, so a newline inside any field becomes U+FFFD rather
    # than a line of its own that could pass for someone else's.
    if isinstance(rendered, str):
        return scrub(rendered).encode("utf-8") + CRLF
    return b"".join(scrub(line).encode("utf-8") + CRLF for line in rendered)


def json_line(item: Renderable) -> bytes:
    """One JSON object for ``item``, ending in CRLF; its ``type`` names its kind (chatd.frontend.codec)."""
    if isinstance(item, ChatError):
        fields: dict[str, Any] = _error_json(item)
    elif isinstance(item, OfferRefusedError):
        fields = {**_error_json(item.refusal), **offer_fields(item)}
    elif isinstance(item, FileRefusedError):
        fields = {**_error_json(item.refusal), "file": item.file}
    elif isinstance(item, Notice):
        fields = {
            "type": "notice",
            "kind": item.kind,
            **item.fields,
            "text": "\n".join((item.text, *item.more)),
        }
    else:
        fields = client_fields(item)
    return _json(fields)


def _error_json(error: ChatError) -> dict[str, Any]:
    return {"type": "error", "code": error.code, "text": word(error), **error_fields(error)}


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
    a non-member named (``members-only``), so the page says a refusal of its
    line's delete button on that line.
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
        return {"command": error.name}
    if isinstance(error, NoSuchLineError | NotYourLineError):
        return {"room": error.room, "line": error.line}
    if isinstance(error, NotMemberError):
        return {"room": error.room}
    return {}


def _json(fields: dict[str, Any]) -> bytes:
    return json_bytes(_scrubbed(fields)) + CRLF


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        # A message may hold lines (a paste); JSON escapes the newline.
        return "\n".join(scrub(line) for line in value.split("\n"))
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


def _clock(at: float) -> str:
    return _minute(int(at // 60))


@lru_cache(maxsize=4)
def _minute(minute: int) -> str:
    """``[HH:MM]`` of a minute since the epoch: worked out once a minute, not for every line."""
    return time.strftime("[%H:%M]", time.gmtime(minute * 60))


def _dated(at: float) -> str:
    return time.strftime("[%Y-%m-%d %H:%M]", time.gmtime(at))


def _because(reason: str) -> str:
    return f" ({reason})" if reason else ""


def _lasting(at: float, until: float | None) -> str:
    """`` for 10m`` from ``at`` to ``until``; nothing for what lasts until lifted."""
    return "" if until is None else f" for {format_duration(until - at)}"


def _dated_utc(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(at))


def _until(until: float | None) -> str:
    return "until lifted" if until is None else time.strftime("until %Y-%m-%d %H:%M UTC", time.gmtime(until))


def _topic(r: Topic) -> str:
    """The topic, and who set it and when (IRC's 332 and 333 in one line) if known: before the colon, as the
    topic after it is anyone's text."""
    if not r.topic:
        return f"*** {r.room} has no topic"
    if not r.by:
        return f"*** Topic of {r.room}: {r.topic}"
    return f"*** Topic of {r.room} (set by {r.by}, {_dated_utc(r.at)}): {r.topic}"


def _whois(r: Whois) -> list[str]:
    rooms = f"in {' '.join(r.rooms)}" if r.rooms else "in no room"
    return [
        f"*** {r.nick} is {rooms}",
        *([f"*** {r.nick} is an operator"] if r.operator else []),
        *([f"*** {r.nick} is connected from {r.address}"] if r.address else []),
        *([f"*** {r.nick} is away: {r.away}"] if r.away else []),
    ]


_CHANGES: dict[tuple[Setting, bool], str] = {
    (Setting.INVITE_ONLY, True): "made the room invite-only",
    (Setting.INVITE_ONLY, False): "let anyone join the room",
    (Setting.KEY, True): "set the room's key to {}",
    (Setting.KEY, False): "removed the room's key",
    (Setting.LIMIT, True): "set the room's member limit to {}",
    (Setting.LIMIT, False): "removed the room's member limit",
    (Setting.MODERATED, True): "made the room moderated",
    (Setting.MODERATED, False): "let every member speak",
    (Setting.SECRET, True): "made the room secret",
    (Setting.SECRET, False): "made the room no longer secret",
    (Setting.REGISTERED_ONLY, True): "let only registered users in",
    (Setting.REGISTERED_ONLY, False): "let unregistered users in again",
    (Setting.REGISTERED_SPEECH, True): "let only registered members speak",
    (Setting.REGISTERED_SPEECH, False): "let unregistered members speak again",
    (Setting.OPERATOR, True): "gave {} operator",
    (Setting.OPERATOR, False): "took operator from {}",
    (Setting.VOICE, True): "gave {} voice",
    (Setting.VOICE, False): "took voice from {}",
    (Setting.BAN, True): "banned {}",
    (Setting.BAN, False): "lifted the ban on {}",
}
"""How a line says each change of a room's settings or standing; ``{}`` is its argument."""


def _change(change: ModeChange) -> str:
    return _CHANGES[change.setting, change.on].format(change.argument)


def _settings(r: RoomModes) -> str:
    """The settings of a room in words, for ``/mode ROOM``: ``invite-only, key hunter2, limit 10``."""
    key = f"key {r.key}" if r.key else "key"
    shown = [
        *(["invite-only"] if r.invite_only else []),
        *([key] if r.keyed else []),
        *([f"limit {r.limit}"] if r.limit else []),
        *(["moderated"] if r.moderated else []),
        *(["secret"] if r.secret else []),
        *(["registered only"] if r.registered_only else []),
        *(["registered speech"] if r.registered_speech else []),
        *(["topic locked"] if r.topic_locked else []),
    ]
    return ", ".join(shown) or "none"


def _standing(r: Members) -> tuple[str, ...]:
    """The page's nicknames, a room operator's after ``@``, a voiced member's after ``+``."""
    if not r.operators and not r.voiced:
        return r.nicks
    operators, voiced = set(r.operators), set(r.voiced)
    return tuple(("@" if nick in operators else "+" if nick in voiced else "") + nick for nick in r.nicks)


@singledispatch
def _human(item: Renderable) -> str | list[str]:
    """One line, or for listings several, without line endings."""
    raise TypeError(f"no text rendering for {type(item).__name__}")


def _names(names: tuple[str, ...]) -> str:
    return "".join(" " + name for name in names)


def _page(page: int, pages: int) -> str:
    """``, page 2 of 6`` for a listing of several pages; nothing for one of one."""
    return f", page {page} of {pages}" if pages > 1 else ""


def _more(total: int, page: int, shown: int, ask: str) -> list[str]:
    """The last line of a page that is not the last: how many more entries, and what to type for them."""
    more = remaining(total, page, shown)
    return [f"*** {more} more: {ask} for the next page."] if more else []


def _register(kind: type, render: Callable[[Any], str | list[str]]) -> None:
    _human.register(kind)(render)


_BODIES: dict[type, Callable[[Any], str | list[str]]] = {}
"""Each event's line(s) after the clock: the same body live and from history."""


def _stamped(stamp: str, body: str | list[str]) -> str | list[str]:
    if isinstance(body, str):
        return f"{stamp} {body}"
    return [f"{stamp} {line}" for line in body]


def _event(kind: type, body: Callable[[Any], str | list[str]]) -> None:
    """Render events of ``kind`` live as the clock, then ``body`` (``text_line``)."""
    _BODIES[kind] = body


_event(Said, lambda e: [f"{e.room} <{e.actor.nick}> {line}" for line in e.text.split("\n")])
_event(Acted, lambda e: f"{e.room} * {e.actor.nick} {e.text}")
_event(Whispered, lambda e: f"<{e.actor.nick} -> {e.to}> {e.text}")
_event(Encrypted, lambda e: encrypted_body(e.actor.nick, e.to))
_event(Joined, lambda e: f"{e.room} -- {e.actor.nick} joined")
_event(CrowdTallied, lambda e: f"{e.room} -- {tally_words(e.joined, e.left, e.renamed, e.members)}")
_event(Parted, lambda e: f"{e.room} -- {e.actor.nick} left{_because(e.reason)}")
_event(Quit, lambda e: f"-- {e.actor.nick} quit{_because(e.reason)}")
_event(NickChanged, lambda e: f"-- {e.actor.nick} is now known as {e.new}")
_event(
    TopicChanged,
    lambda e: (
        f"{e.room} -- {e.actor.nick} set the topic: {e.topic}"
        if e.topic
        else f"{e.room} -- {e.actor.nick} cleared the topic"
    ),
)
_event(TopicLocked, lambda e: f"{e.room} -- {e.actor.nick} {'locked' if e.locked else 'unlocked'} the topic")
_event(RoomRegistered, lambda e: f"{e.room} -- {e.actor.nick} registered the room to the account {e.account}")
_event(RoomUnregistered, lambda e: f"{e.room} -- {e.actor.nick} unregistered the room")
_event(
    RoomRegistrationNotKept,
    lambda e: (
        f"{e.room} -- {registration_undone_words(e.actor.nick, e.owner, e.operators, e.given, e.taken)}"
    ),
)
_event(
    RoomOperatorAdded,
    lambda e: f"{e.room} -- {e.actor.nick} made {e.nick} a room operator (account {e.account})",
)
_event(
    RoomOperatorRemoved,
    lambda e: f"{e.room} -- {e.actor.nick} took room operator from {e.nick} (account {e.account})",
)
_event(
    RoomModesChanged, lambda e: f"{e.room} -- {e.actor.nick or SERVER} " + ", ".join(map(_change, e.changes))
)
_event(Invited, lambda e: f"{e.room} -- {e.actor.nick} invited {e.nick}")
_event(Deleted, lambda e: f"{e.room} -- {e.actor.nick} deleted the line {e.line}{_because(e.reason)}")
_event(Kicked, lambda e: f"{e.room} -- {e.nick} was kicked by {e.actor.nick}{_because(e.reason)}")
_event(Banned, lambda e: f"-- {e.nick} was banned by {e.actor.nick}{_lasting(e.at, e.until)}")
_event(Killed, lambda e: f"-- {e.nick} was killed by {e.actor.nick}{_because(e.reason)}")
_event(Muted, lambda e: f"-- {e.nick} was muted by {e.actor.nick}{_lasting(e.at, e.until)}")
_event(Unmuted, lambda e: f"-- {e.nick} was unmuted by {e.actor.nick}")
_event(Walled, lambda e: f"-- {e.actor.nick} to everyone: {e.text}")
_event(
    NicknameClaimed,
    lambda e: (
        f"-- someone at {e.address} tried to take your nickname {e.actor.nick}"
        + (f" ({e.tries} tries since the last notice)" if e.tries > 1 else "")
    ),
)
_event(
    PasswordSet,
    lambda e: (
        f"-- the operator {e.actor.nick} set a new password for your account {e.account}; "
        "/password OLD NEW chooses your own"
    ),
)
_event(ShuttingDown, lambda e: f"-- {e.actor.nick} is shutting down the server{_because(e.reason)}")
_register(
    Members,
    lambda r: [
        f"*** In {r.room} ({r.total}){_page(r.page, r.pages)}:{_names(_standing(r))}",
        *_more(r.total, r.page, len(r.nicks), f"/who {r.room} {r.page + 1}"),
    ],
)
_register(Topic, _topic)
_register(
    RoomList,
    lambda r: [
        f"*** Rooms ({r.total}){_page(r.page, r.pages)}:",
        *(f"***   {s.room} ({s.members}) {s.topic}".rstrip() for s in r.rooms),
        *_more(r.total, r.page, len(r.rooms), f"/rooms {r.page + 1}"),
    ],
)
_register(
    UserList,
    lambda r: [
        f"*** Online ({r.total}){_page(r.page, r.pages)}:{_names(r.nicks)}",
        *_more(r.total, r.page, len(r.nicks), f"/users {r.page + 1}"),
    ],
)
_register(
    ServerTime,
    lambda r: time.strftime("*** Server time: %Y-%m-%d %H:%M:%S UTC", time.gmtime(r.at)),
)
_register(Whois, _whois)
_register(Away, lambda r: f"*** {r.nick} is away: {r.text}")
_register(
    Kept, lambda r: f"*** {r.nick} is offline: your message is kept until they identify ({r.waiting} waiting)"
)
_register(Ban, lambda r: f"*** {r.target} is banned {_until(r.until)} (by {r.by})")
_register(
    BanList,
    lambda r: [
        f"*** Bans ({len(r.bans)}):",
        *(f"***   {b.target} {_until(b.until)} (by {b.by})" for b in r.bans),
    ],
)
_register(RoomModes, lambda r: f"*** Settings of {r.room}: {_settings(r)}")
_register(
    RoomBanList,
    lambda r: [
        f"*** Bans of {r.room} ({len(r.bans)}):",
        *(f"***   {b.mask} set {_dated_utc(b.at)} (by {b.by})" for b in r.bans),
    ],
)
_register(Notice, lambda n: [f"*** {line}" for line in (n.text, *n.more)])
_register(ChatError, lambda e: f"ERR {e.code} {word(e)}")
# A person reads the refusal of an offer or an accept under the line they typed: its JSON names it for programs.
_register(OfferRefusedError, lambda e: _human(e.refusal))
_register(FileRefusedError, lambda e: _human(e.refusal))


def encrypted_body(sender: str, to: str) -> str:
    """The line a text session reads for an encrypted message: who sent it to whom, and how to read it; never ciphertext."""
    return f"* {sender} sent {to} an encrypted message: {READ_ENCRYPTED}"


def _head(seq: int, head: str) -> str:
    return f"key log {seq}, head {head or 'none'}"


_register(KeyPublished, lambda r: f"*** Key {r.key} is published for {r.account} ({_head(r.seq, r.head)}).")
_register(KeyDropped, lambda r: f"*** Key {r.key} is dropped from {r.account} ({_head(r.seq, r.head)}).")
_register(
    Keys,
    lambda r: [
        f"*** Keys of {r.nick} (account {r.account}, {_head(r.seq, r.head)}): {len(r.keys)}",
        *(f"***   {key}" for key in r.keys),
    ],
)
_register(
    KeyLog,
    lambda r: [
        f"*** Key log ({_head(r.seq, r.head)}):",
        *(
            f"***   {e.seq} {_dated_utc(e.at)} {e.account} {e.action} {e.key} prev {e.prev or 'none'}"
            for e in r.entries
        ),
        *([f"*** More: /key log {r.entries[-1].seq + 1}"] if r.more and r.entries else []),
    ],
)


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
    return _encoded(_stamped(_clock(event.at), offered_body(event, link)))


_event(FileOffered, offered_body)
_register(
    FileUpload,
    lambda r: (
        f'*** Upload {r.file} of "{r.name}": the server holds {r.have} of {r.size} bytes; '
        f"send chunks of {r.chunk} bytes from {r.have}."
    ),
)
_register(FileProgress, lambda r: f"*** {r.file}: {r.have} of {r.size} bytes uploaded")
_register(FileUploaded, lambda r: f"*** {r.file} is uploaded and checked; it is offered now.")
_register(FileChunk, lambda r: f"*** {r.file}: {len(r.data)} characters of base64 from byte {r.offset}")
_register(FileSent, lambda r: f"*** {r.file} is all sent.")
_register(FileFetched, lambda r: f"*** {r.nick} has fetched {r.file}.")
_register(FileDeclined, lambda r: f"*** {r.nick} declined {r.file}.")
_register(FileCancelled, lambda r: f"*** {r.nick} cancelled {r.file}{_because(r.reason)}.")
_register(FileExpired, lambda r: f"*** {r.file} expired{_because(r.reason)}; the server no longer has it.")
_register(FileLink, lambda r: f"*** {r.file}: {r.url} (one download, within an hour)")
_register(
    FileList,
    lambda r: [
        f"*** Files ({len(r.files)}):",
        *(
            f'***   {f.file} {f.state}: "{f.name}" ({size_words(f.size)}) from {f.nick} to {f.to}'
            for f in r.files
        ),
    ],
)
