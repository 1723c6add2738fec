"""``/takeover NICK TOKEN``: a new connection takes the place of a session whose own side is gone (#13).

A phone that changes network leaves its old connection open on the server
until TCP keepalive gives up (about 10 minutes on the line port) or the
web port's ping does (up to a minute): meanwhile its nickname is taken,
and coming back under it was a quit and a join everyone saw. So each named
line or web session is handed a secret, its ``token``, in the JSON of its
"You are NICK." notice; a new connection that presents it before choosing
a nickname becomes that user in that session's stead, in its rooms, at
once, and the old connection is closed with no quit. Nobody else sees a
thing.

The token is per session, random (``secrets``), never logged nor put in
an event, and dies with its session: a takeover closes the old one, and
the new session is handed a new token. Wrong tokens are throttled as
wrong ``/identify`` passwords are (chatd.frontend.oper's ``Throttle``: per
connection, per address, per nickname tried), with a throttle of their
own that the line and web ports share.

A ``/takeover`` of a nickname nobody holds is refused at once, unthrottled
(``SessionTokens.take_over``): after a restart every page and client comes
back with a token the new daemon never handed out, and the pause meant to
slow guessing would make each of them wait a second for nothing.

Rejected: IRCv3's ``draft/resume`` (a token in a capability, a timestamp,
a ``RESUMED`` line to everyone; abandoned for keeping the user online
across disconnections), a grace period holding every dropped user
online, and the same nickname from the same address taking over (a
school's LAN is one address).
"""

import secrets
from functools import partial
from typing import TYPE_CHECKING, cast

from twisted.internet.defer import Deferred, fail, succeed
from twisted.internet.interfaces import IReactorTime
from twisted.logger import Logger
from twisted.python.failure import Failure

from chatd.domain.chat import Chat
from chatd.domain.errors import BannedError, NoSuchNicknameError
from chatd.domain.ports import Session, UserView
from chatd.frontend.logs import BoundedLog
from chatd.frontend.oper import Attempts, Throttle
from chatd.line.accounts import show_rooms
from chatd.line.errors import TakenOverError, TakeoverFailedError, TakeoverThrottledError, UsageError
from chatd.turns import Turns

if TYPE_CHECKING:
    from chatd.line.commands import Takeover
    from chatd.line.session import LineSession, Waiting

TOKEN_BYTES = 18
"""Random bytes in a token: 144 bits, 24 URL-safe characters, past guessing at any rate the throttle allows."""

USAGE = "/takeover NICK TOKEN"


def new_token() -> str:
    """A fresh token for a session just named: nobody, the server included, can tell the next from this one."""
    return secrets.token_urlsafe(TOKEN_BYTES)


class SessionTokens:
    """Checks takeover tokens for every line and web session, wrong ones throttled; the service makes one."""

    log = Logger()

    def __init__(self, clock: IReactorTime, *, bounded: BoundedLog) -> None:
        self._throttle = Throttle(
            clock,
            bounded=bounded,
            log=self.log,
            what="/takeover",
            failed=TakeoverFailedError,
            throttled=TakeoverThrottledError,
            # A token is checked at once, on the reactor: no reason to wait behind a host's password hashes.
            turns=Turns(),
        )

    def attempts(self) -> Attempts:
        """A new connection's own record of wrong tokens."""
        return self._throttle.attempts()

    def take_over(
        self, chat: Chat, session: "LineSession", attempts: Attempts, nick: str, token: str
    ) -> "Deferred[tuple[UserView, LineSession]]":
        """Fire with the user ``session`` now is, and the session of theirs it replaced, once ``token`` is that
        session's and the user holds ``nick``; fails with TakeoverFailedError (after the connection's pause),
        TakeoverThrottledError, or BannedError (the address is banned now).

        If nobody holds ``nick``, it fails at once with TakeoverFailedError (``held`` false), before the
        throttle: no token is compared, so there is nothing to guess and nothing for the pause to slow, and it
        is what every page and client coming back after a restart is told. Answering at once tells only that
        nobody is online as ``nick``, which anyone may learn as fast already (``/whois``, ``/users``, or a
        ``/nick`` refused at once with ``nick-in-use`` when someone is). Such an attempt spends none of the
        connection's, address's or nickname's wrong tokens, and is not logged (nothing was tried): counted, the
        pages behind one address (a school's NAT) coming back after a restart would spend its budget and pace
        each other's real takeovers. It costs a line of the flood budget, as every line does. A nickname someone
        holds, whatever their front end, is checked, paused and throttled as before.
        """
        try:
            chat.online(nick)
        except NoSuchNicknameError:
            return fail(TakeoverFailedError(nick, held=False))

        def holds(candidate: Session) -> bool:
            # Only line sessions hold tokens: an IRC or console session has none.
            held = getattr(candidate, "token", None)
            return isinstance(held, str) and secrets.compare_digest(held, token)

        found: list[tuple[UserView, Session]] = []

        def check() -> "Deferred[bool]":
            # Checked and done in one go, on the reactor: nothing can come between. A connection gone while its
            # check waited its turn takes nobody's place.
            handed = None if session.closing else chat.hand_over(nick, session, session.peer, holds)
            if handed is not None:
                found.append(handed)
            return succeed(handed is not None)

        checking = self._throttle.attempt(None, session.peer, attempts, nick, check)
        return checking.addCallback(lambda _: (found[0][0], cast("LineSession", found[0][1])))


def takeover(session: "LineSession", command: "Takeover") -> "Waiting":
    """Become the user online as ``command.nick`` in the place of their session whose token ``command.token`` is:
    before a nickname only. The old session is told why and closed, with no quit; this one is shown the user's
    rooms as a connection coming back is (``/resume`` before it says where it left off in each)."""
    if session.user is not None:
        raise UsageError(f"{USAGE}, before choosing a nickname")
    handing = session.take_over(command.nick, command.token)
    return handing.addCallbacks(lambda found: _taken_over(session, *found), partial(_banned, session))


def _taken_over(session: "LineSession", user: UserView, old: "LineSession") -> "Waiting":
    session.user = user
    _carry_over(old, session)
    # Its user is this session's now: its end is no quit.
    old.user = None
    old.close(TakenOverError(user.nick))
    # A guest has one connection at a time: the one taken over was it. An account may have others still.
    return Deferred.fromCoroutine(show_rooms(session, user, talking=old.current, alone=user.account is None))


def _carry_over(old: "LineSession", new: "LineSession") -> None:
    """Give ``new`` what of ``old`` its user would miss after a network blip: whom they ignore, and the offers
    hidden from it, whose end they are not told either (a session's own, so lost with it). Where plain lines go is
    ``show_rooms``'s ``talking``. The rest is the new connection's own (its format, its ``/resume`` notes, its flood
    budget) or the user's, which stays (away text, rooms, account); a ``/history`` paging goes no further, as after
    any other command."""
    if old.ignored:
        new.ignored = dict(old.ignored)
        new.ignorers.add(new)
    new.offers_hidden = set(old.offers_hidden)


def _banned(session: "LineSession", failure: Failure) -> None:
    """An address banned since is told why and closed, as on choosing a nickname."""
    failure.trap(BannedError)
    session.close(cast(BannedError, failure.value))
