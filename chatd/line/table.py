"""The command table: one row per command, and how a line of text becomes a row and its command.

A line starting with ``/`` names a command (case-insensitive); ``//`` sends
a line that starts with ``/``; ``exit`` or ``quit`` alone leaves, as nc
users expect; anything else is a plain line (``LINE``), said to the
current room or, before a nickname is chosen, taken as the nickname.
``COMMANDS`` is the table that parsing, the checks before a command runs,
running it, ``/help`` and docs/PROTOCOL.md all follow: each row names its
parser (chatd.line.commands, chatd.line.moderation_commands) and its
handler (chatd.line.talk, chatd.line.history, chatd.line.search,
chatd.line.accounts, chatd.line.moderation). The rows are kept in
chatd.line.rows, a module for each group of commands; here are the table in
``/help``'s order, the one row that reads the table itself (``/help``), and
parsing.
"""

from typing import TYPE_CHECKING, NamedTuple

from chatd.line import commands as cmd
from chatd.line import talk
from chatd.line.errors import UnknownCommandError
from chatd.line.render import Notice
from chatd.line.rows.accounts import ACCOUNTS
from chatd.line.rows.moderation import MODERATION
from chatd.line.rows.presence import PRESENCE
from chatd.line.rows.session import SESSION
from chatd.line.rows.talk import TALK
from chatd.line.syntax import Command, Spec
from chatd.text import EXIT_WORDS

if TYPE_CHECKING:
    from chatd.line.session import LineSession

HELP_FOOTER = "Other lines go to the current room; start one with // to begin it with /."

NAMING_FOOTER = (
    "You have no nickname yet: type the one you want (NICK PASSWORD for a registered one); "
    "/help nick says what it may hold."
)
"""The last line of ``/help`` before a nickname, when a plain line chooses one rather than going to a room."""

NAMING_HINT = (
    "Type the nickname you want to use; /help lists the commands (/nick help, if you want to be called help)."
)
"""The answer to ``chatd.text.HELP_WORD`` alone where a nickname was asked for: one line, not the nickname."""


class Request(NamedTuple):
    """A parsed line: the row it follows and the command it gives."""

    row: Spec
    command: Command


def _help(session: "LineSession", command: cmd.Help) -> None:
    if command.bare:
        session.send(Notice("help", NAMING_HINT))
        return
    if command.command is None:
        for row in COMMANDS.values():
            session.send(Notice("help", f"{row.usage} - {row.summary}", _help_fields(row)))
        session.send(Notice("help", HELP_FOOTER if session.user is not None else NAMING_FOOTER))
        return
    asked = COMMANDS.get(command.command)
    if asked is None:
        raise UnknownCommandError(command.command, likely(command.command))
    fields = {**_help_fields(asked), "details": asked.details, "example": asked.example}
    more = (asked.details, f"Example: {asked.example}")
    session.send(Notice("help", f"{asked.usage} - {asked.summary}", fields, more))


def _help_fields(row: Spec) -> dict[str, object]:
    return {"command": row.name, "usage": row.usage, "summary": row.summary}


LINE = Spec(
    "",
    "text",
    "say a line in the current room",
    cmd.Say,
    talk.say,
    details="Any line that is not a command goes to the room you last joined.",
    example="hello everyone",
)
"""The row of a plain line, not a command: /help does not list it."""

COMMANDS: dict[str, Spec] = {
    row.name: row
    for row in (
        Spec(
            "help",
            "[command]",
            "list the commands, or explain one",
            cmd.parse_help,
            _help,
            needs_nick=False,
            details="Alone, one line per command; with a command's name (with or without /), "
            "what its arguments mean and an example.",
            example="/help msg",
        ),
        *PRESENCE,
        *TALK,
        *SESSION,
        *ACCOUNTS,
        *MODERATION,
    )
}


def parse(text: str) -> Request:
    """The row and command of one line of text; raises UsageError or UnknownCommandError."""
    if text.startswith("//"):
        return Request(LINE, cmd.Say(text[1:]))
    if not text.startswith("/"):
        if text.strip().lower() in EXIT_WORDS:
            return Request(COMMANDS["quit"], cmd.Quit(""))
        return Request(LINE, cmd.Say(text))
    name, *args = text[1:].split(maxsplit=1) or [""]
    row = COMMANDS.get(name.lower())
    if row is None:
        raise UnknownCommandError(name, likely(name))
    return Request(row, row.parse(args[0].strip() if args else ""))


IRC_HABITS = {
    "names": "who",
    "list": "rooms",
    "j": "join",
    "leave": "part",
    "query": "msg",
    "privmsg": "msg",
    "notice": "msg",
    "nickserv": "register",
    "ns": "register",
    "exit": "quit",
}
"""What people used to IRC type, and the command here that does it: ``/names`` is ``/who``, ``/list`` is
``/rooms``. Told as a suggestion, never run in its stead: a command's words are the ones ``/help`` shows."""


def likely(name: str) -> str | None:
    """The command a user who typed ``/name`` probably meant: IRC's name for it, one that begins with it (``/hist``),
    or one a slip of a key away (``/jion``, ``/mgs``: a letter wrong, missing, extra or swapped; two in a long
    name); None unless exactly one is. Only said in the refusal, so a wrong guess costs nothing."""
    folded = name.lower()
    if folded in IRC_HABITS:
        return IRC_HABITS[folded]
    begun = [command for command in COMMANDS if len(folded) >= 3 and command.startswith(folded)]
    slips = 1 if len(folded) < 6 else 2
    close = begun or [command for command in COMMANDS if _slips(folded, command) <= slips]
    return close[0] if len(close) == 1 else None


def _slips(typed: str, meant: str) -> int:
    """How many letters of ``typed`` are wrong, missing, extra or swapped with the next against ``meant`` (their
    optimal string alignment distance)."""
    if abs(len(typed) - len(meant)) > 2:
        return 3
    rows = [list(range(len(meant) + 1))]
    for i, letter in enumerate(typed, 1):
        row = [i]
        for j, other in enumerate(meant, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (letter != other)))
            if i > 1 and j > 1 and letter == meant[j - 2] and typed[i - 2] == other:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]
