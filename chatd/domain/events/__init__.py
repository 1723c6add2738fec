"""What happened in the chat, as plain data: every change of chat state is one event.

The chat builds one event per change, stamped by its injected clock (``at``:
seconds since the Unix epoch) and given a stable ``id`` (sortable, unique
in this daemon), and hands it to one seam (chatd.domain.publish) that applies
it to the state, keeps it in history, carries it on the bus and delivers it.
An event in a room also carries that room's sequence number ``seq`` (1, 2,
3, ... over the room's whole life, across its emptying and re-creation), so
history can be paged and a client can resume from the last it saw.

Events are complete on their own: ``actor`` is a snapshot of who acted (an
IRC front end builds ``nick!user@host`` from it, a browser its view),
never a live object, so storage and a message bus can keep and carry events
as they are. Events hold no sessions.

The classes live a module per area (``base``: what every event holds;
``talk``, ``presence``, ``rooms``, ``modes``, ``registry``, ``moderation``,
``accounts``); every one is named here, where the rest of chatd imports
them from, with the unions and tuples that gather them.
"""

from chatd.domain.events.accounts import (
    AccountDropped,
    AccountNotDropped,
    AccountNotKept,
    AccountRegistered,
    Identified,
    NicknameClaimed,
    PasswordChanged,
    PasswordSet,
)
from chatd.domain.events.base import CHAT, Actor
from chatd.domain.events.moderation import (
    BanAdded,
    BanLifted,
    Banned,
    Killed,
    Muted,
    ShuttingDown,
    Unmuted,
    Walled,
)
from chatd.domain.events.modes import ModeChange, RoomBan, RoomModesChanged, Setting
from chatd.domain.events.presence import (
    AddressChanged,
    AwayChanged,
    NickChanged,
    OperatorGranted,
    Quit,
    Registered,
)
from chatd.domain.events.registry import (
    RoomOperatorAdded,
    RoomOperatorRemoved,
    RoomRegistered,
    RoomRegistrationNotKept,
    RoomUnregistered,
)
from chatd.domain.events.rooms import CrowdTallied, Invited, Joined, Kicked, Parted, TopicChanged, TopicLocked
from chatd.domain.events.talk import Acted, Deleted, Encrypted, FileOffered, MessageNotKept, Said, Whispered

RoomEvent = (
    Said
    | Acted
    | Joined
    | Parted
    | TopicChanged
    | TopicLocked
    | Kicked
    | RoomRegistered
    | RoomUnregistered
    | RoomOperatorAdded
    | RoomOperatorRemoved
    | RoomModesChanged
    | Invited
)
"""The events that happen in one room and carry its sequence number."""

Event = (
    RoomEvent
    | Registered
    | Whispered
    | Encrypted
    | Quit
    | NickChanged
    | AwayChanged
    | AddressChanged
    | OperatorGranted
    | BanAdded
    | Banned
    | Killed
    | BanLifted
    | Muted
    | Unmuted
    | Walled
    | ShuttingDown
    | AccountRegistered
    | Identified
    | PasswordChanged
    | PasswordSet
    | AccountDropped
    | AccountNotKept
    | AccountNotDropped
    | MessageNotKept
    | NicknameClaimed
    | CrowdTallied
    | RoomRegistrationNotKept
    | FileOffered
    | Deleted
)
"""Every change of chat state."""

ROOM_EVENTS: tuple[type[RoomEvent], ...] = (
    Said,
    Acted,
    Joined,
    Parted,
    TopicChanged,
    TopicLocked,
    Kicked,
    RoomRegistered,
    RoomUnregistered,
    RoomOperatorAdded,
    RoomOperatorRemoved,
    RoomModesChanged,
    Invited,
)
MESSAGES: tuple[type[RoomEvent], ...] = (Said, Acted)
"""What people said in a room: the lines history reads give back (replay, /history), in either store."""
EVENTS: tuple[type[Event], ...] = (
    *ROOM_EVENTS,
    Registered,
    Whispered,
    Encrypted,
    Quit,
    NickChanged,
    AwayChanged,
    AddressChanged,
    OperatorGranted,
    BanAdded,
    Banned,
    Killed,
    BanLifted,
    Muted,
    Unmuted,
    Walled,
    ShuttingDown,
    AccountRegistered,
    Identified,
    PasswordChanged,
    PasswordSet,
    AccountDropped,
    AccountNotKept,
    AccountNotDropped,
    MessageNotKept,
    NicknameClaimed,
    CrowdTallied,
    RoomRegistrationNotKept,
    FileOffered,
    Deleted,
)
"""Every event class, for codecs and tests that must cover them all."""

Private = Whispered | Encrypted
"""A private message, readable or sealed: what mailboxes and two accounts' conversations keep."""

__all__ = [
    "CHAT",
    "EVENTS",
    "MESSAGES",
    "ROOM_EVENTS",
    "AccountDropped",
    "AccountNotDropped",
    "AccountNotKept",
    "AccountRegistered",
    "Acted",
    "Actor",
    "AddressChanged",
    "AwayChanged",
    "BanAdded",
    "BanLifted",
    "Banned",
    "CrowdTallied",
    "Deleted",
    "Encrypted",
    "Event",
    "FileOffered",
    "Identified",
    "Invited",
    "Joined",
    "Kicked",
    "Killed",
    "MessageNotKept",
    "ModeChange",
    "Muted",
    "NickChanged",
    "NicknameClaimed",
    "OperatorGranted",
    "Parted",
    "PasswordChanged",
    "PasswordSet",
    "Private",
    "Quit",
    "Registered",
    "RoomBan",
    "RoomEvent",
    "RoomModesChanged",
    "RoomOperatorAdded",
    "RoomOperatorRemoved",
    "RoomRegistered",
    "RoomRegistrationNotKept",
    "RoomUnregistered",
    "Said",
    "Setting",
    "ShuttingDown",
    "TopicChanged",
    "TopicLocked",
    "Unmuted",
    "Walled",
    "Whispered",
]
