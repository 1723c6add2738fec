"""Passwords on any front end (``/oper``, and accounts' through ``Throttle``): checked off the reactor thread, failures charged to who failed.

Checking an Argon2 hash takes a tenth of a second or more of CPU, on
purpose, and a guess costs the attacker nothing. So the check runs in a
thread pool the service owns (``in_thread_pool``), never on the reactor's
thread, where it would stall every user.

Failures are throttled so that a lock-out attempt costs the attacker, not
the operator (issue 12: when an address's budget refused even the right
password, anyone sharing the address, or guessing the name, locked the real
operator out). The only thing that tells an operator from an attacker
sharing their address is the password, so every attempt is checked unless
its own connection has failed too often:

- **Per connection**, the attacker's own: a wrong password is answered only
  after a pause that doubles with each failure on that connection (1, 2,
  4 s ... up to a minute), while the connection reads nothing else; after 3
  failures its attempts are refused unchecked (``OperThrottledError``), one
  more being allowed each minute. The operator's fresh connection has
  failed nothing.
- **Per address and per operator name**, shared by everyone: 10 failures
  each, one more each minute. A spent budget refuses nothing: it paces,
  so that checks from that address, or for that name, start one a second
  at most, each attempt waiting its turn. This bounds the checks an
  attacker can cause (and the guesses at one name) whatever the number of
  connections, while the right password waits at most a second for each
  attempt ahead of it: from one address, at most ``--max-per-ip`` - 1, as
  a connection has at most one attempt in flight. Every check then waits
  for the one of its host before it (``Throttle``'s ``turns``).

A right password gives back the failures its attempt reserved. Every
attempt is logged with the name tried, the nickname of who tried (if they
have one yet) and the peer's address, never the password; refusals through the daemon's ``BoundedLog``, since a connection
can repeat them as fast as its flood budget lets it.
"""

import math
import os
import sys
import threading
from collections.abc import Callable
from functools import partial

from twisted.internet.defer import Deferred, fail, succeed
from twisted.internet.interfaces import IReactorFromThreads, IReactorTime
from twisted.internet.task import deferLater
from twisted.internet.threads import deferToThreadPool
from twisted.logger import Logger
from twisted.python.threadpool import ThreadPool
from typing_extensions import override

from chatd.domain.chat import Chat
from chatd.domain.errors import ChatError, OperFailedError, OperThrottledError
from chatd.domain.flood import TokenBucket
from chatd.domain.networks import counted_as
from chatd.domain.ports import UserView
from chatd.frontend.logs import BoundedLog
from chatd.text import fold
from chatd.turns import Turns

Verify = Callable[[str, str], bool]
"""Whether a password (the second argument) is that of an operator name (the first); may be slow."""

Check = Callable[[str, str], "Deferred[bool]"]
"""A ``Verify`` whose answer comes later, fired on the reactor thread."""

FAILURES_PER_CONNECTION = 3
"""Failed attempts one connection may make before its attempts are refused unchecked."""

FAILURES_PER_ADDRESS = 10
"""Failed attempts all connections from one address may make before their checks are paced."""

FAILURES_PER_NAME = 10
"""Failed attempts at one operator name, from anywhere, before its checks are paced."""

RETRY_SECONDS = 60.0
"""Each budget gets one failure back per this many seconds; also the longest pause after a failure."""

PAUSE_SECONDS = 1.0
"""The pause before a connection's first wrong password is answered; it doubles with each further one."""

PACE_SECONDS = 1.0
"""Once an address's or a name's budget is spent, its checks start at most one per this many seconds."""

BACKGROUND_NICE = 19
"""The nice value of a password thread: the lowest priority, so the scheduler serves chat first."""


class _BackgroundThread(threading.Thread):
    """A pool thread that runs below the reactor's: on a busy host, chat gets the CPU first.

    Argon2 releases the GIL, so a check competes with the reactor only for
    the CPU; at equal priority the reactor then waits its turn behind it
    (on 2 cores, the p99 of bench/password_load.py goes from about 6.5
    to about 9.5 ms). Linux gives each thread its own nice value; elsewhere
    the thread runs at normal priority, since setpriority there would name a
    process, not a thread.
    """

    @override
    def run(self) -> None:
        if sys.platform.startswith("linux"):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
        super().run()


def password_pool(threads: int) -> ThreadPool:
    """A pool of up to ``threads`` low-priority threads for password checks, made as needed; start it before use."""
    pool = ThreadPool(minthreads=0, maxthreads=threads, name="chatd-passwords")
    pool.threadFactory = _BackgroundThread
    return pool


def in_thread_pool(reactor: IReactorFromThreads, pool: ThreadPool, verify: Verify) -> Check:
    """``verify`` run on one of ``pool``'s threads; its answer fires on ``reactor``'s thread."""

    def check(name: str, password: str) -> "Deferred[bool]":
        return deferToThreadPool(reactor, pool, verify, name, password)

    return check


def no_operators(name: str, password: str) -> "Deferred[bool]":
    """The check of a server with no ``--opers`` file: nobody is an operator by password."""
    return succeed(False)


class Attempts:
    """One connection's ``/oper`` failures: its budget, and how many in a row (which sets its pause)."""

    __slots__ = ("budget", "failures")

    def __init__(self, now: Callable[[], float]) -> None:
        self.budget = TokenBucket(1 / RETRY_SECONDS, FAILURES_PER_CONNECTION, now)
        self.failures = 0
        """Wrong passwords since the connection's last right one."""

    def pause(self) -> float:
        """How long the answer to the latest failure waits: 1, 2, 4 ... seconds, at most a minute."""
        # The exponent is capped too: a float power of two overflows past 1023.
        return min(RETRY_SECONDS, PAUSE_SECONDS * 2.0 ** min(self.failures - 1, 32))


class _Shared:
    """The failures of one address or one operator name, and when its next paced check may start."""

    __slots__ = ("budget", "next_check")

    def __init__(self, burst: int, now: Callable[[], float]) -> None:
        self.budget = TokenBucket(1 / RETRY_SECONDS, burst, now)
        self.next_check = 0.0

    def turn(self, now: float) -> float:
        """Seconds until an attempt may be checked: none while failures are left, else its place in the line."""
        if not _rounded(self.budget.wait(1)):
            return 0.0
        start = max(now, self.next_check)
        self.next_check = start + PACE_SECONDS
        return start - now

    def idle(self, now: float) -> bool:
        """Whether it holds nothing worth keeping: every failure back, nobody waiting."""
        return not self.budget.wait(self.budget.burst) and self.next_check <= now


class Throttle:
    """The failures of every address and name for one kind of password check, and the pauses they bring.

    ``what`` names the check in the log (``/oper``); a wrong password fails
    with ``failed(name)``, an attempt over its connection's budget with
    ``throttled(seconds_left)``; attempts are logged to ``log``, the
    checker's. The service shares one per kind among front ends, and one
    ``turns`` among every kind (``/oper``, accounts' hashes and checks), as
    they share the password threads: each host's checks reach them one at a
    time, so no address takes more than its share, however many connections
    or ports it uses.
    """

    def __init__(
        self,
        clock: IReactorTime,
        *,
        bounded: BoundedLog,
        log: Logger,
        what: str,
        failed: Callable[[str], ChatError],
        throttled: Callable[[int], ChatError],
        turns: Turns,
    ) -> None:
        self._clock = clock
        self._turns = turns
        self._bounded = bounded
        self.log = log
        self._what = what
        self._failed = failed
        self._throttled = throttled
        self._by_address: dict[str, _Shared] = {}
        self._by_name: dict[str, _Shared] = {}

    def attempts(self) -> Attempts:
        """A new connection's own record of failures."""
        return Attempts(self._clock.seconds)

    def attempt(
        self,
        nick: str | None,
        peer: str,
        attempts: Attempts,
        name: str,
        check: Callable[[], "Deferred[bool]"],
    ) -> "Deferred[None]":
        """Fire with None once ``check()`` says the password for ``name`` from ``nick`` at ``peer`` is right.

        ``nick`` is the nickname of who tries (None before they have one),
        logged beside the address: behind one NAT (a house, a school) the
        address alone does not tell the host who it was.

        Fails at once with ``throttled``, unchecked, while ``attempts``'
        budget is spent. Otherwise one failure is taken from the budgets of
        the connection, ``peer`` and ``name`` before the check starts (so
        attempts in flight together cannot pass them), and given back if the
        password is right. The check waits its turn while ``peer``'s or
        ``name``'s budget is spent, and then for the host's check before it
        to end (``turns``). A wrong password fails the Deferred with
        ``failed`` after the connection's pause.
        """
        wait = _rounded(attempts.budget.wait(1))
        if wait:
            refused = (
                "Refused {what} as {name!r} to {nick} from {peer}: too many failures"
                if nick is not None
                else "Refused {what} as {name!r} to a connection from {peer} with no nickname yet: too many failures"
            )
            self._bounded.warn(self.log, refused, what=self._what, name=name, nick=nick, peer=peer)
            return fail(self._throttled(math.ceil(wait)))
        now = self._clock.seconds()
        self._forget(now)
        # By host: an IPv6 address's whole /64 (chatd.domain.networks), or guessing takes a new address a try.
        host = counted_as(peer)
        shared = [
            self._shared(self._by_address, host, FAILURES_PER_ADDRESS),
            # Folded, as names are compared: BOSS and boss share one budget.
            self._shared(self._by_name, fold(name), FAILURES_PER_NAME),
        ]
        turn = max(each.turn(now) for each in shared)
        for budget in (attempts.budget, *(each.budget for each in shared)):
            budget.take(1)

        def checked(right: bool) -> "Deferred[None]":
            if not right:
                attempts.failures += 1
                failed = (
                    "{nick} from {peer} failed {what} as {name!r}"
                    if nick is not None
                    else "A connection from {peer} with no nickname yet failed {what} as {name!r}"
                )
                self.log.warn(failed, what=self._what, name=name, nick=nick, peer=peer)
                return deferLater(self._clock, attempts.pause(), self._refuse, name)
            # Taking a negative cost gives a token back; a bucket never holds more than its burst.
            for budget in (attempts.budget, *(each.budget for each in shared)):
                budget.take(-1)
            attempts.failures = 0
            return succeed(None)

        # The pause after a wrong password comes once the turn is over: it holds up no other check of the host.
        return self._in_turn(turn, lambda: self._turns.run(host, check)).addCallback(checked)

    def _refuse(self, name: str) -> None:
        """The wrong password's answer, once its pause is over."""
        raise self._failed(name)

    def _in_turn(self, turn: float, check: Callable[[], "Deferred[bool]"]) -> "Deferred[bool]":
        """The check, started after ``turn`` seconds (at once if none)."""
        if not turn:
            return check()
        return deferLater(self._clock, turn).addCallback(lambda _: check())

    def _shared(self, by_key: dict[str, _Shared], key: str, burst: int) -> _Shared:
        """The failures of address or name ``key``, made on its first attempt."""
        found = by_key.get(key)
        if found is None:
            found = by_key[key] = _Shared(burst, self._clock.seconds)
        return found

    def _forget(self, now: float) -> None:
        """Forget the addresses and names whose failures have all dripped back, so memory stays bounded."""
        for by_key in (self._by_address, self._by_name):
            for key in [key for key, shared in by_key.items() if shared.idle(now)]:
                del by_key[key]


async def either_form(verify: Callable[[str], "Deferred[bool]"], password: str, also: str | None) -> bool:
    """Whether ``verify`` accepts ``password`` or, failing that, ``also``: the line port reads a password in double
    quotes as the words inside, and ``also`` is it with its quotes, as accounts registered before kept it
    (chatd.line.passwords). A wrong quoted password costs two checks, for a missing account as for a real one."""
    return await verify(password) or (also is not None and await verify(also))


class OperatorLogin:
    """The ``/oper`` password check and its ``Throttle``; the service shares one among front ends."""

    log = Logger()

    def __init__(
        self, check: Check, clock: IReactorTime, *, bounded: BoundedLog, turns: Turns | None = None
    ) -> None:
        """``turns``: each host's password work, shared with ``AccountLogin`` (the service's); a fresh one if None."""
        self._check = check
        self.throttle = Throttle(
            clock,
            bounded=bounded,
            log=self.log,
            what="/oper",
            failed=lambda name: OperFailedError(),
            throttled=OperThrottledError,
            turns=turns or Turns(),
        )

    def attempts(self) -> Attempts:
        """A new connection's own record of failures."""
        return self.throttle.attempts()

    def attempt(
        self,
        chat: Chat,
        user: UserView,
        peer: str,
        attempts: Attempts,
        name: str,
        password: str,
        *,
        also: str | None = None,
    ) -> "Deferred[None]":
        """Make ``user`` an operator if ``password`` (or ``also``, a second form:
        ``either_form``) is operator ``name``'s; fires with None once they are.

        Throttled as ``Throttle.attempt`` says: fails with OperThrottledError
        or, for a wrong password, OperFailedError. A user who has left by
        the time the check ends is not made an operator.
        """

        def right(_: None) -> None:
            if not user.online:
                return
            chat.grant_operator(user)
            self.log.info("{nick} from {peer} is now operator {name!r}", nick=user.nick, peer=peer, name=name)

        def check() -> "Deferred[bool]":
            return Deferred.fromCoroutine(either_form(partial(self._check, name), password, also))

        checking = self.throttle.attempt(user.nick, peer, attempts, name, check)
        return checking.addCallback(right)


def _rounded(wait: float) -> float:
    """A bucket's wait to the millisecond.

    A refill rate of 1/60 a second is not exact in binary, and a wait of
    1e-12 s should not refuse or pace anyone.
    """
    return round(wait, 3)
