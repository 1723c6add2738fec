"""What the chat needs from the outside, and what the outside may see of it, as typing.Protocols.

A front end (nc/telnet now; IRC and a browser later) is an ``Audience``: the
chat hands it each event once, with all of that front end's sessions that
should receive it, so it can render the event once and write the same bytes
to each. A ``Session`` is one connection of a front end, as the chat sees it.

``Bus`` carries events to other daemons (in memory now, Redis later); it
takes each event from the one seam in chatd.domain.publish and never makes
it wait. The stores the chat keeps its past in (``History``, ``Accounts``,
``RoomStore`` ...) are ports too, in chatd.domain.storage_ports.

Front ends hold ``UserView`` and ``RoomView``s: read-only faces of the
chat's own users and rooms, which only the chat changes, through events.

``Clock`` is the injected time: the reactor, or a test's ``Clock``.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from chatd.domain.events import Actor, Event


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


class Bus(Protocol):
    """Carries every event to whoever subscribed: other daemons sharing the rooms, later."""

    def publish(self, event: Event) -> None:
        """Send ``event`` to every subscriber; never waits."""
        ...

    def subscribe(
        self, receive: Callable[[Event], None], kinds: tuple[type[Event], ...] | None = None
    ) -> Callable[[], None]:
        """Call ``receive`` with each event published from now on of ``kinds`` (None: every kind); returns how to
        stop. A subscriber names the kinds it reads, so the events it would pass over (the lines said, most of
        all) cost it nothing, and a bus between daemons need not carry them for it."""
        ...


class RoomView(Protocol):
    """A room as a front end may see it."""

    @property
    def name(self) -> str: ...

    @property
    def topic(self) -> str: ...

    @property
    def seq(self) -> int:
        """The sequence number of the room's last event: right after a join, the join's own."""
        ...


class UserView(Protocol):
    """A user as a front end may see it: the chat's own object, not to be changed."""

    @property
    def nick(self) -> str: ...

    @property
    def online(self) -> bool: ...

    @property
    def operator(self) -> bool: ...

    @property
    def away(self) -> str: ...

    @property
    def account(self) -> str | None:
        """The account the user proved with its password (its folded nickname); None if not identified."""
        ...

    @property
    def rooms(self) -> Mapping[str, RoomView]:
        """The rooms the user is in, by folded name, in the order joined."""
        ...

    @property
    def actor(self) -> Actor:
        """Who the user is now, as their events name them: nickname, address, account."""
        ...


class Timer(Protocol):
    """A call scheduled on a ``Clock``."""

    def active(self) -> bool: ...

    def cancel(self) -> None: ...


class Clock(Protocol):
    """The chat's time: the reactor in the daemon, ``twisted.internet.task.Clock`` in tests."""

    def seconds(self) -> float:
        """Seconds since the Unix epoch."""
        ...

    # Twisted's name, so the reactor and its test Clock fit as they are.
    def callLater(self, delay: float, call: Callable[[], None], /) -> Timer:  # noqa: N802
        """Call ``call`` after ``delay`` seconds."""
        ...
