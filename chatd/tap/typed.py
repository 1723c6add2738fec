"""The typed configuration (chatd.config) that ``twistd chatd``'s options, parsed and checked, describe.

A function per part of ``Config``, each reading the options' values by
their long names: ``chatd.tap.options.Options.config`` calls ``config_of``
once ``parseOptions`` has checked them and read their files.
"""

import os
from collections.abc import Mapping
from typing import Any

from chatd.config import (
    DEFAULT_FILES,
    MEMORY,
    Config,
    ConsoleConfig,
    FilesConfig,
    IRCConfig,
    LineConfig,
    TLSPort,
    WebConfig,
)
from chatd.domain.files import FileLimits
from chatd.domain.limits import Limits
from chatd.irc.limits import IRCLimits
from chatd.line.limits import LineLimits
from chatd.tls_reload import ReloadableCertificate


def config_of(values: Mapping[str, Any]) -> Config:
    """The ``Config`` that ``values``, the checked options, describe."""
    return Config(
        server_name=values["server-name"],
        motd=values["motd"],
        default_room=values["default-room"],
        rooms=tuple(values["rooms"]),
        interface=values["interface"],
        max_connections=values["max-connections"],
        max_per_ip=values["max-per-ip"],
        connect_burst=values["connect-burst"],
        connect_rate=values["connect-rate"],
        proxies=tuple(values["proxies"]),
        chat=_chat(values),
        line=_line(values),
        web=_web(values),
        irc=_irc(values),
        operators=values["operators"],
        console=ConsoleConfig(values["console-nick"]) if values["console"] else None,
        db=None if values["db"] == MEMORY else values["db"],
        files=_files(values),
        retain_days=values["retain-days"],
    )


def _chat(values: Mapping[str, Any]) -> Limits:
    """The chat's limits, on nicknames, rooms, accounts and kicks."""
    return Limits(
        nickname=values["max-nick"],
        room_name=values["max-room-name"],
        topic=values["max-topic"],
        rooms_per_user=values["max-rooms"],
        registered_rooms=values["registered-rooms"],
        accounts_per_hour=values["accounts-per-hour"],
        accounts=values["max-accounts"],
        kick_rejoin=values["kick-rejoin"],
        replay=values["replay"],
        big_room=values["big-room"],
        tally_seconds=values["big-room-tally"],
    )


def _tls_port(values: Mapping[str, Any], option: str) -> TLSPort | None:
    """The TLS port ``--option`` gives with the certificate (``values["tls"]``), or None without either."""
    tls: ReloadableCertificate | None = values["tls"]
    return None if tls is None or values[option] is None else TLSPort(values[option], tls)


def _line(values: Mapping[str, Any]) -> LineConfig:
    """The line front end (nc, telnet, the bundled client): its ports and limits."""
    return LineConfig(
        port=values["port"],
        tls=_tls_port(values, "tls-port"),
        listen=tuple(values["listen"]),
        limits=LineLimits(
            max_line=values["max-line"],
            flood_rate=values["flood-rate"],
            flood_burst=values["flood-burst"],
            flood_bytes=values["flood-bytes"],
            flood_disconnect=values["flood-disconnect"],
            paste_lines=values["paste-lines"],
            sendq=values["sendq"],
            register_timeout=values["register-timeout"],
            handshake_timeout=values["handshake-timeout"],
            http_timeout=values["http-timeout"],
            keepalive=values["keepalive"],
        ),
    )


def _web(values: Mapping[str, Any]) -> WebConfig:
    """The browser front end: its ports, the other origins whose pages may open its WebSocket, the proxies it
    trusts."""
    return WebConfig(
        port=values["web-port"],
        tls=_tls_port(values, "web-tls-port"),
        listen=tuple(values["web-listen"]),
        origins=tuple(values["web-origins"]),
        proxies=tuple(values["web-proxies"]),
    )


def _irc(values: Mapping[str, Any]) -> IRCConfig:
    """The IRC front end: its ports and limits, the line front end's as far as IRC has them."""
    return IRCConfig(
        port=values["irc-port"],
        tls=_tls_port(values, "irc-tls-port"),
        listen=tuple(values["irc-listen"]),
        limits=IRCLimits(
            flood_rate=values["flood-rate"],
            flood_burst=values["flood-burst"],
            flood_bytes=values["flood-bytes"],
            flood_disconnect=values["flood-disconnect"],
            sendq=values["sendq"],
            register_timeout=values["register-timeout"],
            handshake_timeout=values["handshake-timeout"],
            keepalive=values["keepalive"],
        ),
    )


def _files(values: Mapping[str, Any]) -> FilesConfig:
    """Where files wait (--files, else beside the --db file; a temporary folder for :memory:), and their limits."""
    return FilesConfig(
        directory=values["files"]
        or (None if values["db"] == MEMORY else os.path.join(os.path.dirname(values["db"]), DEFAULT_FILES)),
        beside_db=values["files"] is None and values["db"] != MEMORY,
        limits=FileLimits(
            max_size=values["file-max-size"],
            day_bytes=values["file-day-bytes"],
            transfers=values["file-transfers"],
            rate=values["file-rate"],
            keep=values["file-keep"] * 86400,
            store_bytes=values["file-store-bytes"],
        ),
    )
