"""What a line session does for the commands of operators and room owners.

The chat decides who may (chatd.domain.moderation); these functions only
pass the request on and tell the asker what happened where no event does.
``/oper`` is the exception: the front end checks the password
(``LineSession.prove_operator``), off the reactor thread, so ``oper``
returns a Deferred and the session's later lines wait for it; the chat
only records the result. The rows of chatd.line.table name each function.
"""

from typing import TYPE_CHECKING

from chatd.frontend.held import awaited
from chatd.line import moderation_commands as mod
from chatd.line.modes import nothing_to_change
from chatd.line.render import Notice

if TYPE_CHECKING:
    from chatd.line.session import LineSession, Waiting


NOW_OPERATOR = Notice("oper", "You are now an operator.")
"""What each line session of a user is told as they become an operator (``OperatorGranted`` is delivered to all of
them), the one whose ``/oper`` it answers among them."""


def oper(session: "LineSession", command: mod.Oper) -> "Waiting":
    """``/oper``: the grant's delivery is the answer (``NOW_OPERATOR``), to this session and to the user's others
    alike, as they happen, before the Deferred fires and the lines after it are read."""
    if session.me().operator:
        session.send(Notice("oper", "You are an operator already."))
        return None
    return session.prove_operator(command.name, command.password)


def kick(session: "LineSession", command: mod.Kick) -> None:
    room, reason = session.room_then_text(command.where)
    session.chat.kick(session.me(), command.nick, room, reason)


def delete(session: "LineSession", command: mod.Delete) -> "Waiting":
    """``/delete``: the chat reads the line and checks who asks; its ``Deleted`` event, which the asker is shown, is
    the answer, so nothing more is said here."""
    room = session.room_or_current(command.room)
    return awaited(session.chat.delete(session.me(), room, command.line, command.reason))


def lock(session: "LineSession", command: mod.Lock) -> None:
    room = session.room_or_current(None)
    if not session.chat.lock_topic(session.me(), room, command.locked):
        nothing_to_change(session, room)


def ban(session: "LineSession", command: mod.Ban | mod.ListBans) -> None:
    if isinstance(command, mod.ListBans):
        session.send(session.chat.bans(session.me()))
    else:
        session.send(session.chat.ban(session.me(), command.target, command.seconds))


def kill(session: "LineSession", command: mod.Kill) -> None:
    session.chat.kill(session.me(), command.nick, command.reason)


def unban(session: "LineSession", command: mod.Unban) -> None:
    target = session.chat.unban(session.me(), command.target)
    session.send(Notice("ban", f"{target} is no longer banned.", {"target": target, "banned": False}))


def mute(session: "LineSession", command: mod.Mute) -> None:
    session.chat.mute(session.me(), command.nick, command.seconds)


def unmute(session: "LineSession", command: mod.Unmute) -> None:
    session.chat.unmute(session.me(), command.nick)


def wall(session: "LineSession", command: mod.Wall) -> None:
    session.chat.wall(session.me(), command.text)


def shutdown(session: "LineSession", command: mod.Shutdown) -> None:
    session.chat.shutdown(session.me(), command.reason)
