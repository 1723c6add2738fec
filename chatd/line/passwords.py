"""How the line port reads a password: one rule for every command that takes one; pure.

A password is the rest of the line, spaces and all, except that one wrapped
whole in double quotes is the words inside them: ``/register "my pass"``
registers ``my pass``, the password ``/password "my pass" NEW`` then reads
as OLD (where the quotes are needed, OLD being followed by NEW). Read one
way everywhere, what a user quoted in one command they may quote, or not, in
the next. Quotes anywhere else are characters of the password.

Before this rule ``/register`` and ``/unregister`` kept the quotes, so
accounts registered with a quoted password have the quotes in their hash. A
check of a quoted password therefore also accepts it with its quotes
(``Typed.as_typed``), and those owners identify as they always did.
"""

from dataclasses import dataclass, field

QUOTE = '"'


@dataclass(frozen=True, slots=True)
class Typed:
    """A password to check, as a command gave it: ``text`` is what it reads as, ``quoted`` whether it was wrapped
    in double quotes. Never in a ``repr``: a command may end up in a traceback."""

    text: str = field(repr=False)
    quoted: bool = False

    @property
    def as_typed(self) -> str | None:
        """The password with its quotes, as ``/register`` kept it before quotes were read (module docstring): a
        check accepts it too. None when it had no quotes."""
        return f"{QUOTE}{self.text}{QUOTE}" if self.quoted else None


def read_password(text: str) -> Typed:
    """``text`` (a command's rest of line, already stripped of leading spaces) read as one password."""
    if len(text) >= 2 and text.startswith(QUOTE) and text.endswith(QUOTE):
        return Typed(text[1:-1], quoted=True)
    return Typed(text)


def first_password(text: str) -> tuple[Typed, str]:
    """The first of two passwords in ``text`` (one word, or words in double quotes), and the rest of the line
    after it with its leading spaces dropped (empty when there is none)."""
    if text.startswith(QUOTE) and f"{QUOTE} " in text[1:]:
        inside, _, rest = text[1:].partition(f"{QUOTE} ")
        return Typed(inside, quoted=True), rest.lstrip(" ")
    word, _, rest = text.partition(" ")
    return read_password(word), rest.lstrip(" ")
