"""``/oper`` on any front end: the password checked off the reactor thread, failures throttled.

Checking an Argon2 hash takes a tenth of a second or more of CPU, on
purpose, and a guess costs the attacker nothing. So the check runs in a
thread pool the service owns (``in_thread_pool``), never on the reactor's
thread, where it would stall every user; and failures are budgeted with
the token buckets of chatd.domain.flood, per connection and per address.
Once a budget is spent, further attempts are refused, unchecked, until it
refills. Every attempt is logged with the name tried and the peer's
address, never the password.
"""

import math
import os
import sys
import threading
from collections.abc import Callable

from twisted.internet.defer import Deferred, fail, succeed
from twisted.internet.interfaces import IReactorFromThreads
from twisted.internet.threads import deferToThreadPool
from twisted.logger import Logger
from twisted.python.threadpool import ThreadPool
from typing_extensions import override

from chatd.domain.chat import Chat
from chatd.domain.errors import OperFailedError, OperThrottledError
from chatd.domain.flood import TokenBucket
from chatd.domain.ports import UserView

Verify = Callable[[str, str], bool]
"""Whether a password (the second argument) is that of an operator name (the first); may be slow."""

Check = Callable[[str, str], "Deferred[bool]"]
"""A ``Verify`` whose answer comes later, fired on the reactor thread."""

FAILURES_PER_CONNECTION = 3
"""Failed attempts one connection may make before it must wait."""

FAILURES_PER_ADDRESS = 10
"""Failed attempts all connections from one address may make before they must wait."""

RETRY_SECONDS = 60.0
"""Once a budget is spent, one more attempt is allowed per this many seconds."""

BACKGROUND_NICE = 19
"""The nice value of a password thread: the lowest priority, so the scheduler serves chat first."""


class _BackgroundThread(threading.Thread):
    """A pool thread that runs below the reactor's: on a busy host, chat gets the CPU first.

    Argon2 releases the GIL, so a check competes with the reactor only for
    the CPU; at equal priority the reactor then waits its turn behind it
    (on 2 cores, the p99 of tests/e2e/test_oper_load.py goes from about 6.5
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


class OperatorLogin:
    """The password check and the failure budgets of every address; the service shares one among front ends."""

    log = Logger()

    def __init__(self, check: Check, now: Callable[[], float]) -> None:
        self._check = check
        self._now = now
        self._by_address: dict[str, TokenBucket] = {}

    def budget(self) -> TokenBucket:
        """A new connection's own budget of failures."""
        return TokenBucket(1 / RETRY_SECONDS, FAILURES_PER_CONNECTION, self._now)

    def attempt(
        self, chat: Chat, user: UserView, peer: str, budget: TokenBucket, name: str, password: str
    ) -> "Deferred[None]":
        """Make ``user`` an operator if ``password`` is operator ``name``'s; fires with None once they are.

        Fails at once with OperThrottledError, unchecked, while ``budget`` or
        ``peer``'s is spent. Otherwise one failure is taken from each budget
        before the check starts, so attempts in flight at the same time
        cannot together pass a budget, and given back if the password is
        right; if it is wrong, the Deferred fails with OperFailedError. A
        user who has left by the time the check ends is not made an operator.
        """
        address = self._by_address.get(peer)
        # Rounded to the millisecond: a refill rate of 1/60 a second is not
        # exact in binary, and a wait of 1e-12 s should not refuse anyone.
        wait = round(max(budget.wait(1), 0.0 if address is None else address.wait(1)), 3)
        if wait:
            self.log.warn("Refused /oper as {name!r} from {peer}: too many failures", name=name, peer=peer)
            return fail(OperThrottledError(math.ceil(wait)))
        budget.take(1)
        address = self._reserve(peer)

        def checked(right: bool) -> None:
            if not right:
                self.log.warn("Failed /oper as {name!r} from {peer}", name=name, peer=peer)
                raise OperFailedError()
            # Taking a negative cost gives a token back; a bucket never holds more than its burst.
            budget.take(-1)
            address.take(-1)
            if not user.online:
                return
            chat.grant_operator(user)
            self.log.info("{nick} from {peer} is now operator {name!r}", nick=user.nick, peer=peer, name=name)

        return self._check(name, password).addCallback(checked)

    def _reserve(self, peer: str) -> TokenBucket:
        """Take one failure from ``peer``'s budget and return it; forget the budgets that have refilled."""
        for address, bucket in list(self._by_address.items()):
            if not bucket.wait(FAILURES_PER_ADDRESS):
                del self._by_address[address]
        bucket = self._by_address.setdefault(
            peer, TokenBucket(1 / RETRY_SECONDS, FAILURES_PER_ADDRESS, self._now)
        )
        bucket.take(1)
        return bucket
