"""A room's recipients kept from line to line, so a line said reaches them in one C loop.

A line said in a room of 100 is 100 writes, and at a million deliveries a
second the Python around each write was most of the daemon's time: the
delivery loop, the call to ``Output.write``, its checks and its list's
append came to 36% of the samples, the send calls to 21% (bench/load.py
profile --irc --gil at 1M/s, issue 15). Nothing about a room's recipients
changes from one line to the next while nobody joins, leaves, closes or
changes how they are shown lines. So each front end keeps, per list of
recipients, their outputs' part lists grouped by how each renders a line
(its *kind*: an IRC client's shape, a line session's format), and a line
is appended to each group's lists by ``map`` in C, with no Python call per
recipient.

What could make a kept fan-out wrong is anything delivery reads of a
recipient besides its membership: its sink (swapped while a replay is held
or a labelled answer gathered), its sink's state, its kind. Each such
change calls ``Sink.changed``, and the front end's ``Outbox`` has its
fan-outs forget every list they kept: each is made afresh when next
used. Membership needs no such call: a fan-out is found by its recipients
list and used only if that list is, element for element, the one it was
made from (a C comparison of identities).

Each sink says where a fan-out may append its lines (``Sink.fanned``): a
plain ``Output``, itself; an IRC client's WebSocket (``FramedOutput``), the
output under it, each line in a frame, framed once for all such clients
of a kind. A recipient whose sink allows none (a held replay, a labelled
answer, a closing session) makes its list one that is not kept (``None``):
delivery then takes the per-recipient path, as it does for every event
but the lines said.
"""

from collections import deque
from collections.abc import Callable, Hashable
from itertools import repeat
from typing import Generic, Protocol, TypeVar

from chatd.frontend.frames import framed
from chatd.frontend.output import Outbox, Output, Sink

FANOUTS_KEPT = 1024
"""How many recipient lists a front end keeps at most: a room's each; past this all are made afresh."""


class Recipient(Protocol):
    """What a fan-out reads of a session."""

    @property
    def sink(self) -> Sink: ...


S = TypeVar("S", bound=Recipient)
K = TypeVar("K", bound=Hashable)


Frame = Callable[[bytes], bytes] | None
"""What each line becomes in a group's outputs: a WebSocket frame, or (None) the line as it is."""

Group = tuple[Frame, list[list[bytes]]]
"""The recipients of one kind and frame: the frame, and their outputs' part lists."""


class Fanout(Generic[S, K]):
    """One recipients list's outputs, their part lists grouped by kind and frame; held on the outbox once a pass."""

    __slots__ = ("_held", "_outbox", "_outputs", "_sessions", "groups")

    def __init__(
        self,
        sessions: list[S],
        outputs: list[Output],
        groups: dict[tuple[K, Frame], list[list[bytes]]],
        outbox: Outbox,
    ) -> None:
        self._sessions = sessions
        self._outputs = outputs
        self.groups: tuple[tuple[K, Group], ...] = tuple(
            (kind, (frame, parts)) for (kind, frame), parts in groups.items()
        )
        """Each kind, as often as it comes framed in different ways, with its group: render a line once a kind."""
        self._outbox = outbox
        self._held = False

    def write(self, data: bytes, group: Group) -> None:
        """Gather ``data`` (whole rendered lines), framed as ``group`` says, for every recipient of ``group``."""
        frame, parts = group
        if frame is not None:
            data = framed(data, frame)
        deque(map(list.append, parts, repeat(data)), 0)
        if not self._held:
            self._held = True
            self._outbox.hold(self)

    def take_back(self, session: S) -> None:
        """Take back the line just written from ``session``, if it is a recipient: a speaker not sent its own."""
        # list.index compares identities first, in C: a tenth of a Python loop's time.
        try:
            at = self._sessions.index(session)
        except ValueError:
            return
        self._outputs[at].take_last()

    def send_gathered(self) -> None:
        """Send what each recipient gathered this pass (an output sent already has nothing left)."""
        self._held = False
        for output in self._outputs:
            output.send_gathered()


class Fanouts(Generic[S, K]):
    """A front end's kept fan-outs, by recipients list; ``kind`` says how a session renders a line."""

    def __init__(self, outbox: Outbox, kind: Callable[[S], K]) -> None:
        self._outbox = outbox
        self._kind = kind
        self._kept: dict[tuple[int, int], tuple[list[S], Fanout[S, K] | None]] = {}
        """Each recipients list seen since the last change, pinned, with its fan-out (None: not kept)."""
        outbox.on_change(self._kept.clear)

    def find(self, sessions: list[S]) -> Fanout[S, K] | None:
        """The fan-out of ``sessions``, made if need be; None when one of them has a sink no fan-out may hold."""
        if not sessions:
            return None
        if len(self._kept) >= FANOUTS_KEPT:
            self._kept.clear()
        key = (id(sessions[0]), len(sessions))
        kept = self._kept.get(key)
        if kept is not None and kept[0] == sessions:
            return kept[1]
        pinned = list(sessions)
        fanout = self._make(pinned)
        self._kept[key] = (pinned, fanout)
        return fanout

    def _make(self, sessions: list[S]) -> Fanout[S, K] | None:
        """The fan-out of ``sessions``; None if a sink allows none (``Sink.fanned``)."""
        outputs: list[Output] = []
        groups: dict[tuple[K, Frame], list[list[bytes]]] = {}
        for session in sessions:
            fanned = session.sink.fanned()
            if fanned is None:
                return None
            output, frame = fanned
            outputs.append(output)
            groups.setdefault((self._kind(session), frame), []).append(output.parts())
        return Fanout(sessions, outputs, groups, self._outbox)
