"""The IRC command table: one row per command, with its handler and the checks before it runs.

``IRCSession.run`` follows it: an unknown command is 421 (451 before
registration), a row that needs registration is 451 before it, too few
parameters are 461; then the handler runs. HELP lists the rows and
docs/IRC.md documents each (tests/test_docs.py holds the two together).
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from chatd.irc import (
    accounts,
    channels,
    files,
    history,
    modes,
    operators,
    queries,
    redaction,
    registration,
    search,
    talk,
)
from chatd.irc.message import Message

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession, Waiting


class Row(NamedTuple):
    """A command: how it is used, what it does, its handler, its least parameters, and whether it needs registration."""

    usage: str
    summary: str
    run: "Callable[[IRCSession, Message], Waiting]"
    least: int = 0
    registered: bool = True


COMMANDS: dict[str, Row] = {
    "AUTHENTICATE": Row(
        "AUTHENTICATE PLAIN", "log in to an account with SASL PLAIN", registration.authenticate, 1, False
    ),
    "AWAY": Row("AWAY [:text]", "mark yourself away, or back with no text", talk.away),
    "CAP": Row(
        "CAP LS [302] | LIST | REQ :caps | END", "negotiate IRCv3 capabilities", registration.cap, 1, False
    ),
    "CHATHISTORY": Row(
        "CHATHISTORY LATEST|BEFORE|AFTER|AROUND target *|msgid=ID|timestamp=T limit | BETWEEN target REF REF limit"
        " | TARGETS timestamp=T timestamp=T limit",
        "read a room's (or a conversation's) history, or list where there is some between two times",
        history.chathistory,
        4,
    ),
    "FILES": Row(
        "FILES [#room] | DECLINE ID|*",
        "list again the files offered to you that you have yet to fetch (those offered in #room), or decline one"
        " by its id (or every one)",
        files.files,
    ),
    "HELP": Row("HELP [command]", "list the commands, or explain one", queries.help_, 0, False),
    "INVITE": Row("INVITE nick #room", "invite someone to a room you are in", modes.invite, 2),
    "ISON": Row("ISON nick...", "which of these nicknames are online", queries.ison, 1),
    "JOIN": Row(
        "JOIN #room[,#room] [key[,key]] | 0",
        "join rooms, with their keys (0 leaves them all)",
        channels.join,
        1,
    ),
    "KICK": Row(
        "KICK #room nick[,nick] [:reason]",
        "put someone (up to four at once) out of a room you run",
        channels.kick,
        2,
    ),
    "KILL": Row("KILL nick [:reason]", "take someone off the server (operators)", operators.kill, 1),
    "LIST": Row(
        "LIST [#room,...] [>N,<N]",
        "list the rooms (or those named) with their sizes and topics",
        channels.list_,
    ),
    "LUSERS": Row("LUSERS", "how many are online", registration.lusers),
    "MODE": Row("MODE target [changes]", "show or change a room's or your own modes", channels.mode, 1),
    "MOTD": Row("MOTD", "the message of the day", registration.motd),
    "NAMES": Row("NAMES [#room]", "who is in a room", channels.names),
    "NICK": Row("NICK nick", "choose or change your nickname", registration.nick, 0, False),
    "NOTICE": Row("NOTICE target :text", "send text that is never answered automatically", talk.notice),
    "OPER": Row("OPER name password", "become an operator", operators.oper, 2),
    "PART": Row("PART #room[,#room] [:reason]", "leave rooms", channels.part, 1),
    "PASS": Row("PASS password", "the password of your account, before NICK", registration.pass_, 1, False),
    "PING": Row("PING token", "ask the server for a PONG", registration.ping, 1, False),
    "PONG": Row("PONG token", "answer the server's PING", registration.pong, 0, False),
    "PRIVMSG": Row("PRIVMSG target[,target] :text", "talk in a room or to someone", talk.privmsg),
    "QUIT": Row("QUIT [:reason]", "leave the server", registration.quit_, 0, False),
    "REDACT": Row(
        "REDACT #room msgid [:reason]",
        "delete a line of a room by its msgid: your own, or anyone's where you are an operator"
        " (draft/message-redaction), as /delete does",
        redaction.redact,
        2,
    ),
    "REGISTER": Row(
        "REGISTER * * password",
        "make your nickname an account with this password, and log in to it (REGISTER * password works too)",
        accounts.register,
        2,
        False,
    ),
    "SEARCH": Row(
        "SEARCH in=#room|nick;text=words[;from=nick][;after=T][;before=T][;limit=N]",
        "search a room you are in, or your private messages with nick, for lines holding every word "
        "(soju.im/search), as /search does",
        search.search,
        1,
    ),
    "TAGMSG": Row(
        "TAGMSG target", "client-only tags alone: taken and dropped (CLIENTTAGDENY=*)", talk.tagmsg, 1
    ),
    "TIME": Row("TIME", "the server's clock", queries.time),
    "TOPIC": Row("TOPIC #room [:topic]", "show or set a room's topic", channels.topic, 1),
    "USER": Row("USER name 0 * :real name", "register, with NICK", registration.user, 4, False),
    "USERHOST": Row("USERHOST nick...", "nick=+user@host for up to five nicknames", queries.userhost, 1),
    "VERSION": Row("VERSION", "the server's version", queries.version),
    "VERIFY": Row(
        "VERIFY account code",
        "nothing to verify here: REGISTER logs you in at once",
        accounts.verify,
        2,
        False,
    ),
    "WALLOPS": Row("WALLOPS :text", "say something to everyone online (operators)", operators.wallops, 1),
    "WHO": Row(
        "WHO #room|nick [%fields[,token]]", "who is in a room, or who someone is (WHOX)", queries.who, 1
    ),
    "WHOIS": Row("WHOIS nick", "who someone is", queries.whois, 1),
    "WHOWAS": Row("WHOWAS nick [count]", "when a nickname was last given up", queries.whowas, 1),
}
"""Every command the IRC listener runs, by name."""
