"""``twistd chatd``: command-line options and the service they describe.

A mistake in them, or a port that cannot be bound, stops the start with
one sentence on standard error (``chatd.start.StartError``), not twistd's
page of usage or a traceback.
"""

import os
import socket
import sys
from typing import Any, ClassVar, NoReturn, TextIO
from urllib.parse import urlsplit

from OpenSSL import crypto
from twisted.application.service import IService
from twisted.copyright import version as twisted_version
from twisted.internet.endpoints import serverFromString
from twisted.internet.error import CannotListenError
from twisted.internet.ssl import CertificateOptions
from twisted.python import usage
from typing_extensions import override

from chatd import __version__
from chatd.config import (
    DEFAULT_DB,
    DEFAULT_FILES,
    DEFAULT_PORT,
    MEMORY,
    Config,
    ConsoleConfig,
    FilesConfig,
    IRCConfig,
    LineConfig,
    TLSPort,
    WebConfig,
)
from chatd.domain.chat import HISTORY_MOST
from chatd.domain.errors import (
    ChatError,
    InvalidNicknameError,
    InvalidRoomNameError,
    NicknameRule,
    RoomNameRule,
)
from chatd.domain.files import FileLimits
from chatd.domain.limits import KICK_REJOIN_MOST, Limits
from chatd.domain.names import check_nickname, check_room_name
from chatd.frontend.admission import MAX_CONNECTIONS, MAX_PER_IP
from chatd.frontend.endpoints import with_backlog
from chatd.frontend.sockets import KEEPALIVE_MOST
from chatd.irc.limits import IRCLimits
from chatd.line.limits import LineLimits
from chatd.line.syntax import room_argument
from chatd.line.wording import word
from chatd.opers import Opers, OpersFileError, load_opers
from chatd.secret_files import SecretFile, endpoint_key, given, warn_if_open
from chatd.service import EndpointError, bound_daemon
from chatd.start import (
    SERVER_NAME_MOST,
    SIZE_WORDS,
    StartError,
    cannot_listen,
    in_units,
    number,
    server_name,
    size,
)
from chatd.storage.schema import DatabaseFileError
from chatd.storage.spool import SpoolFolderError
from chatd.tls import TLSConfigError, load_tls

_LINE = LineLimits()

PORT_OPTIONS = ("port", "tls-port", "web-port", "web-tls-port", "irc-port", "irc-tls-port")
"""The options that each bind a port on --interface."""

WEB_PREFIX = "web:"
IRC_PREFIX = "irc:"
"""How a --listen value names an endpoint of the browser front end instead of the line one."""
_CHAT = Limits()
_FILES = FileLimits()


NUMBER_SPANS: dict[str, tuple[int, int]] = {
    **dict.fromkeys(PORT_OPTIONS, (0, 65535)),
    "replay": (0, HISTORY_MOST),
}
"""The whole-number options that take a span (least, most), refused outside it in words that say the span: a
port of 16 digits or more was told it had too many digits rather than that a port is at most 65535."""


def _named_numbers(rows: list[list[Any]]) -> list[list[Any]]:
    """``rows`` of ``optParameters`` with each number option's coerce made to name the option (and its span, if
    it has one)."""
    return [
        [*row[:4], number(row[0], row[4], NUMBER_SPANS.get(row[0]))]
        if len(row) > 4 and row[4] in (int, float)
        else row
        for row in rows
    ]


DAY = 86400.0
"""A day in seconds: the most of every option that is a wait in seconds."""

LIMIT_MOST: dict[str, tuple[float, str]] = {
    "flood-rate": (1_000_000.0, "a million lines a second"),
    "flood-disconnect": (DAY, "a day"),
    "register-timeout": (DAY, "a day"),
    "handshake-timeout": (DAY, "a day"),
    "http-timeout": (DAY, "a day"),
    "keepalive": (KEEPALIVE_MOST, "the most Linux takes, about 9 hours"),
    "kick-rejoin": (KICK_REJOIN_MOST, "a day"),
    "big-room-tally": (DAY, "a day"),
    "file-keep": (365.0, "a year"),
    "retain-days": (36500.0, "about a hundred years"),
}
"""The number options that have a most, in the option's own unit, with it in words: past it a value is a typo,
not a choice. Every option that takes a fraction has one: Python's float takes 1e300, with which a timer never
fired, and a --file-keep of 1e300 days was a wait told in 301 digits."""


def _at_most(name: str) -> str:
    """``at most 86400 (a day)``: ``--name``'s most as its help and its refusal say it."""
    most, words = LIMIT_MOST[name]
    return f"at most {most:.15g} ({words})"


MILLISECOND = (0.001, "0.001", "a millisecond")
"""The least of every option that is a wait in seconds: the reactor waits in whole milliseconds (epoll's timeout,
which Python rounds up), so it cannot tell a shorter wait from a millisecond."""

AN_HOUR_IN_DAYS = (1 / 24, "1/24", "an hour")
"""The least of the options counted in days.

--retain-days forgets at start and every hour (chatd.storage.retention's
``EVERY``), so under an hour it is the round, not the option, that decides
how long a line stays; --file-keep under an hour lets an offer go before
a recipient who stepped away is back, and sooner than an upload that sent
nothing for an hour is let go (chatd.frontend.transfer_expiry). Both took
1e-9 days, which acted at once: each round deleted every line kept, and
every offer went as it was made, "offers wait 1s at most"."""

LIMIT_LEAST: dict[str, tuple[float, str, str]] = {
    "flood-rate": (1 / DAY, "1/86400", "a line a day"),
    **dict.fromkeys(
        (
            "flood-disconnect",
            "register-timeout",
            "handshake-timeout",
            "http-timeout",
            "kick-rejoin",
            "big-room-tally",
        ),
        MILLISECOND,
    ),
    **dict.fromkeys(("file-keep", "retain-days"), AN_HOUR_IN_DAYS),
}
"""The number options that have a least above 0: the least, as its help and refusal write it, and in words.

Below it a value is a typo, not a choice. A wait in seconds shorter than
a millisecond is a millisecond to the reactor, and was told as Python
writes the float: --register-timeout 1e-320 closed every connection,
"no nickname chosen within 9.99989e-321 s", and --big-room-tally 1e-320
told a big room's joiners its tally came "every 9.99989e-321 seconds".
A rate whose wait for one line (1/rate) is longer than a wait's most
(``DAY``): --flood-rate 1e-320 started, and a line's wait was infinite
(1/1e-320 is inf), so a connection past its burst was never read again,
nor cut off by --flood-disconnect, which is checked as lines are read;
and a ``/key log`` page with more to come could not say how long to
wait for it (``math.ceil`` of inf).
"""


def _at_least(name: str) -> str:
    """``at least 1/86400 (a line a day)``: ``--name``'s least as its help and its refusal say it."""
    _, shown, words = LIMIT_LEAST[name]
    return f"at least {shown} ({words})"


def _bounds(name: str) -> str:
    """``--name``'s least, if it has one, and most, as its help says them."""
    return f"{_at_least(name)} and {_at_most(name)}" if name in LIMIT_LEAST else _at_most(name)


# Every limit, with its default from the code that enforces it, so the
# help and docs/SECURITY.md cannot drift from the code.
LIMIT_OPTIONS: list[list[Any]] = [
    [
        "flood-rate",
        None,
        _LINE.flood_rate,
        f"Lines (messages, commands) a second one connection may keep up, {_bounds('flood-rate')}.",
        float,
    ],
    [
        "flood-burst",
        None,
        _LINE.flood_burst,
        "Lines one connection may send at once before it is slowed.",
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
        f"Seconds a connection may stay over its budget before it is cut off, {_bounds('flood-disconnect')}.",
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
        "register-timeout",
        None,
        _LINE.register_timeout,
        f"Seconds a new connection has to choose a nickname, {_bounds('register-timeout')}.",
        float,
    ],
    [
        "handshake-timeout",
        None,
        _LINE.handshake_timeout,
        f"Seconds a TLS connection has to finish its handshake, {_bounds('handshake-timeout')}; then "
        "--register-timeout starts.",
        float,
    ],
    [
        "http-timeout",
        None,
        _LINE.http_timeout,
        "Seconds an HTTP connection to the web port may stay idle, or take to send a request whole, before it is "
        f"closed (a WebSocket is watched by pings instead), {_bounds('http-timeout')}.",
        float,
    ],
    [
        "keepalive",
        None,
        _LINE.keepalive,
        f"Seconds of silence before TCP keepalive probes a connection, {_bounds('keepalive')}; 0 turns probing off.",
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
        f"Seconds a kicked user must wait before joining that room again, {_bounds('kick-rejoin')}.",
        float,
    ],
    [
        "big-room-tally",
        None,
        _CHAT.tally_seconds,
        f"Seconds between the summaries of a big room's comings and goings (see --big-room), {_bounds('big-room-tally')}.",
        float,
    ],
]


def _size_option(name: str, default: int, what: str) -> list[Any]:
    """A row of ``optParameters`` for the size ``--name``: its help says how a size is written as every size
    option's does, and its default in binary units."""
    return [name, None, default, f"{what} (default {in_units(default)}): {SIZE_WORDS}.", size(name)]


FILE_OPTIONS: list[list[Any]] = [
    _size_option("file-max-size", _FILES.max_size, "Largest file one may send"),
    _size_option(
        "file-day-bytes",
        _FILES.day_bytes,
        "Bytes of files one user (an account, else an address, an IPv6 one with its /64) may send a day, "
        "unfinished uploads counted whole",
    ),
    ["file-transfers", None, _FILES.transfers, "Files one user may be sending and fetching at once.", int],
    _size_option("file-rate", _FILES.rate, "Bytes a second one user's files may move, each way"),
    [
        "file-keep",
        None,
        _FILES.keep / 86400,
        f"Days a file waits for a recipient who is offline, or an interrupted upload for its sender, {_bounds('file-keep')}.",
        float,
    ],
    _size_option(
        "file-store-bytes", _FILES.store_bytes, "Bytes all files waiting on the server may take at once"
    ),
]
"""The limits on files (chatd.domain.files.FileLimits), each more than 0: a size at least a byte (``size``),
--file-keep at least an hour (``LIMIT_LEAST``)."""

SIZE_OPTIONS = ("file-max-size", "file-day-bytes", "file-rate", "file-store-bytes")
"""The options that take a size (``_size_option``): their help says the default in binary units."""


class Options(usage.Options):
    """Options of ``twistd chatd``; chatd.tac builds the same from CHATD_* variables."""

    synopsis = "[options]"
    longdesc = (
        "Runs chatd, a chat server people reach with nc, telnet or "
        "'python -m chatd.client'. Users pick a nickname, land in the default "
        "room and talk; /help lists the commands. See docs/PROTOCOL.md."
    )
    optParameters: ClassVar[list[list[Any]]] = [
        [
            "port",
            None,
            None,
            f"TCP port to listen on (default: {DEFAULT_PORT}, or none when a --listen other than web: or irc: is given).",
            int,
        ],
        [
            "interface",
            "i",
            "::",
            "Address --port binds to; '::' (the default) takes IPv6 and IPv4 "
            "clients on every interface, 0.0.0.0 IPv4 only, 127.0.0.1 this machine only.",
        ],
        [
            "motd",
            "m",
            "",
            "Message of the day shown at connect: a file's name (its text is read "
            "at start; one word with a / or .txt that names no file stops the start) or the text itself.",
        ],
        [
            "default-room",
            None,
            "#lobby",
            "Room every user enters after choosing a nickname ('lobby' means '#lobby', as in /join).",
        ],
        [
            "server-name",
            None,
            None,
            "Server name shown in the greeting, in every IRC prefix, numeric and PONG and in the page's file links: "
            f"a host name, at most {SERVER_NAME_MOST} characters (default: this host's name, or chatd if it is no host "
            "name).",
        ],
        [
            "tls-port",
            None,
            None,
            "Also listen for TLS on this port, on --interface (needs --tls-cert and --tls-key).",
            int,
        ],
        [
            "tls-cert",
            None,
            None,
            "PEM certificate for --tls-port, --web-tls-port and --irc-tls-port, with any intermediate certificates after it.",
        ],
        ["tls-key", None, None, "PEM private key of --tls-cert (keep it readable by the daemon only)."],
        [
            "web-port",
            None,
            None,
            "Serve the chat in the browser (the page and its WebSocket) on this HTTP port, on --interface "
            "(off unless given).",
            int,
        ],
        [
            "web-tls-port",
            None,
            None,
            "Serve the browser page over HTTPS on this port, on --interface (needs --tls-cert and --tls-key).",
            int,
        ],
        [
            "irc-port",
            None,
            None,
            "Speak IRC to IRC clients (irssi, WeeChat, HexChat...) on this TCP port, on --interface "
            "(off unless given; 6667 is IRC's usual).",
            int,
        ],
        [
            "irc-tls-port",
            None,
            None,
            "Speak IRC over TLS on this port, on --interface (needs --tls-cert and --tls-key; 6697 is IRC's usual).",
            int,
        ],
        [
            "opers",
            None,
            None,
            "File of operators, one 'NAME HASH' a line, each made by 'python -m chatd.passwd NAME'; "
            "they become operators with /oper NAME PASSWORD.",
        ],
        ["console-nick", None, "host", "Nickname of the host at --console, at most --max-nick characters."],
        [
            "big-room",
            None,
            _CHAT.big_room,
            "Members from which a room's joins, parts, quits and nickname changes are summed up every "
            "--big-room-tally seconds instead of told one by one, and a joiner is shown the first names only; "
            "0: never.",
            int,
        ],
        [
            "replay",
            None,
            _CHAT.replay,
            f"Lines of a room's history shown to whoever joins it, 0 (none) to {HISTORY_MOST}.",
            int,
        ],
        [
            "db",
            None,
            DEFAULT_DB,
            "SQLite file that keeps history, bans, mutes and topics across restarts, made if missing in a folder that "
            "exists, relative to the daemon's working directory; ':memory:' keeps nothing.",
        ],
        [
            "retain-days",
            None,
            None,
            f"Days history is kept, {_bounds('retain-days')}, checked at start and every hour (default: forever); bans "
            "and mutes in force and each room's last topic stay whatever their age.",
            float,
        ],
        *LIMIT_OPTIONS,
        [
            "files",
            None,
            None,
            f"Folder that holds files while they are uploaded and fetched, one daemon's alone, made if missing in a "
            f"folder that exists (default: {DEFAULT_FILES} beside the --db file; with --db :memory:, a temporary folder "
            "removed at stop).",
        ],
        *FILE_OPTIONS,
    ]
    optParameters = _named_numbers(optParameters)
    optFlags: ClassVar[list[list[Any]]] = [
        [
            "console",
            None,
            "Read the daemon's terminal as the host: plain lines are said in the default room, "
            "and operator commands need no password (needs twistd -n).",
        ],
    ]

    stdin: TextIO = sys.stdin
    """Where --console reads from; it must be a terminal."""

    def __init__(self) -> None:
        super().__init__()
        # --help shows an opt_ method's docstring as written: its second line's indent would show as a gap.
        self.docs = {name: " ".join(doc.split()) if doc else doc for name, doc in self.docs.items()}
        # A size's help says its default in binary units (default 1 GiB); Twisted's "[default: 1073741824]", which
        # it adds for any default it knows of, said it again in bytes. The value itself stays as the default.
        for name in SIZE_OPTIONS:
            self.defaults[name] = None
        self["listen"] = []
        self["web-listen"] = []
        self["irc-listen"] = []
        self["web-origins"] = []
        self["rooms"] = []
        self._arguments: list[str] = []
        """What ``parseOptions`` was given, for ``parseArgs`` to find the option before a word left over."""

    def opt_listen(self, description: str) -> None:
        """Also listen on a Twisted server endpoint, e.g. tcp:6000:interface=127.0.0.1; web:tcp:8080 serves the
        browser page there, irc:tcp:6667 speaks IRC there (repeatable; backlog 1024 as --port's, unless it sets
        backlog=)."""
        if description.startswith(WEB_PREFIX):
            self["web-listen"].append(description.removeprefix(WEB_PREFIX))
        elif description.startswith(IRC_PREFIX):
            self["irc-listen"].append(description.removeprefix(IRC_PREFIX))
        else:
            self["listen"].append(description)

    def opt_web_origin(self, origin: str) -> None:
        """Let pages from this origin too open the chat's WebSocket, e.g. https://chat.example.org
        (repeatable; a page's own origin always may)."""
        self["web-origins"].append(_check_origin(origin))

    def opt_name(self, name: str) -> None:
        """Another name for --server-name (its older one, still taken)."""
        self["server-name"] = server_name(name, socket.gethostname(), "--name")

    def opt_room(self, name: str) -> None:
        """Another room that belongs to the server, like the default room: only operators moderate it (repeatable)."""
        self["rooms"].append(name)

    @override
    def opt_version(self) -> NoReturn:
        """Show chatd's version and Twisted's, and exit."""
        print(f"chatd {__version__}")
        print(f"Twisted {twisted_version}")
        sys.exit(0)

    @override
    def parseOptions(self, options: list[str] | None = None) -> None:
        """Parse and check ``options``; under twistd, a mistake is a ``StartError``.

        Anywhere else (chatd.tac, the tests) it stays a ``UsageError``.
        """
        self._arguments = sys.argv[1:] if options is None else list(options)
        try:
            super().parseOptions(self._arguments)
        except usage.UsageError as error:
            if self.parent is None:
                raise
            raise StartError.from_usage(_twistds(error, self.parent, self) or error) from None

    @override
    def parseArgs(self, *words: str) -> None:
        """Refuse the words left over once the options and their values are read, naming the first.

        chatd takes no words of its own, so these are most often an option's
        value of several words given without quotes: ``--motd Welcome to
        class 7B`` left "to class 7B", which usage told as "Wrong number of
        arguments.", naming nothing. getopt stops at the first such word, so
        ``words`` end the arguments; the option before them is the one just
        before (a flag, or a value joined by ``=``) or the one before the
        value just before.
        """
        if not words:
            return
        before = self._arguments[: len(self._arguments) - len(words)]
        option = next((word for word in reversed(before[-2:]) if word.startswith("-") and word != "--"), None)
        # As typed, less a value joined to it: --motd=Welcome is --motd, -mWelcome is -m.
        shown = "" if option is None else option.partition("=")[0] if option.startswith("--") else option[:2]
        after = f" after {shown}" if shown else ""
        raise usage.UsageError(
            f"the word {words[0]!r}{after} was not taken: chatd takes only options, so give an option's words in quotes."
        )

    @override
    def postOptions(self) -> None:
        if self["port"] is None and not self["listen"]:
            self["port"] = DEFAULT_PORT
        for description in self["listen"]:
            _check_endpoint(description)
        for description in self["web-listen"]:
            _check_endpoint(WEB_PREFIX + description, description)
        for description in self["irc-listen"]:
            _check_endpoint(IRC_PREFIX + description, description)
        for name, (least, *_) in LIMIT_LEAST.items():
            # Before "more than 0", so 0 is told the least too: the one thing to fix. --retain-days is None unless
            # given (forever).
            if self[name] is not None and not self[name] >= least:
                raise usage.UsageError(f"--{name} must be {_at_least(name)}, not {self[name]}.")
        for name, *_ in LIMIT_OPTIONS:
            # Asked as "more than 0" rather than "not 0 or less": float('nan') is neither, and --flood-rate nan
            # turned flood control off without a word.
            if name == "keepalive":
                # 0 turns probing off, as --help says: "more than 0" sent a host away from it.
                if not self[name] >= 0:
                    raise usage.UsageError(f"--keepalive must be 0 (off) or more, not {self[name]}.")
            elif not self[name] > 0:
                raise usage.UsageError(f"--{name} must be more than 0, not {self[name]}.")
        if self["big-room"] < 0:
            raise usage.UsageError(f"--big-room must be 0 (never) or more, not {self['big-room']}.")
        for name, *_ in FILE_OPTIONS:
            if not self[name] > 0:
                raise usage.UsageError(f"--{name} must be more than 0, not {self[name]:g}.")
        if not self["db"]:
            raise usage.UsageError("--db needs a file's path, or :memory: to keep nothing.")
        for name, (most, _) in LIMIT_MOST.items():
            if self[name] is not None and self[name] > most:
                raise usage.UsageError(f"--{name} must be {_at_most(name)}, not {self[name]:.15g}.")
        self._check_ports_differ()
        self["tls"] = self._tls()
        self["default-room"] = _server_room("default-room", self["default-room"], self["max-room-name"])
        self["rooms"] = [_server_room("room", name, self["max-room-name"]) for name in self["rooms"]]
        self["motd"] = _read_motd(self["motd"])
        self["server-name"] = server_name(self["server-name"], socket.gethostname())
        self["operators"] = self._operators()
        self._check_console()

    def config(self) -> Config:
        """The typed configuration these options describe; call it after ``parseOptions``."""
        tls = self["tls"]
        return Config(
            server_name=self["server-name"],
            motd=self["motd"],
            default_room=self["default-room"],
            rooms=tuple(self["rooms"]),
            interface=self["interface"],
            max_connections=self["max-connections"],
            max_per_ip=self["max-per-ip"],
            chat=Limits(
                nickname=self["max-nick"],
                room_name=self["max-room-name"],
                topic=self["max-topic"],
                rooms_per_user=self["max-rooms"],
                registered_rooms=self["registered-rooms"],
                accounts_per_hour=self["accounts-per-hour"],
                accounts=self["max-accounts"],
                kick_rejoin=self["kick-rejoin"],
                replay=self["replay"],
                big_room=self["big-room"],
                tally_seconds=self["big-room-tally"],
            ),
            line=LineConfig(
                port=self["port"],
                tls=None if tls is None or self["tls-port"] is None else TLSPort(self["tls-port"], tls),
                listen=tuple(self["listen"]),
                limits=LineLimits(
                    max_line=self["max-line"],
                    flood_rate=self["flood-rate"],
                    flood_burst=self["flood-burst"],
                    flood_bytes=self["flood-bytes"],
                    flood_disconnect=self["flood-disconnect"],
                    paste_lines=self["paste-lines"],
                    sendq=self["sendq"],
                    register_timeout=self["register-timeout"],
                    handshake_timeout=self["handshake-timeout"],
                    http_timeout=self["http-timeout"],
                    keepalive=self["keepalive"],
                ),
            ),
            web=WebConfig(
                port=self["web-port"],
                tls=None
                if tls is None or self["web-tls-port"] is None
                else TLSPort(self["web-tls-port"], tls),
                listen=tuple(self["web-listen"]),
                origins=tuple(self["web-origins"]),
            ),
            irc=IRCConfig(
                port=self["irc-port"],
                tls=None
                if tls is None or self["irc-tls-port"] is None
                else TLSPort(self["irc-tls-port"], tls),
                listen=tuple(self["irc-listen"]),
                limits=IRCLimits(
                    flood_rate=self["flood-rate"],
                    flood_burst=self["flood-burst"],
                    flood_bytes=self["flood-bytes"],
                    flood_disconnect=self["flood-disconnect"],
                    sendq=self["sendq"],
                    register_timeout=self["register-timeout"],
                    handshake_timeout=self["handshake-timeout"],
                    keepalive=self["keepalive"],
                ),
            ),
            operators=self["operators"],
            console=ConsoleConfig(self["console-nick"]) if self["console"] else None,
            db=None if self["db"] == MEMORY else self["db"],
            files=FilesConfig(
                directory=self["files"]
                or (
                    None if self["db"] == MEMORY else os.path.join(os.path.dirname(self["db"]), DEFAULT_FILES)
                ),
                beside_db=self["files"] is None and self["db"] != MEMORY,
                limits=FileLimits(
                    max_size=self["file-max-size"],
                    day_bytes=self["file-day-bytes"],
                    transfers=self["file-transfers"],
                    rate=self["file-rate"],
                    keep=self["file-keep"] * 86400,
                    store_bytes=self["file-store-bytes"],
                ),
            ),
            retain_days=self["retain-days"],
        )

    def _operators(self) -> Opers:
        """The --opers file, read now so a bad one stops the start; no file, no operators by password."""
        if self["opers"] is None:
            return Opers({})
        try:
            return load_opers(self["opers"])
        except OpersFileError as error:
            raise usage.UsageError(f"--opers: {error}.") from None

    def _check_console(self) -> None:
        """--console reads a terminal, so it needs twistd -n and a terminal on standard input.

        Its nickname is checked as a user's under the same --max-nick, and
        only with --console, the one use of it: a longer one started, and the
        host's console never got its nickname; checked always, --max-nick 3
        would refuse the default "host" of a daemon with no console.
        """
        if not self["console"]:
            return
        try:
            self["console-nick"] = check_nickname(self["console-nick"], self["max-nick"])
        except InvalidNicknameError as error:
            raise _name_refused(
                "console-nick", error, error.rule is NicknameRule.TOO_LONG, "max-nick"
            ) from None
        # chatd.tac cannot see twistd's options (parent is None there); its
        # console needs -n too, as README says.
        if self.parent is not None and not self.parent.get("nodaemon"):
            raise usage.UsageError("--console needs twistd -n: a daemon in the background has no terminal.")
        if not self.stdin.isatty():
            raise usage.UsageError("--console needs a terminal on standard input.")

    def _check_ports_differ(self) -> None:
        """Two options may not name the same port (0 excepted: the system chooses each)."""
        seen: dict[int, str] = {}
        for name in PORT_OPTIONS:
            port = self[name]
            if port is None or port == 0:
                continue
            if port in seen:
                raise usage.UsageError(f"--{name} must differ from --{seen[port]}; both are {port}.")
            seen[port] = name

    def _tls(self) -> CertificateOptions | None:
        """The TLS options --tls-port and --web-tls-port need, checked now so a bad file stops the start."""
        ports = [name for name in ("tls-port", "web-tls-port", "irc-tls-port") if self[name] is not None]
        files = [name for name in ("tls-cert", "tls-key") if self[name] is not None]
        if not ports and not files:
            return None
        if not ports or len(files) < 2:
            raise usage.UsageError(
                "--tls-cert and --tls-key go together with --tls-port, --web-tls-port or --irc-tls-port; give both files and a port."
            )
        try:
            return load_tls(self["tls-cert"], self["tls-key"])
        except TLSConfigError as error:
            option, fix = _TLS_FIXES[error.about]
            raise usage.UsageError(f"{option}: {error}; {fix}.") from None


def _twistds(error: usage.UsageError, twistd: usage.Options, chatd: usage.Options) -> usage.UsageError | None:
    """The sentence for an option ``error`` is about that is one of ``twistd``'s own and not ``chatd``'s, else None.

    ``twistd -n chatd -n`` read the second ``-n`` as chatd's: saying whose
    it is says more than getopt's "not recognized". The option is the
    ``getopt.GetoptError``'s that ``usage.Options`` turns into ``error``.
    """
    unknown = getattr(error.__context__, "opt", "")
    if unknown not in twistd.synonyms or unknown in chatd.synonyms:
        return None
    # Named with its long name too: -p and -r were chatd's --port and --default-room once, not the profiler and
    # reactor a host would get by moving them.
    shown = f"-{unknown} (--{twistd.synonyms[unknown]})" if len(unknown) == 1 else f"--{unknown}"
    return usage.UsageError(
        f"option {shown} is twistd's, not chatd's, and goes before the word chatd; "
        "twistd chatd --help lists chatd's options."
    )


_TLS_FIXES = {
    "certificate": ("--tls-cert", "give a readable PEM certificate"),
    "key": ("--tls-key", "give a readable PEM private key"),
    "pair": ("--tls-key", "give the key the certificate was made with"),
}
"""The option to name and the fix to suggest, by what ``TLSConfigError.about`` says is wrong."""


def _check_endpoint(given: str, description: str | None = None) -> None:
    """Refuse a --listen value (``given``) whose endpoint (``description``, default ``given``) Twisted cannot parse."""
    from twisted.internet import reactor

    try:
        serverFromString(reactor, with_backlog(given if description is None else description))
    except (ValueError, TypeError, KeyError) as error:
        raise usage.UsageError(
            f"--listen {given!r} is not a Twisted server endpoint ({error}); "
            "write colons inside values as \\:, e.g. tcp:5000:interface=\\:\\:1."
        ) from None
    except OSError as error:
        # An ssl: endpoint reads its certificate as it is parsed (server.pem in the working directory if none
        # is named): a missing or unreadable one was a traceback, and so was one that is not PEM.
        raise usage.UsageError(
            f"--listen {given!r} cannot be used ({error.strerror}: {error.filename}); "
            "name its files, e.g. ssl:6697:certKey=cert.pem:privateKey=key.pem."
        ) from None
    except crypto.Error:
        raise usage.UsageError(
            f"--listen {given!r} cannot be used: its certKey and privateKey must be a PEM certificate and its key."
        ) from None


def _server_room(option: str, name: str, longest: int) -> str:
    """The room ``--option name`` gives the server, in normal form; else one sentence naming the option.

    Checked as /join checks a name under the same ``--max-room-name``
    (``longest``): a default room no join can make left every user in no
    room, each told the name was too long.
    """
    try:
        return check_room_name(room_argument(name), longest)
    except InvalidRoomNameError as error:
        raise _name_refused(option, error, error.rule is RoomNameRule.TOO_LONG, "max-room-name") from None


def _name_refused(option: str, error: ChatError, too_long: bool, limit: str) -> usage.UsageError:
    """The sentence for a name ``--option`` gives that a user could not take either (``error``); one ``too_long``
    says which option, ``--limit``, would make room for it."""
    fix = f"; give a shorter name or a larger --{limit}" if too_long else ""
    return usage.UsageError(f"--{option}: {word(error).rstrip('.')}{fix}.")


def _check_origin(origin: str) -> str:
    """``origin`` as --web-origin takes it, ``scheme://host[:port]`` in lower case; else one sentence why not."""
    parts = urlsplit(origin.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.path not in ("", "/")
        or parts.query
    ):
        raise usage.UsageError(
            f"--web-origin {origin!r} is not an origin; write it as a browser sends it, e.g. https://chat.example.org."
        )
    return f"{parts.scheme}://{parts.netloc}".lower()


def _read_motd(value: str) -> str:
    """The MOTD text: the file's content if ``value`` names a file, else ``value``.

    A value that can only be a path (one word, with a ``/`` or a text
    file's suffix) but names no file stops the start: a mistyped path would
    otherwise greet every user with the path itself.
    """
    if not os.path.isfile(value):
        if value.split() == [value] and ("/" in value or value.endswith((".txt", ".md"))):
            raise usage.UsageError(
                f"--motd: there is no file {value}; give a file that exists, or the text itself."
            )
        return value
    try:
        with open(value, encoding="utf-8") as motd:
            return motd.read()
    except (OSError, UnicodeDecodeError) as error:
        raise usage.UsageError(f"--motd: cannot read {value}: {error}.") from None


def makeService(options: Options) -> IService:
    """The daemon ``options`` describe, its ports already bound; called by twistd and chatd.tac.

    twistd calls this before it starts logging and forks, so a port that
    cannot be bound, or a ``--db`` file that cannot be used, is told on the
    terminal as a ``StartError``. A file of secrets (``_secret_files``) that
    users other than its owner may read is a warning in the log (chatd.secret_files).
    """
    from twisted.internet import reactor

    try:
        daemon = bound_daemon(options.config(), reactor)
    except (DatabaseFileError, SpoolFolderError, EndpointError) as error:
        raise StartError(str(error)) from None
    except CannotListenError as error:
        ports = {f"--{name}": options[name] for name in PORT_OPTIONS}
        raise StartError(cannot_listen(error, ports, options["interface"])) from None
    warn_if_open(_secret_files(options))
    return daemon


def _secret_files(options: Options) -> list[SecretFile]:
    """The files of secrets ``options`` name: the --opers file, the --tls-key, the --db file (none for :memory:),
    and each --listen ssl: key."""
    files = [given(option, options[option]) for option in ("opers", "tls-key") if options[option] is not None]
    if options["db"] != MEMORY:
        files.append(given("db", options["db"]))
    for prefix, listen in (("", "listen"), (WEB_PREFIX, "web-listen"), (IRC_PREFIX, "irc-listen")):
        keys = (endpoint_key(prefix + endpoint, endpoint) for endpoint in options[listen])
        files.extend(key for key in keys if key is not None)
    return files
