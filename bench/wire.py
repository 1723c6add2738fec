"""What a load-generating client says and looks for, per protocol: chatd's line protocol, its WebSocket, or IRC.

A ``Dialect`` is plain data and small functions, so the generator's hot loop
(``bench/worker.py``) needs no per-protocol branches: it keeps what follows
the end of a read's last whole message (``messages_end``) for the next one, counts a tag in the
rest, wraps what it says with ``frame`` (the line as it is, but for the
WebSocket), and looks for a few cheap markers (``slow_markers``) before it
splits a read into messages (``messages``) and looks at them one by one.

Each measured message carries ``~TAG_NANOS`` in its text: ``TAG`` names the
run, the step and the kind (chat or paste), ``NANOS`` is
``time.monotonic_ns()`` at the moment of sending (one clock for every
process on the machine), so any receiver knows the message's latency.
"""

import re
import struct
from dataclasses import dataclass, field

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
    newline_ended: bool = True
    """Every message the server sends ends in a newline, so a read's messages are counted by its newlines.

    A read of chat lines alone then needs no look for the markers: at a
    million IRC deliveries a second, looking for IRC's four in every read
    was most of the generator's scanning (``b" 4"`` alone twice what
    counting the tag took), and the generator, not the server, was the
    limit (docs/PERFORMANCE.md, issue 15)."""

    def register(self, nick: str, room: str) -> bytes:
        """Bytes sent right after connecting."""
        raise NotImplementedError

    def messages_end(self, data: bytes) -> int:
        """Where the last whole message of ``data`` ends: the rest waits for the next read.

        Never inside a tag, so no tag is split between two reads; called on every read, so cheap.
        """
        return data.rfind(b"\n") + 1

    def handshake(self, message: bytes, nick: str) -> bytes:
        """What to send on ``message`` while registering, before the server has seen a nickname (or nothing)."""
        return b""

    def frame(self, line: bytes) -> bytes:
        """``line`` (with its ``eol``) as it goes on the wire: as it is, but for a framed protocol."""
        return line

    def messages(self, data: bytes) -> list[bytes]:
        """``data`` (up to ``messages_end``) split into the messages ``registered``, ``trouble``... look at."""
        return [line.rstrip(b"\r") for line in data.split(b"\n")]

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


@dataclass(frozen=True)
class LobbyLineDialect(LineDialect):
    """chatd's line protocol as a reconnecting nc user speaks it: a nickname, then nothing.

    The client lands in the default room (``#lobby``) and stays: the
    reconnect storm of issue 18. It is in once chatd has listed the room's
    members (``*** In #lobby (N): ...``), the last line of its welcome.
    """

    name: str = "line-lobby"

    def after_registered(self, room: str) -> bytes:
        return b""

    def joined(self, line: bytes, nick: str, room: str) -> bool:
        return line.startswith(f"*** In {room} (".encode())


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


WEBSOCKET_MASK = b"\x5a\xa5\x3c\xc3"
"""The mask of every frame the bench sends: fixed, since the bench is no browser (RFC 6455 asks a
random one so a page's script cannot choose the bytes a proxy sees; chatd unmasks any alike)."""

WEBSOCKET_PONG = b"\x8a\x80" + WEBSOCKET_MASK
"""A masked pong with no payload: the answer to chatd's pings (``\\x89\\x00``)."""

WEBSOCKET_PING = b"\x89\x00"
"""chatd's ping: a server frame is not masked, and its pings carry nothing."""

WEBSOCKET_UPGRADE = (
    b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)
"""A program's upgrade request (no ``Origin``: chatd checks it only for pages), the key RFC 6455's example."""

JSON_MESSAGE = re.compile(rb'(?=\{"type":)')
"""Where each JSON object of chatd's begins: each server frame holds one, and its type comes first."""

JSON_HISTORY = re.compile(rb'\{"type":[^{}]*"history":true[^{}]*\}')
"""An object shown again from history (chatd's objects hold no object inside)."""

JSON_ERROR_CODE = re.compile(rb'"code":"([^"]*)"')


@dataclass(frozen=True)
class WebDialect(LineDialect):
    """chatd's WebSocket (``/ws`` on ``--web-port``): the line protocol's lines in masked text frames, JSON back.

    The upgrade request goes first; the nickname follows once the server
    has answered it (RFC 6455 section 4.1: a client sends nothing more
    until then, and chatd reads nothing sent earlier). Every line the line
    dialect would send is a frame of its own, masked with
    ``WEBSOCKET_MASK``: a frame's header and its mask's bytes depend on the
    line's length alone, so both are made once per length and kept
    (``_masks``), and masking is one XOR of two integers. chatd's frames are
    not masked, so the tags stand in the bytes as they are; each holds one
    JSON object, which ends in ``}``: a read is looked at up to its last
    one, or a ping after it. A length byte of 125 is a ``}`` too, which cuts
    between a frame's header and its object: harmless, as no tag holds one.
    """

    name: str = "web"
    newline_ended: bool = False
    slow_markers: tuple[bytes, ...] = (WEBSOCKET_PING, b'"type":"error"', b'"kind":"flood"')
    history_hint: bytes = b'"history":true'
    _masks: dict[int, tuple[bytes, int]] = field(default_factory=dict, compare=False, repr=False)
    """Per payload length: the frame's header (with the mask) and the mask repeated to that length, as an int."""

    def live(self, data: bytes) -> bytes:
        return JSON_HISTORY.sub(b"", data)

    def messages_end(self, data: bytes) -> int:
        # A ping after the last object must be answered now: an idle socket gets nothing else.
        end = data.rfind(b"}") + 1
        ping = data.find(WEBSOCKET_PING, end)
        return end if ping < 0 else ping + len(WEBSOCKET_PING)

    def register(self, nick: str, room: str) -> bytes:
        return WEBSOCKET_UPGRADE

    def handshake(self, message: bytes, nick: str) -> bytes:
        if message.startswith(b"HTTP/1.1 101 "):
            return self.frame(nick.encode())
        return b""

    def after_registered(self, room: str) -> bytes:
        return self.frame(f"/join {room}".encode()) + self.frame(b"/part #lobby")

    def frame(self, line: bytes) -> bytes:
        size = len(line)
        known = self._masks.get(size)
        if known is None:
            known = self._masks[size] = _mask_for(size)
        header, mask = known
        return header + (int.from_bytes(line, "big") ^ mask).to_bytes(size, "big")

    def messages(self, data: bytes) -> list[bytes]:
        return JSON_MESSAGE.split(data)

    def registered(self, line: bytes, nick: str) -> bool:
        return b'"kind":"nick"' in line and f'"nick":"{nick}"'.encode() in line

    def joined(self, line: bytes, nick: str, room: str) -> bool:
        return (
            line.startswith(b'{"type":"parted"')
            and b'"room":"#lobby"' in line
            and f'"nick":"{nick}"'.encode() in line
        )

    @property
    def eol(self) -> bytes:
        # A frame is one line: it needs no end of its own.
        return b""

    def trouble(self, line: bytes) -> str | None:
        if line.startswith(b'{"type":"error"'):
            found = JSON_ERROR_CODE.search(line)
            return "ERR " + (found.group(1).decode("ascii", "replace") if found else "?")
        if b'"kind":"flood"' in line:
            return "notice: slowed"
        if line.startswith(b"HTTP/1.") and not line.startswith(b"HTTP/1.1 101 "):
            return "HTTP " + line[9:12].decode("ascii", "replace")
        return None

    def reply(self, line: bytes) -> bytes:
        return WEBSOCKET_PONG * line.count(WEBSOCKET_PING)


@dataclass(frozen=True)
class LineJsonDialect(WebDialect):
    """chatd's line protocol in ``/format json``: the web port's JSON objects, as lines on the line port.

    Beside the web port it tells what its JSON costs from what its
    WebSocket costs (``bench/load.py web --line-format json``).
    """

    name: str = "line-json"
    slow_markers: tuple[bytes, ...] = (b'"type":"error"', b'"kind":"flood"')

    def register(self, nick: str, room: str) -> bytes:
        return f"/format json\n{nick}\n".encode()

    messages_end = Dialect.messages_end
    handshake = Dialect.handshake
    frame = Dialect.frame
    messages = Dialect.messages
    reply = Dialect.reply
    after_registered = LineDialect.after_registered
    eol = LineDialect.eol


def _mask_for(size: int) -> tuple[bytes, int]:
    """A masked client text frame's header for a ``size``-byte payload, and the mask repeated over ``size`` bytes."""
    if size < 126:
        header = bytes((0x81, 0x80 | size))
    elif size <= 0xFFFF:
        header = struct.pack("!BBH", 0x81, 0x80 | 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 0x80 | 127, size)
    repeated = (WEBSOCKET_MASK * (size // 4 + 1))[:size]
    return header + WEBSOCKET_MASK, int.from_bytes(repeated, "big")


DIALECTS: dict[str, Dialect] = {
    "line": LineDialect(),
    "web": WebDialect(),
    "line-json": LineJsonDialect(),
    "line-lobby": LobbyLineDialect(),
    "irc": IrcDialect(),
    # twisted.words logs a user in with a password; its bench checker takes any.
    "irc-pass": IrcDialect(name="irc-pass", password="bench"),
}
