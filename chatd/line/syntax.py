"""The shape of the command table and the argument readers its rows share.

Every row of the table (``chatd.line.table.COMMANDS``) is a ``Spec``: a
name, how ``/help`` shows its arguments, a summary, a parser from the text
after the name to a typed command, the handler that runs it, the checks
made before it runs (a nickname first; operators only), and what ``/help
NAME`` adds: the arguments explained and an example. The readers below
cover the common argument shapes, so each row states its shape instead of
re-implementing it; a room is read by one rule (``room_argument``) in every
command.
"""

import unicodedata
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING, Any

from chatd.domain.durations import parse_duration
from chatd.domain.names import ROOM_PREFIX
from chatd.line.errors import UsageError

if TYPE_CHECKING:
    from chatd.line.session import LineSession, Waiting


Command = object
"""A typed command: a frozen dataclass of the arguments a row's parser read."""

Handler = Callable[["LineSession", Any], "Waiting"]
"""What runs a command for a session; a Deferred means later lines wait for it."""


@dataclass(frozen=True, slots=True)
class Spec:
    """One row of the command table: how to parse it, explain it, check it and run it.

    ``/help`` shows ``usage`` and ``summary`` for every row; ``/help NAME``
    adds ``details`` (what each argument means) and ``example``, a line
    that tests/test_commands.py parses with this row, so help cannot drift
    from the parser.
    """

    name: str
    arguments: str
    summary: str
    parse: Callable[[str], Command]
    run: Handler
    needs_nick: bool = True
    """Refused with NeedNicknameError before the session has a nickname."""
    operators: bool = False
    """Refused with NotOperatorError unless the session's user is an operator."""
    _: KW_ONLY
    details: str
    """What the arguments mean and what happens, for ``/help NAME``."""
    example: str
    """A line using the command, for ``/help NAME``; it must parse to this row."""
    shows_chat: bool = False
    """Answers with what is in the chat (rooms, people): before a nickname, a banned address is refused it."""

    @property
    def usage(self) -> str:
        """The command as ``/help`` shows it, e.g. ``/msg NICK text``."""
        return f"/{self.name} {self.arguments}".rstrip()


def names_room(word: str) -> bool:
    """Whether ``word`` is written as a room: ``#`` first, or a sign NFKC makes ``#``.

    A Chinese or Japanese keyboard types the full-width sign (U+FF03); room
    names are read after NFKC, so it is the room's ``#`` too, not a name's
    first letter (``/join`` of it and ``dev`` was refused as ``##dev``, a
    name nobody typed).
    """
    return unicodedata.normalize("NFKC", word[:1]) == ROOM_PREFIX


def room_argument(word: str) -> str:
    """A room as typed: ``lobby`` means ``#lobby``, as most chat users type it, and a full-width sign first is
    ``#`` (``names_room``).

    The one rule for a room named in a command and for ``--default-room``
    (chatd.tap), so a bare name means the same room everywhere.
    """
    return ROOM_PREFIX + (word[1:] if names_room(word) else word)


@dataclass(frozen=True, slots=True)
class RoomThenText:
    """An optional room, then free text: what ``/part`` and ``/kick NICK`` take.

    A first word with ``#`` is a room. A bare first word (``lobby``) is a
    room only if a room of that name exists, which parsing cannot know:
    ``room`` then holds it as a room and ``whole`` the text as typed, to be
    taken whole (for the current room) if no such room exists
    (``LineSession.room_then_text`` decides).
    """

    room: str | None
    text: str
    whole: str | None = None


def room_then_text(args: str) -> RoomThenText:
    """Read an optional room and the text after it (see ``RoomThenText``)."""
    first, _, rest = args.partition(" ")
    if not first:
        return RoomThenText(None, "")
    if names_room(first):
        return RoomThenText(room_argument(first), rest.strip())
    return RoomThenText(room_argument(first), rest.strip(), args)


def no_arguments(make: Callable[[], Command], name: str) -> Callable[[str], Command]:
    """A parser for ``/name`` alone."""

    def parse(args: str) -> Command:
        if args:
            raise UsageError(f"/{name}")
        return make()

    return parse


def one_word(make: Callable[[str], Command], usage: str) -> Callable[[str], Command]:
    """A parser for exactly one word, such as a nickname."""

    def parse(args: str) -> Command:
        words = args.split()
        if len(words) != 1:
            raise UsageError(usage)
        return make(words[0])

    return parse


def optional_word(make: Callable[[str | None], Command], usage: str) -> Callable[[str], Command]:
    """A parser for one word or none."""

    def parse(args: str) -> Command:
        words = args.split()
        if len(words) > 1:
            raise UsageError(usage)
        return make(words[0] if words else None)

    return parse


def required_text(make: Callable[[str], Command], usage: str) -> Callable[[str], Command]:
    """A parser for free text that may not be empty."""

    def parse(args: str) -> Command:
        if not args:
            raise UsageError(usage)
        return make(args)

    return parse


def word_and_duration(make: Callable[[str, float | None], Command], usage: str) -> Callable[[str], Command]:
    """A parser for a word and an optional duration (``10m``, ``2h``, ``1d``; see chatd.domain.durations)."""

    def parse(args: str) -> Command:
        words = args.split()
        if not 1 <= len(words) <= 2:
            raise UsageError(usage)
        return make(words[0], parse_duration(words[1]) if len(words) == 2 else None)

    return parse
