"""Making an account over IRC: REGISTER (IRCv3 ``draft/account-registration``) and VERIFY.

REGISTER makes the nickname the client holds an account, as the line
protocol's ``/register PASSWORD`` does, through the same calls: the chat
checks it may (``check_registrable``: not logged in already, the nickname
nobody's, the address under ``--accounts-per-hour``), the front ends' login
checks the password and hashes it off the reactor thread, and the chat
registers it (``register_account``), which identifies the user at once
(900, from the delivery of the change, as when nc's ``/register`` does it)
and fires once the store keeps it: then ``REGISTER SUCCESS``. A store that
cannot keep it undoes the change (901) and REGISTER is answered
``FAIL REGISTER TEMPORARILY_UNAVAILABLE``.

The spec's form is ``REGISTER <account> <email> <password>``; the account
is the nickname (``*`` or the nickname itself) and chatd keeps no email,
so the email must be ``*``. An earlier draft's ``REGISTER <email>
<password>`` (``REGISTER * PASSWORD``, what a user types after ``/quote``)
is taken too. chatd offers no ``before-connect``: a REGISTER before the
welcome is ``COMPLETE_CONNECTION_REQUIRED``. No registration waits for a
code, so VERIFY only says so.

Clients without the command (WeeChat, irssi) reach for ``/msg NickServ
REGISTER PASSWORD``: chatd has no services, and takes that as ``REGISTER *
* PASSWORD`` (chatd.irc.services); the password reaches nobody. Such a
client knows no ``REGISTER SUCCESS`` either (WeeChat 3.8 shows it as an
error, ``irc: command "REGISTER" not found``), so it is told the same
sentence in a NOTICE from the server, as NickServ's other answers.
"""

from typing import TYPE_CHECKING

from twisted.python.failure import Failure

from chatd.domain.errors import ChatError, InvalidNicknameError
from chatd.domain.names import check_nickname
from chatd.domain.ports import UserView
from chatd.frontend.held import awaited
from chatd.irc.message import Message
from chatd.text import fold

if TYPE_CHECKING:
    from chatd.irc.session import IRCSession, Waiting


def register(session: "IRCSession", message: Message, by_notice: bool = False) -> "Waiting":
    """REGISTER <account> <email> <password>, or REGISTER <email> <password>: make the nickname an account.

    With ``by_notice`` (asked of NickServ) success is a NOTICE from the server rather than ``REGISTER SUCCESS``.
    """
    params = message.params
    if len(params) > 3:
        session.fail(
            "REGISTER",
            "INVALID_PARAMS",
            "*",
            "Send REGISTER * * PASSWORD; a password with spaces goes last, after a colon",
        )
        return None
    account, email, password = params if len(params) == 3 else ("*", *params)
    if session.user is None:
        session.fail(
            "REGISTER", "COMPLETE_CONNECTION_REQUIRED", "Register after connecting (once you read 001)"
        )
        return None
    me = session.me()
    nick = me.nick
    if account != "*" and fold(account) != fold(nick):
        _not_the_nickname(session, account, nick)
        return None
    if email != "*":
        session.fail(
            "REGISTER",
            "INVALID_EMAIL",
            nick,
            "This server keeps no email addresses: send * in its place (REGISTER * * PASSWORD)",
        )
        return None
    try:
        session.chat.check_registrable(me)
        hashing = session.factory.accounts.hash(session.peer, password)
    except ChatError as error:
        session.refuse(error, "REGISTER", nick)
        return None
    registering = hashing.addCallback(lambda hashed: _registering(session, me, hashed, by_notice))
    return registering.addErrback(_refused, session, nick)


def _not_the_nickname(session: "IRCSession", account: str, nick: str) -> None:
    """REGISTER named an account other than the nickname: BAD_ACCOUNT_NAME if it could be no nickname, else
    ACCOUNT_NAME_MUST_BE_NICK (the account is named only if it is a nickname, so it is safe to echo)."""
    try:
        check_nickname(account, session.chat.limits.nickname)
    except InvalidNicknameError:
        session.fail(
            "REGISTER",
            "BAD_ACCOUNT_NAME",
            "*",
            f"An account is named by its nickname: send * for {nick}, or change nickname first",
        )
        return
    session.fail(
        "REGISTER",
        "ACCOUNT_NAME_MUST_BE_NICK",
        account,
        f"An account is named by its nickname: send * for {nick}, or change nickname first (NICK {account})",
    )


def _registering(session: "IRCSession", me: UserView, hashed: str, by_notice: bool) -> "Waiting":
    """The password is hashed: register the nickname the user holds now; say so once it is kept."""
    if not me.online:
        return None
    written = awaited(session.chat.register_account(me, hashed))
    account = me.account or ""
    return written.addCallback(lambda _: _registered(session, account, by_notice))


def _registered(session: "IRCSession", account: str, by_notice: bool) -> None:
    if by_notice:
        session.server_notice(f"Account {account} registered; you are logged in to it")
        return
    session.write_message(
        Message(
            source=session.factory.server_name,
            command="REGISTER",
            params=("SUCCESS", account, f"Account {account} registered; you are logged in to it"),
            trailing=True,
        )
    )


def _refused(failure: Failure, session: "IRCSession", nick: str) -> None:
    """A refusal met after hashing (the store could not keep it; the nickname changed meanwhile): say it."""
    failure.trap(ChatError)
    error = failure.value
    assert isinstance(error, ChatError)
    session.refuse(error, "REGISTER", nick)


def verify(session: "IRCSession", message: Message) -> "Waiting":
    """VERIFY <account> <code>: no registration here waits for a code, so there is never one to check."""
    if session.user is None:
        session.fail("VERIFY", "COMPLETE_CONNECTION_REQUIRED", "Nothing to verify: REGISTER after connecting")
        return None
    account = session.user.account
    if account is not None:
        session.fail("VERIFY", "ALREADY_AUTHENTICATED", account, f"You are logged in as {account} already")
        return None
    session.fail(
        "VERIFY",
        "INVALID_CODE",
        session.user.nick,
        "No registration here waits for a code: REGISTER * PASSWORD makes the account and logs you in at once",
    )
    return None
