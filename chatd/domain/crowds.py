"""Big rooms: comings and goings summed up now and then (a minute by default), not announced one by one (issue 18).

Told to every member, each arrival in a lobby of thousands costs as many
lines as there are members, so a reconnect storm costs the square of the
crowd, and nobody can read the room for joins. So in a big room (one of
``Limits.big_room`` members or more, counting the one leaving and not the
one arriving) a join is told to the joiner alone, a part to the one leaving,
and a quit, a new nickname, an away or an account change only to those who
share a room with the user that is not big. A kick, a ban or a kill stays
told to everyone: moderation is seen; it is counted as leaving all the
same, so the counts add up to the members the tally gives. Every ``Limits.tally_seconds`` each big room
where anyone came, went or changed nickname is sent one ``CrowdTallied``
with the counts and the number of members now; a quiet while sends
nothing, and no timer runs while nothing waits to be told. Small rooms are
as they were. Front ends show the tally in their own way and cap the
member list a joiner is shown (the line protocol's first page; IRC's NAMES
on join).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from chatd.domain.events import CHAT, CrowdTallied
from chatd.domain.ports import Clock, Timer
from chatd.domain.publish import Publisher
from chatd.domain.rooms import Room
from chatd.domain.state import ChatState
from chatd.domain.users import User
from chatd.text import fold


@dataclass(slots=True)
class _Tally:
    """What changed in one big room since it was last told."""

    joined: int = 0
    left: int = 0
    renamed: int = 0


@dataclass(slots=True)
class Crowds:
    """Who is told of a join, part, quit or new nickname, by room size; and the tallies of the big rooms."""

    state: ChatState
    seam: Publisher
    clock: Clock
    threshold: int
    """A room of this many members or more is big; 0: none is."""
    every: float
    """Seconds between a big room's tallies."""
    _tallies: dict[str, _Tally] = field(default_factory=dict, init=False)
    """Each big room's tally since it was last told, by folded name."""
    _due: Timer | None = field(default=None, init=False)
    """The call that tells the tallies; None while nothing waits to be told."""

    def big(self, room: Room) -> bool:
        """Whether ``room`` is told its comings and goings as a tally."""
        return 0 < self.threshold <= len(room.members)

    def arriving(self, room: Room | None) -> Iterable[User]:
        """Who, besides the joiner, is told of a join to ``room`` (None: a room the join makes); counts it if big."""
        if room is None:
            return ()
        if self.big(room):
            self._count(room).joined += 1
            return ()
        return room.members.values()

    def leaving(self, room: Room, user: User) -> Iterable[User]:
        """Who is told that ``user`` leaves ``room``: every member, or in a big room ``user`` alone (counted)."""
        if self.big(room):
            self._count(room).left += 1
            return (user,)
        return room.members.values()

    def neighbours(self, user: User) -> set[User]:
        """Everyone who shares a room with ``user`` that is not big, not ``user``."""
        return {
            member for room in user.rooms.values() if not self.big(room) for member in room.members.values()
        } - {user}

    def quitting(self, user: User) -> set[User]:
        """``neighbours`` for a quit (or a kill): counted as leaving each big room ``user`` is in."""
        for room in user.rooms.values():
            if self.big(room):
                self._count(room).left += 1
        return self.neighbours(user)

    def put_out(self, user: User, room: Room | None = None) -> None:
        """Count ``user``, whom moderation puts out of ``room`` (a kick) or of every room (None: a kill, a ban), as
        leaving each big one; who is told is moderation's to say (everyone: it is seen)."""
        for each in user.rooms.values() if room is None else (room,):
            if self.big(each):
                self._count(each).left += 1

    def renaming(self, user: User) -> set[User]:
        """``neighbours`` for a new nickname: counted in each big room ``user`` is in."""
        for room in user.rooms.values():
            if self.big(room):
                self._count(room).renamed += 1
        return self.neighbours(user)

    def stop(self) -> None:
        """Tell nothing more: the daemon is stopping."""
        if self._due is not None and self._due.active():
            self._due.cancel()
        self._due = None

    def _count(self, room: Room) -> _Tally:
        """``room``'s tally, the timer that will tell it set if none is."""
        if self._due is None:
            self._due = self.clock.callLater(self.every, self._tell)
        key = fold(room.name)
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = _Tally()
        return tally

    def _tell(self) -> None:
        """Send each room that still has members its tally, and start again from nothing."""
        self._due = None
        tallies, self._tallies = self._tallies, {}
        for key, tally in tallies.items():
            room = self.state.rooms.by_key.get(key)
            if room is None or not room.members:
                continue
            id, at = self.seam.stamp()
            event = CrowdTallied(
                id=id,
                at=at,
                actor=CHAT,
                room=room.name,
                joined=tally.joined,
                left=tally.left,
                renamed=tally.renamed,
                members=len(room.members),
            )
            self.seam.publish_in(event, room)
