"""The wording table's rows (chatd.line.wording), a module for each group of refusals: the chat's, accounts', rooms'
settings, files', and the front ends' own; the table puts them together.

Apart from the table, so that each group's sentences are read, and changed,
beside their like, and each module imports only the errors and the words
its own rows name. ``row`` is here, as every group's rows are made by it, and ``quoted``, as every sentence
that quotes what was typed does.
"""

import re
from collections.abc import Callable
from typing import Any, TypeVar

from chatd.domain.errors import ChatError
from chatd.domain.names import INVISIBLE

_E = TypeVar("_E", bound=ChatError)

Row = tuple[type[ChatError], Callable[[Any], str]]
"""One row of the table: an error type and the function of such an error giving its sentence."""


def row(kind: type[_E], wording: Callable[[_E], str]) -> tuple[type[ChatError], Callable[[Any], str]]:
    """One row of the table, typed so each wording reads only its own error's fields."""
    return kind, wording


def quoted(text: str) -> str:
    """``text`` in quotes as Python's ``repr`` writes it (controls escaped), and every character that shows as
    nothing (chatd.domain.names.INVISIBLE) escaped too: ``repr`` prints a Hangul filler as it is, so a user refused
    for one saw ``''`` with a blank between, and no way to tell what was wrong."""
    return INVISIBLE.sub(_escaped, repr(text))


def _escaped(found: re.Match[str]) -> str:
    """One character as Python writes its escape (``\\u3164``, ``\\U000e0041``)."""
    return found.group().encode("unicode_escape").decode("ascii")
