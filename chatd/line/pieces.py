"""The pieces every family of text lines is made of: the clock or date before a line, a reason in brackets, CRLF
and scrubbing after.

On its own so that each family's module (chatd.line.event_lines, reply_lines, key_lines, file_lines) and
chatd.line.render, which puts the families together, share them without a family importing render.
"""

import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from chatd.text import scrub

CRLF = b"\r\n"

Rendering = Callable[[Any], str | list[str]]
"""How a family renders one kind: its line, or for listings several, without clock or line endings."""


def encoded(rendered: str | list[str]) -> bytes:
    """``rendered`` as the bytes of a line each, scrubbed and ending in CRLF."""
    # scrub each line, so a newline inside any field becomes U+FFFD rather
    # than a line of its own that could pass for someone else's.
    if isinstance(rendered, str):
        return scrub(rendered).encode("utf-8") + CRLF
    return b"".join(scrub(line).encode("utf-8") + CRLF for line in rendered)


def clock(at: float) -> str:
    """``[HH:MM]`` of ``at``, the stamp of a live line."""
    return _minute(int(at // 60))


@lru_cache(maxsize=4)
def _minute(minute: int) -> str:
    """``[HH:MM]`` of a minute since the epoch: worked out once a minute, not for every line."""
    return time.strftime("[%H:%M]", time.gmtime(minute * 60))


def dated(at: float) -> str:
    """``[YYYY-MM-DD HH:MM]`` of ``at``, the stamp of a line shown again from history."""
    return time.strftime("[%Y-%m-%d %H:%M]", time.gmtime(at))


def dated_utc(at: float) -> str:
    """``YYYY-MM-DD HH:MM UTC`` of ``at``, within a line's words."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(at))


def stamped(stamp: str, body: str | list[str]) -> str | list[str]:
    """``body`` with ``stamp`` before each of its lines."""
    if isinstance(body, str):
        return f"{stamp} {body}"
    return [f"{stamp} {line}" for line in body]


def because(reason: str) -> str:
    """`` (reason)`` after a line's words; nothing without a reason."""
    return f" ({reason})" if reason else ""
