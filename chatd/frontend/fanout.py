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
fan-outs forget the lists that recipient's output is in (each is made
afresh when next used); the other rooms' lists stay, so a connection
closing costs only its own rooms a new list. Membership needs no such
call: a fan-out is found by its recipients list and used only if that list
is, element for element, the one it was made from (a C comparison of
identities).

Each sink says where a fan-out may append its lines (``Sink.fanned``): a
plain ``Output``, itself; an IRC client's WebSocket (``FramedOutput``), the
output under it, each line in a frame, framed once for all such clients
of a kind. A recipient whose sink allows none (a held replay, a labelled
answer, a closing session) makes its list one with no fan-out (``None``,
looked for again at the next line): delivery then takes the
per-recipient path, as it does for every event but the lines said.
"""

from collections import deque
from collections.abc import Callable, Hashable
from itertools import repeat
from typing import Generic, Protocol, TypeVar

from chatd.frontend.frames import framed
from chatd.frontend.outbox import Outbox
from chatd.frontend.output import Output
from chatd.frontend.sinks import Sink

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

Group = tuple[tuple[Frame, list[list[bytes]]], ...]
"""The recipients of one kind: for each frame they take a line in, their outputs' part lists."""


class Fanout(Generic[S, K]):
    """One recipients list's outputs, their part lists grouped by kind, then frame; held on the outbox till they are sent."""

    __slots__ = ("_again", "_held", "_next", "_outbox", "groups", "outputs", "sessions")

    def __init__(
        self,
        sessions: list[S],
        outputs: list[Output],
        groups: dict[K, dict[Frame, list[list[bytes]]]],
        outbox: Outbox,
    ) -> None:
        self.sessions = sessions
        """The recipients, pinned: a list found is this one only if it is, element for element, the same."""
        self.outputs = outputs
        """Each recipient's output, in the order of ``sessions``."""
        self.groups: tuple[tuple[K, Group], ...] = tuple(
            (kind, tuple(frames.items())) for kind, frames in groups.items()
        )
        """Each kind with its group: a line is rendered once a kind, and framed once a frame."""
        self._outbox = outbox
        self._held = False
        self._next = 0
        """The first output not sent yet in this round, when a slice stopped short of the end."""
        self._again = False
        """Whether a line came after this round's sends began: the outputs already sent need another."""

    def write(self, data: bytes, group: Group) -> None:
        """Gather ``data`` (whole rendered lines) for every recipient of ``group``, in the frame each takes."""
        for frame, parts in group:
            deque(map(list.append, parts, repeat(data if frame is None else framed(data, frame))), 0)
        if not self._held:
            self._held = True
            self._outbox.hold(self)
        elif self._next:
            self._again = True

    def take_back(self, session: S) -> None:
        """Take back the line just written from ``session``, if it is a recipient: a speaker not sent its own."""
        # list.index compares identities first, in C: a tenth of a Python loop's time.
        try:
            at = self.sessions.index(session)
        except ValueError:
            return
        self.outputs[at].take_last()

    def send_gathered(self, budget: int) -> int:
        """Send what each recipient gathered (one sent already has nothing left), in sends up to ``budget``.

        A room bigger than the budget is sent over several slices, the
        reactor reading between them; one that stops short is first in line
        for the next slice, and goes round once more if a line came meanwhile.
        """
        outputs, at, sent = self.outputs, self._next, 0
        end = len(outputs)
        while at < end and sent < budget:
            sent += outputs[at].send_gathered()
            at += 1
        if at < end:
            self._next = at
            self._outbox.hold_first(self)
            return sent
        self._next = 0
        self._held = self._again
        if self._again:
            self._again = False
            self._outbox.hold(self)
        return sent


class Fanouts(Generic[S, K]):
    """A front end's kept fan-outs, by recipients list; ``kind`` says how a session renders a line."""

    def __init__(self, outbox: Outbox, kind: Callable[[S], K]) -> None:
        self._outbox = outbox
        self._kind = kind
        self._kept: dict[tuple[int, int], Fanout[S, K]] = {}
        """Each list's fan-out, by its first session's identity and its length, until one of its outputs changes."""
        self._holding: dict[Output, set[tuple[int, int]]] = {}
        """Each output a kept fan-out holds, with the keys of the fan-outs holding it."""
        outbox.on_change(self._forget)

    def find(self, sessions: list[S]) -> Fanout[S, K] | None:
        """The fan-out of ``sessions``, made if need be; None when one of them has a sink no fan-out may hold."""
        if not sessions:
            return None
        key = (id(sessions[0]), len(sessions))
        kept = self._kept.get(key)
        if kept is not None:
            if kept.sessions == sessions:
                return kept
            self._drop(key)
        elif len(self._kept) >= FANOUTS_KEPT:
            self._kept.clear()
            self._holding.clear()
        fanout = self._make(list(sessions))
        if fanout is not None:
            self._kept[key] = fanout
            for output in fanout.outputs:
                self._holding.setdefault(output, set()).add(key)
        return fanout

    def _forget(self, output: Output) -> None:
        """Something delivery reads of ``output``'s session changed: its lists are made afresh when next used."""
        for key in self._holding.pop(output, ()):
            self._drop(key)

    def _drop(self, key: tuple[int, int]) -> None:
        """Forget the fan-out kept under ``key``, if one is, and that its outputs are in it."""
        fanout = self._kept.pop(key, None)
        if fanout is None:
            return
        for output in fanout.outputs:
            keys = self._holding.get(output)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._holding[output]

    def _make(self, sessions: list[S]) -> Fanout[S, K] | None:
        """The fan-out of ``sessions``; None if a sink allows none (``Sink.fanned``)."""
        outputs: list[Output] = []
        groups: dict[K, dict[Frame, list[list[bytes]]]] = {}
        for session in sessions:
            fanned = session.sink.fanned()
            if fanned is None:
                return None
            output, frame = fanned
            outputs.append(output)
            groups.setdefault(self._kind(session), {}).setdefault(frame, []).append(output.parts())
        return Fanout(sessions, outputs, groups, self._outbox)
