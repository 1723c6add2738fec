"""The rows of ``twistd chatd``'s limits (on lines, connections, rooms, accounts and files), and the checks that
keep each number option inside its bounds (chatd.tap.bounds)."""

from collections.abc import Mapping
from typing import Any

from twisted.python import usage

from chatd.domain.files import ROOM_OFFERS_PER_TRANSFER, SENDERS_AT_THEIR_BOUND, FileLimits
from chatd.domain.limits import Limits
from chatd.frontend.admission import CONNECT_BURST, CONNECT_RATE, MAX_CONNECTIONS, MAX_PER_IP
from chatd.line.limits import LineLimits
from chatd.start import SIZE_WORDS, in_units, size
from chatd.tap.bounds import LIMIT_LEAST, LIMIT_MOST, at_least, at_most, bounds

_LINE = LineLimits()
_CHAT = Limits()
_FILES = FileLimits()


# Every limit, with its default from the code that enforces it, so the
# help and docs/SECURITY.md cannot drift from the code.
LIMIT_OPTIONS: list[list[Any]] = [
    [
        "flood-rate",
        None,
        _LINE.flood_rate,
        f"Lines (messages, commands) a second one connection may keep up, {bounds('flood-rate')}.",
        float,
    ],
    [
        "flood-burst",
        None,
        _LINE.flood_burst,
        "Lines one connection may send at once before it is slowed (an HTTP request on the web port is one; a page "
        "load's worth may go at once there).",
        int,
    ],
    [
        "flood-bytes",
        None,
        _LINE.flood_bytes,
        "Bytes a second one connection may keep up (four times this at once).",
        int,
    ],
    [
        "flood-disconnect",
        None,
        _LINE.flood_disconnect,
        f"Seconds a connection may stay over its budget before it is cut off, {bounds('flood-disconnect')}.",
        float,
    ],
    [
        "paste-lines",
        None,
        _LINE.paste_lines,
        "Most lines arriving together that become one message (a paste).",
        int,
    ],
    [
        "sendq",
        None,
        _LINE.sendq,
        "Bytes of output that may wait for a client that stops reading (beyond Twisted's 64 KiB buffer).",
        int,
    ],
    ["max-line", None, _LINE.max_line, "Longest line accepted, in bytes, not counting its ending.", int],
    ["max-connections", None, MAX_CONNECTIONS, "Connections open at once, in all.", int],
    [
        "max-per-ip",
        None,
        MAX_PER_IP,
        "Connections open at once from one address; an IPv6 address counts with the rest of its /64.",
        int,
    ],
    [
        "connect-burst",
        None,
        CONNECT_BURST,
        "Connections one address (as --max-per-ip counts) may open at once before --connect-rate holds it back.",
        int,
    ],
    [
        "connect-rate",
        None,
        CONNECT_RATE,
        "Connections a second one address may keep opening once its --connect-burst is spent, "
        f"{bounds('connect-rate')}; the rest are refused.",
        float,
    ],
    [
        "register-timeout",
        None,
        _LINE.register_timeout,
        f"Seconds a new connection has to choose a nickname, {bounds('register-timeout')}.",
        float,
    ],
    [
        "handshake-timeout",
        None,
        _LINE.handshake_timeout,
        f"Seconds a TLS connection has to finish its handshake, {bounds('handshake-timeout')}; then "
        "--register-timeout starts (on --web-tls-port, --http-timeout bounds the handshake with the request).",
        float,
    ],
    [
        "http-timeout",
        None,
        _LINE.http_timeout,
        "Seconds an HTTP connection to the web port may stay idle, or take to send a request whole, before it is "
        f"closed (a WebSocket is watched by pings instead), {bounds('http-timeout')}.",
        float,
    ],
    [
        "keepalive",
        None,
        _LINE.keepalive,
        f"Seconds of silence before TCP keepalive probes a connection, {bounds('keepalive')}; 0 turns probing off.",
        int,
    ],
    ["max-rooms", None, _CHAT.rooms_per_user, "Rooms one user may be in at once.", int],
    [
        "registered-rooms",
        None,
        _CHAT.registered_rooms,
        "Rooms one account may register; operators may register more.",
        int,
    ],
    [
        "accounts-per-hour",
        None,
        _CHAT.accounts_per_hour,
        "Accounts one address may register an hour, all at once or spread out.",
        int,
    ],
    [
        "max-accounts",
        None,
        _CHAT.accounts,
        "Accounts the server keeps in all; /register is refused once there are this many.",
        int,
    ],
    ["max-nick", None, _CHAT.nickname, "Longest nickname, in characters.", int],
    ["max-room-name", None, _CHAT.room_name, "Longest room name, in characters, # included.", int],
    ["max-topic", None, _CHAT.topic, "Longest topic, in characters.", int],
    [
        "kick-rejoin",
        None,
        _CHAT.kick_rejoin,
        f"Seconds a kicked user must wait before joining that room again, {bounds('kick-rejoin')}.",
        float,
    ],
    [
        "big-room-tally",
        None,
        _CHAT.tally_seconds,
        f"Seconds between the summaries of a big room's comings and goings (see --big-room), {bounds('big-room-tally')}.",
        float,
    ],
]


def size_option(name: str, default: int, what: str) -> list[Any]:
    """A row of ``optParameters`` for the size ``--name``: its help says how a size is written as every size
    option's does, and its default in binary units."""
    return [name, None, default, f"{what} (default {in_units(default)}): {SIZE_WORDS}.", size(name)]


FILE_OPTIONS: list[list[Any]] = [
    size_option("file-max-size", _FILES.max_size, "Largest file one may send"),
    size_option(
        "file-day-bytes",
        _FILES.day_bytes,
        "Bytes of files one user (an account, else an address, an IPv6 one with its /64) may send a day, "
        "unfinished uploads counted whole",
    ),
    [
        "file-transfers",
        None,
        _FILES.transfers,
        f"Files one user may be sending and fetching at once; {ROOM_OFFERS_PER_TRANSFER} times as many offered to "
        f"rooms may be kept open, as many to nicknames ({ROOM_OFFERS_PER_TRANSFER} to one person), and "
        f"{SENDERS_AT_THEIR_BOUND} times that to one person or one room from everyone.",
        int,
    ],
    size_option("file-rate", _FILES.rate, "Bytes a second one user's files may move, each way"),
    [
        "file-keep",
        None,
        _FILES.keep / 86400,
        f"Days a file waits for a recipient who is offline, a room's for whoever joins the room, or an interrupted upload for its sender, {bounds('file-keep')}.",
        float,
    ],
    size_option(
        "file-store-bytes", _FILES.store_bytes, "Bytes all files waiting on the server may take at once"
    ),
]
"""The limits on files (chatd.domain.files.FileLimits), each more than 0: a size at least a byte (``size``),
--file-keep at least a second (``LIMIT_LEAST``)."""

SIZE_OPTIONS = ("file-max-size", "file-day-bytes", "file-rate", "file-store-bytes")
"""The options that take a size (``size_option``): their help says the default in binary units."""


def check_least(values: Mapping[str, Any]) -> None:
    """Refuse a number option below its least (``LIMIT_LEAST``) in one sentence that says the least.

    Checked before ``check_positive``, so 0 is told the least too: the one
    thing to fix.
    """
    for name, (least, *_) in LIMIT_LEAST.items():
        # --retain-days is None unless given (forever).
        if values[name] is not None and not values[name] >= least:
            raise usage.UsageError(f"--{name} must be {at_least(name)}, not {values[name]}.")


def check_positive(values: Mapping[str, Any]) -> None:
    """Refuse a limit of 0 or less, or a --keepalive or --big-room below 0 (0 turns each off)."""
    for name, *_ in LIMIT_OPTIONS:
        # Asked as "more than 0" rather than "not 0 or less": float('nan') is neither, and --flood-rate nan
        # turned flood control off without a word.
        if name == "keepalive":
            # 0 turns probing off, as --help says: "more than 0" sent a host away from it.
            if not values[name] >= 0:
                raise usage.UsageError(f"--keepalive must be 0 (off) or more, not {values[name]}.")
        elif not values[name] > 0:
            raise usage.UsageError(f"--{name} must be more than 0, not {values[name]}.")
    if values["big-room"] < 0:
        raise usage.UsageError(f"--big-room must be 0 (never) or more, not {values['big-room']}.")
    for name, *_ in FILE_OPTIONS:
        if not values[name] > 0:
            raise usage.UsageError(f"--{name} must be more than 0, not {values[name]:g}.")


def check_most(values: Mapping[str, Any]) -> None:
    """Refuse a number option past its most (``LIMIT_MOST``) in one sentence that says the most."""
    for name, (most, _) in LIMIT_MOST.items():
        if values[name] is not None and values[name] > most:
            raise usage.UsageError(f"--{name} must be {at_most(name)}, not {values[name]:.15g}.")
