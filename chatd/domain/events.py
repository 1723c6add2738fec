"""What happened in the chat, as plain data: every change of chat state is one event.

The chat builds one event per change, stamped by its injected clock (``at``:
seconds since the Unix epoch) and given a stable ``id`` (sortable, unique
in this daemon), and hands it to one seam (chatd.domain.publish) that applies
it to the state, keeps it in history, carries it on the bus and delivers it.
An event in a room also carries that room's sequence number ``seq`` (1, 2,
3, ... over the room's whole life, across its emptying and re-creation), so
history can be paged and a client can resume from the last it saw.

Events are complete on their own: ``actor`` is a snapshot of who acted (an
IRC front end builds ``nick!user@host`` from it, a browser its view),
never a live object, so storage and a message bus can keep and carry events
as they are. Events hold no sessions.
"""

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted, as they were when they did.

    ``address`` is where they connect from (empty for the host's console and
    for the chat itself); front ends show it to operators only. ``account``
    is the account they are identified to (its folded nickname), None if none.
    """

    nick: str
    address: str = ""
    account: str | None = None


CHAT = Actor("")
"""The chat itself, the actor of what nobody did by hand: a mute or a ban running out."""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Base:
    id: str
    at: float
    actor: Actor


@dataclass(frozen=True, slots=True, kw_only=True)
class _InRoom(_Base):
    room: str
    seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Registered(_Base):
    """``actor`` came online under their nickname, from their address."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Said(_InRoom):
    """``actor`` said ``text`` in ``room``; a paste holds several lines joined by ``\\n``."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Acted(_InRoom):
    """``actor`` performed an action in ``room`` (``/me waves``)."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Whispered(_Base):
    """``actor`` sent ``text`` privately to ``to``; both of them receive it.

    ``to_account`` is the account ``to`` was identified to (None if none):
    with the sender's (``actor.account``), who may read it back later
    (chatd.domain.offline.conversation). Clients are not shown it.
    """

    to: str
    text: str
    to_account: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Encrypted(_Base):
    """``actor`` sent ``to`` a private message the server cannot read (issue 17): ``envelope`` holds it boxed.

    ``envelope`` is the base64 the sender's client made (chatd.domain.envelopes
    checks its shape): one NaCl box of the text per device key of ``to``'s
    account and of the sender's own, so only those devices open it. Kept and
    carried as it is, like a ``Whispered``'s text; ``to_account`` as there.
    """

    to: str
    envelope: str
    to_account: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Joined(_InRoom):
    """``actor`` entered ``room``; the first to enter a room makes and owns it.

    ``room_operator``: the join gives ``actor`` the room's operator standing
    (its maker, or identified to its registration's owner or a room
    operator), so front ends that mark standing (IRC's ``@``) mark it.
    ``made``: the join made the room anew, nothing kept of one of that name
    before (a room that outlives its members is not made anew): a store
    then gives back no topic or lock kept from before it (chatd.storage.sqlite).
    """

    room_operator: bool = False
    made: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Parted(_InRoom):
    """``actor`` left ``room``; ``reason`` may be empty. An emptied room is gone."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Quit(_Base):
    """``actor`` left the chat (and so every room); ``reason`` may be empty."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NickChanged(_Base):
    """``actor`` (under their old nickname) is now called ``new``."""

    new: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AwayChanged(_Base):
    """``actor`` is away saying ``text``, or back if it is empty."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressChanged(_Base):
    """``actor`` (as they were) connects from ``address`` now: a new connection of theirs took over the one they
    had (``/takeover``). Nobody is shown it; bans, masks and whatever is kept by address follow them there."""

    address: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorGranted(_Base):
    """``actor`` became an operator (a front end checked that they are one); each of their sessions is shown it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicChanged(_InRoom):
    """``actor`` set the topic of ``room``; an empty topic clears it."""

    topic: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicLocked(_InRoom):
    """``actor`` locked the topic of ``room`` (only its owner and operators may set it) or, if not ``locked``, unlocked it."""

    locked: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Kicked(_InRoom):
    """``actor`` (the room's owner or an operator) put ``nick`` out of ``room``; ``reason`` may be empty.

    ``nick`` may not join ``room`` again before ``until``; nor may ``person``, the kicked person's
    ``chatd.domain.people.waiting_key`` (their account, else their nickname's look from their host), under
    any nickname or connection, after a restart too: a store gives back the kicks still running
    (chatd.domain.kicks). Empty in a kick kept by a chatd before it was added: its wait is not brought back.
    """

    nick: str
    reason: str
    until: float
    person: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BanAdded(_Base):
    """Operator ``actor`` banned ``target`` (an ``address`` or a nickname) until ``until`` (None: until lifted).

    Whoever online it covers is then taken off the server, one ``Banned`` each.
    """

    target: str
    address: bool
    until: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Banned(_Base):
    """Operator ``actor``'s ban took ``nick`` off the server; ``until`` is when the ban ends (None: when lifted)."""

    nick: str
    until: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Killed(_Base):
    """Operator ``actor`` took ``nick`` off the server (IRC's KILL); ``reason`` may be empty.

    Unlike a ban it holds nothing against them: they may come back at once
    (the SQLite store keeps the event, as a quit, for the host's export).
    ``apart`` says the operator shared no room with them, decided by the
    command: once the event is applied nobody can look, and IRC, where
    only roommates read the QUIT, tells such an operator with a NOTICE.
    """

    nick: str
    reason: str
    apart: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class BanLifted(_Base):
    """The ban on ``target`` is over: lifted by operator ``actor``, or run out (``actor`` is ``CHAT``)."""

    target: str
    address: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Muted(_Base):
    """Operator ``actor`` muted ``nick`` until ``until`` (None: until unmuted)."""

    nick: str
    until: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Unmuted(_Base):
    """``nick``'s mute is over: lifted by operator ``actor``, or run out (``actor`` is ``CHAT``)."""

    nick: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Walled(_Base):
    """Operator ``actor`` said ``text`` to everyone online."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ShuttingDown(_Base):
    """Operator ``actor`` is stopping the server; ``reason`` may be empty. The last event anyone gets."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountRegistered(_Base):
    """``actor`` registered their nickname as the account ``account`` (its folded form), and is identified to it."""

    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Identified(_Base):
    """``actor`` proved they own the account ``account`` (a folded nickname) with its password."""

    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordChanged(_Base):
    """``actor`` changed the password of their account ``account``; the event holds no password."""

    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordSet(_Base):
    """Operator ``actor`` gave the account ``account`` a new password in its owner's stead (one who forgot theirs);
    the event holds no password. Told to the account's user, if online, whose sessions stay identified."""

    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountDropped(_Base):
    """The account ``account`` is given up: the nickname is anyone's again.

    ``actor`` is the account's user, who is identified to none from now on:
    they unregistered it, or ``operator`` did in their stead (None: they
    did). An operator may give up an account nobody is online as: ``actor``
    is then its registered nickname alone, with the account, and no address.
    """

    account: str
    operator: Actor | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountNotKept(_Base):
    """The store could not keep ``actor``'s new account ``account``: it is undone, and they are identified to none."""

    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountNotDropped(_Base):
    """The store could not forget ``actor``'s account ``account`` (their unregistering): it is theirs again, and
    they are identified to it, as before they asked."""

    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageNotKept(_Base):
    """The store could not keep ``actor``'s private message ``message`` (its id) for the offline account of ``to``
    after all, though its sender was shown it kept (a full disk, say): it is lost.

    ``reason`` is why, in the few words its sender reads (chatd.failures.not_kept).
    Told to the sender alone; no history keeps it.
    """

    to: str
    message: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NicknameClaimed(_Base):
    """``actor`` (the nickname they tried, and their address) tried to take a nickname of the account ``account``.

    Shown to the account's sessions online, with the address (``address``:
    the actor's, which events otherwise show operators only); ``tries``
    counts the attempts since the last such notice (at most one per
    chatd.domain.identity's ``CLAIM_NOTICE_SECONDS``).
    """

    account: str
    address: str
    tries: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomRegistered(_InRoom):
    """``actor`` registered ``room`` to their account ``account``: they own it across restarts, and it
    outlives its members."""

    account: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomUnregistered(_InRoom):
    """``actor``, its owner, gave ``room`` up: it is an ordinary room again, owned by nobody."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomOperatorAdded(_InRoom):
    """``actor`` (the room's owner) made the account ``account``, online as ``nick``, an operator of ``room``.

    ``member``: ``nick`` is in the room, identified to ``account``, so holds
    the operator standing there from now on (IRC's ``MODE +o``).
    """

    nick: str
    account: str
    member: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomOperatorRemoved(_InRoom):
    """``actor`` (the room's owner) took the account ``account`` (``nick``) off the operators of ``room``.

    ``member``: as for ``RoomOperatorAdded``; the standing there goes.
    """

    nick: str
    account: str
    member: bool = False


class Setting(StrEnum):
    """What one change of a room's settings or of someone's standing in it changes; the values are stable.

    Front-end-neutral words: an IRC front end maps its mode letters onto
    them (i, k, l, m, s, R, M, o, v, b), the line front end its ``/mode``.
    """

    INVITE_ONLY = "invite_only"
    """Only the invited, and those with authority in the room, may join."""
    KEY = "key"
    """Joining takes the room's key (a password)."""
    LIMIT = "limit"
    """At most that many members; the argument is the number as text."""
    MODERATED = "moderated"
    """Only the room's operators and voiced members speak."""
    SECRET = "secret"
    """Left out of room listings and ``whois`` for anyone not in the room."""
    REGISTERED_ONLY = "registered_only"
    """Only users identified to an account, and those with authority in the room, may join: a nickname alone
    is not enough, so whoever was muted or banned by nickname cannot come back under another one."""
    REGISTERED_SPEECH = "registered_speech"
    """Only members identified to an account, voiced members and those with authority speak."""
    OPERATOR = "operator"
    """A member's standing as one of the room's operators: the argument is their nickname."""
    VOICE = "voice"
    """A member's voice, which speaks in a moderated room: the argument is their nickname."""
    BAN = "ban"
    """A ban mask (chatd.domain.masks): the argument is the mask."""


@dataclass(frozen=True, slots=True)
class ModeChange:
    """One change to a room: ``setting`` turned ``on`` or off, with its ``argument``.

    ``argument`` is the key, the limit as text, the nickname, or the mask;
    ``""`` where there is none (a flag, or turning the key or the limit off).
    """

    setting: Setting
    on: bool
    argument: str = ""


@dataclass(frozen=True, slots=True)
class RoomBan:
    """A ban mask of a room, who set it (``by``, a nickname) and when (``at``, seconds since the epoch)."""

    mask: str
    by: str
    at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomModesChanged(_InRoom):
    """``actor`` (with authority in ``room``) made ``changes``, in order, as one request.

    Only real changes are here: a request that asks for what already holds
    drops that part, and one with nothing left is not published.
    ``restored``: when the chat puts back a registered room's settings that
    its store could not change (chatd.domain.registry), the masks it sets
    again, each as it was set (who, when), which the store still keeps;
    empty for every other change.
    """

    changes: tuple[ModeChange, ...]
    restored: tuple[RoomBan, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Invited(_InRoom):
    """``actor``, a member of ``room``, invited ``nick``, who may then join it past invite-only once."""

    nick: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CrowdTallied(_Base):
    """Since its last tally, ``joined`` came into big room ``room``, ``left`` went and ``renamed`` took a new nickname.

    Sent by the chat (``CHAT``) to a big room's members instead of each
    join, part, quit and new nickname (chatd.domain.crowds); ``members`` is
    how many are in it now. No history keeps it, so it carries no ``seq``.
    """

    room: str
    joined: int
    left: int
    renamed: int
    members: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomRegistrationNotKept(_Base):
    """The store could not keep ``actor``'s change to the registration of ``room`` (a full disk, say): undone.

    ``owner`` (None: not registered) and ``operators`` are the room's
    registration as the store keeps it, with the changes it has yet to
    answer for, and as the chat holds it from now on
    (chatd.domain.registry); ``given`` and ``taken`` say whose standing in
    the live room that changes. No history keeps it: it puts memory back as
    the file is, so it carries no ``seq``.
    """

    room: str
    owner: str | None
    operators: tuple[str, ...]
    given: tuple[str, ...] = ()
    """Members of ``room`` who get the room operator standing back with it, by nickname."""
    taken: tuple[str, ...] = ()
    """Members of ``room`` whose room operator standing goes with it, by nickname: front ends that mark
    standing (IRC's ``@``) take the mark off, as after ``/deop``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Deleted(_Base):
    """``actor`` deleted the line with id ``line`` (its ``line_seq``) said or acted in ``room``; ``reason`` may be
    empty (``/delete``, chatd.domain.deletion).

    Not a room event: it takes no sequence number of the room's, and no
    read of lines gives it back. A store that gets it deletes the line (the
    SQLite one in the same record of its pass log as the pass's events), so
    no read shows it again, and keeps it as the line's tombstone
    (``History.deletions``), for a client that resumes to be told; a client
    showing the line takes it away. It names the line,
    never its text. ``room`` leaves room for a conversation's private line
    to be named alike later. ``parts``: how many messages a front end that
    cuts long lines sent the line as (IRC's PRIVMSGs ``ID``, ``ID.1``...),
    counted as it is deleted (``Deletion``), so that each can be taken away
    once the text is gone.
    """

    room: str
    line: str
    line_seq: int
    reason: str = ""
    parts: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class FileOffered(_Base):
    """``actor`` offers the file ``file`` (a transfer's id) to ``to``: a room's members, or one nickname.

    Its bytes are on the server and checked against ``sha256`` already
    (chatd.domain.files). ``name`` is the safe name, ``mime`` the type the
    sender guessed. ``waited``: delivered once an account identified, after
    waiting for them offline. Delivered to the recipients and the sender;
    no history keeps it, so it carries no ``seq`` even for a room.
    """

    file: str
    to: str
    name: str
    size: int
    mime: str
    sha256: str
    waited: bool = False


RoomEvent = (
    Said
    | Acted
    | Joined
    | Parted
    | TopicChanged
    | TopicLocked
    | Kicked
    | RoomRegistered
    | RoomUnregistered
    | RoomOperatorAdded
    | RoomOperatorRemoved
    | RoomModesChanged
    | Invited
)
"""The events that happen in one room and carry its sequence number."""

Event = (
    RoomEvent
    | Registered
    | Whispered
    | Encrypted
    | Quit
    | NickChanged
    | AwayChanged
    | AddressChanged
    | OperatorGranted
    | BanAdded
    | Banned
    | Killed
    | BanLifted
    | Muted
    | Unmuted
    | Walled
    | ShuttingDown
    | AccountRegistered
    | Identified
    | PasswordChanged
    | PasswordSet
    | AccountDropped
    | AccountNotKept
    | AccountNotDropped
    | MessageNotKept
    | NicknameClaimed
    | CrowdTallied
    | RoomRegistrationNotKept
    | FileOffered
    | Deleted
)
"""Every change of chat state."""

ROOM_EVENTS: tuple[type[RoomEvent], ...] = (
    Said,
    Acted,
    Joined,
    Parted,
    TopicChanged,
    TopicLocked,
    Kicked,
    RoomRegistered,
    RoomUnregistered,
    RoomOperatorAdded,
    RoomOperatorRemoved,
    RoomModesChanged,
    Invited,
)
MESSAGES: tuple[type[RoomEvent], ...] = (Said, Acted)
"""What people said in a room: the lines history reads give back (replay, /history), in either store."""
EVENTS: tuple[type[Event], ...] = (
    *ROOM_EVENTS,
    Registered,
    Whispered,
    Encrypted,
    Quit,
    NickChanged,
    AwayChanged,
    AddressChanged,
    OperatorGranted,
    BanAdded,
    Banned,
    Killed,
    BanLifted,
    Muted,
    Unmuted,
    Walled,
    ShuttingDown,
    AccountRegistered,
    Identified,
    PasswordChanged,
    PasswordSet,
    AccountDropped,
    AccountNotKept,
    AccountNotDropped,
    MessageNotKept,
    NicknameClaimed,
    CrowdTallied,
    RoomRegistrationNotKept,
    FileOffered,
    Deleted,
)
"""Every event class, for codecs and tests that must cover them all."""

Private = Whispered | Encrypted
"""A private message, readable or sealed: what mailboxes and two accounts' conversations keep."""
