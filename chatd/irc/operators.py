"""Operators over IRC: OPER, KILL and WALLOPS, through the same checks as every front end's.

OPER checks the password as ``/oper`` does (chatd.frontend.oper: off the
reactor thread, throttled), so the client reads nothing more until the
answer, and then 381 and its ``+o``. WALLOPS is the chat's ``/wall``: every
user online reads it (chatd has no ``+w`` audience of its own; IRC clients
show it as a wallops). KILL takes a user off the server, every connection of
theirs: the others in their rooms read their QUIT (``Killed (op (reason))``),
they read ERROR; nothing is kept against them. An operator in none of their
rooms reads a server NOTICE instead, as ircds tell their operators: the QUIT
of someone they could not see leave reads as nothing to a client.
"""

from typing import TYPE_CHECKING

from chatd.irc import numerics as n
from chatd.irc.message import Message

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession, Waiting


def oper(session: "IRCSession", message: Message) -> "Waiting":
    """OPER name password: 381 and MODE +o once the password is checked, 464 if wrong."""
    name, password = message.params[0], message.params[1]
    proving = session.prove_operator(name, password)
    return proving.addCallback(lambda _: _opered(session))


def _opered(session: "IRCSession") -> None:
    if session.user is None or not session.user.operator:
        return
    session.reply(n.RPL_YOUREOPER, "You are now an IRC operator")
    session.from_me("MODE", session.user.nick, "+o")


def kill(session: "IRCSession", message: Message) -> "Waiting":
    """KILL nick [:reason]: take someone off the server (operators only); they may come back at once."""
    reason = message.params[1] if len(message.params) > 1 else ""
    session.chat.kill(session.me(), message.params[0], reason)
    return None


def wallops(session: "IRCSession", message: Message) -> "Waiting":
    """WALLOPS :text: said to everyone online (operators only)."""
    session.chat.wall(session.me(), message.params[0])
    return None
