"""Why a connection is not reading, and reading again once no reason is left.

A connection stops reading for reasons that come and go on schedules of
their own: its flood budget is spent (until a timer says it has refilled),
or a command it sent is still running (until its Deferred fires). Each
reason is lifted by whoever set it, and the connection reads again only
when none is left: a refilled budget must not let lines overtake a command
that has not answered yet, nor an answered command let a flooder in early.
"""

from enum import Flag, auto
from typing import Protocol


class Pause(Flag):
    """A reason to stop reading."""

    FLOOD = auto()
    """The flood budget is spent; a timer lifts this when it has refilled."""
    COMMAND = auto()
    """A command is still running; its Deferred lifts this when it fires."""
    TRANSFER = auto()
    """An upload's bytes passed the transfer budget (--file-rate); a timer lifts this when it has refilled."""
    REQUEST = auto()
    """An HTTP request is being answered (the browser front end's page); the HTTP channel lifts this."""


class Reader(Protocol):
    """The connection's side: how its reading is stopped and started."""

    def stop_reading(self) -> None:
        """Take no more input: stop the transport, keep what is buffered."""

    def start_reading(self) -> None:
        """Take input again: resume the transport and go on with what is buffered."""


class Reading:
    """Whether ``reader`` reads: it stops at the first reason and starts again when the last is lifted."""

    __slots__ = ("_reader", "_reasons")

    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self._reasons = Pause(0)

    @property
    def paused(self) -> bool:
        """Whether any reason to stop reading holds."""
        return bool(self._reasons)

    @property
    def reasons(self) -> Pause:
        """The reasons that hold now (empty while reading)."""
        return self._reasons

    def pause(self, reason: Pause) -> None:
        """Stop reading for ``reason``; pausing again for a reason that holds changes nothing."""
        was_reading = not self._reasons
        self._reasons |= reason
        if was_reading:
            self._reader.stop_reading()

    def resume(self, reason: Pause) -> None:
        """Lift ``reason``; read again if it was the last one, and only then."""
        if not self._reasons & reason:
            return
        self._reasons &= ~reason
        if not self._reasons:
            self._reader.start_reading()
