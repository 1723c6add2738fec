"""The refusals of accounts (issue 13): registering, identifying, what an account owns, and what was not kept."""

from chatd.domain.durations import format_duration
from chatd.domain.errors import (
    AccountNotKeptError,
    AccountsFullError,
    AlreadyIdentifiedError,
    HistoryUnreadableError,
    IdentifyFailedError,
    IdentifyThrottledError,
    NicknameRegisteredError,
    NicknameReservedError,
    NoAccountError,
    NotIdentifiedError,
    PasswordTooShortError,
    RegisterThrottledError,
    RoomNotKeptError,
    RoomNotRegisteredError,
    RoomRegisteredError,
    RoomUnownedError,
    ServerRoomError,
    TooManyRegisteredRoomsError,
    UnknownAccountError,
)
from chatd.line.wordings import Row, row
from chatd.text import counted


def _registered(error: NicknameRegisteredError) -> str:
    """How to get in with a registered nickname: identify, or choose another (one that does not look like it)."""
    if error.look_alike:
        return f"{error.nick} looks like {error.registered}, which is registered; choose another nickname"
    return f"{error.nick} is registered; /identify {error.nick} PASSWORD if it is yours, or choose another nickname"


def _reserved(error: NicknameReservedError) -> str:
    """Why a service's nickname (or one like it) is nobody's: it is how someone would pass for a service."""
    if error.look_alike:
        return f"{error.nick} looks like {error.service}, which is reserved for IRC services; choose another nickname"
    return f"{error.nick} is reserved for IRC services; choose another nickname"


ACCOUNTS: tuple[Row, ...] = (
    # Accounts (issue 13).
    row(NicknameRegisteredError, _registered),
    row(NicknameReservedError, _reserved),
    row(PasswordTooShortError, lambda e: f"a password needs at least {counted(e.least, 'character')}"),
    row(IdentifyFailedError, lambda e: f"wrong password, or {e.nick} is not registered"),
    row(
        IdentifyThrottledError,
        lambda e: f"too many wrong passwords; try again in {e.seconds_left} s",
    ),
    row(
        NotIdentifiedError,
        lambda e: (
            "you are not identified; /register PASSWORD or /identify PASSWORD first"
            if e.with_nick is None
            else f"/history {e.with_nick} reads your private messages with {e.with_nick}, which needs you "
            "identified; /register PASSWORD or /identify PASSWORD first"
        ),
    ),
    row(AlreadyIdentifiedError, lambda e: f"you are identified as {e.account} already"),
    row(
        RegisterThrottledError,
        lambda e: (
            "accounts were registered from your address as often as this server allows; "
            f"try again in {format_duration(e.seconds_left)}"
        ),
    ),
    row(
        AccountsFullError,
        lambda e: (
            f"this server keeps the most accounts it allows ({e.most}); "
            "none can be registered until one is given up"
        ),
    ),
    row(
        TooManyRegisteredRoomsError,
        lambda e: f"your account owns the most registered rooms allowed ({e.most}); /unregister one first",
    ),
    row(
        AccountNotKeptError,
        lambda e: (
            f"the server could not save the change to the account {e.account}; "
            "nothing changed, try again later"
        ),
    ),
    row(
        HistoryUnreadableError,
        lambda e: (
            "the server could not read a line it keeps here (damaged in its file); its host is told which"
        ),
    ),
    row(
        RoomNotKeptError,
        lambda e: (
            f"the server could not save the change to {e.room}'s "
            f"{'settings' if e.settings else 'registration'}; nothing changed"
        ),
    ),
    row(
        ServerRoomError,
        lambda e: f"{e.room} belongs to the server; nobody may register it nor name its operators",
    ),
    row(RoomRegisteredError, lambda e: f"{e.room} is registered to {e.owner} already"),
    row(
        RoomUnownedError,
        lambda e: (
            f"nobody owns {e.room} now (it was unregistered, or its maker left the chat); "
            "only operators may register it"
        ),
    ),
    row(
        RoomNotRegisteredError,
        lambda e: (
            f"{e.room} is not registered; "
            + (
                f"its owner may /register {e.room} first"
                if e.owned
                else f"nobody owns it, so only operators may /register {e.room}"
            )
        ),
    ),
    row(
        NoAccountError,
        lambda e: (
            f"{e.nick} is not a registered nickname; only an account can be a room operator"
            if e.alike is None
            else f"{e.nick} is not a registered nickname; {e.alike} is, a different nickname that looks "
            "like it"
        ),
    ),
    row(
        UnknownAccountError,
        lambda e: (
            f"{e.nick} is not a registered nickname"
            if e.alike is None
            else f"{e.nick} is not a registered nickname; {e.alike} is, a different nickname that looks "
            "like it"
        ),
    ),
)
"""Accounts' refusals' wordings, rows of ``chatd.line.wording.WORDINGS``."""
