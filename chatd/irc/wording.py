"""The chat's refusals as IRC says them: the numeric the specifications give, or a standard reply.

Errors are data (chatd/domain/errors/); each front end words them. Here
each becomes the numeric an IRC client expects for it, where RFC 2812 or
Modern IRC has one, in the context of the command that was refused (a
PRIVMSG to a room one is not in is 404, a PART of it 442); a refusal IRC
has no numeric for is an IRCv3 standard reply, ``FAIL COMMAND CODE
:sentence``, its code chatd's own in capitals (``MUTED``), which every
client shows as text. A refused REGISTER is the standard reply its
specification (draft/account-registration) names, with the account it
was for. ``refusal`` gives the parameters after the client's nickname;
``target`` is what the command named first (a room, a nickname; for
REGISTER, the account), for the numerics that name it.
"""

from chatd.domain.durations import format_duration
from chatd.domain.errors import (
    AccountNotKeptError,
    AccountsFullError,
    AlreadyIdentifiedError,
    BannedError,
    BannedFromRoomError,
    ChatError,
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
    KickSelfError,
    KillSelfError,
    MailboxFullError,
    ModeratedError,
    MutedError,
    NicknameBannedError,
    NicknameInUseError,
    NicknameLookAlikeError,
    NicknameRegisteredError,
    NicknameReservedError,
    NoSuchNicknameError,
    NoSuchRoomError,
    NotIdentifiedError,
    NotInRoomError,
    NotOperatorError,
    NotOwnerError,
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
    TargetIsOperatorError,
    TargetIsOwnerError,
    TargetIsRoomOperatorError,
    TooManyRoomBansError,
    TooManyRoomsError,
    TopicLockedError,
    UserInRoomError,
    UserNotInRoomError,
)
from chatd.frontend.text_rules import nickname_rule_words, room_name_rule_words, text_rule_words
from chatd.irc import numerics as n
from chatd.text import counted

Refusal = tuple[str, tuple[str, ...]]
"""A numeric (or ``FAIL``) and its parameters after the client's nickname (a FAIL has none before them)."""

_SPEAKING = frozenset({"PRIVMSG", "NOTICE"})


def refusal(error: ChatError, command: str, target: str = "*") -> Refusal:
    """How the refusal of ``command`` (on ``target``, if it names one) with ``error`` is said to an IRC client."""
    if command == "REGISTER":
        return _registration(error, target)
    speaking = command in _SPEAKING
    match error:
        case InvalidNicknameError(nick=nick):
            return n.ERR_ERRONEUSNICKNAME, (nick or "*", f"Erroneous nickname: {nickname_rule_words(error)}")
        case NicknameInUseError(nick=nick):
            return n.ERR_NICKNAMEINUSE, (nick, "Nickname is already in use")
        case NicknameLookAlikeError(nick=nick, holder=holder):
            return n.ERR_NICKNAMEINUSE, (nick, f"Nickname looks like {holder}, who is online")
        case NicknameRegisteredError(nick=nick, registered=registered):
            # The last way is the one a client without SASL set up has: it falls back to another nickname, and
            # IDENTIFY with the account takes this one (chatd.irc.services).
            return n.ERR_NICKNAMEINUSE, (
                nick,
                f"Nickname is registered as {registered}; log in with SASL or PASS, "
                f"or /msg NickServ IDENTIFY {registered} PASSWORD",
            )
        case NicknameReservedError(nick=nick, service=service) if error.look_alike:
            # 432, as Ergo, UnrealIRCd and InspIRCd refuse a services nickname (a Q-line): no password takes it.
            return n.ERR_ERRONEUSNICKNAME, (
                nick,
                f"Nickname looks like {service}, which is reserved for IRC services",
            )
        case NicknameReservedError(nick=nick):
            return n.ERR_ERRONEUSNICKNAME, (nick, "Nickname is reserved for IRC services")
        case NicknameBannedError(nick=nick, seconds_left=left):
            return n.ERR_ERRONEUSNICKNAME, (nick, f"Nickname is banned{_for(left)}")
        case NoSuchNicknameError(nick=nick):
            return n.ERR_NOSUCHNICK, (nick, no_such_nick(error, "No such nick"))
        case NoSuchRoomError(room=room):
            return n.ERR_NOSUCHCHANNEL, (room, "No such channel")
        case InvalidRoomNameError(room=room):
            return n.ERR_NOSUCHCHANNEL, (room or "*", f"Bad channel name: {room_name_rule_words(error)}")
        case RoomLookAlikeError(room=room, existing=existing):
            return n.ERR_NOSUCHCHANNEL, (room, f"Channel name looks like {existing}; join that one")
        case NotInRoomError(room=room) if speaking:
            return n.ERR_CANNOTSENDTOCHAN, (room, "Cannot send to channel: join it first")
        case NotInRoomError(room=room):
            return n.ERR_NOTONCHANNEL, (room, "You're not on that channel")
        case TooManyRoomsError(limit=limit):
            return n.ERR_TOOMANYCHANNELS, (target, f"You have joined too many channels (at most {limit})")
        case UserNotInRoomError(nick=nick, room=room):
            return n.ERR_USERNOTINCHANNEL, (nick, room, "They aren't on that channel")
        case NotOwnerError(room=room) | TopicLockedError(room=room):
            return n.ERR_CHANOPRIVSNEEDED, (room, "You're not channel operator")
        case NotOperatorError():
            return n.ERR_NOPRIVILEGES, ("Permission Denied- You're not an IRC operator",)
        case TargetIsOperatorError(nick=nick):
            return "FAIL", (command, "IS_OPERATOR", nick, f"{nick} is an operator and cannot be acted on")
        case TargetIsOwnerError(nick=nick, room=room, deop=deop):
            return n.ERR_CHANOPRIVSNEEDED, (
                room,
                f"{nick} owns the channel; only IRC operators may {'deop' if deop else 'kick'} them",
            )
        case TargetIsRoomOperatorError(nick=nick, room=room, deop=deop):
            return n.ERR_CHANOPRIVSNEEDED, (
                room,
                f"{nick} is a channel operator by account; only its owner, its operators by account "
                f"and IRC operators may {'deop' if deop else 'kick'} them",
            )
        case KickSelfError():
            return "FAIL", (command, "KICK_SELF", "Use PART to leave a channel")
        case KillSelfError():
            return "FAIL", (command, "KILL_SELF", "Use QUIT to leave the server")
        case RejoinTooSoonError(room=room, seconds_left=left):
            return n.ERR_BANNEDFROMCHAN, (
                room,
                f"Cannot join channel: kicked, try again in {format_duration(left)}",
            )
        case BannedError(seconds_left=left):
            return n.ERR_YOUREBANNEDCREEP, (f"You are banned from this server{_for(left)}",)
        case MutedError(seconds_left=left) if speaking and target.startswith("#"):
            return n.ERR_CANNOTSENDTOCHAN, (target, f"Cannot send: you are muted{_for(left)}")
        case MutedError(seconds_left=left):
            return "FAIL", (command, "MUTED", f"You are muted{_for(left)}")
        case InvalidTextError() if speaking:
            return n.ERR_NOTEXTTOSEND, (f"Cannot send that text: {text_rule_words(error)}",)
        case InvalidTextError():
            return "FAIL", (command, "BAD_TEXT", f"Text refused: {text_rule_words(error)}")
        case OperFailedError():
            return n.ERR_PASSWDMISMATCH, ("Password incorrect",)
        case OperThrottledError(seconds_left=left) | IdentifyThrottledError(seconds_left=left):
            return "FAIL", (
                command,
                "THROTTLED",
                f"Too many wrong passwords; try again in {counted(left, 'second')}",
            )
        case IdentifyFailedError():
            return n.ERR_SASLFAIL, ("SASL authentication failed",)
        case RoomKeyError(room=room):
            return n.ERR_BADCHANNELKEY, (room, "Cannot join channel (+k)")
        case InviteOnlyError(room=room):
            return n.ERR_INVITEONLYCHAN, (room, "Cannot join channel (+i)")
        case RegisteredOnlyError(room=room):
            return n.ERR_NEEDREGGEDNICK, (
                room,
                "Cannot join channel (+R) - you must be identified to an account",
            )
        case RoomFullError(room=room):
            return n.ERR_CHANNELISFULL, (room, "Cannot join channel (+l)")
        case BannedFromRoomError(room=room) if speaking:
            return n.ERR_CANNOTSENDTOCHAN, (room, "Cannot send to channel (+b)")
        case BannedFromRoomError(room=room):
            return n.ERR_BANNEDFROMCHAN, (room, "Cannot join channel (+b)")
        case ModeratedError(room=room):
            return n.ERR_CANNOTSENDTOCHAN, (room, "Cannot send to channel (+m)")
        case RegisteredSpeechError(room=room):
            return n.ERR_CANNOTSENDTOCHAN, (
                room,
                "Cannot send to channel (+M) - you must be identified to an account",
            )
        case MailboxFullError(nick=nick, most=most, waiting=None):
            return "FAIL", (
                command,
                "MAILBOX_FULL",
                nick,
                f"{nick} is offline with {counted(most, 'message')} waiting already; try later",
            )
        case MailboxFullError(nick=nick, most=most, waiting=int(waiting)):
            return "FAIL", (
                command,
                "MAILBOX_FULL",
                nick,
                f"{nick} is offline and their mailbox is full ({counted(waiting, 'message')}, {most // 1024} KiB at "
                "most); try later",
            )
        case UserInRoomError(nick=nick, room=room):
            return n.ERR_USERONCHANNEL, (nick, room, "is already on channel")
        case InvalidRoomKeyError(limit=limit):
            return n.ERR_INVALIDKEY, (
                target,
                f"Key is not well-formed (at most {counted(limit, 'character')}, no spaces or commas)",
            )
        case InvalidRoomLimitError(text=text, most=most):
            return n.ERR_INVALIDMODEPARAM, (target, "l", text, f"The limit must be a number from 1 to {most}")
        case InvalidMaskError(mask=mask):
            return n.ERR_INVALIDMODEPARAM, (target, "b", mask, "That is not a nick!user@host mask")
        case TooManyRoomBansError(room=room, most=most):
            return n.ERR_BANLISTFULL, (room, "b", f"Channel ban list is full (at most {most})")
        case NotIdentifiedError():
            return "FAIL", (command, "NOT_IDENTIFIED", "Log in (SASL or PASS) first")
        case AlreadyIdentifiedError():
            return n.ERR_SASLALREADY, ("You have already authenticated using SASL",)
        case HistoryUnreadableError():
            return "FAIL", (
                command,
                "HISTORY_UNREADABLE",
                "The server could not read a line it keeps here (damaged in its file); its host is told which",
            )
    return "FAIL", (command, error.code.upper().replace("-", "_"), _sentence(error))


def _registration(error: ChatError, account: str) -> Refusal:
    """A refused REGISTER of ``account`` (the nickname), with the codes draft/account-registration gives."""
    match error:
        case PasswordTooShortError(least=least):
            return "FAIL", (
                "REGISTER",
                "WEAK_PASSWORD",
                account,
                f"A password needs at least {counted(least, 'character')}",
            )
        case NicknameRegisteredError(nick=nick, registered=registered) if error.look_alike:
            return "FAIL", (
                "REGISTER",
                "ACCOUNT_EXISTS",
                account,
                f"{nick} looks like {registered}, which is an account already; change nickname to register",
            )
        case NicknameRegisteredError(nick=nick):
            return "FAIL", ("REGISTER", "ACCOUNT_EXISTS", account, f"{nick} is an account already")
        case AlreadyIdentifiedError(account=mine):
            return "FAIL", (
                "REGISTER",
                "ALREADY_AUTHENTICATED",
                account,
                f"You are logged in as {mine} already",
            )
        case RegisterThrottledError(seconds_left=left):
            return "FAIL", (
                "REGISTER",
                "TEMPORARILY_UNAVAILABLE",
                account,
                f"Accounts were made from your address as often as this server allows; try again in {format_duration(left)}",
            )
        case AccountsFullError(most=most):
            return "FAIL", (
                "REGISTER",
                "TEMPORARILY_UNAVAILABLE",
                account,
                f"This server keeps the most accounts it allows ({most}); none can be registered until one is given up",
            )
        case AccountNotKeptError():
            return "FAIL", (
                "REGISTER",
                "TEMPORARILY_UNAVAILABLE",
                account,
                "The server could not save the account; nothing changed, try again later",
            )
    return "FAIL", ("REGISTER", error.code.upper().replace("-", "_"), account, _sentence(error))


def no_such_nick(error: ChatError, text: str) -> str:
    """401's ``text``, naming whoever online holds a nickname that looks like the one asked for, if anyone does."""
    if isinstance(error, NoSuchNicknameError) and error.alike is not None:
        return f"{text}; {error.alike} is online, a different nick that looks like it"
    return text


def _for(seconds: float | None) -> str:
    """`` for 5 minutes`` or nothing for what lasts until lifted."""
    return "" if seconds is None else f" for {format_duration(seconds)}"


def _sentence(error: ChatError) -> str:
    """A refusal IRC has no numeric for, in words: its code and the data it carries."""
    return str(error).replace("-", " ", 1).capitalize()
