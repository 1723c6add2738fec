"""What a load-generating client says and looks for, per protocol: chatd's line protocol or IRC.

A ``Dialect`` is plain data and small functions, so the generator's hot loop
(``bench/worker.py``) needs no per-protocol branches: it counts a tag in
the bytes it receives and looks for a few cheap markers (``slow_markers``)
before it parses lines one by one.

Each measured message carries ``~TAG_NANOS`` in its text: ``TAG`` names the
run, the step and the kind (chat or paste), ``NANOS`` is
``time.monotonic_ns()`` at the moment of sending (one clock for every
process on the machine), so any receiver knows the message's latency.
"""

import re
from dataclasses import dataclass

FILLER = b" the quick brown fox jumps over the lazy dog"
"""After the timestamp, so a message is about as long as a chat line (60-70 bytes)."""


def tag_bytes(tag: str) -> bytes:
    """What every line of ``tag`` holds: ``~`` + tag + ``_``, then the send time."""
    return f"~{tag}_".encode()


def tag_pattern(tag: str) -> "re.Pattern[bytes]":
    """A regex whose one group is the send time of a ``tag`` line."""
    return re.compile(re.escape(tag_bytes(tag)) + rb"(\d+)")


@dataclass(frozen=True)
class Dialect:
    """How one protocol registers, joins a room, says a line and reports trouble."""

    name: str
    echoes: bool
    """The sender gets its own room messages back (chatd does; IRC servers do not)."""
    slow_markers: tuple[bytes, ...]
    """Bytes whose presence in a read means some line there needs a look."""

    def register(self, nick: str, room: str) -> bytes:
        """Bytes sent right after connecting."""
        raise NotImplementedError

    def after_registered(self, room: str) -> bytes:
        """Bytes sent once registration is confirmed (empty if already pipelined)."""
        raise NotImplementedError

    def registered(self, line: bytes, nick: str) -> bool:
        raise NotImplementedError

    def joined(self, line: bytes, nick: str, room: str) -> bool:
        """The client is in ``room`` and nowhere else it will hear from."""
        raise NotImplementedError

    def say_prefix(self, room: str) -> bytes:
        """What goes before a message's text."""
        raise NotImplementedError

    @property
    def eol(self) -> bytes:
        raise NotImplementedError

    def trouble(self, line: bytes) -> str | None:
        """A short name for a line that reports an error or a flood warning, else None."""
        raise NotImplementedError

    def reply(self, line: bytes) -> bytes:
        """What a client must answer to ``line`` (a PING's PONG), or nothing."""
        return b""

    history_hint: bytes = b""
    """Bytes every line shown again from history holds (empty: the server replays nothing).

    Cheap to look for, so the hot loop only calls ``live`` on a read that may hold such a line.
    """

    def live(self, data: bytes) -> bytes:
        """``data`` (whole lines) without the lines shown again from history: they were counted live."""
        return data


HISTORY_LINE = re.compile(rb"^\[\d{4}-\d\d-\d\d [^\n]*\n", re.MULTILINE)
"""A line chatd shows again from a room's history: its clock holds the date (``[YYYY-MM-DD HH:MM]``)."""


@dataclass(frozen=True)
class LineDialect(Dialect):
    """chatd's line protocol in text mode, as nc users see it.

    Once the nickname is taken, the client joins its room and leaves the
    default one in one write: every new user lands in ``#lobby``, and 5000
    users staying there would turn each join into a 5000-line broadcast.
    """

    name: str = "line"
    echoes: bool = True
    slow_markers: tuple[bytes, ...] = (b"ERR ", b"*** You are sending")
    # The date's hyphen: the bench's live chat lines hold none.
    history_hint: bytes = b"-"

    def live(self, data: bytes) -> bytes:
        return HISTORY_LINE.sub(b"", data)

    def register(self, nick: str, room: str) -> bytes:
        return f"{nick}\n".encode()

    def after_registered(self, room: str) -> bytes:
        return f"/join {room}\n/part #lobby\n".encode()

    def registered(self, line: bytes, nick: str) -> bool:
        return line.startswith(f"*** You are {nick}.".encode())

    def joined(self, line: bytes, nick: str, room: str) -> bool:
        return line.endswith(f"#lobby -- {nick} left".encode())

    def say_prefix(self, room: str) -> bytes:
        # Plain lines go to the current room: the one joined last.
        return b""

    @property
    def eol(self) -> bytes:
        return b"\n"

    def trouble(self, line: bytes) -> str | None:
        if line.startswith(b"ERR "):
            return "ERR " + line.split(b" ", 2)[1].decode("ascii", "replace")
        if line.startswith(b"*** You are sending faster"):
            return "notice: slowed"
        return None


IRC_ERROR_NUMERIC = re.compile(rb"^:\S+ ([45]\d\d) ")


@dataclass(frozen=True)
class IrcDialect(Dialect):
    """RFC 1459 client basics: PASS (if the server wants one), NICK/USER, JOIN, PRIVMSG, PONG."""

    name: str = "irc"
    echoes: bool = False
    slow_markers: tuple[bytes, ...] = (b"PING ", b"ERROR ", b" 4", b" 5")
    password: str = ""

    def register(self, nick: str, room: str) -> bytes:
        password = f"PASS {self.password}\r\n" if self.password else ""
        return f"{password}NICK {nick}\r\nUSER {nick} 0 * :bench {nick}\r\n".encode()

    def after_registered(self, room: str) -> bytes:
        return f"JOIN {room}\r\n".encode()

    def registered(self, line: bytes, nick: str) -> bool:
        parts = line.split(b" ", 3)
        return len(parts) > 2 and parts[1] == b"001"

    def joined(self, line: bytes, nick: str, room: str) -> bool:
        # RPL_ENDOFNAMES: the server has sent the member list, the join is done.
        parts = line.split(b" ", 4)
        return len(parts) > 3 and parts[1] == b"366" and parts[3].lower() == room.lower().encode()

    def say_prefix(self, room: str) -> bytes:
        return f"PRIVMSG {room} :".encode()

    @property
    def eol(self) -> bytes:
        return b"\r\n"

    def trouble(self, line: bytes) -> str | None:
        if line.startswith(b"ERROR "):
            return "ERROR " + line[6:60].decode("utf-8", "replace")
        found = IRC_ERROR_NUMERIC.match(line)
        # 422 (no MOTD) is only news.
        if found is not None and found.group(1) != b"422":
            return "numeric " + found.group(1).decode()
        return None

    def reply(self, line: bytes) -> bytes:
        if line.startswith(b"PING "):
            return b"PONG " + line[5:] + b"\r\n"
        return b""


DIALECTS: dict[str, Dialect] = {
    "line": LineDialect(),
    "irc": IrcDialect(),
    # twisted.words logs a user in with a password; its bench checker takes any.
    "irc-pass": IrcDialect(name="irc-pass", password="bench"),
}
