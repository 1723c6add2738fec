"""A room's settings and its members' standing, changed as one event: the words for each, and the change.

``Setting`` is the front-end-neutral vocabulary the IRC front end maps its
mode letters onto and the line front end its ``/mode``; it and the change
built of it are apart from ``rooms``, whose events say who is in a room
rather than how it is set.
"""

from dataclasses import dataclass
from enum import StrEnum

from chatd.domain.events.base import InRoom


class Setting(StrEnum):
    """What one change of a room's settings or of someone's standing in it changes; the values are stable.

    Front-end-neutral words: an IRC front end maps its mode letters onto
    them (i, k, l, m, s, R, M, o, v, b), the line front end its ``/mode``.
    """

    INVITE_ONLY = "invite_only"
    """Only the invited, and those with authority in the room, may join."""
    KEY = "key"
    """Joining takes the room's key (a password)."""
    LIMIT = "limit"
    """At most that many members; the argument is the number as text."""
    MODERATED = "moderated"
    """Only the room's operators and voiced members speak."""
    SECRET = "secret"
    """Left out of room listings and ``whois`` for anyone not in the room."""
    REGISTERED_ONLY = "registered_only"
    """Only users identified to an account, and those with authority in the room, may join: a nickname alone
    is not enough, so whoever was muted or banned by nickname cannot come back under another one."""
    REGISTERED_SPEECH = "registered_speech"
    """Only members identified to an account, voiced members and those with authority speak."""
    OPERATOR = "operator"
    """A member's standing as one of the room's operators: the argument is their nickname."""
    VOICE = "voice"
    """A member's voice, which speaks in a moderated room: the argument is their nickname."""
    BAN = "ban"
    """A ban mask (chatd.domain.masks): the argument is the mask."""


@dataclass(frozen=True, slots=True)
class ModeChange:
    """One change to a room: ``setting`` turned ``on`` or off, with its ``argument``.

    ``argument`` is the key, the limit as text, the nickname, or the mask;
    ``""`` where there is none (a flag, or turning the key or the limit off).
    """

    setting: Setting
    on: bool
    argument: str = ""


@dataclass(frozen=True, slots=True)
class RoomBan:
    """A ban mask of a room, who set it (``by``, a nickname) and when (``at``, seconds since the epoch)."""

    mask: str
    by: str
    at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomModesChanged(InRoom):
    """``actor`` (with authority in ``room``) made ``changes``, in order, as one request.

    Only real changes are here: a request that asks for what already holds
    drops that part, and one with nothing left is not published.
    ``restored``: when the chat puts back a registered room's settings that
    its store could not change (chatd.domain.registry), the masks it sets
    again, each as it was set (who, when), which the store still keeps;
    empty for every other change.
    """

    changes: tuple[ModeChange, ...]
    restored: tuple[RoomBan, ...] = ()
