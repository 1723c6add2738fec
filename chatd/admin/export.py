"""``python -m chatd.admin export``: the kept events as JSON lines, or with ``--text`` as the lines people saw.

The JSON is the whole event, as ``chatd.domain.encoding`` writes it; the
transcript is what a join shows again from history, with no address, and
a line where a deleted line was. A room's export holds its members' new
nicknames, quits, bans and kills, which are kept with no room, as its
members were shown them live.
"""

import sqlite3
from collections.abc import Iterable, Iterator
from heapq import merge
from typing import TextIO

from chatd.admin import AdminError
from chatd.domain.encoding import decode_event, encode_event, type_name
from chatd.domain.errors import ChatError
from chatd.domain.events import (
    Banned,
    Deleted,
    Encrypted,
    Event,
    Joined,
    Kicked,
    Killed,
    NickChanged,
    Parted,
    Quit,
    Whispered,
)
from chatd.domain.ids import id_moment
from chatd.domain.names import check_room_name
from chatd.line.pieces import because, dated, encoded, stamped
from chatd.line.render import has_text_line, history_text
from chatd.line.syntax import room_argument
from chatd.line.wording import word
from chatd.text import fold

_OF_MEMBERS = (NickChanged, Quit, Banned, Killed)
"""What a member does or is done to in the whole chat, kept with no room: a room's export reads every one, and keeps
those of its members then (``_with_members``)."""

_ROOM_ROWS = "SELECT body FROM events WHERE room = ? OR kind IN ({}) ORDER BY position".format(
    ", ".join(f"'{type_name(kind)}'" for kind in _OF_MEMBERS)
)
"""A room's events and every one of ``_OF_MEMBERS``, in the order written: as they happened."""


def export(
    connection: sqlite3.Connection, room: str | None, out: TextIO, text: bool = False, private: bool = False
) -> None:
    """Write every kept event (of ``room`` only, if given), oldest first, one JSON object a line; with ``text``,
    each as the line(s) people were shown (``_shown``), private messages only if ``private``. Lines deleted
    (``/delete``) are gone from the events, as from history: their ``Deleted`` events say so, each where
    ``_with_deletions`` puts it. A room's export holds the new nicknames, quits, bans and kills of
    those in it then (``_with_members``).

    A room with no event kept is one sentence, not an empty export: most
    often its name was mistyped, which nothing else would tell the host.
    """
    if room is None:
        rows = connection.execute("SELECT body FROM events ORDER BY position")
        deletions = connection.execute("SELECT body FROM deletions")
    else:
        try:
            name = check_room_name(room_argument(room), limit=None)
        except ChatError as error:
            raise AdminError(f"--room: {word(error)}.") from None
        rows = connection.execute(_ROOM_ROWS, (fold(name),))
        deletions = connection.execute("SELECT body FROM deletions WHERE room = ?", (fold(name),))
    written = 0
    try:
        events = _with_deletions(rows, deletions, where_the_line_was=text)
        for event in events if room is None else _with_members(events):
            if text and not private and isinstance(event, Whispered | Encrypted):
                continue
            out.write(_shown(event) if text else encode_event(event) + "\n")
            written += 1
    except sqlite3.Error as error:
        raise AdminError(f"cannot read the events ({error}).") from None
    if room is not None and not written:
        raise AdminError(
            f"--room {room}: no event of that room is kept; check its name (export alone lists all)."
        )


def _with_deletions(
    rows: Iterable[tuple[str]], deletions: Iterable[tuple[str]], where_the_line_was: bool
) -> Iterator[Event]:
    """The events whose bodies ``rows`` gives, in its order, with the ``Deleted`` events of ``deletions`` among them:
    each where the line it took away was if ``where_the_line_was`` (a transcript's gap, marked), else when it was
    made, as every event is placed (ids sort as events happened).

    The deletions are read whole, to be sorted: a room's, or a file's, are as
    few as /delete made within --retain-days.
    """

    def place(event: Event) -> str:
        return event.line if where_the_line_was and isinstance(event, Deleted) else event.id

    tombstones = sorted((decode_event(body) for (body,) in deletions), key=place)
    return merge((decode_event(body) for (body,) in rows), tombstones, key=place)


def _with_members(events: Iterable[Event]) -> Iterator[Event]:
    """``events``, one room's and every one of ``_OF_MEMBERS`` in the order they happened, less those of whoever was
    not in the room then: who is, by folded nickname, as the room's joins, parts and kicks, and its members' new
    nicknames, say.

    A new nickname, a quit, or a ban or kill that put someone out, is the
    chat's, kept with no room; live, those who shared a room with them were
    shown it. A member renamed is followed under the new nickname, so their
    quit or kill after it is theirs; one whose change was made before
    nickname changes were kept is not, and that quit is left out. After a
    crash, which wrote no quits, those who were in the room count as in it
    until they leave it again.
    """
    members: set[str] = set()
    for event in events:
        if isinstance(event, _OF_MEMBERS):
            who = fold(event.nick if isinstance(event, Banned | Killed) else event.actor.nick)
            if who not in members:
                continue
            members.discard(who)
            if isinstance(event, NickChanged):
                members.add(fold(event.new))
        elif isinstance(event, Parted | Kicked):
            members.discard(fold(event.actor.nick if isinstance(event, Parted) else event.nick))
        elif isinstance(event, Joined):
            members.add(fold(event.actor.nick))
        yield event


def _shown(event: Event) -> str:
    """The line(s) people were shown for ``event``, dated as history shows it, each ending in a newline; nothing for
    what nobody was shown as a line (a server ban as set or lifted). A deletion is a line where the line it took
    away was, dated as that line, by whom and why: never the line, which is gone."""
    if isinstance(event, Deleted):
        body = f"{event.room} -- a line said here was deleted by {event.actor.nick}{because(event.reason)}"
        return encoded(stamped(dated(id_moment(event.line)), body)).decode().replace("\r\n", "\n")
    if not has_text_line(event):
        return ""
    return history_text(event).decode().replace("\r\n", "\n")
