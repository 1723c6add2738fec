"""The command table: one row per command, and how a line of text becomes a row and its command.

A line starting with ``/`` names a command (case-insensitive); ``//`` sends
a line that starts with ``/``; ``exit`` or ``quit`` alone leaves, as nc
users expect; anything else is a plain line (``LINE``), said to the
current room or, before a nickname is chosen, taken as the nickname.
``COMMANDS`` is the table that parsing, the checks before a command runs,
running it, ``/help`` and docs/PROTOCOL.md all follow: each row names its
parser (chatd.line.commands, chatd.line.moderation_commands) and its
handler (chatd.line.talk, chatd.line.moderation).
"""

from typing import TYPE_CHECKING, NamedTuple

from chatd.domain.listing import PAGE_SIZE
from chatd.line import commands as cmd
from chatd.line import moderation, talk
from chatd.line import moderation_commands as mod
from chatd.line.errors import UnknownCommandError
from chatd.line.render import Notice
from chatd.line.syntax import (
    Command,
    Spec,
    no_arguments,
    one_word,
    optional_word,
    required_text,
    room_argument,
    word_and_duration,
)

if TYPE_CHECKING:
    from chatd.line.session import LineSession

HELP_FOOTER = "Other lines go to the current room; start one with // to begin it with /."


class Request(NamedTuple):
    """A parsed line: the row it follows and the command it gives."""

    row: Spec
    command: Command


def _help(session: "LineSession", command: cmd.Help) -> None:
    if command.command is None:
        rows = list(COMMANDS.values())
    elif command.command in COMMANDS:
        rows = [COMMANDS[command.command]]
    else:
        raise UnknownCommandError(command.command)
    for row in rows:
        session.send(Notice("help", f"{row.usage} - {row.summary}"))
    if command.command is None:
        session.send(Notice("help", HELP_FOOTER))


LINE = Spec("", "text", "say a line in the current room", cmd.Say, talk.say)
"""The row of a plain line, not a command: /help does not list it."""

COMMANDS: dict[str, Spec] = {
    row.name: row
    for row in (
        Spec(
            "help",
            "[command]",
            "list the commands, or explain one",
            lambda a: cmd.Help(a.lstrip("/").lower() or None),
            _help,
            needs_nick=False,
        ),
        Spec(
            "nick",
            "NAME",
            "choose or change your nickname",
            one_word(cmd.Nick, "/nick NAME"),
            talk.nick,
            needs_nick=False,
        ),
        Spec(
            "join",
            "#room",
            "join a room (created if new) and talk there",
            one_word(lambda w: cmd.Join(room_argument(w)), "/join #room"),
            talk.join,
        ),
        Spec(
            "part", "[#room] [reason]", "leave a room (default: the current one)", cmd.parse_part, talk.part
        ),
        Spec(
            "rooms",
            "[PAGE]",
            f"list the rooms with member counts and topics, {PAGE_SIZE} a page",
            cmd.parse_page(cmd.Rooms, "/rooms [PAGE]"),
            talk.list_rooms,
            needs_nick=False,
            shows_chat=True,
        ),
        Spec(
            "who",
            "[#room [PAGE]]",
            f"list who is in a room (default: the current one), {PAGE_SIZE} a page",
            cmd.parse_who,
            talk.who,
            needs_nick=False,
            shows_chat=True,
        ),
        Spec(
            "users",
            "[PAGE]",
            f"list everyone online, {PAGE_SIZE} a page",
            cmd.parse_page(cmd.Users, "/users [PAGE]"),
            talk.list_users,
            needs_nick=False,
            shows_chat=True,
        ),
        Spec("msg", "NICK text", "send a private message", cmd.parse_msg, talk.msg),
        Spec(
            "me",
            "action",
            "act in the current room: /me waves",
            required_text(cmd.Me, "/me action"),
            talk.act,
        ),
        Spec(
            "topic",
            "[text]",
            "show or set the current room's topic",
            lambda a: cmd.Topic(a or None),
            talk.topic,
        ),
        Spec(
            "time",
            "",
            "show the server's time (UTC)",
            no_arguments(cmd.Time, "time"),
            talk.show_time,
            needs_nick=False,
        ),
        Spec("quit", "[reason]", "leave the chat (or type exit)", cmd.Quit, talk.leave, needs_nick=False),
        Spec(
            "format",
            "text|json",
            "render lines for people (text) or programs (json)",
            cmd.parse_format,
            talk.set_format,
            needs_nick=False,
        ),
        Spec(
            "away",
            "[text]",
            "say you are away (shown to who messages you); no text: back",
            cmd.Away,
            talk.away,
        ),
        Spec(
            "whois",
            "NICK",
            "show who someone is: rooms, away, operator",
            one_word(cmd.Whois, "/whois NICK"),
            talk.whois,
            needs_nick=False,
            shows_chat=True,
        ),
        Spec(
            "ignore",
            "[NICK]",
            "hide someone's messages from you; alone, list who you ignore",
            optional_word(cmd.Ignore, "/ignore [NICK]"),
            talk.ignore,
        ),
        Spec(
            "unignore",
            "NICK",
            "see someone's messages again",
            one_word(cmd.Unignore, "/unignore NICK"),
            talk.unignore,
        ),
        Spec("oper", "NAME PASSWORD", "become an operator", mod.parse_oper, moderation.oper),
        Spec(
            "kick",
            "NICK [#room] [reason]",
            "put someone out of a room (owner, operators)",
            mod.parse_kick,
            moderation.kick,
        ),
        Spec(
            "lock",
            "",
            "let only the owner and operators set this room's topic",
            no_arguments(lambda: mod.Lock(True), "lock"),
            moderation.lock,
        ),
        Spec(
            "unlock",
            "",
            "let every member set this room's topic",
            no_arguments(lambda: mod.Lock(False), "unlock"),
            moderation.lock,
        ),
        Spec(
            "ban",
            "[NICK|ADDRESS [duration]]",
            "keep a nickname or address off the server, e.g. 2h; alone, list bans (operators)",
            mod.parse_ban,
            moderation.ban,
            operators=True,
        ),
        Spec(
            "unban",
            "NICK|ADDRESS",
            "lift a ban (operators)",
            one_word(mod.Unban, "/unban NICK|ADDRESS"),
            moderation.unban,
            operators=True,
        ),
        Spec(
            "mute",
            "NICK [duration]",
            "refuse someone's messages, e.g. for 10m (operators)",
            word_and_duration(mod.Mute, "/mute NICK [duration]"),
            moderation.mute,
            operators=True,
        ),
        Spec(
            "unmute",
            "NICK",
            "lift a mute (operators)",
            one_word(mod.Unmute, "/unmute NICK"),
            moderation.unmute,
            operators=True,
        ),
        Spec(
            "wall",
            "text",
            "say something to everyone online (operators)",
            required_text(mod.Wall, "/wall text"),
            moderation.wall,
            operators=True,
        ),
        Spec(
            "shutdown",
            "[reason]",
            "tell everyone, then stop the server (operators)",
            mod.Shutdown,
            moderation.shutdown,
            operators=True,
        ),
    )
}

_EXIT_WORDS = frozenset({"exit", "quit"})


def parse(text: str) -> Request:
    """The row and command of one line of text; raises UsageError or UnknownCommandError."""
    if text.startswith("//"):
        return Request(LINE, cmd.Say(text[1:]))
    if not text.startswith("/"):
        if text.strip().lower() in _EXIT_WORDS:
            return Request(COMMANDS["quit"], cmd.Quit(""))
        return Request(LINE, cmd.Say(text))
    name, *args = text[1:].split(maxsplit=1) or [""]
    row = COMMANDS.get(name.lower())
    if row is None:
        raise UnknownCommandError(name)
    return Request(row, row.parse(args[0].strip() if args else ""))
