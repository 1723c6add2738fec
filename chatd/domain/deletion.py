"""Deleting one line of a room (``/delete``): who may, and the ``Deleted`` event that takes it away.

``/forget`` deletes everything an account said; this deletes one line,
for its sender who regrets it (a password pasted by mistake) or for the
room's moderators (something nasty). The line is found as ``/history
around ID`` finds it (``History.place``, then the line at that place), so
only a line said or acted can be named: joins, parts and topics are the
room's record, not anyone's words, and stay.

Who may: the line's sender, proven as the store can prove it (the same
account; a guest only for a line said without an account under the
nickname they hold, since they took it), and whoever
has authority in the room (``rules.has_authority``: server operators, the
room's owner and its operators). The event goes to the room's members and
to the deleter; the store that gets it deletes the line
(chatd.storage.memory, chatd.storage.sqlite), its id and seq left unused:
resuming after it, or ``around`` it, reads from the next line as after a
``/forget``. It keeps the event too, sent again to a client that resumes
from a point after the line (chatd.domain.resume). The event carries how many parts the line went out as where a
front end cuts long lines (``Deleted.parts``, counted by ``parts``, which
the daemon takes from IRC, chatd.irc.pieces, whatever front ends it
serves): the text goes with the line, and the count could not be made
again once it had.
"""

from collections.abc import Callable

from chatd.domain import rules
from chatd.domain.errors import NoSuchLineError, NoSuchRoomError, NotMemberError, NotYourLineError
from chatd.domain.events import Deleted, RoomEvent
from chatd.domain.names import check_text
from chatd.domain.ports import UserView
from chatd.domain.publish import Publisher
from chatd.domain.rooms import Room
from chatd.domain.state import ChatState
from chatd.domain.storage_ports import History
from chatd.domain.users import User, own
from chatd.text import fold


class Deletion:
    """``/delete``: checks who asks, finds the line in the history, and publishes its ``Deleted``."""

    def __init__(
        self,
        state: ChatState,
        seam: Publisher,
        history: History,
        reason_limit: int,
        parts: Callable[[RoomEvent], int],
    ) -> None:
        self._state = state
        self._seam = seam
        self._history = history
        self._reason_limit = reason_limit
        """The most characters a reason may have, as a kick's (``Limits.reason``)."""
        self._parts = parts
        """How many messages a front end sent a line as (``Deleted.parts``)."""

    async def delete(self, view: UserView, name: str, line: str, reason: str = "") -> None:
        """Delete the line with id ``line`` from room ``name``, saying ``reason``; the ``Deleted`` event is the answer.

        Raises InvalidTextError for a reason a kick's would be refused for (too long, an unsafe character),
        NotMemberError (only members name a room, bar server operators, who moderate rooms they are not
        in: NoSuchRoomError for them), NoSuchLineError if the room keeps no line
        said or acted with that id, NotYourLineError if the user may not
        delete it. Checked again once the line is read: the user may have
        left the room, or lost their standing, meanwhile.
        """
        user = own(view)
        reason = check_text(reason, self._reason_limit)
        key = fold(self._room(user, name).name)
        found = await _line(self._history, key, line)
        room = self._room(user, name)
        if found is None:
            raise NoSuchLineError(room.name, line)
        if not may_delete(user, room, found):
            raise NotYourLineError(room.name, line)
        id, at = self._seam.stamp()
        event = Deleted(
            id=id,
            at=at,
            actor=user.actor,
            room=room.name,
            line=line,
            line_seq=found.seq,
            reason=reason,
            parts=self._parts(found),
        )
        self._seam.publish(event, room.members.values(), () if key in user.rooms else (user,))

    def _room(self, user: User, name: str) -> Room:
        """Room ``name`` if ``user`` may name it: they are in it, or a server operator and it exists."""
        if not user.operator:
            try:
                return rules.check_member(user, name)
            except NotMemberError:
                raise NotMemberError(name, deleting=True) from None
        if not self._state.rooms.exists(name):
            raise NoSuchRoomError(name)
        return self._state.rooms.seen(name)


async def _line(history: History, room: str, line: str) -> RoomEvent | None:
    """The line said or acted in room ``room`` (folded name) with the id ``line``; None if none is kept.

    ``place`` gives the seq of the first line at or after the id, and the
    line just before the next seq is that one if it has the id.
    """
    seq = await history.place(room, line)
    found = await history.recent(room, seq + 1, 1)
    return found[-1] if found and found[-1].id == line else None


def sent_whole(line: RoomEvent) -> int:
    """Parts a line went out as where no front end cuts long lines: one (a ``Chat`` given no other way to count)."""
    return 1


def may_delete(user: User, room: Room, line: RoomEvent) -> bool:
    """Whether ``user`` may delete ``line`` of ``room``: it is theirs (``sent``), or they have authority there."""
    return sent(user, line) or rules.has_authority(user, room)


def sent(user: User, line: RoomEvent) -> bool:
    """Whether ``line`` is provably ``user``'s own: said by their account, or, said with none, under the nickname they
    hold since they took it.

    A guest's nickname is anyone's once they leave, and an address may be a
    school's: the line must be from this holding of it, which no one else can
    have had meanwhile (two never hold one nickname at once). Not from this
    address: a takeover (``/takeover``) moves the same holding to another.
    """
    said = line.actor
    if said.account is not None:
        return said.account == user.account
    return fold(said.nick) == fold(user.nick) and line.at >= user.named_at
