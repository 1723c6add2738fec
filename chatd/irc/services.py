"""What a message to NickServ, ChanServ or another IRC service does here, where no service runs.

IRC users meet services on every other network and their clients are set
up for them: irssi's ``autosendcmd`` and WeeChat's ``command`` option send
``/msg NickServ IDENTIFY password`` on connect, and a user asked to register
types ``/msg NickServ REGISTER password`` or ``/msg ChanServ REGISTER
#room``. chatd runs no service and nobody may take a service's nickname
(chatd.domain.names.SERVICE_NICKNAMES), so a PRIVMSG to one is answered by
the server and its text, which likely holds a password, reaches nobody: it
is neither delivered, kept, echoed nor logged.

The few commands that mean what chatd does anyway are done through the
same calls as elsewhere:

- ``NickServ IDENTIFY [account] password`` logs the connection in as SASL
  does after the welcome (the same throttled check, then
  ``registration.identify``: 900, the account's nickname, its rooms). The
  account is the nickname held, or, if that is none's, the registered one
  NICK asked for and was refused: a client that connects as ``alice``
  reads 433 and falls back to ``alice_`` before it sends IDENTIFY;
- ``NickServ REGISTER password [email]`` is IRCv3's ``REGISTER * email
  password`` (chatd.irc.accounts), with its refusals; its success is a
  NOTICE, as a client that asks NickServ knows no ``REGISTER SUCCESS``;
- ``ChanServ REGISTER #room`` is the line protocol's ``/register #room``
  (``Chat.register_room``): the room's members read that it is registered;
- for operators, ``NickServ PASSWD NICK PASSWORD`` and ``NickServ
  SAUNREGISTER NICK`` (as Ergo's operators have them) are the line
  protocol's ``/account password NICK PASSWORD`` and ``/account drop NICK``
  (``Chat.set_password``, ``Chat.drop_account_of``); anyone else reads 481,
  as for KILL.

Anything else is answered with one NOTICE saying what chatd offers
instead. A NOTICE to a service goes nowhere and is answered with nothing,
as RFC 2812 has every NOTICE.
"""

from typing import TYPE_CHECKING

from twisted.python.failure import Failure

from chatd.domain.errors import (
    AccountNotKeptError,
    ChatError,
    IdentifyFailedError,
    IdentifyThrottledError,
    InvalidRoomNameError,
    NoSuchRoomError,
    NotIdentifiedError,
    NotInRoomError,
    NotOperatorError,
    NotOwnerError,
    PasswordTooShortError,
    RoomNotKeptError,
    RoomRegisteredError,
    RoomUnownedError,
    ServerRoomError,
    TooManyRegisteredRoomsError,
    UnknownAccountError,
)
from chatd.domain.names import SERVICE_NICKNAMES
from chatd.domain.ports import UserView
from chatd.frontend.held import awaited
from chatd.irc import accounts, registration
from chatd.irc.message import Message
from chatd.text import counted, fold

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession, Waiting

SERVICES = {fold(name): name for name in SERVICE_NICKNAMES}
"""Each service's nickname by its key: a message to one of these is the server's to answer."""

HOW_TO_REGISTER = (
    "There is no NickServ here. To make your nickname an account, send /msg NickServ REGISTER PASSWORD; "
    "to log in to it, /msg NickServ IDENTIFY PASSWORD, or SASL PLAIN or the server password (PASS) "
    "when you connect."
)
"""The NOTICE a NickServ command chatd does not take is answered with (IDENTIFY and REGISTER it takes)."""

HOW_TO_REGISTER_A_ROOM = (
    "There is no ChanServ here. To register a room you made, so that it keeps its topic, modes and "
    "operators while empty and across restarts, log in to your account, join the room and send "
    "/msg ChanServ REGISTER #room."
)
"""The NOTICE a ChanServ command other than REGISTER #room is answered with."""


def service(target: str) -> str | None:
    """The service ``target`` names, in any case; None if it names none."""
    return SERVICES.get(fold(target))


def answer(session: "IRCSession", name: str, text: str) -> "Waiting":
    """Answer a PRIVMSG of ``text`` to the service ``name``; the text goes nowhere."""
    words = text.split()
    command = words[0].upper() if words else ""
    if name == "NickServ":
        if command == "IDENTIFY":
            return _identify(session, words[1:])
        if command == "REGISTER":
            return _register(session, words[1:])
        if command in ("PASSWD", "SAUNREGISTER"):
            return _manage(session, command, text)
        session.server_notice(HOW_TO_REGISTER)
    elif name == "ChanServ":
        if command == "REGISTER" and len(words) == 2:
            return _register_room(session, words[1])
        session.server_notice(HOW_TO_REGISTER_A_ROOM)
    else:
        session.server_notice(
            f"There is no {name} here: this server runs no services. HELP lists its commands."
        )
    return None


def _identify(session: "IRCSession", words: list[str]) -> "Waiting":
    """NickServ IDENTIFY [account] password: log in as SASL PLAIN does after the welcome."""
    me = session.me()
    if len(words) not in (1, 2):
        session.server_notice(
            "Send /msg NickServ IDENTIFY PASSWORD, or IDENTIFY ACCOUNT PASSWORD; "
            "a password with spaces needs SASL or PASS"
        )
        return None
    if me.account is not None:
        session.server_notice(f"You are logged in as {me.account} already")
        return None
    if len(words) == 2:
        account = words[0]
    elif session.claimed is not None and not session.chat.is_registered(me.nick):
        # The client connected as its account's nickname, was refused it (433) and fell back to another.
        account = session.claimed
    else:
        account = me.nick
    password = words[-1]
    proving = session.prove_account(account, password)
    return proving.addCallbacks(
        lambda _: registration.identify(session, account), _not_identified, errbackArgs=(session, account)
    )


def _not_identified(failure: Failure, session: "IRCSession", account: str) -> None:
    """A wrong password (or no such account: the same answer), or too many of them."""
    failure.trap(IdentifyFailedError, IdentifyThrottledError)
    if isinstance(failure.value, IdentifyThrottledError):
        left = counted(failure.value.seconds_left, "second")
        session.server_notice(f"Too many wrong passwords; try again in {left}")
        return
    session.server_notice(f"Wrong password, or {account} is not an account here; you are not logged in")


def _register(session: "IRCSession", words: list[str]) -> "Waiting":
    """NickServ REGISTER password [email]: IRCv3's REGISTER * email password, success told in a NOTICE."""
    if len(words) not in (1, 2):
        session.server_notice(
            "Send /msg NickServ REGISTER PASSWORD; a password with spaces needs /quote REGISTER"
        )
        return None
    password, email = words[0], words[1] if len(words) == 2 else "*"
    return accounts.register(
        session, Message(command="REGISTER", params=("*", email, password)), by_notice=True
    )


def _manage(session: "IRCSession", command: str, text: str) -> "Waiting":
    """NickServ PASSWD NICK PASSWORD (the password the rest of the text) or SAUNREGISTER NICK, for operators."""
    me = session.me()
    # The command, the nickname, and the password with whatever spaces it holds.
    words = text.split(None, 2)
    password = words[2].strip() if len(words) == 3 else ""
    try:
        if len(words) != (3 if command == "PASSWD" else 2):
            if not me.operator:
                raise NotOperatorError()
            session.server_notice(
                "Send /msg NickServ PASSWD NICK PASSWORD"
                if command == "PASSWD"
                else "Send /msg NickServ SAUNREGISTER NICK"
            )
            return None
        nick = session.chat.account_nick(session.chat.registered_account(me, words[1]))
        if command == "SAUNREGISTER":
            changing = awaited(session.chat.drop_account_of(me, nick))
            done = f"The account {nick} is given up: the nickname {nick} is no longer registered"
        else:
            hashing = session.factory.accounts.hash(session.peer, password)
            changing = hashing.addCallback(lambda hashed: _setting(session, me, nick, hashed))
            done = f"The account {nick} has a new password: its owner logs in with it"
    except ChatError as error:
        _not_managed(session, error)
        return None
    return changing.addCallbacks(
        lambda _: session.server_notice(done), _managed_failed, errbackArgs=(session,)
    )


def _setting(session: "IRCSession", me: UserView, nick: str, hashed: str) -> "Waiting":
    """The new password is hashed: set it, if the operator is still online."""
    if not me.online:
        return None
    return awaited(session.chat.set_password(me, nick, hashed))


def _managed_failed(failure: Failure, session: "IRCSession") -> None:
    """A refusal met after hashing (the store could not keep it; the account given up meanwhile): say it."""
    failure.trap(ChatError)
    assert isinstance(failure.value, ChatError)
    _not_managed(session, failure.value)


def _not_managed(session: "IRCSession", error: ChatError) -> None:
    """Why an operator's PASSWD or SAUNREGISTER changed nothing, in a NOTICE; 481 for anyone else, as for KILL."""
    match error:
        case UnknownAccountError(nick=nick, alike=None):
            text = f"{nick} is not a registered nickname"
        case UnknownAccountError(nick=nick, alike=alike):
            text = f"{nick} is not a registered nickname; {alike} is, a different nickname that looks like it"
        case PasswordTooShortError(least=least):
            text = f"A password needs at least {counted(least, 'character')}; nothing changed"
        case AccountNotKeptError(account=account):
            text = f"The server could not save the change to the account {account}; nothing changed, try again later"
        case _:
            session.refuse(error, "PRIVMSG", "NickServ")
            return
    session.server_notice(text)


def _register_room(session: "IRCSession", room: str) -> "Waiting":
    """ChanServ REGISTER #room: the line protocol's /register #room; the room's members read the outcome."""
    try:
        registering = awaited(session.chat.register_room(session.me(), room))
    except ChatError as error:
        _room_refused(session, error, room)
        return None
    return registering.addErrback(_room_not_registered, session, room)


def _room_not_registered(failure: Failure, session: "IRCSession", room: str) -> None:
    """The store could not keep the registration (the chat took it back): say so."""
    failure.trap(ChatError)
    assert isinstance(failure.value, ChatError)
    _room_refused(session, failure.value, room)


def _room_refused(session: "IRCSession", error: ChatError, room: str) -> None:
    """Why the room ``room`` was not registered, in a NOTICE as the ChanServ it was asked of would say it."""
    match error:
        case NotIdentifiedError():
            text = "Log in to your account first (SASL, PASS or /msg NickServ IDENTIFY PASSWORD)"
        case InvalidRoomNameError():
            text = "That is no channel name: send /msg ChanServ REGISTER #room"
        case NotInRoomError(room=shown) | NoSuchRoomError(room=shown):
            text = f"Join {shown} first: only a member may register it"
        case ServerRoomError(room=shown):
            text = f"{shown} belongs to the server; nobody may register it"
        case RoomRegisteredError(room=shown, owner=owner):
            text = f"{shown} is registered to {owner} already"
        case RoomUnownedError(room=shown):
            text = f"Nobody owns {shown} now; only IRC operators may register it"
        case NotOwnerError(room=shown):
            text = f"Only whoever made {shown} (its owner) may register it"
        case TooManyRegisteredRoomsError(most=most):
            text = f"Your account owns {counted(most, 'registered room')}, the most allowed; unregister one first"
        case RoomNotKeptError(room=shown):
            text = f"The server could not save the registration of {shown}; nothing changed, try again later"
        case _:
            session.refuse(error, "PRIVMSG", room)
            return
    session.server_notice(text)
