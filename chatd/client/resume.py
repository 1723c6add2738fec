"""Where the user left off, and the ``/resume`` lines that put them back after a reconnection.

Kept apart from ``presence.py``, which follows where the user is now:
this is what outlives a connection. Per room, the id of the latest line
said there that the user was shown, live or from history; and, once a
connection with a nickname is lost, the rooms the user was in and the
current one. The next greeting names each of those rooms, the current
room last, with that id where it has one (``/resume``, before the
nickname): choosing the nickname then puts the user back in exactly
those rooms, not the default room too, each join showing only what was
missed, and plain lines go where they went before.

Everything named here goes back to the server in a command, so a room
name or an id the server sent is kept only if it reads as one word of
its kind (``sendable_room``, ``_is_id``): a hostile server cannot make
the client send a command of its choosing.
"""

import re
from dataclasses import dataclass
from typing import TypeGuard

from chatd.client.shown import Message
from chatd.text import fold, scrub


@dataclass(frozen=True, slots=True)
class _Plan:
    """Where the user was when the connection was lost."""

    rooms: tuple[str, ...]
    current: str | None


class Resume:
    """The latest line seen of each room, and the rooms to come back to after a drop, if any."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[int, str]] = {}
        """The latest line shown of each room (by folded name): its ``seq`` and id, for ``/resume``."""
        self._plan: _Plan | None = None

    def saw(self, message: Message) -> None:
        """Note a line said in a room, if it is the latest of that room shown yet (history pages go back)."""
        room, seq, event_id = sendable_room(message, "room"), message.get("seq"), message.get("id")
        if room is None or not isinstance(seq, int) or not _is_id(event_id):
            return
        key = fold(room)
        if seq > self.seen.get(key, (0, ""))[0]:
            self.seen[key] = (seq, event_id)

    def remember(self, rooms: list[str], current: str | None) -> None:
        """The connection was lost with the user in ``rooms``, plain lines going to ``current``: come back to them."""
        self._plan = _Plan(tuple(rooms), current)

    def forget(self) -> None:
        """Nothing to come back to: the server answered the greeting's nickname, or took the user off the server."""
        self._plan = None

    def lines(self) -> list[str]:
        """The ``/resume`` lines that put the user back where they were; none on a first connection.

        Each room the user was in, the current one last (the server makes
        the last joined current), with the id of the last line seen there if
        any; ``/resume`` alone for a user who was in no room. Without them
        the server puts the user in the default room, and leaving it again
        was a join and a part everyone there saw (and its history kept).
        """
        plan = self._plan
        if plan is None:
            return []
        current = plan.current
        order = [room for room in plan.rooms if current is None or fold(room) != fold(current)]
        order += [current] if current is not None else []
        points = [(room, self.seen.get(fold(room))) for room in order]
        lines = [f"/resume {room} {point[1]}" if point else f"/resume {room}" for room, point in points]
        return lines or ["/resume"]


def sendable_room(message: Message, key: str) -> str | None:
    """A room name fit to send back in a command: scrubbed, one word, starting with #."""
    value = message.get(key)
    if not isinstance(value, str):
        return None
    room = scrub(value)
    return room if room.startswith("#") and len(room.split()) == 1 and room == room.strip() else None


_ID = re.compile("[0-9a-f]{16}")
"""An event id as docs/PROTOCOL.md gives it: 16 lowercase hex digits. The server answers ``ERR bad-id`` to
``/resume`` of any other word and does not put the user back in that room, so nothing else is kept."""


def _is_id(value: object) -> TypeGuard[str]:
    """An event id of the one form the server documents, fit to send back in a ``/resume``."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None
