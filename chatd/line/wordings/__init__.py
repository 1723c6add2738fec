"""The wording table's rows (chatd.line.wording), a module for each group of refusals: the chat's, accounts', rooms'
settings, files', and the front ends' own; the table puts them together.

Apart from the table, so that each group's sentences are read, and changed,
beside their like, and each module imports only the errors and the words
its own rows name. ``row`` is here, as every group's rows are made by it.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from chatd.domain.errors import ChatError

_E = TypeVar("_E", bound=ChatError)

Row = tuple[type[ChatError], Callable[[Any], str]]
"""One row of the table: an error type and the function of such an error giving its sentence."""


def row(kind: type[_E], wording: Callable[[_E], str]) -> tuple[type[ChatError], Callable[[Any], str]]:
    """One row of the table, typed so each wording reads only its own error's fields."""
    return kind, wording
