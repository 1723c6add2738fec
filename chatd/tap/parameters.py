"""The rows of ``twistd chatd``'s options (``optParameters``, ``optFlags``), limits included: each its default
and its help, a number's coerce naming the option (chatd.tap.bounds).

--help lists them in the order of their long names, whatever their order here.
"""

from typing import Any

from chatd.config import DEFAULT_DB, DEFAULT_FILES, DEFAULT_PORT
from chatd.domain.limits import Limits
from chatd.domain.reads import HISTORY_MOST
from chatd.start import SERVER_NAME_MOST
from chatd.tap.bounds import bounds, named_numbers
from chatd.tap.limits import FILE_OPTIONS, LIMIT_OPTIONS

_CHAT = Limits()

PARAMETERS: list[list[Any]] = named_numbers(
    [
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
            "PEM certificate for --tls-port, --web-tls-port and --irc-tls-port, with any intermediate certificates after "
            "it; read again, with --tls-key, on SIGHUP.",
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
            f"Days history is kept, {bounds('retain-days')}, checked at start and every hour (default: forever); bans "
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
)
"""The options that take a value: where the daemon listens, what it shows, what it keeps, and its limits."""

FLAGS: list[list[Any]] = [
    [
        "console",
        None,
        "Read the daemon's terminal as the host: plain lines are said in the default room, "
        "and operator commands need no password (needs twistd -n).",
    ],
]
"""The options that take no value."""
