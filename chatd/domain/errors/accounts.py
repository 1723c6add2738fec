"""Refusals about accounts: registering a nickname, proving it with a password, and giving it up."""

from dataclasses import dataclass

from chatd.domain.errors.base import ChatError
from chatd.text import fold


@dataclass(eq=False)
class NicknameRegisteredError(ChatError):
    """``nick`` is registered (or looks like ``registered``, which is); only who identifies to it may take it."""

    code = "nick-registered"
    nick: str
    registered: str

    @property
    def look_alike(self) -> bool:
        """Whether ``nick`` only looks like the registered nickname: then no password takes it, only another name."""
        return fold(self.nick) != fold(self.registered)


@dataclass(eq=False)
class NicknameReservedError(ChatError):
    """``nick`` is, or looks like, ``service``, the nickname of an IRC service (chatd.domain.names.SERVICE_NICKNAMES):
    nobody may take it, so nobody passes for a service that asks for passwords."""

    code = "nick-reserved"
    nick: str
    service: str

    @property
    def look_alike(self) -> bool:
        """Whether ``nick`` only looks like the service's nickname (``NlckServ``), rather than being it in some case."""
        return fold(self.nick) != fold(self.service)


@dataclass(eq=False)
class PasswordTooShortError(ChatError):
    """An account's password must have at least ``least`` characters."""

    code = "password-too-short"
    least: int


@dataclass(eq=False)
class IdentifyFailedError(ChatError):
    """No account ``nick``, or a wrong password for it (which of the two is not said)."""

    code = "identify-failed"
    nick: str


@dataclass(eq=False)
class IdentifyThrottledError(ChatError):
    """Too many wrong passwords from this connection; retry in ``seconds_left``."""

    code = "identify-throttled"
    seconds_left: int


@dataclass(eq=False)
class RegisterThrottledError(ChatError):
    """Accounts were registered from this address as often as ``Limits.accounts_per_hour`` allows; the next in
    ``seconds_left``."""

    code = "register-throttled"
    seconds_left: int


@dataclass(eq=False)
class AccountsFullError(ChatError):
    """The server keeps ``most`` accounts already (``Limits.accounts``): none is registered until one is given up."""

    code = "accounts-full"
    most: int


@dataclass(eq=False)
class AccountNotKeptError(ChatError):
    """The store could not keep a change to the account ``account`` (a full disk, say): nothing changed."""

    code = "not-saved"
    account: str


@dataclass(eq=False)
class NotIdentifiedError(ChatError):
    """The command needs an account the user has proved, and the user has none.

    ``with_nick``: what needed it was reading the private messages with that
    nickname, which a user asks for by a bare word a front end could read as
    something else (``/history art``); None for any other command.
    """

    code = "not-identified"
    with_nick: str | None = None


@dataclass(eq=False)
class AlreadyIdentifiedError(ChatError):
    """The user is identified to the account ``account`` already: its nickname as registered (``Alice``), as
    the user is told, never the folded key (``alice``)."""

    code = "already-identified"
    account: str


@dataclass(eq=False)
class ForgetThrottledError(ChatError):
    """The account ran ``/forget confirm`` less than ``FORGET_EVERY`` ago; the next in ``seconds_left``."""

    code = "forget-throttled"
    seconds_left: int


@dataclass(eq=False)
class UnknownAccountError(ChatError):
    """An operator named ``nick`` for an account to act on (a new password, giving it up), and no account has that
    nickname. ``alike`` is the registered nickname that looks like it, if one does: named so the operator sees whom
    they may have meant, never acted on in its stead (a capital I looks like l)."""

    code = "unknown-account"
    nick: str
    alike: str | None = None
