"""``/oper`` on any front end: the password checked outside the chat, failures throttled.

Checking an Argon2 hash takes tens of milliseconds, on purpose, and a guess
costs the attacker nothing: so failures are budgeted with the token buckets
of chatd.domain.flood, per connection and per address. Once a budget is
spent, further attempts are refused, unchecked, until it refills. Every
attempt is logged with the name tried and the peer's address, never the
password.
"""

import math
from collections.abc import Callable

from twisted.logger import Logger

from chatd.domain.chat import Chat
from chatd.domain.errors import OperFailedError, OperThrottledError
from chatd.domain.flood import TokenBucket
from chatd.domain.state import User

Verify = Callable[[str, str], bool]
"""Whether a password (the second argument) is that of an operator name (the first)."""

FAILURES_PER_CONNECTION = 3
"""Failed attempts one connection may make before it must wait."""

FAILURES_PER_ADDRESS = 10
"""Failed attempts all connections from one address may make before they must wait."""

RETRY_SECONDS = 60.0
"""Once a budget is spent, one more attempt is allowed per this many seconds."""


def no_operators(name: str, password: str) -> bool:
    """The check of a server with no ``--opers`` file: nobody is an operator by password."""
    return False


class OperatorLogin:
    """One front end's password check and the failure budgets of its addresses."""

    log = Logger()

    def __init__(self, verify: Verify, now: Callable[[], float]) -> None:
        self._verify = verify
        self._now = now
        self._by_address: dict[str, TokenBucket] = {}

    def budget(self) -> TokenBucket:
        """A new connection's own budget of failures."""
        return TokenBucket(1 / RETRY_SECONDS, FAILURES_PER_CONNECTION, self._now)

    def attempt(
        self, chat: Chat, user: User, peer: str, budget: TokenBucket, name: str, password: str
    ) -> None:
        """Make ``user`` an operator if ``password`` is operator ``name``'s.

        Raises OperThrottledError, without checking, while ``budget`` or
        ``peer``'s is spent, and OperFailedError (spending one failure from
        each) if the password is wrong.
        """
        address = self._by_address.get(peer)
        # Rounded to the millisecond: a refill rate of 1/60 a second is not
        # exact in binary, and a wait of 1e-12 s should not refuse anyone.
        wait = round(max(budget.wait(1), 0.0 if address is None else address.wait(1)), 3)
        if wait:
            self.log.warn("Refused /oper as {name!r} from {peer}: too many failures", name=name, peer=peer)
            raise OperThrottledError(math.ceil(wait))
        if not self._verify(name, password):
            self.log.warn("Failed /oper as {name!r} from {peer}", name=name, peer=peer)
            budget.take(1)
            self._spend(peer)
            raise OperFailedError()
        chat.grant_operator(user)
        self.log.info("{nick} from {peer} is now operator {name!r}", nick=user.nick, peer=peer, name=name)

    def _spend(self, peer: str) -> None:
        """Take one failure from ``peer``'s budget, and forget the budgets that have refilled."""
        for address, bucket in list(self._by_address.items()):
            if not bucket.wait(FAILURES_PER_ADDRESS):
                del self._by_address[address]
        bucket = self._by_address.setdefault(
            peer, TokenBucket(1 / RETRY_SECONDS, FAILURES_PER_ADDRESS, self._now)
        )
        bucket.take(1)
