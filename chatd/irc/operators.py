"""Operators over IRC: OPER, KILL and WALLOPS, through the same checks as every front end's.

OPER checks the password as ``/oper`` does (chatd.frontend.oper: off the
reactor thread, throttled), so the client reads nothing more until the
answer, and then 381 and its ``+o``: every IRC connection of the user
reads them as they become an operator, by OPER or by ``/oper`` on any front
end. WALLOPS is the chat's ``/wall``: every user online reads it (chatd has no ``+w`` audience of its own; IRC clients
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

YOU_ARE_OPERATOR = "You are now an IRC operator"
"""381's text."""


def oper(session: "IRCSession", message: Message) -> "Waiting":
    """OPER name password: 464 if wrong; once right, the grant's delivery is the answer (``opered``, to every IRC
    connection of the user, this one among them, before the Deferred fires); an operator already reads 381 alone."""
    name, password = message.params[0], message.params[1]
    already = session.me().operator
    proving = session.prove_operator(name, password)
    if already:
        return proving.addCallback(lambda _: session.reply(n.RPL_YOUREOPER, YOU_ARE_OPERATOR))
    return proving


def opered(session: "IRCSession") -> None:
    """381 and the user's own ``MODE +o``: what each IRC connection of a user is told as they become an operator,
    by OPER there or on any front end (``OperatorGranted`` is delivered to all of them; Ergo tells every session)."""
    if session.user is None:
        return
    session.reply(n.RPL_YOUREOPER, YOU_ARE_OPERATOR)
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
