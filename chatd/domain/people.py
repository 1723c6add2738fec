"""Who a person is across their connections: the account they are identified to, else a nickname from an address.

A user (chatd.domain.users) is one presence online and ends with its last
connection; what is kept for a person outlives it and finds them again on
their next one. Files are theirs by ``person_key`` (issue 16); the wait
after a kick holds them by ``waiting_key`` (the class trial's F7), on
whichever front end they come back. Pure, no I/O.
"""

from dataclasses import replace

from chatd.domain.events import (
    AccountDropped,
    AccountNotDropped,
    AccountNotKept,
    AccountRegistered,
    Actor,
    AddressChanged,
    Event,
    Identified,
    NickChanged,
)
from chatd.domain.names import look
from chatd.domain.networks import counted_as
from chatd.text import fold


def account_key(account: str) -> str:
    """The key of whoever is identified to ``account`` (a folded nickname), on whichever connection: ``person_key``'s."""
    return f"account:{account}"


def is_account_key(key: str) -> bool:
    """Whether the ``person_key`` ``key`` is an account's: how many there are is bounded by how fast accounts may be
    registered, while a guest's is one more for each new nickname."""
    return key.startswith("account:")


def person_key(actor: Actor) -> str:
    """Whom a transfer's side belongs to (issue 16): the account ``actor`` is identified to, else their nickname
    from their address.

    A person not identified is their presence on the server: their
    connection, and a connection of theirs coming back after a drop, under
    the same nickname from the same address (how the chat finds a sender
    again, ``Files.sessions``). Someone else who takes the nickname once it
    is free, from another address, is someone else: they may not fetch
    what was offered to it, nor list, cancel or go on with what it sent.
    """
    if actor.account:
        return account_key(actor.account)
    return f"nick:{fold(actor.nick)}@{actor.address}"


_IDENTIFYING = (AccountRegistered, Identified, AccountNotDropped)
_UNIDENTIFYING = (AccountDropped, AccountNotKept)

MOVING: tuple[type[Event], ...] = (NickChanged, AddressChanged, *_IDENTIFYING, *_UNIDENTIFYING)
"""The kinds of event ``person_moved`` reads, from the tuples it tests: what a subscriber to it subscribes to
(``Bus.subscribe``)."""


def person_moved(event: Event) -> tuple[Actor, Actor] | None:
    """Who ``event`` changes, as they were and as they are after it: a rename, identifying (registering
    identifies too), an account given up or not kept, or kept after all, a takeover from another address; None for
    any other event. What is theirs follows them."""
    if isinstance(event, NickChanged):
        return event.actor, replace(event.actor, nick=event.new)
    if isinstance(event, AddressChanged):
        return event.actor, replace(event.actor, address=event.address)
    if isinstance(event, _IDENTIFYING):
        return event.actor, replace(event.actor, account=event.account)
    if isinstance(event, _UNIDENTIFYING):
        return event.actor, replace(event.actor, account=None)
    return None


def waiting_key(actor: Actor) -> str:
    """The person a kick's wait holds: the account ``actor`` is identified to, else the look of their nickname
    from their host.

    Unlike ``person_key``, a nickname counts by its look (chatd.domain.names)
    and an address by its host (``counted_as``: an IPv6 host's /64), so
    coming back as ``zed`` with a Cyrillic e, or from the next address of
    one's network, is still coming back. A class behind one address is
    kept apart by its nicknames, which no two people online share.
    """
    if actor.account:
        return account_key(actor.account)
    return f"look:{look(actor.nick)}@{counted_as(actor.address)}"


def waiting_keys(actor: Actor) -> tuple[str, ...]:
    """Every key a wait on ``actor`` may be kept under (``waiting_key``): their account's, if identified, and
    their nickname's from their host, which held them before they registered or identified."""
    by_nickname = waiting_key(replace(actor, account=None))
    return (account_key(actor.account), by_nickname) if actor.account else (by_nickname,)
