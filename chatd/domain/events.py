"""What happened in the chat, as plain data.

The chat builds one event per happening, stamped by its injected clock
(``at``: seconds since the Unix epoch), and hands it to every front end that
has a recipient. Events hold display names, never sessions, so storage and
a message bus can keep and carry them as they are.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Said:
    """``nick`` said ``text`` in ``room``; a paste holds several lines joined by ``\\n``."""

    at: float
    room: str
    nick: str
    text: str


@dataclass(frozen=True, slots=True)
class Acted:
    """``nick`` performed an action in ``room`` (``/me waves``)."""

    at: float
    room: str
    nick: str
    text: str


@dataclass(frozen=True, slots=True)
class Whispered:
    """``nick`` sent ``text`` privately to ``to``; both of them receive it."""

    at: float
    nick: str
    to: str
    text: str


@dataclass(frozen=True, slots=True)
class Joined:
    """``nick`` entered ``room``."""

    at: float
    room: str
    nick: str


@dataclass(frozen=True, slots=True)
class Parted:
    """``nick`` left ``room``; ``reason`` may be empty."""

    at: float
    room: str
    nick: str
    reason: str


@dataclass(frozen=True, slots=True)
class Quit:
    """``nick`` left the chat (and so every room); ``reason`` may be empty."""

    at: float
    nick: str
    reason: str


@dataclass(frozen=True, slots=True)
class NickChanged:
    """The user called ``nick`` is now called ``new``."""

    at: float
    nick: str
    new: str


@dataclass(frozen=True, slots=True)
class TopicChanged:
    """``nick`` set the topic of ``room``; an empty topic clears it."""

    at: float
    room: str
    nick: str
    topic: str


Event = Said | Acted | Whispered | Joined | Parted | Quit | NickChanged | TopicChanged
