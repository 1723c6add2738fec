"""Accounts on any front end: passwords hashed and checked off the reactor thread, wrong ones throttled.

Hashing or checking an Argon2id hash takes a quarter of a second of CPU on
purpose, so both run on the service's password thread pool (the one
``/oper`` uses: chatd.frontend.oper), never on the reactor thread. Wrong
passwords are throttled by the same ``Throttle`` as ``/oper``'s, with its
budgets per connection, per address and per name, the name here being the
account: a guesser pays, and the owner's right password still gets in.
Each host's hashes and checks, ``/oper``'s too, reach the threads one at a
time (``Turns``, the service's one for all of them), so one address looping
``/password`` holds everyone else's ``/identify`` up by one check at most.

A password is never logged, echoed, put in an event or kept: only its hash
goes to the Accounts store. Failures are logged with the nickname tried
and the address; successes and registrations are events, which the audit
log records (chatd.audit).
"""

from collections.abc import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from twisted.internet.defer import Deferred, maybeDeferred
from twisted.internet.interfaces import IReactorFromThreads, IReactorTime
from twisted.internet.threads import deferToThreadPool
from twisted.logger import Logger
from twisted.python.threadpool import ThreadPool

from chatd.domain.accounts import check_password
from chatd.domain.chat import Chat
from chatd.domain.errors import IdentifyFailedError, IdentifyThrottledError
from chatd.domain.networks import counted_as
from chatd.domain.ports import UserView
from chatd.frontend.logs import BoundedLog
from chatd.frontend.oper import Attempts, Throttle, either_form
from chatd.turns import Turns

Hash = Callable[[str], "Deferred[str]"]
"""The Argon2id hash of a password, made later (on a thread)."""

Verify = Callable[[str | None, str], "Deferred[bool]"]
"""Whether a password (the second argument) matches a hash (the first; None: no such account), answered later."""

DECOY = "$argon2id$v=19$m=65536,t=3,p=4$w6GvMdBa7fmTifMHHG4VGw$daMdQR2l4dOPmmpIz2Hh/FdOL/HiXBiNwEYNOlOpnmQ"
"""The hash of a random password nobody knows, at the default cost: a missing account is checked
against it, so the time an answer takes does not tell which nicknames are registered."""


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password``, at argon2-cffi's recommended cost (slow: run it on a thread)."""
    return PasswordHasher().hash(password)


def verify_password(hashed: str | None, password: str) -> bool:
    """Whether ``password`` matches ``hashed``; False for None, after as long as a real check (slow)."""
    try:
        PasswordHasher().verify(hashed or DECOY, password)
    except (VerificationError, InvalidHashError):
        return False
    return hashed is not None


def on_threads(reactor: IReactorFromThreads, pool: ThreadPool) -> tuple[Hash, Verify]:
    """``hash_password`` and ``verify_password`` run on ``pool``'s threads, answered on the reactor's."""

    def hash(password: str) -> "Deferred[str]":
        return deferToThreadPool(reactor, pool, hash_password, password)

    def verify(hashed: str | None, password: str) -> "Deferred[bool]":
        return deferToThreadPool(reactor, pool, verify_password, hashed, password)

    return hash, verify


def on_calling_thread() -> tuple[Hash, Verify]:
    """``hash_password`` and ``verify_password`` run where called: for a front end built without the
    service's thread pool (a test's, a tool's); the daemon's always has one (``on_threads``)."""
    return (
        lambda password: maybeDeferred(hash_password, password),
        lambda hashed, password: maybeDeferred(verify_password, hashed, password),
    )


class AccountLogin:
    """Proves and hashes account passwords for every front end; the service makes one."""

    log = Logger()

    def __init__(
        self,
        hash: Hash,
        verify: Verify,
        clock: IReactorTime,
        *,
        bounded: BoundedLog,
        turns: Turns | None = None,
    ) -> None:
        """``turns``: each host's password work, shared with ``OperatorLogin`` (the service's); a fresh one if None."""
        self._hash = hash
        self._verify = verify
        self._turns = turns or Turns()
        self.throttle = Throttle(
            clock,
            bounded=bounded,
            log=self.log,
            what="/identify",
            failed=IdentifyFailedError,
            throttled=IdentifyThrottledError,
            turns=self._turns,
        )

    def attempts(self) -> Attempts:
        """A new connection's own record of wrong passwords."""
        return self.throttle.attempts()

    def prove(
        self,
        chat: Chat,
        who: UserView | None,
        peer: str,
        attempts: Attempts,
        nick: str,
        password: str,
        *,
        also: str | None = None,
    ) -> "Deferred[None]":
        """Fire with None once ``password`` (or ``also``, a second form: chatd.frontend.oper.either_form) is that of the account
        ``nick`` in ``chat``.

        ``who`` is who tries (None before they have a nickname), named in
        the log. Throttled per connection (``attempts``), per address (``peer``) and
        per account; fails with IdentifyFailedError (no such account, or a
        wrong password: the same answer, after the same time) or
        IdentifyThrottledError.
        """

        async def check() -> bool:
            hashed = await chat.password_hash(nick)
            return await either_form(lambda typed: self._verify(hashed, typed), password, also)

        tries = None if who is None else who.nick
        return self.throttle.attempt(tries, peer, attempts, nick, lambda: Deferred.fromCoroutine(check()))

    def hash(self, peer: str, password: str) -> "Deferred[str]":
        """The hash to keep for a new ``password`` asked from ``peer``, made in the host's turn; raises
        PasswordTooShortError at once."""
        checked = check_password(password)
        return self._turns.run(counted_as(peer), lambda: self._hash(checked))
