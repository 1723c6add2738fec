"""Talking over IRC: PRIVMSG and NOTICE to channels and nicknames, and AWAY.

IRC text reaches the chat as plain text: mIRC formatting codes (bold,
colours, italics, underline, reverse, monospace, reset) are taken out
first, since chatd's text carries no control characters (nc users' terminals
would obey them); a CTCP ACTION (``/me``) becomes the chat's action, and any
other CTCP, which means nothing to a user of another front end, is not
carried (a PRIVMSG of one is answered, a NOTICE never is). A NOTICE reaches
the chat as a message like a PRIVMSG (the chat has one kind), kept for an
offline account as one is, and is never answered, as RFC 2812 asks: no
error, no away reply, no word that it was kept. chatd has no services: a
PRIVMSG or NOTICE to NickServ, ChanServ or another service is the server's
to answer (chatd.irc.services) and reaches nobody.
"""

import re
from typing import TYPE_CHECKING

from chatd.domain.errors import ChatError
from chatd.domain.replies import Away, Kept
from chatd.irc import numerics as n
from chatd.irc import services
from chatd.irc.message import Message
from chatd.irc.pieces import ACTION
from chatd.text import fold

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession, Waiting

TARGETS_MOST = 4
"""Recipients one PRIVMSG or NOTICE may name (ISUPPORT ``TARGMAX``); past them, 407."""

_FORMATTING = re.compile(
    "\x03(?:[0-9]{1,2}(?:,[0-9]{1,2})?)?"  # colour, with up to two numbers
    "|\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?"  # hex colour
    "|[\x02\x0f\x11\x16\x1d\x1e\x1f]"  # bold, reset, monospace, reverse, italics, strike, underline
)


def strip_formatting(text: str) -> str:
    """``text`` without mIRC formatting codes."""
    return _FORMATTING.sub("", text)


def privmsg(session: "IRCSession", message: Message) -> "Waiting":
    """PRIVMSG targets :text; every refusal answered."""
    return _send(session, message, quiet=False)


def notice(session: "IRCSession", message: Message) -> "Waiting":
    """NOTICE targets :text; never answered with an error."""
    return _send(session, message, quiet=True)


def _send(session: "IRCSession", message: Message, *, quiet: bool) -> "Waiting":
    """Say the text to each target; what a service was asked to do (log in, register) the connection waits for."""
    targets = _targets(message.params[0]) if message.params else []
    if not targets:
        if not quiet:
            session.reply(n.ERR_NORECIPIENT, f"No recipient given ({message.command})")
        return None
    if len(message.params) < 2 or not message.params[1]:
        if not quiet:
            session.reply(n.ERR_NOTEXTTOSEND, "No text to send")
        return None
    text = message.params[1]
    if len(targets) > TARGETS_MOST and not quiet:
        session.reply(
            n.ERR_TOOMANYTARGETS, targets[TARGETS_MOST], f"Too many recipients: at most {TARGETS_MOST}"
        )
    waiting: Waiting = None
    for target in targets[:TARGETS_MOST]:
        named = services.service(target)
        if named is not None:
            # No services here: the server answers a PRIVMSG (a NOTICE, never), and the text (a password,
            # likely) goes nowhere.
            if not quiet:
                waiting = services.answer(session, named, text) or waiting
            continue
        try:
            _to(session, target, text, quiet)
        except ChatError as error:
            if not quiet:
                session.refuse(error, message.command, target)
    return waiting


def _targets(named: str) -> list[str]:
    """The recipients a comma-separated list names, each once, in the order first named.

    Empty targets (``,,,``, ``#a,``) name no one. Targets that fold alike
    (``#c,#C``) are one recipient, named again: sent the line once, as
    ircds send it, and not counted again towards ``TARGETS_MOST``.
    """
    seen: dict[str, str] = {}
    for target in named.split(","):
        if target:
            seen.setdefault(fold(target), target)
    return list(seen.values())


def _to(session: "IRCSession", target: str, text: str, quiet: bool) -> None:
    """Say ``text`` to one target, the factory told who is speaking so echo-message can be honoured."""
    chat = session.chat
    me = session.me()
    action = text.startswith(ACTION)
    if text.startswith("\x01") and not action:
        if not quiet:
            session.fail("PRIVMSG", "CTCP_NOT_CARRIED", "Only CTCP ACTION reaches chatd's users")
        return
    if action:
        text = text[len(ACTION) :].removesuffix("\x01")
    text = strip_formatting(text)
    if not text.strip():
        if not quiet:
            session.reply(n.ERR_NOTEXTTOSEND, "No text to send")
        return
    with session.factory.speaking(session):
        if target.startswith("#"):
            if action:
                chat.act(me, target, text)
            else:
                chat.say(me, target, text)
            return
        answer = chat.whisper(me, target, f"* {me.nick} {text}" if action else text)
    if isinstance(answer, Away) and not quiet:
        session.reply(n.RPL_AWAY, answer.nick, answer.text)
    elif isinstance(answer, Kept) and not quiet:
        # A NOTICE to an offline account is kept as a PRIVMSG is, silently: RFC 2812 (3.3.2) forbids any
        # automatic reply to a NOTICE, and the chat has one kind of message.
        session.server_notice(
            f"{answer.nick} is offline; your message is kept for them ({answer.waiting} waiting)"
        )


def away(session: "IRCSession", message: Message) -> "Waiting":
    """AWAY :text marks the user away; AWAY alone (or empty) back.

    The user's other connections are told too, on the change's delivery
    (``IRCFactory.deliver``): the factory is told whose AWAY this is.
    """
    text = message.params[0] if message.params else ""
    with session.factory.speaking(session):
        session.chat.set_away(session.me(), text)
    away_reply(session, bool(session.me().away))
    return None


def away_reply(session: "IRCSession", away: bool) -> None:
    """306 if the user is ``away``, else 305: what a client keeps its own away state by."""
    if away:
        session.reply(n.RPL_NOWAWAY, "You have been marked as being away")
    else:
        session.reply(n.RPL_UNAWAY, "You are no longer marked as being away")


def tagmsg(session: "IRCSession", message: Message) -> "Waiting":
    """TAGMSG target: a message of client-only tags alone, which chatd does not carry (``CLIENTTAGDENY=*``).

    The chat's messages hold text, not tags, so there is nothing of it to
    pass on; it is taken (and paid for) and dropped without a word, as
    message-tags asks of a server that denies every client-only tag.
    """
    return None
