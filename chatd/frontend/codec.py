"""Events and replies as JSON objects: for clients (``/format json``, the browser) and for the bus.

Two forms of the same event:

- ``client_fields``: what a program on a front end reads (docs/PROTOCOL.md):
  ``type`` (the class name in snake_case), ``id``, ``at``, for a room event
  ``room`` and ``seq``, then the event's own fields, with the actor's
  nickname as ``nick`` (or as ``by`` where ``nick`` names the user acted
  on: kicked, banned, muted). The actor's address is never in it.
- ``encode_event`` / ``decode_event``: the whole event, actor and all, as one
  JSON text, so a bus can carry it to another daemon and get the same event
  back (a Redis bus, later, is the reader of ``decode_event``).

Both are pure; neither scrubs text (renderers do, at the edge).
"""

import json
import re
from dataclasses import asdict, fields
from typing import Any

from chatd.domain.events import EVENTS, ROOM_EVENTS, Actor, Event
from chatd.domain.replies import Reply


def type_name(kind: type) -> str:
    """``NickChanged`` -> ``nick_changed``: stable names taken from the classes."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower()


_BY_NAME: dict[str, type[Event]] = {type_name(kind): kind for kind in EVENTS}
_NOT_SHOWN = ("id", "at", "actor", "room", "seq", "to_account")
"""Fields a client is not given as its event's own: the first five it gets otherwise, and a private
message's ``to_account`` only says who may read it back (the sender's account is not shown either)."""

_OWN_FIELDS: dict[type, tuple[str, ...]] = {
    kind: tuple(f.name for f in fields(kind) if f.name not in _NOT_SHOWN) for kind in EVENTS
}


class UndecodableEventError(ValueError):
    """A text from the bus is not an event this daemon knows."""


def client_fields(item: Event | Reply) -> dict[str, Any]:
    """``item`` as the JSON object a client reads, ``type`` first."""
    kind = type(item)
    own = _OWN_FIELDS.get(kind)
    if own is None:
        return {"type": type_name(kind), **asdict(item)}
    event: Any = item
    result: dict[str, Any] = {"type": type_name(kind), "id": event.id, "at": event.at}
    if isinstance(item, ROOM_EVENTS):
        result["room"] = item.room
        result["seq"] = item.seq
    if "nick" not in own:
        result["nick"] = event.actor.nick
    for name in own:
        result[name] = getattr(event, name)
        if name == "nick":
            result["by"] = event.actor.nick
    return result


_ENCODED: dict[type, tuple[str, tuple[str, ...]]] = {
    kind: (type_name(kind), tuple(f.name for f in fields(kind))) for kind in EVENTS
}
"""Each event class's type name and fields, worked out once: ``encode_event`` runs for every event
the SQLite store keeps, and the name's regular expression and ``fields`` were a third of its time."""


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""``encode_event``'s encoder, made once: ``json.dumps`` with any option makes a new one for every call."""


def encode_event(event: Event) -> str:
    """The whole of ``event`` as one line of JSON, for the bus and the SQLite store."""
    name, names = _ENCODED[type(event)]
    data: dict[str, Any] = {"type": name}
    for field in names:
        value = getattr(event, field)
        data[field] = [value.nick, value.address, value.account] if isinstance(value, Actor) else value
    return _ENCODER.encode(data)


def decode_event(text: str) -> Event:
    """The event ``encode_event`` gave ``text`` for; raises UndecodableEventError."""
    try:
        data = json.loads(text)
        kind = _BY_NAME[data.pop("type")]
        nick, address, account = data.pop("actor")
        return kind(actor=Actor(nick, address, account), **data)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise UndecodableEventError(f"not a chatd event: {error}") from None
