"""Questions over IRC: WHO (and WHOX), WHOIS, WHOWAS, ISON, USERHOST, TIME, VERSION and HELP.

Every user is shown as ``nick!nick@HOST`` (chatd.irc.lines); WHOIS shows
an operator the address a user connects from (378), as the line front
end's /whois does. WHOWAS reads the chat's memory of the nicknames given
up lately (quit, taken off, or renamed), in memory only.
"""

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from chatd import __version__
from chatd.domain.errors import ChatError, NoSuchNicknameError
from chatd.frontend.flood import ENTRIES_PER_LINE
from chatd.irc import numerics as n
from chatd.irc.channels import marks, members, prefix
from chatd.irc.lines import HOST
from chatd.irc.message import Message
from chatd.irc.wording import no_such_nick
from chatd.text import number_up_to

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession, Waiting

WHOWAS_MOST = 10
"""Most times WHOWAS gives for one nickname."""

WHOX_FIELDS = "tcuihsnfdlaor"
"""The WHOX fields in the order 354 gives them (the order of the letters asked does not matter)."""

WHOX_TOKEN_DIGITS = 3
"""Digits a WHOX token may have (IRCv3 WHOX); any other token is given back as ``0``, as charybdis gives it."""


def who(session: "IRCSession", message: Message) -> "Waiting":
    """WHO #room (a big room's first page) or WHO nick, with WHOX's ``%fields[,token]`` if given; 315 ends it."""
    mask = message.params[0]
    fields, _, token = message.params[1].partition(",") if len(message.params) > 1 else ("", "", "")
    whox = fields.startswith("%")
    chat = session.chat
    if mask.startswith("#"):
        if chat.has_room(mask):
            room = chat.topic(mask).room
            # A big room's WHO is its first page, as its NAMES on join: clients send WHO on joining
            # (irssi's channel sync), and a crowd's every line to each would cost its square again.
            nicks = list(members(session, mask, whole=not chat.crowded(mask)))
            for nick, standing in nicks:
                _who_line(session, room, nick, whox, fields, token, prefix(session, standing))
            session.charge_answer(len(nicks) // ENTRIES_PER_LINE)
    else:
        try:
            nick = chat.online(mask)
        except NoSuchNicknameError:
            pass
        else:
            _who_line(session, "*", nick, whox, fields, token, "")
    session.reply(n.RPL_ENDOFWHO, mask, "End of WHO list")
    return None


def _who_line(
    session: "IRCSession", room: str, nick: str, whox: bool, fields: str, token: str, standing: str
) -> None:
    """One 352 (or WHOX's 354) of ``nick``, seen in ``room`` with ``standing`` there (``@``, ``+``)."""
    whois = session.chat.whois(session.me(), nick)
    flags = ("G" if whois.away else "H") + ("*" if whois.operator else "") + standing
    server = session.factory.server_name
    if not whox:
        session.reply(n.RPL_WHOREPLY, room, nick, HOST, server, nick, flags, f"0 {nick}")
        return
    values = {
        "t": token if token.isascii() and token.isdigit() and len(token) <= WHOX_TOKEN_DIGITS else "0",
        "c": room,
        "u": nick,
        "i": "255.255.255.255",
        "h": HOST,
        "s": server,
        "n": nick,
        "f": flags,
        "d": "0",
        "l": "0",
        "a": _account(session, nick) or "0",
        "o": "n/a",
        "r": nick,
    }
    session.reply(n.RPL_WHOSPCRPL, *(values[field] for field in WHOX_FIELDS if field in fields))


def _account(session: "IRCSession", nick: str) -> str | None:
    """The account ``nick`` is identified to, if they are."""
    return session.chat.account_of(nick)


def whois(session: "IRCSession", message: Message) -> "Waiting":
    """WHOIS [server] nick: 311, 312, 313, 319, 301, 330, 378 as they apply, then 318."""
    nick = message.params[-1]
    try:
        found = session.chat.whois(session.me(), nick)
    except ChatError as error:
        session.reply(n.ERR_NOSUCHNICK, nick, no_such_nick(error, "No such nick/channel"))
        session.reply(n.RPL_ENDOFWHOIS, nick, "End of /WHOIS list")
        return None
    shown = found.nick
    session.reply(n.RPL_WHOISUSER, shown, shown, HOST, "*", shown)
    session.reply(n.RPL_WHOISSERVER, shown, session.factory.server_name, "chatd")
    if found.operator:
        session.reply(n.RPL_WHOISOPERATOR, shown, "is an IRC operator")
    if found.rooms:
        standings = (session.chat.standing(room, shown) for room in found.rooms)
        marked = (prefix(session, marks(held.operator, held.voiced)) + held.room for held in standings)
        session.reply(n.RPL_WHOISCHANNELS, shown, " ".join(marked))
    if found.away:
        session.reply(n.RPL_AWAY, shown, found.away)
    account = _account(session, shown)
    if account:
        session.reply(n.RPL_WHOISACCOUNT, shown, account, "is logged in as")
    if found.address:
        session.reply(n.RPL_WHOISHOST, shown, f"is connecting from *@{found.address} {found.address}")
    session.reply(n.RPL_ENDOFWHOIS, shown, "End of /WHOIS list")
    return None


def whowas(session: "IRCSession", message: Message) -> "Waiting":
    """WHOWAS nick [count]: a 314 and 312 (when) for each time the nickname was given up lately, or 406; then 369."""
    nick = message.params[0]
    count = message.params[1] if len(message.params) > 1 else ""
    departures = session.chat.departed(nick, number_up_to(count, WHOWAS_MOST) or WHOWAS_MOST)
    server = session.factory.server_name
    for gone in departures:
        session.reply(n.RPL_WHOWASUSER, gone.nick, gone.nick, HOST, "*", gone.nick)
        when = datetime.fromtimestamp(gone.at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        session.reply(n.RPL_WHOISSERVER, gone.nick, server, when)
    if not departures:
        session.reply(n.ERR_WASNOSUCHNICK, nick, "There was no such nickname")
    session.reply(n.RPL_ENDOFWHOWAS, nick, "End of WHOWAS")
    return None


def ison(session: "IRCSession", message: Message) -> "Waiting":
    """ISON nick...: those of them online, as they show their nicknames."""
    online = [_online(session, nick) for param in message.params for nick in param.split()]
    session.reply(n.RPL_ISON, " ".join(nick for nick in online if nick))
    return None


def userhost(session: "IRCSession", message: Message) -> "Waiting":
    """USERHOST nick...: up to five, ``nick[*]=+nick@host`` each (``-`` when away)."""
    found = []
    for nick in message.params[:5]:
        shown = _online(session, nick)
        if shown:
            whois = session.chat.whois(session.me(), shown)
            found.append(f"{shown}{'*' if whois.operator else ''}={'-' if whois.away else '+'}{shown}@{HOST}")
    session.reply(n.RPL_USERHOST, " ".join(found))
    return None


def _online(session: "IRCSession", nick: str) -> str | None:
    try:
        return session.chat.online(nick)
    except ChatError:
        return None


def time(session: "IRCSession", message: Message) -> "Waiting":
    """TIME: the server's clock."""
    at = datetime.fromtimestamp(session.chat.time().at, UTC)
    session.reply(n.RPL_TIME, session.factory.server_name, at.strftime("%A %B %d %Y -- %H:%M:%S UTC"))
    return None


def version(session: "IRCSession", message: Message) -> "Waiting":
    """VERSION: chatd's version, then ISUPPORT again as Modern IRC says."""
    session.reply(n.RPL_VERSION, f"chatd-{__version__}", session.factory.server_name, "chatd IRC listener")
    return None


def help_(session: "IRCSession", message: Message) -> "Waiting":
    """HELP [command]: the command table's summaries (704, 705..., 706) or 524."""
    from chatd.irc.commands import COMMANDS

    subject = message.params[0].upper() if message.params else ""
    if subject and subject not in COMMANDS:
        session.reply(n.ERR_HELPNOTFOUND, subject, "No help available on this topic")
        return None
    shown = subject or "*"
    rows = [(subject, COMMANDS[subject])] if subject else sorted(COMMANDS.items())
    session.reply(
        n.RPL_HELPSTART, shown, "chatd IRC commands" if not subject else f"{subject}: {rows[0][1].usage}"
    )
    for name, row in rows:
        session.reply(n.RPL_HELPTXT, shown, f"{name} - {row.summary}")
    session.reply(n.RPL_ENDOFHELP, shown, "End of /HELP")
    return None
