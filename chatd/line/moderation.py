"""What a line session does for the commands of operators and room owners.

The chat decides who may (chatd.domain.moderation); these functions only
pass the request on and tell the asker what happened where no event does.
``/oper`` is the exception: the front end checks the password
(``LineSession.prove_operator``), off the reactor thread, so ``_oper``
returns a Deferred and the session's later lines wait for it; the chat
only records the result.
``RUN`` maps each command type to its function.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chatd.line import moderation_commands as mod
from chatd.line.render import Notice

if TYPE_CHECKING:
    from chatd.line.session import LineSession, Waiting


def _oper(session: "LineSession", command: mod.Oper) -> "Waiting":
    if session.me().operator:
        session.send(Notice("oper", "You are an operator already."))
        return None
    proving = session.prove_operator(command.name, command.password)
    return proving.addCallback(lambda _: session.send(Notice("oper", "You are now an operator.")))


def _kick(session: "LineSession", command: mod.Kick) -> None:
    session.chat.kick(session.me(), command.nick, session.room_or_current(command.room), command.reason)


def _lock(session: "LineSession", command: mod.Lock) -> None:
    session.chat.lock_topic(session.me(), session.room_or_current(None), command.locked)


def _ban(session: "LineSession", command: mod.Ban) -> None:
    session.send(session.chat.ban(session.me(), command.target, command.seconds))


def _list_bans(session: "LineSession", command: mod.ListBans) -> None:
    session.send(session.chat.bans(session.me()))


def _unban(session: "LineSession", command: mod.Unban) -> None:
    target = session.chat.unban(session.me(), command.target)
    session.send(Notice("ban", f"{target} is no longer banned."))


def _mute(session: "LineSession", command: mod.Mute) -> None:
    session.chat.mute(session.me(), command.nick, command.seconds)


def _unmute(session: "LineSession", command: mod.Unmute) -> None:
    session.chat.unmute(session.me(), command.nick)


def _wall(session: "LineSession", command: mod.Wall) -> None:
    session.chat.wall(session.me(), command.text)


def _shutdown(session: "LineSession", command: mod.Shutdown) -> None:
    session.chat.shutdown(session.me(), command.reason)


RUN: dict[type, Callable[["LineSession", Any], "Waiting"]] = {
    mod.Oper: _oper,
    mod.Kick: _kick,
    mod.Lock: _lock,
    mod.Ban: _ban,
    mod.ListBans: _list_bans,
    mod.Unban: _unban,
    mod.Mute: _mute,
    mod.Unmute: _unmute,
    mod.Wall: _wall,
    mod.Shutdown: _shutdown,
}
"""What each of these commands does, by its type."""
