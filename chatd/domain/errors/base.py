"""ChatError, what every refusal of the chat is: a stable ``code`` and the fields behind it."""

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar


def _shown(value: object) -> str:
    """A field as logs show it: a rule by its stable value, anything else by its repr."""
    return str(value) if isinstance(value, StrEnum) else repr(value)


@dataclass(eq=False)
class ChatError(Exception):
    """A request the chat refuses: a stable ``code`` and the fields that say what was wrong.

    Subclasses are dataclasses whose fields are the data; they compare
    equal when their type and fields are, pickle through ``args`` (the
    field values, in order), and ``str`` gives the code and the fields for
    logs. Treat the fields as read-only.
    """

    code: ClassVar[str] = "error"

    def __post_init__(self) -> None:
        # BaseException pickles as cls(*args): keep args the field values.
        super().__init__(*self._values())

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, field.name) for field in dataclasses.fields(self))

    def __str__(self) -> str:
        """``bad-nick nick='bo ss' rule=bad-character limit=None``: the code and fields, for logs."""
        shown = [f"{field.name}={_shown(getattr(self, field.name))}" for field in dataclasses.fields(self)]
        return " ".join([self.code, *shown])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ChatError) or type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self), self._values()))
