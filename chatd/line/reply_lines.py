"""What a person reads of the server's answers about the chat: members, rooms, users, topics, whois, bans, settings.

On its own because these answers go to the one who asked, with no clock, and the listings among them share their
paging (``page 2 of 6``, what to type for the next page); the file and key families' answers are in
chatd.line.file_lines and key_lines.
"""

import time

from chatd.domain.listing import remaining
from chatd.domain.replies import (
    Away,
    Ban,
    BanList,
    Kept,
    Members,
    RoomBanList,
    RoomList,
    RoomModes,
    ServerTime,
    Topic,
    UserList,
    Whois,
)
from chatd.line.pieces import Rendering, dated_utc


def _until(until: float | None) -> str:
    return "until lifted" if until is None else time.strftime("until %Y-%m-%d %H:%M UTC", time.gmtime(until))


def _topic(r: Topic) -> str:
    """The topic, and who set it and when (IRC's 332 and 333 in one line) if known: before the colon, as the
    topic after it is anyone's text."""
    if not r.topic:
        return f"*** {r.room} has no topic"
    if not r.by:
        return f"*** Topic of {r.room}: {r.topic}"
    return f"*** Topic of {r.room} (set by {r.by}, {dated_utc(r.at)}): {r.topic}"


def _whois(r: Whois) -> list[str]:
    rooms = f"in {' '.join(r.rooms)}" if r.rooms else "in no room"
    return [
        f"*** {r.nick} is {rooms}",
        *([f"*** {r.nick} is an operator"] if r.operator else []),
        *([f"*** {r.nick} is connected from {r.address}"] if r.address else []),
        *([f"*** {r.nick} is away: {r.away}"] if r.away else []),
    ]


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


def _names(names: tuple[str, ...]) -> str:
    return "".join(" " + name for name in names)


def _page(page: int, pages: int) -> str:
    """``, page 2 of 6`` for a listing of several pages; nothing for one of one."""
    return f", page {page} of {pages}" if pages > 1 else ""


def _more(total: int, page: int, shown: int, ask: str) -> list[str]:
    """The last line of a page that is not the last: how many more entries, and what to type for them."""
    more = remaining(total, page, shown)
    return [f"*** {more} more: {ask} for the next page."] if more else []


REPLY_LINES: dict[type, Rendering] = {
    Members: lambda r: [
        f"*** In {r.room} ({r.total}){_page(r.page, r.pages)}:{_names(_standing(r))}",
        *_more(r.total, r.page, len(r.nicks), f"/who {r.room} {r.page + 1}"),
    ],
    Topic: _topic,
    RoomList: lambda r: [
        f"*** Rooms ({r.total}){_page(r.page, r.pages)}:",
        *(f"***   {s.room} ({s.members}) {s.topic}".rstrip() for s in r.rooms),
        *_more(r.total, r.page, len(r.rooms), f"/rooms {r.page + 1}"),
    ],
    UserList: lambda r: [
        f"*** Online ({r.total}){_page(r.page, r.pages)}:{_names(r.nicks)}",
        *_more(r.total, r.page, len(r.nicks), f"/users {r.page + 1}"),
    ],
    ServerTime: lambda r: time.strftime("*** Server time: %Y-%m-%d %H:%M:%S UTC", time.gmtime(r.at)),
    Whois: _whois,
    Away: lambda r: f"*** {r.nick} is away: {r.text}",
    Kept: lambda r: (
        f"*** {r.nick} is offline: your message is kept until they identify ({r.waiting} waiting)"
    ),
    Ban: lambda r: f"*** {r.target} is banned {_until(r.until)} (by {r.by})",
    BanList: lambda r: [
        f"*** Bans ({len(r.bans)}):",
        *(f"***   {b.target} {_until(b.until)} (by {b.by})" for b in r.bans),
    ],
    RoomModes: lambda r: f"*** Settings of {r.room}: {_settings(r)}",
    RoomBanList: lambda r: [
        f"*** Bans of {r.room} ({len(r.bans)}):",
        *(f"***   {b.mask} set {dated_utc(b.at)} (by {b.by})" for b in r.bans),
    ],
}
"""Each answer's line(s), by its type."""
