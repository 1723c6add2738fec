"""An account's life: registering a nickname, identifying, passwords, giving it up, what the store could not keep
of it, and others trying its nickname.

The events of chatd.domain.identity, each naming the account (a folded
nickname) it is about; they hold no password.
"""

from dataclasses import dataclass

from chatd.domain.events.base import Actor, Base


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountRegistered(Base):
    """``actor`` registered their nickname as the account ``account`` (its folded form), and is identified to it."""

    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Identified(Base):
    """``actor`` proved they own the account ``account`` (a folded nickname) with its password."""

    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordChanged(Base):
    """``actor`` changed the password of their account ``account``; the event holds no password."""

    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordSet(Base):
    """Operator ``actor`` gave the account ``account`` a new password in its owner's stead (one who forgot theirs);
    the event holds no password. Told to the account's user, if online, whose sessions stay identified."""

    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountDropped(Base):
    """The account ``account`` is given up: the nickname is anyone's again.

    ``actor`` is the account's user, who is identified to none from now on:
    they unregistered it, or ``operator`` did in their stead (None: they
    did). An operator may give up an account nobody is online as: ``actor``
    is then its registered nickname alone, with the account, and no address.
    """

    account: str
    operator: Actor | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountNotKept(Base):
    """The store could not keep ``actor``'s new account ``account``: it is undone, and they are identified to none."""

    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountNotDropped(Base):
    """The store could not forget ``actor``'s account ``account`` (their unregistering): it is theirs again, and
    they are identified to it, as before they asked."""

    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NicknameClaimed(Base):
    """``actor`` (the nickname they tried, and their address) tried to take a nickname of the account ``account``.

    Shown to the account's sessions online, with the address (``address``:
    the actor's, which events otherwise show operators only); ``tries``
    counts the attempts since the last such notice (at most one per
    chatd.domain.nickname_protection's ``CLAIM_NOTICE_SECONDS``).
    """

    account: str
    address: str
    tries: int
