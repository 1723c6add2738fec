"""The sentence a person reads for each refusal, in one table: error type -> wording.

Errors are data (chatd/domain/errors/, chatd/line/errors.py); this is
where the line front end turns one into English, with its own syntax
(``/part one first``) where that helps. Both renderings use it, the text
``ERR code sentence`` line and the JSON ``text`` field, and so do the
start-up checks that report a bad name (chatd/tap/checks.py, chatd/opers.py,
chatd/passwd.py). docs/PROTOCOL.md says the sentences may change; the codes
may not. Another front end words errors its own way, from the same fields.
"""

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from chatd.domain.durations import format_duration
from chatd.domain.errors import (
    AccountNotKeptError,
    AccountsFullError,
    AlreadyIdentifiedError,
    BadAddressError,
    BadDurationError,
    BadEnvelopeError,
    BadFileChunkError,
    BadFileOfferError,
    BadKeyError,
    BannedError,
    BannedFromRoomError,
    ChatError,
    FileCorruptError,
    FileDayLimitError,
    FileNeedsJsonError,
    FileOffsetError,
    FileResumeMismatchError,
    FileStoreFullError,
    FileTooBigError,
    FileTooManyError,
    FileToSelfError,
    FileUploadedError,
    ForgetThrottledError,
    HistoryUnreadableError,
    IdentifyFailedError,
    IdentifyThrottledError,
    InvalidMaskError,
    InvalidNicknameError,
    InvalidRoomKeyError,
    InvalidRoomLimitError,
    InvalidRoomNameError,
    InvalidTextError,
    InviteOnlyError,
    KeyChangesThrottledError,
    KeyPublishesThrottledError,
    KeysNotKeptError,
    KickSelfError,
    KillSelfError,
    LineCountError,
    MailboxFullError,
    ModeratedError,
    MutedError,
    NicknameBannedError,
    NicknameInUseError,
    NicknameLookAlikeError,
    NicknameRegisteredError,
    NicknameReservedError,
    NoAccountError,
    NoSuchAccountError,
    NoSuchFileError,
    NoSuchKeyError,
    NoSuchLineError,
    NoSuchNicknameError,
    NoSuchPageError,
    NoSuchRoomError,
    NotBannedError,
    NotIdentifiedError,
    NotInRoomError,
    NotMemberError,
    NotMutedError,
    NotOperatorError,
    NotOwnerError,
    NotYourLineError,
    NoWebPortError,
    OperFailedError,
    OperThrottledError,
    PasswordTooShortError,
    RegisteredOnlyError,
    RegisteredSpeechError,
    RegisterThrottledError,
    RejoinTooSoonError,
    RoomFullError,
    RoomKeyError,
    RoomLookAlikeError,
    RoomNotKeptError,
    RoomNotRegisteredError,
    RoomRegisteredError,
    RoomUnownedError,
    SearchWordsError,
    ServerRoomError,
    TargetIsOperatorError,
    TargetIsOwnerError,
    TargetIsRoomOperatorError,
    TooManyKeysError,
    TooManyRegisteredRoomsError,
    TooManyRoomBansError,
    TooManyRoomsError,
    TopicLockedError,
    UnknownAccountError,
    UserInRoomError,
    UserNotInRoomError,
)
from chatd.frontend.errors import ConnectingTooFastError, ServerFullError, TooManyConnectionsError
from chatd.frontend.text_rules import nickname_rule_words, room_name_rule_words, text_rule_words
from chatd.line.errors import (
    AlreadyJoinedError,
    BadEncodingError,
    BadPointError,
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
    NoFilesError,
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
from chatd.text import counted, size_words

_E = TypeVar("_E", bound=ChatError)


def word(error: ChatError) -> str:
    """The sentence for ``error``, without code or line ending (``alice is already taken``).

    An error type with no row of its own takes its nearest base class's;
    failing that (a bug tests/test_wording.py catches) the code and fields.
    """
    for kind in type(error).__mro__:
        wording = WORDINGS.get(kind)
        if wording is not None:
            return wording(error)
    return str(error)


def _left(seconds: float | None) -> str:
    """`` (10m left)``, or nothing for what lasts until lifted (or the server restarts)."""
    return "" if seconds is None else f" ({format_duration(seconds)} left)"


def _registered(error: NicknameRegisteredError) -> str:
    """How to get in with a registered nickname: identify, or choose another (one that does not look like it)."""
    if error.look_alike:
        return f"{error.nick} looks like {error.registered}, which is registered; choose another nickname"
    return f"{error.nick} is registered; /identify {error.nick} PASSWORD if it is yours, or choose another nickname"


def _kick_or_deop(deop: bool) -> str:
    """What a ranking refusal (``is-owner``, ``is-room-operator``) says was not allowed: a kick, or a ``-o``."""
    return "take their operator standing there" if deop else "kick them from it"


def _reserved(error: NicknameReservedError) -> str:
    """Why a service's nickname (or one like it) is nobody's: it is how someone would pass for a service."""
    if error.look_alike:
        return f"{error.nick} looks like {error.service}, which is reserved for IRC services; choose another nickname"
    return f"{error.nick} is reserved for IRC services; choose another nickname"


def _too_big(error: FileTooBigError) -> str:
    """The most a file may be here and this one's size, as offers show sizes (``21.0 MB``); in bytes when the two
    read the same so, the file only just over the limit."""
    most, size = size_words(error.limit), size_words(error.size)
    if most == size:
        return f"a file is at most {counted(error.limit, 'byte', ',')} here; this one is {error.size:,}"
    return f"a file is at most {most} here; this one is {size}"


def _row(kind: type[_E], wording: Callable[[_E], str]) -> tuple[type[ChatError], Callable[[Any], str]]:
    """One row of the table, typed so each wording reads only its own error's fields."""
    return kind, wording


WORDINGS: Mapping[type[ChatError], Callable[[Any], str]] = MappingProxyType(
    dict(
        [
            # The chat's refusals (chatd/domain/errors/).
            _row(
                InvalidNicknameError,
                lambda e: f"{e.nick!r} is not a valid nickname: {nickname_rule_words(e)}",
            ),
            _row(NicknameInUseError, lambda e: f"{e.nick} is already taken; choose another nickname"),
            _row(
                InvalidRoomNameError,
                lambda e: f"{e.room!r} is not a valid room name: {room_name_rule_words(e)}",
            ),
            _row(InvalidTextError, lambda e: f"not sent: {text_rule_words(e)}"),
            _row(
                NoSuchNicknameError,
                lambda e: (
                    f"nobody called {e.nick} is online"
                    if e.alike is None
                    else f"nobody called {e.nick} is online; {e.alike} is, a different nickname that looks like it"
                ),
            ),
            _row(
                MailboxFullError,
                lambda e: (
                    f"{e.nick} is offline with {counted(e.most, 'message')} waiting already; try later"
                    if e.waiting is None
                    else f"{e.nick} is offline and their mailbox is full ({counted(e.waiting, 'message')}, "
                    f"{e.most // 1024} KiB at most); try later"
                ),
            ),
            _row(NoSuchRoomError, lambda e: f"there is no room {e.room}"),
            _row(NoSuchAccountError, lambda e: f"{e.nick} is not a registered nickname, so it has no keys"),
            _row(BadKeyError, lambda e: "a public key is standard base64 of 32 bytes (44 characters)"),
            _row(
                TooManyKeysError,
                lambda e: f"your account has {counted(e.most, 'key')} already; /key drop one first",
            ),
            _row(
                KeyChangesThrottledError,
                lambda e: (
                    "your account changed its keys as often as a day allows; "
                    f"try again in {format_duration(e.seconds_left)}"
                ),
            ),
            _row(
                KeyPublishesThrottledError,
                lambda e: (
                    "keys were published from your address as often as a day allows; "
                    f"try again in {format_duration(e.seconds_left)}"
                ),
            ),
            _row(NoSuchKeyError, lambda e: "that key is not one of your account's"),
            _row(
                ForgetThrottledError,
                lambda e: (
                    "your account's lines were forgotten less than an hour ago; "
                    f"/forget confirm again in {format_duration(e.seconds_left)}"
                ),
            ),
            _row(BadEnvelopeError, lambda e: f"that encrypted message was not sent: {e.reason}"),
            _row(KeysNotKeptError, lambda e: "this server keeps no keys, so no encrypted messages"),
            _row(NotInRoomError, lambda e: f"you are not in {e.room}"),
            _row(
                TooManyRoomsError,
                lambda e: f"you are in {counted(e.limit, 'room')} already, the most allowed; /part one first",
            ),
            # "Server": a room's operator (@ in /who) read "only operators" as if it named them.
            _row(NotOperatorError, lambda e: "only server operators may do that"),
            _row(NotOwnerError, lambda e: f"only the owner of {e.room} and operators may do that"),
            _row(TargetIsOperatorError, lambda e: f"{e.nick} is an operator"),
            _row(
                TargetIsOwnerError,
                lambda e: f"{e.nick} owns {e.room}; only server operators may {_kick_or_deop(e.deop)}",
            ),
            _row(
                TargetIsRoomOperatorError,
                lambda e: (
                    f"{e.nick} is a room operator of {e.room} by account; only its owner, its room operators "
                    f"by account and server operators may {_kick_or_deop(e.deop)}"
                ),
            ),
            _row(UserNotInRoomError, lambda e: f"{e.nick} is not in {e.room}"),
            _row(KickSelfError, lambda e: "you cannot kick yourself; /part leaves a room"),
            _row(KillSelfError, lambda e: "you cannot kill yourself; /quit leaves the server"),
            _row(BannedError, lambda e: f"your address is banned from this server{_left(e.seconds_left)}"),
            _row(NicknameBannedError, lambda e: f"the nickname {e.nick} is banned{_left(e.seconds_left)}"),
            _row(MutedError, lambda e: f"you are muted{_left(e.seconds_left)}; nobody sees what you say"),
            _row(NotMutedError, lambda e: f"{e.nick} is not muted"),
            _row(
                BadDurationError,
                lambda e: (
                    f"{e.text!r} is not a duration: write a number and s, m, h or d, like 10m, 2h or 1d"
                    f" (at most {format_duration(e.longest_seconds)})"
                ),
            ),
            _row(BadAddressError, lambda e: f"{e.text!r} is not an IPv4 or IPv6 address or network"),
            _row(NotBannedError, lambda e: f"{e.target} is not banned"),
            _row(NoSuchPageError, lambda e: f"there is no page {e.page}; pages go from 1 to {e.pages}"),
            _row(
                RejoinTooSoonError,
                lambda e: (
                    f"you were kicked from {e.room}; you may join it again in {format_duration(e.seconds_left)}"
                ),
            ),
            _row(
                TopicLockedError,
                lambda e: (
                    f"the topic of {e.room} is locked; only {'its owner and ' if e.owned else ''}operators may change it"
                ),
            ),
            _row(
                NotMemberError,
                lambda e: (
                    f"only members of {e.room} may "
                    + ("delete its lines" if e.deleting else "read its history")
                    + f"; /join {e.room} first"
                ),
            ),
            _row(
                NoSuchLineError,
                lambda e: f"{e.room} keeps no line with the id {e.line} (said or acted; /search shows ids)",
            ),
            _row(
                NotYourLineError,
                lambda e: (
                    f"the line {e.line} is not yours to delete: only {e.room}'s owner, its operators and "
                    "server operators delete others' lines"
                ),
            ),
            _row(
                LineCountError,
                lambda e: f"cannot show {counted(e.count, 'line')} at once; ask for 1 to {e.most}",
            ),
            _row(
                BadPointError,
                lambda e: (
                    f"{e.text!r} is neither a line's id (16 letters and digits, as /search shows) "
                    "nor a time like 2026-12-04T15:04:05Z (UTC)"
                ),
            ),
            _row(
                SearchWordsError,
                lambda e: (
                    f"a search looks for 1 to {counted(e.most, 'word')}, not {e.count}"
                    if e.count
                    else f"a search looks for 1 to {counted(e.most, 'word')}; what was given shows as nothing"
                ),
            ),
            _row(OperFailedError, lambda e: "wrong operator name or password"),
            _row(
                OperThrottledError,
                lambda e: f"too many failed /oper attempts; try again in {e.seconds_left} s",
            ),
            # Accounts (issue 13).
            _row(NicknameRegisteredError, _registered),
            _row(NicknameReservedError, _reserved),
            _row(
                PasswordTooShortError, lambda e: f"a password needs at least {counted(e.least, 'character')}"
            ),
            _row(IdentifyFailedError, lambda e: f"wrong password, or {e.nick} is not registered"),
            _row(
                IdentifyThrottledError,
                lambda e: f"too many wrong passwords; try again in {e.seconds_left} s",
            ),
            _row(
                NotIdentifiedError,
                lambda e: (
                    "you are not identified; /register PASSWORD or /identify PASSWORD first"
                    if e.with_nick is None
                    else f"/history {e.with_nick} reads your private messages with {e.with_nick}, which needs you "
                    "identified; /register PASSWORD or /identify PASSWORD first"
                ),
            ),
            _row(AlreadyIdentifiedError, lambda e: f"you are identified as {e.account} already"),
            _row(
                RegisterThrottledError,
                lambda e: (
                    "accounts were registered from your address as often as this server allows; "
                    f"try again in {format_duration(e.seconds_left)}"
                ),
            ),
            _row(
                AccountsFullError,
                lambda e: (
                    f"this server keeps the most accounts it allows ({e.most}); "
                    "none can be registered until one is given up"
                ),
            ),
            _row(
                TooManyRegisteredRoomsError,
                lambda e: (
                    f"your account owns the most registered rooms allowed ({e.most}); /unregister one first"
                ),
            ),
            _row(
                AccountNotKeptError,
                lambda e: (
                    f"the server could not save the change to the account {e.account}; "
                    "nothing changed, try again later"
                ),
            ),
            _row(
                HistoryUnreadableError,
                lambda e: (
                    "the server could not read a line it keeps here (damaged in its file); its host is told which"
                ),
            ),
            _row(
                RoomNotKeptError,
                lambda e: (
                    f"the server could not save the change to {e.room}'s "
                    f"{'settings' if e.settings else 'registration'}; nothing changed"
                ),
            ),
            _row(
                ServerRoomError,
                lambda e: f"{e.room} belongs to the server; nobody may register it nor name its operators",
            ),
            _row(RoomRegisteredError, lambda e: f"{e.room} is registered to {e.owner} already"),
            _row(
                RoomUnownedError,
                lambda e: (
                    f"nobody owns {e.room} now (it was unregistered, or its maker left the chat); "
                    "only operators may register it"
                ),
            ),
            _row(
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
            _row(
                NoAccountError,
                lambda e: (
                    f"{e.nick} is not a registered nickname; only an account can be a room operator"
                    if e.alike is None
                    else f"{e.nick} is not a registered nickname; {e.alike} is, a different nickname that looks "
                    "like it"
                ),
            ),
            _row(
                UnknownAccountError,
                lambda e: (
                    f"{e.nick} is not a registered nickname"
                    if e.alike is None
                    else f"{e.nick} is not a registered nickname; {e.alike} is, a different nickname that looks "
                    "like it"
                ),
            ),
            # Room settings, standing and invites (issue 15).
            _row(RoomKeyError, lambda e: f"{e.room} takes a key to join; /join {e.room} KEY"),
            _row(
                InviteOnlyError, lambda e: f"{e.room} is invite-only; ask one of its operators to /invite you"
            ),
            _row(RoomFullError, lambda e: f"{e.room} is full: it takes at most {counted(e.limit, 'member')}"),
            _row(BannedFromRoomError, lambda e: f"you are banned from {e.room}"),
            _row(
                ModeratedError,
                lambda e: f"{e.room} is moderated: only its operators and voiced members speak",
            ),
            _row(
                RegisteredOnlyError,
                lambda e: (
                    f"{e.room} lets in only users identified to an account: /register or /identify first"
                ),
            ),
            _row(
                RegisteredSpeechError,
                lambda e: (
                    f"{e.room} lets only members identified to an account speak: /register or /identify first"
                ),
            ),
            _row(UserInRoomError, lambda e: f"{e.nick} is in {e.room} already"),
            _row(
                InvalidRoomKeyError,
                lambda e: (
                    f"{e.key!r} cannot be a key: 1 to {counted(e.limit, 'character')}, no spaces or commas"
                ),
            ),
            _row(
                InvalidRoomLimitError,
                lambda e: f"{e.text!r} is not a member limit: write a whole number from 1 to {e.most}",
            ),
            _row(
                InvalidMaskError,
                lambda e: (
                    f"{e.mask!r} is not a ban mask: write nick!user@host with * and ? (at most "
                    f"{counted(e.limit, 'character')}, no spaces or commas)"
                ),
            ),
            _row(
                TooManyRoomBansError,
                lambda e: (
                    f"{e.room} has {counted(e.most, 'ban mask')} already, the most it keeps; lift one first"
                ),
            ),
            # Names that look like others (issue 12).
            _row(
                NicknameLookAlikeError,
                lambda e: f"{e.nick} looks like {e.holder}, who is online; choose another nickname",
            ),
            _row(
                RoomLookAlikeError,
                lambda e: f"{e.room} looks like the room {e.existing}; join it or choose another name",
            ),
            # The line front end's own (chatd/line/errors.py).
            _row(UnknownCommandError, lambda e: f"/{e.name} is not a command; type /help to see them"),
            _row(UsageError, lambda e: f"usage: {e.usage}"),
            _row(
                MessageToRoomError,
                lambda e: (
                    f"{e.room} names a room, not a nickname: type the line without /msg to say it there"
                    if e.current
                    else f"{e.room} names a room, not a nickname: /join {e.room}, then type the line without /msg "
                    "to say it there"
                ),
            ),
            _row(WrongPasswordError, lambda e: "that is not your account's password"),
            _row(
                LineTooLongError,
                lambda e: (
                    f"lines are at most {counted(e.limit, 'byte')} (an accented letter takes 2, a Chinese or Japanese"
                    f" character 3); that one had {'more' if e.size is None else counted(e.size, 'byte')} and was not sent"
                ),
            ),
            _row(BadEncodingError, lambda e: "that line was not valid UTF-8 and was not sent"),
            _row(NeedNicknameError, lambda e: "choose a nickname first"),
            _row(NoCurrentRoomError, lambda e: "you are in no room; /join #room first"),
            # Files (issue 16).
            _row(
                BadFileOfferError,
                lambda e: (
                    "an offer is TARGET SIZE SHA256 TYPE NAME: a size of 1 byte or more, "
                    "64 lowercase hex digits, a type like image/png, and a name"
                ),
            ),
            _row(
                FileTooBigError,
                _too_big,
            ),
            _row(
                FileDayLimitError,
                lambda e: (
                    f"that would pass your {size_words(e.limit)} of files a day; try tomorrow"
                    if not e.unsent
                    else f"that would pass your {size_words(e.limit)} of files a day, counting the "
                    f"{size_words(e.unsent)} your unfinished uploads have yet to send; "
                    "cancel one, or finish them and try tomorrow"
                ),
            ),
            _row(
                FileTooManyError,
                lambda e: (
                    f"you have {counted(e.limit, 'file')} offered to rooms open, the most at once; "
                    "withdraw one with /file cancel ID first"
                    if e.room_offers
                    else f"you have {counted(e.limit, 'transfer')} going, the most at once; wait for one to end"
                ),
            ),
            _row(FileStoreFullError, lambda e: "the server has no room for that file now; try later"),
            _row(FileToSelfError, lambda e: "you cannot send a file to yourself"),
            _row(NoSuchFileError, lambda e: f"no transfer {e.file} is open for you"),
            _row(
                FileOffsetError,
                lambda e: (
                    f"the server holds {counted(e.have, 'byte')} of {e.file}; send the chunk from there"
                ),
            ),
            _row(
                FileUploadedError,
                lambda e: f"the server already has every byte of {e.file}; nothing to upload",
            ),
            _row(
                BadFileChunkError,
                lambda e: (
                    f"a chunk of {e.file} is standard base64 of 1 to 16384 bytes, within the file's size"
                ),
            ),
            _row(
                FileCorruptError,
                lambda e: f"The SHA-256 of {e.file} is not the one announced; it was refused.",
            ),
            _row(
                FileResumeMismatchError,
                lambda e: "your last chunk differs from the server's; accept again from 0",
            ),
            _row(
                FileNeedsJsonError,
                lambda e: (
                    f"files are sent only to /format json sessions; /file link {e.file} gives an "
                    "HTTP link, or use the bundled client or the web page"
                    if e.links
                    else "files are sent only to /format json sessions, such as the bundled client's"
                ),
            ),
            _row(NoWebPortError, lambda e: "the server has no web port, so no HTTP link"),
            _row(NoFilesError, lambda e: "this session carries no files"),
            _row(InternalError, lambda e: "the server failed to do that; it has been logged"),
            _row(TelnetCommandError, lambda e: "unknown telnet command ignored"),
            _row(
                MessageTooBigError,
                lambda e: f"messages are at most {counted(e.limit, 'byte')}; that one was not sent",
            ),
            _row(BinaryMessageError, lambda e: "send text messages; that binary one was not read"),
            _row(PingTimeoutError, lambda e: f"no answer to a ping within {e.seconds:g} s; closing"),
            _row(
                FloodError,
                lambda e: f"disconnected for flooding: over the line budget for more than {e.seconds:g} s",
            ),
            _row(RegisterTimeoutError, lambda e: f"no nickname chosen within {e.seconds:g} s; closing"),
            _row(
                TakeoverFailedError,
                lambda e: f"that token is not the takeover token of {e.nick}'s connection; nothing changed",
            ),
            _row(
                TakeoverThrottledError,
                lambda e: f"too many wrong takeover tokens; try again in {e.seconds_left} s",
            ),
            _row(
                TakenOverError,
                lambda e: f"another connection took over as {e.nick} with this one's takeover token; closing",
            ),
            _row(ServerFullError, lambda e: "the server is full; try again later"),
            _row(
                TooManyConnectionsError,
                lambda e: f"at most {counted(e.limit, 'connection')} from one address; close one first",
            ),
            _row(
                ConnectingTooFastError,
                lambda e: (
                    f"too many new connections from one address; try again in {format_duration(e.seconds_left)}"
                ),
            ),
            _row(
                TelnetOverflowError,
                lambda e: f"telnet subnegotiation longer than {counted(e.limit, 'byte')}; closing",
            ),
            _row(
                TooManyIgnoredError,
                lambda e: f"you ignore {counted(e.limit, 'nickname')} already; /unignore one first",
            ),
            _row(NotIgnoredError, lambda e: f"you do not ignore {e.nick}"),
            _row(IgnoreSelfError, lambda e: "you cannot ignore yourself"),
            _row(
                ModeLetterError,
                lambda e: f"{e.letter!r} is no room setting; /mode takes +/- and i k l m s t o v b",
            ),
            _row(
                AlreadyJoinedError,
                lambda e: (
                    f"you are in {e.room} already; /resume shows what you missed when you rejoin a room"
                ),
            ),
        ]
    )
)
"""Each error type's wording: a function of the error giving its sentence."""
