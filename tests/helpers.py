"""Shared test fixtures: a front end that records what the chat delivers."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from chatd.domain.events import Event
from chatd.domain.ports import Session


@dataclass(eq=False)
class RecordingAudience:
    """A front end that keeps each delivery: the event and who it went to."""

    deliveries: list[tuple[Event, list[Session]]] = field(default_factory=list)

    def deliver(self, event: Event, sessions: Sequence[Session]) -> None:
        self.deliveries.append((event, list(sessions)))


@dataclass(eq=False)
class RecordingSession:
    """One session of a ``RecordingAudience``; ``received`` lists its events."""

    audience: RecordingAudience

    @property
    def received(self) -> list[Event]:
        return [event for event, sessions in self.audience.deliveries if self in sessions]
