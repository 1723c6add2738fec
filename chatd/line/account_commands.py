"""The account commands as typed data, and their parsers; pure.

Passwords are read as chatd.line.passwords says: the rest of the line
(spaces and all), the words inside when it is wrapped in double quotes, and
where two are given (``/password OLD NEW``) OLD is one word or words in
double quotes. A command may end up in a traceback or a test failure, so no
password is in its ``repr``.
"""

from dataclasses import dataclass, field

from chatd.line.errors import UsageError
from chatd.line.passwords import Typed, first_password, read_password
from chatd.line.syntax import Command


@dataclass(frozen=True, slots=True)
class Register:
    """``/register PASSWORD``: make the current nickname an account."""

    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Identify:
    """``/identify [NICK] PASSWORD``, or ``NICK PASSWORD`` as a first line: prove an account (None: the current nickname's)."""

    nick: str | None
    password: Typed = field(repr=False)


@dataclass(frozen=True, slots=True)
class Password:
    """``/password OLD NEW``: change the account's password."""

    old: Typed = field(repr=False)
    new: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Unregister:
    """``/unregister PASSWORD``: give the account up."""

    password: Typed = field(repr=False)


@dataclass(frozen=True, slots=True)
class SetPassword:
    """``/account password NICK PASSWORD``: an operator gives the account NICK a new password (its owner forgot theirs)."""

    nick: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class DropAccount:
    """``/account drop NICK``: an operator gives the account NICK up, as its owner's ``/unregister`` would."""

    nick: str


ACCOUNT_USAGE = "/account password NICK PASSWORD|drop NICK"


@dataclass(frozen=True, slots=True)
class Forget:
    """``/forget``: what it would delete; ``/forget confirm``: delete it."""

    confirmed: bool


def parse_forget(args: str) -> Command:
    if args.lower() not in ("", "confirm"):
        raise UsageError("/forget [confirm]")
    return Forget(bool(args))


def parse_identify(args: str) -> Command:
    """``NICK PASSWORD`` (the password the rest of the line), or ``PASSWORD`` alone: one word, or words in double
    quotes (no nickname starts with one)."""
    whole = read_password(args)
    first, _, rest = args.partition(" ")
    rest = rest.lstrip(" ")
    if not first or not whole.text:
        raise UsageError("/identify [NICK] PASSWORD")
    return Identify(first, read_password(rest)) if rest and not whole.quoted else Identify(None, whole)


def parse_password(args: str) -> Command:
    old, rest = first_password(args)
    new = read_password(rest).text
    if not old.text or not new:
        raise UsageError("/password OLD NEW")
    return Password(old, new)


def parse_account(args: str) -> Command:
    """``password NICK PASSWORD`` (the password the rest of the line, read as any) or ``drop NICK``; the first word in any case.

    A word of its own before the nickname, so the line cannot be taken for
    ``/password OLD NEW`` or ``/unregister PASSWORD``, whose words are free.
    """
    action, _, rest = args.partition(" ")
    nick, _, typed = rest.lstrip(" ").partition(" ")
    password = read_password(typed.lstrip(" ")).text
    match action.lower():
        case "password" if nick and password:
            return SetPassword(nick, password)
        case "drop" if nick and not password:
            return DropAccount(nick)
    raise UsageError(ACCOUNT_USAGE)
