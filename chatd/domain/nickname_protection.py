"""The protection of registered nicknames: the check ``Talk`` asks at every nickname taken.

Whoever has not proved an account (chatd.domain.identity) cannot take its
nickname, nor one that looks like it; the account's user, if online, is
told who tried, at most once per ``CLAIM_NOTICE_SECONDS`` with a count, so
trying cannot flood them. Nor can anyone take an IRC service's nickname
(``names.reserved``) unless it is the account they proved. It stands
apart from the requests about accounts because ``Talk`` is built with it
and ``Identity`` with ``Talk``: the check comes first, the requests last.
"""

import math
from collections.abc import Callable

from chatd.domain.errors import NicknameRegisteredError, NicknameReservedError
from chatd.domain.events import Actor, NicknameClaimed
from chatd.domain.names import reserved
from chatd.domain.publish import Publisher
from chatd.domain.state import ChatState
from chatd.domain.storage_ports import Accounts

CLAIM_NOTICE_SECONDS = 60.0
"""At most one notice per this many seconds tells an account's user that someone tried their nickname."""


class Protection:
    """The check that keeps registered nicknames their owners'; ``Talk`` asks it at every nickname taken."""

    def __init__(
        self, state: ChatState, seam: Publisher, accounts: Accounts, now: Callable[[], float]
    ) -> None:
        self._state = state
        self._seam = seam
        self._accounts = accounts
        self._now = now
        self._claims: dict[str, tuple[float, int]] = {}
        """For each account whose nickname was tried: when its user was last told, and the tries since."""

    def __call__(self, nick: str, account: str | None, address: str) -> None:
        """Raise NicknameRegisteredError unless ``nick`` (or its look) is no account's but ``account``'s, and
        NicknameReservedError if it is no account's and a service's (``names.reserved``).

        The account's user, if online, is told that someone at ``address`` tried. An account registered
        under a service's nickname before it was reserved keeps it: only who proved it takes it.
        """
        owner = self._accounts.owner(nick)
        if owner is None:
            service = reserved(nick)
            if service is not None:
                raise NicknameReservedError(nick, service)
            return
        if owner == account:
            return
        self._tell_owner(owner, nick, address)
        raise NicknameRegisteredError(nick, self._accounts.nick(owner))

    def _tell_owner(self, account: str, nick: str, address: str) -> None:
        """Tell ``account``'s user, if online, of this try and those since the last notice; at most one notice a while."""
        user = self._state.users.by_account.get(account)
        if user is None:
            return
        now = self._now()
        last, tries = self._claims.get(account, (-math.inf, 0))
        if now - last < CLAIM_NOTICE_SECONDS:
            self._claims[account] = (last, tries + 1)
            return
        self._claims[account] = (now, 0)
        id, at = self._seam.stamp()
        event = NicknameClaimed(
            id=id, at=at, actor=Actor(nick, address), account=account, address=address, tries=tries + 1
        )
        self._seam.publish(event, (user,))
