"""What a line session does for ``/mode`` and ``/invite``.

The chat decides who may (chatd.domain.modes) and tells the room what
changed, the asker included; these pass the request on, and answer the
asker alone where no event does: the settings, the ban masks, or that a
request changed nothing.
"""

from typing import TYPE_CHECKING

from chatd.frontend.held import awaited
from chatd.line import mode_commands as modes
from chatd.line.render import Notice

if TYPE_CHECKING:
    from chatd.line.session import LineSession, Waiting


def mode(session: "LineSession", command: modes.Mode | modes.ListRoomBans) -> "Waiting":
    """Show, list the masks of, or change a room; a registered room's change waits until the store keeps it."""
    chat = session.chat
    me = session.me()
    if isinstance(command, modes.ListRoomBans):
        bans = chat.room_bans(me, command.room)
        session.send_listing(bans, len(bans.bans))
        return None
    if command.changes is None:
        session.send(chat.room_modes(command.room, me))
        return None
    changed = chat.change_room(me, command.room, command.changes)
    locked = command.lock is not None and chat.lock_topic(me, command.room, command.lock)
    if not changed.changes and not locked:
        nothing_to_change(session, command.room)
    return None if changed.kept is None else awaited(changed.kept)


def nothing_to_change(session: "LineSession", name: str) -> None:
    """Say that what was asked of room ``name`` holds already."""
    room = session.chat.room_modes(name).room
    session.send(Notice("mode", f"Nothing to change in {room}.", {"room": room}))


def invite(session: "LineSession", command: modes.Invite) -> None:
    session.chat.invite(session.me(), session.room_or_current(command.room), command.nick)
