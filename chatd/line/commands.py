"""Text a user typed -> a typed command; pure, no session or chat needed.

A line starting with ``/`` names a command (case-insensitive); ``//`` sends
a line that starts with ``/``; ``exit`` or ``quit`` alone leaves, as nc
users expect; anything else is said to the current room (or, before a
nickname is chosen, taken as the nickname). ``COMMANDS`` is the table that
parsing, ``/help`` and docs/PROTOCOL.md all follow.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from chatd.line.errors import UnknownCommandError, UsageError


@dataclass(frozen=True, slots=True)
class Say:
    """A plain line: a message to the current room, or the first nickname."""

    needs_nick: ClassVar[bool] = False
    text: str


@dataclass(frozen=True, slots=True)
class Help:
    """``/help [command]``."""

    needs_nick: ClassVar[bool] = False
    command: str | None


@dataclass(frozen=True, slots=True)
class Nick:
    """``/nick NAME``."""

    needs_nick: ClassVar[bool] = False
    nick: str


@dataclass(frozen=True, slots=True)
class Join:
    """``/join #room``."""

    needs_nick: ClassVar[bool] = True
    room: str


@dataclass(frozen=True, slots=True)
class Part:
    """``/part [#room] [reason]``; no room means the current one."""

    needs_nick: ClassVar[bool] = True
    room: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Rooms:
    """``/rooms``."""

    needs_nick: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class Who:
    """``/who [#room]``; no room means the current one."""

    needs_nick: ClassVar[bool] = False
    room: str | None


@dataclass(frozen=True, slots=True)
class Users:
    """``/users``."""

    needs_nick: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class Msg:
    """``/msg NICK text``."""

    needs_nick: ClassVar[bool] = True
    nick: str
    text: str


@dataclass(frozen=True, slots=True)
class Me:
    """``/me action``."""

    needs_nick: ClassVar[bool] = True
    text: str


@dataclass(frozen=True, slots=True)
class Topic:
    """``/topic [text]``: without text, show the current room's topic."""

    needs_nick: ClassVar[bool] = True
    text: str | None


@dataclass(frozen=True, slots=True)
class Time:
    """``/time``."""

    needs_nick: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class Quit:
    """``/quit [reason]``, or ``exit`` / ``quit`` alone."""

    needs_nick: ClassVar[bool] = False
    reason: str


@dataclass(frozen=True, slots=True)
class Format:
    """``/format text|json``: how this session's lines are rendered."""

    needs_nick: ClassVar[bool] = False
    json: bool


Command = Say | Help | Nick | Join | Part | Rooms | Who | Users | Msg | Me | Topic | Time | Quit | Format


@dataclass(frozen=True, slots=True)
class Spec:
    """One row of the command table: how to parse it and how to explain it."""

    name: str
    arguments: str
    summary: str
    parse: Callable[[str], Command]

    @property
    def usage(self) -> str:
        """The command as ``/help`` shows it, e.g. ``/msg NICK text``."""
        return f"/{self.name} {self.arguments}".rstrip()


def _room_argument(word: str) -> str:
    """A room argument; ``lobby`` means ``#lobby``, as most chat users type it."""
    return word if word.startswith("#") else "#" + word


def _no_arguments(make: Callable[[], Command], name: str) -> Callable[[str], Command]:
    def parse(args: str) -> Command:
        if args:
            raise UsageError(f"/{name}")
        return make()

    return parse


def _one_word(make: Callable[[str], Command], usage: str) -> Callable[[str], Command]:
    def parse(args: str) -> Command:
        words = args.split()
        if len(words) != 1:
            raise UsageError(usage)
        return make(words[0])

    return parse


def _optional_room(make: Callable[[str | None], Command], usage: str) -> Callable[[str], Command]:
    def parse(args: str) -> Command:
        words = args.split()
        if len(words) > 1:
            raise UsageError(usage)
        return make(_room_argument(words[0]) if words else None)

    return parse


def _required_text(make: Callable[[str], Command], usage: str) -> Callable[[str], Command]:
    def parse(args: str) -> Command:
        if not args:
            raise UsageError(usage)
        return make(args)

    return parse


def _parse_part(args: str) -> Command:
    first, _, rest = args.partition(" ")
    if first.startswith("#"):
        return Part(first, rest.strip())
    return Part(None, args)


def _parse_msg(args: str) -> Command:
    nick, _, text = args.partition(" ")
    text = text.lstrip(" ")
    if not nick or not text:
        raise UsageError("/msg NICK text")
    return Msg(nick, text)


def _parse_format(args: str) -> Command:
    choice = args.lower()
    if choice not in ("text", "json"):
        raise UsageError("/format text|json")
    return Format(choice == "json")


COMMANDS: dict[str, Spec] = {
    spec.name: spec
    for spec in (
        Spec(
            "help",
            "[command]",
            "list the commands, or explain one",
            lambda a: Help(a.lstrip("/").lower() or None),
        ),
        Spec(
            "nick",
            "NAME",
            "choose or change your nickname",
            _one_word(Nick, "/nick NAME"),
        ),
        Spec(
            "join",
            "#room",
            "join a room (created if new) and talk there",
            _one_word(lambda w: Join(_room_argument(w)), "/join #room"),
        ),
        Spec(
            "part",
            "[#room] [reason]",
            "leave a room (default: the current one)",
            _parse_part,
        ),
        Spec(
            "rooms",
            "",
            "list the rooms with member counts and topics",
            _no_arguments(Rooms, "rooms"),
        ),
        Spec(
            "who",
            "[#room]",
            "list who is in a room (default: the current one)",
            _optional_room(Who, "/who [#room]"),
        ),
        Spec("users", "", "list everyone online", _no_arguments(Users, "users")),
        Spec("msg", "NICK text", "send a private message", _parse_msg),
        Spec(
            "me",
            "action",
            "act in the current room: /me waves",
            _required_text(Me, "/me action"),
        ),
        Spec(
            "topic",
            "[text]",
            "show or set the current room's topic",
            lambda a: Topic(a or None),
        ),
        Spec("time", "", "show the server's time (UTC)", _no_arguments(Time, "time")),
        Spec("quit", "[reason]", "leave the chat (or type exit)", Quit),
        Spec(
            "format",
            "text|json",
            "render lines for people (text) or programs (json)",
            _parse_format,
        ),
    )
}

_EXIT_WORDS = frozenset({"exit", "quit"})


def parse(text: str) -> Command:
    """Turn one line of text into a command; raises UsageError or UnknownCommandError."""
    if text.startswith("//"):
        return Say(text[1:])
    if not text.startswith("/"):
        if text.strip().lower() in _EXIT_WORDS:
            return Quit("")
        return Say(text)
    name, *args = text[1:].split(maxsplit=1) or [""]
    spec = COMMANDS.get(name.lower())
    if spec is None:
        raise UnknownCommandError(name)
    return spec.parse(args[0].strip() if args else "")
