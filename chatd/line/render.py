"""Events, replies, notices and errors -> wire lines, for people or programs.

Two renderings of the same data: ``text`` lines for people on nc or telnet,
and ``json`` lines (one object each) for programs. Both are pure, end every
line in CRLF, and pass every string through ``scrub`` so no control or bidi
character reaches a terminal. docs/PROTOCOL.md is the grammar of both.

An event shown again from a room's history (on joining it, or by
``/history``) renders as it did live, marked: its text clock holds the
date (``history_text``), its JSON object ``"history": true``
(``history_json``). One found by ``/search`` also shows its id
(``found_text``, ``found_json``).

This module puts the families of text lines together, each in a module of
its own: events (chatd.line.event_lines), answers about the chat
(reply_lines), keys and encrypted messages (key_lines), files (file_lines),
over the pieces they share (pieces); an error's JSON keys are in
chatd.line.error_fields.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache, singledispatch
from typing import Any

from chatd.domain.encoding import json_bytes
from chatd.domain.errors import ChatError
from chatd.domain.events import Event, RoomEvent, Whispered
from chatd.domain.replies import Reply
from chatd.frontend.codec import client_fields
from chatd.frontend.named_refusals import FileRefusedError, NamedRefusal, OfferRefusedError
from chatd.line.error_fields import error_fields, offer_fields
from chatd.line.event_lines import EVENT_BODIES
from chatd.line.file_lines import FILE_BODIES, FILE_LINES
from chatd.line.key_lines import KEY_BODIES, KEY_LINES
from chatd.line.pieces import CRLF, Rendering, clock, dated, encoded, stamped
from chatd.line.reply_lines import REPLY_LINES
from chatd.line.wording import word
from chatd.text import scrub


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the server says to one session: greeting, MOTD, prompt, help, goodbye.

    ``kind`` lets programs tell them apart: welcome, motd, prompt, nick,
    room, help, format, flood, bye, shutdown, oper, away, ignore, ban,
    history_end, search_end, resume, pong.
    ``fields`` is what it says as data (``{"nick": "alice"}`` for "You are
    alice."), JSON keys between ``kind`` and ``text``, so a program never
    reads the sentence. ``more`` are lines after ``text``: each a line of
    its own in text, joined to ``text`` by ``\n`` in JSON.
    """

    kind: str
    text: str
    fields: Mapping[str, object] = field(default_factory=dict)
    more: tuple[str, ...] = ()


Renderable = Event | Reply | Notice | ChatError | NamedRefusal


def text_line(item: Renderable) -> bytes:
    """The line(s) a person sees for ``item``, each ending in CRLF."""
    # An event is rendered for every recipient's format, a join for every member: straight from its body, not
    # through the dispatch every other item goes by.
    body = _BODIES.get(type(item))
    if body is not None:
        return encoded(stamped(clock(item.at), body(item)))  # type: ignore[union-attr]
    return encoded(_human(item))


# Everyone who joins a room is shown its last lines: the same events, again
# and again (the SQLite store hands out the ones it keeps of each room, and
# memory keeps them as they were appended). A bounded cache renders each once
# per format rather than once per user who joins; events are immutable, so a
# hit is the same bytes. 4,096: 20 lines of 200 rooms.
@lru_cache(maxsize=4096)
def history_text(event: Event) -> bytes:
    """The line(s) a person sees for ``event`` shown again from history: its date and time, then its live body.

    A live line's clock is ``[HH:MM]``; a past one's ``[YYYY-MM-DD HH:MM]``,
    so the first characters tell them apart and the day is never in doubt.
    """
    return encoded(stamped(dated(event.at), _BODIES[type(event)](event)))


def has_text_line(event: Event) -> bool:
    """Whether people are shown ``event`` as a line of its own (``history_text`` renders it); a server ban as set or
    lifted, kept for restarts, is not (its operator is answered, those it covers see ``Banned``)."""
    return type(event) in _BODIES


@lru_cache(maxsize=4096)
def history_json(event: Event) -> bytes:
    """The JSON object of ``event`` shown again from history: the live one's keys and ``"history": true``."""
    return _json({**client_fields(event), "history": True})


def found_text(event: RoomEvent | Whispered) -> bytes:
    """The line(s) a person sees for ``event`` found by ``/search``: as from history, its id after the date.

    The id comes before the room and sender, where nothing the sender typed
    can stand, and is what ``/history ROOM around ID`` takes.
    """
    return encoded(stamped(f"{dated(event.at)} {event.id}", _BODIES[type(event)](event)))


def found_json(event: RoomEvent | Whispered) -> bytes:
    """The JSON object of ``event`` found by ``/search``: a history line's keys and ``"search": true``."""
    return _json({**client_fields(event), "history": True, "search": True})


def json_line(item: Renderable) -> bytes:
    """One JSON object for ``item``, ending in CRLF; its ``type`` names its kind (chatd.frontend.codec)."""
    if isinstance(item, ChatError):
        fields: dict[str, Any] = _error_json(item)
    elif isinstance(item, OfferRefusedError):
        fields = {**_error_json(item.refusal), **offer_fields(item)}
    elif isinstance(item, FileRefusedError):
        fields = {**_error_json(item.refusal), "file": item.file}
    elif isinstance(item, Notice):
        fields = {
            "type": "notice",
            "kind": item.kind,
            **item.fields,
            "text": "\n".join((item.text, *item.more)),
        }
    else:
        fields = client_fields(item)
    return _json(fields)


def _error_json(error: ChatError) -> dict[str, Any]:
    return {"type": "error", "code": error.code, "text": word(error), **error_fields(error)}


def _json(fields: dict[str, Any]) -> bytes:
    return json_bytes(_scrubbed(fields)) + CRLF


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        # A message may hold lines (a paste); JSON escapes the newline.
        return "\n".join(scrub(line) for line in value.split("\n"))
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


@singledispatch
def _human(item: Renderable) -> str | list[str]:
    """One line, or for listings several, without line endings."""
    raise TypeError(f"no text rendering for {type(item).__name__}")


_BODIES: dict[type, Rendering] = {**EVENT_BODIES, **KEY_BODIES, **FILE_BODIES}
"""Each event's line(s) after the clock: the same body live and from history."""


def _register(lines: Mapping[type, Rendering]) -> None:
    for kind, render in lines.items():
        _human.register(kind)(render)


_register(
    {
        **REPLY_LINES,
        **KEY_LINES,
        **FILE_LINES,
        Notice: lambda n: [f"*** {line}" for line in (n.text, *n.more)],
        ChatError: lambda e: f"ERR {e.code} {word(e)}",
        # A person reads the refusal of an offer or an accept under the line they typed: its JSON names it for
        # programs.
        OfferRefusedError: lambda e: _human(e.refusal),
        FileRefusedError: lambda e: _human(e.refusal),
    }
)
