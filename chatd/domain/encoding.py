"""Each event as one JSON text, whole (actor and all): how stores keep events and buses carry them.

In the domain because both the storage and the bus sides need it and may
import only the domain (STYLE.md section 2); it is pure and does no I/O.
What a client reads of an event is another form, in chatd.frontend.codec.
"""

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from typing import Any, cast

import orjson

from chatd.domain.events import EVENTS, Actor, Event, ModeChange, RoomBan, Setting


def type_name(kind: type) -> str:
    """``NickChanged`` -> ``nick_changed``: stable names taken from the classes."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower()


_BY_NAME: dict[str, type[Event]] = {type_name(kind): kind for kind in EVENTS}

_MAYBE_ACTOR = Actor | None
"""The type of a field naming someone besides the actor, if anyone (``AccountDropped.operator``): encoded as the
actor is, or null."""

_OTHER_ACTORS: dict[str, tuple[str, ...]] = {
    type_name(kind): tuple(field.name for field in fields(kind) if field.type == _MAYBE_ACTOR)
    for kind in EVENTS
}
"""Each event type's fields of ``_MAYBE_ACTOR``, by type name, for ``decode_event`` to make Actors again."""


class UndecodableEventError(ValueError):
    """A text from the bus or a store is not an event this daemon knows."""


def _object_maker(kind: type[Event]) -> "Callable[[Any], dict[str, Any]]":
    """A function giving an event of class ``kind`` as the JSON object ``encode_event`` writes: its type name,
    then each field in order; an ``Actor`` as [nick, address, account], a room's changes and ban masks as rows.

    Written out for the class once, as ``dataclasses`` writes ``__init__``:
    ``encode_event`` runs on the reactor for every event the SQLite store
    keeps, and with a loop over the fields (a ``getattr``, an ``isinstance``
    and two comparisons each) it took 14,900 instructions for a line said,
    and with this 8,400: the store's part of a line on the reactor's thread
    fell by a third (docs/PERFORMANCE.md, "A line said, counted").
    """
    lines = ["def make(event):"]
    items = [f"'type': {type_name(kind)!r}"]
    for field in fields(kind):
        # Field names are the dataclass's own identifiers, so they go into the source as they are.
        value = f"event.{field.name}"
        if field.type is Actor:
            lines.append(f"    {field.name} = {value}")
            value = f"[{field.name}.nick, {field.name}.address, {field.name}.account]"
        elif field.type == _MAYBE_ACTOR:
            lines.append(f"    {field.name} = {value}")
            value = f"None if {field.name} is None else [{field.name}.nick, {field.name}.address, {field.name}.account]"
        elif field.name == "changes":
            value = f"change_rows({value})"
        elif field.name == "restored":
            value = f"ban_rows({value})"
        items.append(f"{field.name!r}: {value}")
    lines.append(f"    return {{{', '.join(items)}}}")
    made: dict[str, Any] = {}
    exec("\n".join(lines), {"change_rows": change_rows, "ban_rows": ban_rows}, made)
    return cast("Callable[[Any], dict[str, Any]]", made["make"])


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
    return json_bytes(_OBJECTS[type(event)](event)).decode()


def decode_event(text: str) -> Event:
    """The event ``encode_event`` gave ``text`` for; raises UndecodableEventError."""
    try:
        data = orjson.loads(text)
        kind_name = data.pop("type")
        kind = _BY_NAME[kind_name]
        nick, address, account = data.pop("actor")
        for other in _OTHER_ACTORS[kind_name]:
            if data.get(other) is not None:
                data[other] = Actor(*data[other])
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


_OBJECTS = {kind: _object_maker(kind) for kind in EVENTS}
"""Each event class's ``_object_maker``, made once at import."""
