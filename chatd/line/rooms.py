"""What a line session does for the registered-room commands: register, unregister, /op and /deop.

The chat decides who may (chatd.domain.registry) and announces each change
to the room's members as an event, the asker included; these only pass the
request on. Each returns a Deferred that fires once the store keeps the
change, so the session's later lines wait for it. ``/register`` and
``/unregister`` with a password are the account commands
(chatd.line.accounts).
"""

from typing import TYPE_CHECKING

from chatd.frontend.held import awaited
from chatd.line import account_commands as acct
from chatd.line import accounts
from chatd.line import room_commands as rooms
from chatd.line.render import Notice

if TYPE_CHECKING:
    from chatd.line.session import LineSession, Waiting


def register(session: "LineSession", command: rooms.RegisterRoom | acct.Register) -> "Waiting":
    if isinstance(command, acct.Register):
        return accounts.register(session, command)
    return awaited(session.chat.register_room(session.me(), command.room))


def unregister(session: "LineSession", command: rooms.UnregisterRoom | acct.Unregister) -> "Waiting":
    if isinstance(command, acct.Unregister):
        return accounts.unregister(session, command)
    return awaited(session.chat.unregister_room(session.me(), command.room))


def op(session: "LineSession", command: rooms.Op) -> "Waiting":
    room = session.room_or_current(command.room)
    chat = session.chat
    change = chat.add_room_operator if command.add else chat.remove_room_operator
    written = change(session.me(), room, command.nick)
    if written is None:
        already = "is already a room operator" if command.add else "is not a room operator"
        fields = {"room": room, "nick": command.nick, "operator": command.add}
        session.send(Notice("room_operator", f"{command.nick} {already} of {room}.", fields))
        return None
    return awaited(written)
