"""The front ends' own refusals (chatd/line/errors.py, chatd/frontend/errors.py): commands and lines, the
connection's deadlines, floods and takeovers, limits on connections, ignoring, room settings' letters."""

from chatd.domain.durations import format_duration
from chatd.frontend.errors import ConnectingTooFastError, ServerFullError, TooManyConnectionsError
from chatd.line.errors import (
    AlreadyJoinedError,
    BadEncodingError,
    BinaryMessageError,
    FloodError,
    IgnoreSelfError,
    InternalError,
    LineTooLongError,
    MessageTooBigError,
    MessageToRoomError,
    ModeLetterError,
    NeedNicknameError,
    NoCurrentRoomError,
    NotIgnoredError,
    PingTimeoutError,
    RegisterTimeoutError,
    TakenOverError,
    TakeoverFailedError,
    TakeoverThrottledError,
    TelnetCommandError,
    TelnetOverflowError,
    TooManyIgnoredError,
    UnknownCommandError,
    UsageError,
    WrongPasswordError,
)
from chatd.line.wordings import Row, quoted, row
from chatd.text import counted

FRONT_END: tuple[Row, ...] = (
    # The line front end's own (chatd/line/errors.py).
    row(
        UnknownCommandError,
        lambda e: (
            f"/{e.name} is not a command; type /help to see them"
            if e.likely is None
            else f"/{e.name} is not a command; did you mean /{e.likely}? /help lists them"
        ),
    ),
    row(UsageError, lambda e: f"usage: {e.usage}"),
    row(
        MessageToRoomError,
        lambda e: (
            f"{e.room} names a room, not a nickname: type the line without /msg to say it there"
            if e.current
            else f"{e.room} names a room, not a nickname: /join {e.room}, then type the line without /msg "
            "to say it there"
        ),
    ),
    row(WrongPasswordError, lambda e: "that is not your account's password"),
    row(
        LineTooLongError,
        lambda e: (
            f"lines are at most {counted(e.limit, 'byte')} (an accented letter takes 2, a Chinese or Japanese"
            f" character 3); that one had {'more' if e.size is None else counted(e.size, 'byte')} and was not sent"
        ),
    ),
    row(BadEncodingError, lambda e: "that line was not valid UTF-8 and was not sent"),
    row(NeedNicknameError, lambda e: "choose a nickname first"),
    row(NoCurrentRoomError, lambda e: "you are in no room; /join #room first"),
    row(InternalError, lambda e: "the server failed to do that; it has been logged"),
    row(TelnetCommandError, lambda e: "unknown telnet command ignored"),
    row(
        MessageTooBigError,
        lambda e: f"messages are at most {counted(e.limit, 'byte')}; that one was not sent",
    ),
    row(BinaryMessageError, lambda e: "send text messages; that binary one was not read"),
    row(PingTimeoutError, lambda e: f"no answer to a ping within {e.seconds:g} s; closing"),
    row(
        FloodError,
        lambda e: f"disconnected for flooding: over the {e.over.value} for more than {e.seconds:g} s",
    ),
    row(RegisterTimeoutError, lambda e: f"no nickname chosen within {e.seconds:g} s; closing"),
    row(
        TakeoverFailedError,
        lambda e: (
            f"that token is not the takeover token of {e.nick}'s connection; nothing changed"
            if e.held
            else f"nobody called {e.nick} is online; nothing changed"
        ),
    ),
    row(
        TakeoverThrottledError,
        lambda e: f"too many wrong takeover tokens; try again in {e.seconds_left} s",
    ),
    row(
        TakenOverError,
        lambda e: f"another connection took over as {e.nick} with this one's takeover token; closing",
    ),
    row(ServerFullError, lambda e: "the server is full; try again later"),
    row(
        TooManyConnectionsError,
        lambda e: f"at most {counted(e.limit, 'connection')} from one address; close one first",
    ),
    row(
        ConnectingTooFastError,
        lambda e: (
            f"too many new connections from one address; try again in {format_duration(e.seconds_left)}"
        ),
    ),
    row(
        TelnetOverflowError,
        lambda e: f"telnet subnegotiation longer than {counted(e.limit, 'byte')}; closing",
    ),
    row(
        TooManyIgnoredError,
        lambda e: f"you ignore {counted(e.limit, 'nickname')} already; /unignore one first",
    ),
    row(NotIgnoredError, lambda e: f"you do not ignore {e.nick}"),
    row(IgnoreSelfError, lambda e: "you cannot ignore yourself"),
    row(
        ModeLetterError,
        lambda e: f"{quoted(e.letter)} is no room setting; /mode takes +/- and i k l m s t o v b",
    ),
    row(
        AlreadyJoinedError,
        lambda e: f"you are in {e.room} already; /resume shows what you missed when you rejoin a room",
    ),
)
"""The front ends' own refusals' wordings, rows of ``chatd.line.wording.WORDINGS``."""
