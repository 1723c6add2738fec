"""The chat's refusals (chatd/domain/errors/): names, private messages and keys, rooms, moderation, history, and
names that look like others'."""

from chatd.domain.durations import format_duration
from chatd.domain.errors import (
    BadAddressError,
    BadDurationError,
    BadEnvelopeError,
    BadKeyError,
    BannedError,
    BanTooWideError,
    ForgetThrottledError,
    InvalidNicknameError,
    InvalidRoomNameError,
    InvalidTextError,
    KeyChangesThrottledError,
    KeyPublishesThrottledError,
    KeysNotKeptError,
    KickSelfError,
    KillSelfError,
    LineCountError,
    MailboxFullError,
    MutedError,
    NicknameBannedError,
    NicknameInUseError,
    NicknameLookAlikeError,
    NoSuchAccountError,
    NoSuchKeyError,
    NoSuchLineError,
    NoSuchNicknameError,
    NoSuchPageError,
    NoSuchRoomError,
    NotBannedError,
    NotInRoomError,
    NotMemberError,
    NotMutedError,
    NotOperatorError,
    NotOwnerError,
    NotYourLineError,
    OperFailedError,
    OperThrottledError,
    RejoinTooSoonError,
    RoomLookAlikeError,
    SearchWordsError,
    TargetIsOperatorError,
    TargetIsOwnerError,
    TargetIsRoomOperatorError,
    TooManyKeysError,
    TooManyRoomsError,
    TopicLockedError,
    UserNotInRoomError,
)
from chatd.frontend.text_rules import nickname_rule_words, room_name_rule_words, text_rule_words
from chatd.line.errors import BadPointError
from chatd.line.wordings import Row, quoted, row
from chatd.text import counted


def _left(seconds: float | None) -> str:
    """`` (10m left)``, or nothing for what lasts until lifted (or the server restarts)."""
    return "" if seconds is None else f" ({format_duration(seconds)} left)"


def _kick_or_deop(deop: bool) -> str:
    """What a ranking refusal (``is-owner``, ``is-room-operator``) says was not allowed: a kick, or a ``-o``."""
    return "take their operator standing there" if deop else "kick them from it"


CHAT: tuple[Row, ...] = (
    # The chat's refusals (chatd/domain/errors/).
    row(
        InvalidNicknameError,
        lambda e: f"{quoted(e.nick)} is not a valid nickname: {nickname_rule_words(e)}",
    ),
    row(NicknameInUseError, lambda e: f"{e.nick} is already taken; choose another nickname"),
    row(
        InvalidRoomNameError,
        lambda e: f"{quoted(e.room)} is not a valid room name: {room_name_rule_words(e)}",
    ),
    row(InvalidTextError, lambda e: f"not sent: {text_rule_words(e)}"),
    row(
        NoSuchNicknameError,
        lambda e: (
            f"nobody called {e.nick} is online"
            if e.alike is None
            else f"nobody called {e.nick} is online; {e.alike} is, a different nickname that looks like it"
        ),
    ),
    row(
        MailboxFullError,
        lambda e: (
            f"{e.nick} is offline with {counted(e.most, 'message')} waiting already; try later"
            if e.waiting is None
            else f"{e.nick} is offline and their mailbox is full ({counted(e.waiting, 'message')}, "
            f"{e.most // 1024} KiB at most); try later"
        ),
    ),
    row(NoSuchRoomError, lambda e: f"there is no room {e.room}"),
    row(NoSuchAccountError, lambda e: f"{e.nick} is not a registered nickname, so it has no keys"),
    row(BadKeyError, lambda e: "a public key is standard base64 of 32 bytes (44 characters)"),
    row(
        TooManyKeysError,
        lambda e: f"your account has {counted(e.most, 'key')} already; /key drop one first",
    ),
    row(
        KeyChangesThrottledError,
        lambda e: (
            "your account changed its keys as often as a day allows; "
            f"try again in {format_duration(e.seconds_left)}"
        ),
    ),
    row(
        KeyPublishesThrottledError,
        lambda e: (
            "keys were published from your address as often as a day allows; "
            f"try again in {format_duration(e.seconds_left)}"
        ),
    ),
    row(NoSuchKeyError, lambda e: "that key is not one of your account's"),
    row(
        ForgetThrottledError,
        lambda e: (
            "your account's lines were forgotten less than an hour ago; "
            f"/forget confirm again in {format_duration(e.seconds_left)}"
        ),
    ),
    row(BadEnvelopeError, lambda e: f"that encrypted message was not sent: {e.reason}"),
    row(KeysNotKeptError, lambda e: "this server keeps no keys, so no encrypted messages"),
    row(NotInRoomError, lambda e: f"you are not in {e.room}"),
    row(
        TooManyRoomsError,
        lambda e: f"you are in {counted(e.limit, 'room')} already, the most allowed; /part one first",
    ),
    # "Server": a room's operator (@ in /who) read "only operators" as if it named them.
    row(NotOperatorError, lambda e: "only server operators may do that"),
    row(NotOwnerError, lambda e: f"only the owner of {e.room} and operators may do that"),
    row(TargetIsOperatorError, lambda e: f"{e.nick} is an operator"),
    row(
        TargetIsOwnerError,
        lambda e: f"{e.nick} owns {e.room}; only server operators may {_kick_or_deop(e.deop)}",
    ),
    row(
        TargetIsRoomOperatorError,
        lambda e: (
            f"{e.nick} is a room operator of {e.room} by account; only its owner, its room operators "
            f"by account and server operators may {_kick_or_deop(e.deop)}"
        ),
    ),
    row(UserNotInRoomError, lambda e: f"{e.nick} is not in {e.room}"),
    row(KickSelfError, lambda e: "you cannot kick yourself; /part leaves a room"),
    row(KillSelfError, lambda e: "you cannot kill yourself; /quit leaves the server"),
    row(BannedError, lambda e: f"your address is banned from this server{_left(e.seconds_left)}"),
    row(NicknameBannedError, lambda e: f"the nickname {e.nick} is banned{_left(e.seconds_left)}"),
    row(MutedError, lambda e: f"you are muted{_left(e.seconds_left)}; nobody sees what you say"),
    row(NotMutedError, lambda e: f"{e.nick} is not muted"),
    row(
        BadDurationError,
        lambda e: (
            f"{quoted(e.text)} is not a duration: write a number and s, m, h or d, like 10m, 2h or 1d"
            f" (at most {format_duration(e.longest_seconds)})"
        ),
    ),
    row(BadAddressError, lambda e: f"{quoted(e.text)} is not an IPv4 or IPv6 address or network"),
    row(
        BanTooWideError,
        lambda e: (
            f"{e.network} is too wide a network to ban: the widest an IPv{e.version} ban may be is a /{e.widest}"
        ),
    ),
    row(NotBannedError, lambda e: f"{e.target} is not banned"),
    row(NoSuchPageError, lambda e: f"there is no page {e.page}; pages go from 1 to {e.pages}"),
    row(
        RejoinTooSoonError,
        lambda e: (
            f"you were kicked from {e.room}; you may join it again in {format_duration(e.seconds_left)}"
        ),
    ),
    row(
        TopicLockedError,
        lambda e: (
            f"the topic of {e.room} is locked; only {'its owner and ' if e.owned else ''}operators may change it"
        ),
    ),
    row(
        NotMemberError,
        lambda e: (
            f"only members of {e.room} may "
            + ("delete its lines" if e.deleting else "read its history")
            + f"; /join {e.room} first"
        ),
    ),
    row(
        NoSuchLineError,
        lambda e: f"{e.room} keeps no line with the id {e.line} (said or acted; /search shows ids)",
    ),
    row(
        NotYourLineError,
        lambda e: (
            f"the line {e.line} is not yours to delete: only {e.room}'s owner, its operators and "
            "server operators delete others' lines"
        ),
    ),
    row(
        LineCountError,
        lambda e: f"cannot show {counted(e.count, 'line')} at once; ask for 1 to {e.most}",
    ),
    row(
        BadPointError,
        lambda e: (
            f"{quoted(e.text)} is neither a line's id (16 hex digits, 0-9 and a-f, as /search shows) "
            "nor a time like 2026-12-04T15:04:05Z (UTC)"
        ),
    ),
    row(
        SearchWordsError,
        lambda e: (
            f"a search looks for 1 to {counted(e.most, 'word')}, not {e.count}"
            if e.count
            else f"a search looks for 1 to {counted(e.most, 'word')}; what was given shows as nothing"
        ),
    ),
    row(OperFailedError, lambda e: "wrong operator name or password"),
    row(
        OperThrottledError,
        lambda e: f"too many failed /oper attempts; try again in {e.seconds_left} s",
    ),
    # Names that look like others (issue 12).
    row(
        NicknameLookAlikeError,
        lambda e: f"{e.nick} looks like {e.holder}, who is online; choose another nickname",
    ),
    row(
        RoomLookAlikeError,
        lambda e: f"{e.room} looks like the room {e.existing}; join it or choose another name",
    ),
)
"""The chat's refusals' wordings, rows of ``chatd.line.wording.WORDINGS``."""
