"""The ways a chat request can be refused: each a stable code and the data behind it.

An error is plain data: its fields (a nickname, a room, seconds left, a
limit) and a ``code`` that never changes meaning between releases, so bots
can match on it. It holds no sentence and no front-end syntax: each front
end words it for its own users (the line front end in chatd/line/wording.py),
so an IRC numeric or a browser can say the same thing its own way (issue 11).
Raising one of these means nothing changed.
"""

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from chatd.text import fold


class NicknameRule(StrEnum):
    """Which rule of chatd.domain.names a nickname breaks; the values are stable."""

    EMPTY = "empty"
    TOO_LONG = "too-long"
    INVISIBLE = "invisible"
    BAD_START = "bad-start"
    BAD_CHARACTER = "bad-character"
    TOO_MANY_MARKS = "too-many-marks"


class RoomNameRule(StrEnum):
    """Which rule of chatd.domain.names a room name breaks; the values are stable."""

    NO_PREFIX = "no-prefix"
    TOO_LONG = "too-long"
    INVISIBLE = "invisible"
    BAD_CHARACTER = "bad-character"
    TOO_MANY_MARKS = "too-many-marks"


class TextRule(StrEnum):
    """Which rule of chatd.domain.names a text breaks; the values are stable."""

    UNSAFE_CHARACTER = "unsafe-character"
    TOO_LONG = "too-long"
    TOO_MANY_MARKS = "too-many-marks"
    NOTHING_VISIBLE = "nothing-visible"


def _shown(value: object) -> str:
    """A field as logs show it: a rule by its stable value, anything else by its repr."""
    return str(value) if isinstance(value, StrEnum) else repr(value)


@dataclass(eq=False)
class ChatError(Exception):
    """A request the chat refuses: a stable ``code`` and the fields that say what was wrong.

    Subclasses are dataclasses whose fields are the data; they compare
    equal when their type and fields are, pickle through ``args`` (the
    field values, in order), and ``str`` gives the code and the fields for
    logs. Treat the fields as read-only.
    """

    code: ClassVar[str] = "error"

    def __post_init__(self) -> None:
        # BaseException pickles as cls(*args): keep args the field values.
        super().__init__(*self._values())

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, field.name) for field in dataclasses.fields(self))

    def __str__(self) -> str:
        """``bad-nick nick='bo ss' rule=bad-character limit=None``: the code and fields, for logs."""
        shown = [f"{field.name}={_shown(getattr(self, field.name))}" for field in dataclasses.fields(self)]
        return " ".join([self.code, *shown])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ChatError) or type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self), self._values()))


@dataclass(eq=False)
class InvalidNicknameError(ChatError):
    """The nickname breaks a rule; ``limit`` is the longest allowed (TOO_LONG) or the most marks (TOO_MANY_MARKS)."""

    code = "bad-nick"
    nick: str
    rule: NicknameRule
    limit: int | None = None


@dataclass(eq=False)
class NicknameInUseError(ChatError):
    """Someone online already holds a nickname with the same key; ``nick`` is theirs."""

    code = "nick-in-use"
    nick: str


@dataclass(eq=False)
class InvalidRoomNameError(ChatError):
    """The room name breaks a rule; ``limit`` is the longest allowed (TOO_LONG) or the most marks (TOO_MANY_MARKS)."""

    code = "bad-room"
    room: str
    rule: RoomNameRule
    limit: int | None = None


@dataclass(eq=False)
class InvalidTextError(ChatError):
    """The text holds a character that may not reach a terminal (``character``), is
    longer than ``limit`` code points, has a character under more than ``limit``
    marks, or shows nothing."""

    code = "bad-text"
    rule: TextRule
    character: str | None = None
    limit: int | None = None


# Names that look like others (UTS #39 skeletons, chatd.domain.names.look).


@dataclass(eq=False)
class NicknameLookAlikeError(ChatError):
    """``nick`` looks like ``holder``, the nickname of someone else online (the same skeleton)."""

    code = "nick-look-alike"
    nick: str
    holder: str


@dataclass(eq=False)
class RoomLookAlikeError(ChatError):
    """``room`` would be a new room that looks like the room ``existing`` (the same skeleton)."""

    code = "room-look-alike"
    room: str
    existing: str


@dataclass(eq=False)
class NoSuchNicknameError(ChatError):
    """Nobody online has that nickname; ``alike`` is whoever online holds one that looks like it, if anyone
    does (``Users.missing``), named so the asker sees whom they may have meant, never acted on."""

    code = "no-such-nick"
    nick: str
    alike: str | None = None


@dataclass(eq=False)
class MailboxFullError(ChatError):
    """``nick`` is offline and ``most`` private messages wait for them already, or as many bytes of them as a
    mailbox holds (``waiting`` then says how many): no more are kept."""

    code = "mailbox-full"
    nick: str
    most: int
    waiting: int | None = None


@dataclass(eq=False)
class NoSuchRoomError(ChatError):
    """No room has that name (rooms exist while someone is in them)."""

    code = "no-such-room"
    room: str


@dataclass(eq=False)
class NotInRoomError(ChatError):
    """The user is not a member of the room the request names."""

    code = "not-in-room"
    room: str


@dataclass(eq=False)
class TooManyRoomsError(ChatError):
    """The user is already in ``limit`` rooms, as many as the host allows."""

    code = "too-many-rooms"
    limit: int


@dataclass(eq=False)
class NotOperatorError(ChatError):
    """The request is for operators, and the user is not one."""

    code = "not-operator"


@dataclass(eq=False)
class NotOwnerError(ChatError):
    """The request is for the room's owner (or an operator), and the user is neither."""

    code = "not-owner"
    room: str


@dataclass(eq=False)
class TargetIsOperatorError(ChatError):
    """Operators cannot be muted, banned or killed off the server, or kicked by a room owner."""

    code = "is-operator"
    nick: str


@dataclass(eq=False)
class TargetIsOwnerError(ChatError):
    """A room's owner cannot be kicked from it but by an operator: not by the room operators they made; nor have
    their operator standing taken (``deop``: what was refused is a ``-o``, not a kick)."""

    code = "is-owner"
    nick: str
    room: str
    deop: bool = False


@dataclass(eq=False)
class TargetIsRoomOperatorError(ChatError):
    """A registered room's operator by account cannot be kicked from it, nor have their operator standing taken
    (``deop``: what was refused is a ``-o``), by a member whose say there is only standing (``+o``): only by its
    owner, its room operators by account and operators."""

    code = "is-room-operator"
    nick: str
    room: str
    deop: bool = False


@dataclass(eq=False)
class UserNotInRoomError(ChatError):
    """The user a request names is not a member of the room it names."""

    code = "user-not-in-room"
    nick: str
    room: str


@dataclass(eq=False)
class BannedError(ChatError):
    """The connection's address is banned; front ends close the connection after saying so.

    ``seconds_left`` until the ban ends; None while it lasts until lifted.
    """

    code = "banned"
    seconds_left: float | None


@dataclass(eq=False)
class NicknameBannedError(ChatError):
    """The nickname is banned: nobody may register it or change to it.

    ``seconds_left`` until the ban ends; None while it lasts until lifted.
    """

    code = "nick-banned"
    nick: str
    seconds_left: float | None


@dataclass(eq=False)
class MutedError(ChatError):
    """The user is muted: their messages, actions, private messages and topics are refused.

    ``seconds_left`` until the mute ends; None while it lasts until lifted.
    """

    code = "muted"
    seconds_left: float | None


@dataclass(eq=False)
class NotMutedError(ChatError):
    """An unmute of a user who is not muted (or whose mute has run out)."""

    code = "not-muted"
    nick: str


@dataclass(eq=False)
class BadDurationError(ChatError):
    """``text`` is not a whole number and a unit, or is not between 1 s and ``longest_seconds``."""

    code = "bad-duration"
    text: str
    longest_seconds: float


@dataclass(eq=False)
class BadAddressError(ChatError):
    """A ban target that looks like an address (a digit, '.' or ':') but is no IP address."""

    code = "bad-address"
    text: str


@dataclass(eq=False)
class NotBannedError(ChatError):
    """An unban of a nickname or address (``target``) that has no ban (or whose ban ran out)."""

    code = "not-banned"
    target: str


@dataclass(eq=False)
class TopicLockedError(ChatError):
    """The room's topic is locked: only its owner and operators may change it.

    ``owned`` is False for a room nobody owns (the server's, or one
    unregistered): there only operators may, and the wording must not send
    the user looking for an owner.
    """

    code = "topic-locked"
    room: str
    owned: bool = True


@dataclass(eq=False)
class OperFailedError(ChatError):
    """An operator login with a name and password that do not match."""

    code = "oper-failed"


@dataclass(eq=False)
class OperThrottledError(ChatError):
    """Too many failed operator logins from this connection or address; retry in ``seconds_left``."""

    code = "oper-throttled"
    seconds_left: int


@dataclass(eq=False)
class KickSelfError(ChatError):
    """A kick of the one asking: leaving a room is a part, not a kick."""

    code = "kick-self"


@dataclass(eq=False)
class KillSelfError(ChatError):
    """A kill of the one asking: leaving the server is a quit, not a kill."""

    code = "kill-self"


@dataclass(eq=False)
class NoSuchPageError(ChatError):
    """A listing was asked for page ``page``, and it has ``pages`` (from 1)."""

    code = "no-such-page"
    page: int
    pages: int


@dataclass(eq=False)
class RejoinTooSoonError(ChatError):
    """The user was kicked from ``room`` and may not join it again for ``seconds_left``."""

    code = "kicked"
    room: str
    seconds_left: float


@dataclass(eq=False)
class NotMemberError(ChatError):
    """Only members of ``room`` may read its history, and the user asking is not one."""

    code = "members-only"
    room: str


@dataclass(eq=False)
class LineCountError(ChatError):
    """``count`` lines of history were asked for at once; one read gives 1 to ``most``."""

    code = "bad-count"
    count: int
    most: int


@dataclass(eq=False)
class SearchWordsError(ChatError):
    """A search gave ``count`` words; one looks for 1 to ``most``."""

    code = "bad-search"
    count: int
    most: int


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
class TooManyRegisteredRoomsError(ChatError):
    """The account owns ``most`` registered rooms already (``Limits.registered_rooms``)."""

    code = "too-many-registered-rooms"
    most: int


@dataclass(eq=False)
class AccountNotKeptError(ChatError):
    """The store could not keep a change to the account ``account`` (a full disk, say): nothing changed."""

    code = "not-saved"
    account: str


@dataclass(eq=False)
class HistoryUnreadableError(ChatError):
    """A read of history reached a line the store holds and cannot read back (damaged in its file, or written
    there by hand): nothing of the read is shown; the host's log names the line."""

    code = "history-unreadable"


@dataclass(eq=False)
class RoomNotKeptError(ChatError):
    """The store could not keep a change to the registration of ``room`` (a full disk, say): it is undone.

    ``settings``: the change was of the registered room's settings (its modes or ban masks).
    """

    code = "room-not-saved"
    room: str
    settings: bool = False


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
    """The user is identified to the account ``account`` already."""

    code = "already-identified"
    account: str


@dataclass(eq=False)
class ServerRoomError(ChatError):
    """The room ``room`` is one of the server's (the default room, a --room one): nobody may register it."""

    code = "server-room"
    room: str


@dataclass(eq=False)
class RoomUnownedError(ChatError):
    """Nobody owns the room ``room`` (its maker left the chat, or it was unregistered), so only an operator
    may register it: a member's operator standing there is not ownership."""

    code = "room-unowned"
    room: str


@dataclass(eq=False)
class RoomRegisteredError(ChatError):
    """The room ``room`` is registered already, to the account ``owner``."""

    code = "room-registered"
    room: str
    owner: str


@dataclass(eq=False)
class RoomNotRegisteredError(ChatError):
    """The room ``room`` is not registered, so it has no room operators to name.

    ``owned``: someone owns it (its maker, while in the chat), who may register it; after
    ``/unregister`` nobody does, and only operators may.
    """

    code = "room-not-registered"
    room: str
    owned: bool = True


@dataclass(eq=False)
class NoAccountError(ChatError):
    """``nick`` is neither identified online nor a registered nickname: only an account can be a room operator.
    ``alike`` is the registered nickname that looks like it, if one does, named so the owner sees whom they may
    have meant, never made an operator in its stead."""

    code = "no-account"
    nick: str
    alike: str | None = None


# Room settings, standing and invites (issue 15).


@dataclass(eq=False)
class RoomKeyError(ChatError):
    """The room ``room`` takes a key to join, and the join gave none or another."""

    code = "room-key"
    room: str


@dataclass(eq=False)
class InviteOnlyError(ChatError):
    """The room ``room`` is invite-only, and the user joining was not invited (nor has authority there)."""

    code = "invite-only"
    room: str


@dataclass(eq=False)
class RoomFullError(ChatError):
    """The room ``room`` has ``limit`` members already, as many as its limit allows."""

    code = "room-full"
    room: str
    limit: int


@dataclass(eq=False)
class BannedFromRoomError(ChatError):
    """A ban mask of the room ``room`` covers the user: they may not join it, nor speak in it if in it."""

    code = "banned-from-room"
    room: str


@dataclass(eq=False)
class ModeratedError(ChatError):
    """The room ``room`` is moderated: only its operators and voiced members speak."""

    code = "moderated"
    room: str


@dataclass(eq=False)
class UserInRoomError(ChatError):
    """An invite of ``nick``, who is in the room ``room`` already."""

    code = "user-in-room"
    nick: str
    room: str


@dataclass(eq=False)
class InvalidRoomKeyError(ChatError):
    """``key`` cannot be a room's key: 1 to ``limit`` characters, none of them a space, comma or control."""

    code = "bad-room-key"
    key: str
    limit: int


@dataclass(eq=False)
class InvalidRoomLimitError(ChatError):
    """``text`` is not a member limit: a whole number from 1 to ``most``."""

    code = "bad-room-limit"
    text: str
    most: int


@dataclass(eq=False)
class InvalidMaskError(ChatError):
    """``mask`` is not a ban mask: ``nick!user@host`` (parts may be left out), at most ``limit`` characters,
    with no empty part and no space, comma or control character."""

    code = "bad-mask"
    mask: str
    limit: int


@dataclass(eq=False)
class TooManyRoomBansError(ChatError):
    """The room ``room`` has ``most`` ban masks already, as many as a room may keep."""

    code = "too-many-room-bans"
    room: str
    most: int


@dataclass(eq=False)
class BadFileOfferError(ChatError):
    """A ``/file offer`` whose size, SHA-256, type or name is not as the protocol says (issue 16)."""

    code = "bad-file-offer"


@dataclass(eq=False)
class FileTooBigError(ChatError):
    """A file of ``size`` bytes is over the host's ``limit`` for one file."""

    code = "file-too-big"
    size: int
    limit: int


@dataclass(eq=False)
class FileDayLimitError(ChatError):
    """The file would take the user past ``limit`` bytes uploaded today, ``unsent`` of them the rest of the user's
    unfinished uploads, which count as sent."""

    code = "file-day-limit"
    limit: int
    unsent: int = 0


@dataclass(eq=False)
class FileTooManyError(ChatError):
    """The user has ``limit`` transfers going already, the most allowed at once."""

    code = "file-too-many"
    limit: int


@dataclass(eq=False)
class FileStoreFullError(ChatError):
    """The server's spool has no room for the file now."""

    code = "file-store-full"


@dataclass(eq=False)
class FileToSelfError(ChatError):
    """A file offered to the sender's own nickname."""

    code = "file-to-self"


@dataclass(eq=False)
class NoSuchFileError(ChatError):
    """No transfer with the id ``file`` is open for this user."""

    code = "no-such-file"
    file: str


@dataclass(eq=False)
class FileUploadedError(ChatError):
    """A chunk, or a restart, for the sender's transfer ``file`` whose bytes the server holds whole and has
    checked already (a copy it held, or an upload done): nothing is left to upload."""

    code = "file-uploaded"
    file: str


@dataclass(eq=False)
class FileOffsetError(ChatError):
    """A chunk of the upload ``file`` sent for another offset than ``have``, the bytes the server holds; nothing was
    stored."""

    code = "file-offset"
    file: str
    have: int


@dataclass(eq=False)
class BadFileChunkError(ChatError):
    """A chunk of the upload ``file`` that is not base64, or longer than a chunk may be; nothing was stored."""

    code = "bad-file-chunk"
    file: str


@dataclass(eq=False)
class FileCorruptError(ChatError):
    """The bytes uploaded as ``file`` do not hash to the SHA-256 announced: the file was refused and dropped."""

    code = "file-corrupt"
    file: str


@dataclass(eq=False)
class FileResumeMismatchError(ChatError):
    """A download resumed at an offset whose last chunk differs from the server's: accept again from 0."""

    code = "file-resume-mismatch"


@dataclass(eq=False)
class FileNeedsJsonError(ChatError):
    """File bytes go only to a session that reads JSON; a text session gets a link instead, if the server has a
    web port to serve one (``links``)."""

    code = "file-needs-json"
    file: str
    links: bool = True


@dataclass(eq=False)
class NoWebPortError(ChatError):
    """An HTTP link asked for while the server has no web port."""

    code = "no-web-port"


@dataclass(eq=False)
class NoSuchAccountError(ChatError):
    """No account has the nickname ``nick``: it has no keys, and takes no encrypted message (issue 17)."""

    code = "no-such-account"
    nick: str


@dataclass(eq=False)
class BadKeyError(ChatError):
    """What was given as a public key is not standard base64 of 32 bytes."""

    code = "bad-key"


@dataclass(eq=False)
class TooManyKeysError(ChatError):
    """The account has ``most`` keys published already: one must be dropped first."""

    code = "too-many-keys"
    most: int


@dataclass(eq=False)
class KeyChangesThrottledError(ChatError):
    """The account changed its keys (``/key publish``, ``/key drop``) as often as a day allows
    (``KEY_CHANGES_PER_DAY``); the next in ``seconds_left``."""

    code = "key-throttled"
    seconds_left: int


@dataclass(eq=False)
class KeyPublishesThrottledError(ChatError):
    """Keys were published from the user's address (its /64, for IPv6) as often as a day allows
    (``KEY_PUBLISHES_PER_ADDRESS_DAY``), whatever the accounts; the next in ``seconds_left``."""

    code = "key-address-throttled"
    seconds_left: int


@dataclass(eq=False)
class ForgetThrottledError(ChatError):
    """The account ran ``/forget confirm`` less than ``FORGET_EVERY`` ago; the next in ``seconds_left``."""

    code = "forget-throttled"
    seconds_left: int


@dataclass(eq=False)
class NoSuchKeyError(ChatError):
    """The key to drop is not one of the user's account's."""

    code = "no-such-key"


@dataclass(eq=False)
class BadEnvelopeError(ChatError):
    """An encrypted message's envelope is not of the agreed shape, or not from a key of the sender's: ``reason``."""

    code = "bad-envelope"
    reason: str


@dataclass(eq=False)
class KeysNotKeptError(ChatError):
    """This chat was built without a key store: no device keys, no encrypted messages."""

    code = "no-keys"
