"""Who the user is on the server and where: kept from the JSON events alone.

The server never says "you are in these rooms"; the client keeps count
from what it is told: its own ``joined``, ``parted`` and ``kicked``
events, its own ``banned``, ``killed`` and ``nick_changed``, and the order in which
the server answers (documented in docs/PROTOCOL.md). After a reconnection, ``Presence`` says which lines
put the user back under the same nickname in the same rooms, the current
room last, so plain lines go where they went before.

It also keeps, per room, the id of the latest line said there that the
user was shown, live or from history; coming back, it names each room it
returns to with that id (``/resume``, before the nickname, so the join to
the default room uses it too), and each join shows only what was missed.
"""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeGuard

from chatd.client.render import Message
from chatd.text import EXIT_WORDS, HELP_WORD, fold, scrub


@dataclass(frozen=True, slots=True)
class _Plan:
    """Where the user was when the connection was lost."""

    rooms: tuple[str, ...]
    current: str | None


@dataclass(frozen=True, slots=True)
class Answer:
    """The server's answer to a nickname the client asked for: accepted, or refused with an error."""

    nick: str
    code: str | None = None
    """The error code of a refusal (``nick-in-use``...), None if the nickname was accepted."""
    text: str = ""
    """The server's words for a refusal, scrubbed."""


ROOMS_KEPT = 256
"""Rooms the client remembers being in, the newest kept: a server lets one be in 20 by default, and a hostile one
that sent 20,000 joins had each checked against all those before it, a minute of the core."""


class Presence:
    """The user's nickname, rooms (in join order) and current room, as the server last told them."""

    def __init__(self, nick: str | None = None, password: str | None = None) -> None:
        self.nick: str | None = None
        """The nickname on the live connection; None until the server accepts one."""
        self.wanted: str | None = unicodedata.normalize("NFKC", nick) if nick else None
        """The nickname to ask for on connecting: ``--nick``, then the last one the server accepted."""
        self.rooms: list[str] = []
        self.current: str | None = None
        """The room plain lines go to, as the server decides it: the last joined or switched to."""
        self.asked: str | None = None
        """A nickname sent and not answered yet: the server's next ``nick`` notice or error answers it."""
        self._identify = (self.wanted, password) if self.wanted and password else None
        """The account and password to identify with on every connection (``--identify``), if any."""
        self.seen: dict[str, tuple[int, str]] = {}
        """The latest line shown of each room (by folded name): its ``seq`` and id, for ``/resume``."""
        self._plan: _Plan | None = None
        self._registering = False
        self._after_my_part = False
        self._current_from_members = False

    def greeting(self) -> list[str]:
        """The lines to send first on every connection: JSON lines, where the user left off, then the nickname.

        With a password (``--identify``) the nickname is the account's, and
        ``/identify NICK PASSWORD`` names the user: the connect form for a
        client that speaks JSON (docs/PROTOCOL.md).
        """
        # /nick, not a bare line: a nickname such as "exit" must not read as a command.
        self.asked = self.wanted
        rooms = self._plan.rooms if self._plan is not None else ()
        points = [(room, self.seen.get(fold(room))) for room in rooms]
        resume = [f"/resume {room} {point[1]}" for room, point in points if point is not None]
        if self._identify is not None:
            # The account's nickname, whatever the user was called when the link dropped: that is what it proves.
            account, password = self._identify
            self.asked = account
            return ["/format json", *resume, f"/identify {account} {password}"]
        return ["/format json", *resume, *([f"/nick {self.wanted}"] if self.wanted else [])]

    def sending(self, text: str) -> None:
        """Note a line about to be sent: before a nickname, a line that is no command names the user, bar a word
        the server reads otherwise alone on its line (``EXIT_WORDS``, ``HELP_WORD``)."""
        if self.nick is not None or text.strip().lower() in (*EXIT_WORDS, HELP_WORD):
            return
        words = text.split(maxsplit=1)
        if text.startswith("//"):
            self.asked = text[1:].strip()
        elif text.startswith("/"):
            if words[0].lower() == "/nick" and len(words) == 2:
                self.asked = words[1].strip()
        else:
            self.asked = text.strip()

    def answer(self, message: Message) -> Answer | None:
        """The answer ``message``, just received, gave to the nickname asked for, if it is one.

        Replies come in the order of the lines they answer, so while a
        nickname waits, the next error refuses it; it is accepted once the
        server has put the user in (the join after "You are NICK.").
        """
        if self.asked is None:
            return None
        if self.nick is not None:
            answer = Answer(self.asked)
        elif message.get("type") == "error":
            code, text = message.get("code"), message.get("text")
            answer = Answer(
                self.asked,
                scrub(code) if isinstance(code, str) else "",
                scrub(text) if isinstance(text, str) else "",
            )
        else:
            return None
        self.asked = None
        return answer

    def lost(self) -> None:
        """The connection is gone: remember where the user was, and forget the server's state.

        A connection lost before the user was back in (the server died
        again mid-rejoin) keeps the plan it had.
        """
        if self.nick is not None:
            self.wanted = self.nick
            self._plan = _Plan(tuple(self.rooms), self.current)
        self.nick, self.rooms, self.current, self.asked = None, [], None, None
        self._registering = self._after_my_part = self._current_from_members = False

    def received(self, message: Message) -> list[str]:
        """Follow one server object; return the lines to send to restore a lost presence, if any.

        A line from a room's history (``"history": true``) tells what was,
        not where the user is: a join or part of theirs in it is old news.
        """
        kind = message.get("type")
        if kind in ("said", "acted"):
            self._saw(message)
        if message.get("history") is True:
            return []
        after_my_part, self._after_my_part = self._after_my_part, False
        current_from_members, self._current_from_members = self._current_from_members, False
        if kind == "notice":
            notice = message.get("kind")
            # "You are NICK." comes right before the join to the default room.
            self._registering = notice == "nick"
            # "Now talking in ROOM." without a part before it answers a /join
            # of a room the user is in, and the members of that room follow.
            self._current_from_members = notice == "room" and not after_my_part
        elif kind == "members" and current_from_members:
            self.current = _room(message, "room") or self.current
        else:
            follow = _FOLLOWERS.get(kind) if isinstance(kind, str) else None
            if follow is not None:
                return follow(self, message)
        return []

    def _saw(self, message: Message) -> None:
        """Note a line said in a room, if it is the latest of that room shown yet (history pages go back)."""
        room, seq, event_id = _room(message, "room"), message.get("seq"), message.get("id")
        if room is None or not isinstance(seq, int) or not _is_id(event_id):
            return
        key = fold(room)
        if seq > self.seen.get(key, (0, ""))[0]:
            self.seen[key] = (seq, event_id)

    def _mine(self, message: Message) -> bool:
        nick = message.get("nick")
        return isinstance(nick, str) and self.nick is not None and fold(nick) == fold(self.nick)

    def _joined(self, message: Message) -> list[str]:
        room = _room(message, "room")
        nick = message.get("nick")
        if self._registering and isinstance(nick, str):
            # The first join after "You are NICK." is the user's own.
            self._registering = False
            self.nick = scrub(nick)
            self.wanted = self.nick
            return self._enter(room) + self._restore(room)
        return self._enter(room) if self._mine(message) else []

    def _enter(self, room: str | None) -> list[str]:
        if room is not None:
            if all(fold(room) != fold(known) for known in self.rooms):
                self.rooms.append(room)
                del self.rooms[:-ROOMS_KEPT]
            self.current = room
        return []

    def _parted(self, message: Message) -> list[str]:
        """The user left a room, or (the same for the user's rooms) was kicked out of it."""
        room = _room(message, "room")
        if room is None or not self._mine(message):
            return []
        # The "Now talking in" that may follow answers this, not a /join.
        self._after_my_part = True
        self.rooms = [known for known in self.rooms if fold(known) != fold(room)]
        if self.current is not None and fold(self.current) == fold(room):
            # As the server does: the last joined room the user is still in.
            self.current = self.rooms[-1] if self.rooms else None
        return []

    def _banned(self, message: Message) -> list[str]:
        """The user is taken off the server (banned or killed): nothing of where they were is theirs to go back to."""
        if self._mine(message):
            self.nick, self.rooms, self.current, self._plan = None, [], None, None
        return []

    def _renamed(self, message: Message) -> list[str]:
        new = message.get("new")
        if self._mine(message) and isinstance(new, str):
            self.nick = self.wanted = scrub(new)
        return []

    def _restore(self, default: str | None) -> list[str]:
        """The joins and part that turn "just registered in ``default``" back into the plan."""
        plan, self._plan = self._plan, None
        if plan is None or default is None:
            return []
        current = plan.current
        order = [room for room in plan.rooms if current is None or fold(room) != fold(current)]
        order += [current] if current is not None else []
        lines: list[str] = []
        for room in order:
            # Already in the default room; joining it again only makes it
            # current, which matters only if other joins came first.
            if fold(room) != fold(default) or (room == current and lines):
                lines.append(f"/join {room}")
        if all(fold(room) != fold(default) for room in plan.rooms):
            lines.append(f"/part {default}")
        return lines


def _room(message: Message, key: str) -> str | None:
    """A room name fit to send back in a command: scrubbed, one word, starting with #."""
    value = message.get(key)
    if not isinstance(value, str):
        return None
    room = scrub(value)
    return room if room.startswith("#") and len(room.split()) == 1 and room == room.strip() else None


def _is_id(value: object) -> TypeGuard[str]:
    """An event id fit to send back in a command: one short word of letters and digits (16 hex digits today)."""
    return isinstance(value, str) and 0 < len(value) <= 64 and value.isascii() and value.isalnum()


_FOLLOWERS: dict[str, Callable[[Presence, Message], list[str]]] = {
    "joined": Presence._joined,
    "parted": Presence._parted,
    "kicked": Presence._parted,
    "banned": Presence._banned,
    "killed": Presence._banned,
    "nick_changed": Presence._renamed,
}
