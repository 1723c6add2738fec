"""The one seam every event leaves the chat through.

Each chat operation checks its request, builds one event (stamped here with
an id and the injected clock's time, and for a room the next sequence
number) and hands it to ``Publisher.publish``, which, in this order, applies
it to the state, appends it to history, publishes it to the bus and
delivers it to each front end with its recipients. Who receives an event
is decided before it is applied, so a user it takes offline still gets it.
"""

from collections.abc import Awaitable, Callable, Iterable, Sequence

from chatd.domain.events import Event
from chatd.domain.ids import EventIds
from chatd.domain.ports import Audience, Bus, Session
from chatd.domain.rooms import Room
from chatd.domain.state import ChatState
from chatd.domain.storage_ports import History
from chatd.domain.users import User
from chatd.text import fold

Plan = Sequence[tuple[Audience, list[Session]]]
"""Each front end with the sessions an event goes to."""


class Publisher:
    """Stamps events and sends each through apply, history, bus and delivery."""

    def __init__(self, state: ChatState, now: Callable[[], float], history: History, bus: Bus) -> None:
        self._state = state
        self._now = now
        self._ids = EventIds()
        self._history = history
        self._bus = bus

    def stamp(self) -> tuple[str, float]:
        """A new event's id and time."""
        at = self._now()
        return self._ids(at), at

    def next_seq(self, room: str) -> int:
        """The sequence number of the next event in room ``room``, which may not exist yet: then once
        ``seq_known`` says it is."""
        key = fold(room)
        existing = self._state.rooms.by_key.get(key)
        return (existing.seq if existing is not None else self._history.last_seq(key)) + 1

    def seq_known(self, room: str) -> Awaitable[None] | None:
        """None if ``next_seq`` answers for room ``room`` now (it is live, or the history holds its last); else what
        to await first: the history's read of it (``History.read_last_seq``)."""
        key = fold(room)
        return None if key in self._state.rooms.by_key else self._history.read_last_seq(key)

    def publish(self, event: Event, *recipients: Iterable[User]) -> None:
        """Apply ``event``, keep it, carry it, and deliver it to the sessions of each group of ``recipients``.

        Groups rather than one list, so the members of a room and one more
        user (a joiner, say) need no copy of the room: a lobby of thousands
        is announced each arrival.
        """
        self._carry(event, self._plan(recipients))

    def publish_in(self, event: Event, room: Room) -> None:
        """As ``publish`` to every member of ``room``, from the list of their sessions the room keeps.

        A line said in a room of 100 otherwise lists 100 sessions from 100
        users, and a room's members change far less often than they speak.
        """
        if self._state.users.several:
            self.publish(event, room.members.values())
            return
        sessions = room.sessions
        if sessions is None:
            sessions = room.sessions = [user.session for user in room.members.values()]
        self._carry(event, self._grouped(sessions))

    def _carry(self, event: Event, plan: Plan) -> None:
        """Apply ``event``, keep it, put it on the bus and deliver it as ``plan`` says."""
        self._state.apply(event)
        self._history.append(event)
        self._bus.publish(event)
        for audience, sessions in plan:
            audience.deliver(event, sessions)

    def _plan(self, recipients: tuple[Iterable[User], ...]) -> Plan:
        """Each front end once, with its recipients' sessions; none for an event nobody is shown.

        This runs for every event, over every member of a room, so the
        usual case of one front end online costs one comprehension and no
        per-recipient look at which front end a session belongs to.
        """
        if self._state.users.several:
            sessions = [session for group in recipients for user in group for session in user.sessions]
        else:
            # Three times faster than the nested comprehension over a room of 100.
            sessions = [user.session for user in recipients[0]] if recipients else []
            for group in recipients[1:]:
                sessions += [user.session for user in group]
        return self._grouped(sessions)

    def _grouped(self, sessions: list[Session]) -> Plan:
        """``sessions`` by front end (as they are, with one front end online); none if there are none.

        Front ends read a plan's lists and never change them: a room's is kept.
        """
        if not sessions:
            return ()
        audiences = self._state.users.audiences
        if len(audiences) == 1:
            [audience] = audiences
            return ((audience, sessions),)
        grouped: dict[Audience, list[Session]] = {}
        for session in sessions:
            grouped.setdefault(session.audience, []).append(session)
        return tuple(grouped.items())
