"""What the chat needs from the outside, as typing.Protocols.

A front end (the line protocol now; IRC or a browser later) is an
``Audience``: the chat hands it each event once, together with all of that
front end's sessions that should receive it, so the front end can render
the event once and write the same bytes to each. A ``Session`` is one
connection of a front end, as the chat sees it: it only needs to know which
audience it belongs to.
"""

from collections.abc import Sequence
from typing import Protocol

from chatd.domain.events import Event


class Session(Protocol):
    """One user's connection through some front end."""

    @property
    def audience(self) -> "Audience":
        """The front end that delivers this session's events."""
        ...


class Audience(Protocol):
    """A front end that renders events and writes them to its sessions."""

    def deliver(self, event: Event, sessions: Sequence[Session]) -> None:
        """Show ``event`` to each of ``sessions``; never waits, never raises."""
        ...
