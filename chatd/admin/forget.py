"""``python -m chatd.admin forget NICK``: what NICK sent and did, deleted by nickname alone, a chunk at a time.

With ``--private`` it counts their private messages first, and deletes
them only with ``--confirm``; the events the chat needs to come back the
same are kept (``chatd.storage.retention`` decides which).
"""

import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import TextIO, TypeVar

from chatd.admin import AdminError
from chatd.domain.encoding import type_name
from chatd.domain.events import MESSAGES, Encrypted, Whispered
from chatd.storage import retention
from chatd.storage.forgotten import leave_mark
from chatd.text import counted

KEPT_BECAUSE = "the chat needs to come back the same (a room's last topic or topic lock, a ban, mute or kick still in force)"
"""Why ``forget`` keeps some of the events NICK acted: what ``--retain-days`` keeps whatever its age."""

_LINES = frozenset(type_name(kind) for kind in MESSAGES)
"""The kinds of the lines ``forget`` deletes: messages and actions in rooms."""

_PRIVATE = frozenset(type_name(kind) for kind in (Whispered, Encrypted))
"""The kinds of the private messages ``forget --private --confirm`` deletes, sealed or not."""


T = TypeVar("T")


def private_count(connection: sqlite3.Connection, nick: str, out: TextIO) -> None:
    """Say how many private messages and room lines ``nick`` (in any case) sent, and how to delete them; delete
    nothing (``forget --private`` without ``--confirm``)."""
    try:
        lines, private = retention.lines_and_private(connection, nick, 0.0)
    except sqlite3.Error as error:
        raise AdminError(f"cannot read {nick}'s messages ({error}).") from None
    print(
        f"{nick} sent {counted(len(private), 'private message')} and {counted(len(lines), 'line')} in rooms, "
        f"whoever had the nickname; forget --private --confirm {nick} deletes them, for good. Nothing was deleted.",
        file=out,
    )


def forget(
    connection: sqlite3.Connection, path: str, nick: str, out: TextIO, *, private: bool = False
) -> None:
    """Delete every line ``nick`` (in any case) sent in a room, with ``private`` every private message, and the other
    events they acted that the chat needs no more, a chunk at a time; say how many, and how many were kept.

    ``nick`` is checked by ``nickname`` first.
    """
    try:
        # By nickname alone, from the first event kept: whoever acted, whichever account had the nickname then.
        events = retention.acted_by(connection, nick)
        others = [
            (position, kind) for position, kind in events if kind not in _LINES and kind not in _PRIVATE
        ]
        now = time.time()
        traces = retention.unneeded(connection, others, now)
        kicks_over, kicks_running = retention.kicks_of(connection, nick, now)
        count = _in_chunks(
            connection, retention.delete, [position for position, kind in events if kind in _LINES]
        )
        deleted_privately = _in_chunks(
            connection,
            retention.delete,
            [position for position, kind in events if private and kind in _PRIVATE],
        )
        deletions = retention.deletions_by(connection, nick, 0.0)
        gone = _in_chunks(connection, retention.delete, traces) + retention.forget_deletions(
            connection, deletions
        )
        unaddressed = _in_chunks(connection, retention.rewrite, kicks_over)
    except sqlite3.Error as error:
        raise AdminError(f"cannot delete {nick}'s lines ({error}); run it again to finish.") from None
    if count:
        try:
            # A running daemon shows each room's last lines from memory: the mark has it read them again.
            leave_mark(path)
        except OSError as error:
            raise AdminError(
                f"forgot {counted(count, 'line')} {nick} sent, but cannot tell the daemon on --db {path} "
                f"({error.strerror}): restart it before anyone joins a room they were in."
            ) from None
    also = f" and {counted(deleted_privately, 'private message')}" if private else ""
    told = f"Forgot {counted(count, 'line')}{also} {nick} sent"
    if gone:
        told += f", and {counted(gone, 'other event')} of theirs (joins, parts, quits and the like), addresses and all"
    if unaddressed:
        told += f"; took their address out of {counted(unaddressed, 'kick')} others gave them"
    if kept := len(others) - len(traces) + kicks_running:
        told += f"; kept {counted(kept, 'other event')} {KEPT_BECAUSE}"
    print(told + ".", file=out)


def _in_chunks(
    connection: sqlite3.Connection,
    write: Callable[[sqlite3.Connection, Sequence[T]], int],
    items: Sequence[T],
) -> int:
    """``write`` (``retention.delete``, ``retention.rewrite``) the events of ``items``, ``retention.CHUNK`` a
    transaction; how many it changed."""
    count = 0
    for start in range(0, len(items), retention.CHUNK):
        count += write(connection, items[start : start + retention.CHUNK])
    return count
