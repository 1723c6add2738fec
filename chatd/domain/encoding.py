"""Each event as one JSON text, whole (actor and all): how stores keep events and buses carry them.

In the domain because both the storage and the bus sides need it and may
import only the domain (STYLE.md section 2); it is pure and does no I/O.
What a client reads of an event is another form, in chatd.frontend.codec.
"""

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import fields
from typing import Any

import orjson

from chatd.domain.events import EVENTS, Actor, Event, ModeChange, RoomBan, Setting


def type_name(kind: type) -> str:
    """``NickChanged`` -> ``nick_changed``: stable names taken from the classes."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower()


_BY_NAME: dict[str, type[Event]] = {type_name(kind): kind for kind in EVENTS}


class UndecodableEventError(ValueError):
    """A text from the bus or a store is not an event this daemon knows."""


_ENCODED: dict[type, tuple[str, tuple[str, ...]]] = {
    kind: (type_name(kind), tuple(f.name for f in fields(kind))) for kind in EVENTS
}
"""Each event class's type name and fields, worked out once: ``encode_event`` runs for every event
the SQLite store keeps, and the name's regular expression and ``fields`` were a third of its time."""


def json_bytes(value: Any) -> bytes:
    """``value`` as compact JSON in UTF-8, by orjson (a tenth of the standard library's time).

    orjson refuses integers past 64 bits, which JSON allows and a user may
    type (a page number, a count): those go to the standard library, which
    writes the same JSON. Anything else neither can write raises ``TypeError``.
    (orjson reads such an integer back as a float: ``decode_event`` reads
    events, whose every number the chat bounds; the pass log is read back
    by the standard library.)
    """
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def encode_event(event: Event) -> str:
    """The whole of ``event`` as one line of JSON, for the bus and the SQLite store."""
    name, names = _ENCODED[type(event)]
    data: dict[str, Any] = {"type": name}
    for field in names:
        value = getattr(event, field)
        if isinstance(value, Actor):
            value = [value.nick, value.address, value.account]
        elif field == "changes":
            value = change_rows(value)
        elif field == "restored":
            value = ban_rows(value)
        data[field] = value
    return json_bytes(data).decode()


def decode_event(text: str) -> Event:
    """The event ``encode_event`` gave ``text`` for; raises UndecodableEventError."""
    try:
        data = orjson.loads(text)
        kind = _BY_NAME[data.pop("type")]
        nick, address, account = data.pop("actor")
        if "changes" in data:
            data["changes"] = changes_of(data["changes"])
        if "restored" in data:
            data["restored"] = bans_of(data["restored"])
        # Events are frozen, so what they hold several of is a tuple (a room's changes, its operators).
        data = {name: tuple(value) if isinstance(value, list) else value for name, value in data.items()}
        return kind(actor=Actor(nick, address, account), **data)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise UndecodableEventError(f"not a chatd event: {error}") from None


def change_rows(changes: Iterable[ModeChange]) -> list[list[Any]]:
    """A room's changes (``RoomModesChanged.changes``) as JSON holds them, in an event or a store's statement:
    each [setting, on, argument]."""
    return [[change.setting, change.on, change.argument] for change in changes]


def changes_of(rows: Iterable[Sequence[Any]]) -> tuple[ModeChange, ...]:
    """The changes ``change_rows`` gave ``rows`` (as read back from JSON); raises ValueError or TypeError."""
    return tuple(ModeChange(Setting(setting), bool(on), str(argument)) for setting, on, argument in rows)


def ban_rows(bans: Iterable[RoomBan]) -> list[list[Any]]:
    """A room's ban masks (``RoomModesChanged.restored``, ``RoomSettings.bans``) as JSON holds them: each
    [mask, by, at]."""
    return [[ban.mask, ban.by, ban.at] for ban in bans]


def bans_of(rows: Iterable[Sequence[Any]]) -> tuple[RoomBan, ...]:
    """The masks ``ban_rows`` gave ``rows`` (as read back from JSON); raises ValueError or TypeError."""
    return tuple(RoomBan(str(mask), str(by), float(at)) for mask, by, at in rows)
