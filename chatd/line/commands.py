"""Text a user typed -> a typed command; pure, no session or chat needed.

A line starting with ``/`` names a command (case-insensitive); ``//`` sends
a line that starts with ``/``; ``exit`` or ``quit`` alone leaves, as nc
users expect; anything else is said to the current room (or, before a
nickname is chosen, taken as the nickname). ``COMMANDS`` is the table that
parsing, ``/help`` and docs/PROTOCOL.md all follow; the commands for
operators and room owners are in chatd.line.moderation_commands.
"""

from dataclasses import dataclass
from typing import ClassVar

from chatd.line import moderation_commands
from chatd.line.errors import UnknownCommandError, UsageError
from chatd.line.syntax import (
    Command,
    Spec,
    no_arguments,
    one_word,
    optional_word,
    required_text,
    room_argument,
)


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


@dataclass(frozen=True, slots=True)
class Away:
    """``/away [text]``: no text means back again."""

    needs_nick: ClassVar[bool] = True
    text: str


@dataclass(frozen=True, slots=True)
class Whois:
    """``/whois NICK``."""

    needs_nick: ClassVar[bool] = False
    nick: str


@dataclass(frozen=True, slots=True)
class Ignore:
    """``/ignore [NICK]``: without a nickname, list those ignored."""

    needs_nick: ClassVar[bool] = True
    nick: str | None


@dataclass(frozen=True, slots=True)
class Unignore:
    """``/unignore NICK``."""

    needs_nick: ClassVar[bool] = True
    nick: str


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
            one_word(Nick, "/nick NAME"),
        ),
        Spec(
            "join",
            "#room",
            "join a room (created if new) and talk there",
            one_word(lambda w: Join(room_argument(w)), "/join #room"),
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
            no_arguments(Rooms, "rooms"),
        ),
        Spec(
            "who",
            "[#room]",
            "list who is in a room (default: the current one)",
            optional_word(lambda w: Who(room_argument(w) if w else None), "/who [#room]"),
        ),
        Spec("users", "", "list everyone online", no_arguments(Users, "users")),
        Spec("msg", "NICK text", "send a private message", _parse_msg),
        Spec(
            "me",
            "action",
            "act in the current room: /me waves",
            required_text(Me, "/me action"),
        ),
        Spec(
            "topic",
            "[text]",
            "show or set the current room's topic",
            lambda a: Topic(a or None),
        ),
        Spec("time", "", "show the server's time (UTC)", no_arguments(Time, "time")),
        Spec("quit", "[reason]", "leave the chat (or type exit)", Quit),
        Spec(
            "format",
            "text|json",
            "render lines for people (text) or programs (json)",
            _parse_format,
        ),
        Spec("away", "[text]", "say you are away (shown to who messages you); no text: back", Away),
        Spec("whois", "NICK", "show who someone is: rooms, away, operator", one_word(Whois, "/whois NICK")),
        Spec(
            "ignore",
            "[NICK]",
            "hide someone's messages from you; alone, list who you ignore",
            optional_word(Ignore, "/ignore [NICK]"),
        ),
        Spec("unignore", "NICK", "see someone's messages again", one_word(Unignore, "/unignore NICK")),
        *moderation_commands.ROWS,
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
