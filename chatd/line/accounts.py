"""What a line session does for the account commands: register, identify, change the password, unregister, and an
operator's new password for someone's account or its giving up.

Each checks a password or makes a hash, which takes a while off the reactor
thread (``LineSession.prove_account``, ``LineSession.hash_password``), so
each returns a Deferred: the connection reads nothing more until it fires,
and replies keep the order of commands. The chat records the result
(chatd.domain.identity); what is said here is said once the change is kept
(the store's Deferred), so "registered" is never told before it is.
"""

from functools import partial
from typing import TYPE_CHECKING

from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from chatd.domain.errors import BannedError, IdentifyFailedError
from chatd.domain.ports import UserView
from chatd.frontend.held import awaited
from chatd.line import account_commands as acct
from chatd.line.errors import UsageError, WrongPasswordError
from chatd.line.render import Notice
from chatd.line.talk import in_room, join_noted, now_talking, show_room
from chatd.text import counted, fold

if TYPE_CHECKING:
    from chatd.line.session import LineSession, Waiting


def register(session: "LineSession", command: acct.Register) -> "Waiting":
    me = session.me()
    session.chat.check_registrable(me)
    hashing = session.hash_password(command.password)
    return hashing.addCallback(lambda hashed: _registering(session, me, hashed))


def _registering(session: "LineSession", me: UserView, hashed: str) -> "Waiting":
    if not me.online:
        return None
    written = awaited(session.acts(partial(session.chat.register_account, me, hashed)))
    notice = registered_notice(me)
    return written.addCallback(lambda _: session.send(notice))


def registered_notice(user: UserView) -> Notice:
    """What each session of ``user`` is told once their nickname is registered: the one that asked, when kept."""
    text = f"The nickname {user.nick} is registered to you, and you are identified to it."
    return Notice("account", text, _fields(user, "registered"))


def identify(session: "LineSession", command: acct.Identify) -> "Waiting":
    nick = command.nick
    if nick is None:
        if session.user is None:
            raise UsageError("/identify NICK PASSWORD")
        nick = session.user.nick
    proving = session.prove_account(nick, command.password)
    return proving.addCallback(lambda _: _identified(session, nick))


def _identified(session: "LineSession", nick: str) -> "Waiting":
    """The password was right: the session's user (or a new one) is identified to the account."""
    before = session.user
    if session.closing or (before is not None and not before.online):
        return None
    try:
        user = session.chat.identify(session, before, nick, session.peer)
    except BannedError as error:
        # As when choosing a nickname: a banned address is told why and closed.
        session.close(error)
        return None
    session.user = user
    session.send(Notice("account", f"You are identified as {nick}.", _fields(user, "identified")))
    return Deferred.fromCoroutine(_arrived(session, before, user))


async def _arrived(session: "LineSession", before: UserView | None, user: UserView) -> None:
    """What an identified session is shown next: what was kept for it while offline, then its rooms."""
    await _offline(session, user)
    if session.files is not None:
        # Files offered to the account while it was offline are offered now (issue 16).
        session.files.identified(user.account)
    if before is None and not user.rooms:
        shown = session.registered()
        if shown is not None:
            await shown
    elif user is not before:
        session.named()
        await show_rooms(session, user)


async def _offline(session: "LineSession", user: UserView) -> None:
    """Show the private messages kept for ``user`` while offline, with their times, then how many; none: nothing."""
    kept = await session.chat.take_offline(user)
    if not kept:
        return
    count = len(kept)
    text = (
        f"End of the {'message' if count == 1 else f'{count} messages'} sent to you while you were offline."
    )
    session.write(
        b"".join(session.render_history(event) for event in kept)
        + session.render(Notice("offline_end", text, {"count": count}))
    )
    session.charge_listing(count)


async def show_rooms(
    session: "LineSession", user: UserView, talking: str | None = None, alone: bool = False
) -> None:
    """This session is now one more of ``user``'s: show each of their rooms as on joining, one after another.

    A connection coming back names the rooms it was in, its current one
    last (``/resume`` before the nickname): those the account is in are
    shown from where it left off; the others it joins, as choosing a
    nickname would; and it talks where it did, not in the account's last
    room. Its notes were dropped without a word, and every connection
    back after a restart talked in whichever room the first had joined last.
    Without notes, it talks in ``talking`` if the user is in it: a
    takeover's, the room the connection it replaced talked in. ``alone``:
    a guest's takeover, whose user has no other connection to be in them with.
    """
    session.send(session.nick_notice())
    noted = list(session.resuming)
    session.current = None
    # The first time, this is the connection coming back to its rooms (session.came_back); identifying again pays.
    asked, session.came_back = session.came_back, True
    for room in list(user.rooms.values()):
        session.current = room.name
        session.send(in_room(room.name, alone))
        # The room's last event is no join of this connection's but a part of its past: shown with the rest.
        shown = show_room(session, room, joined=False, asked=asked)
        if shown is not None:
            await shown
    await join_noted(session, asked)
    back = [key for key in noted if key in user.rooms]
    if not back and talking is not None and fold(talking) in user.rooms:
        back = [fold(talking)]
    if back:
        session.current = user.rooms[back[-1]].name
    session.send(now_talking(session.current))


def password(session: "LineSession", command: acct.Password) -> "Waiting":
    """``/password OLD NEW``: a check and a hash, half a second of the password thread, so it costs a burst of flood
    budget as it is asked (``charge_burst``): a connection looping right passwords, which no failure budget slows,
    holds the thread a tenth of the time at the default budget. /identify and /register cost a line: each is a
    login's or a new user's first step, and a burst there would slow the lines that follow it."""
    me = session.me()
    account = session.chat.account(me)
    if not session.charge_burst():
        return None
    proving = _own_password(session.prove_account(account, command.old))
    hashing = proving.addCallback(lambda _: session.hash_password(command.new))
    return hashing.addCallback(lambda hashed: _changing(session, me, hashed))


def _changing(session: "LineSession", me: UserView, hashed: str) -> "Waiting":
    if not me.online:
        return None
    written = awaited(session.chat.change_password(me, hashed))
    return written.addCallback(
        lambda _: session.send(Notice("account", "Your password is changed.", _fields(me, "password")))
    )


def unregister(session: "LineSession", command: acct.Unregister) -> "Waiting":
    me = session.me()
    account = session.chat.account(me)
    proving = _own_password(session.prove_account(account, command.password))
    return proving.addCallback(lambda _: _dropping(session, me))


def _own_password(proving: "Deferred[None]") -> "Deferred[None]":
    """A check of the identified user's own password: a failure is a wrong password, the account being theirs."""

    def wrong(failure: Failure) -> None:
        failure.trap(IdentifyFailedError)
        raise WrongPasswordError()

    return proving.addErrback(wrong)


def _dropping(session: "LineSession", me: UserView) -> "Waiting":
    if not me.online:
        return None
    written = awaited(session.acts(partial(session.chat.drop_account, me)))
    notice = unregistered_notice(me)
    return written.addCallback(lambda _: session.send(notice))


def unregistered_notice(user: UserView) -> Notice:
    """What each session of ``user`` is told once their nickname is registered no more: the one that asked, when
    kept."""
    text = f"The nickname {user.nick} is no longer registered; anyone may take it once you leave it."
    return Notice("account", text, _fields(user, "unregistered"))


def still_registered_notice(user: UserView) -> Notice:
    """What each session of ``user`` is told when the server could not save giving up their account: it is
    theirs still, and they are identified to it.

    JSON: ``change`` "identified", as on identifying, so a program that reads only that keeps the account; and
    ``undoes`` "unregistered", so one with an ``/identify`` of its own waiting does not take this for its answer.
    """
    text = (
        f"The server could not save giving up the nickname {user.nick}; "
        "it is still registered to you, and you are identified to it."
    )
    return Notice("account", text, {**_fields(user, "identified"), "undoes": "unregistered"})


def manage(session: "LineSession", command: acct.SetPassword | acct.DropAccount) -> "Waiting":
    """``/account password NICK PASSWORD`` or ``/account drop NICK``: an operator acts on someone's account.

    The chat checks the operator and the account before the password is
    hashed, so a refusal costs no hash (``Chat.registered_account``).
    """
    me = session.me()
    nick = session.chat.account_nick(session.chat.registered_account(me, command.nick))
    if isinstance(command, acct.DropAccount):
        dropping = awaited(session.acts(partial(session.chat.drop_account_of, me, nick)))
        return dropping.addCallback(lambda _: session.send(managed_notice(nick, "dropped")))
    hashing = session.hash_password(command.password)
    return hashing.addCallback(lambda hashed: _setting(session, me, nick, hashed))


def _setting(session: "LineSession", me: UserView, nick: str, hashed: str) -> "Waiting":
    if not me.online:
        return None
    written = awaited(session.chat.set_password(me, nick, hashed))
    return written.addCallback(lambda _: session.send(managed_notice(nick, "password")))


def managed_notice(nick: str, change: str) -> Notice:
    """What the operator is told once the change ``change`` (``password``, ``dropped``) to the account whose
    nickname is ``nick`` is kept."""
    if change == "password":
        text = (
            f"The account {nick} has a new password: its owner identifies with it, then chooses their own with "
            "/password OLD NEW."
        )
    else:
        text = f"The account {nick} is given up: the nickname {nick} is no longer registered."
    return Notice("managed_account", text, {"nick": nick, "account": fold(nick), "change": change})


def dropped_by_operator_notice(user: UserView, operator: str) -> Notice:
    """What each session of ``user`` is told when the operator ``operator`` gives up their account: as on their own
    ``/unregister`` (``change`` "unregistered"), and who did it (``by``)."""
    text = (
        f"The operator {operator} gave up your account: the nickname {user.nick} is no longer registered; "
        "anyone may take it once you leave it."
    )
    return Notice("account", text, {**_fields(user, "unregistered"), "by": operator})


def forget(session: "LineSession", command: acct.Forget) -> "Waiting":
    """``/forget``: say what ``/forget confirm`` deletes; that deletes it and says how much went."""
    me = session.me()
    account = session.chat.account(me)
    nick = session.chat.account_nick(account)
    if not command.confirmed:
        text = (
            f"/forget confirm deletes every message, action and private message you sent as {nick} "
            "since you registered it, from the server, for good."
        )
        session.send(Notice("forget", text, {"nick": nick, "count": None}))
        return None
    deleting = awaited(session.chat.forget(me))

    def done(count: int) -> None:
        text = f"Forgot {counted(count, 'message')} you sent as {nick}."
        session.send(Notice("forget", text, {"nick": nick, "count": count}))

    return deleting.addCallback(done)


def _fields(user: UserView, what: str) -> dict[str, object]:
    """The JSON fields of an account notice: what happened, the nickname and the account now."""
    return {"account": user.account, "nick": user.nick, "change": what}
