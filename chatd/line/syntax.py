"""The shape of the command table and the argument readers its rows share; pure.

Every row of the table (``chatd.line.commands.COMMANDS``) is a ``Spec``: a
name, how ``/help`` shows its arguments, a summary, and a parser from the
text after the name to a typed command. The readers below cover the common
argument shapes, so each command's row states its shape instead of
re-implementing it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol

from chatd.domain.durations import parse_duration
from chatd.line.errors import UsageError


class Command(Protocol):
    """A typed command: a frozen dataclass saying whether it needs a nickname first."""

    needs_nick: ClassVar[bool]


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
