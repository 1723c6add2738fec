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


@dataclass(frozen=True, slots=True)
class TopicLocked:
    """``nick`` locked the topic of ``room`` (only its owner and operators may set it) or, if not ``locked``, unlocked it."""

    at: float
    room: str
    nick: str
    locked: bool


@dataclass(frozen=True, slots=True)
class Kicked:
    """``by`` (the room's owner or an operator) put ``nick`` out of ``room``; ``reason`` may be empty."""

    at: float
    room: str
    nick: str
    by: str
    reason: str


@dataclass(frozen=True, slots=True)
class Banned:
    """Operator ``by`` banned ``nick`` (or their address) and so took them off the server.

    ``until`` is when the ban ends, or None if it lasts until lifted (or the server restarts).
    """

    at: float
    nick: str
    by: str
    until: float | None


@dataclass(frozen=True, slots=True)
class Muted:
    """Operator ``by`` muted ``nick`` until ``until`` (None: until unmuted)."""

    at: float
    nick: str
    by: str
    until: float | None


@dataclass(frozen=True, slots=True)
class Unmuted:
    """Operator ``by`` lifted the mute on ``nick``."""

    at: float
    nick: str
    by: str


@dataclass(frozen=True, slots=True)
class Walled:
    """Operator ``nick`` said ``text`` to everyone online."""

    at: float
    nick: str
    text: str


@dataclass(frozen=True, slots=True)
class ShuttingDown:
    """Operator ``nick`` is stopping the server; ``reason`` may be empty. The last event anyone gets."""

    at: float
    nick: str
    reason: str


Event = (
    Said
    | Acted
    | Whispered
    | Joined
    | Parted
    | Quit
    | NickChanged
    | TopicChanged
    | TopicLocked
    | Kicked
    | Banned
    | Muted
    | Unmuted
    | Walled
    | ShuttingDown
)
