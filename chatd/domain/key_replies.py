"""The answers to ``/key``, as plain data: an account's keys, and pages of the key log they are checked against.

As the chat's replies (chatd.domain.replies), these go to the asker alone;
they are apart because they speak of the key log (chatd.domain.keylog,
issue 17), which the rest of the chat's answers never touch.
"""

from dataclasses import dataclass

from chatd.domain.keylog import KeyEntry


@dataclass(frozen=True, slots=True)
class KeyChanged:
    """The answer to ``/key publish`` or ``/key drop``: ``account`` has ``key`` now (or no more); the log's head."""

    account: str
    key: str
    seq: int
    head: str


@dataclass(frozen=True, slots=True)
class KeyPublished(KeyChanged):
    """``key`` is one of ``account``'s keys (published now, or already)."""


@dataclass(frozen=True, slots=True)
class KeyDropped(KeyChanged):
    """``key`` is no longer one of ``account``'s keys."""


@dataclass(frozen=True, slots=True)
class Keys:
    """The keys of the account that owns ``nick`` (``account``), oldest first, as the log stands at (seq, head)."""

    nick: str
    account: str
    keys: tuple[str, ...]
    seq: int
    head: str


@dataclass(frozen=True, slots=True)
class KeyLog:
    """The log's ``entries`` from some seq on, at most ``LOG_PAGE``; ``more`` if later ones were left out.

    ``wait`` is the seconds a reader should let pass before it asks for the
    next page, so that reading a long log never has it told it floods nor cut
    off: the front end, which holds the connection's flood budget, sets it
    (0 when there is no next page).
    """

    entries: tuple[KeyEntry, ...]
    seq: int
    head: str
    more: bool
    wait: float = 0.0
