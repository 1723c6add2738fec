"""Each room's last sequence number that the SQLite store holds in memory: those the chat may ask for at once.

The chat numbers a room's events on from its last ``seq`` when the room is
made again (docs/PROTOCOL.md), and asks ``History.last_seq`` then, at once.
The store held every room's since the file was made, all read at start:
about 100 bytes a room, and a client joining a new name, saying a line and
parting, again and again, made 50 rooms a second, 400 MB a day. It holds
now, by folded name:

- the rooms with an event not yet committed (``unwritten``), since the
  file's ``rooms`` row lags behind them: until a commit of their last one
  (a failed commit keeps them until one of a later event of theirs);
- the server's rooms and the registered ones, always (``held``): the
  default room is joined by every user as they connect, and an owner
  changes a registered room while nobody is in it (``/unregister``,
  ``/op``), its event numbered then, with no wait; there are as many as
  the host names and accounts may register, and their registrations are
  in memory already (chatd.storage.sqlite_rooms);
- the ``most`` others used most recently, the least recently used forgotten
  first (``ROOMS``).

A room it does not hold is read from the file on the reader thread
(``SQLiteHistory.read_last_seq``) before the chat makes it: a join of one
waits for that read, as a replay of its lines does.
"""

from collections import OrderedDict
from collections.abc import Iterable, Mapping

ROOMS = 10_000
"""Rooms neither the server's nor registered whose last ``seq`` is held: 0.8 to 1.4 MB of them (76 to 135 bytes a
room, docs/SECURITY.md). Any other is read again, a look-up by primary key, when it is made again; this many covers
a big server's rooms emptied in the last hours (5,000 users in 50 rooms, docs/PERFORMANCE.md), so a room left a
while ago is rejoined at once."""


class LastSeqs:
    """Rooms' last ``seq`` held in memory: unwritten, the server's and registered, and the ``most`` others used most
    recently. ``held``: the server's rooms' and the registered rooms' as the file has them; ``server``: which are the
    server's, held even once unregistered."""

    def __init__(self, held: Mapping[str, int], server: Iterable[str] = (), most: int = ROOMS) -> None:
        self._most = most
        self._unwritten: dict[str, int] = {}
        """Rooms with an event not yet committed, with its ``seq``: the file's row lags behind."""
        self._server = frozenset(server)
        self._held = dict(held)
        """The server's rooms' and the registered rooms' last ``seq``, held whatever their use."""
        self._used: OrderedDict[str, int] = OrderedDict()
        """The others, the least recently used first."""

    def __len__(self) -> int:
        """How many rooms' last ``seq`` are held."""
        return len(self._unwritten) + len(self._held) + len(self._used)

    def get(self, room: str) -> int | None:
        """Room ``room``'s last ``seq`` if held, now the room used most recently; else None."""
        seq = self._unwritten.get(room)
        if seq is None:
            seq = self._held.get(room)
        if seq is None:
            seq = self._used.get(room)
            if seq is not None:
                self._used.move_to_end(room)
        return seq

    def appended(self, room: str, seq: int) -> None:
        """An event of room ``room`` numbered ``seq`` is appended: held until it is committed."""
        self._unwritten[room] = seq
        if room in self._held:
            self._held[room] = seq
        else:
            self._used.pop(room, None)

    def committed(self, rooms: Iterable[tuple[str, int]]) -> None:
        """These rooms' events (room, ``seq``) are committed: the file's row has each room's, so it may be forgotten."""
        for room, seq in rooms:
            if self._unwritten.get(room) == seq:
                del self._unwritten[room]
                self._use(room, seq)

    def read(self, room: str, seq: int) -> None:
        """The file's row says room ``room``'s last ``seq`` is ``seq``: held, unless something later is."""
        if self.get(room) is None:
            self._use(room, seq)

    def registered(self, room: str, registered: bool) -> None:
        """Room ``room`` is registered now, or not: held whatever its use, or as other rooms are."""
        if registered and room not in self._held:
            used = self._used.pop(room, None)
            seq = self._unwritten.get(room, used)
            # Always known: a registration's event is appended with its seq, and one put back was read first.
            if seq is not None:
                self._held[room] = seq
        elif not registered and room in self._held and room not in self._server:
            self._use(room, self._held.pop(room))

    def _use(self, room: str, seq: int) -> None:
        """Hold ``seq`` for ``room`` as the room used most recently (where it is not held otherwise), the least
        recently used room going if there are ``most``."""
        if room in self._held:
            self._held[room] = max(self._held[room], seq)
            return
        if room in self._unwritten:
            return
        self._used[room] = seq
        self._used.move_to_end(room)
        if len(self._used) > self._most:
            self._used.popitem(last=False)
