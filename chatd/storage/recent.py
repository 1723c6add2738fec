"""Each room's last lines in memory beside the SQLite file, so showing them to whoever joins reads nothing.

Every join shows the room's last ``--replay`` lines (issue 13). Read from
the file, each replay was a query on the reader thread, two thread hops
while the joining connection stopped reading, and the decoding of every
line, for every user who joined: after a restart, 5,000 users coming back
into 50 rooms read the same 20 lines of each room a hundred times, and
registered at half the rate of ``--db :memory:`` (docs/PERFORMANCE.md,
"Registering after a restart"). ``RecentLines`` keeps the last
``HISTORY_MOST`` lines (the most one read gives) of each room read since
start: the first read of a room fills it with the lines it asked for from
the file (a replay's 20, not 100 to decode that no join shows), and every
line appended after that is added as it is appended, so it holds what the file
holds plus what is appended and not yet committed, as ``MemoryHistory``
does. Output waits for those lines to be in the pass log (``Outbox``,
chatd.storage.pass_log), so nobody is shown a line a ``kill -9`` could lose.

A room nobody has read since start costs nothing; one read holds at most
``HISTORY_MOST`` events, a tenth of what ``MemoryHistory`` keeps of every
room. It keeps the ``ROOMS`` rooms read most recently, the one read least
recently dropped first: a client joining a new room, saying a line and
parting, again and again, left every such room's lines here until the
daemon stopped. A room dropped is read from the file again at its next
join, as one nobody has read since start is, so the bound costs a read,
never a wrong answer; a read under way for a room dropped meanwhile fills
a room no longer kept, as after ``clear``. The bound is on rooms read, not
on rooms emptied a while: it needs no timer, and every join reads its room,
so a live room (one people join) stays. Whatever deletes lines behind the
appends (``--retain-days``, ``/forget``, ``python -m chatd.admin forget``,
a failed write) makes the store call ``clear``: every room is read from the
file again; ``/delete`` drops its one room (``drop``).
"""

from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Sequence
from itertools import dropwhile, islice

from chatd.domain.events import RoomEvent
from chatd.domain.reads import HISTORY_MOST

ROOMS = 4096
"""Rooms whose last lines are kept: far more than a big server's rooms with people in them (5,000 users in 50 rooms,
docs/PERFORMANCE.md), at most ``HISTORY_MOST`` lines each."""


class _Room:
    """The last lines of one room, oldest first, once read from the file (``ready``)."""

    __slots__ = ("_latest", "lines", "ready", "whole")

    def __init__(self, most: int) -> None:
        self.lines: deque[RoomEvent] = deque(maxlen=most)
        self.ready = False
        """Whether the file's lines are in: until then ``lines`` holds only those appended since the read began."""
        self.whole = True
        """Whether ``lines`` holds every line of the room, none having been pushed out by a newer one."""
        self._latest: tuple[int, tuple[RoomEvent, ...]] | None = None
        """The last answer past every line kept, with its ``limit``, until a line comes: each joiner's replay."""

    def add(self, line: RoomEvent) -> None:
        if len(self.lines) == self.lines.maxlen:
            self.whole = False
        self.lines.append(line)
        self._latest = None

    def fill(self, kept: Sequence[RoomEvent], asked: int) -> None:
        """Put the file's last lines (``kept``, oldest first, of ``asked``) before those appended since they were asked for.

        Lines are committed in the order they are appended, so the read gave
        the room's lines up to some line, and ``lines`` holds every one
        appended since the read was asked for: together, each line once.
        Fewer than ``asked`` is every line the file has of the room.
        """
        newest = kept[-1].seq if kept else 0
        later = [line for line in self.lines if line.seq > newest]
        most = self.lines.maxlen
        assert most is not None, "made with a bound"
        self.whole = self.whole and len(kept) < asked and len(kept) + len(later) <= most
        self.lines = deque([*kept, *later], maxlen=most)
        self.ready = True
        self._latest = None

    def last(self, before: int | None, limit: int) -> tuple[RoomEvent, ...] | None:
        """The last ``limit`` lines below ``before`` (None: the latest), oldest first; None if some are not here.

        A replay on joining asks for the lines before the join, which are all
        the room keeps: the answer is kept until a line comes, so the joiners
        after the first (a restart's thousands into one room) take it as it is.
        """
        past_all = before is None or not self.lines or self.lines[-1].seq < before
        latest = self._latest
        if past_all and latest is not None and latest[0] == limit:
            return latest[1]
        newest_first: Iterator[RoomEvent] = reversed(self.lines)
        if before is not None and not past_all:
            # Lines are kept in the order of their seq: those at or after ``before`` are the newest few, passed
            # over once rather than checked line by line.
            newest_first = dropwhile(lambda line: line.seq >= before, newest_first)
        found = list(islice(newest_first, limit))
        if len(found) < limit and not self.whole:
            return None
        found.reverse()
        answer = tuple(found)
        if past_all:
            self._latest = (limit, answer)
        return answer


class RecentLines:
    """The last ``most`` lines of each of the last ``rooms`` rooms read, and of those appended to it since, by folded
    name."""

    def __init__(self, most: int = HISTORY_MOST, rooms: int = ROOMS) -> None:
        self.most = most
        self._most_rooms = rooms
        self._rooms: OrderedDict[str, _Room] = OrderedDict()
        """The rooms kept, the one read least recently first."""

    def add(self, room: str, line: RoomEvent) -> None:
        """``line`` was appended to ``room``: kept if the room is (or is being read)."""
        kept = self._rooms.get(room)
        if kept is not None:
            kept.add(line)

    def last(self, room: str, before: int | None, limit: int) -> tuple[RoomEvent, ...] | None:
        """The last ``limit`` lines of ``room`` below ``before``, oldest first, as the file has them; None if not known here."""
        kept = self._rooms.get(room)
        if kept is None or not kept.ready:
            return None
        self._rooms.move_to_end(room)
        return kept.last(before, limit)

    def reading(self, room: str) -> Callable[[Sequence[RoomEvent], int], None] | None:
        """Begin keeping ``room``, whose last lines (up to ``most``) are about to be read: what to give them to.

        Given the lines read, oldest first, and how many were asked for.

        None if the room is kept, or being read, already. Lines appended
        from now on are kept, and go after the ones read. The room read
        least recently goes if there are ``rooms`` already.
        """
        if room in self._rooms:
            return None
        if len(self._rooms) >= self._most_rooms:
            self._rooms.popitem(last=False)
        kept = self._rooms[room] = _Room(self.most)
        return kept.fill

    def drop(self, room: str) -> None:
        """Forget ``room``: a line of it is deleted (``/delete``), and its next read, after that is written, leaves it
        out. A read under way fills a room no longer kept, as after ``clear``."""
        self._rooms.pop(room, None)

    def clear(self) -> None:
        """Forget every room: lines were deleted from the file. A read under way fills a room no longer kept."""
        self._rooms = OrderedDict()
