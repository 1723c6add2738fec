"""Events and replies as the JSON objects clients read (``/format json``, the browser).

``client_fields`` is what a program on a front end reads (docs/PROTOCOL.md):
``type`` (the class name in snake_case), ``id``, ``at``, for a room event
``room`` and ``seq``, then the event's own fields, with the actor's nickname
as ``nick`` (or as ``by`` where ``nick`` names the user acted on: kicked,
banned, muted, invited), and a room's changes as objects (``setting``,
``on``, ``argument``). The actor's address is never in it, nor that of
anyone else an event names (the operator who gave an account up): they
too are their nickname.

The other form, the whole event as one JSON text for stores and buses, is
chatd.domain.encoding's. This one is pure and scrubs no text (renderers
do, at the edge).
"""

from dataclasses import asdict, fields
from typing import Any

from chatd.domain.encoding import type_name
from chatd.domain.events import EVENTS, ROOM_EVENTS, Actor, CrowdTallied, Event, RoomModesChanged
from chatd.domain.replies import Reply

_NOT_SHOWN = (
    "id",
    "at",
    "actor",
    "room",
    "seq",
    "to_account",
    "apart",
    "restored",
    "person",
    "made",
    "line_seq",
    "parts",
)
"""Fields a client is not given as its event's own: the first five it gets otherwise, a private
message's ``to_account`` only says who may read it back (the sender's account is not shown either),
a kick's ``person`` only whom its wait holds (it names the kicked user's account or address),
a kill's ``apart`` only how IRC tells the operator, and the masks a room's settings put back
``restored`` only whom the room's ban list names (``/mode #room +b`` shows it), and a join's ``made`` only what
a store gives back at start, and a deletion's ``line_seq`` only where the store finds the line (``line`` is its id),
its ``parts`` only how many msgids IRC gave the line."""

_OWN_FIELDS: dict[type, tuple[str, ...]] = {
    kind: tuple(
        f.name
        for f in fields(kind)
        if f.name not in _NOT_SHOWN or (f.name == "room" and kind not in ROOM_EVENTS)
    )
    for kind in EVENTS
}
"""Each event's own fields: ``room`` among them for an event that names a room but is no room event (a tally)."""

_OTHER_ACTORS: dict[type, tuple[str, ...]] = {
    kind: tuple(f.name for f in fields(kind) if f.type == Actor | None) for kind in EVENTS
}
"""Each event's fields that name someone besides the actor, if anyone: shown as their nickname, or null."""


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
    if "nick" not in own and kind is not CrowdTallied:
        # A tally is the chat's own count of a room: nobody acted.
        result["nick"] = event.actor.nick
    for name in own:
        result[name] = getattr(event, name)
        if name == "nick":
            result["by"] = event.actor.nick
    for name in _OTHER_ACTORS[kind]:
        other = result[name]
        result[name] = None if other is None else other.nick
    if isinstance(item, RoomModesChanged):
        result["changes"] = [asdict(change) for change in item.changes]
    return result
