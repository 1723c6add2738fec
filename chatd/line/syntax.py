"""The shape of the command table and the argument readers its rows share.

Every row of the table (``chatd.line.table.COMMANDS``) is a ``Spec``: a
name, how ``/help`` shows its arguments, a summary, a parser from the text
after the name to a typed command, the handler that runs it, and the checks
made before it runs (a nickname first; operators only). The readers below
cover the common argument shapes, so each row states its shape instead of
re-implementing it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chatd.domain.durations import parse_duration
from chatd.line.errors import UsageError

if TYPE_CHECKING:
    from chatd.line.session import LineSession, Waiting


Command = object
"""A typed command: a frozen dataclass of the arguments a row's parser read."""

Handler = Callable[["LineSession", Any], "Waiting"]
"""What runs a command for a session; a Deferred means later lines wait for it."""


@dataclass(frozen=True, slots=True)
class Spec:
    """One row of the command table: how to parse it, explain it, check it and run it."""

    name: str
    arguments: str
    summary: str
    parse: Callable[[str], Command]
    run: Handler
    needs_nick: bool = True
    """Refused with NeedNicknameError before the session has a nickname."""
    operators: bool = False
    """Refused with NotOperatorError unless the session's user is an operator."""
    shows_chat: bool = False
    """Answers with what is in the chat (rooms, people): before a nickname, a banned address is refused it."""

    @property
    def usage(self) -> str:
        """The command as ``/help`` shows it, e.g. ``/msg NICK text``."""
        return f"/{self.name} {self.arguments}".rstrip()


def room_argument(word: str) -> str:
    """A room argument; ``lobby`` means ``#lobby``, as most chat users type it."""
    return word if word.startswith("#") else "#" + word


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
