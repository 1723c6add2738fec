"""The commands everyone may type, as typed data, and the parsers of their arguments; pure.

Each command is a frozen dataclass; the table that names them, says who
may run them and what runs them is chatd.line.table. The commands of
operators and room owners are in chatd.line.moderation_commands, those that
read the past (``/history``, ``/resume``, ``/search``) in
chatd.line.history_commands.
"""

from collections.abc import Callable
from dataclasses import dataclass

from chatd.line.errors import UsageError
from chatd.line.syntax import Command, RoomThenText, names_room, room_argument, room_then_text
from chatd.text import whole_number

CLEAR_TOPIC = "-"
"""``/topic -`` clears the topic: no topic worth setting is a lone dash."""


@dataclass(frozen=True, slots=True)
class Say:
    """A plain line: a message to the current room, or the first nickname."""

    text: str


@dataclass(frozen=True, slots=True)
class Help:
    """``/help [command]``; or, with ``bare``, the word ``help`` alone typed where a nickname was asked for."""

    command: str | None
    bare: bool = False


@dataclass(frozen=True, slots=True)
class Nick:
    """``/nick NAME``."""

    nick: str


@dataclass(frozen=True, slots=True)
class Takeover:
    """``/takeover NICK TOKEN``: take the place of ``nick``'s session whose takeover token is ``token``."""

    nick: str
    token: str


def parse_takeover(args: str) -> Command:
    """Exactly a nickname and a token."""
    words = args.split()
    if len(words) != 2:
        raise UsageError("/takeover NICK TOKEN")
    return Takeover(words[0], words[1])


@dataclass(frozen=True, slots=True)
class Join:
    """``/join #room [KEY]``: ``key`` is the room's key, if it takes one."""

    room: str
    key: str = ""


JOIN_USAGE = "/join #room [KEY]"


def parse_help(args: str) -> Command:
    """``/help`` or ``/help COMMAND`` (with or without its ``/``): one word at most."""
    words = args.split()
    if len(words) > 1:
        raise UsageError("/help [command]")
    return Help(words[0].lstrip("/").lower() if words else None)


def parse_join(args: str) -> Command:
    """``/join #dev``, ``/join dev``, ``/join #dev hunter2``: a room, its ``#`` optional, and perhaps its key.

    The two are split at spaces only: any other white space (a tab, a
    vertical tab, a CR) stays in the room's name, which refuses it, rather
    than cutting a hostile name into a room and a key (tests/test_terminal_safety.py).
    """
    words = [word for word in args.split(" ") if word]
    if not 1 <= len(words) <= 2:
        raise UsageError(JOIN_USAGE)
    return Join(room_argument(words[0]), words[1] if len(words) == 2 else "")


@dataclass(frozen=True, slots=True)
class Part:
    """``/part [#room] [reason]``; no room means the current one (see ``RoomThenText``)."""

    where: RoomThenText


@dataclass(frozen=True, slots=True)
class Rooms:
    """``/rooms [PAGE]``."""

    page: int


@dataclass(frozen=True, slots=True)
class Who:
    """``/who [#room [PAGE]]``; no room means the current one."""

    room: str | None
    page: int


@dataclass(frozen=True, slots=True)
class Users:
    """``/users [PAGE]``."""

    page: int


@dataclass(frozen=True, slots=True)
class Msg:
    """``/msg NICK text``."""

    nick: str
    text: str


@dataclass(frozen=True, slots=True)
class Me:
    """``/me action``."""

    text: str


@dataclass(frozen=True, slots=True)
class Topic:
    """``/topic [#room] [text|-]``: without text, show the room's topic; ``-`` (as ``""``) clears it.

    ``room`` is the first word when it has a ``#`` (None: the current room),
    so ``/topic #dev`` shows #dev's topic, as IRC users type it; a topic
    that starts with ``#`` is written after its room.
    """

    room: str | None
    text: str | None


@dataclass(frozen=True, slots=True)
class Time:
    """``/time``."""


@dataclass(frozen=True, slots=True)
class Ping:
    """``/ping [TEXT]``: answered ``PONG TEXT`` once every line before it is handled, so a client that has heard
    nothing for a while learns whether the server still hears it (chatd.client.liveness)."""

    text: str


@dataclass(frozen=True, slots=True)
class Quit:
    """``/quit [reason]``, or ``exit`` / ``quit`` alone."""

    reason: str


@dataclass(frozen=True, slots=True)
class Format:
    """``/format text|json``: how this session's lines are rendered."""

    json: bool


@dataclass(frozen=True, slots=True)
class Away:
    """``/away [text]``: no text means back again."""

    text: str


@dataclass(frozen=True, slots=True)
class Whois:
    """``/whois NICK``."""

    nick: str


@dataclass(frozen=True, slots=True)
class Ignore:
    """``/ignore [NICK]``: without a nickname, list those ignored."""

    nick: str | None


@dataclass(frozen=True, slots=True)
class Unignore:
    """``/unignore NICK``."""

    nick: str


def parse_part(args: str) -> Command:
    return Part(room_then_text(args))


def parse_topic(args: str) -> Command:
    room = None
    if names_room(args):
        first, _, args = args.partition(" ")
        room, args = room_argument(first), args.strip()
    if not args:
        return Topic(room, None)
    return Topic(room, "" if args == CLEAR_TOPIC else args)


def page_number(word: str, usage: str) -> int:
    """A page of a listing: a whole number from 1 (the listing says how many there are)."""
    page = whole_number(word)
    if page is None or page < 1:
        raise UsageError(usage)
    return page


def parse_page(make: Callable[[int], Command], usage: str) -> Callable[[str], Command]:
    """A parser for a listing's optional page number (page 1 without one)."""

    def parse(args: str) -> Command:
        return make(page_number(args, usage) if args else 1)

    return parse


WHO_USAGE = "/who [#room [PAGE]]"


def parse_who(args: str) -> Command:
    """``/who``, ``/who #room``, ``/who #room PAGE``: a page is asked for with the room named,
    since a bare word is a room (``/who 2`` is ``#2``)."""
    words = args.split()
    if len(words) > 2:
        raise UsageError(WHO_USAGE)
    room = room_argument(words[0]) if words else None
    return Who(room, page_number(words[1], WHO_USAGE) if len(words) == 2 else 1)


def parse_msg(args: str) -> Command:
    nick, _, text = args.partition(" ")
    text = text.lstrip(" ")
    if not nick or not text:
        raise UsageError("/msg NICK text")
    return Msg(nick, text)


def parse_format(args: str) -> Command:
    choice = args.lower()
    if choice not in ("text", "json"):
        raise UsageError("/format text|json")
    return Format(choice == "json")
