"""Coming online over IRC: CAP, PASS, NICK, USER and SASL, then the welcome burst.

A client registers once it has sent NICK and USER and, if it began
capability negotiation, CAP END (a client that never sends CAP registers
all the same). Its nickname goes to the chat then, not before: a NICK
refused at registration (taken, registered to an account, banned) is
answered 432/433 and the client may send another. A nickname that is an
account's needs its password: SASL PLAIN during negotiation, or PASS
before NICK; the session is then identified to the account
(``Chat.identify``), taking its nickname, or joins its user if the account
is online already (one user, several connections).
"""

import base64
import binascii
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from twisted.internet.defer import Deferred

from chatd import __version__
from chatd.domain.errors import BannedError, ChatError, NicknameRegisteredError
from chatd.domain.names import check_nickname, quit_reason
from chatd.domain.ports import UserView
from chatd.frontend.flood import RESUMED_PER_CHARGE
from chatd.irc import numerics as n
from chatd.irc.caps import CAPS, LS_ROOM, advertised
from chatd.irc.channels import join_burst
from chatd.irc.isupport import isupport_lines
from chatd.irc.lines import Shape, source
from chatd.irc.message import Message
from chatd.irc.talk import away_reply
from chatd.text import counted, fold, number_up_to

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession, Waiting

SASL_CHUNK = 400
"""Bytes of base64 in one AUTHENTICATE line; a full one means more follows (IRCv3 SASL)."""


def cap(session: "IRCSession", message: Message) -> "Waiting":
    """CAP LS [302], LIST, REQ, END."""
    sub = message.params[0].upper()
    if sub == "LS":
        if session.user is None:
            session.negotiating = True
        # 302 or any later version, however many digits it has.
        modern = len(message.params) > 1 and number_up_to(message.params[1], 302) == 302
        _cap_ls(session, advertised(modern))
        if modern:
            session.caps.add("cap-notify")
        return None
    if sub == "LIST":
        session.write_message(_cap(session, "LIST", " ".join(sorted(session.caps))))
        return None
    if sub == "REQ":
        if session.user is None:
            session.negotiating = True
        asked = message.params[1].split() if len(message.params) > 1 else []
        on = {name for name in asked if not name.startswith("-")}
        off = {name[1:] for name in asked if name.startswith("-")}
        if not asked or any(name not in CAPS for name in on | off) or "cap-notify" in off:
            session.write_message(_cap(session, "NAK", " ".join(asked)))
            return None
        session.took(on, True)
        session.took(off, False)
        session.write_message(_cap(session, "ACK", " ".join(asked)))
        return None
    if sub == "END":
        session.negotiating = False
        return try_register(session)
    session.reply(n.ERR_INVALIDCAPCMD, sub, "Invalid CAP command")
    return None


def _cap(session: "IRCSession", sub: str, *params: str) -> Message:
    return Message(
        source=session.factory.server_name, command="CAP", params=(session.shown, sub, *params), trailing=True
    )


def _cap_ls(session: "IRCSession", caps: list[str]) -> None:
    """CAP LS in as few lines as fit in IRC's, the ones before the last marked ``*`` as a 302 client reads them."""
    lines: list[list[str]] = [[]]
    for cap in caps:
        if sum(len(name) + 1 for name in lines[-1]) + len(cap) > LS_ROOM:
            lines.append([])
        lines[-1].append(cap)
    for names in lines[:-1]:
        session.write_message(_cap(session, "LS", "*", " ".join(names)))
    session.write_message(_cap(session, "LS", " ".join(lines[-1])))


def pass_(session: "IRCSession", message: Message) -> "Waiting":
    """PASS: the password of the account NICK will name (only before registering)."""
    if session.user is not None:
        session.reply(n.ERR_ALREADYREGISTERED, "You may not reregister")
        return None
    session.password = message.params[0]
    return None


def nick(session: "IRCSession", message: Message) -> "Waiting":
    """NICK: the nickname to register with, or a new one for the user."""
    if not message.params or not message.params[0]:
        session.reply(n.ERR_NONICKNAMEGIVEN, "No nickname given")
        return None
    wanted = message.params[0]
    if session.user is not None:
        try:
            session.chat.rename(session.user, wanted)
        except NicknameRegisteredError as error:
            _claimed(session, error)
            raise
        return None
    session.nick = check_nickname(wanted, session.chat.limits.nickname)
    return try_register(session)


def _claimed(session: "IRCSession", error: NicknameRegisteredError) -> None:
    """NICK was refused a registered nickname: ``/msg NickServ IDENTIFY PASSWORD`` will log in to it."""
    if not error.look_alike:
        session.claimed = error.registered


def user(session: "IRCSession", message: Message) -> "Waiting":
    """USER name mode unused :real name; an empty real name is 461, as Ergo answers it (the user name cannot be
    empty: only a last parameter may be, and USER has four)."""
    if session.user is not None or session.username is not None:
        session.reply(n.ERR_ALREADYREGISTERED, "You may not reregister")
        return None
    if not message.params[3]:
        session.reply(n.ERR_NEEDMOREPARAMS, "USER", "Not enough parameters")
        return None
    session.username = message.params[0]
    session.realname = message.params[3]
    return try_register(session)


def try_register(session: "IRCSession") -> "Waiting":
    """Register once NICK, USER and (if begun) CAP END are in; identify first if an account is meant."""
    if session.user is not None or session.nick is None or session.username is None or session.negotiating:
        return None
    if session.proven is not None:
        return identify(session, session.proven)
    wanted = session.nick
    if session.password is not None and session.chat.is_registered(wanted):
        password, session.password = session.password, None
        proving = session.prove_account(wanted, password)
        return proving.addCallbacks(
            lambda _: identify(session, wanted), lambda failure: _not_proven(session, failure)
        )
    try:
        session.user = session.chat.register(session, wanted, session.peer)
    except BannedError as error:
        session.refuse(error, "NICK")
        session.close("Banned")
        return None
    except ChatError as error:
        session.nick = None
        if isinstance(error, NicknameRegisteredError):
            _claimed(session, error)
        raise
    welcome(session)
    return None


def _not_proven(session: "IRCSession", failure: object) -> None:
    """A wrong PASS for an account's nickname: 464, and the client may try another nickname."""
    session.nick = None
    session.reply(n.ERR_PASSWDMISMATCH, "Password incorrect")


def identify(session: "IRCSession", account: str) -> "Waiting":
    """Come online as the account ``account`` proved (a new user, or one more connection of theirs).

    What was kept for the account while nobody was online as it comes
    next, as the PRIVMSGs they were (their ``time`` tags, with server-time,
    say when); the connection reads nothing more until they are written.
    """
    if session.closing:
        return None
    try:
        user = session.chat.identify(session, session.user, account, session.peer)
    except BannedError as error:
        session.refuse(error, "NICK")
        session.close("Banned")
        return None
    first = session.user is None
    proven_before, session.proven = session.proven, None
    session.user = user
    if proven_before is None:
        logged_in(session)
    if first:
        welcome(session)
        if user.away:
            # The account is away on another connection: a client keeps its
            # user's away state by 305 and 306 alone, and irssi sends no AWAY
            # to come back while it thinks its user is here.
            away_reply(session, away=True)
        # One more connection of a user who is in rooms already: it is shown
        # each room as on joining it, its JOIN first (a client opens the room on it),
        # and its last lines up to the room's last event, which is no join of this connection's: it asked for
        # none, so they cost as a resume's.
        for room in list(user.rooms.values()):
            _in_room_already(session, room.name)
            join_burst(session, room.name, room.seq + 1, RESUMED_PER_CHARGE)
    return Deferred.fromCoroutine(_offline(session, user))


def _in_room_already(session: "IRCSession", room: str) -> None:
    """The JOIN that opens ``room``, which the user is in already, to this new connection of theirs.

    As their JOIN would read (``EventLines.in_room_already``): with
    server-time, the time it is sent; no msgid, as no join happened now.
    """
    me, now = session.me(), session.factory.reactor.seconds()
    session.write(
        session.factory.events.in_room_already(me.nick, me.account, room, Shape(session.shape), now)
    )


async def _offline(session: "IRCSession", user: UserView) -> None:
    """Write the private messages kept for ``user``'s account while nobody was online as it; offer its files."""
    kept = await session.chat.take_offline(user)
    if session.factory.files is not None:
        # Files offered to the account while it was offline are offered now (issue 16), a NOTICE each.
        session.factory.files.identified(user.account)
    if not kept or session.closing:
        return
    count = len(kept)
    session.server_notice(
        f"{counted(count, 'private message')} {'was' if count == 1 else 'were'} kept for you while you were offline:"
    )
    for event in kept:
        session.write(session.factory.events.render(event, Shape(session.shape)))


def logged_in(session: "IRCSession") -> None:
    """900: the client is identified to its user's account."""
    me = session.me()
    account = me.account or ""
    session.reply(n.RPL_LOGGEDIN, source(me.nick), account, f"You are now logged in as {account}")


def logged_out(session: "IRCSession", operator: str | None = None) -> None:
    """901: the client's user is identified to no account now (it was given up, on another connection, or by the
    operator ``operator``)."""
    text = "You are now logged out"
    if operator is not None:
        text += f": the IRC operator {operator} gave up your account"
    session.reply(n.RPL_LOGGEDOUT, source(session.me().nick), text)


def authenticate(session: "IRCSession", message: Message) -> "Waiting":
    """AUTHENTICATE PLAIN, then the base64 of ``authzid NUL authcid NUL password`` in 400-byte lines.

    The authzid is empty or the authcid's account (in any case): 904 for any other, which the password's
    owner may not act as.
    """
    given = message.params[0]
    if given == "*":
        session.sasl = None
        session.reply(n.ERR_SASLABORTED, "SASL authentication aborted")
        return None
    if session.sasl is None:
        if (session.user is not None and session.user.account is not None) or session.proven is not None:
            session.reply(n.ERR_SASLALREADY, "You have already authenticated using SASL")
        elif given.upper() != "PLAIN":
            session.reply(n.RPL_SASLMECHS, "PLAIN", "are available SASL mechanisms")
            session.reply(n.ERR_SASLFAIL, "SASL authentication failed")
        else:
            session.sasl = ""
            session.write_message(Message(command="AUTHENTICATE", params=("+",)))
        return None
    if given != "+":
        session.sasl += given
    if len(session.sasl) > 4 * SASL_CHUNK:
        session.sasl = None
        session.reply(n.ERR_SASLTOOLONG, "SASL message too long")
        return None
    if len(given) == SASL_CHUNK:
        return None
    gathered, session.sasl = session.sasl, None
    try:
        acting_as, name, password = base64.b64decode(gathered, validate=True).decode("utf-8").split("\0")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        session.reply(n.ERR_SASLFAIL, "SASL authentication failed")
        return None
    if acting_as and fold(acting_as) != fold(name):
        # RFC 4616: the password's owner (authcid) must be allowed to act as the authzid, and no account here may
        # act as another; logging in as the authcid instead answered a question the client did not ask.
        session.reply(n.ERR_SASLFAIL, "SASL authentication failed")
        return None
    proving = session.prove_account(name, password)
    return proving.addCallbacks(lambda _: _proven(session, name), lambda _: _sasl_failed(session))


def _proven(session: "IRCSession", name: str) -> "Waiting":
    """SASL proved the account ``name``: registration will identify to it, or, registered already, at once."""
    if session.user is None:
        session.proven = name
        # The mask the user will have (IRCv3 sasl-3.1's nick!ident@host, which clients such as
        # IRCSharp take as their own): the nickname registration will give them, whether or not
        # USER came yet, since chatd shows everyone as nick!nick@HOST (lines.source); the
        # account as 900 names it after registration, in the form account tags carry.
        account = fold(name)
        mask = source(session.chat.nick_once_identified(name))
        session.reply(n.RPL_LOGGEDIN, mask, account, f"You are now logged in as {account}")
        session.reply(n.RPL_SASLSUCCESS, "SASL authentication successful")
        return None
    waiting = identify(session, name)
    session.reply(n.RPL_SASLSUCCESS, "SASL authentication successful")
    return waiting


def _sasl_failed(session: "IRCSession") -> None:
    session.reply(n.ERR_SASLFAIL, "SASL authentication failed")


def welcome(session: "IRCSession") -> None:
    """001 to 005, LUSERS and the MOTD: what every client reads on registering."""
    factory = session.factory
    me = session.me()
    session.registered()
    server = factory.server_name
    session.reply(n.RPL_WELCOME, f"Welcome to the chatd IRC network, {source(me.nick)}")
    session.reply(n.RPL_YOURHOST, f"Your host is {server}, running version chatd-{__version__}")
    started = datetime.fromtimestamp(factory.started, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    session.reply(n.RPL_CREATED, f"This server was created {started}")
    session.reply(n.RPL_MYINFO, server, f"chatd-{__version__}", "iow", "MRbiklmnostv", "bklov", text=False)
    for tokens in isupport_lines(session.chat.limits, server):
        session.reply(n.RPL_ISUPPORT, *tokens, "are supported by this server")
    lusers(session, message=None)
    motd(session, message=None)


def lusers(session: "IRCSession", message: Message | None) -> "Waiting":
    """LUSERS: how many users, operators, rooms and connections there are (Modern IRC's 251 to 255, 265, 266).

    One server, whatever the front end: its users are all local and all
    global. Nobody is invisible (``+i`` hides no one from WHO or NAMES
    here), and 255's clients are connections, so a user online on several
    counts once in 251 and once for each in 255.
    """
    count = session.chat.headcount()
    users, most = str(count.users), str(count.most)
    session.reply(n.RPL_LUSERCLIENT, f"There are {users} users and 0 invisible on 1 servers")
    session.reply(n.RPL_LUSEROP, str(count.operators), "operator(s) online")
    session.reply(n.RPL_LUSERCHANNELS, str(count.rooms), "channels formed")
    session.reply(n.RPL_LUSERME, f"I have {count.sessions} clients and 0 servers")
    session.reply(n.RPL_LOCALUSERS, users, most, f"Current local users {users}, max {most}")
    session.reply(n.RPL_GLOBALUSERS, users, most, f"Current global users {users}, max {most}")
    return None


def motd(session: "IRCSession", message: Message | None) -> "Waiting":
    """MOTD: the message of the day (--motd), or 422."""
    lines = [text for text in session.factory.motd.splitlines() if text.strip()]
    if not lines:
        session.reply(n.ERR_NOMOTD, "MOTD File is missing")
        return None
    session.reply(n.RPL_MOTDSTART, f"- {session.factory.server_name} Message of the day - ")
    for text in lines:
        session.reply(n.RPL_MOTD, f"- {text}")
    session.reply(n.RPL_ENDOFMOTD, "End of /MOTD command.")
    return None


def ping(session: "IRCSession", message: Message) -> "Waiting":
    """PING token: PONG server token."""
    server = session.factory.server_name
    session.write_message(Message(source=server, command="PONG", params=(server, message.params[0])))
    return None


def pong(session: "IRCSession", message: Message) -> "Waiting":
    """PONG: the client is there (any bytes say so; nothing more to do)."""
    return None


def quit_(session: "IRCSession", message: Message) -> "Waiting":
    """QUIT [:reason]: leave, with ERROR before the close, which echoes the reason as roommates read it."""
    reason = message.params[0] if message.params else ""
    if session.user is not None:
        session.chat.quit(session.user, reason, session)
        session.user = None
    reason = quit_reason(reason, session.chat.limits.reason)
    session.close(f"Quit: {reason}" if reason else "Quit")
    return None
