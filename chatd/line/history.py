"""``/history``'s pages of a room's past, or of an account's private messages, in a line session.

The chat checks that the user is a member, and the chat's history store
reads: slowly, off the reactor thread, so each page is a Deferred that
fires once the lines are written, and the connection reads nothing more
until then (replies keep the order of commands).

``/history`` pages backwards: the session remembers the oldest line it
was shown of a room (``LineSession.paging``), and a ``/history`` of the
same room right after goes on from there; any other command starts again
from the latest line, as does one ``PAGING_LAPSE`` after the page. A
replay sets the same cursor (if it read lines, shown or not), so
``/history`` right after joining goes on from the oldest line replayed.
"""

from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING

from twisted.internet.defer import Deferred

from chatd.domain.events import RoomEvent
from chatd.domain.ids import Point
from chatd.line import history_commands as hist
from chatd.line.errors import UsageError
from chatd.line.history_lines import history_bytes, history_end, none_kept, page_from, visible
from chatd.line.render import Notice
from chatd.text import fold

if TYPE_CHECKING:
    from chatd.line.session import LineSession, Waiting


PAGING_LAPSE = 120.0
"""Seconds after a page (or a join's replay) within which ``/history`` goes on before it: reading back page by
page takes less, and a ``/history N`` long after a join, while the room talked on, means its latest lines.
A host's reader who joined, watched for minutes and asked ``/history 3`` was told nothing earlier is kept."""


def history(session: "LineSession", command: hist.History) -> "Waiting":
    """``/history``: a page of a room's past before the oldest line shown, or before or around one line; or private
    messages.

    A first word without ``#`` is a room the user is in, else a nickname (``private``), bar one
    ``_means_room``; one written ``@NICK`` (``room`` None) is always the nickname.
    """
    me = session.me()
    if command.nick is not None and _means_nick(session, command.nick, command.room):
        if command.around is not None:
            raise UsageError(hist.PRIVATE_HISTORY_USAGE)
        lines = hist.HISTORY_LINES if command.count is None else command.count
        return private(session, command.nick, lines, command.before)
    name = session.room_or_current(command.room)
    paging = session.paging
    lapsed = paging is None or session.chat.time().at - paging[3] >= PAGING_LAPSE
    going_on = paging if paging is not None and not lapsed and paging[0] == fold(name) else None
    count = command.count
    if count is None:
        count = going_on[2] if going_on is not None else hist.HISTORY_LINES
    read: Awaitable[Sequence[RoomEvent]]
    if command.around is not None:
        read = session.chat.history_around(me, name, command.around, count)
    elif command.before is not None:
        read = session.chat.history_before(me, name, command.before, count)
    else:
        read = session.chat.history(me, name, going_on[1] if going_on is not None else None, count)
    # The chat found the user in the room: its name as the room shows it.
    room = me.rooms[fold(name)].name
    return Deferred.fromCoroutine(_paged(session, room, read, command, count, going_on is not None))


async def _paged(
    session: "LineSession",
    room: str,
    read: Awaitable[Sequence[RoomEvent]],
    command: hist.History,
    count: int,
    going_on: bool,
) -> None:
    """Show the page ``read`` gives of ``room``, then its marker; ``going_on``: it goes on from the page before."""
    events = await read
    shown = visible(session, events)
    if events:
        page_from(session, room, events[0].seq, count)
        more = command.around is not None or len(events) == count
        end = history_end(room, len(shown), more)
    else:
        end = none_kept(room, going_back=going_on or command.before is not None)
    session.write(history_bytes(session, shown) + session.render(end))
    session.charge_listing(len(shown))


def _means_nick(session: "LineSession", word: str, room: str | None) -> bool:
    """Whether ``word``, the first of a ``/history`` or ``/search`` that may name a room or a nickname, names the
    nickname: always written ``@NICK`` (``room`` None), else unless the user is in ``room`` (``#WORD``) or
    ``_means_room``."""
    return room is None or (fold(room) not in session.me().rooms and not _means_room(session, word, room))


def _means_room(session: "LineSession", word: str, room: str) -> bool:
    """Whether ``/history WORD``, by a user not in ``room`` (``#WORD``), means that room after all.

    It does for a user not identified, who has no private messages to read,
    when no account has the nickname ``word`` and a room ``room`` exists
    that they may see: they get the room's answer (``/join`` it first), not
    one about identifying for a conversation that cannot be.
    """
    me = session.me()
    return (
        me.account is None
        and not session.chat.is_registered(word)
        and session.chat.room_summary(room, me) is not None
    )


def private(session: "LineSession", nick: str, count: int, before: Point | None) -> "Waiting":
    """``/history NICK [N]``: the last private messages between the user's account and ``nick``'s, then a marker;
    ``before ID``: the last before that point, how a program pages back from the oldest it shows.

    As in a room, those of someone the user ignores are left out, and a
    full page read (shown or not) says earlier ones may be kept.
    """
    read = session.chat.conversation(session.me(), nick, count, before)

    async def shown() -> None:
        events = await read
        lines = visible(session, events)
        if events:
            text = f"End of private messages with {nick}."
        elif before is not None:
            text = f"No earlier private messages with {nick} are kept."
        else:
            text = f"No private messages with {nick} are kept (only those between two identified users are)."
        earlier = len(events) == count
        end = Notice("private_end", text, {"nick": nick, "count": len(lines), "earlier": earlier})
        session.write(b"".join(session.render_history(event) for event in lines) + session.render(end))
        session.charge_listing(len(lines))

    return Deferred.fromCoroutine(shown())
