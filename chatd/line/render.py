"""Events, replies, notices and errors -> wire lines, for people or programs.

Two renderings of the same data: ``text`` lines for people on nc or telnet,
and ``json`` lines (one object each) for programs. Both are pure, end every
line in CRLF, and pass every string through ``scrub`` so no control or bidi
character reaches a terminal. docs/PROTOCOL.md is the grammar of both.
"""

import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import singledispatch
from typing import Any

from chatd.domain.errors import ChatError
from chatd.domain.events import (
    Acted,
    Event,
    Joined,
    NickChanged,
    Parted,
    Quit,
    Said,
    TopicChanged,
    Whispered,
)
from chatd.domain.names import scrub
from chatd.domain.replies import Members, Reply, RoomList, ServerTime, Topic, UserList

CRLF = b"\r\n"


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the server says to one session: greeting, MOTD, prompt, help, goodbye.

    ``kind`` lets programs tell them apart: welcome, motd, prompt, help,
    room, format, bye, shutdown.
    """

    kind: str
    text: str


Renderable = Event | Reply | Notice | ChatError


def text_line(item: Renderable) -> bytes:
    """The line(s) a person sees for ``item``, each ending in CRLF."""
    rendered = _human(item)
    lines = [rendered] if isinstance(rendered, str) else rendered
    # scrub each line, so a newline inside any field becomes U+FFFD rather
    # than a line of its own that could pass for someone else's.
    return b"".join(scrub(line).encode("utf-8") + CRLF for line in lines)


def json_line(item: Renderable) -> bytes:
    """One JSON object for ``item``, ending in CRLF; its ``type`` names its kind."""
    if isinstance(item, ChatError):
        fields: dict[str, Any] = {
            "type": "error",
            "code": item.code,
            "text": item.message,
        }
    else:
        fields = {"type": _type_name(type(item)), **asdict(item)}
    return json.dumps(_scrubbed(fields), ensure_ascii=False, separators=(",", ":")).encode() + CRLF


def _type_name(kind: type) -> str:
    """``NickChanged`` -> ``nick_changed``: stable names taken from the classes."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower()


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        # A message may hold lines (a paste); JSON escapes the newline.
        return "\n".join(scrub(line) for line in value.split("\n"))
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


def _clock(at: float) -> str:
    return time.strftime("[%H:%M]", time.gmtime(at))


def _because(reason: str) -> str:
    return f" ({reason})" if reason else ""


@singledispatch
def _human(item: Renderable) -> str | list[str]:
    """One line, or for listings several, without line endings."""
    raise TypeError(f"no text rendering for {type(item).__name__}")


def _names(names: tuple[str, ...]) -> str:
    return "".join(" " + name for name in names)


def _register(kind: type, render: Callable[[Any], str | list[str]]) -> None:
    _human.register(kind)(render)


_register(Said, lambda e: [f"{_clock(e.at)} {e.room} <{e.nick}> {line}" for line in e.text.split("\n")])
_register(Acted, lambda e: f"{_clock(e.at)} {e.room} * {e.nick} {e.text}")
_register(Whispered, lambda e: f"{_clock(e.at)} <{e.nick} -> {e.to}> {e.text}")
_register(Joined, lambda e: f"{_clock(e.at)} {e.room} -- {e.nick} joined")
_register(Parted, lambda e: f"{_clock(e.at)} {e.room} -- {e.nick} left{_because(e.reason)}")
_register(Quit, lambda e: f"{_clock(e.at)} -- {e.nick} quit{_because(e.reason)}")
_register(NickChanged, lambda e: f"{_clock(e.at)} -- {e.nick} is now known as {e.new}")
_register(
    TopicChanged,
    lambda e: (
        f"{_clock(e.at)} {e.room} -- {e.nick} set the topic: {e.topic}"
        if e.topic
        else f"{_clock(e.at)} {e.room} -- {e.nick} cleared the topic"
    ),
)
_register(Members, lambda r: f"*** In {r.room} ({len(r.nicks)}):{_names(r.nicks)}")
_register(
    Topic,
    lambda r: f"*** Topic of {r.room}: {r.topic}" if r.topic else f"*** {r.room} has no topic",
)
_register(
    RoomList,
    lambda r: [
        f"*** Rooms ({len(r.rooms)}):",
        *(f"***   {s.room} ({s.members}) {s.topic}".rstrip() for s in r.rooms),
    ],
)
_register(UserList, lambda r: f"*** Online ({len(r.nicks)}):{_names(r.nicks)}")
_register(
    ServerTime,
    lambda r: time.strftime("*** Server time: %Y-%m-%d %H:%M:%S UTC", time.gmtime(r.at)),
)
_register(Notice, lambda n: f"*** {n.text}")
_register(ChatError, lambda e: f"ERR {e.code} {e.message}")
