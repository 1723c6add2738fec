"""The commands that read the past, as typed data, and the parsers of their arguments; pure.

``/history``, ``/resume`` and ``/search`` share a grammar of their own: a
room or a nickname (``@NICK``), then a point to read from, an event's id
or a time (chatd.frontend.points), and a count or words. Their handlers
are chatd.line.history, chatd.line.talk's ``resume`` and chatd.line.search;
the rest of what everyone may type is chatd.line.commands.
"""

from dataclasses import dataclass

from chatd.domain.ids import Point
from chatd.frontend.points import point_of
from chatd.line.errors import BadPointError, UsageError
from chatd.line.syntax import Command, names_room, room_argument
from chatd.text import whole_number


@dataclass(frozen=True, slots=True)
class History:
    """``/history [#room|NICK|@NICK] [N]``, ``/history [#room] around ID`` or ``/history [#room] before ID [N]``;
    no room means the current one.

    ``nick`` is the first word as typed when it had no ``#``: the room
    ``room`` if the user is in it, else the nickname whose private
    messages with the user to show. Written ``@NICK``, ``nick`` is NICK
    and ``room`` None: the private messages, whatever rooms there are.
    """

    room: str | None
    count: int | None
    """None when not given: the number the ``/history`` before it paged the room by, else ``HISTORY_LINES``."""
    around: Point | None = None
    """Where the lines shown are centred: an event's id, or a time (chatd.frontend.points)."""
    nick: str | None = None
    before: Point | None = None
    """Where the ``count`` lines shown end, an id or a time: paging that needs no earlier ``/history``."""


@dataclass(frozen=True, slots=True)
class Resume:
    """``/resume [#room [ID]]``: come back to ``room``, showing what was said there after ``at``, where the line
    with id ``event_id`` was (or any event with it, or the time it is: chatd.frontend.points); without it, its last
    lines, as on joining. No room, before a nickname: come back to no room but those named."""

    room: str | None = None
    event_id: str | None = None
    """As given, to say back."""
    at: Point | None = None


RESUME_USAGE = "/resume [#room [ID]]"


def parse_resume(args: str) -> Command:
    """``/resume #dev 01a20cc867700000``, ``/resume dev``, ``/resume``: a room and an id, each if known."""
    words = args.split()
    if len(words) > 2:
        raise UsageError(RESUME_USAGE)
    if not words:
        return Resume()
    if len(words) == 1:
        return Resume(room_argument(words[0]))
    return Resume(room_argument(words[0]), words[1], _point(words[1]))


HISTORY_LINES = 20
"""Lines ``/history`` shows unless asked for another number."""

HISTORY_USAGE = "/history [#room|NICK|@NICK] [N|around ID|before ID [N]]"


def parse_history(args: str) -> Command:
    """``/history``, ``/history #dev``, ``/history 50``, ``/history dev 50``, ``/history @dev 50``,
    ``/history #dev around ID``, ``/history #dev before ID 50``.

    A word of digits alone is a number of lines (write ``#2`` for the room
    ``#2``); ``around`` or ``before`` followed by an id or a time (and, for ``before``,
    a number) is what to show of the current room; a first word starting
    with ``@`` is a nickname, never a room (neither holds an ``@``), for a
    program that must not read a room of that name; any other first word
    is a room, its ``#`` optional.
    """
    words = args.split()
    room = nick = None
    if words and words[0].startswith("@"):
        nick = words.pop(0)[1:]
        if not nick:
            raise UsageError(HISTORY_USAGE)
    elif words and not _digits(words[0]) and not _anchored(words):
        first = words.pop(0)
        room = room_argument(first)
        nick = None if names_room(first) else first
    match words:
        case []:
            return History(room, None, nick=nick)
        case [count] if _digits(count):
            return History(room, _count(count), nick=nick)
        case [around, at] if around.lower() == "around":
            return History(room, None, _point(at), nick=nick)
        case [before, at] if before.lower() == "before":
            return History(room, None, nick=nick, before=_point(at))
        case [before, at, count] if before.lower() == "before" and _digits(count):
            return History(room, _count(count), nick=nick, before=_point(at))
    raise UsageError(HISTORY_USAGE)


def _count(word: str) -> int:
    """The number of lines ``word``, a word of digits, asks for; UsageError past ``WHOLE_DIGITS_MOST`` digits.

    ``parse_history`` reads any word of digits as a count (``/history 50``
    names no room ``#50``); one too long to read is refused as no count.
    """
    count = whole_number(word)
    if count is None:
        raise UsageError(HISTORY_USAGE)
    return count


def _point(word: str) -> Point:
    """Where ``word`` says to read from: an event's id or a time; BadPointError if it is neither."""
    point = point_of(word)
    if point is None:
        raise BadPointError(word)
    return point


PRIVATE_HISTORY_USAGE = "/history NICK [N|before ID [N]]"
"""What ``/history`` takes of private messages: the last N, or the N before a point; never those around one."""


def _anchored(words: list[str]) -> bool:
    """``words`` are ``around ID`` or ``before ID [N]`` alone: a page of the current room, no room named."""
    first = words[0].lower()
    return (first == "around" and len(words) == 2) or (first == "before" and len(words) in (2, 3))


@dataclass(frozen=True, slots=True)
class Search:
    """``/search [#room|@NICK] [before ID] words``; no room means the current one.

    ``nick``: written ``@NICK``, the nickname whose private messages with
    the user to search, whatever rooms there are. A first word with no
    ``#`` or ``@`` is one of the words looked for. ``before``: the point
    (an id or a time) whose older lines alone are searched, to page back
    from the oldest hit shown.
    """

    room: str | None
    query: str
    nick: str | None = None
    before: Point | None = None


SEARCH_USAGE = "/search [#room|@NICK] [before ID] words"


def parse_search(args: str) -> Command:
    """``/search qwen3.6``, ``/search #dev cafe menu``, ``/search @bob menu``, ``/search #dev before ID menu``: a
    first word with ``#`` is the room, one with ``@`` the nickname, the rest the words.

    Unlike ``/history``, a room must be written with its ``#``: any other
    first word is one of the words looked for, or a nickname (the session's
    call, ``chatd.line.search.search``). ``before`` then an id or a time
    (``point_of``) bounds the search, words following; ``before`` then
    anything else is a word looked for (``/search before lunch``), and so
    is a ``before ID`` put after another word, as the words' order does
    not matter to a search.
    """
    first, _, rest = args.partition(" ")
    room = nick = before = None
    query = args
    if names_room(first):
        room, query = room_argument(first), rest.strip()
    elif first.startswith("@"):
        nick, query = first[1:], rest.strip()
    word, _, after = query.partition(" ")
    at, _, words = after.strip().partition(" ")
    if word.lower() == "before" and (before := point_of(at)) is not None:
        query = words.strip()
    if not query or nick == "":
        raise UsageError(SEARCH_USAGE)
    return Search(room, query, nick, before)


def _digits(word: str) -> bool:
    return word.isascii() and word.isdigit()
